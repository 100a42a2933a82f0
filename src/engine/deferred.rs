//! Events that depend on `--as-of` (an unanswered SLA clock, a time-based hand-off): settled
//! as soon as the reading has moved past them, or at the end. Only clocks still running are
//! held, so memory does not grow with the number of tickets. Replay's workers, diff and sweep
//! all settle through [`Settler`].

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use jiff::Timestamp;

/// Events waiting for `--as-of`, earliest first.
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

    /// The latest timestamp observed so far.
    pub fn latest(&self) -> Option<Timestamp> {
        self.latest
    }

    /// The `--as-of` of a single pass: the fixed one, else the latest timestamp observed.
    pub fn as_of(&self) -> Option<Timestamp> {
        self.fixed.or(self.latest)
    }

    /// Settle everything left against the final `as_of` (replay's workers each saw part of
    /// the input: theirs is the latest of all of them).
    pub fn finish(mut self, as_of: Option<Timestamp>, settle: &mut dyn FnMut(T, bool)) {
        while let Some(Reverse((at, item))) = self.pending.pop() {
            settle(item, as_of.is_some_and(|as_of| at < as_of));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> Timestamp {
        text.parse().unwrap()
    }

    #[test]
    fn settles_what_the_reading_has_passed_and_the_rest_against_the_final_as_of() {
        let mut settled = Vec::new();
        let mut settler: Settler<&str> = Settler::new(None);
        let mut note = |item, happened| settled.push((item, happened));
        settler.push(at("2026-01-01T10:00:00Z"), "early", &mut note);
        settler.push(at("2026-01-03T10:00:00Z"), "late", &mut note);
        settler.push(at("2026-01-05T10:00:00Z"), "later", &mut note);
        settler.observe(Some(at("2026-01-02T00:00:00Z")), &mut note);
        assert_eq!(settler.latest(), Some(at("2026-01-02T00:00:00Z")));
        assert_eq!(settler.as_of(), settler.latest());
        // Another worker read further: its latest timestamp is the final `--as-of`.
        settler.finish(Some(at("2026-01-04T00:00:00Z")), &mut note);
        assert_eq!(settled, [("early", true), ("late", true), ("later", false)]);
    }

    #[test]
    fn a_fixed_as_of_settles_at_once() {
        let mut settled = Vec::new();
        let mut settler: Settler<u8> = Settler::new(Some(at("2026-01-02T00:00:00Z")));
        let mut note = |item, happened| settled.push((item, happened));
        settler.push(at("2026-01-01T00:00:00Z"), 1, &mut note);
        settler.push(at("2026-01-03T00:00:00Z"), 2, &mut note);
        assert_eq!(settler.as_of(), Some(at("2026-01-02T00:00:00Z")));
        let as_of = settler.as_of();
        settler.finish(as_of, &mut note);
        assert_eq!(settled, [(1, true), (2, false)]);
    }
}
