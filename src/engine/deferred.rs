//! Events that depend on `--as-of` (an unanswered SLA clock, a time-based hand-off): settled
//! as soon as the reading has moved past them, or at the end. Only clocks still running are
//! held, so memory does not grow with the number of tickets.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use jiff::Timestamp;

pub struct Settler<T: Ord> {
    /// A fixed `--as-of`, or `None` for "the latest timestamp in the input".
    fixed: Option<Timestamp>,
    latest: Option<Timestamp>,
    pending: BinaryHeap<Reverse<(Timestamp, T)>>,
}

impl<T: Ord> Settler<T> {
    pub fn new(fixed: Option<Timestamp>) -> Self {
        Settler {
            fixed,
            latest: None,
            pending: BinaryHeap::new(),
        }
    }

    /// An event at `at`; `settle(item, happened)` is called now or later.
    pub fn push(&mut self, at: Timestamp, item: T, settle: &mut dyn FnMut(T, bool)) {
        match self.fixed {
            Some(as_of) => settle(item, at < as_of),
            None => self.pending.push(Reverse((at, item))),
        }
    }

    /// The latest timestamp of a ticket just read: events before it have happened, whatever
    /// the final `--as-of` (it can only be later).
    pub fn observe(&mut self, latest: Option<Timestamp>, settle: &mut dyn FnMut(T, bool)) {
        self.latest = self.latest.max(latest);
        let Some(now) = self.latest else { return };
        while self
            .pending
            .peek()
            .is_some_and(|Reverse((at, _))| *at < now)
        {
            if let Some(Reverse((_, item))) = self.pending.pop() {
                settle(item, true);
            }
        }
    }

    /// Settle everything left and return the `--as-of` used.
    pub fn finish(mut self, settle: &mut dyn FnMut(T, bool)) -> Option<Timestamp> {
        let as_of = self.fixed.or(self.latest);
        while let Some(Reverse((at, item))) = self.pending.pop() {
            settle(item, as_of.is_some_and(|as_of| at < as_of));
        }
        as_of
    }
}
