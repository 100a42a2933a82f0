//! One replay worker: turns batches of raw records into decisions and metrics of its own.
//!
//! A worker sees some batches of the input, each in input order. Everything it accumulates
//! merges by addition ([`crate::engine::merge`]); what must follow input order (the `--decisions` rows,
//! rejected records) is left in the batch for the calling thread to write.

use std::collections::{BTreeMap, HashMap};

use jiff::Timestamp;

use super::options::{DecisionFormat, ReplayOptions};
use super::pending::WorstPending;
use crate::engine::agreement::Available;
use crate::engine::capacity::Arrivals;
use crate::engine::deferred::Counted;
use crate::engine::eval::{CompiledPolicy, Decision};
use crate::engine::metrics::{Breach, Deferred, DeferredEvent, Instants, Metrics};
use crate::tickets::chunk::{Chunk, core_reader};
use crate::tickets::{RawRecord, Records, RowError, Ticket, TicketParser, TicketReader};

/// Records per batch: large enough that handing batches between threads costs nothing
/// measurable, small enough that the batches in flight take a few megabytes.
pub const BATCH_RECORDS: usize = 1024;

/// Records per stage of [`Worker::process`]: each step runs over this many tickets before the
/// next step starts. Their buffers stay in the data cache (a few kilobytes each). 64 measured
/// 1-2 % less CPU than 32 once the steps got leaner (docs/performance.md, issue 16 round 11).
const STAGE_RECORDS: usize = 64;

/// A ticket of the current stage and what was made of it.
#[derive(Default)]
struct Slot {
    ticket: Ticket,
    found: Vec<bool>,
    decision: Decision,
    /// Why the record was rejected (then it is neither decided nor accounted).
    error: Option<RowError>,
}

/// Consecutive records of the input, and what a worker made of them.
#[derive(Default)]
pub struct Batch {
    /// Position of the batch in the input (0, 1, …).
    pub seq: u64,
    /// With a reader that cuts chunks ([`TicketReader::cuts_chunks`]): the raw records, which
    /// the worker parses into `records`.
    pub chunk: Option<Chunk>,
    /// `chunk` is parsed into `records` ([`Batch::parse`]).
    pub(super) parsed: bool,
    pub records: Records,
    pub len: usize,
    /// Record number (1-based) of the first record.
    pub first: u64,
    /// Bytes of input read when the batch was complete.
    pub position: u64,
    /// The input ends with this batch (or reading failed after it: `error`).
    pub last: bool,
    pub error: Option<csv::Error>,
    /// `--decisions` rows of the batch's tickets, as CSV.
    pub decisions: Vec<u8>,
    /// Rejected records: index in the batch, and why.
    pub rejects: Vec<(usize, RowError)>,
    /// A `--decisions` row could not be formatted.
    pub write_error: Option<std::io::Error>,
}

impl Batch {
    /// Read the next records of `reader`; `first` is the record number of the first one.
    pub fn fill(&mut self, reader: &mut TicketReader, seq: u64, first: u64) {
        self.seq = seq;
        self.first = first;
        self.len = 0;
        self.decisions.clear();
        self.rejects.clear();
        self.write_error = None;
        self.parsed = false;
        if reader.cuts_chunks() {
            // The records are replaced when the chunk is parsed ([`Batch::parse`]), which gives
            // their buffer back to the chunk at its length, to be read over, not zeroed.
            let chunk = self.chunk.get_or_insert_with(Chunk::default);
            if let Err(error) = reader.read_chunk(chunk) {
                self.error = Some(error);
            }
            self.last = chunk.last;
            self.position = reader.position();
            return;
        }
        self.chunk = None;
        self.records.clear();
        while self.len < BATCH_RECORDS {
            match reader.read(&mut self.records) {
                Ok(true) => self.len += 1,
                Ok(false) => {
                    self.last = true;
                    break;
                }
                Err(error) => {
                    self.error = Some(error);
                    self.last = true;
                    break;
                }
            }
        }
        self.position = reader.position();
    }

    /// Parse a batch that came as a raw chunk into its records (on the thread that evaluates
    /// it); nothing to do for one read record by record. Whoever reads `records` calls this
    /// first.
    pub fn parse(&mut self, csv: &mut csv_core::Reader) {
        if let Some(chunk) = self.chunk.as_mut().filter(|_| !self.parsed) {
            // Takes the chunk's bytes (in exchange for the records' old buffer, which `fill`
            // reads into again): a second call would find none.
            self.records.read_chunk(csv, chunk);
            self.len = self.records.len();
            self.parsed = true;
        }
    }
}

/// A `--by` group as one worker saw it: its metrics, the line of its first ticket and how that
/// ticket spells the group's value in each dimension.
pub type WorkerGroup = (Metrics, u64, Vec<String>);

pub struct Worker<'a> {
    policy: &'a CompiledPolicy,
    options: &'a ReplayOptions,
    available: Available,
    pub parser: TicketParser,
    pub overall: Metrics,
    groups: Vec<Metrics>,
    group_index: BTreeMap<String, usize>,
    /// Per group: the line of its first ticket this worker saw, and how that ticket spells
    /// the group's value in each dimension.
    spellings: Vec<(u64, Vec<String>)>,
    /// Only with `--check-ids`, which runs a single worker so that "first" means first in
    /// the input.
    seen_ids: HashMap<String, u64>,
    /// Clocks still running; the default `--as-of` is at least the latest timestamp it saw.
    /// Held without ticket ids, counted per due second and kind (an index into `kinds`), so
    /// memory is bounded by the span of due times, however many tickets fall due. Boxed, as
    /// in sweep: its collections inline moved the worker's hot fields (bench/ab.py against
    /// `ad452c4`: +1.2 to +2.0 % CPU inline, +0.9 to +1.0 % boxed, at equal instructions).
    settler: Box<Counted>,
    /// The distinct (group, event) pairs the settler's entries stand for: a handful (groups ×
    /// tiers × priorities × targets, and the time-based hand-offs), not one per ticket.
    kinds: Kinds,
    /// The ids of the pending clocks that can still be among the worst breaches.
    worst_pending: WorstPending,
    fresh: Vec<Deferred>,
    /// Every rule has been true for some ticket of the overall metrics: a ticket outside any
    /// `--by` group needs no [`Self::note_truth`].
    all_true_overall: bool,
    /// One stage's tickets and what was made of them.
    slots: Vec<Slot>,
    /// Records per stage: [`STAGE_RECORDS`] (tests compare it with one).
    stage: usize,
    /// With [`ReplayOptions::arrivals`]: the escalated tickets' arrivals.
    pub arrivals: Arrivals,
    /// Parses the batches that come as raw chunks.
    csv: csv_core::Reader,
}

/// Interned (group, event) pairs of the settler's entries; the events carry no ticket id.
#[derive(Default)]
struct Kinds {
    all: Vec<(usize, DeferredEvent)>,
    /// A handful of entries, found in a few comparisons (a SipHash `HashMap` cost ~470
    /// instructions a clock: 6 % of a replay whose clocks are all still running).
    index: BTreeMap<(usize, DeferredEvent), u32>,
}

impl Kinds {
    /// The kind of `event` of `group` (whose id, if any, has been taken out).
    fn intern(&mut self, group: usize, event: DeferredEvent) -> u32 {
        let key = (group, event);
        if let Some(&kind) = self.index.get(&key) {
            return kind;
        }
        // Fewer than u32::MAX distinct kinds: groups × routes × priorities × targets.
        let kind = u32::try_from(self.all.len()).unwrap_or(u32::MAX);
        self.all.push(key.clone());
        self.index.insert(key, kind);
        kind
    }
}

/// Count `count` settled events of one kind (their tickets, if they can be among the worst
/// breaches, are noted apart).
fn settle(
    overall: &mut Metrics,
    groups: &mut [Metrics],
    kinds: &Kinds,
    kind: u32,
    happened: bool,
    count: u64,
) {
    let Some((group, event)) = kinds.all.get(kind as usize) else {
        return;
    };
    overall.settle_counted(event, happened, count);
    if let Some(group) = groups.get_mut(*group) {
        group.settle_counted(event, happened, count);
    }
}

/// A breached unanswered clock of metrics `slot` ([`WorstPending`]: 0 overall, 1 + g group g).
fn note(
    overall: &mut Metrics,
    groups: &mut [Metrics],
    slot: usize,
    due: Timestamp,
    breach: Breach,
) {
    let metrics = match slot.checked_sub(1) {
        None => Some(overall),
        Some(group) => groups.get_mut(group),
    };
    if let Some(metrics) = metrics {
        metrics.note_unanswered(due, breach);
    }
}

impl<'a> Worker<'a> {
    pub fn new(
        policy: &'a CompiledPolicy,
        options: &'a ReplayOptions,
        available: Available,
        parser: TicketParser,
    ) -> Worker<'a> {
        Worker {
            policy,
            options,
            available,
            parser,
            overall: Metrics::new(policy),
            groups: Vec::new(),
            group_index: BTreeMap::new(),
            spellings: Vec::new(),
            seen_ids: HashMap::new(),
            settler: Box::new(Counted::new(options.as_of)),
            kinds: Kinds::default(),
            worst_pending: WorstPending::default(),
            fresh: Vec::new(),
            all_true_overall: false,
            slots: Vec::new(),
            stage: STAGE_RECORDS,
            arrivals: Arrivals::new(policy),
            csv: core_reader(),
        }
    }

    /// Decide every record of the batch into this worker's metrics; `--decisions` rows and
    /// rejected records go into the batch.
    ///
    /// The records go through in stages of [`STAGE_RECORDS`]: all of a stage are parsed, then
    /// decided, then accounted, so each step's code stays in the instruction cache for the
    /// whole stage instead of being evicted by the others at every ticket (docs/performance.md,
    /// issue 16 round 7). Each step sees the tickets in input order, and the steps share no
    /// state, so the result is the one of taking the tickets one by one.
    pub fn process(&mut self, batch: &mut Batch, format: Option<&dyn DecisionFormat>) {
        batch.parse(&mut self.csv);
        let mut rows = format.map(|_| {
            let mut buffer = std::mem::take(&mut batch.decisions);
            buffer.clear();
            csv::Writer::from_writer(buffer)
        });
        let mut slots = std::mem::take(&mut self.slots);
        let len = batch.len.min(batch.records.len());
        let stage_records = self.stage.max(1);
        'stages: for start in (0..len).step_by(stage_records) {
            let end = (start + stage_records).min(len);
            if slots.len() < end - start {
                slots.resize_with(end - start, Slot::default);
            }
            let stage = &mut slots[..end - start];
            for (index, slot) in (start..end).zip(stage.iter_mut()) {
                slot.error = match batch.records.get(index) {
                    Some(record) => self.read(record, batch.first + index as u64, slot).err(),
                    // Not reached (`len` counts the batch's records); never decide the slot's
                    // previous ticket again.
                    None => Some(RowError {
                        line: 0,
                        id: None,
                        reason: "the record is missing from its batch".into(),
                    }),
                };
            }
            for slot in stage.iter_mut().filter(|slot| slot.error.is_none()) {
                self.policy.scan_keywords(&slot.ticket, &mut slot.found);
                self.policy
                    .decide(&slot.ticket, &slot.found, &mut slot.decision);
            }
            for (index, slot) in (start..end).zip(stage.iter_mut()) {
                if let Some(error) = slot.error.take() {
                    // A typed row (Parquet) gets its text for `--rejects` only now.
                    batch.records.write_text(index);
                    batch.rejects.push((index, error));
                    continue;
                }
                self.account(slot);
                if let (Some(format), Some(rows)) = (format, rows.as_mut()) {
                    if let Err(error) = format.write(&slot.ticket, &slot.decision, rows) {
                        batch.write_error = Some(std::io::Error::other(error));
                        break 'stages;
                    }
                }
            }
            self.settle_read();
        }
        // After a `--decisions` write error too: the tickets accounted are read.
        self.settle_read();
        self.slots = slots;
        if let Some(rows) = rows {
            match rows.into_inner() {
                Ok(buffer) => batch.decisions = buffer,
                Err(error) => batch.write_error = Some(error.into_error()),
            }
        }
    }

    fn check_id(&mut self, t: &Ticket) -> Result<(), RowError> {
        if let Some(first) = self.seen_ids.get(&t.id) {
            return Err(RowError {
                line: t.line,
                id: Some(t.id.clone()),
                reason: format!("duplicate id (first on line {first})"),
            });
        }
        self.seen_ids.insert(t.id.clone(), t.line);
        Ok(())
    }

    /// Parse one record into `slot`'s ticket (and check its id).
    fn read(
        &mut self,
        record: RawRecord<'_>,
        number: u64,
        slot: &mut Slot,
    ) -> Result<(), RowError> {
        self.parser.parse(record, number, &mut slot.ticket)?;
        if self.options.check_ids {
            self.check_id(&slot.ticket)?;
        }
        Ok(())
    }

    /// Account one decided ticket.
    fn account(&mut self, slot: &Slot) {
        let policy = self.policy;
        let Slot {
            ticket,
            found,
            decision,
            ..
        } = slot;
        if self.options.arrivals {
            self.arrivals.record(ticket.created_at, decision);
        }
        let group = match &self.options.by {
            None => usize::MAX,
            Some(by) => {
                let key = by.key(policy, ticket, decision);
                let shown = || by.shown(policy, ticket, decision);
                match self.group_index.get(&key) {
                    Some(&index) => {
                        // Batches may reach a worker out of order: keep the earliest line.
                        if ticket.line < self.spellings[index].0 {
                            self.spellings[index] = (ticket.line, shown());
                        }
                        index
                    }
                    None => {
                        self.groups.push(Metrics::new(policy));
                        self.spellings.push((ticket.line, shown()));
                        self.group_index.insert(key, self.groups.len() - 1);
                        self.groups.len() - 1
                    }
                }
            }
        };
        self.fresh.clear();
        // The ticket's instants are located once for the overall metrics and its group's.
        let instants = Instants::of(policy, ticket, decision);
        self.overall.record_with(
            policy,
            self.available,
            ticket,
            decision,
            &instants,
            group,
            &mut self.fresh,
        );
        if let Some(g) = self.groups.get_mut(group) {
            let mut ignored = Vec::new();
            g.record_with(
                policy,
                self.available,
                ticket,
                decision,
                &instants,
                group,
                &mut ignored,
            );
        }
        // The reading reaches the ticket's latest timestamp: what is due before it is settled
        // at the end of the stage ([`Self::settle_read`]).
        self.settler.reach(ticket.latest());
        self.note_truth(group, ticket, found);
        let (overall, groups) = (&mut self.overall, &mut self.groups);
        for mut item in self.fresh.drain(..) {
            // The ticket id leaves the event, so equal clocks share one entry in the settler;
            // it is kept apart while the clock can be among the worst breaches.
            if let DeferredEvent::Unanswered {
                rank,
                priority,
                target,
                id,
            } = &mut item.event
            {
                let breach = Breach {
                    overshoot: 0,
                    id: std::mem::take(id),
                    rank: *rank,
                    priority: *priority,
                    target: *target,
                    unanswered: true,
                };
                match self.options.as_of {
                    Some(as_of) => {
                        if item.at < as_of {
                            if item.group < groups.len() {
                                note(overall, groups, 1 + item.group, item.at, breach.clone());
                            }
                            note(overall, groups, 0, item.at, breach);
                        }
                    }
                    None => {
                        if item.group != usize::MAX {
                            self.worst_pending.offer(1 + item.group, item.at, &breach);
                        }
                        self.worst_pending.offer(0, item.at, &breach);
                    }
                }
            }
            let kind = self.kinds.intern(item.group, item.event);
            let kinds = &self.kinds;
            self.settler
                .push(item.at, kind, &mut |kind, happened, count| {
                    settle(overall, groups, kinds, kind, happened, count)
                });
        }
    }

    /// Settle what is due before the latest timestamp of the tickets accounted so far: the
    /// default as-of is at least that, so these clocks have run out and these hand-offs
    /// happened, and memory holds only clocks still running. Once a stage, not once a
    /// ticket: the clocks are settled the same way whenever it happens, as long as the
    /// instant is one the reading has reached (docs/performance.md, issue 16 round 12).
    fn settle_read(&mut self) {
        let (overall, groups) = (&mut self.overall, &mut self.groups);
        let kinds = &self.kinds;
        self.settler.settle_reached(&mut |kind, happened, count| {
            settle(overall, groups, kinds, kind, happened, count)
        });
        if let Some(now) = self.settler.latest() {
            self.worst_pending
                .settle_before(now, &mut |slot, due, breach| {
                    note(overall, groups, slot, due, breach)
                });
        }
    }

    /// Mark the rules whose condition is true for this ticket although the rule order did not
    /// reach them (an earlier rule decided): only for rules not yet known to match somewhere,
    /// so a rule costs an extra evaluation per ticket only while it has never been true.
    fn note_truth(&mut self, group: usize, ticket: &Ticket, found: &[bool]) {
        let in_no_group = self.groups.get(group).is_none();
        if in_no_group && self.all_true_overall {
            return;
        }
        let policy = self.policy;
        for rule in 0..policy.rules.len() {
            let overall = self
                .overall
                .true_somewhere
                .get(rule)
                .copied()
                .unwrap_or(true);
            let in_group = self
                .groups
                .get(group)
                .and_then(|g| g.true_somewhere.get(rule).copied())
                .unwrap_or(true);
            if overall && in_group {
                continue;
            }
            if policy.rule_truth(rule, ticket, found) == crate::engine::eval::Tri::True {
                self.overall.true_somewhere[rule] = true;
                if let Some(g) = self.groups.get_mut(group) {
                    g.true_somewhere[rule] = true;
                }
            }
        }
        if in_no_group {
            self.all_true_overall = self.overall.true_somewhere.iter().all(|&t| t);
        }
    }

    /// The latest timestamp this worker has seen; the default `--as-of` is at least this.
    pub fn latest_seen(&self) -> Option<Timestamp> {
        self.settler.latest()
    }

    /// Settle the clocks still running at the end of the input against the final `--as-of`,
    /// and hand over the metrics: overall and per `--by` group.
    pub fn finish(
        mut self,
        as_of: Option<Timestamp>,
    ) -> (Metrics, BTreeMap<String, WorkerGroup>, TicketParser) {
        let (overall, groups) = (&mut self.overall, &mut self.groups);
        let kinds = &self.kinds;
        self.settler.finish(as_of, &mut |kind, happened, count| {
            settle(overall, groups, kinds, kind, happened, count)
        });
        if let Some(as_of) = as_of {
            self.worst_pending
                .settle_before(as_of, &mut |slot, due, breach| {
                    note(overall, groups, slot, due, breach)
                });
        }
        let mut groups = std::mem::take(&mut self.groups);
        let groups = self
            .group_index
            .into_iter()
            .map(|(key, index)| {
                let (line, spelling) = std::mem::take(&mut self.spellings[index]);
                (key, (std::mem::take(&mut groups[index]), line, spelling))
            })
            .collect();
        (self.overall, groups, self.parser)
    }
}

#[cfg(test)]
mod tests;
