//! H050 response before resolution, H051 priority inversion, H052 working hours, H053 time-based
//! escalation that acts too late or goes round in a cycle.

use super::Ctx;
use crate::calendar::duration::{PolicyDuration, parse_duration};
use crate::diag::registry::Code;
use crate::diag::{Diagnostic, Span};
use crate::policy::Spanned;
use crate::policy::calendar::CalendarProblemKind;
use crate::policy::model::{DurationSpec, SlaTarget, Tier, per_priority};
use crate::text::normalize_label;

/// The range of business seconds a duration can mean on this calendar (`bd` depends on which
/// day it is counted over).
fn bounds(ctx: &Ctx, duration: PolicyDuration) -> (u64, u64) {
    match duration {
        PolicyDuration::Seconds(s) => (s, s),
        PolicyDuration::BusinessDays(n) => {
            let (short, long) = ctx.calendar.working_day_range().unwrap_or((86_400, 86_400));
            (u64::from(n) * short, u64::from(n) * long)
        }
    }
}

fn parsed(value: &Spanned<String>) -> Option<PolicyDuration> {
    parse_duration(&value.value).ok()
}

/// `a` is surely not shorter than `b`, whatever day the clock starts.
fn not_shorter(ctx: &Ctx, a: PolicyDuration, b: PolicyDuration) -> bool {
    bounds(ctx, a).0 >= bounds(ctx, b).1
}

/// `a` is surely longer than `b`.
fn longer(ctx: &Ctx, a: PolicyDuration, b: PolicyDuration) -> bool {
    bounds(ctx, a).0 > bounds(ctx, b).1
}

pub fn check(ctx: &Ctx, out: &mut Vec<Diagnostic>) {
    for problem in &ctx.calendar_problems {
        if problem.kind == CalendarProblemKind::NoWorkingHours {
            out.push(
                Diagnostic::new(Code::H052, problem.span, problem.message.clone())
                    .help(problem.help.clone()),
            );
        }
    }
    unreachable_targets(ctx, out);
    for (name, tier) in ctx.policy.tiers.iter() {
        response_before_resolution(ctx, &name.value, &tier.value, out);
        priority_inversion(ctx, &name.value, &tier.value, out);
        escalation_delay(ctx, &name.value, &tier.value, out);
    }
    escalation_cycles(ctx, out);
}

fn response_before_resolution(ctx: &Ctx, tier_name: &str, tier: &Tier, out: &mut Vec<Diagnostic>) {
    for (priority, target) in tier.sla.iter() {
        let (Some(first), Some(resolution)) =
            (&target.value.first_response, &target.value.resolution)
        else {
            continue;
        };
        let (Some(f), Some(r)) = (parsed(first), parsed(resolution)) else {
            continue;
        };
        if not_shorter(ctx, f, r) {
            out.push(
                Diagnostic::new(
                    Code::H050,
                    first.span,
                    format!(
                        "tier '{tier_name}', priority '{}': first response {f} is not shorter than resolution {r}",
                        priority.value
                    ),
                )
                .label("first-response target")
                .related(resolution.span, "resolution target")
                .help("a first response comes before resolution; were the two swapped?"),
            );
        }
    }
}

fn priority_inversion(ctx: &Ctx, tier_name: &str, tier: &Tier, out: &mut Vec<Diagnostic>) {
    type Pick = fn(&SlaTarget) -> Option<&Spanned<String>>;
    let metrics: [(&str, Pick); 2] = [
        ("first-response", |t| t.first_response.as_ref()),
        ("resolution", |t| t.resolution.as_ref()),
    ];
    for (metric, pick) in metrics {
        // Each priority's effective target: its own entry, or `default` filling the gap.
        let effective: Vec<(&str, &Spanned<String>, PolicyDuration, bool)> = ctx
            .priorities
            .iter()
            .filter_map(|p| {
                let target = tier.sla_for(p)?;
                let from_default = !tier.sla.keys().any(|k| normalize_label(&k.value) == *p);
                let value = pick(&target.value)?;
                Some((p.as_str(), value, parsed(value)?, from_default))
            })
            .collect();
        let shown = |priority: &str, duration: PolicyDuration, from_default: bool| {
            if from_default {
                format!("'{priority}' ({duration}, from `default`)")
            } else {
                format!("'{priority}' ({duration})")
            }
        };
        // One finding per SLA entry: `default` can stand for several priorities.
        let mut reported: Vec<Span> = Vec::new();
        for (i, (urgent, value, duration, urgent_default)) in effective.iter().enumerate() {
            let tighter_later = effective[i + 1..]
                .iter()
                .find(|(_, _, later, _)| longer(ctx, *duration, *later));
            if let Some((calmer, calmer_value, calmer_duration, calmer_default)) = tighter_later {
                if reported.contains(&value.span) {
                    continue;
                }
                reported.push(value.span);
                out.push(
                    Diagnostic::new(
                        Code::H051,
                        value.span,
                        format!(
                            "tier '{tier_name}': {metric} target for {} is looser than for less urgent {}",
                            shown(urgent, *duration, *urgent_default),
                            shown(calmer, *calmer_duration, *calmer_default),
                        ),
                    )
                    .label("looser than a less urgent priority")
                    .related(calmer_value.span, "less urgent target")
                    .help(if *urgent_default {
                        format!("give '{urgent}' its own entry with a target of at most {calmer_duration}")
                    } else {
                        format!("give '{urgent}' a target of at most {calmer_duration}")
                    }),
                );
            }
        }
    }
}

fn escalation_delay(ctx: &Ctx, tier_name: &str, tier: &Tier, out: &mut Vec<Diagnostic>) {
    let Some(escalate) = &tier.escalate_after else {
        return;
    };
    let spec = &escalate.value.no_first_response;
    for priority in &ctx.priorities {
        let delay: Option<Spanned<String>> = match &spec.value {
            DurationSpec::One(text) => Some(Spanned::new(text.clone(), spec.span)),
            DurationSpec::PerPriority(map) => per_priority(map, priority).cloned(),
        };
        let Some(delay) = delay else { continue };
        let Some(target) = tier
            .sla_for(priority)
            .and_then(|t| t.value.first_response.as_ref())
        else {
            continue;
        };
        let (Some(d), Some(t)) = (parsed(&delay), parsed(target)) else {
            continue;
        };
        if not_shorter(ctx, d, t) {
            out.push(
                Diagnostic::new(
                    Code::H053,
                    delay.span,
                    format!(
                        "tier '{tier_name}' escalates '{priority}' tickets after {d}, not before its first-response target {t}"
                    ),
                )
                .label(format!("delay for '{priority}'"))
                .related(target.span, "first-response target")
                .help(format!("escalate '{priority}' tickets before {t}, e.g. with a per-priority map")),
            );
        }
    }
}

fn escalation_cycles(ctx: &Ctx, out: &mut Vec<Diagnostic>) {
    let tiers = &ctx.policy.tiers;
    let next = |name: &str| -> Option<&Spanned<String>> {
        tiers
            .get(name)?
            .value
            .escalate_after
            .as_ref()
            .map(|e| &e.value.to)
    };
    let mut reported: Vec<String> = Vec::new();
    for start in tiers.keys() {
        let mut path = vec![start.value.as_str()];
        let mut current = start.value.as_str();
        while let Some(to) = next(current) {
            if to.value == start.value {
                let members = path.join(" → ");
                let key = {
                    let mut sorted = path.clone();
                    sorted.sort_unstable();
                    sorted.join(",")
                };
                if !reported.contains(&key) {
                    reported.push(key);
                    out.push(
                        Diagnostic::new(
                            Code::H053,
                            to.span,
                            format!(
                                "`escalate_after` hand-offs form a cycle: {members} → {}",
                                start.value
                            ),
                        )
                        .label("back to the start of the cycle")
                        .help("end the chain at a tier without `escalate_after`"),
                    );
                }
                break;
            }
            if path.contains(&to.value.as_str()) || path.len() > tiers.len() {
                break;
            }
            current = to.value.as_str();
            path.push(current);
        }
    }
}

/// Calendar time a business-time target may take before H052 calls it unreachable.
const MAX_WEEKS: u64 = 52;
/// A working day shorter than this makes `bd` targets meaningless.
const MIN_WORKING_DAY: u64 = 60;

/// Every SLA and escalation duration of the policy, with words saying where it is.
fn targets(ctx: &Ctx) -> Vec<(Spanned<String>, String)> {
    let mut all = Vec::new();
    for (name, tier) in ctx.policy.tiers.iter() {
        for (priority, target) in tier.value.sla.iter() {
            for (what, value) in [
                ("first response", &target.value.first_response),
                ("resolution", &target.value.resolution),
            ] {
                if let Some(value) = value {
                    let place = format!("tier '{}', {} {what}", name.value, priority.value);
                    all.push((value.clone(), place));
                }
            }
        }
        if let Some(escalate) = &tier.value.escalate_after {
            let spec = &escalate.value.no_first_response;
            let place = format!("tier '{}', escalate_after", name.value);
            match &spec.value {
                DurationSpec::One(text) => {
                    all.push((Spanned::new(text.clone(), spec.span), place));
                }
                DurationSpec::PerPriority(map) => {
                    for (priority, value) in map.iter() {
                        all.push((value.clone(), format!("{place} {}", priority.value)));
                    }
                }
            }
        }
    }
    all
}

/// H052 for a calendar that has working hours, but so few that targets cannot be met in any
/// useful time: a target of business seconds that needs more than a year of calendar time, or
/// `bd` targets on a calendar whose working days can be shorter than a minute.
fn unreachable_targets(ctx: &Ctx, out: &mut Vec<Diagnostic>) {
    let Some(calendar) = &ctx.policy.calendar else {
        return;
    };
    let week = &ctx.calendar.week;
    let open: u64 = week
        .iter()
        .flat_map(|day| day.iter().map(|(s, e)| u64::from(e - s)))
        .sum();
    let Some((shortest, _)) = ctx.calendar.working_day_range() else {
        return;
    };
    let working_days = week.iter().filter(|d| !d.is_empty()).count() as u64;
    let span = if calendar.value.hours.span.is_known() {
        calendar.value.hours.span
    } else {
        calendar.span
    };
    let weeks_for = |duration: PolicyDuration| match duration {
        PolicyDuration::Seconds(s) => s.div_ceil(open),
        PolicyDuration::BusinessDays(n) => u64::from(n).div_ceil(working_days),
    };
    let mut too_long: Vec<(Spanned<String>, String, PolicyDuration, u64)> = Vec::new();
    let mut short_days: Vec<(Spanned<String>, String, PolicyDuration)> = Vec::new();
    for (value, place) in targets(ctx) {
        let Some(duration) = parsed(&value) else {
            continue;
        };
        let weeks = weeks_for(duration);
        if weeks > MAX_WEEKS {
            too_long.push((value, place, duration, weeks));
        } else if matches!(duration, PolicyDuration::BusinessDays(_)) && shortest < MIN_WORKING_DAY
        {
            short_days.push((value, place, duration));
        }
    }
    if let Some((value, place, duration, weeks)) = too_long.iter().min_by_key(|t| t.3) {
        let more = match too_long.len() - 1 {
            0 => String::new(),
            1 => "; 1 more target takes longer still".to_string(),
            n => format!("; {n} more targets take longer still"),
        };
        out.push(
            Diagnostic::new(
                Code::H052,
                span,
                format!(
                    "the calendar is open only {} a week: the `{duration}` target ({place}) would take {weeks} weeks of calendar time{more}",
                    PolicyDuration::Seconds(open)
                ),
            )
            .label("too few working hours")
            .related(value.span, format!("needs {weeks} weeks"))
            .help("give the calendar realistic working hours (or remove it to count around the clock), or express the targets for this calendar"),
        );
    }
    if let Some((value, place, duration)) = short_days.first() {
        out.push(
            Diagnostic::new(
                Code::H052,
                span,
                format!(
                    "working days on this calendar can be as short as {}, so `{duration}` ({place}) can mean almost no working time",
                    PolicyDuration::Seconds(shortest)
                ),
            )
            .label("a working day shorter than a minute")
            .related(value.span, "counted in working days")
            .help("give every working day real hours, or write the targets in hours and minutes"),
        );
    }
}
