//! The checks behind the registry, one file per family of rules, and [`Ctx`], what each check
//! reads: `values.rs` (H003, H004), `routing.rs` (H010, H012), `raci.rs` (H011, H020–H022),
//! `coverage.rs` (H030–H035), `conditions/` (H040–H043, H049), `sla.rs` (H050–H053) and
//! `after_hours.rs` (H054).

use crate::calendar::BusinessCalendar;
use crate::diag::Diagnostic;
use crate::policy::calendar::{CalendarProblem, build_calendar};
use crate::policy::condition::{Cond, compile};
use crate::policy::{AI, Policy};

mod after_hours;
mod conditions;
mod coverage;
mod raci;
mod routing;
mod sla;
mod values;

/// What every check can read: the policy and what has been derived from it once.
pub struct Ctx<'a> {
    pub policy: &'a Policy,
    pub calendar: BusinessCalendar,
    pub calendar_problems: Vec<CalendarProblem>,
    /// Each rule's compiled condition, in rule order; `None` where it does not compile (H003
    /// reports why, and semantic checks skip the rule).
    pub conditions: Vec<Option<Cond>>,
    /// Priority labels, most urgent first.
    pub priorities: Vec<String>,
}

impl<'a> Ctx<'a> {
    pub fn new(policy: &'a Policy) -> Self {
        let (calendar, mut calendar_problems) = build_calendar(policy.calendar.as_ref());
        for (_, tier) in policy.tiers.iter() {
            if let Some(own) = &tier.value.calendar {
                calendar_problems.extend(build_calendar(Some(own)).1);
            }
        }
        Ctx {
            policy,
            calendar,
            calendar_problems,
            conditions: policy.rules.iter().map(|r| compile(&r.when).ok()).collect(),
            priorities: policy.priority_labels(),
        }
    }

    /// Whether `route` names a tier or `ai`.
    pub fn is_route(&self, route: &str) -> bool {
        route == AI || self.policy.tiers.contains_key(route)
    }
}

/// Run every check; findings carry their rule's default severity.
pub fn check_all(policy: &Policy) -> Vec<Diagnostic> {
    let ctx = Ctx::new(policy);
    let mut out = Vec::new();
    values::check(&ctx, &mut out);
    routing::check(&ctx, &mut out);
    raci::check(&ctx, &mut out);
    coverage::check(&ctx, &mut out);
    conditions::check(&ctx, &mut out);
    sla::check(&ctx, &mut out);
    after_hours::check(&ctx, &mut out);
    out
}
