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
        if self.holidays.contains(&date) || self.skipped(date) {
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

    /// Whether the zone skipped the whole date (Samoa's 2011-12-30): its midnight, moved past
    /// the gap, is the next date's. Its hours would otherwise land on the next date's.
    fn skipped(&self, date: Date) -> bool {
        self.instant(date, 24 * 3600)
            .is_some_and(|next| self.instant(date, 0) == Some(next))
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

    /// The instant as whole Unix seconds, when it is a whole second (what ticket timestamps
    /// are): the arithmetic is then on integers, else on jiff's instants ([`Instant`]).
    #[inline]
    fn whole(&self) -> Option<i64> {
        whole(self.at)
    }

    /// Whether the instant lies inside working hours.
    pub fn is_open(&self) -> bool {
        match self.whole() {
            Some(t) => self.is_open_at(t),
            None => self.is_open_at(self.at),
        }
    }

    #[inline]
    fn is_open_at<T: Instant>(&self, t: T) -> bool {
        // An interval of the previous day cannot reach into this one (ranges end by 24:00).
        self.day
            .spans()
            .iter()
            .any(|&(s, e)| T::bound(s) <= t && t < T::bound(e))
    }

    /// Working seconds in `[self, to)`; 0 when `to <= self`.
    pub fn elapsed_to(&self, to: Timestamp) -> i64 {
        if to <= self.at {
            return 0;
        }
        match (self.whole(), whole(to)) {
            (Some(from), Some(until)) => self.elapsed_between(from, until, to),
            _ => self.elapsed_between(self.at, to, to),
        }
    }

    /// [`Located::elapsed_to`] from `from` (this instant) to `to` (`until`'s instant), both
    /// later than `from`.
    #[inline]
    fn elapsed_between<T: Instant>(&self, from: T, to: T, until: Timestamp) -> i64 {
        let calendar = self.day.calendar();
        let last = calendar.days.local_day(calendar, until);
        let cut = |(s, e): (i64, i64)| -> i64 {
            let (s, e) = (T::bound(s).max(from), T::bound(e).min(to));
            if s < e { e.second() - s.second() } else { 0 }
        };
        let mut day = self.day;
        if last - day.day() > 14 {
            let edge = |spans: Spans<'_>| -> i64 { spans.iter().map(|&span| cut(span)).sum() };
            return edge(day.spans())
                + calendar.days.working_seconds(calendar, day.day() + 1, last)
                + edge(calendar.spans(last));
        }
        let mut total = 0;
        while day.day() <= last {
            total += day.spans().iter().map(|&span| cut(span)).sum::<i64>();
            if day.advance().is_none() {
                break;
            }
        }
        total
    }

    /// The instant a business-time duration counted from this one runs out; `None` when the
    /// calendar has no working time within reach.
    pub fn add(&self, duration: PolicyDuration) -> Option<Timestamp> {
        match (duration, self.whole()) {
            (PolicyDuration::Seconds(seconds), Some(start)) => {
                self.add_seconds(start, seconds as i64)
            }
            (PolicyDuration::Seconds(seconds), None) => self.add_seconds(self.at, seconds as i64),
            (PolicyDuration::BusinessDays(days), Some(start)) => self.add_days(start, days),
            (PolicyDuration::BusinessDays(days), None) => self.add_days(self.at, days),
        }
    }

    #[inline]
    fn add_seconds<T: Instant>(&self, start: T, seconds: i64) -> Option<Timestamp> {
        let mut remaining = seconds;
        let mut day = self.day;
        for _ in 0..MAX_DAYS {
            for &(s, e) in day.spans().iter() {
                let s = T::bound(s).max(start);
                if T::bound(e) <= s {
                    continue;
                }
                let available = e - s.second();
                if remaining <= available {
                    return s.plus(remaining);
                }
                remaining -= available;
            }
            day.advance()?;
        }
        None
    }

    #[inline]
    fn add_days<T: Instant>(&self, start: T, days: u32) -> Option<Timestamp> {
        // Move to the first working instant at or after `start`, and measure how far into its
        // working day it lies.
        let mut day = self.day;
        let mut position = None;
        for _ in 0..MAX_DAYS {
            let mut offset = 0;
            for &(s, e) in day.spans().iter() {
                if T::bound(e) > start {
                    offset += (start.max(T::bound(s)).second() - s).max(0);
                    position = Some(offset);
                    break;
                }
                offset += e - s;
            }
            if position.is_some() {
                break;
            }
            day.advance()?;
        }
        let offset = position?;
        // The `days`th date with working time after this one, from the table block's list
        // of them when it is in the same block (the common case), else day by day.
        if let Some(target) = day.open_after(days) {
            return at_offset(&target.spans(), offset);
        }
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
            return at_offset(&intervals, offset);
        }
        None
    }
}

/// The instant `offset` working seconds into a date's working intervals, or its close when
/// the date has fewer.
#[inline(always)]
fn at_offset(intervals: &[(i64, i64)], offset: i64) -> Option<Timestamp> {
    let mut left = offset;
    for &(s, e) in intervals {
        let length = e - s;
        if left < length {
            return s.plus(left);
        }
        left -= length;
    }
    intervals.last().and_then(|&(_, e)| e.plus(0))
}

/// `t` as whole Unix seconds, when it is a whole second.
#[inline]
fn whole(t: Timestamp) -> Option<i64> {
    (t.subsec_nanosecond() == 0).then(|| t.as_second())
}

/// An instant as [`Located`]'s arithmetic reads it against the day spans (whole Unix seconds,
/// [`Spans`]): a whole second as a plain integer, any other instant as jiff's `Timestamp`. One
/// algorithm, the same answers: a span bound and a whole-second instant compare as their
/// seconds do.
trait Instant: Copy + Ord {
    /// A span bound as an instant of this kind.
    fn bound(second: i64) -> Self;
    /// `Timestamp::as_second` of the instant.
    fn second(self) -> i64;
    /// The instant `seconds` later; `None` past jiff's range.
    fn plus(self, seconds: i64) -> Option<Timestamp>;
}

impl Instant for i64 {
    #[inline]
    fn bound(second: i64) -> i64 {
        second
    }

    #[inline]
    fn second(self) -> i64 {
        self
    }

    #[inline]
    fn plus(self, seconds: i64) -> Option<Timestamp> {
        Timestamp::from_second(self.checked_add(seconds)?).ok()
    }
}

impl Instant for Timestamp {
    fn bound(second: i64) -> Timestamp {
        // Span bounds come from instants (`intervals_on`): always in jiff's range.
        Timestamp::from_second(second).unwrap_or(if second < 0 {
            Timestamp::MIN
        } else {
            Timestamp::MAX
        })
    }

    fn second(self) -> i64 {
        self.as_second()
    }

    fn plus(self, seconds: i64) -> Option<Timestamp> {
        plus_seconds(self, seconds)
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
