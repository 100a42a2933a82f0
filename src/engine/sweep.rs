//! `handoff sweep`: one threshold of one rule tried at many values in a single pass over the
//! tickets. Each ticket is read, parsed and keyword-scanned once; only the (cheap) decision is
//! taken per value, and SLA due times are computed once per distinct (tier, priority).
//!
//! The figures follow the replay definitions exactly (see `docs/replay.md`); a test checks
//! them against separate replays at several values.

use std::collections::HashMap;

use jiff::Timestamp;

use super::agreement::{Agreement, AgreementCounts, Available, History, history};
use super::deferred::Settler;
use super::eval::{CompiledPolicy, Decision};
use super::replay::ReplayError;
use super::sla::{Clock, Target, clock};
use super::stats::Count;
use crate::fields::Field;
use crate::tickets::{Ticket, TicketSource};

/// The figures for one value.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SweepPoint {
    pub value: f64,
    pub tickets: u64,
    pub escalated: u64,
    pub agreement: AgreementCounts,
    /// First response and resolution: met, judged (met + breached).
    pub sla: [Count; 2],
}

impl SweepPoint {
    pub fn escalation_rate(&self) -> Count {
        Count::new(self.escalated, self.tickets)
    }
    pub fn missed_escalation_rate(&self) -> Count {
        self.agreement.missed_escalation_rate()
    }
    pub fn unneeded_escalation_rate(&self) -> Count {
        self.agreement.unneeded_escalation_rate()
    }
    pub fn projected_fcr(&self) -> Count {
        self.agreement.projected_fcr()
    }
}

pub struct SweepOutcome {
    pub points: Vec<SweepPoint>,
    pub records: u64,
    pub rejected: u64,
    /// The first rejected records.
    pub reject_examples: Vec<crate::tickets::RowError>,
    pub as_of: Option<Timestamp>,
}

/// The SLA clocks of a decision, first response and resolution; `None` where nothing is
/// judged (no priority, no start, no target).
fn clocks(
    policy: &CompiledPolicy,
    t: &Ticket,
    rank: usize,
    priority: Option<usize>,
) -> [Option<Clock>; 2] {
    let (Some(priority), Some(start), Some(tier)) = (priority, t.clock_start(), policy.tier(rank))
    else {
        return [None; 2];
    };
    let targets = tier.sla_for(priority);
    Target::ALL.map(|target| {
        let budget = targets.get(target)?;
        Some(clock(&policy.calendar, start, budget, target.stopped_at(t)))
    })
}

/// Which threshold is swept: the field (`confidence`, `sentiment` or an extra field) and the
/// bound (`below` or `at_least`).
#[derive(Debug, Clone)]
pub struct Swept {
    pub field: String,
    pub bound: String,
}

impl Swept {
    /// The ticket's value of the swept field (`None` when missing).
    fn value(&self, policy: &CompiledPolicy, t: &Ticket) -> Option<f64> {
        match Field::named(&self.field) {
            Some(Field::Confidence) => t.confidence,
            Some(Field::Sentiment) => t.sentiment,
            _ => {
                let slot = policy.needs.extras.iter().position(|n| *n == self.field)?;
                t.extras.get(slot)?.parse().ok()
            }
        }
    }

    /// Whether the swept test holds at threshold `at` (the only part of the condition that
    /// differs between variants).
    fn holds(&self, value: Option<f64>, at: f64) -> Option<bool> {
        let v = value?;
        Some(if self.bound == "below" {
            v < at
        } else {
            v >= at
        })
    }
}

pub fn sweep(
    variants: &[(f64, CompiledPolicy)],
    swept: &Swept,
    source: &mut TicketSource,
    as_of: Option<Timestamp>,
) -> Result<SweepOutcome, ReplayError> {
    let Some((_, base)) = variants.first() else {
        return Ok(SweepOutcome {
            points: Vec::new(),
            records: 0,
            rejected: 0,
            reject_examples: Vec::new(),
            as_of,
        });
    };
    let available = Available::of(&source.layout);
    let mut points: Vec<SweepPoint> = variants
        .iter()
        .map(|(value, _)| SweepPoint {
            value: *value,
            ..SweepPoint::default()
        })
        .collect();
    let mut settler: Settler<(usize, usize)> = Settler::new(as_of);
    let (mut records, mut rejected) = (0u64, 0u64);
    let mut reject_examples = Vec::new();
    let (mut ticket, mut found, mut decision) =
        (Ticket::default(), Vec::new(), Decision::default());
    let mut cache: HashMap<(usize, Option<usize>), [Option<Clock>; 2]> = HashMap::new();
    let settle =
        |points: &mut Vec<SweepPoint>, (variant, target): (usize, usize), happened: bool| {
            if happened {
                points[variant].sla[target].denominator += 1;
            }
        };
    while let Some(row) = source.next(&mut ticket)? {
        records += 1;
        if let Err(error) = row {
            rejected += 1;
            if reject_examples.len() < super::replay::REJECT_EXAMPLES {
                reject_examples.push(error);
            }
            continue;
        }
        // Keywords are the same in every variant: scan once.
        base.scan_keywords(&ticket, &mut found);
        let past = history(base, available, &ticket);
        cache.clear();
        // Variants differ only in the swept test, so variants where it has the same truth for
        // this ticket take the same decision: decide once per distinct truth (at most three).
        let value = swept.value(base, &ticket);
        let mut decided: [Option<Decision>; 3] = [None, None, None];
        for (index, (threshold, policy)) in variants.iter().enumerate() {
            let slot = match swept.holds(value, *threshold) {
                Some(true) => 0,
                Some(false) => 1,
                None => 2,
            };
            let decision = decided[slot].get_or_insert_with(|| {
                policy.decide(&ticket, &found, &mut decision);
                decision.clone()
            });
            let point = &mut points[index];
            point.tickets += 1;
            let escalates = decision.rank > 0;
            point.escalated += u64::from(escalates);
            if let History::Known { rank, escalated } = past {
                let agreement = Agreement::of(decision.rank, rank, escalated, ticket.reopened);
                point.agreement.add(agreement);
            }
            if !escalates {
                continue;
            }
            let key = (decision.rank, decision.priority);
            let outcome = *cache
                .entry(key)
                .or_insert_with(|| clocks(policy, &ticket, decision.rank, decision.priority));
            for (target, clock) in outcome.iter().enumerate() {
                match clock {
                    Some(Clock::Met) => {
                        points[index].sla[target].numerator += 1;
                        points[index].sla[target].denominator += 1;
                    }
                    Some(Clock::Breached { .. }) => points[index].sla[target].denominator += 1,
                    Some(Clock::Open { due }) => {
                        settler.push(*due, (index, target), &mut |item, happened| {
                            settle(&mut points, item, happened)
                        })
                    }
                    Some(Clock::Unreachable | Clock::StoppedBeforeStart) | None => {}
                }
            }
        }
        settler.observe(ticket.latest(), &mut |item, happened| {
            settle(&mut points, item, happened)
        });
    }
    let as_of = settler.as_of();
    settler.finish(as_of, &mut |item, happened| {
        settle(&mut points, item, happened)
    });
    Ok(SweepOutcome {
        points,
        records,
        rejected,
        reject_examples,
        as_of,
    })
}
