//! `handoff sweep --threads N`: every value is evaluated on replay's threads, and the report is
//! byte-identical whatever the number of threads (DESIGN §4), in every format, with rejected
//! records across batch boundaries and with or without `--as-of`.

use std::path::{Path, PathBuf};

mod threads_common;
use threads_common::handoff;

/// Generated tickets (several batches of records) with a few records to reject.
fn tickets(dir: &Path) -> PathBuf {
    let generated = handoff(&["gen", "--rows", "6000", "--seed", "11"]).stdout;
    let text = String::from_utf8(generated).expect("UTF-8 tickets");
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    for at in [700, 2049, 4500] {
        // A confidence the rules read, out of range: rejected.
        lines[at] = lines[at].replacen(",0.", ",7.", 1);
    }
    lines.push("X1,not a timestamp,short".to_string());
    let path = dir.join("tickets.csv");
    std::fs::write(&path, lines.join("\n") + "\n").expect("write tickets");
    path
}

fn sweep(tickets: &Path, threads: &str, extra: &[&str]) -> Vec<u8> {
    let mut args = vec![
        "sweep",
        "--policy",
        "policies/support.yaml",
        "--tickets",
        tickets.to_str().expect("UTF-8 temp path"),
        "--rule",
        "low-confidence",
        "--param",
        "confidence.below",
        "--from",
        "0.05",
        "--to",
        "0.95",
        "--step",
        "0.05",
        "--threads",
        threads,
    ];
    args.extend_from_slice(extra);
    handoff(&args).stdout
}

#[test]
fn a_sweep_is_the_same_on_any_number_of_threads() {
    let dir = tempfile::tempdir().expect("temp dir");
    let tickets = tickets(dir.path());
    for extra in [
        &["--format", "json"][..],
        &["--format", "csv", "--as-of", "2026-01-01T00:00:00Z"],
        &["--format", "table", "--max-escalation-rate", "0.4"],
    ] {
        let one = sweep(&tickets, "1", extra);
        let text = String::from_utf8_lossy(&one);
        assert!(text.contains("0.95"), "{extra:?}: {text}");
        for threads in ["2", "3", "4", "2"] {
            assert!(
                one == sweep(&tickets, threads, extra),
                "sweep {extra:?} differs between 1 and {threads} threads"
            );
        }
    }
}

/// The figures are those one pass would count: the rejected records are counted once, and
/// every value saw every other ticket.
#[test]
fn a_sweep_on_threads_counts_every_ticket_once() {
    let dir = tempfile::tempdir().expect("temp dir");
    let tickets = tickets(dir.path());
    let json: serde_json::Value =
        serde_json::from_slice(&sweep(&tickets, "3", &["--format", "json"])).expect("JSON");
    assert_eq!(json["input"]["records"], 6001);
    assert_eq!(json["input"]["rejected"], 4);
    let points = json["points"].as_array().expect("points");
    assert_eq!(points.len(), 19);
    for point in points {
        assert_eq!(point["escalation_rate"]["denominator"], 5997, "{point}");
    }
}
