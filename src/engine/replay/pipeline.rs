//! Replay on several threads.
//!
//! Each thread reads a batch of records and evaluates it itself, with an [`Evaluator`] of its
//! own (replay's [`super::worker::Worker`], or sweep's): the batch's bytes are still in the
//! cache of the core that read them when it parses them. One thread reads at a time (the
//! reader is taken out of the shared queues while it reads, and put back), the others evaluate
//! their batches meanwhile. The calling thread takes back, in input order, only the batches
//! that have something for it ([`has_output`]: per-ticket output, rejected records, an error,
//! the end); a thread returns any other batch it evaluated to the pool itself, and counts it in
//! its place in input order. So the calling thread sleeps through a run without per-ticket
//! output instead of being woken for every batch (and preempting a thread on a busy core).
//! The pool of batches bounds memory; batches are made as they are first needed. With one
//! evaluator (`--check-ids`), one thread reads and another evaluates every batch in input order.
//!
//! Which thread evaluates which batch varies from run to run; the metrics do not, because
//! they merge exactly ([`crate::engine::merge`]).

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::panic::AssertUnwindSafe;
use std::sync::{Condvar, Mutex, MutexGuard};

use super::Evaluator;
use super::collector::{Collector, has_output};
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
    /// Batches the pool may still make.
    unmade: usize,
    /// The last batch has been read.
    read_all: bool,
    /// The calling thread stopped (an error), or a thread panicked: everyone stops.
    stopped: bool,
    /// The sequence number of the next batch in input order that the calling thread has not
    /// taken back or counted.
    next: u64,
    /// Evaluated batches with something for the calling thread, by sequence number.
    ready: BTreeMap<u64, Batch>,
    /// Evaluated batches without, after `next`: their sequence numbers (counted when `next`
    /// reaches them).
    passed: BTreeSet<u64>,
    /// Records of the batches returned to the pool without the calling thread.
    passed_records: u64,
    /// The calling thread waits for the batch `next`.
    collector_waits: bool,
    /// Threads waiting for the input and a free batch.
    readers_waiting: usize,
}

impl Queues<'_> {
    /// Take an evaluated batch in: kept for the calling thread if it has something for it,
    /// else returned to the pool and counted. `true` if the calling thread can go on.
    fn hand_in(&mut self, batch: Batch) -> bool {
        if has_output(&batch) {
            let seq = batch.seq;
            self.ready.insert(seq, batch);
            return seq == self.next;
        }
        self.passed_records += batch.len as u64;
        if batch.seq == self.next {
            self.next += 1;
            self.pass_counted();
        } else {
            self.passed.insert(batch.seq);
        }
        self.free.push(batch);
        self.ready.contains_key(&self.next)
    }

    /// Move `next` past the batches already counted.
    fn pass_counted(&mut self) {
        while self.passed.remove(&self.next) {
            self.next += 1;
        }
    }

    /// A free batch, made if the pool may still make one.
    fn free_batch(&mut self) -> Option<Batch> {
        if let Some(batch) = self.free.pop() {
            return Some(batch);
        }
        if self.unmade == 0 {
            return None;
        }
        self.unmade -= 1;
        Some(Batch::default())
    }
}

struct Pipeline<'r> {
    queues: Mutex<Queues<'r>>,
    /// The input was put back, a batch was freed, the input was read to its end, or the run
    /// stopped: what a thread waiting to read waits for.
    readable: Condvar,
    /// With one evaluator: a batch was queued, the input was read to its end, or the run
    /// stopped.
    queued: Condvar,
    /// The calling thread can take the batch next in input order back, or the run stopped.
    in_order: Condvar,
}

impl<'r> Pipeline<'r> {
    fn lock(&self) -> MutexGuard<'_, Queues<'r>> {
        // A thread that panicked while holding the lock cannot have left the queues half
        // changed (each change is a few pushes, pops or counts that leave them consistent
        // between any two), so carry on. A thread that panicked while reading never puts the
        // input back: it stops the run (`guarded`).
        self.queues
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn wait<'g>(
        &self,
        condvar: &Condvar,
        queues: MutexGuard<'g, Queues<'r>>,
    ) -> MutexGuard<'g, Queues<'r>> {
        condvar
            .wait(queues)
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn stop(&self) {
        self.lock().stopped = true;
        self.readable.notify_all();
        self.queued.notify_all();
        self.in_order.notify_all();
    }

    /// Hand `done` in (an evaluated batch), then take the input and a free batch, waiting for
    /// both; `None` once the input is read to its end or the run stopped. One lock for both.
    fn next_read(&self, done: Option<Batch>) -> Option<(Input<'r>, Batch)> {
        let mut queues = self.lock();
        if let Some(batch) = done {
            if queues.hand_in(batch) && queues.collector_waits {
                self.in_order.notify_one();
            }
        }
        loop {
            if queues.stopped || queues.read_all {
                return None;
            }
            if queues.input.is_some() {
                if let Some(batch) = queues.free_batch() {
                    if let Some(input) = queues.input.take() {
                        return Some((input, batch));
                    }
                }
            }
            queues.readers_waiting += 1;
            queues = self.wait(&self.readable, queues);
            queues.readers_waiting -= 1;
        }
    }

    /// Put the input back after reading a batch (`queued` with one evaluator).
    fn read_done(&self, input: Input<'r>, last: bool, queued: Option<Batch>) {
        let mut queues = self.lock();
        queues.input = Some(input);
        queues.read_all |= last;
        let queued = queued.map(|batch| queues.work.push_back(batch)).is_some();
        let readers_waiting = queues.readers_waiting > 0;
        drop(queues);
        if last {
            self.readable.notify_all();
        } else if readers_waiting {
            // Every thread waiting to read waits for the same thing: one can go on.
            self.readable.notify_one();
        }
        if queued || last {
            self.queued.notify_all();
        }
    }

    /// Run `f`; if it panics, stop the pipeline and tell the calling thread (which would
    /// otherwise wait for a batch forever), then go on panicking.
    fn guarded<T>(&self, f: impl FnOnce() -> T) -> T {
        std::panic::catch_unwind(AssertUnwindSafe(f)).unwrap_or_else(|panic| {
            self.stop();
            std::panic::resume_unwind(panic)
        })
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
            free: Vec::new(),
            // Enough batches that each thread can hold one and another waits for each; a run
            // whose batches go back to the pool without the calling thread makes about one a
            // thread.
            unmade: 2 * threads + 2,
            read_all: false,
            stopped: false,
            next: 0,
            ready: BTreeMap::new(),
            passed: BTreeSet::new(),
            passed_records: 0,
            collector_waits: false,
            readers_waiting: 0,
        }),
        readable: Condvar::new(),
        queued: Condvar::new(),
        in_order: Condvar::new(),
    };
    let spawn_failed = "cannot start a replay thread";

    std::thread::scope(|scope| {
        // Named threads show up as such in profilers.
        let reading = one_evaluator.then(|| {
            let pipeline = &pipeline;
            std::thread::Builder::new()
                .name("handoff-read".into())
                .spawn_scoped(scope, move || pipeline.guarded(|| read(pipeline)))
                .expect(spawn_failed)
        });
        let working: Vec<_> = (0..evaluators)
            .map(|n| {
                let pipeline = &pipeline;
                let evaluator = new();
                std::thread::Builder::new()
                    .name(format!("handoff-work-{n}"))
                    .spawn_scoped(scope, move || {
                        pipeline.guarded(|| match one_evaluator {
                            true => evaluate_queued(pipeline, evaluator),
                            false => read_and_evaluate(pipeline, evaluator),
                        })
                    })
                    .expect(spawn_failed)
            })
            .collect();

        // A panic here would leave the other threads waiting for a free batch, and the scope
        // waiting for them: stop them first.
        let result = pipeline.guarded(|| collect_in_order(&pipeline, collector));
        if result.is_err() {
            pipeline.stop();
        }
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
/// cache), hand it in; until the input is read or the run stops.
fn read_and_evaluate<E: Evaluator>(pipeline: &Pipeline, mut evaluator: E) -> E {
    let mut done = None;
    while let Some((mut input, mut batch)) = pipeline.next_read(done.take()) {
        input.fill(&mut batch);
        pipeline.read_done(input, batch.last, None);
        evaluator.process(&mut batch);
        done = Some(batch);
    }
    evaluator
}

/// The reading thread of a run with one evaluator: read batches into the queue.
fn read(pipeline: &Pipeline) {
    while let Some((mut input, mut batch)) = pipeline.next_read(None) {
        input.fill(&mut batch);
        let last = batch.last;
        pipeline.read_done(input, last, Some(batch));
    }
}

/// The evaluating thread of a run with one evaluator: evaluate the queued batches in input
/// order until the input is read and the queue empty.
fn evaluate_queued<E: Evaluator>(pipeline: &Pipeline, mut evaluator: E) -> E {
    let mut done: Option<Batch> = None;
    loop {
        let mut queues = pipeline.lock();
        if let Some(batch) = done.take() {
            if queues.hand_in(batch) && queues.collector_waits {
                pipeline.in_order.notify_one();
            }
            if queues.readers_waiting > 0 {
                pipeline.readable.notify_one();
            }
        }
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
            queues = pipeline.wait(&pipeline.queued, queues);
        };
        drop(queues);
        let Some(mut batch) = next else {
            return evaluator;
        };
        evaluator.process(&mut batch);
        done = Some(batch);
    }
}

/// The calling thread: take the batches with something for it back in input order (counting
/// those passed to the pool without it), then free them.
fn collect_in_order(pipeline: &Pipeline, collector: &mut Collector) -> Result<(), ReplayError> {
    let mut done: Option<Batch> = None;
    loop {
        let mut queues = pipeline.lock();
        if let Some(batch) = done.take() {
            queues.next += 1;
            queues.pass_counted();
            queues.free.push(batch);
            if queues.readers_waiting > 0 {
                pipeline.readable.notify_one();
            }
        }
        // Every batch read is evaluated and handed in unless this thread stopped the others,
        // and the last one has something for it (the end), so it always comes.
        let mut batch = loop {
            // Only a thread that panicked stops the run while this one takes batches.
            if queues.stopped {
                return Err(std::io::Error::other("a replay thread failed").into());
            }
            let next = queues.next;
            if let Some(batch) = queues.ready.remove(&next) {
                break batch;
            }
            queues.collector_waits = true;
            queues = pipeline.wait(&pipeline.in_order, queues);
            queues.collector_waits = false;
        };
        let passed = std::mem::take(&mut queues.passed_records);
        drop(queues);
        collector.passed(passed);
        if !collector.accept(&mut batch)? {
            return Ok(());
        }
        done = Some(batch);
    }
}

#[cfg(test)]
mod tests;
