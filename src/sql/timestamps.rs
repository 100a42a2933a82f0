//! Ticket timestamps (text columns) as UTC epoch seconds in SQL, for the SLA clocks.
//!
//! Compiled: the shapes replay reads without a `[timestamps] format` — `YYYY-MM-DDTHH:MM:SSZ`,
//! `YYYY-MM-DD[ T]HH:MM:SS±HH:MM` (an RFC 3339 offset) and `YYYY-MM-DD[ T]HH:MM[:SS]` read in
//! the mapping's `timezone` (UTC by default; another zone through the table of
//! [`super::zone`], joined on the local year) — from digits and each dialect's day number, so
//! no engine's session time zone takes part. Any other text (a fraction of a second, another
//! offset spelling, a bracketed zone) is NULL; a `[timestamps] format` is rewritten into
//! that shape by [`super::strftime`], or refused (exit 2).

use super::Dialect;
use super::strftime::Format;
use super::zone::Zone;
use crate::tickets::mapping::Mapping;

/// How the mapping's timestamps are read in SQL.
#[derive(Debug, Clone)]
pub struct Reader {
    zone: Zone,
    format: Option<Format>,
}

/// The reader of the mapping's timestamps, or why they cannot be compiled exactly.
pub fn reader(mapping: &Mapping) -> Result<Reader, String> {
    let format = match &mapping.timestamps.format {
        Some(format) => Some(super::strftime::compile(format)?),
        None => None,
    };
    let zone = match mapping.timestamps.timezone.as_deref() {
        None => Zone::Fixed(0),
        Some(name) => Zone::of(name)?,
    };
    Ok(Reader { zone, format })
}

impl Reader {
    /// The text [`Reader::epoch_seconds`] reads from a column's trimmed text: the text
    /// itself, or with a declared format, the text rewritten as `YYYY-MM-DD HH:MM:SS` (NULL
    /// when it does not match the format).
    pub fn source(&self, d: Dialect, text: &str) -> String {
        match &self.format {
            Some(format) => format.canonical(d, text),
            None => text.to_string(),
        }
    }

    /// Whether the mapping declares a format ([`Reader::source`] rewrites the text).
    pub fn has_format(&self) -> bool {
        self.format.is_some()
    }

    /// 1 when replay may read `original` but the SQL did not (`source` is
    /// [`Reader::source`] of it, `seconds` the instant read), else 0: the partials' `unread`.
    pub fn unread_sql(&self, d: Dialect, original: &str, source: &str, seconds: &str) -> String {
        let condition = match &self.format {
            // Without a format: whatever starts as a date does (a digit or a year's sign).
            None => format!(
                "{original} IS NOT NULL AND {seconds} IS NULL AND {}",
                d.regex_search(original, "^[-+0-9\u{2212}]")
            ),
            // With one, the SQL reads what replay reads but a negative year and a year past
            // the zone table.
            Some(_) => format!(
                "{source} IS NOT NULL AND {seconds} IS NULL AND (SUBSTR({source}, 1, 1) = '-' OR SUBSTR({source}, 1, 4) > '{}')",
                super::zone::LAST_YEAR
            ),
        };
        format!("CASE WHEN {condition} THEN 1 ELSE 0 END")
    }

    /// The step `<table> AS (…)` to add to the query's `WITH` when the zone needs its table.
    pub fn step(&self, d: Dialect, table: &str) -> Option<String> {
        self.zone.step(d, table)
    }

    /// Whether the zone needs its table (and so [`Reader::join`] for each column it reads).
    pub fn has_table(&self) -> bool {
        !matches!(self.zone, Zone::Fixed(_))
    }

    /// ` LEFT JOIN <table> <alias> ON …`: the zone table's row of the local year of `text` (a
    /// column of the step the join is on), empty when the zone needs no table.
    pub fn join(&self, d: Dialect, text: &str, table: &str, alias: &str) -> String {
        if !self.has_table() {
            return String::new();
        }
        let year = format!(
            "CASE WHEN {} THEN {} END",
            d.regex_search(text, &format!("{DATE}(:[0-5][0-9])?$")),
            self.zone.key_sql(&int(d, text, 1, 4))
        );
        format!(" LEFT JOIN {table} {alias} ON {alias}.tz_y = {year}")
    }

    /// `text` (a trimmed text expression, NULL when empty) as UTC epoch seconds, NULL for any
    /// other shape; `alias` is the row [`Reader::join`] joined for it.
    pub fn epoch_seconds(&self, d: Dialect, text: &str, alias: &str) -> String {
        match self.zone {
            Zone::Fixed(0) => epoch_seconds(d, text),
            _ => zoned_epoch_seconds(d, text, &self.zone, alias),
        }
    }
}

/// `YYYY-MM-DD[ T]HH:MM`, each number in its range (the day is checked by the cast).
const DATE: &str =
    r"^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])[T ]([01][0-9]|2[0-3]):[0-5][0-9]";

/// The integer of `len` digits of `text` from position `from` (1-based).
fn int(d: Dialect, text: &str, from: usize, len: usize) -> String {
    format!(
        "CAST(SUBSTR({text}, {from}, {len}) AS {})",
        if d == Dialect::Bigquery {
            "INT64"
        } else {
            "BIGINT"
        }
    )
}

/// The day number (days since 1970-01-01) of a `YYYY-MM-DD` text expression.
fn day_number(d: Dialect, date: &str) -> String {
    match d {
        Dialect::Duckdb => {
            format!("DATE_DIFF('day', DATE '1970-01-01', TRY_CAST({date} AS DATE))")
        }
        // No TRY_CAST: an impossible date (`2026-02-31`) is an error here (docs/warehouse.md).
        // A date less a date is an `integer`: as a BIGINT, times 86,400 cannot overflow.
        Dialect::Postgres => format!("CAST(CAST({date} AS DATE) - DATE '1970-01-01' AS BIGINT)"),
        // DATEDIFF is an INT: as a BIGINT, times 86,400 cannot overflow after 2038.
        Dialect::Spark => {
            format!("CAST(DATEDIFF(TRY_CAST({date} AS DATE), DATE '1970-01-01') AS BIGINT)")
        }
        Dialect::Datafusion => {
            format!("CAST(DATE_PART('epoch', TRY_CAST({date} AS DATE)) AS BIGINT) / 86400")
        }
        Dialect::Bigquery => format!("UNIX_DATE(SAFE_CAST({date} AS DATE))"),
        Dialect::Snowflake => format!("DATEDIFF(day, DATE '1970-01-01', TRY_TO_DATE({date}))"),
    }
}

/// `text` (a trimmed text expression, NULL when empty) as UTC epoch seconds, NULL for any other
/// shape, reading a time without an offset as UTC. The digits are checked by pattern first, so
/// no cast can fail.
fn epoch_seconds(d: Dialect, text: &str) -> String {
    let int = |from: usize, len: usize| int(d, text, from, len);
    let seconds = format!(
        "{} * 86400 + {} * 3600 + {} * 60",
        day_number(d, &format!("SUBSTR({text}, 1, 10)")),
        int(12, 2),
        int(15, 2)
    );
    let shape = |pattern: &str| d.regex_search(text, pattern);
    let date =
        r"^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])[T ]([01][0-9]|2[0-3]):[0-5][0-9]";
    // `+HH:MM` / `-HH:MM` after the seconds: the instant is the local time less its offset.
    let offset = format!(
        "(CASE WHEN SUBSTR({text}, 20, 1) = '-' THEN -1 ELSE 1 END) * ({} * 3600 + {} * 60)",
        int(21, 2),
        int(24, 2)
    );
    format!(
        "CASE WHEN {text} IS NULL THEN NULL WHEN {} THEN {seconds} + {} WHEN {} THEN {seconds} + {} - {offset} WHEN {} THEN {seconds} END",
        shape(&format!("{date}:[0-5][0-9]Z?$")),
        int(18, 2),
        shape(&format!(
            "{date}:[0-5][0-9][+-]([01][0-9]|2[0-3]):[0-5][0-9]$"
        )),
        int(18, 2),
        shape(&format!("{date}$")),
    )
}

/// [`epoch_seconds`] reading a time without an offset in `zone`: its local seconds less the
/// offset of the joined row `alias`.
fn zoned_epoch_seconds(d: Dialect, text: &str, zone: &Zone, alias: &str) -> String {
    let int = |from: usize, len: usize| int(d, text, from, len);
    let minutes = format!(
        "{} * 86400 + {} * 3600 + {} * 60",
        day_number(d, &format!("SUBSTR({text}, 1, 10)")),
        int(12, 2),
        int(15, 2)
    );
    let with_seconds = format!("{minutes} + {}", int(18, 2));
    let shape = |pattern: &str| d.regex_search(text, pattern);
    let offset = format!(
        "(CASE WHEN SUBSTR({text}, 20, 1) = '-' THEN -1 ELSE 1 END) * ({} * 3600 + {} * 60)",
        int(21, 2),
        int(24, 2)
    );
    let local = |seconds: &str| format!("{seconds} - {}", zone.offset_sql(alias, seconds));
    format!(
        "CASE WHEN {text} IS NULL THEN NULL WHEN {} THEN {with_seconds} WHEN {} THEN {} WHEN {} THEN {with_seconds} - {offset} WHEN {} THEN {} END",
        shape(&format!("{DATE}:[0-5][0-9]Z$")),
        shape(&format!("{DATE}:[0-5][0-9]$")),
        local(&format!("({with_seconds})")),
        shape(&format!(
            "{DATE}:[0-5][0-9][+-]([01][0-9]|2[0-3]):[0-5][0-9]$"
        )),
        shape(&format!("{DATE}$")),
        local(&format!("({minutes})")),
    )
}
