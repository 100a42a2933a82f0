//! The headline as lines of text, for every human view: replay's table and Markdown, diff's
//! before → after with the change, sweep's recommended value and what it costs.

use super::text::rate_text;
use crate::engine::report::Measure;
use crate::engine::report::headline::{DiffHeadline, Headline, PerDay};
use crate::engine::report::sweep::{SweepFigures, SweepHeadline};

/// The label of each of [`Headline::rates`], in its order.
const LABELS: [&str; 7] = [
    "escalation rate",
    "missed escalations",
    "unneeded escalations",
    "projected FCR",
    "over-routed part of it",
    "first response SLA met",
    "resolution SLA met",
];

/// `19.13`, `0.5`: tickets per day as people read them.
pub fn per_day_text(per_day: Option<f64>) -> String {
    per_day.map_or_else(|| "–".to_string(), |x| format!("{x:.1}"))
}

/// `ai 19.1 (172), L1 12.3 (111)` in route order.
fn per_day_line(per_day: &PerDay, routes: &[String]) -> String {
    let days = per_day.days;
    let load: Vec<String> = routes
        .iter()
        .filter_map(|route| {
            let tier = per_day.by_tier.get(route)?;
            Some(format!(
                "{route} {} ({})",
                per_day_text(tier.per_day),
                tier.tickets
            ))
        })
        .collect();
    format!(
        "tickets per tier per day (over {days} day{}): {}",
        if days == 1 { "" } else { "s" },
        load.join(", ")
    )
}

/// Why per-day figures are n/a.
fn lacking_line<T>(measure: &Measure<T>) -> String {
    let why = measure.lacking().map(rate_text).unwrap_or_default();
    format!("tickets per tier per day: {why}")
}

/// A replay report's headline, one figure a line; `routes` in rank order.
pub fn lines(headline: &Headline, routes: &[String]) -> Vec<String> {
    let mut lines: Vec<String> = LABELS
        .iter()
        .zip(headline.rates())
        .map(|(label, (_, rate))| format!("{label}: {}", rate_text(rate.figure())))
        .collect();
    lines.push(match &headline.tickets_per_tier_per_day {
        Measure::Known(per_day) => per_day_line(per_day, routes),
        lacking => lacking_line(lacking),
    });
    lines
}

/// `+2.3 pp`, `–`.
fn points_text(delta: Option<f64>) -> String {
    delta.map_or_else(|| "–".to_string(), |d| format!("{:+.1} pp", d * 100.0))
}

/// A diff's headline: each figure old → new with its change.
pub fn diff_lines(headline: &DiffHeadline, routes: &[String]) -> Vec<String> {
    let mut lines: Vec<String> = LABELS
        .iter()
        .zip(headline.old.rates().into_iter().zip(headline.new.rates()))
        .map(|(label, ((key, old), (_, new)))| {
            format!(
                "{label}: {} → {} ({})",
                rate_text(old.figure()),
                rate_text(new.figure()),
                points_text(headline.delta.get(key).copied().flatten())
            )
        })
        .collect();
    match (
        &headline.old.tickets_per_tier_per_day,
        &headline.new.tickets_per_tier_per_day,
    ) {
        (Measure::Known(old), Measure::Known(new)) => {
            lines.push(format!(
                "tickets per tier per day (over {} day{}):",
                new.days,
                if new.days == 1 { "" } else { "s" }
            ));
            for route in routes {
                let count = |p: &PerDay| p.by_tier.get(route).map_or(0, |t| t.tickets);
                let change = headline
                    .delta
                    .get(&format!("tickets_per_tier_per_day.{route}"))
                    .copied()
                    .flatten()
                    .map_or_else(|| "–".to_string(), |d| format!("{d:+.1}"));
                lines.push(format!(
                    "  {route}: {} ({}) → {} ({}) ({change})",
                    per_day_text(old.of_route(route)),
                    count(old),
                    per_day_text(new.of_route(route)),
                    count(new),
                ));
            }
        }
        (_, lacking) => lines.push(lacking_line(lacking)),
    }
    lines
}

/// The figures at one sweep value, `label: rate` each.
fn figure_lines(figures: &SweepFigures) -> Vec<String> {
    [
        ("escalation rate", &figures.escalation_rate),
        ("missed escalations", &figures.missed_escalation_rate),
        ("unneeded escalations", &figures.unneeded_escalation_rate),
        ("projected FCR", &figures.projected_fcr),
        ("first response SLA met", &figures.sla_first_response_met),
        ("resolution SLA met", &figures.sla_resolution_met),
    ]
    .iter()
    .map(|(label, rate)| format!("  {label}: {}", rate_text(rate.figure())))
    .collect()
}

/// A sweep's headline: the recommended value of `param` and what it costs.
pub fn sweep_lines(headline: &SweepHeadline, param: &str) -> Vec<String> {
    let number = |x: f64| serde_json::Value::from(x).to_string();
    match (headline.value, &headline.figures) {
        (Some(value), Some(figures)) => {
            let mut lines = vec![format!(
                "recommended {param}: {} (escalation rate ≤ {}); at that value:",
                number(value),
                headline.budget.map_or_else(|| "–".to_string(), number)
            )];
            lines.extend(figure_lines(figures));
            lines
        }
        _ => vec![format!(
            "no recommended value: {}",
            headline.reason.unwrap_or("no budget given")
        )],
    }
}
