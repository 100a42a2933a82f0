//! The structural difference between two policies (`handoff diff`): rules added, removed,
//! moved and changed, routes, priorities, SLA targets, calendar and default.

use super::Policy;
use super::condition::compile;
use super::duration::parse_duration;
use super::model::Rule;

/// One structural change, e.g. `~ rule 'low-confidence': when …`.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Change {
    /// `added`, `removed`, `moved` or `changed`.
    pub kind: &'static str,
    /// What changed, e.g. `rule 'low-confidence'`, `tier 'L1' SLA high first_response`.
    pub subject: String,
    /// Old and new, when it makes sense.
    pub detail: String,
}

fn change(kind: &'static str, subject: String, detail: String) -> Change {
    Change {
        kind,
        subject,
        detail,
    }
}

fn condition_text(rule: &Rule) -> String {
    match compile(&rule.when) {
        Ok(cond) => format!("{cond:?}"),
        Err(e) => format!("(invalid: {})", e.message),
    }
}

fn rule_fields(rule: &Rule) -> Vec<(&'static str, String)> {
    vec![
        ("when", condition_text(rule)),
        ("route", rule.route.value.clone()),
        (
            "priority",
            rule.priority
                .as_ref()
                .map_or("-".into(), |p| p.value.clone()),
        ),
        (
            "continue",
            rule.continue_.as_ref().is_some_and(|c| c.value).to_string(),
        ),
        (
            "kind",
            format!("{:?}", rule.kind.as_ref().map(|k| k.value)).to_lowercase(),
        ),
        (
            "risk",
            format!("{:?}", rule.risk.as_ref().map(|r| r.value)).to_lowercase(),
        ),
    ]
}

fn duration_text(text: Option<&super::Spanned<String>>) -> String {
    match text {
        None => "-".into(),
        Some(t) => parse_duration(&t.value).map_or_else(|_| t.value.clone(), |d| d.to_string()),
    }
}

pub fn structural_diff(old: &Policy, new: &Policy) -> Vec<Change> {
    let mut out = Vec::new();
    let old_ids: Vec<&str> = old
        .rules
        .iter()
        .map(|r| r.value.id.value.as_str())
        .collect();
    let new_ids: Vec<&str> = new
        .rules
        .iter()
        .map(|r| r.value.id.value.as_str())
        .collect();
    for (i, id) in old_ids.iter().enumerate() {
        if !new_ids.contains(id) {
            out.push(change(
                "removed",
                format!("rule '{id}'"),
                format!("was rule {}", i + 1),
            ));
        }
    }
    for (i, id) in new_ids.iter().enumerate() {
        if !old_ids.contains(id) {
            out.push(change(
                "added",
                format!("rule '{id}'"),
                format!("now rule {}", i + 1),
            ));
        }
    }
    // Moved: the relative order of the rules both policies have.
    let common_old: Vec<&str> = old_ids
        .iter()
        .copied()
        .filter(|id| new_ids.contains(id))
        .collect();
    let common_new: Vec<&str> = new_ids
        .iter()
        .copied()
        .filter(|id| old_ids.contains(id))
        .collect();
    for (i, id) in common_new.iter().enumerate() {
        if common_old.get(i) != Some(id) {
            let before = old_ids.iter().position(|x| x == id).map_or(0, |p| p + 1);
            let after = new_ids.iter().position(|x| x == id).map_or(0, |p| p + 1);
            out.push(change(
                "moved",
                format!("rule '{id}'"),
                format!("rule {before} → rule {after}"),
            ));
        }
    }
    for new_rule in &new.rules {
        let new_rule = &new_rule.value;
        let Some(old_rule) = old
            .rules
            .iter()
            .find(|r| r.value.id.value == new_rule.id.value)
        else {
            continue;
        };
        for ((name, before), (_, after)) in rule_fields(&old_rule.value)
            .into_iter()
            .zip(rule_fields(new_rule))
        {
            if before != after {
                let detail = if name == "when" {
                    "condition changed".to_string()
                } else {
                    format!("{before} → {after}")
                };
                out.push(change(
                    "changed",
                    format!("rule '{}' {name}", new_rule.id.value),
                    detail,
                ));
            }
        }
    }
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
        let owner = |t: &super::model::Tier| {
            t.owner
                .as_ref()
                .map_or("-".to_string(), |o| o.value.clone())
        };
        if owner(&old_tier.value) != owner(&new_tier.value) {
            out.push(change(
                "changed",
                format!("tier '{}' owner", name.value),
                format!("{} → {}", owner(&old_tier.value), owner(&new_tier.value)),
            ));
        }
        let mut keys: Vec<String> = old_tier
            .value
            .sla
            .keys()
            .chain(new_tier.value.sla.keys())
            .map(|k| k.value.clone())
            .collect();
        keys.sort();
        keys.dedup();
        for key in keys {
            let pick = |t: &super::model::Tier, first: bool| {
                t.sla.get(&key).map_or("-".to_string(), |target| {
                    duration_text(if first {
                        target.value.first_response.as_ref()
                    } else {
                        target.value.resolution.as_ref()
                    })
                })
            };
            for (metric, first) in [("first_response", true), ("resolution", false)] {
                let (before, after) = (pick(&old_tier.value, first), pick(&new_tier.value, first));
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
    if old.default_route() != new.default_route() {
        out.push(change(
            "changed",
            "default".into(),
            format!("{} → {}", old.default_route(), new.default_route()),
        ));
    }
    let calendar = |p: &Policy| {
        p.calendar.as_ref().map_or("-".to_string(), |c| {
            let c = &c.value;
            format!(
                "{} {:?} {:?}",
                c.timezone.as_ref().map_or("UTC", |t| t.value.as_str()),
                c.hours
                    .iter()
                    .map(|(k, v)| (k.value.clone(), v.value.clone()))
                    .collect::<Vec<_>>(),
                c.holidays
                    .iter()
                    .map(|h| h.value.clone())
                    .collect::<Vec<_>>()
            )
        })
    };
    if calendar(old) != calendar(new) {
        out.push(change(
            "changed",
            "calendar".into(),
            format!("{} → {}", calendar(old), calendar(new)),
        ));
    }
    if old.priority_labels() != new.priority_labels() {
        out.push(change(
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
