//! The reports of replay, diff and sweep as typed data, built from the engines' metrics. Every
//! view (`output::report`, `output::diff`, `output::sweep`) prints from these types, and
//! `--fail-if` looks figures up by name in them ([`Report::parts`]).
//!
//! JSON is their serde form with every object's keys in name order (serde_json's map keeps
//! them sorted): write it with [`to_json`], never by serialising the types directly.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::engine::eval::CompiledPolicy;
use crate::engine::replay::{ReplayOutcome, Segments};
use crate::tickets::{Layout, RowError};

mod build;
pub mod capacity;
pub mod diff;
pub mod flow;
pub mod headline;
pub mod load;
pub mod measure;
pub mod parts;
pub mod quality;
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
    /// The figures that decide a rollout, copied from `report` with their n.
    pub headline: headline::Headline,
    pub report: Report,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub by: Option<ByGroups>,
    /// `--staffing`: the capacity what-if.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub capacity: Option<capacity::Capacity>,
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
    /// `channel`, or `channel,priority` for two crossed dimensions.
    pub dimension: String,
    /// With two dimensions: both, in order.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub dimensions: Vec<&'static str>,
    /// By the group's name: its value (the spelling of its first ticket), or with two
    /// dimensions both values joined with `,` (`chat,high`).
    pub groups: BTreeMap<String, Report>,
    /// With two dimensions: each group's value in each, by the group's name.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub values: BTreeMap<String, Vec<String>>,
    /// The groups in their natural order (by value; the policy's order for priority; time order
    /// for hour, weekday and date):
    /// each group's name and its value per dimension, as tables list them.
    #[serde(skip)]
    pub rows: Vec<(String, Vec<String>)>,
}

impl ByGroups {
    fn new(
        policy: &CompiledPolicy,
        layout: &Layout,
        outcome: &ReplayOutcome,
        by: &Segments,
    ) -> ByGroups {
        let crossed = by.dimensions().len() > 1;
        let mut groups = BTreeMap::new();
        let mut values = BTreeMap::new();
        let mut rows = Vec::new();
        for (key, metrics) in &outcome.groups {
            let shown = outcome
                .group_labels
                .get(key)
                .cloned()
                .unwrap_or_else(|| vec![key.clone()]);
            let name = shown.join(",");
            groups.insert(name.clone(), Report::new(policy, layout, metrics));
            if crossed {
                values.insert(name.clone(), shown.clone());
            }
            rows.push((by.order(policy, key), name, shown));
        }
        rows.sort();
        let rows = rows
            .into_iter()
            .map(|(_, name, shown)| (name, shown))
            .collect();
        ByGroups {
            dimension: by.name(),
            dimensions: if crossed {
                by.dimensions().iter().map(|d| d.name()).collect()
            } else {
                Vec::new()
            },
            groups,
            values,
            rows,
        }
    }

    /// The dimensions' names, in order.
    pub fn dimension_names(&self) -> Vec<&str> {
        self.dimension.split(',').collect()
    }
}

impl ReplayReport {
    pub fn new(
        policy: &CompiledPolicy,
        layout: &Layout,
        outcome: &ReplayOutcome,
        by: Option<&Segments>,
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
        let report = Report::new(policy, layout, &outcome.overall);
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
            headline: headline::Headline::of(&report),
            report,
            by: by.map(|by| ByGroups::new(policy, layout, outcome, by)),
            capacity: None,
            routes: policy.routes.clone(),
            flow: None,
        }
    }
}
