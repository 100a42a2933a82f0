//! A time zone's rules as a small table the SQL joins, so that a local time without an offset
//! (`2026-03-29 02:30` in `Europe/Berlin`) becomes the instant replay's jiff gives it
//! (`TimeZone::to_timestamp`, "compatible" disambiguation): a local time in a gap is read with
//! the offset before the gap, a local time in a fold with the earlier (first) offset.
//!
//! Each transition from offset `before` to `after` at instant `T` is kept as a **threshold**
//! in local seconds, `T + max(before, after)`: a local time `L` is read with `after` from the
//! threshold on and with `before` below it (in a gap, `[T + before, T + after)` is below; in a
//! fold, `[T + after, T + before)` is below — the earlier offset). The table has one row per
//! local year (the join is an equality on the text's four year digits), holding the offset in
//! force at the year's local start and the year's thresholds with the offset each starts, as
//! many pairs as the zone's busiest year needs (padded with a threshold no local time reaches).
//!
//! The rows run from the year before the zone's first transition (the offset before it, for
//! every earlier year) to the last transition's year; a zone that still changes its offset
//! (daylight saving time) is listed through [`LAST_YEAR`] only, and a later year has no row:
//! its instant is NULL, never a guess (docs/warehouse.md).

use super::Dialect;
use jiff::Timestamp;
use jiff::tz::TimeZone;

/// The last local year listed for a zone whose offset still changes.
pub const LAST_YEAR: i16 = 2200;

/// Beyond any local time of a listed year: the padding of a row's unused thresholds.
const NEVER: i64 = 99_999_999_999;

/// The most thresholds in one local year this table holds (no zone of the tz database needs
/// more than a few).
const MAX_PAIRS: usize = 8;

/// One local year: the offset at its start, then (threshold, offset from then on) pairs.
#[derive(Debug, Clone, PartialEq)]
pub struct YearRow {
    pub year: i16,
    pub start_offset: i32,
    pub pairs: Vec<(i64, i32)>,
}

/// How a zone's local times become instants in SQL.
#[derive(Debug, Clone, PartialEq)]
pub enum Zone {
    /// One offset for every local time (UTC, `Etc/GMT-5`, …): no table.
    Fixed(i32),
    /// A row per local year from `first` to `last`; years before `first` read as `first`'s
    /// row; years after `last` too when `settled` (no transition after it), else they have no
    /// row.
    Table {
        rows: Vec<YearRow>,
        pairs: usize,
        settled: bool,
    },
}

/// Seconds since 1970-01-01T00:00:00 of a local time read as UTC, and its year.
fn local_year(local_seconds: i64) -> Option<i16> {
    let ts = Timestamp::from_second(local_seconds).ok()?;
    Some(TimeZone::UTC.to_datetime(ts).year())
}

fn local_year_start(year: i16) -> Option<i64> {
    let date = jiff::civil::Date::new(year, 1, 1).ok()?;
    let ts = TimeZone::UTC.to_timestamp(date.to_datetime(jiff::civil::Time::midnight()));
    Some(ts.ok()?.as_second())
}

impl Zone {
    /// The table of zone `name` (an IANA name replay accepts), or why it cannot be compiled.
    pub fn of(name: &str) -> Result<Zone, String> {
        let tz = TimeZone::get(name).map_err(|_| format!("unknown time zone `{name}`"))?;
        Zone::of_tz(&tz, name)
    }

    pub fn of_tz(tz: &TimeZone, name: &str) -> Result<Zone, String> {
        let why = |reason: &str| format!("time zone `{name}`: {reason}");
        // (threshold in local seconds, offset after), in order.
        let mut thresholds: Vec<(i64, i32)> = Vec::new();
        let initial = tz.to_offset(Timestamp::MIN).seconds();
        let mut before = initial;
        let mut settled = true;
        for transition in tz.following(Timestamp::MIN) {
            let after = transition.offset().seconds();
            if after == before {
                continue;
            }
            let threshold = transition.timestamp().as_second() + i64::from(before.max(after));
            if local_year(threshold).is_none_or(|y| y > LAST_YEAR) {
                settled = false;
                break;
            }
            if thresholds.last().is_some_and(|(t, _)| *t >= threshold) {
                return Err(why(
                    "two transitions are closer than their offsets differ, which one local time per threshold cannot hold",
                ));
            }
            thresholds.push((threshold, after));
            before = after;
        }
        let Some(&(first, _)) = thresholds.first() else {
            return Ok(Zone::Fixed(initial));
        };
        let (Some(first_year), Some(last_year)) = (
            local_year(first),
            thresholds.last().and_then(|(t, _)| local_year(*t)),
        ) else {
            return Err(why("a transition outside the years jiff handles"));
        };
        let last_year = if settled { last_year } else { LAST_YEAR };
        let mut rows = Vec::new();
        let mut offset = initial;
        let mut next = thresholds.iter().peekable();
        for year in first_year - 1..=last_year {
            let end = local_year_start(year + 1).unwrap_or(i64::MAX);
            let start_offset = offset;
            let mut pairs = Vec::new();
            while let Some(&&(t, after)) = next.peek() {
                if t >= end {
                    break;
                }
                pairs.push((t, after));
                offset = after;
                next.next();
            }
            rows.push(YearRow {
                year,
                start_offset,
                pairs,
            });
        }
        let pairs = rows.iter().map(|r| r.pairs.len()).max().unwrap_or(0);
        if pairs > MAX_PAIRS {
            return Err(why(&format!(
                "a year with {pairs} transitions (the table holds {MAX_PAIRS})"
            )));
        }
        Ok(Zone::Table {
            rows,
            pairs,
            settled,
        })
    }

    /// The offset the table gives local seconds `local` (read as UTC) of local year `year`:
    /// what the SQL computes, for tests.
    pub fn offset_of(&self, year: i16, local: i64) -> Option<i32> {
        match self {
            Zone::Fixed(offset) => Some(*offset),
            Zone::Table { rows, settled, .. } => {
                let first = rows.first()?.year;
                let last = rows.last()?.year;
                let key = if year < first {
                    first
                } else if year > last && *settled {
                    last
                } else {
                    year
                };
                let row = rows.get(usize::try_from(key - first).ok()?)?;
                Some(
                    row.pairs
                        .iter()
                        .rev()
                        .find(|(t, _)| local >= *t)
                        .map_or(row.start_offset, |(_, o)| *o),
                )
            }
        }
    }

    /// The join key of a local year (an integer expression): the row's year.
    pub fn key_sql(&self, year: &str) -> String {
        match self {
            Zone::Fixed(_) => year.to_string(),
            Zone::Table { rows, settled, .. } => {
                let first = rows.first().map_or(0, |r| r.year);
                let last = rows.last().map_or(0, |r| r.year);
                let mut arms = format!("WHEN {year} < {first} THEN {first} ");
                if *settled {
                    arms.push_str(&format!("WHEN {year} > {last} THEN {last} "));
                }
                format!("CASE {arms}ELSE {year} END")
            }
        }
    }

    /// The offset (seconds) of local seconds `local` in the joined row `alias`.
    pub fn offset_sql(&self, alias: &str, local: &str) -> String {
        match self {
            Zone::Fixed(offset) => offset.to_string(),
            Zone::Table { pairs, .. } => {
                let arms: Vec<String> = (1..=*pairs)
                    .rev()
                    .map(|i| format!("WHEN {local} >= {alias}.tz_t{i} THEN {alias}.tz_o{i}"))
                    .collect();
                if arms.is_empty() {
                    format!("{alias}.tz_o0")
                } else {
                    format!("CASE {} ELSE {alias}.tz_o0 END", arms.join(" "))
                }
            }
        }
    }

    /// The step `<name> AS (…)` listing the table inline, `None` for a fixed offset.
    pub fn step(&self, d: Dialect, name: &str) -> Option<String> {
        let Zone::Table { rows, pairs, .. } = self else {
            return None;
        };
        let mut columns = vec!["tz_y".to_string(), "tz_o0".to_string()];
        for i in 1..=*pairs {
            columns.push(format!("tz_t{i}"));
            columns.push(format!("tz_o{i}"));
        }
        let values: Vec<String> = rows
            .iter()
            .map(|r| {
                let mut v = vec![r.year.to_string(), r.start_offset.to_string()];
                for i in 0..*pairs {
                    let (t, o) = r.pairs.get(i).copied().unwrap_or((NEVER, r.start_offset));
                    v.push(t.to_string());
                    v.push(o.to_string());
                }
                format!("({})", v.join(", "))
            })
            .collect();
        let body = match d {
            Dialect::Bigquery => {
                let typed: Vec<String> = columns.iter().map(|c| format!("{c} INT64")).collect();
                format!(
                    "SELECT * FROM UNNEST(ARRAY<STRUCT<{}>>[\n    {}\n  ])",
                    typed.join(", "),
                    values.join(",\n    ")
                )
            }
            _ => format!(
                "SELECT * FROM (VALUES\n    {}\n  ) AS tz_v({})",
                values.join(",\n    "),
                columns.join(", ")
            ),
        };
        Some(format!("{name} AS (\n  {body}\n)"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::DateTime;

    /// The instant the table gives a local time, as the SQL computes it.
    fn by_table(zone: &Zone, dt: DateTime) -> Option<i64> {
        let local = TimeZone::UTC.to_timestamp(dt).ok()?.as_second();
        let offset = zone.offset_of(dt.year(), local)?;
        Some(local - i64::from(offset))
    }

    fn by_jiff(tz: &TimeZone, dt: DateTime) -> Option<i64> {
        tz.to_timestamp(dt).ok().map(|t| t.as_second())
    }

    /// Every transition of the listed years, a few seconds and an hour either side of its
    /// local instants, and every year's first and last second: the table reads each local
    /// time as jiff does.
    fn check(name: &str) {
        let tz = TimeZone::get(name).unwrap();
        let zone = Zone::of_tz(&tz, name).unwrap();
        let mut probes: Vec<i64> = Vec::new();
        let mut before = tz.to_offset(Timestamp::MIN).seconds();
        for t in tz.following(Timestamp::MIN) {
            let at = t.timestamp().as_second();
            if local_year(at).is_none_or(|y| y > LAST_YEAR + 1) {
                break;
            }
            let after = t.offset().seconds();
            for base in [at + i64::from(before), at + i64::from(after)] {
                for delta in [-3601, -3600, -1800, -1, 0, 1, 1800, 3599, 3600, 3601] {
                    probes.push(base + delta);
                }
            }
            before = after;
        }
        for year in [
            1000,
            1800,
            1850,
            1900,
            1970,
            2026,
            2100,
            LAST_YEAR,
            LAST_YEAR + 1,
            9000,
        ] {
            let start = local_year_start(year).unwrap();
            probes.extend([start - 1, start, start + 1]);
        }
        let listed = |y: i16| match &zone {
            Zone::Table { settled, .. } => *settled || y <= LAST_YEAR,
            Zone::Fixed(_) => true,
        };
        for local in probes {
            let dt = TimeZone::UTC.to_datetime(Timestamp::from_second(local).unwrap());
            let expected = if listed(dt.year()) {
                by_jiff(&tz, dt)
            } else {
                None
            };
            assert_eq!(by_table(&zone, dt), expected, "{name} {dt}");
        }
    }

    #[test]
    fn zones_with_daylight_saving_time_read_as_jiff_reads_them() {
        for name in [
            "Europe/Berlin",
            "America/New_York",
            "Australia/Sydney",
            "Australia/Lord_Howe",
            "Europe/London",
            "America/Sao_Paulo",
            "Pacific/Apia",
            "Asia/Kolkata",
            "Africa/Casablanca",
            "Antarctica/Troll",
            "America/St_Johns",
        ] {
            check(name);
        }
    }

    #[test]
    fn every_zone_of_the_database_is_compiled_or_refused_with_a_reason() {
        for name in jiff::tz::db().available() {
            let name = name.as_str();
            match Zone::of(name) {
                Ok(_) => check(name),
                Err(reason) => assert!(reason.contains(name), "{reason}"),
            }
        }
    }

    #[test]
    fn fixed_zones_need_no_table() {
        assert_eq!(Zone::of("UTC"), Ok(Zone::Fixed(0)));
        assert_eq!(Zone::of("Etc/GMT-5"), Ok(Zone::Fixed(5 * 3600)));
        assert!(Zone::of("Nowhere/Special").is_err());
    }
}
