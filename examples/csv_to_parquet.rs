//! Write a `handoff gen` CSV as Parquet with typed columns (timestamps in UTC seconds, floats,
//! booleans, strings; empty cells as nulls), Snappy-compressed, in row groups of 128Ki rows,
//! for `bench/parquet.sh`.
//!
//! `cargo build --release --examples && target/release/examples/csv_to_parquet IN.csv OUT.parquet`

use std::process::ExitCode;
use std::sync::Arc;

use arrow_array::builder::{BooleanBuilder, Float64Builder, StringBuilder, TimestampSecondBuilder};
use arrow_array::{ArrayRef, RecordBatch};
use arrow_schema::{DataType, Field, Schema, SchemaRef, TimeUnit};
use parquet::arrow::ArrowWriter;
use parquet::basic::Compression;
use parquet::file::properties::WriterProperties;

const TIMES: [&str; 4] = [
    "created_at",
    "escalated_at",
    "first_human_response_at",
    "resolved_at",
];
const FLOATS: [&str; 2] = ["confidence", "sentiment"];
const BOOLS: [&str; 2] = ["requested_human", "reopened"];
const BATCH: usize = 1 << 17;

fn data_type(name: &str) -> DataType {
    if TIMES.contains(&name) {
        DataType::Timestamp(TimeUnit::Second, Some("UTC".into()))
    } else if FLOATS.contains(&name) {
        DataType::Float64
    } else if BOOLS.contains(&name) {
        DataType::Boolean
    } else {
        DataType::Utf8
    }
}

fn batch(schema: &SchemaRef, rows: &[csv::StringRecord]) -> Result<RecordBatch, String> {
    let mut arrays: Vec<ArrayRef> = Vec::new();
    for (i, field) in schema.fields().iter().enumerate() {
        let cells = rows.iter().map(|r| r.get(i).unwrap_or(""));
        let array: ArrayRef = match field.data_type() {
            DataType::Timestamp(..) => {
                let mut b = TimestampSecondBuilder::new().with_timezone("UTC");
                for c in cells {
                    let value = match c {
                        "" => None,
                        c => Some(
                            c.parse::<jiff::Timestamp>()
                                .map_err(|e| e.to_string())?
                                .as_second(),
                        ),
                    };
                    b.append_option(value);
                }
                Arc::new(b.finish())
            }
            DataType::Float64 => {
                let mut b = Float64Builder::new();
                for c in cells {
                    b.append_option(c.parse::<f64>().ok());
                }
                Arc::new(b.finish())
            }
            DataType::Boolean => {
                let mut b = BooleanBuilder::new();
                for c in cells {
                    b.append_option((!c.is_empty()).then(|| c == "true"));
                }
                Arc::new(b.finish())
            }
            _ => {
                let mut b = StringBuilder::new();
                for c in cells {
                    b.append_option((!c.is_empty()).then_some(c));
                }
                Arc::new(b.finish())
            }
        };
        arrays.push(array);
    }
    RecordBatch::try_new(schema.clone(), arrays).map_err(|e| e.to_string())
}

fn convert(input: &str, output: &str) -> Result<(), String> {
    let mut reader = csv::Reader::from_path(input).map_err(|e| e.to_string())?;
    let header = reader.headers().map_err(|e| e.to_string())?.clone();
    let schema: SchemaRef = Arc::new(Schema::new(
        header
            .iter()
            .map(|h| Field::new(h, data_type(h), true))
            .collect::<Vec<_>>(),
    ));
    let props = WriterProperties::builder()
        .set_compression(Compression::SNAPPY)
        .set_max_row_group_row_count(Some(BATCH))
        .build();
    let file = std::fs::File::create(output).map_err(|e| e.to_string())?;
    let mut writer =
        ArrowWriter::try_new(file, schema.clone(), Some(props)).map_err(|e| e.to_string())?;
    let mut rows = Vec::with_capacity(BATCH);
    for record in reader.records() {
        rows.push(record.map_err(|e| e.to_string())?);
        if rows.len() == BATCH {
            writer
                .write(&batch(&schema, &rows)?)
                .map_err(|e| e.to_string())?;
            rows.clear();
        }
    }
    if !rows.is_empty() {
        writer
            .write(&batch(&schema, &rows)?)
            .map_err(|e| e.to_string())?;
    }
    writer.close().map_err(|e| e.to_string())?;
    Ok(())
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [input, output] = args.as_slice() else {
        eprintln!("usage: csv_to_parquet IN.csv OUT.parquet");
        return ExitCode::from(2);
    };
    match convert(input, output) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("csv_to_parquet: {e}");
            ExitCode::from(2)
        }
    }
}
