//! The replay loop: stream tickets through a compiled policy into metrics.
//!
//! Records are read in batches. With one thread, each batch is read, evaluated and reported in
//! turn on the calling thread. With more ([`super::pipeline`]), a reader thread parses the CSV
//! into batches, workers evaluate them (each into metrics of its own), and the calling thread
//! writes the per-ticket output of each batch in input order; at the end the workers' metrics
//! are merged. Every figure merges exactly ([`super::merge`]), so the report is the same for
//! any thread count. Memory holds the batches in flight (a fixed pool), never the tickets.

use std::collections::BTreeMap;

use jiff::Timestamp;

use super::eval::{CompiledPolicy, Decision};
use super::metrics::{Available, Metrics};
use super::pipeline::{self, Job};
use super::worker::{Batch, Worker};
use crate::tickets::{RawRecord, RowError, Ticket, TicketParser, TicketReader};

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
    /// Threads to use. 0 or 1: everything runs on the calling thread; more: a reader thread
    /// (which also evaluates when it is ahead) and `threads - 1` workers (see `pipeline`).
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
    fn rejected(&mut self, error: &RowError, record: RawRecord<'_>) -> std::io::Result<()>;
    fn progress(&mut self, _bytes: u64) {}
}

/// Rejected records kept for the report (all are counted; `--rejects` writes them all).
pub const REJECT_EXAMPLES: usize = 10;

pub struct ReplayOutcome {
    pub overall: Metrics,
    /// Per `--by` group, in key order.
    pub groups: BTreeMap<String, Metrics>,
    /// Per `--by` group key: how the group is shown (the spelling of its first ticket).
    pub group_labels: BTreeMap<String, String>,
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
pub(super) struct Collector<'s> {
    sink: &'s mut dyn ReplaySink,
    strict: bool,
    records: u64,
    rejected: u64,
    reject_examples: Vec<RowError>,
}

impl Collector<'_> {
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
    let job = Job {
        policy,
        options,
        available,
        format,
    };
    let workers = if options.threads <= 1 {
        vec![sequential(job, reader, parser, &mut collector)?]
    } else {
        pipeline::run(job, reader, parser, &mut collector, options.threads)?
    };

    let as_of = options
        .as_of
        .or(workers.iter().filter_map(|w| w.latest_seen).max());
    let mut overall = Metrics::new(policy);
    let mut groups: BTreeMap<String, Metrics> = BTreeMap::new();
    let mut first_seen: BTreeMap<String, (u64, String)> = BTreeMap::new();
    let mut merged_parser: Option<TicketParser> = None;
    for worker in workers {
        let (metrics, worker_groups, parser) = worker.finish(as_of);
        overall.merge(metrics);
        for (key, (metrics, line, spelling)) in worker_groups {
            let seen = first_seen
                .entry(key.clone())
                .or_insert_with(|| (line, spelling.clone()));
            if line < seen.0 {
                *seen = (line, spelling);
            }
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
        group_labels: first_seen
            .into_iter()
            .map(|(key, (_, spelling))| (key, spelling))
            .collect(),
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
    job: Job<'a>,
    reader: &mut TicketReader,
    parser: TicketParser,
    collector: &mut Collector,
) -> Result<Worker<'a>, ReplayError> {
    let mut worker = Worker::new(job.policy, job.options, job.available, parser);
    let mut batch = Batch::default();
    let (mut seq, mut next_record) = (0, 1);
    loop {
        batch.fill(reader, seq, next_record);
        seq += 1;
        next_record += batch.len as u64;
        worker.process(&mut batch, job.format);
        if !collector.accept(&mut batch)? {
            return Ok(worker);
        }
    }
}
