//! Replay parses the CSV on its worker threads, in chunks the reader cuts at record boundaries
//! (issue 16). Across many chunk boundaries, rejected records keep the line an editor shows —
//! with CRLF line ends, blank lines, line breaks inside quoted fields, quotes the parser reads as
//! plain characters, and a byte-order mark inside the data — and the report is the same for any
//! number of threads. The inputs are built here, a few megabytes, never committed.

mod chunks_common;

use chunks_common::{rejected_lines, run, text};

const POLICY: &str = "fixtures/bad/tickets/policy.yaml";

/// Tickets of every awkward shape, and the line (1-based, as an editor shows it) of each one
/// that must be rejected: its confidence is not a number.
fn awkward_tickets(records: usize) -> (Vec<u8>, Vec<u64>) {
    let mut csv = b"id,created_at,text,confidence,requested_human,priority\n".to_vec();
    let mut rejected = Vec::new();
    let filler = "the invoice was charged twice; please refund it ".repeat(3);
    let mut newlines = 1;
    for i in 0..records {
        let line = 1 + newlines;
        let end: &[u8] = if i % 3 == 0 { b"\r\n" } else { b"\n" };
        // A blank line before every eleventh record: the record is on the next line.
        let line = line + u64::from(i % 11 == 0);
        let text = match i % 7 {
            0 => format!("\"{filler}\nsecond line\r\nthird \"\"quoted\"\" line\""),
            1 => format!("plain {filler} with a \"quote\" inside"),
            2 => format!("\u{feff}\"{filler}\""),
            _ => format!("\"{filler}\""),
        };
        let confidence = if i % 97 == 5 { "abc" } else { "0.5" };
        if i % 97 == 5 {
            rejected.push(line);
        }
        let record = format!("T{i},2026-03-02T09:00:00Z,{text},{confidence},false,normal");
        let start = csv.len();
        csv.extend_from_slice(record.as_bytes());
        csv.extend_from_slice(end);
        if i % 11 == 0 {
            csv.splice(start..start, end.iter().copied());
        }
        newlines += csv[start..].iter().filter(|&&b| b == b'\n').count() as u64;
    }
    (csv, rejected)
}

#[test]
fn rejected_records_keep_their_lines_across_chunks() {
    let dir = tempfile::tempdir().unwrap();
    // About 2.6 MB: seven chunks and more.
    let (csv, expected) = awkward_tickets(12_000);
    let tickets = dir.path().join("awkward.csv");
    std::fs::write(&tickets, &csv).unwrap();
    let mut reports = Vec::new();
    for threads in ["1", "2", "3"] {
        let rejects = dir.path().join(format!("rejects-{threads}.csv"));
        let out = run(&[
            "replay",
            "--policy",
            POLICY,
            "--tickets",
            tickets.to_str().unwrap(),
            "--format",
            "json",
            "--threads",
            threads,
            "--rejects",
            rejects.to_str().unwrap(),
        ]);
        assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
        assert_eq!(rejected_lines(&rejects), expected, "{threads} threads");
        reports.push(out.stdout);
    }
    assert!(!expected.is_empty());
    assert_eq!(reports[0], reports[1]);
    assert_eq!(reports[0], reports[2]);
    let json: serde_json::Value = serde_json::from_slice(&reports[0]).unwrap();
    assert_eq!(json["input"]["records"], 12_000);
    assert_eq!(json["input"]["rejected"], expected.len());
}

#[test]
fn a_file_of_carriage_returns_is_read_in_chunks_too() {
    let dir = tempfile::tempdir().unwrap();
    let (csv, _) = awkward_tickets(3_000);
    // Old Mac line ends only: no `\n` anywhere outside quoted fields.
    let csv: Vec<u8> = text(&csv)
        .replace("\r\n", "\n")
        .replace('\n', "\r")
        .into_bytes();
    let tickets = dir.path().join("cr.csv");
    std::fs::write(&tickets, &csv).unwrap();
    let mut reports = Vec::new();
    for threads in ["1", "2"] {
        let out = run(&[
            "replay",
            "--policy",
            POLICY,
            "--tickets",
            tickets.to_str().unwrap(),
            "--format",
            "json",
            "--threads",
            threads,
        ]);
        assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
        reports.push(out.stdout);
    }
    assert_eq!(reports[0], reports[1]);
}
