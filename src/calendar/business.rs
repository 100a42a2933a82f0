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
use super::day_table::{DayCursor, Spans};
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
    #[cfg(test)]
    fn local_day(&self, t: Timestamp) -> i64 {
        self.days.local_day(self, t)
    }

    /// The hour of the week of an instant in the calendar's zone: 0 is Monday 00:00–01:00.
    pub fn hour_of_week(&self, t: Timestamp) -> usize {
        hour_of_week(self.days.local_second(self, t))
    }

    #[inline]
    fn spans(&self, day: i64) -> Spans<'_> {
        self.days.spans(self, day)
    }

    /// An instant with its local time and date looked up once, for several questions about it
    /// ([`Located`]).
    #[inline]
    pub fn locate(&self, t: Timestamp) -> Located<'_> {
        let (local, day) = DayCursor::locate(self, t);
        Located { at: t, local, day }
    }

    pub fn is_open(&self, t: Timestamp) -> bool {
        self.locate(t).is_open()
    }

    /// Working seconds in `[from, to)`; 0 when `to <= from`. The days strictly between the
    /// first and the last are added up by [`super::day_table::DayTable::working_seconds`],
    /// so the cost does not grow with the distance.
    pub fn elapsed(&self, from: Timestamp, to: Timestamp) -> i64 {
        if to <= from {
            return 0;
        }
        self.locate(from).elapsed_to(to)
    }

    /// The instant a business-time duration counted from `start` runs out; `None` when the
    /// calendar has no working time within reach.
    pub fn add(&self, start: Timestamp, duration: PolicyDuration) -> Option<Timestamp> {
        self.locate(start).add(duration)
    }
}

/// The hour of the week of a local wall-clock second ([`super::day_table::DayTable::local_second`]).
#[inline]
fn hour_of_week(local: i64) -> usize {
    // 1970-01-01 was a Thursday (3 days after a Monday).
    let weekday = (local.div_euclid(86_400) + 3).rem_euclid(7);
    (weekday * 24 + local.rem_euclid(86_400) / 3600) as usize
}

/// An instant of a calendar with its local wall-clock time and a cursor on its local date,
/// looked up once: a ticket's clock start serves both SLA clocks, its hand-offs and its
/// business response time, its creation the hour of the week and "opened outside hours".
/// Every answer is the calendar's for the instant ([`BusinessCalendar::add`], `elapsed`,
/// `is_open`, `hour_of_week` are these, after [`BusinessCalendar::locate`]).
#[derive(Debug, Clone, Copy)]
pub struct Located<'a> {
    pub at: Timestamp,
    /// [`super::day_table::DayTable::local_second`] of `at`.
    local: i64,
    /// On the local date of `at`.
    day: DayCursor<'a>,
}

impl Located<'_> {
    /// The hour of the week in the calendar's zone: 0 is Monday 00:00–01:00.
    #[inline]
    pub fn hour_of_week(&self) -> usize {
        hour_of_week(self.local)
    }

    /// Whether the instant lies inside working hours.
    pub fn is_open(&self) -> bool {
        let t = self.at;
        // An interval of the previous day cannot reach into this one (ranges end by 24:00).
        self.day.spans().iter().any(|&(s, e)| s <= t && t < e)
    }

    /// Working seconds in `[self, to)`; 0 when `to <= self`.
    pub fn elapsed_to(&self, to: Timestamp) -> i64 {
        let from = self.at;
        if to <= from {
            return 0;
        }
        let calendar = self.day.calendar();
        let last = calendar.days.local_day(calendar, to);
        let mut day = self.day;
        if last - day.day() > 14 {
            let edge = |spans: Spans<'_>| -> i64 {
                spans
                    .iter()
                    .map(|&(s, e)| (s.max(from), e.min(to)))
                    .filter(|(s, e)| s < e)
                    .map(|(s, e)| e.as_second() - s.as_second())
                    .sum()
            };
            return edge(day.spans())
                + calendar.days.working_seconds(calendar, day.day() + 1, last)
                + edge(calendar.spans(last));
        }
        let mut total = 0;
        while day.day() <= last {
            for &(s, e) in day.spans().iter() {
                let (s, e) = (s.max(from), e.min(to));
                if s < e {
                    total += e.as_second() - s.as_second();
                }
            }
            if day.advance().is_none() {
                break;
            }
        }
        total
    }

    /// The instant a business-time duration counted from this one runs out; `None` when the
    /// calendar has no working time within reach.
    pub fn add(&self, duration: PolicyDuration) -> Option<Timestamp> {
        match duration {
            PolicyDuration::Seconds(seconds) => self.add_seconds(seconds as i64),
            PolicyDuration::BusinessDays(days) => self.add_days(days),
        }
    }

    fn add_seconds(&self, seconds: i64) -> Option<Timestamp> {
        let start = self.at;
        let mut remaining = seconds;
        let mut day = self.day;
        for _ in 0..MAX_DAYS {
            for &(s, e) in day.spans().iter() {
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
            day.advance()?;
        }
        None
    }

    fn add_days(&self, days: u32) -> Option<Timestamp> {
        let start = self.at;
        // Move to the first working instant at or after `start`, and measure how far into its
        // working day it lies.
        let mut day = self.day;
        let mut position = None;
        for _ in 0..MAX_DAYS {
            let mut offset = 0;
            for &(s, e) in day.spans().iter() {
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
            day.advance()?;
        }
        let offset = position?;
        let mut remaining = days;
        for _ in 0..MAX_DAYS {
            day.advance()?;
            let intervals = day.spans();
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

#[cfg(test)]
mod tests;
