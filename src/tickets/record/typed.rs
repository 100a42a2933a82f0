//! Rows that come typed (a decoded batch of a Parquet file's columns), kept as they are in
//! [`super::Records`] instead of being written out as text: the parser reads each cell as the
//! value it is (a string borrowed from its column, an instant, a double, a flag) and writes a
//! cell as text only where the text is what it needs ([`TypedBatch::text`]: the same text a CSV
//! export of the table holds).

use super::Records;
pub use crate::tickets::cell::{Cell, TypedBatch};

impl Records {
    /// Hold the rows of `batch` as they are (replacing what was here): each is a record whose
    /// cells the parser reads typed ([`super::RawRecord::typed`]); one that needs its text
    /// (a rejected record, for `--rejects`) gets it from [`Records::write_text`].
    pub fn hold_typed(&mut self, batch: Box<dyn TypedBatch>) {
        self.clear();
        for row in 0..batch.rows() {
            self.records.push(super::Extent {
                start: 0,
                first: 0,
                last: 0,
                line: batch.line(row),
                rejected: None,
            });
        }
        self.typed = Some(batch);
    }

    /// Give typed record `index` its text: its cells written as a CSV export holds them, so
    /// that [`Records::get`] gives the record as text from now on. Nothing for a record that is
    /// text already.
    pub fn write_text(&mut self, index: usize) {
        let (Some(batch), Some(extent)) = (self.typed.as_ref(), self.records.get(index)) else {
            return;
        };
        if extent.last > extent.first || batch.width() == 0 {
            return;
        }
        // [`Records::cut_room`] (the batch is borrowed).
        self.gaps.truncate(self.fields);
        self.ends.truncate(self.fields);
        let bytes = self.bytes.bytes_mut();
        let (start, first) = (bytes.len(), self.fields);
        let mut cell = String::new();
        for column in 0..batch.width() {
            cell.clear();
            batch.text(index, column, &mut cell);
            self.gaps.push(0);
            bytes.extend_from_slice(cell.as_bytes());
            self.ends.push(bytes.len());
        }
        self.fields = self.ends.len();
        let last = self.fields;
        if let Some(extent) = self.records.get_mut(index) {
            (extent.start, extent.first, extent.last) = (start, first, last);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reused_cells_keep_their_allocation() {
        let text = String::from("x");
        let mut cells = vec![Cell::Text(&text); 20];
        cells.push(Cell::Null);
        let (at, capacity) = (cells.as_ptr() as usize, cells.capacity());
        let reused: Vec<Cell<'static>> = super::super::reuse(cells);
        assert!(reused.is_empty());
        assert_eq!(
            (reused.as_ptr() as usize, reused.capacity()),
            (at, capacity)
        );
        // The parser's field slices, the same way.
        let fields: Vec<&str> = text.split("").collect();
        let (at, capacity) = (fields.as_ptr() as usize, fields.capacity());
        let reused: Vec<&'static str> = super::super::reuse(fields);
        assert!(reused.is_empty());
        assert_eq!(
            (reused.as_ptr() as usize, reused.capacity()),
            (at, capacity)
        );
    }
}
