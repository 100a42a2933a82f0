//! `diff`, `sweep`, `explain` and `test` on hostile input: outputs that never mislead, exit
//! codes that mean one thing (issue 9). The exact messages are in `tests/cmd/hostile-verbs.md`;
//! these tests cover what a snapshot cannot: many inputs at once, JSON shapes, files written in
//! a temporary folder.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

fn handoff(args: &[&str]) -> Run {
    let out = Command::new(env!("CARGO_BIN_EXE_handoff"))
        .current_dir(root())
        .args(args)
        .output()
        .expect("run handoff");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

const SUPPORT: &str = "policies/support.yaml";
const TICKETS: &str = "examples/support-tickets.csv";

fn diff(new: &str, extra: &[&str]) -> Run {
    let mut args = vec!["diff", SUPPORT, new, "--tickets", TICKETS];
    args.extend_from_slice(extra);
    handoff(&args)
}

/// The "Policy changes" block of a table diff.
fn changes_block(stdout: &str) -> &str {
    // After the headline (issue 13).
    stdout
        .split("\n\n")
        .find(|block| block.starts_with("Policy changes"))
        .unwrap_or_default()
}

#[test]
fn diff_never_prints_rust_debug_output() {
    let mut policies: Vec<PathBuf> = std::fs::read_dir(root().join("fixtures/diff"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    policies.sort();
    assert!(policies.len() >= 4);
    for policy in &policies {
        let path = policy.strip_prefix(root()).unwrap().to_str().unwrap();
        for (a, b) in [(SUPPORT, path), (path, SUPPORT)] {
            let run = handoff(&["diff", a, b, "--tickets", TICKETS]);
            assert_eq!(run.code, 0, "{a} → {b}: {}", run.stderr);
            let block = changes_block(&run.stdout);
            assert!(block.lines().count() > 1, "{a} → {b}: no change listed");
            for debug in [
                "Some(",
                "some(",
                "None",
                "none →",
                "(\"",
                "[(",
                "condition changed",
            ] {
                assert!(!block.contains(debug), "{a} → {b}: `{debug}` in\n{block}");
            }
        }
    }
}

#[test]
fn diff_of_a_rename_compares_the_old_rule_with_the_new() {
    let run = diff("fixtures/diff/renamed.yaml", &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(
        changes_block(&run.stdout),
        "Policy changes ('support-default' → 'support-renamed')\n  ~ rule 'low-confidence' renamed to 'unsure-answer'"
    );
    assert!(
        run.stdout
            .contains("tickets whose route, rule, priority or SLA outcome changes: 0"),
        "{}",
        run.stdout
    );
    let row = run
        .stdout
        .lines()
        .find(|l| l.contains("escalation_by_rule.unsure-answer"))
        .expect("a row for the renamed rule");
    let cells: Vec<&str> = row.split('┆').map(str::trim).collect();
    assert_eq!(
        cells[0].trim_start_matches('│').trim(),
        "escalation_by_rule.unsure-answer (was low-confidence)"
    );
    assert_eq!(cells[1], cells[2], "old and new figures: {row}");
    assert!(cells[1].starts_with("25.3% (76/300)"), "{row}");
    assert!(
        !run.stdout.contains("escalation_by_rule.low-confidence "),
        "{}",
        run.stdout
    );

    let run = diff("fixtures/diff/renamed.yaml", &["--format", "json"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let doc: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(
        doc["renamed_rules"],
        serde_json::json!([{ "old": "low-confidence", "new": "unsure-answer" }])
    );
    assert_eq!(doc["changes"][0]["kind"], "renamed");
    assert_eq!(doc["delta"]["escalation_by_rule.unsure-answer"], 0.0);
    assert!(
        doc["delta"]
            .get("escalation_by_rule.low-confidence")
            .is_none()
    );
    assert_eq!(doc["tickets_changed"], 0);
    // A gate on the renamed rule's change works, and is not met.
    let run = diff(
        "fixtures/diff/renamed.yaml",
        &["--fail-if", "delta.escalation_by_rule.unsure-answer != 0"],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
}

#[test]
fn a_renamed_rule_that_also_changed_is_not_a_rename() {
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(root().join(SUPPORT)).unwrap();
    let changed = text
        .replace("- id: low-confidence", "- id: unsure-answer")
        .replace(
            "when: { confidence: { below: 0.80 } }",
            "when: { confidence: { below: 0.70 } }",
        );
    let path = dir.path().join("p.yaml");
    std::fs::write(&path, changed).unwrap();
    let run = diff(path.to_str().unwrap(), &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let block = changes_block(&run.stdout);
    assert!(block.contains("- rule 'low-confidence'"), "{block}");
    assert!(block.contains("+ rule 'unsure-answer'"), "{block}");
    assert!(!block.contains("renamed"), "{block}");
}

#[test]
fn fail_if_thresholds_outside_their_range_are_usage_errors_before_any_output() {
    let replay = |condition: &str| {
        handoff(&[
            "replay",
            "--policy",
            SUPPORT,
            "--tickets",
            TICKETS,
            "--fail-if",
            condition,
        ])
    };
    for bad in [
        "escalation_rate > NaN",
        "escalation_rate > nan",
        "escalation_rate < -inf",
        "escalation_rate >= 1.0000001",
        "escalation_rate <= -0.0001",
        "escalation_by_tier.L1 > 80",
        "sla_first_response_met < 95",
        "first_response_time.wall.median_seconds > -1",
        "tickets < -5",
    ] {
        let run = replay(bad);
        assert_eq!(run.code, 2, "{bad}: {}", run.stderr);
        assert!(run.stdout.is_empty(), "{bad}: printed a report");
        assert!(
            run.stderr.starts_with("error: --fail-if"),
            "{bad}: {}",
            run.stderr
        );
        assert!(
            run.stderr.contains("out of range") || run.stderr.contains("finite number"),
            "{bad}: {}",
            run.stderr
        );
    }
    // The ends of the range are fine.
    for (fine, code) in [
        ("escalation_rate > 0", 1),
        ("escalation_rate >= 1", 0),
        ("escalation_rate < 1", 1),
        ("tickets > 299", 1),
        ("first_response_time.wall.median_seconds > 0", 1),
    ] {
        let run = replay(fine);
        assert_eq!(run.code, code, "{fine}: {}", run.stderr);
        assert!(!run.stdout.is_empty());
    }
    for bad in [
        "delta.escalation_rate > 1.01",
        "delta.escalation_rate < -1.01",
        "delta.escalation_rate > NaN",
        "missed_escalation_rate > 2",
        "delta.tickets > 0",
        "no_such_metric > 0.1",
    ] {
        let run = diff("fixtures/diff/support-proposed.yaml", &["--fail-if", bad]);
        assert_eq!(run.code, 2, "{bad}: {}", run.stderr);
        assert!(run.stdout.is_empty(), "{bad}: printed a diff");
    }
    let run = diff(
        "fixtures/diff/support-proposed.yaml",
        &["--fail-if", "delta.escalation_rate < -0.05"],
    );
    assert_eq!(run.code, 1, "{}", run.stderr);
}

#[test]
fn sweep_ranges_are_checked_and_never_panic() {
    let sweep = |param: &str, rule: &str, from: &str, to: &str, step: &str| {
        handoff(&[
            "sweep",
            "--policy",
            SUPPORT,
            "--tickets",
            "fixtures/replay/tickets.csv",
            "--rule",
            rule,
            "--param",
            param,
            "--from",
            from,
            "--to",
            to,
            "--step",
            step,
            "--format",
            "json",
        ])
    };
    let confidence = |from, to, step| sweep("confidence.below", "low-confidence", from, to, step);
    let sentiment = |from, to, step| sweep("sentiment.below", "angry-customer", from, to, step);
    for (run, what) in [
        (confidence("0.9", "0.5", "0.1"), "from > to"),
        (confidence("0.5", "0.9", "0"), "step 0"),
        (confidence("0.5", "0.9", "-0.1"), "negative step"),
        (confidence("0.5", "0.9", "NaN"), "NaN step"),
        (confidence("0.5", "0.9", "inf"), "infinite step"),
        (confidence("NaN", "0.9", "0.1"), "NaN from"),
        (confidence("0.5", "inf", "0.1"), "infinite to"),
        (confidence("0.5", "1.5", "0.1"), "to above 1"),
        (confidence("-0.1", "0.5", "0.1"), "from below 0"),
        (sentiment("-1.5", "0", "0.5"), "sentiment below -1"),
        (sentiment("0", "1.01", "0.5"), "sentiment above 1"),
        (confidence("0", "1", "1e-300"), "1e300 values"),
        (confidence("0", "1", "5e-324"), "the smallest step"),
        (confidence("0", "1", "0.0009"), "1,112 values"),
    ] {
        assert_eq!(run.code, 2, "{what}: {}", run.stderr);
        assert!(run.stdout.is_empty(), "{what}");
        assert!(
            run.stderr.starts_with("error: --"),
            "{what}: {}",
            run.stderr
        );
    }
    // The edges of the domain and of the size limit are fine.
    for (run, values) in [
        (confidence("0", "1", "0.25"), 5),
        (confidence("0", "0.999", "0.001"), 1000),
        (sentiment("-1", "1", "0.5"), 5),
        (confidence("0.5", "0.5", "0.1"), 1),
    ] {
        assert_eq!(run.code, 0, "{}", run.stderr);
        let doc: Value = serde_json::from_str(&run.stdout).unwrap();
        assert_eq!(doc["points"].as_array().unwrap().len(), values);
    }
}

#[test]
fn test_runs_its_cases_against_the_policy_given_with_policy() {
    // Against the file's own policy the case passes; against the proposal it fails.
    let run = handoff(&["test", "fixtures/policy-tests/threshold.yaml"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    let run = handoff(&[
        "test",
        "--policy",
        "fixtures/diff/support-proposed.yaml",
        "fixtures/policy-tests/threshold.yaml",
    ]);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    assert!(run.stdout.contains("got ai"), "{}", run.stdout);
    // A policy with lint errors is refused, as without --policy.
    let run = handoff(&[
        "test",
        "--policy",
        "fixtures/lint/h010-fail.yaml",
        "fixtures/policy-tests/threshold.yaml",
    ]);
    assert_eq!(run.code, 2, "{}{}", run.stdout, run.stderr);
}

/// A policy that reads an extra field `plan`, tickets that carry it.
fn plan_policy(dir: &Path) -> (PathBuf, PathBuf) {
    let text = std::fs::read_to_string(root().join(SUPPORT)).unwrap();
    let with_plan = text.replace(
        "  - id: low-confidence\n",
        "  - id: gold-plan\n    when: { field: { name: plan, in: [gold] } }\n    route: L2\n  - id: low-confidence\n",
    );
    assert_ne!(text, with_plan);
    let policy = dir.join("plan.yaml");
    std::fs::write(&policy, with_plan).unwrap();
    let tickets = dir.join("tickets.csv");
    std::fs::write(
        &tickets,
        "id,text,confidence,plan\nP1,where is my parcel,0.9,gold\nP2,where is my parcel,0.5,free\nP3,hello,0.95,free\n",
    )
    .unwrap();
    (policy, tickets)
}

#[test]
fn recorded_cases_still_run_when_the_policy_stops_reading_a_field() {
    let dir = tempfile::tempdir().unwrap();
    let (policy, tickets) = plan_policy(dir.path());
    let recorded = dir.path().join("recorded.yaml");
    let run = handoff(&[
        "test",
        "--record",
        "--policy",
        policy.to_str().unwrap(),
        "--tickets",
        tickets.to_str().unwrap(),
        "--output",
        recorded.to_str().unwrap(),
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let text = std::fs::read_to_string(&recorded).unwrap();
    assert!(text.contains("plan: gold"), "{text}");
    // The recording passes against its own policy…
    let run = handoff(&["test", recorded.to_str().unwrap()]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    // …and still runs against one that no longer reads `plan`: the gold ticket now stays with
    // the AI (a real failure, exit 1), the others pass.
    let run = handoff(&["test", "--policy", SUPPORT, recorded.to_str().unwrap()]);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stdout
            .contains("note: the policy does not read `plan`; ignored in 3 cases"),
        "{}",
        run.stdout
    );
    assert!(!run.stdout.contains("cannot be read"), "{}", run.stdout);
    assert!(run.stdout.contains("2 passed, 1 failed"), "{}", run.stdout);
}

#[test]
fn explain_given_fields_are_read_strictly() {
    let explain = |pairs: &[&str]| {
        let mut args = vec!["explain", "--policy", SUPPORT];
        for pair in pairs {
            args.push("--ticket");
            args.push(pair);
        }
        handoff(&args)
    };
    for (pairs, message) in [
        (&["confidence=abc"][..], "`abc` is not a number"),
        (&["confidence=1.5"], "1.5 is outside 0..1"),
        (&["sentiment=-3"], "-3 is outside -1..1"),
        (&["created_at=yesterday"], "`yesterday` is not a timestamp"),
        (&["resolved_at=soon"], "`soon` is not a timestamp"),
        (&["requested_human=perhaps"], "`perhaps` is not true/false"),
        (
            &["resolved_tier=L9"],
            "`L9` is not ai or a tier of the policy",
        ),
        (&["reassignments=1.5"], "`1.5` is not a whole number"),
        (
            &["priority=critical"],
            "`critical` is not one of the policy's priorities",
        ),
        (&["text=a", "text=b"], "`text` is given twice"),
        (
            &["confidence=0.5", "confidence=0.5"],
            "`confidence` is given twice",
        ),
        (&["Confidence=0.5"], "unknown ticket field `Confidence`"),
        (&["=0.5"], "unknown ticket field ``"),
        (&["confidence"], "write `field=value`"),
    ] {
        let run = explain(pairs);
        assert_eq!(run.code, 2, "{pairs:?}: {}", run.stdout);
        assert!(run.stdout.is_empty(), "{pairs:?}");
        assert!(run.stderr.contains(message), "{pairs:?}: {}", run.stderr);
    }
    let run = explain(&["confidence=0.5", "resolved_tier=L2", "reassignments=0"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
}

#[test]
fn explain_says_when_an_id_is_on_several_lines() {
    let explain = |id: &str| {
        handoff(&[
            "explain",
            "--policy",
            SUPPORT,
            "--tickets",
            "fixtures/explain/dup-ids.csv",
            "--id",
            id,
        ])
    };
    let run = explain("T2");
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stdout.starts_with("ticket T2 (line 3)\n"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("is also on lines 5 (rejected"),
        "{}",
        run.stdout
    );
    // A unique id gets no note.
    let run = explain("T1");
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(!run.stdout.contains("note:"), "{}", run.stdout);
}
