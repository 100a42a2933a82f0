//! The batches handed out as chunks, decoded column by column on several threads at once and
//! in any order, split into the records (fields and lines) the one-by-one read gives.

use std::sync::{Arc, Mutex};

use arrow_array::builder::{StringBuilder, TimestampSecondBuilder};
use arrow_array::{ArrayRef, RecordBatch};
use arrow_schema::{DataType, Field, Schema, TimeUnit};
use csv::ByteRecord;
use parquet::arrow::ArrowWriter;
use parquet::basic::Compression;
use parquet::file::properties::WriterProperties;

use super::rows;
use crate::tickets::Records;
use crate::tickets::chunk::TypedChunk;
use crate::tickets::source::TypedRows as _;

/// A record as fields and line.
type Row = (u64, Vec<Vec<u8>>);

/// `rows` seeded rows, line breaks in two of the string columns, nulls, a timestamp column;
/// row groups of `row_group` rows (batches of `BATCH_ROWS` span them); dictionary-encoded string
/// columns or plain ones.
fn write(path: &std::path::Path, rows: usize, row_group: usize, seed: u64, dictionary: bool) {
    let mut state = seed | 1;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let (mut id, mut text, mut tier) = (
        StringBuilder::new(),
        StringBuilder::new(),
        StringBuilder::new(),
    );
    let mut at = TimestampSecondBuilder::new().with_timezone("UTC");
    for i in 0..rows {
        let r = next();
        id.append_value(format!("T{i}"));
        match r % 11 {
            0 => text.append_value(format!("one\ntwo\nthree {i}")),
            1 => text.append_null(),
            _ => text.append_value(format!("refund {i}, charged twice")),
        }
        match (r >> 8) % 13 {
            0 => tier.append_value("tier\n1"),
            1 => tier.append_null(),
            _ => tier.append_value("tier1"),
        }
        match (r >> 16) % 7 {
            0 => at.append_null(),
            _ => at.append_value(1_772_445_600 + (r >> 24) as i64 % 10_000_000),
        }
    }
    let arrays: Vec<ArrayRef> = vec![
        Arc::new(id.finish()),
        Arc::new(text.finish()),
        Arc::new(at.finish()),
        Arc::new(tier.finish()),
    ];
    let schema = Arc::new(Schema::new(vec![
        Field::new("id", DataType::Utf8, true),
        Field::new("text", DataType::Utf8, true),
        Field::new(
            "created_at",
            DataType::Timestamp(TimeUnit::Second, Some("UTC".into())),
            true,
        ),
        Field::new("resolved_tier", DataType::Utf8, true),
    ]));
    let batch = RecordBatch::try_new(schema.clone(), arrays).unwrap();
    let props = WriterProperties::builder()
        .set_compression(Compression::SNAPPY)
        .set_max_row_group_row_count(Some(row_group))
        .set_dictionary_enabled(dictionary)
        .build();
    let file = std::fs::File::create(path).unwrap();
    let mut writer = ArrowWriter::try_new(file, schema, Some(props)).unwrap();
    writer.write(&batch).unwrap();
    writer.close().unwrap();
}

/// The rows read one by one (the file's one reader, in order).
fn one_by_one(path: &std::path::Path) -> Vec<Row> {
    let mut rows = rows(path, None).unwrap();
    let mut record = ByteRecord::new();
    let mut out = Vec::new();
    while let Some(line) = rows.next_row(&mut record).unwrap() {
        out.push((line, record.iter().map(<[u8]>::to_vec).collect()));
    }
    out
}

/// The rows handed out as chunks, split by `threads` threads that each walk the chunks in an
/// order of their own.
fn in_chunks(path: &std::path::Path, threads: usize, seed: u64) -> Vec<Row> {
    let mut rows = rows(path, None).unwrap();
    let mut chunks: Vec<Mutex<Option<Box<dyn TypedChunk>>>> = Vec::new();
    while let Some(chunk) = rows.next_chunk().unwrap() {
        chunks.push(Mutex::new(Some(chunk)));
    }
    let n = chunks.len();
    // Each chunk is split once, by whichever thread claims it first; threads walk the chunks
    // from different starting points and strides, so later batches are often decoded first.
    let mut split: Vec<Vec<Row>> = (0..n).map(|_| Vec::new()).collect();
    let results = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..threads)
            .map(|t| {
                let chunks = &chunks;
                scope.spawn(move || {
                    let mut got = Vec::new();
                    let start = (seed as usize + t * 7) % n;
                    let stride = [1, n - 1, 3, 5][t % 4];
                    for k in 0..n {
                        let seq = (start + k * stride) % n;
                        let Some(chunk) = chunks[seq].lock().unwrap().take() else {
                            continue;
                        };
                        let mut records = Records::default();
                        chunk.split(&mut records);
                        assert_eq!(chunk.error(), None);
                        let rows: Vec<Row> = (0..records.len())
                            .filter_map(|i| records.get(i))
                            .map(|r| (r.line(), r.iter().map(<[u8]>::to_vec).collect()))
                            .collect();
                        got.push((seq, rows));
                    }
                    got
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap())
            .collect::<Vec<_>>()
    });
    for (seq, rows) in results {
        split[seq] = rows;
    }
    split.into_iter().flatten().collect()
}

#[test]
fn chunks_decoded_in_parallel_in_any_order_give_the_one_by_one_rows() {
    let dir = tempfile::tempdir().unwrap();
    for (seed, rows, row_group, dictionary) in [
        (1u64, 9_000, 700, true),
        (2, 5_000, 5_000, true),
        // The last batch holds one row; row groups the size of a batch.
        (3, 3 * super::BATCH_ROWS + 1, super::BATCH_ROWS, false),
        (4, 4_100, 900, false),
    ] {
        let path = dir.path().join(format!("t{seed}.parquet"));
        write(&path, rows, row_group, seed, dictionary);
        let expected = one_by_one(&path);
        assert_eq!(expected.len(), rows);
        for threads in [1, 2, 3, 4] {
            let got = in_chunks(&path, threads, seed);
            assert_eq!(got.len(), expected.len(), "{threads} threads, seed {seed}");
            for (g, e) in got.iter().zip(&expected) {
                assert_eq!(g, e, "{threads} threads, seed {seed}");
            }
        }
    }
}

#[test]
fn dictionary_encoded_string_columns_are_read_as_dictionaries() {
    use arrow_array::RecordBatchReader as _;
    use parquet::arrow::arrow_reader::{ArrowReaderMetadata, ArrowReaderOptions};
    let dir = tempfile::tempdir().unwrap();
    for dictionary in [true, false] {
        let path = dir.path().join(format!("{dictionary}.parquet"));
        write(&path, 3_000, 1_000, 5, dictionary);
        let file = std::fs::File::open(&path).unwrap();
        let metadata = ArrowReaderMetadata::load(&file, ArrowReaderOptions::default()).unwrap();
        // id, text, created_at, resolved_tier: the strings only, and only when every page is
        // dictionary-encoded.
        for (root, expected) in [
            (0, dictionary),
            (1, dictionary),
            (2, false),
            (3, dictionary),
        ] {
            assert_eq!(super::all_dictionary(&metadata, root), expected, "{root}");
            let mut reader = super::column_reader(&path, &metadata, root).unwrap();
            assert!(
                matches!(
                    reader.schema().field(0).data_type(),
                    DataType::Dictionary(..)
                ) == expected
            );
            let batch = reader.next().unwrap().unwrap();
            let column = super::Column::of(batch.column(0));
            assert_eq!(
                matches!(column, super::Column::Dictionary { .. }),
                expected,
                "{root}"
            );
        }
    }
}

/// A dictionary column reads as the same strings held plainly, with null keys and null values:
/// the cells, their text and their line breaks.
#[test]
fn dictionaries_read_as_their_strings() {
    use arrow_array::types::Int32Type;
    use arrow_array::{ArrayRef, DictionaryArray, Int32Array, StringArray};
    use std::sync::Arc;
    for size in [3usize, 257] {
        let values: Vec<Option<String>> = (0..size)
            .map(|i| match i % 7 {
                3 => None,
                5 => Some(format!("two\nlines {i}")),
                _ => Some(format!("v{i}")),
            })
            .collect();
        let keys: Vec<Option<i32>> = (0..2_000)
            .map(|row: usize| (row % 11 != 4).then_some(((row * 7919) % size) as i32))
            .collect();
        let plain: StringArray = keys
            .iter()
            .map(|key| key.and_then(|k| values[k as usize].clone()))
            .collect();
        let dictionary = DictionaryArray::<Int32Type>::try_new(
            Int32Array::from(keys.clone()),
            Arc::new(StringArray::from(values.clone())),
        )
        .unwrap();
        let plain = super::Column::of(&(Arc::new(plain) as ArrayRef));
        let column = super::Column::of(&(Arc::new(dictionary) as ArrayRef));
        assert!(matches!(column, super::Column::Dictionary { .. }));
        assert_eq!(column.len(), plain.len());
        assert_eq!(column.newlines(), plain.newlines(), "{size} values");
        for row in 0..keys.len() {
            assert_eq!(
                column.cell(row),
                plain.cell(row),
                "{size} values, row {row}"
            );
            let (mut a, mut b) = (String::new(), String::new());
            column.text(row, &mut a);
            plain.text(row, &mut b);
            assert_eq!(a, b);
        }
    }
}
