//! Replay on several threads.
//!
//! Each thread reads a batch of records and evaluates it itself, with an [`Evaluator`] of its
//! own (replay's [`super::worker::Worker`], or sweep's): the batch's bytes are still in the
//! cache of the core that read them when it parses them. One thread reads at a time (the
//! reader is taken out of the shared queues while it reads, and put back), the others evaluate
//! their batches meanwhile; the calling thread takes the evaluated batches back in input order
//! (per-ticket output, rejected records) and returns them to the pool. The pool of batches
//! bounds memory. With one evaluator (`--check-ids`), one thread reads and another evaluates
//! every batch in input order.
//!
//! Which thread evaluates which batch varies from run to run; the metrics do not, because
//! they merge exactly ([`crate::engine::merge`]).

use std::collections::{BTreeMap, VecDeque};
use std::panic::AssertUnwindSafe;
use std::sync::mpsc::{Receiver, Sender, channel};
use std::sync::{Condvar, Mutex, MutexGuard};

use super::Evaluator;
use super::collector::Collector;
use super::options::ReplayError;
use super::worker::Batch;
use crate::tickets::TicketReader;

/// The input, while no thread is reading it: the reader, the sequence number of the next
/// batch and the record number of its first record.
struct Input<'r> {
    reader: &'r mut TicketReader,
    seq: u64,
    next_record: u64,
}

impl Input<'_> {
    /// Read the next batch into `batch`.
    fn fill(&mut self, batch: &mut Batch) {
        batch.fill(self.reader, self.seq, self.next_record);
        self.seq += 1;
        self.next_record += batch.len as u64;
    }
}

struct Queues<'r> {
    /// The input, unless a thread is reading it.
    input: Option<Input<'r>>,
    /// With one evaluator: read, waiting to be evaluated in input order.
    work: VecDeque<Batch>,
    free: Vec<Batch>,
    /// The last batch has been read.
    read_all: bool,
    /// The calling thread stopped (an error): everyone stops.
    stopped: bool,
}

struct Pipeline<'r> {
    queues: Mutex<Queues<'r>>,
    /// The queues changed: the input was put back, a batch was freed or queued, the input was
    /// read to its end, or the run stopped.
    changed: Condvar,
}

/// The sequence number of the message a thread sends when it panics.
const PANICKED: u64 = u64::MAX;

impl<'r> Pipeline<'r> {
    fn lock(&self) -> MutexGuard<'_, Queues<'r>> {
        // A thread that panicked while holding the lock cannot have left the queues half
        // changed (each change is a single push, pop or take), so carry on. A thread that
        // panicked while reading never puts the input back: it stops the run (`guarded`).
        self.queues
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn wait<'g>(&self, queues: MutexGuard<'g, Queues<'r>>) -> MutexGuard<'g, Queues<'r>> {
        self.changed
            .wait(queues)
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn stop(&self) {
        self.lock().stopped = true;
        self.changed.notify_all();
    }

    /// Take the input and a free batch, waiting for both; `None` once the input is read to
    /// its end or the run stopped.
    fn next_read(&self) -> Option<(Input<'r>, Batch)> {
        let mut queues = self.lock();
        loop {
            if queues.stopped || queues.read_all {
                return None;
            }
            if queues.input.is_some() && !queues.free.is_empty() {
                if let (Some(input), Some(batch)) = (queues.input.take(), queues.free.pop()) {
                    return Some((input, batch));
                }
            }
            queues = self.wait(queues);
        }
    }

    /// Put the input back after reading `batch` (queued with one evaluator).
    fn read_done(&self, input: Input<'r>, last: bool, queued: Option<Batch>) {
        let mut queues = self.lock();
        queues.input = Some(input);
        queues.read_all |= last;
        queues.work.extend(queued);
        drop(queues);
        self.changed.notify_all();
    }

    /// Run `f`; if it panics, stop the pipeline and tell the calling thread (which would
    /// otherwise wait for a batch forever), then go on panicking.
    fn guarded<T>(&self, done: &Sender<Batch>, f: impl FnOnce() -> T) -> T {
        match std::panic::catch_unwind(AssertUnwindSafe(f)) {
            Ok(value) => value,
            Err(panic) => {
                self.stop();
                let _ = done.send(Batch {
                    seq: PANICKED,
                    ..Batch::default()
                });
                std::panic::resume_unwind(panic)
            }
        }
    }
}

/// Evaluate on `threads` threads (at least 2), each reading batches and evaluating them with an
/// evaluator made by `new`. With `one_evaluator` (`--check-ids`) one thread reads and one
/// evaluates every batch, so that the first of two equal ids is the first in the input.
pub(super) fn run<E: Evaluator>(
    new: &mut dyn FnMut() -> E,
    one_evaluator: bool,
    reader: &mut TicketReader,
    collector: &mut Collector,
    threads: usize,
) -> Result<Vec<E>, ReplayError> {
    // An event log: cut, split and cleaned on a thread of its own, ahead of the fold.
    reader.split_events_ahead();
    let evaluators = if one_evaluator { 1 } else { threads.max(1) };
    let pipeline = Pipeline {
        queues: Mutex::new(Queues {
            input: Some(Input {
                reader,
                seq: 0,
                next_record: 1,
            }),
            work: VecDeque::new(),
            // Enough batches that each thread can hold one and another waits for each.
            free: (0..2 * threads + 2).map(|_| Batch::default()).collect(),
            read_all: false,
            stopped: false,
        }),
        changed: Condvar::new(),
    };
    let (done_tx, done_rx) = channel::<Batch>();
    let spawn_failed = "cannot start a replay thread";

    std::thread::scope(|scope| {
        // Named threads show up as such in profilers.
        let reading = one_evaluator.then(|| {
            let (pipeline, done) = (&pipeline, done_tx.clone());
            std::thread::Builder::new()
                .name("handoff-read".into())
                .spawn_scoped(scope, move || pipeline.guarded(&done, || read(pipeline)))
                .expect(spawn_failed)
        });
        let working: Vec<_> = (0..evaluators)
            .map(|n| {
                let (pipeline, done) = (&pipeline, done_tx.clone());
                let evaluator = new();
                std::thread::Builder::new()
                    .name(format!("handoff-work-{n}"))
                    .spawn_scoped(scope, move || {
                        pipeline.guarded(&done, || match one_evaluator {
                            true => evaluate_queued(pipeline, evaluator, &done),
                            false => read_and_evaluate(pipeline, evaluator, &done),
                        })
                    })
                    .expect(spawn_failed)
            })
            .collect();
        drop(done_tx);

        let result = collect_in_order(&pipeline, &done_rx, collector);
        if result.is_err() {
            pipeline.stop();
        }
        drop(done_rx);
        let finished: Vec<E> = working.into_iter().map(joined).collect();
        reading.map(joined);
        result.map(|()| finished)
    })
}

/// A thread's result; its panic, if it panicked.
fn joined<T>(handle: std::thread::ScopedJoinHandle<'_, T>) -> T {
    handle
        .join()
        .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
}

/// A thread of the usual run: read a batch, evaluate it (its records still in this core's
/// cache), send it to the calling thread; until the input is read or the run stops.
fn read_and_evaluate<E: Evaluator>(
    pipeline: &Pipeline,
    mut evaluator: E,
    done: &Sender<Batch>,
) -> E {
    while let Some((mut input, mut batch)) = pipeline.next_read() {
        input.fill(&mut batch);
        pipeline.read_done(input, batch.last, None);
        evaluator.process(&mut batch);
        if done.send(batch).is_err() {
            break;
        }
    }
    evaluator
}

/// The reading thread of a run with one evaluator: read batches into the queue.
fn read(pipeline: &Pipeline) {
    while let Some((mut input, mut batch)) = pipeline.next_read() {
        input.fill(&mut batch);
        let last = batch.last;
        pipeline.read_done(input, last, Some(batch));
    }
}

/// The evaluating thread of a run with one evaluator: evaluate the queued batches in input
/// order until the input is read and the queue empty.
fn evaluate_queued<E: Evaluator>(pipeline: &Pipeline, mut evaluator: E, done: &Sender<Batch>) -> E {
    loop {
        let mut queues = pipeline.lock();
        let next = loop {
            if queues.stopped {
                break None;
            }
            if let Some(batch) = queues.work.pop_front() {
                break Some(batch);
            }
            if queues.read_all {
                break None;
            }
            queues = pipeline.wait(queues);
        };
        drop(queues);
        let Some(mut batch) = next else {
            return evaluator;
        };
        evaluator.process(&mut batch);
        if done.send(batch).is_err() {
            return evaluator;
        }
    }
}

/// The calling thread: take evaluated batches in input order, then free them.
fn collect_in_order(
    pipeline: &Pipeline,
    done: &Receiver<Batch>,
    collector: &mut Collector,
) -> Result<(), ReplayError> {
    let mut waiting: BTreeMap<u64, Batch> = BTreeMap::new();
    let mut next = 0;
    loop {
        // Every batch read is evaluated and sent here unless this thread stopped the others,
        // so the last batch always arrives.
        let Ok(batch) = done.recv() else {
            return Ok(());
        };
        if batch.seq == PANICKED {
            return Err(std::io::Error::other("a replay thread failed").into());
        }
        waiting.insert(batch.seq, batch);
        while let Some(mut batch) = waiting.remove(&next) {
            next += 1;
            if !collector.accept(&mut batch)? {
                return Ok(());
            }
            pipeline.lock().free.push(batch);
            pipeline.changed.notify_all();
        }
    }
}
