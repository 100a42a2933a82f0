//! A Parquet file's rows written back as CSV bytes, for readers of CSV text (lint's data
//! checks).

use std::collections::BTreeSet;
use std::io::Read;
use std::path::Path;

use csv::ByteRecord;

use super::{ParquetRows, rows};

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
        use crate::tickets::source::TypedRows as _;
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
