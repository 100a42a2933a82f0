//! `handoff diff OLD NEW --tickets T`: what changes between two policies, on real history.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use jiff::Timestamp;

use super::Exit;
use super::fail_if;
use super::io::{OutputTarget, check_outputs, config_input, open_input_with_progress};
use crate::config::Config;
use crate::engine::diff::{diff_replay, first_response_outcome};
use crate::engine::eval::CompiledPolicy;
use crate::engine::report::diff::DiffReport;
use crate::engine::report::to_json;
use crate::policy::compare::{rule_counterparts, structural_diff};
use crate::tickets::{Mapping, TicketSource};

#[derive(Debug, clap::Args)]
pub struct DiffArgs {
    /// The policy as it is
    #[arg(value_name = "OLD")]
    pub old: PathBuf,
    /// The policy as proposed
    #[arg(value_name = "NEW")]
    pub new: PathBuf,
    /// Ticket CSV to replay both on (`-` for stdin; `.csv.gz` is decompressed)
    #[arg(long, value_name = "FILE")]
    pub tickets: PathBuf,
    /// Column mapping (TOML)
    #[arg(long, value_name = "FILE")]
    pub map: Option<PathBuf>,
    /// Output format
    #[arg(long, value_enum, default_value_t = DiffFormat::Table)]
    pub format: DiffFormat,
    /// Write every ticket whose route, rule, priority or SLA outcome changes (CSV; a file is
    /// replaced atomically, a device or FIFO written in place)
    #[arg(long, value_name = "FILE")]
    pub changes: Option<PathBuf>,
    /// Instant at which unanswered tickets are judged [default: latest timestamp in the input]
    #[arg(long, value_name = "TIMESTAMP")]
    pub as_of: Option<Timestamp>,
    /// Exit 1 when a condition on the NEW policy's metrics holds (`missed_escalation_rate > 0.05`)
    /// or on a change (`delta.escalation_rate > 0.02`); repeatable
    #[arg(long, value_name = "EXPR")]
    pub fail_if: Vec<String>,
    /// Exit 2 (after the output) when more than this fraction of the records is rejected;
    /// `1` accepts any share
    #[arg(long, value_name = "RATE", default_value = "0.5", value_parser = crate::tickets::tally::parse_max_reject_rate)]
    pub max_reject_rate: f64,
    /// Configuration file [default: ./handoff.toml when present]
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum DiffFormat {
    Table,
    Json,
}

pub fn run(args: DiffArgs) -> anyhow::Result<Exit> {
    let fail_ifs = fail_if::parse_all(&args.fail_if)?;
    let config = Config::load(args.config.as_deref())?;
    let outputs: Vec<(&str, &Path)> = args
        .changes
        .as_deref()
        .map(|changes| ("--changes", changes))
        .into_iter()
        .collect();
    let mut inputs = vec![
        ("the old policy", args.old.as_path()),
        ("the new policy", args.new.as_path()),
        ("--tickets", args.tickets.as_path()),
    ];
    inputs.extend(args.map.as_deref().map(|map| ("--map", map)));
    inputs.extend(config_input(&config));
    check_outputs(&outputs, &inputs, true)?;
    let old_loaded = super::load_policy_for_evaluation(&args.old, &config.lint)?;
    let new_loaded = super::load_policy_for_evaluation(&args.new, &config.lint)?;
    if old_loaded.policy.priority_labels() != new_loaded.policy.priority_labels() {
        bail!(
            "the two policies declare different priorities ({} / {}); diff compares policies over the same priorities",
            old_loaded.policy.priority_labels().join(", "),
            new_loaded.policy.priority_labels().join(", ")
        );
    }
    let old =
        CompiledPolicy::new(&old_loaded.policy).with_context(|| args.old.display().to_string())?;
    // The new policy's extra-field slots start with the old one's, so one read serves both.
    let new = CompiledPolicy::with_extras(&new_loaded.policy, &old.needs.extras)
        .with_context(|| args.new.display().to_string())?;
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
    let mapping = match &args.map {
        Some(map) => Mapping::load(map)?,
        None => config.mapping()?.unwrap_or_default(),
    };
    let (input, progress) = open_input_with_progress(&args.tickets, "diffing")?;
    let mut source = TicketSource::new(input, &mapping, needs)
        .map_err(|e| anyhow::anyhow!("{}: {e}", args.tickets.display()))?;

    let mut changes_file = match &args.changes {
        None => None,
        Some(path) => {
            let mut writer = csv::Writer::from_writer(OutputTarget::open(path)?);
            writer.write_record([
                "id",
                "line",
                "old_decision",
                "new_decision",
                "old_rule",
                "new_rule",
                "old_priority",
                "new_priority",
                "old_first_response_sla",
                "new_first_response_sla",
            ])?;
            Some(writer)
        }
    };
    let outcome = {
        let mut write_change = |t: &crate::tickets::Ticket,
                                a: &crate::engine::eval::Decision,
                                b: &crate::engine::eval::Decision|
         -> std::io::Result<()> {
            let Some(writer) = &mut changes_file else {
                return Ok(());
            };
            let rule = |p: &CompiledPolicy, d: &crate::engine::eval::Decision| {
                d.rule
                    .map_or("(default)".to_string(), |i| p.rules[i].id.clone())
            };
            let priority = |p: &CompiledPolicy, d: &crate::engine::eval::Decision| {
                d.priority
                    .and_then(|i| p.priorities.get(i).cloned())
                    .unwrap_or_default()
            };
            writer
                .write_record([
                    t.id.clone(),
                    t.line.to_string(),
                    old.route_name(a.rank).to_string(),
                    new.route_name(b.rank).to_string(),
                    rule(&old, a),
                    rule(&new, b),
                    priority(&old, a),
                    priority(&new, b),
                    first_response_outcome(&old, t, a).to_string(),
                    first_response_outcome(&new, t, b).to_string(),
                ])
                .map_err(std::io::Error::other)
        };
        diff_replay(
            &old,
            &new,
            &counterparts,
            &mut source,
            args.as_of,
            &mut write_change,
        )
        .with_context(|| args.tickets.display().to_string())?
    };
    progress.finish();
    if let Some(writer) = changes_file {
        writer.into_inner().map_err(|e| e.into_error())?.finish()?;
    }
    let tally = crate::tickets::tally::ReadTally {
        records: outcome.records,
        rejected: outcome.rejected,
        examples: &outcome.reject_examples,
    };
    if let Some(message) = tally.nothing_decided(
        "`handoff replay … --rejects FILE` writes every rejected record with its reason",
    ) {
        bail!("{}: {message}", args.tickets.display());
    }
    let doc = DiffReport::new(&old, &new, &source.layout, &structure, &outcome);
    let mut out = super::io::stdout();
    match args.format {
        DiffFormat::Json => {
            writeln!(out, "{}", to_json(&doc)?).context("cannot write the report")?
        }
        DiffFormat::Table => {
            crate::output::diff::print_table(&doc, &mut out).context("cannot write the report")?
        }
    }
    out.flush().context("cannot write the report")?;

    let failed = fail_if::diff_verdict(&fail_ifs, &doc)?;
    if let Some(message) = tally.too_many_rejected(args.max_reject_rate) {
        bail!("{}: {message}", args.tickets.display());
    }
    Ok(if failed { Exit::Fail } else { Exit::Ok })
}
