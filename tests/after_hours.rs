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

const WHEN_CLOSED: &str = "fixtures/after_hours/when-closed.yaml";

#[test]
fn when_closed_sends_tickets_on_while_the_tier_is_closed() {
    // legal keeps 10:00-16:00 Berlin on weekdays; urgent tickets go there, or to L1 while it
    // is closed. Without created_at nothing is diverted.
    let got: Vec<String> = decisions(WHEN_CLOSED).into_iter().map(|(_, d)| d).collect();
    assert_eq!(got, ["legal", "L1", "legal", "ai", "legal", "L1"]);
    let out = handoff(&[
        "explain",
        "--policy",
        WHEN_CLOSED,
        "--tickets",
        TICKETS,
        "--id",
        "NIGHT",
    ]);
    assert!(
        stdout(&out).contains("decision: L1 by rule 'urgent-to-legal' (proactive), priority urgent (tier 'legal' was closed when it arrived: its `when_closed` sent it on)"),
        "{}",
        stdout(&out)
    );
    // The report counts the ticket where it went.
    let out = handoff(&[
        "replay",
        "--policy",
        WHEN_CLOSED,
        "--tickets",
        TICKETS,
        "--format",
        "json",
    ]);
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        report["report"]["escalation_by_tier"]["legal"]["numerator"],
        3
    );
    assert_eq!(report["report"]["escalation_by_tier"]["L1"]["numerator"], 2);
}

#[test]
fn lint_warns_about_a_closed_tier_without_fallback() {
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(WHEN_CLOSED).unwrap();
    assert_eq!(handoff(&["lint", WHEN_CLOSED]).status.code(), Some(0));
    let no_fallback = write(
        dir.path(),
        "no-fallback.yaml",
        &text.replace("    when_closed: { route: L1 }\n", ""),
    );
    let out = handoff(&["lint", &no_fallback, "--color", "never"]);
    assert_eq!(out.status.code(), Some(0), "a warning");
    assert!(
        stdout(&out).contains("warning[H054]: tier 'legal' is closed at times the policy's calendar is open (first: mon 09:00) and has no `when_closed`"),
        "{}",
        stdout(&out)
    );
    // A fallback to a tier that does not exist is H010; a bad tier calendar is H003.
    let undefined = write(
        dir.path(),
        "undefined.yaml",
        &text.replace("when_closed: { route: L1 }", "when_closed: { route: L9 }"),
    );
    let out = handoff(&["lint", &undefined, "--color", "never"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stdout(&out)
            .contains("error[H010]: tier 'legal' sends tickets when closed to undefined tier 'L9'"),
        "{}",
        stdout(&out)
    );
    let bad_zone = write(
        dir.path(),
        "zone.yaml",
        &text.replace(
            "calendar: { timezone: Europe/Berlin, hours: { mon-fri: \"10:00-16:00\" } }",
            "calendar: { timezone: Europe/Berlyn, hours: { mon-fri: \"10:00-16:00\" } }",
        ),
    );
    let out = handoff(&["lint", &bad_zone, "--color", "never"]);
    assert!(
        stdout(&out).contains("error[H003]: unknown time zone `Europe/Berlyn`"),
        "{}",
        stdout(&out)
    );
    // Replay refuses a policy with lint errors.
    let out = handoff(&["replay", "--policy", &undefined, "--tickets", TICKETS]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn diff_shows_a_changed_fallback_and_its_tickets() {
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(WHEN_CLOSED).unwrap();
    let to_ai = write(
        dir.path(),
        "to-ai.yaml",
        &text.replace("when_closed: { route: L1 }", "when_closed: { route: ai }"),
    );
    let out = handoff(&["diff", WHEN_CLOSED, &to_ai, "--tickets", TICKETS]);
    assert_eq!(out.status.code(), Some(0));
    let text = stdout(&out);
    assert!(
        text.contains("~ tier 'legal' when_closed route: L1 → ai"),
        "{text}"
    );
    // NIGHT (urgent, after legal's hours) moves from L1 to the AI.
    assert!(
        text.contains("tickets whose route, rule, priority or SLA outcome changes: 1"),
        "{text}"
    );
}

#[test]
fn sweep_honours_when_closed() {
    // Urgent tickets under a swept confidence threshold go to legal, which sends what arrives
    // after its hours to the AI: at 0.4 both tickets match, but only the day one escalates.
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(WHEN_CLOSED)
        .unwrap()
        .replace(
            "    when: { priority: { in: [urgent] } }",
            "    when: { all: [{ priority: { in: [urgent] } }, { confidence: { below: 0.5 } }] }",
        )
        .replace("when_closed: { route: L1 }", "when_closed: { route: ai }");
    let policy = write(dir.path(), "sweep.yaml", &text);
    let tickets = write(
        dir.path(),
        "t.csv",
        "id,created_at,priority,confidence,requested_human,conversation\n\
         DAY,2026-12-21T10:00:00+01:00,urgent,0.3,false,yes\n\
         NIGHT,2026-12-21T20:00:00+01:00,urgent,0.3,false,yes\n",
    );
    let out = handoff(&[
        "sweep",
        "--policy",
        &policy,
        "--tickets",
        &tickets,
        "--rule",
        "urgent-to-legal",
        "--param",
        "confidence.below",
        "--from",
        "0.2",
        "--to",
        "0.4",
        "--step",
        "0.2",
        "--format",
        "json",
    ]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let sweep: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let escalated: Vec<u64> = sweep["points"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["escalation_rate"]["numerator"].as_u64().unwrap())
        .collect();
    assert_eq!(escalated, [0, 1]);
}
