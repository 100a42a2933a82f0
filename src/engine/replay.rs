//! The replay loop: stream tickets through a compiled policy into metrics.
//!
//! Records are read in batches. With one thread, each batch is read, evaluated and reported in
//! turn on the calling thread. With more, a reader thread parses the CSV into batches, workers
//! evaluate them (each into metrics of its own), and the calling thread writes the per-ticket
//! output of each batch in input order; at the end the workers' metrics are merged. Every
//! figure merges exactly ([`super::merge`]), so the report is the same for any thread count.
//! Memory holds the batches in flight (a fixed pool), never the tickets.

use std::collections::BTreeMap;
use std::panic::AssertUnwindSafe;
use std::sync::mpsc::{Receiver, SyncSender, channel, sync_channel};
use std::sync::{Arc, Mutex};

use csv::ByteRecord;
use jiff::Timestamp;

use super::eval::{CompiledPolicy, Decision};
use super::metrics::{Available, Metrics};
use super::worker::{Batch, Worker};
use crate::tickets::{RowError, Ticket, TicketParser, TicketReader};

/// `--by`: the dimension every metric is split by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum By {
    Channel,
    Category,
    Priority,
    CustomerTier,
    /// Month of `created_at` in the policy's time zone (YYYY-MM).
    Month,
}

impl By {
    pub fn name(self) -> &'static str {
        match self {
            By::Channel => "channel",
            By::Category => "category",
            By::Priority => "priority",
            By::CustomerTier => "customer_tier",
            By::Month => "month",
        }
    }
}

#[derive(Debug, Clone, Default)]
pub struct ReplayOptions {
    /// Unanswered tickets past due at this instant are breaches; default: the latest timestamp
    /// in the input.
    pub as_of: Option<Timestamp>,
    pub by: Option<By>,
    /// Stop at the first rejected record.
    pub strict: bool,
    /// Reject records whose id was seen before (memory grows with the number of tickets).
    pub check_ids: bool,
    /// Threads that evaluate tickets. 0 or 1: everything runs on the calling thread; more: a
    /// reader thread feeds that many workers (one under `check_ids`, which needs input order).
    pub threads: usize,
}

/// Formats the `--decisions` row of a ticket. Runs on worker threads; the rows are written in
/// input order.
pub trait DecisionFormat: Sync {
    fn write(
        &self,
        ticket: &Ticket,
        decision: &Decision,
        out: &mut csv::Writer<Vec<u8>>,
    ) -> csv::Result<()>;
}

/// Receives per-ticket output in input order, on the thread that called [`replay`].
pub trait ReplaySink {
    /// `--decisions` rows of consecutive tickets (CSV, from [`DecisionFormat`]).
    fn decisions(&mut self, rows: &[u8]) -> std::io::Result<()>;
    /// A rejected record, as read.
    fn rejected(&mut self, error: &RowError, record: &ByteRecord) -> std::io::Result<()>;
    fn progress(&mut self, _bytes: u64) {}
}

/// Rejected records kept for the report (all are counted; `--rejects` writes them all).
pub const REJECT_EXAMPLES: usize = 10;

pub struct ReplayOutcome {
    pub overall: Metrics,
    /// Per `--by` group, in key order.
    pub groups: BTreeMap<String, Metrics>,
    pub records: u64,
    pub rejected: u64,
    pub reject_examples: Vec<RowError>,
    pub as_of: Option<Timestamp>,
    pub available: Available,
    /// The parsers' counts (bad values, timestamps without an offset), merged.
    pub parser: TicketParser,
}

#[derive(Debug, thiserror::Error)]
pub enum ReplayError {
    #[error("cannot read the tickets: {0}")]
    Read(#[from] csv::Error),
    #[error("cannot write: {0}")]
    Write(#[from] std::io::Error),
    #[error("line {}: {} (stopped by --strict)", .0.line, .0.reason)]
    Strict(RowError),
}

/// What is written and counted in input order, batch after batch.
struct Collector<'s> {
    sink: &'s mut dyn ReplaySink,
    strict: bool,
    records: u64,
    rejected: u64,
    reject_examples: Vec<RowError>,
}

impl Collector<'_> {
    /// Take the next batch in input order. `Ok(false)` after the last one.
    fn accept(&mut self, batch: &mut Batch) -> Result<bool, ReplayError> {
        self.records += batch.len as u64;
        if let Some(error) = batch.write_error.take() {
            return Err(error.into());
        }
        if !batch.decisions.is_empty() {
            self.sink.decisions(&batch.decisions)?;
        }
        for (index, error) in batch.rejects.drain(..) {
            self.rejected += 1;
            self.sink.rejected(&error, &batch.records[index])?;
            if self.strict {
                return Err(ReplayError::Strict(error));
            }
            if self.reject_examples.len() < REJECT_EXAMPLES {
                self.reject_examples.push(error);
            }
        }
        self.sink.progress(batch.position);
        if let Some(error) = batch.error.take() {
            return Err(error.into());
        }
        Ok(!batch.last)
    }
}

pub fn replay(
    policy: &CompiledPolicy,
    reader: &mut TicketReader,
    parser: TicketParser,
    options: &ReplayOptions,
    format: Option<&dyn DecisionFormat>,
    sink: &mut dyn ReplaySink,
) -> Result<ReplayOutcome, ReplayError> {
    let available = Available::of(&reader.layout);
    let mut collector = Collector {
        sink,
        strict: options.strict,
        records: 0,
        rejected: 0,
        reject_examples: Vec::new(),
    };
    let workers = if options.threads <= 1 {
        vec![sequential(
            policy,
            reader,
            parser,
            options,
            available,
            format,
            &mut collector,
        )?]
    } else {
        let count = if options.check_ids {
            1
        } else {
            options.threads
        };
        threaded(
            policy,
            reader,
            parser,
            options,
            available,
            format,
            &mut collector,
            count,
        )?
    };

    let as_of = options
        .as_of
        .or(workers.iter().filter_map(|w| w.latest_seen).max());
    let mut overall = Metrics::new(policy);
    let mut groups: BTreeMap<String, Metrics> = BTreeMap::new();
    let mut merged_parser: Option<TicketParser> = None;
    for worker in workers {
        let (metrics, worker_groups, parser) = worker.finish(as_of);
        overall.merge(metrics);
        for (key, metrics) in worker_groups {
            groups
                .entry(key)
                .or_insert_with(|| Metrics::new(policy))
                .merge(metrics);
        }
        match &mut merged_parser {
            None => merged_parser = Some(parser),
            Some(merged) => merged.merge(&parser),
        }
    }
    if let Some(as_of) = as_of {
        overall.finish(as_of);
        groups.values_mut().for_each(|g| g.finish(as_of));
    }
    Ok(ReplayOutcome {
        overall,
        groups,
        records: collector.records,
        rejected: collector.rejected,
        reject_examples: collector.reject_examples,
        as_of,
        available,
        // There is always at least one worker.
        parser: merged_parser.expect("one worker at least"),
    })
}

/// Everything on the calling thread, one batch at a time.
fn sequential<'a>(
    policy: &'a CompiledPolicy,
    reader: &mut TicketReader,
    parser: TicketParser,
    options: &'a ReplayOptions,
    available: Available,
    format: Option<&dyn DecisionFormat>,
    collector: &mut Collector,
) -> Result<Worker<'a>, ReplayError> {
    let mut worker = Worker::new(policy, options, available, parser);
    let mut batch = Batch::default();
    let (mut seq, mut next_record) = (0, 1);
    loop {
        batch.fill(reader, seq, next_record);
        seq += 1;
        next_record += batch.len as u64;
        worker.process(&mut batch, format);
        if !collector.accept(&mut batch)? {
            return Ok(worker);
        }
    }
}

/// A reader thread, `count` workers, and the calling thread writing results in input order.
#[allow(clippy::too_many_arguments)]
fn threaded<'a>(
    policy: &'a CompiledPolicy,
    reader: &mut TicketReader,
    parser: TicketParser,
    options: &'a ReplayOptions,
    available: Available,
    format: Option<&dyn DecisionFormat>,
    collector: &mut Collector,
    count: usize,
) -> Result<Vec<Worker<'a>>, ReplayError> {
    // Batches circulate: free → reader → work queue → a worker → done → in order → free.
    // The pool bounds memory; a slow worker only makes the others wait for free batches.
    let pool = 2 * count + 2;
    let (free_tx, free_rx) = sync_channel::<Box<Batch>>(pool);
    for _ in 0..pool {
        let _ = free_tx.send(Box::default());
    }
    let (work_tx, work_rx) = sync_channel::<Box<Batch>>(pool);
    let work_rx = Arc::new(Mutex::new(work_rx));
    let (done_tx, done_rx) = channel::<Box<Batch>>();

    std::thread::scope(|scope| {
        scope.spawn(move || read_batches(reader, free_rx, work_tx));
        let handles: Vec<_> = (0..count)
            .map(|_| {
                let work_rx = Arc::clone(&work_rx);
                let done_tx = done_tx.clone();
                let mut worker = Worker::new(policy, options, available, parser.clone());
                scope.spawn(move || {
                    loop {
                        // The lock is held only to take a batch.
                        let next = work_rx
                            .lock()
                            .map_err(|_| ())
                            .and_then(|rx| rx.recv().map_err(|_| ()));
                        let Ok(mut batch) = next else { break };
                        let processed = std::panic::catch_unwind(AssertUnwindSafe(|| {
                            worker.process(&mut batch, format)
                        }));
                        if let Err(panic) = processed {
                            // Tell the calling thread, which would otherwise wait for this
                            // batch forever, then fail as the panic did.
                            let _ = done_tx.send(Box::new(Batch {
                                seq: PANICKED,
                                ..Batch::default()
                            }));
                            std::panic::resume_unwind(panic);
                        }
                        if done_tx.send(batch).is_err() {
                            break;
                        }
                    }
                    worker
                })
            })
            .collect();
        // Only the workers hold the work queue and the done channel now: when they stop, the
        // reader's sends fail, and when all stop, `done_rx` ends.
        drop(work_rx);
        drop(done_tx);

        let result = collect_in_order(&done_rx, &free_tx, collector);
        // On an error, stop the others: the reader waits on free batches, the workers on work
        // or on sending results; closing these channels ends both.
        drop(free_tx);
        drop(done_rx);
        let workers: Vec<Worker<'a>> = handles
            .into_iter()
            .map(|h| {
                h.join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
            })
            .collect();
        result.map(|()| workers)
    })
}

/// The sequence number of the message a panicking worker sends.
const PANICKED: u64 = u64::MAX;

fn read_batches(
    reader: &mut TicketReader,
    free: Receiver<Box<Batch>>,
    work: SyncSender<Box<Batch>>,
) {
    let (mut seq, mut next_record) = (0, 1);
    while let Ok(mut batch) = free.recv() {
        batch.fill(reader, seq, next_record);
        seq += 1;
        next_record += batch.len as u64;
        let last = batch.last;
        if work.send(batch).is_err() || last {
            break;
        }
    }
}

fn collect_in_order(
    done: &Receiver<Box<Batch>>,
    free: &SyncSender<Box<Batch>>,
    collector: &mut Collector,
) -> Result<(), ReplayError> {
    let mut waiting: BTreeMap<u64, Box<Batch>> = BTreeMap::new();
    let mut next = 0;
    loop {
        // Workers only stop early when this thread has stopped listening, so the last batch
        // always arrives.
        let Ok(batch) = done.recv() else {
            return Ok(());
        };
        if batch.seq == PANICKED {
            return Err(std::io::Error::other("a replay worker failed").into());
        }
        waiting.insert(batch.seq, batch);
        while let Some(mut batch) = waiting.remove(&next) {
            next += 1;
            let more = collector.accept(&mut batch)?;
            if !more {
                return Ok(());
            }
            let _ = free.send(batch);
        }
    }
}
