//! The typed cells of a Parquet row read as the values they are — an instant, a double, an
//! integer, a flag — with exactly what the parser makes of the same cell's text (the text a
//! CSV export of the table holds, [`crate::tickets::record::TypedBatch::text`]). Each reader
//! gives a value only where that is certain to be the text's value; anything else (`None`) is
//! read through the text, as before: a value the text would make a problem of, a mapping with
//! a timestamp format, `[values] na` (its raw values are text).

use jiff::Timestamp;
use jiff::tz::TimeZone;

use super::{Cell, Fields, TicketParser};
use crate::fields::Field;

impl TicketParser {
    /// The typed cell of `field`, unless it is read through its text.
    #[inline(always)]
    fn typed_cell<'r>(&self, field: Field, record: &impl Fields<'r>) -> Option<Cell<'r>> {
        record.cell(self.plan(field).column?)
    }

    /// A timestamp field's instant. Its text is RFC 3339: with the `Z` when the column is
    /// adjusted to UTC (the instant itself), else a wall-clock time, read in the mapping's zone
    /// and counted among the timestamps without an offset. A mapping's `format` reads the text.
    pub(super) fn typed_timestamp<'r>(
        &mut self,
        field: Field,
        record: &impl Fields<'r>,
    ) -> Option<Timestamp> {
        let Cell::Time {
            raw,
            per_second,
            utc,
        } = self.typed_cell(field, record)?
        else {
            return None;
        };
        if self.timestamps.format.is_some() {
            return None;
        }
        let instant = instant(raw, per_second)?;
        if utc {
            return Some(instant);
        }
        let zone = &self.timestamps.timezone;
        let read = match *zone == TimeZone::UTC {
            true => instant,
            false => zone
                .to_timestamp(instant.to_zoned_datetime(TimeZone::UTC).datetime())
                .ok()?,
        };
        let without_offset = &self.timestamps.without_offset;
        without_offset.set(without_offset.get() + 1);
        Some(read)
    }

    /// A number field's raw value (before its scale): a finite double as it is (its text is
    /// the shortest decimal that reads back as it), an integer as the nearest double (as its
    /// digits read). Not a number, an infinity: read through the text.
    #[inline]
    pub(super) fn typed_number<'r>(&self, field: Field, record: &impl Fields<'r>) -> Option<f64> {
        match self.typed_cell(field, record)? {
            Cell::Float(v) if v.is_finite() => Some(v),
            Cell::Int(v) => Some(v as f64),
            _ => None,
        }
    }

    /// A flag field's value (its text is `true` or `false`).
    #[inline]
    pub(super) fn typed_bool<'r>(&self, field: Field, record: &impl Fields<'r>) -> Option<bool> {
        match self.typed_cell(field, record)? {
            Cell::Bool(v) => Some(v),
            _ => None,
        }
    }
}

/// `raw` units of `1 / per_second` s since 1970 as an instant (what its text reads back as);
/// `None` outside jiff's range (its text is then empty) or for a unit that does not divide a
/// second into nanoseconds.
pub(super) fn instant(raw: i64, per_second: i64) -> Option<Timestamp> {
    if per_second == 1 {
        return Timestamp::from_second(raw).ok();
    }
    let nanos_per_unit = match per_second {
        1_000 => 1_000_000,
        1_000_000 => 1_000,
        1_000_000_000 => 1,
        _ => return None,
    };
    let nanos = i128::from(raw).checked_mul(nanos_per_unit)?;
    Timestamp::from_nanosecond(nanos).ok()
}
