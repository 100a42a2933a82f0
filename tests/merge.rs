//! Partials and merge (issue 12, DESIGN §8): example ids and worst breaches chosen by an order
//! that does not depend on input order or thread count; `handoff replay --partial-out`; and
//! `handoff merge`, which prints the report one replay of all the parts would print.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const AS_OF: &str = "2026-04-01T00:00:00Z";
const FORMATS: [&str; 4] = ["table", "markdown", "csv", "json"];

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn handoff(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_handoff"))
        .args(args)
        .current_dir(root())
        .env("NO_COLOR", "1")
        .output()
        .expect("run handoff")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Run and insist on exit 0; stdout.
fn ok(args: &[&str]) -> Vec<u8> {
    let out = handoff(args);
    assert_eq!(
        out.status.code(),
        Some(0),
        "handoff {args:?}\nstderr: {}",
        text(&out.stderr)
    );
    out.stdout
}

fn path(p: &Path) -> &str {
    p.to_str().expect("UTF-8 temporary path")
}

/// `handoff gen --rows N --seed S` into `dir`.
fn generated(dir: &Path, rows: u32, seed: u32) -> PathBuf {
    let file = dir.join(format!("gen-{rows}-{seed}.csv"));
    let rows = rows.to_string();
    let seed = seed.to_string();
    let out = ok(&["gen", "--rows", &rows, "--seed", &seed]);
    std::fs::write(&file, out).unwrap();
    file
}

/// The header and the records of a CSV file, each record as written back.
fn records(file: &Path) -> (Vec<u8>, Vec<Vec<u8>>) {
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .from_path(file)
        .unwrap();
    let header = write_records(&[reader.byte_headers().unwrap().clone()]);
    let rows = reader
        .byte_records()
        .map(|r| write_records(&[r.unwrap()]))
        .collect();
    (header, rows)
}

fn write_records(records: &[csv::ByteRecord]) -> Vec<u8> {
    let mut writer = csv::WriterBuilder::new()
        .flexible(true)
        .from_writer(Vec::new());
    for record in records {
        writer.write_byte_record(record).unwrap();
    }
    writer.into_inner().unwrap()
}

/// The rows of `file` in another order (a fixed pseudo-random permutation), header first.
fn shuffled(file: &Path, dest: &Path, seed: u64) -> PathBuf {
    let (header, mut rows) = records(file);
    let mut state = seed;
    for i in (1..rows.len()).rev() {
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        let j = (state >> 33) as usize % (i + 1);
        rows.swap(i, j);
    }
    let mut out = header;
    rows.iter().for_each(|r| out.extend_from_slice(r));
    std::fs::write(dest, out).unwrap();
    dest.to_path_buf()
}

/// `file` cut into `n` consecutive parts, each with the header.
fn split(file: &Path, dir: &Path, n: usize) -> Vec<PathBuf> {
    let (header, rows) = records(file);
    let per_part = rows.len().div_ceil(n);
    rows.chunks(per_part)
        .enumerate()
        .map(|(i, chunk)| {
            let part = dir.join(format!("part{i}.csv"));
            let mut out = header.clone();
            chunk.iter().for_each(|r| out.extend_from_slice(r));
            std::fs::write(&part, out).unwrap();
            part
        })
        .collect()
}

fn replay(policy: &str, tickets: &Path, extra: &[&str]) -> Vec<u8> {
    let mut args = vec!["replay", "--policy", policy, "--tickets", path(tickets)];
    args.extend_from_slice(extra);
    ok(&args)
}

fn json(bytes: &[u8]) -> serde_json::Value {
    serde_json::from_slice(bytes).expect("JSON report")
}

#[test]
fn generated_report_does_not_depend_on_row_order_or_threads() {
    let dir = tempfile::tempdir().unwrap();
    let whole = generated(dir.path(), 20_000, 3);
    let mixed = shuffled(&whole, &dir.path().join("mixed.csv"), 7);
    let policy = "policies/support.yaml";
    for format in FORMATS {
        for by in [&[][..], &["--by", "channel"]] {
            let mut base = vec!["--format", format, "--as-of", AS_OF];
            base.extend_from_slice(by);
            let one = [&base[..], &["--threads", "1"]].concat();
            let two = [&base[..], &["--threads", "2"]].concat();
            let expected = replay(policy, &whole, &one);
            assert!(
                expected == replay(policy, &mixed, &two),
                "{format} {by:?}: shuffled rows on 2 threads"
            );
            assert!(
                expected == replay(policy, &mixed, &one),
                "{format} {by:?}: shuffled rows on 1 thread"
            );
        }
    }
}

#[test]
fn examples_are_the_smallest_ids_and_breaches_the_worst_then_by_id() {
    let dir = tempfile::tempdir().unwrap();
    let whole = generated(dir.path(), 20_000, 3);
    let mixed = shuffled(&whole, &dir.path().join("mixed.csv"), 11);
    let report = json(&replay(
        "policies/support.yaml",
        &mixed,
        &["--format", "json", "--as-of", AS_OF],
    ));
    let cells = report["report"]["agreement"]["confusion"]["cells"]
        .as_array()
        .unwrap();
    let mut checked = 0;
    for cell in cells.iter().flat_map(|row| row.as_array().unwrap()) {
        let examples: Vec<&str> = cell["examples"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e.as_str().unwrap())
            .collect();
        let mut sorted = examples.clone();
        sorted.sort();
        assert_eq!(examples, sorted, "examples in id order");
        assert_eq!(
            examples.len() as u64,
            cell["count"].as_u64().unwrap().min(5)
        );
        checked += examples.len();
    }
    assert!(checked > 10, "the data fills several cells");
    let worst = report["report"]["worst_breaches"].as_array().unwrap();
    assert_eq!(worst.len(), 5);
    for pair in worst.windows(2) {
        let key = |b: &serde_json::Value| {
            (
                -b["overshoot_seconds"].as_i64().unwrap(),
                b["id"].as_str().unwrap().to_string(),
            )
        };
        assert!(key(&pair[0]) <= key(&pair[1]), "{pair:?}");
    }
}

#[test]
fn fixture_report_does_not_depend_on_row_order() {
    // The fixture has rejected records: their examples are per file, in file order (lines
    // change with the order), so only the metrics are compared.
    let dir = tempfile::tempdir().unwrap();
    let tickets = root().join("fixtures/replay/tickets.csv");
    let policy = "fixtures/replay/policy.yaml";
    let as_of = "2026-03-13T16:00:00Z";
    let extra = ["--format", "json", "--as-of", as_of, "--by", "channel"];
    let expected = json(&replay(policy, &tickets, &extra));
    for seed in [1, 2, 3] {
        let mixed = shuffled(&tickets, &dir.path().join(format!("m{seed}.csv")), seed);
        for threads in ["1", "2"] {
            let args = [&extra[..], &["--threads", threads]].concat();
            let got = json(&replay(policy, &mixed, &args));
            assert_eq!(got["report"], expected["report"], "seed {seed}");
            assert_eq!(got["by"], expected["by"], "seed {seed}");
        }
    }
}

/// Replay each part with `--partial-out`, merge them, and compare with one replay of the whole
/// file, in every format.
fn assert_merge_equals_one_replay(policy: &str, whole: &Path, extra: &[&str]) {
    let dir = tempfile::tempdir().unwrap();
    let parts = split(whole, dir.path(), 3);
    let mut partials = Vec::new();
    for (i, part) in parts.iter().enumerate() {
        let partial = dir.path().join(format!("part{i}.partial.json"));
        let threads = if i % 2 == 0 { "1" } else { "2" };
        let mut args = vec!["--as-of", AS_OF, "--threads", threads];
        args.extend_from_slice(&["--partial-out", path(&partial)]);
        args.extend_from_slice(extra);
        replay(policy, part, &args);
        partials.push(partial);
    }
    for format in FORMATS {
        let mut args = vec!["--format", format, "--as-of", AS_OF];
        args.extend_from_slice(extra);
        let expected = replay(policy, whole, &args);
        let mut merge = vec!["merge", "--format", format];
        merge.extend(partials.iter().map(|p| path(p)));
        let merged = ok(&merge);
        assert!(
            merged == expected,
            "{format} {extra:?}:\n--- merged\n{}\n--- one replay\n{}",
            text(&merged),
            text(&expected)
        );
    }
}

#[test]
fn merged_partials_print_the_report_of_one_replay_of_generated_tickets() {
    let dir = tempfile::tempdir().unwrap();
    let whole = generated(dir.path(), 20_000, 3);
    assert_merge_equals_one_replay("policies/support.yaml", &whole, &[]);
    assert_merge_equals_one_replay("policies/support.yaml", &whole, &["--by", "channel"]);
}

#[test]
fn merged_partials_print_the_report_of_one_replay_of_a_fixture() {
    let whole = root().join("examples/support-tickets.csv");
    assert_merge_equals_one_replay("policies/support.yaml", &whole, &[]);
    assert_merge_equals_one_replay("policies/support.yaml", &whole, &["--by", "priority"]);
    // A mapped export: renamed columns, local timestamps, aliases.
    let mapped = root().join("fixtures/replay/mapped.csv");
    let map = ["--map", "fixtures/replay/map.toml"];
    assert_merge_equals_one_replay("fixtures/replay/policy.yaml", &mapped, &map);
}

#[test]
fn merged_partials_of_a_fixture_with_rejected_records_give_the_same_metrics() {
    // Rejected examples keep each part's own line numbers, so only the metrics are compared.
    let dir = tempfile::tempdir().unwrap();
    let whole = root().join("fixtures/replay/tickets.csv");
    let policy = "fixtures/replay/policy.yaml";
    let parts = split(&whole, dir.path(), 3);
    let mut merge = vec!["merge".to_string(), "--format".into(), "json".into()];
    for (i, part) in parts.iter().enumerate() {
        let partial = dir.path().join(format!("p{i}.json"));
        replay(
            policy,
            part,
            &[
                "--as-of",
                AS_OF,
                "--by",
                "channel",
                "--partial-out",
                path(&partial),
            ],
        );
        merge.push(path(&partial).to_string());
    }
    let merge: Vec<&str> = merge.iter().map(String::as_str).collect();
    let merged = json(&ok(&merge));
    let expected = json(&replay(
        policy,
        &whole,
        &["--format", "json", "--as-of", AS_OF, "--by", "channel"],
    ));
    assert_eq!(merged["report"], expected["report"]);
    assert_eq!(merged["by"], expected["by"]);
    for key in [
        "records",
        "decided",
        "rejected",
        "bad_values_counted_as_empty",
        "notes",
    ] {
        assert_eq!(merged["input"][key], expected["input"][key], "{key}");
    }
    let reasons = |v: &serde_json::Value| -> Vec<serde_json::Value> {
        v["input"]["rejected_examples"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["reason"].clone())
            .collect()
    };
    assert_eq!(reasons(&merged), reasons(&expected));
}

#[test]
fn a_partial_does_not_depend_on_threads() {
    let dir = tempfile::tempdir().unwrap();
    let whole = generated(dir.path(), 20_000, 3);
    let written: Vec<Vec<u8>> = ["1", "2", "3"]
        .iter()
        .map(|threads| {
            let file = dir.path().join(format!("t{threads}.json"));
            let args = ["--as-of", AS_OF, "--by", "month", "--threads", threads];
            let args = [&args[..], &["--partial-out", path(&file)]].concat();
            replay("policies/support.yaml", &whole, &args);
            std::fs::read(&file).unwrap()
        })
        .collect();
    assert!(written[0] == written[1] && written[1] == written[2]);
    let doc = json(&written[0]);
    assert_eq!(doc["format"], "handoff-partial");
    assert_eq!(doc["version"], 1);
    assert_eq!(doc["as_of"], AS_OF);
    assert_eq!(doc["by"], "month");
    assert_eq!(doc["input"]["records"], 20_000);
    assert!(
        doc["policy"]["fingerprint"]
            .as_str()
            .unwrap()
            .starts_with("fnv1a64:")
    );
}

#[test]
fn partial_out_needs_as_of() {
    let dir = tempfile::tempdir().unwrap();
    let partial = dir.path().join("p.json");
    let out = handoff(&[
        "replay",
        "--policy",
        "policies/support.yaml",
        "--tickets",
        "examples/support-tickets.csv",
        "--partial-out",
        path(&partial),
    ]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = text(&out.stderr);
    assert!(stderr.contains("--partial-out needs --as-of"), "{stderr}");
    assert!(!partial.exists());
}

#[test]
fn partial_out_refuses_what_a_partial_cannot_carry() {
    // An event log's counts and flow, and --staffing's arrivals, are not in a partial: a merge
    // would print another report than this run, so the run is refused before it writes.
    let dir = tempfile::tempdir().unwrap();
    let partial = dir.path().join("p.json");
    for (extra, expected) in [
        (
            vec![
                "--tickets",
                "fixtures/events/audit.csv",
                "--map",
                "fixtures/events/audit.toml",
            ],
            "does not support event logs yet",
        ),
        (
            vec![
                "--tickets",
                "examples/support-tickets.csv",
                "--staffing",
                "examples/staffing.yaml",
            ],
            "cannot carry the capacity what-if",
        ),
    ] {
        let mut args = vec![
            "replay",
            "--policy",
            "policies/support.yaml",
            "--as-of",
            AS_OF,
        ];
        args.extend(extra);
        args.extend(["--partial-out", path(&partial)]);
        let out = handoff(&args);
        assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
        let stderr = text(&out.stderr);
        assert!(stderr.contains(expected), "{stderr}");
        assert!(!partial.exists());
    }
}

/// A partial of `examples/support-tickets.csv` under `policy`, with these flags.
fn partial(dir: &Path, name: &str, policy: &str, extra: &[&str]) -> PathBuf {
    let file = dir.join(name);
    let mut args = vec!["--partial-out", path(&file)];
    args.extend_from_slice(extra);
    replay(policy, &root().join("examples/support-tickets.csv"), &args);
    file
}

fn merge_error(files: &[&Path]) -> String {
    let mut args = vec!["merge"];
    args.extend(files.iter().map(|f| path(f)));
    let out = handoff(&args);
    assert_eq!(out.status.code(), Some(2), "stdout: {}", text(&out.stdout));
    assert!(out.stdout.is_empty());
    text(&out.stderr)
}

#[test]
fn merging_different_runs_is_refused_naming_both_files_and_the_difference() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let base = partial(d, "base.json", "policies/support.yaml", &["--as-of", AS_OF]);
    let other_policy = partial(
        d,
        "proposed.json",
        "fixtures/diff/support-proposed.yaml",
        &["--as-of", AS_OF],
    );
    let other_as_of = partial(
        d,
        "later.json",
        "policies/support.yaml",
        &["--as-of", "2026-05-01T00:00:00Z"],
    );
    let other_by = partial(
        d,
        "by.json",
        "policies/support.yaml",
        &["--as-of", AS_OF, "--by", "channel"],
    );
    let cases = [
        (&other_policy, "different policies"),
        (&other_as_of, "as-of"),
        (&other_by, "--by"),
    ];
    for (other, what) in cases {
        let stderr = merge_error(&[&base, other]);
        assert!(stderr.contains(path(&base)), "{stderr}");
        assert!(stderr.contains(path(other)), "{stderr}");
        assert!(stderr.contains(what), "{what}: {stderr}");
    }

    // Another layout: the same tickets without the first-response column.
    let (header, rows) = records(&root().join("examples/support-tickets.csv"));
    let header = text(&header).replace("first_human_response_at", "first_reply_unmapped");
    let mut csv = header.into_bytes();
    rows.iter().for_each(|r| csv.extend_from_slice(r));
    let narrow = d.join("narrow.csv");
    std::fs::write(&narrow, csv).unwrap();
    let narrow_partial = d.join("narrow.json");
    replay(
        "policies/support.yaml",
        &narrow,
        &["--as-of", AS_OF, "--partial-out", path(&narrow_partial)],
    );
    let stderr = merge_error(&[&base, &narrow_partial]);
    assert!(stderr.contains("columns"), "{stderr}");
    assert!(stderr.contains("first_human_response_at"), "{stderr}");

    // Another format version.
    let mut doc: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&base).unwrap()).unwrap();
    doc["version"] = serde_json::json!(999);
    let future = d.join("future.json");
    std::fs::write(&future, serde_json::to_vec(&doc).unwrap()).unwrap();
    let stderr = merge_error(&[&base, &future]);
    assert!(stderr.contains("version 999"), "{stderr}");
    assert!(stderr.contains(path(&base)), "{stderr}");
    assert!(stderr.contains(path(&future)), "{stderr}");
    let stderr = merge_error(&[&future]);
    assert!(stderr.contains("version 999"), "{stderr}");
    assert!(stderr.contains("reads version 1"), "{stderr}");

    // Not a partial at all.
    let report = d.join("report.json");
    std::fs::write(
        &report,
        replay(
            "policies/support.yaml",
            &root().join("examples/support-tickets.csv"),
            &["--format", "json"],
        ),
    )
    .unwrap();
    let stderr = merge_error(&[&base, &report]);
    assert!(stderr.contains("not a handoff partial"), "{stderr}");
    let stderr = merge_error(&[Path::new("policies/support.yaml")]);
    assert!(stderr.contains("not a handoff partial"), "{stderr}");
}

#[test]
fn merge_gates_with_fail_if_and_writes_output_files() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let base = partial(d, "base.json", "policies/support.yaml", &["--as-of", AS_OF]);
    let out = handoff(&["merge", path(&base), "--fail-if", "escalation_rate > 0.01"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("escalation_rate"));
    let out = handoff(&["merge", path(&base), "--fail-if", "escalation_rate > 0.99"]);
    assert_eq!(out.status.code(), Some(0));
    let out = handoff(&["merge", path(&base), "--fail-if", "no_such_metric > 1"]);
    assert_eq!(out.status.code(), Some(2));

    let report = d.join("merged.md");
    ok(&[
        "merge",
        path(&base),
        "--format",
        "markdown",
        "-o",
        path(&report),
    ]);
    let expected = replay(
        "policies/support.yaml",
        &root().join("examples/support-tickets.csv"),
        &["--format", "markdown", "--as-of", AS_OF],
    );
    assert_eq!(std::fs::read(&report).unwrap(), expected);
    // The output may not overwrite an input.
    let out = handoff(&["merge", path(&base), "-o", path(&base)]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("refusing to write"));
}

/// A CSV partial as `handoff sql --emit partials` writes it, without rejected rows: the
/// fixture's tiny partial with its rejected record left out.
fn sql_partial(dir: &Path) -> PathBuf {
    let text = std::fs::read_to_string(root().join("fixtures/sql-partials/part.csv")).unwrap();
    let text = text
        .replace("\ninput,records,,,3\n", "\ninput,records,,,2\n")
        .replace("\ninput,rejected,,,1\n", "\ninput,rejected,,,0\n");
    let file = dir.join("part.csv");
    std::fs::write(&file, text).unwrap();
    file
}

#[test]
fn a_sql_partial_written_with_every_field_quoted_merges_as_the_unquoted_one() {
    // Python's csv.QUOTE_ALL and some warehouse exports quote the header too.
    let dir = tempfile::tempdir().unwrap();
    let plain = sql_partial(dir.path());
    let all: Vec<csv::ByteRecord> = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_path(&plain)
        .unwrap()
        .byte_records()
        .map(Result::unwrap)
        .collect();
    for (name, terminator) in [
        ("quoted.csv", csv::Terminator::Any(b'\n')),
        ("crlf.csv", csv::Terminator::CRLF),
    ] {
        let mut writer = csv::WriterBuilder::new()
            .quote_style(csv::QuoteStyle::Always)
            .terminator(terminator)
            .from_writer(Vec::new());
        for record in &all {
            writer.write_byte_record(record).unwrap();
        }
        let quoted = dir.path().join(name);
        std::fs::write(&quoted, writer.into_inner().unwrap()).unwrap();
        assert!(
            std::fs::read(&quoted)
                .unwrap()
                .starts_with(b"\"section\",\"k1\"")
        );
        for format in FORMATS {
            assert_eq!(
                ok(&["merge", path(&quoted), "--format", format]),
                ok(&["merge", path(&plain), "--format", format]),
                "{name} --format {format}"
            );
        }
    }
}
