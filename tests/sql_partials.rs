//! Issue 12: `handoff sql --emit partials` checked by execution. The compiled query runs on
//! DuckDB and Postgres (`tests/warehouse/run.py`, one engine session for every case); its CSV
//! result, merged by `handoff merge`, must print byte for byte the report `handoff replay
//! --as-of T` prints for the same tickets, in every format. A CSV partial mixes with JSON
//! partials (`replay --partial-out`) of other slices, and parts of different policies or
//! as-of instants are refused (exit 2).
//!
//! An engine that is missing is a loud skip on stderr, or a failure under
//! `WAREHOUSE_REQUIRED=1` (as `.ci/run` sets).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_handoff"))
        .args(args)
        .current_dir(root())
        .output()
        .expect("run handoff")
}

fn handoff(args: &[&str]) -> Vec<u8> {
    let output = run(args);
    assert!(
        output.status.success(),
        "handoff {args:?} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    output.stdout
}

fn python() -> PathBuf {
    let venv = root().join("target/warehouse-venv/bin/python");
    if venv.exists() {
        venv
    } else {
        PathBuf::from("python3")
    }
}

fn text(path: &Path) -> String {
    path.display().to_string()
}

/// One policy, its tickets and the as-of instant.
struct Case {
    name: &'static str,
    policy: PathBuf,
    tickets: PathBuf,
    map: Option<PathBuf>,
    as_of: &'static str,
}

fn generated(dir: &Path) -> PathBuf {
    let path = dir.join("generated.csv");
    if !path.exists() {
        std::fs::write(&path, handoff(&["gen", "--rows", "2000", "--seed", "7"])).unwrap();
    }
    path
}

fn cases(dir: &Path, all: bool) -> Vec<Case> {
    let mut cases = vec![
        Case {
            name: "support",
            policy: root().join("policies/support.yaml"),
            tickets: root().join("examples/support-tickets.csv"),
            map: None,
            as_of: "2026-04-01T00:00:00Z",
        },
        Case {
            name: "support_generated",
            policy: root().join("policies/support.yaml"),
            tickets: generated(dir),
            map: None,
            as_of: "2026-05-01T00:00:00Z",
        },
    ];
    if all {
        cases.push(Case {
            name: "it_service",
            policy: root().join("policies/it-service.yaml"),
            tickets: generated(dir),
            map: Some(root().join("fixtures/sql/it-service-map.toml")),
            as_of: "2026-05-01T00:00:00Z",
        });
    }
    cases
}

/// The table's columns: its CSV header.
fn header(tickets: &Path) -> String {
    let text = std::fs::read_to_string(tickets).unwrap();
    text.lines().next().unwrap().to_string()
}

/// Compile each case's partials query, run them all in one `dialect` session, and give each
/// case's CSV result. `None` when the engine is not installed.
fn execute(dialect: &str, cases: &[Case], dir: &Path) -> Option<Vec<PathBuf>> {
    let mut args: Vec<String> = vec![
        text(&root().join("tests/warehouse/run.py")),
        "--engine".into(),
        dialect.into(),
    ];
    let mut outs = Vec::new();
    for case in cases {
        let calendar_table = format!("{}_calendar", case.name);
        let calendar = dir.join(format!("{calendar_table}.csv"));
        let policy = text(&case.policy);
        handoff(&[
            "calendar",
            "--policy",
            &policy,
            "--from",
            "2025-06-01",
            "--to",
            "2027-06-30",
            "-o",
            &text(&calendar),
        ]);
        let sql = dir.join(format!("{}.{dialect}.sql", case.name));
        let out = dir.join(format!("{}.{dialect}.partial.csv", case.name));
        let columns = header(&case.tickets);
        let mut compile = vec![
            "sql",
            "--policy",
            &policy,
            "--dialect",
            dialect,
            "--table",
            case.name,
            "--calendar-table",
            &calendar_table,
            "--emit",
            "partials",
            "--as-of",
            case.as_of,
            "--columns",
            &columns,
        ];
        let map = case.map.as_deref().map(text);
        if let Some(map) = &map {
            compile.extend(["--map", map]);
        }
        let sql_text = text(&sql);
        compile.extend(["-o", &sql_text]);
        handoff(&compile);
        args.extend([
            "--table".into(),
            format!("{calendar_table}={}", calendar.display()),
            "--table".into(),
            format!("{}={}", case.name, case.tickets.display()),
            "--sql".into(),
            sql_text,
            "--out".into(),
            text(&out),
        ]);
        outs.push(out);
    }
    let output = Command::new(python())
        .args(&args)
        .output()
        .expect("run tests/warehouse/run.py");
    if output.status.code() == Some(3) {
        let message = format!("{dialect} is not installed (tests/warehouse/setup.sh)");
        assert!(
            std::env::var_os("WAREHOUSE_REQUIRED").is_none(),
            "{message}, and WAREHOUSE_REQUIRED is set"
        );
        eprintln!("SKIPPED: {message}");
        return None;
    }
    assert!(
        output.status.success(),
        "{dialect}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    Some(outs)
}

fn replay_args(case: &Case) -> Vec<String> {
    let mut args = vec![
        "replay".to_string(),
        "--policy".into(),
        text(&case.policy),
        "--tickets".into(),
        text(&case.tickets),
        "--as-of".into(),
        case.as_of.into(),
    ];
    if let Some(map) = &case.map {
        args.extend(["--map".into(), text(map)]);
    }
    args
}

/// For every case and format: merge of the engine's CSV result == one replay.
fn check_engine(dialect: &str, all: bool) {
    let dir = tempfile::tempdir().unwrap();
    let cases = cases(dir.path(), all);
    let Some(outs) = execute(dialect, &cases, dir.path()) else {
        return;
    };
    for (case, out) in cases.iter().zip(&outs) {
        for format in ["json", "table", "markdown", "csv"] {
            let mut args = replay_args(case);
            args.extend(["--format".into(), format.into()]);
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            let want = handoff(&args);
            let got = handoff(&["merge", &text(out), "--format", format]);
            assert!(
                want == got,
                "{dialect} {} --format {format}: merge of the SQL partial differs from replay\n--- replay\n{}\n--- merge\n{}",
                case.name,
                String::from_utf8_lossy(&want),
                String::from_utf8_lossy(&got)
            );
        }
    }
}

#[test]
fn duckdb_partials_merge_to_replays_report() {
    check_engine("duckdb", true);
}

#[test]
fn postgres_partials_merge_to_replays_report() {
    check_engine("postgres", false);
}

/// Write the records `range` of `tickets` (a CSV) with its header to `to`.
fn slice(tickets: &Path, range: std::ops::Range<usize>, to: &Path) {
    let mut reader = csv::Reader::from_path(tickets).unwrap();
    let mut writer = csv::Writer::from_path(to).unwrap();
    writer.write_record(reader.headers().unwrap()).unwrap();
    for record in reader.records().skip(range.start).take(range.len()) {
        writer.write_record(&record.unwrap()).unwrap();
    }
    writer.flush().unwrap();
}

/// A CSV partial of one slice and a JSON partial of the other merge (either order) into the
/// report of one replay of both; a JSON part of another as-of instant or policy is exit 2.
#[test]
fn sql_and_json_partials_mix() {
    let dir = tempfile::tempdir().unwrap();
    let all = generated(dir.path());
    let (a, b) = (dir.path().join("a.csv"), dir.path().join("b.csv"));
    slice(&all, 0..1200, &a);
    slice(&all, 1200..2000, &b);
    let as_of = "2026-05-01T00:00:00Z";
    let case = Case {
        name: "slice_a",
        policy: root().join("policies/support.yaml"),
        tickets: a,
        map: None,
        as_of,
    };
    let Some(outs) = execute("duckdb", std::slice::from_ref(&case), dir.path()) else {
        return;
    };
    let part_b = dir.path().join("b.partial.json");
    let policy = text(&case.policy);
    handoff(&[
        "replay",
        "--policy",
        &policy,
        "--tickets",
        &text(&b),
        "--as-of",
        as_of,
        "--partial-out",
        &text(&part_b),
    ]);
    let want = handoff(&[
        "replay",
        "--policy",
        &policy,
        "--tickets",
        &text(&all),
        "--as-of",
        as_of,
        "--format",
        "json",
    ]);
    let (csv_part, json_part) = (text(&outs[0]), text(&part_b));
    for parts in [[&csv_part, &json_part], [&json_part, &csv_part]] {
        let got = handoff(&["merge", parts[0], parts[1], "--format", "json"]);
        assert!(want == got, "merge {parts:?} differs from one replay");
    }

    // Another as-of instant, another policy: refused, naming both parts.
    let other = dir.path().join("other.partial.json");
    // The same policy with one more comment: another text, so another policy.
    let edited = dir.path().join("edited.yaml");
    let source = std::fs::read_to_string(&case.policy).unwrap();
    std::fs::write(&edited, source + "# edited\n").unwrap();
    let edited = text(&edited);
    for (flag, value) in [
        ("--as-of", "2026-05-02T00:00:00Z"),
        ("--policy", edited.as_str()),
    ] {
        let mut args = vec!["replay", "--policy", &policy, "--tickets"];
        let b_text = text(&b);
        let other_text = text(&other);
        args.extend([
            b_text.as_str(),
            "--as-of",
            as_of,
            "--partial-out",
            &other_text,
        ]);
        let at = args.iter().position(|a| *a == flag).unwrap();
        args[at + 1] = value;
        handoff(&args);
        let output = run(&["merge", &csv_part, &other_text]);
        assert_eq!(output.status.code(), Some(2), "{flag} {value}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains("cannot merge"), "{flag}: {stderr}");
    }
}
