//! `--format table` (terminal) and `--format markdown`: the report laid out as tables, read from
//! the JSON shape.

use std::io::{self, Write};

use comfy_table::{ContentArrangement, Table, presets};
use serde_json::Value;

/// Render a duration in seconds compactly: `45s`, `12m 05s`, `3h 20m`, `2d 4h`.
pub fn human_duration(seconds: u64) -> String {
    let (d, h, m, s) = (
        seconds / 86_400,
        seconds / 3600 % 24,
        seconds / 60 % 60,
        seconds % 60,
    );
    if d > 0 {
        format!("{}d {h}h", thousands(d))
    } else if h > 0 {
        format!("{h}h {m:02}m")
    } else if m > 0 {
        format!("{m}m {s:02}s")
    } else {
        format!("{s}s")
    }
}

/// A count with thousands separators, for people: `85,955`. (JSON and CSV keep plain numbers.)
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A count from the report, with thousands separators.
fn count_text(v: &Value) -> String {
    v.as_u64().map_or_else(|| v.to_string(), thousands)
}

/// `45.0% (18/40)`, flagged `*` under 30; `n/a (needs column …)` for unavailable metrics.
pub fn rate_text(v: &Value) -> String {
    if let Some(needs) = v.get("needs").and_then(Value::as_array) {
        let names: Vec<&str> = needs.iter().filter_map(Value::as_str).collect();
        // Alternatives: a clock start, or a historical outcome.
        let either = matches!(
            names.as_slice(),
            ["created_at", "escalated_at"] | ["resolved_tier", "escalated_at"]
        );
        return if either {
            format!("n/a (needs column {} or {})", names[0], names[1])
        } else {
            format!("n/a (needs column {})", names.join(", "))
        };
    }
    if let Some(note) = v.get("note").and_then(Value::as_str) {
        return format!("n/a ({note})");
    }
    let (num, den) = (
        v["numerator"].as_u64().unwrap_or(0),
        v["denominator"].as_u64().unwrap_or(0),
    );
    let flag = if v["small_sample"].as_bool() == Some(true) {
        "*"
    } else {
        ""
    };
    let (num, den) = (thousands(num), thousands(den));
    match v["value"].as_f64() {
        Some(f) => format!("{:.1}% ({num}/{den}){flag}", f * 100.0),
        None => format!("– (0/{den})"),
    }
}

fn seconds_text(v: &Value) -> String {
    v.as_u64().map_or_else(|| "–".to_string(), human_duration)
}

struct Printer<'w> {
    out: &'w mut dyn Write,
    markdown: bool,
}

impl Printer<'_> {
    fn heading(&mut self, text: &str) -> io::Result<()> {
        if self.markdown {
            writeln!(self.out, "\n## {text}\n")
        } else {
            writeln!(self.out, "\n{text}")
        }
    }

    fn line(&mut self, text: &str) -> io::Result<()> {
        if self.markdown {
            writeln!(self.out, "{text}  ")
        } else {
            writeln!(self.out, "  {text}")
        }
    }

    fn table(&mut self, header: &[&str], rows: Vec<Vec<String>>) -> io::Result<()> {
        let mut table = Table::new();
        table
            .load_style(if self.markdown {
                presets::ASCII_MARKDOWN
            } else {
                presets::UTF8_FULL_CONDENSED
            })
            .set_content_arrangement(ContentArrangement::Disabled)
            .set_header(header.iter().map(|h| h.to_string()));
        for row in rows {
            table.add_row(row);
        }
        if self.markdown {
            // A blank line on each side: two tables in a row are two tables, and a line of
            // text before one does not swallow it.
            writeln!(self.out, "\n{table}\n")
        } else {
            for line in table.to_string().lines() {
                writeln!(self.out, "  {line}")?;
            }
            Ok(())
        }
    }
}

fn object(v: &Value) -> Vec<(&String, &Value)> {
    v.as_object()
        .map(|m| m.iter().collect())
        .unwrap_or_default()
}

fn metrics(p: &mut Printer, m: &Value, routes_order: &[String]) -> io::Result<()> {
    p.heading("Escalation")?;
    p.line(&format!(
        "escalation rate: {}",
        rate_text(&m["escalation_rate"])
    ))?;
    let rows = routes_order
        .iter()
        .map(|route| vec![route.clone(), rate_text(&m["escalation_by_tier"][route])])
        .collect();
    p.table(&["route", "share of tickets"], rows)?;
    let coverage: Vec<Vec<String>> = m["rule_coverage"]
        .as_array()
        .map(|rules| {
            rules
                .iter()
                .map(|r| {
                    let id = r["rule"].as_str().unwrap_or_default();
                    vec![
                        id.to_string(),
                        rate_text(&m["escalation_by_rule"][id]),
                        count_text(&r["matched"]),
                    ]
                })
                .collect()
        })
        .unwrap_or_default();
    let mut coverage = coverage;
    coverage.push(vec![
        "(default)".into(),
        rate_text(&m["escalation_by_rule"]["(default)"]),
        "–".into(),
    ]);
    p.table(&["rule", "decides (share of tickets)", "matches"], coverage)?;
    let reasons = object(&m["escalation_by_reason"])
        .into_iter()
        .map(|(k, v)| vec![k.clone(), rate_text(v)])
        .collect();
    p.table(&["reason kind", "escalated (share of tickets)"], reasons)?;
    if let Some(never) = m["never_matched"].as_array().filter(|a| !a.is_empty()) {
        let ids: Vec<&str> = never.iter().filter_map(Value::as_str).collect();
        p.line(&format!("rules that never match here: {}", ids.join(", ")))?;
    }
    if let Some(never) = m["never_reached"].as_array().filter(|a| !a.is_empty()) {
        let ids: Vec<&str> = never.iter().filter_map(Value::as_str).collect();
        p.line(&format!(
            "rules that match but are never reached (earlier rules decide first): {}",
            ids.join(", ")
        ))?;
    }

    p.heading("Agreement with history")?;
    let agreement = &m["agreement"];
    if agreement.get("needs").is_some() {
        p.line(&rate_text(agreement))?;
    } else {
        p.line(&format!(
            "{} tickets with a known outcome ({} unresolved excluded); {} escalated in history",
            count_text(&agreement["tickets"]),
            count_text(&agreement["unresolved_excluded"]),
            count_text(&agreement["history_escalated"])
        ))?;
        let history: Vec<String> = agreement["confusion"]["history"]
            .as_array()
            .map(|h| {
                h.iter()
                    .filter_map(Value::as_str)
                    .map(|s| format!("history {s}"))
                    .collect()
            })
            .unwrap_or_default();
        let mut header = vec!["policy vs history".to_string()];
        header.extend(history);
        let rows = agreement["confusion"]["policy"]
            .as_array()
            .map(|routes| {
                routes
                    .iter()
                    .enumerate()
                    .map(|(i, route)| {
                        let mut row = vec![route.as_str().unwrap_or_default().to_string()];
                        if let Some(cells) = agreement["confusion"]["cells"][i].as_array() {
                            row.extend(cells.iter().map(|c| count_text(&c["count"])));
                        }
                        row
                    })
                    .collect()
            })
            .unwrap_or_default();
        let header: Vec<&str> = header.iter().map(String::as_str).collect();
        p.table(&header, rows)?;
    }
    p.line(&format!(
        "missed escalations: {}",
        rate_text(&m["missed_escalation_rate"])
    ))?;
    p.line(&format!(
        "unneeded escalations: {}",
        rate_text(&m["unneeded_escalation_rate"])
    ))?;

    p.heading("Routing fit and first-contact resolution (policy-escalated, resolving tier known)")?;
    p.table(
        &["measure", "value"],
        vec![
            vec!["right tier".into(), rate_text(&m["right_tier_rate"])],
            vec![
                "under-routed (needs a re-route)".into(),
                rate_text(&m["under_routed_rate"]),
            ],
            vec![
                "over-routed (senior time spent)".into(),
                rate_text(&m["over_routed_rate"]),
            ],
            vec![
                "projected FCR (right + over)".into(),
                rate_text(&m["projected_fcr"]),
            ],
            vec![
                "historical FCR (no reassignment)".into(),
                rate_text(&m["historical_fcr"]),
            ],
        ],
    )?;

    p.heading("Time to first human response")?;
    let frt = &m["first_response_time"];
    if frt.get("needs").is_some() {
        p.line(&rate_text(frt))?;
    } else {
        let row = |name: &str, s: &Value| {
            vec![
                name.to_string(),
                s["n"].to_string(),
                seconds_text(&s["median_seconds"]),
                seconds_text(&s["p90_seconds"]),
            ]
        };
        p.table(
            &["clock", "n", "median", "p90"],
            vec![
                row("wall clock", &frt["wall"]),
                row("business hours", &frt["business"]),
            ],
        )?;
        p.line(&format!(
            "opened outside business hours: {}",
            rate_text(&m["opened_outside_hours"])
        ))?;
        if frt["negative_excluded"].as_u64().unwrap_or(0) > 0 {
            p.line(&format!(
                "replies before the clock started (excluded): {}",
                count_text(&frt["negative_excluded"])
            ))?;
        }
    }

    p.heading("Resolution time")?;
    let res = &m["resolution_time"];
    if res.get("needs").is_some() {
        p.line(&rate_text(res))?;
    } else {
        let row = |name: &str, s: &Value| {
            vec![
                name.to_string(),
                s["n"].to_string(),
                seconds_text(&s["median_seconds"]),
                seconds_text(&s["p90_seconds"]),
            ]
        };
        p.table(
            &["tickets", "n", "median", "p90"],
            vec![
                row("policy escalates", &res["escalated"]),
                row("policy keeps with AI", &res["not_escalated"]),
            ],
        )?;
        if res["negative_excluded"].as_u64().unwrap_or(0) > 0 {
            p.line(&format!(
                "resolved before created (excluded): {}",
                count_text(&res["negative_excluded"])
            ))?;
        }
    }

    p.heading("SLA attainment (policy-escalated tickets, business time)")?;
    p.line(&format!(
        "first response met: {}",
        rate_text(&m["sla_first_response_met"])
    ))?;
    p.line(&format!(
        "resolution met: {}",
        rate_text(&m["sla_resolution_met"])
    ))?;
    let skipped = m["sla_skipped"].as_u64().unwrap_or(0);
    if skipped > 0 {
        let reasons: Vec<String> = object(&m["sla_skipped_by_reason"])
            .into_iter()
            .map(|(reason, n)| format!("{reason}: {}", count_text(n)))
            .collect();
        p.line(&format!(
            "not evaluated: {} ticket{} ({})",
            thousands(skipped),
            if skipped == 1 { "" } else { "s" },
            reasons.join(", ")
        ))?;
    }
    let rows: Vec<Vec<String>> = m["sla_by_tier_priority"]
        .as_array()
        .map(|cells| {
            cells
                .iter()
                .map(|c| {
                    vec![
                        c["tier"].as_str().unwrap_or_default().to_string(),
                        c["priority"].as_str().unwrap_or_default().to_string(),
                        rate_text(&c["first_response_met"]),
                        rate_text(&c["resolution_met"]),
                        count_text(&c["pending"]),
                    ]
                })
                .collect()
        })
        .unwrap_or_default();
    if !rows.is_empty() {
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
    let worst: Vec<Vec<String>> = m["worst_breaches"]
        .as_array()
        .map(|list| {
            list.iter()
                .map(|b| {
                    vec![
                        b["id"].as_str().unwrap_or_default().to_string(),
                        b["tier"].as_str().unwrap_or_default().to_string(),
                        b["priority"].as_str().unwrap_or_default().to_string(),
                        b["target"].as_str().unwrap_or_default().replace('_', " "),
                        if b["unanswered"].as_bool() == Some(true) {
                            "open at as-of".to_string()
                        } else {
                            "answered late".to_string()
                        },
                        seconds_text(&b["overshoot_seconds"]),
                    ]
                })
                .collect()
        })
        .unwrap_or_default();
    if !worst.is_empty() {
        p.table(
            &[
                "worst breaches: ticket",
                "tier",
                "priority",
                "target",
                "status",
                "late by",
            ],
            worst,
        )?;
    }

    p.heading("Context completeness (policy-escalated tickets)")?;
    p.line(&format!(
        "carrying every required field: {}",
        rate_text(&m["context_complete"])
    ))?;
    for (field, count) in object(&m["context_missing_by_field"]) {
        p.line(&format!("missing {field}: {}", count_text(count)))?;
    }

    p.heading("Time-based escalation (tickets with escalated_at)")?;
    let tb = &m["time_based_escalation"];
    if tb.get("needs").is_some() {
        p.line(&rate_text(tb))?;
    } else {
        p.line(&format!(
            "would escalate on time: {}",
            rate_text(&tb["escalated"])
        ))?;
        for hop in tb["hops"].as_array().into_iter().flatten() {
            p.line(&format!(
                "{} → {}: {}",
                hop["from"].as_str().unwrap_or_default(),
                hop["to"].as_str().unwrap_or_default(),
                count_text(&hop["count"])
            ))?;
        }
    }
    Ok(())
}

/// `--by`: one row per group with the figures that decide a rollout (the JSON has every
/// metric per group).
fn by_groups(
    p: &mut Printer,
    dimension: &str,
    groups: &serde_json::Map<String, Value>,
) -> io::Result<()> {
    p.heading(&format!("By {dimension}"))?;
    let rows = groups
        .iter()
        .map(|(label, m)| {
            vec![
                label.clone(),
                count_text(&m["tickets"]),
                rate_text(&m["escalation_rate"]),
                rate_text(&m["missed_escalation_rate"]),
                rate_text(&m["unneeded_escalation_rate"]),
                rate_text(&m["projected_fcr"]),
                rate_text(&m["sla_first_response_met"]),
                rate_text(&m["sla_resolution_met"]),
            ]
        })
        .collect();
    p.table(
        &[
            dimension,
            "tickets",
            "escalation",
            "missed",
            "unneeded",
            "projected FCR",
            "first response SLA",
            "resolution SLA",
        ],
        rows,
    )?;
    p.line("(`--format json` has every metric per group)")
}

pub fn print(
    report: &Value,
    routes: &[String],
    markdown: bool,
    out: &mut dyn Write,
) -> io::Result<()> {
    let mut p = Printer { out, markdown };
    let input = &report["input"];
    let title = format!(
        "Replay of policy '{}'",
        report["policy"].as_str().unwrap_or_default()
    );
    if markdown {
        writeln!(p.out, "# {title}\n")?;
    } else {
        writeln!(p.out, "{title}")?;
    }
    p.line(&format!(
        "{} records: {} decided, {} rejected",
        count_text(&input["records"]),
        count_text(&input["decided"]),
        count_text(&input["rejected"])
    ))?;
    if let Some(as_of) = input["as_of"].as_str() {
        p.line(&format!("as of {as_of}"))?;
    }
    for note in input["notes"].as_array().into_iter().flatten() {
        p.line(&format!("note: {}", note.as_str().unwrap_or_default()))?;
    }
    for rule in input["rules_reading_missing_fields"]
        .as_array()
        .into_iter()
        .flatten()
    {
        let fields: Vec<&str> = rule["missing"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .collect();
        p.line(&format!(
            "note: rule '{}' reads {} that the data lacks: unknown for every ticket",
            rule["rule"].as_str().unwrap_or_default(),
            fields.join(", ")
        ))?;
    }
    for (column, count) in object(&input["bad_values_counted_as_empty"]) {
        p.line(&format!(
            "note: {} bad value{} in {column} counted as empty",
            count_text(count),
            if count.as_u64() == Some(1) { "" } else { "s" }
        ))?;
    }
    for example in input["rejected_examples"].as_array().into_iter().flatten() {
        p.line(&format!(
            "rejected line {}: {}",
            example["line"],
            example["reason"].as_str().unwrap_or_default()
        ))?;
    }
    metrics(&mut p, &report["report"], routes)?;
    if let Some(groups) = report["by"]["groups"].as_object() {
        by_groups(
            &mut p,
            report["by"]["dimension"].as_str().unwrap_or_default(),
            groups,
        )?;
    }
    writeln!(p.out, "\n* fewer than 30 tickets: read with care")
}
