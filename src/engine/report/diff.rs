//! `handoff diff`'s report: the structural changes, the routing transitions, both policies'
//! reports and the change of every rate they share.

use std::collections::BTreeMap;

use serde::ser::{Serialize, SerializeMap, Serializer};

use super::headline::DiffHeadline;
use super::measure::RateFigure;
use super::{RejectedExample, Report, VERSION};
use crate::engine::diff::DiffOutcome;
use crate::engine::eval::CompiledPolicy;
use crate::policy::compare::{Change, Rename, StructuralDiff};
use crate::tickets::Layout;

#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct DiffReport {
    pub version: u32,
    pub input: DiffInput,
    pub changes: Vec<Change>,
    pub renamed_rules: Vec<Rename>,
    pub transitions: Transitions,
    /// Tickets whose route, rule, priority or first-response SLA outcome changes.
    pub tickets_changed: u64,
    /// The figures that decide a rollout, before and after, with the change of each.
    pub headline: DiffHeadline,
    pub old: Report,
    pub new: Report,
    /// By the rate's path in the new report: new minus old fraction, rounded to 4 decimals
    /// (`null` when either is n/a or empty).
    pub delta: BTreeMap<String, Option<f64>>,
    /// The two policies' names, old and new (tables name them; JSON does not).
    #[serde(skip)]
    pub policies: [String; 2],
}

#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct DiffInput {
    pub records: u64,
    pub decided: u64,
    pub rejected: u64,
    pub rejected_examples: Vec<RejectedExample>,
    pub as_of: Option<String>,
}

/// Tickets by (old route, new route). JSON: `{ old: { new: count } }`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transitions {
    /// The old policy's routes, then the new one's that the old lacks.
    pub routes: Vec<String>,
    /// `counts[from][to]`, indexed like `routes`.
    pub counts: Vec<Vec<u64>>,
}

impl Serialize for Transitions {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.routes.len()))?;
        for (from, row) in self.routes.iter().zip(&self.counts) {
            let row: BTreeMap<&str, u64> = self
                .routes
                .iter()
                .map(String::as_str)
                .zip(row.iter().copied())
                .collect();
            map.serialize_entry(from, &row)?;
        }
        map.end()
    }
}

/// One rate of both reports: its path in the new report, and the old report's path when a
/// renamed rule's figure is compared with its old id's.
#[derive(Debug, Clone, PartialEq)]
pub struct PairedRate<'r> {
    pub path: String,
    pub old_path: String,
    pub old: RateFigure<'r>,
    pub new: RateFigure<'r>,
}

impl PairedRate<'_> {
    /// New minus old fraction, rounded to 4 decimals.
    pub fn delta(&self) -> Option<f64> {
        let (a, b) = (self.old.value()?, self.new.value()?);
        Some(((b - a) * 10_000.0).round() / 10_000.0)
    }
}

/// The old report's path for a figure of the new one: a renamed rule's figures are compared
/// with those of its old id.
fn old_path(path: &str, renamed: &[Rename]) -> String {
    for rename in renamed {
        if path.strip_prefix("escalation_by_rule.") == Some(rename.new.as_str()) {
            return format!("escalation_by_rule.{}", rename.old);
        }
    }
    path.to_string()
}

/// Every rate both reports have, in the order of the new report's paths.
pub fn paired_rates<'r>(
    old: &'r Report,
    new: &'r Report,
    renamed: &[Rename],
) -> Vec<PairedRate<'r>> {
    let old_rates = old.parts().rates();
    new.parts()
        .rates()
        .into_iter()
        .filter_map(|(path, new)| {
            let wanted = old_path(&path, renamed);
            let (_, old) = old_rates.iter().find(|(p, _)| *p == wanted)?;
            Some(PairedRate {
                path,
                old_path: wanted,
                old: *old,
                new,
            })
        })
        .collect()
}

impl DiffReport {
    /// Both policies' reports on the data of `layout`, and what changed between them.
    pub fn new(
        old: &CompiledPolicy,
        new: &CompiledPolicy,
        layout: &Layout,
        structure: &StructuralDiff,
        outcome: &DiffOutcome,
    ) -> DiffReport {
        let mut routes = old.routes.clone();
        for route in &new.routes {
            if !routes.contains(route) {
                routes.push(route.clone());
            }
        }
        let counts = (0..routes.len())
            .map(|i| {
                (0..routes.len())
                    .map(|j| outcome.transitions.get(&(i, j)).copied().unwrap_or(0))
                    .collect()
            })
            .collect();
        let (old_report, new_report) = (
            Report::new(old, layout, &outcome.old),
            Report::new(new, layout, &outcome.new),
        );
        let delta = paired_rates(&old_report, &new_report, &structure.renamed)
            .into_iter()
            .map(|pair| {
                let delta = pair.delta();
                (pair.path, delta)
            })
            .collect();
        DiffReport {
            version: VERSION,
            input: DiffInput {
                records: outcome.records,
                decided: outcome.records - outcome.rejected,
                rejected: outcome.rejected,
                rejected_examples: RejectedExample::list(&outcome.reject_examples),
                as_of: outcome.as_of.map(|t| t.to_string()),
            },
            changes: structure.changes.clone(),
            renamed_rules: structure.renamed.clone(),
            headline: DiffHeadline::of(&old_report, &new_report, &routes),
            transitions: Transitions { routes, counts },
            tickets_changed: outcome.changed,
            old: old_report,
            new: new_report,
            delta,
            policies: [old.name.clone(), new.name.clone()],
        }
    }

    /// Every rate both reports have.
    pub fn paired_rates(&self) -> Vec<PairedRate<'_>> {
        paired_rates(&self.old, &self.new, &self.renamed_rules)
    }
}
