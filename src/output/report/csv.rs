//! `--format csv`: the report as one long table `section,group,metric,value`: a section is a
//! key of the input summary or of a report, and its rows are the leaves of its JSON form (so
//! both always agree: a row for every figure, list entry and text).

use std::io::{self, Write};

use serde::Serialize;
use serde_json::Value;

use crate::engine::report::ReplayReport;

/// `prefix.key`, or `key` at the top of a section.
fn child_path(prefix: &str, key: &str) -> String {
    if prefix.is_empty() {
        key.to_string()
    } else {
        format!("{prefix}.{key}")
    }
}

fn flatten(prefix: &str, value: &Value, rows: &mut Vec<(String, String)>) {
    match value {
        Value::Object(map) => {
            for (key, child) in map {
                flatten(&child_path(prefix, key), child, rows);
            }
        }
        Value::Array(items) => {
            for (index, child) in items.iter().enumerate() {
                flatten(&child_path(prefix, &index.to_string()), child, rows);
            }
        }
        Value::Null => rows.push((prefix.to_string(), String::new())),
        Value::String(s) => rows.push((prefix.to_string(), s.clone())),
        other => rows.push((prefix.to_string(), other.to_string())),
    }
}

/// One row per leaf of each section (a top-level key) of `part`'s JSON form.
fn section_rows<T: Serialize>(
    group: &str,
    part: &T,
    out: &mut csv::Writer<&mut dyn Write>,
) -> io::Result<()> {
    let Value::Object(map) = serde_json::to_value(part)? else {
        return Ok(());
    };
    for (section, value) in &map {
        let mut rows = Vec::new();
        flatten("", value, &mut rows);
        for (metric, cell) in rows {
            let metric = if metric.is_empty() {
                section.clone()
            } else {
                metric
            };
            out.write_record([section.as_str(), group, metric.as_str(), cell.as_str()])?;
        }
    }
    Ok(())
}

pub fn print(report: &ReplayReport, out: &mut dyn Write) -> io::Result<()> {
    let mut writer = csv::Writer::from_writer(out);
    writer.write_record(["section", "group", "metric", "value"])?;
    section_rows("all", &report.input, &mut writer)?;
    section_rows("all", &report.report, &mut writer)?;
    if let Some(by) = &report.by {
        for (label, metrics) in &by.groups {
            section_rows(&format!("{}={label}", by.dimension), metrics, &mut writer)?;
        }
    }
    if let Some(flow) = &report.flow {
        section_rows("all", &serde_json::json!({ "flow": flow }), &mut writer)?;
    }
    writer.flush()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn metric_paths_have_no_leading_dot() {
        // Objects and arrays inside a section are both named by their path from the section.
        let input = json!({ "notes": ["read as UTC"], "records": 2 });
        let report = json!({
            "never_matched": ["social-media"],
            "worst_breaches": [{ "id": "T1", "overshoot_seconds": 60 }],
            "agreement": { "confusion": { "cells": [[{ "count": 1 }]] } },
        });
        let mut out = Vec::new();
        let mut writer = csv::Writer::from_writer(&mut out as &mut dyn Write);
        writer
            .write_record(["section", "group", "metric", "value"])
            .unwrap();
        section_rows("all", &input, &mut writer).unwrap();
        section_rows("all", &report, &mut writer).unwrap();
        drop(writer);
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "section,group,metric,value\n\
             notes,all,0,read as UTC\n\
             records,all,records,2\n\
             agreement,all,confusion.cells.0.0.count,1\n\
             never_matched,all,0,social-media\n\
             worst_breaches,all,0.id,T1\n\
             worst_breaches,all,0.overshoot_seconds,60\n"
        );
    }
}
