//! Shared by `tests/replay_chunks.rs`, `tests/parquet_rows.rs`, `tests/parquet_chunks.rs` and
//! `tests/parquet_decode.rs`: running the real binary from the repository root, its output as
//! text, the replay arguments of the bad-tickets policy, and writing a Parquet file of given
//! columns (Snappy, row groups of a given size).

// Each test binary uses a part of this module.
#![allow(dead_code)]

#[path = "../run_common/mod.rs"]
mod run_common;
#[allow(unused_imports)]
pub use run_common::{root, run};

/// `handoff replay` of `tickets` under `fixtures/bad/tickets/policy.yaml` as JSON on `threads`
/// threads, every rejection allowed: the arguments the chunk and decode tests share.
pub fn bad_tickets_replay<'a>(tickets: &'a str, threads: &'a str) -> Vec<&'a str> {
    vec![
        "replay",
        "-q",
        "--policy",
        "fixtures/bad/tickets/policy.yaml",
        "--tickets",
        tickets,
        "--format",
        "json",
        "--max-reject-rate",
        "1",
        "--threads",
        threads,
    ]
}

/// The `_line` column of a `--rejects` file: the lines of the rejected records.
pub fn rejected_lines(path: &std::path::Path) -> Vec<u64> {
    let mut reader = csv::Reader::from_path(path).unwrap();
    let line = reader
        .headers()
        .unwrap()
        .iter()
        .position(|h| h == "_line")
        .expect("a _line column");
    reader
        .records()
        .map(|r| r.unwrap()[line].parse().unwrap())
        .collect()
}

pub fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[cfg(feature = "parquet")]
#[allow(unused_imports)]
pub use parquet_files::{strings, write_parquet};

#[cfg(feature = "parquet")]
mod parquet_files {
    use std::path::Path;
    use std::sync::Arc;

    use arrow_array::builder::StringBuilder;
    use arrow_array::{ArrayRef, RecordBatch};
    use arrow_schema::{DataType, Field, Schema};
    use parquet::arrow::ArrowWriter;
    use parquet::basic::Compression;
    use parquet::file::properties::WriterProperties;

    /// A Parquet file of `columns` (name, type, values; all nullable), Snappy, in row groups
    /// of `row_group` rows.
    pub fn write_parquet(path: &Path, columns: Vec<(&str, DataType, ArrayRef)>, row_group: usize) {
        let schema = Arc::new(Schema::new(
            columns
                .iter()
                .map(|(name, t, _)| Field::new(*name, t.clone(), true))
                .collect::<Vec<_>>(),
        ));
        let arrays = columns.into_iter().map(|(_, _, a)| a).collect();
        let batch = RecordBatch::try_new(schema.clone(), arrays).unwrap();
        let props = WriterProperties::builder()
            .set_compression(Compression::SNAPPY)
            .set_max_row_group_row_count(Some(row_group))
            .build();
        let mut writer =
            ArrowWriter::try_new(std::fs::File::create(path).unwrap(), schema, Some(props))
                .unwrap();
        writer.write(&batch).unwrap();
        writer.close().unwrap();
    }

    /// A string column (`None`: a null).
    pub fn strings<S: AsRef<str>>(cells: &[Option<S>]) -> ArrayRef {
        let mut b = StringBuilder::new();
        for c in cells {
            b.append_option(c.as_ref().map(AsRef::as_ref));
        }
        Arc::new(b.finish())
    }
}
