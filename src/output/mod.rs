//! Presentation of lint findings. Each format is its own printer behind [`LintPrinter`].

use std::io::{self, Write};

use crate::diag::{FileReport, Summary};

pub mod diff;
pub mod explain;
pub mod github;
pub mod human;
pub mod json;
pub mod report;
pub mod sarif;

/// Output formats of `handoff lint`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum LintFormat {
    /// rustc-style diagnostics with source snippets.
    Human,
    /// One JSON document with every finding.
    Json,
    /// SARIF 2.1.0 for code scanning (GitHub, Azure DevOps, ...).
    Sarif,
    /// GitHub Actions workflow commands that annotate the pull request.
    Github,
}

/// A printer of lint findings.
pub trait LintPrinter {
    fn print(
        &self,
        reports: &[FileReport],
        summary: &Summary,
        out: &mut dyn Write,
    ) -> io::Result<()>;
}

pub fn printer(format: LintFormat, color: bool) -> Box<dyn LintPrinter> {
    match format {
        LintFormat::Human => Box::new(human::Human { color }),
        LintFormat::Json => Box::new(json::Json),
        LintFormat::Sarif => Box::new(sarif::Sarif),
        LintFormat::Github => Box::new(github::Github),
    }
}
