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
