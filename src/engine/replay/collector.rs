//! The calling thread's side of a replay: takes evaluated batches in input order, hands their
//! `--decisions` rows and rejected records to the sink, and counts what was read and rejected.

use super::options::{REJECT_EXAMPLES, ReplayError, ReplaySink};
use super::worker::Batch;
use crate::tickets::RowError;

/// What is written and counted in input order, batch after batch.
pub(super) struct Collector<'s> {
    sink: &'s mut dyn ReplaySink,
    strict: bool,
    pub(super) records: u64,
    pub(super) rejected: u64,
    pub(super) reject_examples: Vec<RowError>,
}

impl<'s> Collector<'s> {
    pub(super) fn new(sink: &'s mut dyn ReplaySink, strict: bool) -> Collector<'s> {
        Collector {
            sink,
            strict,
            records: 0,
            rejected: 0,
            reject_examples: Vec::new(),
        }
    }

    /// Count the records of batches returned to the pool without this thread (they had
    /// nothing for it: [`has_output`]).
    pub(super) fn passed(&mut self, records: u64) {
        self.records += records;
    }

    /// Take the next batch in input order. `Ok(false)` after the last one.
    pub(super) fn accept(&mut self, batch: &mut Batch) -> Result<bool, ReplayError> {
        self.records += batch.len as u64;
        if let Some(error) = batch.write_error.take() {
            return Err(error.into());
        }
        if !batch.decisions.is_empty() {
            self.sink.decisions(&batch.decisions)?;
        }
        for (index, error) in batch.rejects.drain(..) {
            self.rejected += 1;
            if let Some(record) = batch.records.get(index) {
                self.sink.rejected(&error, record)?;
            }
            if self.strict {
                return Err(ReplayError::Strict(error));
            }
            if self.reject_examples.len() < REJECT_EXAMPLES {
                self.reject_examples.push(error);
            }
        }
        self.sink.progress(batch.position);
        // Typed rows (Parquet) are decoded on the thread that evaluated the batch.
        if batch.error.is_none() {
            batch.error = batch.chunk.as_ref().and_then(|c| c.typed_error());
        }
        if let Some(error) = batch.error.take() {
            return Err(error.into());
        }
        Ok(!batch.last)
    }
}

/// Whether [`Collector::accept`] has anything to do with `batch` but count its records:
/// `--decisions` rows, rejected records, an error, or the end of the input. The pipeline
/// returns a batch without to the pool on the thread that evaluated it, and only counts its
/// records ([`Collector::passed`]), so that the calling thread is not woken for it.
pub(super) fn has_output(batch: &Batch) -> bool {
    batch.last
        || !batch.decisions.is_empty()
        || !batch.rejects.is_empty()
        || batch.write_error.is_some()
        || batch.error.is_some()
        || batch
            .chunk
            .as_ref()
            .is_some_and(|c| c.typed_error().is_some())
}
