//! Views of the replay report ([`crate::engine::report::ReplayReport`]): JSON, CSV flattened
//! from it, and tables for the terminal or Markdown.

use std::io::{self, Write};

use crate::engine::report::{ReplayReport, to_json};

pub mod csv;
pub mod headline;
pub mod table;
pub mod text;

/// Report formats of `handoff replay`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ReportFormat {
    /// Tables for the terminal.
    Table,
    /// One JSON document (rates as fractions with numerator and denominator).
    Json,
    /// One long table: section,group,metric,value.
    Csv,
    /// Markdown tables to paste into a ticket or wiki.
    Markdown,
    /// One self-contained HTML page with charts (inline CSS and SVG, nothing fetched).
    Html,
}

/// Print `report` in `format`.
pub fn print(report: &ReplayReport, format: ReportFormat, out: &mut dyn Write) -> io::Result<()> {
    match format {
        ReportFormat::Json => writeln!(out, "{}", to_json(report)?),
        ReportFormat::Csv => csv::print(report, out),
        ReportFormat::Table => table::print(report, false, out),
        ReportFormat::Markdown => table::print(report, true, out),
        ReportFormat::Html => out.write_all(crate::output::html::replay_page(report).as_bytes()),
    }
}
