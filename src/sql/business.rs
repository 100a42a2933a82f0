//! Business time in the partials query ([`super::partials`]) in **join form**: the clocks'
//! dues, the hand-off deadlines, business seconds between two instants and "opened inside
//! working hours", each as a few steps (CTEs) of equality joins against the calendar side of
//! [`super::dues`] (`due_seg`, `due_cnt`, `due_pos`, `due_days`). No correlated subquery, so
//! DataFusion and Spark run them as DuckDB and Postgres do. The arithmetic is
//! [`super::dues`]'s (exact, `tests/sql.rs`), per column instead of per decision.
//!
//! A [`Chain`] grows a relation step by step: each step selects the previous one's columns
//! and adds its own, named with the step's prefix, so that the steps compose in any order.

use super::Dialect;
use super::dues::{bucket_sql, calendar_side};

/// A relation grown step by step (CTE definitions and the name of the last one).
pub struct Chain {
    d: Dialect,
    /// Whether the policy has a `calendar:` (else the clocks run around the clock).
    calendar: bool,
    pub ctes: Vec<String>,
    pub last: String,
}

impl Chain {
    /// A chain starting at the relation `from`.
    pub fn new(d: Dialect, calendar: bool, from: &str) -> Self {
        Chain {
            d,
            calendar,
            ctes: Vec::new(),
            last: from.to_string(),
        }
    }

    /// Whether the clocks run on the policy's calendar.
    pub fn calendar(&self) -> bool {
        self.calendar
    }

    /// The calendar side (the `due_*` steps), to put before the ticket side.
    pub fn calendar_steps(d: Dialect, calendar_table: &str) -> Vec<String> {
        calendar_side(d, calendar_table, true, true)
    }

    /// Add the step `name`: `SELECT <last>.*, <columns> FROM <last> <joins>`.
    pub fn step(&mut self, name: &str, columns: &[String], joins: &str) {
        let last = &self.last;
        self.ctes.push(format!(
            "{name} AS (\n  SELECT {last}.*, {}\n  FROM {last}{joins}\n)",
            columns.join(", ")
        ));
        self.last = name.to_string();
    }

    /// `{p}_cnt`: business seconds from the calendar table's first day to the instant
    /// `instant` (NULL outside the table), and `{p}_in`: 1 when the instant lies inside a
    /// working interval, 0 when outside one, NULL outside the table. Without a calendar,
    /// `{p}_cnt` is the instant itself and `{p}_in` is 1.
    pub fn count_at(&mut self, p: &str, instant: &str) {
        if !self.calendar {
            self.step(
                &format!("{p}_a"),
                &[format!("{instant} AS {p}_cnt"), format!("1 AS {p}_in")],
                "",
            );
            return;
        }
        self.step(
            &format!("{p}_t"),
            &[
                format!("{instant} AS {p}_at"),
                format!("{} * 86400 AS {p}_day", bucket_sql(self.d, instant)),
            ],
            "",
        );
        let q = &self.last.clone();
        self.step(
            &format!("{p}_a"),
            &[
                format!("{p}_seg.cal_before + CASE WHEN {q}.{p}_at <= {p}_seg.cal_start THEN 0 WHEN {q}.{p}_at >= {p}_seg.cal_end THEN {p}_seg.cal_end - {p}_seg.cal_start ELSE {q}.{p}_at - {p}_seg.cal_start END AS {p}_cnt"),
                format!("CASE WHEN {p}_seg.cal_start <= {q}.{p}_at AND {q}.{p}_at < {p}_seg.cal_end THEN 1 WHEN {p}_seg.cal_day IS NOT NULL THEN 0 END AS {p}_in"),
            ],
            &format!("\n  LEFT JOIN due_seg {p}_seg ON {p}_seg.cal_day = {q}.{p}_day AND {p}_seg.cal_lo <= {q}.{p}_at AND {q}.{p}_at < {p}_seg.cal_hi"),
        );
    }

    /// `out`: the due of a budget counted from the instant whose count is the column `count`
    /// ([`Self::count_at`]) and that stands at `clock`: `seconds` (an expression of business
    /// seconds, NULL for none) or else `days` (working days, NULL for none). NULL when neither
    /// or outside the table, as [`super::sla::due_for_sql`] and replay's
    /// `BusinessCalendar::add`.
    pub fn due(
        &mut self,
        p: &str,
        clock: &str,
        count: &str,
        seconds: Option<&str>,
        days: Option<&str>,
        out: &str,
    ) {
        let null = "CAST(NULL AS BIGINT)";
        let mut budgets = vec![
            format!("{} AS {p}_sb", seconds.unwrap_or(null)),
            format!("{} AS {p}_db", days.unwrap_or(null)),
        ];
        if !self.calendar {
            self.step(
                &format!("{p}_f"),
                &[format!(
                    "CASE WHEN {clock} IS NOT NULL THEN {clock} + ({}) END AS {out}",
                    seconds.unwrap_or(null)
                )],
                "",
            );
            return;
        }
        let bucket = |x: &str| bucket_sql(self.d, x);
        if seconds.is_some() {
            let n = format!("{count} + ({})", seconds.unwrap_or(null));
            budgets.push(format!("{n} AS {p}_n"));
            budgets.push(format!("{} AS {p}_nk", bucket(&n)));
        }
        if days.is_some() {
            budgets.push(format!("{} AS {p}_ck", bucket(count)));
        }
        self.step(&format!("{p}_b"), &budgets, "");
        let mut arms = Vec::new();
        if seconds.is_some() {
            let q = self.last.clone();
            self.step(
                &format!("{p}_s"),
                &[format!(
                    "{p}_jn.cal_start + ({q}.{p}_n - {p}_jn.cal_before) AS {p}_ds"
                )],
                &format!("\n  LEFT JOIN due_cnt {p}_jn ON {p}_jn.cal_bucket = {q}.{p}_nk AND {p}_jn.cal_before < {q}.{p}_n AND {q}.{p}_n <= {p}_jn.cal_before + ({p}_jn.cal_end - {p}_jn.cal_start)"),
            );
            arms.push(format!("WHEN {p}_sb IS NOT NULL THEN {p}_ds"));
        }
        if days.is_some() {
            let q = self.last.clone();
            self.step(
                &format!("{p}_p"),
                &[
                    format!("{p}_pos.cal_off + ({q}.{count} - {p}_pos.cal_before) AS {p}_off"),
                    format!("{p}_pos.cal_wd + {q}.{p}_db AS {p}_wd"),
                ],
                &format!("\n  LEFT JOIN due_pos {p}_pos ON {p}_pos.cal_bucket = {q}.{p}_ck AND {p}_pos.cal_before <= {q}.{count} AND {q}.{count} < {p}_pos.cal_before + ({p}_pos.cal_end - {p}_pos.cal_start)"),
            );
            let q = self.last.clone();
            self.step(
                &format!("{p}_w"),
                &[format!(
                    "{p}_dd.cal_start + CASE WHEN {q}.{p}_off - {p}_dd.cal_off < {p}_dd.cal_end - {p}_dd.cal_start THEN {q}.{p}_off - {p}_dd.cal_off ELSE {p}_dd.cal_end - {p}_dd.cal_start END AS {p}_dw"
                )],
                &format!("\n  LEFT JOIN due_days {p}_dd ON {p}_dd.cal_wd = {q}.{p}_wd AND {p}_dd.cal_off <= {q}.{p}_off AND {q}.{p}_off < {p}_dd.cal_off_end"),
            );
            arms.push(format!("WHEN {p}_db IS NOT NULL THEN {p}_dw"));
        }
        let value = if arms.is_empty() {
            null.to_string()
        } else {
            format!("CASE WHEN {clock} IS NULL THEN NULL {} END", arms.join(" "))
        };
        self.step(&format!("{p}_f"), &[format!("{value} AS {out}")], "");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_due_joins_only_what_its_budgets_need() {
        let mut chain = Chain::new(Dialect::Duckdb, true, "s");
        chain.count_at("cs", "clock_start");
        chain.due("fr", "clock_start", "cs_cnt", Some("900"), None, "due_fr");
        let all = chain.ctes.join("\n");
        assert!(all.contains("LEFT JOIN due_seg cs_seg"), "{all}");
        assert!(all.contains("LEFT JOIN due_cnt fr_jn"), "{all}");
        assert!(!all.contains("due_pos"), "{all}");
        assert_eq!(chain.last, "fr_f");
        let mut plain = Chain::new(Dialect::Spark, false, "s");
        plain.due(
            "fr",
            "clock_start",
            "cs_cnt",
            Some("900"),
            Some("2"),
            "due_fr",
        );
        assert!(
            plain.ctes[0].contains("clock_start + (900)"),
            "{:?}",
            plain.ctes
        );
    }
}
