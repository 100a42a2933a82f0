//! The CSV side: resolving a header against a mapping, and reading raw records (which
//! [`super::TicketParser`] turns into tickets).

use std::io::Read;

use csv::ByteRecord;

use super::chunk::{Chunk, Cutter, TypedChunk, read_error};
use super::events::chunks::EventChunks;
use super::events::{EventFolder, Plan};
use super::filter::{TicketFilter, Where};
pub use super::layout::{Layout, LayoutError, Needs};
use super::mapping::Mapping;
use super::record::{RawRecord, Records};

/// Why a record was rejected.
#[derive(Debug, Clone, PartialEq)]
pub struct RowError {
    pub line: u64,
    pub id: Option<String>,
    pub reason: String,
}

/// Rows that arrive already split into fields (a Parquet file): no CSV text in between.
pub trait TypedRows: Send {
    /// The column names, in the order of each row's fields.
    fn headers(&self) -> Vec<String>;
    /// Fill `record` with the next row; `Ok(None)` at the end, else the row's line (the line
    /// a CSV export of the same table would give it).
    fn next_row(&mut self, record: &mut ByteRecord) -> Result<Option<u64>, String>;
    /// The next rows not split into records (the replay thread that evaluates them splits
    /// them); `Ok(None)` at the end. Not mixed with [`TypedRows::next_row`].
    fn next_chunk(&mut self) -> Result<Option<Box<dyn TypedChunk>>, String>;
    /// How far the read has come, for progress.
    fn position(&self) -> u64;
}

/// The rows of an input, one reused record at a time, each with the line an editor shows.
struct Rows {
    input: RowInput,
    record: ByteRecord,
    line: u64,
    /// The current record was read ahead (to check the first event) and not handed out yet.
    peeked: bool,
}

enum RowInput {
    Csv {
        reader: csv::Reader<Box<dyn Read + Send>>,
        /// Keeps the input from reading far past the start of the current record.
        limit: super::sniff::Limit,
    },
    Typed(Box<dyn TypedRows>),
    /// The CSV input was handed to a [`Cutter`]: no rows left here (as from an empty input,
    /// without building a CSV reader for it).
    Cut,
}

impl Rows {
    /// Read the next row into `record`; `false` at the end of the input.
    fn next(&mut self) -> Result<bool, csv::Error> {
        if std::mem::take(&mut self.peeked) {
            return Ok(true);
        }
        let (reader, limit) = match &mut self.input {
            RowInput::Csv { reader, limit } => (reader, limit),
            RowInput::Cut => return Ok(false),
            RowInput::Typed(rows) => {
                let row = rows
                    .next_row(&mut self.record)
                    .map_err(|e| csv::Error::from(std::io::Error::other(e)))?;
                if let Some(line) = row {
                    self.line = line;
                }
                return Ok(row.is_some());
            }
        };
        let line = reader.position().line();
        let more = reader
            .read_byte_record(&mut self.record)
            .map_err(|e| csv::Error::from(std::io::Error::other(read_error(e, line))))?;
        let end = reader.position().clone();
        limit.record_starts_at(end.byte());
        if more {
            self.line = physical_line(&self.record, limit, end);
        }
        Ok(more)
    }

    fn position(&self) -> u64 {
        match &self.input {
            RowInput::Csv { reader, .. } => reader.position().byte(),
            RowInput::Cut => 0,
            RowInput::Typed(rows) => rows.position(),
        }
    }

    /// The rest of a CSV input, to be cut into chunks of about `chunk_bytes`: only before any
    /// record was read (`rows` then reads nothing more).
    fn cutter(&mut self, chunk_bytes: usize) -> Option<Cutter> {
        if self.peeked || self.line != 1 {
            return None;
        }
        let RowInput::Csv { reader, limit } = &self.input else {
            return None;
        };
        let position = reader.position().clone();
        // What the CSV reader read ahead after the header (at most its 8 KiB buffer).
        let leftover = limit.bytes_from(position.byte())?;
        let limit = limit.clone();
        // The input goes to the cutter; these rows read nothing more.
        let RowInput::Csv { reader, .. } = std::mem::replace(&mut self.input, RowInput::Cut) else {
            return None;
        };
        Some(Cutter::new(
            reader.into_inner(),
            limit,
            leftover,
            position.byte(),
            position.line().saturating_sub(1),
            chunk_bytes,
        ))
    }
}

/// The line an editor shows for the record just read. The reader's own count is the line
/// where it began looking for the record, before blank lines and before the `\n` of a CRLF
/// line end; so count back from where the record ended instead: minus the line breaks
/// inside its quoted fields, minus its own `\n` when the reader consumed it (a `\r\n`
/// ending stops at the `\r`).
fn physical_line(record: &ByteRecord, limit: &super::sniff::Limit, end: csv::Position) -> u64 {
    // `memchr` passes over a record without line breaks (the usual one) at once.
    let inner = memchr::memchr_iter(b'\n', record.as_slice()).count() as u64;
    let own_newline = end.byte() > 0 && limit.byte_at(end.byte() - 1) == Some(b'\n');
    end.line()
        .saturating_sub(inner + u64::from(own_newline))
        .max(1)
}

/// Reads the records of a ticket CSV (the header is resolved into a [`Layout`] first). Records
/// stay raw bytes here: [`super::TicketParser`] turns them into tickets, on any thread. With
/// `[events]` in the mapping, the rows are events and each record is a ticket folded from them
/// ([`super::events`]); [`TicketReader::mapping`] then reads those records.
pub struct TicketReader {
    rows: Rows,
    /// Once [`TicketReader::cuts_chunks`] said yes: the input after the header, cut into chunks
    /// of raw records (`rows` then reads nothing more).
    cutter: Option<Cutter>,
    /// Once [`TicketReader::cuts_chunks`] said yes to typed rows: the rest is read as chunks
    /// of decoded rows ([`TypedRows::next_chunk`]).
    typed_chunks: bool,
    events: Option<Box<EventFolder>>,
    /// With `[events]` in a CSV file: the events, cut into chunks and split into records as
    /// replay's workers split plain records (`rows` then reads nothing more).
    event_chunks: Option<Box<EventChunks>>,
    /// One event at a time from `rows`, as the folder reads it.
    event_scratch: Records,
    filter: Option<TicketFilter>,
    /// The notes of the end of the read are added (once).
    noted: bool,
    pub layout: Layout,
}

impl TicketReader {
    pub fn new(
        input: Box<dyn Read + Send>,
        mapping: &Mapping,
        needs: &Needs,
    ) -> Result<TicketReader, String> {
        TicketReader::with_event_chunks(input, mapping, needs, Some(super::chunk::CHUNK_BYTES))
    }

    /// [`TicketReader::new`], reading the events of an event log (`[events]`) in chunks of
    /// about `chunk_bytes` (tests cut small ones), or with `None` one by one through the `csv`
    /// crate's reader (what the chunked read is tested against).
    pub fn with_event_chunks(
        input: Box<dyn Read + Send>,
        mapping: &Mapping,
        needs: &Needs,
        chunk_bytes: Option<usize>,
    ) -> Result<TicketReader, String> {
        let (input, limit) = super::sniff::guarded(input)?;
        let mut reader = csv::ReaderBuilder::new()
            .flexible(true)
            .has_headers(true)
            .from_reader(input);
        let header = reader
            .byte_headers()
            .map_err(|e| format!("cannot read the CSV header: {}", read_error(e, 1)))?
            .clone();
        if header.is_empty() || (header.len() == 1 && header[0].is_empty()) {
            return Err("the input is empty: a CSV header is needed".into());
        }
        let headers: Vec<String> = header
            .iter()
            .enumerate()
            .map(|(i, h)| {
                let text = String::from_utf8_lossy(h).into_owned();
                if i == 0 {
                    text.trim_start_matches('\u{feff}').to_string()
                } else {
                    text
                }
            })
            .collect();
        limit.record_starts_at(reader.position().byte());
        let rows = Rows {
            input: RowInput::Csv { reader, limit },
            record: ByteRecord::new(),
            line: 1,
            peeked: false,
        };
        TicketReader::with_rows(rows, headers, mapping, needs, chunk_bytes)
    }

    /// Read rows that come split into fields already (a Parquet file), through `mapping`.
    pub fn from_rows(
        rows: Box<dyn TypedRows>,
        mapping: &Mapping,
        needs: &Needs,
    ) -> Result<TicketReader, String> {
        let headers = rows.headers();
        if headers.is_empty() {
            return Err("the input is empty: a CSV header is needed".into());
        }
        let rows = Rows {
            input: RowInput::Typed(rows),
            record: ByteRecord::new(),
            line: 1,
            peeked: false,
        };
        TicketReader::with_rows(rows, headers, mapping, needs, None)
    }

    fn with_rows(
        mut rows: Rows,
        headers: Vec<String>,
        mapping: &Mapping,
        needs: &Needs,
        event_chunk_bytes: Option<usize>,
    ) -> Result<TicketReader, String> {
        let mut event_chunks = None;
        let (layout, events) = match &mapping.events {
            None => (
                Layout::resolve(headers, mapping, needs).map_err(|e| e.to_string())?,
                None,
            ),
            Some(events) => {
                let timezone = match &mapping.timestamps.timezone {
                    Some(name) => jiff::tz::TimeZone::get(name).map_err(|e| e.to_string())?,
                    None => jiff::tz::TimeZone::UTC,
                };
                let plan = Plan::resolve(&headers, mapping, events, needs, timezone)?;
                event_chunks = event_chunk_bytes
                    .and_then(|size| rows.cutter(size))
                    .map(|cutter| Box::new(EventChunks::new(cutter)));
                // A read error is reported when the record is read in turn.
                let mut scratch = Records::default();
                let first = match event_chunks.as_mut() {
                    Some(chunks) => chunks.peek(),
                    None if rows.next().unwrap_or(false) => {
                        rows.peeked = true;
                        scratch.push(&rows.record, rows.line);
                        scratch.get(0)
                    }
                    None => None,
                };
                if let Some(first) = first {
                    check_first_time(first, &plan)?;
                }
                let layout = Layout::resolve(plan.headers.clone(), &plan.mapping, needs)
                    .map_err(|e| e.to_string())?;
                (layout, Some(Box::new(EventFolder::new(plan))))
            }
        };
        Ok(TicketReader {
            rows,
            cutter: None,
            typed_chunks: false,
            events,
            event_chunks,
            event_scratch: Records::default(),
            filter: None,
            noted: false,
            layout,
        })
    }

    /// Keep only the tickets `--where` names (`Err` for a field the data does not have).
    pub fn keep_only(&mut self, wheres: &[Where], mapping: &Mapping) -> Result<(), String> {
        let mapping = self.mapping(mapping).clone();
        self.filter = TicketFilter::resolve(wheres, &self.layout, &mapping)?;
        Ok(())
    }

    /// The mapping that reads this reader's records: `mapping` itself, or with `[events]` the
    /// mapping of the folded records.
    pub fn mapping<'m>(&'m self, mapping: &'m Mapping) -> &'m Mapping {
        match &self.events {
            Some(folder) => &folder.plan.mapping,
            None => mapping,
        }
    }

    /// Append the next record to `records`; `false` at the end of the input.
    pub fn read(&mut self, records: &mut Records) -> Result<bool, csv::Error> {
        loop {
            if !self.read_one(records)? {
                self.note_end();
                return Ok(false);
            }
            let Some(filter) = self.filter.as_mut() else {
                return Ok(true);
            };
            match records.get(records.len() - 1) {
                Some(record) if !filter.keeps(record) => records.pop(),
                _ => return Ok(true),
            }
        }
    }

    fn read_one(&mut self, records: &mut Records) -> Result<bool, csv::Error> {
        let Some(folder) = self.events.as_mut() else {
            let more = self.rows.next()?;
            if more {
                records.push(&self.rows.record, self.rows.line);
            }
            return Ok(more);
        };
        loop {
            if folder.pop(records) {
                return Ok(true);
            }
            if folder.is_finished() {
                return Ok(false);
            }
            let stop = |message: String| csv::Error::from(std::io::Error::other(message));
            let event = match self.event_chunks.as_mut() {
                Some(chunks) => chunks.next_event()?,
                None if self.rows.next()? => {
                    self.event_scratch.clear();
                    self.event_scratch.push(&self.rows.record, self.rows.line);
                    self.event_scratch.get(0).map(|record| (record, None))
                }
                None => None,
            };
            match event {
                Some((record, prepared)) => folder.event(record, prepared).map_err(stop)?,
                None => folder.finish().map_err(stop)?,
            }
        }
    }

    /// From here on, cut an event log into chunks, split them into records and clean the
    /// cells the folds read on a thread of its own, ahead of the fold (replay on several
    /// threads); the same events reach the fold in the same order. `false` when the input is
    /// not an event log read in chunks (or the thread cannot start).
    pub fn split_events_ahead(&mut self) -> bool {
        match (self.event_chunks.as_mut(), &self.events) {
            (Some(chunks), Some(folder)) => chunks.split_ahead(&folder.plan),
            _ => false,
        }
    }

    /// Add the notes only the end of the read knows: how many events made how many tickets,
    /// how many tickets `--where` kept.
    fn note_end(&mut self) {
        if std::mem::replace(&mut self.noted, true) {
            return;
        }
        if let Some(folder) = &self.events {
            self.layout.notes.push(folder.counts.note());
        }
        if let Some(filter) = &self.filter {
            self.layout.notes.push(filter.note());
        }
    }

    /// Send every complete ticket's stays at each stage to `sink` (the flow of history);
    /// `false` without `[events] stage`.
    pub fn track_flow(
        &mut self,
        sink: std::sync::Arc<std::sync::Mutex<dyn super::events::FlowSink>>,
    ) -> bool {
        self.events
            .as_mut()
            .is_some_and(|folder| folder.track_flow(sink))
    }

    /// Whether the events name a stage (`[events] stage`).
    pub fn has_stages(&self) -> bool {
        self.events
            .as_ref()
            .is_some_and(|folder| folder.plan.stage.is_some())
    }

    /// How many events made how many tickets, with `[events]`.
    pub fn event_counts(&self) -> Option<super::events::EventCounts> {
        self.events.as_ref().map(|folder| folder.counts)
    }

    /// Bytes read so far (for progress).
    pub fn position(&self) -> u64 {
        match (&self.cutter, &self.event_chunks) {
            (Some(cutter), _) => cutter.position(),
            (None, Some(chunks)) => chunks.position(),
            (None, None) => self.rows.position(),
        }
    }

    /// Whether the rest of the input can be read as chunks of raw CSV, or of decoded typed rows
    /// ([`TicketReader::read_chunk`]), that the replay's workers parse or split: when each record is a ticket as it stands — no
    /// `[events]` to fold, no `--where`, ids from a column (not the record's number, which a
    /// worker cannot know) — and before any record was read one by one. The first `true`
    /// switches this reader to chunks for good.
    pub fn cuts_chunks(&mut self) -> bool {
        self.cuts_chunks_of(super::chunk::CHUNK_BYTES)
    }

    /// [`TicketReader::cuts_chunks`], with chunks of about `chunk_bytes` (tests cut small ones).
    pub fn cuts_chunks_of(&mut self, chunk_bytes: usize) -> bool {
        if self.cutter.is_some() || self.typed_chunks {
            return true;
        }
        if self.events.is_some() || self.filter.is_some() || self.layout.id.is_none() {
            return false;
        }
        // Typed rows (Parquet) come decoded, a chunk at a time.
        if let RowInput::Typed(_) = self.rows.input {
            if self.rows.peeked || self.rows.line != 1 {
                return false;
            }
            self.typed_chunks = true;
            return true;
        }
        self.cutter = self.rows.cutter(chunk_bytes);
        self.cutter.is_some()
    }

    /// The next chunk of whole records, once [`TicketReader::cuts_chunks`] said yes (else an
    /// empty last chunk). On a read error the chunk holds the records read before it.
    pub fn read_chunk(&mut self, chunk: &mut Chunk) -> Result<(), csv::Error> {
        chunk.typed = None;
        chunk.quoted.clear();
        if let (true, RowInput::Typed(rows)) = (self.typed_chunks, &mut self.rows.input) {
            chunk.bytes.clear();
            let next = rows.next_chunk();
            chunk.last = !matches!(next, Ok(Some(_)));
            if chunk.last {
                self.note_end();
            }
            chunk.typed = next.map_err(|e| csv::Error::from(std::io::Error::other(e)))?;
            return Ok(());
        }
        let Some(cutter) = self.cutter.as_mut() else {
            chunk.bytes.clear();
            chunk.last = true;
            return Ok(());
        };
        let filled = cutter.fill(chunk);
        if chunk.last {
            self.note_end();
        }
        filled.map_err(|error| {
            // The line an editor shows for the interrupted record.
            let line = chunk.newlines + super::chunk::count_newlines(&chunk.bytes) + 1;
            let message = read_error(csv::Error::from(error), line);
            csv::Error::from(std::io::Error::other(message))
        })
    }
}

/// Refuse, before any ticket is read, a time column whose first value (in the first event,
/// `first`) is not a timestamp in the mapping's format: the whole column is then in another
/// format.
fn check_first_time(first: RawRecord<'_>, plan: &Plan) -> Result<(), String> {
    let Some((at, name)) = &plan.time else {
        return Ok(());
    };
    let text = std::str::from_utf8(first.get(*at).unwrap_or_default()).unwrap_or("");
    let text = plan.na.clean_trimmed(super::value::trim(text));
    if text.is_empty() || plan.timestamps.parse(text).is_some() {
        return Ok(());
    }
    let format = match &plan.timestamps.format {
        Some(format) => format!("the format `{format}` of [timestamps]"),
        None => "RFC 3339 or YYYY-MM-DD[ T]HH:MM[:SS] (no [timestamps] format is given)".into(),
    };
    Err(format!(
        "[events] time column `{name}`: its first value `{text}` (line {}) is not a timestamp in {format}; declare the column's format under [timestamps]",
        first.line()
    ))
}

/// Reader and parser together, for callers that read tickets one by one on one thread (lint
/// `--tickets`, explain, policy tests, diff, sweep). Replay uses the reader and parsers apart.
pub struct TicketSource {
    reader: TicketReader,
    parser: super::TicketParser,
    /// One record at a time: cleared before each read.
    record: super::Records,
    records: u64,
    pub layout: Layout,
}

impl TicketSource {
    pub fn new(
        input: Box<dyn Read + Send>,
        mapping: &Mapping,
        needs: Needs,
    ) -> Result<TicketSource, String> {
        let reader = TicketReader::new(input, mapping, &needs)?;
        TicketSource::of(reader, mapping, needs)
    }

    /// Tickets from rows that come split into fields already (a Parquet file).
    pub fn from_rows(
        rows: Box<dyn TypedRows>,
        mapping: &Mapping,
        needs: Needs,
    ) -> Result<TicketSource, String> {
        let reader = TicketReader::from_rows(rows, mapping, &needs)?;
        TicketSource::of(reader, mapping, needs)
    }

    fn of(reader: TicketReader, mapping: &Mapping, needs: Needs) -> Result<TicketSource, String> {
        let parser = super::TicketParser::new(&reader.layout, reader.mapping(mapping), &needs)?;
        let layout = reader.layout.clone();
        Ok(TicketSource {
            reader,
            parser,
            record: super::Records::default(),
            records: 0,
            layout,
        })
    }

    /// The next ticket: `Ok(None)` at the end, `Ok(Some(Err(_)))` for a rejected record, `Err`
    /// when the input cannot be read.
    pub fn next(
        &mut self,
        ticket: &mut super::Ticket,
    ) -> Result<Option<Result<(), RowError>>, csv::Error> {
        self.record.clear();
        if !self.reader.read(&mut self.record)? {
            return Ok(None);
        }
        self.records += 1;
        let Some(raw) = self.record.get(0) else {
            return Ok(None);
        };
        Ok(Some(self.parser.parse(raw, self.records, ticket)))
    }

    /// Keep only the tickets `--where` names.
    pub fn keep_only(&mut self, wheres: &[Where], mapping: &Mapping) -> Result<(), String> {
        self.reader.keep_only(wheres, mapping)
    }

    /// Notes for the report about how the data was read.
    pub fn notes(&self) -> Vec<String> {
        self.parser.notes(&self.reader.layout)
    }

    /// Bad values counted as empty, per field.
    pub fn bad_values(&self) -> &std::collections::BTreeMap<String, u64> {
        &self.parser.bad_values
    }
}
