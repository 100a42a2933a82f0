use std::collections::BTreeMap;

use jiff::{SignedDuration, Timestamp};
use proptest::prelude::*;

use super::*;
use crate::engine::deferred::Settler;

fn at(text: &str) -> Timestamp {
    text.parse().unwrap()
}

/// Totals settled per (kind, happened).
type Totals = BTreeMap<(u32, bool), u64>;

/// A step of a worker's life: a clock pushed, an instant reached, or the reached settled.
#[derive(Debug, Clone)]
enum Step {
    Push { at: Timestamp, kind: u32 },
    Reach(Timestamp),
    Settle,
}

fn instant() -> impl Strategy<Value = Timestamp> {
    // Three hours around a base (several blocks, block bounds crossed), a third of them at a
    // fraction of a second, some before 1970 (negative seconds).
    let base = prop_oneof![Just(1_767_600_000i64), Just(-5_000i64)];
    (
        base,
        0i64..10_800,
        prop_oneof![2 => Just(0i32), 1 => 0i32..1_000_000_000],
    )
        .prop_map(|(base, second, nanos)| {
            Timestamp::new(base + second, 0).unwrap() + SignedDuration::new(0, nanos)
        })
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        6 => (instant(), 0u32..4).prop_map(|(at, kind)| Step::Push { at, kind }),
        // Few distinct seconds: many clocks share one (the counted case).
        3 => (0i64..40, 0u32..4).prop_map(|(n, kind)| Step::Push {
            at: Timestamp::new(1_767_600_000 + n * 300, 0).unwrap(),
            kind,
        }),
        1 => instant().prop_map(Step::Reach),
        1 => Just(Step::Settle),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2_000))]

    /// The counting settler settles what the general one settles, at every step: the same
    /// totals per kind, and the same distinct (instant, kind) pairs held.
    #[test]
    fn counts_what_the_general_settler_settles(
        steps in prop::collection::vec(step(), 0..300),
        as_of in prop::option::of(instant()),
        fixed in prop::option::weighted(0.1, instant()),
    ) {
        let mut general: Settler<u32> = Settler::new(fixed);
        let mut counted = Counted::new(fixed);
        let (mut expected, mut found) = (Totals::new(), Totals::new());
        for step in &steps {
            let mut one = |kind, happened| *expected.entry((kind, happened)).or_default() += 1;
            let mut many = |kind, happened, n| *found.entry((kind, happened)).or_default() += n;
            match step {
                Step::Push { at, kind } => {
                    general.push(*at, *kind, &mut one);
                    counted.push(*at, *kind, &mut many);
                }
                Step::Reach(at) => {
                    general.reach(Some(*at));
                    counted.reach(Some(*at));
                }
                Step::Settle => {
                    general.settle_reached(&mut one);
                    counted.settle_reached(&mut many);
                }
            }
            prop_assert_eq!(&found, &expected);
            prop_assert_eq!(counted.held(), general.held());
            prop_assert_eq!(counted.latest(), general.latest());
        }
        general.finish(as_of, &mut |kind, happened| {
            *expected.entry((kind, happened)).or_default() += 1
        });
        counted.finish(as_of, &mut |kind, happened, n| {
            *found.entry((kind, happened)).or_default() += n
        });
        prop_assert_eq!(found, expected);
    }
}

/// However many tickets fall due in the same hours, the blocks held stay the same: the
/// memory is bounded by the span of due times and the kinds, not by the tickets.
#[test]
fn memory_is_bounded_by_the_span_of_due_times_not_the_tickets() {
    let base = at("2026-01-05T18:00:00Z");
    let mut sizes = Vec::new();
    for tickets in [20_000u64, 200_000, 2_000_000] {
        let mut counted = Counted::new(None);
        let mut pending = 0u64;
        let mut note = |_, happened: bool, n| {
            assert!(!happened);
            pending += n;
        };
        // A pseudo-random due second within 10 hours after the base, for one of 13 kinds.
        let mut x = 0x9E37_79B9_7F4A_7C15u64;
        for _ in 0..tickets {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let due = base + SignedDuration::from_secs((x % 36_000) as i64);
            counted.push(due, ((x >> 32) % 13) as u32, &mut note);
            counted.reach(Some(base));
            counted.settle_reached(&mut note);
        }
        sizes.push((counted.blocks(), counted.held()));
        counted.finish(Some(base), &mut note);
        assert_eq!(pending, tickets, "{tickets} tickets");
    }
    // 36,000 seconds in blocks of 1,024 (and one more where the hours start mid-block), for 13
    // kinds; dense from the start on, whatever the number of tickets.
    let blocks = 13 * (36_000 / BLOCK as usize + 2);
    assert!(sizes.iter().all(|(b, _)| *b <= blocks), "{sizes:?}");
    assert_eq!(sizes[1].0, sizes[2].0, "{sizes:?}");
    // More distinct (second, kind) pairs, in the same blocks.
    assert!(sizes[2].1 > sizes[1].1, "{sizes:?}");
}

/// A second whose count is full for its block is held apart, exactly, not lost: a night's
/// tickets all due when the calendar opens.
#[test]
fn a_full_count_is_held_apart() {
    let due = at("2026-01-05T09:00:00Z");
    let mut counted = Counted::new(None);
    let mut totals = Totals::new();
    for _ in 0..600 {
        counted.push(due, 0, &mut |_, _, _| unreachable!("no fixed --as-of"));
    }
    counted.push(due, 1, &mut |_, _, _| unreachable!("no fixed --as-of"));
    assert_eq!(counted.exact.len(), 1);
    assert_eq!(counted.held(), 3);
    counted.finish(
        Some(due + SignedDuration::from_secs(1)),
        &mut |kind, happened, n| *totals.entry((kind, happened)).or_default() += n,
    );
    assert_eq!(totals, Totals::from([((0, true), 600), ((1, true), 1)]));
}

#[test]
fn a_dense_block_settles_from_where_it_was_left() {
    // At a block's start: every clock below is in one block.
    let base = Timestamp::new(BLOCK * 1_725_000, 0).unwrap();
    let mut counted = Counted::new(None);
    let mut settled = Vec::new();
    let mut note = |kind, happened, n| settled.push((kind, happened, n));
    for second in 0..(SPARSE_MAX as i64 + 10) {
        counted.push(base + SignedDuration::from_secs(second * 2), 1, &mut note);
    }
    assert!(matches!(
        counted.kinds[1].values().next(),
        Some(Block::Dense { .. })
    ));
    for read in [
        SignedDuration::from_secs(10),
        SignedDuration::from_millis(10_500),
        SignedDuration::from_secs(7),
    ] {
        counted.reach(Some(base + read));
        counted.settle_reached(&mut note);
    }
    assert_eq!(settled, [(1, true, 5), (1, true, 1)]);
    assert_eq!(counted.held(), SPARSE_MAX + 10 - 6);
}
