//! Ticket timestamps (text columns) as UTC epoch seconds in SQL, for the SLA clocks.
//!
//! Compiled: every spelling replay's `TimestampParser::parse` reads without a `[timestamps]
//! format` but a fraction in an offset, a bracketed zone, a signed six-digit year and the year
//! 9999 (docs/warehouse.md). A ticket's timestamps are read to the whole second, by replay
//! (`value::whole_second`) and here: a fraction of a second is dropped. [`Reader::source`]
//! rewrites each text first: the shapes most exports write (`YYYY-MM-DD[ T]HH:MM[:SS]`, with
//! `Z` or `±HH:MM` after the seconds) pass as they are; any other spelling jiff reads —
//! lower-case `t`/`z`, the basic format (`20260601T1000Z`), an hour alone, `+002026`, a
//! fraction, an offset as `±HH`, `±HHMM`, `±HH:MM:SS` or `±HHMMSS` up to ±25:59:59, second 60
//! (read as 59) — becomes `YYYY-MM-DDTHH:MM:SS` with `Z`, `±HH:MM:SS` or no offset. Those
//! shapes are read from digits and each dialect's day number, so no engine's session time zone
//! takes part; a time without an offset in the mapping's `timezone` (UTC by default; another
//! zone through the table of [`super::zone`], joined on the local year). The spellings not
//! compiled stop the decisions query with an error naming the text, never a silent NULL; the
//! partials count them `unread` and the merge refuses. A `[timestamps] format` is rewritten
//! into the same shape by [`super::strftime`], or refused (exit 2).

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
    /// The text [`Reader::epoch_seconds`] reads from a column's trimmed text (NULL when
    /// empty): without a format, the text rewritten into one of the shapes it reads (NULL when
    /// replay reads none); with one, the text rewritten as `YYYY-MM-DD HH:MM:SS` (NULL when it
    /// does not match the format). With `refuse`, a spelling replay may read that the SQL does
    /// not ([`UNCOMPILED`], a year past the zone table) stops the query with an error
    /// naming the text.
    pub fn source(&self, d: Dialect, text: &str, refuse: bool) -> String {
        match &self.format {
            Some(format) => format.canonical(d, text),
            None => {
                let mut arms = Vec::new();
                let message = d.concat(&[d.quote_text(STOP), text.to_string()]);
                let tt = super::dues::text_type(d);
                // The engine's own error where it has one, else a cast that fails.
                let stop = match d {
                    Dialect::Duckdb => format!("CAST(ERROR({message}) AS {tt})"),
                    Dialect::Spark => format!("CAST(RAISE_ERROR({message}) AS {tt})"),
                    Dialect::Bigquery => format!("CAST(ERROR({message}) AS {tt})"),
                    _ => format!("CAST(CAST({message} AS BIGINT) AS {tt})"),
                };
                if refuse && self.has_table() {
                    arms.push(format!(
                        "WHEN {} THEN {stop}",
                        self.past_the_table_sql(d, text)
                    ));
                }
                arms.push(format!(
                    "WHEN {} THEN {text}",
                    d.regex_search(text, &usual())
                ));
                arms.push(format!(
                    "WHEN {} AND (LENGTH({text}) >= 16 OR {}) THEN {}",
                    d.regex_search(text, &lenient()),
                    d.regex_search(text, OFFSET),
                    rewritten(d, text)
                ));
                if refuse {
                    arms.push(format!(
                        "WHEN {} THEN {stop}",
                        d.regex_search(text, UNCOMPILED)
                    ));
                }
                format!("CASE {} END", arms.join(" "))
            }
        }
    }

    /// Whether `text` is read without an offset in a year past the zone table.
    fn past_the_table_sql(&self, d: Dialect, text: &str) -> String {
        format!(
            "{} AND LENGTH({text}) >= 16 AND {} AND NOT {}",
            d.regex_search(text, &lenient()),
            d.regex_search(text, &past_the_table()),
            d.regex_search(text, OFFSET)
        )
    }

    /// 1 when replay may read `original` but the SQL did not (`source` is
    /// [`Reader::source`] of it, `seconds` the instant read), else 0: the partials' `unread`.
    pub fn unread_sql(&self, d: Dialect, original: &str, source: &str, seconds: &str) -> String {
        let condition = match &self.format {
            // Without a format: what stops the decisions query ([`Reader::source`]).
            None => {
                let mut condition = format!(
                    "({source} IS NULL AND {})",
                    d.regex_search(original, UNCOMPILED)
                );
                if self.has_table() {
                    condition.push_str(&format!(
                        " OR ({seconds} IS NULL AND {})",
                        self.past_the_table_sql(d, original)
                    ));
                }
                condition
            }
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
        "CASE WHEN {text} IS NULL THEN NULL WHEN {} THEN {seconds} + {} WHEN {} THEN {seconds} + {} - {offset} WHEN {} THEN {seconds} + {} - {} WHEN {} THEN {seconds} END",
        shape(&format!("{date}:[0-5][0-9]Z?$")),
        int(18, 2),
        shape(&format!(
            "{date}:[0-5][0-9][+-]([01][0-9]|2[0-3]):[0-5][0-9]$"
        )),
        int(18, 2),
        shape(&format!("{date}:[0-5][0-9]{LONG_OFFSET}$")),
        int(18, 2),
        long_offset(d, text),
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
        "CASE WHEN {text} IS NULL THEN NULL WHEN {} THEN {with_seconds} WHEN {} THEN {} WHEN {} THEN {with_seconds} - {offset} WHEN {} THEN {with_seconds} - {} WHEN {} THEN {} END",
        shape(&format!("{DATE}:[0-5][0-9]Z$")),
        shape(&format!("{DATE}:[0-5][0-9]$")),
        local(&format!("({with_seconds})")),
        shape(&format!(
            "{DATE}:[0-5][0-9][+-]([01][0-9]|2[0-3]):[0-5][0-9]$"
        )),
        shape(&format!("{DATE}:[0-5][0-9]{LONG_OFFSET}$")),
        long_offset(d, text),
        shape(&format!("{DATE}$")),
        local(&format!("({minutes})")),
    )
}

/// The start of the message of a text the decisions query does not read (docs/warehouse.md).
const STOP: &str =
    "handoff: a timestamp spelling replay reads is not compiled to SQL (docs/warehouse.md): ";

/// The offset of a rewritten text (`±HH:MM:SS`, up to jiff's ±25:59:59) after its seconds.
const LONG_OFFSET: &str = "[+-]([01][0-9]|2[0-5]):[0-5][0-9]:[0-5][0-9]";

/// `±(HH * 3600 + MM * 60 + SS)` of a [`LONG_OFFSET`] at position 20 of `text`.
fn long_offset(d: Dialect, text: &str) -> String {
    format!(
        "(CASE WHEN SUBSTR({text}, 20, 1) = '-' THEN -1 ELSE 1 END) * ({} * 3600 + {} * 60 + {})",
        int(d, text, 21, 2),
        int(d, text, 24, 2),
        int(d, text, 27, 2)
    )
}

/// A text ending in an offset (`Z`, `z` or a sign and digits): of a text [`lenient`] matches,
/// exactly those with an offset.
const OFFSET: &str = "([Zz]|[+-][0-9:]+)$";

/// A four-digit year but 9999 (jiff's last instant is 9999-12-30T22:00:00Z, so a text of that
/// year may fall past it).
const YEAR: &str = "([0-8][0-9]{3}|9[0-8][0-9]{2}|99[0-8][0-9]|999[0-8])";

/// The shapes read as they are: `YYYY-MM-DD[ T]HH:MM[:SS]`, with `Z` or `±HH:MM` (hours to
/// 23) after the seconds.
fn usual() -> String {
    format!(
        "^{YEAR}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])[T ]([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9](Z|[+-]([01][0-9]|2[0-3]):[0-5][0-9])?)?$"
    )
}

/// Every other spelling jiff's `Timestamp` and `DateTime` parsers read (RFC 3339 and ISO 8601
/// as Temporal takes them) but an offset's fraction, a signed year other than `+00YYYY` and
/// the year 9999: the date extended or basic, `T`, `t` or a space, the time extended or basic
/// (each part separated alike), seconds to 60, a fraction (1 to 9 digits, dropped),
/// `Z`, `z` or an offset of hours (to 25), minutes and seconds, extended or basic. Without an
/// offset the text must also be 16 characters or more (replay's rule).
fn lenient() -> String {
    let (mo, dd) = ("(0[1-9]|1[0-2])", "(0[1-9]|[12][0-9]|3[01])");
    let (mi, ss, fraction) = ("[0-5][0-9]", "([0-5][0-9]|60)", "([.,][0-9]{1,9})?");
    format!(
        "^([+]00)?{YEAR}(-{mo}-{dd}|{mo}{dd})[Tt ]([01][0-9]|2[0-3])(:{mi}(:{ss}{fraction})?|{mi}({ss}{fraction})?)?([Zz]|[+-]([01][0-9]|2[0-5])(:{mi}(:{mi})?|{mi}({mi})?)?)?$"
    )
}

/// What replay may read and [`lenient`] does not: a text that starts as a date and has a
/// fraction [`lenient`] does not take (in an offset) or ends in a bracket, or whose year is
/// signed or 9999. (Wider than what replay reads: a text of this look that replay would not
/// read stops the query too.)
const UNCOMPILED: &str = r"^([0-9]{4}|[+-][0-9]{6}).*([.,][0-9]|\]$)|^(-[0-9]{6}|([+]00)?9999)";

/// A text starting with a year past the zone table's last ([`super::zone::LAST_YEAR`]).
fn past_the_table() -> String {
    let last = super::zone::LAST_YEAR;
    // The years after `last` (four digits): for each digit position, a greater digit there
    // after the same digits before it.
    let digits: Vec<u32> = format!("{last:04}")
        .chars()
        .filter_map(|c| c.to_digit(10))
        .collect();
    let mut alternatives = Vec::new();
    for (i, digit) in digits.iter().enumerate() {
        if *digit == 9 {
            continue;
        }
        let prefix: String = digits[..i].iter().map(|d| d.to_string()).collect();
        let rest = 3 - i;
        let tail = if rest == 0 {
            String::new()
        } else {
            format!("[0-9]{{{rest}}}")
        };
        alternatives.push(format!("{prefix}[{}-9]{tail}", digit + 1));
    }
    format!("^([+]00)?({})", alternatives.join("|"))
}

/// A text [`lenient`] matches as `YYYY-MM-DDTHH:MM:SS` with `Z`, `±HH:MM:SS` or nothing after
/// it: the date's and the time's digits without their separators (the time padded with
/// zeros), second 60 as 59, the offset's digits padded likewise.
fn rewritten(d: Dialect, text: &str) -> String {
    let extract = |pattern: &str| -> String {
        let p = d.quote_text(pattern);
        let e = match d {
            Dialect::Duckdb | Dialect::Spark => format!("REGEXP_EXTRACT({text}, {p}, 1)"),
            Dialect::Datafusion => format!("ARRAY_ELEMENT(REGEXP_MATCH({text}, {p}), 1)"),
            Dialect::Postgres => format!("SUBSTRING({text} FROM {p})"),
            Dialect::Bigquery => format!("REGEXP_EXTRACT({text}, {p})"),
            Dialect::Snowflake => format!("REGEXP_SUBSTR({text}, {p}, 1, 1, 'e', 1)"),
        };
        format!("NULLIF({e}, '')")
    };
    // `YYYYMMDD` (the `+00` of a six-digit year dropped), `HHMMSS`, the offset without `:`.
    let date = format!(
        "REPLACE({}, '-', '')",
        extract("^[+]?[0-9]*([0-9]{4}-?[0-9]{2}-?[0-9]{2})[Tt ]")
    );
    let time = format!(
        "RPAD(REPLACE({}, ':', ''), 6, '0')",
        extract("[Tt ]([0-9:]+)")
    );
    let offset = format!("REPLACE({}, ':', '')", extract(OFFSET));
    let padded = format!("RPAD({offset}, 7, '0')");
    let part = |of: &str, from: usize, len: usize| format!("SUBSTR({of}, {from}, {len})");
    let parts = [
        part(&date, 1, 4),
        "'-'".into(),
        part(&date, 5, 2),
        "'-'".into(),
        part(&date, 7, 2),
        "'T'".into(),
        part(&time, 1, 2),
        "':'".into(),
        part(&time, 3, 2),
        "':'".into(),
        format!(
            "CASE WHEN {} = '60' THEN '59' ELSE {} END",
            part(&time, 5, 2),
            part(&time, 5, 2)
        ),
        format!(
            "CASE WHEN {offset} IS NULL THEN '' WHEN UPPER({offset}) = 'Z' THEN 'Z' ELSE {} END",
            d.concat(&[
                part(&padded, 1, 3),
                "':'".into(),
                part(&padded, 4, 2),
                "':'".into(),
                part(&padded, 6, 2),
            ])
        ),
    ];
    d.concat(&parts)
}
