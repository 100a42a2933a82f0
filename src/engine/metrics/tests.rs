use super::*;

/// Breaches turned away by [`Metrics::may_be_worst`] are ones [`Metrics::note_breach`] would
/// not keep: the worst list is the same with and without the check, over breaches with many
/// equal overshoots (ties decided by id, target, tier, priority).
#[test]
fn breaches_turned_away_early_are_never_among_the_worst() {
    use rand::{RngExt, SeedableRng};
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(7);
    for round in 0..200 {
        let (mut all, mut checked) = (Metrics::default(), Metrics::default());
        let spread = [3, 50, 10_000][round % 3];
        for _ in 0..rng.random_range(0..60) {
            let breach = Breach {
                overshoot: rng.random_range(-2..spread),
                id: format!("T{}", rng.random_range(0..40)),
                rank: rng.random_range(1..4),
                priority: rng.random_range(0..4),
                target: Target::ALL[rng.random_range(0..2)],
                unanswered: false,
            };
            all.note_breach(breach.clone());
            if checked.may_be_worst(breach.overshoot) {
                checked.note_breach(breach);
            }
        }
        assert_eq!(checked.worst, all.worst, "round {round}");
    }
}

/// One [`Instants`] shared by two metrics (the overall ones and a `--by` group's,
/// [`Metrics::record_with`]) gives what [`Metrics::record`] gives each on its own, and its
/// instants answer as the calendar: same counts, durations, breaches and deferred events, for tickets of the
/// support policy (Berlin hours, SLA targets in hours and business days, hand-offs) whose
/// instants fall at any hour, escalated or not, answered, resolved or not.
mod shared_instants {
    use super::*;
    use crate::policy::load::load_bytes;
    use proptest::prelude::*;

    pub(super) fn policy() -> CompiledPolicy {
        let yaml = include_bytes!("../../../policies/support.yaml");
        let loaded = load_bytes("support.yaml".into(), yaml.to_vec()).unwrap();
        CompiledPolicy::new(&loaded.policy).unwrap()
    }

    fn at(second: i64) -> Timestamp {
        Timestamp::from_second(second).unwrap()
    }

    /// Seconds after 2026-03-23T00:00Z (a week before Berlin's DST change), and the delays
    /// of the ticket's other instants after its creation (`None`: absent).
    pub(super) type Shape = (i64, [Option<i64>; 3], usize, Option<usize>, u64);

    pub(super) fn ticket((created, delays, _, _, n): Shape) -> Ticket {
        let base = 1_774_224_000 + created;
        let after = |i: usize| delays[i].map(|d| at(base + d));
        Ticket {
            id: format!("T{n}"),
            created_at: Some(at(base)),
            escalated_at: after(0),
            first_human_response_at: after(1),
            resolved_at: after(2),
            ..Ticket::default()
        }
    }

    pub(super) fn shape() -> impl Strategy<Value = Shape> {
        let delay = proptest::option::of(-3_600i64..20 * 86_400);
        (
            0i64..21 * 86_400,
            [delay.clone(), delay.clone(), delay],
            0usize..4,
            proptest::option::of(0usize..4),
            0u64..1_000,
        )
    }

    /// The located instants are the ticket's, and answer as the calendar does.
    fn answers_are_the_calendars(
        policy: &CompiledPolicy,
        t: &Ticket,
        d: &Decision,
        instants: &Instants<'_>,
    ) {
        let calendar = &policy.calendar;
        assert_eq!(instants.created.map(|c| c.at), t.created_at);
        if let Some(created) = &instants.created {
            assert_eq!(created.hour_of_week(), calendar.hour_of_week(created.at));
            assert_eq!(created.is_open(), calendar.is_open(created.at));
        }
        let reads_start = d.rank > 0 || t.first_human_response_at.is_some();
        assert_eq!(
            instants.start.map(|s| s.at),
            t.clock_start().filter(|_| reads_start)
        );
        let Some(start) = instants.start else { return };
        assert_eq!(start.is_open(), calendar.is_open(start.at));
        let targets = policy
            .tier(d.rank)
            .zip(d.priority)
            .map(|(tier, priority)| tier.sla_for(priority))
            .unwrap_or_default();
        for target in Target::ALL {
            if let Some(budget) = targets.get(target) {
                assert_eq!(
                    start.add(budget),
                    calendar.add(start.at, budget),
                    "{target:?}"
                );
            }
        }
        if let Some(reply) = t.first_human_response_at {
            assert_eq!(start.elapsed_to(reply), calendar.elapsed(start.at, reply));
        }
    }

    proptest! {
        #[test]
        fn shared_answers_are_each_metrics_own(shapes in proptest::collection::vec(shape(), 1..40)) {
            let policy = policy();
            let available = Available {
                resolved_tier: false,
                resolved_at: true,
                escalated_at: true,
                first_human_response_at: true,
            };
            let fresh = || Metrics::new(&policy);
            let (mut own, mut own_group, mut shared, mut shared_group) =
                (fresh(), fresh(), fresh(), fresh());
            let (mut own_events, mut shared_events) = (Vec::new(), Vec::new());
            for shape in shapes {
                let t = ticket(shape);
                let d = Decision {
                    rank: shape.2 % policy.routes.len(),
                    priority: shape.3,
                    ..Decision::default()
                };
                own.record(&policy, available, &t, &d, 0, &mut own_events);
                own_group.record(&policy, available, &t, &d, 0, &mut Vec::new());
                let instants = Instants::of(&policy, &t, &d);
                answers_are_the_calendars(&policy, &t, &d, &instants);
                shared.record_with(&policy, available, &t, &d, &instants, 0, &mut shared_events);
                shared_group.record_with(&policy, available, &t, &d, &instants, 0, &mut Vec::new());
            }
            // Unfinished: the counts kept by index joined to their maps, to be compared too.
            let json = |m: &Metrics| {
                let mut m = m.clone();
                m.fold_dense();
                serde_json::to_string(&m).unwrap()
            };
            prop_assert_eq!(json(&shared), json(&own));
            prop_assert_eq!(json(&shared_group), json(&own_group));
            prop_assert_eq!(shared_events, own_events);
        }
    }
}

/// The counts kept by index ([`Dense`]) are the maps' own: metrics counted by index, then
/// finished or merged from any split, serialise as metrics counted in the maps alone (a
/// [`Metrics`] without a [`Dense`]), for tickets of every route, history outcome (AI, each
/// tier, human tier unknown, unresolved), reason, and priority (some beyond the policy's, which
/// the maps count), SLA clocks settled at `--as-of` into the same tallies, and ids repeated
/// across the cells' example lists.
mod dense_counts {
    use super::shared_instants::{Shape, policy, shape, ticket};
    use super::*;
    use crate::engine::agreement::Available;
    use crate::engine::eval::ReasonKind;
    use proptest::prelude::*;

    type Extra = (Option<usize>, usize, usize);

    fn extra() -> impl Strategy<Value = Extra> {
        (proptest::option::of(0usize..6), 0usize..6, 0usize..4)
    }

    fn record(m: &mut Metrics, policy: &CompiledPolicy, tickets: &[(Shape, Extra)]) {
        let available = Available {
            resolved_tier: true,
            resolved_at: true,
            escalated_at: true,
            first_human_response_at: true,
        };
        let tiers = [
            None,
            Some("ai"),
            Some("L1"),
            Some("L2"),
            Some("L3"),
            Some("human"),
        ];
        let mut deferred = Vec::new();
        for &(shape, (priority, tier, reason)) in tickets {
            let mut t = ticket(shape);
            t.resolved_tier = tiers[tier].map(str::to_string);
            let d = Decision {
                rank: shape.2 % policy.routes.len(),
                priority,
                reason: ReasonKind::ALL.get(reason).copied(),
                ..Decision::default()
            };
            m.record(policy, available, &t, &d, 0, &mut deferred);
        }
        // Open clocks settled into the tallies, some breached, some pending.
        let as_of = Timestamp::from_second(1_774_224_000 + 14 * 86_400).unwrap();
        for event in deferred {
            m.settle(&event.event, event.at, event.at < as_of);
        }
    }

    proptest! {
        #[test]
        fn counts_by_index_are_the_maps(
            tickets in proptest::collection::vec((shape(), extra()), 1..60),
            split in 0usize..60,
        ) {
            let policy = policy();
            let as_of = Timestamp::from_second(1_774_224_000 + 30 * 86_400).unwrap();
            let json = |m: &Metrics| serde_json::to_string(m).unwrap();
            let mut maps = Metrics { dense: Dense::default(), ..Metrics::new(&policy) };
            record(&mut maps, &policy, &tickets);
            maps.finish(as_of);
            prop_assert!(maps.dense.confusion.is_empty());

            let mut dense = Metrics::new(&policy);
            record(&mut dense, &policy, &tickets);
            // Counted by index, not in the map.
            prop_assert!(dense.confusion.is_empty() && dense.by_reason.is_empty());
            dense.finish(as_of);
            prop_assert_eq!(json(&dense), json(&maps));

            // Split anywhere, merged into metrics that counted tickets themselves.
            let split = split.min(tickets.len());
            let (mut first, mut second) = (Metrics::new(&policy), Metrics::new(&policy));
            record(&mut first, &policy, &tickets[..split]);
            record(&mut second, &policy, &tickets[split..]);
            first.merge(second);
            first.finish(as_of);
            prop_assert_eq!(json(&first), json(&maps));
        }
    }

    #[test]
    fn reason_kinds_are_indexed_in_order() {
        for (index, kind) in ReasonKind::ALL.into_iter().enumerate() {
            assert_eq!(kind.index(), index);
        }
    }
}
