//! The sweep report as a page: the recommended value and what it costs, the curve of the
//! escalation rate and missed escalations by value with the recommendation marked, and every
//! figure per value.

use super::chart::{self, Lines, Series};
use super::{card, esc, figure, json_number, pointer, section, table};
use crate::engine::report::sweep::SweepReport;
use crate::output::report::text::{ROLLOUT_COLUMNS, thousands};

fn headline(doc: &SweepReport) -> String {
    let h = &doc.headline;
    let mut body = String::new();
    match (h.value, &h.figures) {
        (Some(value), Some(figures)) => {
            body.push_str(&format!(
                "<p>Recommended <code>{}</code>: {} — the fewest missed escalations with an escalation rate ≤ {}. At that value:</p>",
                esc(&doc.param),
                figure(
                    "strong",
                    "/headline/value",
                    &json_number(Some(value)),
                    "fig",
                    &json_number(Some(value))
                ),
                figure(
                    "span",
                    "/headline/budget",
                    &json_number(h.budget),
                    "fig",
                    &json_number(h.budget)
                ),
            ));
            body.push_str(r#"<div class="cards">"#);
            let labels = [
                ("escalation rate", "escalation-rate"),
                ("missed escalations", "agreement-with-history"),
                ("projected FCR", "routing-fit"),
                ("first response SLA met", "sla-attainment"),
                ("resolution SLA met", "sla-attainment"),
                ("unneeded escalations", "agreement-with-history"),
            ];
            for ((label, anchor), (key, rate)) in labels.iter().zip(figures.rates()) {
                body.push_str(&card(
                    label,
                    anchor,
                    &pointer(&["headline", "figures", key]),
                    rate,
                ));
            }
            body.push_str("</div>");
        }
        _ => body.push_str(&format!(
            r#"<p class="note">No recommended value: {}</p>"#,
            esc(h.reason.unwrap_or("no budget given"))
        )),
    }
    section("headline", "Headline", "sweep", &body)
}

fn curve(doc: &SweepReport) -> String {
    let series =
        |name: &str, pick: fn(&crate::engine::report::sweep::SweepFigures) -> Option<f64>| Series {
            name: name.to_string(),
            points: doc.points.iter().map(|p| (p.value, pick(p))).collect(),
        };
    let svg = chart::lines(&Lines {
        id: "sweep-curve",
        title: &format!(
            "Escalation rate and missed escalations by {} in rule '{}'",
            doc.param, doc.rule
        ),
        x_label: &doc.param,
        y_label: "share of tickets",
        series: vec![
            series("escalation rate", |p| p.escalation_rate.value()),
            series("missed escalations", |p| p.missed_escalation_rate.value()),
        ],
        budget: doc.headline.budget,
        marked: doc
            .headline
            .value
            .map(|v| (v, format!("recommended {}", json_number(Some(v))))),
    });
    section("curve", "The sweep curve", "sweep", &svg)
}

fn points(doc: &SweepReport) -> String {
    let rows: Vec<Vec<String>> = doc
        .points
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let index = i.to_string();
            let mut row = vec![figure(
                "span",
                &pointer(&["points", &index, "value"]),
                &json_number(Some(p.value)),
                "fig",
                &json_number(Some(p.value)),
            )];
            let keys = [
                "escalation_rate",
                "missed_escalation_rate",
                "unneeded_escalation_rate",
                "projected_fcr",
                "sla_first_response_met",
                "sla_resolution_met",
            ];
            for (key, rate) in keys.iter().zip(p.rollout_figures()) {
                row.push(super::rate(&pointer(&["points", &index, key]), rate));
            }
            row
        })
        .collect();
    let mut header = vec!["value"];
    header.extend(ROLLOUT_COLUMNS);
    section("points", "Every value", "sweep", &table("", &header, &rows))
}

/// The sweep report as one page.
pub fn page(doc: &SweepReport) -> String {
    let meta = format!(
        "{} records: {} decided, {} rejected{}",
        thousands(doc.input.records),
        thousands(doc.input.decided),
        thousands(doc.input.rejected),
        doc.input
            .as_of
            .as_ref()
            .map_or_else(String::new, |t| format!(" · as of {}", esc(t)))
    );
    let body = [headline(doc), curve(doc), points(doc)].concat();
    super::page(
        &format!(
            "Sweep of {} in rule '{}' (policy '{}')",
            doc.param, doc.rule, doc.policy
        ),
        &meta,
        &body,
    )
}
