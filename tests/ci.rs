//! Issue 15, fitting every CI and editor: `lint -` with `--stdin-filename`, `--force-exclude`
//! (what the pre-commit hook passes), `--statistics`, `--exit-zero`, SARIF that validates
//! against the official 2.1.0 schema (rule `helpUri`s, suppressions, percent-encoded relative
//! URIs, `--sarif-root`), JUnit XML for lint and test, colour from `--color` and the
//! `NO_COLOR` / `FORCE_COLOR` / `CLICOLOR_FORCE` conventions, shell completions, the man page,
//! the pre-commit hooks, the GitHub Action and the README's CI section.
//!
//! Everything runs the real debug binary. GitHub Actions cannot run here: `action.yml` is
//! checked for its structure; the pre-commit hooks are run as pre-commit runs them (entry,
//! args, filenames) here and through `pre-commit try-repo` in `.ci/run`.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

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

const COLOR_VARIABLES: [&str; 4] = ["NO_COLOR", "FORCE_COLOR", "CLICOLOR_FORCE", "CLICOLOR"];

/// Run `handoff` in `dir` with `stdin` and only the colour variables given in `env`.
fn run_with(dir: &Path, args: &[&str], stdin: Option<&[u8]>, env: &[(&str, &str)]) -> Run {
    let mut command = Command::new(env!("CARGO_BIN_EXE_handoff"));
    command.args(args).current_dir(dir);
    for name in COLOR_VARIABLES {
        command.env_remove(name);
    }
    for (name, value) in env {
        command.env(name, value);
    }
    command
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = command.spawn().expect("cannot run the handoff binary");
    if let Some(bytes) = stdin {
        let mut pipe = child.stdin.take().expect("stdin");
        let bytes = bytes.to_vec();
        // Written from a thread: a large input must not block against a full stdout pipe.
        std::thread::spawn(move || {
            let _ = pipe.write_all(&bytes);
        });
    }
    let output = child.wait_with_output().expect("wait for handoff");
    Run {
        exit: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

fn handoff(args: &[&str]) -> Run {
    run_with(root(), args, None, &[])
}

fn handoff_stdin(args: &[&str], stdin: &[u8]) -> Run {
    run_with(root(), args, Some(stdin), &[])
}

fn read(path: &str) -> String {
    std::fs::read_to_string(root().join(path)).expect(path)
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

const DRAFT: &str = "fixtures/tour/draft.yaml";

/// JUnit output without its clock: `time` and `timestamp` attributes vary from run to run.
fn without_clock(xml: &str) -> String {
    let time = regex::Regex::new(r#" (time|timestamp|hostname)="[^"]*""#).expect("regex");
    time.replace_all(xml, "").into_owned()
}

// ---------------------------------------------------------------------------------------------
// lint - and --stdin-filename
// ---------------------------------------------------------------------------------------------

#[test]
fn lint_reads_a_policy_from_stdin_and_names_it_in_every_format() {
    let text = read(DRAFT);
    for format in ["human", "json", "sarif", "github", "junit"] {
        let from_file = handoff(&["lint", DRAFT, "--format", format]);
        let from_stdin = handoff_stdin(
            &["lint", "-", "--stdin-filename", DRAFT, "--format", format],
            text.as_bytes(),
        );
        assert_eq!(from_stdin.exit, 1, "{format}: {from_stdin}");
        assert!(from_stdin.stderr.is_empty(), "{format}: {from_stdin}");
        // Named like the file, the report is the file's report, byte for byte.
        assert_eq!(
            without_clock(&from_stdin.stdout),
            without_clock(&from_file.stdout),
            "{format}"
        );
        assert!(from_stdin.stdout.contains(DRAFT), "{format}: {from_stdin}");
    }
}

#[test]
fn lint_stdin_without_a_name_is_called_dash() {
    let run = handoff_stdin(&["lint", "-"], read(DRAFT).as_bytes());
    assert_eq!(run.exit, 1, "{run}");
    assert!(run.stdout.contains("  --> -:30:34\n"), "{run}");
    // A clean policy, between files.
    let run = handoff_stdin(
        &["lint", "policies/it-service.yaml", "-"],
        read("policies/support.yaml").as_bytes(),
    );
    assert_eq!(run.exit, 0, "{run}");
    assert_eq!(run.stdout, "no problems in 2 files\n", "{run}");
}

#[test]
fn stdin_filename_alone_reads_standard_input() {
    // As ruff: `--stdin-filename NAME` without a path means `-`.
    let run = handoff_stdin(
        &[
            "lint",
            "--stdin-filename",
            "policies/draft.yaml",
            "--format",
            "github",
        ],
        read(DRAFT).as_bytes(),
    );
    assert_eq!(run.exit, 1, "{run}");
    assert!(
        run.stdout
            .starts_with("::error file=policies/draft.yaml,line=30,col=34,"),
        "{run}"
    );
}

#[test]
fn stdin_misuse_is_a_usage_error() {
    let cases: [(&[&str], &str); 4] = [
        (
            &["lint", "policies", "--stdin-filename", "a.yaml"],
            "give `-` as a path",
        ),
        (&["lint", "-", "-"], "can be given once"),
        (
            &["lint", "-", "--tickets", "-"],
            "cannot hold both the policy",
        ),
        (
            &["lint", "policies", "--sarif-root", "."],
            "--sarif-root goes with --format sarif",
        ),
    ];
    for (args, message) in cases {
        let run = handoff_stdin(args, b"");
        assert_eq!(run.exit, 2, "{args:?}: {run}");
        assert!(run.stderr.contains(message), "{args:?}: {run}");
    }
}

#[test]
fn a_policy_on_stdin_over_the_size_limit_is_h001() {
    let mut big = b"# ".to_vec();
    big.resize(4 * 1024 * 1024 + 10, b'x');
    let run = handoff_stdin(&["lint", "-", "--stdin-filename", "big.yaml"], &big);
    assert_eq!(run.exit, 2, "{run}");
    assert!(
        run.stdout
            .starts_with("error[H001]: policy is over 4 MiB; handoff reads policies up to 4 MiB"),
        "{run}"
    );
    assert!(run.stdout.contains("big.yaml"), "{run}");
}

#[test]
fn an_empty_stdin_is_an_empty_policy() {
    let run = handoff_stdin(&["lint", "-"], b"");
    assert_eq!(run.exit, 2, "{run}");
    assert!(run.stdout.contains("error[H001]"), "{run}");
}

// ---------------------------------------------------------------------------------------------
// --force-exclude (what the pre-commit hook passes)
// ---------------------------------------------------------------------------------------------

fn clean_policy() -> String {
    read("policies/support.yaml")
}

#[test]
fn force_exclude_filters_named_files_as_a_walk_does() {
    let policy = clean_policy();
    let broken = read(DRAFT);
    let dir = folder(&[
        ("policies/support.yaml", &policy),
        (
            "policies/tests/routing.yaml",
            "policy: ../support.yaml\ncases: []\n",
        ),
        ("vendor/upstream.yaml", &broken),
        ("deep/vendor/x/upstream.yaml", &broken),
        ("README.md", "# not YAML\n"),
        (".github/workflows/ci.yml", "on: push\njobs: {}\n"),
    ]);
    let files = [
        "policies/support.yaml",
        "policies/tests/routing.yaml",
        "vendor/upstream.yaml",
        "deep/vendor/x/upstream.yaml",
        "README.md",
        ".github/workflows/ci.yml",
    ];
    let mut args = vec!["lint", "--exclude", "vendor"];
    args.extend(files);
    // Without --force-exclude every named file is linted: the test file and the workflow are
    // not policies (H002), so the run exits 2.
    let run = run_with(dir.path(), &args, None, &[]);
    assert_eq!(run.exit, 2, "{run}");
    // With it, only the policy is linted; the excluded folder (at any depth), the non-policy
    // YAML and the Markdown file are left out, and the summary counts the skipped YAML.
    args.insert(1, "--force-exclude");
    args.insert(2, "--verbose");
    let run = run_with(dir.path(), &args, None, &[]);
    assert_eq!(run.exit, 0, "{run}");
    assert_eq!(
        run.stdout, "no problems in 1 file (2 non-policy YAML files skipped)\n",
        "{run}"
    );
    for line in [
        "excluded vendor/upstream.yaml",
        "excluded deep/vendor/x/upstream.yaml",
        "skipped README.md: not a YAML file",
        "skipped policies/tests/routing.yaml: not a policy",
        "skipped .github/workflows/ci.yml: not a policy",
    ] {
        assert!(run.stderr.contains(line), "{line}: {run}");
    }
}

#[test]
fn force_exclude_honours_the_excludes_of_handoff_toml() {
    let dir = folder(&[
        ("handoff.toml", "[lint]\nexclude = [\"drafts/\"]\n"),
        ("policies/support.yaml", &clean_policy()),
        ("policies/drafts/next.yaml", &read(DRAFT)),
    ]);
    let files = ["policies/support.yaml", "policies/drafts/next.yaml"];
    let mut args = vec!["lint"];
    args.extend(files);
    // Run from a sub-folder: the globs are relative to handoff.toml, wherever lint runs.
    let run = run_with(
        &dir.path().join("policies"),
        &["lint", "support.yaml", "drafts/next.yaml"],
        None,
        &[],
    );
    assert_eq!(
        run.exit, 1,
        "named files are linted without the flag: {run}"
    );
    let run = run_with(
        &dir.path().join("policies"),
        &[
            "lint",
            "--force-exclude",
            "support.yaml",
            "drafts/next.yaml",
        ],
        None,
        &[],
    );
    assert_eq!(run.exit, 0, "{run}");
    assert_eq!(run.stdout, "no problems in 1 file\n");
    let run = run_with(dir.path(), &args, None, &[]);
    assert_eq!(run.exit, 1, "{run}");
}

#[test]
fn a_closed_stdout_keeps_the_verdict_in_the_new_formats() {
    for format in [
        &["--format", "junit"][..],
        &["--statistics"],
        &["--format", "sarif"],
    ] {
        let mut args = vec!["lint", DRAFT, "fixtures/lint/h040-fail.yaml", "policies"];
        args.extend(format);
        let mut child = Command::new(env!("CARGO_BIN_EXE_handoff"))
            .args(&args)
            .current_dir(root())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("run handoff");
        // The reader leaves before reading anything.
        drop(child.stdout.take());
        let output = child.wait_with_output().expect("wait");
        assert_eq!(output.status.code(), Some(1), "{format:?}");
    }
    let (dir, _) = failing_test_file();
    let mut child = Command::new(env!("CARGO_BIN_EXE_handoff"))
        .args(["test", "tests/routing.yaml", "--format", "junit"])
        .current_dir(dir.path())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run handoff");
    drop(child.stdout.take());
    let output = child.wait_with_output().expect("wait");
    assert_eq!(output.status.code(), Some(1));
}

#[test]
fn force_exclude_with_nothing_left_passes() {
    // pre-commit on a commit that touches only a workflow: nothing to lint is not a failure.
    let dir = folder(&[("ci.yml", "on: push\n")]);
    let run = run_with(
        dir.path(),
        &["lint", "--force-exclude", "ci.yml"],
        None,
        &[],
    );
    assert_eq!(run.exit, 0, "{run}");
    assert_eq!(
        run.stdout,
        "no problems in 0 files (1 non-policy YAML file skipped)\n"
    );
}

#[test]
fn force_exclude_applies_to_stdin_by_its_name_and_content() {
    let policy = clean_policy();
    let excluded = handoff_stdin(
        &[
            "lint",
            "--force-exclude",
            "--exclude",
            "drafts/",
            "--stdin-filename",
            "drafts/p.yaml",
        ],
        read(DRAFT).as_bytes(),
    );
    assert_eq!(excluded.exit, 0, "{excluded}");
    assert_eq!(excluded.stdout, "no problems in 0 files\n");
    let not_policy = handoff_stdin(&["lint", "--force-exclude", "-"], b"cases: []\n");
    assert_eq!(not_policy.exit, 0, "{not_policy}");
    assert_eq!(
        not_policy.stdout,
        "no problems in 0 files (1 non-policy YAML file skipped)\n"
    );
    let linted = handoff_stdin(&["lint", "--force-exclude", "-"], policy.as_bytes());
    assert_eq!(linted.exit, 0, "{linted}");
    assert_eq!(linted.stdout, "no problems in 1 file\n");
}

// ---------------------------------------------------------------------------------------------
// --statistics and --exit-zero
// ---------------------------------------------------------------------------------------------

#[test]
fn statistics_count_findings_per_rule() {
    let run = handoff(&[
        "lint",
        DRAFT,
        "fixtures/lint/h040-fail.yaml",
        "--statistics",
    ]);
    assert_eq!(run.exit, 1, "{run}");
    assert_eq!(
        run.stdout,
        "2  H040  shadowed-rule      warning\n\
         1  H004  percent-threshold  error\n\
         1  H010  undefined-tier     error\n\
         2 errors, 2 warnings in 2 files\n",
        "{run}"
    );
    let json = handoff(&["lint", DRAFT, "--statistics", "--format", "json"]);
    assert_eq!(json.exit, 1, "{json}");
    let value: serde_json::Value = serde_json::from_str(&json.stdout).expect("JSON");
    assert_eq!(value["summary"]["errors"], 2);
    assert_eq!(
        value["statistics"],
        serde_json::json!([
            { "code": "H004", "name": "percent-threshold", "severity": "error", "count": 1 },
            { "code": "H010", "name": "undefined-tier", "severity": "error", "count": 1 },
            { "code": "H040", "name": "shadowed-rule", "severity": "warning", "count": 1 },
        ])
    );
    let refused = handoff(&["lint", DRAFT, "--statistics", "--format", "sarif"]);
    assert_eq!(refused.exit, 2, "{refused}");
}

#[test]
fn exit_zero_reports_without_failing() {
    let run = handoff(&["lint", DRAFT, "--exit-zero", "--deny", "warnings"]);
    assert_eq!(run.exit, 0, "{run}");
    assert!(
        run.stdout.ends_with("2 errors, 1 warning in 1 file\n"),
        "{run}"
    );
    // A file that cannot become a policy is a finding too (reported in the chosen format).
    let run = handoff(&[
        "lint",
        "fixtures/bad/unknown-field.yaml",
        "--exit-zero",
        "--format",
        "sarif",
    ]);
    assert_eq!(run.exit, 0, "{run}");
    assert!(run.stdout.contains("\"ruleId\": \"H002\""), "{run}");
    // Usage errors and unreadable paths still exit 2.
    let run = handoff(&["lint", "no/such/file.yaml", "--exit-zero"]);
    assert_eq!(run.exit, 2, "{run}");
    let run = handoff(&["lint", DRAFT, "--exit-zero", "--select", "H999"]);
    assert_eq!(run.exit, 2, "{run}");
}

// ---------------------------------------------------------------------------------------------
// SARIF
// ---------------------------------------------------------------------------------------------

fn sarif_validator() -> jsonschema::Validator {
    let schema: serde_json::Value =
        serde_json::from_str(&read("tests/schemas/sarif-schema-2.1.0.json")).expect("schema");
    jsonschema::options()
        .with_draft(jsonschema::Draft::Draft4)
        .should_validate_formats(true)
        .build(&schema)
        .expect("the SARIF schema compiles")
}

fn assert_valid_sarif(
    validator: &jsonschema::Validator,
    text: &str,
    what: &str,
) -> serde_json::Value {
    let value: serde_json::Value = serde_json::from_str(text).expect(what);
    let errors: Vec<String> = validator
        .iter_errors(&value)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{what}: {errors:#?}");
    value
}

#[test]
fn the_schema_check_rejects_invalid_sarif() {
    // The validator must be able to fail: a result without a message, a level that SARIF does
    // not have, and a relative URI where an absolute one is required.
    let validator = sarif_validator();
    let text = handoff(&["lint", DRAFT, "--format", "sarif"]).stdout;
    let good: serde_json::Value = serde_json::from_str(&text).expect("SARIF");
    let mut bad = good.clone();
    bad["runs"][0]["results"][0]
        .as_object_mut()
        .expect("result")
        .remove("message");
    assert!(!validator.is_valid(&bad));
    let mut bad = good.clone();
    bad["runs"][0]["results"][0]["level"] = "fatal".into();
    assert!(!validator.is_valid(&bad));
    let mut bad = good;
    bad["runs"][0]["tool"]["driver"]["informationUri"] = "docs/rules.md".into();
    assert!(!validator.is_valid(&bad));
}

#[test]
fn sarif_validates_against_the_official_schema() {
    let validator = sarif_validator();
    let runs: [&[&str]; 5] = [
        &["lint", DRAFT, "--format", "sarif"],
        &["lint", "policies", "--format", "sarif"],
        &[
            "lint",
            "fixtures/lint/allow-same-line.yaml",
            "--format",
            "sarif",
        ],
        &["lint", "fixtures/lint/h033-fail.yaml", "--format", "sarif"],
        &[
            "lint",
            "fixtures/bad/syntax-error.yaml",
            "--format",
            "sarif",
        ],
    ];
    for args in runs {
        let run = handoff(args);
        assert!(run.exit <= 2, "{args:?}: {run}");
        assert_valid_sarif(&validator, &run.stdout, &format!("{args:?}"));
    }
}

#[test]
fn sarif_links_the_tool_and_every_rule_to_its_documentation() {
    let run = handoff(&["lint", DRAFT, "--format", "sarif"]);
    let value: serde_json::Value = serde_json::from_str(&run.stdout).expect("SARIF");
    let driver = &value["runs"][0]["tool"]["driver"];
    let home = env!("CARGO_PKG_REPOSITORY");
    assert!(
        home.starts_with("https://"),
        "Cargo.toml repository: {home}"
    );
    assert_eq!(driver["informationUri"], home);
    let rules = driver["rules"].as_array().expect("rules");
    let anchors = read("docs/rules.md");
    for rule in rules {
        let id = rule["id"].as_str().expect("id");
        let anchor = id.to_lowercase();
        assert_eq!(
            rule["helpUri"],
            format!("{home}/blob/main/docs/rules.md#{anchor}")
        );
        // The anchor exists: docs/rules.md has a `## H040` heading for every rule.
        assert!(anchors.contains(&format!("\n## {id}\n")), "{id}");
    }
}

#[test]
fn sarif_reports_suppressed_findings_with_their_reason() {
    let validator = sarif_validator();
    let run = handoff(&[
        "lint",
        "fixtures/lint/allow-same-line.yaml",
        "--format",
        "sarif",
    ]);
    assert_eq!(run.exit, 0, "{run}");
    let value = assert_valid_sarif(&validator, &run.stdout, "suppressed");
    let results = value["runs"][0]["results"].as_array().expect("results");
    let suppressed: Vec<&serde_json::Value> = results
        .iter()
        .filter(|r| r.get("suppressions").is_some())
        .collect();
    assert_eq!(suppressed.len(), 1, "{results:#?}");
    assert_eq!(suppressed[0]["ruleId"], "H053");
    assert_eq!(
        suppressed[0]["suppressions"],
        serde_json::json!([{ "kind": "inSource", "justification": "the L2 queue is watched, 30m is fine" }])
    );
    // A suppression without a reason (H091) still silences; SARIF gives no justification.
    let dir = folder(&[(
        "p.yaml",
        &read("fixtures/lint/allow-same-line.yaml")
            .replace(" -- the L2 queue is watched, 30m is fine", ""),
    )]);
    let run = run_with(
        dir.path(),
        &["lint", "p.yaml", "--format", "sarif"],
        None,
        &[],
    );
    assert_eq!(run.exit, 1, "{run}");
    let value = assert_valid_sarif(&validator, &run.stdout, "no reason");
    let results = value["runs"][0]["results"].as_array().expect("results");
    assert!(results.iter().any(|r| r["ruleId"] == "H091"));
    let suppressed: Vec<&serde_json::Value> = results
        .iter()
        .filter(|r| r.get("suppressions").is_some())
        .collect();
    assert_eq!(
        suppressed[0]["suppressions"],
        serde_json::json!([{ "kind": "inSource" }])
    );
}

fn uris(value: &serde_json::Value) -> Vec<(String, Option<String>)> {
    value["runs"][0]["results"]
        .as_array()
        .expect("results")
        .iter()
        .map(|r| {
            let location = &r["locations"][0]["physicalLocation"]["artifactLocation"];
            (
                location["uri"].as_str().expect("uri").to_string(),
                location["uriBaseId"].as_str().map(str::to_string),
            )
        })
        .collect()
}

#[test]
fn sarif_uris_are_percent_encoded_and_relative_to_the_root() {
    let validator = sarif_validator();
    let draft = read(DRAFT);
    let dir = folder(&[
        ("repo/policies/new drafts/Kündigung #1.yaml", &draft),
        ("elsewhere/50%.yaml", &draft),
    ]);
    let repo = dir.path().join("repo");
    let outside = dir.path().join("elsewhere/50%.yaml");
    let outside = outside.to_str().expect("UTF-8 temporary path");
    // From inside the repository: relative to the working folder.
    let run = run_with(
        &repo.join("policies"),
        &[
            "lint",
            "new drafts/Kündigung #1.yaml",
            outside,
            "--format",
            "sarif",
        ],
        None,
        &[],
    );
    assert_eq!(run.exit, 1, "{run}");
    let value = assert_valid_sarif(&validator, &run.stdout, "encoded");
    let found = uris(&value);
    assert_eq!(
        found[0],
        (
            "new%20drafts/K%C3%BCndigung%20%231.yaml".to_string(),
            Some("%SRCROOT%".to_string())
        )
    );
    // A file outside the root has an absolute file URI.
    let last = found.last().expect("a result");
    assert!(last.0.starts_with("file:///"), "{last:?}");
    assert!(last.0.ends_with("/elsewhere/50%25.yaml"), "{last:?}");
    assert_eq!(last.1, None);
    // --sarif-root: relative to the repository root, wherever lint runs.
    let run = run_with(
        &repo.join("policies"),
        &[
            "lint",
            "new drafts/Kündigung #1.yaml",
            "--format",
            "sarif",
            "--sarif-root",
            "..",
        ],
        None,
        &[],
    );
    let value = assert_valid_sarif(&validator, &run.stdout, "root");
    assert_eq!(
        uris(&value)[0].0,
        "policies/new%20drafts/K%C3%BCndigung%20%231.yaml"
    );
    // An absolute path inside the root is relative too.
    let absolute = repo.join("policies/new drafts/Kündigung #1.yaml");
    let run = run_with(
        &repo,
        &[
            "lint",
            absolute.to_str().expect("UTF-8"),
            "--format",
            "sarif",
        ],
        None,
        &[],
    );
    let value = assert_valid_sarif(&validator, &run.stdout, "absolute");
    assert_eq!(
        uris(&value)[0].0,
        "policies/new%20drafts/K%C3%BCndigung%20%231.yaml"
    );
}

// ---------------------------------------------------------------------------------------------
// JUnit
// ---------------------------------------------------------------------------------------------

/// A parsed JUnit document: per suite, its attributes and its cases (name, classname, outcome
/// element, its message and text).
#[derive(Debug, Default)]
struct JunitSuite {
    attributes: std::collections::BTreeMap<String, String>,
    cases: Vec<JunitCase>,
    system_out: String,
}

#[derive(Debug, Default, Clone)]
struct JunitCase {
    name: String,
    classname: String,
    outcome: Option<String>,
    message: String,
    kind: String,
    text: String,
}

fn parse_junit(xml: &str) -> Vec<JunitSuite> {
    use quick_xml::events::Event;
    let mut reader = quick_xml::Reader::from_str(xml);
    let mut suites: Vec<JunitSuite> = Vec::new();
    let mut stack: Vec<String> = Vec::new();
    let attributes = |e: &quick_xml::events::BytesStart<'_>| {
        e.attributes()
            .map(|a| {
                let a = a.expect("attribute");
                (
                    a.key.as_ref().to_string(),
                    a.normalized_value(quick_xml::XmlVersion::Implicit1_0)
                        .expect("value")
                        .into_owned(),
                )
            })
            .collect::<std::collections::BTreeMap<String, String>>()
    };
    loop {
        let event = reader.read_event().expect("well-formed XML");
        let (start, empty) = match &event {
            Event::Start(e) => (Some(e.clone()), false),
            Event::Empty(e) => (Some(e.clone()), true),
            _ => (None, false),
        };
        if let Some(e) = start {
            let name = e.name().as_ref().to_string();
            let attrs = attributes(&e);
            match name.as_str() {
                "testsuite" => suites.push(JunitSuite {
                    attributes: attrs,
                    ..JunitSuite::default()
                }),
                "testcase" => suites.last_mut().expect("suite").cases.push(JunitCase {
                    name: attrs["name"].clone(),
                    classname: attrs["classname"].clone(),
                    ..JunitCase::default()
                }),
                "failure" | "error" | "skipped" => {
                    let case = suites
                        .last_mut()
                        .and_then(|s| s.cases.last_mut())
                        .expect("case");
                    assert!(case.outcome.is_none(), "one outcome per case");
                    case.outcome = Some(name.clone());
                    case.message = attrs.get("message").cloned().unwrap_or_default();
                    case.kind = attrs.get("type").cloned().unwrap_or_default();
                }
                _ => {}
            }
            if !empty {
                stack.push(name);
            }
            continue;
        }
        match event {
            Event::End(_) => {
                stack.pop();
            }
            Event::Text(t) => {
                let text = t.xml10_content().into_owned();
                match stack.last().map(String::as_str) {
                    Some("failure" | "error") => {
                        let case = suites
                            .last_mut()
                            .and_then(|s| s.cases.last_mut())
                            .expect("case");
                        case.text.push_str(&text);
                    }
                    Some("system-out") => {
                        suites.last_mut().expect("suite").system_out.push_str(&text)
                    }
                    _ => {}
                }
            }
            Event::GeneralRef(r) => {
                // Entity references in text (&lt; …) arrive on their own.
                let resolved = match r.xml10_content().as_ref() {
                    _ if r.is_char_ref() => r
                        .resolve_char_ref()
                        .expect("character reference")
                        .map(String::from)
                        .unwrap_or_default(),
                    "lt" => "<".to_string(),
                    "gt" => ">".to_string(),
                    "amp" => "&".to_string(),
                    "quot" => "\"".to_string(),
                    "apos" => "'".to_string(),
                    other => panic!("unexpected reference &{other};"),
                };
                if let Some("failure" | "error") = stack.last().map(String::as_str) {
                    let case = suites
                        .last_mut()
                        .and_then(|s| s.cases.last_mut())
                        .expect("case");
                    case.text.push_str(&resolved);
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    assert!(stack.is_empty(), "unclosed elements: {stack:?}");
    suites
}

#[test]
fn lint_junit_has_a_case_per_file_with_failures_located() {
    let run = handoff(&[
        "lint",
        DRAFT,
        "fixtures/bad/unknown-field.yaml",
        "fixtures/lint/h040-fail.yaml",
        "policies",
        "--format",
        "junit",
    ]);
    assert_eq!(run.exit, 2, "{run}");
    assert!(
        run.stdout
            .starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites>\n"),
        "{run}"
    );
    let suites = parse_junit(&run.stdout);
    assert_eq!(suites.len(), 1);
    let suite = &suites[0];
    for (name, value) in [
        ("name", "handoff lint"),
        ("tests", "8"),
        ("failures", "1"),
        ("errors", "1"),
        ("skipped", "3"),
    ] {
        assert_eq!(suite.attributes[name], value, "{name}: {suite:#?}");
    }
    let outcome = |name: &str| -> JunitCase {
        suite
            .cases
            .iter()
            .find(|c| c.name == name)
            .cloned()
            .unwrap_or_else(|| panic!("no case {name}: {suite:#?}"))
    };
    let draft = outcome(DRAFT);
    assert_eq!(draft.classname, "handoff.lint");
    assert_eq!(draft.outcome.as_deref(), Some("failure"));
    assert_eq!(draft.kind, "H004");
    assert_eq!(
        draft.message,
        "2 errors; first: fixtures/tour/draft.yaml:30:34: error[H004] confidence threshold `80` looks like a percent"
    );
    assert!(
        draft.text.contains(
            "fixtures/tour/draft.yaml:40:12: error[H010] rule 'legal' routes to undefined tier 'L3'\n    help: defined tiers: L1, L2, ai"
        ),
        "{draft:#?}"
    );
    let broken = outcome("fixtures/bad/unknown-field.yaml");
    assert_eq!(broken.outcome.as_deref(), Some("error"));
    assert_eq!(broken.kind, "H002");
    // Warnings do not fail a case unless --deny warnings; they are listed in system-out.
    let warned = outcome("fixtures/lint/h040-fail.yaml");
    assert_eq!(warned.outcome, None);
    assert!(suite.system_out.contains("warning[H040]"), "{suite:#?}");
    assert_eq!(outcome("policies/support.yaml").outcome, None);
    let skipped = outcome("policies/tests/support.yaml");
    assert_eq!(skipped.outcome.as_deref(), Some("skipped"));

    let denied = handoff(&[
        "lint",
        "fixtures/lint/h040-fail.yaml",
        "--format",
        "junit",
        "--deny",
        "warnings",
    ]);
    assert_eq!(denied.exit, 1, "{denied}");
    let suites = parse_junit(&denied.stdout);
    assert_eq!(suites[0].cases[0].outcome.as_deref(), Some("failure"));
    assert!(
        suites[0].cases[0]
            .message
            .starts_with("0 errors, 1 warning; first: "),
        "{suites:#?}"
    );
}

#[test]
fn junit_escapes_what_xml_cannot_hold() {
    // A rule id with markup and a control character in a keyword reach the messages.
    let policy = clean_policy().replace("id: legal-risk", "id: \"legal <&> \\\"risk\\\"\"");
    let dir = folder(&[("p.yaml", &policy), ("q.yaml", "rules: [\"\u{7}\"]\n")]);
    let run = run_with(
        dir.path(),
        &["lint", "p.yaml", "q.yaml", "--format", "junit"],
        None,
        &[],
    );
    assert!(run.exit >= 1, "{run}");
    let suites = parse_junit(&run.stdout);
    assert_eq!(suites[0].cases.len(), 2, "{run}");
}

/// A policy test file with one passing and one failing case, against the bundled policy.
fn failing_test_file() -> (tempfile::TempDir, PathBuf) {
    let policy = root().join("policies/support.yaml");
    let text = format!(
        "policy: {}\ncases:\n  - name: asks for a person\n    ticket: {{ requested_human: true, confidence: 0.95 }}\n    expect: {{ tier: L1 }}\n  - name: legal goes to L2 (wrong on purpose)\n    ticket: {{ text: \"my lawyer will call\", confidence: 0.95 }}\n    expect: {{ tier: L2, priority: urgent }}\n",
        policy.display()
    );
    let dir = folder(&[("tests/routing.yaml", &text)]);
    let path = dir.path().join("tests/routing.yaml");
    (dir, path)
}

#[test]
fn test_junit_has_a_case_per_case_with_its_mismatch_and_place() {
    let (dir, path) = failing_test_file();
    let run = run_with(
        dir.path(),
        &["test", "tests/routing.yaml", "--format", "junit"],
        None,
        &[],
    );
    assert_eq!(run.exit, 1, "{run}");
    let suites = parse_junit(&run.stdout);
    assert_eq!(suites.len(), 1, "{run}");
    let suite = &suites[0];
    assert_eq!(suite.attributes["name"], "tests/routing.yaml");
    assert_eq!(suite.attributes["tests"], "2");
    assert_eq!(suite.attributes["failures"], "1");
    assert_eq!(suite.cases[0].name, "asks for a person");
    assert_eq!(suite.cases[0].classname, "tests.routing");
    assert_eq!(suite.cases[0].outcome, None);
    let failed = &suite.cases[1];
    assert_eq!(failed.outcome.as_deref(), Some("failure"));
    assert_eq!(failed.kind, "mismatch");
    assert_eq!(
        failed.message,
        "tier: expected L2, got L3 (tests/routing.yaml:6)"
    );
    assert!(
        failed
            .text
            .starts_with("tests/routing.yaml:6: case 'legal goes to L2 (wrong on purpose)'\ntier: expected L2, got L3\n| "),
        "{failed:#?}"
    );
    // Several files: one suite each, numbered.
    let run = run_with(
        dir.path(),
        &[
            "test",
            path.to_str().expect("UTF-8"),
            root()
                .join("policies/tests/support.yaml")
                .to_str()
                .expect("UTF-8"),
            "--format",
            "junit",
        ],
        None,
        &[],
    );
    assert_eq!(run.exit, 1, "{run}");
    let suites = parse_junit(&run.stdout);
    assert_eq!(suites.len(), 2);
    assert_eq!(suites[1].attributes["id"], "1");
    assert_eq!(suites[1].attributes["failures"], "0");
    // --format belongs to running tests, not to --record.
    let run = handoff(&[
        "test",
        "--record",
        "--policy",
        "policies/support.yaml",
        "--tickets",
        "examples/support-tickets.csv",
        "--format",
        "junit",
    ]);
    assert_eq!(run.exit, 2, "{run}");
}

// ---------------------------------------------------------------------------------------------
// Colour
// ---------------------------------------------------------------------------------------------

fn coloured(run: &Run) -> bool {
    run.stdout.contains('\u{1b}')
}

#[test]
fn colour_follows_the_flag_and_the_conventions() {
    let args = ["lint", DRAFT];
    type Case<'a> = (&'a [&'a str], &'a [(&'a str, &'a str)], bool);
    let cases: [Case; 10] = [
        (&[], &[], false),
        (&[], &[("FORCE_COLOR", "1")], true),
        (&[], &[("FORCE_COLOR", "0")], false),
        (&[], &[("FORCE_COLOR", "")], false),
        (&[], &[("CLICOLOR_FORCE", "1")], true),
        (&[], &[("NO_COLOR", "1"), ("FORCE_COLOR", "1")], false),
        // An empty NO_COLOR is ignored (no-color.org).
        (&[], &[("NO_COLOR", ""), ("FORCE_COLOR", "1")], true),
        (&["--color", "never"], &[("FORCE_COLOR", "1")], false),
        (&["--color", "always"], &[("NO_COLOR", "1")], true),
        (&["--color=always"], &[], true),
    ];
    for (flags, env, expected) in cases {
        let mut all = args.to_vec();
        all.extend(flags);
        let run = run_with(root(), &all, None, env);
        assert_eq!(run.exit, 1, "{flags:?} {env:?}: {run}");
        assert_eq!(coloured(&run), expected, "{flags:?} {env:?}: {run}");
    }
    // The machine formats never colour.
    let run = run_with(
        root(),
        &["lint", DRAFT, "--format", "github", "--color", "always"],
        None,
        &[],
    );
    assert!(!coloured(&run), "{run}");
}

#[test]
fn colour_reaches_a_refused_policy_on_stderr_and_every_verb_takes_the_flag() {
    for verb in [
        vec![
            "replay",
            "--policy",
            DRAFT,
            "--tickets",
            "examples/support-tickets.csv",
        ],
        vec!["explain", "--policy", DRAFT, "--ticket", "confidence=0.5"],
    ] {
        let mut args = verb.clone();
        args.extend(["--color", "always"]);
        let run = run_with(root(), &args, None, &[]);
        assert_eq!(run.exit, 2, "{run}");
        assert!(run.stderr.contains('\u{1b}'), "{args:?}: {run}");
        let mut args = verb;
        args.extend(["--color", "never"]);
        let run = run_with(root(), &args, None, &[("FORCE_COLOR", "1")]);
        assert_eq!(run.exit, 2, "{run}");
        assert!(!run.stderr.contains('\u{1b}'), "{args:?}: {run}");
        assert!(run.stderr.contains("error[H004]"), "{args:?}: {run}");
    }
    for args in [
        &["gen", "--rows", "1", "--color", "never"][..],
        &["rules", "H004", "--color", "auto"],
        &["schema", "--color", "never"],
        &["man", "--color", "never"],
    ] {
        let run = handoff(args);
        assert_eq!(run.exit, 0, "{args:?}: {run}");
    }
}

/// Run `handoff` under a pseudo-terminal (util-linux `script`), where `auto` colour applies.
fn on_a_terminal(env: &[(&str, &str)]) -> Option<String> {
    let script = Command::new("script").arg("--version").output().ok()?;
    if !script.status.success() {
        return None;
    }
    let command = format!("{} lint {DRAFT}", env!("CARGO_BIN_EXE_handoff"));
    let mut run = Command::new("script");
    run.args(["-qec", &command, "/dev/null"])
        .current_dir(root())
        .stdin(Stdio::null());
    for name in COLOR_VARIABLES {
        run.env_remove(name);
    }
    for (name, value) in env {
        run.env(name, value);
    }
    let output = run.output().ok()?;
    Some(String::from_utf8_lossy(&output.stdout).into_owned())
}

#[test]
fn on_a_terminal_an_empty_no_color_is_ignored() {
    let Some(plain) = on_a_terminal(&[]) else {
        eprintln!("`script` is not installed: terminal colour not checked");
        return;
    };
    assert!(plain.contains('\u{1b}'), "a terminal gets colour: {plain}");
    let empty = on_a_terminal(&[("NO_COLOR", "")]).expect("script");
    assert!(
        empty.contains('\u{1b}'),
        "an empty NO_COLOR is ignored: {empty}"
    );
    let set = on_a_terminal(&[("NO_COLOR", "1")]).expect("script");
    assert!(!set.contains('\u{1b}'), "NO_COLOR=1: {set}");
    let clicolor = on_a_terminal(&[("CLICOLOR", "0")]).expect("script");
    assert!(!clicolor.contains('\u{1b}'), "CLICOLOR=0: {clicolor}");
}

// ---------------------------------------------------------------------------------------------
// Completions and the man page
// ---------------------------------------------------------------------------------------------

fn verbs() -> Vec<String> {
    handoff::cli::command()
        .get_subcommands()
        .map(|c| c.get_name().to_string())
        .collect()
}

#[test]
fn completions_for_every_shell() {
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let run = handoff(&["completions", shell]);
        assert_eq!(run.exit, 0, "{shell}: {run}");
        for word in ["lint", "replay", "completions", "stdin-filename"] {
            assert!(run.stdout.contains(word), "{shell} lacks {word}");
        }
    }
    let run = handoff(&["completions", "tcsh"]);
    assert_eq!(run.exit, 2, "{run}");
    // The bash script is valid bash (and so is zsh's, where zsh is installed).
    for (shell, interpreter) in [("bash", "bash"), ("zsh", "zsh"), ("fish", "fish")] {
        let Ok(status) = Command::new(interpreter).arg("--version").output() else {
            continue;
        };
        if !status.status.success() {
            continue;
        }
        let script = handoff(&["completions", shell]).stdout;
        let dir = folder(&[("script", &script)]);
        let check = Command::new(interpreter)
            .arg("-n")
            .arg(dir.path().join("script"))
            .output()
            .expect("run the shell");
        assert!(
            check.status.success(),
            "{shell}: {}",
            String::from_utf8_lossy(&check.stderr)
        );
    }
}

#[test]
fn the_man_page_describes_every_verb() {
    let run = handoff(&["man"]);
    assert_eq!(run.exit, 0, "{run}");
    let page = &run.stdout;
    assert!(page.contains("\n.TH handoff 1 "), "{page}");
    // One preamble (clap_mangen writes one per section rendered).
    assert_eq!(page.matches(".ds Aq \\(aq").count(), 1, "{page}");
    for verb in verbs() {
        assert!(
            page.contains(&format!(".SS \"handoff {verb}\"\n")),
            "no section for {verb}"
        );
    }
    for option in [
        "\\-\\-stdin\\-filename",
        "\\-\\-force\\-exclude",
        "\\-\\-statistics",
        "\\-\\-exit\\-zero",
        "\\-\\-sarif\\-root",
        "FORCE_COLOR",
        "EXIT STATUS",
    ] {
        assert!(page.contains(option), "no {option}");
    }
    // groff, where installed, reads it without a warning.
    let Ok(mut groff) = Command::new("groff")
        .args(["-man", "-Tutf8", "-ww", "-z"])
        .stdin(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
    else {
        eprintln!("groff is not installed: the page was not rendered");
        return;
    };
    groff
        .stdin
        .take()
        .expect("stdin")
        .write_all(page.as_bytes())
        .expect("write to groff");
    let output = groff.wait_with_output().expect("groff");
    assert!(output.status.success());
    assert_eq!(String::from_utf8_lossy(&output.stderr), "");
}

// ---------------------------------------------------------------------------------------------
// pre-commit, the GitHub Action, the README
// ---------------------------------------------------------------------------------------------

fn yaml(path: &str) -> serde_json::Value {
    serde_saphyr::from_str(&read(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// Split an `entry` as pre-commit does (shell-like words; ours have no quotes).
fn words(text: &str) -> Vec<String> {
    text.split_whitespace().map(str::to_string).collect()
}

#[test]
fn pre_commit_hooks_run_as_pre_commit_runs_them() {
    let hooks = yaml(".pre-commit-hooks.yaml");
    let hooks = hooks.as_array().expect("a list of hooks");
    let find = |id: &str| {
        hooks
            .iter()
            .find(|h| h["id"] == id)
            .unwrap_or_else(|| panic!("no hook {id}"))
            .clone()
    };
    for hook in hooks {
        for key in ["id", "name", "entry", "language"] {
            assert!(hook[key].is_string(), "{key}: {hook}");
        }
        assert_eq!(hook["language"], "rust", "{hook}");
    }
    let lint = find("handoff-lint");
    let files = regex::Regex::new(lint["files"].as_str().expect("files")).expect("regex");
    assert!(files.is_match("policies/support.yaml"));
    assert!(files.is_match("a/b.yml"));
    assert!(!files.is_match("README.md"));
    let mut argv = words(lint["entry"].as_str().expect("entry"));
    assert_eq!(argv[0], "handoff");
    for arg in lint["args"].as_array().into_iter().flatten() {
        argv.push(arg.as_str().expect("arg").to_string());
    }
    assert!(argv.contains(&"--force-exclude".to_string()), "{argv:?}");
    // pre-commit passes every changed YAML file: the policy is linted, the test file skipped.
    let mut clean = argv[1..].to_vec();
    clean.extend([
        "policies/support.yaml".into(),
        "policies/tests/support.yaml".into(),
    ]);
    let clean: Vec<&str> = clean.iter().map(String::as_str).collect();
    let run = handoff(&clean);
    assert_eq!(run.exit, 0, "{run}");
    assert_eq!(
        run.stdout,
        "no problems in 1 file (1 non-policy YAML file skipped)\n"
    );
    let mut bad = argv[1..].to_vec();
    bad.push(DRAFT.into());
    let bad: Vec<&str> = bad.iter().map(String::as_str).collect();
    assert_eq!(handoff(&bad).exit, 1);

    let test = find("handoff-test");
    assert_eq!(test["pass_filenames"], false, "{test}");
    let mut argv = words(test["entry"].as_str().expect("entry"));
    assert_eq!(argv[..2], ["handoff".to_string(), "test".to_string()]);
    argv.push("policies/tests/support.yaml".into());
    let argv: Vec<&str> = argv.iter().skip(1).map(String::as_str).collect();
    let run = handoff(&argv);
    assert_eq!(run.exit, 0, "{run}");
}

#[test]
fn the_action_is_a_composite_action_that_annotates_with_github_format() {
    let action = yaml("action.yml");
    for key in ["name", "description"] {
        assert!(action[key].is_string(), "{key}");
    }
    let inputs = action["inputs"].as_object().expect("inputs");
    for (name, input) in inputs {
        assert!(input["description"].is_string(), "input {name}");
    }
    assert_eq!(inputs["paths"]["default"], ".");
    assert!(inputs.contains_key("args"));
    assert!(inputs.contains_key("ref"));
    let runs = &action["runs"];
    assert_eq!(runs["using"], "composite");
    let steps = runs["steps"].as_array().expect("steps");
    let mut text = String::new();
    for step in steps {
        // A composite action's `run` step must name its shell.
        if step.get("run").is_some() {
            assert!(step["shell"].is_string(), "{step}");
        }
        text.push_str(&step.to_string());
        text.push('\n');
    }
    assert!(text.contains("actions/cache@"), "the install is cached");
    assert!(
        text.contains("cargo install --locked --path \\\"$GITHUB_ACTION_PATH\\\""),
        "installs the action's own checkout: {text}"
    );
    assert!(text.contains("handoff lint --format github"), "{text}");
    // Inputs reach the shell through the environment, never pasted into the script.
    for step in steps {
        if let Some(script) = step["run"].as_str() {
            assert!(!script.contains("${{"), "expression in a script: {script}");
        }
    }
    // Every `inputs.X` used is declared.
    let used = regex::Regex::new(r"inputs\.([a-z_-]+)").expect("regex");
    for found in used.captures_iter(&text) {
        assert!(
            inputs.contains_key(&found[1]),
            "undeclared input {}",
            &found[1]
        );
    }
}

/// The fenced blocks of a README section, with their info strings.
fn blocks(section: &str) -> Vec<(String, String)> {
    let mut found = Vec::new();
    let mut lines = section.lines();
    while let Some(line) = lines.next() {
        if let Some(info) = line.strip_prefix("```") {
            let mut body = String::new();
            for inner in lines.by_ref() {
                if inner.starts_with("```") {
                    break;
                }
                body.push_str(inner);
                body.push('\n');
            }
            found.push((info.to_string(), body));
        }
    }
    found
}

#[test]
fn the_readme_shows_ci_and_editor_snippets_that_match_the_files() {
    let readme = read("README.md");
    let start = readme
        .find("\n## In CI and editors\n")
        .expect("a section \"In CI and editors\"");
    let section = &readme[start + 1..];
    let section = &section[..section[3..].find("\n## ").map_or(section.len(), |i| i + 3)];
    for topic in [
        "GitHub Actions",
        "GitLab CI",
        "pre-commit",
        "VS Code",
        "yaml-language-server",
        "handoff completions",
        "handoff man",
    ] {
        assert!(section.contains(topic), "the section lacks {topic}");
    }
    let yaml_blocks: Vec<serde_json::Value> = blocks(section)
        .into_iter()
        .filter(|(info, _)| info == "yaml")
        .map(|(_, body)| serde_saphyr::from_str(&body).unwrap_or_else(|e| panic!("{e}:\n{body}")))
        .collect();
    // Every mapping in the snippets, depth first.
    fn mappings<'a>(
        value: &'a serde_json::Value,
        out: &mut Vec<&'a serde_json::Map<String, serde_json::Value>>,
    ) {
        match value {
            serde_json::Value::Object(map) => {
                out.push(map);
                map.values().for_each(|v| mappings(v, out));
            }
            serde_json::Value::Array(items) => items.iter().for_each(|v| mappings(v, out)),
            _ => {}
        }
    }
    let mut all = Vec::new();
    for block in &yaml_blocks {
        mappings(block, &mut all);
    }
    // The pre-commit snippet names hooks that exist.
    let hooks = yaml(".pre-commit-hooks.yaml");
    let hook_ids: Vec<&str> = hooks
        .as_array()
        .expect("hooks")
        .iter()
        .filter_map(|h| h["id"].as_str())
        .collect();
    let used: Vec<&str> = all
        .iter()
        .filter_map(|m| m.get("id").and_then(|v| v.as_str()))
        .filter(|id| id.starts_with("handoff-"))
        .collect();
    assert_eq!(used, hook_ids, "the pre-commit snippet uses every hook");
    // The workflow passes only inputs that action.yml declares.
    let action = yaml("action.yml");
    let steps: Vec<_> = all
        .iter()
        .filter(|m| {
            m.get("uses")
                .and_then(|v| v.as_str())
                .is_some_and(|u| u.contains("/handoff@"))
        })
        .collect();
    assert_eq!(steps.len(), 1, "one step uses the action");
    for key in steps[0]["with"].as_object().expect("with").keys() {
        assert!(
            action["inputs"].get(key).is_some(),
            "the workflow passes `{key}`, which action.yml does not declare"
        );
    }
    // GitLab gets JUnit reports of lint and of the tests.
    let text = serde_json::Value::Array(yaml_blocks).to_string();
    assert!(
        text.contains("handoff lint policies/ --format junit"),
        "{text}"
    );
    assert!(text.contains("--format junit > tests.xml"), "{text}");
    assert!(
        text.contains("\"junit\":[\"lint.xml\",\"tests.xml\"]"),
        "{text}"
    );
}
