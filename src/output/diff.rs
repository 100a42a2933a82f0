//! `handoff diff` output: structural changes, the routing transition matrix, and every replay
//! rate side by side with its delta.

use std::io::{self, Write};

use comfy_table::{ContentArrangement, Table, presets};
use serde_json::{Value, json};

use super::report::table::rate_text;
use crate::engine::diff::DiffOutcome;
use crate::engine::eval::CompiledPolicy;
use crate::policy::compare::Change;

/// Every rate in a report (objects with `value` and `denominator`), by dotted path.
pub fn rates(prefix: &str, v: &Value, out: &mut Vec<(String, Value)>) {
    if let Value::Object(map) = v {
        if map.contains_key("denominator") || map.contains_key("needs") {
            out.push((prefix.to_string(), v.clone()));
            return;
        }
        for (key, child) in map {
            let path = if prefix.is_empty() {
                key.clone()
            } else {
                format!("{prefix}.{key}")
            };
            rates(&path, child, out);
        }
    }
}

fn delta(old: &Value, new: &Value) -> Option<f64> {
    let (a, b) = (old["value"].as_f64()?, new["value"].as_f64()?);
    Some(((b - a) * 10_000.0).round() / 10_000.0)
}

pub fn json(
    changes: &[Change],
    outcome: &DiffOutcome,
    routes: &[String],
    old_report: &Value,
    new_report: &Value,
) -> Value {
    let mut transitions = serde_json::Map::new();
    for (i, from) in routes.iter().enumerate() {
        let row: serde_json::Map<String, Value> = routes
            .iter()
            .enumerate()
            .map(|(j, to)| {
                (
                    to.clone(),
                    json!(outcome.transitions.get(&(i, j)).copied().unwrap_or(0)),
                )
            })
            .collect();
        transitions.insert(from.clone(), row.into());
    }
    let (mut old_rates, mut new_rates) = (Vec::new(), Vec::new());
    rates("", old_report, &mut old_rates);
    rates("", new_report, &mut new_rates);
    let deltas: serde_json::Map<String, Value> = new_rates
        .iter()
        .filter_map(|(path, new)| {
            let old = old_rates.iter().find(|(p, _)| p == path)?;
            Some((path.clone(), json!(delta(&old.1, new))))
        })
        .collect();
    json!({
        "version": 1,
        "input": {
            "records": outcome.records,
            "decided": outcome.records - outcome.rejected,
            "rejected": outcome.rejected,
            "rejected_examples": outcome.reject_examples.iter().map(|e| json!({"line": e.line, "id": e.id, "reason": e.reason})).collect::<Vec<_>>(),
            "as_of": outcome.as_of.map(|t| t.to_string()),
        },
        "changes": changes,
        "transitions": transitions,
        "tickets_changed": outcome.changed,
        "old": old_report,
        "new": new_report,
        "delta": deltas,
    })
}

fn table(header: &[String], rows: Vec<Vec<String>>) -> String {
    let mut table = Table::new();
    table
        .load_style(presets::UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Disabled)
        .set_header(header.to_vec());
    for row in rows {
        table.add_row(row);
    }
    table.lines().map(|l| format!("  {l}\n")).collect()
}

pub fn print_table(
    doc: &Value,
    old: &CompiledPolicy,
    new: &CompiledPolicy,
    out: &mut dyn Write,
) -> io::Result<()> {
    writeln!(out, "Policy changes ('{}' → '{}')", old.name, new.name)?;
    let changes = doc["changes"].as_array().cloned().unwrap_or_default();
    if changes.is_empty() {
        writeln!(out, "  none")?;
    }
    for c in &changes {
        let mark = match c["kind"].as_str() {
            Some("added") => "+",
            Some("removed") => "-",
            Some("moved") => "↕",
            _ => "~",
        };
        let detail = c["detail"].as_str().unwrap_or_default();
        let detail = if detail.is_empty() {
            String::new()
        } else {
            format!(": {detail}")
        };
        writeln!(
            out,
            "  {mark} {}{detail}",
            c["subject"].as_str().unwrap_or_default()
        )?;
    }
    let input = &doc["input"];
    writeln!(
        out,
        "\nRouting transitions ({} tickets decided, {} rejected; rows: old route, columns: new)",
        input["decided"], input["rejected"]
    )?;
    let routes: Vec<String> =
        old.routes
            .iter()
            .chain(new.routes.iter())
            .fold(Vec::new(), |mut acc, r| {
                if !acc.contains(r) {
                    acc.push(r.clone());
                }
                acc
            });
    let mut header = vec!["old → new".to_string()];
    header.extend(routes.iter().cloned());
    let rows = routes
        .iter()
        .map(|from| {
            let mut row = vec![from.clone()];
            row.extend(routes.iter().map(|to| {
                doc["transitions"][from][to]
                    .as_u64()
                    .unwrap_or(0)
                    .to_string()
            }));
            row
        })
        .collect();
    write!(out, "{}", table(&header, rows))?;
    writeln!(
        out,
        "  tickets whose route, rule, priority or SLA outcome changes: {}",
        doc["tickets_changed"]
    )?;

    writeln!(out, "\nMetrics (old → new)")?;
    let (mut old_rates, mut new_rates) = (Vec::new(), Vec::new());
    rates("", &doc["old"], &mut old_rates);
    rates("", &doc["new"], &mut new_rates);
    let rows: Vec<Vec<String>> = new_rates
        .iter()
        .filter_map(|(path, new_value)| {
            let (_, old_value) = old_rates.iter().find(|(p, _)| p == path)?;
            let delta = delta(old_value, new_value)
                .map_or_else(|| "–".to_string(), |d| format!("{:+.1} pp", d * 100.0));
            Some(vec![
                path.clone(),
                rate_text(old_value),
                rate_text(new_value),
                delta,
            ])
        })
        .collect();
    write!(
        out,
        "{}",
        table(
            &["metric".into(), "old".into(), "new".into(), "change".into()],
            rows
        )
    )?;
    writeln!(out, "\n* fewer than 30 tickets: read with care")
}
