//! Every lint rule against its fixtures, and the lint output formats, suppressions and
//! configuration, through the real binary.
//!
//! For each code in the registry, `fixtures/lint/<code>-fail.yaml` must produce exactly
//! `<code>-fail.stdout` (human format, plain) with the exit code the rule's severity implies, and
//! `<code>-pass.yaml` (the same policy, fixed) must lint clean. A rule without fixtures fails
//! the test. After a deliberate change of output, rewrite the expected files with
//!
//! ```sh
//! HANDOFF_BLESS=1 cargo test --test lint_rules
//! ```
//!
//! and review the diff.

use std::path::Path;
use std::process::Command;

use handoff::diag::Severity;
use handoff::diag::registry::{Code, RULES};
use serde_json::Value;

const FIXTURES: &str = "fixtures/lint";
const CLEAN: &str = "no problems in 1 file\n";
const MANY: &str = "fixtures/lint/many-findings.yaml";

/// Fixtures beyond the one pair per rule whose human output is committed next to them:
/// (fixture stem, extra arguments, expected exit code).
const FURTHER_CASES: &[(&str, &[&str], i32)] = &[
    ("many-findings", &[], 1),
    // H051 compares a priority's own target with the `default` that fills another's gap.
    ("h051-via-default", &[], 0),
    // H090 for a comment on a line of its own names the line it speaks for.
    ("h090-next-line", &[], 0),
    // A suppression of another rule silences nothing and is itself reported.
    ("allow-wrong-code", &[], 0),
];

struct Run {
    exit: i32,
    stdout: String,
    stderr: String,
}

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn handoff(args: &[&str]) -> Run {
    let output = Command::new(env!("CARGO_BIN_EXE_handoff"))
        .args(args)
        .current_dir(root())
        .output()
        .expect("cannot run the handoff binary");
    Run {
        exit: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

/// `handoff lint <path> --color never <extra...>`
fn lint(path: &str, extra: &[&str]) -> Run {
    let mut args = vec!["lint", path, "--color", "never"];
    args.extend_from_slice(extra);
    handoff(&args)
}

fn blessing() -> bool {
    std::env::var_os("HANDOFF_BLESS").is_some_and(|v| v == "1")
}

/// Compare `actual` with the committed file `expected` (relative to the crate), or write it
/// when blessing. Mismatches are collected in `problems`.
fn check_expected(expected: &str, actual: &str, problems: &mut Vec<String>) {
    let path = root().join(expected);
    if blessing() {
        if std::fs::read_to_string(&path).ok().as_deref() != Some(actual) {
            std::fs::write(&path, actual)
                .unwrap_or_else(|e| panic!("cannot write {}: {e}", path.display()));
        }
        return;
    }
    match std::fs::read_to_string(&path) {
        Err(_) => problems.push(format!(
            "{expected} is missing; write it with `HANDOFF_BLESS=1 cargo test --test lint_rules`, then review it\n--- actual output:\n{actual}"
        )),
        Ok(text) if text != actual => problems.push(format!(
            "{expected} differs from the output{}\n--- expected:\n{text}--- actual:\n{actual}",
            first_difference(&text, actual)
        )),
        Ok(_) => {}
    }
}

fn first_difference(expected: &str, actual: &str) -> String {
    let mut expected_lines = expected.lines();
    let mut actual_lines = actual.lines();
    for number in 1.. {
        match (expected_lines.next(), actual_lines.next()) {
            (None, None) => return String::new(),
            (e, a) if e != a => {
                return format!(
                    " (first at line {number}: expected {:?}, got {:?})",
                    e.unwrap_or("<end>"),
                    a.unwrap_or("<end>")
                );
            }
            _ => {}
        }
    }
    String::new()
}

fn fail_if_any(problems: Vec<String>) {
    if !problems.is_empty() {
        panic!(
            "{} problem(s):\n\n{}",
            problems.len(),
            problems.join("\n\n")
        );
    }
}

/// The exit code a fail fixture must produce: 2 for a file that cannot become a policy, 1 for
/// an error, 0 for a warning or info.
fn expected_exit(code: Code) -> i32 {
    if code.is_fatal() {
        2
    } else if code.info().severity == Severity::Error {
        1
    } else {
        0
    }
}

#[test]
fn every_rule_has_a_failing_and_a_passing_fixture() {
    let mut problems = Vec::new();
    for code in Code::all() {
        let lower = code.to_string().to_lowercase();
        let fail = format!("{FIXTURES}/{lower}-fail.yaml");
        let pass = format!("{FIXTURES}/{lower}-pass.yaml");
        // Rules that need more than the policy (H060/H061 read tickets) name their extra
        // arguments in `hNNN.args`.
        let extra_text = std::fs::read_to_string(root().join(format!("{FIXTURES}/{lower}.args")))
            .unwrap_or_default();
        let extra: Vec<&str> = extra_text.split_whitespace().collect();

        if root().join(&fail).is_file() {
            let run = lint(&fail, &extra);
            let before = problems.len();
            let exit = expected_exit(code);
            if run.exit != exit {
                problems.push(format!(
                    "{fail}: exit code {} instead of {exit}\n{}{}",
                    run.exit, run.stdout, run.stderr
                ));
            }
            let heading = format!("{}[{code}]: ", code.info().severity);
            if !run.stdout.contains(&heading) {
                problems.push(format!(
                    "{fail}: no `{heading}` finding in the output\n{}",
                    run.stdout
                ));
            }
            if !run.stderr.is_empty() {
                problems.push(format!("{fail}: unexpected stderr\n{}", run.stderr));
            }
            // Never bless an output that misses the rule under test or exits wrongly.
            if problems.len() == before {
                check_expected(
                    &format!("{FIXTURES}/{lower}-fail.stdout"),
                    &run.stdout,
                    &mut problems,
                );
            }
        } else {
            problems.push(format!(
                "{fail} is missing: every rule needs a failing fixture"
            ));
        }

        if root().join(&pass).is_file() {
            let run = lint(&pass, &extra);
            if run.exit != 0 || run.stdout != CLEAN || !run.stderr.is_empty() {
                problems.push(format!(
                    "{pass} does not lint clean (exit {})\n{}{}",
                    run.exit, run.stdout, run.stderr
                ));
            }
        } else {
            problems.push(format!(
                "{pass} is missing: every rule needs a passing fixture"
            ));
        }
    }
    fail_if_any(problems);
}

/// Per-rule fixtures of a rule that no longer exists would be silently skipped otherwise.
#[test]
fn every_per_rule_fixture_belongs_to_a_rule() {
    let codes: Vec<String> = Code::all().map(|c| c.to_string().to_lowercase()).collect();
    let mut strays = Vec::new();
    for entry in std::fs::read_dir(root().join(FIXTURES)).expect("fixtures/lint exists") {
        let name = entry.expect("readable directory").file_name();
        let name = name.to_string_lossy();
        let Some((stem, _)) = name.split_once('-') else {
            continue;
        };
        let per_rule = ["fail.yaml", "pass.yaml", "fail.stdout"]
            .iter()
            .any(|suffix| name == format!("{stem}-{suffix}"));
        if per_rule && !codes.iter().any(|c| c == stem) {
            strays.push(name.into_owned());
        }
    }
    strays.sort();
    assert!(
        strays.is_empty(),
        "fixtures for codes not in the registry: {strays:?}"
    );
}

#[test]
fn further_cases_match_their_expected_output() {
    let mut problems = Vec::new();
    for (stem, args, exit) in FURTHER_CASES {
        let path = format!("{FIXTURES}/{stem}.yaml");
        let run = lint(&path, args);
        if run.exit != *exit {
            problems.push(format!(
                "{path}: exit code {} instead of {exit}\n{}{}",
                run.exit, run.stdout, run.stderr
            ));
        }
        check_expected(
            &format!("{FIXTURES}/{stem}.stdout"),
            &run.stdout,
            &mut problems,
        );
    }
    fail_if_any(problems);
}

fn json(run: &Run) -> Value {
    serde_json::from_str(&run.stdout)
        .unwrap_or_else(|e| panic!("output is not JSON ({e}):\n{}{}", run.stdout, run.stderr))
}

fn codes(document: &Value) -> Vec<&str> {
    document["diagnostics"]
        .as_array()
        .expect("diagnostics is an array")
        .iter()
        .map(|d| d["code"].as_str().expect("code is a string"))
        .collect()
}

/// 1-based line and column of the only occurrence of `needle` in a fixture.
fn position_of(path: &str, needle: &str) -> (u64, u64) {
    let text = std::fs::read_to_string(root().join(path)).expect("fixture exists");
    assert_eq!(text.matches(needle).count(), 1, "`{needle}` in {path}");
    let offset = text.find(needle).expect("found");
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line as u64, column as u64)
}

#[test]
fn json_format_has_a_stable_shape() {
    let run = lint(MANY, &["--format", "json"]);
    assert_eq!(run.exit, 1, "{}{}", run.stdout, run.stderr);
    let document = json(&run);
    assert_eq!(document["version"], 1);
    assert_eq!(
        document["summary"],
        serde_json::json!({ "files": 1, "errors": 2, "warnings": 4, "infos": 0, "suppressed": 0, "skipped": 0 })
    );
    // Sorted by position; the whole-file finding comes first.
    assert_eq!(
        codes(&document),
        ["H033", "H022", "H051", "H032", "H010", "H004"]
    );
    for d in document["diagnostics"].as_array().expect("array") {
        let code = Code::lookup(d["code"].as_str().expect("code")).expect("a registry code");
        assert_eq!(d["file"], MANY);
        assert_eq!(d["name"], code.info().name);
        assert_eq!(d["severity"], code.info().severity.to_string());
        assert!(d["message"].as_str().is_some_and(|m| !m.is_empty()), "{d}");
        assert!(d["help"].is_string(), "{d}");
        assert!(d["related"].is_array(), "{d}");
        if code == Code::H033 {
            for key in ["line", "column", "end_line", "end_column"] {
                assert!(d[key].is_null(), "whole-file finding has no {key}: {d}");
            }
        } else {
            for key in ["line", "column", "end_line", "end_column"] {
                assert!(d[key].as_u64().is_some_and(|n| n >= 1), "{key} in {d}");
            }
        }
    }
    let find = |code: &str| {
        document["diagnostics"]
            .as_array()
            .expect("array")
            .iter()
            .find(|d| d["code"] == code)
            .cloned()
            .expect("finding present")
    };
    // Spans point at the offending value, end column inclusive.
    let (line, column) = position_of(MANY, "L33");
    let h010 = find("H010");
    assert_eq!(
        (h010["line"].as_u64(), h010["column"].as_u64()),
        (Some(line), Some(column))
    );
    assert_eq!(h010["end_column"].as_u64(), Some(column + 2));
    let (line, column) = position_of(MANY, "80 }");
    let h004 = find("H004");
    assert_eq!(
        (h004["line"].as_u64(), h004["column"].as_u64()),
        (Some(line), Some(column))
    );
    assert_eq!(h004["severity"], "error");
    assert_eq!(h004["help"], "write `below: 0.80`");
}

#[test]
fn sarif_format_describes_every_rule_and_locates_every_result() {
    let run = lint(MANY, &["--format", "sarif"]);
    assert_eq!(run.exit, 1, "{}{}", run.stdout, run.stderr);
    let sarif = json(&run);
    assert_eq!(sarif["version"], "2.1.0");
    let sarif_run = &sarif["runs"][0];
    assert_eq!(sarif_run["tool"]["driver"]["name"], "handoff");
    let rules = sarif_run["tool"]["driver"]["rules"]
        .as_array()
        .expect("driver.rules is an array");
    assert_eq!(rules.len(), Code::all().count());
    let level = |severity: Severity| match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    };
    for (rule, info) in rules.iter().zip(RULES) {
        assert_eq!(rule["id"], info.code.to_string());
        assert_eq!(rule["name"], info.name);
        assert_eq!(rule["shortDescription"]["text"], info.summary);
        assert_eq!(
            rule["defaultConfiguration"]["level"],
            level(info.severity),
            "{rule}"
        );
    }
    let results = sarif_run["results"].as_array().expect("results array");
    assert_eq!(results.len(), 6);
    for result in results {
        let id = result["ruleId"].as_str().expect("ruleId");
        let code = Code::lookup(id).expect("a registry code");
        let index = RULES.iter().position(|r| r.code == code).expect("listed");
        assert_eq!(result["ruleIndex"].as_u64(), Some(index as u64), "{result}");
        assert_eq!(rules[index]["id"], id);
        assert_eq!(result["level"], level(code.info().severity), "{result}");
        assert!(result["message"]["text"].is_string(), "{result}");
        let location = &result["locations"][0]["physicalLocation"];
        assert_eq!(location["artifactLocation"]["uri"], MANY, "{result}");
        assert!(
            location["region"]["startLine"]
                .as_u64()
                .is_some_and(|n| n >= 1),
            "{result}"
        );
    }
}

#[test]
fn github_format_matches_its_expected_output() {
    let run = lint(MANY, &["--format", "github"]);
    assert_eq!(run.exit, 1, "{}{}", run.stdout, run.stderr);
    let mut problems = Vec::new();
    check_expected(
        &format!("{FIXTURES}/many-findings.github"),
        &run.stdout,
        &mut problems,
    );
    fail_if_any(problems);
}

#[test]
fn suppression_comments_silence_one_finding() {
    for fixture in ["allow-same-line", "allow-line-above", "allow-whole-file"] {
        let run = lint(&format!("{FIXTURES}/{fixture}.yaml"), &[]);
        assert_eq!(
            (run.exit, run.stdout.as_str()),
            (0, "no problems in 1 file (1 suppressed)\n"),
            "{fixture}: {}",
            run.stderr
        );
    }
    // The suppressed findings are real: without the comment they are reported.
    assert!(
        lint(&format!("{FIXTURES}/h053-fail.yaml"), &[])
            .stdout
            .contains("[H053]")
    );
    assert!(
        lint(&format!("{FIXTURES}/h033-fail.yaml"), &[])
            .stdout
            .contains("[H033]")
    );
    // A comment naming another rule silences nothing and is reported.
    let run = lint(&format!("{FIXTURES}/allow-wrong-code.yaml"), &[]);
    assert!(run.stdout.contains("warning[H053]"), "{}", run.stdout);
    assert!(run.stdout.contains("warning[H090]"), "{}", run.stdout);
}

#[test]
fn suppressing_a_rule_the_configuration_ignores_is_not_unused() {
    let run = lint(
        &format!("{FIXTURES}/allow-whole-file.yaml"),
        &["--config", "fixtures/lint/config-ignore.toml"],
    );
    assert_eq!(
        (run.exit, run.stdout.as_str()),
        (0, CLEAN),
        "{}",
        run.stderr
    );
}

#[test]
fn deny_warnings_fails_on_warnings_but_not_on_info() {
    let warnings_only = format!("{FIXTURES}/h032-fail.yaml");
    assert_eq!(lint(&warnings_only, &[]).exit, 0);
    assert_eq!(lint(&warnings_only, &["--deny", "warnings"]).exit, 1);
    let config = lint(
        &warnings_only,
        &["--config", "fixtures/lint/config-deny-warnings.toml"],
    );
    assert_eq!(config.exit, 1, "{}{}", config.stdout, config.stderr);
    // Info never fails, even when warnings are denied.
    let info = lint(
        &format!("{FIXTURES}/h033-fail.yaml"),
        &["--config", "fixtures/lint/config-info-only.toml"],
    );
    assert_eq!(info.exit, 0, "{}{}", info.stdout, info.stderr);
    assert!(info.stdout.starts_with("info[H033]: "), "{}", info.stdout);
    assert!(
        info.stdout
            .ends_with("\n0 errors, 0 warnings, 1 info in 1 file\n"),
        "{}",
        info.stdout
    );
}

fn lint_json_with_config(config: &str) -> (i32, Value) {
    let run = lint(MANY, &["--format", "json", "--config", config]);
    (run.exit, json(&run))
}

#[test]
fn configuration_ignores_and_selects_rules() {
    let (exit, document) = lint_json_with_config("fixtures/lint/config-ignore.toml");
    assert_eq!(exit, 1);
    assert_eq!(codes(&document), ["H022", "H051", "H010", "H004"]);

    let (exit, document) = lint_json_with_config("fixtures/lint/config-select.toml");
    assert_eq!(exit, 1);
    assert_eq!(codes(&document), ["H051", "H010"]);
}

#[test]
fn configuration_sets_severity_per_rule() {
    let (exit, document) = lint_json_with_config("fixtures/lint/config-severity.toml");
    assert_eq!(exit, 1);
    let severities: Vec<(&str, &str)> = document["diagnostics"]
        .as_array()
        .expect("array")
        .iter()
        .map(|d| {
            (
                d["code"].as_str().expect("code"),
                d["severity"].as_str().expect("severity"),
            )
        })
        .collect();
    assert_eq!(
        severities,
        [
            ("H033", "error"),
            ("H022", "info"),
            ("H051", "warning"),
            ("H032", "warning"),
            ("H010", "error"),
            ("H004", "error"),
        ]
    );
    assert_eq!(document["summary"]["errors"], 3);
    assert_eq!(document["summary"]["infos"], 1);
    // A warnings-only file fails once its warning is made an error.
    let run = lint(
        &format!("{FIXTURES}/h033-fail.yaml"),
        &["--config", "fixtures/lint/config-severity.toml"],
    );
    assert_eq!(run.exit, 1, "{}{}", run.stdout, run.stderr);
    assert!(run.stdout.starts_with("error[H033]: "), "{}", run.stdout);
}

#[test]
fn configuration_with_an_unknown_code_is_a_usage_error() {
    let run = lint(
        MANY,
        &["--config", "fixtures/lint/config-unknown-code.toml"],
    );
    assert_eq!(run.exit, 2);
    assert_eq!(run.stdout, "");
    assert!(
        run.stderr.contains("config-unknown-code.toml")
            && run.stderr.contains("`H999` names no lint rule"),
        "{}",
        run.stderr
    );
}
