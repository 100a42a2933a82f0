//! `handoff diff OLD NEW --tickets T`: what changes between two policies, on real history. The
//! arguments, both policies compiled to read the tickets once, the `--changes` file (written by
//! `output`), the report, and the `--fail-if` and reject-rate verdicts.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};

use super::Exit;
use super::fail_if;
use super::input::{HistoryArgs, InputArgs, Inputs, REPLAY_REJECTS_HINT};
use super::io::OutputTarget;
use crate::engine::diff::diff_replay;
use crate::engine::eval::{CompiledPolicy, Decision};
use crate::engine::report::diff::DiffReport;
use crate::engine::report::to_json;
use crate::output::changes::Changes;
use crate::policy::compare::{rule_counterparts, structural_diff};
use crate::tickets::Ticket;

#[derive(Debug, clap::Args)]
pub struct DiffArgs {
    /// The policy as it is
    #[arg(value_name = "OLD")]
    pub old: PathBuf,
    /// The policy as proposed
    #[arg(value_name = "NEW")]
    pub new: PathBuf,
    #[command(flatten)]
    pub input: InputArgs<true>,
    /// Output format
    #[arg(long, value_enum, default_value_t = DiffFormat::Table)]
    pub format: DiffFormat,
    /// Write the report to this file instead of stdout (a file is replaced atomically; a
    /// device or FIFO is written in place; `-` is stdout)
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Write every ticket whose route, rule, priority or SLA outcome changes (CSV; a file is
    /// replaced atomically, a device or FIFO written in place)
    #[arg(long, value_name = "FILE")]
    pub changes: Option<PathBuf>,
    #[command(flatten)]
    pub history: HistoryArgs,
    /// Exit 1 when a condition on the NEW policy's metrics holds (`missed_escalation_rate > 0.05`)
    /// or on a change (`delta.escalation_rate > 0.02`); repeatable
    #[arg(long, value_name = "EXPR")]
    pub fail_if: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum DiffFormat {
    Table,
    Json,
    /// One self-contained HTML page with charts (inline CSS and SVG, nothing fetched).
    Html,
}

pub fn run(args: DiffArgs) -> anyhow::Result<Exit> {
    let fail_ifs = fail_if::parse_all(&args.fail_if)?;
    let inputs = Inputs::open(
        &args.input,
        &[("the old policy", &args.old), ("the new policy", &args.new)],
    )?;
    let tickets = inputs.tickets()?;
    inputs.check_outputs(
        &[
            ("--changes", args.changes.as_deref()),
            ("--output", args.output.as_deref()),
        ],
        args.output.is_none(),
    )?;
    let (old_loaded, old) = inputs.evaluate(&args.old)?;
    let new_loaded = inputs.load(&args.new)?;
    if old_loaded.policy.priority_labels() != new_loaded.policy.priority_labels() {
        bail!(
            "the two policies declare different priorities ({} / {}); diff compares policies over the same priorities",
            old_loaded.policy.priority_labels().join(", "),
            new_loaded.policy.priority_labels().join(", ")
        );
    }
    // The new policy's extra-field slots start with the old one's, so one read serves both.
    let new = CompiledPolicy::with_extras(&new_loaded.policy, &old.needs.extras)
        .with_context(|| format!("cannot evaluate {}", args.new.display()))?;
    // A misspelt metric or a threshold out of range is a usage error before anything is read.
    fail_if::check_diff(&fail_ifs, &new)?;
    let structure = structural_diff(&old_loaded.policy, &new_loaded.policy);
    let counterparts =
        rule_counterparts(&old_loaded.policy, &new_loaded.policy, &structure.renamed);
    let mut needs = new.needs.clone();
    needs
        .rule_fields
        .extend(old.needs.rule_fields.iter().cloned());
    needs
        .numeric_extras
        .extend(old.needs.numeric_extras.iter().cloned());
    for tier in &old.needs.tiers {
        if !needs.tiers.contains(tier) {
            needs.tiers.push(tier.clone());
        }
    }
    let (mut source, progress) = inputs.ticket_source(needs, Some("diffing"))?;

    let mut changes = match &args.changes {
        None => None,
        Some(path) => Some(Changes::new(OutputTarget::open(path)?, &old, &new)?),
    };
    let mut write_change = |t: &Ticket, a: &Decision, b: &Decision| match &mut changes {
        Some(changes) => changes.write(t, a, b),
        None => Ok(()),
    };
    let outcome = diff_replay(
        &old,
        &new,
        &counterparts,
        &mut source,
        args.history.as_of,
        &mut write_change,
    )
    .with_context(|| tickets.display().to_string())?;
    progress.finish();
    if let Some(changes) = changes {
        changes.finish()?.finish()?;
    }
    let tally = crate::tickets::tally::ReadTally {
        records: outcome.records,
        rejected: outcome.rejected,
        examples: &outcome.reject_examples,
    };
    inputs.refuse_nothing_decided(&tally, REPLAY_REJECTS_HINT)?;
    let doc = DiffReport::new(&old, &new, &source.layout, &structure, &outcome);
    let mut rendered = Vec::new();
    match args.format {
        DiffFormat::Json => writeln!(rendered, "{}", to_json(&doc)?)?,
        DiffFormat::Table => crate::output::diff::print_table(&doc, &mut rendered)?,
        DiffFormat::Html => rendered.extend(crate::output::html::diff_page(&doc).into_bytes()),
    }
    let mut out = OutputTarget::open(args.output.as_deref().unwrap_or(Path::new("-")))?;
    out.write_all(&rendered)
        .context("cannot write the report")?;
    out.finish().context("cannot write the report")?;

    let failed = fail_if::diff_verdict(&fail_ifs, &doc)?;
    inputs.refuse_too_many_rejected(&tally, args.history.max_reject_rate)?;
    Ok(if failed { Exit::Fail } else { Exit::Ok })
}
