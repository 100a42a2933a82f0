//! The flow of history by stage (`[events] stage`, DESIGN §7) on the replay page: hand-overs
//! between stages as bars, the stays per stage, ping-pong and the most common paths.

use std::fmt::Write;

use super::chart::{self, Bar};
use super::{esc, figure, pointer, rate, section, table};
use crate::engine::report::flow::FlowSection;
use crate::engine::stats::Spread;
use crate::output::report::text::{seconds_text, thousands};

/// A duration of the JSON report (`…/median_seconds`), marked with its pointer.
fn seconds(at: &[String], key: &str, value: Option<u64>) -> String {
    let mut keys = at.to_vec();
    keys.push(key.to_string());
    figure(
        "span",
        &pointer(&keys),
        &value.map_or_else(|| "null".to_string(), |v| v.to_string()),
        "fig",
        &esc(&seconds_text(value)),
    )
}

fn spread_cells(at: &[String], s: &Spread) -> Vec<String> {
    vec![seconds(at, "median", s.median), seconds(at, "p90", s.p90)]
}

/// The section; empty when the data has no stages.
pub fn section_of(flow: Option<&FlowSection>) -> String {
    let Some(flow) = flow else {
        return String::new();
    };
    let mut body = String::new();
    let _ = write!(
        body,
        r#"<p>{} tickets with a stage; tickets that came back to a stage they had left (ping-pong): {}</p>"#,
        figure(
            "span",
            "/flow/tickets",
            &flow.tickets.to_string(),
            "fig",
            &thousands(flow.tickets)
        ),
        rate("/flow/ping_pong", &flow.ping_pong)
    );
    let bars: Vec<Bar> = flow
        .transitions
        .iter()
        .map(|t| Bar {
            label: format!("{} → {}", t.from, t.to),
            value: Some(t.count as f64),
            text: thousands(t.count),
            series: 0,
        })
        .collect();
    if !bars.is_empty() {
        body.push_str(&chart::bars(
            "flow-transitions",
            "Hand-overs between stages in history",
            "tickets handed over",
            &bars,
        ));
    }
    let rows: Vec<Vec<String>> = flow
        .transitions
        .iter()
        .enumerate()
        .map(|(i, t)| {
            vec![
                esc(&t.from),
                esc(&t.to),
                figure(
                    "span",
                    &pointer(&["flow", "transitions", &i.to_string(), "count"]),
                    &t.count.to_string(),
                    "fig",
                    &thousands(t.count),
                ),
            ]
        })
        .collect();
    body.push_str(&table("", &["from", "to", "hand-overs"], &rows));
    let rows: Vec<Vec<String>> = flow
        .dwell
        .iter()
        .enumerate()
        .map(|(i, d)| {
            let at = |kind: &str| -> Vec<String> {
                ["flow", "dwell", &i.to_string(), kind]
                    .iter()
                    .map(|k| k.to_string())
                    .collect()
            };
            let mut row = vec![esc(&d.stage), thousands(d.wall.n)];
            row.extend(spread_cells(&at("wall"), &d.wall));
            row.extend(spread_cells(&at("business"), &d.business));
            row
        })
        .collect();
    body.push_str("<h3>Time in each stage before the next hand-over</h3>");
    body.push_str(&table(
        "",
        &[
            "stage",
            "stays",
            "median (wall)",
            "p90 (wall)",
            "median (business)",
            "p90 (business)",
        ],
        &rows,
    ));
    let rows: Vec<Vec<String>> = flow
        .paths
        .iter()
        .enumerate()
        .map(|(i, p)| {
            vec![
                esc(&p.path.join(" → ")),
                figure(
                    "span",
                    &pointer(&["flow", "paths", &i.to_string(), "tickets"]),
                    &p.tickets.to_string(),
                    "fig",
                    &thousands(p.tickets),
                ),
            ]
        })
        .collect();
    body.push_str("<h3>Most common paths</h3>");
    body.push_str(&table("", &["path", "tickets"], &rows));
    section(
        "history-flow",
        "The flow of history by stage",
        "flow-of-history",
        &body,
    )
}
