//! The replay loop: stream tickets through a compiled policy into metrics.
//!
//! Records are read in batches. With one thread, each batch is read, evaluated and reported in
//! turn on the calling thread. With more ([`pipeline`]), the threads take turns reading a batch
//! and each evaluates the batches it read (into metrics of its own), and the calling thread
//! writes the per-ticket output of each batch in input order; at the end the workers' metrics
//! are merged. Every figure merges exactly ([`super::merge`]), so the report is the same for
//! any thread count. Memory holds the batches in flight (a fixed pool), never the tickets.

use std::collections::BTreeMap;

use jiff::Timestamp;

use collector::Collector;
use worker::{Batch, Worker};

use super::agreement::Available;
use super::capacity::Arrivals;
use super::eval::CompiledPolicy;
use super::metrics::Metrics;
use crate::tickets::{RowError, TicketParser, TicketReader};

mod collector;
pub mod options;
mod pending;
pub mod pipeline;
pub mod worker;

pub use options::{
    By, DecisionFormat, NO_VALUE, REJECT_EXAMPLES, ReplayError, ReplayOptions, ReplaySink,
    Segments, SegmentsError,
};

pub struct ReplayOutcome {
    pub overall: Metrics,
    /// Per `--by` group, in key order.
    pub groups: BTreeMap<String, Metrics>,
    /// Per `--by` group key: how the group is shown, per dimension (the spelling of its
    /// first ticket).
    pub group_labels: BTreeMap<String, Vec<String>>,
    pub records: u64,
    pub rejected: u64,
    pub reject_examples: Vec<RowError>,
    pub as_of: Option<Timestamp>,
    pub available: Available,
    /// The parsers' counts (bad values, timestamps without an offset), merged.
    pub parser: TicketParser,
    /// With [`ReplayOptions::arrivals`]: the escalated tickets' arrivals.
    pub arrivals: Arrivals,
}

/// What the threads run on each batch of records: replay's [`Worker`], or sweep's evaluator
/// ([`crate::engine::sweep`]). An evaluator accumulates what merges exactly; what must follow
/// input order (rejected records, `--decisions` rows) it leaves in the batch.
pub trait Evaluator: Send {
    fn process(&mut self, batch: &mut Batch);
}

/// The evaluators of a run, and what was read, in input order.
pub struct Evaluated<E> {
    /// At least one.
    pub evaluators: Vec<E>,
    pub records: u64,
    pub rejected: u64,
    pub reject_examples: Vec<RowError>,
}

/// Run every record of `reader` through evaluators made by `new`: on the calling thread with
/// one thread, else on the pipeline ([`pipeline`]); with `one_evaluator`, one thread evaluates
/// every batch in input order. Rejected records go to `sink` in input order (`strict`: the
/// first one stops the run).
pub fn evaluate<E: Evaluator>(
    reader: &mut TicketReader,
    new: &mut dyn FnMut() -> E,
    threads: usize,
    one_evaluator: bool,
    strict: bool,
    sink: &mut dyn ReplaySink,
) -> Result<Evaluated<E>, ReplayError> {
    let mut collector = Collector::new(sink, strict);
    let evaluators = if threads <= 1 {
        vec![sequential(new(), reader, &mut collector)?]
    } else {
        pipeline::run(new, one_evaluator, reader, &mut collector, threads)?
    };
    Ok(Evaluated {
        evaluators,
        records: collector.records,
        rejected: collector.rejected,
        reject_examples: collector.reject_examples,
    })
}

/// Replay's evaluator: a worker and the `--decisions` format it writes rows in.
struct Replaying<'a> {
    worker: Worker<'a>,
    format: Option<&'a dyn DecisionFormat>,
}

impl Evaluator for Replaying<'_> {
    fn process(&mut self, batch: &mut Batch) {
        self.worker.process(batch, self.format);
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
    let mut new = || Replaying {
        worker: Worker::new(policy, options, available, parser.clone()),
        format,
    };
    let evaluated = evaluate(
        reader,
        &mut new,
        options.threads,
        options.check_ids,
        options.strict,
        sink,
    )?;
    let workers: Vec<Worker> = evaluated.evaluators.into_iter().map(|r| r.worker).collect();

    let as_of = options
        .as_of
        .or(workers.iter().filter_map(|w| w.latest_seen()).max());
    let mut overall = Metrics::new(policy);
    let mut groups: BTreeMap<String, Metrics> = BTreeMap::new();
    let mut first_seen: BTreeMap<String, (u64, Vec<String>)> = BTreeMap::new();
    let mut merged_parser: Option<TicketParser> = None;
    let mut arrivals = Arrivals::new(policy);
    for mut worker in workers {
        arrivals.merge(std::mem::take(&mut worker.arrivals));
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
        records: evaluated.records,
        rejected: evaluated.rejected,
        reject_examples: evaluated.reject_examples,
        as_of,
        available,
        // There is always at least one worker.
        parser: merged_parser.expect("one worker at least"),
        arrivals,
    })
}

/// Everything on the calling thread, one batch at a time.
fn sequential<E: Evaluator>(
    mut evaluator: E,
    reader: &mut TicketReader,
    collector: &mut Collector,
) -> Result<E, ReplayError> {
    let mut batch = Batch::default();
    let (mut seq, mut next_record) = (0, 1);
    loop {
        batch.fill(reader, seq, next_record);
        seq += 1;
        next_record += batch.len as u64;
        evaluator.process(&mut batch);
        if !collector.accept(&mut batch)? {
            return Ok(evaluator);
        }
    }
}
