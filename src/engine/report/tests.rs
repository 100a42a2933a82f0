//! The named parts of a report against its JSON: every key is a part, every part a key, and
//! each figure is what the JSON says, for reports with and without the columns figures need.

use std::path::Path;

use serde_json::Value;

use super::*;
use crate::engine::metrics::Metrics;
use crate::engine::replay::{By, ReplayOptions, ReplaySink, replay};
use crate::tickets::{Mapping, RawRecord, TicketParser, TicketReader};

struct Discard;

impl ReplaySink for Discard {
    fn decisions(&mut self, _rows: &[u8]) -> std::io::Result<()> {
        Ok(())
    }
    fn rejected(&mut self, _error: &RowError, _record: RawRecord<'_>) -> std::io::Result<()> {
        Ok(())
    }
}

fn policy(path: &str) -> CompiledPolicy {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(path);
    CompiledPolicy::new(&crate::policy::load_file(&path).unwrap().policy).unwrap()
}

/// Replay `csv` (text) with `policy`, split by channel.
fn replay_report(policy: &CompiledPolicy, csv: String) -> ReplayReport {
    let mapping = Mapping::default();
    let input = Box::new(std::io::Cursor::new(csv.into_bytes()));
    let mut reader = TicketReader::new(input, &mapping, &policy.needs).unwrap();
    let parser = TicketParser::new(&reader.layout, &mapping, &policy.needs).unwrap();
    let options = ReplayOptions {
        by: Some(By::Channel.into()),
        ..ReplayOptions::default()
    };
    let outcome = replay(policy, &mut reader, parser, &options, None, &mut Discard).unwrap();
    ReplayReport::new(
        policy,
        &reader.layout,
        &outcome,
        options.by.as_ref(),
        &BTreeMap::new(),
        &[],
    )
}

fn fixture(path: &str) -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(path)).unwrap()
}

/// `csv` without the named columns.
fn without(csv: &str, columns: &[&str]) -> String {
    let mut reader = ::csv::Reader::from_reader(csv.as_bytes());
    let headers = reader.headers().unwrap().clone();
    let keep: Vec<usize> = (0..headers.len())
        .filter(|&i| !columns.contains(&&headers[i]))
        .collect();
    let mut out = ::csv::Writer::from_writer(Vec::new());
    out.write_record(keep.iter().map(|&i| &headers[i])).unwrap();
    for record in reader.records() {
        let record = record.unwrap();
        out.write_record(keep.iter().map(|&i| &record[i])).unwrap();
    }
    String::from_utf8(out.into_inner().unwrap()).unwrap()
}

/// The part and the JSON value at `path` agree: same names inside, same figure.
fn assert_agrees(part: &Part, json: &Value, path: &str) {
    let names: Vec<&str> = part.names().collect();
    match json {
        Value::Object(map) => {
            let keys: Vec<&str> = map.keys().map(String::as_str).collect();
            assert_eq!(names, keys, "names inside `{path}`");
            if map.contains_key("value") {
                let Figure::Rate(rate) = part.figure else {
                    panic!("`{path}` is a rate in JSON, {:?} in parts", part.figure);
                };
                assert_eq!(rate.value(), map["value"].as_f64(), "`{path}`");
                assert_eq!(part.value(), map["value"].as_f64(), "`{path}`");
                let needs = match rate {
                    RateFigure::NotAvailable(missing) => Some(serde_json::json!(missing.needs)),
                    _ => None,
                };
                assert_eq!(needs.as_ref(), map.get("needs"), "`{path}`");
                for count in ["numerator", "denominator"] {
                    if let Some(n) = map.get(count) {
                        assert_eq!(
                            part.child(count).map(|p| p.figure),
                            Some(Figure::Count(n.as_u64().unwrap())),
                            "`{path}.{count}`"
                        );
                    }
                }
            } else {
                assert_eq!(part.figure, Figure::None, "`{path}`");
                for (key, child) in map {
                    let child_path = if path.is_empty() {
                        key.clone()
                    } else {
                        format!("{path}.{key}")
                    };
                    assert_agrees(part.child(key).unwrap(), child, &child_path);
                }
            }
        }
        // A mean (CSAT) is a figure of its own scale, not a count: named, not compared.
        Value::Number(_) | Value::Null if path.ends_with(".mean") => {
            assert_eq!(part.figure, Figure::None, "`{path}`");
        }
        Value::Number(n) if path.ends_with("_seconds") => {
            assert_eq!(part.figure, Figure::Seconds(n.as_u64()), "`{path}`");
        }
        Value::Number(n) => assert_eq!(part.figure, Figure::Count(n.as_u64().unwrap()), "`{path}`"),
        Value::Null => assert_eq!(part.figure, Figure::Seconds(None), "`{path}`"),
        Value::Array(_) | Value::String(_) | Value::Bool(_) => {
            assert_eq!(part.figure, Figure::None, "`{path}`");
            assert!(names.is_empty(), "`{path}`");
        }
    }
}

fn assert_report_agrees(report: &ReplayReport) {
    let json = serde_json::to_value(report).unwrap();
    assert_agrees(&report.report.parts(), &json["report"], "");
    for (label, group) in &report.by.as_ref().unwrap().groups {
        assert_agrees(&group.parts(), &json["by"]["groups"][label], "");
    }
}

#[test]
fn parts_name_every_key_of_the_json() {
    let support = policy("policies/support.yaml");
    let tickets = fixture("examples/support-tickets.csv");
    assert_report_agrees(&replay_report(&support, tickets.clone()));
    for columns in [
        &["resolved_tier", "escalated_at"][..],
        &["first_human_response_at"],
        &["created_at", "escalated_at"],
        &["resolved_at", "reassignments", "ai_summary"],
        &[
            "resolved_tier",
            "escalated_at",
            "first_human_response_at",
            "resolved_at",
            "created_at",
        ],
    ] {
        assert_report_agrees(&replay_report(&support, without(&tickets, columns)));
    }
    let fixture_policy = policy("fixtures/replay/policy.yaml");
    let report = replay_report(&fixture_policy, fixture("fixtures/replay/tickets.csv"));
    assert_report_agrees(&report);
    // A metric that does not apply, and the report of no tickets (every percentile null).
    let mut no_context = support.clone();
    no_context.context.clear();
    let layout = replay_layout(&no_context, &tickets);
    let empty = Report::new(&no_context, &layout, &Metrics::new(&no_context));
    assert_agrees(&empty.parts(), &serde_json::to_value(&empty).unwrap(), "");
    assert_eq!(
        empty.parts().get("context_complete").map(|p| p.figure),
        Some(Figure::Rate(RateFigure::NotApplicable(
            "the policy requires no context"
        )))
    );
}

fn replay_layout(policy: &CompiledPolicy, csv: &str) -> Layout {
    let input = Box::new(std::io::Cursor::new(csv.as_bytes().to_vec()));
    TicketReader::new(input, &Mapping::default(), &policy.needs)
        .unwrap()
        .layout
}

#[test]
fn figures_and_rates_come_in_name_order() {
    let support = policy("policies/support.yaml");
    let report = replay_report(&support, fixture("examples/support-tickets.csv"));
    let parts = report.report.parts();
    let time = parts.get("first_response_time").unwrap();
    let figures: Vec<String> = time
        .figures("first_response_time")
        .into_iter()
        .map(|(path, _)| path)
        .collect();
    assert_eq!(
        figures,
        [
            "first_response_time.business.median_seconds",
            "first_response_time.business.n",
            "first_response_time.business.p90_seconds",
            "first_response_time.negative_excluded",
            "first_response_time.wall.median_seconds",
            "first_response_time.wall.n",
            "first_response_time.wall.p90_seconds",
        ]
    );
    let rates: Vec<String> = parts.rates().into_iter().map(|(path, _)| path).collect();
    assert_eq!(rates.first().map(String::as_str), Some("containment_rate"));
    assert!(rates.contains(&"quality_by_route.policy.ai.containment_rate".to_string()));
    assert!(rates.contains(&"escalation_by_rule.(default)".to_string()));
    assert!(rates.contains(&"time_based_escalation.escalated".to_string()));
    let mut sorted = rates.clone();
    sorted.sort_by(|a, b| a.split('.').cmp(b.split('.')));
    assert_eq!(rates, sorted);
}
