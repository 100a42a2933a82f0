//! Printers and file formats: everything a verb shows or writes, apart from the engines.
//! Lint findings in each format behind [`LintPrinter`] ([`human`], [`json`], [`sarif`],
//! [`github`], [`junit`], [`statistics`]); the replay report and its views ([`report`]); the
//! output of diff ([`diff`]), explain ([`explain`]) and test ([`policy_tests`]); and the files
//! written beside a report: `--decisions` ([`decisions`]), `--rejects` ([`rejects`]) and
//! `--changes` ([`changes`]).

use std::io::{self, Write};
use std::path::PathBuf;
use std::time::Duration;

use crate::diag::{FileReport, Severity, Summary};

pub mod changes;
pub mod decisions;
pub mod diff;
pub mod explain;
pub mod github;
pub mod html;
pub mod human;
pub mod json;
pub mod junit;
pub mod policy_tests;
pub mod rejects;
pub mod report;
pub mod sarif;
pub mod statistics;
pub mod sweep;

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
    /// JUnit XML for GitLab, Jenkins and other CI test reports: a test case per file.
    Junit,
}

/// What a lint run produced, as every printer sees it.
#[derive(Debug, Clone, Copy)]
pub struct LintRun<'a> {
    pub reports: &'a [FileReport],
    pub summary: &'a Summary,
    /// YAML files that are not policies, skipped (in the order found).
    pub skipped: &'a [PathBuf],
    /// Time spent on each report, in the order of `reports` (empty when not measured).
    pub durations: &'a [Duration],
    /// Whether warnings fail the run (`--deny warnings`).
    pub deny_warnings: bool,
}

impl<'a> LintRun<'a> {
    /// A run of these reports with nothing skipped, timed or denied.
    pub fn of(reports: &'a [FileReport], summary: &'a Summary) -> LintRun<'a> {
        LintRun {
            reports,
            summary,
            skipped: &[],
            durations: &[],
            deny_warnings: false,
        }
    }

    /// Whether a finding of this severity fails the run.
    pub fn fails(&self, severity: Severity) -> bool {
        severity == Severity::Error || (self.deny_warnings && severity == Severity::Warning)
    }
}

/// A printer of lint findings.
pub trait LintPrinter {
    fn print(&self, run: &LintRun<'_>, out: &mut dyn Write) -> io::Result<()>;
}

/// How the printers are set up for one run.
#[derive(Debug, Clone, Default)]
pub struct PrintOptions {
    /// Colour in human output.
    pub color: bool,
    /// The folder SARIF URIs are relative to (absolute).
    pub sarif_root: PathBuf,
}

pub fn printer(format: LintFormat, options: &PrintOptions) -> Box<dyn LintPrinter> {
    match format {
        LintFormat::Human => Box::new(human::Human {
            color: options.color,
        }),
        LintFormat::Json => Box::new(json::Json),
        LintFormat::Sarif => Box::new(sarif::Sarif {
            root: options.sarif_root.clone(),
        }),
        LintFormat::Github => Box::new(github::Github),
        LintFormat::Junit => Box::new(junit::Junit),
    }
}
