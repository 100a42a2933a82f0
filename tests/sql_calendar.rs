//! Issue 12, business time in SQL: the calendar table of `handoff calendar` and the SLA due and
//! duration expressions of `src/sql/sla.rs` agree with replay's business-time arithmetic
//! (`src/calendar/`).
//!
//! - Property-style: dues and durations computed from the table's CSV (in Rust, the way the SQL
//!   does) equal the calendar engine's for many random instants, on calendars with DST changes,
//!   holidays, half-hour zones and hours that cross UTC midnight.
//! - Executed: the SQL expressions, run on DuckDB against the table `--format sql` writes, give
//!   the dues of `handoff replay --decisions` for a generated ticket set, byte for byte, and the
//!   engine's durations. They need `target/warehouse-venv` with DuckDB
//!   (`tests/warehouse/setup.sh`); without it they are skipped, unless `WAREHOUSE_REQUIRED=1`.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use handoff::calendar::BusinessCalendar;
use handoff::calendar::duration::PolicyDuration;
use handoff::engine::eval::CompiledPolicy;
use handoff::engine::sla::Target;
use handoff::policy::calendar::build_calendar;
use handoff::policy::load::load_bytes;
use handoff::sql::Dialect;
use handoff::sql::calendar::CalendarTable;
use handoff::sql::sla;
use jiff::Timestamp;
use jiff::civil::Date;
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn handoff(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_handoff"))
        .args(args)
        .current_dir(root())
        .env("NO_COLOR", "1")
        .output()
        .expect("run handoff")
}

fn ok(args: &[&str]) -> String {
    let out = handoff(args);
    assert_eq!(
        out.status.code(),
        Some(0),
        "handoff {args:?}\nstderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

const FIXTURE: &str = "fixtures/sql-calendar/policy.yaml";

fn calendar_of(yaml: &str) -> BusinessCalendar {
    let text = format!("version: 1\ncalendar:\n{yaml}");
    let loaded = load_bytes("t.yaml".into(), text.into_bytes()).unwrap();
    let (calendar, problems) = build_calendar(loaded.policy.calendar.as_ref());
    assert!(problems.is_empty(), "{problems:?}");
    calendar
}

fn fixture_policy() -> CompiledPolicy {
    let bytes = std::fs::read(root().join(FIXTURE)).unwrap();
    let loaded = load_bytes(FIXTURE.into(), bytes).unwrap();
    CompiledPolicy::new(&loaded.policy).unwrap()
}

fn date(text: &str) -> Date {
    text.parse().unwrap()
}

fn at(second: i64) -> Timestamp {
    Timestamp::from_second(second).unwrap()
}

/// A row of the table, read back from its CSV.
#[derive(Debug)]
struct Row {
    day_start: i64,
    day_before: i64,
    work: Option<(i64, i64, i64)>,
    day: Option<(i64, i64)>,
}

/// The table's CSV, read as a SQL engine reads it.
fn parse_csv(csv: &str) -> Vec<Row> {
    let mut lines = csv.lines();
    assert_eq!(
        lines.next(),
        Some(
            "utc_day,day_start,day_before,work_start,work_end,work_before,local_date,working_day,day_offset"
        )
    );
    lines
        .map(|line| {
            let f: Vec<&str> = line.split(',').collect();
            assert_eq!(f.len(), 9, "{line}");
            let int = |s: &str| -> Option<i64> { (!s.is_empty()).then(|| s.parse().unwrap()) };
            // No number is ever absent: a day without work is an empty interval, a date
            // without a number is working day 0.
            let n: Vec<i64> = [1, 2, 3, 4, 5, 7, 8]
                .iter()
                .map(|&i| int(f[i]).unwrap())
                .collect();
            Row {
                day_start: n[0],
                day_before: n[1],
                work: Some((n[2], n[3], n[4])),
                day: Some((n[5], n[6])),
            }
        })
        .collect()
}

/// A working interval `(start, end, before)` with its `(working_day, day_offset)`.
type Numbered = ((i64, i64, i64), (i64, i64));

/// The SQL of `src/sql/sla.rs`, evaluated in Rust over the table's rows.
struct Sql<'a>(&'a [Row]);

impl Sql<'_> {
    /// `business_seconds_before_sql`.
    fn before(&self, t: i64) -> Option<i64> {
        let day = t.div_euclid(86_400) * 86_400;
        let rows: Vec<&Row> = self.0.iter().filter(|r| r.day_start == day).collect();
        let first = rows.first()?;
        let worked: i64 = rows
            .iter()
            .filter_map(|r| r.work)
            .map(|(s, e, _)| if s < t { e.min(t) - s } else { 0 })
            .sum();
        Some(first.day_before + worked)
    }

    fn between(&self, a: i64, b: i64) -> Option<i64> {
        if b <= a {
            return Some(0);
        }
        Some(self.before(b)? - self.before(a)?)
    }

    fn at_count(&self, count: i64) -> Option<i64> {
        self.0
            .iter()
            .filter_map(|r| r.work)
            .filter(|&(s, e, before)| before < count && count <= before + (e - s))
            .map(|(s, _, before)| s + (count - before))
            .min()
    }

    /// `due_sql`.
    fn due(&self, t: i64, seconds: i64) -> Option<i64> {
        self.at_count(self.before(t)? + seconds)
    }

    /// `due_days_sql`.
    fn due_days(&self, t: i64, days: i64) -> Option<i64> {
        const KEY: i64 = 1_000_000;
        let count = self.before(t)?;
        let position = self
            .0
            .iter()
            .filter_map(|r| Some((r.work?, r.day?)))
            .filter(|&(_, (day, _))| day > 0)
            .filter(|&((s, e, before), _)| before <= count && count < before + (e - s))
            .map(|((_, _, before), (day, offset))| day * KEY + offset + (count - before))
            .min()?;
        let key = position + days * KEY;
        let target: Vec<Numbered> = self
            .0
            .iter()
            .filter_map(|r| Some((r.work?, r.day?)))
            .filter(|&(_, (day, _))| day == key.div_euclid(KEY))
            .collect();
        let inside = target
            .iter()
            .filter(|&&((s, e, _), (day, offset))| {
                key >= day * KEY + offset && key < day * KEY + offset + (e - s)
            })
            .map(|&((s, _, _), (day, offset))| s + (key - (day * KEY + offset)))
            .min();
        inside.or_else(|| target.iter().map(|&((_, e, _), _)| e).max())
    }
}

/// Calendars with what business time has to get right.
fn calendars() -> Vec<(&'static str, BusinessCalendar)> {
    vec![
        ("new-york-fixture", fixture_policy().calendar),
        (
            "berlin",
            calendar_of(
                "  timezone: Europe/Berlin\n  hours: { mon-fri: \"09:00-18:00\", sat: \"10:00-14:00\" }\n  holidays: [2026-12-25, 2026-12-26, 2027-01-01]\n",
            ),
        ),
        (
            "lord-howe",
            // Half-hour DST; hours from midnight and to midnight.
            calendar_of(
                "  timezone: Australia/Lord_Howe\n  hours: { mon-fri: \"00:00-02:30, 09:00-18:00, 23:00-24:00\", sun: \"01:00-03:00\" }\n  holidays: [2026-04-03, 2026-10-05]\n",
            ),
        ),
        (
            "kolkata",
            calendar_of(
                "  timezone: Asia/Kolkata\n  hours: { mon-sat: \"10:00-19:30\" }\n  holidays: [2026-08-15]\n",
            ),
        ),
        (
            "utc-around-the-clock",
            calendar_of("  timezone: UTC\n  hours: { mon-sun: \"00:00-24:00\" }\n"),
        ),
    ]
}

#[test]
fn the_fixture_table_is_what_the_binary_prints() {
    let csv = ok(&[
        "calendar",
        "--policy",
        FIXTURE,
        "--from",
        "2026-10-30",
        "--to",
        "2026-11-02",
    ]);
    let calendar = fixture_policy().calendar;
    let table = CalendarTable::build(&calendar, date("2026-10-30"), date("2026-11-02")).unwrap();
    assert_eq!(csv, table.to_csv());
    // 2026-11-01 is the Sunday summer time ends: no work, one row; Monday 2026-11-02 works
    // 08:00 EST = 13:00Z, an hour later in UTC than the Friday before (08:00 EDT = 12:00Z).
    assert!(
        csv.contains("\n2026-11-01,1793491200,61200,1793491200,1793491200,61200,,0,0\n"),
        "{csv}"
    );
    assert!(csv.contains("2026-10-30,1793318400,0,1793361600,"), "{csv}");
    assert!(
        csv.contains("2026-11-02,1793577600,61200,1793624400,"),
        "{csv}"
    );
}

#[test]
fn dues_and_durations_from_the_table_equal_the_calendar_engine() {
    let mut rng = ChaCha8Rng::seed_from_u64(12);
    let (from, to) = (date("2026-01-01"), date("2027-12-31"));
    // Instants well inside the table, so that every due of up to 10 working days is in it.
    // 2026-01-02 .. 2027-10-29.
    let (low, high) = (20_455 * 86_400, 21_121 * 86_400);
    for (name, calendar) in calendars() {
        let table = CalendarTable::build(&calendar, from, to).unwrap();
        let rows = parse_csv(&table.to_csv());
        let sql = Sql(&rows);
        // Instants at random, and on the edges of working intervals.
        let edges: Vec<i64> = rows
            .iter()
            .filter_map(|r| r.work)
            .flat_map(|(s, e, _)| [s - 1, s, s + 1, e - 1, e, e + 1])
            .filter(|t| (low..high).contains(t))
            .collect();
        for i in 0..3000 {
            let t = if i % 3 == 0 {
                edges[rng.random_range(0..edges.len())]
            } else {
                rng.random_range(low..high)
            };
            let seconds = match i % 4 {
                0 => rng.random_range(1..600),
                1 => rng.random_range(1..40_000),
                _ => rng.random_range(1..1_000_000),
            };
            let expected = calendar
                .add(at(t), PolicyDuration::Seconds(seconds as u64))
                .map(|d| d.as_second());
            assert_eq!(
                sql.due(t, seconds),
                expected,
                "{name}: {} + {seconds}s",
                at(t)
            );
            let days = rng.random_range(1..11);
            let expected = calendar
                .add(at(t), PolicyDuration::BusinessDays(days as u32))
                .map(|d| d.as_second());
            assert_eq!(
                sql.due_days(t, days),
                expected,
                "{name}: {} + {days}bd",
                at(t)
            );
            let u = if i % 5 == 0 {
                t - rng.random_range(0..100_000)
            } else {
                t + rng.random_range(0..3_000_000)
            };
            let u = u.clamp(low, high);
            assert_eq!(
                sql.between(t, u),
                Some(calendar.elapsed(at(t), at(u))),
                "{name}: {} to {}",
                at(t),
                at(u)
            );
        }
    }
}

#[test]
fn what_the_table_does_not_cover_is_null() {
    let calendar = fixture_policy().calendar;
    let table = CalendarTable::build(&calendar, date("2026-10-30"), date("2026-11-06")).unwrap();
    let rows = parse_csv(&table.to_csv());
    let sql = Sql(&rows);
    let inside = at(1_793_361_600).as_second(); // 2026-10-30T12:00:00Z, Friday 08:00 EDT
    assert_eq!(sql.before(inside - 86_400), None);
    assert_eq!(sql.due(inside, 10 * 86_400), None);
    // Monday 2026-11-02 + 5 working days is Saturday 2026-11-07, past the table.
    assert_eq!(sql.due_days(inside + 3 * 86_400, 5), None);
    // Friday 2026-10-30 + 1 working day is Saturday, in the table.
    assert_eq!(
        sql.due_days(inside, 1),
        calendar
            .add(at(inside), PolicyDuration::BusinessDays(1))
            .map(|d| d.as_second())
    );
}

// ---- Executed on DuckDB ----------------------------------------------------------------

fn python() -> Option<PathBuf> {
    let python = root().join("target/warehouse-venv/bin/python");
    let works = Command::new(&python)
        .args(["-c", "import duckdb"])
        .output()
        .is_ok_and(|o| o.status.success());
    if works {
        return Some(python);
    }
    assert!(
        std::env::var("WAREHOUSE_REQUIRED").as_deref() != Ok("1"),
        "WAREHOUSE_REQUIRED=1 but DuckDB is missing: run tests/warehouse/setup.sh"
    );
    eprintln!("skipped: no DuckDB in target/warehouse-venv (tests/warehouse/setup.sh)");
    None
}

/// Run `query` on DuckDB after `setup`; the result's CSV.
fn duckdb(python: &Path, dir: &Path, setup: &str, query: &str) -> String {
    let (setup_file, query_file) = (dir.join("setup.sql"), dir.join("query.sql"));
    std::fs::write(&setup_file, setup).unwrap();
    std::fs::write(&query_file, query).unwrap();
    let out = Command::new(python)
        .arg(root().join("tests/warehouse/calendar_run.py"))
        .arg("--setup")
        .arg(&setup_file)
        .arg("--sql")
        .arg(&query_file)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "duckdb failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// Run `query` with `tests/warehouse/run.py` on `engine`, the calendar CSV loaded as text as
/// table `cal`; `None` (skipped) when the runner or the engine is not installed, unless
/// `WAREHOUSE_REQUIRED=1`.
fn warehouse(python: &Path, engine: &str, dir: &Path, csv: &Path, query: &str) -> Option<String> {
    let runner = root().join("tests/warehouse/run.py");
    let required = std::env::var("WAREHOUSE_REQUIRED").as_deref() == Ok("1");
    if !runner.exists() {
        assert!(
            !required,
            "WAREHOUSE_REQUIRED=1 but tests/warehouse/run.py is missing"
        );
        eprintln!("skipped {engine}: no tests/warehouse/run.py");
        return None;
    }
    let (sql, out) = (
        dir.join(format!("{engine}.sql")),
        dir.join(format!("{engine}.csv")),
    );
    std::fs::write(&sql, query).unwrap();
    let run = Command::new(python)
        .arg(&runner)
        .args(["--engine", engine, "--table"])
        .arg(format!("cal={}", csv.display()))
        .arg("--sql")
        .arg(&sql)
        .arg("--out")
        .arg(&out)
        .output()
        .unwrap();
    if run.status.code() == Some(3) {
        assert!(
            !required,
            "WAREHOUSE_REQUIRED=1 but {engine} is not installed"
        );
        eprintln!("skipped {engine}: not installed");
        return None;
    }
    assert!(
        run.status.success(),
        "{engine} failed: {}",
        String::from_utf8_lossy(&run.stderr)
    );
    Some(std::fs::read_to_string(out).unwrap())
}

/// Tickets over the fixture calendar's autumn, with created_at at random seconds and on the
/// edges of working hours (UTC midnight cuts, the lunch break, the DST change, Thanksgiving).
fn tickets_csv(rng: &mut ChaCha8Rng, table: &CalendarTable) -> String {
    let edges: Vec<i64> = table
        .rows
        .iter()
        .filter_map(|r| r.work)
        .flat_map(|w| [w.start, w.end, w.start - 1, w.end - 1])
        .collect();
    let (low, high) = (20_746 * 86_400, 20_800 * 86_400); // 2026-10-21 .. 2026-12-14
    let mut csv = String::from("id,created_at,text,category,priority\n");
    for i in 0..400 {
        let t = if i % 3 == 0 {
            edges[rng.random_range(0..edges.len())].clamp(low, high)
        } else {
            rng.random_range(low..high)
        };
        let category = ["billing", "howto", "bug", "chitchat"][rng.random_range(0..4)];
        let priority = ["urgent", "high", "normal", "low"][rng.random_range(0..4)];
        csv.push_str(&format!("T{i:03},{},hello,{category},{priority}\n", at(t)));
    }
    csv
}

#[test]
fn sql_dues_on_duckdb_equal_replays_decisions() {
    let Some(python) = python() else { return };
    let dir = tempfile::tempdir().unwrap();
    let policy = fixture_policy();
    let table =
        CalendarTable::build(&policy.calendar, date("2026-10-01"), date("2027-03-31")).unwrap();
    let mut rng = ChaCha8Rng::seed_from_u64(1212);
    let tickets = dir.path().join("tickets.csv");
    std::fs::write(&tickets, tickets_csv(&mut rng, &table)).unwrap();
    let decisions = dir.path().join("decisions.csv");
    ok(&[
        "replay",
        "--policy",
        FIXTURE,
        "--tickets",
        tickets.to_str().unwrap(),
        "--decisions",
        decisions.to_str().unwrap(),
        "--format",
        "json",
    ]);

    // Replay's dues, and the SQL's for the same tickets, tier and priority.
    let mut reader = csv::Reader::from_path(&decisions).unwrap();
    let headers = reader.headers().unwrap().clone();
    let column = |name: &str| headers.iter().position(|h| h == name).unwrap();
    let (id, decision, priority, created, first, resolution) = (
        column("id"),
        column("decision"),
        column("priority"),
        column("created_at"),
        column("first_response_due"),
        column("resolution_due"),
    );
    let mut expected = String::from("id,first_response_due,resolution_due\n");
    let mut values = Vec::new();
    for record in reader.records() {
        let r = record.unwrap();
        expected.push_str(&format!("{},{},{}\n", &r[id], &r[first], &r[resolution]));
        let epoch = r[created].parse::<Timestamp>().unwrap().as_second();
        values.push(format!(
            "('{}', {epoch}, '{}', '{}')",
            &r[id], &r[decision], &r[priority]
        ));
    }
    let due_case = |dialect: Dialect, target: Target| -> String {
        let mut arms = Vec::new();
        for tier in &policy.tiers {
            for (p, name) in policy.priorities.iter().enumerate() {
                let Some(budget) = tier.sla_for(p).get(target) else {
                    continue;
                };
                let due = sla::due_for_sql(dialect, "t.created", budget, "cal");
                arms.push(format!(
                    "WHEN t.tier = '{}' AND t.priority = '{name}' THEN {}",
                    tier.name,
                    sla::rfc3339_sql(dialect, &due)
                ));
            }
        }
        format!("CASE {} END", arms.join("\n  "))
    };
    let query_in = |dialect: Dialect| {
        format!(
            "WITH t(id, created, tier, priority) AS (VALUES {})\nSELECT t.id, {} AS first_response_due, {} AS resolution_due FROM t ORDER BY t.id",
            values.join(",\n"),
            due_case(dialect, Target::FirstResponse),
            due_case(dialect, Target::Resolution),
        )
    };
    let query = query_in(Dialect::Duckdb);
    assert!(expected.lines().filter(|l| l.ends_with('Z')).count() > 200);
    // The typed table of `--format sql`, and the CSV loaded as text.
    let typed = table.to_sql(Dialect::Duckdb, "cal");
    assert_eq!(duckdb(&python, dir.path(), &typed, &query), expected);
    let csv = dir.path().join("calendar.csv");
    std::fs::write(&csv, table.to_csv()).unwrap();
    let text = format!(
        "CREATE TABLE cal AS SELECT * FROM read_csv('{}', header = true, all_varchar = true)",
        csv.display()
    );
    assert_eq!(duckdb(&python, dir.path(), &text, &query), expected);
    // Postgres, through the warehouse runner (branch sql-decisions), with the CSV as text.
    if let Some(got) = warehouse(
        &python,
        "postgres",
        dir.path(),
        &csv,
        &query_in(Dialect::Postgres),
    ) {
        assert_eq!(got, expected, "postgres");
    }
}

#[test]
fn sql_durations_on_duckdb_equal_the_calendar_engine() {
    let Some(python) = python() else { return };
    let dir = tempfile::tempdir().unwrap();
    let mut rng = ChaCha8Rng::seed_from_u64(7);
    let (low, high) = (20_454 * 86_400, 20_754 * 86_400);
    for (name, calendar) in calendars() {
        let table =
            CalendarTable::build(&calendar, date("2026-01-01"), date("2026-12-31")).unwrap();
        let mut values = Vec::new();
        let mut expected = String::from("i,seconds\n");
        for i in 0..300 {
            let a = rng.random_range(low..high);
            let b = if i % 6 == 0 {
                a - rng.random_range(0..50_000)
            } else {
                (a + rng.random_range(0..5_000_000)).min(high)
            };
            values.push(format!("({i}, {a}, {b})"));
            expected.push_str(&format!("{i},{}\n", calendar.elapsed(at(a), at(b))));
        }
        let between = sla::business_seconds_between_sql(Dialect::Duckdb, "p.a", "p.b", "cal");
        let query = format!(
            "WITH p(i, a, b) AS (VALUES {})\nSELECT p.i, {between} AS seconds FROM p ORDER BY p.i",
            values.join(",\n")
        );
        let got = duckdb(
            &python,
            dir.path(),
            &table.to_sql(Dialect::Duckdb, "cal"),
            &query,
        );
        assert_eq!(got, expected, "{name}");
    }
}
