//! Streaming statistics: counters with their denominators, and percentiles from a histogram
//! that merges by addition (so results do not depend on how the work was split).

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Largest duration recorded: 20,000 years in seconds, more than lies between any two
/// timestamps (years -9999 to 9999), so no duration is ever clamped.
const MAX_SECONDS: u64 = 20_000 * 366 * 86_400;

/// A duration distribution in whole seconds: exact below 2,048 s, then 3 significant digits;
/// a percentile reports the lowest value of its bucket (so whole minutes stay exact below
/// 8,192 s).
///
/// The counts are kept per bucket of an HDR histogram of 3 significant digits
/// (`hdrhistogram::Histogram::new(3)`, [`bucket`]), but counted here: HDR's `record` took 86
/// instructions a value, [`bucket`] a handful (docs/performance.md, issue 16 round 8). The same
/// buckets hold the same counts and are read in the same order, so every percentile, partial
/// and merge is the histogram's (the tests compare them with it).
#[derive(Debug, Clone, Default)]
pub struct Durations {
    /// Values per bucket; as long as the largest bucket recorded needs.
    counts: Vec<u64>,
    /// Values recorded (saturating, as HDR's total).
    total: u64,
}

/// `Histogram::new(3)`'s buckets: 2,048 of one second each below 2,048 s, then 1,024 per power
/// of two, each a power of two wide (HDR's `index_for` with a unit of 1 and 2,048 sub-buckets).
#[inline]
fn bucket(value: u64) -> usize {
    // The power of two above the first 2,048 values: 0 below 4,096 (HDR's `bucket_for`).
    let power = 53 - (value | 2047).leading_zeros();
    ((power as usize + 1) << 10) + (value >> power) as usize - 1024
}

/// The lowest value of a bucket of [`bucket`] (HDR's `lowest_equivalent` of its values).
fn lowest_of(bucket: usize) -> u64 {
    let sub = (bucket & 1023) as u64;
    match (bucket >> 10).checked_sub(1) {
        None => sub,
        Some(power) => (sub + 1024) << power,
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Spread {
    pub n: u64,
    /// Nearest-rank percentiles in whole seconds; `None` without data.
    pub median: Option<u64>,
    pub p90: Option<u64>,
}

impl Durations {
    pub fn record(&mut self, seconds: i64) {
        let value = u64::try_from(seconds).unwrap_or(0).min(MAX_SECONDS);
        self.add(bucket(value), 1);
    }

    /// Count `count` values in `bucket`.
    #[inline]
    fn add(&mut self, bucket: usize, count: u64) {
        if bucket >= self.counts.len() {
            self.grow(bucket);
        }
        self.counts[bucket] = self.counts[bucket].saturating_add(count);
        self.total = self.total.saturating_add(count);
    }

    /// Room up to `bucket`'s power of two (a few times per distribution), and no more: a
    /// `--by` group holds several distributions.
    #[cold]
    #[inline(never)]
    fn grow(&mut self, bucket: usize) {
        let len = (bucket | 1023) + 1;
        self.counts.reserve_exact(len - self.counts.len());
        self.counts.resize(len, 0);
    }

    /// The non-empty buckets in value order, as `(lowest value, count)`: what an HDR
    /// histogram of the same values iterates as its recorded values.
    fn buckets(&self) -> impl Iterator<Item = (u64, u64)> + '_ {
        self.counts
            .iter()
            .enumerate()
            .filter(|(_, count)| **count > 0)
            .map(|(bucket, &count)| (lowest_of(bucket), count))
    }

    pub fn merge(&mut self, other: &Durations) {
        for (bucket, &count) in other.counts.iter().enumerate() {
            if count > 0 {
                self.add(bucket, count);
            }
        }
    }

    pub fn len(&self) -> u64 {
        self.total
    }

    pub fn is_empty(&self) -> bool {
        self.total == 0
    }

    /// The nearest-rank percentile `numerator / denominator`: the ⌈p·n⌉-th smallest value,
    /// computed in integers.
    pub fn percentile(&self, numerator: u64, denominator: u64) -> Option<u64> {
        let n = self.total;
        if n == 0 {
            return None;
        }
        let rank = (numerator * n).div_ceil(denominator).max(1);
        let mut seen = 0u64;
        for (lowest, count) in self.buckets() {
            seen = seen.saturating_add(count);
            if seen >= rank {
                return Some(lowest);
            }
        }
        None
    }

    pub fn spread(&self) -> Spread {
        Spread {
            n: self.len(),
            median: self.percentile(1, 2),
            p90: self.percentile(9, 10),
        }
    }
}

/// In a partial (`replay --partial-out`): the recorded buckets as `[lowest value, count]`
/// pairs in value order. Recording each lowest value again fills the same buckets, so every
/// percentile and every merge is as before.
impl Serialize for Durations {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.buckets())
    }
}

impl<'de> Deserialize<'de> for Durations {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        use serde::de::Error;
        let mut durations = Durations::default();
        for (value, count) in Vec::<(u64, u64)>::deserialize(deserializer)? {
            if value > MAX_SECONDS {
                return Err(D::Error::custom(format!(
                    "a duration of {value} s is beyond the largest ({MAX_SECONDS} s)"
                )));
            }
            durations.add(bucket(value), count);
        }
        Ok(durations)
    }
}

/// A rate: numerator over denominator, with the fraction rounded to 4 decimals.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Count {
    pub numerator: u64,
    pub denominator: u64,
}

impl Count {
    pub fn new(numerator: u64, denominator: u64) -> Count {
        Count {
            numerator,
            denominator,
        }
    }

    pub fn fraction(&self) -> Option<f64> {
        (self.denominator > 0).then(|| {
            let raw = self.numerator as f64 / self.denominator as f64;
            (raw * 10_000.0).round() / 10_000.0
        })
    }

    /// Rates on fewer than 30 tickets are flagged.
    pub fn small_sample(&self) -> bool {
        self.denominator < 30
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use hdrhistogram::Histogram;

    /// The nearest-rank percentile of an HDR histogram, as `Durations` computed it when it held
    /// one: the ⌈p·n⌉-th smallest value, as the lowest value of its bucket.
    fn percentile_of(histogram: &Histogram<u64>, numerator: u64, denominator: u64) -> Option<u64> {
        let n = histogram.len();
        if n == 0 {
            return None;
        }
        let rank = (numerator * n).div_ceil(denominator).max(1);
        let mut seen = 0;
        for bucket in histogram.iter_recorded() {
            seen += bucket.count_at_value();
            if seen >= rank {
                return Some(histogram.lowest_equivalent(bucket.value_iterated_to()));
            }
        }
        None
    }

    /// An HDR histogram's recorded buckets as `[lowest value, count]` pairs, as `Durations`
    /// serialised them when it held one.
    fn buckets_of(histogram: &Histogram<u64>) -> Vec<(u64, u64)> {
        histogram
            .iter_recorded()
            .map(|b| {
                (
                    histogram.lowest_equivalent(b.value_iterated_to()),
                    b.count_at_value(),
                )
            })
            .collect()
    }

    #[test]
    fn nearest_rank_percentiles() {
        let mut d = Durations::default();
        for v in [10, 20, 30, 40, 50, 60, 70, 80, 90, 100] {
            d.record(v);
        }
        // ⌈0.5·10⌉ = 5th smallest, ⌈0.9·10⌉ = 9th smallest.
        assert_eq!(d.percentile(1, 2), Some(50));
        assert_eq!(d.percentile(9, 10), Some(90));
        let mut single = Durations::default();
        single.record(7);
        assert_eq!(
            single.spread(),
            Spread {
                n: 1,
                median: Some(7),
                p90: Some(7)
            }
        );
        assert_eq!(Durations::default().percentile(1, 2), None);
    }

    #[test]
    fn merging_equals_recording_together() {
        let (mut a, mut b, mut all) = (
            Durations::default(),
            Durations::default(),
            Durations::default(),
        );
        for v in 0..1000 {
            if v % 3 == 0 {
                a.record(v * 37)
            } else {
                b.record(v * 37)
            }
            all.record(v * 37);
        }
        a.merge(&b);
        assert_eq!(a.spread(), all.spread());
    }

    #[test]
    fn durations_round_trip_through_their_buckets() {
        let mut d = Durations::default();
        for v in [0, 1, 7, 2047, 2048, 5000, 86_400, 3_000_000, 3_000_001] {
            d.record(v);
        }
        let json = serde_json::to_string(&d).unwrap();
        let back: Durations = serde_json::from_str(&json).unwrap();
        assert_eq!(back.spread(), d.spread());
        assert_eq!(serde_json::to_string(&back).unwrap(), json);
        for p in 1..=100 {
            assert_eq!(back.percentile(p, 100), d.percentile(p, 100), "p{p}");
        }
        assert!(serde_json::from_str::<Durations>("[[1e30, 1]]").is_err());
    }

    /// Counted by bucket, values read, merge and serialise as in an HDR histogram that records
    /// them one by one: any number of values, from 0 to past the largest duration, merged from
    /// parts.
    #[test]
    fn bucket_counts_are_the_histograms() {
        use rand::{RngExt, SeedableRng};
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(16);
        let direct = |values: &[i64]| {
            let mut histogram = Histogram::new(3).unwrap();
            for &v in values {
                histogram
                    .record(u64::try_from(v).unwrap_or(0).min(MAX_SECONDS))
                    .unwrap();
            }
            histogram
        };
        for n in [0, 1, 255, 256, 257, 511, 512, 1000, 3000] {
            let values: Vec<i64> = (0..n)
                .map(|i| match i % 4 {
                    0 => rng.random_range(-10..5_000),
                    1 => rng.random_range(0..10_000_000),
                    2 => rng.random_range(0..i64::MAX),
                    _ => rng.random_range(0..200_000),
                })
                .collect();
            let expected = direct(&values);
            let expected_json = serde_json::to_string(&buckets_of(&expected)).unwrap();
            let (mut one, mut a, mut b) = (
                Durations::default(),
                Durations::default(),
                Durations::default(),
            );
            for (i, &v) in values.iter().enumerate() {
                one.record(v);
                if i % 5 < 2 { a.record(v) } else { b.record(v) }
            }
            a.merge(&b);
            for d in [&one, &a] {
                assert_eq!(d.len(), expected.len(), "{n}");
                assert_eq!(d.is_empty(), n == 0);
                assert_eq!(serde_json::to_string(d).unwrap(), expected_json);
                for p in [1, 10, 50, 90, 99, 100] {
                    assert_eq!(
                        d.percentile(p, 100),
                        percentile_of(&expected, p, 100),
                        "{n} p{p}"
                    );
                }
            }
        }
    }

    use proptest::prelude::Strategy as _;

    proptest::proptest! {
        /// A value's bucket holds exactly the values HDR counts with it: its lowest value is
        /// HDR's lowest equivalent, and the next bucket starts at HDR's next non-equivalent
        /// value (so buckets are neither split nor merged), from 0 to the largest duration.
        #[test]
        fn buckets_are_hdrs(
            value in proptest::prop_oneof![
                0u64..5_000,
                0u64..10_000_000,
                0u64..=MAX_SECONDS,
                (11u32..40).prop_flat_map(|p| (1u64 << p) - 2..(1u64 << p) + 2),
            ],
        ) {
            let mut histogram = Histogram::<u64>::new(3).unwrap();
            histogram.record(value).unwrap();
            let at = bucket(value);
            proptest::prop_assert_eq!(lowest_of(at), histogram.lowest_equivalent(value));
            proptest::prop_assert_eq!(lowest_of(at + 1), histogram.next_non_equivalent(value));
            let mut d = Durations::default();
            d.record(value as i64);
            proptest::prop_assert_eq!(d.percentile(1, 2), percentile_of(&histogram, 1, 2));
        }
    }

    #[test]
    fn rates_round_to_four_decimals() {
        assert_eq!(Count::new(1, 3).fraction(), Some(0.3333));
        assert_eq!(Count::new(0, 0).fraction(), None);
        assert!(Count::new(5, 29).small_sample());
        assert!(!Count::new(5, 30).small_sample());
    }
}
