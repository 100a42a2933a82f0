//! `handoff replay --threads N`: the report, the `--decisions` file and the `--rejects` file
//! are byte-identical whatever the number of threads (DESIGN §4: output is identical whatever
//! the thread count).

use std::path::{Path, PathBuf};
use std::process::Command;

mod threads_common;
use threads_common::{handoff, root};

fn path_str(path: &Path) -> &str {
    path.to_str().expect("UTF-8 temp path")
}

/// Generated tickets (several batches of records) with a few records to reject and a
/// duplicate id, so that rejects and `--check-ids` cross batch and thread boundaries.
fn tickets(dir: &Path) -> PathBuf {
    let generated = handoff(&["gen", "--rows", "6000", "--seed", "11"]).stdout;
    let mut text = String::from_utf8(generated).expect("UTF-8 tickets");
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    for at in [700, 2049, 4500] {
        // A confidence the rules read, out of range: rejected.
        lines[at] = lines[at].replacen(",0.", ",7.", 1);
    }
    let duplicate = lines[3000].clone();
    lines.insert(5000, duplicate);
    lines.push("X1,not a timestamp,short".to_string());
    text = lines.join("\n");
    text.push('\n');
    let path = dir.join("tickets.csv");
    std::fs::write(&path, text).expect("write tickets");
    path
}

/// Report, decisions file and rejects file of one replay.
fn run(policy: &str, tickets: &Path, threads: &str, extra: &[&str], dir: &Path) -> [Vec<u8>; 3] {
    let decisions = dir.join(format!("decisions-{threads}.csv"));
    let rejects = dir.join(format!("rejects-{threads}.csv"));
    let mut args = vec![
        "replay",
        "--policy",
        policy,
        "--tickets",
        path_str(tickets),
        "--threads",
        threads,
        "--decisions",
        path_str(&decisions),
        "--rejects",
        path_str(&rejects),
    ];
    args.extend_from_slice(extra);
    let report = handoff(&args).stdout;
    [
        report,
        std::fs::read(&decisions).expect("decisions"),
        std::fs::read(&rejects).expect("rejects"),
    ]
}

fn assert_same_for_any_thread_count(policy: &str, tickets: &Path, extra: &[&str]) {
    let dir = tempfile::tempdir().expect("temp dir");
    let one = run(policy, tickets, "1", extra, dir.path());
    assert!(!one[0].is_empty() && !one[1].is_empty());
    for threads in ["2", "3", "4", "2"] {
        let many = run(policy, tickets, threads, extra, dir.path());
        for (name, (a, b)) in ["report", "decisions", "rejects"]
            .iter()
            .zip(one.iter().zip(&many))
        {
            assert!(
                a == b,
                "{name} differs between 1 and {threads} threads ({extra:?})"
            );
        }
    }
}

#[test]
fn generated_tickets_same_report_for_any_thread_count() {
    let dir = tempfile::tempdir().expect("temp dir");
    let tickets = tickets(dir.path());
    let policy = "policies/support.yaml";
    assert_same_for_any_thread_count(policy, &tickets, &["--format", "json"]);
    assert_same_for_any_thread_count(
        policy,
        &tickets,
        &["--format", "json", "--by", "channel", "--check-ids"],
    );
    assert_same_for_any_thread_count(
        policy,
        &tickets,
        &[
            "--format",
            "csv",
            "--by",
            "month",
            "--as-of",
            "2026-03-01T00:00:00Z",
        ],
    );
    // The records to reject are there, and rejected.
    let dir2 = tempfile::tempdir().expect("temp dir");
    let [report, _, rejects] = run(
        policy,
        &tickets,
        "2",
        &["--format", "json", "--check-ids"],
        dir2.path(),
    );
    let report: serde_json::Value = serde_json::from_slice(&report).expect("JSON");
    assert_eq!(report["input"]["rejected"], 5);
    assert_eq!(String::from_utf8_lossy(&rejects).lines().count(), 6);
}

#[test]
fn fixture_same_report_for_any_thread_count() {
    let tickets = root().join("fixtures/replay/tickets.csv");
    let policy = "fixtures/replay/policy.yaml";
    assert_same_for_any_thread_count(policy, &tickets, &["--format", "json"]);
    assert_same_for_any_thread_count(policy, &tickets, &["--format", "table", "--by", "priority"]);
}

#[test]
fn strict_stops_at_the_first_rejected_record_in_input_order() {
    let dir = tempfile::tempdir().expect("temp dir");
    let tickets = tickets(dir.path());
    for threads in ["1", "2"] {
        let out = Command::new(env!("CARGO_BIN_EXE_handoff"))
            .current_dir(root())
            .args([
                "replay",
                "--policy",
                "policies/support.yaml",
                "--tickets",
                path_str(&tickets),
                "--strict",
                "--threads",
                threads,
            ])
            .output()
            .expect("run handoff");
        assert_eq!(out.status.code(), Some(2));
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            stderr.contains("line 701: confidence: 7."),
            "{threads} threads: {stderr}"
        );
    }
}

/// One day of tickets, none answered (every escalated ticket's clocks still running at the
/// end), half of them created at 02:00 (all due the same second of each kind when the
/// calendar opens: more than a block's counter holds), a seventh at a fraction of a
/// second: the clocks held for the default
/// `--as-of` (counted per due second and kind, settled as the reading passes them or at the
/// end) give the report of that instant given as `--as-of` (each clock judged when read), on
/// 1 and 2 threads, overall and per `--by` group; time-based hand-offs are settled the same way.
#[test]
fn clocks_held_for_the_default_as_of_equal_clocks_judged_at_once() {
    let generated = handoff(&["gen", "--rows", "12000", "--seed", "5", "--days", "1"]).stdout;
    let text = String::from_utf8(generated).expect("UTF-8 tickets");
    let mut lines = text.lines();
    let head: Vec<&str> = lines.next().expect("a header").split(',').collect();
    let column = |name: &str| head.iter().position(|c| *c == name).expect(name);
    let blank = [
        column("first_human_response_at"),
        column("resolved_at"),
        column("resolved_tier"),
    ];
    let created = column("created_at");
    let mut csv = csv::Writer::from_writer(Vec::new());
    csv.write_record(&head).expect("header");
    let mut reader = csv::ReaderBuilder::new().from_reader(text.as_bytes());
    for (n, record) in reader.records().enumerate() {
        let record = record.expect("a generated record");
        let fields: Vec<String> = (0..record.len())
            .map(|i| match record.get(i).unwrap_or("") {
                _ if blank.contains(&i) => String::new(),
                _ if i == created && n % 2 == 0 => "2026-01-05T02:00:00Z".to_string(),
                at if i == created && n % 7 == 0 => at.replace('Z', ".25Z"),
                value => value.to_string(),
            })
            .collect();
        csv.write_record(&fields).expect("record");
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let tickets = dir.path().join("pending.csv");
    std::fs::write(&tickets, csv.into_inner().expect("CSV")).expect("write tickets");

    let policy = root().join("policies/support.yaml");
    let replay = |threads: &str, extra: &[&str]| {
        let mut args = vec!["replay", "--policy", path_str(&policy), "--tickets"];
        args.extend([path_str(&tickets), "--format", "json", "--by", "channel"]);
        args.extend(["--threads", threads]);
        args.extend_from_slice(extra);
        handoff(&args).stdout
    };
    let held = replay("2", &[]);
    let report: serde_json::Value = serde_json::from_slice(&held).expect("JSON report");
    let as_of = report["input"]["as_of"]
        .as_str()
        .expect("an as-of")
        .to_string();
    // The clocks are there to be settled: many pending, many breached, hand-offs happened.
    let pending: u64 = report["report"]["sla_by_tier_priority"]
        .as_array()
        .expect("SLA rows")
        .iter()
        .filter_map(|row| row["pending"].as_u64())
        .sum();
    assert!(pending > 1_000, "{pending} clocks pending");
    assert!(report["report"]["time_based_escalation"]["escalated"]["numerator"].as_u64() > Some(0));
    assert_eq!(replay("1", &[]), held, "1 thread, default --as-of");
    for threads in ["1", "2"] {
        let judged = replay(threads, &["--as-of", &as_of]);
        assert_eq!(
            String::from_utf8_lossy(&judged),
            String::from_utf8_lossy(&held),
            "--as-of {as_of}, {threads} threads"
        );
    }
}
