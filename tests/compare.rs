//! `handoff sweep` and `handoff diff` checked against separate replays of the same data: the
//! single-pass figures must equal what replaying each variant on its own gives.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn handoff(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_handoff"))
        .current_dir(root())
        .args(args)
        .output()
        .expect("run handoff");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn json(args: &[&str]) -> Value {
    let (code, stdout, stderr) = handoff(args);
    assert_eq!(code, 0, "{stderr}");
    serde_json::from_str(&stdout).expect("JSON output")
}

/// The support policy with the low-confidence threshold set to `value`.
fn variant(dir: &Path, value: &str) -> String {
    let text = std::fs::read_to_string(root().join("policies/support.yaml")).unwrap();
    let changed = text.replace(
        "when: { confidence: { below: 0.80 } }",
        &format!("when: {{ confidence: {{ below: {value} }} }}"),
    );
    assert_ne!(text, changed);
    let path = dir.join(format!("support-{value}.yaml"));
    std::fs::write(&path, changed).unwrap();
    path.to_string_lossy().into_owned()
}

fn fraction_parts(v: &Value) -> (Value, Value, Value) {
    (
        v["value"].clone(),
        v["numerator"].clone(),
        v["denominator"].clone(),
    )
}

/// A sweep's point has the figures of the replay of its value.
fn assert_point_is_the_replay(point: &Value, report: &Value, value: &str) {
    for metric in [
        "escalation_rate",
        "missed_escalation_rate",
        "unneeded_escalation_rate",
        "projected_fcr",
        "sla_first_response_met",
        "sla_resolution_met",
    ] {
        assert_eq!(
            fraction_parts(&point[metric]),
            fraction_parts(&report[metric]),
            "{metric} at {value}"
        );
    }
}

#[test]
fn sweep_equals_separate_replays_at_three_values() {
    let dir = tempfile::tempdir().unwrap();
    let sweep = json(&[
        "sweep",
        "--policy",
        "policies/support.yaml",
        "--tickets",
        "examples/support-tickets.csv",
        "--rule",
        "low-confidence",
        "--param",
        "confidence.below",
        "--from",
        "0.5",
        "--to",
        "0.95",
        "--step",
        "0.05",
        "--format",
        "json",
    ]);
    let points = sweep["points"].as_array().unwrap();
    assert_eq!(points.len(), 10);
    for value in ["0.6", "0.8", "0.9"] {
        let policy = variant(dir.path(), value);
        let replay = json(&[
            "replay",
            "--policy",
            &policy,
            "--tickets",
            "examples/support-tickets.csv",
            "--format",
            "json",
        ]);
        let report = &replay["report"];
        let point = points
            .iter()
            .find(|p| p["value"].as_f64() == value.parse::<f64>().ok())
            .expect("value in the sweep");
        assert_point_is_the_replay(point, report, value);
    }
}

/// The support policy with the angry-customer threshold set to `value`.
fn sentiment_variant(dir: &Path, value: &str) -> String {
    let text = std::fs::read_to_string(root().join("policies/support.yaml")).unwrap();
    let changed = text.replace(
        "when: { sentiment: { below: -0.5 } }",
        &format!("when: {{ sentiment: {{ below: {value} }} }}"),
    );
    assert!(text.contains("when: { sentiment: { below: -0.5 } }"));
    let path = dir.join(format!("support-sentiment-{value}.yaml"));
    std::fs::write(&path, changed).unwrap();
    path.to_string_lossy().into_owned()
}

/// Sweep adds a ticket's figures once per run of values where the swept test has the same
/// truth; every value must still equal its own replay — with tickets whose swept value is
/// missing (the test unknown at every value), SLA clocks left running at the end, and two
/// threads.
#[test]
fn sweep_equals_separate_replays_at_every_value_with_missing_values() {
    let dir = tempfile::tempdir().unwrap();
    let (code, generated, stderr) = handoff(&["gen", "--rows", "4000", "--seed", "11"]);
    assert_eq!(code, 0, "{stderr}");
    let mut lines = generated.lines();
    let header = lines.next().unwrap();
    let column = header.split(',').position(|c| c == "sentiment").unwrap();
    let mut csv = csv::Writer::from_writer(Vec::new());
    let mut reader = csv::Reader::from_reader(generated.as_bytes());
    csv.write_record(reader.headers().unwrap()).unwrap();
    let mut blanked = 0;
    for (n, record) in reader.records().enumerate() {
        let mut fields: Vec<String> = record.unwrap().iter().map(str::to_string).collect();
        if n % 5 == 2 {
            fields[column].clear();
            blanked += 1;
        }
        csv.write_record(&fields).unwrap();
    }
    assert_eq!(blanked, 800);
    let tickets = dir.path().join("tickets.csv");
    std::fs::write(&tickets, csv.into_inner().unwrap()).unwrap();
    let tickets = tickets.to_string_lossy().into_owned();
    let sweep = json(&[
        "sweep",
        "--policy",
        "policies/support.yaml",
        "--tickets",
        &tickets,
        "--rule",
        "angry-customer",
        "--param",
        "sentiment.below",
        "--from",
        "-0.9",
        "--to",
        "0.9",
        "--step",
        "0.1",
        "--threads",
        "2",
        "--format",
        "json",
    ]);
    let points = sweep["points"].as_array().unwrap();
    assert_eq!(points.len(), 19);
    let mut rates = Vec::new();
    for point in points {
        let value = format!("{:.1}", point["value"].as_f64().unwrap());
        let policy = sentiment_variant(dir.path(), &value);
        let replay = json(&[
            "replay",
            "--policy",
            &policy,
            "--tickets",
            &tickets,
            "--format",
            "json",
        ]);
        let report = &replay["report"];
        assert_point_is_the_replay(point, report, &value);
        rates.push(point["escalation_rate"]["numerator"].as_u64().unwrap());
    }
    // The threshold matters on this data (else the test could not tell the values apart).
    assert!(rates.first() < rates.last(), "{rates:?}");
}

#[test]
fn sweep_recommends_within_the_budget_or_says_none_fits() {
    let base = [
        "sweep",
        "--policy",
        "policies/support.yaml",
        "--tickets",
        "examples/support-tickets.csv",
        "--rule",
        "low-confidence",
        "--param",
        "confidence.below",
        "--from",
        "0.5",
        "--to",
        "0.95",
        "--step",
        "0.05",
        "--format",
        "json",
        "--max-escalation-rate",
    ];
    let mut args = base.to_vec();
    args.push("0.4");
    let doc = json(&args);
    // 0.75 escalates 38.3 % (≤ 40 %) and misses 26.8 %, the fewest of the values within budget
    // (0.8 escalates 42.7 %).
    assert_eq!(doc["recommendation"]["value"], 0.75);
    let mut args = base.to_vec();
    args.push("0.1");
    let doc = json(&args);
    assert_eq!(doc["recommendation"]["value"], Value::Null);
    assert_eq!(
        doc["recommendation"]["reason"],
        "no value keeps the escalation rate within the budget"
    );
}

#[test]
fn sweep_refuses_a_parameter_the_rule_does_not_have() {
    let (code, _, stderr) = handoff(&[
        "sweep",
        "--policy",
        "policies/support.yaml",
        "--tickets",
        "examples/support-tickets.csv",
        "--rule",
        "legal-risk",
        "--param",
        "confidence.below",
        "--from",
        "0.5",
        "--to",
        "0.9",
        "--step",
        "0.1",
    ]);
    assert_eq!(code, 2);
    assert_eq!(
        stderr,
        "error: rule 'legal-risk' has no `confidence: { below: … }` test to sweep\n"
    );
    let (code, _, stderr) = handoff(&[
        "sweep",
        "--policy",
        "policies/support.yaml",
        "--tickets",
        "examples/support-tickets.csv",
        "--rule",
        "nope",
        "--param",
        "confidence.below",
        "--from",
        "0.5",
        "--to",
        "0.9",
        "--step",
        "0.1",
    ]);
    assert_eq!(code, 2);
    assert!(
        stderr.starts_with("error: no rule `nope` in policies/support.yaml"),
        "{stderr}"
    );
}

/// Per-ticket decisions of one replay: id → (decision, rule, priority).
fn decisions(policy: &str, dir: &Path, name: &str) -> BTreeMap<String, (String, String, String)> {
    let path = dir.join(name);
    let (code, _, stderr) = handoff(&[
        "replay",
        "--policy",
        policy,
        "--tickets",
        "examples/support-tickets.csv",
        "--format",
        "json",
        "--decisions",
        path.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{stderr}");
    let mut reader = csv::Reader::from_path(&path).unwrap();
    reader
        .records()
        .map(|r| {
            let r = r.unwrap();
            (
                r[0].to_string(),
                (r[2].to_string(), r[3].to_string(), r[7].to_string()),
            )
        })
        .collect()
}

/// The JSON report of a replay of `policy` alone on `tickets`.
fn replay_report(policy: &str, tickets: &str) -> Value {
    json(&[
        "replay",
        "--policy",
        policy,
        "--tickets",
        tickets,
        "--format",
        "json",
    ])["report"]
        .clone()
}

#[test]
fn diff_transitions_and_metrics_equal_separate_replays() {
    let dir = tempfile::tempdir().unwrap();
    let new_policy = "fixtures/diff/support-proposed.yaml";
    let changes = dir.path().join("changes.csv");
    let doc = json(&[
        "diff",
        "policies/support.yaml",
        new_policy,
        "--tickets",
        "examples/support-tickets.csv",
        "--format",
        "json",
        "--changes",
        changes.to_str().unwrap(),
    ]);
    let old = decisions("policies/support.yaml", dir.path(), "old.csv");
    let new = decisions(new_policy, dir.path(), "new.csv");
    let mut expected: BTreeMap<(String, String), u64> = BTreeMap::new();
    for (id, (route, _, _)) in &old {
        *expected
            .entry((route.clone(), new[id].0.clone()))
            .or_default() += 1;
    }
    for ((from, to), count) in &expected {
        assert_eq!(doc["transitions"][from][to], *count, "{from} → {to}");
    }
    let total: u64 = doc["transitions"]
        .as_object()
        .unwrap()
        .values()
        .flat_map(|row| {
            row.as_object()
                .unwrap()
                .values()
                .map(|v| v.as_u64().unwrap())
        })
        .sum();
    assert_eq!(total, 300);
    // Every ticket with another route, rule or priority is in --changes (SLA-only changes too).
    let listed: Vec<String> = csv::Reader::from_path(&changes)
        .unwrap()
        .records()
        .map(|r| r.unwrap()[0].to_string())
        .collect();
    for (id, before) in &old {
        if *before != new[id] {
            assert!(listed.contains(id), "{id} changed but is not listed");
        }
    }
    assert_eq!(doc["tickets_changed"], listed.len() as u64);
    // Each side's metrics equal a replay of that policy alone.
    for (side, policy) in [("old", "policies/support.yaml"), ("new", new_policy)] {
        assert_eq!(
            doc[side],
            replay_report(policy, "examples/support-tickets.csv"),
            "{side}"
        );
    }
    // Structure: the three changed rules and the faster L2 urgent target.
    let subjects: Vec<&str> = doc["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["subject"].as_str().unwrap())
        .collect();
    assert_eq!(
        subjects,
        [
            "rule 'legal-risk' when",
            "rule 'enterprise-cancel' when",
            "rule 'low-confidence' when",
            "tier 'L2' SLA urgent first_response"
        ]
    );
}

/// The example tickets without their timestamp columns, written to `dir`: a history with
/// no instant in it, so that no `--as-of` can be found and the metrics are never finished.
fn tickets_without_timestamps(dir: &Path) -> PathBuf {
    let mut reader = csv::Reader::from_path(root().join("examples/support-tickets.csv")).unwrap();
    let keep: Vec<usize> = (reader.headers().unwrap().iter().enumerate())
        .filter(|(_, name)| !name.ends_with("_at"))
        .map(|(i, _)| i)
        .collect();
    let path = dir.join("no-timestamps.csv");
    let mut writer = csv::Writer::from_path(&path).unwrap();
    let headers = reader.headers().unwrap().clone();
    writer
        .write_record(keep.iter().map(|&i| &headers[i]))
        .unwrap();
    for record in reader.records() {
        let record = record.unwrap();
        writer
            .write_record(keep.iter().map(|&i| &record[i]))
            .unwrap();
    }
    writer.flush().unwrap();
    path
}

#[test]
fn diff_metrics_equal_separate_replays_without_timestamps() {
    // Regression: the per-ticket counts kept by index (reasons, agreement, SLA tallies) reached
    // diff's metrics only when they were finished, which needs an instant.
    let dir = tempfile::tempdir().unwrap();
    let tickets = tickets_without_timestamps(dir.path());
    let tickets = tickets.to_str().unwrap();
    let new_policy = "fixtures/diff/support-proposed.yaml";
    let doc = json(&[
        "diff",
        "policies/support.yaml",
        new_policy,
        "--tickets",
        tickets,
        "--format",
        "json",
    ]);
    for (side, policy) in [("old", "policies/support.yaml"), ("new", new_policy)] {
        let report = replay_report(policy, tickets);
        assert_eq!(doc[side], report, "{side}");
        let proactive = &report["escalation_by_reason"]["proactive"]["numerator"];
        assert!(proactive.as_u64() > Some(0), "{side}: {proactive}");
    }
}

#[test]
fn diff_of_a_policy_with_itself_changes_nothing() {
    let doc = json(&[
        "diff",
        "policies/support.yaml",
        "policies/support.yaml",
        "--tickets",
        "examples/support-tickets.csv",
        "--format",
        "json",
    ]);
    assert_eq!(doc["changes"], serde_json::json!([]));
    assert_eq!(doc["tickets_changed"], 0);
    assert!(
        doc["delta"]
            .as_object()
            .unwrap()
            .values()
            .all(|d| d.is_null() || d.as_f64() == Some(0.0))
    );
    let (code, _, stderr) = handoff(&[
        "diff",
        "policies/support.yaml",
        "policies/support.yaml",
        "--tickets",
        "examples/support-tickets.csv",
        "--fail-if",
        "delta.escalation_rate > 0",
    ]);
    assert_eq!((code, stderr.as_str()), (0, ""));
    let (code, _, stderr) = handoff(&[
        "diff",
        "policies/support.yaml",
        "fixtures/diff/support-proposed.yaml",
        "--tickets",
        "examples/support-tickets.csv",
        "--fail-if",
        "delta.missed_escalation_rate > 0.01",
    ]);
    assert_eq!(code, 1);
    assert_eq!(
        stderr,
        "fail-if met: delta.missed_escalation_rate = 0.0141 > 0.01\n"
    );
}
