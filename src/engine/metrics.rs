//! Replay metrics (DESIGN §4), accumulated one ticket at a time in memory that does not grow
//! with the number of tickets: counters, fixed-bucket histograms, and bounded example lists.

use std::collections::BTreeMap;

use jiff::Timestamp;

use super::agreement::{Agreement, AgreementCounts, Available, History, history};
use super::eval::{CompiledPolicy, Decision, ReasonKind};
use super::sla::{Clock, Target, clock};
use super::stats::{Count, Durations};
use crate::tickets::Ticket;

/// Ticket ids kept per confusion-matrix cell.
pub const EXAMPLES_PER_CELL: usize = 5;
/// Breaches kept in the "worst breaches" list.
pub const WORST_BREACHES: usize = 5;

/// One cell of the confusion matrix (policy route × historical outcome).
#[derive(Debug, Clone, Default)]
pub struct ConfusionCell {
    pub count: u64,
    pub examples: Vec<String>,
    /// The input line of each example: merged cells keep the first ones in input order.
    pub lines: Vec<u64>,
}

impl ConfusionCell {
    /// Keep the ticket among the examples if it is one of the first in the input (a worker
    /// may see batches out of order).
    pub(super) fn note_example(&mut self, line: u64, id: &str) {
        if self.lines.len() >= EXAMPLES_PER_CELL && self.lines.last().is_some_and(|&l| l < line) {
            return;
        }
        let at = self.lines.partition_point(|&l| l < line);
        self.lines.insert(at, line);
        self.examples.insert(at, id.to_string());
        self.lines.truncate(EXAMPLES_PER_CELL);
        self.examples.truncate(EXAMPLES_PER_CELL);
    }
}

/// Why a policy-escalated ticket's SLA was not judged (`sla_skipped_by_reason`).
pub const SKIP_NO_PRIORITY: &str = "no priority";
pub const SKIP_NO_TARGET: &str = "no SLA target for the tier and priority";
pub const SKIP_NO_START: &str = "no clock start (created_at or escalated_at)";
pub const SKIP_UNREACHABLE: &str = "due time past the calendar's reach";

/// Met / breached / still pending, for one SLA target.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SlaTally {
    pub met: u64,
    pub breached: u64,
    /// Unanswered and not yet due at `--as-of`.
    pub pending: u64,
    /// Answered before the clock started (excluded).
    pub negative: u64,
}

impl SlaTally {
    pub fn attainment(&self) -> Count {
        Count::new(self.met, self.met + self.breached)
    }
}

/// One SLA breach, for the "worst breaches" list.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Breach {
    /// Wall-clock seconds past the due time (at `--as-of` for unanswered tickets).
    pub overshoot: i64,
    pub id: String,
    pub rank: usize,
    pub priority: usize,
    pub target: Target,
    /// Input line of the ticket: among equal breaches the earlier ticket comes first.
    pub line: u64,
    /// Never answered: late as measured at `--as-of` (else answered late).
    pub unanswered: bool,
}

/// An event whose outcome depends on `--as-of`, which by default is the latest timestamp of the
/// whole input: decided when the reading has moved past it, or at the end.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Deferred {
    pub at: Timestamp,
    pub group: usize,
    pub event: DeferredEvent,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum DeferredEvent {
    /// An unanswered SLA clock, breached if `at < as_of`.
    Unanswered {
        rank: usize,
        priority: usize,
        target: Target,
        id: String,
        line: u64,
    },
    /// A time-based hand-off that happens if `at < as_of`.
    Hop { from: usize, to: usize, first: bool },
}

/// Metrics of one group of tickets.
#[derive(Debug, Clone, Default)]
pub struct Metrics {
    pub tickets: u64,
    /// Tickets per decided route (index 0 = `ai`).
    pub by_route: Vec<u64>,
    /// Tickets per deciding rule; the last entry is the default route.
    pub by_rule: Vec<u64>,
    /// Tickets whose condition was true, per rule (deciding or not).
    pub matched: Vec<u64>,
    /// Per rule: its condition was true for some ticket, reached in the rule order or not
    /// (tells a rule that never matches from one that is never reached).
    pub true_somewhere: Vec<bool>,
    /// Escalated tickets per reason kind.
    pub by_reason: BTreeMap<ReasonKind, u64>,

    /// Tickets whose history is known and resolved (agreement denominators).
    pub history_known: u64,
    pub unresolved: u64,
    /// (policy route, historical outcome) → count and examples; outcome index `routes.len()`
    /// is "human, tier unknown".
    pub confusion: BTreeMap<(usize, usize), ConfusionCell>,
    /// Missed and unneeded escalations, routing fit.
    pub agreement: AgreementCounts,
    /// Among tickets whose fit is known: those with a reassignment count, and with none.
    pub reassignments_known: u64,
    pub no_reassignment: u64,

    pub first_response_wall: Durations,
    pub first_response_business: Durations,
    pub opened_outside_hours: u64,
    pub first_response_negative: u64,

    pub resolution_escalated: Durations,
    pub resolution_not_escalated: Durations,
    pub resolution_negative: u64,

    /// Per (route rank, priority index): first response and resolution.
    pub sla: BTreeMap<(usize, usize), [SlaTally; 2]>,
    /// Policy-escalated tickets with an SLA target left unjudged: no priority, no start time,
    /// no target, or a due time past the calendar's reach.
    pub sla_skipped: u64,
    /// The same tickets by reason (the first reason met).
    pub sla_skipped_by_reason: BTreeMap<&'static str, u64>,
    pub worst: Vec<Breach>,
    /// Unanswered breaches with the earliest due times (the largest overshoot at `--as-of`),
    /// turned into [`Breach`]es by [`Metrics::finish`].
    pub worst_unanswered: Vec<(Timestamp, Breach)>,

    pub context_checked: u64,
    pub context_complete: u64,
    pub context_missing: BTreeMap<String, u64>,

    /// Tickets with `escalated_at` routed to a tier that has `escalate_after`.
    pub time_based_candidates: u64,
    pub time_based_escalated: u64,
    pub hops: BTreeMap<(usize, usize), u64>,

    /// Containment and CSAT by route, for the policy and for history.
    pub quality: super::quality::PathQuality,
}

/// The order of [`Metrics::note_breach`].
pub(super) fn answered_order(a: &Breach, b: &Breach) -> std::cmp::Ordering {
    b.overshoot
        .cmp(&a.overshoot)
        .then_with(|| a.id.cmp(&b.id))
        .then_with(|| a.line.cmp(&b.line))
        .then_with(|| a.target.cmp(&b.target))
}

impl Metrics {
    pub fn new(policy: &CompiledPolicy) -> Metrics {
        Metrics {
            by_route: vec![0; policy.routes.len()],
            by_rule: vec![0; policy.rules.len() + 1],
            matched: vec![0; policy.rules.len()],
            true_somewhere: vec![false; policy.rules.len()],
            ..Metrics::default()
        }
    }

    /// Keep an answered breach if it is among the worst: largest overshoot first, then by id,
    /// then in input order (line, and first response before resolution). The order is total,
    /// so lists merged from several workers come out as one pass over the input would give.
    pub(super) fn note_breach(&mut self, breach: Breach) {
        self.worst.push(breach);
        self.worst.sort_by(answered_order);
        self.worst.truncate(WORST_BREACHES);
    }

    fn sla_tally(&mut self, rank: usize, priority: usize, target: Target) -> &mut SlaTally {
        &mut self.sla.entry((rank, priority)).or_default()[target as usize]
    }

    /// Settle a deferred event: `happened` when its time lies before `--as-of`.
    pub fn settle(&mut self, event: &DeferredEvent, at: Timestamp, happened: bool) {
        match event {
            DeferredEvent::Unanswered {
                rank,
                priority,
                target,
                id,
                line,
            } => {
                let tally = self.sla_tally(*rank, *priority, *target);
                if happened {
                    tally.breached += 1;
                    let breach = Breach {
                        overshoot: 0,
                        id: id.clone(),
                        rank: *rank,
                        priority: *priority,
                        target: *target,
                        line: *line,
                        unanswered: true,
                    };
                    self.worst_unanswered.push((at, breach));
                    self.worst_unanswered.sort();
                    self.worst_unanswered.truncate(WORST_BREACHES);
                } else {
                    tally.pending += 1;
                }
            }
            DeferredEvent::Hop { from, to, first } => {
                if happened {
                    *self.hops.entry((*from, *to)).or_default() += 1;
                    if *first {
                        self.time_based_escalated += 1;
                    }
                }
            }
        }
    }

    /// Complete the metrics once `--as-of` is known (after merging). Unanswered breaches
    /// follow the answered ones among equals, in order of due time.
    pub fn finish(&mut self, as_of: Timestamp) {
        for (due, mut breach) in std::mem::take(&mut self.worst_unanswered) {
            breach.overshoot = as_of.as_second() - due.as_second();
            self.worst.push(breach);
        }
        // Stable: equal breaches keep the order above.
        self.worst
            .sort_by(|a, b| b.overshoot.cmp(&a.overshoot).then_with(|| a.id.cmp(&b.id)));
        self.worst.truncate(WORST_BREACHES);
    }

    /// Account one decided ticket. Events that depend on `--as-of` are pushed to `deferred`.
    pub fn record(
        &mut self,
        policy: &CompiledPolicy,
        available: Available,
        t: &Ticket,
        d: &Decision,
        group: usize,
        deferred: &mut Vec<Deferred>,
    ) {
        self.tickets += 1;
        self.by_route[d.rank] += 1;
        self.by_rule[d.rule.unwrap_or(policy.rules.len())] += 1;
        for &m in &d.matched {
            self.matched[m] += 1;
            self.true_somewhere[m] = true;
        }
        let escalated = d.rank > 0;
        if escalated {
            *self
                .by_reason
                .entry(d.reason.unwrap_or(ReasonKind::Default))
                .or_default() += 1;
        }

        self.agreement(policy, available, t, d);
        self.quality.record(policy, available, t, d);
        self.response_times(policy, t, escalated);
        if escalated {
            self.sla_clocks(policy, available, t, d, group, deferred);
            self.context(policy, t);
            if available.first_human_response_at {
                self.time_based(policy, t, d, group, deferred);
            }
        }
    }

    fn agreement(
        &mut self,
        policy: &CompiledPolicy,
        available: Available,
        t: &Ticket,
        d: &Decision,
    ) {
        let (rank, history_escalated) = match history(policy, available, t) {
            History::Unknown => return,
            History::Unresolved => {
                self.unresolved += 1;
                return;
            }
            History::Known { rank, escalated } => (rank, escalated),
        };
        let outcome = match rank {
            Some(rank) => rank,
            None if t.escalated_at.is_some() => policy.routes.len(),
            None => 0,
        };
        self.history_known += 1;
        let cell = self.confusion.entry((d.rank, outcome)).or_default();
        cell.count += 1;
        cell.note_example(t.line, &t.id);
        let agreement = Agreement::of(d.rank, rank, history_escalated, t.reopened);
        self.agreement.add(agreement);
        if agreement.fit().is_some() {
            if let Some(n) = t.reassignments {
                self.reassignments_known += 1;
                if n == 0 {
                    self.no_reassignment += 1;
                }
            }
        }
    }

    fn response_times(&mut self, policy: &CompiledPolicy, t: &Ticket, escalated: bool) {
        if let (Some(start), Some(reply)) = (t.clock_start(), t.first_human_response_at) {
            if reply < start {
                self.first_response_negative += 1;
            } else {
                self.first_response_wall
                    .record(reply.as_second() - start.as_second());
                self.first_response_business
                    .record(policy.calendar.elapsed(start, reply));
                // "Opened" outside hours: the ticket's creation (or, without one, the start of
                // the clock).
                if !policy.calendar.is_open(t.created_at.unwrap_or(start)) {
                    self.opened_outside_hours += 1;
                }
            }
        }
        if let (Some(created), Some(resolved)) = (t.created_at, t.resolved_at) {
            if resolved < created {
                self.resolution_negative += 1;
            } else if escalated {
                self.resolution_escalated
                    .record(resolved.as_second() - created.as_second());
            } else {
                self.resolution_not_escalated
                    .record(resolved.as_second() - created.as_second());
            }
        }
    }

    fn skip_sla(&mut self, reason: &'static str) {
        self.sla_skipped += 1;
        *self.sla_skipped_by_reason.entry(reason).or_default() += 1;
    }

    fn sla_clocks(
        &mut self,
        policy: &CompiledPolicy,
        available: Available,
        t: &Ticket,
        d: &Decision,
        group: usize,
        deferred: &mut Vec<Deferred>,
    ) {
        let Some(tier) = policy.tier(d.rank) else {
            return;
        };
        let Some(priority) = d.priority else {
            self.skip_sla(SKIP_NO_PRIORITY);
            return;
        };
        let targets = tier.sla_for(priority);
        if targets.is_empty() {
            self.skip_sla(SKIP_NO_TARGET);
            return;
        }
        let Some(start) = t.clock_start() else {
            self.skip_sla(SKIP_NO_START);
            return;
        };
        let mut unreachable = false;
        for target in Target::ALL {
            let Some(budget) = targets.get(target) else {
                continue;
            };
            // A first response is only judged when the data says when it came.
            if target == Target::FirstResponse && !available.first_human_response_at {
                continue;
            }
            match clock(&policy.calendar, start, budget, target.stopped_at(t)) {
                Clock::Unreachable => unreachable = true,
                Clock::StoppedBeforeStart => self.sla_tally(d.rank, priority, target).negative += 1,
                Clock::Met => self.sla_tally(d.rank, priority, target).met += 1,
                Clock::Breached { overshoot } => {
                    self.sla_tally(d.rank, priority, target).breached += 1;
                    self.note_breach(Breach {
                        overshoot,
                        id: t.id.clone(),
                        rank: d.rank,
                        priority,
                        target,
                        line: t.line,
                        unanswered: false,
                    });
                }
                Clock::Open { due } => deferred.push(Deferred {
                    at: due,
                    group,
                    event: DeferredEvent::Unanswered {
                        rank: d.rank,
                        priority,
                        target,
                        id: t.id.clone(),
                        line: t.line,
                    },
                }),
            }
        }
        if unreachable {
            self.skip_sla(SKIP_UNREACHABLE);
        }
    }

    fn context(&mut self, policy: &CompiledPolicy, t: &Ticket) {
        if policy.context.is_empty() {
            return;
        }
        self.context_checked += 1;
        let mut complete = true;
        for name in policy.missing_context(t) {
            complete = false;
            *self.context_missing.entry(name.to_string()).or_default() += 1;
        }
        if complete {
            self.context_complete += 1;
        }
    }

    fn time_based(
        &mut self,
        policy: &CompiledPolicy,
        t: &Ticket,
        d: &Decision,
        group: usize,
        deferred: &mut Vec<Deferred>,
    ) {
        let Some(mut clock) = t.escalated_at else {
            return;
        };
        let Some(priority) = d.priority else { return };
        let mut rank = d.rank;
        if policy
            .tier(rank)
            .and_then(|tier| tier.escalate_after.as_ref())
            .is_none()
        {
            return;
        }
        self.time_based_candidates += 1;
        let mut first = true;
        for _ in 0..policy.tiers.len() {
            let Some((delays, to)) = policy
                .tier(rank)
                .and_then(|tier| tier.escalate_after.as_ref())
            else {
                break;
            };
            let Some(delay) = delays.get(priority).copied().flatten() else {
                break;
            };
            let Some(deadline) = policy.calendar.add(clock, delay) else {
                break;
            };
            match t.first_human_response_at {
                Some(reply) if reply <= deadline => break,
                Some(_) => {
                    *self.hops.entry((rank, *to)).or_default() += 1;
                    if first {
                        self.time_based_escalated += 1;
                    }
                }
                None => deferred.push(Deferred {
                    at: deadline,
                    group,
                    event: DeferredEvent::Hop {
                        from: rank,
                        to: *to,
                        first,
                    },
                }),
            }
            first = false;
            clock = deadline;
            rank = *to;
        }
    }
}
