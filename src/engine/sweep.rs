//! `handoff sweep`: one threshold of one rule tried at many values in a single pass over the
//! tickets. Each ticket is read, parsed and keyword-scanned once; only the (cheap) decision is
//! taken per value, and SLA due times are computed once per distinct (tier, priority).
//!
//! The pass runs on replay's threads ([`crate::engine::replay::evaluate`]): each evaluating
//! thread has a [`Sweeper`] that takes every value for the batches it is given, and the
//! sweepers' figures add up at the end, so the outcome is the same for any thread count.
//!
//! The figures follow the replay definitions exactly (see `docs/replay.md`); a test checks
//! them against separate replays at several values.

use std::collections::HashMap;

use jiff::Timestamp;

use super::agreement::{Agreement, AgreementCounts, Available, History, history};
use super::deferred::Settler;
use super::eval::{CompiledPolicy, Decision};
use super::replay::worker::Batch;
use super::replay::{Evaluator, ReplayError, ReplaySink, evaluate};
use super::sla::{Clock, Target, clock};
use super::stats::Count;
use crate::fields::Field;
use crate::tickets::{RawRecord, RowError, Ticket, TicketParser, TicketReader};

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

/// One evaluating thread's share of a sweep: the figures of every value over the batches it
/// was given, and the SLA clocks still running among them.
struct Sweeper<'a> {
    variants: &'a [(f64, CompiledPolicy)],
    swept: &'a Swept,
    available: Available,
    parser: TicketParser,
    points: Vec<SweepPoint>,
    settler: Settler<(usize, usize)>,
    ticket: Ticket,
    found: Vec<bool>,
    decision: Decision,
    /// Per ticket: the clocks of each distinct (tier, priority) decided.
    cache: HashMap<(usize, Option<usize>), [Option<Clock>; 2]>,
    /// Parses the batches that come as raw chunks of CSV.
    csv: csv_core::Reader,
}

/// A clock of value `variant` (first response or resolution: `target`) settled: breached
/// when `happened`, else still pending (not judged).
fn settle(points: &mut [SweepPoint], (variant, target): (usize, usize), happened: bool) {
    if happened {
        points[variant].sla[target].denominator += 1;
    }
}

impl<'a> Sweeper<'a> {
    fn new(
        variants: &'a [(f64, CompiledPolicy)],
        swept: &'a Swept,
        available: Available,
        parser: TicketParser,
        as_of: Option<Timestamp>,
    ) -> Sweeper<'a> {
        Sweeper {
            csv: crate::tickets::chunk::core_reader(),
            variants,
            swept,
            available,
            parser,
            points: variants
                .iter()
                .map(|(value, _)| SweepPoint {
                    value: *value,
                    ..SweepPoint::default()
                })
                .collect(),
            settler: Settler::new(as_of),
            ticket: Ticket::default(),
            found: Vec::new(),
            decision: Decision::default(),
            cache: HashMap::new(),
        }
    }

    /// Parse one record and account it at every value.
    fn one(&mut self, record: RawRecord<'_>, number: u64) -> Result<(), RowError> {
        self.parser.parse(record, number, &mut self.ticket)?;
        let Some((_, base)) = self.variants.first() else {
            return Ok(());
        };
        let (ticket, points) = (&self.ticket, &mut self.points);
        // Keywords are the same in every variant: scan once.
        base.scan_keywords(ticket, &mut self.found);
        let past = history(base, self.available, ticket);
        self.cache.clear();
        // Variants differ only in the swept test, so variants where it has the same truth for
        // this ticket take the same decision: decide once per distinct truth (at most three).
        let value = self.swept.value(base, ticket);
        let mut decided: [Option<Decision>; 3] = [None, None, None];
        for (index, (threshold, policy)) in self.variants.iter().enumerate() {
            let slot = match self.swept.holds(value, *threshold) {
                Some(true) => 0,
                Some(false) => 1,
                None => 2,
            };
            let decision = decided[slot].get_or_insert_with(|| {
                policy.decide(ticket, &self.found, &mut self.decision);
                self.decision.clone()
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
            let outcome = *self
                .cache
                .entry(key)
                .or_insert_with(|| clocks(policy, ticket, decision.rank, decision.priority));
            for (target, clock) in outcome.iter().enumerate() {
                let sla = &mut points[index].sla[target];
                match clock {
                    Some(Clock::Met) => {
                        sla.numerator += 1;
                        sla.denominator += 1;
                    }
                    Some(Clock::Breached { .. }) => sla.denominator += 1,
                    Some(Clock::Open { due }) => {
                        self.settler
                            .push(*due, (index, target), &mut |item, happened| {
                                settle(points, item, happened)
                            })
                    }
                    Some(Clock::Unreachable | Clock::StoppedBeforeStart) | None => {}
                }
            }
        }
        self.settler
            .observe(ticket.latest(), &mut |item, happened| {
                settle(points, item, happened)
            });
        Ok(())
    }
}

impl Evaluator for Sweeper<'_> {
    fn process(&mut self, batch: &mut Batch) {
        batch.parse(&mut self.csv);
        for index in 0..batch.len {
            let Some(record) = batch.records.get(index) else {
                break;
            };
            if let Err(error) = self.one(record, batch.first + index as u64) {
                batch.rejects.push((index, error));
            }
        }
    }
}

/// A sweep writes no per-ticket output: rejected records are only counted.
struct NoOutput;

impl ReplaySink for NoOutput {
    fn decisions(&mut self, _rows: &[u8]) -> std::io::Result<()> {
        Ok(())
    }
    fn rejected(&mut self, _error: &RowError, _record: RawRecord<'_>) -> std::io::Result<()> {
        Ok(())
    }
}

/// Try every variant (a value and the policy with the threshold at that value) on every
/// ticket of `reader`, on `threads` threads as replay does.
pub fn sweep(
    variants: &[(f64, CompiledPolicy)],
    swept: &Swept,
    reader: &mut TicketReader,
    parser: TicketParser,
    as_of: Option<Timestamp>,
    threads: usize,
) -> Result<SweepOutcome, ReplayError> {
    let available = Available::of(&reader.layout);
    let mut new = || Sweeper::new(variants, swept, available, parser.clone(), as_of);
    let evaluated = evaluate(reader, &mut new, threads, false, false, &mut NoOutput)?;
    // The default `--as-of` is the latest timestamp any thread saw.
    let as_of = as_of.or(evaluated
        .evaluators
        .iter()
        .filter_map(|s| s.settler.latest())
        .max());
    let mut points: Vec<SweepPoint> = Vec::new();
    for mut sweeper in evaluated.evaluators {
        let sweeper_points = &mut sweeper.points;
        sweeper.settler.finish(as_of, &mut |item, happened| {
            settle(sweeper_points, item, happened)
        });
        if points.is_empty() {
            points = sweeper.points;
        } else {
            for (mine, theirs) in points.iter_mut().zip(&sweeper.points) {
                mine.merge(theirs);
            }
        }
    }
    Ok(SweepOutcome {
        points,
        records: evaluated.records,
        rejected: evaluated.rejected,
        reject_examples: evaluated.reject_examples,
        as_of,
    })
}
