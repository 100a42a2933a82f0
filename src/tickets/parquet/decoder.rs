//! The decoding of a Parquet input's batches on the replay's worker threads, once they are
//! handed out as chunks ([`ParquetChunk`]), and a decoded batch ([`Decoded`]): held as typed
//! rows for the parser ([`crate::tickets::record::TypedBatch`]) or written out as text records.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, OnceLock};

use parquet::arrow::arrow_reader::ParquetRecordBatchReader;

use super::column::Column;
use super::{BATCH_ROWS, newlines};
use crate::tickets::Records;
use crate::tickets::chunk::TypedChunk;
use crate::tickets::record::{Cell, TypedBatch};

/// The decoding of a Parquet input's batches once they are handed out as chunks, shared by the
/// threads that evaluate them. Each mapped column has a decoder of its own (its own file handle
/// and Arrow reader), so two threads decode at once — different columns of one batch, or of two
/// batches. A column's batches are decoded in input order, each by the thread that needs it — or
/// by one that needs a later batch first: that thread decodes the batches before its own and
/// leaves them in the column's `ready` for their holders, so no thread ever waits for another
/// one to come round. A thread takes the columns that are free first and waits only for the
/// ones another thread is decoding at that moment. Each column counts the line breaks in its
/// cells before every batch, so a batch's first line (the line after every row before it) is
/// known without waiting for the batches before it.
#[derive(Debug)]
pub(super) struct Decoder {
    columns: Vec<Mutex<ColumnDecoder>>,
    /// The line of the first row handed out as a chunk.
    line: u64,
}

/// One column's decoder ([`Decoder`]).
struct ColumnDecoder {
    batches: Option<ParquetRecordBatchReader>,
    /// The number of the next batch to decode, and the line breaks in this column's cells
    /// before it.
    next: u64,
    newlines: u64,
    /// Batches decoded for a thread that has not come for them yet.
    ready: BTreeMap<u64, DecodedColumn>,
    /// The first batch that could not be decoded, and why: it and every later one fail so.
    failed: Option<(u64, String)>,
}

impl std::fmt::Debug for ColumnDecoder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ColumnDecoder")
            .field("next", &self.next)
            .field("newlines", &self.newlines)
            .finish_non_exhaustive()
    }
}

/// One column of one batch: `None` past the end of the file; the line breaks in the column's
/// cells before the batch and inside it.
#[derive(Debug)]
struct DecodedColumn {
    column: Option<Column>,
    before: u64,
    inner: u64,
}

/// One decoded batch: its columns and rows, the line of its first row, the line breaks inside
/// its cells; with any, the line of each row ([`Decoded::lined`]).
#[derive(Debug, Default)]
pub(super) struct Decoded {
    pub(super) columns: Vec<Column>,
    pub(super) rows: usize,
    pub(super) line: u64,
    pub(super) inner: u64,
    pub(super) lines: Vec<u64>,
}

impl Decoder {
    /// Decoders of these columns' readers, whose first row is on line `line`.
    pub(super) fn new(columns: Vec<ParquetRecordBatchReader>, line: u64) -> Decoder {
        let columns = columns
            .into_iter()
            .map(|batches| {
                Mutex::new(ColumnDecoder {
                    batches: Some(batches),
                    next: 0,
                    newlines: 0,
                    ready: BTreeMap::new(),
                    failed: None,
                })
            })
            .collect();
        Decoder { columns, line }
    }

    /// Batch `seq` (of `rows` rows; every batch before it has [`BATCH_ROWS`]), decoded.
    fn batch(&self, seq: u64, rows: usize) -> Result<Decoded, String> {
        let n = self.columns.len();
        let mut got: Vec<Option<Result<DecodedColumn, String>>> = (0..n).map(|_| None).collect();
        let mut busy = Vec::new();
        // Columns no other thread is decoding first (starting one further along per batch, so
        // that two threads seldom want the same column at once), then the others.
        for i in 0..n {
            let c = (seq as usize + i) % n;
            match self.columns[c].try_lock() {
                Ok(mut column) => got[c] = Some(column.take(seq)),
                // A thread that panicked while decoding stops the replay; what it left is
                // not read.
                Err(std::sync::TryLockError::Poisoned(poisoned)) => {
                    got[c] = Some(poisoned.into_inner().take(seq));
                }
                Err(std::sync::TryLockError::WouldBlock) => busy.push(c),
            }
        }
        for c in busy {
            let mut column = self.columns[c]
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner());
            got[c] = Some(column.take(seq));
        }
        // The first column's error, as the file's one reader met it decoding columns in order.
        let got = got
            .into_iter()
            .flatten()
            .collect::<Result<Vec<_>, String>>()?;
        let mut columns = Vec::with_capacity(n);
        let (mut before, mut inner) = (0, 0);
        for decoded in got {
            let len = decoded.column.as_ref().map_or(0, Column::len);
            let Some(column) = decoded.column.filter(|_| len == rows) else {
                return Err(format!(
                    "cannot read: {len} rows where the file's metadata says {rows}"
                ));
            };
            before += decoded.before;
            inner += decoded.inner;
            columns.push(column);
        }
        Ok(Decoded {
            columns,
            rows,
            line: self.line + seq * BATCH_ROWS as u64 + before,
            inner,
            lines: Vec::new(),
        })
    }
}

impl ColumnDecoder {
    /// This column of batch `seq`.
    fn take(&mut self, seq: u64) -> Result<DecodedColumn, String> {
        if let Some(decoded) = self.ready.remove(&seq) {
            return Ok(decoded);
        }
        loop {
            if let Some((failed, why)) = &self.failed {
                if seq >= *failed {
                    return Err(why.clone());
                }
            }
            if self.next > seq {
                // Taken already: cannot happen, each batch is split once.
                return Err("cannot read: a batch was decoded twice".to_string());
            }
            let next = self.next;
            match self.decode_next() {
                Ok(decoded) if next == seq => return Ok(decoded),
                Ok(decoded) => {
                    self.ready.insert(next, decoded);
                }
                Err(why) => self.failed = Some((next, why)),
            }
        }
    }

    /// Decode the next batch of this column (none at the end of the file).
    fn decode_next(&mut self) -> Result<DecodedColumn, String> {
        let column = match self.batches.as_mut().and_then(Iterator::next) {
            Some(batch) => {
                let batch = batch.map_err(|e| format!("cannot read: {e}"))?;
                batch.columns().first().map(Column::of)
            }
            None => None,
        };
        // Only the line breaks inside strings move the lines after them.
        let inner = column.as_ref().map_or(0, Column::newlines);
        let decoded = DecodedColumn {
            column,
            before: self.newlines,
            inner,
        };
        self.next += 1;
        self.newlines += inner;
        Ok(decoded)
    }
}

/// A numbered batch of rows handed out by [`ParquetRows`]'s `next_chunk`, decoded and split
/// into records on the thread that evaluates it.
#[derive(Debug)]
pub(super) struct ParquetChunk {
    decoder: Arc<Decoder>,
    seq: u64,
    rows: usize,
    /// Why the batch could not be decoded (it then has no records).
    error: OnceLock<String>,
}

impl ParquetChunk {
    pub(super) fn new(decoder: Arc<Decoder>, seq: u64, rows: usize) -> ParquetChunk {
        ParquetChunk {
            decoder,
            seq,
            rows,
            error: OnceLock::new(),
        }
    }
}

impl TypedChunk for ParquetChunk {
    fn split(&self, records: &mut Records) {
        match self.decoder.batch(self.seq, self.rows) {
            Ok(decoded) => decoded.split(records),
            Err(why) => {
                let _ = self.error.set(why);
            }
        }
    }

    fn batch(&self) -> Option<Box<dyn TypedBatch>> {
        match self.decoder.batch(self.seq, self.rows) {
            Ok(decoded) => Some(Box::new(decoded.lined())),
            Err(why) => {
                let _ = self.error.set(why);
                // No rows: the error ends the input.
                Some(Box::new(Decoded::default()))
            }
        }
    }

    fn error(&self) -> Option<&str> {
        self.error.get().map(String::as_str)
    }
}

impl Decoded {
    /// With the line of each row when line breaks inside cells move them (else each row is a
    /// line after the one before).
    pub(super) fn lined(mut self) -> Decoded {
        if self.inner > 0 {
            let mut line = self.line;
            self.lines = (0..self.rows)
                .map(|row| {
                    let here = line;
                    line += 1 + self.columns.iter().map(|c| c.newlines_at(row)).sum::<u64>();
                    here
                })
                .collect();
        }
        self
    }

    pub(super) fn split(&self, records: &mut Records) {
        // Each cell is copied once, from its column into `records`.
        let mut cell = String::new();
        let mut line = self.line;
        for row in 0..self.rows {
            records.begin(line);
            for column in &self.columns {
                column.push(row, records, &mut cell);
            }
            line += 1;
            if self.inner > 0 {
                line += records.last().map_or(0, |r| newlines(r.as_slice()));
            }
        }
    }
}

impl TypedBatch for Decoded {
    fn rows(&self) -> usize {
        self.rows
    }

    fn width(&self) -> usize {
        self.columns.len()
    }

    fn line(&self, row: usize) -> u64 {
        match self.lines.get(row) {
            Some(&line) => line,
            None => self.line + row as u64,
        }
    }

    #[inline]
    fn cell(&self, row: usize, column: usize) -> Cell<'_> {
        match self.columns.get(column) {
            Some(c) if row < self.rows => c.cell(row),
            _ => Cell::Null,
        }
    }

    fn text(&self, row: usize, column: usize, out: &mut String) {
        if let Some(c) = self.columns.get(column).filter(|_| row < self.rows) {
            c.text(row, out);
        }
    }

    fn row<'a>(&'a self, row: usize, cells: &mut Vec<Cell<'a>>) {
        cells.clear();
        match row < self.rows {
            true => cells.extend(self.columns.iter().map(|c| c.cell(row))),
            false => cells.resize(self.columns.len(), Cell::Null),
        }
    }
}
