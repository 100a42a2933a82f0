//! The replay loop: stream tickets through a compiled policy into metrics.

use std::cmp::Reverse;
use std::collections::{BTreeMap, BinaryHeap, HashMap};

use jiff::Timestamp;

use super::eval::{CompiledPolicy, Decision};
use super::metrics::{Available, Deferred, Metrics};
use crate::tickets::{RowError, Ticket, TicketSource};

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
}

/// Receives per-ticket results as they are produced.
pub trait ReplaySink {
    fn decision(&mut self, ticket: &Ticket, decision: &Decision) -> std::io::Result<()>;
    fn rejected(&mut self, error: &RowError, source: &TicketSource) -> std::io::Result<()>;
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

fn group_key(by: By, policy: &CompiledPolicy, t: &Ticket, d: &Decision) -> String {
    let label = |i: usize| t.label(i).unwrap_or("(none)").to_string();
    match by {
        By::CustomerTier => label(0),
        By::Channel => label(1),
        By::Category => label(2),
        By::Priority => d
            .priority
            .and_then(|p| policy.priorities.get(p).cloned())
            .unwrap_or_else(|| "(none)".into()),
        By::Month => t.created_at.map_or_else(
            || "(none)".into(),
            |ts| {
                let date = policy.calendar.timezone.to_datetime(ts).date();
                format!("{:04}-{:02}", date.year(), date.month())
            },
        ),
    }
}

fn latest(t: &Ticket) -> Option<Timestamp> {
    [
        t.created_at,
        t.escalated_at,
        t.first_human_response_at,
        t.resolved_at,
    ]
    .into_iter()
    .flatten()
    .max()
}

pub fn replay(
    policy: &CompiledPolicy,
    source: &mut TicketSource,
    options: &ReplayOptions,
    sink: &mut dyn ReplaySink,
) -> Result<ReplayOutcome, ReplayError> {
    let available = Available::of(&source.layout);
    let mut overall = Metrics::new(policy);
    let mut groups: Vec<Metrics> = Vec::new();
    let mut group_index: BTreeMap<String, usize> = BTreeMap::new();
    let mut seen_ids: HashMap<String, u64> = HashMap::new();
    let mut pending: BinaryHeap<Reverse<Deferred>> = BinaryHeap::new();
    let mut fresh: Vec<Deferred> = Vec::new();
    let mut latest_seen: Option<Timestamp> = None;
    let (mut records, mut rejected) = (0u64, 0u64);
    let mut reject_examples = Vec::new();
    let mut ticket = Ticket::default();
    let mut found = Vec::new();
    let mut decision = Decision::default();

    let settle =
        |overall: &mut Metrics, groups: &mut Vec<Metrics>, item: &Deferred, happened: bool| {
            overall.settle(&item.event, item.at, happened);
            if let Some(group) = groups.get_mut(item.group) {
                group.settle(&item.event, item.at, happened);
            }
        };

    while let Some(outcome) = source.next(&mut ticket)? {
        records += 1;
        if records % 4096 == 0 {
            sink.progress(source.position());
        }
        let outcome = outcome.and_then(|()| {
            if options.check_ids {
                if let Some(first) = seen_ids.get(&ticket.id) {
                    return Err(RowError {
                        line: ticket.line,
                        id: Some(ticket.id.clone()),
                        reason: format!("duplicate id (first on line {first})"),
                    });
                }
                seen_ids.insert(ticket.id.clone(), ticket.line);
            }
            Ok(())
        });
        if let Err(error) = outcome {
            rejected += 1;
            sink.rejected(&error, source)?;
            if options.strict {
                return Err(ReplayError::Strict(error));
            }
            if reject_examples.len() < REJECT_EXAMPLES {
                reject_examples.push(error);
            }
            continue;
        }
        policy.scan_keywords(&ticket, &mut found);
        policy.decide(&ticket, &found, &mut decision);
        sink.decision(&ticket, &decision)?;

        let group = match options.by {
            None => usize::MAX,
            Some(by) => {
                let key = group_key(by, policy, &ticket, &decision);
                *group_index.entry(key).or_insert_with(|| {
                    groups.push(Metrics::new(policy));
                    groups.len() - 1
                })
            }
        };
        fresh.clear();
        overall.record(policy, available, &ticket, &decision, group, &mut fresh);
        if let Some(g) = groups.get_mut(group) {
            let mut ignored = Vec::new();
            g.record(policy, available, &ticket, &decision, group, &mut ignored);
        }
        latest_seen = latest_seen.max(latest(&ticket));
        for item in fresh.drain(..) {
            match options.as_of {
                Some(as_of) => settle(&mut overall, &mut groups, &item, item.at < as_of),
                None => pending.push(Reverse(item)),
            }
        }
        // The default as-of is at least the latest timestamp seen so far: anything due before
        // it is settled now, so memory holds only clocks still running.
        if let Some(now) = latest_seen {
            while pending.peek().is_some_and(|Reverse(item)| item.at < now) {
                if let Some(Reverse(item)) = pending.pop() {
                    settle(&mut overall, &mut groups, &item, true);
                }
            }
        }
    }
    sink.progress(source.position());
    let as_of = options.as_of.or(latest_seen);
    while let Some(Reverse(item)) = pending.pop() {
        let happened = as_of.is_some_and(|as_of| item.at < as_of);
        settle(&mut overall, &mut groups, &item, happened);
    }
    if let Some(as_of) = as_of {
        overall.finish(as_of);
        groups.iter_mut().for_each(|g| g.finish(as_of));
    }
    let groups = group_index
        .into_iter()
        .map(|(key, index)| (key, std::mem::take(&mut groups[index])))
        .collect();
    Ok(ReplayOutcome {
        overall,
        groups,
        records,
        rejected,
        reject_examples,
        as_of,
        available,
    })
}
