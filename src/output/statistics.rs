//! `lint --statistics` (as ruff has it): how many findings each rule produced, most frequent
//! first, instead of the findings themselves; as a table (`--format human`) or JSON.

use std::collections::BTreeMap;
use std::io::{self, Write};

use serde::Serialize;

use super::{LintPrinter, LintRun};
use crate::diag::Severity;
use crate::diag::registry::Code;

/// Counts per rule code and severity (a rule's severity can differ between findings, e.g.
/// H060).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Count {
    pub code: String,
    pub name: &'static str,
    pub severity: Severity,
    pub count: usize,
}

/// The counts of a run, most frequent first, then by code.
pub fn counts(run: &LintRun<'_>) -> Vec<Count> {
    let mut map: BTreeMap<(Code, Severity), usize> = BTreeMap::new();
    for report in run.reports {
        for d in &report.diagnostics {
            *map.entry((d.code, d.severity)).or_default() += 1;
        }
    }
    let mut counts: Vec<Count> = map
        .into_iter()
        .map(|((code, severity), count)| Count {
            code: code.to_string(),
            name: code.info().name,
            severity,
            count,
        })
        .collect();
    counts.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.code.cmp(&b.code)));
    counts
}

/// The statistics printer: a table, or JSON.
pub struct Statistics {
    pub json: bool,
}

#[derive(Serialize)]
struct Document<'a> {
    version: u32,
    summary: &'a crate::diag::Summary,
    statistics: Vec<Count>,
}

impl LintPrinter for Statistics {
    fn print(&self, run: &LintRun<'_>, out: &mut dyn Write) -> io::Result<()> {
        let counts = counts(run);
        if self.json {
            let document = Document {
                version: 1,
                summary: run.summary,
                statistics: counts,
            };
            let text = serde_json::to_string_pretty(&document).map_err(io::Error::other)?;
            return writeln!(out, "{text}");
        }
        let width = counts
            .iter()
            .map(|c| c.count.to_string().len())
            .max()
            .unwrap_or(1);
        let name_width = counts.iter().map(|c| c.name.len()).max().unwrap_or(0);
        for c in &counts {
            writeln!(
                out,
                "{:>width$}  {}  {:<name_width$}  {}",
                c.count, c.code, c.name, c.severity
            )?;
        }
        writeln!(out, "{}", run.summary)
    }
}
