//! The replay report as a page: headline cards, the flow of tickets AI → tiers (policy, and
//! policy against history), SLA by tier × priority, load by hour of the week per tier, with
//! `--staffing` capacity per tier ([`super::capacity`]), resolution time escalated vs not,
//! containment and CSAT by route ([`super::quality`]), worst breaches and rule coverage.

use std::fmt::Write;

use super::chart::{self, Bar, Cell, Heatmap, Stack};
use super::{card, esc, figure, json_number, pointer, rate, section, table};
use crate::engine::report::headline::Headline;
use crate::engine::report::sections::Spread;
use crate::engine::report::{Measure, Rate, ReplayReport, Report};
use crate::output::report::headline::per_day_text;
use crate::output::report::text::{rate_text, seconds_text, thousands};

const WEEKDAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];

/// Why a group of figures is n/a, as a note.
fn lacking<T>(measure: &Measure<T>) -> String {
    let why = measure.lacking().map(rate_text).unwrap_or_default();
    format!(r#"<p class="note">{}</p>"#, esc(&why))
}

/// The headline's cards; `at` is the headline's place in the JSON, key by key.
pub fn headline_cards(h: &Headline, at: &[&str], routes: &[String]) -> String {
    let labels = [
        ("escalation rate", "escalation-rate"),
        ("missed escalations", "agreement-with-history"),
        ("unneeded escalations", "agreement-with-history"),
        ("projected FCR", "routing-fit"),
        ("over-routed part of the FCR", "routing-fit"),
        ("first response SLA met", "sla-attainment"),
        ("resolution SLA met", "sla-attainment"),
    ];
    let mut out = String::from(r#"<div class="cards">"#);
    for ((label, anchor), (key, r)) in labels.iter().zip(h.rates()) {
        let mut keys = at.to_vec();
        keys.push(key);
        out.push_str(&card(label, anchor, &pointer(&keys), r));
    }
    out.push_str("</div>");
    match &h.tickets_per_tier_per_day {
        Measure::Known(per_day) => {
            let _ = write!(
                out,
                r#"<h3>Tickets per tier per day <span class="note">(over {} days)</span></h3><div class="cards">"#,
                per_day.days
            );
            for route in routes {
                let Some(tier) = per_day.by_tier.get(route) else {
                    continue;
                };
                let mut keys = at.to_vec();
                keys.extend(["tickets_per_tier_per_day", "by_tier", route, "per_day"]);
                let _ = write!(
                    out,
                    r#"<div class="card"><div class="label"><a href="{}#load">{}</a></div>{}<div class="n">{} tickets / {} days</div></div>"#,
                    super::DOCS,
                    esc(route),
                    figure(
                        "div",
                        &pointer(&keys),
                        &json_number(tier.per_day),
                        "big",
                        &esc(&per_day_text(tier.per_day))
                    ),
                    tier.tickets,
                    per_day.days
                );
            }
            out.push_str("</div>");
        }
        missing => out.push_str(&lacking(missing)),
    }
    out
}

/// A flow AI → tiers: all tickets into the policy's routes.
pub fn policy_flow(id: &str, title: &str, report: &Report, routes: &[String]) -> String {
    let counts: Vec<(String, u64)> = routes
        .iter()
        .map(|route| {
            let n = match report.escalation.by_tier.get(route) {
                Some(Measure::Known(f)) => f.count.numerator,
                _ => 0,
            };
            (route.clone(), n)
        })
        .collect();
    let left = Stack {
        label: "tickets".into(),
        segments: vec![("all".into(), report.tickets)],
    };
    let right = Stack {
        label: "policy route".into(),
        segments: counts.clone(),
    };
    let bands = vec![counts.iter().map(|c| c.1).collect::<Vec<u64>>()];
    chart::flow(id, title, &left, Some((&right, &bands)))
}

fn flows(r: &ReplayReport) -> String {
    let report = &r.report;
    let mut body = String::from(r#"<div class="charts">"#);
    body.push_str(&policy_flow(
        "flow-policy",
        "Flow of tickets AI → tiers under the policy",
        report,
        &r.routes,
    ));
    match &report.agreement.agreement {
        Measure::Known(a) => {
            let c = &a.confusion;
            let counts: Vec<Vec<u64>> = c
                .cells
                .iter()
                .map(|row| row.iter().map(|cell| cell.count).collect())
                .collect();
            let left = Stack {
                label: "policy".into(),
                segments: c
                    .policy
                    .iter()
                    .zip(&counts)
                    .map(|(name, row)| (name.clone(), row.iter().sum()))
                    .collect(),
            };
            let right = Stack {
                label: "history".into(),
                segments: c
                    .history
                    .iter()
                    .enumerate()
                    .map(|(j, name)| (name.clone(), counts.iter().map(|row| row[j]).sum()))
                    .collect(),
            };
            body.push_str(&chart::flow(
                "flow-history",
                &format!(
                    "Flow of tickets: policy route → where history resolved them ({} tickets with a known outcome)",
                    a.tickets
                ),
                &left,
                Some((&right, &counts)),
            ));
        }
        missing => body.push_str(&lacking(missing)),
    }
    body.push_str("</div>");
    section(
        "flow",
        "Flow of tickets AI → tiers",
        "agreement-with-history",
        &body,
    )
}

fn sla_heatmaps(report: &Report) -> String {
    let cells = &report.sla.by_tier_priority;
    let mut tiers: Vec<String> = Vec::new();
    let mut priorities: Vec<String> = Vec::new();
    for cell in cells {
        if !tiers.contains(&cell.tier) {
            tiers.push(cell.tier.clone());
        }
        let p = cell.priority.clone().unwrap_or_else(|| "(none)".into());
        if !priorities.contains(&p) {
            priorities.push(p);
        }
    }
    let mut body = String::from(r#"<div class="charts">"#);
    for (key, name) in [
        ("first_response_met", "first response"),
        ("resolution_met", "resolution"),
    ] {
        let mut grid: Vec<Vec<Option<Cell>>> = (0..tiers.len())
            .map(|_| (0..priorities.len()).map(|_| None).collect())
            .collect();
        for (index, cell) in cells.iter().enumerate() {
            let rate: &Rate = if key == "first_response_met" {
                &cell.first_response_met
            } else {
                &cell.resolution_met
            };
            let row = tiers.iter().position(|t| *t == cell.tier).unwrap_or(0);
            let p = cell.priority.clone().unwrap_or_else(|| "(none)".into());
            let col = priorities.iter().position(|x| *x == p).unwrap_or(0);
            let value = rate.value();
            grid[row][col] = Some(Cell {
                shade: value.unwrap_or(0.0),
                label: value.map_or_else(|| "–".into(), |v| format!("{:.0}%", v * 100.0)),
                tooltip: format!("{} {p}: {name} met {}", cell.tier, rate_text(rate.figure())),
                figure: Some((
                    pointer(&[
                        "report",
                        "sla_by_tier_priority",
                        &index.to_string(),
                        key,
                        "value",
                    ]),
                    json_number(value),
                )),
            });
        }
        body.push_str(&chart::heatmap(&Heatmap {
            id: &format!("sla-{key}"),
            title: &format!("SLA {name} met by tier × priority"),
            x_label: "priority",
            y_label: "tier",
            columns: priorities.clone(),
            rows: tiers.clone(),
            cells: grid,
            cell_width: 70.0,
            cell_height: 30.0,
            label_every: 1,
        }));
    }
    body.push_str("</div>");
    let _ = write!(
        body,
        "<p>first response met overall: {}; resolution met overall: {}</p>",
        rate(
            "/report/sla_first_response_met",
            &report.sla.first_response_met
        ),
        rate("/report/sla_resolution_met", &report.sla.resolution_met)
    );
    section("sla", "SLA met by tier × priority", "sla-attainment", &body)
}

fn load_heatmaps(report: &Report, routes: &[String]) -> String {
    let body = match &report.load {
        Measure::Known(load) => {
            let mut body = format!(
                r#"<p class="note">Tickets by hour of the week of <code>created_at</code> on the clock of {} ({} tickets, {} days{}); each tier shaded against its own busiest hour.</p><div class="charts">"#,
                esc(&load.timezone),
                load.tickets,
                load.days,
                match (&load.first_day, &load.last_day) {
                    (Some(a), Some(b)) => format!(", {} to {}", esc(a), esc(b)),
                    _ => String::new(),
                }
            );
            for route in routes {
                let Some(week) = load.by_tier.get(route) else {
                    continue;
                };
                let max = week.iter().flatten().copied().max().unwrap_or(0).max(1);
                let cells = week
                    .iter()
                    .enumerate()
                    .map(|(d, hours)| {
                        hours
                            .iter()
                            .enumerate()
                            .map(|(h, &n)| {
                                Some(Cell {
                                    shade: n as f64 / max as f64,
                                    label: if n > 0 { n.to_string() } else { String::new() },
                                    tooltip: format!("{route}, {} {h:02}:00: {n}", WEEKDAYS[d]),
                                    figure: (n > 0).then(|| {
                                        (
                                            pointer(&[
                                                "report",
                                                "load",
                                                "by_tier",
                                                route,
                                                &d.to_string(),
                                                &h.to_string(),
                                            ]),
                                            n.to_string(),
                                        )
                                    }),
                                })
                            })
                            .collect()
                    })
                    .collect();
                body.push_str(&chart::heatmap(&Heatmap {
                    id: &format!("load-{}", route_id(route)),
                    title: &format!("Tickets to {route} by hour of the week"),
                    x_label: "hour of day",
                    y_label: "weekday",
                    columns: (0..24).map(|h| format!("{h:02}")).collect(),
                    rows: WEEKDAYS.iter().map(|d| d.to_string()).collect(),
                    cells,
                    cell_width: 22.0,
                    cell_height: 18.0,
                    label_every: 3,
                }));
            }
            body.push_str("</div>");
            body
        }
        missing => lacking(missing),
    };
    section("load", "Load per tier by hour of the week", "load", &body)
}

/// An id-safe form of a route name.
fn route_id(route: &str) -> String {
    route
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect()
}

fn resolution(report: &Report) -> String {
    let body = match &report.resolution_time {
        Measure::Known(times) => {
            let hours = |s: Option<u64>| s.map(|s| s as f64 / 3600.0);
            let mut bars = Vec::new();
            let mut rows = Vec::new();
            for (key, label, spread, series) in [
                ("escalated", "escalated", &times.escalated, 0),
                ("not_escalated", "kept by the AI", &times.not_escalated, 1),
            ] {
                let s: &Spread = spread;
                for (stat, value) in [("median", s.median_seconds), ("p90", s.p90_seconds)] {
                    bars.push(Bar {
                        label: format!("{label}, {stat}"),
                        value: hours(value),
                        text: format!("{} (n={})", seconds_text(value), s.n),
                        series,
                    });
                }
                let cell = |stat: &str, v: Option<u64>| {
                    figure(
                        "span",
                        &pointer(&["report", "resolution_time", key, &format!("{stat}_seconds")]),
                        &v.map_or_else(|| "null".into(), |v| v.to_string()),
                        "fig",
                        &esc(&seconds_text(v)),
                    )
                };
                rows.push(vec![
                    esc(label),
                    format!(r#"<span class="num">{}</span>"#, s.n),
                    cell("median", s.median_seconds),
                    cell("p90", s.p90_seconds),
                ]);
            }
            let mut body = chart::bars(
                "resolution-time",
                "Resolution time, escalated vs kept by the AI (median and p90)",
                "hours from created_at to resolved_at",
                &bars,
            );
            body.push_str(&table("", &["tickets", "n", "median", "p90"], &rows));
            body
        }
        missing => lacking(missing),
    };
    section(
        "resolution",
        "Resolution time, escalated vs not",
        "resolution-time",
        &body,
    )
}

fn breaches(report: &Report) -> String {
    let rows: Vec<Vec<String>> = report
        .sla
        .worst_breaches
        .iter()
        .enumerate()
        .map(|(i, b)| {
            vec![
                esc(&b.id),
                esc(&b.tier),
                esc(b.priority.as_deref().unwrap_or("(none)")),
                esc(&b.target.replace('_', " ")),
                figure(
                    "span",
                    &pointer(&[
                        "report",
                        "worst_breaches",
                        &i.to_string(),
                        "overshoot_seconds",
                    ]),
                    &b.overshoot_seconds.to_string(),
                    "fig",
                    &esc(&seconds_text(u64::try_from(b.overshoot_seconds).ok())),
                ),
                if b.unanswered {
                    "open at as-of".into()
                } else {
                    "answered late".into()
                },
            ]
        })
        .collect();
    let body = if rows.is_empty() {
        r#"<p class="note">No breach.</p>"#.to_string()
    } else {
        table(
            "",
            &[
                "ticket",
                "tier",
                "priority",
                "target",
                "past due by",
                "state",
            ],
            &rows,
        )
    };
    section("breaches", "Worst SLA breaches", "sla-attainment", &body)
}

fn coverage(report: &Report) -> String {
    let tickets = report.tickets.max(1);
    let mut rows: Vec<Vec<String>> = report
        .coverage
        .rules
        .iter()
        .enumerate()
        .map(|(i, rule)| {
            let index = i.to_string();
            let width = (rule.deciding as f64 / tickets as f64 * 160.0).round();
            vec![
                esc(&rule.rule),
                figure(
                    "span",
                    &pointer(&["report", "rule_coverage", &index, "deciding"]),
                    &rule.deciding.to_string(),
                    "fig",
                    &thousands(rule.deciding),
                ),
                format!(r#"<span class="bar" style="width:{width}px"></span>"#),
                figure(
                    "span",
                    &pointer(&["report", "rule_coverage", &index, "matched"]),
                    &rule.matched.to_string(),
                    "fig",
                    &thousands(rule.matched),
                ),
            ]
        })
        .collect();
    if let Some(default) = report.escalation.by_rule.get("(default)") {
        rows.push(vec![
            "(default)".into(),
            rate("/report/escalation_by_rule/(default)", default),
            String::new(),
            "–".into(),
        ]);
    }
    let mut body = table(
        "",
        &["rule", "decides", "share of tickets", "matches"],
        &rows,
    );
    for (label, list) in [
        ("never match here", &report.coverage.never_matched),
        (
            "never reached (earlier rules decide first)",
            &report.coverage.never_reached,
        ),
    ] {
        if !list.is_empty() {
            let ids: Vec<String> = list.iter().map(|id| esc(id)).collect();
            let _ = write!(body, "<p>Rules that {label}: {}</p>", ids.join(", "));
        }
    }
    section("coverage", "Rule coverage", "rule-coverage", &body)
}

/// `--by`: one row per group with the figures that decide a rollout.
fn by_groups(r: &ReplayReport) -> String {
    let Some(by) = &r.by else {
        return String::new();
    };
    let keys = [
        "escalation_rate",
        "missed_escalation_rate",
        "unneeded_escalation_rate",
        "projected_fcr",
        "sla_first_response_met",
        "sla_resolution_met",
    ];
    let rows: Vec<Vec<String>> = by
        .rows
        .iter()
        .filter_map(|(label, values)| Some((label, values, by.groups.get(label)?)))
        .map(|(label, values, report)| {
            let mut row: Vec<String> = values.iter().map(|v| esc(v)).collect();
            row.extend([figure(
                "span",
                &pointer(&["by", "groups", label, "tickets"]),
                &report.tickets.to_string(),
                "fig",
                &thousands(report.tickets),
            )]);
            for (key, figure) in keys.iter().zip(report.rollout_figures()) {
                row.push(rate(&pointer(&["by", "groups", label, key]), figure));
            }
            row
        })
        .collect();
    let mut header = by.dimension_names();
    header.push("tickets");
    header.extend(crate::output::report::text::ROLLOUT_COLUMNS);
    section(
        "by",
        &format!("By {}", by.dimension),
        "metrics-as-implemented",
        &table("", &header, &rows),
    )
}

/// The replay report as one page.
pub fn page(r: &ReplayReport) -> String {
    let input = &r.input;
    let mut meta = format!(
        "{} records: {} decided, {} rejected",
        thousands(input.records),
        thousands(input.decided),
        thousands(input.rejected)
    );
    if let Some(as_of) = &input.as_of {
        let _ = write!(meta, " · as of {}", esc(as_of));
    }
    let mut body = String::new();
    for note in &input.notes {
        let _ = write!(body, r#"<p class="note">note: {}</p>"#, esc(note));
    }
    for rule in &input.rules_reading_missing_fields {
        let _ = write!(
            body,
            r#"<p class="note">note: rule '{}' reads {} that the data lacks: unknown for every ticket</p>"#,
            esc(&rule.rule),
            esc(&rule.missing.join(", "))
        );
    }
    for (column, count) in &input.bad_values_counted_as_empty {
        let _ = write!(
            body,
            r#"<p class="note">note: {} bad value(s) in {} counted as empty</p>"#,
            thousands(*count),
            esc(column)
        );
    }
    for example in &input.rejected_examples {
        let _ = write!(
            body,
            r#"<p class="note">rejected line {}: {}</p>"#,
            example.line,
            esc(&example.reason)
        );
    }
    body.push_str(&section(
        "headline",
        "Headline",
        "headline",
        &headline_cards(&r.headline, &["headline"], &r.routes),
    ));
    body.push_str(&flows(r));
    body.push_str(&super::flow::section_of(r.flow.as_ref()));
    body.push_str(&sla_heatmaps(&r.report));
    body.push_str(&load_heatmaps(&r.report, &r.routes));
    body.push_str(&super::capacity::section(r.capacity.as_ref()));
    body.push_str(&resolution(&r.report));
    body.push_str(&super::quality::section(&r.report, &r.routes));
    body.push_str(&breaches(&r.report));
    body.push_str(&coverage(&r.report));
    body.push_str(&by_groups(r));
    super::page(&format!("Replay of policy '{}'", r.policy), &meta, &body)
}
