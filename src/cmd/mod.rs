//! One module per subcommand: parse arguments → call the engine → hand to output.

use std::io::IsTerminal;

pub mod diff;
pub mod explain;
pub mod fail_if;
pub mod generate;
pub mod given;
pub mod init;
pub mod io;
pub mod lint;
pub mod replay;
pub mod rules;
pub mod schema;
pub mod sweep;
pub mod test;

/// Process exit codes shared by every subcommand (DESIGN §6).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// Success; for lint, no error left (and no warning under `--deny warnings`).
    Ok = 0,
    /// Lint found errors, a `--fail-if` condition is met, a policy test failed.
    Fail = 1,
    /// Usage error, unreadable input, or a file that cannot become a policy.
    Usage = 2,
}

static QUIET: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// `-q/--quiet` (every verb): no progress and no informational lines on stderr. Errors and
/// verdicts (`fail-if met`, a lint or test summary the closed stdout missed) still show.
pub fn set_quiet(quiet: bool) {
    QUIET.store(quiet, std::sync::atomic::Ordering::Relaxed);
}

/// Whether `-q/--quiet` was given.
pub fn quiet() -> bool {
    QUIET.load(std::sync::atomic::Ordering::Relaxed)
}

/// `--color` for human output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ColorChoice {
    /// Colour when stdout is a terminal and `NO_COLOR` is unset.
    Auto,
    Always,
    Never,
}

impl ColorChoice {
    pub fn enabled(self) -> bool {
        match self {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => {
                std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
                    && std::io::stdout().is_terminal()
            }
        }
    }
}

/// Load a policy for a command that evaluates it (replay, and later diff, sweep, explain, test).
/// A file that cannot become a policy, or a policy with lint errors, is refused: its errors go to
/// stderr and the command exits 2 with a pointer to `handoff lint`.
pub fn load_policy_for_evaluation(
    path: &std::path::Path,
    config: &crate::config::LintConfig,
) -> anyhow::Result<crate::policy::LoadedPolicy> {
    use crate::diag::{FileReport, Severity, Summary};
    use crate::output::LintPrinter;

    let refuse = |report: FileReport| -> anyhow::Error {
        let errors = FileReport {
            diagnostics: report
                .diagnostics
                .into_iter()
                .filter(|d| d.severity == Severity::Error)
                .collect(),
            ..report
        };
        let reports = [errors];
        let summary = Summary::of(&reports);
        let printer = crate::output::human::Human { color: false };
        let mut stderr = std::io::stderr().lock();
        let _ = printer.print(&reports, &summary, &mut stderr);
        anyhow::anyhow!(
            "{} has lint errors; fix them first (`handoff lint {}`)",
            path.display(),
            path.display()
        )
    };
    match crate::policy::load_file(path) {
        Ok(loaded) => {
            let report = crate::lint::lint_policy(&loaded, config);
            if report
                .diagnostics
                .iter()
                .any(|d| d.severity == Severity::Error)
            {
                return Err(refuse(report));
            }
            Ok(loaded)
        }
        Err(crate::policy::LoadError::Invalid { file, diagnostic }) => Err(refuse(FileReport {
            source: *file,
            diagnostics: vec![*diagnostic],
            suppressed: 0,
        })),
        Err(err) => Err(err.into()),
    }
}

/// Whether an error is a closed pipe, however it was wrapped (`csv` hides I/O errors in its
/// own). Only a command without a verdict (`gen`) may take it as the reader's choice; reports go
/// through [`io::stdout`], which keeps the verdict.
pub fn is_broken_pipe(err: &anyhow::Error) -> bool {
    fn io_is_broken_pipe(e: &std::io::Error) -> bool {
        if e.kind() == std::io::ErrorKind::BrokenPipe {
            return true;
        }
        // csv wraps its own I/O errors as `Other`.
        e.get_ref()
            .and_then(|inner| inner.downcast_ref::<csv::Error>())
            .is_some_and(csv_is_broken_pipe)
    }
    fn csv_is_broken_pipe(e: &csv::Error) -> bool {
        matches!(e.kind(), csv::ErrorKind::Io(io) if io_is_broken_pipe(io))
    }
    err.chain().any(|e| {
        e.downcast_ref::<std::io::Error>()
            .is_some_and(io_is_broken_pipe)
            || e.downcast_ref::<csv::Error>()
                .is_some_and(csv_is_broken_pipe)
    })
}
