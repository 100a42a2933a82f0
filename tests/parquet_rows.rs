//! Parquet rows are read straight from their Arrow columns (no CSV text in between): every
//! verb must still see exactly what a CSV export of the same table gives — cells with commas,
//! quotes and line breaks, nulls, fractional and wall-clock timestamps, numbers as Rust writes
//! them, the line of each record (a line break inside a cell moves the lines after it), the
//! rejected records, and event logs folded into tickets.
#![cfg(feature = "parquet")]

mod chunks_common;

use std::path::Path;
use std::process::Output;
use std::sync::Arc;

use arrow_array::builder::{
    BooleanBuilder, Float64Builder, Int64Builder, TimestampMillisecondBuilder,
    TimestampSecondBuilder,
};
use arrow_schema::{DataType, TimeUnit};
use chunks_common::{strings, write_parquet as write};

fn handoff(args: &[&str]) -> Output {
    chunks_common::run(args)
}

/// A CSV file with only text columns as Parquet (empty cells as nulls).
fn csv_as_parquet(csv: &Path, parquet: &Path, row_group: usize) {
    let mut reader = csv::Reader::from_path(csv).unwrap();
    let header: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    let columns = header
        .iter()
        .enumerate()
        .map(|(i, name)| {
            let cells: Vec<Option<&str>> = rows
                .iter()
                .map(|r| r.get(i).filter(|c| !c.is_empty()))
                .collect();
            (name.as_str(), DataType::Utf8, strings(&cells))
        })
        .collect();
    write(parquet, columns, row_group);
}

/// Run `args` with `{T}` standing for `tickets` and `{OUT}` for `out`: stdout, stderr (the
/// ticket path made `TICKETS`), exit code and every file written into `out`.
fn run(args: &[&str], tickets: &Path, out: &Path) -> Vec<String> {
    std::fs::create_dir_all(out).unwrap();
    let tickets = tickets.to_str().unwrap();
    let out_dir = out.to_str().unwrap();
    let args: Vec<String> = args
        .iter()
        .map(|a| a.replace("{T}", tickets).replace("{OUT}", out_dir))
        .collect();
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    let output = handoff(&refs);
    let clean = |bytes: &[u8]| {
        String::from_utf8_lossy(bytes)
            .replace(tickets, "TICKETS")
            .replace(out_dir, "OUT")
    };
    let mut seen = vec![
        format!("exit {:?}", output.status.code()),
        clean(&output.stdout),
        clean(&output.stderr),
    ];
    let mut files: Vec<_> = std::fs::read_dir(out)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    for file in files {
        seen.push(format!(
            "{}: {}",
            file.display(),
            clean(&std::fs::read(&file).unwrap())
        ));
        std::fs::remove_file(&file).unwrap();
    }
    seen
}

/// The same commands on the CSV and on the Parquet file give the same bytes.
fn same_output(csv: &Path, parquet: &Path, commands: &[&[&str]]) {
    let dir = tempfile::tempdir().unwrap();
    for args in commands {
        let from_csv = run(args, csv, &dir.path().join("out"));
        let from_parquet = run(args, parquet, &dir.path().join("out"));
        assert_eq!(from_csv, from_parquet, "{args:?}");
        // lint exits 1 for the columns the policy reads and the file lacks; nothing exits 2.
        assert_ne!(from_csv[0], "exit Some(2)", "{args:?}: {from_csv:?}");
    }
}

/// The table of [`awkward_cells_lines_and_rejects_read_as_their_csv`] as a CSV export writes
/// it: numbers as Rust writes them, timestamps as jiff writes them.
const AWKWARD_CSV: &str = "id,created_at,text,confidence,requested_human,reassignments,escalated_at\n\
T1,2026-03-02T10:00:00Z,\"where, is \"\"my\"\" parcel\",0.95,false,0,2026-03-02T10:05:00\n\
T2,2026-03-02T11:00:00.25Z,\"line one\nline two, my lawyer\",0.1,true,2,\n\
T3,,\"crlf\r\nhere\",1,,,2026-03-02T12:00:00\n\
,2026-03-02T12:00:00Z,no id,0.5,false,1,\n\
T5,2026-03-02T13:00:00Z,,0.0000001,true,3,2026-03-02T13:30:00\n\
T6,2026-03-02T14:00:00Z,\"a \"\"quoted\"\" refund\",123456789.5,false,,\n";

#[test]
fn awkward_cells_lines_and_rejects_read_as_their_csv() {
    let dir = tempfile::tempdir().unwrap();
    let csv_path = dir.path().join("tickets.csv");
    std::fs::write(&csv_path, AWKWARD_CSV).unwrap();
    let parquet_path = dir.path().join("tickets.parquet");
    let at = |s: &str| s.parse::<jiff::Timestamp>().unwrap();
    let mut created = TimestampMillisecondBuilder::new().with_timezone("UTC");
    for c in [
        Some("2026-03-02T10:00:00Z"),
        Some("2026-03-02T11:00:00.25Z"),
        None,
        Some("2026-03-02T12:00:00Z"),
        Some("2026-03-02T13:00:00Z"),
        Some("2026-03-02T14:00:00Z"),
    ] {
        created.append_option(c.map(|c| at(c).as_millisecond()));
    }
    // Wall-clock times (no zone): written without an offset.
    let mut escalated = TimestampSecondBuilder::new();
    for c in [
        Some("2026-03-02T10:05:00Z"),
        None,
        Some("2026-03-02T12:00:00Z"),
        None,
        Some("2026-03-02T13:30:00Z"),
        None,
    ] {
        escalated.append_option(c.map(|c| at(c).as_second()));
    }
    let mut confidence = Float64Builder::new();
    for c in [0.95, 0.1, 1.0, 0.5, 0.0000001, 123456789.5] {
        confidence.append_value(c);
    }
    let mut requested = BooleanBuilder::new();
    for c in [
        Some(false),
        Some(true),
        None,
        Some(false),
        Some(true),
        Some(false),
    ] {
        requested.append_option(c);
    }
    let mut reassignments = Int64Builder::new();
    for c in [Some(0), Some(2), None, Some(1), Some(3), None] {
        reassignments.append_option(c);
    }
    write(
        &parquet_path,
        vec![
            (
                "id",
                DataType::Utf8,
                strings(&[
                    Some("T1"),
                    Some("T2"),
                    Some("T3"),
                    None,
                    Some("T5"),
                    Some("T6"),
                ]),
            ),
            (
                "created_at",
                DataType::Timestamp(TimeUnit::Millisecond, Some("UTC".into())),
                Arc::new(created.finish()),
            ),
            (
                "text",
                DataType::Utf8,
                strings(&[
                    Some("where, is \"my\" parcel"),
                    Some("line one\nline two, my lawyer"),
                    Some("crlf\r\nhere"),
                    Some("no id"),
                    None,
                    Some("a \"quoted\" refund"),
                ]),
            ),
            (
                "confidence",
                DataType::Float64,
                Arc::new(confidence.finish()),
            ),
            (
                "requested_human",
                DataType::Boolean,
                Arc::new(requested.finish()),
            ),
            (
                "reassignments",
                DataType::Int64,
                Arc::new(reassignments.finish()),
            ),
            (
                "escalated_at",
                DataType::Timestamp(TimeUnit::Second, None),
                Arc::new(escalated.finish()),
            ),
        ],
        // Row groups of 4 rows: a record's line carries over from one group to the next.
        4,
    );
    same_output(
        &csv_path,
        &parquet_path,
        &[
            &[
                "replay",
                "-q",
                "--policy",
                "policies/support.yaml",
                "--tickets",
                "{T}",
                "--format",
                "json",
                "--max-reject-rate",
                "1",
                "--decisions",
                "{OUT}/decisions.csv",
                "--rejects",
                "{OUT}/rejects.csv",
            ],
            &[
                "replay",
                "-q",
                "--policy",
                "policies/support.yaml",
                "--tickets",
                "{T}",
                "--max-reject-rate",
                "1",
                "--threads",
                "1",
            ],
            &[
                "explain",
                "--policy",
                "policies/support.yaml",
                "--tickets",
                "{T}",
                "--id",
                "T2",
            ],
            &[
                "lint",
                "policies/support.yaml",
                "--tickets",
                "{T}",
                "--format",
                "json",
            ],
        ],
    );
    // The record without an id starts on line 7 of the CSV: T2's and T3's texts take two
    // lines each.
    let out = dir.path().join("check");
    let seen = run(
        &[
            "replay",
            "-q",
            "--policy",
            "policies/support.yaml",
            "--tickets",
            "{T}",
            "--max-reject-rate",
            "1",
            "--format",
            "json",
            "--rejects",
            "{OUT}/rejects.csv",
        ],
        &parquet_path,
        &out,
    );
    let rejects = seen.iter().find(|s| s.contains("rejects.csv")).unwrap();
    assert!(rejects.contains("\n7,"), "{rejects}");
}

#[test]
fn event_logs_fold_from_parquet_as_from_csv() {
    let dir = tempfile::tempdir().unwrap();
    for (name, map) in [("audit", "audit"), ("threads", "threads"), ("flow", "flow")] {
        let csv_path = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("fixtures/events")
            .join(format!("{name}.csv"));
        let parquet_path = dir.path().join(format!("{name}.parquet"));
        // Row groups of 3 rows: a ticket's events span row groups.
        csv_as_parquet(&csv_path, &parquet_path, 3);
        let map = format!("fixtures/events/{map}.toml");
        same_output(
            &csv_path,
            &parquet_path,
            &[
                &[
                    "replay",
                    "-q",
                    "--policy",
                    "policies/support.yaml",
                    "--tickets",
                    "{T}",
                    "--map",
                    &map,
                    "--format",
                    "json",
                    "--max-reject-rate",
                    "1",
                    "--decisions",
                    "{OUT}/decisions.csv",
                    "--rejects",
                    "{OUT}/rejects.csv",
                ],
                &[
                    "replay",
                    "-q",
                    "--policy",
                    "policies/support.yaml",
                    "--tickets",
                    "{T}",
                    "--map",
                    &map,
                    "--max-reject-rate",
                    "1",
                    "--format",
                    "markdown",
                ],
            ],
        );
    }
}
