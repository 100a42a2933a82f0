//! `handoff lint`: find gaps and contradictions in policies before rollout.
//!
//! This file runs the checks on one loaded policy and applies the configuration and in-file
//! suppressions ([`lint_policy`]), and holds the lint error type. The checks live in [`rules`]
//! (one file per family of rules), the ticket-set analysis that proves H040–H043 in
//! [`semantics`], the checks against real tickets (H060, H061) in [`data`], the suppressions
//! (H090, H091) in `suppress.rs`, and which files a run reads in [`walk`]. Load errors (H001,
//! H002) come from [`crate::policy::load`]; the rule table is [`crate::diag::registry`].

use std::path::{Path, PathBuf};

pub use walk::{Collected, collect};

use crate::config::LintConfig;
use crate::diag::{Diagnostic, FileReport, SourceFile, Suppressed};
use crate::policy::{LoadError, LoadedPolicy, load_file};

pub mod data;
pub mod rules;
pub mod semantics;
mod suppress;
pub mod walk;

#[derive(Debug, thiserror::Error)]
pub enum LintError {
    #[error("{}: no such file or directory", .0.display())]
    Missing(PathBuf),
    #[error("no policy files (*.yaml, *.yml) in {}{}", path.display(), skipped_note(*.skipped))]
    EmptyDirectory { path: PathBuf, skipped: usize },
    #[error("{0}")]
    Data(String),
    #[error("cannot read {}", path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
}

fn skipped_note(skipped: usize) -> String {
    match skipped {
        0 => String::new(),
        1 => " (1 non-policy YAML file skipped)".to_string(),
        n => format!(" ({n} non-policy YAML files skipped)"),
    }
}

/// Findings for a loaded policy, after configuration and suppressions, sorted by position.
pub fn lint_policy(loaded: &LoadedPolicy, config: &LintConfig) -> FileReport {
    lint_policy_with(loaded, config, Vec::new())
}

/// As [`lint_policy`], with further findings (e.g. from checking the policy against data).
pub fn lint_policy_with(
    loaded: &LoadedPolicy,
    config: &LintConfig,
    extra: Vec<Diagnostic>,
) -> FileReport {
    let mut diagnostics = rules::check_all(&loaded.policy);
    diagnostics.extend(extra);
    finish(loaded.source.clone(), diagnostics, config)
}

fn finish(source: SourceFile, mut diagnostics: Vec<Diagnostic>, config: &LintConfig) -> FileReport {
    // Suppressions are matched against every finding, enabled or not: a comment that silences
    // a rule the configuration turns off still silences something, so it is not unused (H090).
    let (silenced, extra) = suppress::apply(&source, &mut diagnostics);
    diagnostics.retain(|d| config.is_enabled(d.code));
    diagnostics.extend(extra.into_iter().filter(|d| config.is_enabled(d.code)));
    let mut suppressed: Vec<Suppressed> = silenced
        .into_iter()
        .filter(|(d, _)| config.is_enabled(d.code))
        .map(|(diagnostic, reason)| Suppressed { diagnostic, reason })
        .collect();
    let configured = |d: &mut Diagnostic| {
        if let Some(severity) = config.severity(d.code) {
            d.severity = severity;
        }
    };
    diagnostics.iter_mut().for_each(configured);
    suppressed
        .iter_mut()
        .for_each(|s| configured(&mut s.diagnostic));
    let position = |d: &Diagnostic| (d.span.line, d.span.column, d.code);
    diagnostics.sort_by_key(position);
    diagnostics.dedup();
    suppressed.sort_by_key(|s| position(&s.diagnostic));
    FileReport {
        source,
        diagnostics,
        suppressed,
    }
}

/// Checks a loaded policy against data, returning further findings (see [`data::check`]).
pub type DataCheck<'a> = dyn FnMut(&crate::policy::Policy) -> Result<Vec<Diagnostic>, String> + 'a;

/// Load and lint one file. A file that is not a policy (H001/H002) becomes a report with that
/// single finding; only I/O failures are errors. `data` checks the policy against tickets too.
pub fn lint_file(
    path: &Path,
    config: &LintConfig,
    data: Option<&mut DataCheck<'_>>,
) -> Result<FileReport, LintError> {
    lint_loaded(load_file(path), config, data)
}

/// As [`lint_file`], for a policy already read (standard input), named `path` in findings.
pub fn lint_bytes(
    path: PathBuf,
    bytes: Vec<u8>,
    config: &LintConfig,
    data: Option<&mut DataCheck<'_>>,
) -> Result<FileReport, LintError> {
    lint_loaded(crate::policy::load::load_read(path, bytes), config, data)
}

fn lint_loaded(
    loaded: Result<LoadedPolicy, LoadError>,
    config: &LintConfig,
    data: Option<&mut DataCheck<'_>>,
) -> Result<FileReport, LintError> {
    match loaded {
        Ok(loaded) => {
            let extra = match data {
                Some(check) => check(&loaded.policy).map_err(LintError::Data)?,
                None => Vec::new(),
            };
            Ok(lint_policy_with(&loaded, config, extra))
        }
        Err(LoadError::Invalid { file, diagnostic }) => Ok(FileReport {
            source: *file,
            diagnostics: vec![*diagnostic],
            suppressed: Vec::new(),
        }),
        Err(LoadError::Io { path, source }) => Err(LintError::Io { path, source }),
    }
}

/// Whether any report has a finding that keeps its file from being a policy.
pub fn has_fatal(reports: &[FileReport]) -> bool {
    reports
        .iter()
        .any(|r| r.diagnostics.iter().any(|d| d.code.is_fatal()))
}
