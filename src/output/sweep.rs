//! `handoff sweep` as a table with a bar chart, or as CSV (one row per value and figure). (JSON
//! is the report's serde form.)

use std::io::{self, Write};

use comfy_table::{ContentArrangement, Table, presets};

use super::report::text::{ROLLOUT_COLUMNS, rate_text, thousands};
use crate::engine::report::sweep::{Recommendation, SweepReport};
use crate::engine::report::{Measure, RateFigure};

/// A number as JSON writes it (`0.5`, `1.0`, `1e-7`).
fn json_number(value: f64) -> String {
    serde_json::Value::from(value).to_string()
}

/// `value,metric,fraction,numerator,denominator`: a row per value and figure, empty cells
/// where a figure is n/a.
pub fn print_csv(doc: &SweepReport, out: &mut dyn Write) -> io::Result<()> {
    let mut writer = csv::Writer::from_writer(out);
    writer.write_record(["value", "metric", "fraction", "numerator", "denominator"])?;
    for point in &doc.points {
        let value = json_number(point.value);
        for (metric, rate) in point.rates() {
            let (fraction, numerator, denominator) = match rate.figure() {
                RateFigure::Counted(f) => (
                    f.value().map(|x| x.to_string()).unwrap_or_default(),
                    f.count.numerator.to_string(),
                    f.count.denominator.to_string(),
                ),
                _ => Default::default(),
            };
            writer.write_record([value.as_str(), metric, &fraction, &numerator, &denominator])?;
        }
    }
    writer.flush()
}

fn bar(fraction: Option<f64>, width: usize) -> String {
    let filled = fraction
        .map_or(0, |f| (f * width as f64).round() as usize)
        .min(width);
    format!("{}{}", "█".repeat(filled), "·".repeat(width - filled))
}

fn percent(fraction: Option<f64>) -> String {
    fraction.map_or("–".into(), |f| format!("{:.1}%", f * 100.0))
}

pub fn print_table(doc: &SweepReport, out: &mut dyn Write) -> io::Result<()> {
    writeln!(
        out,
        "Sweep of {} in rule '{}' ({} tickets decided, {} rejected)",
        doc.param,
        doc.rule,
        thousands(doc.input.decided),
        thousands(doc.input.rejected)
    )?;
    writeln!(out, "\nHeadline")?;
    for line in super::report::headline::sweep_lines(&doc.headline, &doc.param) {
        writeln!(out, "  {line}")?;
    }
    writeln!(out)?;
    let mut table = Table::new();
    table
        .load_style(presets::UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Disabled)
        .set_header(std::iter::once("value").chain(ROLLOUT_COLUMNS));
    for p in &doc.points {
        let mut row = vec![json_number(p.value)];
        row.extend(p.rollout_figures().map(|rate| rate_text(rate.figure())));
        table.add_row(row);
    }
    for line in table.to_string().lines() {
        writeln!(out, "  {line}")?;
    }
    writeln!(
        out,
        "\n  escalation rate (█) and missed escalations (▒) by value"
    )?;
    for p in &doc.points {
        let escalation = p.escalation_rate.value();
        let missed = p.missed_escalation_rate.value();
        writeln!(
            out,
            "  {:>6}  {} {:>6}   {} {:>6}",
            p.value,
            bar(escalation, 30),
            percent(escalation),
            bar(missed, 20).replace('█', "▒"),
            match p.missed_escalation_rate {
                Measure::NotAvailable(_) => "n/a".into(),
                _ => percent(missed),
            },
        )?;
    }
    match &doc.recommendation {
        Some(Recommendation::Found { budget, value, .. }) => writeln!(
            out,
            "\n  recommended: {} = {value} (fewest missed escalations with escalation rate ≤ {})",
            doc.param,
            json_number(*budget)
        )?,
        Some(Recommendation::NoValue { budget, reason }) => writeln!(
            out,
            "\n  no recommendation within escalation rate ≤ {}: {reason}",
            json_number(*budget)
        )?,
        None => {}
    }
    Ok(())
}
