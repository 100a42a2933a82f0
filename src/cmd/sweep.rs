//! `handoff sweep --policy P --tickets T --rule ID --param confidence.below --from 0.5 --to 0.95
//! --step 0.05`: tune one threshold on evidence, in one pass over the tickets.

use std::io::Write;
use std::path::PathBuf;

use anyhow::{Context, bail};
use comfy_table::{ContentArrangement, Table, presets};
use serde_json::{Value, json};

use super::Exit;
use super::input::{HistoryArgs, InputArgs, Inputs, REPLAY_REJECTS_HINT};
use crate::engine::stats::Count;
use crate::engine::sweep::{SweepPoint, Swept, sweep};
use crate::output::report::table::{rate_text, thousands};
use crate::policy::describe::number;

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
    #[command(flatten)]
    pub history: HistoryArgs,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum SweepFormat {
    Table,
    Json,
    Csv,
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

fn rate(c: Count) -> Value {
    json!({ "value": c.fraction(), "numerator": c.numerator, "denominator": c.denominator })
}

/// Which columns the data has, for the figures that need them.
struct Has {
    history: bool,
    fit: bool,
    /// `created_at` or `escalated_at`: a clock start.
    start: bool,
    first_response: bool,
    resolved: bool,
}

fn point_json(p: &SweepPoint, has: &Has) -> Value {
    let na = |needs: &[&str]| json!({ "value": null, "needs": needs });
    let (history, fit) = (has.history, has.fit);
    // Each SLA figure uses only its own inputs: no first response is read from `resolved_at`.
    let sla = |i: usize, field: &str, present: bool| {
        if !has.start {
            na(&["created_at", "escalated_at"])
        } else if !present {
            na(&[field])
        } else {
            rate(p.sla[i])
        }
    };
    json!({
        "value": p.value,
        "escalation_rate": rate(p.escalation_rate()),
        "missed_escalation_rate": if history { rate(p.missed_escalation_rate()) } else { na(&["resolved_tier", "escalated_at"]) },
        "unneeded_escalation_rate": if history { rate(p.unneeded_escalation_rate()) } else { na(&["resolved_tier", "escalated_at"]) },
        "projected_fcr": if fit { rate(p.projected_fcr()) } else { na(&["resolved_tier"]) },
        "sla_first_response_met": sla(0, "first_human_response_at", has.first_response),
        "sla_resolution_met": sla(1, "resolved_at", has.resolved),
    })
}

fn bar(fraction: Option<f64>, width: usize) -> String {
    let filled = fraction
        .map_or(0, |f| (f * width as f64).round() as usize)
        .min(width);
    format!("{}{}", "█".repeat(filled), "·".repeat(width - filled))
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
    let (mut source, progress) = inputs.ticket_source(base.needs.clone(), Some("sweeping"))?;
    let swept = Swept {
        field: field.to_string(),
        bound: bound.to_string(),
    };
    let outcome = sweep(&variants, &swept, &mut source, args.history.as_of)
        .with_context(|| tickets.display().to_string())?;
    progress.finish();
    let tally = crate::tickets::tally::ReadTally {
        records: outcome.records,
        rejected: outcome.rejected,
        examples: &outcome.reject_examples,
    };
    inputs.refuse_nothing_decided(&tally, REPLAY_REJECTS_HINT)?;
    let layout = &source.layout;
    let history = layout.has("resolved_tier") || layout.has("escalated_at");
    let fit = layout.has("resolved_tier");
    let has = Has {
        history,
        fit,
        start: layout.has("created_at") || layout.has("escalated_at"),
        first_response: layout.has("first_human_response_at"),
        resolved: layout.has("resolved_at"),
    };

    let recommendation = args.max_escalation_rate.map(|budget| {
        if !history {
            return json!({ "budget": budget, "value": null, "reason": "needs resolved_tier or escalated_at to count missed escalations" });
        }
        let best = outcome
            .points
            .iter()
            .filter(|p| p.escalation_rate().fraction().is_some_and(|f| f <= budget))
            .min_by(|a, b| {
                let key = |p: &SweepPoint| (p.missed_escalation_rate().fraction().unwrap_or(1.0), p.escalation_rate().fraction().unwrap_or(1.0));
                key(a).partial_cmp(&key(b)).unwrap_or(std::cmp::Ordering::Equal)
            });
        match best {
            Some(p) => json!({ "budget": budget, "value": p.value, "escalation_rate": p.escalation_rate().fraction(), "missed_escalation_rate": p.missed_escalation_rate().fraction() }),
            None => json!({ "budget": budget, "value": null, "reason": "no value keeps the escalation rate within the budget" }),
        }
    });
    let doc = json!({
        "version": 1,
        "policy": base.name,
        "rule": args.rule,
        "param": args.param,
        "input": { "records": outcome.records, "decided": outcome.records - outcome.rejected, "rejected": outcome.rejected, "as_of": outcome.as_of.map(|t| t.to_string()) },
        "points": outcome.points.iter().map(|p| point_json(p, &has)).collect::<Vec<_>>(),
        "recommendation": recommendation,
    });

    let mut out = super::io::stdout();
    match args.format {
        SweepFormat::Json => writeln!(out, "{}", serde_json::to_string_pretty(&doc)?)?,
        SweepFormat::Csv => {
            let mut writer = csv::Writer::from_writer(&mut out);
            writer.write_record(["value", "metric", "fraction", "numerator", "denominator"])?;
            for point in doc["points"].as_array().into_iter().flatten() {
                for (metric, v) in point
                    .as_object()
                    .into_iter()
                    .flatten()
                    .filter(|(k, _)| *k != "value")
                {
                    let cell = |key: &str| {
                        v[key]
                            .as_f64()
                            .map(|x| x.to_string())
                            .or_else(|| v[key].as_u64().map(|x| x.to_string()))
                            .unwrap_or_default()
                    };
                    writer.write_record([
                        point["value"].to_string(),
                        metric.clone(),
                        cell("value"),
                        cell("numerator"),
                        cell("denominator"),
                    ])?;
                }
            }
            writer.flush()?;
        }
        SweepFormat::Table => {
            writeln!(
                out,
                "Sweep of {} in rule '{}' ({} tickets decided, {} rejected)",
                args.param,
                args.rule,
                thousands(outcome.records - outcome.rejected),
                thousands(outcome.rejected)
            )?;
            let mut table = Table::new();
            table
                .load_style(presets::UTF8_FULL_CONDENSED)
                .set_content_arrangement(ContentArrangement::Disabled)
                .set_header([
                    "value",
                    "escalation",
                    "missed",
                    "unneeded",
                    "projected FCR",
                    "first response SLA",
                    "resolution SLA",
                ]);
            for p in doc["points"].as_array().into_iter().flatten() {
                table.add_row([
                    p["value"].to_string(),
                    rate_text(&p["escalation_rate"]),
                    rate_text(&p["missed_escalation_rate"]),
                    rate_text(&p["unneeded_escalation_rate"]),
                    rate_text(&p["projected_fcr"]),
                    rate_text(&p["sla_first_response_met"]),
                    rate_text(&p["sla_resolution_met"]),
                ]);
            }
            for line in table.to_string().lines() {
                writeln!(out, "  {line}")?;
            }
            writeln!(
                out,
                "\n  escalation rate (█) and missed escalations (▒) by value"
            )?;
            for p in &outcome.points {
                let escalation = p.escalation_rate().fraction();
                let missed = p.missed_escalation_rate().fraction();
                writeln!(
                    out,
                    "  {:>6}  {} {:>6}   {} {:>6}",
                    p.value,
                    bar(escalation, 30),
                    escalation.map_or("–".into(), |f| format!("{:.1}%", f * 100.0)),
                    bar(missed, 20).replace('█', "▒"),
                    if history {
                        missed.map_or("–".into(), |f| format!("{:.1}%", f * 100.0))
                    } else {
                        "n/a".into()
                    },
                )?;
            }
            if let Some(r) = &doc["recommendation"].as_object() {
                match r.get("value").and_then(Value::as_f64) {
                    Some(v) => writeln!(
                        out,
                        "\n  recommended: {} = {v} (fewest missed escalations with escalation rate ≤ {})",
                        args.param, r["budget"]
                    )?,
                    None => writeln!(
                        out,
                        "\n  no recommendation within escalation rate ≤ {}: {}",
                        r["budget"],
                        r["reason"].as_str().unwrap_or_default()
                    )?,
                }
            }
        }
    }
    out.flush()?;
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
