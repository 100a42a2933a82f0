//! `handoff sweep --policy P --tickets T --rule ID --param confidence.below --from 0.5 --to 0.95
//! --step 0.05`: tune one threshold on evidence, in one pass over the tickets.

use std::io::Write;
use std::path::{Path, PathBuf};

use super::Exit;
use super::input::{HistoryArgs, InputArgs, Inputs, REPLAY_REJECTS_HINT};
use super::io::OutputTarget;
use crate::engine::report::sweep::SweepReport;
use crate::engine::report::to_json;
use crate::engine::sweep::{Swept, sweep};
use crate::policy::describe::number;
use anyhow::{Context, bail};

#[derive(Debug, clap::Args)]
pub struct SweepArgs {
    /// The policy
    #[arg(long, value_name = "FILE")]
    pub policy: PathBuf,
    #[command(flatten)]
    pub input: InputArgs<true>,
    /// Id of the rule whose threshold is swept
    #[arg(long, value_name = "ID")]
    pub rule: String,
    /// The threshold: `confidence.below`, `confidence.at_least`, `sentiment.below`,
    /// `sentiment.at_least` (or `<field>.below` for a numeric `field` test)
    #[arg(long, value_name = "FIELD.BOUND")]
    pub param: String,
    /// First value
    #[arg(long, allow_negative_numbers = true)]
    pub from: f64,
    /// Last value (included when reached by whole steps)
    #[arg(long, allow_negative_numbers = true)]
    pub to: f64,
    /// Step between values (greater than 0)
    #[arg(long, allow_negative_numbers = true)]
    pub step: f64,
    /// Recommend the value with the fewest missed escalations whose escalation rate stays within
    /// this fraction (e.g. 0.3)
    #[arg(long, value_name = "RATE", allow_negative_numbers = true)]
    pub max_escalation_rate: Option<f64>,
    /// Output format
    #[arg(long, value_enum, default_value_t = SweepFormat::Table)]
    pub format: SweepFormat,
    /// Write the report to this file instead of stdout (a file is replaced atomically; a
    /// device or FIFO is written in place; `-` is stdout)
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<PathBuf>,
    #[command(flatten)]
    pub history: HistoryArgs,
    /// Threads to use: they take turns reading the input, and each evaluates what it read.
    /// The report is the same for any number [default: the number of cores, at most 4]
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..=256))]
    pub threads: Option<u16>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum SweepFormat {
    Table,
    Json,
    Csv,
    /// One self-contained HTML page with charts (inline CSS and SVG, nothing fetched).
    Html,
}

/// The most values one sweep tries: each is a copy of the compiled policy.
const MAX_VALUES: usize = 1000;

/// The values a threshold on `field` can take: confidence 0–1, sentiment -1..1; other
/// (extra) fields any finite number.
fn domain(field: &str) -> Option<(f64, f64)> {
    match field {
        "confidence" => Some((0.0, 1.0)),
        "sentiment" => Some((-1.0, 1.0)),
        _ => None,
    }
}

/// `from + i·step` up to and including `to` (DESIGN §7): 0.5..0.95 step 0.05 is 10 values.
/// Every value lies in the field's domain; a range that is empty, endless or larger than
/// `MAX_VALUES` (1,000) is refused with what to change.
pub fn values(field: &str, from: f64, to: f64, step: f64) -> anyhow::Result<Vec<f64>> {
    for (name, value) in [("--from", from), ("--to", to)] {
        if !value.is_finite() {
            bail!("{name} must be a finite number (got {value})");
        }
        if let Some((low, high)) = domain(field) {
            if !(low..=high).contains(&value) {
                bail!(
                    "{name} {} is outside the range of {field} ({low} to {high})",
                    shown(value)
                );
            }
        }
    }
    if !(step.is_finite() && step > 0.0) {
        bail!(
            "--step must be a number greater than 0 (got {})",
            shown(step)
        );
    }
    if from > to {
        bail!(
            "--from {} is above --to {}: give the smaller value to --from",
            shown(from),
            shown(to)
        );
    }
    // Counted in floating point first: a tiny step must not overflow the count.
    let steps = ((to - from) / step + 1e-9).floor();
    if !steps.is_finite() || steps >= MAX_VALUES as f64 {
        bail!(
            "--from {} --to {} --step {} gives more than 1,000 values, the most one sweep tries; use a larger --step",
            shown(from),
            shown(to),
            shown(step)
        );
    }
    let count = steps as usize + 1;
    Ok((0..count)
        .map(|i| {
            let exact = from + i as f64 * step;
            // Rounded to 9 decimals so 0.1 + 2·0.1 prints as 0.3, kept in the domain.
            let rounded = (exact * 1e9).round() / 1e9;
            let value = if rounded.is_finite() { rounded } else { exact };
            value.clamp(from, to)
        })
        .collect())
}

/// A number as the user typed it on the command line: `1e-300`, `NaN`, `0.5`.
fn shown(value: f64) -> String {
    if value.is_finite() {
        number(value)
    } else {
        value.to_string()
    }
}

/// `--max-escalation-rate` is a fraction.
fn check_budget(budget: Option<f64>) -> anyhow::Result<()> {
    let Some(budget) = budget else {
        return Ok(());
    };
    if (0.0..=1.0).contains(&budget) {
        return Ok(());
    }
    let hint = if budget > 1.0 && budget <= 100.0 {
        format!(
            " (for {budget} % write {})",
            (budget / 100.0 * 1e10).round() / 1e10
        )
    } else {
        String::new()
    };
    bail!("--max-escalation-rate {budget}: a rate is a fraction from 0 to 1{hint}")
}

pub fn run(args: SweepArgs) -> anyhow::Result<Exit> {
    let Some((field, bound)) = args.param.split_once('.') else {
        bail!(
            "--param `{}`: write `<field>.<below|at_least>`, e.g. `confidence.below`",
            args.param
        );
    };
    if bound != "below" && bound != "at_least" {
        bail!(
            "--param `{}`: the bound is `below` or `at_least`",
            args.param
        );
    }
    let values = values(field, args.from, args.to, args.step)?;
    check_budget(args.max_escalation_rate)?;
    let inputs = Inputs::open(&args.input, &[("--policy", &args.policy)])?;
    let tickets = inputs.tickets()?;
    inputs.check_outputs(
        &[("--output", args.output.as_deref())],
        args.output.is_none(),
    )?;
    let (_, base) = inputs.evaluate(&args.policy)?;
    let Some(rule) = base.rules.iter().position(|r| r.id == args.rule) else {
        let ids: Vec<&str> = base.rules.iter().map(|r| r.id.as_str()).collect();
        bail!(
            "no rule `{}` in {} (rules: {})",
            args.rule,
            args.policy.display(),
            ids.join(", ")
        );
    };
    let variants = values
        .iter()
        .map(|&v| base.with_threshold(rule, field, bound, v).map(|p| (v, p)))
        .collect::<Result<Vec<_>, _>>()
        .map_err(anyhow::Error::msg)?;
    let (mut reader, parser, progress) = inputs.ticket_reader(&base.needs, "sweeping")?;
    let swept = Swept {
        field: field.to_string(),
        bound: bound.to_string(),
    };
    let threads = args
        .threads
        .map_or_else(super::replay::default_threads, usize::from);
    let outcome = sweep(
        &variants,
        &swept,
        &mut reader,
        parser,
        args.history.as_of,
        threads,
    )
    .with_context(|| tickets.display().to_string())?;
    progress.finish();
    let tally = crate::tickets::tally::ReadTally {
        records: outcome.records,
        rejected: outcome.rejected,
        examples: &outcome.reject_examples,
    };
    inputs.refuse_nothing_decided(&tally, REPLAY_REJECTS_HINT)?;
    let doc = SweepReport::new(
        &base.name,
        &args.rule,
        &args.param,
        &outcome,
        &reader.layout,
        args.max_escalation_rate,
    );
    let mut rendered = Vec::new();
    match args.format {
        SweepFormat::Json => writeln!(rendered, "{}", to_json(&doc)?)?,
        SweepFormat::Csv => crate::output::sweep::print_csv(&doc, &mut rendered)?,
        SweepFormat::Table => crate::output::sweep::print_table(&doc, &mut rendered)?,
        SweepFormat::Html => rendered.extend(crate::output::html::sweep_page(&doc).into_bytes()),
    }
    let mut out = OutputTarget::open(args.output.as_deref().unwrap_or(Path::new("-")))?;
    out.write_all(&rendered)
        .context("cannot write the report")?;
    out.finish().context("cannot write the report")?;
    inputs.refuse_too_many_rejected(&tally, args.history.max_reject_rate)?;
    Ok(Exit::Ok)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_include_the_end() {
        let v = values("confidence", 0.5, 0.95, 0.05).unwrap();
        assert_eq!(v.len(), 10);
        assert_eq!(v[0], 0.5);
        assert_eq!(v[9], 0.95);
        assert_eq!(values("sentiment", -0.9, -0.1, 0.1).unwrap().len(), 9);
        assert_eq!(values("amount", -1e6, 1e6, 1e5).unwrap().len(), 21);
        assert!(values("confidence", 0.5, 0.4, 0.1).is_err());
        assert!(values("confidence", 0.5, 0.6, 0.0).is_err());
    }

    #[test]
    fn hostile_ranges_are_refused_not_overflowed() {
        for (field, from, to, step) in [
            ("confidence", 0.0, 1.0, 1e-300),
            ("confidence", 0.0, 1.0, f64::MIN_POSITIVE),
            ("confidence", 0.0, 1.0, 5e-324),
            ("amount", -1e308, 1e308, 1.0),
            ("amount", f64::MIN, f64::MAX, f64::MAX),
            ("amount", 0.0, f64::INFINITY, 1.0),
            ("confidence", 0.0, 1.0, f64::NAN),
            ("confidence", f64::NAN, 1.0, 0.1),
            ("confidence", 0.0, 1.0, -0.1),
            ("confidence", -0.0001, 1.0, 0.1),
            ("sentiment", -1.0, 1.0001, 0.1),
        ] {
            assert!(
                values(field, from, to, step).is_err(),
                "{field} {from}..{to} step {step}"
            );
        }
        // Whole range in at most 1,000 values, each inside the domain.
        let v = values("confidence", 0.0, 0.999, 0.001).unwrap();
        assert_eq!(v.len(), 1000);
        assert!(v.iter().all(|x| (0.0..=1.0).contains(x)));
        let v = values("amount", 1e300, 1e300, 1.0).unwrap();
        assert_eq!(v, vec![1e300]);
    }
}
