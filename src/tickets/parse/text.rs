//! A record's fields as the parser reads them: slices of a text record (CSV), or the cells of a
//! typed row (Parquet) — a string borrowed from its column, or, for a cell the parser reads as
//! text although it is typed, its text written once ([`Rendered`]). Three views: [`Plain`] and
//! [`TypedRow`] for the usual records (all text; typed without `[values] na`), each read by code
//! without a branch for the other kinds, and [`RecordText`] for any record.

use std::cell::{Cell as Flag, OnceCell};
use std::ops::Range;

use super::super::mapping::Na;
use super::super::record::{Cell, RawRecord, TypedBatch};
use super::super::value::{trim, trim_bytes};

/// A record's fields. A text record that is valid UTF-8 as a whole (the usual case) is checked
/// once; its fields are slices of it.
pub(super) struct RecordText<'r> {
    pub(super) record: RawRecord<'r>,
    whole: Option<&'r str>,
    /// `[values] na`: raw values that mean empty; `None` when there are none.
    na: Option<&'r Na>,
    /// A typed row: its batch, its row, its cells, and the text of the cells read as text.
    typed: Option<TypedRow<'r>>,
}

/// The text of a typed row's cells that the parser reads as text, written when first read;
/// kept (with its buffers) from row to row by the parser.
#[derive(Debug, Clone, Default)]
pub(super) struct Rendered {
    cells: Vec<OnceCell<String>>,
    /// Some cell was written for this row.
    used: Flag<bool>,
}

impl Rendered {
    /// Ready for a row of `width` cells, none written.
    pub(super) fn reset(&mut self, width: usize) {
        if self.used.replace(false) {
            self.cells.iter_mut().for_each(|cell| drop(cell.take()));
        }
        if self.cells.len() < width {
            self.cells.resize_with(width, OnceCell::new);
        }
    }

    /// The text of the typed cell of `row` in `column` (written on first read; empty outside
    /// the row). Out of line: the usual typed cells are strings, read where they lie.
    #[inline(never)]
    fn text<'r>(&'r self, batch: &dyn TypedBatch, row: usize, column: usize) -> &'r str {
        match self.cells.get(column) {
            Some(cell) => cell.get_or_init(|| {
                self.used.set(true);
                let mut text = String::new();
                batch.text(row, column, &mut text);
                text
            }),
            None => "",
        }
    }
}

impl<'r> RecordText<'r> {
    /// The fields of `record`; of a typed row, `cells` are its cells ([`TypedBatch::row`]).
    pub(super) fn new(
        record: RawRecord<'r>,
        na: Option<&'r Na>,
        cells: &'r [Cell<'r>],
        rendered: &'r Rendered,
    ) -> RecordText<'r> {
        match record.typed() {
            Some((batch, row)) => RecordText {
                record,
                whole: None,
                na,
                typed: Some(TypedRow {
                    batch,
                    row,
                    cells,
                    rendered,
                }),
            },
            None => RecordText {
                record,
                whole: text_of(&record),
                na,
                typed: None,
            },
        }
    }

    /// Field `column` (empty when the record is short); `Err` when it is not UTF-8.
    #[inline(always)]
    pub(super) fn get(&self, column: usize) -> Result<&'r str, ()> {
        self.raw(column).map(|text| self.clean(text))
    }

    #[inline(always)]
    fn clean(&self, text: &'r str) -> &'r str {
        match self.na {
            Some(na) => na.clean(text),
            None => text,
        }
    }

    #[inline(always)]
    fn raw(&self, column: usize) -> Result<&'r str, ()> {
        if let Some(typed) = &self.typed {
            return typed.get(column);
        }
        // A slice of valid UTF-8 between character boundaries is valid UTF-8; a field that
        // does not start and end on one (only possible in a record that is not all text)
        // is checked on its own.
        if let Some(field) = self
            .whole
            .zip(self.record.range(column))
            .and_then(|(whole, range)| whole.get(range))
        {
            return Ok(field);
        }
        std::str::from_utf8(self.record.get(column).unwrap_or_default()).map_err(|_| ())
    }

    #[inline(always)]
    pub(super) fn trimmed(&self, column: usize) -> Result<&'r str, ()> {
        self.raw(column).map(|text| self.clean(trim(text)))
    }
}

/// A record's fields as [`super::TicketParser::fill`] reads them. Three kinds, so that the
/// usual ones are read by code that has no branch for the others: [`Plain`] (a text record
/// split once, every field text), [`TypedRow`] (a typed row without `[values] na`) and
/// [`RecordText`] (any record: typed rows, `[values] na`, fields that are not UTF-8).
pub(super) trait Fields<'r> {
    /// Number of fields.
    fn len(&self) -> usize;
    /// Field `column` (empty when the record is short); `Err` when it is not UTF-8.
    fn get(&self, column: usize) -> Result<&'r str, ()>;
    /// [`Fields::get`], trimmed.
    fn trimmed(&self, column: usize) -> Result<&'r str, ()>;
    /// [`Fields::trimmed`] as bytes: what the number, date and flag readers read. `Err` when
    /// the field is not UTF-8.
    #[inline(always)]
    fn trimmed_bytes(&self, column: usize) -> Result<&'r [u8], ()> {
        self.trimmed(column).map(str::as_bytes)
    }
    /// The record, when it is a typed row (its cells may be read as the values they are,
    /// [`Fields::cell`]).
    fn typed(&self) -> Option<&Self>;
    /// The cell of a typed row as its column holds it ([`Cell::Null`] past the row's end);
    /// `None` for a text record, and under `[values] na` (a typed value is then read through
    /// its text).
    fn cell(&self, column: usize) -> Option<Cell<'r>>;
}

impl<'r> Fields<'r> for RecordText<'r> {
    #[inline(always)]
    fn len(&self) -> usize {
        self.record.len()
    }

    #[inline(always)]
    fn get(&self, column: usize) -> Result<&'r str, ()> {
        RecordText::get(self, column)
    }

    #[inline(always)]
    fn trimmed(&self, column: usize) -> Result<&'r str, ()> {
        RecordText::trimmed(self, column)
    }

    #[inline(always)]
    fn typed(&self) -> Option<&Self> {
        self.typed.is_some().then_some(self)
    }

    #[inline(always)]
    fn cell(&self, column: usize) -> Option<Cell<'r>> {
        match self.na {
            Some(_) => None,
            None => self.typed.map(|typed| typed.at(column)),
        }
    }
}

/// The fields of a text record that [`split_plain`] split: a record UTF-8 as a whole, none
/// typed, no `[values] na` to test them against. Its fields are kept as byte ranges: the
/// number, date and flag readers take them as bytes ([`Fields::trimmed_bytes`], no
/// character-boundary check), the text and label readers as text (checked where read).
pub(super) struct Plain<'a, 'r> {
    pub(super) whole: &'r str,
    pub(super) fields: &'a [Range<usize>],
}

impl<'r> Plain<'_, 'r> {
    /// The bytes of field `column` (empty when the record is short).
    #[inline(always)]
    fn bytes(&self, column: usize) -> &'r [u8] {
        let whole = self.whole.as_bytes();
        match self.fields.get(column) {
            Some(range) => whole.get(range.clone()).unwrap_or_default(),
            None => &[],
        }
    }
}

impl<'r> Fields<'r> for Plain<'_, 'r> {
    #[inline(always)]
    fn len(&self) -> usize {
        self.fields.len()
    }

    #[inline(always)]
    fn get(&self, column: usize) -> Result<&'r str, ()> {
        // As [`RecordText`]: a field that does not start and end on a character boundary is
        // checked on its own.
        let field = self
            .fields
            .get(column)
            .and_then(|range| self.whole.get(range.clone()));
        match field {
            Some(field) => Ok(field),
            None => not_on_boundaries(self.bytes(column)),
        }
    }

    #[inline(always)]
    fn trimmed(&self, column: usize) -> Result<&'r str, ()> {
        self.get(column).map(trim)
    }

    #[inline(always)]
    fn trimmed_bytes(&self, column: usize) -> Result<&'r [u8], ()> {
        trim_bytes(self.bytes(column))
    }

    #[inline(always)]
    fn typed(&self) -> Option<&Self> {
        None
    }

    #[inline(always)]
    fn cell(&self, _: usize) -> Option<Cell<'r>> {
        None
    }
}

/// [`Plain::get`]'s rare case: a field of a UTF-8 record cut inside a character (or an empty
/// one between the bytes of one), checked on its own as [`RecordText`] checks it.
#[cold]
#[inline(never)]
fn not_on_boundaries(field: &[u8]) -> Result<&str, ()> {
    std::str::from_utf8(field).map_err(|_| ())
}

/// The fields of a typed row read without `[values] na` ([`TypedBatch::row`]'s cells): a
/// string where it lies, any other cell as itself ([`Fields::cell`]) or, read as text, through
/// [`Rendered`]. [`RecordText`] reads a typed row's text through one too.
#[derive(Clone, Copy)]
pub(super) struct TypedRow<'r> {
    pub(super) batch: &'r dyn TypedBatch,
    pub(super) row: usize,
    pub(super) cells: &'r [Cell<'r>],
    pub(super) rendered: &'r Rendered,
}

impl<'r> TypedRow<'r> {
    #[inline(always)]
    fn at(&self, column: usize) -> Cell<'r> {
        self.cells.get(column).copied().unwrap_or(Cell::Null)
    }
}

impl<'r> Fields<'r> for TypedRow<'r> {
    #[inline(always)]
    fn len(&self) -> usize {
        self.cells.len()
    }

    #[inline(always)]
    fn get(&self, column: usize) -> Result<&'r str, ()> {
        Ok(match self.at(column) {
            Cell::Text(text) => text,
            Cell::Null => "",
            _ => self.rendered.text(self.batch, self.row, column),
        })
    }

    #[inline(always)]
    fn trimmed(&self, column: usize) -> Result<&'r str, ()> {
        self.get(column).map(trim)
    }

    #[inline(always)]
    fn typed(&self) -> Option<&Self> {
        Some(self)
    }

    #[inline(always)]
    fn cell(&self, column: usize) -> Option<Cell<'r>> {
        Some(self.at(column))
    }
}

/// A text record as text when it is UTF-8 as a whole: as its chunk was found
/// ([`RawRecord::text`], the usual record, not checked again), else checked on its own.
#[inline(always)]
fn text_of<'r>(record: &RawRecord<'r>) -> Option<&'r str> {
    match record.text() {
        Some(text) => Some(text),
        None => std::str::from_utf8(record.as_slice()).ok(),
    }
}

/// Split a text record into `fields` (emptied first): the record as text, or `None` (and
/// `fields` in any state) when it is not all text — a typed row, or a record that is not
/// UTF-8 as a whole. The fields are kept as byte ranges, not checked for character
/// boundaries here: field boundaries are ASCII (`,`, quotes), so in a record that is UTF-8 as
/// a whole they always are, and [`Plain`] checks those of the text fields where it reads them.
#[inline(always)]
pub(super) fn split_plain<'r>(
    record: &RawRecord<'r>,
    fields: &mut Vec<Range<usize>>,
) -> Option<&'r str> {
    fields.clear();
    if record.typed().is_some() {
        return None;
    }
    let whole = text_of(record)?;
    fields.extend(record.ranges());
    Some(whole)
}
