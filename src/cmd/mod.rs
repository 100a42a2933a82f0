//! The verbs: one module per subcommand, each reading its arguments, calling the engine and
//! handing the result to `output`. Beside them, what several verbs share: the set-up of what
//! they read ([`input`]), input and output paths ([`io`]) and the `--fail-if` language
//! ([`fail_if`]). This module holds the exit codes and the global `--quiet` and `--color`.

use std::io::IsTerminal;

pub mod calendar;
pub mod completions;
pub mod diff;
pub mod explain;
pub mod fail_if;
pub mod generate;
pub mod init;
pub mod input;
pub mod io;
pub mod lint;
pub mod man;
pub mod map;
pub mod merge;
pub mod replay;
pub mod rules;
pub mod schema;
pub mod sql;
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

/// `--color` (every verb): colour in rustc-style diagnostics, on stdout (lint) or stderr (a
/// policy refused by replay, diff, sweep, explain or test).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ColorChoice {
    // Colour on a terminal; see [`ColorChoice::decide`] for the environment variables. (No doc
    // comments on the variants: `--help` then lists them on one line.)
    Auto,
    Always,
    Never,
}

/// Where coloured text would go.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stream {
    Stdout,
    Stderr,
}

/// What the colour environment variables say, read once per decision.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ColorEnv {
    pub no_color: Option<String>,
    pub force_color: Option<String>,
    pub clicolor_force: Option<String>,
    pub clicolor: Option<String>,
}

impl ColorEnv {
    /// The variables of this process (a value that is not UTF-8 counts as set).
    pub fn from_process() -> ColorEnv {
        let read = |name: &str| {
            std::env::var_os(name).map(|v| v.into_string().unwrap_or_else(|_| "?".to_string()))
        };
        ColorEnv {
            no_color: read("NO_COLOR"),
            force_color: read("FORCE_COLOR"),
            clicolor_force: read("CLICOLOR_FORCE"),
            clicolor: read("CLICOLOR"),
        }
    }
}

impl ColorChoice {
    /// Whether to colour text for `stream`, with this process's environment.
    pub fn enabled_for(self, stream: Stream) -> bool {
        let terminal = match stream {
            Stream::Stdout => std::io::stdout().is_terminal(),
            Stream::Stderr => std::io::stderr().is_terminal(),
        };
        self.decide(&ColorEnv::from_process(), terminal)
    }

    /// The decision itself: an explicit `always`/`never` wins; under `auto`, a non-empty
    /// `NO_COLOR` (no-color.org: an empty one is ignored) turns colour off, then `FORCE_COLOR`
    /// (force-color.org) or `CLICOLOR_FORCE` turn it on (any non-empty value but `0`), then
    /// `CLICOLOR=0` turns it off, and otherwise colour goes to a terminal only.
    pub fn decide(self, env: &ColorEnv, terminal: bool) -> bool {
        let set = |v: &Option<String>| v.as_deref().is_some_and(|v| !v.is_empty());
        let forces = |v: &Option<String>| set(v) && v.as_deref() != Some("0");
        match self {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto if set(&env.no_color) => false,
            ColorChoice::Auto if forces(&env.force_color) || forces(&env.clicolor_force) => true,
            ColorChoice::Auto if env.clicolor.as_deref() == Some("0") => false,
            ColorChoice::Auto => terminal,
        }
    }
}

static COLOR: std::sync::atomic::AtomicU8 = std::sync::atomic::AtomicU8::new(0);

/// The global `--color` choice.
pub fn set_color(choice: ColorChoice) {
    let value = match choice {
        ColorChoice::Auto => 0,
        ColorChoice::Always => 1,
        ColorChoice::Never => 2,
    };
    COLOR.store(value, std::sync::atomic::Ordering::Relaxed);
}

/// The `--color` choice of this run (`auto` unless given).
pub fn color() -> ColorChoice {
    match COLOR.load(std::sync::atomic::Ordering::Relaxed) {
        1 => ColorChoice::Always,
        2 => ColorChoice::Never,
        _ => ColorChoice::Auto,
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

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> ColorEnv {
        let get = |name: &str| {
            pairs
                .iter()
                .find(|(n, _)| *n == name)
                .map(|(_, v)| v.to_string())
        };
        ColorEnv {
            no_color: get("NO_COLOR"),
            force_color: get("FORCE_COLOR"),
            clicolor_force: get("CLICOLOR_FORCE"),
            clicolor: get("CLICOLOR"),
        }
    }

    #[test]
    fn colour_decisions_follow_the_conventions() {
        use ColorChoice::{Always, Auto, Never};
        type Case<'a> = (ColorChoice, &'a [(&'a str, &'a str)], bool, bool);
        let cases: [Case; 14] = [
            (Auto, &[], true, true),
            (Auto, &[], false, false),
            (Auto, &[("NO_COLOR", "1")], true, false),
            (Auto, &[("NO_COLOR", "")], true, true),
            (Auto, &[("FORCE_COLOR", "1")], false, true),
            (Auto, &[("FORCE_COLOR", "true")], false, true),
            (Auto, &[("FORCE_COLOR", "0")], false, false),
            (Auto, &[("FORCE_COLOR", "")], false, false),
            (Auto, &[("CLICOLOR_FORCE", "1")], false, true),
            (
                Auto,
                &[("NO_COLOR", "x"), ("FORCE_COLOR", "1")],
                true,
                false,
            ),
            (
                Auto,
                &[("NO_COLOR", ""), ("CLICOLOR_FORCE", "1")],
                false,
                true,
            ),
            (Auto, &[("CLICOLOR", "0")], true, false),
            (Always, &[("NO_COLOR", "1")], false, true),
            (Never, &[("FORCE_COLOR", "1")], true, false),
        ];
        for (choice, pairs, terminal, expected) in cases {
            assert_eq!(
                choice.decide(&env(pairs), terminal),
                expected,
                "{choice:?} {pairs:?} terminal={terminal}"
            );
        }
    }
}
