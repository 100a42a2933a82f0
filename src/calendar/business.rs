//! Business-time arithmetic on a policy's calendar, with jiff doing the time-zone work (DST
//! gaps and folds, holidays as civil dates) once per day of the calendar's day table, not on
//! every call.
//!
//! - `add`: the instant a business-time budget runs out, counted from a start instant.
//!   Durations in seconds consume working time; `n bd` moves to the same position in the
//!   working day `n` working days later (clamped to that day's close).
//! - `elapsed`: working seconds between two instants.
//! - `is_open`: whether an instant lies inside working hours.

use jiff::civil::Date;
use jiff::{SignedDuration, Span, Timestamp};

use super::BusinessCalendar;
use super::civil::LAST_DAY;
use super::day_table::Spans;
use super::duration::PolicyDuration;

/// How far ahead `add` searches for working time before giving up (a calendar whose only
/// working days are years apart is not a business calendar).
const MAX_DAYS: i32 = 3 * 366;

impl BusinessCalendar {
    /// Working intervals of a date as instants; empty on holidays and closed days. This is the
    /// definition; the arithmetic below reads it through the day table.
    pub fn intervals_on(&self, date: Date) -> Vec<(Timestamp, Timestamp)> {
        if self.holidays.contains(&date) {
            return Vec::new();
        }
        let weekday = date.weekday().to_monday_zero_offset() as usize;
        self.week[weekday]
            .iter()
            .filter_map(|&(start, end)| {
                Some((self.instant(date, start)?, self.instant(date, end)?))
            })
            .filter(|(s, e)| s < e)
            .collect()
    }

    /// The instant `seconds` after local midnight of `date` (24:00 is the next midnight). In a
    /// DST gap the later instant is used, in a fold the earlier (jiff's "compatible" rule).
    fn instant(&self, date: Date, seconds: u32) -> Option<Timestamp> {
        let midnight = date.to_datetime(jiff::civil::Time::midnight());
        let local = midnight
            .checked_add(Span::new().seconds(i64::from(seconds)))
            .ok()?;
        self.timezone.to_timestamp(local).ok()
    }

    /// The local date of an instant, as days since 1970-01-01.
    #[inline]
    fn local_day(&self, t: Timestamp) -> i64 {
        self.days.local_day(self, t)
    }

    /// The hour of the week of an instant in the calendar's zone: 0 is Monday 00:00–01:00.
    pub fn hour_of_week(&self, t: Timestamp) -> usize {
        let local = self.days.local_second(self, t);
        // 1970-01-01 was a Thursday (3 days after a Monday).
        let weekday = (local.div_euclid(86_400) + 3).rem_euclid(7);
        (weekday * 24 + local.rem_euclid(86_400) / 3600) as usize
    }

    #[inline]
    fn spans(&self, day: i64) -> Spans<'_> {
        self.days.spans(self, day)
    }

    pub fn is_open(&self, t: Timestamp) -> bool {
        // An interval of the previous day cannot reach into this one (ranges end by 24:00).
        self.spans(self.local_day(t))
            .iter()
            .any(|&(s, e)| s <= t && t < e)
    }

    /// Working seconds in `[from, to)`; 0 when `to <= from`. The days strictly between the
    /// first and the last are added up by [`super::day_table::DayTable::working_seconds`],
    /// so the cost does not grow with the distance.
    pub fn elapsed(&self, from: Timestamp, to: Timestamp) -> i64 {
        if to <= from {
            return 0;
        }
        let mut total = 0;
        let mut day = self.local_day(from);
        let last = self.local_day(to);
        if last - day > 14 {
            let edge = |day: i64| -> i64 {
                self.spans(day)
                    .iter()
                    .map(|&(s, e)| (s.max(from), e.min(to)))
                    .filter(|(s, e)| s < e)
                    .map(|(s, e)| e.as_second() - s.as_second())
                    .sum()
            };
            return edge(day) + self.days.working_seconds(self, day + 1, last) + edge(last);
        }
        while day <= last {
            for &(s, e) in self.spans(day).iter() {
                let (s, e) = (s.max(from), e.min(to));
                if s < e {
                    total += e.as_second() - s.as_second();
                }
            }
            match next_day(day) {
                Some(next) => day = next,
                None => break,
            }
        }
        total
    }

    /// The instant a business-time duration counted from `start` runs out; `None` when the
    /// calendar has no working time within reach.
    pub fn add(&self, start: Timestamp, duration: PolicyDuration) -> Option<Timestamp> {
        match duration {
            PolicyDuration::Seconds(seconds) => self.add_seconds(start, seconds as i64),
            PolicyDuration::BusinessDays(days) => self.add_days(start, days),
        }
    }

    fn add_seconds(&self, start: Timestamp, seconds: i64) -> Option<Timestamp> {
        let mut remaining = seconds;
        let mut day = self.local_day(start);
        for _ in 0..MAX_DAYS {
            for &(s, e) in self.spans(day).iter() {
                let s = s.max(start);
                if e <= s {
                    continue;
                }
                let available = e.as_second() - s.as_second();
                if remaining <= available {
                    return plus_seconds(s, remaining);
                }
                remaining -= available;
            }
            day = next_day(day)?;
        }
        None
    }

    fn add_days(&self, start: Timestamp, days: u32) -> Option<Timestamp> {
        // Move to the first working instant at or after `start`, and measure how far into its
        // working day it lies.
        let mut day = self.local_day(start);
        let mut position = None;
        for _ in 0..MAX_DAYS {
            let mut offset = 0;
            for &(s, e) in self.spans(day).iter() {
                if e > start {
                    offset += (start.max(s).as_second() - s.as_second()).max(0);
                    position = Some(offset);
                    break;
                }
                offset += e.as_second() - s.as_second();
            }
            if position.is_some() {
                break;
            }
            day = next_day(day)?;
        }
        let offset = position?;
        let mut remaining = days;
        for _ in 0..MAX_DAYS {
            day = next_day(day)?;
            let intervals = self.spans(day);
            if intervals.is_empty() {
                continue;
            }
            remaining -= 1;
            if remaining > 0 {
                continue;
            }
            let mut left = offset;
            for &(s, e) in intervals.iter() {
                let length = e.as_second() - s.as_second();
                if left < length {
                    return plus_seconds(s, left);
                }
                left -= length;
            }
            return intervals.last().map(|&(_, e)| e);
        }
        None
    }
}

/// `at` plus `seconds`: for an instant on a whole second (what ticket timestamps are) by adding
/// integers, else by jiff; the same instant either way, `None` past jiff's range.
#[inline]
fn plus_seconds(at: Timestamp, seconds: i64) -> Option<Timestamp> {
    if at.subsec_nanosecond() == 0 {
        return Timestamp::from_second(at.as_second().checked_add(seconds)?).ok();
    }
    plus_duration(at, seconds)
}

#[cold]
#[inline(never)]
fn plus_duration(at: Timestamp, seconds: i64) -> Option<Timestamp> {
    at.checked_add(SignedDuration::from_secs(seconds)).ok()
}

/// The day after `day`; `None` past the last date jiff represents.
fn next_day(day: i64) -> Option<i64> {
    (day < LAST_DAY).then_some(day + 1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::calendar::build_calendar;
    use crate::policy::load::load_bytes;

    fn calendar_with_problems(yaml: &str) -> (BusinessCalendar, usize) {
        let text = format!("version: 1\ncalendar:\n{yaml}");
        let loaded = load_bytes("t.yaml".into(), text.into_bytes()).unwrap();
        let (calendar, problems) = build_calendar(loaded.policy.calendar.as_ref());
        (calendar, problems.len())
    }

    fn calendar(yaml: &str) -> BusinessCalendar {
        let (calendar, problems) = calendar_with_problems(yaml);
        assert_eq!(problems, 0);
        calendar
    }

    fn berlin() -> BusinessCalendar {
        calendar(
            "  timezone: Europe/Berlin\n  hours: { mon-fri: \"09:00-18:00\", sat: \"10:00-14:00\" }\n  holidays: [2026-12-25, 2026-12-26]\n",
        )
    }

    fn at(text: &str) -> Timestamp {
        text.parse().unwrap()
    }

    #[test]
    fn friday_evening_fifteen_minutes_run_into_monday() {
        let cal = calendar("  timezone: UTC\n  hours: { mon-fri: \"09:00-18:00\" }\n");
        // Friday 2026-11-20 17:55 UTC: 5 minutes on Friday, 10 on Monday.
        let due = cal.add(at("2026-11-20T17:55:00Z"), PolicyDuration::Seconds(900));
        assert_eq!(due, Some(at("2026-11-23T09:10:00Z")));
        assert_eq!(
            cal.elapsed(at("2026-11-20T17:55:00Z"), at("2026-11-23T09:10:00Z")),
            900
        );
    }

    #[test]
    fn weekend_start_waits_for_opening() {
        let cal = calendar("  timezone: UTC\n  hours: { mon-fri: \"09:00-18:00\" }\n");
        let due = cal.add(at("2026-11-22T12:00:00Z"), PolicyDuration::Seconds(3600));
        assert_eq!(due, Some(at("2026-11-23T10:00:00Z")));
        assert!(!cal.is_open(at("2026-11-22T12:00:00Z")));
        assert!(cal.is_open(at("2026-11-23T09:00:00Z")));
        assert!(!cal.is_open(at("2026-11-23T18:00:00Z")));
    }

    #[test]
    fn holidays_are_skipped() {
        let cal = berlin();
        // Thursday 2026-12-24 17:30 CET (16:30Z): 30 min left; Fri 25 and Sat 26 are holidays;
        // Sunday is closed; Monday 28 opens 09:00 CET (08:00Z).
        let due = cal.add(at("2026-12-24T16:30:00Z"), PolicyDuration::Seconds(3600));
        assert_eq!(due, Some(at("2026-12-28T08:30:00Z")));
    }

    #[test]
    fn saturday_hours_count() {
        let cal = berlin();
        // Friday 2026-11-20 17:00 CET (16:00Z) + 2h: 1h Friday, 1h Saturday from 10:00.
        let due = cal.add(at("2026-11-20T16:00:00Z"), PolicyDuration::Seconds(7200));
        assert_eq!(due, Some(at("2026-11-21T10:00:00Z")));
    }

    #[test]
    fn dst_switch_keeps_wall_clock_hours() {
        // Europe/Berlin leaves summer time on Sunday 2026-10-25. Friday 17:00 CEST (15:00Z)
        // + 2h: 1h Friday, then Saturday 10:00 CEST (08:00Z) + 1h = 09:00Z. Monday after the
        // switch opens at 09:00 CET = 08:00Z.
        let cal = berlin();
        let due = cal.add(at("2026-10-23T15:00:00Z"), PolicyDuration::Seconds(7200));
        assert_eq!(due, Some(at("2026-10-24T09:00:00Z")));
        let monday = cal.add(at("2026-10-24T12:00:00Z"), PolicyDuration::Seconds(3600));
        // Saturday 14:00 CEST = 12:00Z is closing time, so Monday 09:00 CET + 1h = 09:00Z.
        assert_eq!(monday, Some(at("2026-10-26T09:00:00Z")));
        // A full working day after the switch is 9 hours of 3600 real seconds.
        assert_eq!(
            cal.elapsed(at("2026-10-26T00:00:00Z"), at("2026-10-27T00:00:00Z")),
            9 * 3600
        );
    }

    #[test]
    fn business_days_keep_the_position_in_the_day() {
        let cal = calendar("  timezone: UTC\n  hours: { mon-fri: \"09:00-18:00\" }\n");
        // Friday 17:55 + 1bd = Monday 17:55.
        let due = cal.add(at("2026-11-20T17:55:00Z"), PolicyDuration::BusinessDays(1));
        assert_eq!(due, Some(at("2026-11-23T17:55:00Z")));
        // Saturday (closed) + 1bd: starts Monday 09:00, due Tuesday 09:00.
        let due = cal.add(at("2026-11-21T12:00:00Z"), PolicyDuration::BusinessDays(1));
        assert_eq!(due, Some(at("2026-11-24T09:00:00Z")));
        // Wednesday 20:00 (after hours) + 2bd: Thursday 09:00 is the start, due Monday 09:00.
        let due = cal.add(at("2026-11-25T20:00:00Z"), PolicyDuration::BusinessDays(2));
        assert_eq!(due, Some(at("2026-11-30T09:00:00Z")));
    }

    #[test]
    fn long_spans_add_up_as_day_by_day() {
        let cal = berlin();
        let (from, to) = (at("2020-02-03T10:17:00Z"), at("2031-07-09T15:42:10Z"));
        let mut by_day = 0;
        let mut day = cal.local_day(from);
        while day <= cal.local_day(to) {
            for &(s, e) in cal.spans(day).iter() {
                let (s, e) = (s.max(from), e.min(to));
                if s < e {
                    by_day += e.as_second() - s.as_second();
                }
            }
            day += 1;
        }
        assert_eq!(cal.elapsed(from, to), by_day);
        // From the first to the last representable year, at once: the span adds up from its
        // parts, cut anywhere. (How fast is a benchmark's business, not a unit test's.)
        let (first, last) = (at("0001-01-01T00:00:00Z"), at("9999-12-30T00:00:00Z"));
        let whole = cal.elapsed(first, last);
        assert!(whole > 100_000 * 86_400, "{whole}");
        for cut in [
            "1899-12-31T23:30:00Z",
            "2026-03-29T01:00:00Z",
            "2199-06-15T08:59:59Z",
        ] {
            let cut = at(cut);
            assert_eq!(cal.elapsed(first, cut) + cal.elapsed(cut, last), whole);
        }
    }

    #[test]
    fn around_the_clock_is_wall_time() {
        let cal = BusinessCalendar::around_the_clock();
        let due = cal.add(at("2026-11-20T17:55:00Z"), PolicyDuration::Seconds(900));
        assert_eq!(due, Some(at("2026-11-20T18:10:00Z")));
        assert_eq!(
            cal.elapsed(at("2026-11-20T00:00:00Z"), at("2026-11-22T00:00:00Z")),
            172_800
        );
    }

    #[test]
    fn a_calendar_without_hours_never_runs_out() {
        let (cal, problems) = calendar_with_problems("  timezone: UTC\n  hours: {}\n");
        assert_eq!(problems, 1);
        assert_eq!(
            cal.add(at("2026-11-20T17:55:00Z"), PolicyDuration::Seconds(900)),
            None
        );
    }

    /// `add` (seconds), `elapsed` and `is_open` read through the day table give what the
    /// definition gives (`intervals_on` of the local date jiff names), for instants around
    /// Berlin's DST changes and the Christmas holidays of support.yaml's calendar, taken in an
    /// order that jumps back and forth between days.
    #[test]
    fn business_time_is_the_definitions_around_dst_and_holidays() {
        use super::super::civil::{date_of, epoch_day};
        use rand::seq::SliceRandom;
        use rand::{RngExt, SeedableRng};
        let cal = calendar(
            "  timezone: Europe/Berlin\n  hours: { mon-fri: \"09:00-18:00\", sat: \"10:00-14:00\" }\n  holidays: [2026-12-24, 2026-12-25, 2026-12-26, 2026-12-31, 2027-01-01]\n",
        );
        let local_day = |t: Timestamp| epoch_day(cal.timezone.to_datetime(t).date());
        let intervals = |day: i64| date_of(day).map_or_else(Vec::new, |d| cal.intervals_on(d));
        let add = |start: Timestamp, seconds: i64| -> Option<Timestamp> {
            let mut remaining = seconds;
            let first = local_day(start);
            for day in first..first + i64::from(MAX_DAYS) {
                for (s, e) in intervals(day) {
                    let s = s.max(start);
                    if e > s {
                        let available = e.as_second() - s.as_second();
                        if remaining <= available {
                            return s.checked_add(SignedDuration::from_secs(remaining)).ok();
                        }
                        remaining -= available;
                    }
                }
            }
            None
        };
        let elapsed = |from: Timestamp, to: Timestamp| -> i64 {
            (local_day(from)..=local_day(to))
                .flat_map(intervals)
                .map(|(s, e)| (s.max(from), e.min(to)))
                .filter(|(s, e)| s < e)
                .map(|(s, e)| e.as_second() - s.as_second())
                .sum()
        };
        let is_open = |t: Timestamp| {
            intervals(local_day(t))
                .iter()
                .any(|&(s, e)| s <= t && t < e)
        };
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(25);
        let mut starts = Vec::new();
        for around in [
            "2026-03-29T01:00:00Z",
            "2026-10-25T01:00:00Z",
            "2026-12-24T12:00:00Z",
            "2026-12-31T17:00:00Z",
        ] {
            let around = at(around).as_second();
            starts.extend((0..400).map(|_| around + rng.random_range(-4 * 86_400..4 * 86_400)));
            // Midnights and opening and closing times, local and UTC, ± 1 s.
            for hour in -96..96 {
                let edge = around.div_euclid(3600) * 3600 + hour * 3600;
                starts.extend([edge - 1, edge, edge + 1]);
            }
        }
        starts.shuffle(&mut rng);
        for second in starts {
            let start = Timestamp::from_second(second).unwrap();
            assert_eq!(cal.is_open(start), is_open(start), "{start}");
            for budget in [1, 900, 3600, 4 * 3600, 8 * 3600, 40 * 3600] {
                let due = cal.add(start, PolicyDuration::Seconds(budget as u64));
                assert_eq!(due, add(start, budget), "{start} + {budget}s");
                if let Some(due) = due {
                    assert_eq!(cal.elapsed(start, due), budget, "{start}..{due}");
                }
            }
            let to = Timestamp::from_second(second + rng.random_range(0..6 * 86_400)).unwrap();
            assert_eq!(cal.elapsed(start, to), elapsed(start, to), "{start}..{to}");
        }
    }

    proptest::proptest! {
        /// The integer sum `add` uses on whole-second instants is jiff's sum, up to the edges
        /// of jiff's range (past them both are `None`), and instants with a fraction (of
        /// either sign) go to jiff itself.
        #[test]
        fn plus_seconds_is_jiffs_sum(
            second in -377_705_116_800i64..=253_402_207_200,
            nanos in -999_999_999i32..=999_999_999,
            whole in proptest::bool::ANY,
            seconds in proptest::prop_oneof![0i64..100_000, 0i64..=700_000_000_000],
        ) {
            let nanos = if whole || second == 0 { 0 } else { nanos.abs() * second.signum() as i32 };
            if let Ok(at) = Timestamp::new(second, nanos) {
                proptest::prop_assert_eq!(
                    plus_seconds(at, seconds),
                    at.checked_add(SignedDuration::from_secs(seconds)).ok(),
                    "{} + {}", at, seconds
                );
            }
        }
    }
}
