//! The load the policy puts on each route: tickets by hour of the week of `created_at` in the
//! policy's time zone, and the span of days they arrived over (for tickets per tier per day).
//! Sums and a min/max, so it merges by addition whatever the thread count.

use jiff::Timestamp;

use crate::calendar::BusinessCalendar;
use crate::calendar::business::Located;

/// Hours in a week: the length of one route's row, Monday 00:00–01:00 first.
pub const HOURS_PER_WEEK: usize = 7 * 24;

/// Tickets per route (index 0 = `ai`) by hour of the week, and the first and last `created_at`.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Load {
    /// `by_route[rank][weekday * 24 + hour]`, weekday 0 = Monday.
    pub by_route: Vec<Vec<u64>>,
    pub first: Option<Timestamp>,
    pub last: Option<Timestamp>,
}

/// The hour of the week of `at` on the calendar's clock: 0 = Monday 00:00–01:00.
pub fn hour_of_week(calendar: &BusinessCalendar, at: Timestamp) -> usize {
    calendar.hour_of_week(at)
}

impl Load {
    /// Count a ticket created at `created` and routed to `rank`.
    pub fn record(&mut self, calendar: &BusinessCalendar, rank: usize, created: Timestamp) {
        self.record_located(rank, &calendar.locate(created));
    }

    /// [`Load::record`] of an instant already located on the calendar.
    #[inline]
    pub fn record_located(&mut self, rank: usize, created: &Located<'_>) {
        let hour = created.hour_of_week();
        let created = created.at;
        self.row(rank)[hour] += 1;
        self.first = Some(self.first.map_or(created, |f| f.min(created)));
        self.last = Some(self.last.map_or(created, |l| l.max(created)));
    }

    fn row(&mut self, rank: usize) -> &mut Vec<u64> {
        if self.by_route.len() <= rank {
            self.by_route.resize(rank + 1, vec![0; HOURS_PER_WEEK]);
        }
        &mut self.by_route[rank]
    }

    /// Add another worker's load.
    pub fn merge(&mut self, other: Load) {
        for (rank, row) in other.by_route.into_iter().enumerate() {
            for (mine, theirs) in self.row(rank).iter_mut().zip(row) {
                *mine += theirs;
            }
        }
        self.first = match (self.first, other.first) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        self.last = match (self.last, other.last) {
            (Some(a), Some(b)) => Some(a.max(b)),
            (a, b) => a.or(b),
        };
    }

    /// Calendar days from the first to the last `created_at`, both counted, on the calendar's
    /// clock (0 without tickets).
    pub fn days(&self, calendar: &BusinessCalendar) -> u64 {
        let (Some(first), Some(last)) = (self.first, self.last) else {
            return 0;
        };
        let date = |t: Timestamp| calendar.timezone.to_datetime(t).date();
        let (a, b) = (date(first), date(last));
        // Whole days between two civil dates; jiff's span in days cannot fail for dates it made.
        a.until((jiff::Unit::Day, b))
            .map_or(1, |span| span.get_days().unsigned_abs() as u64 + 1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::Weekday;

    /// The definition: the zone's civil time of the instant, by jiff.
    fn jiff_hour_of_week(calendar: &BusinessCalendar, at: Timestamp) -> usize {
        let civil = calendar.timezone.to_datetime(at);
        let day = match civil.weekday() {
            Weekday::Monday => 0,
            Weekday::Tuesday => 1,
            Weekday::Wednesday => 2,
            Weekday::Thursday => 3,
            Weekday::Friday => 4,
            Weekday::Saturday => 5,
            Weekday::Sunday => 6,
        };
        day * 24 + civil.hour() as usize
    }

    #[test]
    fn hour_of_week_is_jiffs_in_any_zone() {
        use rand::{RngExt, SeedableRng};
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(16);
        for zone in [
            "UTC",
            "Europe/Berlin",
            "America/New_York",
            "Asia/Kolkata",
            "Australia/Lord_Howe",
            "Pacific/Apia",
            "America/St_Johns",
        ] {
            let mut calendar = BusinessCalendar::around_the_clock();
            calendar.timezone = jiff::tz::TimeZone::get(zone).unwrap();
            for i in 0..20_000 {
                // Mostly 1900–2199 (the day table), some outside it, some with a fraction.
                let second = match i % 10 {
                    0 => rng.random_range(-377_000_000_000i64..377_000_000_000),
                    _ => rng.random_range(-2_208_988_800i64..7_258_118_400),
                };
                let nanos = if i % 3 == 0 {
                    rng.random_range(-999_999_999..1_000_000_000)
                } else {
                    0
                };
                let Ok(t) = Timestamp::new(
                    second,
                    if second == 0 {
                        0
                    } else {
                        nanos * second.signum() as i32
                    },
                ) else {
                    continue;
                };
                assert_eq!(
                    hour_of_week(&calendar, t),
                    jiff_hour_of_week(&calendar, t),
                    "{zone} {t}"
                );
            }
            // Around each transition of 2026.
            let start: Timestamp = "2026-01-01T00:00:00Z".parse().unwrap();
            for transition in calendar.timezone.following(start).take(4) {
                for delta in [-3601i64, -3600, -1, 0, 1, 3599, 3600] {
                    let t =
                        Timestamp::from_second(transition.timestamp().as_second() + delta).unwrap();
                    assert_eq!(
                        hour_of_week(&calendar, t),
                        jiff_hour_of_week(&calendar, t),
                        "{zone} {t}"
                    );
                }
            }
        }
    }

    #[test]
    fn hours_of_the_week_follow_the_policy_zone() {
        let mut calendar = BusinessCalendar::around_the_clock();
        calendar.timezone = jiff::tz::TimeZone::get("Europe/Berlin").unwrap();
        // Monday 2026-03-02 23:30 UTC is Tuesday 00:30 in Berlin.
        let t: Timestamp = "2026-03-02T23:30:00Z".parse().unwrap();
        assert_eq!(hour_of_week(&calendar, t), 24);
        let mut load = Load::default();
        load.record(&calendar, 2, t);
        load.record(&calendar, 0, "2026-03-08T22:59:00Z".parse().unwrap());
        assert_eq!(load.by_route.len(), 3);
        assert_eq!(load.by_route[2][24], 1);
        assert_eq!(load.by_route[0][HOURS_PER_WEEK - 1], 1);
        // Tuesday 3 March to Sunday 8 March: 6 days.
        assert_eq!(load.days(&calendar), 6);
        let mut merged = Load::default();
        merged.merge(load.clone());
        merged.merge(Load::default());
        assert_eq!(merged, load);
    }
}
