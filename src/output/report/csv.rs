//! `--format csv`: the report as one long table `section,group,metric,value`, flattened from the
//! JSON shape (so both always agree).

use std::io::{self, Write};

use serde_json::Value;

fn flatten(prefix: &str, value: &Value, rows: &mut Vec<(String, String)>) {
    match value {
        Value::Object(map) => {
            for (key, child) in map {
                let path = if prefix.is_empty() {
                    key.clone()
                } else {
                    format!("{prefix}.{key}")
                };
                flatten(&path, child, rows);
            }
        }
        Value::Array(items) => {
            for (index, child) in items.iter().enumerate() {
                flatten(&format!("{prefix}.{index}"), child, rows);
            }
        }
        Value::Null => rows.push((prefix.to_string(), String::new())),
        Value::String(s) => rows.push((prefix.to_string(), s.clone())),
        other => rows.push((prefix.to_string(), other.to_string())),
    }
}

fn section_rows(
    group: &str,
    metrics: &Value,
    out: &mut csv::Writer<&mut dyn Write>,
) -> io::Result<()> {
    let Value::Object(map) = metrics else {
        return Ok(());
    };
    for (section, value) in map {
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

pub fn print(report: &Value, out: &mut dyn Write) -> io::Result<()> {
    let mut writer = csv::Writer::from_writer(out);
    writer.write_record(["section", "group", "metric", "value"])?;
    section_rows("all", &report["input"], &mut writer)?;
    section_rows("all", &report["report"], &mut writer)?;
    if let (Some(dimension), Some(Value::Object(groups))) = (
        report["by"]["dimension"].as_str(),
        report["by"].get("groups"),
    ) {
        for (key, metrics) in groups {
            section_rows(&format!("{dimension}={key}"), metrics, &mut writer)?;
        }
    }
    writer.flush()
}
