//! Conditions in words for the messages of these checks, e.g. `confidence below 0.8`.

use crate::policy::condition::{Cond, NumField};

pub(super) fn list<T: std::fmt::Display>(items: &[T]) -> String {
    items
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

pub(super) fn number(field: &NumField, at_least: Option<f64>, below: Option<f64>) -> String {
    let name = field.name();
    match (at_least, below) {
        (None, Some(b)) => format!("{name} below {b}"),
        (Some(a), None) => format!("{name} at least {a}"),
        (Some(a), Some(b)) => format!("{name} at least {a} and below {b}"),
        (None, None) => format!("{name} (any value)"),
    }
}

/// A condition in words, e.g. `confidence below 0.8`.
pub(super) fn describe(c: &Cond) -> String {
    match c {
        Cond::Number {
            field,
            below,
            at_least,
        } => number(field, *at_least, *below),
        Cond::Label { field, in_, not_in } => {
            let name = field.name();
            match (in_, not_in.is_empty()) {
                (Some(set), true) => format!("{name} in [{}]", list(set)),
                (None, _) => format!("{name} not in [{}]", list(not_in)),
                (Some(set), false) => {
                    format!("{name} in [{}] and not in [{}]", list(set), list(not_in))
                }
            }
        }
        Cond::Keywords { any, all, none } => {
            let mut tests = Vec::new();
            if let Some(any) = any {
                tests.push(format!("any [{}]", list(any)));
            }
            if !all.is_empty() {
                tests.push(format!("all [{}]", list(all)));
            }
            if !none.is_empty() {
                tests.push(format!("none [{}]", list(none)));
            }
            format!("keywords {}", tests.join(" and "))
        }
        Cond::RequestedHuman(value) => format!("requested_human: {value}"),
        Cond::Matches { field, regex } => format!("{field} matches /{}/", regex.as_str()),
        Cond::Not(inner) => format!("not ({})", describe(inner)),
        Cond::All(parts) if parts.is_empty() => "`all: []`".to_string(),
        Cond::Any(parts) if parts.is_empty() => "`any: []`".to_string(),
        Cond::All(parts) => format!("all of {} conditions", parts.len()),
        Cond::Any(parts) => format!("any of {} conditions", parts.len()),
    }
}
