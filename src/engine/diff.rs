//! `handoff diff`: both policies decide every ticket in one pass over the data.

use std::collections::BTreeMap;

use jiff::Timestamp;

use super::agreement::Available;
use super::deferred::Settler;
use super::eval::{CompiledPolicy, Decision};
use super::metrics::{Deferred, Metrics};
use super::replay::{REJECT_EXAMPLES, ReplayError};
use super::sla::{Clock, Target, clock};
use crate::tickets::{RowError, Ticket, TicketSource};

pub struct DiffOutcome {
    pub old: Metrics,
    pub new: Metrics,
    /// (old route rank, new route rank) → tickets.
    pub transitions: BTreeMap<(usize, usize), u64>,
    /// Tickets whose route, rule, priority or first-response SLA outcome changed.
    pub changed: u64,
    pub records: u64,
    pub rejected: u64,
    pub reject_examples: Vec<RowError>,
    pub as_of: Option<Timestamp>,
}

/// The first-response SLA outcome of a decision for a ticket: `met`, `breached`, `open` (no
/// reply yet) or `-` (no target or no clock start).
pub fn first_response_outcome(policy: &CompiledPolicy, t: &Ticket, d: &Decision) -> &'static str {
    let target = Target::FirstResponse;
    let budget = policy
        .tier(d.rank)
        .zip(d.priority)
        .and_then(|(tier, p)| tier.sla_for(p).get(target));
    let (Some(budget), Some(start)) = (budget, t.clock_start()) else {
        return "-";
    };
    match clock(&policy.calendar, start, budget, target.stopped_at(t)) {
        Clock::Unreachable => "-",
        // Stopped before the start is stopped before the due time.
        Clock::StoppedBeforeStart | Clock::Met => "met",
        Clock::Breached { .. } => "breached",
        Clock::Open { .. } => "open",
    }
}

/// Replay both policies. `counterparts[j]` is the old rule that new rule `j` continues (the
/// same id, or a rename), so a renamed rule deciding a ticket is no change. `changes` is called
/// for every ticket whose route, rule, priority or SLA outcome differs.
pub fn diff_replay(
    old: &CompiledPolicy,
    new: &CompiledPolicy,
    counterparts: &[Option<usize>],
    source: &mut TicketSource,
    as_of: Option<Timestamp>,
    changes: &mut dyn FnMut(&Ticket, &Decision, &Decision) -> std::io::Result<()>,
) -> Result<DiffOutcome, ReplayError> {
    let available = Available::of(&source.layout);
    let mut metrics = [Metrics::new(old), Metrics::new(new)];
    let mut settler: Settler<(usize, Deferred)> = Settler::new(as_of);
    let mut transitions = BTreeMap::new();
    let (mut records, mut rejected, mut changed) = (0u64, 0u64, 0u64);
    let mut reject_examples = Vec::new();
    let (mut ticket, mut found_old, mut found_new) = (Ticket::default(), Vec::new(), Vec::new());
    let (mut d_old, mut d_new) = (Decision::default(), Decision::default());
    let mut fresh = Vec::new();
    while let Some(row) = source.next(&mut ticket)? {
        records += 1;
        if let Err(error) = row {
            rejected += 1;
            if reject_examples.len() < REJECT_EXAMPLES {
                reject_examples.push(error);
            }
            continue;
        }
        old.scan_keywords(&ticket, &mut found_old);
        new.scan_keywords(&ticket, &mut found_new);
        old.decide(&ticket, &found_old, &mut d_old);
        new.decide(&ticket, &found_new, &mut d_new);
        *transitions.entry((d_old.rank, d_new.rank)).or_insert(0) += 1;
        let same_rule = match (d_old.rule, d_new.rule) {
            (None, None) => true,
            (Some(a), Some(b)) => counterparts.get(b).copied().flatten() == Some(a),
            _ => false,
        };
        let differs = d_old.rank != d_new.rank
            || !same_rule
            || d_old.priority != d_new.priority
            || first_response_outcome(old, &ticket, &d_old)
                != first_response_outcome(new, &ticket, &d_new);
        if differs {
            changed += 1;
            changes(&ticket, &d_old, &d_new)?;
        }
        for (index, (policy, decision)) in [(old, &d_old), (new, &d_new)].into_iter().enumerate() {
            fresh.clear();
            metrics[index].record(policy, available, &ticket, decision, usize::MAX, &mut fresh);
            for item in fresh.drain(..) {
                let at = item.at;
                settler.push(
                    at,
                    (index, item),
                    &mut |(i, d): (usize, Deferred), happened| {
                        metrics[i].settle(&d.event, d.at, happened)
                    },
                );
            }
        }
        settler.observe(
            ticket.latest(),
            &mut |(i, d): (usize, Deferred), happened| metrics[i].settle(&d.event, d.at, happened),
        );
    }
    let as_of = settler.as_of();
    settler.finish(as_of, &mut |(i, d): (usize, Deferred), happened| {
        metrics[i].settle(&d.event, d.at, happened)
    });
    // The counts kept by index join their maps here, also when no instant finishes them.
    metrics.iter_mut().for_each(Metrics::fold_dense);
    if let Some(as_of) = as_of {
        metrics.iter_mut().for_each(|m| m.finish(as_of));
    }
    let [old_metrics, new_metrics] = metrics;
    Ok(DiffOutcome {
        old: old_metrics,
        new: new_metrics,
        transitions,
        changed,
        records,
        rejected,
        reject_examples,
        as_of,
    })
}
