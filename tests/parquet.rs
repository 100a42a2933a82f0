//! Parquet ticket files: a generated export written as Parquet (typed columns: timestamps,
//! floats, booleans, strings with nulls) replays exactly as its CSV does; only mapped columns
//! are read; the file is known by its first bytes, not its name.
#![cfg(feature = "parquet")]

use std::path::Path;
use std::process::{Command, Output};
use std::sync::Arc;

use arrow_array::builder::{BooleanBuilder, Float64Builder, StringBuilder, TimestampSecondBuilder};
use arrow_array::{ArrayRef, Int32Array, ListArray, RecordBatch};
use arrow_schema::{DataType, Field, Schema, TimeUnit};
use parquet::arrow::ArrowWriter;
use parquet::basic::Compression;
use parquet::file::properties::WriterProperties;

fn handoff(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_handoff"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("run handoff")
}

const TIMES: [&str; 4] = [
    "created_at",
    "escalated_at",
    "first_human_response_at",
    "resolved_at",
];
const FLOATS: [&str; 2] = ["confidence", "sentiment"];
const BOOLS: [&str; 2] = ["requested_human", "reopened"];

/// The CSV as a Parquet file with typed columns (empty cells are nulls), plus `extra`
/// columns written as given.
fn write_parquet(csv: &[u8], path: &Path, extra: Vec<(Field, ArrayRef)>) {
    let mut reader = csv::Reader::from_reader(csv);
    let header: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    let mut fields = Vec::new();
    let mut arrays: Vec<ArrayRef> = Vec::new();
    for (i, name) in header.iter().enumerate() {
        let cells = rows.iter().map(|r| r.get(i).unwrap_or(""));
        let (data_type, array): (DataType, ArrayRef) = if TIMES.contains(&name.as_str()) {
            let mut b = TimestampSecondBuilder::new().with_timezone("UTC");
            for c in cells {
                b.append_option(
                    (!c.is_empty()).then(|| c.parse::<jiff::Timestamp>().unwrap().as_second()),
                );
            }
            (
                DataType::Timestamp(TimeUnit::Second, Some("UTC".into())),
                Arc::new(b.finish()),
            )
        } else if FLOATS.contains(&name.as_str()) {
            let mut b = Float64Builder::new();
            for c in cells {
                b.append_option((!c.is_empty()).then(|| c.parse::<f64>().unwrap()));
            }
            (DataType::Float64, Arc::new(b.finish()))
        } else if BOOLS.contains(&name.as_str()) {
            let mut b = BooleanBuilder::new();
            for c in cells {
                b.append_option((!c.is_empty()).then(|| c == "true"));
            }
            (DataType::Boolean, Arc::new(b.finish()))
        } else {
            let mut b = StringBuilder::new();
            for c in cells {
                b.append_option((!c.is_empty()).then_some(c));
            }
            (DataType::Utf8, Arc::new(b.finish()))
        };
        fields.push(Field::new(name, data_type, true));
        arrays.push(array);
    }
    for (field, array) in extra {
        fields.push(field);
        arrays.push(array);
    }
    let schema = Arc::new(Schema::new(fields));
    let batch = RecordBatch::try_new(schema.clone(), arrays).unwrap();
    let props = WriterProperties::builder()
        .set_compression(Compression::SNAPPY)
        .set_max_row_group_row_count(Some(500))
        .build();
    let file = std::fs::File::create(path).unwrap();
    let mut writer = ArrowWriter::try_new(file, schema, Some(props)).unwrap();
    writer.write(&batch).unwrap();
    writer.close().unwrap();
}

fn replay(tickets: &Path, decisions: &Path) -> Output {
    handoff(&[
        "replay",
        "-q",
        "--policy",
        "policies/support.yaml",
        "--tickets",
        tickets.to_str().unwrap(),
        "--format",
        "json",
        "--decisions",
        decisions.to_str().unwrap(),
    ])
}

#[test]
fn a_parquet_export_replays_as_its_csv() {
    let dir = tempfile::tempdir().unwrap();
    let generated = handoff(&["gen", "--rows", "2000", "--seed", "5"]);
    assert!(generated.status.success());
    let csv_path = dir.path().join("tickets.csv");
    std::fs::write(&csv_path, &generated.stdout).unwrap();
    // Known by its bytes: the name says nothing. An unmapped column of a type handoff does not
    // read (a list) is never read.
    let parquet_path = dir.path().join("tickets.data");
    let lists = ListArray::from_iter_primitive::<arrow_array::types::Int32Type, _, _>(
        (0..2000).map(|i| Some(vec![Some(i), None])),
    );
    let _ = Int32Array::from(vec![0]);
    write_parquet(
        &generated.stdout,
        &parquet_path,
        vec![(
            Field::new(
                "tags",
                DataType::List(Arc::new(Field::new_list_field(DataType::Int32, true))),
                true,
            ),
            Arc::new(lists) as ArrayRef,
        )],
    );
    let from_csv = replay(&csv_path, &dir.path().join("csv-decisions.csv"));
    let from_parquet = replay(&parquet_path, &dir.path().join("parquet-decisions.csv"));
    assert!(
        from_csv.status.success(),
        "{}",
        String::from_utf8_lossy(&from_csv.stderr)
    );
    assert!(
        from_parquet.status.success(),
        "{}",
        String::from_utf8_lossy(&from_parquet.stderr)
    );
    let csv_report: serde_json::Value = serde_json::from_slice(&from_csv.stdout).unwrap();
    let parquet_report: serde_json::Value = serde_json::from_slice(&from_parquet.stdout).unwrap();
    assert_eq!(csv_report["input"]["records"], 2000);
    assert_eq!(csv_report, parquet_report);
    assert_eq!(
        std::fs::read(dir.path().join("csv-decisions.csv")).unwrap(),
        std::fs::read(dir.path().join("parquet-decisions.csv")).unwrap()
    );
}

#[test]
fn a_mapped_column_of_an_unreadable_type_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("tickets.parquet");
    let lists = ListArray::from_iter_primitive::<arrow_array::types::Int32Type, _, _>(
        (0..2).map(|i| Some(vec![Some(i)])),
    );
    write_parquet(
        b"id,text\nT1,hello\nT2,lawyer\n",
        &path,
        vec![(
            Field::new(
                "tags",
                DataType::List(Arc::new(Field::new_list_field(DataType::Int32, true))),
                true,
            ),
            Arc::new(lists) as ArrayRef,
        )],
    );
    let map = dir.path().join("map.toml");
    std::fs::write(
        &map,
        "[columns]\nid = \"id\"\ntext = \"text\"\ncategory = \"tags\"\n",
    )
    .unwrap();
    let out = handoff(&[
        "replay",
        "--policy",
        "policies/support.yaml",
        "--tickets",
        path.to_str().unwrap(),
        "--map",
        map.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("column `tags` has type List("), "{stderr}");
}

/// Every verb that reads tickets reads Parquet: lint's data checks, explain, test --record.
#[test]
fn every_reading_verb_reads_parquet() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("tickets.parquet");
    write_parquet(
        b"id,created_at,text,confidence\nT1,2026-03-02T10:00:00Z,where is my parcel,0.95\nT2,2026-03-02T11:00:00Z,my lawyer will call,0.9\n",
        &path,
        Vec::new(),
    );
    let tickets = path.to_str().unwrap();
    let out = handoff(&[
        "explain",
        "--policy",
        "policies/support.yaml",
        "--tickets",
        tickets,
        "--id",
        "T2",
    ]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.contains("created_at 2026-03-02T11:00:00Z"),
        "{stdout}"
    );
    assert!(
        stdout.contains("decision: L3 by rule 'legal-risk'"),
        "{stdout}"
    );
    // lint reads the header: the columns the policy needs and the file lacks are H060.
    let out = handoff(&["lint", "policies/support.yaml", "--tickets", tickets]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("H060"), "{stdout}");
    assert!(stdout.contains("customer_tier"), "{stdout}");
    let cases = dir.path().join("cases.yaml");
    let out = handoff(&[
        "test",
        "--record",
        "--policy",
        "policies/support.yaml",
        "--tickets",
        tickets,
        "-o",
        cases.to_str().unwrap(),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let recorded = std::fs::read_to_string(&cases).unwrap();
    assert!(
        recorded.contains("T2") && recorded.contains("legal-risk"),
        "{recorded}"
    );
}
