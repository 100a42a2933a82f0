//! The counts [`Metrics::record_with`] adds to on every ticket by a key (`by_reason`,
//! `confusion`, `sla`), kept by index while tickets are counted and folded into their maps
//! before anything reads them.

use super::{CompiledPolicy, ConfusionCell, Metrics, ReasonKind, SlaTally};

/// Counters by index for the keys a policy can give (its routes, history's outcomes, its
/// priorities), so that a ticket's counts are not a `BTreeMap` search each. A key out of
/// their range (a [`Metrics::default`], never sized) is counted in the map itself. A count
/// is a key the map would hold: every one touched is non-zero.
#[derive(Debug, Clone, Default)]
pub struct Dense {
    /// History's outcomes per route: `routes.len() + 1` (the last: human, tier unknown).
    pub(super) outcomes: usize,
    /// `confusion[(rank, outcome)]` at `rank * outcomes + outcome`.
    pub(super) confusion: Vec<ConfusionCell>,
    pub(super) priorities: usize,
    /// `sla[(rank, priority)]` at `rank * priorities + priority`.
    pub(super) sla: Vec<[SlaTally; 2]>,
    /// `by_reason`, in [`ReasonKind::ALL`]'s order.
    pub(super) by_reason: [u64; ReasonKind::ALL.len()],
}

impl Dense {
    pub(super) fn new(policy: &CompiledPolicy) -> Dense {
        let (routes, priorities) = (policy.routes.len(), policy.priorities.len());
        Dense {
            outcomes: routes + 1,
            confusion: vec![ConfusionCell::default(); routes * (routes + 1)],
            priorities,
            sla: vec![[SlaTally::default(); 2]; routes * priorities],
            by_reason: [0; ReasonKind::ALL.len()],
        }
    }

    #[inline]
    pub(super) fn confusion(&mut self, rank: usize, outcome: usize) -> Option<&mut ConfusionCell> {
        if outcome >= self.outcomes {
            return None;
        }
        self.confusion.get_mut(rank * self.outcomes + outcome)
    }

    #[inline]
    pub(super) fn sla(&mut self, rank: usize, priority: usize) -> Option<&mut [SlaTally; 2]> {
        if priority >= self.priorities {
            return None;
        }
        self.sla.get_mut(rank * self.priorities + priority)
    }
}

impl Metrics {
    /// Add the counts kept by index to their maps (and zero them): what the maps alone would
    /// hold had every ticket been counted there. Examples merge as [`ConfusionCell::merge`]
    /// does, so the kept ones are the smallest of both.
    pub(in crate::engine) fn fold_dense(&mut self) {
        let dense = &mut self.dense;
        for (kind, count) in ReasonKind::ALL.into_iter().zip(&mut dense.by_reason) {
            if *count > 0 {
                *self.by_reason.entry(kind).or_default() += std::mem::take(count);
            }
        }
        let outcomes = dense.outcomes;
        for (index, cell) in dense.confusion.iter_mut().enumerate() {
            if cell.count > 0 {
                let key = (index / outcomes, index % outcomes);
                self.confusion
                    .entry(key)
                    .or_default()
                    .merge(std::mem::take(cell));
            }
        }
        let priorities = dense.priorities;
        for (index, tallies) in dense.sla.iter_mut().enumerate() {
            if *tallies != [SlaTally::default(); 2] {
                let key = (index / priorities, index % priorities);
                let mine = self.sla.entry(key).or_default();
                for (mine, theirs) in mine.iter_mut().zip(std::mem::take(tallies)) {
                    mine.merge(&theirs);
                }
            }
        }
    }
}
