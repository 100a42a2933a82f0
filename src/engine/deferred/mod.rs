//! Events that depend on `--as-of` (an unanswered SLA clock, a time-based hand-off): settled
//! as soon as the reading has moved past them, or at the end. Two settlers, one for each
//! kind of event:
//! - [`Counted`]: events without identity, such as replay's and sweep's clocks (a kind the
//!   caller interns: group, tier, priority, target; no ticket id), counted per due second and
//!   kind in blocks, so memory is bounded by the span of due times and the kinds, however many
//!   tickets fall due (issue 16: pending clocks).
//! - [`Settler`]: events that carry identity (diff's, each its ticket's), held once per
//!   distinct (time, event) with a count.
mod counted;

use std::collections::BTreeMap;

pub use counted::Counted;

use jiff::Timestamp;

/// Events waiting for `--as-of`, earliest first, each distinct (time, event) once with how
/// many times it was pushed.
pub struct Settler<T: Ord + Clone> {
    /// A fixed `--as-of`, or `None` for "the latest timestamp in the input".
    fixed: Option<Timestamp>,
    latest: Option<Timestamp>,
    pending: BTreeMap<(Timestamp, T), u64>,
}

/// Take the entries of `held` before `now`, earliest first: `take(event, count)`.
fn take_before<T: Ord>(
    held: &mut BTreeMap<(Timestamp, T), u64>,
    now: Timestamp,
    take: &mut dyn FnMut(T, u64),
) {
    while held.first_key_value().is_some_and(|((at, _), _)| *at < now) {
        if let Some(((_, item), count)) = held.pop_first() {
            take(item, count);
        }
    }
}

/// Settle `count` equal events.
fn settle_all<T: Clone>(item: T, count: u64, happened: bool, settle: &mut dyn FnMut(T, bool)) {
    for _ in 1..count {
        settle(item.clone(), happened);
    }
    settle(item, happened);
}

impl<T: Ord + Clone> Settler<T> {
    pub fn new(fixed: Option<Timestamp>) -> Self {
        Settler {
            fixed,
            latest: None,
            pending: BTreeMap::new(),
        }
    }

    /// Distinct (time, event) pairs held: what the settler's memory grows with.
    pub fn held(&self) -> usize {
        self.pending.len()
    }

    /// An event at `at`; `settle(item, happened)` is called now or later.
    pub fn push(&mut self, at: Timestamp, item: T, settle: &mut dyn FnMut(T, bool)) {
        match self.fixed {
            Some(as_of) => settle(item, at < as_of),
            None => *self.pending.entry((at, item)).or_default() += 1,
        }
    }

    /// The latest timestamp of a ticket just read: events before it have happened, whatever
    /// the final `--as-of` (it can only be later).
    pub fn observe(&mut self, latest: Option<Timestamp>, settle: &mut dyn FnMut(T, bool)) {
        self.reach(latest);
        self.settle_reached(settle);
    }

    /// [`Settler::observe`] without settling yet: the latest timestamp of a ticket just read,
    /// for a later [`Settler::settle_reached`] (an event is settled the same whenever it is, as
    /// long as against an instant the reading has reached), so that a caller settles once a
    /// stage or a batch rather than once a ticket.
    #[inline]
    fn reach(&mut self, latest: Option<Timestamp>) {
        self.latest = self.latest.max(latest);
    }

    /// Settle the events before the latest timestamp observed or reached.
    fn settle_reached(&mut self, settle: &mut dyn FnMut(T, bool)) {
        let Some(now) = self.latest else { return };
        take_before(&mut self.pending, now, &mut |item, count| {
            settle_all(item, count, true, settle)
        });
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
        while let Some(((at, item), count)) = self.pending.pop_first() {
            settle_all(item, count, as_of.is_some_and(|as_of| at < as_of), settle);
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

    /// Tickets all due in the last hours of the input: however many there are, the settler
    /// holds one entry per due time and kind, and settles each ticket's clock.
    #[test]
    fn pending_clocks_take_one_entry_per_due_time_and_kind() {
        let base = at("2026-01-05T00:00:00Z");
        let due = |n: u64| base + jiff::SignedDuration::from_mins((n % 120) as i64);
        for tickets in [1_200u64, 120_000] {
            let mut settler: Settler<(usize, usize)> = Settler::new(None);
            let (mut breached, mut pending) = (0u64, 0u64);
            let mut note = |_item: (usize, usize), happened: bool| {
                if happened {
                    breached += 1;
                } else {
                    pending += 1;
                }
            };
            for n in 0..tickets {
                for variant in 0..19 {
                    settler.push(due(n), (variant, ((n / 120) % 2) as usize), &mut note);
                }
                settler.observe(Some(base), &mut note);
            }
            // 120 due times, 19 values, 2 targets: bounded whatever the number of tickets.
            assert_eq!(settler.held(), 120 * 19 * 2, "{tickets} tickets");
            // The reading reaches the first hour: the clocks due in it are settled.
            settler.observe(Some(base + jiff::SignedDuration::from_mins(60)), &mut note);
            assert_eq!(settler.held(), 60 * 19 * 2);
            settler.finish(Some(base + jiff::SignedDuration::from_mins(90)), &mut note);
            assert_eq!(breached, tickets * 19 * 90 / 120, "{tickets} tickets");
            assert_eq!(pending, tickets * 19 * 30 / 120, "{tickets} tickets");
        }
    }

    /// Reaching instants and settling later settles as observing each at once does.
    #[test]
    fn reaching_then_settling_is_observing() {
        let dues = [
            "2026-01-01T10:00:00Z",
            "2026-01-02T10:00:00Z",
            "2026-01-04T10:00:00Z",
        ];
        let reads = [
            "2026-01-01T12:00:00Z",
            "2026-01-03T00:00:00Z",
            "2026-01-02T00:00:00Z",
        ];
        let run = |settle_each: bool| {
            let mut settled = Vec::new();
            let mut settler: Settler<usize> = Settler::new(None);
            let mut note = |item, happened| settled.push((item, happened));
            for (n, due) in dues.iter().enumerate() {
                settler.push(at(due), n, &mut note);
            }
            for read in reads {
                match settle_each {
                    true => settler.observe(Some(at(read)), &mut note),
                    false => settler.reach(Some(at(read))),
                }
            }
            settler.settle_reached(&mut note);
            let held = settler.held();
            let latest = settler.latest();
            // Far past every due time: only what is still held is settled as not happened.
            settler.finish(Some(at("2027-01-01T00:00:00Z")), &mut note);
            (settled, held, latest)
        };
        let each = run(true);
        assert_eq!(each.0, [(0, true), (1, true), (2, true)]);
        assert_eq!(each.1, 1);
        assert_eq!(each.2, Some(at("2026-01-03T00:00:00Z")));
        assert_eq!(run(false), each);
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
