//! `--format table` (terminal) and `--format markdown`: the report laid out as tables.

use std::io::{self, Write};

use comfy_table::{ContentArrangement, Table, presets};

use super::text::{ROLLOUT_COLUMNS, rate_text, thousands};
use crate::engine::report::{ByGroups, ReplayReport};

mod flow;
mod sections;

/// Headings, lines and tables, for the terminal or as Markdown.
pub(super) struct Printer<'w> {
    out: &'w mut dyn Write,
    markdown: bool,
}

impl Printer<'_> {
    fn heading(&mut self, text: &str) -> io::Result<()> {
        if self.markdown {
            writeln!(self.out, "\n## {text}\n")
        } else {
            writeln!(self.out, "\n{text}")
        }
    }

    fn line(&mut self, text: &str) -> io::Result<()> {
        if self.markdown {
            writeln!(self.out, "{text}  ")
        } else {
            writeln!(self.out, "  {text}")
        }
    }

    fn table(&mut self, header: &[&str], rows: Vec<Vec<String>>) -> io::Result<()> {
        let mut table = Table::new();
        table
            .load_style(if self.markdown {
                presets::ASCII_MARKDOWN
            } else {
                presets::UTF8_FULL_CONDENSED
            })
            .set_content_arrangement(ContentArrangement::Disabled)
            .set_header(header.iter().map(|h| h.to_string()));
        for row in rows {
            table.add_row(row);
        }
        if self.markdown {
            // A blank line on each side: two tables in a row are two tables, and a line of
            // text before one does not swallow it.
            writeln!(self.out, "\n{table}\n")
        } else {
            for line in table.to_string().lines() {
                writeln!(self.out, "  {line}")?;
            }
            Ok(())
        }
    }
}

/// `--by`: one row per group with the figures that decide a rollout (the JSON has every
/// metric per group).
fn by_groups(p: &mut Printer, by: &ByGroups) -> io::Result<()> {
    p.heading(&format!("By {}", by.dimension))?;
    let rows = by
        .groups
        .iter()
        .map(|(label, m)| {
            let mut row = vec![label.clone(), thousands(m.tickets)];
            row.extend(m.rollout_figures().map(|rate| rate_text(rate.figure())));
            row
        })
        .collect();
    let mut header = vec![by.dimension, "tickets"];
    header.extend(ROLLOUT_COLUMNS);
    p.table(&header, rows)?;
    p.line("(`--format json` has every metric per group)")
}

pub fn print(report: &ReplayReport, markdown: bool, out: &mut dyn Write) -> io::Result<()> {
    let mut p = Printer { out, markdown };
    let input = &report.input;
    let title = format!("Replay of policy '{}'", report.policy);
    if markdown {
        writeln!(p.out, "# {title}\n")?;
    } else {
        writeln!(p.out, "{title}")?;
    }
    p.line(&format!(
        "{} records: {} decided, {} rejected",
        thousands(input.records),
        thousands(input.decided),
        thousands(input.rejected)
    ))?;
    if let Some(as_of) = &input.as_of {
        p.line(&format!("as of {as_of}"))?;
    }
    for note in &input.notes {
        p.line(&format!("note: {note}"))?;
    }
    for rule in &input.rules_reading_missing_fields {
        p.line(&format!(
            "note: rule '{}' reads {} that the data lacks: unknown for every ticket",
            rule.rule,
            rule.missing.join(", ")
        ))?;
    }
    for (column, &count) in &input.bad_values_counted_as_empty {
        p.line(&format!(
            "note: {} bad value{} in {column} counted as empty",
            thousands(count),
            if count == 1 { "" } else { "s" }
        ))?;
    }
    for example in &input.rejected_examples {
        p.line(&format!(
            "rejected line {}: {}",
            example.line, example.reason
        ))?;
    }
    sections::metrics(&mut p, &report.report, &report.routes)?;
    if let Some(by) = &report.by {
        by_groups(&mut p, by)?;
    }
    if let Some(section) = &report.flow {
        flow::print(&mut p, section)?;
    }
    writeln!(p.out, "\n* fewer than 30 tickets: read with care")
}
