//! Replay on several threads.
//!
//! One thread reads the CSV into batches of records; the others evaluate batches, each with an
//! [`Evaluator`] of its own (replay's [`super::worker::Worker`], or sweep's); the calling
//! thread takes the evaluated batches back in input order
//! (per-ticket output, rejected records) and returns them to the pool. When the reader is
//! ahead of the workers, or the pool has no free batch, it evaluates a batch itself — the one it
//! has just read, still in its cache (of a Parquet file's batches, which the thread that
//! evaluates one decodes, the oldest) — so every thread is busy and none waits for another while
//! there is work. The pool of batches bounds memory.
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

#[derive(Default)]
struct Queues {
    /// Read, waiting to be evaluated.
    work: VecDeque<Batch>,
    free: Vec<Batch>,
    /// The reader has read the last batch.
    read_all: bool,
    /// The calling thread stopped (an error): everyone stops.
    stopped: bool,
}

#[derive(Default)]
struct Pipeline {
    queues: Mutex<Queues>,
    work_ready: Condvar,
    free_ready: Condvar,
}

/// The sequence number of the message a thread sends when it panics.
const PANICKED: u64 = u64::MAX;

impl Pipeline {
    fn lock(&self) -> MutexGuard<'_, Queues> {
        // A thread that panicked while holding the lock cannot have left the queues half
        // changed (each change is a single push or pop), so carry on.
        self.queues
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn stop(&self) {
        self.lock().stopped = true;
        self.work_ready.notify_all();
        self.free_ready.notify_all();
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

/// Evaluate on `threads` threads (at least 2): the reader, which also evaluates when it is
/// ahead, and `threads - 1` workers, each with an evaluator made by `new`. With
/// `one_evaluator` (`--check-ids`) only one worker evaluates, so that the first of two equal
/// ids is the first in the input.
pub(super) fn run<E: Evaluator>(
    new: &mut dyn FnMut() -> E,
    one_evaluator: bool,
    reader: &mut TicketReader,
    collector: &mut Collector,
    threads: usize,
) -> Result<Vec<E>, ReplayError> {
    let (workers, helper) = if one_evaluator {
        (1, None)
    } else {
        (threads.saturating_sub(1).max(1), Some(new()))
    };
    // An event log: cut, split and cleaned on a thread of its own, ahead of the fold.
    reader.split_events_ahead();
    let pipeline = Pipeline::default();
    // Enough batches that each thread can hold one and another waits for each.
    pipeline.lock().free = (0..2 * threads + 2).map(|_| Batch::default()).collect();
    let (done_tx, done_rx) = channel::<Batch>();
    let spawn_failed = "cannot start a replay thread";

    std::thread::scope(|scope| {
        // Named threads show up as such in profilers.
        let reading = {
            let (pipeline, done) = (&pipeline, done_tx.clone());
            std::thread::Builder::new()
                .name("handoff-read".into())
                .spawn_scoped(scope, move || {
                    pipeline.guarded(&done, || read(pipeline, reader, helper, &done, workers))
                })
                .expect(spawn_failed)
        };
        let working: Vec<_> = (0..workers)
            .map(|n| {
                let (pipeline, done) = (&pipeline, done_tx.clone());
                let worker = new();
                std::thread::Builder::new()
                    .name(format!("handoff-work-{n}"))
                    .spawn_scoped(scope, move || {
                        pipeline.guarded(&done, || evaluate(pipeline, worker, &done))
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
        let mut finished: Vec<E> = working.into_iter().map(joined).collect();
        finished.extend(joined(reading));
        result.map(|()| finished)
    })
}

/// A thread's result; its panic, if it panicked.
fn joined<T>(handle: std::thread::ScopedJoinHandle<'_, T>) -> T {
    handle
        .join()
        .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
}

/// The reader thread: read batches while the workers have too little queued; otherwise, or
/// when no batch is free, evaluate one with `helper` (when there is one).
fn read<E: Evaluator>(
    pipeline: &Pipeline,
    reader: &mut TicketReader,
    mut helper: Option<E>,
    done: &Sender<Batch>,
    workers: usize,
) -> Option<E> {
    let (mut seq, mut next_record) = (0, 1);
    let mut queues = pipeline.lock();
    loop {
        if queues.stopped {
            break;
        }
        // Keep one batch queued per worker; alone (no helper), read whenever a batch is free.
        if !queues.read_all && (helper.is_none() || queues.work.len() <= workers) {
            if let Some(mut batch) = queues.free.pop() {
                drop(queues);
                batch.fill(reader, seq, next_record);
                seq += 1;
                next_record += batch.len as u64;
                let last = batch.last;
                queues = pipeline.lock();
                queues.work.push_back(batch);
                queues.read_all = last;
                if last {
                    pipeline.work_ready.notify_all();
                } else {
                    pipeline.work_ready.notify_one();
                }
                continue;
            }
        }
        if let Some(worker) = helper.as_mut() {
            // The newest batch: its records are still in this core's cache. Not so for a
            // batch of typed rows (Parquet), decoded by the thread that evaluates it, in input
            // order: the oldest, so that this thread decodes its own batch only, not the
            // batches before it too (which would leave a worker waiting for them).
            let typed = queues
                .work
                .back()
                .is_some_and(|b| b.chunk.as_ref().is_some_and(|c| c.typed.is_some()));
            let next = match typed {
                true => queues.work.pop_front(),
                false => queues.work.pop_back(),
            };
            if let Some(mut batch) = next {
                drop(queues);
                worker.process(&mut batch);
                if done.send(batch).is_err() {
                    return helper;
                }
                queues = pipeline.lock();
                continue;
            }
        }
        if queues.read_all {
            break;
        }
        queues = pipeline
            .free_ready
            .wait(queues)
            .unwrap_or_else(|poisoned| poisoned.into_inner());
    }
    helper
}

/// A worker thread: evaluate queued batches until the input is read and the queue empty.
fn evaluate<E: Evaluator>(pipeline: &Pipeline, mut worker: E, done: &Sender<Batch>) -> E {
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
            queues = pipeline
                .work_ready
                .wait(queues)
                .unwrap_or_else(|poisoned| poisoned.into_inner());
        };
        drop(queues);
        let Some(mut batch) = next else {
            return worker;
        };
        worker.process(&mut batch);
        if done.send(batch).is_err() {
            return worker;
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
            pipeline.free_ready.notify_one();
        }
    }
}
