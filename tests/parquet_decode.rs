//! Parquet batches are decoded on the replay's threads that evaluate them (issue 11, round 4):
//! the reader thread only hands out numbered batches, and whichever thread evaluates a batch
//! decodes it (in input order, so that each batch knows the line of its first row). A file that
//! fails to decode partway through stops the replay with the same error, after the same
//! records, for 1 to 4 threads; and a file whose every batch decodes gives the CSV's report.
#![cfg(feature = "parquet")]

mod chunks_common;

use std::path::Path;

use arrow_schema::DataType;
use chunks_common::{bad_tickets_replay, run, strings, text, write_parquet};

/// `rows` tickets (some texts with line breaks) as Parquet in row groups of `row_group` rows.
fn tickets(path: &Path, rows: usize, row_group: usize) {
    let ids: Vec<Option<String>> = (0..rows).map(|i| Some(format!("T{i}"))).collect();
    let texts: Vec<Option<String>> = (0..rows)
        .map(|i| match i % 7 {
            0 => Some(format!("two\nlines {i}")),
            _ => Some(format!("please refund order {i}, charged twice")),
        })
        .collect();
    let priorities: Vec<Option<&str>> = (0..rows)
        .map(|i| Some(["urgent", "high", "normal", "low"][i % 4]))
        .collect();
    write_parquet(
        path,
        vec![
            ("id", DataType::Utf8, strings(&ids)),
            ("text", DataType::Utf8, strings(&texts)),
            ("priority", DataType::Utf8, strings(&priorities)),
        ],
        row_group,
    );
}

/// Overwrite the start of the `text` column's data in the last row group (its page header).
fn corrupt_last_row_group(path: &Path) {
    use parquet::file::reader::{FileReader, SerializedFileReader};
    let reader = SerializedFileReader::new(std::fs::File::open(path).unwrap()).unwrap();
    let meta = reader.metadata();
    let last = meta.row_group(meta.num_row_groups() - 1);
    let offset = last.column(1).data_page_offset() as usize;
    let mut bytes = std::fs::read(path).unwrap();
    for b in &mut bytes[offset..offset + 12] {
        *b = 0xff;
    }
    std::fs::write(path, bytes).unwrap();
}

fn replay(tickets: &Path, threads: &str) -> std::process::Output {
    run(&bad_tickets_replay(tickets.to_str().unwrap(), threads))
}

#[test]
fn a_batch_that_fails_to_decode_stops_the_replay_alike_for_1_to_4_threads() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("broken.parquet");
    tickets(&path, 6_000, 1_000);
    corrupt_last_row_group(&path);
    let name = path.to_str().unwrap();
    let mut first: Option<(Option<i32>, String)> = None;
    for threads in ["1", "2", "3", "4"] {
        let output = replay(&path, threads);
        let got = (
            output.status.code(),
            text(&output.stderr).replace(name, "TICKETS"),
        );
        assert_eq!(got.0, Some(2), "{threads} threads: {}", got.1);
        // The error the reader thread reported when it decoded the batches itself.
        assert_eq!(
            got.1,
            "error: TICKETS: cannot read the tickets: cannot read: Parquet argument error: \
             Parquet error: Unexpected struct field type 15\n",
            "{threads} threads"
        );
        assert!(output.stdout.is_empty(), "{threads} threads");
        match &first {
            None => first = Some(got),
            Some(first) => assert_eq!(&got, first, "{threads} threads"),
        }
    }
}

#[test]
fn many_batches_decoded_by_any_thread_give_one_report() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("tickets.parquet");
    // Row groups of 700 rows: batches of 4,096 span them.
    tickets(&path, 9_000, 700);
    let one = replay(&path, "1");
    assert_eq!(one.status.code(), Some(0), "{}", text(&one.stderr));
    let json: serde_json::Value = serde_json::from_slice(&one.stdout).unwrap();
    assert_eq!(json["input"]["records"], 9_000);
    for threads in ["2", "3", "4"] {
        let output = replay(&path, threads);
        assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
        assert_eq!(text(&output.stdout), text(&one.stdout), "{threads} threads");
    }
}
