//! The business calendar of a policy compiled from its `calendar:` section (time zone, weekly
//! working hours and holidays) into a [`BusinessCalendar`].
//!
//! Building a calendar never fails: every problem is collected (with the span to point at) and a
//! best-effort calendar is returned, so lint can report all problems in one run.

use std::collections::BTreeSet;

use jiff::civil::{Date, Time};
use jiff::tz::TimeZone;

use super::model::Calendar;
use super::spanned::Spanned;
use crate::calendar::BusinessCalendar;
use crate::calendar::day_table::DayTable;
use crate::diag::Span;

pub const DAY_NAMES: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

/// What is wrong with a calendar, ready to become a diagnostic.
#[derive(Debug, Clone, PartialEq)]
pub struct CalendarProblem {
    pub kind: CalendarProblemKind,
    pub span: Span,
    pub message: String,
    pub help: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CalendarProblemKind {
    /// A value that cannot be read (H003).
    InvalidValue,
    /// No working hours at all (H052).
    NoWorkingHours,
}

/// Build the business calendar of a policy, collecting every problem.
pub fn build_calendar(
    calendar: Option<&Spanned<Calendar>>,
) -> (BusinessCalendar, Vec<CalendarProblem>) {
    let mut problems = Vec::new();
    let Some(calendar) = calendar else {
        return (BusinessCalendar::around_the_clock(), problems);
    };
    let (timezone, timezone_name) = match &calendar.timezone {
        None => (TimeZone::UTC, "UTC".to_string()),
        Some(name) if machine_dependent(name.value.trim()) => {
            problems.push(invalid(
                name.span,
                format!("time zone `{}` depends on the machine", name.value.trim()),
                "use an IANA name such as `Europe/Berlin` or `UTC`: `localtime` and `posixrules` are whatever zone the machine running handoff is set to, and `Factory` means no zone was set, so SLA clocks would differ between a laptop and CI",
            ));
            (TimeZone::UTC, "UTC".to_string())
        }
        Some(name) => match TimeZone::get(name.value.trim()) {
            Ok(tz) => (tz, name.value.trim().to_string()),
            Err(_) => {
                let help = match closest_time_zone(name.value.trim()) {
                    Some(best) => format!("did you mean `{best}`?"),
                    None => "use an IANA time zone name such as `Europe/Berlin`, `America/New_York` or `UTC`".to_string(),
                };
                problems.push(invalid(
                    name.span,
                    format!("unknown time zone `{}`", name.value),
                    &help,
                ));
                (TimeZone::UTC, "UTC".to_string())
            }
        },
    };

    let mut week: [Vec<(u32, u32)>; 7] = Default::default();
    let mut assigned: [Option<Span>; 7] = [None; 7];
    for (key, value) in calendar.hours.iter() {
        let days = match parse_days(&key.value) {
            Ok(days) => days,
            Err(message) => {
                problems.push(invalid(
                    key.span,
                    message,
                    "name days `mon` … `sun`, ranges `mon-fri` or lists `sat,sun`",
                ));
                continue;
            }
        };
        let ranges = match parse_ranges(&value.value) {
            Ok(ranges) => ranges,
            Err(message) => {
                problems.push(invalid(
                    value.span,
                    message,
                    "write hours as `\"09:00-18:00\"`; several ranges as `\"08:00-12:00, 13:00-17:00\"`; a range cannot cross midnight",
                ));
                continue;
            }
        };
        for day in days {
            if let Some(first) = assigned[day] {
                problems.push(invalid(
                    key.span,
                    format!(
                        "`{}` is given working hours twice (first on line {})",
                        DAY_NAMES[day], first.line
                    ),
                    "give each day its hours once",
                ));
                continue;
            }
            assigned[day] = Some(key.span);
            week[day] = ranges.clone();
        }
    }

    let mut holidays = BTreeSet::new();
    for holiday in &calendar.holidays {
        let text = holiday.value.trim();
        if let Some(date) = date_with_time(text) {
            problems.push(invalid(
                holiday.span,
                format!("holiday `{text}` has a time of day; holidays are whole dates"),
                &format!("write the date alone (`{date}`): a holiday closes the whole day in the calendar's time zone"),
            ));
            continue;
        }
        match text.parse::<Date>() {
            Ok(date) => {
                holidays.insert(date);
            }
            Err(_) => problems.push(invalid(
                holiday.span,
                format!("holiday `{}` is not a date", holiday.value),
                "write holidays as `YYYY-MM-DD`, e.g. `2026-12-25`",
            )),
        }
    }

    let built = BusinessCalendar {
        timezone,
        timezone_name,
        week,
        holidays,
        days: DayTable::default(),
    };
    let hours_are_readable = !problems.iter().any(|p| {
        calendar
            .hours
            .iter()
            .any(|(k, v)| p.span == k.span || p.span == v.span)
    });
    if !built.has_working_hours() && hours_are_readable {
        problems.push(CalendarProblem {
            kind: CalendarProblemKind::NoWorkingHours,
            span: if calendar.hours.span.is_known() { calendar.hours.span } else { calendar.span },
            message: "the calendar has no working hours, so SLA clocks would never run".into(),
            help: "add working hours, e.g. `hours: { mon-fri: \"09:00-17:00\" }`, or remove the calendar to count around the clock".into(),
        });
    }
    (built, problems)
}

/// Zone names in the time zone database that mean "whatever this machine uses", or nothing.
fn machine_dependent(name: &str) -> bool {
    ["localtime", "posixrules", "factory"]
        .iter()
        .any(|n| name.eq_ignore_ascii_case(n))
}

/// The date part of a date followed by a time (`2026-12-25T10:00`, `2026-12-25 10:00`).
fn date_with_time(text: &str) -> Option<&str> {
    let (date, rest) = (text.get(..10)?, text.get(10..)?);
    let separated = rest.starts_with(['T', 't', ' ']) && rest.len() > 1;
    (separated && date.parse::<Date>().is_ok()).then_some(date)
}

/// The IANA name closest to a misspelt one.
fn closest_time_zone(given: &str) -> Option<String> {
    let names: Vec<String> = jiff::tz::db().available().map(|n| n.to_string()).collect();
    let candidates: Vec<&str> = names.iter().map(String::as_str).collect();
    crate::policy::load::did_you_mean(given, &candidates).map(str::to_string)
}

fn invalid(span: Span, message: String, help: &str) -> CalendarProblem {
    CalendarProblem {
        kind: CalendarProblemKind::InvalidValue,
        span,
        message,
        help: help.to_string(),
    }
}

fn day_index(name: &str) -> Option<usize> {
    let name = name.trim().to_lowercase();
    DAY_NAMES
        .iter()
        .position(|d| name == *d || (name.len() > 3 && full_day_name(d) == name))
}

fn full_day_name(short: &str) -> &'static str {
    match short {
        "mon" => "monday",
        "tue" => "tuesday",
        "wed" => "wednesday",
        "thu" => "thursday",
        "fri" => "friday",
        "sat" => "saturday",
        _ => "sunday",
    }
}

/// `mon-fri`, `sat`, `sat,sun`, `fri-mon` (wraps over the weekend).
pub(crate) fn parse_days(key: &str) -> Result<Vec<usize>, String> {
    let mut days = Vec::new();
    for part in key.split(',') {
        let unknown = |name: &str| format!("`{}` is not a day", name.trim());
        match part.split_once('-') {
            Some((from, to)) => {
                let start = day_index(from).ok_or_else(|| unknown(from))?;
                let end = day_index(to).ok_or_else(|| unknown(to))?;
                let mut day = start;
                loop {
                    days.push(day);
                    if day == end {
                        break;
                    }
                    day = (day + 1) % 7;
                }
            }
            None => days.push(day_index(part).ok_or_else(|| unknown(part))?),
        }
    }
    Ok(days)
}

fn parse_time(text: &str) -> Option<u32> {
    let text = text.trim();
    if text == "24:00" {
        return Some(86_400);
    }
    let time: Time = text.parse().ok()?;
    Some(
        u32::from(time.hour() as u8) * 3600
            + u32::from(time.minute() as u8) * 60
            + u32::from(time.second() as u8),
    )
}

/// `"09:00-18:00"`, `"08:00-12:00, 13:00-17:00"`, or `closed` / empty for no hours.
pub(crate) fn parse_ranges(value: &str) -> Result<Vec<(u32, u32)>, String> {
    let value = value.trim();
    if value.is_empty() || value.eq_ignore_ascii_case("closed") {
        return Ok(Vec::new());
    }
    let mut ranges = Vec::new();
    for part in value.split(',') {
        let bad = || format!("`{}` is not a time range", part.trim());
        let (from, to) = part.split_once('-').ok_or_else(bad)?;
        let start = parse_time(from).ok_or_else(bad)?;
        let end = parse_time(to).ok_or_else(bad)?;
        if start >= end {
            return Err(format!(
                "time range `{}` ends before it starts",
                part.trim()
            ));
        }
        ranges.push((start, end));
    }
    ranges.sort_unstable();
    if ranges.windows(2).any(|w| w[1].0 < w[0].1) {
        return Err(format!("time ranges in `{value}` overlap"));
    }
    Ok(ranges)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn day_keys() {
        assert_eq!(parse_days("mon-fri"), Ok(vec![0, 1, 2, 3, 4]));
        assert_eq!(parse_days("sat,sun"), Ok(vec![5, 6]));
        assert_eq!(parse_days("fri-mon"), Ok(vec![4, 5, 6, 0]));
        assert_eq!(parse_days("Monday"), Ok(vec![0]));
        assert!(parse_days("mon-fry").is_err());
    }

    #[test]
    fn hour_ranges() {
        assert_eq!(parse_ranges("09:00-18:00"), Ok(vec![(32_400, 64_800)]));
        assert_eq!(
            parse_ranges("13:00-17:00, 08:00-12:00"),
            Ok(vec![(28_800, 43_200), (46_800, 61_200)])
        );
        assert_eq!(parse_ranges("00:00-24:00"), Ok(vec![(0, 86_400)]));
        assert_eq!(parse_ranges("closed"), Ok(vec![]));
        assert!(parse_ranges("18:00-09:00").is_err());
        assert!(parse_ranges("9-5").is_err());
        assert!(parse_ranges("08:00-12:00,11:00-13:00").is_err());
    }
}
