//! Large and hostile inputs generated here (never committed): each must end with a clear
//! outcome and no panic. The time limits are hang guards, not performance claims.

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

const HANG_GUARD: Duration = Duration::from_secs(120);

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn handoff() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_handoff"));
    command.current_dir(root());
    command
}

/// Wait for a child, killing it if it runs past the hang guard.
fn finish(mut child: Child) -> Output {
    let started = Instant::now();
    loop {
        if child.try_wait().expect("child status").is_some() {
            return child.wait_with_output().expect("child output");
        }
        if started.elapsed() > HANG_GUARD {
            let _ = child.kill();
            panic!("handoff ran longer than {HANG_GUARD:?}: a hang");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn run(args: &[&str]) -> Output {
    let child = handoff()
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn handoff");
    finish(child)
}

fn base_policy() -> String {
    let text = std::fs::read_to_string(root().join("fixtures/lint/h033-pass.yaml")).unwrap();
    text.split("rules:").next().unwrap().to_string()
}

fn write(dir: &Path, name: &str, text: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path.to_string_lossy().into_owned()
}

#[test]
fn a_hundred_thousand_rules_are_refused_by_size() {
    let dir = tempfile::tempdir().unwrap();
    let mut text = base_policy();
    text.push_str("rules:\n");
    for i in 0..100_000 {
        text.push_str(&format!(
            "  - {{id: r{i}, when: {{confidence: {{below: 0.5}}}}, route: L1}}\n"
        ));
    }
    let path = write(dir.path(), "huge.yaml", &text);
    let out = run(&["lint", &path, "--color", "never"]);
    assert_eq!(out.status.code(), Some(2));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("error[H001]: policy file is"), "{stdout}");
    assert!(
        stdout.contains("handoff reads policies up to 4 MiB"),
        "{stdout}"
    );
}

#[test]
fn fifty_thousand_keyword_rules_lint() {
    let dir = tempfile::tempdir().unwrap();
    let mut text = base_policy();
    text.push_str("rules:\n  - { id: asks, kind: reactive, when: { requested_human: true }, route: L1, continue: true }\n");
    for i in 0..50_000 {
        text.push_str(&format!(
            "  - {{id: r{i}, when: {{keywords: {{any: [w{i}x]}}}}, route: L1}}\n"
        ));
    }
    text.push_str("default: ai\n");
    let path = write(dir.path(), "many.yaml", &text);
    let out = run(&["lint", &path, "--color", "never"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}");
    // The base policy's L3 is unreachable here (H032). The shadow check runs out of its work
    // budget long before the last of 50,000 rules, and says so (H049, info) instead of
    // staying silent.
    assert!(
        stdout.contains("info[H049]: stopped checking for shadowed rules (H040) at rule"),
        "{stdout}"
    );
    assert!(
        stdout.ends_with("0 errors, 1 warning, 1 info in 1 file\n"),
        "{stdout}"
    );
}

#[test]
fn a_one_megabyte_keyword_list_lints_and_replays() {
    let dir = tempfile::tempdir().unwrap();
    let mut text = base_policy();
    let words: Vec<String> = (0..120_000).map(|i| format!("k{i:06}")).collect();
    let list = words.join(", ");
    assert!(list.len() > 1_000_000);
    text.push_str(&format!(
        "rules:\n  - {{ id: asks, kind: reactive, when: {{ requested_human: true }}, route: L1, continue: true }}\n  - {{ id: many-words, when: {{ keywords: {{ any: [{list}] }} }}, route: L2 }}\ndefault: ai\n"
    ));
    let policy = write(dir.path(), "words.yaml", &text);
    let out = run(&["lint", &policy, "--color", "never"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let tickets = write(
        dir.path(),
        "t.csv",
        "id,text,requested_human\nA,nothing here,false\nB,see k109999 please,false\n",
    );
    let out = run(&[
        "replay",
        "--policy",
        &policy,
        "--tickets",
        &tickets,
        "--format",
        "json",
    ]);
    assert_eq!(out.status.code(), Some(0));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["report"]["escalation_by_tier"]["L2"]["numerator"], 1);
}

#[test]
fn a_ten_megabyte_field_is_read() {
    let dir = tempfile::tempdir().unwrap();
    let policy = root().join("fixtures/bad/tickets/policy.yaml");
    let mut csv = String::from("id,text,confidence\nBIG,\"");
    csv.push_str(&"lorem ipsum ".repeat(900_000));
    csv.push_str("lawsuit\",0.9\nSMALL,hello,0.9\n");
    assert!(csv.len() > 10_000_000);
    let tickets = write(dir.path(), "big.csv", &csv);
    let out = run(&[
        "replay",
        "--policy",
        policy.to_str().unwrap(),
        "--tickets",
        &tickets,
        "--format",
        "json",
    ]);
    assert_eq!(out.status.code(), Some(0));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["input"]["decided"], 2);
    // The keyword at the very end of the 10 MB field is found.
    assert_eq!(
        report["report"]["escalation_by_rule"]["legal-risk"]["numerator"],
        1
    );
}

#[test]
fn a_full_disk_is_an_error_not_a_panic() {
    if !Path::new("/dev/full").exists() {
        return;
    }
    let full = std::fs::OpenOptions::new()
        .write(true)
        .open("/dev/full")
        .unwrap();
    let child = handoff()
        .args([
            "replay",
            "--policy",
            "policies/support.yaml",
            "--tickets",
            "examples/support-tickets.csv",
        ])
        .stdout(full)
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let out = finish(child);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.starts_with("error: cannot write the report"),
        "{stderr}"
    );
}

#[test]
fn a_failed_output_file_leaves_nothing_behind() {
    let dir = tempfile::tempdir().unwrap();
    // The report cannot be written into a directory that does not exist: nothing is created
    // anywhere, and the exit code is 2.
    let target = dir.path().join("missing-dir/report.json");
    let out = run(&[
        "replay",
        "--policy",
        "policies/support.yaml",
        "--tickets",
        "examples/support-tickets.csv",
        "--output",
        target.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(!target.exists());
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
}

#[test]
fn a_closed_pipe_ends_quietly() {
    let mut child = handoff()
        .args(["gen", "--rows", "200000", "--seed", "1"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let mut first = String::new();
    BufReader::new(stdout).read_line(&mut first).unwrap();
    assert!(first.starts_with("id,created_at"));
    // Dropping the reader closes the pipe, as `| head -1` does.
    let out = finish(child);
    assert_eq!(String::from_utf8_lossy(&out.stderr), "");
    assert_eq!(out.status.code(), Some(0));
    let _ = std::io::stdout().flush();
}
