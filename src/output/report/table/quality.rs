//! Containment and CSAT by route, the policy's routes beside history's.

use std::io;

use super::Printer;
use crate::engine::report::Measure;
use crate::engine::report::quality::{Csat, Quality, RouteFigures, TIER_UNKNOWN};
use crate::output::report::text::{rate_text, thousands};

fn csat_text(csat: &Measure<Csat>) -> String {
    match csat {
        Measure::Known(Csat {
            mean: Some(mean),
            n,
        }) => format!("{mean:.2} ({})", thousands(*n)),
        Measure::Known(Csat { mean: None, .. }) => "–".to_string(),
        Measure::NotAvailable(_) => "n/a (needs column csat)".to_string(),
        Measure::NotApplicable(note) => format!("n/a ({note})"),
    }
}

fn cells(route: Option<&RouteFigures>) -> [String; 2] {
    match route {
        // History's human routes: never contained, by definition.
        Some(r) if matches!(r.containment_rate, Measure::NotApplicable(_)) => {
            ["–".to_string(), csat_text(&r.csat)]
        }
        Some(r) => [rate_text(r.containment_rate.figure()), csat_text(&r.csat)],
        None => ["–".to_string(), "–".to_string()],
    }
}

pub(super) fn print(p: &mut Printer, q: &Quality, routes: &[String]) -> io::Result<()> {
    p.heading(
        "Containment and quality by route (resolved by the AI without escalation or reopen)",
    )?;
    p.line(&format!(
        "contained in history: {}",
        rate_text(q.containment.figure())
    ))?;
    p.line(&format!(
        "contained and kept with the AI by the policy: {}",
        rate_text(q.projected_containment.figure())
    ))?;
    let by = &q.quality_by_route;
    let history = match &by.history {
        Measure::Known(history) => Some(history),
        _ => None,
    };
    let rows = routes
        .iter()
        .map(String::as_str)
        .chain([TIER_UNKNOWN])
        .filter(|route| {
            by.policy.contains_key(*route) || history.is_some_and(|h| h.contains_key(*route))
        })
        .map(|route| {
            let [policy_contained, policy_csat] = cells(by.policy.get(route));
            let [history_contained, history_csat] = match history {
                Some(h) => cells(h.get(route)),
                None => ["n/a".to_string(), "n/a".to_string()],
            };
            vec![
                route.to_string(),
                policy_contained,
                policy_csat,
                history_contained,
                history_csat,
            ]
        })
        .collect();
    p.table(
        &[
            "route",
            "policy: contained in history",
            "policy: CSAT (n)",
            "history: contained (AI)",
            "history: CSAT (n)",
        ],
        rows,
    )
}
