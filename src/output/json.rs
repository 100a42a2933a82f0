//! `lint --format json`: one document with every finding, stable shape (documented in
//! docs/lint.md).

use std::io::{self, Write};

use serde::Serialize;

use super::{LintPrinter, LintRun};
use crate::diag::{FileReport, Summary};

pub struct Json;

#[derive(Serialize)]
struct Document<'a> {
    version: u32,
    summary: &'a Summary,
    diagnostics: Vec<JsonDiagnostic<'a>>,
}

#[derive(Serialize)]
struct JsonDiagnostic<'a> {
    file: String,
    code: String,
    name: &'static str,
    severity: String,
    message: &'a str,
    /// 1-based; null for findings about the whole file.
    line: Option<usize>,
    column: Option<usize>,
    end_line: Option<usize>,
    end_column: Option<usize>,
    label: Option<&'a str>,
    help: Option<&'a str>,
    related: Vec<Related<'a>>,
}

#[derive(Serialize)]
struct Related<'a> {
    line: usize,
    column: usize,
    label: &'a str,
}

/// End line and column (1-based, inclusive of the last character) of a span.
pub(crate) fn end_of(report: &FileReport, span: crate::diag::Span) -> (usize, usize) {
    let range = report.source.byte_range(span);
    let text = &report.source.text[..range.end.max(range.start)];
    let covered = &report.source.text[range.clone()];
    if covered.is_empty() || covered.contains('\n') {
        return (span.line, span.column);
    }
    let line_start = text.rfind('\n').map_or(0, |i| i + 1);
    (span.line, text[line_start..].chars().count())
}

impl LintPrinter for Json {
    fn print(&self, run: &LintRun<'_>, out: &mut dyn Write) -> io::Result<()> {
        let (reports, summary) = (run.reports, run.summary);
        let mut diagnostics = Vec::new();
        for report in reports {
            for d in &report.diagnostics {
                let known = d.span.is_known();
                let (end_line, end_column) = end_of(report, d.span);
                diagnostics.push(JsonDiagnostic {
                    file: report.source.display_path(),
                    code: d.code.to_string(),
                    name: d.code.info().name,
                    severity: d.severity.to_string(),
                    message: &d.message,
                    line: known.then_some(d.span.line),
                    column: known.then_some(d.span.column),
                    end_line: known.then_some(end_line),
                    end_column: known.then_some(end_column),
                    label: d.label.as_deref(),
                    help: d.help.as_deref(),
                    related: d
                        .related
                        .iter()
                        .filter(|(s, _)| s.is_known())
                        .map(|(s, label)| Related {
                            line: s.line,
                            column: s.column,
                            label,
                        })
                        .collect(),
                });
            }
        }
        let document = Document {
            version: 1,
            summary,
            diagnostics,
        };
        // Serialise first: a closed pipe must surface as an io::Error of kind BrokenPipe.
        let text = serde_json::to_string_pretty(&document).map_err(io::Error::other)?;
        writeln!(out, "{text}")
    }
}
