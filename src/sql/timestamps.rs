//! Ticket timestamps (text columns) as UTC epoch seconds in SQL, for the SLA clocks.
//!
//! Compiled: the shapes replay reads without a `[timestamps] format` — `YYYY-MM-DDTHH:MM:SSZ`
//! and `YYYY-MM-DD[ T]HH:MM[:SS]` read as UTC (the default zone), and
//! `YYYY-MM-DD[ T]HH:MM:SS±HH:MM` (an RFC 3339 offset) — from digits and each dialect's day
//! number, so no engine's session time zone takes part. Any other text (a fraction of a second,
//! another offset spelling, a bracketed zone, a declared format or zone) is NULL: [`epoch_seconds`] says when
//! the mapping asks for more than this, so the caller can refuse rather than approximate.

use super::Dialect;
use crate::tickets::mapping::Mapping;

/// Why the mapping's timestamps cannot be compiled.
pub fn unsupported(mapping: &Mapping) -> Option<String> {
    if let Some(format) = &mapping.timestamps.format {
        return Some(format!(
            "the mapping's timestamp format `{format}` is not compiled to SQL yet (only RFC 3339 UTC and `YYYY-MM-DD HH:MM[:SS]` are)"
        ));
    }
    match mapping.timestamps.timezone.as_deref() {
        None | Some("UTC") | Some("Etc/UTC") => None,
        Some(zone) => Some(format!(
            "timestamps without an offset read in `{zone}` are not compiled to SQL yet (only UTC is)"
        )),
    }
}

/// The day number (days since 1970-01-01) of a `YYYY-MM-DD` text expression.
fn day_number(d: Dialect, date: &str) -> String {
    match d {
        Dialect::Duckdb => {
            format!("DATE_DIFF('day', DATE '1970-01-01', TRY_CAST({date} AS DATE))")
        }
        // No TRY_CAST: an impossible date (`2026-02-31`) is an error here (docs/warehouse.md).
        Dialect::Postgres => format!("(CAST({date} AS DATE) - DATE '1970-01-01')"),
        Dialect::Spark => format!("DATEDIFF(TRY_CAST({date} AS DATE), DATE '1970-01-01')"),
        Dialect::Datafusion => {
            format!("CAST(DATE_PART('epoch', TRY_CAST({date} AS DATE)) AS BIGINT) / 86400")
        }
        Dialect::Bigquery => format!("UNIX_DATE(SAFE_CAST({date} AS DATE))"),
        Dialect::Snowflake => format!("DATEDIFF(day, DATE '1970-01-01', TRY_TO_DATE({date}))"),
    }
}

/// `text` (a trimmed text expression, NULL when empty) as UTC epoch seconds, NULL for any other
/// shape. The digits are checked by pattern first, so no cast can fail.
pub fn epoch_seconds(d: Dialect, text: &str) -> String {
    let int = |from: usize, len: usize| {
        format!(
            "CAST(SUBSTR({text}, {from}, {len}) AS {})",
            if d == Dialect::Bigquery {
                "INT64"
            } else {
                "BIGINT"
            }
        )
    };
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
