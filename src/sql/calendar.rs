//! The calendar table (`handoff calendar`): a policy's business calendar laid out per UTC day,
//! so that a SQL engine computes SLA dues and business-time durations with plain joins and
//! aggregates, exactly as replay does ([`crate::calendar`]; nothing here re-implements business
//! time: the working intervals are [`BusinessCalendar::intervals_on`]'s, only cut and counted).
//!
//! One row per working interval of a UTC day, cut at UTC midnight (a day without working time
//! has one row with the empty interval `[day_start, day_start)`), ordered by time. All instants
//! are UTC epoch seconds; no number is ever absent (a table loaded from the CSV as text casts
//! cleanly). The columns:
//!
//! | column | meaning |
//! | --- | --- |
//! | `utc_day` | the UTC day, `YYYY-MM-DD` |
//! | `day_start` | its first second (epoch seconds of 00:00Z) |
//! | `day_before` | business seconds from `--from` 00:00Z to `day_start` |
//! | `work_start`, `work_end` | the working interval `[work_start, work_end)` |
//! | `work_before` | business seconds from `--from` 00:00Z to `work_start` |
//! | `local_date` | the date, in the calendar's zone, whose working hours the interval is (empty on a day without work) |
//! | `working_day` | that date's number among the working dates of the table (1 = the first); 0 when the table's edge cuts the date's hours, or on a day without work |
//! | `day_offset` | working seconds of that date before `work_start` (0 with working day 0) |
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

    /// The numbers of a row, in column order without the two dates: `day_start`,
    /// `day_before`, `work_start`, `work_end`, `work_before`, `working_day`, `day_offset`. A day
    /// without working time has the empty interval `[day_start, day_start)`, and a date the
    /// table's edge cuts has working day 0: no number is ever absent, so a table loaded from
    /// the CSV as text casts cleanly in every engine.
    fn numbers(row: &Row) -> [i64; 7] {
        let (start, end, before) = row
            .work
            .map_or((row.day_start, row.day_start, row.day_before), |w| {
                (w.start, w.end, w.before)
            });
        let (day, offset) = row.work.and_then(|w| w.day).unwrap_or((0, 0));
        [
            row.day_start,
            row.day_before,
            start,
            end,
            before,
            day,
            offset,
        ]
    }

    /// The table as CSV with a header line (no field ever needs quoting; `local_date` is empty
    /// on a day without working time).
    pub fn to_csv(&self) -> String {
        let mut out = COLUMNS.join(",");
        out.push('\n');
        for row in &self.rows {
            let n = Self::numbers(row);
            let local = row
                .work
                .map(|w| w.local_date.to_string())
                .unwrap_or_default();
            let _ = writeln!(
                out,
                "{},{},{},{},{},{},{local},{},{}",
                row.utc_day, n[0], n[1], n[2], n[3], n[4], n[5], n[6]
            );
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
        for chunk in self.rows.chunks(500) {
            let _ = writeln!(out, "INSERT INTO {name} VALUES");
            let values: Vec<String> = chunk
                .iter()
                .map(|row| {
                    let n = Self::numbers(row);
                    let local = row.work.map_or_else(
                        || "NULL".to_string(),
                        |w| format!("DATE '{}'", w.local_date),
                    );
                    format!(
                        "  (DATE '{}', {}, {}, {}, {}, {}, {local}, {}, {})",
                        row.utc_day, n[0], n[1], n[2], n[3], n[4], n[5], n[6]
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
