//! Parquet rows are split into records on the replay's worker threads: the reader thread only
//! decodes batches of Arrow columns (and counts the line breaks inside their strings) and hands
//! them through the pipeline (issue 11). Across many batches and row groups, every record keeps
//! the line a CSV export of the table gives it, rejected records are the CSV's, events folded
//! across row groups give the CSV's tickets, and the report is the same for 1 to 4 threads and
//! the same as from the CSV. The inputs are built here from a seed, never committed.
#![cfg(feature = "parquet")]

mod chunks_common;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use arrow_array::ArrayRef;
use arrow_array::builder::TimestampMillisecondBuilder;
use arrow_schema::{DataType, TimeUnit};
use chunks_common::{bad_tickets_replay, rejected_lines, root, run, strings, text, write_parquet};

/// A seeded table of `rows` tickets of awkward shapes, as Parquet (row groups of `row_group`
/// rows) and as the CSV export of the same table; and the line, in that CSV, of each record
/// that must be rejected (its confidence is not a number, or it has no id).
fn awkward(dir: &Path, rows: usize, row_group: usize) -> (PathBuf, PathBuf, Vec<u64>) {
    let mut state: u64 = 0x2545_f491_4f6c_dd1d;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let (mut ids, mut texts, mut confidences, mut priorities) = (vec![], vec![], vec![], vec![]);
    let mut created = TimestampMillisecondBuilder::new().with_timezone("UTC");
    let mut csv = csv::Writer::from_writer(Vec::new());
    csv.write_record(["id", "created_at", "text", "confidence", "priority"])
        .unwrap();
    let (mut line, mut rejected) = (2u64, Vec::new());
    for i in 0..rows {
        let r = next();
        let id = (r % 211 != 7).then(|| format!("T{i}"));
        let text = match r % 9 {
            0 => Some(format!("first line\nsecond, \"quoted\"\nthird {i}")),
            1 => Some(format!("crlf\r\nhere {i}")),
            2 => None,
            _ => Some(format!("please refund order {i}, charged twice")),
        };
        let confidence = match (r >> 8) % 101 {
            5 => Some("abc".to_string()),
            6 => None,
            n => Some(format!("0.{n:02}")),
        };
        let priority = ["urgent", "high", "normal", "low"][(r >> 16) as usize % 4].to_string();
        // Whole seconds (the fast path) and fractions (jiff's).
        let millis = 1_772_445_600_000
            + (r >> 20) as i64 % 10_000_000 * 1_000
            + if r % 5 == 0 { 250 } else { 0 };
        created.append_value(millis);
        let at = jiff::Timestamp::from_millisecond(millis)
            .unwrap()
            .to_string();
        let cells = [
            id.clone().unwrap_or_default(),
            at,
            text.clone().unwrap_or_default(),
            confidence.clone().unwrap_or_default(),
            priority.clone(),
        ];
        csv.write_record(&cells).unwrap();
        if id.is_none() || confidence.as_deref() == Some("abc") {
            rejected.push(line);
        }
        line += 1 + cells
            .iter()
            .map(|c| c.matches('\n').count() as u64)
            .sum::<u64>();
        ids.push(id);
        texts.push(text);
        confidences.push(confidence);
        priorities.push(Some(priority));
    }
    let csv_path = dir.join("awkward.csv");
    std::fs::write(&csv_path, csv.into_inner().unwrap()).unwrap();
    let parquet_path = dir.join("awkward.parquet");
    write_parquet(
        &parquet_path,
        vec![
            ("id", DataType::Utf8, strings(&ids)),
            (
                "created_at",
                DataType::Timestamp(TimeUnit::Millisecond, Some("UTC".into())),
                Arc::new(created.finish()),
            ),
            ("text", DataType::Utf8, strings(&texts)),
            ("confidence", DataType::Utf8, strings(&confidences)),
            ("priority", DataType::Utf8, strings(&priorities)),
        ],
        row_group,
    );
    (csv_path, parquet_path, rejected)
}

/// Replay `tickets` on `threads` threads: the JSON report, the `--decisions` and the
/// `--rejects` files.
fn replay(
    tickets: &Path,
    extra: &[&str],
    threads: &str,
    out: &Path,
) -> (Vec<u8>, Vec<u8>, Vec<u8>) {
    let decisions = out.join(format!("decisions-{threads}.csv"));
    let rejects = out.join(format!("rejects-{threads}.csv"));
    let mut args = bad_tickets_replay(tickets.to_str().unwrap(), threads);
    args.extend([
        "--decisions",
        decisions.to_str().unwrap(),
        "--rejects",
        rejects.to_str().unwrap(),
    ]);
    args.extend_from_slice(extra);
    let output = run(&args);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    (
        output.stdout,
        std::fs::read(&decisions).unwrap(),
        std::fs::read(&rejects).unwrap(),
    )
}

/// The report names the input file; make the two inputs' reports comparable.
fn without(bytes: &[u8], path: &Path) -> String {
    text(bytes).replace(path.to_str().unwrap(), "TICKETS")
}

#[test]
fn rows_split_on_workers_keep_lines_and_rejects_for_1_to_4_threads() {
    let dir = tempfile::tempdir().unwrap();
    // Batches of 4,096 decoded rows over row groups of 1,000: batches span row groups.
    let (csv_path, parquet_path, expected) = awkward(dir.path(), 12_000, 1_000);
    assert!(expected.len() > 100, "{}", expected.len());
    let (csv_report, csv_decisions, csv_rejects) = replay(&csv_path, &[], "2", dir.path());
    assert_eq!(rejected_lines(&dir.path().join("rejects-2.csv")), expected);
    for threads in ["1", "2", "3", "4"] {
        let (report, decisions, rejects) = replay(&parquet_path, &[], threads, dir.path());
        let rejects_path = dir.path().join(format!("rejects-{threads}.csv"));
        assert_eq!(rejected_lines(&rejects_path), expected, "{threads} threads");
        assert_eq!(
            without(&report, &parquet_path),
            without(&csv_report, &csv_path),
            "{threads} threads"
        );
        assert_eq!(decisions, csv_decisions, "{threads} threads");
        assert_eq!(
            without(&rejects, &parquet_path),
            without(&csv_rejects, &csv_path),
            "{threads} threads"
        );
    }
    let json: serde_json::Value = serde_json::from_slice(&csv_report).unwrap();
    assert_eq!(json["input"]["records"], 12_000);
    assert_eq!(json["input"]["rejected"], expected.len());
}

#[test]
fn events_across_row_groups_fold_as_from_csv_for_1_to_4_threads() {
    let dir = tempfile::tempdir().unwrap();
    // The audit fixture's incidents repeated under new numbers: 2,000 incidents of 2–4 events
    // each, in row groups of 7 rows, so that most incidents span two row groups.
    let fixture = std::fs::read_to_string(root().join("fixtures/events/audit.csv")).unwrap();
    let mut lines = fixture.lines();
    let header = lines.next().unwrap();
    let events: Vec<&str> = lines.collect();
    let mut csv = format!("{header}\n");
    for copy in 0..200 {
        for event in &events {
            let (number, rest) = event.split_once(',').unwrap();
            csv.push_str(&format!("{number}-{copy},{rest}\n"));
        }
    }
    let csv_path = dir.path().join("audit.csv");
    std::fs::write(&csv_path, &csv).unwrap();
    let mut reader = csv::Reader::from_reader(csv.as_bytes());
    let names: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    let columns: Vec<(&str, DataType, ArrayRef)> = names
        .iter()
        .enumerate()
        .map(|(i, name)| {
            let cells: Vec<Option<String>> = rows
                .iter()
                .map(|r| r.get(i).filter(|c| !c.is_empty()).map(String::from))
                .collect();
            (name.as_str(), DataType::Utf8, strings(&cells))
        })
        .collect();
    let parquet_path = dir.path().join("audit.parquet");
    write_parquet(&parquet_path, columns, 7);
    let map = ["--map", "fixtures/events/audit.toml"];
    let (csv_report, csv_decisions, _) = replay(&csv_path, &map, "2", dir.path());
    let json: serde_json::Value = serde_json::from_slice(&csv_report).unwrap();
    // 600 incidents, and 400 events rejected for their time (two per copy of INC3).
    assert_eq!(json["input"]["records"], 1000);
    assert_eq!(json["input"]["rejected"], 400);
    assert_eq!(
        json["input"]["notes"][0],
        "2000 events made 600 tickets (400 events rejected)"
    );
    for threads in ["1", "2", "3", "4"] {
        let (report, decisions, _) = replay(&parquet_path, &map, threads, dir.path());
        assert_eq!(
            without(&report, &parquet_path),
            without(&csv_report, &csv_path),
            "{threads} threads"
        );
        assert_eq!(decisions, csv_decisions, "{threads} threads");
    }
}
