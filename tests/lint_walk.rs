//! Issue 9, lint and policy checks: `handoff lint` on folders (recursive walk, `.gitignore`,
//! hidden folders, `--exclude`, `[lint] exclude`, non-policy YAML, configuration discovery,
//! `--verbose`, selection errors, hostile folders) and the checks that must never mislead
//! (H049 analysis-incomplete, unreachable calendars, keyword handling in linear time, H042 on
//! rules that cannot both match, H030 with `kind: reactive`, H031 naming its source, reserved
//! rule ids, values that can never work, several YAML documents).
//!
//! Everything runs the real debug binary. Hostile folders (symlink loops, FIFOs, dangling links)
//! are built in temporary folders; the committed folder fixtures are in `fixtures/walk/`.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

struct Run {
    exit: i32,
    stdout: String,
    stderr: String,
}

impl std::fmt::Display for Run {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "exit {}\n--- stdout\n{}--- stderr\n{}",
            self.exit, self.stdout, self.stderr
        )
    }
}

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Run `handoff` in `dir` with a hang guard: a run that takes longer than `limit` is killed and
/// fails the test (a guard against hangs, not a performance claim).
fn handoff_in_with_limit(dir: &Path, args: &[&str], limit: Duration) -> Run {
    let mut child = Command::new(env!("CARGO_BIN_EXE_handoff"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("cannot run the handoff binary");
    // Drain both pipes while waiting: a large report must not block the child.
    let mut stdout = child.stdout.take().expect("stdout");
    let mut stderr = child.stderr.take().expect("stderr");
    let out = std::thread::spawn(move || {
        let mut text = Vec::new();
        let _ = std::io::Read::read_to_end(&mut stdout, &mut text);
        text
    });
    let err = std::thread::spawn(move || {
        let mut text = Vec::new();
        let _ = std::io::Read::read_to_end(&mut stderr, &mut text);
        text
    });
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait for handoff") {
            break status;
        }
        if started.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            panic!("handoff {args:?} did not finish within {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    Run {
        exit: status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.join().expect("stdout reader")).into_owned(),
        stderr: String::from_utf8_lossy(&err.join().expect("stderr reader")).into_owned(),
    }
}

fn handoff_in(dir: &Path, args: &[&str]) -> Run {
    handoff_in_with_limit(dir, args, Duration::from_secs(60))
}

fn handoff(args: &[&str]) -> Run {
    handoff_in(root(), args)
}

fn last_line(text: &str) -> &str {
    text.lines().last().unwrap_or("")
}

/// A temporary folder with the given files (path → text).
fn folder(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temporary folder");
    for (path, text) in files {
        let path = dir.path().join(path);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("create folder");
        std::fs::write(path, text).expect("write file");
    }
    dir
}

const CLEAN: &str = "version: 1
name: walk
calendar: { timezone: Europe/Berlin, hours: { mon-fri: \"09:00-18:00\" } }
teams:
  support: { members: [ana], lead: dana }
  billing: { members: [eli], lead: gus }
tiers:
  L1:
    owner: support
    raci: { responsible: [support], accountable: dana }
    sla:
      default: { first_response: 4h, resolution: 2bd }
  L2:
    owner: billing
    raci: { responsible: [billing], accountable: gus }
    sla:
      default: { first_response: 4h, resolution: 2bd }
context: { required: [conversation] }
rules:
  - { id: asks-for-human, kind: reactive, when: { requested_human: true }, route: L1, continue: true }
  - { id: unsure, when: { confidence: { below: 0.5 } }, route: L2 }
default: ai
";

/// The clean policy with `from` replaced by `to` (which must occur).
fn policy_with(from: &str, to: &str) -> String {
    assert!(CLEAN.contains(from), "`{from}` is not in the clean policy");
    CLEAN.replacen(from, to, 1)
}

/// Lint one policy text from a temporary folder: `handoff lint policy.yaml <extra>`.
fn lint_text(text: &str, extra: &[&str]) -> Run {
    let dir = folder(&[("policy.yaml", text)]);
    let mut args = vec!["lint", "policy.yaml"];
    args.extend_from_slice(extra);
    handoff_in(dir.path(), &args)
}

/// `CODE message` of every finding, from the JSON output.
fn findings(run: &Run) -> Vec<String> {
    let document: serde_json::Value = serde_json::from_str(&run.stdout)
        .unwrap_or_else(|e| panic!("output is not JSON ({e}):\n{run}"));
    document["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .map(|d| {
            format!(
                "{} {}",
                d["code"].as_str().unwrap_or("?"),
                d["message"].as_str().unwrap_or("?")
            )
        })
        .collect()
}

fn json_findings(text: &str) -> (i32, Vec<String>) {
    let run = lint_text(text, &["--format", "json"]);
    (run.exit, findings(&run))
}

// ---------------------------------------------------------------------------------------------
// Folders

#[test]
fn the_clean_policy_used_below_is_clean() {
    let run = lint_text(CLEAN, &[]);
    assert_eq!(
        (run.exit, run.stdout.as_str()),
        (0, "no problems in 1 file\n"),
        "{run}"
    );
}

#[test]
fn a_folder_is_walked_recursively_and_a_nested_bad_file_fails_the_run() {
    let run = handoff(&["lint", "fixtures/walk/tree", "--color", "never"]);
    assert_eq!(run.exit, 1, "{run}");
    assert!(
        run.stdout
            .contains("--> fixtures/walk/tree/amer/bad.yaml:14:"),
        "{run}"
    );
    assert_eq!(
        last_line(&run.stdout),
        "3 errors, 1 warning in 4 files (3 non-policy YAML files skipped)",
        "{run}"
    );
}

#[test]
fn gitignored_and_hidden_files_are_not_walked() {
    let run = handoff(&["lint", "fixtures/walk/tree", "--format", "json"]);
    for never in [
        "ignored/",
        ".hidden/",
        ".github/",
        ".pre-commit-config.yaml",
    ] {
        assert!(!run.stdout.contains(never), "{never} was linted:\n{run}");
    }
}

#[test]
fn files_are_linted_in_sorted_order() {
    let run = handoff(&["lint", "fixtures/walk/tree", "--format", "json"]);
    let document: serde_json::Value = serde_json::from_str(&run.stdout).expect("JSON");
    let mut files: Vec<&str> = document["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .map(|d| d["file"].as_str().expect("file"))
        .collect();
    files.dedup();
    assert_eq!(
        files,
        [
            "fixtures/walk/tree/amer/bad.yaml",
            "fixtures/walk/tree/vendor/bad.yaml"
        ]
    );
}

#[test]
fn exclude_globs_prune_the_walk() {
    let run = handoff(&[
        "lint",
        "fixtures/walk/tree",
        "--exclude",
        "vendor",
        "--exclude",
        "*.yml",
        "--color",
        "never",
    ]);
    assert_eq!(run.exit, 1, "{run}");
    assert!(!run.stdout.contains("vendor/bad.yaml"), "{run}");
    assert_eq!(
        last_line(&run.stdout),
        "2 errors, 0 warnings in 2 files (3 non-policy YAML files skipped)",
        "{run}"
    );
    // A path with a slash is anchored where the command runs.
    let run = handoff(&[
        "lint",
        "fixtures/walk/tree",
        "--exclude",
        "fixtures/walk/tree/amer",
        "--exclude",
        "vendor/",
        "--color",
        "never",
    ]);
    assert_eq!(
        (run.exit, last_line(&run.stdout)),
        (0, "no problems in 1 file (3 non-policy YAML files skipped)"),
        "{run}"
    );
}

#[test]
fn a_file_named_explicitly_is_always_linted() {
    // A policy test file named on the command line is linted as a policy, and fails as one.
    let run = handoff(&[
        "lint",
        "fixtures/walk/tree/tests/routing.yaml",
        "--color",
        "never",
    ]);
    assert_eq!(run.exit, 2, "{run}");
    assert!(
        run.stdout.contains("error[H002]: unknown field `policy`"),
        "{run}"
    );
    // So is an excluded file, and a file in an ignored or hidden folder.
    let run = handoff(&[
        "lint",
        "fixtures/walk/tree/vendor/bad.yaml",
        "fixtures/walk/tree/ignored/bad.yaml",
        "fixtures/walk/tree/.hidden/bad.yaml",
        "--exclude",
        "vendor",
        "--color",
        "never",
    ]);
    assert_eq!(
        (run.exit, last_line(&run.stdout)),
        (1, "3 errors, 3 warnings in 3 files"),
        "{run}"
    );
}

#[test]
fn non_policy_yaml_is_skipped_and_counted() {
    let dir = folder(&[
        ("policies/support.yaml", CLEAN),
        (
            "policies/tests/support.yaml",
            "policy: ../support.yaml\ncases: []\n",
        ),
        (
            "policies/workflow.yml",
            "name: ci\non: [push]\njobs: { lint: { runs-on: ubuntu-latest, steps: [] } }\n",
        ),
        ("policies/list.yaml", "- just\n- a list\n"),
        ("policies/values.yaml", "name: {{ .Values.name }}\n"),
        // Empty, or not readable as YAML: perhaps a broken policy, so linted and reported.
        ("policies/empty.yaml", "# nothing here\n"),
        ("policies/broken.yaml", "version: 1\nrules: [\n"),
    ]);
    let run = handoff_in(dir.path(), &["lint", "policies", "--color", "never"]);
    assert_eq!(run.exit, 2, "{run}");
    assert!(run.stdout.contains("error[H001]"), "{run}");
    assert!(run.stdout.contains("policies/broken.yaml"), "{run}");
    assert!(run.stdout.contains("policies/empty.yaml"), "{run}");
    assert_eq!(
        last_line(&run.stdout),
        "2 errors, 0 warnings in 3 files (4 non-policy YAML files skipped)",
        "{run}"
    );
}

#[test]
fn verbose_names_the_configuration_and_every_skipped_file() {
    let run = handoff(&[
        "lint",
        "fixtures/walk/tree",
        "--exclude",
        "vendor",
        "--verbose",
    ]);
    assert_eq!(run.exit, 1, "{run}");
    let stderr = &run.stderr;
    assert!(stderr.contains("no handoff.toml found"), "{run}");
    assert!(
        stderr.contains(
            "skipped fixtures/walk/tree/ci.yaml: not a policy (no top-level `rules` or `tiers`)"
        ),
        "{run}"
    );
    assert!(
        stderr.contains("excluded fixtures/walk/tree/vendor"),
        "{run}"
    );
    // Nothing of this reaches stdout, and without --verbose stderr stays empty.
    assert!(!run.stdout.contains("skipped fixtures"), "{run}");
    let quiet = handoff(&["lint", "fixtures/walk/tree", "--exclude", "vendor"]);
    assert_eq!(quiet.stderr, "", "{quiet}");
}

#[test]
fn the_configuration_is_found_in_a_parent_folder() {
    let project = root().join("fixtures/walk/project");
    let below = project.join("policies/team/sub");
    // From three folders down: the project's handoff.toml ignores H033 and excludes vendor/.
    let run = handoff_in(&below, &["lint", "..", "--verbose", "--color", "never"]);
    assert_eq!(
        (run.exit, run.stdout.as_str()),
        (0, "no problems in 1 file\n"),
        "{run}"
    );
    assert!(
        run.stderr
            .contains("using configuration ../../../handoff.toml"),
        "{run}"
    );
    assert!(run.stderr.contains("excluded ../vendor"), "{run}");
    // Its exclude patterns are relative to its own folder, wherever lint runs.
    let run = handoff_in(&project, &["lint", "policies", "--color", "never"]);
    assert_eq!(
        (run.exit, run.stdout.as_str()),
        (0, "no problems in 1 file\n"),
        "{run}"
    );
    // --config names another file and wins over discovery.
    let run = handoff_in(
        &below,
        &[
            "lint",
            "..",
            "--config",
            "/dev/null",
            "--verbose",
            "--color",
            "never",
        ],
    );
    assert_eq!(run.exit, 1, "{run}");
    assert!(run.stdout.contains("vendor/bad.yaml"), "{run}");
    assert!(
        run.stderr.contains("using configuration /dev/null"),
        "{run}"
    );
}

#[test]
fn unknown_or_empty_selections_are_usage_errors() {
    for (args, message) in [
        (
            &["--select", "H999"][..],
            "error: --select: `H999` names no lint rule (run `handoff rules` for the list)",
        ),
        (&["--select", ""][..], "error: --select: an empty rule name"),
        (
            &["--select", "H040,"][..],
            "error: --select: an empty rule name",
        ),
        (
            &["--ignore", "no-such-rule"][..],
            "error: --ignore: `no-such-rule` names no lint rule (run `handoff rules` for the list)",
        ),
    ] {
        let mut all = vec!["lint", "fixtures/walk/tree/good.yaml"];
        all.extend_from_slice(args);
        let run = handoff(&all);
        assert_eq!(run.exit, 2, "{args:?}: {run}");
        assert_eq!(run.stdout, "", "{args:?}: {run}");
        assert_eq!(run.stderr.trim_end(), message, "{args:?}: {run}");
    }
}

#[test]
fn a_folder_without_policies_is_a_usage_error() {
    let run = handoff(&["lint", "fixtures/walk/empty"]);
    assert_eq!(run.exit, 2, "{run}");
    assert_eq!(
        run.stderr,
        "error: no policy files (*.yaml, *.yml) in fixtures/walk/empty\n"
    );
    let run = handoff(&["lint", "fixtures/walk/tree/tests"]);
    assert_eq!(run.exit, 2, "{run}");
    assert_eq!(
        run.stderr,
        "error: no policy files (*.yaml, *.yml) in fixtures/walk/tree/tests (1 non-policy YAML file skipped)\n"
    );
}

#[cfg(unix)]
#[test]
fn a_symlink_loop_does_not_hang_the_walk() {
    let dir = folder(&[("policies/a/support.yaml", CLEAN)]);
    let a = dir.path().join("policies/a");
    std::os::unix::fs::symlink(&a, a.join("loop")).expect("symlink");
    std::os::unix::fs::symlink("..", a.join("up")).expect("symlink");
    let run = handoff_in_with_limit(
        dir.path(),
        &["lint", "policies", "--color", "never"],
        Duration::from_secs(20),
    );
    assert_eq!(
        (run.exit, run.stdout.as_str()),
        (0, "no problems in 1 file\n"),
        "{run}"
    );
}

#[cfg(unix)]
#[test]
fn a_fifo_in_a_folder_is_not_opened() {
    let dir = folder(&[("policies/support.yaml", CLEAN)]);
    let status = Command::new("mkfifo")
        .arg(dir.path().join("policies/pipe.yaml"))
        .status()
        .expect("mkfifo runs");
    assert!(status.success());
    let run = handoff_in_with_limit(
        dir.path(),
        &["lint", "policies", "--color", "never"],
        Duration::from_secs(20),
    );
    assert_eq!(
        (run.exit, run.stdout.as_str()),
        (0, "no problems in 1 file\n"),
        "{run}"
    );
}

#[cfg(unix)]
#[test]
fn an_unreadable_file_in_a_folder_is_an_input_error() {
    let dir = folder(&[("policies/support.yaml", CLEAN)]);
    std::os::unix::fs::symlink("nowhere.yaml", dir.path().join("policies/gone.yaml"))
        .expect("symlink");
    let run = handoff_in(dir.path(), &["lint", "policies", "--color", "never"]);
    assert_eq!(run.exit, 2, "{run}");
    assert_eq!(run.stdout, "", "{run}");
    assert!(
        run.stderr
            .starts_with("error: cannot read policies/gone.yaml"),
        "{run}"
    );
}

// ---------------------------------------------------------------------------------------------
// Checks that must never mislead

/// 200 rules between `unsure` and `complex`, whose condition is `confidence below 0.3` and
/// `anys` lists of seven labels each: 7^anys cases for the analysis.
fn complex_rule_after_200(anys: usize) -> String {
    let mut rules = String::from(
        "  - { id: asks-for-human, kind: reactive, when: { requested_human: true }, route: L1, continue: true }\n  - { id: unsure, when: { confidence: { below: 0.5 } }, route: L1 }\n",
    );
    for i in 0..200 {
        rules += &format!(
            "  - {{ id: r{i}, when: {{ channel: {{ in: [c{i}] }}, confidence: {{ at_least: 0.5 }} }}, route: L2 }}\n"
        );
    }
    let parts: Vec<String> = (0..anys)
        .map(|k| {
            let labels: Vec<String> = (0..7)
                .map(|j| format!("{{ field: {{ name: x{k}, in: [v{j}] }} }}"))
                .collect();
            format!("{{ any: [ {} ] }}", labels.join(", "))
        })
        .collect();
    rules += &format!(
        "  - {{ id: complex, when: {{ all: [ {} ], confidence: {{ below: 0.3 }} }}, route: L2 }}\n",
        parts.join(", ")
    );
    let head = CLEAN.split("rules:\n").next().expect("head");
    format!("{head}rules:\n{rules}default: ai\n")
}

#[test]
fn an_analysis_that_gives_up_says_so() {
    // 49 cases: the shadow is proved.
    let (_, small) = json_findings(&complex_rule_after_200(2));
    assert_eq!(
        small,
        ["H040 rule 'complex' is shadowed by earlier rule 'unsure'"]
    );
    // 2,401 cases: too many to keep for the comparison with earlier rules.
    let (exit, kept) = json_findings(&complex_rule_after_200(4));
    assert_eq!(exit, 0, "{kept:?}");
    assert_eq!(
        kept,
        [
            "H049 could not check whether rule 'complex' is shadowed (H040), nor whether it shadows later rules: its condition is too large to keep for the comparison"
        ]
    );
    // 16,807 cases: too many to build at all.
    let (exit, built) = json_findings(&complex_rule_after_200(5));
    assert_eq!(exit, 0, "{built:?}");
    assert_eq!(
        built,
        [
            "H049 could not check whether rule 'complex' can ever match (H041) or is shadowed (H040): its condition expands to more than the analysis handles"
        ]
    );
    // Never "no problems".
    let run = lint_text(&complex_rule_after_200(5), &["--color", "never"]);
    assert_eq!(
        last_line(&run.stdout),
        "0 errors, 0 warnings, 1 info in 1 file",
        "{run}"
    );
}

#[test]
fn a_calendar_too_short_for_its_targets_is_an_error() {
    // Open one second a week: a 4h target would take 14,400 weeks.
    let one_second = policy_with(
        "hours: { mon-fri: \"09:00-18:00\" }",
        "hours: { mon: \"09:00:00-09:00:01\" }",
    );
    let (exit, found) = json_findings(&one_second);
    assert_eq!(exit, 1, "{found:?}");
    assert!(
        found
            .iter()
            .any(|f| f.starts_with("H052 ") && f.contains("open only 1s a week")),
        "{found:?}"
    );
    // A working day under a minute makes `bd` targets meaningless.
    let short_days = policy_with(
        "hours: { mon-fri: \"09:00-18:00\" }",
        "hours: { mon-fri: \"09:00-18:00\", sat: \"09:00:00-09:00:30\" }",
    );
    let (exit, found) = json_findings(&short_days);
    assert_eq!(exit, 1, "{found:?}");
    assert!(
        found
            .iter()
            .any(|f| f.starts_with("H052 ") && f.contains("`2bd`")),
        "{found:?}"
    );
    // An ordinary calendar is fine.
    assert_eq!(json_findings(CLEAN), (0, vec![]));
}

#[test]
fn one_megabyte_keyword_does_not_hang_lint() {
    // Generated here, never committed: a 1 MB one-word keyword and a 1 MB phrase, each in two
    // rules (so the keyword comparisons H042/H043 and the semantic analysis all see them).
    let word = "a".repeat(1 << 20);
    let phrase = "ab ".repeat((1 << 20) / 3);
    // Three 1 MB keywords: the policy stays below the 4 MiB limit.
    let phrase = phrase.trim_end();
    let text = policy_with(
        "  - { id: unsure,",
        &format!(
            "  - {{ id: long-word, when: {{ keywords: {{ any: [\"{word}\", refund*] }} }}, route: L2 }}\n  - {{ id: long-word-again, when: {{ keywords: {{ any: [\"{word}*\"], none: [zzz] }} }}, route: L1 }}\n  - {{ id: phrase, when: {{ keywords: {{ all: [\"{phrase}\"], none: [ab] }} }}, route: L2 }}\n  - {{ id: unsure,"
        ),
    );
    let dir = folder(&[("policy.yaml", &text)]);
    let run = handoff_in_with_limit(
        dir.path(),
        &["lint", "policy.yaml", "--format", "json"],
        Duration::from_secs(20),
    );
    let found = findings(&run);
    assert!(
        found.iter().any(|f| f.starts_with("H041 rule 'phrase'")),
        "{found:?}"
    );
}

#[test]
fn h042_only_for_rules_a_ticket_can_match_together() {
    let disjoint = policy_with(
        "  - { id: unsure,",
        "  - { id: enterprise-refund, when: { customer_tier: { in: [enterprise] }, keywords: { any: [refund] } }, route: L2 }\n  - { id: other-refund, when: { customer_tier: { not_in: [enterprise] }, keywords: { any: [refund] } }, route: L1 }\n  - { id: unsure,",
    );
    assert_eq!(json_findings(&disjoint), (0, vec![]));
    let overlapping = policy_with(
        "  - { id: unsure,",
        "  - { id: enterprise-refund, when: { customer_tier: { in: [enterprise] }, keywords: { any: [refund] } }, route: L2 }\n  - { id: chat-refund, when: { channel: { in: [chat] }, keywords: { any: [refund] } }, route: L1 }\n  - { id: unsure,",
    );
    assert_eq!(
        json_findings(&overlapping),
        (
            0,
            vec![
                "H042 keyword 'refund' routes to L1 in rule 'chat-refund' but to L2 in rule 'enterprise-refund'"
                    .to_string()
            ]
        )
    );
}

#[test]
fn h030_accepts_a_rule_declared_reactive() {
    let declared = policy_with(
        "  - { id: asks-for-human, kind: reactive, when: { requested_human: true }, route: L1, continue: true }",
        "  - { id: says-human, kind: reactive, when: { keywords: { any: [human, person] } }, route: L1, continue: true }",
    );
    assert_eq!(json_findings(&declared), (0, vec![]));
    let neither = policy_with(
        "  - { id: asks-for-human, kind: reactive, when: { requested_human: true }, route: L1, continue: true }",
        "  - { id: says-human, when: { keywords: { any: [human, person] } }, route: L1, continue: true }",
    );
    let (_, found) = json_findings(&neither);
    assert_eq!(
        found,
        [
            "H030 no rule reads `requested_human` or is declared `kind: reactive`: a customer who asks for a person stays with the AI"
        ]
    );
}

#[test]
fn h031_names_what_brings_the_priority() {
    let text = policy_with(
        "  - { id: unsure, when: { confidence: { below: 0.5 } }, route: L2 }",
        "  - { id: unsure, when: { confidence: { below: 0.5 } }, route: L2, priority: urgent }",
    )
    .replacen(
        "  L2:\n    owner: billing\n    raci: { responsible: [billing], accountable: gus }\n    sla:\n      default:",
        "  L2:\n    owner: billing\n    raci: { responsible: [billing], accountable: gus }\n    sla:\n      low:",
        1,
    );
    let run = lint_text(&text, &["--color", "never"]);
    assert_eq!(run.exit, 1, "{run}");
    assert!(
        run.stdout.contains(
            "error[H031]: tier 'L2' can receive priority urgent (rule 'unsure' sets it) but has no SLA target for it"
        ),
        "{run}"
    );
    assert!(run.stdout.contains("sets priority urgent"), "{run}");
    // A tier reached by `escalate_after` or `default` can receive every priority.
    let text = CLEAN
        .replacen(
            "      default: { first_response: 4h, resolution: 2bd }\n  L2:",
            "      default: { first_response: 4h, resolution: 2bd }\n    escalate_after: { no_first_response: 2h, to: L2 }\n  L2:",
            1,
        )
        .replacen(
            "    raci: { responsible: [billing], accountable: gus }\n    sla:\n      default:",
            "    raci: { responsible: [billing], accountable: gus }\n    sla:\n      low:",
            1,
        );
    let run = lint_text(&text, &["--color", "never"]);
    assert!(
        run.stdout.contains(
            "error[H031]: tier 'L2' can receive priorities urgent, high, normal (rule 'unsure' routes tickets of any priority here) but has no SLA target for them"
        ),
        "{run}"
    );
    assert!(
        run.stdout
            .contains("`escalate_after` from 'L1' hands over tickets of any priority"),
        "{run}"
    );
}

#[test]
fn rule_ids_like_the_default_route_are_reserved() {
    for (written, id) in [("(default)", "(default)"), ("\"(fallback)\"", "(fallback)")] {
        let text = policy_with("id: unsure,", &format!("id: {written},"));
        let (exit, found) = json_findings(&text);
        assert_eq!(exit, 1, "{id}: {found:?}");
        assert!(
            found.contains(&format!("H003 rule id `{id}` is reserved")),
            "{id}: {found:?}"
        );
    }
}

#[test]
fn values_that_can_never_work_are_rejected() {
    let cases: &[(&str, &str, &str)] = &[
        (
            "timezone: Europe/Berlin",
            "timezone: localtime",
            "H003 time zone `localtime` depends on the machine",
        ),
        (
            "first_response: 4h, resolution: 2bd }\n  L2",
            "first_response: 400ms, resolution: 2bd }\n  L2",
            "H003 duration `400ms` is not a whole number of seconds",
        ),
        (
            "hours: { mon-fri: \"09:00-18:00\" } }",
            "hours: { mon-fri: \"09:00-18:00\" }, holidays: [2026-12-25T10:00] }",
            "H003 holiday `2026-12-25T10:00` has a time of day; holidays are whole dates",
        ),
        (
            "when: { confidence: { below: 0.5 } }",
            "when: { keywords: { any: [\"(legal|law)\"] } }",
            "H003 keyword `(legal|law)` looks like a regular expression",
        ),
        (
            "when: { confidence: { below: 0.5 } }",
            "when: { keywords: { any: [\"k\u{00FC}n\u{200B}digung\"] } }",
            "H003 keyword `k\u{00FC}n<U+200B>digung` contains an invisible character (U+200B ZERO WIDTH SPACE)",
        ),
    ];
    for (from, to, expected) in cases {
        let (exit, found) = json_findings(&policy_with(from, to));
        assert_eq!(exit, 1, "{to}: {found:?}");
        assert!(
            found.iter().any(|f| f.starts_with(expected)),
            "{to}: expected `{expected}` in {found:?}"
        );
    }
    // Keywords that work: punctuation inside words, a Persian word with its zero-width
    // non-joiner.
    let fine = policy_with(
        "when: { confidence: { below: 0.5 } }",
        "when: { keywords: { any: [c++, e-mail, \"\u{645}\u{6CC}\u{200C}\u{62E}\u{648}\u{627}\u{647}\u{645}\"] } }",
    );
    assert_eq!(json_findings(&fine), (0, vec![]));
}

#[test]
fn several_yaml_documents_get_a_message_a_user_can_act_on() {
    let text = format!("{CLEAN}---\n{CLEAN}");
    let run = lint_text(&text, &["--color", "never"]);
    assert_eq!(run.exit, 2, "{run}");
    let separator = CLEAN.lines().count() + 1;
    assert!(
        run.stdout.contains(&format!(
            "error[H001]: a policy file holds one YAML document; found 2 (a `---` separator on line {separator})"
        )),
        "{run}"
    );
    assert!(!run.stdout.contains("from_str_multiple"), "{run}");
}

#[test]
fn config_exclude_is_validated_like_other_keys() {
    let dir = folder(&[
        ("handoff.toml", "[lint]\nexclude = [\"{a\"]\n"),
        ("policies/support.yaml", CLEAN),
    ]);
    let run = handoff_in(dir.path(), &["lint", "policies"]);
    assert_eq!(run.exit, 2, "{run}");
    assert!(run.stderr.starts_with("error: handoff.toml: "), "{run}");
    assert!(run.stderr.contains("exclude"), "{run}");
}

#[test]
fn a_configuration_that_selects_nothing_is_a_usage_error() {
    let dir = folder(&[
        ("handoff.toml", "[lint]\nselect = []\n"),
        (
            "policies/support.yaml",
            "version: 1\nrules: [ { id: x, when: {}, route: L9 } ]\n",
        ),
    ]);
    let run = handoff_in(dir.path(), &["lint", "policies"]);
    assert_eq!(run.exit, 2, "{run}");
    assert_eq!(run.stdout, "", "{run}");
    assert!(
        run.stderr
            .starts_with("error: handoff.toml: `select = []` selects no rule"),
        "{run}"
    );
}

#[test]
fn the_policies_folder_skips_its_policy_tests() {
    let run = handoff(&["lint", "policies/", "--color", "never"]);
    assert_eq!(
        (run.exit, run.stdout.as_str()),
        (
            0,
            "no problems in 2 files (3 non-policy YAML files skipped)\n"
        ),
        "{run}"
    );
}

#[test]
fn many_suppression_comments_do_not_hang_lint() {
    // Generated here: 20,000 suppression comments above the policy, each an unused
    // suppression (H090), so the report is long too; and one comment naming 20,000 codes
    // (ten reported one by one, the rest in one finding).
    let many_lines = format!(
        "{}{CLEAN}",
        "# handoff: allow H043 -- reason\n".repeat(20_000)
    );
    let many_codes = CLEAN.replace(
        "default: ai",
        &format!(
            "default: ai  # handoff: allow {} -- reason",
            vec!["H043"; 20_000].join(" ")
        ),
    );
    for (name, text) in [("lines", many_lines), ("codes", many_codes)] {
        let dir = folder(&[("policy.yaml", &text)]);
        for format in ["json", "human"] {
            let run = handoff_in_with_limit(
                dir.path(),
                &[
                    "lint",
                    "policy.yaml",
                    "--format",
                    format,
                    "--color",
                    "never",
                ],
                Duration::from_secs(20),
            );
            assert_eq!(run.exit, 0, "{name} {format}: {}", run.stderr);
            let warnings = if name == "lines" { 20_000 } else { 11 };
            let expected = if format == "json" {
                format!("\"warnings\": {warnings},")
            } else {
                format!("0 errors, {warnings} warnings in 1 file")
            };
            assert!(run.stdout.contains(&expected), "{name} {format}");
        }
    }
}
