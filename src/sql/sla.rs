//! SLA dues and business-time durations as SQL expressions over the calendar table
//! ([`super::calendar`], written by `handoff calendar --format sql`), equal to replay's
//! [`BusinessCalendar::add`](crate::calendar::BusinessCalendar::add) and
//! [`elapsed`](crate::calendar::BusinessCalendar::elapsed).
//!
//! Every expression is a scalar subquery (or an arithmetic of them) that can stand wherever a
//! value can, e.g. in the select list of a query over a few thousand tickets. They are the
//! reference form of the arithmetic (checked against the calendar engine by
//! `tests/sql_calendar.rs`); the decisions and partials queries use join forms
//! ([`super::dues`], [`super::business`]), which DataFusion and Spark run (they refuse these
//! correlated subqueries) and which scale.
//! Conventions:
//!
//! - Instants, in and out, are **UTC epoch seconds as integers** (`BIGINT`): a due is an
//!   instant; [`rfc3339_sql`] turns one into replay's text (`2026-01-05T11:00:00Z`, what the
//!   `--decisions` file prints). Timestamps with fractions of a second must be cut to whole
//!   seconds before (replay's dues keep the fraction; handoff's ticket files have none).
//! - The calendar table may be the typed one of `--format sql` or its CSV loaded as text:
//!   every column read is cast to an integer.
//! - The instant expressions given are copied into correlated subqueries whose table alias is
//!   `handoff_cal`: they must not name a calendar table column (`day_start`, `work_start`, …)
//!   unqualified.
//! - NULL in, NULL out; and NULL wherever the table does not cover the answer (an instant
//!   outside its days, a due past its end, working days counted from or to a date its edge
//!   cuts): make the table cover the tickets and their longest SLA (`handoff calendar --from
//!   D --to D`), never a guess.
//!
//! The subqueries are correlated with an equality on the UTC day where they can (business
//! seconds before an instant) and with a range on the table's running count of business
//! seconds where they must (finding a due); a due nests the count of its start.

use super::Dialect;
use super::calendar::quote_table;
use crate::calendar::duration::PolicyDuration;

/// The alias of the calendar table inside the subqueries.
const ALIAS: &str = "handoff_cal";

/// Working days are packed with the position in the day as `day * DAY_KEY + offset` (a working
/// day is shorter than 25 hours = 90,000 s).
const DAY_KEY: i64 = 1_000_000;

/// A column of the calendar table as an integer: cast, so that a table loaded from the CSV
/// as text works as well as the typed one `--format sql` creates.
fn columns(dialect: Dialect) -> impl Fn(&str) -> String {
    let int = match dialect {
        Dialect::Bigquery => "INT64",
        _ => "BIGINT",
    };
    move |name: &str| format!("CAST({ALIAS}.{} AS {int})", dialect.quote_ident(name))
}

/// The first second of the UTC day of `t` (epoch seconds).
fn utc_day_sql(t: &str) -> String {
    format!("CAST(FLOOR(({t}) / 86400.0) AS BIGINT) * 86400")
}

/// Business seconds from the table's first day (00:00Z) to the instant `t`; NULL when `t`'s
/// UTC day is not in the table.
pub fn business_seconds_before_sql(dialect: Dialect, t: &str, calendar_table: &str) -> String {
    let c = columns(dialect);
    let table = quote_table(dialect, calendar_table);
    format!(
        "(SELECT MAX({day_before}) + COALESCE(SUM(CASE WHEN {start} < ({t}) THEN (CASE WHEN {end} < ({t}) THEN {end} ELSE ({t}) END) - {start} ELSE 0 END), 0) FROM {table} {ALIAS} WHERE {day_start} = {day})",
        day_before = c("day_before"),
        start = c("work_start"),
        end = c("work_end"),
        day_start = c("day_start"),
        day = utc_day_sql(t),
    )
}

/// Business seconds in `[from, to)` (0 when `to <= from`), as replay's `elapsed`.
pub fn business_seconds_between_sql(
    dialect: Dialect,
    from: &str,
    to: &str,
    calendar_table: &str,
) -> String {
    format!(
        "(CASE WHEN ({to}) <= ({from}) THEN 0 ELSE {} - {} END)",
        business_seconds_before_sql(dialect, to, calendar_table),
        business_seconds_before_sql(dialect, from, calendar_table),
    )
}

/// The instant at which the table's running count of business seconds reaches `count` (an
/// expression, > 0): the end of the working second that makes it.
fn instant_at_count_sql(dialect: Dialect, count: &str, calendar_table: &str) -> String {
    let c = columns(dialect);
    let table = quote_table(dialect, calendar_table);
    let (start, end, before) = (c("work_start"), c("work_end"), c("work_before"));
    format!(
        "(SELECT MIN({start} + (({count}) - {before})) FROM {table} {ALIAS} WHERE {before} < ({count}) AND ({count}) <= {before} + ({end} - {start}))"
    )
}

/// The due instant of `target_business_seconds` (> 0) of business time counted from the
/// instant `created_utc_epoch_seconds_expr`, as replay's `add` of a duration in seconds: UTC
/// epoch seconds (BIGINT), NULL outside the table.
pub fn due_sql(
    dialect: Dialect,
    created_utc_epoch_seconds_expr: &str,
    target_business_seconds: i64,
    calendar_table: &str,
) -> String {
    let before =
        business_seconds_before_sql(dialect, created_utc_epoch_seconds_expr, calendar_table);
    instant_at_count_sql(
        dialect,
        &format!("{before} + {target_business_seconds}"),
        calendar_table,
    )
}

/// The due instant of `days` (> 0) working days counted from the instant `created`, as
/// replay's `add` of `n bd`: the same position in the working day `days` working days after
/// the one `created` falls in (or the next), clamped to that day's close. UTC epoch seconds,
/// NULL outside the table.
pub fn due_days_sql(dialect: Dialect, created: &str, days: u32, calendar_table: &str) -> String {
    let c = columns(dialect);
    let table = quote_table(dialect, calendar_table);
    let (start, end, before) = (c("work_start"), c("work_end"), c("work_before"));
    let (day, offset) = (c("working_day"), c("day_offset"));
    let count = business_seconds_before_sql(dialect, created, calendar_table);
    // The working day and position of `created`: the interval where its count continues.
    let position = format!(
        "(SELECT MIN({day} * {DAY_KEY} + {offset} + (({count}) - {before})) FROM {table} {ALIAS} WHERE {day} > 0 AND {before} <= ({count}) AND ({count}) < {before} + ({end} - {start}))"
    );
    let key = format!("({position} + {})", i64::from(days) * DAY_KEY);
    let key_of = format!("{day} * {DAY_KEY} + {offset}");
    format!(
        "(SELECT COALESCE(MIN(CASE WHEN {key} >= {key_of} AND {key} < {key_of} + ({end} - {start}) THEN {start} + ({key} - ({key_of})) END), MAX({end})) FROM {table} {ALIAS} WHERE {day} = CAST(FLOOR({key} / {DAY_KEY}.0) AS BIGINT))"
    )
}

/// The due instant of a policy duration counted from `created` ([`due_sql`] or
/// [`due_days_sql`]).
pub fn due_for_sql(
    dialect: Dialect,
    created: &str,
    budget: PolicyDuration,
    calendar_table: &str,
) -> String {
    match budget {
        PolicyDuration::Seconds(seconds) => due_sql(
            dialect,
            created,
            i64::try_from(seconds).unwrap_or(i64::MAX),
            calendar_table,
        ),
        PolicyDuration::BusinessDays(days) => due_days_sql(dialect, created, days, calendar_table),
    }
}

/// An instant in UTC epoch seconds as replay writes it: `YYYY-MM-DDTHH:MM:SSZ` (years
/// 1000–9999); NULL stays NULL.
pub fn rfc3339_sql(dialect: Dialect, epoch: &str) -> String {
    match dialect {
        Dialect::Duckdb => {
            format!(
                "strftime(make_timestamp(CAST(({epoch}) AS BIGINT) * 1000000), '%Y-%m-%dT%H:%M:%SZ')"
            )
        }
        Dialect::Datafusion => format!(
            "to_char(to_timestamp_seconds(CAST(({epoch}) AS BIGINT)), '%Y-%m-%dT%H:%M:%SZ')"
        ),
        // Spark prints in the session's zone: the runner sets spark.sql.session.timeZone=UTC.
        Dialect::Spark => format!(
            "date_format(timestamp_seconds(CAST(({epoch}) AS BIGINT)), \"yyyy-MM-dd'T'HH:mm:ss'Z'\")"
        ),
        Dialect::Postgres => format!(
            "to_char(to_timestamp(({epoch})) AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"
        ),
        Dialect::Bigquery => format!(
            "FORMAT_TIMESTAMP('%Y-%m-%dT%H:%M:%SZ', TIMESTAMP_SECONDS(CAST(({epoch}) AS INT64)))"
        ),
        Dialect::Snowflake => format!(
            "TO_CHAR(TO_TIMESTAMP_NTZ(CAST(({epoch}) AS BIGINT)), 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expressions_name_the_table_and_the_instant() {
        let due = due_sql(Dialect::Duckdb, "t.created", 900, "cal");
        assert!(due.contains("\"cal\" handoff_cal"), "{due}");
        assert!(
            due.contains("CAST(handoff_cal.\"work_start\" AS BIGINT)"),
            "{due}"
        );
        assert!(due.contains("t.created"), "{due}");
        assert!(due.contains("+ 900"), "{due}");
        let spark = due_days_sql(Dialect::Spark, "created", 2, "db.cal");
        assert!(spark.contains("`db`.`cal`"), "{spark}");
        assert!(spark.contains("+ 2000000"), "{spark}");
    }
}
