//! Streaming statistics: counters with their denominators, and percentiles from a histogram
//! that merges by addition (so results do not depend on how the work was split).

use hdrhistogram::Histogram;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Largest duration recorded: 20,000 years in seconds, more than lies between any two
/// timestamps (years -9999 to 9999), so no duration is ever clamped.
const MAX_SECONDS: u64 = 20_000 * 366 * 86_400;

/// A duration distribution in whole seconds: exact below 2,048 s, then 3 significant digits;
/// a percentile reports the lowest value of its bucket (so whole minutes stay exact below
/// 8,192 s).
#[derive(Debug, Clone, Default)]
pub struct Durations {
    /// Made once [`BEFORE_HISTOGRAM`] values are held: a histogram takes 16 KB empty and
    /// about 100 KB for durations of weeks, while most `--by` groups (a date and an hour)
    /// never hold that many; their values stay in `pending`.
    histogram: Option<Histogram<u64>>,
    /// Values not yet in the histogram: they go in [`PENDING`] at a time, so the histogram's
    /// counters are touched in bursts that find them in the cache (one value per ticket,
    /// between two tickets' parsing, missed it nearly every time). Counts add up in any order,
    /// so the histogram, and every figure read from it, is the same.
    pending: Vec<u64>,
}

/// Values a [`Durations`] holds before it records them.
const PENDING: usize = 256;

/// Values a [`Durations`] holds before it makes its histogram: 16 KB, what an empty histogram
/// takes, so a small `--by` group (a date and an hour) never makes one.
const BEFORE_HISTOGRAM: usize = 2_048;

/// An empty histogram. Auto-resizing: it takes memory for the range its values span, not for
/// the 20,000 years it may have to hold (every `--by` group has several). The buckets, and so
/// every percentile, are the same as with a fixed range. Constant, valid precision: this
/// cannot fail.
fn new_histogram() -> Histogram<u64> {
    Histogram::new(3).expect("valid histogram precision")
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
        self.record_value(u64::try_from(seconds).unwrap_or(0).min(MAX_SECONDS));
    }

    /// Record a value already within `0..=MAX_SECONDS`.
    #[inline]
    fn record_value(&mut self, value: u64) {
        if self.pending.capacity() == 0 {
            self.pending.reserve_exact(PENDING);
        }
        self.pending.push(value);
        if self.pending.len() >= PENDING
            && (self.histogram.is_some() || self.pending.len() >= BEFORE_HISTOGRAM)
        {
            self.flush();
        }
    }

    /// Record the pending values.
    fn flush(&mut self) {
        let histogram = self.histogram.get_or_insert_with(new_histogram);
        for value in self.pending.drain(..) {
            // The histogram grows to hold any value up to MAX_SECONDS, so this cannot fail.
            let _ = histogram.record(value);
        }
        // After the first flush, bursts of PENDING values again.
        self.pending.shrink_to(PENDING);
    }

    /// The histogram with every value recorded (a copy only while values are pending, which
    /// happens when a report is read, not per ticket).
    fn whole(&self) -> std::borrow::Cow<'_, Histogram<u64>> {
        match &self.histogram {
            Some(histogram) if self.pending.is_empty() => std::borrow::Cow::Borrowed(histogram),
            held => {
                let mut histogram = held.clone().unwrap_or_else(new_histogram);
                for &value in &self.pending {
                    let _ = histogram.record(value);
                }
                std::borrow::Cow::Owned(histogram)
            }
        }
    }

    pub fn merge(&mut self, other: &Durations) {
        if let Some(theirs) = &other.histogram {
            match &mut self.histogram {
                Some(ours) => {
                    let _ = ours.add(theirs);
                }
                None => self.histogram = Some(theirs.clone()),
            }
        }
        for &value in &other.pending {
            self.record_value(value);
        }
    }

    pub fn len(&self) -> u64 {
        self.histogram.as_ref().map_or(0, Histogram::len) + self.pending.len() as u64
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The nearest-rank percentile `numerator / denominator`: the ⌈p·n⌉-th smallest value,
    /// computed in integers.
    pub fn percentile(&self, numerator: u64, denominator: u64) -> Option<u64> {
        let histogram = self.whole();
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
        let h = self.whole();
        serializer.collect_seq(h.iter_recorded().map(|b| {
            (
                h.lowest_equivalent(b.value_iterated_to()),
                b.count_at_value(),
            )
        }))
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
            durations
                .histogram
                .get_or_insert_with(new_histogram)
                .record_n(value, count)
                .map_err(|e| D::Error::custom(format!("{e:?}")))?;
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

    /// Values held pending read, merge and serialise as values recorded one by one: any count
    /// around the burst size, merged with pending values on either side.
    #[test]
    fn pending_values_are_the_histograms() {
        use rand::{RngExt, SeedableRng};
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(16);
        let direct = |values: &[i64]| {
            let mut histogram = Histogram::new(3).unwrap();
            for &v in values {
                histogram
                    .record(u64::try_from(v).unwrap_or(0).min(MAX_SECONDS))
                    .unwrap();
            }
            Durations {
                histogram: Some(histogram),
                pending: Vec::new(),
            }
        };
        for n in [
            0, 1, 255, 256, 257, 511, 512, 1000, 2047, 2048, 2049, 2304, 3000, 5000,
        ] {
            let values: Vec<i64> = (0..n)
                .map(|i| match i % 4 {
                    0 => rng.random_range(-10..5_000),
                    1 => rng.random_range(0..10_000_000),
                    2 => rng.random_range(0..i64::MAX),
                    _ => rng.random_range(0..200_000),
                })
                .collect();
            let expected = direct(&values);
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
                assert_eq!(
                    serde_json::to_string(d).unwrap(),
                    serde_json::to_string(&expected).unwrap()
                );
                for p in [1, 10, 50, 90, 99, 100] {
                    assert_eq!(
                        d.percentile(p, 100),
                        expected.percentile(p, 100),
                        "{n} p{p}"
                    );
                }
            }
        }
    }

    /// A `--by` group with fewer than BEFORE_HISTOGRAM values holds them in a list, not in a histogram
    /// (16 KB empty, ~100 KB for weeks of durations): `--by date,hour` over 1M tickets makes
    /// 2,880 groups of four each. A merge keeps it so; a burst, or a merge with a histogram,
    /// makes one.
    #[test]
    fn durations_of_a_small_group_hold_no_histogram() {
        let mut d = Durations::default();
        for v in 0..(BEFORE_HISTOGRAM as i64 - 1) {
            d.record(v * 1_000_003);
        }
        assert!(d.histogram.is_none());
        assert_eq!(d.len(), BEFORE_HISTOGRAM as u64 - 1);
        let mut small = Durations::default();
        small.record(5);
        let mut merged = Durations::default();
        merged.merge(&small);
        merged.merge(&Durations::default());
        assert!(merged.histogram.is_none());
        assert_eq!(merged.spread(), small.spread());
        d.record(7);
        assert!(d.histogram.is_some());
        merged.merge(&d);
        assert!(merged.histogram.is_some());
        assert_eq!(merged.len(), BEFORE_HISTOGRAM as u64 + 1);
        // Bursts of PENDING again once the histogram is made.
        assert!(d.pending.capacity() <= PENDING);
        let empty: Durations = serde_json::from_str("[]").unwrap();
        assert!(empty.is_empty() && empty.histogram.is_none());
        assert_eq!(serde_json::to_string(&empty).unwrap(), "[]");
    }

    #[test]
    fn rates_round_to_four_decimals() {
        assert_eq!(Count::new(1, 3).fraction(), Some(0.3333));
        assert_eq!(Count::new(0, 0).fraction(), None);
        assert!(Count::new(5, 29).small_sample());
        assert!(!Count::new(5, 30).small_sample());
    }
}
