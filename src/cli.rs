//! The command line: clap's `Cli` and `Command`, and the exit code of a run. `main.rs` only
//! calls [`main`]; the definition lives in the library so that `handoff man` and `handoff
//! completions` can describe every verb from the same source.

use std::process::ExitCode;

use clap::{CommandFactory, Parser, Subcommand};

use crate::cmd::{self, ColorChoice, Exit};

/// Lint, replay and compare AI escalation policies: the rules that decide when an AI support
/// agent hands a ticket to a human, to which tier, to whom, and under which SLA.
#[derive(Debug, Parser)]
#[command(name = "handoff", version, about, long_about = None)]
#[command(
    after_help = "Exit codes: 0 success, 1 findings/failed checks, 2 usage or input error.\nDocs: README.md, docs/rules.md"
)]
pub struct Cli {
    /// No progress and no informational lines on stderr (errors and verdicts still show)
    #[arg(long, short, global = true)]
    pub quiet: bool,
    /// Colour diagnostics: auto, always or never (auto: on a terminal; NO_COLOR, FORCE_COLOR and
    /// CLICOLOR_FORCE apply)
    #[arg(
        long,
        value_enum,
        global = true,
        default_value_t = ColorChoice::Auto,
        value_name = "WHEN",
        hide_possible_values = true
    )]
    pub color: ColorChoice,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check policies for gaps and contradictions before rollout
    Lint(cmd::lint::LintArgs),
    /// Replay historical tickets through a policy and report what would have happened
    Replay(cmd::replay::ReplayArgs),
    /// Merge replay partials into the report one replay of all their tickets would print
    Merge(cmd::merge::MergeArgs),
    /// Compile the policy to one SQL query that decides every ticket in the warehouse
    Sql(cmd::sql::SqlArgs),
    /// Compare two policies: structure, routing transitions and metrics on real tickets
    Diff(cmd::diff::DiffArgs),
    /// Show, rule by rule, why a ticket gets its route
    Explain(cmd::explain::ExplainArgs),
    /// Generate synthetic tickets (CSV) for demos and benchmarks
    Gen(cmd::generate::GenArgs),
    /// Try one threshold at many values on real tickets, in one pass
    Sweep(cmd::sweep::SweepArgs),
    /// Run policy tests (example tickets with their expected routing), or record them
    Test(cmd::test::TestArgs),
    /// List the lint rules, or explain one
    Rules(cmd::rules::RulesArgs),
    /// Column mappings: list and show the built-in presets, suggest one for a ticket file
    Map(cmd::map::MapArgs),
    /// Print the policy's business calendar as a table for SLA dues in SQL
    Calendar(cmd::calendar::CalendarArgs),
    /// Print the JSON Schema of the policy format
    Schema(cmd::schema::SchemaArgs),
    /// Write a commented starter policy
    Init(cmd::init::InitArgs),
    /// Print a shell completion script (bash, zsh, fish, powershell, elvish)
    Completions(cmd::completions::CompletionsArgs),
    /// Print the manual page (roff), one page with every command
    Man(cmd::man::ManArgs),
}

/// The clap description of the whole command line, as `--help`, `man` and `completions` see it.
pub fn command() -> clap::Command {
    Cli::command()
}

/// Parse the command line, run the verb, and turn its outcome into the process exit code.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    cmd::set_quiet(cli.quiet);
    cmd::set_color(cli.color);
    let result = match cli.command {
        Command::Lint(args) => cmd::lint::run(args),
        Command::Replay(args) => cmd::replay::run(args),
        Command::Merge(args) => cmd::merge::run(args),
        Command::Sql(args) => cmd::sql::run(args),
        Command::Diff(args) => cmd::diff::run(args),
        Command::Explain(args) => cmd::explain::run(args),
        Command::Gen(args) => cmd::generate::run(args),
        Command::Rules(args) => cmd::rules::run(args),
        Command::Sweep(args) => cmd::sweep::run(args),
        Command::Test(args) => cmd::test::run(args),
        Command::Map(args) => cmd::map::run(args),
        Command::Calendar(args) => cmd::calendar::run(args),
        Command::Schema(args) => cmd::schema::run(args),
        Command::Init(args) => cmd::init::run(args),
        Command::Completions(args) => cmd::completions::run(args, command()),
        Command::Man(args) => cmd::man::run(args, command()),
    };
    match result {
        Ok(exit) => ExitCode::from(exit as u8),
        Err(err) => {
            // No closed pipe is forgiven here: stdout's is absorbed where the report is written
            // (so the verdict stands), and any other (a FIFO output whose reader left) lost data.
            eprintln!("error: {err:#}");
            ExitCode::from(Exit::Usage as u8)
        }
    }
}
