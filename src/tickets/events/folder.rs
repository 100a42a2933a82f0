//! Events in, one synthetic record per ticket out.
//!
//! Grouped by ticket (the default, the usual order of an export), a ticket is complete when
//! the next ticket's events start, so only one ticket is open and memory stays flat; the ids
//! of the last [`RECENT_TICKETS`] finished tickets are remembered as 64-bit hashes, so that
//! events of a ticket resuming after others' stop the read with a clear error instead of
//! making two tickets (past that window, `--check-ids` finds the repeated id). With
//! `grouped = false` every ticket stays open until the end. Reply threads need the whole file
//! (a reply may come before the message it answers), so they are folded at the end.

use std::collections::hash_map::RandomState;
use std::collections::{HashMap, HashSet, VecDeque};
use std::hash::{BuildHasher, BuildHasherDefault, Hasher};
use std::sync::{Arc, Mutex};

use super::cells::{Cells, EventText, Prepared, cell, field, kept};
use super::flow::{FlowSink, Visit, visits};
use super::fold::{Order, State};
use super::plan::{Key, Plan};
use crate::tickets::RawRecord;
use crate::tickets::record::{Records, Rejection};

/// How many events made how many tickets.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct EventCounts {
    pub events: u64,
    pub tickets: u64,
    pub rejected: u64,
}

impl EventCounts {
    /// The report's note.
    pub fn note(&self) -> String {
        let plural =
            |n: u64, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
        let mut note = format!(
            "{} made {}",
            plural(self.events, "event", "events"),
            plural(self.tickets, "ticket", "tickets")
        );
        if self.rejected > 0 {
            note.push_str(&format!(
                " ({} rejected)",
                plural(self.rejected, "event", "events")
            ));
        }
        note
    }
}

struct Open {
    key: String,
    /// Grouped: the key's hash ([`RecentIds::hash`]), noted when the ticket is closed.
    hash: u64,
    /// Line of its first event.
    line: u64,
    states: Vec<State>,
    /// With `[events] stage`: each event's stage.
    stages: Vec<(Order, String)>,
}

enum Ready {
    /// A complete ticket, written as a record when handed over (no copy in between).
    Ticket(Open),
    Rejected(u64, Rejection),
}

/// A message of a reply thread, kept until the end of the input (its record is the one of
/// the same number in [`EventFolder`]'s `message_records`).
struct Message {
    id: String,
    parent: String,
    line: u64,
    order: Order,
}

pub struct EventFolder {
    pub plan: Plan,
    ready: VecDeque<Ready>,
    /// Grouped: the ticket being read.
    current: Option<Open>,
    /// Grouped: hashes of the tickets completed last.
    closed: RecentIds,
    /// Tickets handed over, whose buffers the next ones reuse (so a ticket costs no
    /// allocation once they have grown); a few at most.
    spare_opens: Vec<Open>,
    /// Not grouped: every ticket, in order of its first event.
    open: Vec<Open>,
    open_index: HashMap<String, usize>,
    messages: Vec<Message>,
    message_records: Records,
    scratch: String,
    seq: u64,
    finished: bool,
    pub counts: EventCounts,
    /// Where complete tickets' stays at each stage go (with `[events] stage`).
    flow: Option<Arc<Mutex<dyn FlowSink>>>,
    visits: Vec<Visit>,
    cells: Cells,
}

/// Tickets whose return a grouped read detects: the ones completed last. A fixed number, so
/// memory stays flat whatever the number of tickets; a ticket returning after more than this
/// many others is read as a second ticket with the same id, which `--check-ids` rejects.
pub const RECENT_TICKETS: usize = 65_536;

/// Tickets handed over whose buffers are kept for the next ones.
const SPARE_OPENS: usize = 4;

/// The hashes of the last [`RECENT_TICKETS`] tickets completed.
///
/// An id is hashed once per ticket, with SipHash under this read's random keys
/// ([`RecentIds::hash`]); the set then takes those 64 bits as they are ([`PassThrough`])
/// instead of hashing them again. Ids are user input, but with keys drawn per read no input
/// can be written to make their hashes collide, in all 64 bits (a ticket taken for one that
/// resumes) or in the bits that place them in the set (long probes); and were the set's slots
/// crowded all the same, a probe is bounded by the window (at most [`RECENT_TICKETS`] hashes
/// held), so the worst case is bounded too.
#[derive(Default)]
struct RecentIds {
    keys: RandomState,
    order: VecDeque<u64>,
    set: HashSet<u64, BuildHasherDefault<PassThrough>>,
}

/// A hasher for values that are hashes already: their 64 bits as they are.
#[derive(Default)]
struct PassThrough(u64);

impl Hasher for PassThrough {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        // Only `u64`s are hashed (`write_u64`); any other input is folded in all the same.
        for &b in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(b);
        }
    }

    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

impl RecentIds {
    /// An id's hash, as the set holds it.
    fn hash(&self, key: &str) -> u64 {
        self.keys.hash_one(key)
    }

    fn contains(&self, hash: &u64) -> bool {
        self.set.contains(hash)
    }

    fn insert(&mut self, hash: u64) {
        // Room for twice the window at once: a set that deletes as much as it inserts reuses
        // its deleted slots in place while it is at most half full, and otherwise doubles once
        // they run out (so peak memory grew with the number of tickets read).
        if self.set.capacity() == 0 {
            self.set.reserve(2 * RECENT_TICKETS);
            self.order.reserve_exact(RECENT_TICKETS);
        }
        if self.order.len() == RECENT_TICKETS {
            if let Some(oldest) = self.order.pop_front() {
                self.set.remove(&oldest);
            }
        }
        if self.set.insert(hash) {
            self.order.push_back(hash);
        }
    }
}

impl EventFolder {
    pub fn new(plan: Plan) -> EventFolder {
        EventFolder {
            cells: Cells::new(&plan),
            plan,
            ready: VecDeque::new(),
            current: None,
            closed: RecentIds::default(),
            spare_opens: Vec::new(),
            open: Vec::new(),
            open_index: HashMap::new(),
            messages: Vec::new(),
            message_records: Records::default(),
            scratch: String::new(),
            seq: 0,
            finished: false,
            counts: EventCounts::default(),
            flow: None,
            visits: Vec::new(),
        }
    }

    /// Send every complete ticket's stays to `sink`; `false` (and nothing is sent) without
    /// `[events] stage`.
    pub fn track_flow(&mut self, sink: Arc<Mutex<dyn FlowSink>>) -> bool {
        if self.plan.stage.is_none() {
            return false;
        }
        self.flow = Some(sink);
        true
    }

    /// Hand over the next ticket or rejected event, if one is ready.
    pub fn pop(&mut self, records: &mut Records) -> bool {
        match self.ready.pop_front() {
            Some(Ready::Ticket(mut open)) => {
                records.begin(open.line);
                records.push_field(open.key.as_bytes());
                for state in &mut open.states {
                    match state.picked() {
                        Some(value) => records.push_field(value.as_bytes()),
                        None => {
                            state.finish(&mut self.scratch);
                            records.push_field(self.scratch.as_bytes());
                        }
                    }
                }
                if self.spare_opens.len() < SPARE_OPENS {
                    self.spare_opens.push(open);
                }
                true
            }
            Some(Ready::Rejected(line, rejection)) => {
                records.push_rejected(self.plan.headers.len(), line, rejection);
                true
            }
            None => false,
        }
    }

    pub fn is_finished(&self) -> bool {
        self.finished && self.ready.is_empty()
    }

    fn reject(&mut self, line: u64, id: Option<String>, reason: String) {
        self.counts.rejected += 1;
        self.ready
            .push_back(Ready::Rejected(line, Rejection { id, reason }));
    }

    /// The order of an event, or why it has none.
    fn order(&self, event: EventText<'_>) -> Result<Order, String> {
        let Some((at, name)) = &self.plan.time else {
            return Ok((None, self.seq));
        };
        if let Some(ready) = event.ready {
            // Read on the thread that split the event (an event without a valid time is read
            // again below, to say why).
            if let Some(ts) = ready.time {
                if ready.offsetless {
                    let counted = &self.plan.timestamps.without_offset;
                    counted.set(counted.get() + 1);
                }
                return Ok((Some(ts), self.seq));
            }
        }
        let text = cell(&self.plan, event, Some(&self.cells), *at)?;
        if text.is_empty() {
            return Err(format!("time `{name}`: empty"));
        }
        match self.plan.timestamps.parse(text) {
            Some(ts) => Ok((Some(ts), self.seq)),
            None => Err(format!("time `{name}`: `{text}` is not a timestamp")),
        }
    }

    /// Read one event (on its line), whose cells another thread may have `prepared` (the
    /// prepared events and its index among them). `Err` stops the read: a ticket resuming in a
    /// grouped export.
    pub fn event(
        &mut self,
        record: RawRecord<'_>,
        prepared: Option<(&Prepared, usize)>,
    ) -> Result<(), String> {
        let line = record.line();
        self.counts.events += 1;
        self.seq += 1;
        let event = match prepared {
            Some((prepared, index)) => EventText::prepared(record, prepared, index),
            None => EventText::new(record),
        };
        if record.len() != self.plan.width {
            let reason = format!(
                "the record has {} fields; the header has {}",
                record.len(),
                self.plan.width
            );
            self.reject(line, None, reason);
            return Ok(());
        }
        // A prepared event's cells are read from its preparation.
        if event.ready.is_none() {
            self.cells.fill(&self.plan, event);
        }
        let (key_at, name) = match self.plan.key {
            Key::Ticket(at) => (at, "ticket"),
            Key::Thread { id, .. } => (id, "thread id"),
        };
        let key = match cell(&self.plan, event, Some(&self.cells), key_at) {
            Ok("") => {
                let reason = format!("{name} `{}`: empty", self.plan.column_name(key_at));
                self.reject(line, None, reason);
                return Ok(());
            }
            Ok(key) => key,
            Err(reason) => {
                self.reject(line, None, reason);
                return Ok(());
            }
        };
        // In a grouped export, another ticket's event (valid or not) completes the current one.
        let mut key_hash = None;
        if self.plan.grouped
            && matches!(self.plan.key, Key::Ticket(_))
            && self.current.as_ref().is_some_and(|open| open.key != key)
        {
            let hash = self.closed.hash(key);
            key_hash = Some(hash);
            if self.closed.contains(&hash) {
                return Err(format!(
                    "line {line}: events of ticket `{key}` resume after other tickets' events: the export is not grouped by ticket; sort it by ticket, or set `grouped = false` under [events] (every ticket then stays open until the end)"
                ));
            }
            self.close_current();
        }
        let order = match self.order(event) {
            Ok(order) => order,
            Err(reason) => {
                self.reject(line, Some(key.to_string()), reason);
                return Ok(());
            }
        };
        // A record that is UTF-8 as a whole has UTF-8 fields (but for one split inside a
        // character, which the fold then reads as not UTF-8 and so empty).
        if !event.is_utf8() {
            if let Some(reason) = self.plan.outputs.iter().find_map(|o| {
                std::iter::once(o.column)
                    .chain(o.filter.iter().map(|f| f.0))
                    .find_map(|at| field(&self.plan, event, at).err())
            }) {
                self.reject(line, Some(key.to_string()), reason);
                return Ok(());
            }
        }
        if let Key::Thread { parent, .. } = self.plan.key {
            let parent = field(&self.plan, event, parent)
                .unwrap_or_default()
                .to_string();
            self.messages.push(Message {
                id: key.to_string(),
                parent,
                line,
                order,
            });
            self.message_records.begin(line);
            record
                .iter()
                .for_each(|f| self.message_records.push_field(f));
            return Ok(());
        }
        let open = if self.plan.grouped {
            if self.current.is_none() {
                let mut open = self.start(key, line);
                // Hashed once per ticket: when its first event completed the one before.
                open.hash = key_hash.unwrap_or_else(|| self.closed.hash(key));
                self.current = Some(open);
            }
            self.current.as_mut()
        } else {
            let index = match self.open_index.get(key) {
                Some(&i) => i,
                None => {
                    let open = self.start(key, line);
                    self.open.push(open);
                    self.open_index.insert(key.to_string(), self.open.len() - 1);
                    self.open.len() - 1
                }
            };
            self.open.get_mut(index)
        };
        if let Some(open) = open {
            add(&self.plan, open, order, event, Some(&self.cells));
        }
        Ok(())
    }

    fn start(&mut self, key: &str, line: u64) -> Open {
        if let Some(mut open) = self.spare_opens.pop() {
            open.key.clear();
            open.key.push_str(key);
            open.hash = 0;
            open.line = line;
            open.states.iter_mut().for_each(State::reset);
            open.stages.clear();
            return open;
        }
        Open {
            key: key.to_string(),
            hash: 0,
            line,
            states: self
                .plan
                .outputs
                .iter()
                .map(|o| State::new(o.kind))
                .collect(),
            stages: Vec::new(),
        }
    }

    /// Finish the current ticket of a grouped export.
    fn close_current(&mut self) {
        if let Some(open) = self.current.take() {
            self.closed.insert(open.hash);
            self.emit(open);
        }
    }

    fn emit(&mut self, mut open: Open) {
        self.counts.tickets += 1;
        if let Some(flow) = &self.flow {
            visits(&mut open.stages, &mut self.visits);
            if !self.visits.is_empty() {
                // A sink that panicked elsewhere has nothing left to count.
                if let Ok(mut sink) = flow.lock() {
                    sink.ticket(&self.visits);
                }
            }
        }
        self.ready.push_back(Ready::Ticket(open));
    }

    /// The input has ended: finish every open ticket (and fold the threads).
    pub fn finish(&mut self) -> Result<(), String> {
        if self.finished {
            return Ok(());
        }
        self.finished = true;
        self.close_current();
        for open in std::mem::take(&mut self.open) {
            self.emit(open);
        }
        self.open_index.clear();
        self.fold_threads()
    }

    fn fold_threads(&mut self) -> Result<(), String> {
        let messages = std::mem::take(&mut self.messages);
        let records = std::mem::take(&mut self.message_records);
        if messages.is_empty() {
            return Ok(());
        }
        let mut index: HashMap<&str, usize> = HashMap::with_capacity(messages.len());
        let mut duplicate = vec![false; messages.len()];
        for (i, m) in messages.iter().enumerate() {
            if let Some(&first) = index.get(m.id.as_str()) {
                duplicate[i] = true;
                let reason = format!(
                    "thread id `{}` repeats the message on line {}",
                    m.id, messages[first].line
                );
                self.reject(m.line, Some(m.id.clone()), reason);
            } else {
                index.insert(m.id.as_str(), i);
            }
        }
        let roots = roots(&messages, &index, &duplicate)?;
        // Threads in the order of their first message in the file.
        let mut threads: Vec<(usize, Vec<usize>)> = Vec::new();
        let mut thread_of: HashMap<usize, usize> = HashMap::new();
        for (i, root) in roots.iter().enumerate() {
            let Some(root) = *root else { continue };
            let t = *thread_of.entry(root).or_insert_with(|| {
                threads.push((root, Vec::new()));
                threads.len() - 1
            });
            threads[t].1.push(i);
        }
        for (root, members) in threads {
            let first_line = members.iter().map(|&i| messages[i].line).min().unwrap_or(0);
            let mut open = self.start(&messages[root].id, first_line);
            for i in members {
                let Some(record) = records.get(i) else {
                    continue;
                };
                add(
                    &self.plan,
                    &mut open,
                    messages[i].order,
                    EventText::new(record),
                    None,
                );
            }
            self.emit(open);
        }
        Ok(())
    }
}

/// Fold one event into a ticket's states.
fn add(plan: &Plan, open: &mut Open, order: Order, event: EventText<'_>, cells: Option<&Cells>) {
    if let Some((at, _)) = plan.stage {
        let text = cell(plan, event, cells, at).unwrap_or_default();
        if let Some(stage) = plan.stage_of(text) {
            open.stages.push((order, stage));
        }
    }
    // Prepared with every `where` tested: each fold's cell straight from the preparation.
    if let Some((ready, cells, bits)) = event
        .ready
        .zip(cells)
        .and_then(|(ready, cells)| Some((ready, cells, ready.kept_bits()?)))
    {
        let folds = open
            .states
            .iter_mut()
            .zip(&plan.outputs)
            .zip(cells.output_slots());
        for (i, ((state, output), &slot)) in folds.enumerate() {
            if bits >> i & 1 == 0 {
                continue;
            }
            let text = match ready.at_slot(slot) {
                Some(text) => text,
                None => cell(plan, event, Some(cells), output.column).unwrap_or_default(),
            };
            state.add(order, text, &plan.timestamps);
        }
        return;
    }
    for (i, (state, output)) in open.states.iter_mut().zip(&plan.outputs).enumerate() {
        let keep = output.filter.is_empty()
            || match event.ready.and_then(|ready| ready.kept(i)) {
                Some(keep) => keep,
                None => kept(plan, event, cells, &output.filter),
            };
        if keep {
            let text = cell(plan, event, cells, output.column).unwrap_or_default();
            state.add(order, text, &plan.timestamps);
        }
    }
}

/// The root message of every message (`None` for a repeated id); a cycle of replies is an
/// error naming its messages.
fn roots(
    messages: &[Message],
    index: &HashMap<&str, usize>,
    duplicate: &[bool],
) -> Result<Vec<Option<usize>>, String> {
    let mut roots: Vec<Option<usize>> = vec![None; messages.len()];
    let mut visiting = vec![false; messages.len()];
    for start in 0..messages.len() {
        if duplicate[start] || roots[start].is_some() {
            continue;
        }
        let mut path = vec![start];
        visiting[start] = true;
        let root = loop {
            let Some(&at) = path.last() else { break start };
            let parent = &messages[at].parent;
            let next = match index.get(parent.as_str()) {
                Some(&p) if !parent.is_empty() => p,
                // No parent, or one not in the file: this message starts the thread.
                _ => break at,
            };
            if let Some(root) = roots[next] {
                break root;
            }
            if visiting[next] {
                let from = path.iter().position(|&i| i == next).unwrap_or(0);
                let mut ids: Vec<String> = path[from..]
                    .iter()
                    .map(|&i| format!("`{}` (line {})", messages[i].id, messages[i].line))
                    .collect();
                ids.push(format!("`{}`", messages[next].id));
                return Err(format!("reply cycle: {}", ids.join(" → ")));
            }
            visiting[next] = true;
            path.push(next);
        };
        for i in path {
            roots[i] = Some(root);
            visiting[i] = false;
        }
    }
    Ok(roots)
}

#[cfg(test)]
mod tests;
