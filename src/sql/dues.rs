//! The SLA dues of the decisions query ([`super::decisions`]) in **join form**: the business-
//! time arithmetic of [`super::sla`] written as equality joins against the calendar table
//! (`handoff calendar`), so that every engine runs it as hash joins over the tickets — no
//! correlated subquery (DataFusion refuses them in a select list, Spark cannot resolve an outer
//! column two levels down, DuckDB planned them as a join that spilled tens of GB at 200k rows).
//!
//! The calendar side is small (a row per working interval of a UTC day) and is prepared once:
//!
//! - `due_seg`: each row of a day stretched to the next row's start (the first from midnight),
//!   so the row an instant `t` falls in is found by an equality join on `t`'s UTC day and a
//!   range inside it; business seconds before `t` are that row's `work_before` plus the worked
//!   part of its interval before `t`;
//! - `due_cnt`: the intervals keyed by the bucket (86,400 business seconds wide) of the counts
//!   they end (`work_before < count <= work_before + length`), each in the one or two buckets
//!   it spans (an interval is at most a day long), so that the interval where a running count
//!   is reached is an equality join on the count's bucket;
//! - `due_pos`: the same for the counts an interval starts (`work_before <= count < …`), of
//!   numbered working days only: a clock's working day and its position in that day;
//! - `due_days`: the intervals of each numbered working day by their span of the day's working
//!   seconds (`day_offset`), the last one open-ended, so a position kept `n` working days later
//!   finds its interval, or the day's close, with an equality join on the working day.
//!
//! The ticket side adds steps after the decisions' `u` (clock start, decided rank and priority):
//! `w` picks each target's budget, `x` counts the clock start's business seconds, `y` the counts
//! the seconds targets reach, `z` the clock's working day; the final select joins the dues. Each
//! due is exactly [`super::sla::due_for_sql`]'s (and replay's `BusinessCalendar::add`): NULL
//! outside the table, a seconds due ending at a close rather than at the next opening, a
//! working-day due clamped to that day's close.

use super::Dialect;
use super::calendar::quote_table;
use super::sla;
use crate::calendar::duration::PolicyDuration;

/// Per tier (rank from 1) and priority index: the first response and resolution targets
/// ([`super::reads::sla_targets`]).
pub type Targets = [(usize, usize, [Option<PolicyDuration>; 2])];

/// The bucket of business seconds the count lookups join on: at least the longest interval
/// (a UTC day), so an interval spans at most two buckets.
const BUCKET: i64 = 86_400;

/// Past any position in a working day (a local date has at most 25 hours of work).
const OPEN_END: i64 = 1_000_000;

/// What the decisions query needs for its two due columns.
pub struct Dues {
    /// Steps after `u` (`name AS (...)`), to append to the query's `WITH`.
    pub steps: Vec<String>,
    /// The final select's `FROM` clause (the last step and its joins).
    pub from: String,
    /// `first_response_due`, `resolution_due`: replay's text of the instant, NULL when none.
    pub columns: [String; 2],
}

fn int_type(d: Dialect) -> &'static str {
    match d {
        Dialect::Bigquery => "INT64",
        _ => "BIGINT",
    }
}

pub fn seconds_of(budget: PolicyDuration) -> Option<i64> {
    match budget {
        PolicyDuration::Seconds(s) => Some(i64::try_from(s).unwrap_or(i64::MAX)),
        PolicyDuration::BusinessDays(_) => None,
    }
}

pub fn days_of(budget: PolicyDuration) -> Option<i64> {
    match budget {
        PolicyDuration::BusinessDays(n) => Some(i64::from(n)),
        PolicyDuration::Seconds(_) => None,
    }
}

/// `WHEN <rank * 1000 + priority> THEN <budget>` for the targets whose budget number `target`
/// `pick` gives, joined by spaces; `None` when no target has one.
pub fn budget_arms(
    targets: &Targets,
    target: usize,
    pick: fn(PolicyDuration) -> Option<i64>,
) -> Option<String> {
    let arms: Vec<String> = targets
        .iter()
        .filter_map(|(rank, priority, budgets)| {
            budgets[target]
                .and_then(pick)
                .map(|n| format!("WHEN {} THEN {n}", rank * 1000 + priority))
        })
        .collect();
    (!arms.is_empty()).then(|| arms.join(" "))
}

/// `CASE decided_rank * 1000 + priority_index WHEN … THEN <budget> END` for the targets whose
/// budget `pick` gives (rejected rows get none); `None` when no target has one.
fn budget_case(
    targets: &Targets,
    target: usize,
    pick: fn(PolicyDuration) -> Option<i64>,
) -> Option<String> {
    budget_arms(targets, target, pick).map(|arms| {
        format!(
            "CASE WHEN rejected IS NULL THEN CASE decided_rank * 1000 + priority_index {arms} END END"
        )
    })
}

pub fn around_the_clock(d: Dialect, targets: &Targets, target: usize) -> Option<String> {
    budget_case(targets, target, seconds_of)
        .map(|seconds| sla::rfc3339_sql(d, &format!("clock_start + {seconds}")))
}

/// The dues against the calendar table `calendar_table`, after the step `u`.
pub fn against_calendar(d: Dialect, targets: &Targets, calendar_table: &str) -> Dues {
    let bucket = |x: &str| bucket_sql(d, x);
    let seconds: Vec<Option<String>> = (0..2)
        .map(|k| budget_case(targets, k, seconds_of))
        .collect();
    let days: Vec<Option<String>> = (0..2).map(|k| budget_case(targets, k, days_of)).collect();
    let any_seconds = seconds.iter().any(Option::is_some);
    let any_days = days.iter().any(Option::is_some);

    let mut steps = calendar_side(d, calendar_table, any_seconds, any_days);

    // The ticket side.
    let mut budgets = vec![format!("{} * 86400 AS clock_day", bucket("clock_start"))];
    for k in 0..2 {
        if let Some(case) = &seconds[k] {
            budgets.push(format!("{case} AS due_s_{k}"));
        }
        if let Some(case) = &days[k] {
            budgets.push(format!("{case} AS due_d_{k}"));
        }
    }
    steps.push(format!(
        "w AS (\n  SELECT u.*, {}\n  FROM u\n)",
        budgets.join(", ")
    ));
    steps.push(
        "x AS (\n  SELECT w.*, seg.cal_before + CASE WHEN w.clock_start <= seg.cal_start THEN 0 WHEN w.clock_start >= seg.cal_end THEN seg.cal_end - seg.cal_start ELSE w.clock_start - seg.cal_start END AS clock_count\n  FROM w LEFT JOIN due_seg seg ON seg.cal_day = w.clock_day AND seg.cal_lo <= w.clock_start AND w.clock_start < seg.cal_hi\n)"
            .to_string(),
    );
    let mut counts = vec![format!("{} AS clock_bucket", bucket("clock_count"))];
    for (k, case) in seconds.iter().enumerate() {
        if case.is_some() {
            counts.push(format!("clock_count + due_s_{k} AS cnt_{k}"));
            counts.push(format!(
                "{} AS bkt_{k}",
                bucket(&format!("clock_count + due_s_{k}"))
            ));
        }
    }
    steps.push(format!(
        "y AS (\n  SELECT x.*, {}\n  FROM x\n)",
        counts.join(", ")
    ));
    let mut last = "y";
    if any_days {
        let mut position =
            vec!["pos.cal_off + (y.clock_count - pos.cal_before) AS clock_off".to_string()];
        for (k, case) in days.iter().enumerate() {
            if case.is_some() {
                position.push(format!("pos.cal_wd + y.due_d_{k} AS wd_{k}"));
            }
        }
        steps.push(format!(
            "z AS (\n  SELECT y.*, {}\n  FROM y LEFT JOIN due_pos pos ON pos.cal_bucket = y.clock_bucket AND pos.cal_before <= y.clock_count AND y.clock_count < pos.cal_before + (pos.cal_end - pos.cal_start)\n)",
            position.join(", ")
        ));
        last = "z";
    }

    let mut from = last.to_string();
    let mut columns = [String::new(), String::new()];
    for k in 0..2 {
        let mut arms = Vec::new();
        if seconds[k].is_some() {
            from.push_str(&format!(
                "\nLEFT JOIN due_cnt s_{k} ON s_{k}.cal_bucket = {last}.bkt_{k} AND s_{k}.cal_before < {last}.cnt_{k} AND {last}.cnt_{k} <= s_{k}.cal_before + (s_{k}.cal_end - s_{k}.cal_start)"
            ));
            arms.push(format!(
                "WHEN {last}.due_s_{k} IS NOT NULL THEN s_{k}.cal_start + ({last}.cnt_{k} - s_{k}.cal_before)"
            ));
        }
        if days[k].is_some() {
            from.push_str(&format!(
                "\nLEFT JOIN due_days d_{k} ON d_{k}.cal_wd = {last}.wd_{k} AND d_{k}.cal_off <= {last}.clock_off AND {last}.clock_off < d_{k}.cal_off_end"
            ));
            arms.push(format!(
                "WHEN {last}.due_d_{k} IS NOT NULL THEN d_{k}.cal_start + CASE WHEN {last}.clock_off - d_{k}.cal_off < d_{k}.cal_end - d_{k}.cal_start THEN {last}.clock_off - d_{k}.cal_off ELSE d_{k}.cal_end - d_{k}.cal_start END"
            ));
        }
        columns[k] = if arms.is_empty() {
            format!("CAST(NULL AS {})", text_type(d))
        } else {
            sla::rfc3339_sql(d, &format!("CASE {} END", arms.join(" ")))
        };
    }
    Dues {
        steps,
        from,
        columns,
    }
}

/// The calendar side of the join forms: `due_cal` and `due_seg` always, `due_cnt` when a
/// seconds budget is looked up, `due_pos` and `due_days` when a working-day budget is (see
/// the module's documentation). Shared with the partials query ([`super::business`]).
pub fn calendar_side(
    d: Dialect,
    calendar_table: &str,
    any_seconds: bool,
    any_days: bool,
) -> Vec<String> {
    let int = int_type(d);
    let bucket = |x: &str| bucket_sql(d, x);
    let column = |name: &str| format!("CAST(c.{} AS {int})", d.quote_ident(name));
    let mut steps = vec![format!(
        "due_cal AS (\n  SELECT {} AS cal_day, {} AS cal_start, {} AS cal_end, {} AS cal_before, {} AS cal_wd, {} AS cal_off\n  FROM {} c\n)",
        column("day_start"),
        column("work_start"),
        column("work_end"),
        column("work_before"),
        column("working_day"),
        column("day_offset"),
        quote_table(d, calendar_table),
    )];
    let window = "OVER (PARTITION BY cal_day ORDER BY cal_start)";
    steps.push(format!(
        "due_seg AS (\n  SELECT cal_day, cal_start, cal_end, cal_before,\n    CASE WHEN LAG(cal_start) {window} IS NULL THEN cal_day ELSE cal_start END AS cal_lo,\n    COALESCE(LEAD(cal_start) {window}, cal_day + 86400) AS cal_hi\n  FROM due_cal\n)"
    ));
    // An interval under each bucket of the counts `[low, high]` it covers (one or two).
    let buckets = |name: &str, low: &str, high: &str, columns: &str, filter: &str| {
        format!(
            "{name} AS (\n  SELECT {} AS cal_bucket, {columns} FROM due_cal WHERE {filter}\n  UNION ALL\n  SELECT {} AS cal_bucket, {columns} FROM due_cal WHERE {filter} AND {} <> {}\n)",
            bucket(low),
            bucket(high),
            bucket(high),
            bucket(low),
        )
    };
    if any_seconds {
        steps.push(buckets(
            "due_cnt",
            "cal_before + 1",
            "cal_before + (cal_end - cal_start)",
            "cal_start, cal_end, cal_before",
            "cal_end > cal_start",
        ));
    }
    if any_days {
        steps.push(buckets(
            "due_pos",
            "cal_before",
            "cal_before + (cal_end - cal_start) - 1",
            "cal_start, cal_end, cal_before, cal_wd, cal_off",
            "cal_wd > 0 AND cal_end > cal_start",
        ));
        steps.push(format!(
            "due_days AS (\n  SELECT cal_wd, cal_off, cal_start, cal_end,\n    CASE WHEN cal_end = MAX(cal_end) OVER (PARTITION BY cal_wd) THEN {OPEN_END} ELSE cal_off + (cal_end - cal_start) END AS cal_off_end\n  FROM due_cal\n  WHERE cal_wd > 0 AND cal_end > cal_start\n)"
        ));
    }

    steps
}

/// The bucket of business seconds (or of a UTC day) of an integer expression.
pub fn bucket_sql(d: Dialect, x: &str) -> String {
    format!("CAST(FLOOR(({x}) / {BUCKET}.0) AS {})", int_type(d))
}

/// The dialect's text type.
pub fn text_type(d: Dialect) -> &'static str {
    match d {
        Dialect::Spark | Dialect::Bigquery => "STRING",
        Dialect::Postgres => "TEXT",
        _ => "VARCHAR",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_lookups_the_targets_need_are_joined() {
        let seconds = [(1, 0, [Some(PolicyDuration::Seconds(900)), None])];
        let dues = against_calendar(Dialect::Duckdb, &seconds, "cal");
        let all = dues.steps.join("\n");
        assert!(all.contains("FROM \"cal\" c"), "{all}");
        assert!(all.contains("WHEN 1000 THEN 900"), "{all}");
        assert!(!all.contains("due_pos"), "{all}");
        assert!(dues.from.contains("LEFT JOIN due_cnt s_0"), "{}", dues.from);
        assert!(!dues.from.contains("s_1"), "{}", dues.from);
        assert!(
            dues.columns[1].starts_with("CAST(NULL"),
            "{}",
            dues.columns[1]
        );
        let days = [(2, 1, [None, Some(PolicyDuration::BusinessDays(3))])];
        let dues = against_calendar(Dialect::Spark, &days, "db.cal");
        assert!(dues.steps.join("\n").contains("`db`.`cal`"));
        assert!(
            dues.from.starts_with("z\nLEFT JOIN due_days d_1"),
            "{}",
            dues.from
        );
    }
}
