//! `explain` with history (issue 13): beside the trace, what really happened, each SLA clock
//! judged against the policy's targets in its business calendar, the agreement verdict;
//! `--expect TIER`; `--format json`. Expectations are worked out by hand from
//! `fixtures/explain/` (Europe/Berlin, UTC+1 in early March 2026, Mon–Fri 09:00–17:00; L1: first
//! response 1h, resolution 1bd; L2: 2h, 2bd; the file has no csat column):
//!
//! - H1 (confidence 0.4 → L1), escalated Mon 08:10Z = 09:10 Berlin: first response due
//!   09:10Z, answered 08:40Z: met; resolution due Tue 09:10 Berlin = 08:10Z, resolved 10:00Z:
//!   breached by 1h 50m. Resolved by L1: agree.
//! - H2 (billing → L2), opened Mon 16:30 Berlin, never answered: first response due Tue 10:30
//!   Berlin = 09:30Z; resolution (2bd) due Wed 16:30 Berlin = 15:30Z. No resolution: unresolved.
//!   The default as-of is the file's latest timestamp, H3's resolution at Tue 12:00Z.
//! - H3 (no rule → ai), resolved by L2 after 2 reassignments: missed escalation, no SLA.
//! - H4 (confidence 0.5 → L1), opened Tue 10:00Z, resolved by the AI at 10:30Z without a human
//!   reply (which stops the first-response clock too): both met; unneeded escalation.

use std::path::PathBuf;
use std::process::Command;

use serde_json::{Value, json};

const POLICY: &str = "fixtures/explain/history.yaml";
const TICKETS: &str = "fixtures/explain/history.csv";

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

fn handoff(args: &[&str]) -> Run {
    let out = Command::new(env!("CARGO_BIN_EXE_handoff"))
        .current_dir(PathBuf::from(env!("CARGO_MANIFEST_DIR")))
        .args(args)
        .output()
        .expect("run handoff");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

fn explain(id: &str, extra: &[&str]) -> Run {
    let mut args = vec![
        "explain",
        "--policy",
        POLICY,
        "--tickets",
        TICKETS,
        "--id",
        id,
    ];
    args.extend_from_slice(extra);
    handoff(&args)
}

fn json_of(id: &str, extra: &[&str]) -> Value {
    let mut args = vec!["--format", "json"];
    args.extend_from_slice(extra);
    let run = explain(id, &args);
    assert_eq!(run.code, 0, "{}", run.stderr);
    serde_json::from_str(&run.stdout).expect("JSON")
}

/// (target, status, due, late_by_seconds) of each clock.
fn clocks(explained: &Value) -> Vec<(String, String, Value, Value)> {
    explained["history"]["sla"]
        .as_array()
        .expect("sla")
        .iter()
        .map(|c| {
            (
                c["target"].as_str().unwrap().to_string(),
                c["status"].as_str().unwrap().to_string(),
                c["due"].clone(),
                c["late_by_seconds"].clone(),
            )
        })
        .collect()
}

fn clock(target: &str, status: &str, due: Value, late: Value) -> (String, String, Value, Value) {
    (target.to_string(), status.to_string(), due, late)
}

#[test]
fn an_answered_ticket_shows_its_timestamps_clocks_and_verdict() {
    let e = json_of("H1", &[]);
    let h = &e["history"];
    assert_eq!(h["created_at"], "2026-03-02T08:00:00Z");
    assert_eq!(h["escalated_at"], "2026-03-02T08:10:00Z");
    assert_eq!(h["first_human_response_at"], "2026-03-02T08:40:00Z");
    assert_eq!(h["resolved_at"], "2026-03-03T10:00:00Z");
    assert_eq!(h["resolved_tier"], "L1");
    assert_eq!(h["reassignments"], 0);
    assert_eq!(h["reopened"], false);
    assert_eq!(
        clocks(&e),
        [
            clock(
                "first_response",
                "met",
                json!("2026-03-02T09:10:00Z"),
                Value::Null
            ),
            clock(
                "resolution",
                "breached",
                json!("2026-03-03T08:10:00Z"),
                json!(110 * 60)
            ),
        ]
    );
    assert_eq!(h["agreement"], "agree");
    let text = explain("H1", &[]).stdout;
    assert!(
        text.contains("    resolution: breached by 1h 50m (due 2026-03-03T08:10:00Z, stopped 2026-03-03T10:00:00Z)\n"),
        "{text}"
    );
    assert!(text.contains("  resolved by           L1\n"), "{text}");
}

#[test]
fn an_open_clock_is_pending_or_breached_at_as_of() {
    // Default as-of: the latest timestamp of the file (H3 resolved Tue 12:00Z), 2h 30m past
    // the first-response due time.
    let e = json_of("H2", &[]);
    assert_eq!(e["history"]["as_of"], "2026-03-03T12:00:00Z");
    let first = json!("2026-03-03T09:30:00Z");
    let resolution = json!("2026-03-04T15:30:00Z");
    assert_eq!(
        clocks(&e),
        [
            clock("first_response", "breached", first.clone(), json!(9000)),
            clock("resolution", "pending", resolution.clone(), Value::Null),
        ]
    );
    assert_eq!(e["history"]["agreement"], "unresolved");
    // Before the due time, nothing is late yet.
    let e = json_of("H2", &["--as-of", "2026-03-03T09:00:00Z"]);
    assert_eq!(
        clocks(&e),
        [
            clock("first_response", "pending", first, Value::Null),
            clock("resolution", "pending", resolution.clone(), Value::Null),
        ]
    );
    // Exactly at the due time it is not yet past due (as replay settles it).
    let e = json_of("H2", &["--as-of", "2026-03-04T15:30:00Z"]);
    assert_eq!(clocks(&e)[1].1, "pending");
    let e = json_of("H2", &["--as-of", "2026-03-04T15:31:00Z"]);
    assert_eq!(
        clocks(&e)[1],
        clock("resolution", "breached", resolution, json!(60))
    );
}

#[test]
fn a_ticket_kept_with_the_ai_has_no_clock_and_may_be_a_missed_escalation() {
    let e = json_of("H3", &[]);
    assert_eq!(e["decision"]["route"], "ai");
    assert_eq!(e["history"]["sla"], json!([]));
    assert_eq!(e["history"]["resolved_tier"], "L2");
    assert_eq!(e["history"]["reassignments"], 2);
    assert_eq!(e["history"]["agreement"], "missed_escalation");
    let text = explain("H3", &[]).stdout;
    assert!(
        text.contains("  SLA: none (the policy keeps the ticket with the AI)\n"),
        "{text}"
    );
}

#[test]
fn a_resolution_without_a_human_reply_stops_both_clocks() {
    let e = json_of("H4", &[]);
    assert_eq!(
        clocks(&e),
        [
            clock(
                "first_response",
                "met",
                json!("2026-03-03T11:00:00Z"),
                Value::Null
            ),
            clock(
                "resolution",
                "met",
                json!("2026-03-04T10:00:00Z"),
                Value::Null
            ),
        ]
    );
    assert_eq!(e["history"]["agreement"], "unneeded_escalation");
}

#[test]
fn fields_the_data_lacks_are_absent_not_invented() {
    // The file has no csat column: absent, where an empty cell is empty.
    let e = json_of("H2", &[]);
    assert_eq!(e["history"]["not_in_data"], json!(["csat"]));
    let text = explain("H2", &[]).stdout;
    assert!(
        text.contains("  csat                  (not in the data)\n"),
        "{text}"
    );
    assert!(text.contains("  resolved              (empty)\n"), "{text}");
    // A ticket given with only a resolving tier: no clock can be judged, agreement can.
    let run = handoff(&[
        "explain",
        "--policy",
        POLICY,
        "--ticket",
        "confidence=0.4",
        "--ticket",
        "resolved_tier=L2",
        "--format",
        "json",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let e: Value = serde_json::from_str(&run.stdout).unwrap();
    let h = &e["history"];
    assert_eq!(
        h["not_in_data"],
        json!([
            "created_at",
            "escalated_at",
            "first_human_response_at",
            "resolved_at",
            "reassignments",
            "reopened",
            "csat"
        ])
    );
    assert_eq!(h["created_at"], Value::Null);
    assert_eq!(h["as_of"], Value::Null);
    let reasons: Vec<&str> = h["sla"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            assert_eq!(c["status"], "not_judged");
            c["reason"].as_str().unwrap()
        })
        .collect();
    assert_eq!(
        reasons,
        [
            "needs column first_human_response_at",
            "needs column resolved_at"
        ]
    );
    // L1 is below L2, which resolved it.
    assert_eq!(h["agreement"], "under_routed");
}

#[test]
fn without_history_columns_there_is_no_history() {
    let args = [
        "explain",
        "--policy",
        POLICY,
        "--ticket",
        "confidence=0.4",
        "--ticket",
        "created_at=2026-03-02T08:00:00Z",
    ];
    let run = handoff(&args);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(!run.stdout.contains("what happened"), "{}", run.stdout);
    let mut json_args = args.to_vec();
    json_args.extend(["--format", "json"]);
    let run = handoff(&json_args);
    let e: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(e["history"], Value::Null);
}

#[test]
fn the_json_has_stable_keys() {
    let e = json_of("H1", &[]);
    let keys = |v: &Value| -> Vec<String> { v.as_object().unwrap().keys().cloned().collect() };
    assert_eq!(
        keys(&e),
        [
            "decision", "history", "policy", "rules", "ticket", "version"
        ]
    );
    assert_eq!(e["version"], 1);
    assert_eq!(
        keys(&e["decision"]),
        [
            "matched_rules",
            "missing_context",
            "owner",
            "priority",
            "reason_kind",
            "route",
            "rule",
            "sla",
            "timezone"
        ]
    );
    assert_eq!(
        keys(&e["rules"][0]),
        [
            "continue", "id", "position", "priority", "route", "trace", "verdict"
        ]
    );
    assert_eq!(
        keys(&e["rules"][0]["trace"]),
        ["children", "outcome", "test", "value"]
    );
    assert_eq!(
        keys(&e["history"]),
        [
            "agreement",
            "agreement_detail",
            "as_of",
            "created_at",
            "csat",
            "escalated_at",
            "first_human_response_at",
            "not_in_data",
            "reassignments",
            "reopened",
            "resolved_at",
            "resolved_tier",
            "sla"
        ]
    );
    assert_eq!(
        keys(&e["history"]["sla"][0]),
        [
            "due",
            "late_by_seconds",
            "reason",
            "status",
            "stopped_at",
            "target"
        ]
    );
    assert_eq!(
        keys(&e["ticket"]),
        ["fields", "id", "line", "notes", "text"]
    );
    let verdicts: Vec<&str> = e["rules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["verdict"].as_str().unwrap())
        .collect();
    assert_eq!(verdicts, ["unknown", "no_match", "decides"]);
}

#[test]
fn explain_agrees_with_the_decisions_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("d.csv");
    let run = handoff(&[
        "replay",
        "--policy",
        POLICY,
        "--tickets",
        TICKETS,
        "--decisions",
        path.to_str().unwrap(),
        "-o",
        "/dev/null",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let text = std::fs::read_to_string(&path).unwrap();
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    for row in reader.records() {
        let row = row.unwrap();
        let e = json_of(&row[0], &[]);
        assert_eq!(e["decision"]["route"], row[2], "{}", &row[0]);
        assert_eq!(e["history"]["agreement"], row[11], "{}", &row[0]);
        let due: Vec<String> = e["decision"]["sla"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d["due"].as_str().unwrap_or_default().to_string())
            .collect();
        let expected: Vec<String> = if due.is_empty() {
            Vec::new()
        } else {
            vec![row[8].to_string(), row[9].to_string()]
        };
        assert_eq!(due, expected, "{}", &row[0]);
    }
}

#[test]
fn expect_checks_the_route() {
    let run = explain("H1", &["--expect", "L1"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.stderr, "");
    // A different route: the explanation still prints, then one line says what differs.
    let run = explain("H1", &["--expect", "L2"]);
    assert_eq!(run.code, 1);
    assert!(
        run.stdout.starts_with("ticket H1 (line 2)\n"),
        "{}",
        run.stdout
    );
    assert_eq!(run.stderr, "expected L2, got L1 (rule 'low-confidence')\n");
    let run = explain("H3", &["--expect", "L1", "--format", "json"]);
    assert_eq!(run.code, 1);
    assert_eq!(run.stderr, "expected L1, got ai (the default route)\n");
    let run = explain("H3", &["--expect", "ai"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    // A route the policy does not have is a usage error, before anything is printed.
    let run = explain("H1", &["--expect", "L9"]);
    assert_eq!(run.code, 2);
    assert_eq!(run.stdout, "");
    assert!(
        run.stderr.contains(
            "--expect L9: no such route in fixtures/explain/history.yaml; routes: ai, L1, L2"
        ),
        "{}",
        run.stderr
    );
}
