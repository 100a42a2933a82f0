//! [`Counted`]: events that carry no identity (a kind: an index the caller interns, such as
//! "L2 clock, priority high, first response"), counted per due second and kind. Memory is
//! bounded by the span of due times and the number of kinds, not by the number of events:
//! however many tickets fall in the input's last days, each kind holds at most one block of
//! [`BLOCK`] counters per [`BLOCK`] seconds in which its clocks fall due.

use std::collections::{BTreeMap, BTreeSet};

use jiff::Timestamp;

/// Seconds a block covers.
const BLOCK: i64 = 1024;

/// A sparse block turns dense at this many distinct seconds, early: the dense counters (a
/// byte a second, 1 KiB) never grow, so once a kind's blocks are dense its memory stays flat
/// however many more tickets fall due, and a sparse block costs 4 bytes an entry until then.
#[cfg(not(test))]
const SPARSE_MAX: usize = 32;
/// Small in the unit tests, so that their blocks turn dense.
#[cfg(test)]
const SPARSE_MAX: usize = 16;

/// The counts of one kind in one block of [`BLOCK`] seconds.
enum Block {
    /// (second within the block, count), ascending by second.
    Sparse(Vec<(u16, u8)>),
    /// A count per second; none before `low` is held.
    Dense { low: u16, counts: Box<[u8]> },
}

impl Block {
    /// Add one at `offset`; `false` when its count is full (the caller holds it elsewhere).
    fn add(&mut self, offset: u16) -> bool {
        match self {
            Block::Sparse(entries) => match entries.binary_search_by_key(&offset, |(at, _)| *at) {
                Ok(at) => bump(&mut entries[at].1),
                Err(_) if entries.len() >= SPARSE_MAX => {
                    let mut counts = vec![0u8; BLOCK as usize].into_boxed_slice();
                    for (at, count) in entries.iter() {
                        counts[usize::from(*at)] = *count;
                    }
                    let low = entries.first().map_or(offset, |(at, _)| (*at).min(offset));
                    counts[usize::from(offset)] = 1;
                    *self = Block::Dense { low, counts };
                    true
                }
                Err(at) => {
                    entries.insert(at, (offset, 1));
                    true
                }
            },
            Block::Dense { low, counts } => {
                *low = (*low).min(offset);
                bump(&mut counts[usize::from(offset)])
            }
        }
    }

    /// Take the counts of the seconds before `cut` (within the block), adding their sum to
    /// `sum`; what is left is held from its first second on.
    fn take_before(&mut self, cut: u16, sum: &mut u64) {
        match self {
            Block::Sparse(entries) => {
                let before = entries.partition_point(|(at, _)| *at < cut);
                *sum += entries
                    .drain(..before)
                    .map(|(_, c)| u64::from(c))
                    .sum::<u64>();
            }
            Block::Dense { low, counts } => {
                let from = usize::from(*low).min(usize::from(cut));
                for count in &mut counts[from..usize::from(cut)] {
                    *sum += u64::from(std::mem::take(count));
                }
                *low = (*low).max(cut);
            }
        }
    }

    /// The first second (within the block) with a count, if any.
    fn first(&mut self) -> Option<u16> {
        match self {
            Block::Sparse(entries) => entries.first().map(|(at, _)| *at),
            Block::Dense { low, counts } => {
                let at = counts[usize::from(*low)..].iter().position(|&c| c > 0)?;
                // `at` < BLOCK - low: the sum is a second within the block.
                *low += at as u16;
                Some(*low)
            }
        }
    }

    /// (seconds with a count, count) pairs, for [`Counted::held`].
    fn entries(&self) -> usize {
        match self {
            Block::Sparse(entries) => entries.len(),
            Block::Dense { counts, .. } => counts.iter().filter(|&&c| c > 0).count(),
        }
    }

    /// The sums of the counts before `cut` and from it on.
    fn split_sums(&self, cut: i64) -> (u64, u64) {
        let (mut before, mut after) = (0u64, 0u64);
        let mut add = |at: u16, count: u8| match i64::from(at) < cut {
            true => before += u64::from(count),
            false => after += u64::from(count),
        };
        match self {
            Block::Sparse(entries) => entries.iter().for_each(|(at, c)| add(*at, *c)),
            Block::Dense { low, counts } => {
                for (at, count) in counts.iter().enumerate().skip(usize::from(*low)) {
                    // `at` < BLOCK: it fits a u16.
                    add(at as u16, *count);
                }
            }
        }
        (before, after)
    }
}

/// Add one to `count`; `false` (and unchanged) when it is full.
fn bump(count: &mut u8) -> bool {
    match count.checked_add(1) {
        Some(more) => {
            *count = more;
            true
        }
        None => false,
    }
}

/// The first whole second not before `now`: a whole-second event at `s` is before `now`
/// exactly when `s` is below it.
fn cut(now: Timestamp) -> i64 {
    now.as_second() + i64::from(now.subsec_nanosecond() > 0)
}

/// Events waiting for `--as-of`, counted per due second and kind (see the module docs).
/// `settle(kind, happened, count)` is called with `count` events of `kind` at a time.
pub struct Counted {
    /// A fixed `--as-of`, or `None` for "the latest timestamp in the input".
    fixed: Option<Timestamp>,
    latest: Option<Timestamp>,
    /// Per kind, its blocks by number (due second / [`BLOCK`]).
    kinds: Vec<BTreeMap<i64, Block>>,
    /// Events held one entry per instant and kind: those at a fraction of a second (an
    /// input with sub-second timestamps), and the events of a second past its block counter's
    /// `u8` (one entry, with its count: a night's tickets all due when the calendar opens).
    exact: BTreeMap<(Timestamp, u32), u64>,
    /// The kinds with blocks, by the first second they hold (or an earlier one): settling
    /// visits only the kinds with something due, however many kinds there are (`--by`
    /// groups × events).
    order: BTreeSet<(i64, u32)>,
    /// Per kind, its key in `order` (`i64::MAX`: not in it).
    firsts: Vec<i64>,
}

impl Counted {
    pub fn new(fixed: Option<Timestamp>) -> Self {
        Counted {
            fixed,
            latest: None,
            kinds: Vec::new(),
            exact: BTreeMap::new(),
            order: BTreeSet::new(),
            firsts: Vec::new(),
        }
    }

    /// (due time, kind) entries held: distinct, but for a second past its counter (held in
    /// its block and apart).
    pub fn held(&self) -> usize {
        let blocks: usize = self
            .kinds
            .iter()
            .flat_map(|k| k.values())
            .map(Block::entries)
            .sum();
        blocks + self.exact.len()
    }

    /// Blocks held: what the memory grows with (at most 1 KiB each).
    pub fn blocks(&self) -> usize {
        self.kinds.iter().map(BTreeMap::len).sum()
    }

    /// An event of `kind` at `at`; `settle` is called now (a fixed `--as-of`) or later.
    // Out of line: on ordinary input few clocks are still running when read, and the
    // worker's per-ticket loop stays small (bench/ab.py: inlined +1.7-2.1 % CPU against
    // the general settler's at equal instructions, out of line +1.2 %).
    #[inline(never)]
    pub fn push(&mut self, at: Timestamp, kind: u32, settle: &mut dyn FnMut(u32, bool, u64)) {
        if let Some(as_of) = self.fixed {
            return settle(kind, at < as_of, 1);
        }
        if at.subsec_nanosecond() == 0 {
            let second = at.as_second();
            let (number, offset) = (second.div_euclid(BLOCK), second.rem_euclid(BLOCK));
            let index = kind as usize;
            if self.kinds.len() <= index {
                self.kinds.resize_with(index + 1, BTreeMap::new);
                self.firsts.resize(index + 1, i64::MAX);
            }
            let block = self.kinds[index]
                .entry(number)
                .or_insert_with(|| Block::Sparse(Vec::new()));
            // `offset` < BLOCK: it fits a u16.
            if block.add(offset as u16) {
                let first = &mut self.firsts[index];
                if second < *first {
                    self.order.remove(&(*first, kind));
                    self.order.insert((second, kind));
                    *first = second;
                }
                return;
            }
        }
        *self.exact.entry((at, kind)).or_default() += 1;
    }

    /// The latest timestamp of a ticket just read, to be settled against later
    /// ([`Counted::settle_reached`]: once a stage or a batch, not once a ticket; an event is
    /// settled the same whenever it is, as long as against an instant the reading reached).
    #[inline]
    pub fn reach(&mut self, latest: Option<Timestamp>) {
        self.latest = self.latest.max(latest);
    }

    /// Settle the events before the latest timestamp reached: they have happened, whatever
    /// the final `--as-of` (it can only be later).
    #[inline(never)]
    pub fn settle_reached(&mut self, settle: &mut dyn FnMut(u32, bool, u64)) {
        let Some(now) = self.latest else { return };
        super::take_before(&mut self.exact, now, &mut |kind, count| {
            settle(kind, true, count)
        });
        let cut = cut(now);
        while let Some(&(first, kind)) = self.order.first() {
            if first >= cut {
                break;
            }
            self.order.pop_first();
            let (Some(blocks), Some(first)) = (
                self.kinds.get_mut(kind as usize),
                self.firsts.get_mut(kind as usize),
            ) else {
                continue;
            };
            let mut sum = 0u64;
            *first = i64::MAX;
            while let Some(mut block) = blocks.first_entry() {
                let start = block.key() * BLOCK;
                if start < cut {
                    // 0 < cut - start; at most BLOCK, a u16.
                    let within = (cut - start).min(BLOCK) as u16;
                    block.get_mut().take_before(within, &mut sum);
                }
                match block.get_mut().first() {
                    Some(at) => {
                        *first = start + i64::from(at);
                        self.order.insert((*first, kind));
                        break;
                    }
                    None => {
                        block.remove();
                    }
                }
            }
            if sum > 0 {
                settle(kind, true, sum);
            }
        }
    }

    /// The latest timestamp reached so far.
    pub fn latest(&self) -> Option<Timestamp> {
        self.latest
    }

    /// Settle everything left against the final `as_of` (replay's workers each saw part of
    /// the input: theirs is the latest of all of them); without one, nothing has happened.
    pub fn finish(self, as_of: Option<Timestamp>, settle: &mut dyn FnMut(u32, bool, u64)) {
        let cut = as_of.map_or(i64::MIN, cut);
        for (kind, blocks) in self.kinds.iter().enumerate() {
            let (mut before, mut after) = (0u64, 0u64);
            for (number, block) in blocks {
                let (b, a) = block.split_sums(cut.saturating_sub(number * BLOCK));
                before += b;
                after += a;
            }
            // Fewer than u32::MAX kinds: the caller's interned indices.
            if before > 0 {
                settle(kind as u32, true, before);
            }
            if after > 0 {
                settle(kind as u32, false, after);
            }
        }
        for ((at, kind), count) in self.exact {
            settle(kind, as_of.is_some_and(|as_of| at < as_of), count);
        }
    }
}

#[cfg(test)]
mod tests;
