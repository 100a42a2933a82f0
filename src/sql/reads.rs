//! What the decisions query reads and what it refuses: the fields each rule reads (in the
//! order replay's parser meets them), the SLA targets per tier and priority, and the inputs no
//! query can read exactly.

use std::collections::BTreeSet;

use super::error::SqlError;
use crate::calendar::duration::{PolicyDuration, parse_duration};
use crate::fields::Field;
use crate::policy::Policy;
use crate::policy::condition::{Cond, LabelField, NumField};
use crate::tickets::mapping::{Mapping, TextColumns};

/// Walk a condition in the order replay's compiler does, collecting the canonical fields it
/// reads and its extra fields (in slot order), refusing field tests on canonical names.
pub fn collect_reads(
    cond: &Cond,
    reads: &mut BTreeSet<String>,
    extras: &mut Vec<String>,
    numeric: &mut Vec<String>,
    labels: &mut Vec<String>,
) -> Result<(), String> {
    let mut extra = |name: &str, list: Option<&mut Vec<String>>| -> Result<(), String> {
        if Field::named(name).is_some() {
            return Err(format!(
                "a `field` test on `{name}`, a canonical field, is not compiled to SQL; test it with its own condition"
            ));
        }
        if !extras.iter().any(|x| x == name) {
            extras.push(name.to_string());
        }
        if let Some(list) = list {
            if !list.iter().any(|x| x == name) {
                list.push(name.to_string());
            }
        }
        reads.insert(name.to_string());
        Ok(())
    };
    match cond {
        Cond::All(parts) | Cond::Any(parts) => {
            for p in parts {
                collect_reads(p, reads, extras, numeric, labels)?;
            }
        }
        Cond::Not(inner) => collect_reads(inner, reads, extras, numeric, labels)?,
        Cond::Number { field, .. } => match field {
            NumField::Extra(name) => extra(name, Some(numeric))?,
            other => {
                reads.insert(other.name().to_string());
            }
        },
        Cond::Keywords { .. } => {
            reads.insert(Field::Text.name().to_string());
        }
        Cond::Label { field, .. } => match field {
            LabelField::Extra(name) => extra(name, Some(labels))?,
            LabelField::Canonical(label) => {
                reads.insert(label.name().to_string());
            }
        },
        Cond::RequestedHuman(_) => {
            reads.insert(Field::RequestedHuman.name().to_string());
        }
        Cond::BusinessHours(_) => {
            reads.insert(Field::CreatedAt.name().to_string());
        }
        Cond::Matches { field, .. } => extra(field, None)?,
    }
    Ok(())
}

/// Inputs the decisions query cannot read exactly: say so (exit 2) rather than approximate.
pub fn refuse_unsupported(policy: &Policy, mapping: &Mapping) -> Result<(), SqlError> {
    if mapping.events.is_some() {
        return Err(SqlError::Refused(
            "the mapping reads events (`[events]`): fold them into one row per ticket in the warehouse first; `handoff sql` compiles ticket tables".into(),
        ));
    }
    if mapping.columns.column(Field::Id) == Some("@row") {
        return Err(SqlError::Refused(
            "the mapping numbers records (`id = \"@row\"`): a table has no record order; map an id column".into(),
        ));
    }
    if matches!(mapping.columns.text, Some(TextColumns::Fold(_))) {
        return Err(SqlError::Refused(
            "the mapping folds text from events; `handoff sql` compiles ticket tables".into(),
        ));
    }
    for (name, tier) in policy.tiers.iter() {
        if tier.value.when_closed.is_some() {
            return Err(SqlError::Refused(format!(
                "tier '{}' has `when_closed`, which needs its calendar at each ticket's arrival; the SQL compiler does not join calendars for routing yet",
                name.value
            )));
        }
    }
    Ok(())
}

/// Per tier (rank from 1) and priority index: the first response and resolution targets
/// (business time, or working days), as replay's `Tier::sla_for` picks them (the priority's
/// entry, else the tier's `default`).
pub fn sla_targets(
    policy: &Policy,
    priorities: &[String],
) -> Vec<(usize, usize, [Option<PolicyDuration>; 2])> {
    let seconds = |text: Option<&crate::policy::Spanned<String>>| {
        text.and_then(|t| parse_duration(&t.value).ok())
    };
    let mut targets = Vec::new();
    for (index, (_, tier)) in policy.tiers.iter().enumerate() {
        for (p, label) in priorities.iter().enumerate() {
            if let Some(target) = tier.value.sla_for(label) {
                let pair = [
                    seconds(target.value.first_response.as_ref()),
                    seconds(target.value.resolution.as_ref()),
                ];
                if pair.iter().any(Option::is_some) {
                    targets.push((index + 1, p, pair));
                }
            }
        }
    }
    targets
}
