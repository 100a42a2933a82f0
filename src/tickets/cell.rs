//! A typed row's cells (a decoded batch of a Parquet file's columns), as the parser reads them
//! ([`crate::tickets::record::Records::hold_typed`]). On its own so that the chunks that carry
//! typed rows ([`super::chunk`]) and the records that hold them ([`super::record`]) both
//! depend on it and not on each other.

/// One cell of a typed row, as its column holds it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Cell<'a> {
    /// Empty (a null).
    Null,
    /// A string, as it stands.
    Text(&'a str),
    /// An instant: `raw` units of `1 / per_second` s since 1970; `utc` when the column is
    /// adjusted to UTC (its text has the `Z`), else a wall-clock time (no offset).
    Time {
        raw: i64,
        per_second: i64,
        utc: bool,
    },
    Float(f64),
    Int(i64),
    Bool(bool),
    /// Any other value: read through its text.
    Other,
}

/// A batch of typed rows (the columns of one decoded Parquet batch).
pub trait TypedBatch: Send + Sync + std::fmt::Debug {
    /// Rows, and cells per row.
    fn rows(&self) -> usize;
    fn width(&self) -> usize;
    /// The line of row `row` in a CSV export of the table.
    fn line(&self, row: usize) -> u64;
    /// The cell of row `row` in column `column` ([`Cell::Null`] outside the batch).
    fn cell(&self, row: usize, column: usize) -> Cell<'_>;
    /// Append the cell's text (what a CSV export holds) to `out`.
    fn text(&self, row: usize, column: usize, out: &mut String);
    /// Every cell of row `row`, in column order, into `cells` (replacing what was there).
    fn row<'a>(&'a self, row: usize, cells: &mut Vec<Cell<'a>>) {
        cells.clear();
        cells.extend((0..self.width()).map(|column| self.cell(row, column)));
    }
}
