//! Shared by `tests/sql.rs` and `tests/sql_partials.rs`: running the real binary, and running
//! compiled queries on a real engine through `tests/warehouse/run.py` (one engine session for
//! every query of a call). An engine that is missing is a loud skip on stderr, or a failure
//! under `WAREHOUSE_REQUIRED=1` (as `.ci/run` sets).

// Each test binary uses a part of this module.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Run the binary in the repository root, whatever its exit.
pub fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_handoff"))
        .args(args)
        .current_dir(root())
        .output()
        .expect("run handoff")
}

/// Run the binary; it must succeed.
pub fn handoff(args: &[&str]) -> Output {
    let output = run(args);
    assert!(
        output.status.success(),
        "handoff {args:?} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    output
}

pub fn text(path: &Path) -> String {
    path.display().to_string()
}

/// The venv's Python (`tests/warehouse/setup.sh`), else the system's.
pub fn python() -> PathBuf {
    let venv = root().join("target/warehouse-venv/bin/python");
    if venv.exists() {
        venv
    } else {
        PathBuf::from("python3")
    }
}

/// Write `handoff calendar` for `policy` to `to`, covering every test's tickets and their
/// longest SLA. A policy without `calendar:` joins none: it gets another fixture's table, so
/// every case loads one, unread.
pub fn write_calendar(policy: &Path, to: &Path) {
    let has_calendar = std::fs::read_to_string(policy)
        .is_ok_and(|t| t.lines().any(|l| l.starts_with("calendar:")));
    let policy = if has_calendar {
        policy.to_path_buf()
    } else {
        root().join("fixtures/sql-calendar/policy.yaml")
    };
    handoff(&[
        "calendar",
        "--policy",
        &text(&policy),
        "--from",
        "2025-06-01",
        "--to",
        "2027-06-30",
        "-o",
        &text(to),
    ]);
}

/// One engine session: tables to load (name, CSV) and queries to run (SQL file, CSV result).
#[derive(Default)]
pub struct Session {
    pub tables: Vec<(String, PathBuf)>,
    /// Tables that get a column holding each record's line in its CSV (table, column).
    pub lines: Vec<(String, String)>,
    pub jobs: Vec<(PathBuf, PathBuf)>,
}

impl Session {
    /// Run every job on `dialect`; `false` when the engine is not installed (a skip, said on
    /// stderr, or a failure under `WAREHOUSE_REQUIRED=1`).
    pub fn run(&self, dialect: &str) -> bool {
        let mut args: Vec<String> = vec![
            text(&root().join("tests/warehouse/run.py")),
            "--engine".into(),
            dialect.into(),
        ];
        for (name, path) in &self.tables {
            args.extend(["--table".into(), format!("{name}={}", path.display())]);
        }
        for (name, column) in &self.lines {
            args.extend(["--lines".into(), format!("{name}={column}")]);
        }
        for (sql, out) in &self.jobs {
            args.extend(["--sql".into(), text(sql), "--out".into(), text(out)]);
        }
        let output = Command::new(python())
            .args(&args)
            .output()
            .expect("run tests/warehouse/run.py");
        match output.status.code() {
            Some(0) => true,
            Some(3) => {
                assert!(
                    std::env::var("WAREHOUSE_REQUIRED").as_deref() != Ok("1"),
                    "{dialect} is not installed and WAREHOUSE_REQUIRED=1 (run tests/warehouse/setup.sh)"
                );
                eprintln!("SKIPPED: {dialect} is not installed (run tests/warehouse/setup.sh)");
                false
            }
            _ => panic!(
                "run.py --engine {dialect} failed:\n{}",
                String::from_utf8_lossy(&output.stderr)
            ),
        }
    }
}

/// Tickets whose SLA clocks start on the edges of the sql-calendar fixture's working intervals
/// (a second before, at and after each opening and close; UTC midnights, which cut its evening
/// hours; the DST change of 2026-11-01 and Thanksgiving), every tier, priority and target kind
/// (`15m` to `10bd`); some escalated later than created, some written with an offset. Written
/// under `dir`.
pub fn edge_tickets(dir: &Path) -> PathBuf {
    let path = dir.join("calendar_edges.csv");
    let table = handoff(&[
        "calendar",
        "--policy",
        "fixtures/sql-calendar/policy.yaml",
        "--from",
        "2026-10-24",
        "--to",
        "2026-12-06",
    ]);
    let table = String::from_utf8(table.stdout).unwrap();
    let mut instants = Vec::new();
    for line in table.lines().skip(1) {
        let f: Vec<i64> = line.split(',').filter_map(|v| v.parse().ok()).collect();
        // day_start, day_before, work_start, work_end, work_before, working_day, day_offset
        let (day, start, end) = (f[0], f[2], f[3]);
        instants.extend([day, day + 1, day + 43_200]);
        if end > start {
            instants.extend([start - 1, start, start + 1, end - 1, end, end + 1]);
        }
    }
    let categories = ["billing", "howto", "bug", "chitchat"];
    let priorities = ["urgent", "high", "normal", "low"];
    let text = |t: i64| jiff::Timestamp::from_second(t).unwrap().to_string();
    // Some clocks are written with an RFC 3339 offset (`T` or a space, either sign), which
    // replay and the SQL read as the same instant.
    let offsets = [
        ("T", 5 * 3600 + 1800),
        (" ", -3 * 3600),
        ("T", 0),
        (" ", -(9 * 3600 + 1800)),
    ];
    let with_offset = |t: i64, i: usize| {
        let (sep, seconds) = offsets[(i / 5) % offsets.len()];
        let offset = jiff::tz::Offset::from_seconds(seconds).unwrap();
        let local = offset.to_datetime(jiff::Timestamp::from_second(t).unwrap());
        let sign = if seconds < 0 { '-' } else { '+' };
        let (h, m) = (seconds.abs() / 3600, seconds.abs() % 3600 / 60);
        format!("{}{sep}{}{sign}{h:02}:{m:02}", local.date(), local.time())
    };
    let mut csv = String::from("id,created_at,escalated_at,text,category,priority\n");
    for (i, &t) in instants.iter().enumerate() {
        let escalated = if i % 7 == 3 {
            text(t + 5_400 + i as i64)
        } else {
            String::new()
        };
        let created = if i % 5 == 2 {
            with_offset(t, i)
        } else {
            text(t)
        };
        csv.push_str(&format!(
            "E{i:05},{created},{escalated},hello,{},{}\n",
            categories[i % 4],
            priorities[(i / 4) % 4]
        ));
    }
    std::fs::write(&path, csv).unwrap();
    path
}
