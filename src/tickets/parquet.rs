//! Parquet ticket files (`--tickets FILE.parquet`, cargo feature `parquet`): the file is read
//! row group by row group, only the columns the mapping names, and each row is split into the
//! fields of one record straight from its Arrow columns (no CSV text in between), so the reader,
//! the folding of events, `--where` and the parser see exactly what a CSV export of the same
//! table would give them, line numbers included. Values are rendered as text the parser reads:
//! numbers as written, booleans `true`/`false`, timestamps RFC 3339 (with the offset when the
//! column is UTC-adjusted, without one otherwise, so `[timestamps] timezone` applies), dates
//! `YYYY-MM-DD`, nulls empty. Readers of CSV text (lint's data checks) get the same rows
//! written as CSV ([`as_csv`]).

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
use arrow_array::{
    Array, ArrayRef, GenericStringArray, Int64Array, LargeStringArray, StringArray, StringViewArray,
};
use arrow_schema::{DataType, TimeUnit};
use csv::ByteRecord;
use parquet::arrow::ProjectionMask;
use parquet::arrow::arrow_reader::{ParquetRecordBatchReader, ParquetRecordBatchReaderBuilder};

use super::Records;
use super::chunk::{TypedChunk, count_newlines};

/// Parquet files begin (and end) with these four bytes.
const MAGIC: &[u8; 4] = b"PAR1";

/// Whether the file is Parquet, by its first bytes (whatever its name).
pub fn is_parquet(path: &Path) -> bool {
    let mut head = [0u8; 4];
    File::open(path)
        .and_then(|mut f| f.read_exact(&mut head))
        .is_ok_and(|()| &head == MAGIC)
}

/// The rows of a Parquet file, split into fields straight from its Arrow columns (no CSV text
/// in between), for [`super::TicketReader::from_rows`]. `columns`: the column names to read
/// (the mapping's; one of a type handoff cannot read is an error); `None` reads every column
/// it can. Columns are kept in the file's order; row groups are decoded as they are reached.
pub fn rows(path: &Path, columns: Option<&BTreeSet<String>>) -> Result<ParquetRows, String> {
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
    let headers: Vec<String> = roots
        .iter()
        .enumerate()
        .map(|(n, &i)| {
            let name = schema.field(i).name();
            // As in a CSV header, a byte-order mark before the first name is not part of it.
            match n {
                0 => name.trim_start_matches('\u{feff}').to_string(),
                _ => name.clone(),
            }
        })
        .collect();
    // The header is line 1 of a CSV export of the table; a name with line breaks takes more.
    let header_lines: u64 = schema_lines(roots.iter().map(|&i| schema.field(i).name().as_bytes()));
    let mask = ProjectionMask::roots(builder.parquet_schema(), roots);
    let batches = builder
        .with_projection(mask)
        .with_batch_size(BATCH_ROWS)
        .build()
        .map_err(|e| format!("cannot read: {e}"))?;
    Ok(ParquetRows {
        batches,
        headers,
        columns: Vec::new(),
        rows: 0,
        row: 0,
        line: 1 + header_lines,
        read: 0,
        cell: String::new(),
    })
}

/// Rows decoded at a time.
const BATCH_ROWS: usize = 4096;

/// Lines a CSV record of these fields takes: one, plus the line breaks inside them.
fn schema_lines<'a>(fields: impl Iterator<Item = &'a [u8]>) -> u64 {
    1 + fields.map(newlines).sum::<u64>()
}

fn newlines(bytes: &[u8]) -> u64 {
    bytes.iter().filter(|&&b| b == b'\n').count() as u64
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

/// Rows of a Parquet file ([`rows`]).
pub struct ParquetRows {
    batches: ParquetRecordBatchReader,
    headers: Vec<String>,
    /// The current batch's columns, and its number of rows.
    columns: Vec<Column>,
    rows: usize,
    /// The next row of the batch.
    row: usize,
    /// The line of the next row in a CSV export of the table.
    line: u64,
    /// Rows handed out.
    read: u64,
    cell: String,
}

/// One column of a batch, typed once per batch so that each cell is read without a lookup.
#[derive(Debug)]
enum Column {
    Utf8(StringArray),
    LargeUtf8(LargeStringArray),
    Utf8View(StringViewArray),
    /// A timestamp: its raw values in units of `1 / per_second` s; `utc` when adjusted to UTC.
    Time {
        array: ArrayRef,
        values: Int64Array,
        per_second: i64,
        utc: bool,
    },
    /// Any other supported type, written by [`value`].
    Other(ArrayRef),
}

impl Column {
    fn len(&self) -> usize {
        match self {
            Column::Utf8(a) => a.len(),
            Column::LargeUtf8(a) => a.len(),
            Column::Utf8View(a) => a.len(),
            Column::Time { values, .. } => values.len(),
            Column::Other(a) => a.len(),
        }
    }

    /// Line breaks inside the column's cells (only strings hold any).
    fn newlines(&self) -> u64 {
        fn strings<O: arrow_array::OffsetSizeTrait>(a: &GenericStringArray<O>) -> u64 {
            if a.null_count() > 0 {
                return a.iter().flatten().map(|v| newlines(v.as_bytes())).sum();
            }
            let offsets = a.value_offsets();
            match (offsets.first(), offsets.last()) {
                (Some(start), Some(end)) => {
                    count_newlines(&a.value_data()[start.as_usize()..end.as_usize()])
                }
                _ => 0,
            }
        }
        match self {
            Column::Utf8(a) => strings(a),
            Column::LargeUtf8(a) => strings(a),
            Column::Utf8View(a) => a.iter().flatten().map(|v| newlines(v.as_bytes())).sum(),
            Column::Time { .. } | Column::Other(_) => 0,
        }
    }

    fn of(array: &ArrayRef) -> Column {
        let other = || Column::Other(array.clone());
        let time = |values: Option<Int64Array>, per_second: i64, utc: bool| match values {
            Some(values) => Column::Time {
                array: array.clone(),
                values,
                per_second,
                utc,
            },
            None => Column::Other(array.clone()),
        };
        match array.data_type() {
            DataType::Utf8 => array
                .as_string_opt::<i32>()
                .cloned()
                .map_or_else(other, Column::Utf8),
            DataType::LargeUtf8 => array
                .as_string_opt::<i64>()
                .cloned()
                .map_or_else(other, Column::LargeUtf8),
            DataType::Utf8View => array
                .as_string_view_opt()
                .cloned()
                .map_or_else(other, Column::Utf8View),
            DataType::Timestamp(unit, zone) => {
                let utc = zone.is_some();
                match unit {
                    TimeUnit::Second => time(
                        array
                            .as_primitive_opt::<TimestampSecondType>()
                            .map(|a| a.reinterpret_cast::<Int64Type>()),
                        1,
                        utc,
                    ),
                    TimeUnit::Millisecond => time(
                        array
                            .as_primitive_opt::<TimestampMillisecondType>()
                            .map(|a| a.reinterpret_cast::<Int64Type>()),
                        1_000,
                        utc,
                    ),
                    TimeUnit::Microsecond => time(
                        array
                            .as_primitive_opt::<TimestampMicrosecondType>()
                            .map(|a| a.reinterpret_cast::<Int64Type>()),
                        1_000_000,
                        utc,
                    ),
                    TimeUnit::Nanosecond => time(
                        array
                            .as_primitive_opt::<TimestampNanosecondType>()
                            .map(|a| a.reinterpret_cast::<Int64Type>()),
                        1_000_000_000,
                        utc,
                    ),
                }
            }
            _ => other(),
        }
    }

    /// Append the cell at `row` to `record`, as the text a CSV export would hold.
    fn push(&self, row: usize, record: &mut ByteRecord, cell: &mut String) {
        match self {
            Column::Utf8(a) if !a.is_null(row) => record.push_field(a.value(row).as_bytes()),
            Column::LargeUtf8(a) if !a.is_null(row) => record.push_field(a.value(row).as_bytes()),
            Column::Utf8View(a) if !a.is_null(row) => record.push_field(a.value(row).as_bytes()),
            Column::Time {
                array,
                values,
                per_second,
                utc,
            } if !values.is_null(row) => {
                let raw = values.value(row);
                let mut text = [0u8; 20];
                match whole_seconds(raw, *per_second).and_then(|s| format_seconds(s, &mut text)) {
                    Some(()) => record.push_field(&text[..if *utc { 20 } else { 19 }]),
                    None => {
                        cell.clear();
                        value(array.as_ref(), row, cell);
                        record.push_field(cell.as_bytes());
                    }
                }
            }
            Column::Other(array) => {
                cell.clear();
                value(array.as_ref(), row, cell);
                record.push_field(cell.as_bytes());
            }
            // A null.
            _ => record.push_field(b""),
        }
    }
}

/// `raw` units of `1 / per_second` s as whole seconds; `None` with a fraction.
fn whole_seconds(raw: i64, per_second: i64) -> Option<i64> {
    (raw % per_second == 0).then(|| raw / per_second)
}

/// `seconds` since 1970 as `YYYY-MM-DDTHH:MM:SSZ` (what jiff writes for a timestamp without a
/// fraction), for years 0000–9999 within jiff's range; `None` outside (left to jiff).
fn format_seconds(seconds: i64, out: &mut [u8; 20]) -> Option<()> {
    // An instant jiff cannot hold is written as nothing, as before.
    let range = jiff::Timestamp::MIN.as_second()..=jiff::Timestamp::MAX.as_second();
    if !range.contains(&seconds) {
        return None;
    }
    let days = seconds.div_euclid(86_400);
    let of_day = seconds.rem_euclid(86_400);
    // Days to a civil date (H. Hinnant, "chrono-Compatible Low-Level Date Algorithms").
    let z = days.checked_add(719_468)?;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    if !(0..=9999).contains(&year) {
        return None;
    }
    let digits = |out: &mut [u8], value: i64| {
        let mut v = value;
        for b in out.iter_mut().rev() {
            *b = b'0' + (v % 10) as u8;
            v /= 10;
        }
    };
    digits(&mut out[0..4], year);
    out[4] = b'-';
    digits(&mut out[5..7], month);
    out[7] = b'-';
    digits(&mut out[8..10], day);
    out[10] = b'T';
    digits(&mut out[11..13], of_day / 3_600);
    out[13] = b':';
    digits(&mut out[14..16], of_day / 60 % 60);
    out[16] = b':';
    digits(&mut out[17..19], of_day % 60);
    out[19] = b'Z';
    Some(())
}

impl super::source::TypedRows for ParquetRows {
    fn headers(&self) -> Vec<String> {
        self.headers.clone()
    }

    fn next_row(&mut self, record: &mut ByteRecord) -> Result<Option<u64>, String> {
        while self.row == self.rows {
            let Some(columns) = self.next_batch()? else {
                return Ok(None);
            };
            self.rows = columns.first().map_or(0, Column::len);
            self.columns = columns;
            self.row = 0;
        }
        record.clear();
        for column in &self.columns {
            column.push(self.row, record, &mut self.cell);
        }
        self.row += 1;
        self.read += 1;
        let line = self.line;
        self.line += 1 + newlines(record.as_slice());
        Ok(Some(line))
    }

    fn next_chunk(&mut self) -> Result<Option<Box<dyn TypedChunk>>, String> {
        let Some(columns) = self.next_batch()? else {
            return Ok(None);
        };
        let rows = columns.first().map_or(0, Column::len);
        // Only the line breaks inside strings move the lines after them; counting them here
        // (a scan of the batch's string bytes) lets the worker number the rows on its own.
        let inner: u64 = columns.iter().map(Column::newlines).sum();
        let chunk = ParquetChunk {
            columns,
            rows,
            line: self.line,
        };
        self.line += rows as u64 + inner;
        self.read += rows as u64;
        Ok(Some(Box::new(chunk)))
    }

    fn position(&self) -> u64 {
        self.read
    }
}

impl ParquetRows {
    /// The columns of the next decoded batch; `None` at the end.
    fn next_batch(&mut self) -> Result<Option<Vec<Column>>, String> {
        let Some(batch) = self.batches.next() else {
            return Ok(None);
        };
        let batch = batch.map_err(|e| format!("cannot read: {e}"))?;
        Ok(Some(batch.columns().iter().map(Column::of).collect()))
    }
}

/// Rows of one decoded batch ([`ParquetRows`]'s `next_chunk`), split into records on the
/// worker that evaluates them.
#[derive(Debug)]
struct ParquetChunk {
    columns: Vec<Column>,
    rows: usize,
    /// The line of the first row in a CSV export of the table.
    line: u64,
}

impl TypedChunk for ParquetChunk {
    fn split(&self, records: &mut Records) {
        let (mut record, mut cell) = (ByteRecord::new(), String::new());
        let mut line = self.line;
        for row in 0..self.rows {
            record.clear();
            for column in &self.columns {
                column.push(row, &mut record, &mut cell);
            }
            records.push(&record, line);
            line += 1 + newlines(record.as_slice());
        }
    }
}

/// The Parquet file as CSV bytes: a header, then one record per row ([`rows`] written out),
/// for readers of CSV text (lint's data checks).
pub fn as_csv(path: &Path, columns: Option<&BTreeSet<String>>) -> Result<ParquetCsv, String> {
    let rows = rows(path, columns)?;
    let mut pending = Vec::new();
    write_record(&mut pending, rows.headers.iter().map(String::as_bytes));
    Ok(ParquetCsv {
        rows,
        record: ByteRecord::new(),
        pending,
        at: 0,
    })
}

/// CSV bytes made from a Parquet file's rows as they are read ([`as_csv`]).
pub struct ParquetCsv {
    rows: ParquetRows,
    record: ByteRecord,
    /// CSV not read yet, and how much of it has been read.
    pending: Vec<u8>,
    at: usize,
}

impl Read for ParquetCsv {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        use super::source::TypedRows as _;
        if self.at == self.pending.len() {
            self.pending.clear();
            self.at = 0;
            while self.pending.len() < 64 * 1024 {
                let row = self
                    .rows
                    .next_row(&mut self.record)
                    .map_err(std::io::Error::other)?;
                if row.is_none() {
                    break;
                }
                write_record(&mut self.pending, self.record.iter());
            }
        }
        let n = buf.len().min(self.pending.len() - self.at);
        buf[..n].copy_from_slice(&self.pending[self.at..self.at + n]);
        self.at += n;
        Ok(n)
    }
}

/// One CSV record.
fn write_record<'a>(out: &mut Vec<u8>, cells: impl Iterator<Item = &'a [u8]>) {
    for (i, cell) in cells.enumerate() {
        if i > 0 {
            out.push(b',');
        }
        write_cell(out, cell);
    }
    out.push(b'\n');
}

/// One CSV cell (RFC 4180 quoting).
fn write_cell(out: &mut Vec<u8>, cell: &[u8]) {
    if cell
        .iter()
        .any(|b| matches!(b, b',' | b'"' | b'\n' | b'\r'))
    {
        out.push(b'"');
        for &b in cell {
            if b == b'"' {
                out.push(b'"');
            }
            out.push(b);
        }
        out.push(b'"');
    } else {
        out.extend_from_slice(cell);
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
        columns.extend(events.stage.clone());
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

#[cfg(test)]
mod tests {
    use super::*;

    /// What the CSV rendering wrote before the fast path: jiff's own text.
    fn jiff_text(seconds: i64, utc: bool) -> Option<String> {
        let ts = jiff::Timestamp::from_second(seconds).ok()?;
        Some(match utc {
            true => ts.to_string(),
            false => ts
                .to_zoned_datetime(jiff::tz::TimeZone::UTC)
                .datetime()
                .to_string(),
        })
    }

    #[test]
    fn whole_seconds_are_written_as_jiff_writes_them() {
        // Boundaries (epoch, leap days, centuries, the years 0000 and 9999), then a seeded walk
        // over the whole range.
        let mut seconds = vec![
            0,
            -1,
            86_399,
            86_400,
            951_782_400,   // 2000-02-29
            4_107_542_400, // 2100-03-01
            -62_167_219_200,
            -62_167_219_201,
            253_402_300_799,
            253_402_300_800,
            1_772_445_600,
        ];
        let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
        for _ in 0..200_000 {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            seconds.push((state % 640_000_000_000) as i64 - 320_000_000_000);
        }
        for s in seconds {
            let mut out = [0u8; 20];
            let fast = format_seconds(s, &mut out).map(|()| out);
            for utc in [true, false] {
                let expected = jiff_text(s, utc);
                match fast {
                    Some(text) => {
                        let text = std::str::from_utf8(&text[..if utc { 20 } else { 19 }]);
                        assert_eq!(text.ok(), expected.as_deref(), "{s} s");
                    }
                    // Outside 0000–9999 the fast path steps aside for jiff.
                    None => assert!(
                        expected.is_none_or(|e| e.starts_with('-') || e.starts_with('+')),
                        "{s} s"
                    ),
                }
            }
        }
    }

    #[test]
    fn a_fraction_of_a_second_is_left_to_jiff() {
        assert_eq!(whole_seconds(1_500, 1_000), None);
        assert_eq!(whole_seconds(-2_000, 1_000), Some(-2));
        assert_eq!(whole_seconds(7, 1), Some(7));
    }
}
