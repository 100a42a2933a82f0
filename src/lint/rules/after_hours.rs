//! H054: a tier with its own calendar that is closed while the policy's calendar is open, and
//! no `when_closed` route for the tickets that arrive then.

use jiff::Timestamp;

use super::Ctx;
use crate::diag::Diagnostic;
use crate::diag::registry::Code;
use crate::policy::calendar::{DAY_NAMES, build_calendar};

/// A Monday, 00:00 UTC: the week the two calendars are compared on, in quarter hours.
const REFERENCE_MONDAY: i64 = 1_767_571_200;

pub fn check(ctx: &Ctx, out: &mut Vec<Diagnostic>) {
    for (name, tier) in ctx.policy.tiers.iter() {
        let tier = &tier.value;
        let (Some(own), None) = (&tier.calendar, &tier.when_closed) else {
            continue;
        };
        let (calendar, problems) = build_calendar(Some(own));
        if !problems.is_empty() {
            continue;
        }
        let gap = (0..7 * 24 * 4)
            .map(|q| REFERENCE_MONDAY + q * 900)
            .find(|&t| {
                Timestamp::from_second(t)
                    .is_ok_and(|at| ctx.calendar.is_open(at) && !calendar.is_open(at))
            });
        let Some(t) = gap.and_then(|t| Timestamp::from_second(t).ok()) else {
            continue;
        };
        let local = ctx.calendar.timezone.to_datetime(t);
        let day = DAY_NAMES[local.weekday().to_monday_zero_offset() as usize];
        out.push(
            Diagnostic::new(
                Code::H054,
                own.span,
                format!(
                    "tier '{}' is closed at times the policy's calendar is open (first: {day} {:02}:{:02}) and has no `when_closed`",
                    name.value,
                    local.hour(),
                    local.minute()
                ),
            )
            .label("closed part of the policy's working hours")
            .help("add `when_closed: { route: <tier or ai> }` for tickets that arrive while it is closed, or give it the policy's hours"),
        );
    }
}
