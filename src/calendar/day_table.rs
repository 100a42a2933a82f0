//! A business calendar laid out day by day, so that business-time arithmetic on millions of
//! tickets does no time-zone conversion and no allocation per call.
//!
//! Days are numbered from the Unix epoch (day 0 = 1970-01-01), both as local dates of the
//! calendar's zone and as UTC days of instants. The table is filled lazily in blocks of
//! 128 days; each block holds, per local date, the working intervals as whole Unix seconds
//! (exactly the instants [`BusinessCalendar::intervals_on`] computes) and the UTC offsets in force over
//! its UTC days (from the zone's transitions), which turn an instant into its local date. A
//! block is written once and then only read, so worker threads share one table.
//!
//! Dates outside the covered range (1900–2199) are computed on each call, as before.

use std::borrow::Cow;
use std::sync::OnceLock;

use jiff::Timestamp;

use super::BusinessCalendar;
use super::civil::{LAST_DAY, date_of, epoch_day};

pub(super) const BLOCK_DAYS: i64 = 128;
// [`DayBlock::open_days`] holds a block's day indices as bytes.
const _: () = assert!(BLOCK_DAYS < 256);
/// 1900-01-01.
pub(super) const FIRST_DAY: i64 = -25_567;
/// Enough blocks to reach past 2199-12-31 (day 84,005).
const BLOCKS: usize = 857;

/// [`DayBlock::day_offset`] of a UTC day during which the zone's offset changes.
const MIXED: i32 = i32::MIN;

/// Working intervals as whole Unix seconds, `[start, end)`: [`BusinessCalendar::intervals_on`]'s
/// instants, which are whole seconds (dates at whole local seconds, zone offsets in seconds),
/// so the arithmetic on them is integer arithmetic (docs/performance.md, issue 16 round 10).
pub type Spans<'a> = Cow<'a, [(i64, i64)]>;

pub struct DayTable {
    blocks: Box<[OnceLock<Box<DayBlock>>]>,
}

struct DayBlock {
    /// `(first Unix second, UTC offset in seconds)` in force over the block's UTC days, in
    /// order; the first entry applies from before the block.
    offsets: Vec<(i64, i32)>,
    /// Per UTC day of the block: the UTC offset in force over the whole day, or [`MIXED`] when
    /// the offset changes during it (then `offsets` is searched).
    day_offset: Vec<i32>,
    /// Local day `i` of the block works during `spans[index[i]..index[i + 1]]`.
    index: Vec<u32>,
    spans: Vec<(i64, i64)>,
    /// `working[i]`: working seconds of the block's local days before day `i`.
    working: Vec<i64>,
    /// The block's local days with working time (indices into the block), in order.
    open_days: Vec<u8>,
    /// `open_before[i]`: how many of the block's local days before day `i` have working time
    /// (an index into `open_days`).
    open_before: Vec<u8>,
}

impl Default for DayTable {
    fn default() -> DayTable {
        DayTable {
            blocks: (0..BLOCKS).map(|_| OnceLock::new()).collect(),
        }
    }
}

/// A cache: a copy starts empty and fills itself again.
impl Clone for DayTable {
    fn clone(&self) -> DayTable {
        DayTable::default()
    }
}

impl std::fmt::Debug for DayTable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let filled = self.blocks.iter().filter(|b| b.get().is_some()).count();
        write!(f, "DayTable({filled} blocks)")
    }
}

/// The whole second at or before `t` (jiff gives negative instants a negative fraction).
#[inline]
fn floor_second(t: Timestamp) -> i64 {
    t.as_second() - i64::from(t.subsec_nanosecond() < 0)
}

#[inline]
fn block_of(day: i64) -> Option<(usize, usize)> {
    let offset = day.checked_sub(FIRST_DAY)?;
    let block = usize::try_from(offset.div_euclid(BLOCK_DAYS)).ok()?;
    (block < BLOCKS).then(|| (block, offset.rem_euclid(BLOCK_DAYS) as usize))
}

impl DayBlock {
    fn build(calendar: &BusinessCalendar, block: usize) -> DayBlock {
        let first = FIRST_DAY + block as i64 * BLOCK_DAYS;
        let mut index = Vec::with_capacity(BLOCK_DAYS as usize + 1);
        let mut spans = Vec::new();
        index.push(0);
        for day in first..first + BLOCK_DAYS {
            if let Some(date) = date_of(day) {
                spans.extend(seconds_on(calendar, date));
            }
            index.push(spans.len() as u32);
        }
        // Block instants lie in 1900–2200: always valid timestamps.
        let start = Timestamp::from_second(first * 86_400).unwrap_or(Timestamp::UNIX_EPOCH);
        let end = (first + BLOCK_DAYS) * 86_400;
        let mut offsets = vec![(i64::MIN, calendar.timezone.to_offset(start).seconds())];
        for transition in calendar.timezone.following(start) {
            let at = transition.timestamp().as_second();
            if at >= end {
                break;
            }
            offsets.push((at, transition.offset().seconds()));
        }
        let day_offset = (0..BLOCK_DAYS)
            .map(|i| {
                let (from, to) = ((first + i) * 86_400, (first + i + 1) * 86_400);
                // No transition after the day's first second and before its end.
                let changes = offsets.iter().any(|&(at, _)| from < at && at < to);
                match i32::try_from(day_offset_at(&offsets, from)) {
                    Ok(offset) if !changes && offset != MIXED => offset,
                    _ => MIXED,
                }
            })
            .collect();
        let mut working = Vec::with_capacity(index.len());
        working.push(0);
        let (mut open_days, mut open_before) = (Vec::new(), Vec::with_capacity(index.len()));
        for (i, window) in index.windows(2).enumerate() {
            let day: i64 = spans[window[0] as usize..window[1] as usize]
                .iter()
                .map(|(s, e)| e - s)
                .sum();
            working.push(working.last().copied().unwrap_or(0) + day);
            // Fewer than 256 days a block: the indices and counts fit a byte.
            open_before.push(open_days.len() as u8);
            if window[0] < window[1] {
                open_days.push(i as u8);
            }
        }
        open_before.push(open_days.len() as u8);
        DayBlock {
            offsets,
            day_offset,
            index,
            spans,
            working,
            open_days,
            open_before,
        }
    }

    /// The UTC offset at `second`, which lies in the block's UTC day `i`.
    #[inline]
    fn offset_at(&self, i: usize, second: i64) -> i64 {
        match self.day_offset.get(i) {
            Some(&offset) if offset != MIXED => i64::from(offset),
            _ => day_offset_at(&self.offsets, second),
        }
    }
}

/// The offset of `offsets` (as in [`DayBlock::offsets`]) in force at `second`.
fn day_offset_at(offsets: &[(i64, i32)], second: i64) -> i64 {
    let position = offsets.partition_point(|&(from, _)| from <= second);
    offsets
        .get(position.saturating_sub(1))
        .map_or(0, |&(_, offset)| i64::from(offset))
}

/// [`DayTable::local_second`] by the zone itself, for instants outside the table.
fn zone_local_second(calendar: &BusinessCalendar, t: Timestamp) -> i64 {
    let local = calendar.timezone.to_datetime(t);
    epoch_day(local.date()) * 86_400
        + i64::from(local.hour()) * 3600
        + i64::from(local.minute()) * 60
        + i64::from(local.second())
}

impl DayTable {
    #[inline]
    fn block(&self, calendar: &BusinessCalendar, block: usize) -> &DayBlock {
        match self.blocks[block].get() {
            Some(built) => built,
            None => self.build(calendar, block),
        }
    }

    #[cold]
    #[inline(never)]
    fn build(&self, calendar: &BusinessCalendar, block: usize) -> &DayBlock {
        self.blocks[block].get_or_init(|| Box::new(DayBlock::build(calendar, block)))
    }

    /// The local date of an instant, as an epoch day.
    #[inline]
    pub fn local_day(&self, calendar: &BusinessCalendar, t: Timestamp) -> i64 {
        let second = floor_second(t);
        match block_of(second.div_euclid(86_400)) {
            Some((block, i)) => {
                let offset = self.block(calendar, block).offset_at(i, second);
                (second + offset).div_euclid(86_400)
            }
            None => epoch_day(calendar.timezone.to_datetime(t).date()),
        }
    }

    /// The local wall-clock time of an instant, whole seconds since 1970-01-01T00:00 local
    /// (what the zone's `to_datetime` gives, floored to the second, read as if it were UTC).
    #[inline]
    pub fn local_second(&self, calendar: &BusinessCalendar, t: Timestamp) -> i64 {
        let second = floor_second(t);
        match block_of(second.div_euclid(86_400)) {
            Some((block, i)) => second + self.block(calendar, block).offset_at(i, second),
            None => zone_local_second(calendar, t),
        }
    }

    /// Working seconds of the local days `from..to` (epoch days), in a number of steps that
    /// does not grow with the distance: day by day only inside one table block, block by block
    /// across the table, and by whole weeks outside it, where a day counts its nominal hours
    /// (DST shifts there are not looked up) less the holidays that fall in the range.
    pub fn working_seconds(&self, calendar: &BusinessCalendar, from: i64, to: i64) -> i64 {
        if to <= from {
            return 0;
        }
        let table_start = FIRST_DAY;
        let table_end = FIRST_DAY + BLOCKS as i64 * BLOCK_DAYS;
        let mut total = 0;
        // Before the table, inside it, after it.
        if from < table_start {
            total += nominal_seconds(calendar, from, to.min(table_start));
        }
        let (inner_from, inner_to) = (from.max(table_start), to.min(table_end));
        let mut day = inner_from;
        while day < inner_to {
            let Some((block, i)) = block_of(day) else {
                break;
            };
            let block_first = day - i as i64;
            let end = inner_to.min(block_first + BLOCK_DAYS);
            let j = (end - block_first) as usize;
            let built = self.block(calendar, block);
            total += built.working[j] - built.working[i];
            day = end;
        }
        if to > table_end {
            total += nominal_seconds(calendar, from.max(table_end), to);
        }
        total
    }

    /// The working intervals of a local date (an epoch day).
    #[inline]
    pub fn spans<'a>(&'a self, calendar: &BusinessCalendar, day: i64) -> Spans<'a> {
        match block_of(day) {
            Some((block, i)) => Cow::Borrowed(self.block(calendar, block).day_spans(i)),
            None => Cow::Owned(date_of(day).map_or_else(Vec::new, |d| seconds_on(calendar, d))),
        }
    }
}

/// A local date (an epoch day) and where the table keeps its working intervals, so that the
/// date's intervals, and the next date's, are read without looking a date up again (a ticket's
/// clocks read the same few dates several times; docs/performance.md, issue 16 round 8).
#[derive(Clone, Copy)]
pub struct DayCursor<'a> {
    calendar: &'a BusinessCalendar,
    day: i64,
    /// The date's block and index in it; `None` outside the table (computed on each read).
    at: Option<(&'a DayBlock, usize)>,
}

impl std::fmt::Debug for DayCursor<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "DayCursor({})", self.day)
    }
}

impl DayBlock {
    /// The working intervals of the block's local day `i`.
    #[inline]
    fn day_spans(&self, i: usize) -> &[(i64, i64)] {
        let (from, to) = (self.index[i] as usize, self.index[i + 1] as usize);
        &self.spans[from..to]
    }
}

impl<'a> DayCursor<'a> {
    /// A cursor on the local date `day` of `calendar`'s table.
    #[inline]
    pub fn new(calendar: &'a BusinessCalendar, day: i64) -> DayCursor<'a> {
        let at = block_of(day).map(|(block, i)| (calendar.days.block(calendar, block), i));
        DayCursor { calendar, day, at }
    }

    /// The calendar whose dates these are.
    #[inline]
    pub fn calendar(&self) -> &'a BusinessCalendar {
        self.calendar
    }

    /// The local date, as an epoch day.
    #[inline]
    pub fn day(&self) -> i64 {
        self.day
    }

    /// The date's working intervals: [`DayTable::spans`] of the date.
    #[inline]
    pub fn spans(&self) -> Spans<'a> {
        match self.at {
            Some((block, i)) => Cow::Borrowed(block.day_spans(i)),
            None => self.calendar.days.spans(self.calendar, self.day),
        }
    }

    /// The `n`th date after this one that has working time (`n` ≥ 1), found in the table
    /// block's list of such dates instead of stepping day by day: what `n` calls of
    /// [`DayCursor::advance`] skipping the dates without working time reach. `None` when that
    /// date is not in this date's block (or `n` is 0): then the caller steps.
    #[inline]
    pub fn open_after(&self, n: u32) -> Option<DayCursor<'a>> {
        let (block, i) = self.at?;
        let n = usize::try_from(n).ok().filter(|&n| n > 0)?;
        // The open dates after day `i` start at `open_days[open_before[i + 1]]`.
        let k = usize::from(*block.open_before.get(i + 1)?) + n - 1;
        let j = usize::from(*block.open_days.get(k)?);
        Some(DayCursor {
            calendar: self.calendar,
            day: self.day + (j - i) as i64,
            at: Some((block, j)),
        })
    }

    /// Move to the next date; `None` past the last date jiff represents.
    #[inline]
    pub fn advance(&mut self) -> Option<()> {
        if self.day >= LAST_DAY {
            return None;
        }
        self.day += 1;
        match self.at {
            Some((block, i)) if i + 1 < BLOCK_DAYS as usize => self.at = Some((block, i + 1)),
            _ => *self = DayCursor::new(self.calendar, self.day),
        }
        Some(())
    }
}

impl<'a> DayCursor<'a> {
    /// An instant's local wall-clock second ([`DayTable::local_second`]) and a cursor on its
    /// local date ([`DayTable::local_day`]), from one lookup of the table: the local date's
    /// block is the UTC day's but at the block's edges.
    #[inline]
    pub fn locate(calendar: &'a BusinessCalendar, t: Timestamp) -> (i64, DayCursor<'a>) {
        let second = floor_second(t);
        let utc_day = second.div_euclid(86_400);
        let Some((block_index, i)) = block_of(utc_day) else {
            let local = zone_local_second(calendar, t);
            return (local, DayCursor::new(calendar, local.div_euclid(86_400)));
        };
        let block = calendar.days.block(calendar, block_index);
        let local = second + block.offset_at(i, second);
        let day = local.div_euclid(86_400);
        let j = i as i64 + (day - utc_day);
        let cursor = if (0..BLOCK_DAYS).contains(&j) {
            DayCursor {
                calendar,
                day,
                at: Some((block, j as usize)),
            }
        } else {
            DayCursor::new(calendar, day)
        };
        (local, cursor)
    }
}

/// [`BusinessCalendar::intervals_on`] of a date as whole Unix seconds ([`Spans`]).
fn seconds_on(calendar: &BusinessCalendar, date: jiff::civil::Date) -> Vec<(i64, i64)> {
    calendar
        .intervals_on(date)
        .into_iter()
        .map(|(s, e)| (s.as_second(), e.as_second()))
        .collect()
}

/// Weekday of an epoch day, Monday = 0 (1970-01-01 was a Thursday).
fn weekday(day: i64) -> usize {
    (day + 3).rem_euclid(7) as usize
}

/// Working seconds of the days `from..to` by the weekly hours alone, less holidays.
fn nominal_seconds(calendar: &BusinessCalendar, from: i64, to: i64) -> i64 {
    if to <= from {
        return 0;
    }
    let length = |weekday: usize| -> i64 {
        calendar.week[weekday]
            .iter()
            .map(|&(s, e)| i64::from(e) - i64::from(s))
            .sum()
    };
    let week: i64 = (0..7).map(length).sum();
    let days = to - from;
    let mut total = days / 7 * week;
    for day in from + days / 7 * 7..to {
        total += length(weekday(day));
    }
    let (Some(first), Some(last)) = (date_of(from), date_of(to - 1)) else {
        return total;
    };
    for holiday in calendar.holidays.range(first..=last) {
        total -= length(weekday(epoch_day(*holiday)));
    }
    total
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::calendar::build_calendar;
    use crate::policy::load::load_bytes;

    fn calendar(zone: &str) -> BusinessCalendar {
        let text = format!(
            "version: 1\ncalendar:\n  timezone: {zone}\n  hours: {{ mon-fri: \"00:00-02:30, 09:00-18:00, 23:00-24:00\", sat: \"10:00-14:00\" }}\n  holidays: [2026-12-25, 2027-01-01]\n"
        );
        let loaded = load_bytes("t.yaml".into(), text.into_bytes()).unwrap();
        build_calendar(loaded.policy.calendar.as_ref()).0
    }

    /// The intervals as seconds, each instant checked to be a whole second (what [`Spans`]
    /// relies on).
    fn whole_seconds(intervals: Vec<(Timestamp, Timestamp)>) -> Vec<(i64, i64)> {
        intervals
            .into_iter()
            .inspect(|(s, e)| assert_eq!((s.subsec_nanosecond(), e.subsec_nanosecond()), (0, 0)))
            .map(|(s, e)| (s.as_second(), e.as_second()))
            .collect()
    }

    #[test]
    fn table_matches_the_time_zone_conversions() {
        // Zones with DST at different hours, half-hour and southern-hemisphere rules, a
        // transition at midnight, and one that skipped a whole date (Samoa, 2011-12-30).
        for zone in [
            "UTC",
            "Europe/Berlin",
            "America/New_York",
            "America/Santiago",
            "Australia/Lord_Howe",
            "Asia/Kolkata",
            "Pacific/Apia",
        ] {
            let cal = calendar(zone);
            let table = DayTable::default();
            let mut second: i64 = 1_293_840_000; // 2011-01-01
            while second < 1_830_297_600 {
                // 2028
                for fraction in [0, 1, 999_999_999] {
                    let t = Timestamp::new(second, fraction).unwrap();
                    assert_eq!(
                        table.local_day(&cal, t),
                        epoch_day(cal.timezone.to_datetime(t).date()),
                        "{zone} {t}"
                    );
                }
                second += 3_607;
            }
            for day in 15_000..21_500 {
                let date = date_of(day).unwrap();
                assert_eq!(
                    table.spans(&cal, day).as_ref(),
                    whole_seconds(cal.intervals_on(date)).as_slice(),
                    "{zone} {date}"
                );
            }
        }
    }

    #[test]
    fn working_seconds_add_up_the_days() {
        for zone in ["UTC", "Europe/Berlin", "Pacific/Apia"] {
            let cal = calendar(zone);
            let table = DayTable::default();
            let by_day = |from: i64, to: i64| -> i64 {
                (from..to)
                    .flat_map(|d| table.spans(&cal, d).into_owned())
                    .map(|(s, e)| e - s)
                    .sum()
            };
            // Inside the table, across blocks, and at its edges.
            for (from, to) in [
                (20_000, 20_001),
                (20_000, 20_000),
                (19_990, 20_700),
                (15_000, 21_500),
                (FIRST_DAY - 400, FIRST_DAY + 300),
                (84_000, 84_700),
            ] {
                let whole = table.working_seconds(&cal, from, to);
                if (FIRST_DAY..FIRST_DAY + BLOCKS as i64 * BLOCK_DAYS).contains(&from)
                    && to <= FIRST_DAY + BLOCKS as i64 * BLOCK_DAYS
                {
                    assert_eq!(whole, by_day(from, to), "{zone} {from}..{to}");
                } else {
                    // Outside the table days count nominal hours: DST may move an hour.
                    assert!(
                        (whole - by_day(from, to)).abs() <= 3 * 3600,
                        "{zone} {from}..{to}"
                    );
                }
            }
            // Outside the table in UTC, nominal hours are exact.
            if zone == "UTC" {
                let (from, to) = (
                    epoch_day(jiff::civil::date(2400, 1, 1)),
                    epoch_day(jiff::civil::date(2403, 3, 1)),
                );
                assert_eq!(table.working_seconds(&cal, from, to), by_day(from, to));
            }
        }
    }

    #[test]
    fn instants_before_1970_and_outside_the_table() {
        let cal = calendar("Europe/Berlin");
        let table = DayTable::default();
        for t in [
            Timestamp::new(-1, -500_000_000).unwrap(),
            Timestamp::new(-86_400, 0).unwrap(),
            "1850-06-01T12:00:00Z".parse().unwrap(),
            "2250-06-01T23:30:00Z".parse().unwrap(),
            "1969-12-31T23:00:00Z".parse().unwrap(),
        ] {
            assert_eq!(
                table.local_day(&cal, t),
                epoch_day(cal.timezone.to_datetime(t).date()),
                "{t}"
            );
        }
        let day = epoch_day(jiff::civil::date(2250, 6, 3));
        assert_eq!(
            table.spans(&cal, day).as_ref(),
            whole_seconds(cal.intervals_on(jiff::civil::date(2250, 6, 3))).as_slice()
        );
    }

    /// The offset of a whole UTC day, read without searching the transitions, is the one
    /// the search finds at every second of that day: around the DST changes (Berlin's
    /// 2026-03-29 and 2026-10-25, New York's, Lord Howe's half hour, Apia's lost day), at
    /// UTC midnights, in an order that jumps between days and blocks.
    #[test]
    fn offsets_of_whole_days_are_the_searched_ones() {
        use rand::seq::SliceRandom;
        use rand::{RngExt, SeedableRng};
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(29);
        for zone in [
            "Europe/Berlin",
            "America/New_York",
            "Australia/Lord_Howe",
            "Pacific/Apia",
        ] {
            let cal = calendar(zone);
            let table = DayTable::default();
            let mut seconds = Vec::new();
            let start: Timestamp = "2011-01-01T00:00:00Z".parse().unwrap();
            for transition in cal.timezone.following(start).take(40) {
                let at = transition.timestamp().as_second();
                let midnight = at.div_euclid(86_400) * 86_400;
                for edge in [at, midnight, midnight + 86_400] {
                    seconds.extend((-2..=2).map(|d| edge + d));
                    seconds.extend((0..40).map(|_| edge + rng.random_range(-90_000..90_000)));
                }
            }
            seconds.shuffle(&mut rng);
            for second in seconds {
                let t = Timestamp::new(second, 0).unwrap();
                assert_eq!(
                    table.local_day(&cal, t),
                    epoch_day(cal.timezone.to_datetime(t).date()),
                    "{zone} {t}"
                );
                assert_eq!(
                    table.local_second(&cal, t),
                    zone_local_second(&cal, t),
                    "{zone} {t}"
                );
                let (block, i) = block_of(second.div_euclid(86_400)).unwrap();
                let built = table.block(&cal, block);
                assert_eq!(
                    built.offset_at(i, second),
                    day_offset_at(&built.offsets, second),
                    "{zone} {t}"
                );
            }
        }
    }
}
