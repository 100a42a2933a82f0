//! Issue 11, the fold off the `csv` crate's reader: random event logs (grouped and ungrouped
//! by ticket, reply threads, ties in time, bad times, `na`, `where` filters, quoted fields,
//! ragged rows, bytes that are not UTF-8, CRLF and blank lines), seeded, folded with the events
//! read in chunks of every size and with the reference one-by-one reader must give the same
//! folded records (fields, lines, rejections), the same stays at each stage, the same error
//! and the same counts.

use std::sync::{Arc, Mutex};

use handoff::tickets::events::{FlowSink, Visit};
use handoff::tickets::source::Needs;
use handoff::tickets::{Mapping, Records, TicketReader};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

const GROUPED: &str = r#"
[events]
ticket = "n"
time = "at"
stage = "g"
[values]
na = ["?", "N/A"]
[columns]
id = "n"
created_at = { first = "at" }
escalated_at = { first = "at", where = { g = ["L2", "L3"] } }
resolved_at = { max = "at" }
text = { join = "m", where = { g = ["L1", "l2"] } }
priority = "p"
confidence = { min = "c" }
sentiment = { max = "c" }
resolved_tier = { last = "g" }
reassignments = { changes = "g" }
requested_human = { any = "m", where = { m = ["yes"] } }
[fields]
updates = { count = "n" }
groups = { count_distinct = "g" }
first_p = { first = "p" }
"#;

const THREADS: &str = r#"
[events]
thread = { id = "n", parent = "parent" }
time = "at"
[values]
na = ["?"]
[columns]
created_at = { first = "at" }
text = { join = "m" }
priority = { last = "p" }
[fields]
updates = { count = "n" }
"#;

/// The stays every complete ticket handed to the flow.
#[derive(Default)]
struct Stays(Vec<Vec<Visit>>);

impl FlowSink for Stays {
    fn ticket(&mut self, visits: &[Visit]) {
        self.0.push(visits.to_vec());
    }
}

/// Everything a read gives: each record's fields, line and rejection, then the error that
/// stopped it, the counts, the notes and the stays.
type Outcome = (
    Vec<(Vec<Vec<u8>>, u64, Option<(Option<String>, String)>)>,
    Option<String>,
    String,
    Vec<Vec<Visit>>,
);

/// Read `input` through `mapping`: events one by one (`chunk_bytes` `None`) or in chunks of
/// about `chunk_bytes`, split `ahead` on a thread of their own or not.
fn read(
    input: &[u8],
    mapping: &Mapping,
    chunk_bytes: Option<usize>,
    ahead: bool,
) -> Result<Outcome, String> {
    let needs = Needs {
        extras: ["updates", "groups", "first_p"].map(String::from).to_vec(),
        ..Needs::default()
    };
    let input: Box<dyn std::io::Read + Send> = Box::new(std::io::Cursor::new(input.to_vec()));
    let mut reader = TicketReader::with_event_chunks(input, mapping, &needs, chunk_bytes)?;
    if ahead {
        reader.split_events_ahead();
    }
    let stays = Arc::new(Mutex::new(Stays::default()));
    reader.track_flow(stays.clone());
    let mut records = Records::default();
    let error = loop {
        match reader.read(&mut records) {
            Ok(true) => {}
            Ok(false) => break None,
            Err(e) => break Some(e.to_string()),
        }
    };
    let listed = (0..records.len())
        .filter_map(|i| records.get(i))
        .map(|r| {
            let rejection = r.rejection().map(|j| (j.id.clone(), j.reason.clone()));
            (r.iter().map(<[u8]>::to_vec).collect(), r.line(), rejection)
        })
        .collect();
    let counts = format!("{:?} {:?}", reader.event_counts(), reader.layout.notes);
    let stays = std::mem::take(&mut stays.lock().unwrap().0);
    Ok((listed, error, counts, stays))
}

/// A cell: plain, padded, `na`, empty, quoted (with a comma, a quote, a line break), not
/// UTF-8.
fn cell(rng: &mut ChaCha8Rng, plain: &[&str]) -> Vec<u8> {
    let pick = plain[rng.random_range(0..plain.len())];
    match rng.random_range(0..14) {
        0 => b"?".to_vec(),
        1 => b" N/A ".to_vec(),
        2 => Vec::new(),
        3 => format!(" {pick}\t").into_bytes(),
        4 => format!("\"{pick},\"\"x\"\"\"").into_bytes(),
        5 => format!("\"{pick}\nmore\"").into_bytes(),
        6 => [pick.as_bytes(), b"\xff"].concat(),
        7 => format!("\"{pick}\"").into_bytes(),
        _ => pick.as_bytes().to_vec(),
    }
}

/// A time: a few distinct instants (ties), an empty or `na` one, one that is not a timestamp.
fn time(rng: &mut ChaCha8Rng) -> Vec<u8> {
    match rng.random_range(0..16) {
        0 => b"".to_vec(),
        1 => b"?".to_vec(),
        2 => b"soon".to_vec(),
        3 => b" 2026-03-02 09:05 ".to_vec(),
        _ => format!("2026-03-02T09:{:02}:00Z", rng.random_range(0..6)).into_bytes(),
    }
}

/// A random event log (header `n,at,g,m,p,c,parent,pad`). Events carry up to 400 bytes of
/// padding, so that a log is longer than what the `csv` crate's reader reads ahead with the
/// header (8 KiB, all of it in the first chunk) and is cut into many chunks.
/// Ticket ids begin with `prefix`; `wild`: a grouped log's ticket now and then resumes after
/// others, and replies may make cycles (else a reply's parent has a lower number).
fn event_log(rng: &mut ChaCha8Rng, grouped: bool, prefix: &str, wild: bool) -> Vec<u8> {
    let crlf = rng.random_bool(0.2);
    let end: &[u8] = if crlf { b"\r\n" } else { b"\n" };
    let mut out = b"n,at,g,m,p,c,parent,pad".to_vec();
    out.extend_from_slice(end);
    let tickets = rng.random_range(1..8);
    let events = rng.random_range(0..80);
    let mut key = 0;
    for i in 0..events {
        // Grouped: tickets in runs (now and then one resumes); else any order.
        key = match grouped {
            true if rng.random_bool(0.3) => match wild && rng.random_bool(0.05) {
                true => rng.random_range(0..tickets),
                false => key + 1,
            },
            true => key,
            false => rng.random_range(0..tickets),
        };
        let mut fields: Vec<Vec<u8>> = vec![
            match rng.random_range(0..20) {
                0 => b"".to_vec(),
                1 => b"?".to_vec(),
                2 => format!(" {prefix}{key} ").into_bytes(),
                _ => format!("{prefix}{key}").into_bytes(),
            },
            time(rng),
            cell(rng, &["L1", "L2", "l2", "L3", "Bot"]),
            cell(rng, &["hi", "yes", "no", "café"]),
            cell(rng, &["high", "low", "1"]),
            cell(rng, &["0.5", "0.25", "x", "1e3"]),
            match rng.random_range(0..4) {
                0 => Vec::new(),
                _ if !wild && key == 0 => Vec::new(),
                _ if !wild => format!("{prefix}{}", rng.random_range(0..key)).into_bytes(),
                _ => format!("{prefix}{}", rng.random_range(0..events.max(1))).into_bytes(),
            },
            "x".repeat(rng.random_range(0..400)).into_bytes(),
        ];
        // Ragged rows.
        match rng.random_range(0..25) {
            0 => {
                fields.pop();
            }
            1 => fields.push(b"extra".to_vec()),
            _ => {}
        }
        out.extend_from_slice(&fields.join(&b","[..]));
        if i + 1 < events || rng.random_bool(0.8) {
            out.extend_from_slice(end);
        }
        if rng.random_bool(0.05) {
            out.extend_from_slice(end);
        }
    }
    out
}

#[test]
fn events_read_in_chunks_fold_as_read_one_by_one() {
    let grouped: Mapping = toml::from_str(GROUPED).unwrap();
    let mut ungrouped = grouped.clone();
    if let Some(events) = ungrouped.events.as_mut() {
        events.grouped = false;
    }
    let threads: Mapping = toml::from_str(THREADS).unwrap();
    let mut rng = ChaCha8Rng::seed_from_u64(11);
    for case in 0..240 {
        let (name, mapping, log) = match case % 3 {
            0 => ("grouped", &grouped, event_log(&mut rng, true, "T", true)),
            1 => (
                "ungrouped",
                &ungrouped,
                event_log(&mut rng, false, "T", true),
            ),
            _ => ("threads", &threads, event_log(&mut rng, false, "T", true)),
        };
        let whole = read(&log, mapping, None, false);
        for size in [1, 7, 64, 1 << 20] {
            for ahead in [false, true] {
                assert_eq!(
                    read(&log, mapping, Some(size), ahead),
                    whole,
                    "case {case} ({name}), chunks of {size}, split ahead {ahead}:\n{}",
                    String::from_utf8_lossy(&log)
                );
            }
        }
    }
}

/// Split ahead, the thread that splits the events also checks their UTF-8, cleans their
/// cells, reads their time and tests every fold's `where` (a bit per fold, for up to 64
/// folds; past that the fold tests them itself): with 70 more folds, each with a `where`
/// (kept, dropped, on cells that are `na`, padded, not UTF-8), the folded records are still
/// those of the one-by-one read, on either side of the 64 folds.
#[test]
fn prepared_where_filters_past_64_folds_fold_as_read_one_by_one() {
    let mut text = GROUPED.to_string();
    for i in 0..70 {
        let (column, values) = match i % 4 {
            0 => ("g", r#"["L1", "l2"]"#),
            1 => ("m", r#"["yes", "café"]"#),
            2 => ("p", r#"["high"]"#),
            _ => ("c", r#"["0.5", "x"]"#),
        };
        let kind = ["count", "first", "last", "join"][i / 4 % 4];
        text.push_str(&format!(
            "f{i} = {{ {kind} = \"{}\", where = {{ {column} = {values} }} }}\n",
            ["m", "at", "p", "g"][i % 4]
        ));
    }
    let many: Mapping = toml::from_str(&text).unwrap();
    let mut ungrouped = many.clone();
    if let Some(events) = ungrouped.events.as_mut() {
        events.grouped = false;
    }
    let mut rng = ChaCha8Rng::seed_from_u64(64);
    for case in 0..60 {
        let (mapping, log) = match case % 2 {
            0 => (&many, event_log(&mut rng, true, "T", true)),
            _ => (&ungrouped, event_log(&mut rng, false, "T", true)),
        };
        let whole = read(&log, mapping, None, false);
        for size in [1, 64, 1 << 20] {
            assert_eq!(
                read(&log, mapping, Some(size), true),
                whole,
                "case {case}, chunks of {size}:\n{}",
                String::from_utf8_lossy(&log)
            );
        }
    }
}

#[path = "run_common/mod.rs"]
mod run_common;

/// `handoff replay` of event logs of several chunks (grouped, ungrouped, reply threads; random
/// as above, a few megabytes) on 1, 2 and 4 threads: the same report, messages, exit code,
/// decisions and rejected events (the fold is split ahead on a thread of its own from 2 threads
/// on, and reads the events one chunk at a time on one).
#[test]
fn replay_of_event_logs_is_the_same_on_any_number_of_threads() {
    let dir = tempfile::tempdir().unwrap();
    let mut rng = ChaCha8Rng::seed_from_u64(16);
    let grouped_map = GROUPED.replace("[events]", "[events]\ngrouped = false");
    let cases = [
        ("grouped", GROUPED.to_string(), true),
        ("ungrouped", grouped_map, false),
        ("threads", THREADS.to_string(), false),
    ];
    for (name, map, grouped) in cases {
        // Logs of 80 events at most, one after another: several 384 KiB chunks.
        // A first event with a valid time (else the read stops before it starts).
        let mut log =
            b"n,at,g,m,p,c,parent,pad\nFirst,2026-03-02T09:00:00Z,L1,hi,high,0.5,,\n".to_vec();
        for part in 0.. {
            if log.len() > 1_500_000 {
                break;
            }
            let more = event_log(&mut rng, grouped, &format!("P{part}-"), false);
            let body = more.splitn(2, |&b| b == b'\n').nth(1).unwrap_or_default();
            if !log.ends_with(b"\n") {
                log.push(b'\n');
            }
            log.extend_from_slice(body);
        }
        let (tickets, mapping) = (dir.path().join("events.csv"), dir.path().join("map.toml"));
        std::fs::write(&tickets, &log).unwrap();
        std::fs::write(&mapping, map).unwrap();
        let mut runs = Vec::new();
        for threads in ["1", "2", "4"] {
            let decisions = dir.path().join(format!("{name}-decisions-{threads}.csv"));
            let rejects = dir.path().join(format!("{name}-rejects-{threads}.csv"));
            let out = run_common::run(&[
                "replay",
                "-q",
                "--policy",
                "policies/support.yaml",
                "--map",
                mapping.to_str().unwrap(),
                "--tickets",
                tickets.to_str().unwrap(),
                "--format",
                "json",
                "--max-reject-rate",
                "1",
                "--threads",
                threads,
                "--decisions",
                decisions.to_str().unwrap(),
                "--rejects",
                rejects.to_str().unwrap(),
            ]);
            let read = |path: &std::path::Path| std::fs::read(path).unwrap_or_default();
            runs.push((
                out.status.code(),
                out.stdout,
                out.stderr,
                read(&decisions),
                read(&rejects),
            ));
        }
        let stderr = String::from_utf8_lossy(&runs[0].2);
        assert_eq!(runs[0].0, Some(0), "{name}: {stderr}");
        let report: serde_json::Value = serde_json::from_slice(&runs[0].1).unwrap();
        assert!(report["input"]["records"].as_u64() > Some(1000), "{name}");
        assert!(report["input"]["rejected"].as_u64() > Some(100), "{name}");
        assert_eq!(runs[1], runs[0], "{name}: 2 threads against 1");
        assert_eq!(runs[2], runs[0], "{name}: 4 threads against 1");
    }
}

/// A record over the size cap inside an event log stops the read with the error naming its
/// line, after the events before it were folded: the same events in chunks (split ahead or
/// not) as one by one. One difference, as plain replay's chunks already had it: after blank
/// lines, the chunks name the line the record starts on (5), the one-by-one reader the line
/// after the last record (4).
#[test]
fn a_record_over_the_cap_stops_the_fold_alike() {
    use std::io::Read;
    let mapping: Mapping = toml::from_str(GROUPED).unwrap();
    let head = b"n,at,g,m,p,c,parent,pad\nT1,2026-03-02T09:00:00Z,L1,hi,high,0.5,,\nT2,2026-03-02T09:00:00Z,L1,hi,high,0.5,,\n\nT3,".to_vec();
    let cap = handoff::tickets::sniff::MAX_RECORD_BYTES;
    let read_endless = |chunk_bytes: Option<usize>, ahead: bool| {
        let endless =
            std::io::Cursor::new(head.clone()).chain(std::io::repeat(b'a').take(cap + (1 << 20)));
        let needs = Needs::default();
        let mut reader =
            TicketReader::with_event_chunks(Box::new(endless), &mapping, &needs, chunk_bytes)
                .unwrap();
        if ahead {
            reader.split_events_ahead();
        }
        let mut records = Records::default();
        let error = loop {
            match reader.read(&mut records) {
                Ok(true) => {}
                Ok(false) => break None,
                Err(e) => break Some(e.to_string()),
            }
        };
        let lines: Vec<u64> = (0..records.len())
            .filter_map(|i| records.get(i))
            .map(|r| r.line())
            .collect();
        (lines, error)
    };
    let whole = read_endless(None, false);
    // T2 is still open when the read stops (the next ticket's event completes it).
    assert_eq!(whole.0, [2]);
    assert!(
        whole
            .1
            .as_deref()
            .is_some_and(|e| e.contains("line 4") && e.contains("64 MiB")),
        "{whole:?}"
    );
    let chunked = (
        whole.0.clone(),
        whole.1.map(|e| e.replace("line 4", "line 5")),
    );
    assert_eq!(read_endless(Some(1 << 16), false), chunked);
    assert_eq!(read_endless(Some(1 << 16), true), chunked);
    assert_eq!(read_endless(Some(1 << 20), true), chunked);
}
