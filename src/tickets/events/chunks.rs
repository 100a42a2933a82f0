//! The events of a CSV event log read in chunks, as replay's workers read plain ticket CSV:
//! the input cut at record ends ([`Cutter`]) and each chunk split into records by
//! [`Records::read_chunk`] (plainly written records without `csv_core`, the others with it:
//! the same fields, and the same lines, as the `csv` crate's reader gives one by one).
//!
//! Replay on several threads splits ahead ([`EventChunks::split_ahead`]): a thread of its own
//! cuts and splits the chunks and prepares what of each event does not depend on the fold
//! ([`Preparer::prepare`]: the UTF-8 check, the cells cleaned, the time read, the `where`s), one
//! chunk ahead of the thread that folds them, which takes the chunks in input order — so the
//! fold reads the same events in the same order, and gives the same tickets.

use std::sync::mpsc::{Receiver, Sender, channel, sync_channel};

use super::cells::{Prepared, Preparer};
use super::plan::Plan;
use crate::tickets::chunk::{Chunk, Cutter, core_reader, count_newlines, read_error};
use crate::tickets::{RawRecord, Records};

pub struct EventChunks {
    /// The chunk whose events are being handed out.
    current: Split,
    /// The next record of `current` to hand out.
    next: usize,
    source: Source,
    /// `current` is the last chunk.
    done: bool,
}

/// A chunk's events split into records (and, split ahead, their cells cleaned).
#[derive(Default)]
struct Split {
    records: Records,
    prepared: Option<Prepared>,
    /// The read error that ended the input in this chunk: reported once its records are read.
    error: Option<csv::Error>,
    last: bool,
    /// Bytes of the input cut into chunks up to this one's end.
    position: u64,
}

enum Source {
    /// Split on the thread that folds.
    Here(Box<Splitter>),
    /// Split on a thread of its own: chunks come in order from `full`, and go back through
    /// `spent` to be filled again.
    Ahead {
        full: Receiver<Split>,
        spent: Sender<Split>,
    },
}

/// Cuts the input into chunks and splits them into records, on whichever thread.
struct Splitter {
    cutter: Cutter,
    chunk: Chunk,
    core: csv_core::Reader,
}

impl Splitter {
    fn split(&mut self, into: &mut Split) {
        let filled = self.cutter.fill(&mut self.chunk);
        into.error = filled.err().map(|error| {
            // The line an editor shows for the interrupted record.
            let line = self.chunk.newlines + count_newlines(&self.chunk.bytes) + 1;
            let message = read_error(csv::Error::from(error), line);
            csv::Error::from(std::io::Error::other(message))
        });
        // Takes the chunk's bytes.
        into.records.read_chunk(&mut self.core, &mut self.chunk);
        into.position = self.cutter.position();
        into.last = self.chunk.last;
        into.last |= into.error.is_some();
    }
}

impl EventChunks {
    pub fn new(cutter: Cutter) -> EventChunks {
        EventChunks {
            current: Split::default(),
            next: 0,
            source: Source::Here(Box::new(Splitter {
                cutter,
                chunk: Chunk::default(),
                core: core_reader(),
            })),
            done: false,
        }
    }

    /// Bytes of the input cut into chunks so far (for progress).
    pub fn position(&self) -> u64 {
        self.current.position
    }

    /// From the next chunk on, cut and split the chunks, and clean the cells `plan`'s folds
    /// read, on a thread of its own; `false` (and the chunks are split here as before) when
    /// the thread cannot start or nothing is left to split.
    pub fn split_ahead(&mut self, plan: &Plan) -> bool {
        if self.done || !matches!(self.source, Source::Here(_)) {
            return false;
        }
        let mut preparer = Preparer::new(plan);
        let (give, take) = channel::<Box<Splitter>>();
        let (full_tx, full) = sync_channel::<Split>(1);
        let (spent, spent_rx) = channel::<Split>();
        let spawned = std::thread::Builder::new()
            .name("handoff-split".into())
            .spawn(move || {
                let Ok(mut splitter) = take.recv() else {
                    return;
                };
                loop {
                    let mut split = spent_rx.try_recv().unwrap_or_default();
                    splitter.split(&mut split);
                    let prepared = split.prepared.get_or_insert_with(Prepared::default);
                    preparer.prepare(&split.records, prepared);
                    let last = split.last;
                    // The folding side stopped early (an error): nothing more to do.
                    if full_tx.send(split).is_err() || last {
                        return;
                    }
                }
            });
        if spawned.is_err() {
            return false;
        }
        let ahead = Source::Ahead { full, spent };
        if let Source::Here(splitter) = std::mem::replace(&mut self.source, ahead) {
            // The thread waits for it; had it ended, the next chunk reports that.
            let _ = give.send(splitter);
        }
        true
    }

    /// Take chunks until `current` has a record not handed out; `false` at the end (or at an
    /// error, then in `current`).
    fn fill(&mut self) -> bool {
        while self.next >= self.current.records.len() {
            if self.done {
                return false;
            }
            match &mut self.source {
                Source::Here(splitter) => splitter.split(&mut self.current),
                Source::Ahead { full, spent } => match full.recv() {
                    Ok(split) => {
                        let spent_split = std::mem::replace(&mut self.current, split);
                        // The thread is gone after the last chunk.
                        let _ = spent.send(spent_split);
                    }
                    Err(_) => {
                        let error = std::io::Error::other("the thread that splits events stopped");
                        self.current.records.clear();
                        self.current.error = Some(csv::Error::from(error));
                        self.current.last = true;
                    }
                },
            }
            self.next = 0;
            self.done = self.current.last;
        }
        true
    }

    /// The next event without handing it out; `None` at the end or at a read error (which
    /// [`EventChunks::next_event`] reports in turn).
    pub fn peek(&mut self) -> Option<RawRecord<'_>> {
        match self.fill() {
            true => self.current.records.get(self.next),
            false => None,
        }
    }

    /// The next event, with its cells when they were prepared ahead; `Ok(None)` at the end of
    /// the input.
    #[allow(clippy::type_complexity)]
    pub fn next_event(
        &mut self,
    ) -> Result<Option<(RawRecord<'_>, Option<(&Prepared, usize)>)>, csv::Error> {
        if !self.fill() {
            return match self.current.error.take() {
                Some(error) => Err(error),
                None => Ok(None),
            };
        }
        let at = self.next;
        self.next += 1;
        let prepared = self.current.prepared.as_ref().map(|p| (p, at));
        Ok(self.current.records.get(at).map(|r| (r, prepared)))
    }
}
