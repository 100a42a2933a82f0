//! Replay metrics (DESIGN §4), accumulated one ticket at a time in memory that does not grow
//! with the number of tickets: counters, fixed-bucket histograms, and bounded example lists.

use std::collections::BTreeMap;

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use super::agreement::{Agreement, AgreementCounts, Available, History, history};
use super::eval::{CompiledPolicy, Decision, ReasonKind};
use super::load::Load;
use super::sla::{Clock, Target, judge};
use super::stats::{Count, Durations};
use crate::calendar::business::Located;
use crate::tickets::Ticket;
use dense::Dense;

/// Ticket ids kept per confusion-matrix cell.
pub const EXAMPLES_PER_CELL: usize = 5;
/// Breaches kept in the "worst breaches" list.
pub const WORST_BREACHES: usize = 5;

/// One cell of the confusion matrix (policy route × historical outcome).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct ConfusionCell {
    pub count: u64,
    /// The smallest ticket ids of the cell (byte order; a repeated id counts each time), in
    /// that order: what the tickets are, not the order they were read in, decides, so one
    /// replay, any thread count, merged partials and the warehouse give the same examples.
    pub examples: Vec<String>,
}

impl ConfusionCell {
    /// Keep the ticket among the examples if its id is one of the smallest so far.
    pub(super) fn note_example(&mut self, id: &str) {
        if self.examples.len() >= EXAMPLES_PER_CELL
            && self.examples.last().is_some_and(|last| last.as_str() <= id)
        {
            return;
        }
        let at = self.examples.partition_point(|e| e.as_str() <= id);
        self.examples.insert(at, id.to_string());
        self.examples.truncate(EXAMPLES_PER_CELL);
    }
}

/// Why a policy-escalated ticket's SLA was not judged (`sla_skipped_by_reason`).
pub const SKIP_NO_PRIORITY: &str = "no priority";
pub const SKIP_NO_TARGET: &str = "no SLA target for the tier and priority";
pub const SKIP_NO_START: &str = "no clock start (created_at or escalated_at)";
pub const SKIP_UNREACHABLE: &str = "due time past the calendar's reach";

/// Met / breached / still pending, for one SLA target.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
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

/// One SLA breach, for the "worst breaches" list (in [`breach_order`]).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Breach {
    /// Wall-clock seconds past the due time (at `--as-of` for unanswered tickets).
    pub overshoot: i64,
    pub id: String,
    pub rank: usize,
    pub priority: usize,
    pub target: Target,
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

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum DeferredEvent {
    /// An unanswered SLA clock, breached if `at < as_of`.
    Unanswered {
        rank: usize,
        priority: usize,
        target: Target,
        id: String,
    },
    /// A time-based hand-off that happens if `at < as_of`.
    Hop { from: usize, to: usize, first: bool },
}

/// Metrics of one group of tickets. Its serde form is a partial's metrics (`replay
/// --partial-out`): indices into the policy's routes, rules and priorities, keyed maps as
/// `[key, value]` lists.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
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
    #[serde(with = "entries")]
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
    #[serde(with = "entries")]
    pub sla: BTreeMap<(usize, usize), [SlaTally; 2]>,
    /// Policy-escalated tickets with an SLA target left unjudged: no priority, no start time,
    /// no target, or a due time past the calendar's reach.
    pub sla_skipped: u64,
    /// The same tickets by reason (the first reason met).
    #[serde(with = "skip_reasons")]
    pub sla_skipped_by_reason: BTreeMap<&'static str, u64>,
    pub worst: Vec<Breach>,
    /// Unanswered breaches with the earliest due times (the largest overshoot at `--as-of`),
    /// turned into [`Breach`]es by [`Metrics::finish`]. Empty once finished: a partial is
    /// written after [`Metrics::finish`], so it never carries them.
    #[serde(skip)]
    pub worst_unanswered: Vec<(Timestamp, Breach)>,

    pub context_checked: u64,
    pub context_complete: u64,
    pub context_missing: BTreeMap<String, u64>,

    /// Tickets with `escalated_at` routed to a tier that has `escalate_after`.
    pub time_based_candidates: u64,
    pub time_based_escalated: u64,
    #[serde(with = "entries")]
    pub hops: BTreeMap<(usize, usize), u64>,

    /// Tickets per route by hour of the week of `created_at`, and the days they span.
    pub load: Load,

    /// Containment and CSAT by route, for the policy and for history.
    pub quality: super::quality::PathQuality,

    /// The keyed counts [`Metrics::record_with`] adds to on every ticket, by index; folded
    /// into `by_reason`, `confusion` and `sla` by [`Metrics::finish`] and [`Metrics::merge`]
    /// (never serialised: a partial is written finished).
    #[serde(skip)]
    pub(super) dense: Dense,
}

/// A map whose keys are not text (`(rank, priority)`), as a list of `[key, value]` pairs.
mod entries {
    use std::collections::BTreeMap;

    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    pub fn serialize<K: Serialize, V: Serialize, S: Serializer>(
        map: &BTreeMap<K, V>,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(map.iter())
    }

    pub fn deserialize<'de, K, V, D>(deserializer: D) -> Result<BTreeMap<K, V>, D::Error>
    where
        K: Deserialize<'de> + Ord,
        V: Deserialize<'de>,
        D: Deserializer<'de>,
    {
        Ok(Vec::<(K, V)>::deserialize(deserializer)?
            .into_iter()
            .collect())
    }
}

/// `sla_skipped_by_reason`: read back as the reasons replay itself gives, no others.
mod skip_reasons {
    use std::collections::BTreeMap;

    use serde::de::Error;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(
        map: &BTreeMap<&'static str, u64>,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        serializer.collect_map(map.iter())
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<BTreeMap<&'static str, u64>, D::Error> {
        let known = [
            super::SKIP_NO_PRIORITY,
            super::SKIP_NO_TARGET,
            super::SKIP_NO_START,
            super::SKIP_UNREACHABLE,
        ];
        BTreeMap::<String, u64>::deserialize(deserializer)?
            .into_iter()
            .map(
                |(reason, count)| match known.iter().find(|k| **k == reason) {
                    Some(k) => Ok((*k, count)),
                    None => Err(D::Error::custom(format!(
                        "unknown SLA skip reason `{reason}`"
                    ))),
                },
            )
            .collect()
    }
}

/// A ticket's instants located on the policy's calendar once, for every question the
/// accounting asks about them in every metrics the ticket is counted in (the overall ones and
/// its `--by` group's: [`Metrics::record_with`]). They depend on the ticket and its decision.
#[derive(Clone, Copy)]
pub struct Instants<'a> {
    /// `created_at`, located.
    created: Option<Located<'a>>,
    /// The clock start (`escalated_at`, else `created_at`: [`Ticket::clock_start`]), when
    /// something reads it.
    start: Option<Located<'a>>,
}

impl<'a> Instants<'a> {
    /// Locate the ticket's instants on `policy`'s calendar.
    pub fn of(policy: &'a CompiledPolicy, t: &Ticket, d: &Decision) -> Instants<'a> {
        let calendar = &policy.calendar;
        let created = t.created_at.map(|at| calendar.locate(at));
        let start = if d.rank > 0 || t.first_human_response_at.is_some() {
            match t.escalated_at {
                Some(at) => Some(calendar.locate(at)),
                None => created,
            }
        } else {
            None
        };
        Instants { created, start }
    }
}

/// A clock still running at the ticket's last timestamp: its breach depends on `--as-of`.
#[cold]
#[inline(never)]
fn open_clock(
    deferred: &mut Vec<Deferred>,
    group: usize,
    t: &Ticket,
    rank: usize,
    priority: usize,
    target: Target,
    due: Timestamp,
) {
    deferred.push(Deferred {
        at: due,
        group,
        event: DeferredEvent::Unanswered {
            rank,
            priority,
            target,
            id: t.id.clone(),
        },
    });
}

/// The order of the worst breaches: largest overshoot first, then by id (byte order), then
/// first response before resolution, then by tier, priority, and answered before unanswered.
/// It is total over everything a breach shows, and reads nothing of where the ticket sat in the
/// input, so lists merged from any split of the tickets come out the same.
pub(super) fn breach_order(a: &Breach, b: &Breach) -> std::cmp::Ordering {
    b.overshoot
        .cmp(&a.overshoot)
        .then_with(|| a.id.cmp(&b.id))
        .then_with(|| a.target.cmp(&b.target))
        .then_with(|| a.rank.cmp(&b.rank))
        .then_with(|| a.priority.cmp(&b.priority))
        .then_with(|| a.unanswered.cmp(&b.unanswered))
}

/// The order of unanswered breaches before `--as-of` turns due times into overshoots: the
/// earliest due time is the largest overshoot, so this agrees with [`breach_order`].
pub(super) fn unanswered_order(
    a: &(Timestamp, Breach),
    b: &(Timestamp, Breach),
) -> std::cmp::Ordering {
    a.0.cmp(&b.0).then_with(|| breach_order(&a.1, &b.1))
}

impl Metrics {
    pub fn new(policy: &CompiledPolicy) -> Metrics {
        Metrics {
            by_route: vec![0; policy.routes.len()],
            by_rule: vec![0; policy.rules.len() + 1],
            matched: vec![0; policy.rules.len()],
            true_somewhere: vec![false; policy.rules.len()],
            dense: Dense::new(policy),
            ..Metrics::default()
        }
    }

    /// Whether a breach overshooting by `overshoot` could be kept by [`Metrics::note_breach`]:
    /// not when the list is full of breaches that all overshoot by more (they all come first
    /// in [`breach_order`], whatever the rest of the breach), so most breaches are turned away
    /// without copying their ticket's id.
    #[inline]
    pub(super) fn may_be_worst(&self, overshoot: i64) -> bool {
        self.worst.len() < WORST_BREACHES || self.worst.iter().any(|w| w.overshoot <= overshoot)
    }

    /// Keep an answered breach if it is among the worst ([`breach_order`]).
    #[cold]
    #[inline(never)]
    pub(super) fn note_breach(&mut self, breach: Breach) {
        self.worst.push(breach);
        self.worst.sort_by(breach_order);
        self.worst.truncate(WORST_BREACHES);
    }

    fn sla_tally(&mut self, rank: usize, priority: usize, target: Target) -> &mut SlaTally {
        &mut self.sla.entry((rank, priority)).or_default()[target as usize]
    }

    /// Settle a deferred event: `happened` when its time lies before `--as-of`.
    pub fn settle(&mut self, event: &DeferredEvent, at: Timestamp, happened: bool) {
        self.settle_counted(event, happened, 1);
        if let (
            DeferredEvent::Unanswered {
                rank,
                priority,
                target,
                id,
            },
            true,
        ) = (event, happened)
        {
            let breach = Breach {
                overshoot: 0,
                id: id.clone(),
                rank: *rank,
                priority: *priority,
                target: *target,
                unanswered: true,
            };
            self.note_unanswered(at, breach);
        }
    }

    /// Settle a deferred event into the counts only: an unanswered clock is counted breached
    /// or pending, but not offered to the worst breaches (its ticket is offered, if it can be
    /// among them, with [`Metrics::note_unanswered`]).
    pub fn settle_counted(&mut self, event: &DeferredEvent, happened: bool, count: u64) {
        match event {
            DeferredEvent::Unanswered {
                rank,
                priority,
                target,
                ..
            } => {
                let tally = self.sla_tally(*rank, *priority, *target);
                if happened {
                    tally.breached += count;
                } else {
                    tally.pending += count;
                }
            }
            DeferredEvent::Hop { from, to, first } => {
                if happened {
                    *self.hops.entry((*from, *to)).or_default() += count;
                    if *first {
                        self.time_based_escalated += count;
                    }
                }
            }
        }
    }

    /// An unanswered clock due at `due` found breached: keep it if it is among the worst.
    pub fn note_unanswered(&mut self, due: Timestamp, breach: Breach) {
        self.worst_unanswered.push((due, breach));
        self.worst_unanswered.sort_by(unanswered_order);
        self.worst_unanswered.truncate(WORST_BREACHES);
    }

    /// Complete the metrics once `--as-of` is known (after merging): unanswered breaches join
    /// the answered ones in [`breach_order`]. Finished metrics still merge exactly.
    pub fn finish(&mut self, as_of: Timestamp) {
        self.fold_dense();
        for (due, mut breach) in std::mem::take(&mut self.worst_unanswered) {
            breach.overshoot = as_of.as_second() - due.as_second();
            self.worst.push(breach);
        }
        self.worst.sort_by(breach_order);
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
        let instants = Instants::of(policy, t, d);
        self.record_with(policy, available, t, d, &instants, group, deferred);
    }

    /// [`Metrics::record`] with the ticket's instants already located ([`Instants::of`] of the
    /// same ticket and decision), shared with the other metrics that count the ticket.
    #[allow(clippy::too_many_arguments)]
    pub fn record_with(
        &mut self,
        policy: &CompiledPolicy,
        available: Available,
        t: &Ticket,
        d: &Decision,
        instants: &Instants<'_>,
        group: usize,
        deferred: &mut Vec<Deferred>,
    ) {
        self.tickets += 1;
        self.by_route[d.rank] += 1;
        // The ticket's instants were located on the calendar once, for every question below
        // (hour of the week, open or not, business response time, SLA clocks, hand-offs).
        if let Some(created) = &instants.created {
            self.load.record_located(d.rank, created);
        }
        self.by_rule[d.rule.unwrap_or(policy.rules.len())] += 1;
        for &m in &d.matched {
            self.matched[m] += 1;
            self.true_somewhere[m] = true;
        }
        let escalated = d.rank > 0;
        if escalated {
            self.dense.by_reason[d.reason.unwrap_or(ReasonKind::Default).index()] += 1;
        }

        // One reading of the ticket's history serves the agreement counts and the quality.
        let history = history(policy, available, t);
        self.agreement(policy, history, t, d);
        self.quality.record(policy, history, t, d);
        self.response_times(t, instants, escalated);
        if escalated {
            self.sla_clocks(policy, available, t, instants, d, group, deferred);
            self.context(policy, t);
            if available.first_human_response_at {
                self.time_based(policy, t, instants.start, d, group, deferred);
            }
        }
    }

    // Inlined into `record_with` (its two callers in the worker make it outlined otherwise):
    // one call a ticket, as before the instants were shared (docs/performance.md, round 9).
    #[inline(always)]
    fn agreement(&mut self, policy: &CompiledPolicy, history: History, t: &Ticket, d: &Decision) {
        let (rank, history_escalated) = match history {
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
        let cell = match self.dense.confusion(d.rank, outcome) {
            Some(cell) => cell,
            None => self.confusion.entry((d.rank, outcome)).or_default(),
        };
        cell.count += 1;
        cell.note_example(&t.id);
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

    #[inline(always)]
    fn response_times(&mut self, t: &Ticket, instants: &Instants<'_>, escalated: bool) {
        if let (Some(start), Some(reply)) = (instants.start, t.first_human_response_at) {
            if reply < start.at {
                self.first_response_negative += 1;
            } else {
                self.first_response_wall
                    .record(reply.as_second() - start.at.as_second());
                self.first_response_business.record(start.elapsed_to(reply));
                // "Opened" outside hours: the ticket's creation (or, without one, the start of
                // the clock).
                if !instants.created.unwrap_or(start).is_open() {
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

    #[cold]
    #[inline(never)]
    fn skip_sla(&mut self, reason: &'static str) {
        self.sla_skipped += 1;
        *self.sla_skipped_by_reason.entry(reason).or_default() += 1;
    }

    #[allow(clippy::too_many_arguments)]
    fn sla_clocks(
        &mut self,
        policy: &CompiledPolicy,
        available: Available,
        t: &Ticket,
        instants: &Instants<'_>,
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
        let Some(start) = instants.start else {
            self.skip_sla(SKIP_NO_START);
            return;
        };
        let mut unreachable = false;
        // Where each judged clock stands; the (rank, priority) tallies are looked up once.
        let mut stands = [None; 2];
        for target in Target::ALL {
            let Some(budget) = targets.get(target) else {
                continue;
            };
            // A clock is only judged when the data has the column that stops it: a first
            // response when it says when one came, a resolution when it says when it came.
            let stops = match target {
                Target::FirstResponse => available.first_human_response_at,
                Target::Resolution => available.resolved_at,
            };
            if !stops {
                continue;
            }
            match judge(start.at, start.add(budget), target.stopped_at(t)) {
                Clock::Unreachable => unreachable = true,
                Clock::Open { due } => {
                    open_clock(deferred, group, t, d.rank, priority, target, due)
                }
                judged => stands[target as usize] = Some(judged),
            }
        }
        if stands.iter().any(Option::is_some) {
            let tallies = match self.dense.sla(d.rank, priority) {
                Some(tallies) => tallies,
                None => self.sla.entry((d.rank, priority)).or_default(),
            };
            for (tally, stand) in tallies.iter_mut().zip(stands) {
                match stand {
                    Some(Clock::StoppedBeforeStart) => tally.negative += 1,
                    Some(Clock::Met) => tally.met += 1,
                    Some(Clock::Breached { .. }) => tally.breached += 1,
                    _ => {}
                }
            }
            for (target, stand) in Target::ALL.into_iter().zip(stands) {
                if let Some(Clock::Breached { overshoot }) = stand {
                    if self.may_be_worst(overshoot) {
                        self.note_breach(Breach {
                            overshoot,
                            id: t.id.clone(),
                            rank: d.rank,
                            priority,
                            target,
                            unanswered: false,
                        });
                    }
                }
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
            // The key is allocated once per field, not once per ticket that misses it.
            match self.context_missing.get_mut(name) {
                Some(count) => *count += 1,
                None => {
                    self.context_missing.insert(name.to_string(), 1);
                }
            }
        }
        if complete {
            self.context_complete += 1;
        }
    }

    fn time_based(
        &mut self,
        policy: &CompiledPolicy,
        t: &Ticket,
        start: Option<Located<'_>>,
        d: &Decision,
        group: usize,
        deferred: &mut Vec<Deferred>,
    ) {
        // The hand-offs count from `escalated_at`: the clock start when there is one.
        let Some(mut located) = start.filter(|_| t.escalated_at.is_some()) else {
            return;
        };
        let mut clock = located.at;
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
            if located.at != clock {
                located = policy.calendar.locate(clock);
            }
            let Some(deadline) = located.add(delay) else {
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

mod dense;
#[cfg(test)]
mod tests;
