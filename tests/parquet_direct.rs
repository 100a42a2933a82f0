//! Parquet rows go straight into tickets (issue 11, round 6): typed cells — instants with and
//! without a zone, doubles, integers, flags, dictionary strings, nulls — are read as the values
//! they are, not written as text and parsed back. A replay of a typed table gives the report,
//! `--decisions` and `--rejects` files of a replay of its CSV export, byte for byte, with and
//! without a mapping that sets a zone and a scale, for 1 to 3 threads. The inputs are built here
//! from a seed, never committed.
#![cfg(feature = "parquet")]

mod chunks_common;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use arrow_array::ArrayRef;
use arrow_array::builder::{
    BooleanBuilder, Float64Builder, Int64Builder, TimestampMillisecondBuilder,
    TimestampSecondBuilder,
};
use arrow_schema::{DataType, TimeUnit};
use chunks_common::{bad_tickets_replay, run, strings, text, write_parquet};

/// A seeded typed table of `rows` tickets as Parquet and as the CSV export of the same table.
fn typed_table(dir: &Path, rows: usize) -> (PathBuf, PathBuf) {
    let mut state: u64 = 0x0dd_ba11_cafe_f00d;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let mut csv = csv::Writer::from_writer(Vec::new());
    csv.write_record([
        "id",
        "created_at",
        "escalated_at",
        "confidence",
        "requested_human",
        "reassignments",
        "csat",
        "priority",
        "text",
    ])
    .unwrap();
    let mut created = TimestampSecondBuilder::new().with_timezone("UTC");
    let mut escalated = TimestampMillisecondBuilder::new();
    let (mut confidence, mut csat) = (Float64Builder::new(), Float64Builder::new());
    let mut human = BooleanBuilder::new();
    let mut reassignments = Int64Builder::new();
    let (mut ids, mut priorities, mut texts) = (vec![], vec![], vec![]);
    for i in 0..rows {
        let r = next();
        let id = (r % 97 != 3).then(|| format!("T{i}"));
        let at = 1_772_445_600 + (r >> 8) as i64 % 20_000_000;
        created.append_value(at);
        // A wall-clock time (no zone), some with a fraction of a second, some missing.
        let wall = (r % 7 != 0).then(|| (at + 3_600) * 1_000 + if r % 3 == 0 { 125 } else { 0 });
        escalated.append_option(wall);
        let c = match (r >> 16) % 40 {
            0 => None,
            1 => Some(f64::NAN),
            2 => Some(1.5),
            3 => Some(-0.0),
            4 => Some(150.0),
            n => Some(n as f64 / 40.0),
        };
        confidence.append_option(c);
        let h = match (r >> 24) % 5 {
            0 => None,
            n => Some(n % 2 == 0),
        };
        human.append_option(h);
        let n = match (r >> 28) % 9 {
            0 => None,
            1 => Some(-1),
            n => Some(n as i64),
        };
        reassignments.append_option(n);
        let s = ((r >> 32) % 6 != 0).then(|| ((r >> 36) % 5 + 1) as f64);
        csat.append_option(s);
        let priority = ["urgent", "High", " normal ", "low", "p7"][(r >> 40) as usize % 5];
        let words = ["please refund", "my lawyer says", "thanks", "line\nbreak"];
        let text = words[(r >> 44) as usize % 4];
        let instant = |s: i64| jiff::Timestamp::from_second(s).unwrap();
        let wall_text = wall.map(|ms| {
            jiff::Timestamp::from_millisecond(ms)
                .unwrap()
                .to_zoned_datetime(jiff::tz::TimeZone::UTC)
                .datetime()
                .to_string()
        });
        let show = |v: Option<String>| v.unwrap_or_default();
        csv.write_record([
            show(id.clone()),
            instant(at).to_string(),
            show(wall_text),
            show(c.map(|v| v.to_string())),
            show(h.map(|v| v.to_string())),
            show(n.map(|v| v.to_string())),
            show(s.map(|v| v.to_string())),
            priority.to_string(),
            text.to_string(),
        ])
        .unwrap();
        ids.push(id);
        priorities.push(Some(priority));
        texts.push(Some(text));
    }
    let csv_path = dir.join("typed.csv");
    std::fs::write(&csv_path, csv.into_inner().unwrap()).unwrap();
    let parquet_path = dir.join("typed.parquet");
    let seconds = DataType::Timestamp(TimeUnit::Second, Some("UTC".into()));
    let millis = DataType::Timestamp(TimeUnit::Millisecond, None);
    let array = |a: ArrayRef| a;
    write_parquet(
        &parquet_path,
        vec![
            ("id", DataType::Utf8, strings(&ids)),
            ("created_at", seconds, array(Arc::new(created.finish()))),
            ("escalated_at", millis, Arc::new(escalated.finish())),
            (
                "confidence",
                DataType::Float64,
                Arc::new(confidence.finish()),
            ),
            (
                "requested_human",
                DataType::Boolean,
                Arc::new(human.finish()),
            ),
            (
                "reassignments",
                DataType::Int64,
                Arc::new(reassignments.finish()),
            ),
            ("csat", DataType::Float64, Arc::new(csat.finish())),
            ("priority", DataType::Utf8, strings(&priorities)),
            ("text", DataType::Utf8, strings(&texts)),
        ],
        700,
    );
    (csv_path, parquet_path)
}

/// Replay `tickets`: the JSON report (input path replaced) and the `--decisions` and
/// `--rejects` files.
fn replay(tickets: &Path, extra: &[&str], threads: &str, out: &Path) -> [String; 3] {
    let decisions = out.join(format!("decisions-{threads}.csv"));
    let rejects = out.join(format!("rejects-{threads}.csv"));
    let mut args = bad_tickets_replay(tickets.to_str().unwrap(), threads);
    args.extend([
        "--decisions",
        decisions.to_str().unwrap(),
        "--rejects",
        rejects.to_str().unwrap(),
    ]);
    args.extend_from_slice(extra);
    let output = run(&args);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    let name = tickets.to_str().unwrap();
    [
        text(&output.stdout).replace(name, "TICKETS"),
        text(&std::fs::read(&decisions).unwrap()),
        text(&std::fs::read(&rejects).unwrap()).replace(name, "TICKETS"),
    ]
}

#[test]
fn typed_parquet_replays_as_its_csv_export_with_decisions_and_rejects() {
    let dir = tempfile::tempdir().unwrap();
    let (csv_path, parquet_path) = typed_table(dir.path(), 5_000);
    let map = dir.path().join("map.toml");
    std::fs::write(
        &map,
        "[timestamps]\ntimezone = \"America/New_York\"\n\n[scales]\nconfidence = \"percent\"\n",
    )
    .unwrap();
    for extra in [vec![], vec!["--map", map.to_str().unwrap()]] {
        let wanted = replay(&csv_path, &extra, "2", dir.path());
        // Rows are rejected (bad confidences) and timestamps read without an offset (noted
        // only in the default zone: a zone the mapping declares is not).
        assert!(wanted[2].lines().count() > 100, "{}", wanted[2]);
        assert_eq!(
            wanted[0].contains("3900 timestamps without an offset were read as UTC"),
            extra.is_empty(),
            "{}",
            wanted[0]
        );
        for threads in ["1", "2", "3"] {
            let got = replay(&parquet_path, &extra, threads, dir.path());
            for (what, (got, wanted)) in ["report", "decisions", "rejects"]
                .iter()
                .zip(got.iter().zip(&wanted))
            {
                assert_eq!(got, wanted, "{what}, {threads} threads, {extra:?}");
            }
        }
    }
}
