//! Containment and CSAT by route as a page section: history's and the projected containment
//! rate, a table of each route for the policy beside history, and the CSAT means as bars
//! (policy and history side by side) when the data has scores.

use super::chart::{self, Bar};
use super::{capacity_section, esc, figure, json_number, pointer, rate, table};
use crate::engine::report::quality::RouteFigures;
use crate::engine::report::{Measure, Report};
use crate::output::report::text::{rate_text, thousands};

/// A route's three cells (tickets, containment, CSAT) for `side` (`policy` or `history`).
fn cells(side: &str, route: &str, f: &RouteFigures) -> Vec<String> {
    let at = |keys: &[&str]| {
        let mut all = vec!["report", "quality_by_route", side, route];
        all.extend(keys);
        pointer(&all)
    };
    let containment = match &f.containment_rate {
        Measure::NotApplicable(note) => {
            format!(r#"<span class="note" title="{}">–</span>"#, esc(note))
        }
        r => rate(&at(&["containment_rate"]), r),
    };
    let csat = match &f.csat {
        Measure::Known(c) => format!(
            "{} (n={})",
            figure(
                "span",
                &at(&["csat", "mean"]),
                &json_number(c.mean),
                "fig",
                &c.mean.map_or_else(|| "–".into(), |m| format!("{m:.2}"))
            ),
            figure(
                "span",
                &at(&["csat", "n"]),
                &c.n.to_string(),
                "fig",
                &thousands(c.n)
            )
        ),
        missing => esc(&missing.lacking().map(rate_text).unwrap_or_default()),
    };
    vec![
        figure(
            "span",
            &at(&["tickets"]),
            &f.tickets.to_string(),
            "fig",
            &thousands(f.tickets),
        ),
        containment,
        csat,
    ]
}

/// The section; `routes` are the policy's routes in rank order.
pub fn section(report: &Report, routes: &[String]) -> String {
    let q = &report.quality;
    let by = &q.quality_by_route;
    let mut body = format!(
        "<p>contained by the AI in history: {}; of those, kept with the AI by the policy (projected containment): {}</p>",
        rate("/report/containment_rate", &q.containment),
        rate(
            "/report/projected_containment_rate",
            &q.projected_containment
        )
    );
    // The policy's routes first, then any route only history took.
    let mut names: Vec<&str> = routes.iter().map(String::as_str).collect();
    if let Measure::Known(history) = &by.history {
        for name in history.keys() {
            if !names.contains(&name.as_str()) {
                names.push(name);
            }
        }
    }
    let mut rows = Vec::new();
    let mut bars = Vec::new();
    for name in &names {
        let mut row = vec![esc(name)];
        match by.policy.get(*name) {
            Some(f) => row.extend(cells("policy", name, f)),
            None => row.extend(["–".to_string(), "–".into(), "–".into()]),
        }
        match &by.history {
            Measure::Known(history) => match history.get(*name) {
                Some(f) => row.extend(cells("history", name, f)),
                None => row.extend(["–".to_string(), "–".into(), "–".into()]),
            },
            missing => {
                let why = esc(&missing.lacking().map(rate_text).unwrap_or_default());
                row.extend([why.clone(), why.clone(), why]);
            }
        }
        rows.push(row);
        let history = match &by.history {
            Measure::Known(h) => h.get(*name),
            _ => None,
        };
        for (side, series, f) in [("policy", 0, by.policy.get(*name)), ("history", 1, history)] {
            let Some(Measure::Known(c)) = f.map(|f| &f.csat) else {
                continue;
            };
            if let Some(mean) = c.mean {
                bars.push(Bar {
                    label: format!("{name}, {side}"),
                    value: Some(mean),
                    text: format!("{mean:.2} (n={})", c.n),
                    series,
                });
            }
        }
    }
    body.push_str(&table(
        "",
        &[
            "route",
            "policy: tickets",
            "policy: containment",
            "policy: CSAT mean",
            "history: tickets",
            "history: containment",
            "history: CSAT mean",
        ],
        &rows,
    ));
    if !bars.is_empty() {
        body.push_str(&chart::bars(
            "csat-by-route",
            "CSAT by route, policy vs history (mean score)",
            "mean CSAT on the data's own scale (blue: policy, orange: history)",
            &bars,
        ));
    }
    capacity_section(
        "quality",
        "Containment and CSAT by route",
        "containment-and-quality-by-route",
        &body,
    )
}
