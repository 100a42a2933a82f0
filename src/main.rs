use std::process::ExitCode;

use clap::{Parser, Subcommand};
use handoff::cmd::{self, Exit};

/// Lint, replay and compare AI escalation policies: the rules that decide when an AI support
/// agent hands a ticket to a human, to which tier, to whom, and under which SLA.
#[derive(Debug, Parser)]
#[command(name = "handoff", version, about, long_about = None)]
#[command(
    after_help = "Exit codes: 0 success, 1 findings/failed checks, 2 usage or input error.\nDocs: README.md, docs/rules.md"
)]
struct Cli {
    /// No progress and no informational lines on stderr (errors and verdicts still show)
    #[arg(long, short, global = true)]
    quiet: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Check policies for gaps and contradictions before rollout
    Lint(cmd::lint::LintArgs),
    /// Replay historical tickets through a policy and report what would have happened
    Replay(cmd::replay::ReplayArgs),
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
    /// Print the JSON Schema of the policy format
    Schema(cmd::schema::SchemaArgs),
    /// Write a commented starter policy
    Init(cmd::init::InitArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    cmd::set_quiet(cli.quiet);
    let result = match cli.command {
        Command::Lint(args) => cmd::lint::run(args),
        Command::Replay(args) => cmd::replay::run(args),
        Command::Diff(args) => cmd::diff::run(args),
        Command::Explain(args) => cmd::explain::run(args),
        Command::Gen(args) => cmd::generate::run(args),
        Command::Rules(args) => cmd::rules::run(args),
        Command::Sweep(args) => cmd::sweep::run(args),
        Command::Test(args) => cmd::test::run(args),
        Command::Schema(args) => cmd::schema::run(args),
        Command::Init(args) => cmd::init::run(args),
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
