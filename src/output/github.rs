//! `--format github`: GitHub Actions workflow commands (`::error file=…,line=…::message`) that
//! annotate the changed lines of a pull request.

use std::io::{self, Write};

use super::json::end_of;
use super::{LintPrinter, LintRun};
use crate::diag::Severity;

pub struct Github;

/// Escaping of workflow-command data (the message).
fn escape_data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escaping of workflow-command properties (file, title).
fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}

impl LintPrinter for Github {
    fn print(&self, run: &LintRun<'_>, out: &mut dyn Write) -> io::Result<()> {
        let (reports, summary) = (run.reports, run.summary);
        for report in reports {
            for d in &report.diagnostics {
                let command = match d.severity {
                    Severity::Error => "error",
                    Severity::Warning => "warning",
                    Severity::Info => "notice",
                };
                let mut properties =
                    format!("file={}", escape_property(&report.source.display_path()));
                if d.span.is_known() {
                    let (end_line, end_column) = end_of(report, d.span);
                    properties.push_str(&format!(
                        ",line={},col={},endLine={end_line},endColumn={}",
                        d.span.line,
                        d.span.column,
                        end_column + 1
                    ));
                }
                let title = format!("{} {}", d.code, d.code.info().name);
                properties.push_str(&format!(",title={}", escape_property(&title)));
                let mut message = d.message.clone();
                if let Some(help) = &d.help {
                    message.push_str("\nhelp: ");
                    message.push_str(help);
                }
                writeln!(out, "::{command} {properties}::{}", escape_data(&message))?;
            }
        }
        writeln!(out, "{summary}")
    }
}
