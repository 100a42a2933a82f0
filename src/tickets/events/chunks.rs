//! The events of a CSV event log read in chunks, as replay's workers read plain ticket CSV:
//! the input cut at record ends ([`Cutter`]) and each chunk split into records by
//! [`Records::read_chunk`] (plainly written records without `csv_core`, the others with it:
//! the same fields, and the same lines, as the `csv` crate's reader gives one by one).

use crate::tickets::chunk::{Chunk, Cutter, core_reader, count_newlines};
use crate::tickets::source::read_error;
use crate::tickets::{RawRecord, Records};

pub struct EventChunks {
    cutter: Cutter,
    chunk: Chunk,
    records: Records,
    core: csv_core::Reader,
    /// The next record of `records` to hand out.
    next: usize,
    /// The read error that ended the chunk in `records`: reported once its records are read.
    error: Option<csv::Error>,
    /// The last chunk is in `records`.
    done: bool,
}

impl EventChunks {
    pub fn new(cutter: Cutter) -> EventChunks {
        EventChunks {
            cutter,
            chunk: Chunk::default(),
            records: Records::default(),
            core: core_reader(),
            next: 0,
            error: None,
            done: false,
        }
    }

    /// Bytes of the input cut into chunks so far (for progress).
    pub fn position(&self) -> u64 {
        self.cutter.position()
    }

    /// Read chunks until `records` has one not handed out; `false` at the end (or at an error,
    /// then in `error`).
    fn fill(&mut self) -> bool {
        while self.next >= self.records.len() {
            if self.done {
                return false;
            }
            let filled = self.cutter.fill(&mut self.chunk);
            self.records.read_chunk(&mut self.core, &self.chunk);
            self.next = 0;
            self.done = self.chunk.last;
            if let Err(error) = filled {
                // The line an editor shows for the interrupted record.
                let line = self.chunk.newlines + count_newlines(&self.chunk.bytes) + 1;
                let message = read_error(csv::Error::from(error), line);
                self.error = Some(csv::Error::from(std::io::Error::other(message)));
                self.done = true;
            }
        }
        true
    }

    /// The next event without handing it out; `None` at the end or at a read error (which
    /// [`EventChunks::next_event`] reports in turn).
    pub fn peek(&mut self) -> Option<RawRecord<'_>> {
        match self.fill() {
            true => self.records.get(self.next),
            false => None,
        }
    }

    /// The next event; `Ok(None)` at the end of the input.
    pub fn next_event(&mut self) -> Result<Option<RawRecord<'_>>, csv::Error> {
        if !self.fill() {
            return match self.error.take() {
                Some(error) => Err(error),
                None => Ok(None),
            };
        }
        self.next += 1;
        Ok(self.records.get(self.next - 1))
    }
}
