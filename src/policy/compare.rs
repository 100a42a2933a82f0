//! The structural difference between two policies (`handoff diff`): rules added, removed,
//! renamed, moved and changed, routes, priorities, SLA targets, time-based escalation, context,
//! calendar and default — every value said the way the policy writes it.

use super::Policy;
use super::calendar::build_calendar;
use super::condition::compile;
use super::condition_diff::condition_change;
use super::describe::scalar;
use super::model::{Calendar, DurationSpec, EscalateAfter, Risk, Rule, RuleKind, Tier};
use super::spanned::Spanned;
use crate::calendar::duration::parse_duration;
use crate::text::normalize_label;

/// One structural change, e.g. `~ rule 'low-confidence' when: confidence below 0.8 → 0.7`.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Change {
    /// `added`, `removed`, `renamed`, `moved` or `changed`.
    pub kind: &'static str,
    /// What changed, e.g. `rule 'low-confidence' when`, `tier 'L1' SLA high first_response`.
    pub subject: String,
    /// Old and new, when it makes sense.
    pub detail: String,
}

/// A rule that only got a new id: same condition, route, priority, kind, `continue` and risk.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Rename {
    pub old: String,
    pub new: String,
}

/// Everything `handoff diff` reports about the two files themselves.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct StructuralDiff {
    pub changes: Vec<Change>,
    pub renamed: Vec<Rename>,
}

fn change(kind: &'static str, subject: String, detail: String) -> Change {
    Change {
        kind,
        subject,
        detail,
    }
}

const NONE: &str = "(none)";

/// The fields of a rule besides its id and condition, as the policy means them (an absent
/// `kind` is `proactive`, an absent `continue` is `false`).
fn rule_fields(rule: &Rule) -> [(&'static str, String); 5] {
    [
        ("route", rule.route.value.trim().to_string()),
        (
            "priority",
            rule.priority
                .as_ref()
                .map_or(NONE.into(), |p| normalize_label(&p.value)),
        ),
        (
            "continue",
            rule.continue_.as_ref().is_some_and(|c| c.value).to_string(),
        ),
        (
            "kind",
            match rule.kind.as_ref().map(|k| k.value) {
                Some(RuleKind::Reactive) => "reactive",
                Some(RuleKind::Proactive) | None => "proactive",
            }
            .into(),
        ),
        (
            "risk",
            rule.risk.as_ref().map_or(NONE.into(), |r| {
                match r.value {
                    Risk::Low => "low",
                    Risk::Medium => "medium",
                    Risk::High => "high",
                }
                .into()
            }),
        ),
    ]
}

/// Whether two rules decide alike: the same compiled condition and the same other fields.
fn same_body(a: &Rule, b: &Rule) -> bool {
    let condition = |r: &Rule| compile(&r.when).map(|c| format!("{c:?}")).ok();
    let (ca, cb) = (condition(a), condition(b));
    ca.is_some() && ca == cb && rule_fields(a) == rule_fields(b)
}

fn duration_text(text: Option<&Spanned<String>>) -> String {
    match text {
        None => NONE.into(),
        Some(t) => parse_duration(&t.value).map_or_else(|_| t.value.clone(), |d| d.to_string()),
    }
}

/// The rules of both policies matched up: for each new rule, the old rule it continues (the
/// same id, or a rename).
pub fn rule_counterparts(old: &Policy, new: &Policy, renamed: &[Rename]) -> Vec<Option<usize>> {
    new.rules
        .iter()
        .map(|rule| {
            let id = rule.value.id.value.as_str();
            let old_id = renamed
                .iter()
                .find(|r| r.new == id)
                .map_or(id, |r| r.old.as_str());
            old.rules.iter().position(|r| r.value.id.value == old_id)
        })
        .collect()
}

fn rules(old: &Policy, new: &Policy, out: &mut StructuralDiff) {
    let ids =
        |p: &Policy| -> Vec<String> { p.rules.iter().map(|r| r.value.id.value.clone()).collect() };
    let (old_ids, new_ids) = (ids(old), ids(new));
    let removed: Vec<usize> = (0..old_ids.len())
        .filter(|&i| !new_ids.contains(&old_ids[i]))
        .collect();
    let mut added: Vec<usize> = (0..new_ids.len())
        .filter(|&i| !old_ids.contains(&new_ids[i]))
        .collect();
    let mut renamed_old = Vec::new();
    for &i in &removed {
        let twin = added
            .iter()
            .position(|&j| same_body(&old.rules[i].value, &new.rules[j].value));
        if let Some(k) = twin {
            let j = added.remove(k);
            renamed_old.push(i);
            out.renamed.push(Rename {
                old: old_ids[i].clone(),
                new: new_ids[j].clone(),
            });
            out.changes.push(change(
                "renamed",
                format!("rule '{}' renamed to '{}'", old_ids[i], new_ids[j]),
                String::new(),
            ));
        }
    }
    for &i in removed.iter().filter(|i| !renamed_old.contains(i)) {
        out.changes.push(change(
            "removed",
            format!("rule '{}'", old_ids[i]),
            format!("was rule {}", i + 1),
        ));
    }
    for &j in &added {
        out.changes.push(change(
            "added",
            format!("rule '{}'", new_ids[j]),
            format!("now rule {}", j + 1),
        ));
    }
    // Moved: the relative order of the rules both policies have (renamed ones included).
    let counterpart = rule_counterparts(old, new, &out.renamed);
    let common_new: Vec<usize> = counterpart.iter().copied().flatten().collect();
    let mut common_old = common_new.clone();
    common_old.sort_unstable();
    for (j, old_index) in counterpart.iter().enumerate() {
        let Some(i) = *old_index else {
            continue;
        };
        let rank = common_new.iter().position(|&x| x == i);
        if rank.is_some_and(|r| common_old[r] != i) {
            out.changes.push(change(
                "moved",
                format!("rule '{}'", new_ids[j]),
                format!("rule {} → rule {}", i + 1, j + 1),
            ));
        }
    }
    for (j, old_index) in counterpart.iter().enumerate() {
        let Some(i) = *old_index else {
            continue;
        };
        let (before, after) = (&old.rules[i].value, &new.rules[j].value);
        if let Some(detail) = condition_change(&before.when, &after.when) {
            out.changes.push(change(
                "changed",
                format!("rule '{}' when", new_ids[j]),
                detail,
            ));
        }
        for ((name, a), (_, b)) in rule_fields(before).into_iter().zip(rule_fields(after)) {
            if a != b {
                out.changes.push(change(
                    "changed",
                    format!("rule '{}' {name}", new_ids[j]),
                    format!("{a} → {b}"),
                ));
            }
        }
    }
}

/// `2h`, or `{ urgent: 10m, default: 2h }`, durations normalised.
fn escalate_text(e: &EscalateAfter) -> (String, String) {
    let duration = |text: &str| {
        parse_duration(text).map_or_else(|_| text.trim().to_string(), |d| d.to_string())
    };
    let delay = match &e.no_first_response.value {
        DurationSpec::One(text) => duration(text),
        DurationSpec::PerPriority(map) => {
            let entries: Vec<String> = map
                .iter()
                .map(|(k, v)| format!("{}: {}", scalar(&k.value), duration(&v.value)))
                .collect();
            format!("{{ {} }}", entries.join(", "))
        }
    };
    (delay, e.to.value.trim().to_string())
}

fn tiers(old: &Policy, new: &Policy, out: &mut Vec<Change>) {
    let old_tiers = old.tier_names();
    let new_tiers = new.tier_names();
    for t in &old_tiers {
        if !new_tiers.contains(t) {
            out.push(change("removed", format!("tier '{t}'"), String::new()));
        }
    }
    for t in &new_tiers {
        if !old_tiers.contains(t) {
            out.push(change("added", format!("tier '{t}'"), String::new()));
        }
    }
    for (name, new_tier) in new.tiers.iter() {
        let Some(old_tier) = old.tiers.get(&name.value) else {
            continue;
        };
        let (old_tier, new_tier) = (&old_tier.value, &new_tier.value);
        let owner = |t: &Tier| {
            t.owner
                .as_ref()
                .map_or(NONE.to_string(), |o| o.value.clone())
        };
        if owner(old_tier) != owner(new_tier) {
            out.push(change(
                "changed",
                format!("tier '{}' owner", name.value),
                format!("{} → {}", owner(old_tier), owner(new_tier)),
            ));
        }
        let escalate = |t: &Tier| t.escalate_after.as_ref().map(|e| escalate_text(&e.value));
        match (escalate(old_tier), escalate(new_tier)) {
            (Some((a_delay, a_to)), Some((b_delay, b_to))) => {
                if a_delay != b_delay {
                    out.push(change(
                        "changed",
                        format!("tier '{}' escalate_after no_first_response", name.value),
                        format!("{a_delay} → {b_delay}"),
                    ));
                }
                if a_to != b_to {
                    out.push(change(
                        "changed",
                        format!("tier '{}' escalate_after to", name.value),
                        format!("{a_to} → {b_to}"),
                    ));
                }
            }
            (None, Some((delay, to))) => out.push(change(
                "added",
                format!("tier '{}' escalate_after", name.value),
                format!("no first response within {delay} → {to}"),
            )),
            (Some((delay, to)), None) => out.push(change(
                "removed",
                format!("tier '{}' escalate_after", name.value),
                format!("no first response within {delay} → {to}"),
            )),
            (None, None) => {}
        }
        let closed = |t: &Tier| {
            t.when_closed
                .as_ref()
                .map_or(NONE.to_string(), |w| w.value.route.value.clone())
        };
        if closed(old_tier) != closed(new_tier) {
            out.push(change(
                "changed",
                format!("tier '{}' when_closed route", name.value),
                format!("{} → {}", closed(old_tier), closed(new_tier)),
            ));
        }
        let own_hours = |t: &Tier| {
            t.calendar
                .as_ref()
                .map_or(NONE.to_string(), |c| calendar_text(&c.value))
        };
        if own_hours(old_tier) != own_hours(new_tier) {
            out.push(change(
                "changed",
                format!("tier '{}' calendar", name.value),
                format!("{} → {}", own_hours(old_tier), own_hours(new_tier)),
            ));
        }
        let mut keys: Vec<String> = old_tier
            .sla
            .keys()
            .chain(new_tier.sla.keys())
            .map(|k| k.value.clone())
            .collect();
        keys.sort();
        keys.dedup();
        for key in keys {
            let pick = |t: &Tier, first: bool| {
                t.sla.get(&key).map_or(NONE.to_string(), |target| {
                    duration_text(if first {
                        target.value.first_response.as_ref()
                    } else {
                        target.value.resolution.as_ref()
                    })
                })
            };
            for (metric, first) in [("first_response", true), ("resolution", false)] {
                let (before, after) = (pick(old_tier, first), pick(new_tier, first));
                if before != after {
                    out.push(change(
                        "changed",
                        format!("tier '{}' SLA {key} {metric}", name.value),
                        format!("{before} → {after}"),
                    ));
                }
            }
        }
    }
}

/// `+ a, b - c` between two lists of names; empty when they hold the same.
fn names_change(old: &[String], new: &[String]) -> String {
    let added: Vec<&str> = new
        .iter()
        .filter(|n| !old.contains(n))
        .map(String::as_str)
        .collect();
    let removed: Vec<&str> = old
        .iter()
        .filter(|n| !new.contains(n))
        .map(String::as_str)
        .collect();
    let mut parts = Vec::new();
    if !added.is_empty() {
        parts.push(format!("+ {}", added.join(", ")));
    }
    if !removed.is_empty() {
        parts.push(format!("- {}", removed.join(", ")));
    }
    parts.join(" ")
}

/// A calendar in flow syntax, for a calendar added or removed whole.
fn calendar_text(calendar: &Calendar) -> String {
    let mut entries = Vec::new();
    if let Some(tz) = &calendar.timezone {
        entries.push(format!("timezone: {}", scalar(tz.value.trim())));
    }
    let hours: Vec<String> = calendar
        .hours
        .iter()
        .map(|(k, v)| format!("{}: {}", scalar(k.value.trim()), scalar(v.value.trim())))
        .collect();
    entries.push(format!("hours: {{ {} }}", hours.join(", ")));
    if !calendar.holidays.is_empty() {
        let days: Vec<&str> = calendar.holidays.iter().map(|h| h.value.trim()).collect();
        entries.push(format!("holidays: [{}]", days.join(", ")));
    }
    format!("{{ {} }}", entries.join(", "))
}

fn calendars(old: &Policy, new: &Policy, out: &mut Vec<Change>) {
    const AROUND_THE_CLOCK: &str = "(none: around the clock, UTC)";
    let (a, b) = match (&old.calendar, &new.calendar) {
        (None, None) => return,
        (Some(a), None) => {
            out.push(change(
                "changed",
                "calendar".into(),
                format!("{} → {AROUND_THE_CLOCK}", calendar_text(&a.value)),
            ));
            return;
        }
        (None, Some(b)) => {
            out.push(change(
                "changed",
                "calendar".into(),
                format!("{AROUND_THE_CLOCK} → {}", calendar_text(&b.value)),
            ));
            return;
        }
        (Some(a), Some(b)) => (a, b),
    };
    let zone = |c: &Calendar| {
        c.timezone
            .as_ref()
            .map_or("UTC".to_string(), |t| t.value.trim().to_string())
    };
    if zone(&a.value) != zone(&b.value) {
        out.push(change(
            "changed",
            "calendar timezone".into(),
            format!("{} → {}", zone(&a.value), zone(&b.value)),
        ));
    }
    // Hours are compared by the weekly schedule they make, so `mon-fri` rewritten as
    // `mon-thu` and `fri` with the same hours is no change; when the schedule differs, the day
    // ranges are listed as written.
    let week = |c: &Spanned<Calendar>| build_calendar(Some(c)).0.week;
    if week(a) != week(b) {
        let key = |k: &str| k.trim().to_lowercase();
        for (day, hours) in b.value.hours.iter() {
            let before = a
                .value
                .hours
                .iter()
                .find(|(k, _)| key(&k.value) == key(&day.value));
            match before {
                Some((_, old_hours)) if old_hours.value.trim() == hours.value.trim() => {}
                Some((_, old_hours)) => out.push(change(
                    "changed",
                    format!("calendar hours {}", day.value.trim()),
                    format!("{} → {}", old_hours.value.trim(), hours.value.trim()),
                )),
                None => out.push(change(
                    "added",
                    format!("calendar hours {}", day.value.trim()),
                    hours.value.trim().to_string(),
                )),
            }
        }
        for (day, hours) in a.value.hours.iter() {
            if !b
                .value
                .hours
                .iter()
                .any(|(k, _)| key(&k.value) == key(&day.value))
            {
                out.push(change(
                    "removed",
                    format!("calendar hours {}", day.value.trim()),
                    hours.value.trim().to_string(),
                ));
            }
        }
    }
    let days = |c: &Calendar| -> Vec<String> {
        c.holidays
            .iter()
            .map(|h| h.value.trim().to_string())
            .collect()
    };
    let holidays = names_change(&days(&a.value), &days(&b.value));
    if !holidays.is_empty() {
        out.push(change("changed", "calendar holidays".into(), holidays));
    }
}

pub fn structural_diff(old: &Policy, new: &Policy) -> StructuralDiff {
    let mut out = StructuralDiff::default();
    rules(old, new, &mut out);
    let changes = &mut out.changes;
    tiers(old, new, changes);
    if old.default_route() != new.default_route() {
        changes.push(change(
            "changed",
            "default".into(),
            format!("{} → {}", old.default_route(), new.default_route()),
        ));
    }
    let default_priority = |p: &Policy| {
        p.default_priority
            .as_ref()
            .map_or(NONE.to_string(), |d| normalize_label(&d.value))
    };
    if default_priority(old) != default_priority(new) {
        changes.push(change(
            "changed",
            "default_priority".into(),
            format!("{} → {}", default_priority(old), default_priority(new)),
        ));
    }
    let required = |p: &Policy| -> Vec<String> {
        p.context.as_ref().map_or_else(Vec::new, |c| {
            c.value
                .required
                .iter()
                .map(|f| f.value.trim().to_string())
                .collect()
        })
    };
    let context = names_change(&required(old), &required(new));
    if !context.is_empty() {
        changes.push(change("changed", "context required".into(), context));
    }
    calendars(old, new, changes);
    if old.priority_labels() != new.priority_labels() {
        changes.push(change(
            "changed",
            "priorities".into(),
            format!(
                "{} → {}",
                old.priority_labels().join(", "),
                new.priority_labels().join(", ")
            ),
        ));
    }
    out
}
