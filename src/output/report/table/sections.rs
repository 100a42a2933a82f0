//! The sections of one report's metrics, as headings, lines and tables.

use std::collections::BTreeMap;
use std::io;

use super::Printer;
use crate::engine::report::sections::{Spread, WorstBreach};
use crate::engine::report::{Measure, Rate, Report};
use crate::output::report::text::{rate_text, seconds_text, thousands};

/// A rate of a map, `– (0/0)` when the map lacks it.
fn rate_in(map: &BTreeMap<String, Rate>, key: &str) -> String {
    map.get(key)
        .map_or_else(|| "– (0/0)".to_string(), |rate| rate_text(rate.figure()))
}

pub(super) fn metrics(p: &mut Printer, m: &Report, routes: &[String]) -> io::Result<()> {
    escalation(p, m, routes)?;
    agreement(p, m)?;
    p.heading("Routing fit and first-contact resolution (policy-escalated, resolving tier known)")?;
    let r = &m.routing;
    let rows = [
        ("right tier", &r.right_tier),
        ("under-routed (needs a re-route)", &r.under_routed),
        ("over-routed (senior time spent)", &r.over_routed),
        ("projected FCR (right + over)", &r.projected_fcr),
        ("historical FCR (no reassignment)", &r.historical_fcr),
    ];
    p.table(
        &["measure", "value"],
        rows.iter()
            .map(|(name, rate)| vec![name.to_string(), rate_text(rate.figure())])
            .collect(),
    )?;
    times(p, m)?;
    sla(p, m)?;

    p.heading("Context completeness (policy-escalated tickets)")?;
    rate_line(p, "carrying every required field", &m.context.complete)?;
    for (field, &count) in &m.context.missing_by_field {
        p.line(&format!("missing {field}: {}", thousands(count)))?;
    }

    p.heading("Time-based escalation (tickets with escalated_at)")?;
    match &m.time_based_escalation {
        Measure::Known(tb) => {
            rate_line(p, "would escalate on time", &tb.escalated)?;
            for hop in &tb.hops {
                p.line(&format!(
                    "{} → {}: {}",
                    hop.from,
                    hop.to,
                    thousands(hop.count)
                ))?;
            }
        }
        lacking => p.line(&lacking_text(lacking))?,
    }
    Ok(())
}

/// `label: 45.0% (18/40)`.
fn rate_line(p: &mut Printer, label: &str, rate: &Rate) -> io::Result<()> {
    p.line(&format!("{label}: {}", rate_text(rate.figure())))
}

/// Why a group of figures is n/a, as a rate would say it.
fn lacking_text<T>(measure: &Measure<T>) -> String {
    measure.lacking().map(rate_text).unwrap_or_default()
}

fn escalation(p: &mut Printer, m: &Report, routes: &[String]) -> io::Result<()> {
    let e = &m.escalation;
    p.heading("Escalation")?;
    rate_line(p, "escalation rate", &e.rate)?;
    let rows = routes
        .iter()
        .map(|route| vec![route.clone(), rate_in(&e.by_tier, route)])
        .collect();
    p.table(&["route", "share of tickets"], rows)?;
    let mut coverage: Vec<Vec<String>> = m
        .coverage
        .rules
        .iter()
        .map(|r| {
            vec![
                r.rule.clone(),
                rate_in(&e.by_rule, &r.rule),
                thousands(r.matched),
            ]
        })
        .collect();
    coverage.push(vec![
        "(default)".into(),
        rate_in(&e.by_rule, "(default)"),
        "–".into(),
    ]);
    p.table(&["rule", "decides (share of tickets)", "matches"], coverage)?;
    let reasons = e
        .by_reason
        .iter()
        .map(|(kind, rate)| vec![kind.to_string(), rate_text(rate.figure())])
        .collect();
    p.table(&["reason kind", "escalated (share of tickets)"], reasons)?;
    if !m.coverage.never_matched.is_empty() {
        p.line(&format!(
            "rules that never match here: {}",
            m.coverage.never_matched.join(", ")
        ))?;
    }
    if !m.coverage.never_reached.is_empty() {
        p.line(&format!(
            "rules that match but are never reached (earlier rules decide first): {}",
            m.coverage.never_reached.join(", ")
        ))?;
    }
    Ok(())
}

fn agreement(p: &mut Printer, m: &Report) -> io::Result<()> {
    let a = &m.agreement;
    p.heading("Agreement with history")?;
    match &a.agreement {
        Measure::Known(agreement) => {
            p.line(&format!(
                "{} tickets with a known outcome ({} unresolved excluded); {} escalated in history",
                thousands(agreement.tickets),
                thousands(agreement.unresolved_excluded),
                thousands(agreement.history_escalated)
            ))?;
            let confusion = &agreement.confusion;
            let mut header = vec!["policy vs history".to_string()];
            header.extend(confusion.history.iter().map(|s| format!("history {s}")));
            let rows = confusion
                .policy
                .iter()
                .enumerate()
                .map(|(i, route)| {
                    let mut row = vec![route.clone()];
                    if let Some(cells) = confusion.cells.get(i) {
                        row.extend(cells.iter().map(|c| thousands(c.count)));
                    }
                    row
                })
                .collect();
            let header: Vec<&str> = header.iter().map(String::as_str).collect();
            p.table(&header, rows)?;
        }
        lacking => p.line(&lacking_text(lacking))?,
    }
    rate_line(p, "missed escalations", &a.missed)?;
    rate_line(p, "unneeded escalations", &a.unneeded)
}

/// Two duration distributions, one a row.
fn spread_table(p: &mut Printer, first: &str, rows: [(&str, &Spread); 2]) -> io::Result<()> {
    let rows = rows
        .iter()
        .map(|(name, s)| {
            vec![
                name.to_string(),
                s.n.to_string(),
                seconds_text(s.median_seconds),
                seconds_text(s.p90_seconds),
            ]
        })
        .collect();
    p.table(&[first, "n", "median", "p90"], rows)
}

/// `<what> (excluded): n`, when any were.
fn excluded(p: &mut Printer, what: &str, n: u64) -> io::Result<()> {
    if n == 0 {
        return Ok(());
    }
    p.line(&format!("{what} (excluded): {}", thousands(n)))
}

fn times(p: &mut Printer, m: &Report) -> io::Result<()> {
    p.heading("Time to first human response")?;
    match &m.first_response.time {
        Measure::Known(frt) => {
            let rows = [("wall clock", &frt.wall), ("business hours", &frt.business)];
            spread_table(p, "clock", rows)?;
            rate_line(
                p,
                "opened outside business hours",
                &m.first_response.opened_outside_hours,
            )?;
            excluded(p, "replies before the clock started", frt.negative_excluded)?;
        }
        lacking => p.line(&lacking_text(lacking))?,
    }

    p.heading("Resolution time")?;
    match &m.resolution_time {
        Measure::Known(res) => {
            let rows = [
                ("policy escalates", &res.escalated),
                ("policy keeps with AI", &res.not_escalated),
            ];
            spread_table(p, "tickets", rows)?;
            excluded(p, "resolved before created", res.negative_excluded)?;
        }
        lacking => p.line(&lacking_text(lacking))?,
    }
    Ok(())
}

fn sla(p: &mut Printer, m: &Report) -> io::Result<()> {
    let s = &m.sla;
    p.heading("SLA attainment (policy-escalated tickets, business time)")?;
    rate_line(p, "first response met", &s.first_response_met)?;
    rate_line(p, "resolution met", &s.resolution_met)?;
    if s.skipped > 0 {
        let reasons: Vec<String> = s
            .skipped_by_reason
            .iter()
            .map(|(reason, &n)| format!("{reason}: {}", thousands(n)))
            .collect();
        p.line(&format!(
            "not evaluated: {} ticket{} ({})",
            thousands(s.skipped),
            if s.skipped == 1 { "" } else { "s" },
            reasons.join(", ")
        ))?;
    }
    if !s.by_tier_priority.is_empty() {
        let rows = s
            .by_tier_priority
            .iter()
            .map(|c| {
                vec![
                    c.tier.clone(),
                    c.priority.clone().unwrap_or_default(),
                    rate_text(c.first_response_met.figure()),
                    rate_text(c.resolution_met.figure()),
                    thousands(c.pending),
                ]
            })
            .collect();
        p.table(
            &[
                "tier",
                "priority",
                "first response met",
                "resolution met",
                "pending",
            ],
            rows,
        )?;
    }
    if !s.worst_breaches.is_empty() {
        p.table(
            &[
                "worst breaches: ticket",
                "tier",
                "priority",
                "target",
                "status",
                "late by",
            ],
            s.worst_breaches.iter().map(breach_row).collect(),
        )?;
    }
    Ok(())
}

fn breach_row(b: &WorstBreach) -> Vec<String> {
    vec![
        b.id.clone(),
        b.tier.clone(),
        b.priority.clone().unwrap_or_default(),
        b.target.replace('_', " "),
        if b.unanswered {
            "open at as-of".to_string()
        } else {
            "answered late".to_string()
        },
        seconds_text(u64::try_from(b.overshoot_seconds).ok()),
    ]
}
