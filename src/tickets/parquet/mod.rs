//! Parquet ticket files (`--tickets FILE.parquet`, cargo feature `parquet`): the file is read
//! row group by row group, only the columns the mapping names, and each row is split into the
//! fields of one record straight from its Arrow columns (no CSV text in between), so the reader,
//! the folding of events, `--where` and the parser see exactly what a CSV export of the same
//! table would give them, line numbers included. Values are rendered as text the parser reads:
//! numbers as written, booleans `true`/`false`, timestamps RFC 3339 (with the offset when the
//! column is UTC-adjusted, without one otherwise, so `[timestamps] timezone` applies), dates
//! `YYYY-MM-DD`, nulls empty. Readers of CSV text (lint's data checks) get the same rows
//! written as CSV ([`as_csv`]).

mod column;
mod csv;
mod decoder;

use std::collections::BTreeSet;
use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use ::csv::ByteRecord;
use arrow_schema::{DataType, Field, Schema};
use parquet::arrow::ProjectionMask;
use parquet::arrow::arrow_reader::{
    ArrowReaderMetadata, ArrowReaderOptions, ParquetRecordBatchReader,
    ParquetRecordBatchReaderBuilder,
};

use super::chunk::TypedChunk;
use column::Column;
pub use csv::{ParquetCsv, as_csv};
use decoder::{Decoder, ParquetChunk};

/// Parquet files begin (and end) with these four bytes.
const MAGIC: &[u8; 4] = b"PAR1";

/// Whether the file is Parquet, by its first bytes (whatever its name).
pub fn is_parquet(path: &Path) -> bool {
    let mut head = [0u8; 4];
    File::open(path)
        .and_then(|mut f| f.read_exact(&mut head))
        .is_ok_and(|()| &head == MAGIC)
}

/// The rows of a Parquet file, split into fields straight from its Arrow columns (no CSV text
/// in between), for [`super::TicketReader::from_rows`]. `columns`: the column names to read
/// (the mapping's; one of a type handoff cannot read is an error); `None` reads every column
/// it can. Columns are kept in the file's order; row groups are decoded as they are reached.
pub fn rows(path: &Path, columns: Option<&BTreeSet<String>>) -> Result<ParquetRows, String> {
    let file = File::open(path).map_err(|e| format!("cannot open: {e}"))?;
    let metadata = ArrowReaderMetadata::load(&file, ArrowReaderOptions::default())
        .map_err(|e| format!("not a readable Parquet file: {e}"))?;
    let builder = ParquetRecordBatchReaderBuilder::new_with_metadata(file, metadata.clone());
    let schema = builder.schema().clone();
    let roots: Vec<usize> = schema
        .fields()
        .iter()
        .enumerate()
        .filter(|(_, f)| match columns {
            Some(wanted) => wanted.contains(f.name()),
            // Reading every column (lint's data checks): one of a type handoff cannot read is
            // left out, as if the file lacked it.
            None => supported(f.data_type()),
        })
        .map(|(i, _)| i)
        .collect();
    for &i in &roots {
        let field = schema.field(i);
        if !supported(field.data_type()) {
            return Err(format!(
                "column `{}` has type {}, which handoff does not read (strings, numbers, booleans, timestamps and dates)",
                field.name(),
                field.data_type()
            ));
        }
    }
    let headers: Vec<String> = roots
        .iter()
        .enumerate()
        .map(|(n, &i)| {
            let name = schema.field(i).name();
            // As in a CSV header, a byte-order mark before the first name is not part of it.
            match n {
                0 => name.trim_start_matches('\u{feff}').to_string(),
                _ => name.clone(),
            }
        })
        .collect();
    // The header is line 1 of a CSV export of the table; a name with line breaks takes more.
    let header_lines: u64 = schema_lines(roots.iter().map(|&i| schema.field(i).name().as_bytes()));
    let total = builder
        .metadata()
        .row_groups()
        .iter()
        .map(|group| u64::try_from(group.num_rows()).unwrap_or(0))
        .sum();
    let mask = ProjectionMask::roots(builder.parquet_schema(), roots.iter().copied());
    let batches = builder
        .with_projection(mask)
        .with_batch_size(BATCH_ROWS)
        .build()
        .map_err(|e| format!("cannot read: {e}"))?;
    Ok(ParquetRows {
        batches: Some(batches),
        path: path.to_path_buf(),
        metadata,
        roots,
        decoder: None,
        total,
        handed: 0,
        headers,
        columns: Vec::new(),
        rows: 0,
        row: 0,
        line: 1 + header_lines,
        read: 0,
        cell: String::new(),
    })
}

/// Rows decoded at a time. The evaluating threads take a column's decoder in turn for each
/// batch (`decoder.rs`), so larger batches mean fewer hand-overs: on `bench/parquet.sh`'s 1M
/// tickets, 4,096 rows made Parquet 1.07–1.09× as fast as CSV where 1,024 gave 0.96–1.00×,
/// for about 7 MiB more peak RSS (47 MiB: the pool holds a few batches of about 2.5 MB).
const BATCH_ROWS: usize = 4096;

/// Lines a CSV record of these fields takes: one, plus the line breaks inside them.
fn schema_lines<'a>(fields: impl Iterator<Item = &'a [u8]>) -> u64 {
    1 + fields.map(newlines).sum::<u64>()
}

/// `\n` bytes in `bytes`: `memchr` skips the (usual) text without any at once.
fn newlines(bytes: &[u8]) -> u64 {
    memchr::memchr_iter(b'\n', bytes).count() as u64
}

fn supported(data_type: &DataType) -> bool {
    use DataType::*;
    matches!(
        data_type,
        Utf8 | LargeUtf8
            | Utf8View
            | Boolean
            | Int8
            | Int16
            | Int32
            | Int64
            | UInt8
            | UInt16
            | UInt32
            | UInt64
            | Float32
            | Float64
            | Date32
            | Timestamp(_, _)
            | Null
    )
}

/// Rows of a Parquet file ([`rows`]).
pub struct ParquetRows {
    /// The decoder, until the rows are handed out as chunks: then it is `decoder`'s.
    batches: Option<ParquetRecordBatchReader>,
    /// The file, its metadata and the columns read: each column gets a decoder of its own
    /// once the rows are handed out as chunks.
    path: PathBuf,
    metadata: ArrowReaderMetadata,
    roots: Vec<usize>,
    /// Shared by the chunks handed out, which are decoded where they are split.
    decoder: Option<Arc<Decoder>>,
    /// Rows in the file (its row groups'); chunks handed out.
    total: u64,
    handed: u64,
    headers: Vec<String>,
    /// The current batch's columns, and its number of rows.
    columns: Vec<Column>,
    rows: usize,
    /// The next row of the batch.
    row: usize,
    /// The line of the next row in a CSV export of the table.
    line: u64,
    /// Rows handed out (one by one, or in chunks).
    read: u64,
    cell: String,
}

impl super::source::TypedRows for ParquetRows {
    fn headers(&self) -> Vec<String> {
        self.headers.clone()
    }

    fn next_row(&mut self, record: &mut ByteRecord) -> Result<Option<u64>, String> {
        while self.row == self.rows {
            let Some(columns) = self.next_batch()? else {
                return Ok(None);
            };
            self.rows = columns.first().map_or(0, Column::len);
            self.columns = columns;
            self.row = 0;
        }
        record.clear();
        for column in &self.columns {
            column.push(self.row, record, &mut self.cell);
        }
        self.row += 1;
        self.read += 1;
        let line = self.line;
        self.line += 1 + newlines(record.as_slice());
        Ok(Some(line))
    }

    fn next_chunk(&mut self) -> Result<Option<Box<dyn TypedChunk>>, String> {
        // Only numbered batches are handed out here: the thread that evaluates a batch decodes
        // it ([`Decoder`]), so reading does no decoding at all.
        if self.read >= self.total {
            return Ok(None);
        }
        let decoder = match &self.decoder {
            Some(decoder) => decoder.clone(),
            None => {
                // The one reader for the whole rows is not needed any more.
                self.batches = None;
                let columns = self
                    .roots
                    .iter()
                    .map(|&root| column_reader(&self.path, &self.metadata, root))
                    .collect::<Result<Vec<_>, String>>()?;
                let decoder = Arc::new(Decoder::new(columns, self.line));
                self.decoder = Some(decoder.clone());
                decoder
            }
        };
        let rows = (self.total - self.read).min(BATCH_ROWS as u64);
        let chunk = ParquetChunk::new(decoder, self.handed, rows as usize);
        self.handed += 1;
        self.read += rows;
        Ok(Some(Box::new(chunk)))
    }

    fn position(&self) -> u64 {
        self.read
    }
}

impl ParquetRows {
    /// The columns of the next decoded batch; `None` at the end.
    fn next_batch(&mut self) -> Result<Option<Vec<Column>>, String> {
        let Some(batches) = self.batches.as_mut() else {
            return Ok(None);
        };
        decode(batches)
    }
}

/// A reader of one column of the file (root column `root`), with a file handle of its own (a
/// cloned handle would share its offset with the other columns' readers on other threads).
fn column_reader(
    path: &Path,
    metadata: &ArrowReaderMetadata,
    root: usize,
) -> Result<ParquetRecordBatchReader, String> {
    let file = File::open(path).map_err(|e| format!("cannot open: {e}"))?;
    let metadata = match all_dictionary(metadata, root) {
        // Read as an Arrow dictionary: each batch points into the column chunk's dictionary
        // instead of copying every value out of it.
        true => {
            let fields: Vec<Field> = metadata
                .schema()
                .fields()
                .iter()
                .enumerate()
                .map(|(i, f)| match i == root {
                    true => f.as_ref().clone().with_data_type(DataType::Dictionary(
                        Box::new(DataType::Int32),
                        Box::new(DataType::Utf8),
                    )),
                    false => f.as_ref().clone(),
                })
                .collect();
            let schema = Schema::new_with_metadata(fields, metadata.schema().metadata().clone());
            let options = ArrowReaderOptions::new().with_schema(Arc::new(schema));
            // A schema the reader refuses: read the column as plain strings.
            ArrowReaderMetadata::try_new(metadata.metadata().clone(), options)
                .unwrap_or_else(|_| metadata.clone())
        }
        false => metadata.clone(),
    };
    let builder = ParquetRecordBatchReaderBuilder::new_with_metadata(file, metadata);
    let mask = ProjectionMask::roots(builder.parquet_schema(), [root]);
    builder
        .with_projection(mask)
        .with_batch_size(BATCH_ROWS)
        .build()
        .map_err(|e| format!("cannot read: {e}"))
}

/// Whether root column `root` is a string column whose every data page, in every row group,
/// is dictionary-encoded (a column that falls back to plain pages would have its dictionary
/// rebuilt by hashing every value).
fn all_dictionary(metadata: &ArrowReaderMetadata, root: usize) -> bool {
    use parquet::basic::Encoding;
    let is_utf8 = metadata
        .schema()
        .fields()
        .get(root)
        .is_some_and(|f| f.data_type() == &DataType::Utf8);
    let parquet = metadata.metadata();
    let schema = parquet.file_metadata().schema_descr();
    // The one leaf of the root (a string is a primitive column).
    let leaves: Vec<usize> = (0..schema.num_columns())
        .filter(|&leaf| schema.get_column_root_idx(leaf) == root)
        .collect();
    let [leaf] = leaves[..] else {
        return false;
    };
    is_utf8
        && parquet.row_groups().iter().all(|group| {
            group.columns().get(leaf).is_some_and(|chunk| {
                chunk.dictionary_page_offset().is_some()
                    && chunk.page_encoding_stats_mask().is_some_and(|mask| {
                        mask.is_only(Encoding::PLAIN_DICTIONARY)
                            || mask.is_only(Encoding::RLE_DICTIONARY)
                    })
            })
        })
}

/// The columns of `batches`' next batch; `None` at the end.
fn decode(batches: &mut ParquetRecordBatchReader) -> Result<Option<Vec<Column>>, String> {
    let Some(batch) = batches.next() else {
        return Ok(None);
    };
    let batch = batch.map_err(|e| format!("cannot read: {e}"))?;
    Ok(Some(batch.columns().iter().map(Column::of).collect()))
}

/// The columns to read for this mapping: every column it names (plain, folded, in a `where`,
/// in `[events]`), every canonical field name and the extra fields the policy needs (read
/// under their own name when unmapped).
pub fn mapped_columns(mapping: &super::Mapping, needs: &super::layout::Needs) -> BTreeSet<String> {
    use super::mapping::{Source, TextColumns};
    use crate::fields::Field;
    fn fold(fold: &super::mapping::Fold, columns: &mut BTreeSet<String>) {
        columns.insert(fold.column.clone());
        columns.extend(fold.filter.iter().map(|(c, _)| c.clone()));
    }
    fn source(source: &Source, columns: &mut BTreeSet<String>) {
        match source {
            Source::Column(c) => {
                columns.insert(c.clone());
            }
            Source::Fold(f) => fold(f, columns),
        }
    }
    let mut columns = BTreeSet::new();
    for field in Field::ALL {
        if let Some(s) = mapping.columns.source(field) {
            source(s, &mut columns);
        }
    }
    match &mapping.columns.text {
        Some(TextColumns::Fold(f)) => fold(f, &mut columns),
        Some(text) => columns.extend(text.list()),
        None => {}
    }
    for s in mapping.fields.values() {
        source(s, &mut columns);
    }
    if let Some(events) = &mapping.events {
        columns.extend(events.ticket.clone());
        columns.extend(events.time.clone());
        columns.extend(events.stage.clone());
        if let Some(thread) = &events.thread {
            columns.insert(thread.id.clone());
            columns.insert(thread.parent.clone());
        }
    }
    columns.extend(Field::ALL.into_iter().map(|f| f.name().to_string()));
    columns.extend(needs.extras.iter().cloned());
    columns.extend(needs.rule_fields.iter().cloned());
    columns
}

#[cfg(test)]
mod tests;
#[cfg(test)]
mod typed_tests;
