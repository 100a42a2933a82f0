//! One decoded Arrow column of a Parquet batch, and its cells written as the text a CSV
//! export of the table holds.

use arrow_array::cast::AsArray;
use arrow_array::types::{
    Date32Type, Float32Type, Float64Type, Int8Type, Int16Type, Int32Type, Int64Type,
    TimestampMicrosecondType, TimestampMillisecondType, TimestampNanosecondType,
    TimestampSecondType, UInt8Type, UInt16Type, UInt32Type, UInt64Type,
};
use arrow_array::{
    Array, ArrayRef, BooleanArray, Float64Array, GenericStringArray, Int32Array, Int64Array,
    LargeStringArray, StringArray, StringViewArray,
};
use arrow_schema::{DataType, TimeUnit};
use csv::ByteRecord;

use super::newlines;
use crate::tickets::Records;
use crate::tickets::record::Cell;

/// Where a row's cells go, one field each: a `ByteRecord` (one row at a time) or straight
/// into the worker's [`Records`] (a chunk of rows, no copy in between).
pub(super) trait Fields {
    fn field(&mut self, bytes: &[u8]);
}

impl Fields for ByteRecord {
    fn field(&mut self, bytes: &[u8]) {
        self.push_field(bytes);
    }
}

impl Fields for Records {
    fn field(&mut self, bytes: &[u8]) {
        self.push_field(bytes);
    }
}

/// One cell's text ([`Column::text`]).
struct Text<'a>(&'a mut String);

impl Fields for Text<'_> {
    fn field(&mut self, bytes: &[u8]) {
        // Every cell is written from UTF-8 (Arrow strings, digits, dates).
        self.0.push_str(&String::from_utf8_lossy(bytes));
    }
}

/// One column of a batch, typed once per batch so that each cell is read without a lookup.
#[derive(Debug)]
pub(super) enum Column {
    Utf8(StringArray),
    LargeUtf8(LargeStringArray),
    Utf8View(StringViewArray),
    /// Strings read as an Arrow dictionary: each cell a key into `values`.
    Dictionary {
        keys: Int32Array,
        values: StringArray,
    },
    /// A timestamp: its raw values in units of `1 / per_second` s; `utc` when adjusted to UTC.
    Time {
        array: ArrayRef,
        values: Int64Array,
        per_second: i64,
        utc: bool,
    },
    /// Doubles and booleans (the usual numbers and flags), read without a lookup per cell;
    /// written as [`value`] writes them.
    Float64(Float64Array),
    Boolean(BooleanArray),
    /// 64-bit integers (counts), written as [`value`] writes them.
    Int64(Int64Array),
    /// Any other supported type, written by [`value`].
    Other(ArrayRef),
}

impl Column {
    pub(super) fn len(&self) -> usize {
        match self {
            Column::Utf8(a) => a.len(),
            Column::LargeUtf8(a) => a.len(),
            Column::Utf8View(a) => a.len(),
            Column::Dictionary { keys, .. } => keys.len(),
            Column::Time { values, .. } => values.len(),
            Column::Float64(a) => a.len(),
            Column::Boolean(a) => a.len(),
            Column::Int64(a) => a.len(),
            Column::Other(a) => a.len(),
        }
    }

    /// Line breaks inside the column's cells (only strings hold any).
    pub(super) fn newlines(&self) -> u64 {
        fn strings<O: arrow_array::OffsetSizeTrait>(a: &GenericStringArray<O>) -> u64 {
            if a.null_count() > 0 {
                return a.iter().flatten().map(|v| newlines(v.as_bytes())).sum();
            }
            let offsets = a.value_offsets();
            match (offsets.first(), offsets.last()) {
                (Some(start), Some(end)) => {
                    newlines(&a.value_data()[start.as_usize()..end.as_usize()])
                }
                _ => 0,
            }
        }
        match self {
            Column::Utf8(a) => strings(a),
            Column::LargeUtf8(a) => strings(a),
            Column::Utf8View(a) => a.iter().flatten().map(|v| newlines(v.as_bytes())).sum(),
            // The dictionary's values are few: count per cell only when one has a line break.
            Column::Dictionary { keys, values } => match strings(values) {
                0 => 0,
                _ => (0..keys.len())
                    .map(|row| dictionary_value(keys, values, row).map_or(0, newlines))
                    .sum(),
            },
            _ => 0,
        }
    }

    /// Line breaks inside the cell at `row` (only strings hold any).
    pub(super) fn newlines_at(&self, row: usize) -> u64 {
        match self.cell(row) {
            Cell::Text(text) => newlines(text.as_bytes()),
            _ => 0,
        }
    }

    /// The cell at `row` as the column holds it.
    #[inline]
    pub(super) fn cell(&self, row: usize) -> Cell<'_> {
        match self {
            Column::Utf8(a) if !a.is_null(row) => Cell::Text(a.value(row)),
            Column::LargeUtf8(a) if !a.is_null(row) => Cell::Text(a.value(row)),
            Column::Utf8View(a) if !a.is_null(row) => Cell::Text(a.value(row)),
            Column::Dictionary { keys, values } => {
                dictionary_text(keys, values, row).map_or(Cell::Null, Cell::Text)
            }
            Column::Time {
                values,
                per_second,
                utc,
                ..
            } if !values.is_null(row) => Cell::Time {
                raw: values.value(row),
                per_second: *per_second,
                utc: *utc,
            },
            Column::Float64(a) if !a.is_null(row) => Cell::Float(a.value(row)),
            Column::Boolean(a) if !a.is_null(row) => Cell::Bool(a.value(row)),
            Column::Int64(a) if !a.is_null(row) => Cell::Int(a.value(row)),
            Column::Other(a) if !a.is_null(row) => Cell::Other,
            _ => Cell::Null,
        }
    }

    /// Append the cell at `row` to `out`, as the text a CSV export would hold.
    pub(super) fn text(&self, row: usize, out: &mut String) {
        let mut cell = String::new();
        self.push(row, &mut Text(out), &mut cell);
    }

    pub(super) fn of(array: &ArrayRef) -> Column {
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
            DataType::Dictionary(key, value)
                if key.as_ref() == &DataType::Int32 && value.as_ref() == &DataType::Utf8 =>
            {
                array
                    .as_dictionary_opt::<Int32Type>()
                    .and_then(|d| {
                        let values = d.values().as_string_opt::<i32>()?.clone();
                        Some(Column::Dictionary {
                            keys: d.keys().clone(),
                            values,
                        })
                    })
                    .unwrap_or_else(other)
            }
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
            DataType::Float64 => array
                .as_primitive_opt::<Float64Type>()
                .cloned()
                .map_or_else(other, Column::Float64),
            DataType::Boolean => array
                .as_boolean_opt()
                .cloned()
                .map_or_else(other, Column::Boolean),
            DataType::Int64 => array
                .as_primitive_opt::<Int64Type>()
                .cloned()
                .map_or_else(other, Column::Int64),
            _ => other(),
        }
    }

    /// Append the cell at `row` to `record`, as the text a CSV export would hold.
    pub(super) fn push(&self, row: usize, record: &mut impl Fields, cell: &mut String) {
        match self {
            Column::Utf8(a) if !a.is_null(row) => record.field(a.value(row).as_bytes()),
            Column::LargeUtf8(a) if !a.is_null(row) => record.field(a.value(row).as_bytes()),
            Column::Utf8View(a) if !a.is_null(row) => record.field(a.value(row).as_bytes()),
            Column::Dictionary { keys, values } => {
                record.field(dictionary_value(keys, values, row).unwrap_or_default());
            }
            Column::Time {
                array,
                values,
                per_second,
                utc,
            } if !values.is_null(row) => {
                let raw = values.value(row);
                let mut text = [0u8; 20];
                match whole_seconds(raw, *per_second).and_then(|s| format_seconds(s, &mut text)) {
                    Some(()) => record.field(&text[..if *utc { 20 } else { 19 }]),
                    None => {
                        cell.clear();
                        value(array.as_ref(), row, cell);
                        record.field(cell.as_bytes());
                    }
                }
            }
            Column::Float64(a) if !a.is_null(row) => {
                let v = a.value(row);
                let mut text = [0u8; 24];
                match short_decimal(v, &mut text) {
                    Some(len) => record.field(&text[..len]),
                    None => {
                        use std::fmt::Write as _;
                        cell.clear();
                        let _ = write!(cell, "{v}");
                        record.field(cell.as_bytes());
                    }
                }
            }
            Column::Boolean(a) if !a.is_null(row) => record.field(match a.value(row) {
                true => b"true",
                false => b"false",
            }),
            Column::Int64(a) if !a.is_null(row) => {
                record.field(itoa_i64(a.value(row)).as_bytes());
            }
            Column::Other(array) => {
                cell.clear();
                value(array.as_ref(), row, cell);
                record.field(cell.as_bytes());
            }
            // A null.
            _ => record.field(b""),
        }
    }
}

/// The text of a dictionary column's cell at `row`; `None` for a null (or a key outside the
/// dictionary, which a valid file does not have).
#[inline(always)]
fn dictionary_value<'a>(
    keys: &Int32Array,
    values: &'a StringArray,
    row: usize,
) -> Option<&'a [u8]> {
    dictionary_text(keys, values, row).map(str::as_bytes)
}

#[inline(always)]
fn dictionary_text<'a>(keys: &Int32Array, values: &'a StringArray, row: usize) -> Option<&'a str> {
    if keys.is_null(row) {
        return None;
    }
    let key = usize::try_from(keys.value(row)).ok()?;
    (key < values.len() && !values.is_null(key)).then(|| values.value(key))
}

/// `n` in decimal digits, with its sign (as `format!("{n}")` writes it).
fn itoa_i64(n: i64) -> Digits {
    let mut digits = itoa_u64(n.unsigned_abs());
    if n < 0 {
        digits.start -= 1;
        digits.bytes[digits.start] = b'-';
    }
    digits
}

/// `v` as `format!("{v}")` writes it, when it has at most four decimals and is below 10⁹ in
/// size (the usual confidences, scores and amounts): the length written into `out`. `None`
/// otherwise (left to the formatter). The formatter writes the shortest decimal that reads back
/// as `v`; below 10⁹ two decimals of up to four places are never within one `f64` step of each
/// other, so the first number of places `k` at which `v·10ᵏ` rounds to an integer `m` that reads
/// back as `v` (`m / 10ᵏ`, both exact, divides with the same rounding as reading the decimal)
/// gives that decimal.
fn short_decimal(v: f64, out: &mut [u8; 24]) -> Option<usize> {
    const SCALES: [f64; 5] = [1.0, 10.0, 100.0, 1_000.0, 10_000.0];
    // Zero (and its sign) and anything large or not finite: the formatter.
    if v == 0.0 || !v.is_finite() || v.abs() >= 1e9 {
        return None;
    }
    let (places, m) = SCALES.iter().enumerate().find_map(|(k, &scale)| {
        let m = (v * scale).round();
        (m / scale == v).then_some((k, m))
    })?;
    // |m| < 10¹³: exact as an integer.
    let digits = m.abs() as u64;
    let mut len = 0;
    if v < 0.0 {
        out[0] = b'-';
        len = 1;
    }
    let scale = 10u64.pow(places as u32);
    let (whole, fraction) = (digits / scale, digits % scale);
    let text = itoa_u64(whole);
    let whole_text = text.as_bytes();
    out[len..len + whole_text.len()].copy_from_slice(whole_text);
    len += whole_text.len();
    if places > 0 {
        out[len] = b'.';
        len += 1;
        let mut f = fraction;
        for i in (0..places).rev() {
            out[len + i] = b'0' + (f % 10) as u8;
            f /= 10;
        }
        len += places;
    }
    Some(len)
}

/// `n` in decimal digits.
fn itoa_u64(n: u64) -> Digits {
    let mut digits = Digits::default();
    let mut v = n;
    loop {
        digits.start -= 1;
        digits.bytes[digits.start] = b'0' + (v % 10) as u8;
        v /= 10;
        if v == 0 {
            return digits;
        }
    }
}

/// The decimal digits of a `u64` (or an `i64` with its sign), right-aligned.
struct Digits {
    bytes: [u8; 21],
    start: usize,
}

impl Default for Digits {
    fn default() -> Digits {
        Digits {
            bytes: [0; 21],
            start: 21,
        }
    }
}

impl Digits {
    fn as_bytes(&self) -> &[u8] {
        &self.bytes[self.start..]
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
    let of_day = seconds.rem_euclid(86_400);
    let date = crate::calendar::civil::date_of(seconds.div_euclid(86_400))?;
    let (year, month, day) = (
        i64::from(date.year()),
        i64::from(date.month()),
        i64::from(date.day()),
    );
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

#[cfg(test)]
mod tests;
