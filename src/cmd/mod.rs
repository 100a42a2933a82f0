//! One module per subcommand: parse arguments → call the engine → hand to output.

use std::io::IsTerminal;

pub mod init;
pub mod lint;
pub mod rules;
pub mod schema;

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
