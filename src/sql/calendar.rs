//! The calendar table (`handoff calendar`): a policy's business calendar laid out per UTC day,
//! so that a SQL engine computes SLA dues and business-time durations with plain joins and
//! aggregates, exactly as replay does ([`crate::calendar`]; nothing here re-implements business
//! time: the working intervals are [`BusinessCalendar::intervals_on`]'s, only cut and counted).
//!
//! One row per working interval of a UTC day, cut at UTC midnight (a day without working time
//! has one row whose interval columns are empty), ordered by time. All instants are UTC epoch
//! seconds. The columns:
//!
//! | column | meaning |
//! | --- | --- |
//! | `utc_day` | the UTC day, `YYYY-MM-DD` |
//! | `day_start` | its first second (epoch seconds of 00:00Z) |
//! | `day_before` | business seconds from `--from` 00:00Z to `day_start` |
//! | `work_start`, `work_end` | the working interval `[work_start, work_end)` |
//! | `work_before` | business seconds from `--from` 00:00Z to `work_start` |
//! | `local_date` | the date, in the calendar's zone, whose working hours the interval is |
//! | `working_day` | that date's number among the working dates of the table (1 = the first); empty when the date's hours are cut by the table's edge |
//! | `day_offset` | working seconds of that date before `work_start` (empty with `working_day`) |
//!
//! Business seconds before an instant `t` are `day_before` of `t`'s day plus the worked parts of
//! that day's intervals before `t` (an equality join on `day_start`); a due `n` business seconds
//! after `t` is where that count reaches `n` more; `n` working days keep the position in the
//! working day (`working_day`, `day_offset`). See [`super::sla`] for the expressions.

use std::fmt::Write as _;

use jiff::civil::Date;

use super::Dialect;
use crate::calendar::BusinessCalendar;
use crate::calendar::civil::{date_of, epoch_day};

/// The longest table `handoff calendar` writes: 100 years of days (about 40,000 rows a year
/// would be absurd for SQL dues anyway; SLA targets are at most ten years).
pub const MAX_DAYS: i64 = 36_525;

/// The table's columns, in order.
pub const COLUMNS: [&str; 9] = [
    "utc_day",
    "day_start",
    "day_before",
    "work_start",
    "work_end",
    "work_before",
    "local_date",
    "working_day",
    "day_offset",
];

/// Why a table cannot be made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CalendarTableError {
    #[error("--from {from} is after --to {to}")]
    Reversed { from: Date, to: Date },
    #[error(
        "{from} to {to} is {days} days; the calendar table covers at most {MAX_DAYS} days (100 years)"
    )]
    TooLong { from: Date, to: Date, days: i64 },
    #[error("the calendar has no working hours, so no SLA clock would ever run")]
    NoWorkingHours,
}

/// A working interval of one UTC day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Work {
    pub start: i64,
    pub end: i64,
    pub before: i64,
    pub local_date: Date,
    /// `(working_day, day_offset)`, when the local date lies wholly inside the table.
    pub day: Option<(i64, i64)>,
}

/// One row of the table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Row {
    pub utc_day: Date,
    pub day_start: i64,
    pub day_before: i64,
    /// `None` on a day without working time (its only row).
    pub work: Option<Work>,
}

/// The calendar table of the UTC days `from..=to`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CalendarTable {
    pub from: Date,
    pub to: Date,
    pub rows: Vec<Row>,
}

/// A working interval of a local date, as epoch seconds, with what the table says about it.
struct Span {
    start: i64,
    end: i64,
    local_date: Date,
    /// `(working_day, day_offset)` of a date wholly inside the table.
    numbered: Option<(i64, i64)>,
}

impl CalendarTable {
    /// Lay out `calendar` over the UTC days `from..=to`.
    pub fn build(
        calendar: &BusinessCalendar,
        from: Date,
        to: Date,
    ) -> Result<CalendarTable, CalendarTableError> {
        if from > to {
            return Err(CalendarTableError::Reversed { from, to });
        }
        let (first, last) = (epoch_day(from), epoch_day(to));
        if last - first + 1 > MAX_DAYS {
            return Err(CalendarTableError::TooLong {
                from,
                to,
                days: last - first + 1,
            });
        }
        if !calendar.has_working_hours() {
            return Err(CalendarTableError::NoWorkingHours);
        }
        // Local dates reach at most a day either side of the UTC days (offsets are under 24h).
        // Only dates whose working hours lie wholly inside the table are numbered: working-day
        // arithmetic on a date cut by the table's edge would be wrong, so it gets nothing.
        let (table_start, table_end) = (first * 86_400, (last + 1) * 86_400);
        let mut spans = Vec::new();
        let mut working_day = 0;
        for day in first - 1..=last + 1 {
            let Some(date) = date_of(day) else { continue };
            let intervals = calendar.intervals_on(date);
            if intervals.is_empty() {
                continue;
            }
            let whole = intervals
                .iter()
                .all(|(s, e)| s.as_second() >= table_start && e.as_second() <= table_end);
            if whole {
                working_day += 1;
            }
            let mut offset = 0;
            for (s, e) in intervals {
                let (start, end) = (s.as_second(), e.as_second());
                spans.push(Span {
                    start,
                    end,
                    local_date: date,
                    numbered: whole.then_some((working_day, offset)),
                });
                offset += end - start;
            }
        }
        spans.sort_by_key(|s| (s.start, s.end));

        let mut rows = Vec::new();
        let mut before = 0;
        let mut next = 0;
        for day in first..=last {
            let Some(utc_day) = date_of(day) else {
                continue;
            };
            let (day_start, day_end) = (day * 86_400, (day + 1) * 86_400);
            let day_before = before;
            let mut any = false;
            while next < spans.len() && spans[next].end <= day_start {
                next += 1;
            }
            for span in &spans[next..] {
                if span.start >= day_end {
                    break;
                }
                let (start, end) = (span.start.max(day_start), span.end.min(day_end));
                if start >= end {
                    continue;
                }
                rows.push(Row {
                    utc_day,
                    day_start,
                    day_before,
                    work: Some(Work {
                        start,
                        end,
                        before,
                        local_date: span.local_date,
                        day: span
                            .numbered
                            .map(|(day, offset)| (day, offset + (start - span.start))),
                    }),
                });
                before += end - start;
                any = true;
            }
            if !any {
                rows.push(Row {
                    utc_day,
                    day_start,
                    day_before,
                    work: None,
                });
            }
        }
        Ok(CalendarTable { from, to, rows })
    }

    /// The text of each column of a row (empty for an absent value).
    fn fields(row: &Row) -> [String; 9] {
        let work = |f: &dyn Fn(&Work) -> String| row.work.as_ref().map(f).unwrap_or_default();
        [
            row.utc_day.to_string(),
            row.day_start.to_string(),
            row.day_before.to_string(),
            work(&|w| w.start.to_string()),
            work(&|w| w.end.to_string()),
            work(&|w| w.before.to_string()),
            work(&|w| w.local_date.to_string()),
            work(&|w| w.day.map(|d| d.0.to_string()).unwrap_or_default()),
            work(&|w| w.day.map(|d| d.1.to_string()).unwrap_or_default()),
        ]
    }

    /// The table as CSV with a header line (no field ever needs quoting).
    pub fn to_csv(&self) -> String {
        let mut out = COLUMNS.join(",");
        out.push('\n');
        for row in &self.rows {
            out.push_str(&Self::fields(row).join(","));
            out.push('\n');
        }
        out
    }

    /// The table as SQL: `CREATE TABLE` and `INSERT`s of up to 500 rows each.
    pub fn to_sql(&self, dialect: Dialect, table: &str) -> String {
        let name = quote_table(dialect, table);
        let int = match dialect {
            Dialect::Bigquery => "INT64",
            _ => "BIGINT",
        };
        let mut out = format!(
            "-- handoff calendar {} to {}: one row per working interval of a UTC day (epoch seconds)\n",
            self.from, self.to
        );
        let types = ["DATE", int, int, int, int, int, "DATE", int, int];
        let columns: Vec<String> = COLUMNS
            .iter()
            .zip(types)
            .map(|(c, t)| format!("  {} {t}", dialect.quote_ident(c)))
            .collect();
        let _ = writeln!(out, "CREATE TABLE {name} (\n{}\n);", columns.join(",\n"));
        let date = |d: &Date| format!("DATE '{d}'");
        for chunk in self.rows.chunks(500) {
            let _ = writeln!(out, "INSERT INTO {name} VALUES");
            let values: Vec<String> = chunk
                .iter()
                .map(|row| {
                    let null = || "NULL".to_string();
                    let w = row.work.as_ref();
                    let int = |f: fn(&Work) -> Option<i64>| {
                        w.and_then(f).map_or_else(null, |v| v.to_string())
                    };
                    format!(
                        "  ({}, {}, {}, {}, {}, {}, {}, {}, {})",
                        date(&row.utc_day),
                        row.day_start,
                        row.day_before,
                        int(|w| Some(w.start)),
                        int(|w| Some(w.end)),
                        int(|w| Some(w.before)),
                        w.map_or_else(null, |w| date(&w.local_date)),
                        int(|w| w.day.map(|d| d.0)),
                        int(|w| w.day.map(|d| d.1)),
                    )
                })
                .collect();
            let _ = writeln!(out, "{};", values.join(",\n"));
        }
        out
    }
}

/// A table name as written on the command line, quoted part by part (`schema.table`).
pub fn quote_table(dialect: Dialect, table: &str) -> String {
    table
        .split('.')
        .map(|part| dialect.quote_ident(part))
        .collect::<Vec<_>>()
        .join(".")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::calendar::build_calendar;
    use crate::policy::load::load_bytes;

    fn berlin() -> BusinessCalendar {
        let text = "version: 1\ncalendar:\n  timezone: Europe/Berlin\n  hours: { mon-fri: \"09:00-18:00\", sat: \"10:00-14:00\" }\n  holidays: [2026-12-25]\n";
        let loaded = load_bytes("t.yaml".into(), text.as_bytes().to_vec()).unwrap();
        build_calendar(loaded.policy.calendar.as_ref()).0
    }

    #[test]
    fn refuses_reversed_and_long_ranges() {
        let cal = berlin();
        let d = |s: &str| s.parse::<Date>().unwrap();
        assert!(matches!(
            CalendarTable::build(&cal, d("2026-02-01"), d("2026-01-01")),
            Err(CalendarTableError::Reversed { .. })
        ));
        assert!(matches!(
            CalendarTable::build(&cal, d("2000-01-01"), d("2100-01-01")),
            Err(CalendarTableError::TooLong { days: 36_526, .. })
        ));
        assert!(CalendarTable::build(&cal, d("2000-01-01"), d("2099-12-31")).is_ok());
    }

    #[test]
    fn every_day_has_a_row_and_counts_add_up() {
        let cal = berlin();
        let d = |s: &str| s.parse::<Date>().unwrap();
        let table = CalendarTable::build(&cal, d("2026-10-20"), d("2026-12-31")).unwrap();
        let mut days: Vec<Date> = table.rows.iter().map(|r| r.utc_day).collect();
        days.dedup();
        assert_eq!(days.len(), 73);
        let total: i64 = table
            .rows
            .iter()
            .filter_map(|r| r.work.map(|w| w.end - w.start))
            .sum();
        let from = jiff::Timestamp::from_second(epoch_day(d("2026-10-20")) * 86_400).unwrap();
        let to = jiff::Timestamp::from_second(epoch_day(d("2027-01-01")) * 86_400).unwrap();
        assert_eq!(total, cal.elapsed(from, to));
    }
}
