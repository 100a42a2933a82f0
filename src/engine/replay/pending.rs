//! The ticket ids a replay worker keeps for its pending SLA clocks: only those that can still
//! become one of the worst unanswered breaches, so memory stays flat however many clocks are
//! still running at the end of the input.
//!
//! The worst unanswered breaches of a set of tickets are the [`WORST_BREACHES`] earliest due
//! ([`unanswered_order`]) among the clocks found breached. A clock settled as breached while
//! reading was due before the latest timestamp read, and every clock still pending is due at or
//! after it, so the earliest pending clocks are the only ones that can still join the list:
//! keeping the `WORST_BREACHES` earliest pending clocks of each metrics (overall and per `--by`
//! group) is enough. A clock pushed out by an earlier one never comes back, since the clocks
//! ahead of it stay ahead (pending, or breached and noted). The counts of every clock, breached
//! or pending, are kept by the [`Counted`](crate::engine::deferred::Counted) settler without ids.

use jiff::Timestamp;

use crate::engine::metrics::{Breach, WORST_BREACHES, unanswered_order};

/// Per metrics (0: overall, 1 + g: `--by` group g), its earliest pending unanswered clocks.
#[derive(Default)]
pub(super) struct WorstPending {
    lists: Vec<Vec<(Timestamp, Breach)>>,
    /// The earliest due time of any list.
    earliest: Option<Timestamp>,
}

impl WorstPending {
    /// A clock of metrics `slot` still running, due at `due`: kept if among the earliest.
    pub(super) fn offer(&mut self, slot: usize, due: Timestamp, breach: &Breach) {
        if self.lists.len() <= slot {
            self.lists.resize_with(slot + 1, Vec::new);
        }
        let list = &mut self.lists[slot];
        // Due strictly after the last of a full list: not among the earliest (no id copied).
        if list.len() >= WORST_BREACHES && list.last().is_some_and(|last| last.0 < due) {
            return;
        }
        let entry = (due, breach.clone());
        let at = list.partition_point(|kept| unanswered_order(kept, &entry).is_lt());
        if at >= WORST_BREACHES {
            return;
        }
        list.insert(at, entry);
        list.truncate(WORST_BREACHES);
        self.earliest = Some(self.earliest.map_or(due, |e| e.min(due)));
    }

    /// Hand every clock due before `now` to `note(slot, due, breach)`: it is breached.
    pub(super) fn settle_before(
        &mut self,
        now: Timestamp,
        note: &mut dyn FnMut(usize, Timestamp, Breach),
    ) {
        if self.earliest.is_none_or(|earliest| earliest >= now) {
            return;
        }
        let mut earliest: Option<Timestamp> = None;
        for (slot, list) in self.lists.iter_mut().enumerate() {
            let due_before = list.partition_point(|(due, _)| *due < now);
            for (due, breach) in list.drain(..due_before) {
                note(slot, due, breach);
            }
            if let Some((due, _)) = list.first() {
                earliest = Some(earliest.map_or(*due, |e| e.min(*due)));
            }
        }
        self.earliest = earliest;
    }

    /// Clocks held (at most `WORST_BREACHES` per metrics).
    #[cfg(test)]
    pub(super) fn held(&self) -> usize {
        self.lists.iter().map(Vec::len).sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::sla::Target;

    /// The worst breaches through [`WorstPending`] equal those of every clock kept, for clocks
    /// due in any order (not the order they are read), with the reading moving on meanwhile;
    /// and however many clocks are pending, it holds at most `WORST_BREACHES` per metrics.
    #[test]
    fn the_earliest_pending_clocks_give_the_worst_breaches_in_bounded_memory() {
        let start: Timestamp = "2026-01-05T00:00:00Z".parse().unwrap();
        let mut seed = 7u64;
        let mut next = move |modulo: u64| {
            seed = seed
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            (seed >> 33) % modulo
        };
        for clocks in [10u64, 1_000, 50_000] {
            let mut pending = WorstPending::default();
            // Per metrics (0 overall, 1..=3 groups): every breached clock, and those noted.
            let mut all: Vec<Vec<(Timestamp, Breach)>> = vec![Vec::new(); 4];
            let mut noted: Vec<Vec<(Timestamp, Breach)>> = vec![Vec::new(); 4];
            let mut now = start;
            let mut due_of = Vec::new();
            for n in 0..clocks {
                // Due up to two days after the reading, a few seconds apart: many ties.
                let due = now + jiff::SignedDuration::from_secs((next(17_280) * 10) as i64);
                let group = 1 + next(3) as usize;
                let breach = Breach {
                    overshoot: 0,
                    id: format!("T{:06}", next(1_000_000)),
                    rank: 1 + next(3) as usize,
                    priority: next(2) as usize,
                    target: if n % 2 == 0 {
                        Target::FirstResponse
                    } else {
                        Target::Resolution
                    },
                    unanswered: true,
                };
                pending.offer(0, due, &breach);
                pending.offer(group, due, &breach);
                due_of.push((due, group, breach));
                assert!(pending.held() <= 4 * WORST_BREACHES);
                if next(100) == 0 {
                    now += jiff::SignedDuration::from_mins(30);
                    pending.settle_before(now, &mut |slot, due, breach| {
                        noted[slot].push((due, breach))
                    });
                }
            }
            let as_of = now + jiff::SignedDuration::from_hours(6);
            pending.settle_before(as_of, &mut |slot, due, breach| {
                noted[slot].push((due, breach))
            });
            assert!(pending.held() <= 4 * WORST_BREACHES);
            for (due, group, breach) in due_of {
                if due < as_of {
                    all[0].push((due, breach.clone()));
                    all[group].push((due, breach));
                }
            }
            for (slot, (mut expected, mut got)) in all.into_iter().zip(noted).enumerate() {
                for list in [&mut expected, &mut got] {
                    list.sort_by(unanswered_order);
                    list.truncate(WORST_BREACHES);
                }
                assert_eq!(got, expected, "{clocks} clocks, metrics {slot}");
                if clocks >= 1_000 {
                    assert_eq!(got.len(), WORST_BREACHES);
                }
            }
        }
    }
}
