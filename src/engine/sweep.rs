//! `handoff sweep`: one threshold of one rule tried at many values in a single pass over the
//! tickets. Each ticket is read, parsed and keyword-scanned once; only the (cheap) decision is
//! taken per distinct truth of the swept test (at most three a ticket), and SLA due times once
//! per such decision.
//!
//! The pass runs on replay's threads ([`crate::engine::replay::evaluate`]): each evaluating
//! thread has a [`Sweeper`] that takes every value for the batches it is given, and the
//! sweepers' figures add up at the end, so the outcome is the same for any thread count.
//!
//! The figures follow the replay definitions exactly (see `docs/replay.md`); a test checks
//! them against separate replays at several values.

use jiff::Timestamp;

use super::agreement::{Agreement, AgreementCounts, Available, History, history};
use super::deferred::Counted;
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
///
/// A ticket adds the same figures to every value at which the swept test has the same truth,
/// and those values are neighbours (the values ascend and the test is a bound). So a ticket
/// adds its figures once per such run of values, as differences: at the run's first value,
/// and taken off at the value after its last ([`SweepPoint::combine`] with wrapping
/// arithmetic). [`summed`] sums them up.
struct Sweeper<'a> {
    variants: &'a [(f64, CompiledPolicy)],
    swept: &'a Swept,
    available: Available,
    parser: TicketParser,
    /// One more than the values: the differences between neighbouring values' figures.
    differences: Vec<SweepPoint>,
    /// Clocks still running, counted per kind: an index into `runs`. Boxed: inline, its
    /// collections moved the sweeper's hot fields about and a sweep of the ordinary 1M file
    /// ran 10-16 % more CPU at +1 % instructions; boxed, +3-6 % (docs/performance.md, round 13).
    settler: Box<Counted>,
    /// The kinds of clock: the run of values it counts at (first value, the value after the
    /// last) and its target.
    runs: Runs,
    ticket: Ticket,
    found: Vec<bool>,
    decision: Decision,
    /// Parses the batches that come as raw chunks of CSV.
    csv: csv_core::Reader,
}

/// What a ticket adds at each value of a run: its figures and the due times of its clocks
/// still running (first response, resolution).
struct Share {
    figures: SweepPoint,
    open: [Option<Timestamp>; 2],
}

/// The kinds of the clocks a sweeper holds, interned: (first value, the value after the
/// last, target) by the order first seen. A ticket's runs are at most three of the values'
/// (n + 1)² / 2 pairs, so few are ever used.
struct Runs {
    values: usize,
    /// Per (first, end), 1 + the first of its two kinds, or 0 when not seen yet: zeroed
    /// memory the system only maps where it is written.
    index: Vec<u32>,
    all: Vec<(usize, usize)>,
}

impl Runs {
    fn new(values: usize) -> Self {
        Runs {
            values,
            index: vec![0; (values + 1) * (values + 1)],
            all: Vec::new(),
        }
    }

    /// The kind of a clock counted at values `first..end`, for its `target` (0 or 1).
    fn kind(&mut self, first: usize, end: usize, target: usize) -> u32 {
        let slot = &mut self.index[first * (self.values + 1) + end];
        if *slot == 0 {
            self.all.push((first, end));
            // Fewer than u32::MAX / 2 runs: at most 1,001² pairs (MAX_VALUES in cmd/sweep).
            *slot = 1 + 2 * (self.all.len() as u32 - 1);
        }
        *slot - 1 + target as u32
    }

    /// (first, end, target) of a kind.
    fn of(&self, kind: u32) -> Option<(usize, usize, usize)> {
        let (first, end) = *self.all.get(kind as usize / 2)?;
        Some((first, end, kind as usize % 2))
    }
}

/// `count` clocks of `kind` (counted at values `first..end`, first response or resolution:
/// `target`) settled: breached when `happened`, else still pending (not judged).
fn settle(differences: &mut [SweepPoint], runs: &Runs, kind: u32, happened: bool, count: u64) {
    let Some((first, end, target)) = runs.of(kind) else {
        return;
    };
    if happened {
        let sla = &mut differences[first].sla[target];
        sla.denominator = sla.denominator.wrapping_add(count);
        let sla = &mut differences[end].sla[target];
        sla.denominator = sla.denominator.wrapping_sub(count);
    }
}

/// The figures `policy` gives `ticket`: its decision, agreement with history and SLA clocks.
fn share(
    policy: &CompiledPolicy,
    ticket: &Ticket,
    found: &[bool],
    past: History,
    decision: &mut Decision,
) -> Share {
    policy.decide(ticket, found, decision);
    let escalates = decision.rank > 0;
    let mut figures = SweepPoint {
        tickets: 1,
        escalated: u64::from(escalates),
        ..SweepPoint::default()
    };
    if let History::Known { rank, escalated } = past {
        let agreement = Agreement::of(decision.rank, rank, escalated, ticket.reopened);
        figures.agreement.add(agreement);
    }
    let mut open = [None; 2];
    if escalates {
        let outcome = clocks(policy, ticket, decision.rank, decision.priority);
        for (target, clock) in outcome.iter().enumerate() {
            let sla = &mut figures.sla[target];
            match clock {
                Some(Clock::Met) => {
                    sla.numerator += 1;
                    sla.denominator += 1;
                }
                Some(Clock::Breached { .. }) => sla.denominator += 1,
                Some(Clock::Open { due }) => open[target] = Some(*due),
                Some(Clock::Unreachable | Clock::StoppedBeforeStart) | None => {}
            }
        }
    }
    Share { figures, open }
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
            differences: vec![SweepPoint::default(); variants.len() + 1],
            settler: Box::new(Counted::new(as_of)),
            runs: Runs::new(variants.len()),
            ticket: Ticket::default(),
            found: Vec::new(),
            decision: Decision::default(),
        }
    }

    /// Which truth the swept test has for `value` at variant `index`: 0 true, 1 false, 2
    /// unknown.
    fn truth(&self, value: Option<f64>, index: usize) -> usize {
        match self
            .variants
            .get(index)
            .and_then(|(threshold, _)| self.swept.holds(value, *threshold))
        {
            Some(true) => 0,
            Some(false) => 1,
            None => 2,
        }
    }

    /// Parse one record and account it at every value.
    fn one(&mut self, record: RawRecord<'_>, number: u64) -> Result<(), RowError> {
        self.parser.parse(record, number, &mut self.ticket)?;
        let Some((_, base)) = self.variants.first() else {
            return Ok(());
        };
        let ticket = &self.ticket;
        // Keywords are the same in every variant: scan once.
        base.scan_keywords(ticket, &mut self.found);
        let past = history(base, self.available, ticket);
        // Variants differ only in the swept test, so variants where it has the same truth for
        // this ticket take the same decision, and so have the same figures: decide once per
        // distinct truth (at most three), and add the figures once per run of values.
        let value = self.swept.value(base, ticket);
        let mut shares: [Option<Share>; 3] = [None, None, None];
        let mut first = 0;
        while first < self.variants.len() {
            let truth = self.truth(value, first);
            let mut end = first + 1;
            while end < self.variants.len() && self.truth(value, end) == truth {
                end += 1;
            }
            let policy = &self.variants[first].1;
            let share = shares[truth].get_or_insert_with(|| {
                share(policy, ticket, &self.found, past, &mut self.decision)
            });
            let (differences, runs) = (&mut self.differences, &mut self.runs);
            differences[first].combine(&share.figures, u64::wrapping_add);
            differences[end].combine(&share.figures, u64::wrapping_sub);
            for (target, due) in share.open.iter().enumerate() {
                if let Some(due) = due {
                    let kind = runs.kind(first, end, target);
                    self.settler.push(*due, kind, &mut |kind, happened, count| {
                        settle(differences, runs, kind, happened, count)
                    });
                }
            }
            first = end;
        }
        // Settled once a batch ([`Evaluator::process`]).
        self.settler.reach(ticket.latest());
        Ok(())
    }
}

/// The figures of every value of `variants`, from the `differences` between neighbours.
fn summed(variants: &[(f64, CompiledPolicy)], differences: &[SweepPoint]) -> Vec<SweepPoint> {
    let mut sum = SweepPoint::default();
    variants
        .iter()
        .zip(differences)
        .map(|((value, _), difference)| {
            sum.combine(difference, u64::wrapping_add);
            SweepPoint {
                value: *value,
                ..sum.clone()
            }
        })
        .collect()
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
        // A clock is settled the same whenever it is, as long as against an instant the
        // reading has reached: once a batch, not once a ticket.
        let (differences, runs) = (&mut self.differences, &self.runs);
        self.settler.settle_reached(&mut |kind, happened, count| {
            settle(differences, runs, kind, happened, count)
        });
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
        let (differences, runs) = (&mut sweeper.differences, &sweeper.runs);
        sweeper.settler.finish(as_of, &mut |kind, happened, count| {
            settle(differences, runs, kind, happened, count)
        });
        let sweeper_points = summed(sweeper.variants, &sweeper.differences);
        if points.is_empty() {
            points = sweeper_points;
        } else {
            for (mine, theirs) in points.iter_mut().zip(&sweeper_points) {
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
