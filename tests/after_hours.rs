//! After-hours routing (issue 14): the `business_hours` condition in replay, explain, test,
//! diff and lint.

use std::path::Path;
use std::process::{Command, Output};

const POLICY: &str = "fixtures/after_hours/policy.yaml";
const TICKETS: &str = "fixtures/after_hours/tickets.csv";

fn handoff(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_handoff"))
        .args(args)
        .env("NO_COLOR", "1")
        .output()
        .expect("run handoff")
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn write(dir: &Path, name: &str, text: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, text).expect("write");
    path.display().to_string()
}

/// `id` → decision of the `--decisions` file.
fn decisions(policy: &str) -> Vec<(String, String)> {
    let out = handoff(&[
        "replay",
        "--policy",
        policy,
        "--tickets",
        TICKETS,
        "--decisions",
        "-",
        "-o",
        "/dev/null",
    ]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    stdout(&out)
        .lines()
        .skip(1)
        .map(|line| {
            let cells: Vec<&str> = line.split(',').collect();
            (cells[0].to_string(), cells[2].to_string())
        })
        .collect()
}

#[test]
fn business_hours_follows_the_calendar_zone_and_holidays() {
    // Monday 10:00 Berlin is open; 20:00 closed; 25 December a holiday; no created_at is
    // unknown (the rule does not match).
    let got = decisions(POLICY);
    let expected = [
        ("DAY", "ai"),
        ("NIGHT", "oncall"),
        ("HOLIDAY", "oncall"),
        ("WEEKEND", "ai"),
        ("UNDATED", "ai"),
        ("ASKS", "L1"),
    ];
    let expected: Vec<(String, String)> = expected
        .iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect();
    assert_eq!(got, expected);
}

#[test]
fn business_hours_true_is_the_complement_on_dated_tickets() {
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(POLICY)
        .unwrap()
        .replace("business_hours: false", "business_hours: true");
    let policy = write(dir.path(), "day.yaml", &text);
    let got: Vec<String> = decisions(&policy).into_iter().map(|(_, d)| d).collect();
    assert_eq!(got, ["oncall", "ai", "ai", "ai", "ai", "L1"]);
}

#[test]
fn explain_shows_whether_the_calendar_was_open() {
    let out = handoff(&[
        "explain",
        "--policy",
        POLICY,
        "--tickets",
        TICKETS,
        "--id",
        "NIGHT",
    ]);
    assert_eq!(out.status.code(), Some(0));
    assert!(
        stdout(&out).contains("business_hours: false — 2026-12-21T19:00:00Z (closed) → true"),
        "{}",
        stdout(&out)
    );
    let out = handoff(&[
        "explain",
        "--policy",
        POLICY,
        "--ticket",
        "priority=urgent",
        "--ticket",
        "created_at=2026-12-21T10:00:00Z",
    ]);
    assert!(stdout(&out).contains("(open) → false"), "{}", stdout(&out));
    let out = handoff(&["explain", "--policy", POLICY, "--ticket", "priority=urgent"]);
    assert!(
        stdout(&out).contains("business_hours: false — (empty) → unknown"),
        "{}",
        stdout(&out)
    );
}

#[test]
fn policy_tests_can_expect_after_hours_routes() {
    let dir = tempfile::tempdir().unwrap();
    let policy = std::fs::canonicalize(POLICY).unwrap();
    let tests = write(
        dir.path(),
        "t.yaml",
        &format!(
            "policy: {}\ncases:\n  - name: urgent at night goes on call\n    ticket: {{ created_at: \"2026-12-21T23:30:00+01:00\", priority: urgent }}\n    expect: {{ tier: oncall, rule: urgent-at-night }}\n  - name: urgent by day stays\n    ticket: {{ created_at: \"2026-12-22T11:00:00+01:00\", priority: urgent }}\n    expect: {{ tier: ai }}\n",
            policy.display()
        ),
    );
    let out = handoff(&["test", &tests]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}{}",
        stdout(&out),
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn diff_and_lint_read_business_hours() {
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(POLICY).unwrap();
    let day = write(
        dir.path(),
        "day.yaml",
        &text.replace("business_hours: false", "business_hours: true"),
    );
    let out = handoff(&["diff", POLICY, &day, "--tickets", TICKETS]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout(&out).contains("business_hours false → true"),
        "{}",
        stdout(&out)
    );
    // An opaque boolean for lint: both values at once can never match (H041), one alone
    // lints clean.
    let out = handoff(&["lint", POLICY]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    let never = write(
        dir.path(),
        "never.yaml",
        &text.replace(
            "        - priority: { in: [urgent] }",
            "        - business_hours: true",
        ),
    );
    let out = handoff(&["lint", &never, "--color", "never"]);
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    assert!(stdout(&out).contains("error[H041]"), "{}", stdout(&out));
    // A typo is H002 with a suggestion.
    let typo = write(
        dir.path(),
        "typo.yaml",
        &text.replace("business_hours: false", "busines_hours: false"),
    );
    let out = handoff(&["lint", &typo, "--color", "never"]);
    assert!(
        stdout(&out).contains("did you mean `business_hours`?"),
        "{}",
        stdout(&out)
    );
}
