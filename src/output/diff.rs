//! `handoff diff` output: structural changes, the routing transition matrix, and every replay
//! rate side by side with its delta.

use std::io::{self, Write};

use comfy_table::{ContentArrangement, Table, presets};
use serde_json::{Value, json};

use super::report::table::rate_text;
use crate::engine::diff::DiffOutcome;
use crate::engine::eval::CompiledPolicy;
use crate::policy::compare::{Rename, StructuralDiff};

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

/// The old policy's path for a figure of the new one: a renamed rule's figures are compared with
/// those of its old id.
fn old_path(path: &str, renamed: &[Rename]) -> String {
    for rename in renamed {
        if path.strip_prefix("escalation_by_rule.") == Some(rename.new.as_str()) {
            return format!("escalation_by_rule.{}", rename.old);
        }
    }
    path.to_string()
}

/// Pairs of (path in the new report, old figure, new figure) for every rate both reports have.
fn paired_rates<'v>(
    old_report: &'v Value,
    new_report: &'v Value,
    renamed: &[Rename],
) -> Vec<(String, Value, Value)> {
    let (mut old_rates, mut new_rates) = (Vec::new(), Vec::new());
    rates("", old_report, &mut old_rates);
    rates("", new_report, &mut new_rates);
    new_rates
        .into_iter()
        .filter_map(|(path, new)| {
            let wanted = old_path(&path, renamed);
            let (_, old) = old_rates.iter().find(|(p, _)| *p == wanted)?;
            Some((path, old.clone(), new))
        })
        .collect()
}

fn delta(old: &Value, new: &Value) -> Option<f64> {
    let (a, b) = (old["value"].as_f64()?, new["value"].as_f64()?);
    Some(((b - a) * 10_000.0).round() / 10_000.0)
}

pub fn json(
    structure: &StructuralDiff,
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
    let deltas: serde_json::Map<String, Value> =
        paired_rates(old_report, new_report, &structure.renamed)
            .into_iter()
            .map(|(path, old, new)| (path, json!(delta(&old, &new))))
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
        "changes": structure.changes,
        "renamed_rules": structure.renamed,
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
    let renamed: Vec<Rename> =
        serde_json::from_value(doc["renamed_rules"].clone()).unwrap_or_default();
    let rows: Vec<Vec<String>> = paired_rates(&doc["old"], &doc["new"], &renamed)
        .into_iter()
        .map(|(path, old_value, new_value)| {
            let delta = delta(&old_value, &new_value)
                .map_or_else(|| "–".to_string(), |d| format!("{:+.1} pp", d * 100.0));
            let was = old_path(&path, &renamed);
            let label = if was == path {
                path
            } else {
                format!(
                    "{path} (was {})",
                    was.trim_start_matches("escalation_by_rule.")
                )
            };
            vec![label, rate_text(&old_value), rate_text(&new_value), delta]
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
