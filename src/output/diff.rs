//! `handoff diff` as tables: structural changes, the routing transition matrix, and every rate
//! of both reports side by side with its change. (JSON is the report's serde form.)

use std::io::{self, Write};

use comfy_table::{ContentArrangement, Table, presets};

use super::report::text::rate_text;
use crate::engine::report::diff::DiffReport;

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

pub fn print_table(doc: &DiffReport, out: &mut dyn Write) -> io::Result<()> {
    let [old_name, new_name] = &doc.policies;
    writeln!(out, "Headline ('{old_name}' → '{new_name}')")?;
    for line in super::report::headline::diff_lines(&doc.headline, &doc.transitions.routes) {
        writeln!(out, "  {line}")?;
    }
    writeln!(out, "\nPolicy changes ('{old_name}' → '{new_name}')")?;
    if doc.changes.is_empty() {
        writeln!(out, "  none")?;
    }
    for c in &doc.changes {
        let mark = match c.kind {
            "added" => "+",
            "removed" => "-",
            "moved" => "↕",
            _ => "~",
        };
        let detail = if c.detail.is_empty() {
            String::new()
        } else {
            format!(": {}", c.detail)
        };
        writeln!(out, "  {mark} {}{detail}", c.subject)?;
    }
    writeln!(
        out,
        "\nRouting transitions ({} tickets decided, {} rejected; rows: old route, columns: new)",
        doc.input.decided, doc.input.rejected
    )?;
    let transitions = &doc.transitions;
    let mut header = vec!["old → new".to_string()];
    header.extend(transitions.routes.iter().cloned());
    let rows = transitions
        .routes
        .iter()
        .zip(&transitions.counts)
        .map(|(from, counts)| {
            let mut row = vec![from.clone()];
            row.extend(counts.iter().map(u64::to_string));
            row
        })
        .collect();
    write!(out, "{}", table(&header, rows))?;
    writeln!(
        out,
        "  tickets whose route, rule, priority or SLA outcome changes: {}",
        doc.tickets_changed
    )?;

    writeln!(out, "\nMetrics (old → new)")?;
    let rows: Vec<Vec<String>> = doc
        .paired_rates()
        .into_iter()
        .map(|pair| {
            let delta = pair
                .delta()
                .map_or_else(|| "–".to_string(), |d| format!("{:+.1} pp", d * 100.0));
            let label = if pair.old_path == pair.path {
                pair.path
            } else {
                format!(
                    "{} (was {})",
                    pair.path,
                    pair.old_path.trim_start_matches("escalation_by_rule.")
                )
            };
            vec![label, rate_text(pair.old), rate_text(pair.new), delta]
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
