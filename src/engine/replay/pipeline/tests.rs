//! The pipeline hands the calling thread what taking every batch in turn on one thread hands
//! it (the general path, [`super::super::sequential`]), whichever batches have output and
//! which go back to the pool without it; and it stops, without waiting forever, when a thread
//! panics or the output fails.

use std::panic::AssertUnwindSafe;

use proptest::prelude::*;

use super::super::options::ReplaySink;
use super::super::{Evaluated, Evaluator, evaluate};
use super::*;
use crate::tickets::chunk::core_reader;
use crate::tickets::source::Needs;
use crate::tickets::{Mapping, RawRecord, RowError};

/// What an evaluator leaves in a batch, by the batch's sequence number.
const NOTHING: u8 = 0;
const ROWS: u8 = 1;
const REJECT: u8 = 2;

/// Leaves in each batch what `marks` says (bit `ROWS`: a `--decisions` row naming the batch;
/// bit `REJECT`: its last record rejected); panics on the batch `panic_at`.
struct Marking<'m> {
    csv: csv_core::Reader,
    marks: &'m [u8],
    panic_at: Option<u64>,
}

impl Evaluator for Marking<'_> {
    fn process(&mut self, batch: &mut Batch) {
        batch.parse(&mut self.csv);
        if self.panic_at == Some(batch.seq) {
            panic!("evaluator failed on purpose");
        }
        let mark = self
            .marks
            .get(batch.seq as usize)
            .copied()
            .unwrap_or(NOTHING);
        if mark & ROWS != 0 {
            let row = format!("batch {} of {} records\n", batch.seq, batch.len);
            batch.decisions.extend_from_slice(row.as_bytes());
        }
        if mark & REJECT != 0 && batch.len > 0 {
            let index = batch.len - 1;
            let error = RowError {
                line: batch.first + index as u64,
                id: None,
                reason: format!("rejected in batch {}", batch.seq),
            };
            batch.rejects.push((index, error));
        }
    }
}

/// Everything the sink was handed, in order; the write number `fail_at` fails (a closed pipe).
#[derive(Default)]
struct Log {
    lines: Vec<String>,
    fail_at: Option<usize>,
}

impl Log {
    fn write(&mut self, line: String) -> std::io::Result<()> {
        if self.fail_at == Some(self.lines.len()) {
            return Err(std::io::ErrorKind::BrokenPipe.into());
        }
        self.lines.push(line);
        Ok(())
    }
}

impl ReplaySink for Log {
    fn decisions(&mut self, rows: &[u8]) -> std::io::Result<()> {
        self.write(String::from_utf8_lossy(rows).into_owned())
    }

    fn rejected(&mut self, error: &RowError, record: RawRecord<'_>) -> std::io::Result<()> {
        self.write(format!(
            "{} {} ({} fields)",
            error.line,
            error.reason,
            record.len()
        ))
    }
}

/// `rows` records of about 240 bytes.
fn tickets(rows: usize) -> Vec<u8> {
    let mut text = String::from("id,created_at,text\n");
    let padding = "x".repeat(200);
    for row in 0..rows {
        text.push_str(&format!(
            "T{row},2026-01-01T00:00:00Z,row {row} {padding}\n"
        ));
    }
    text.into_bytes()
}

/// A reader of `input` that cuts chunks of about `chunk_bytes` (one a batch).
fn reader(input: &[u8], chunk_bytes: usize) -> TicketReader {
    let cursor = std::io::Cursor::new(input.to_vec());
    let needs = Needs::default();
    let mut reader = TicketReader::new(Box::new(cursor), &Mapping::default(), &needs).unwrap();
    assert!(reader.cuts_chunks_of(chunk_bytes));
    reader
}

/// Small chunks: 500 records ([`tickets`]) make about fifteen batches.
const SMALL: usize = 8 << 10;

/// What the calling thread was handed, what it counted and how the run ended.
type Outcome = (Vec<String>, String);

fn run(
    input: &[u8],
    chunk: usize,
    threads: usize,
    one: bool,
    strict: bool,
    marks: &[u8],
    log: Log,
) -> Outcome {
    let mut reader = reader(input, chunk);
    let mut new = || Marking {
        csv: core_reader(),
        marks,
        panic_at: None,
    };
    let mut log = log;
    let ended = match evaluate(&mut reader, &mut new, threads, one, strict, &mut log) {
        Ok(Evaluated {
            evaluators,
            records,
            rejected,
            reject_examples,
        }) => {
            let examples: Vec<u64> = reject_examples.iter().map(|e| e.line).collect();
            let n = evaluators.len();
            format!("{n} evaluators; {records} records, {rejected} rejected: {examples:?}")
        }
        Err(error) => format!("error: {error}"),
    };
    (log.lines, ended)
}

/// The outcome on one thread (every batch handed to the calling thread in turn) and on the
/// pipeline, less the number of evaluators.
fn same_as_one_thread(
    input: &[u8],
    chunk: usize,
    marks: &[u8],
    strict: bool,
    fail_at: Option<usize>,
) {
    let log = || Log {
        lines: Vec::new(),
        fail_at,
    };
    let (lines, ended) = run(input, chunk, 1, false, strict, marks, log());
    let ended = ended.replace("1 evaluators", "N evaluators");
    for (threads, one) in [(2, false), (3, false), (2, true), (4, false)] {
        let (many_lines, many_ended) = run(input, chunk, threads, one, strict, marks, log());
        let evaluators = if one { 1 } else { threads };
        let many_ended = many_ended.replace(&format!("{evaluators} evaluators"), "N evaluators");
        assert_eq!(lines, many_lines, "{threads} threads, one evaluator {one}");
        assert_eq!(ended, many_ended, "{threads} threads, one evaluator {one}");
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    /// Batches with and without output, in any pattern: the pipeline passes those without
    /// back to the pool and counts them; the calling thread gets the rest in input order.
    #[test]
    fn batches_with_and_without_output_as_on_one_thread(
        marks in proptest::collection::vec(0u8..4, 16),
        strict in any::<bool>(),
        fail_at in proptest::option::of(0usize..6),
    ) {
        same_as_one_thread(&tickets(500), SMALL, &marks, strict, fail_at);
    }
}

#[test]
fn chunks_with_and_without_output_as_on_one_thread() {
    // About seven chunks of the usual size.
    let input = tickets(12_000);
    let chunk = crate::tickets::chunk::CHUNK_BYTES;
    for marks in [
        &[NOTHING; 8][..],
        &[ROWS | REJECT; 8],
        &[
            NOTHING, REJECT, NOTHING, NOTHING, ROWS, NOTHING, NOTHING, NOTHING,
        ],
    ] {
        same_as_one_thread(&input, chunk, marks, false, None);
    }
    // Several chunks, each a batch.
    let (lines, _) = run(&input, chunk, 1, false, false, &[ROWS; 8], Log::default());
    assert!(lines.len() >= 6, "{lines:?}");
}

#[test]
fn a_thread_that_panics_stops_the_run_with_its_panic() {
    let input = tickets(500);
    for (threads, one) in [(2, false), (3, false), (2, true)] {
        for marks in [[NOTHING; 16], [ROWS; 16]] {
            let mut reader = reader(&input, SMALL);
            let mut new = || Marking {
                csv: core_reader(),
                marks: &marks,
                panic_at: Some(5),
            };
            let mut log = Log::default();
            let result = std::panic::catch_unwind(AssertUnwindSafe(|| {
                evaluate(&mut reader, &mut new, threads, one, false, &mut log).is_ok()
            }));
            let panic = result.expect_err("the evaluator's panic goes on");
            assert_eq!(
                panic.downcast_ref::<&str>(),
                Some(&"evaluator failed on purpose"),
                "{threads} threads, one evaluator {one}"
            );
            // What came before the failed batch, at most, in order.
            assert!(log.lines.len() <= 5, "{:?}", log.lines);
        }
    }
}
