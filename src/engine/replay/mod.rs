//! The replay loop: stream tickets through a compiled policy into metrics.
//!
//! Records are read in batches. With one thread, each batch is read, evaluated and reported in
//! turn on the calling thread. With more ([`pipeline`]), a reader thread parses the CSV
//! into batches, workers evaluate them (each into metrics of its own), and the calling thread
//! writes the per-ticket output of each batch in input order; at the end the workers' metrics
//! are merged. Every figure merges exactly ([`super::merge`]), so the report is the same for
//! any thread count. Memory holds the batches in flight (a fixed pool), never the tickets.

use std::collections::BTreeMap;

use jiff::Timestamp;

use collector::Collector;
use pipeline::Job;
use worker::{Batch, Worker};

use super::agreement::Available;
use super::capacity::Arrivals;
use super::eval::CompiledPolicy;
use super::metrics::Metrics;
use crate::tickets::{RowError, TicketParser, TicketReader};

mod collector;
pub mod options;
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

pub fn replay(
    policy: &CompiledPolicy,
    reader: &mut TicketReader,
    parser: TicketParser,
    options: &ReplayOptions,
    format: Option<&dyn DecisionFormat>,
    sink: &mut dyn ReplaySink,
) -> Result<ReplayOutcome, ReplayError> {
    let available = Available::of(&reader.layout);
    let mut collector = Collector::new(sink, options.strict);
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
        records: collector.records,
        rejected: collector.rejected,
        reject_examples: collector.reject_examples,
        as_of,
        available,
        // There is always at least one worker.
        parser: merged_parser.expect("one worker at least"),
        arrivals,
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
