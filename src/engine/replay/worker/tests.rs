//! Stages ([`Worker::process`]) give what taking the records one by one gives: the same
//! decisions, rejects, metrics and bad-value counts, with rejected records and a duplicate id
//! on both sides of the stage boundaries.

use std::path::Path;

use super::*;
use crate::engine::replay::By;
use crate::tickets::synthetic::{GenOptions, generate};
use crate::tickets::{Mapping, TicketReader};

fn policy() -> CompiledPolicy {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("policies/support.yaml");
    CompiledPolicy::new(&crate::policy::load_file(&path).unwrap().policy).unwrap()
}

/// Generated tickets; the data rows at `bad` get a confidence the rules read out of range
/// (rejected), the one at `bad_value` a `csat` that is not a number (counted as empty), and
/// the row at 40 repeats the id of the row at 35.
fn tickets(bad: &[usize], bad_value: usize) -> Vec<u8> {
    let options = GenOptions {
        rows: 2500,
        seed: 3,
        start: "2026-01-05T00:00:00Z".parse().unwrap(),
        days: 20,
    };
    let mut generated = Vec::new();
    generate(&options, &mut generated).unwrap();
    let mut reader = csv::Reader::from_reader(generated.as_slice());
    let headers = reader.headers().unwrap().clone();
    let column = |name: &str| headers.iter().position(|h| h == name).unwrap();
    let (confidence, csat) = (column("confidence"), column("csat"));
    let mut rows: Vec<Vec<String>> = reader
        .records()
        .map(|r| r.unwrap().iter().map(str::to_string).collect())
        .collect();
    for &row in bad {
        rows[row][confidence] = "7.5".into();
    }
    rows[bad_value][csat] = "great".into();
    rows[40][0] = rows[35][0].clone();
    let mut out = csv::Writer::from_writer(Vec::new());
    out.write_record(&headers).unwrap();
    for row in rows {
        out.write_record(row).unwrap();
    }
    out.into_inner().unwrap()
}

/// A `--decisions` row: the id, the tier's rank, the rule, the matched rules and the priority.
struct Rows;

impl DecisionFormat for Rows {
    fn write(&self, t: &Ticket, d: &Decision, out: &mut csv::Writer<Vec<u8>>) -> csv::Result<()> {
        out.write_record([
            t.id.clone(),
            d.rank.to_string(),
            format!("{:?}", d.rule),
            format!("{:?}", d.matched),
            format!("{:?}", d.priority),
        ])
    }
}

/// What one worker makes of the input ([`run`]).
type Made = (String, Vec<String>, String, String, String);

/// Everything one worker makes of the input with `stage` records per stage: the decisions,
/// the rejects (index, line, reason), the metrics (overall and per channel, finished at the
/// latest timestamp read, with the worst breaches) as JSON, the parser's bad-value counts,
/// and the latest timestamp with the clocks the settler held after each batch.
fn run(stage: usize, input: &[u8], check_ids: bool) -> Made {
    let policy = policy();
    let options = ReplayOptions {
        by: Some(By::Channel.into()),
        check_ids,
        ..ReplayOptions::default()
    };
    let mapping = Mapping::default();
    let cursor = std::io::Cursor::new(input.to_vec());
    let mut reader = TicketReader::new(Box::new(cursor), &mapping, &policy.needs).unwrap();
    let parser = TicketParser::new(&reader.layout, &mapping, &policy.needs).unwrap();
    let available = Available::of(&reader.layout);
    let mut worker = Worker::new(&policy, &options, available, parser);
    worker.stage = stage;
    let (mut decisions, mut rejects, mut held) = (Vec::new(), Vec::new(), Vec::new());
    let (mut seq, mut next_record) = (0, 1);
    loop {
        let mut batch = Batch::default();
        batch.fill(&mut reader, seq, next_record);
        worker.process(&mut batch, Some(&Rows));
        assert!(batch.write_error.is_none());
        decisions.extend_from_slice(&batch.decisions);
        for (index, error) in &batch.rejects {
            let at = batch.first + *index as u64;
            rejects.push(format!("{at} {} {}", error.line, error.reason));
        }
        held.push(worker.settler.held());
        seq += 1;
        next_record += batch.len as u64;
        if batch.last {
            break;
        }
    }
    let as_of = worker.latest_seen();
    let (mut overall, mut groups, parser) = worker.finish(as_of);
    // The counts kept by index joined to their maps, and the unanswered breaches to the worst
    // ones, so that the JSON shows them.
    let as_of = as_of.unwrap();
    overall.finish(as_of);
    groups.values_mut().for_each(|group| group.0.finish(as_of));
    let metrics = serde_json::to_string(&(overall, groups.into_iter().collect::<Vec<_>>()));
    let bad_values = format!("{:?}", parser.bad_values);
    let decisions = String::from_utf8(decisions).unwrap();
    let settling = format!("{as_of} {held:?}");
    (decisions, rejects, metrics.unwrap(), bad_values, settling)
}

/// The clocks are settled once a stage ([`Worker::settle_read`]), up to the latest timestamp
/// of the tickets accounted (not of those rejected): after each batch the settler holds what
/// settling after every ticket leaves it, the default as-of is the same, and so are the
/// breaches and the worst of them.
#[test]
fn stages_give_what_one_record_at_a_time_gives() {
    let input = tickets(&[0, 31, 32, 33, 63, 64, 1023, 1024, 2499], 30);
    for check_ids in [false, true] {
        let one = run(1, &input, check_ids);
        assert!(one.1.len() >= 9, "the rejects: {:?}", one.1);
        assert_eq!(one.1.len(), 9 + usize::from(check_ids), "{:?}", one.1);
        assert!(one.3.contains("csat"), "the bad value: {}", one.3);
        for stage in [STAGE_RECORDS, 7, 1024] {
            let staged = run(stage, &input, check_ids);
            assert_eq!(one.0, staged.0, "decisions, stage {stage}");
            assert_eq!(one.1, staged.1, "rejects, stage {stage}");
            assert_eq!(one.2, staged.2, "metrics, stage {stage}");
            assert_eq!(one.3, staged.3, "bad values, stage {stage}");
            assert_eq!(one.4, staged.4, "settling, stage {stage}");
        }
    }
}
