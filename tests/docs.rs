//! Generated documents must not drift from their source, and what `handoff init` writes must
//! lint clean. Regenerate the documents with `HANDOFF_BLESS=1 cargo test --test docs`.

use std::path::{Path, PathBuf};
use std::process::Command;

use handoff::config::LintConfig;
use handoff::diag::registry::rules_markdown;
use handoff::lint::lint_policy;
use handoff::policy::load::load_bytes;
use handoff::policy::schema::policy_schema_json;

fn check_generated(relative: &str, expected: &str) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(relative);
    if std::env::var_os("HANDOFF_BLESS").is_some() {
        std::fs::write(&path, expected).unwrap();
        return;
    }
    let actual = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        actual == expected,
        "{relative} is out of date; run `HANDOFF_BLESS=1 cargo test --test docs` and commit it"
    );
}

#[test]
fn rules_reference_matches_the_registry() {
    check_generated("docs/rules.md", &rules_markdown());
}

#[test]
fn json_schema_matches_the_model() {
    check_generated("docs/policy.schema.json", &policy_schema_json());
}

#[test]
fn starter_policy_lints_clean() {
    let loaded = load_bytes(
        PathBuf::from("policy.yaml"),
        handoff::cmd::init::STARTER_POLICY.as_bytes().to_vec(),
    )
    .expect("the starter policy loads");
    let report = lint_policy(&loaded, &LintConfig::default());
    assert_eq!(report.diagnostics, vec![]);
}

#[test]
fn init_writes_once_and_never_overwrites() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("policy.yaml");
    let run = || {
        Command::new(env!("CARGO_BIN_EXE_handoff"))
            .arg("init")
            .arg(&path)
            .output()
            .unwrap()
    };
    let first = run();
    assert_eq!(first.status.code(), Some(0));
    assert_eq!(
        std::fs::read_to_string(&path).unwrap(),
        handoff::cmd::init::STARTER_POLICY
    );

    std::fs::write(&path, "mine\n").unwrap();
    let second = run();
    assert_eq!(second.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&second.stderr);
    assert!(stderr.contains("already exists"), "{stderr}");
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "mine\n");
}

#[test]
fn a_ten_megabyte_policy_is_refused_with_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("huge.yaml");
    let mut text = String::from("version: 1\nrules:\n");
    while text.len() < 10 * 1024 * 1024 {
        text.push_str("  - { id: r, when: { requested_human: true }, route: L1 }\n");
    }
    std::fs::write(&path, text).unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_handoff"))
        .args(["lint", "--color", "never"])
        .arg(&path)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        stdout.starts_with(
            "error[H001]: policy file is 10.0 MiB; handoff reads policies up to 4 MiB"
        ),
        "{stdout}"
    );
}
