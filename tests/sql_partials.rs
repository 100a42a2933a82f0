//! Issue 12: `handoff sql --emit partials` checked by execution. The compiled query runs on
//! DuckDB, DataFusion, Spark (`local[2]`) and Postgres (`tests/warehouse/run.py`, one engine
//! session for every case); its CSV
//! result, merged by `handoff merge`, must print byte for byte the report `handoff replay
//! --as-of T` prints for the same tickets, in every format. A CSV partial mixes with JSON
//! partials (`replay --partial-out`) of other slices, and parts of different policies or
//! as-of instants are refused (exit 2).
//!
//! An engine that is missing is a loud skip on stderr, or a failure under
//! `WAREHOUSE_REQUIRED=1` (as `.ci/run` sets).

mod warehouse_common;

use std::path::{Path, PathBuf};
use warehouse_common::{Session, edge_tickets, root, run, text, write_calendar};

fn handoff(args: &[&str]) -> Vec<u8> {
    warehouse_common::handoff(args).stdout
}

/// One policy, its tickets and the as-of instant.
struct Case {
    name: &'static str,
    policy: PathBuf,
    tickets: PathBuf,
    map: Option<PathBuf>,
    as_of: &'static str,
    /// The table has each row's line (`--line-column`), so rejected rows merge.
    lines: bool,
}

/// The line column the tests add (`tests/warehouse/run.py --lines`).
const LINE_COLUMN: &str = "handoff_line";

fn generated(dir: &Path) -> PathBuf {
    let path = dir.join("generated.csv");
    if !path.exists() {
        std::fs::write(&path, handoff(&["gen", "--rows", "2000", "--seed", "7"])).unwrap();
    }
    path
}

/// The coverage fixture's tickets (`fixtures/sql/`: every condition kind, `continue`, missing
/// and bad values, rejected rows, Unicode text, a calendar with a holiday). An engine without
/// NFC normalisation gets them without the tickets whose text is not in NFC (as
/// `tests/sql.rs` leaves them out; docs/warehouse.md says why), and so does replay.
fn coverage_tickets(dir: &Path, has_nfc: bool) -> PathBuf {
    let all = root().join("fixtures/sql/tickets.csv");
    if has_nfc {
        return all;
    }
    let path = dir.join("coverage-nfc.csv");
    let text = std::fs::read_to_string(&all).unwrap();
    let kept: String = text
        .split_inclusive('\n')
        .filter(|line| !line.starts_with("nfd-"))
        .collect();
    assert!(kept.len() < text.len(), "the fixture has NFD tickets");
    std::fs::write(&path, kept).unwrap();
    path
}

/// Every case but those named in `skip` (Spark leaves one out, see
/// `spark_partials_merge_to_replays_report`).
fn cases(dir: &Path, has_nfc: bool, skip: &[&str]) -> Vec<Case> {
    let case = |name, policy: &str, tickets, map: Option<&str>, as_of, lines| Case {
        name,
        policy: root().join(policy),
        tickets,
        map: map.map(|m| root().join(m)),
        as_of,
        lines,
    };
    let mut cases = vec![
        case(
            "support",
            "policies/support.yaml",
            root().join("examples/support-tickets.csv"),
            None,
            "2026-04-01T00:00:00Z",
            false,
        ),
        case(
            "coverage",
            "fixtures/sql/policy.yaml",
            coverage_tickets(dir, has_nfc),
            Some("fixtures/sql/map.toml"),
            "2026-05-01T00:00:00Z",
            true,
        ),
        case(
            "zoned",
            "fixtures/sql-time/policy.yaml",
            root().join("fixtures/sql-time/tickets.csv"),
            Some("fixtures/sql-time/berlin.toml"),
            "2026-11-01T00:00:00Z",
            false,
        ),
        case(
            "formatted",
            "fixtures/sql-time/policy.yaml",
            root().join("fixtures/sql-time/formatted.csv"),
            Some("fixtures/sql-time/format.toml"),
            "2026-11-01T00:00:00Z",
            false,
        ),
        case(
            "calendar_edges",
            "fixtures/sql-calendar/policy.yaml",
            edge_tickets(dir),
            None,
            "2026-11-20T12:00:00Z",
            false,
        ),
    ];
    cases.extend([
        case(
            "support_generated",
            "policies/support.yaml",
            generated(dir),
            None,
            "2026-05-01T00:00:00Z",
            false,
        ),
        case(
            "it_service",
            "policies/it-service.yaml",
            generated(dir),
            Some("fixtures/sql/it-service-map.toml"),
            "2026-05-01T00:00:00Z",
            false,
        ),
    ]);
    cases.retain(|case| !skip.contains(&case.name));
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
    let mut session = Session::default();
    let mut outs = Vec::new();
    for case in cases {
        let calendar_table = format!("{}_calendar", case.name);
        let calendar = dir.join(format!("{calendar_table}.csv"));
        write_calendar(&case.policy, &calendar);
        let policy = text(&case.policy);
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
        if case.lines {
            compile.extend(["--line-column", LINE_COLUMN]);
            session
                .lines
                .push((case.name.to_string(), LINE_COLUMN.to_string()));
        }
        let sql_text = text(&sql);
        compile.extend(["-o", &sql_text]);
        handoff(&compile);
        session.tables.push((calendar_table.clone(), calendar));
        session
            .tables
            .push((case.name.to_string(), case.tickets.clone()));
        session.jobs.push((sql, out.clone()));
        outs.push(out);
    }
    session.run(dialect).then_some(outs)
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
fn check_engine(dialect: &str, has_nfc: bool, skip: &[&str]) {
    let dir = tempfile::tempdir().unwrap();
    let cases = cases(dir.path(), has_nfc, skip);
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
    check_engine("duckdb", true, &[]);
}

#[test]
fn postgres_partials_merge_to_replays_report() {
    check_engine("postgres", true, &[]);
}

/// All five cases; the coverage set without its NFD tickets (DataFusion cannot normalise
/// text). The generated cases take seconds now that the query reads its last step once
/// (DataFusion runs a step once per reading: 882 s when it read it 70 times).
#[test]
fn datafusion_partials_merge_to_replays_report() {
    check_engine("datafusion", false, &[]);
}

/// Spark in local mode (`local[2]`, one session for the four cases): both bundled policies
/// (support.yaml on the example, it-service.yaml on 2,000 generated tickets), the coverage set
/// without its NFD tickets (Spark SQL cannot normalise text, as on DataFusion) and the
/// calendar edges. support.yaml on the 2,000 generated tickets is left out for the suite's
/// wall time (it passed by hand with the it-service case, 523 s for both at a load of 8–10):
/// Spark spends about a minute analysing, planning and generating code for each query
/// whatever the table's size (docs/warehouse.md).
#[test]
fn spark_partials_merge_to_replays_report() {
    check_engine("spark", false, &["support_generated", "formatted"]);
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
        lines: false,
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
