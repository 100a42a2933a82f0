//! Merging the metrics of several workers. Every figure is a sum, a histogram (which merges by
//! addition), or a bounded list kept in a total order, so the merged metrics are those one
//! worker would have produced from the whole input, however the tickets were split.

use std::collections::BTreeMap;

use super::agreement::AgreementCounts;
use super::metrics::{
    ConfusionCell, EXAMPLES_PER_CELL, Metrics, SlaTally, WORST_BREACHES, breach_order,
    unanswered_order,
};
use super::sweep::SweepPoint;

fn add_counts(mine: &mut Vec<u64>, theirs: &[u64]) {
    if mine.len() < theirs.len() {
        mine.resize(theirs.len(), 0);
    }
    for (a, b) in mine.iter_mut().zip(theirs) {
        *a += b;
    }
}

fn add_map<K: Ord>(mine: &mut BTreeMap<K, u64>, theirs: BTreeMap<K, u64>) {
    for (key, count) in theirs {
        *mine.entry(key).or_default() += count;
    }
}

impl ConfusionCell {
    pub(super) fn merge(&mut self, other: ConfusionCell) {
        self.count += other.count;
        self.examples.extend(other.examples);
        self.examples.sort();
        self.examples.truncate(EXAMPLES_PER_CELL);
    }
}

impl AgreementCounts {
    fn merge(&mut self, other: &AgreementCounts) {
        self.combine(other, |a, b| a + b);
    }

    /// Each count set to `op(mine, theirs)`.
    fn combine(&mut self, other: &AgreementCounts, op: fn(u64, u64) -> u64) {
        let AgreementCounts {
            history_escalated,
            missed,
            policy_escalated_known,
            unneeded,
            fit_known,
            right_tier,
            under_routed,
            over_routed,
        } = *other;
        self.history_escalated = op(self.history_escalated, history_escalated);
        self.missed = op(self.missed, missed);
        self.policy_escalated_known = op(self.policy_escalated_known, policy_escalated_known);
        self.unneeded = op(self.unneeded, unneeded);
        self.fit_known = op(self.fit_known, fit_known);
        self.right_tier = op(self.right_tier, right_tier);
        self.under_routed = op(self.under_routed, under_routed);
        self.over_routed = op(self.over_routed, over_routed);
    }
}

impl SweepPoint {
    /// Add the figures of other tickets at the same value.
    pub fn merge(&mut self, other: &SweepPoint) {
        self.combine(other, |a, b| a + b);
    }

    /// Each figure set to `op(mine, theirs)` (the value is kept): with wrapping addition and
    /// subtraction, sweep keeps its figures as differences between neighbouring values.
    pub(super) fn combine(&mut self, other: &SweepPoint, op: fn(u64, u64) -> u64) {
        let SweepPoint {
            value: _,
            tickets,
            escalated,
            agreement,
            sla,
        } = other;
        self.tickets = op(self.tickets, *tickets);
        self.escalated = op(self.escalated, *escalated);
        self.agreement.combine(agreement, op);
        for (mine, theirs) in self.sla.iter_mut().zip(sla) {
            mine.numerator = op(mine.numerator, theirs.numerator);
            mine.denominator = op(mine.denominator, theirs.denominator);
        }
    }
}

impl SlaTally {
    pub(super) fn merge(&mut self, other: &SlaTally) {
        self.met += other.met;
        self.breached += other.breached;
        self.pending += other.pending;
        self.negative += other.negative;
    }
}

impl Metrics {
    /// Add the metrics of other tickets. Call [`Metrics::finish`] once, after the last merge.
    pub fn merge(&mut self, mut other: Metrics) {
        // The counts kept by index join their maps first; `self` keeps its own until
        // `finish` (or its next merge into another).
        other.fold_dense();
        // Destructured so that a new field cannot be forgotten here.
        let Metrics {
            tickets,
            by_route,
            by_rule,
            matched,
            true_somewhere,
            by_reason,
            history_known,
            unresolved,
            confusion,
            agreement,
            reassignments_known,
            no_reassignment,
            first_response_wall,
            first_response_business,
            opened_outside_hours,
            first_response_negative,
            resolution_escalated,
            resolution_not_escalated,
            resolution_negative,
            sla,
            sla_skipped,
            sla_skipped_by_reason,
            worst,
            worst_unanswered,
            context_checked,
            context_complete,
            context_missing,
            time_based_candidates,
            time_based_escalated,
            hops,
            load,
            quality,
            dense: _,
        } = other;
        self.tickets += tickets;
        add_counts(&mut self.by_route, &by_route);
        add_counts(&mut self.by_rule, &by_rule);
        add_counts(&mut self.matched, &matched);
        if self.true_somewhere.len() < true_somewhere.len() {
            self.true_somewhere.resize(true_somewhere.len(), false);
        }
        for (a, b) in self.true_somewhere.iter_mut().zip(&true_somewhere) {
            *a |= b;
        }
        add_map(&mut self.by_reason, by_reason);

        self.history_known += history_known;
        self.unresolved += unresolved;
        for (key, cell) in confusion {
            self.confusion.entry(key).or_default().merge(cell);
        }
        self.agreement.merge(&agreement);
        self.quality.merge(&quality);
        self.reassignments_known += reassignments_known;
        self.no_reassignment += no_reassignment;

        self.first_response_wall.merge(&first_response_wall);
        self.first_response_business.merge(&first_response_business);
        self.opened_outside_hours += opened_outside_hours;
        self.first_response_negative += first_response_negative;
        self.resolution_escalated.merge(&resolution_escalated);
        self.resolution_not_escalated
            .merge(&resolution_not_escalated);
        self.resolution_negative += resolution_negative;

        for (key, tallies) in sla {
            let mine = self.sla.entry(key).or_default();
            for (a, b) in mine.iter_mut().zip(&tallies) {
                a.merge(b);
            }
        }
        self.sla_skipped += sla_skipped;
        add_map(&mut self.sla_skipped_by_reason, sla_skipped_by_reason);
        self.worst.extend(worst);
        self.worst.sort_by(breach_order);
        self.worst.truncate(WORST_BREACHES);
        self.worst_unanswered.extend(worst_unanswered);
        self.worst_unanswered.sort_by(unanswered_order);
        self.worst_unanswered.truncate(WORST_BREACHES);

        self.context_checked += context_checked;
        self.context_complete += context_complete;
        add_map(&mut self.context_missing, context_missing);

        self.time_based_candidates += time_based_candidates;
        self.time_based_escalated += time_based_escalated;
        add_map(&mut self.hops, hops);
        self.load.merge(load);
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use crate::engine::agreement::Available;
    use crate::engine::eval::CompiledPolicy;
    use crate::engine::metrics::{Breach, ConfusionCell, Metrics};
    use crate::engine::replay::worker::{Batch, Worker};
    use crate::engine::replay::{By, ReplayOptions};
    use crate::engine::report::Report;
    use crate::engine::sla::Target;
    use crate::tickets::synthetic::{GenOptions, generate};
    use crate::tickets::{Mapping, TicketParser, TicketReader};

    fn policy() -> CompiledPolicy {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("policies/support.yaml");
        CompiledPolicy::new(&crate::policy::load_file(&path).unwrap().policy).unwrap()
    }

    fn tickets() -> Vec<u8> {
        let options = GenOptions {
            rows: 5000,
            seed: 5,
            start: "2026-01-05T00:00:00Z".parse().unwrap(),
            days: 30,
        };
        let mut out = Vec::new();
        generate(&options, &mut out).unwrap();
        out
    }

    /// Replay the batches with one worker per list of batch indices, each worker taking its
    /// batches in the order given; the merged report (overall and per channel).
    fn replay_split(split: &[&[usize]]) -> Vec<Report> {
        let policy = policy();
        let options = ReplayOptions {
            by: Some(By::Channel.into()),
            ..ReplayOptions::default()
        };
        let mapping = Mapping::default();
        let input = std::io::Cursor::new(tickets());
        let mut reader = TicketReader::new(Box::new(input), &mapping, &policy.needs).unwrap();
        let parser = TicketParser::new(&reader.layout, &mapping, &policy.needs).unwrap();
        let available = Available::of(&reader.layout);
        let mut batches = Vec::new();
        let mut next_record = 1;
        loop {
            let mut batch = Batch::default();
            batch.fill(&mut reader, batches.len() as u64, next_record);
            next_record += batch.len as u64;
            let last = batch.last;
            batches.push(batch);
            if last {
                break;
            }
        }
        assert_eq!(batches.len(), 5, "the test needs several batches");
        let mut workers: Vec<Worker> = split
            .iter()
            .map(|order| {
                let mut worker = Worker::new(&policy, &options, available, parser.clone());
                for &index in order.iter() {
                    worker.process(&mut batches[index], None);
                }
                worker
            })
            .collect();
        let as_of = workers.iter().filter_map(|w| w.latest_seen()).max();
        let mut overall = Metrics::new(&policy);
        let mut groups = std::collections::BTreeMap::<String, Metrics>::new();
        for worker in workers.drain(..) {
            let (metrics, worker_groups, _) = worker.finish(as_of);
            overall.merge(metrics);
            for (key, (metrics, _, _)) in worker_groups {
                groups
                    .entry(key)
                    .or_insert_with(|| Metrics::new(&policy))
                    .merge(metrics);
            }
        }
        let as_of = as_of.unwrap();
        overall.finish(as_of);
        let mut reports = vec![Report::new(&policy, &reader.layout, &overall)];
        for metrics in groups.values_mut() {
            metrics.finish(as_of);
            reports.push(Report::new(&policy, &reader.layout, metrics));
        }
        reports
    }

    fn breach(overshoot: i64, id: &str, target: Target) -> Breach {
        Breach {
            overshoot,
            id: id.to_string(),
            rank: 1,
            priority: 0,
            target,
            unanswered: false,
        }
    }

    /// Examples and worst breaches depend on the tickets, never on the order they come in
    /// nor on how they were split: the smallest ids per cell; worst first, ties by id.
    #[test]
    fn examples_and_worst_breaches_follow_the_tickets_not_their_order() {
        let ids = ["T9", "T10", "A3", "T2", "B1", "T2", "Z0", "C7"];
        let noted = |order: &mut dyn Iterator<Item = &&str>| {
            let mut cell = ConfusionCell::default();
            order.for_each(|id| cell.note_example(id));
            cell.examples
        };
        let expected = ["A3", "B1", "C7", "T10", "T2"];
        assert_eq!(noted(&mut ids.iter()), expected);
        assert_eq!(noted(&mut ids.iter().rev()), expected);
        let (mut left, mut right) = (ConfusionCell::default(), ConfusionCell::default());
        ids[..3].iter().for_each(|id| left.note_example(id));
        ids[3..].iter().for_each(|id| right.note_example(id));
        right.merge(left);
        assert_eq!(right.examples, expected);

        let breaches = [
            breach(60, "T5", Target::Resolution),
            breach(60, "T1", Target::Resolution),
            breach(90, "T7", Target::Resolution),
            breach(60, "T1", Target::FirstResponse),
            breach(10, "T0", Target::FirstResponse),
            breach(60, "T3", Target::FirstResponse),
        ];
        let worst = |order: &mut dyn Iterator<Item = &Breach>| {
            let mut m = Metrics::default();
            order.for_each(|b| m.note_breach(b.clone()));
            m.worst
                .iter()
                .map(|b| (b.overshoot, b.id.clone(), b.target))
                .collect::<Vec<_>>()
        };
        let expected = worst(&mut breaches.iter());
        assert_eq!(
            expected[..3],
            [
                (90, "T7".to_string(), Target::Resolution),
                (60, "T1".to_string(), Target::FirstResponse),
                (60, "T1".to_string(), Target::Resolution),
            ]
        );
        assert_eq!(expected.len(), 5);
        assert_eq!(worst(&mut breaches.iter().rev()), expected);
    }

    #[test]
    fn merged_metrics_do_not_depend_on_how_batches_were_split_or_ordered() {
        let one_pass = replay_split(&[&[0, 1, 2, 3, 4]]);
        for split in [
            &[&[4, 1][..], &[2, 0, 3]][..],
            &[&[3, 2, 1, 0][..], &[4]],
            &[&[0][..], &[1], &[2], &[3], &[4]],
            &[&[4, 3, 2, 1, 0][..]],
        ] {
            assert!(replay_split(split) == one_pass, "split {split:?}");
        }
    }
}
