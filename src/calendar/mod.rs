//! The business calendar: weekly working hours in a time zone minus holidays, business-time
//! arithmetic on it, the day table that makes that arithmetic fast, civil-date maths, and the
//! durations (`4h`, `3bd`) it counts. The policy compiles its `calendar:` section into one.

use std::collections::BTreeSet;

use jiff::civil::Date;
use jiff::tz::TimeZone;

use day_table::DayTable;

pub mod business;
pub mod civil;
pub mod day_table;
pub mod duration;

/// Weekly working hours in a time zone, minus holidays.
#[derive(Debug, Clone)]
pub struct BusinessCalendar {
    pub timezone: TimeZone,
    pub timezone_name: String,
    /// Working intervals per weekday (0 = Monday) as `[start, end)` seconds after midnight,
    /// sorted and disjoint.
    pub week: [Vec<(u32, u32)>; 7],
    pub holidays: BTreeSet<Date>,
    /// The calendar laid out per day, filled as business-time queries need it; the fields
    /// above must not change after the first query.
    pub days: DayTable,
}

impl BusinessCalendar {
    /// The calendar of a policy without one: open around the clock, in UTC.
    pub fn around_the_clock() -> Self {
        BusinessCalendar {
            timezone: TimeZone::UTC,
            timezone_name: "UTC".to_string(),
            week: std::array::from_fn(|_| vec![(0, 86_400)]),
            holidays: BTreeSet::new(),
            days: DayTable::default(),
        }
    }

    pub fn has_working_hours(&self) -> bool {
        self.week.iter().any(|day| !day.is_empty())
    }

    /// Shortest and longest working day in seconds, over the days that have hours.
    pub fn working_day_range(&self) -> Option<(u64, u64)> {
        let lengths: Vec<u64> = self
            .week
            .iter()
            .map(|day| day.iter().map(|(s, e)| u64::from(e - s)).sum::<u64>())
            .filter(|&len| len > 0)
            .collect();
        Some((*lengths.iter().min()?, *lengths.iter().max()?))
    }
}
