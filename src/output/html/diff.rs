//! The diff report as a page: the headline before → after with the change, the transition
//! matrix as a heatmap, both policies' flows AI → tiers, the structural changes, and every
//! shared rate side by side.

use std::fmt::Write;

use super::chart::{self, Cell, Heatmap};
use super::replay::policy_flow;
use super::{esc, figure, json_number, pointer, section, table};
use crate::engine::report::Measure;
use crate::engine::report::diff::DiffReport;
use crate::engine::report::headline::PerDay;
use crate::output::report::headline::per_day_text;
use crate::output::report::text::{rate_text, thousands};

/// `+2.3 pp` marked as `/headline/delta/<key>` (or another pointer).
fn change(at: &str, delta: Option<f64>, unit: &str) -> String {
    let text = delta.map_or_else(
        || "–".to_string(),
        |d| match unit {
            "pp" => format!("{:+.1} pp", d * 100.0),
            _ => format!("{d:+.1}"),
        },
    );
    figure("span", at, &json_number(delta), "fig", &esc(&text))
}

fn headline(doc: &DiffReport) -> String {
    let h = &doc.headline;
    let labels = [
        "escalation rate",
        "missed escalations",
        "unneeded escalations",
        "projected FCR",
        "over-routed part of the FCR",
        "first response SLA met",
        "resolution SLA met",
    ];
    let mut rows: Vec<Vec<String>> = labels
        .iter()
        .zip(h.old.rates().into_iter().zip(h.new.rates()))
        .map(|(label, ((key, old), (_, new)))| {
            vec![
                esc(label),
                super::rate(&pointer(&["headline", "old", key]), old),
                super::rate(&pointer(&["headline", "new", key]), new),
                change(
                    &pointer(&["headline", "delta", key]),
                    h.delta.get(key).copied().flatten(),
                    "pp",
                ),
            ]
        })
        .collect();
    if let (Measure::Known(old), Measure::Known(new)) = (
        &h.old.tickets_per_tier_per_day,
        &h.new.tickets_per_tier_per_day,
    ) {
        for route in &doc.transitions.routes {
            let side = |p: &PerDay, side: &str| {
                let tier = p.by_tier.get(route);
                let per_day = tier.and_then(|t| t.per_day);
                format!(
                    "{} ({} tickets)",
                    figure(
                        "span",
                        &pointer(&[
                            "headline",
                            side,
                            "tickets_per_tier_per_day",
                            "by_tier",
                            route,
                            "per_day"
                        ]),
                        &json_number(per_day),
                        "fig",
                        &esc(&per_day_text(per_day))
                    ),
                    tier.map_or(0, |t| t.tickets)
                )
            };
            let key = format!("tickets_per_tier_per_day.{route}");
            rows.push(vec![
                format!("{} tickets per day", esc(route)),
                side(old, "old"),
                side(new, "new"),
                change(
                    &pointer(&["headline", "delta", &key]),
                    h.delta.get(&key).copied().flatten(),
                    "",
                ),
            ]);
        }
    }
    let body = table("", &["figure", "before", "after", "change"], &rows);
    section("headline", "Headline (before → after)", "headline", &body)
}

fn transitions(doc: &DiffReport) -> String {
    let t = &doc.transitions;
    let max = t.counts.iter().flatten().copied().max().unwrap_or(0).max(1);
    let cells = t
        .routes
        .iter()
        .zip(&t.counts)
        .map(|(from, row)| {
            t.routes
                .iter()
                .zip(row)
                .map(|(to, &n)| {
                    Some(Cell {
                        shade: n as f64 / max as f64,
                        label: n.to_string(),
                        tooltip: format!("{from} → {to}: {n}"),
                        figure: Some((pointer(&["transitions", from, to]), n.to_string())),
                    })
                })
                .collect()
        })
        .collect();
    let mut body = chart::heatmap(&Heatmap {
        id: "transitions",
        title: "Routing transitions: old route (rows) → new route (columns)",
        x_label: "new route",
        y_label: "old route",
        columns: t.routes.clone(),
        rows: t.routes.clone(),
        cells,
        cell_width: 70.0,
        cell_height: 30.0,
        label_every: 1,
    });
    let _ = write!(
        body,
        "<p>Tickets whose route, rule, priority or SLA outcome changes: {}</p>",
        figure(
            "span",
            "/tickets_changed",
            &doc.tickets_changed.to_string(),
            "fig",
            &thousands(doc.tickets_changed)
        )
    );
    section("transitions", "Routing transitions", "diff", &body)
}

fn flows(doc: &DiffReport) -> String {
    let [old_name, new_name] = &doc.policies;
    let routes_of = |report: &crate::engine::report::Report| -> Vec<String> {
        doc.transitions
            .routes
            .iter()
            .filter(|r| report.escalation.by_tier.contains_key(*r))
            .cloned()
            .collect()
    };
    let body = format!(
        r#"<div class="charts">{}{}</div>"#,
        policy_flow(
            "flow-old",
            &format!("Flow of tickets AI → tiers before ('{old_name}')"),
            &doc.old,
            &routes_of(&doc.old)
        ),
        policy_flow(
            "flow-new",
            &format!("Flow of tickets AI → tiers after ('{new_name}')"),
            &doc.new,
            &routes_of(&doc.new)
        ),
    );
    section(
        "flow",
        "Flow of tickets AI → tiers",
        "escalation-rate",
        &body,
    )
}

fn changes(doc: &DiffReport) -> String {
    let rows: Vec<Vec<String>> = doc
        .changes
        .iter()
        .map(|c| vec![esc(c.kind), esc(&c.subject), esc(&c.detail)])
        .collect();
    let body = if rows.is_empty() {
        r#"<p class="note">No change to the policy's structure.</p>"#.to_string()
    } else {
        table("", &["change", "what", "detail"], &rows)
    };
    section("changes", "Policy changes", "diff", &body)
}

fn metrics(doc: &DiffReport) -> String {
    let rows: Vec<Vec<String>> = doc
        .paired_rates()
        .into_iter()
        .map(|pair| {
            // Top-level rates are addressed in both reports; nested ones by their delta.
            let side = |side: &str, path: &str, rate| {
                if path.contains('.') {
                    esc(&rate_text(rate))
                } else {
                    figure(
                        "span",
                        &pointer(&[side, path, "value"]),
                        &json_number(rate.value()),
                        "fig",
                        &esc(&rate_text(rate)),
                    )
                }
            };
            vec![
                esc(&pair.path),
                side("old", &pair.old_path, pair.old),
                side("new", &pair.path, pair.new),
                change(&pointer(&["delta", &pair.path]), pair.delta(), "pp"),
            ]
        })
        .collect();
    section(
        "metrics",
        "Every rate, before → after",
        "metrics-as-implemented",
        &table("", &["metric", "before", "after", "change"], &rows),
    )
}

/// The diff report as one page.
pub fn page(doc: &DiffReport) -> String {
    let [old_name, new_name] = &doc.policies;
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
    let body = [
        headline(doc),
        transitions(doc),
        flows(doc),
        changes(doc),
        metrics(doc),
    ]
    .concat();
    super::page(
        &format!("Diff of policies '{old_name}' → '{new_name}'"),
        &meta,
        &body,
    )
}
