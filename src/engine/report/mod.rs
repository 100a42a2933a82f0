//! The reports of replay, diff and sweep as typed data, built from the engines' metrics. Every
//! view (`output::report`, `output::diff`, `output::sweep`) prints from these types, and
//! `--fail-if` looks figures up by name in them ([`Report::parts`]).
//!
//! JSON is their serde form with every object's keys in name order (serde_json's map keeps
//! them sorted): write it with [`to_json`], never by serialising the types directly.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::engine::eval::CompiledPolicy;
use crate::engine::replay::{By, ReplayOutcome};
use crate::tickets::{Layout, RowError};

mod build;
pub mod diff;
pub mod flow;
pub mod measure;
pub mod parts;
pub mod sections;
pub mod sweep;
#[cfg(test)]
mod tests;

pub use measure::{Fraction, Measure, Missing, Rate, RateFigure};
pub use parts::{Figure, Part};
pub use sections::Report;

/// The version of every JSON document here; the shape only grows within it.
pub const VERSION: u32 = 1;

/// A report as JSON: keys in name order at every level, two-space indents, no final newline.
pub fn to_json<T: Serialize>(report: &T) -> serde_json::Result<String> {
    // Through a `Value`: its maps sort their keys, which is the documented order, whatever
    // order the types declare their fields in or flatten their sections.
    serde_json::to_string_pretty(&serde_json::to_value(report)?)
}

/// `handoff replay`'s report: what was read, the metrics of all tickets, and per `--by` group.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReplayReport {
    pub version: u32,
    /// The policy's name.
    pub policy: String,
    pub input: InputSummary,
    pub report: Report,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub by: Option<ByGroups>,
    /// The flow of history, with `[events] stage` (DESIGN §7).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub flow: Option<flow::FlowSection>,
    /// The policy's routes in rank order (`ai` first): the order tables list them in.
    #[serde(skip)]
    pub routes: Vec<String>,
}

/// What was read, and what the data lacks.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct InputSummary {
    pub records: u64,
    pub decided: u64,
    pub rejected: u64,
    /// The first rejected records.
    pub rejected_examples: Vec<RejectedExample>,
    /// Per column: values that could not be read and count as empty.
    pub bad_values_counted_as_empty: BTreeMap<String, u64>,
    pub rules_reading_missing_fields: Vec<RuleReadingMissing>,
    pub notes: Vec<String>,
    /// The instant unanswered tickets were judged at.
    pub as_of: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RejectedExample {
    pub line: u64,
    pub id: Option<String>,
    pub reason: String,
}

impl RejectedExample {
    pub fn list(errors: &[RowError]) -> Vec<RejectedExample> {
        errors
            .iter()
            .map(|e| RejectedExample {
                line: e.line,
                id: e.id.clone(),
                reason: e.reason.clone(),
            })
            .collect()
    }
}

/// A rule that reads fields the data lacks: unknown for every ticket.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RuleReadingMissing {
    pub rule: String,
    pub missing: Vec<String>,
}

/// `--by`: every metric per group.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ByGroups {
    pub dimension: &'static str,
    /// By the group's label (the spelling of its first ticket).
    pub groups: BTreeMap<String, Report>,
}

impl ReplayReport {
    pub fn new(
        policy: &CompiledPolicy,
        layout: &Layout,
        outcome: &ReplayOutcome,
        by: Option<By>,
        bad_values: &BTreeMap<String, u64>,
        notes: &[String],
    ) -> ReplayReport {
        let rules_reading_missing_fields = policy
            .rules
            .iter()
            .filter_map(|rule| {
                let missing: Vec<String> = rule
                    .reads
                    .iter()
                    .filter(|f| {
                        let canonical = crate::fields::Field::read_by_conditions(f).is_some();
                        if canonical {
                            !layout.has(f)
                        } else {
                            !layout.has_extra(f)
                        }
                    })
                    .cloned()
                    .collect();
                (!missing.is_empty()).then(|| RuleReadingMissing {
                    rule: rule.id.clone(),
                    missing,
                })
            })
            .collect();
        ReplayReport {
            version: VERSION,
            policy: policy.name.clone(),
            input: InputSummary {
                records: outcome.records,
                decided: outcome.records - outcome.rejected,
                rejected: outcome.rejected,
                rejected_examples: RejectedExample::list(&outcome.reject_examples),
                bad_values_counted_as_empty: bad_values.clone(),
                rules_reading_missing_fields,
                notes: notes.to_vec(),
                as_of: outcome.as_of.map(|t| t.to_string()),
            },
            report: Report::new(policy, layout, &outcome.overall),
            by: by.map(|by| ByGroups {
                dimension: by.name(),
                groups: outcome
                    .groups
                    .iter()
                    .map(|(key, m)| {
                        let label = outcome.group_labels.get(key).unwrap_or(key);
                        (label.clone(), Report::new(policy, layout, m))
                    })
                    .collect(),
            }),
            routes: policy.routes.clone(),
            flow: None,
        }
    }
}
