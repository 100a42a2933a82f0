//! The `--rejects` file of `handoff replay`: every rejected record as it was read, after its
//! line and the reason it was rejected, under the input's own header.

use std::io::Write;

use crate::tickets::{RawRecord, RowError};

/// Writes rejected records. Each is copied as it was read, so a ragged record keeps its own
/// number of fields (the writer is flexible, or the first such record would abort the replay).
pub struct Rejects<W: Write> {
    writer: csv::Writer<W>,
    /// The input's header, after `_line` and `_reason`.
    headers: Vec<String>,
    header_written: bool,
}

impl<W: Write> Rejects<W> {
    /// A rejects file for an input with these column names.
    pub fn new(out: W, headers: Vec<String>) -> Rejects<W> {
        Rejects {
            writer: csv::WriterBuilder::new().flexible(true).from_writer(out),
            headers,
            header_written: false,
        }
    }

    fn write_header(&mut self) -> csv::Result<()> {
        let mut header = vec!["_line".to_string(), "_reason".to_string()];
        header.extend(self.headers.iter().cloned());
        self.writer.write_record(&header)?;
        self.header_written = true;
        Ok(())
    }

    /// One rejected record, with its line and reason.
    pub fn write(&mut self, error: &RowError, raw: RawRecord<'_>) -> std::io::Result<()> {
        if !self.header_written {
            self.write_header().map_err(std::io::Error::other)?;
        }
        let mut record = csv::ByteRecord::new();
        record.push_field(error.line.to_string().as_bytes());
        record.push_field(error.reason.as_bytes());
        for field in raw.iter() {
            record.push_field(field);
        }
        self.writer
            .write_byte_record(&record)
            .map_err(std::io::Error::other)
    }

    /// Everything written (the header alone when nothing was rejected): the destination.
    pub fn finish(mut self) -> std::io::Result<W> {
        if !self.header_written {
            self.write_header().map_err(std::io::Error::other)?;
        }
        self.writer.into_inner().map_err(|e| e.into_error())
    }
}
