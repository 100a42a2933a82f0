//! Parquet ticket files (`--tickets FILE.parquet`, cargo feature `parquet`): the file is read
//! row group by row group, only the columns the mapping names, and each row is written as one
//! CSV record, so the reader, the folding of events, `--where` and the parser see exactly what a
//! CSV export of the same table would give them. Values are rendered as text the parser reads:
//! numbers as written, booleans `true`/`false`, timestamps RFC 3339 (with the offset when the
//! column is UTC-adjusted, without one otherwise, so `[timestamps] timezone` applies), dates
//! `YYYY-MM-DD`, nulls empty.

use std::collections::BTreeSet;
use std::fs::File;
use std::io::Read;
use std::path::Path;

use arrow_array::cast::AsArray;
use arrow_array::types::{
    Date32Type, Float32Type, Float64Type, Int8Type, Int16Type, Int32Type, Int64Type,
    TimestampMicrosecondType, TimestampMillisecondType, TimestampNanosecondType,
    TimestampSecondType, UInt8Type, UInt16Type, UInt32Type, UInt64Type,
};
use arrow_array::{Array, RecordBatch};
use arrow_schema::{DataType, TimeUnit};
use parquet::arrow::ProjectionMask;
use parquet::arrow::arrow_reader::{ParquetRecordBatchReader, ParquetRecordBatchReaderBuilder};

/// Parquet files begin (and end) with these four bytes.
const MAGIC: &[u8; 4] = b"PAR1";

/// Whether the file is Parquet, by its first bytes (whatever its name).
pub fn is_parquet(path: &Path) -> bool {
    let mut head = [0u8; 4];
    File::open(path)
        .and_then(|mut f| f.read_exact(&mut head))
        .is_ok_and(|()| &head == MAGIC)
}

/// The Parquet file as CSV bytes: a header, then one record per row. `columns`: the column
/// names to read (the mapping's; one of a type handoff cannot read is an error); `None` reads
/// every column it can. Columns are kept in the file's order.
pub fn as_csv(path: &Path, columns: Option<&BTreeSet<String>>) -> Result<ParquetCsv, String> {
    let file = File::open(path).map_err(|e| format!("cannot open: {e}"))?;
    let builder = ParquetRecordBatchReaderBuilder::try_new(file)
        .map_err(|e| format!("not a readable Parquet file: {e}"))?;
    let schema = builder.schema().clone();
    let roots: Vec<usize> = schema
        .fields()
        .iter()
        .enumerate()
        .filter(|(_, f)| match columns {
            Some(wanted) => wanted.contains(f.name()),
            // Reading every column (lint's data checks): one of a type handoff cannot read is
            // left out, as if the file lacked it.
            None => supported(f.data_type()),
        })
        .map(|(i, _)| i)
        .collect();
    for &i in &roots {
        let field = schema.field(i);
        if !supported(field.data_type()) {
            return Err(format!(
                "column `{}` has type {}, which handoff does not read (strings, numbers, booleans, timestamps and dates)",
                field.name(),
                field.data_type()
            ));
        }
    }
    let header: Vec<String> = roots
        .iter()
        .map(|&i| schema.field(i).name().clone())
        .collect();
    let mask = ProjectionMask::roots(builder.parquet_schema(), roots);
    let batches = builder
        .with_projection(mask)
        .with_batch_size(4096)
        .build()
        .map_err(|e| format!("cannot read: {e}"))?;
    let mut pending = Vec::new();
    write_record(&mut pending, header.iter().map(String::as_str));
    Ok(ParquetCsv {
        batches,
        pending,
        at: 0,
        cell: String::new(),
    })
}

fn supported(data_type: &DataType) -> bool {
    use DataType::*;
    matches!(
        data_type,
        Utf8 | LargeUtf8
            | Utf8View
            | Boolean
            | Int8
            | Int16
            | Int32
            | Int64
            | UInt8
            | UInt16
            | UInt32
            | UInt64
            | Float32
            | Float64
            | Date32
            | Timestamp(_, _)
            | Null
    )
}

/// CSV bytes made from record batches as they are read ([`as_csv`]).
pub struct ParquetCsv {
    batches: ParquetRecordBatchReader,
    /// CSV of the current batch, and how much of it has been read.
    pending: Vec<u8>,
    at: usize,
    cell: String,
}

impl Read for ParquetCsv {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        while self.at == self.pending.len() {
            let Some(batch) = self.batches.next() else {
                return Ok(0);
            };
            let batch = batch.map_err(std::io::Error::other)?;
            self.pending.clear();
            self.at = 0;
            render(&batch, &mut self.pending, &mut self.cell);
        }
        let n = buf.len().min(self.pending.len() - self.at);
        buf[..n].copy_from_slice(&self.pending[self.at..self.at + n]);
        self.at += n;
        Ok(n)
    }
}

/// One CSV record.
fn write_record<'a>(out: &mut Vec<u8>, cells: impl Iterator<Item = &'a str>) {
    for (i, cell) in cells.enumerate() {
        if i > 0 {
            out.push(b',');
        }
        write_cell(out, cell);
    }
    out.push(b'\n');
}

fn render(batch: &RecordBatch, out: &mut Vec<u8>, cell: &mut String) {
    let columns = batch.columns();
    for row in 0..batch.num_rows() {
        for (i, column) in columns.iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            // Strings are the bulk of a ticket file: written straight from the array.
            let text: &str = match column.data_type() {
                DataType::Utf8 if !column.is_null(row) => column.as_string::<i32>().value(row),
                DataType::LargeUtf8 if !column.is_null(row) => column.as_string::<i64>().value(row),
                DataType::Utf8View if !column.is_null(row) => column.as_string_view().value(row),
                _ => {
                    cell.clear();
                    value(column.as_ref(), row, cell);
                    cell.as_str()
                }
            };
            write_cell(out, text);
        }
        out.push(b'\n');
    }
}

/// One CSV cell (RFC 4180 quoting).
fn write_cell(out: &mut Vec<u8>, cell: &str) {
    if cell
        .bytes()
        .any(|b| matches!(b, b',' | b'"' | b'\n' | b'\r'))
    {
        out.push(b'"');
        for b in cell.bytes() {
            if b == b'"' {
                out.push(b'"');
            }
            out.push(b);
        }
        out.push(b'"');
    } else {
        out.extend_from_slice(cell.as_bytes());
    }
}

/// The value at `row` as the text a CSV export would hold.
fn value(array: &dyn Array, row: usize, out: &mut String) {
    use std::fmt::Write as _;
    if array.is_null(row) {
        return;
    }
    let _ = match array.data_type() {
        DataType::Utf8 => write!(out, "{}", array.as_string::<i32>().value(row)),
        DataType::LargeUtf8 => write!(out, "{}", array.as_string::<i64>().value(row)),
        DataType::Utf8View => write!(out, "{}", array.as_string_view().value(row)),
        DataType::Boolean => write!(out, "{}", array.as_boolean().value(row)),
        DataType::Int8 => write!(out, "{}", array.as_primitive::<Int8Type>().value(row)),
        DataType::Int16 => write!(out, "{}", array.as_primitive::<Int16Type>().value(row)),
        DataType::Int32 => write!(out, "{}", array.as_primitive::<Int32Type>().value(row)),
        DataType::Int64 => write!(out, "{}", array.as_primitive::<Int64Type>().value(row)),
        DataType::UInt8 => write!(out, "{}", array.as_primitive::<UInt8Type>().value(row)),
        DataType::UInt16 => write!(out, "{}", array.as_primitive::<UInt16Type>().value(row)),
        DataType::UInt32 => write!(out, "{}", array.as_primitive::<UInt32Type>().value(row)),
        DataType::UInt64 => write!(out, "{}", array.as_primitive::<UInt64Type>().value(row)),
        DataType::Float32 => write!(out, "{}", array.as_primitive::<Float32Type>().value(row)),
        DataType::Float64 => write!(out, "{}", array.as_primitive::<Float64Type>().value(row)),
        DataType::Date32 => {
            let days = array.as_primitive::<Date32Type>().value(row);
            let date = jiff::civil::date(1970, 1, 1)
                .checked_add(jiff::Span::new().days(i64::from(days)))
                .ok();
            match date {
                Some(date) => write!(out, "{date}"),
                None => Ok(()),
            }
        }
        DataType::Timestamp(unit, zone) => {
            let (raw, nanos_per_unit) = match unit {
                TimeUnit::Second => (
                    array.as_primitive::<TimestampSecondType>().value(row),
                    1_000_000_000,
                ),
                TimeUnit::Millisecond => (
                    array.as_primitive::<TimestampMillisecondType>().value(row),
                    1_000_000,
                ),
                TimeUnit::Microsecond => (
                    array.as_primitive::<TimestampMicrosecondType>().value(row),
                    1_000,
                ),
                TimeUnit::Nanosecond => (
                    array.as_primitive::<TimestampNanosecondType>().value(row),
                    1,
                ),
            };
            let instant = i128::from(raw)
                .checked_mul(nanos_per_unit)
                .and_then(|ns| jiff::Timestamp::from_nanosecond(ns).ok());
            match (instant, zone) {
                // Adjusted to UTC: an instant, written with its `Z`.
                (Some(ts), Some(_)) => write!(out, "{ts}"),
                // A wall-clock time: no offset, read in the mapping's zone.
                (Some(ts), None) => write!(
                    out,
                    "{}",
                    ts.to_zoned_datetime(jiff::tz::TimeZone::UTC).datetime()
                ),
                (None, _) => Ok(()),
            }
        }
        _ => Ok(()),
    };
}

/// The columns to read for this mapping: every column it names (plain, folded, in a `where`,
/// in `[events]`), every canonical field name and the extra fields the policy needs (read
/// under their own name when unmapped).
pub fn mapped_columns(mapping: &super::Mapping, needs: &super::layout::Needs) -> BTreeSet<String> {
    use super::mapping::{Source, TextColumns};
    use crate::fields::Field;
    fn fold(fold: &super::mapping::Fold, columns: &mut BTreeSet<String>) {
        columns.insert(fold.column.clone());
        columns.extend(fold.filter.iter().map(|(c, _)| c.clone()));
    }
    fn source(source: &Source, columns: &mut BTreeSet<String>) {
        match source {
            Source::Column(c) => {
                columns.insert(c.clone());
            }
            Source::Fold(f) => fold(f, columns),
        }
    }
    let mut columns = BTreeSet::new();
    for field in Field::ALL {
        if let Some(s) = mapping.columns.source(field) {
            source(s, &mut columns);
        }
    }
    match &mapping.columns.text {
        Some(TextColumns::Fold(f)) => fold(f, &mut columns),
        Some(text) => columns.extend(text.list()),
        None => {}
    }
    for s in mapping.fields.values() {
        source(s, &mut columns);
    }
    if let Some(events) = &mapping.events {
        columns.extend(events.ticket.clone());
        columns.extend(events.time.clone());
        if let Some(thread) = &events.thread {
            columns.insert(thread.id.clone());
            columns.insert(thread.parent.clone());
        }
    }
    columns.extend(Field::ALL.into_iter().map(|f| f.name().to_string()));
    columns.extend(needs.extras.iter().cloned());
    columns.extend(needs.rule_fields.iter().cloned());
    columns
}
