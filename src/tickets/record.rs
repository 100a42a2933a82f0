//! Raw CSV records stored back to back.
//!
//! Replay hands records between threads in batches. Kept as one `ByteRecord` each, every
//! record slot would grow to the longest record it ever held, so a batch's memory would creep
//! up with the length of the input; stored back to back, a batch takes what its records take.

use csv::ByteRecord;

use super::chunk::Chunk;

mod buffer;
mod plain;
mod typed;

pub use typed::{Cell, TypedBatch};

/// An empty vector of another element type in the same allocation, so that one buffer serves
/// record after record although its elements borrow each record in turn (the parser's cells
/// and field slices: the same type with another lifetime). Collecting an emptied vector into
/// one of the same layout keeps its allocation.
pub fn reuse<A, B>(mut items: Vec<A>) -> Vec<B> {
    items.clear();
    items.into_iter().filter_map(|_| None).collect()
}

/// Consecutive records: their field bytes in one buffer.
#[derive(Debug, Default)]
pub struct Records {
    /// The records' bytes: text when [`Records::read_chunk`] found the chunk all UTF-8.
    bytes: buffer::Buffer,
    /// Bytes between the end of each field in `bytes` and the start of the next one (of the
    /// first, the record's start): none when the fields are written back to back; the
    /// separator and quotes, 1 to 3, when the record is read where it lies in a chunk
    /// ([`plain::plain_record`]). A byte a field, where the field's start would take eight.
    gaps: Vec<u8>,
    /// End of each field in `bytes`.
    ends: Vec<usize>,
    /// How many entries of `gaps` and `ends` are the records' fields. Past it, room that
    /// [`Records::read_chunk`] writes a chunk's fields into by index ([`plain::Fields`]), kept
    /// (stale) from chunk to chunk so that it is zeroed once, not chunk after chunk; the
    /// methods that append fields one by one cut it off first ([`Records::cut_room`]).
    fields: usize,
    /// [`Records::read_chunk`]'s scratch: the fields of the records it cannot read where they
    /// lie in the chunk, before they are appended to `bytes`. Its length only grows (what is
    /// past the last chunk's use is stale), so that the room `csv_core` writes into is zeroed
    /// once, not chunk after chunk.
    rewritten: Vec<u8>,
    records: Vec<Extent>,
    /// Why records were rejected before they became tickets (an event folded into none).
    rejections: Vec<Rejection>,
    /// Typed rows held as they are ([`Records::hold_typed`]): a record without fields is
    /// its row of this batch.
    typed: Option<Box<dyn TypedBatch>>,
}

/// A record rejected while reading (an event without a valid time, …): its id if known and
/// why. The parser rejects it as it stands.
#[derive(Debug, Clone, PartialEq)]
pub struct Rejection {
    pub id: Option<String>,
    pub reason: String,
}

/// Where one record lies in [`Records`]' buffers.
#[derive(Debug, Clone, Copy)]
struct Extent {
    /// Offset of the record in `bytes`.
    start: usize,
    /// Its fields end at `ends[first..last]`, after `gaps[first..last]`.
    first: usize,
    last: usize,
    line: u64,
    /// Index into `rejections`.
    rejected: Option<usize>,
}

/// One record of [`Records`].
#[derive(Debug, Clone, Copy)]
pub struct RawRecord<'a> {
    /// The record's field bytes.
    bytes: &'a [u8],
    /// The same bytes as text, when they were found UTF-8 with the rest of their chunk
    /// ([`RawRecord::text`]).
    text: Option<&'a str>,
    start: usize,
    gaps: &'a [u8],
    ends: &'a [usize],
    line: u64,
    rejection: Option<&'a Rejection>,
    /// A typed row (its batch, and its row in it) not written as text: its cells are read
    /// from the batch ([`RawRecord::typed`]).
    typed: Option<(&'a dyn TypedBatch, usize)>,
}

impl Records {
    pub fn clear(&mut self) {
        self.bytes.clear();
        self.fields = 0;
        self.records.clear();
        self.rejections.clear();
        self.typed = None;
    }

    pub fn len(&self) -> usize {
        self.records.len()
    }

    pub fn is_empty(&self) -> bool {
        self.records.is_empty()
    }

    /// `gaps` and `ends` cut to the records' fields (the room [`Records::read_chunk`] keeps
    /// past them dropped), to append to; [`Records::fields`] follows their length until the
    /// next chunk.
    fn cut_room(&mut self) {
        self.gaps.truncate(self.fields);
        self.ends.truncate(self.fields);
    }

    /// Append a record as read, starting on `line` of the input.
    pub fn push(&mut self, record: &ByteRecord, line: u64) {
        self.cut_room();
        let bytes = self.bytes.bytes_mut();
        let start = bytes.len();
        bytes.extend_from_slice(record.as_slice());
        let first = self.ends.len();
        let mut end = start;
        for field in record {
            self.gaps.push(0);
            end += field.len();
            self.ends.push(end);
        }
        self.fields = self.ends.len();
        self.records.push(Extent {
            start,
            first,
            last: self.fields,
            line,
            rejected: None,
        });
    }

    /// Begin a record on `line` of the input; its fields follow ([`Records::push_field`]).
    pub fn begin(&mut self, line: u64) {
        self.cut_room();
        let (start, first) = (self.bytes.len(), self.fields);
        self.records.push(Extent {
            start,
            first,
            last: first,
            line,
            rejected: None,
        });
    }

    /// Append a field to the record begun last ([`Records::begin`]).
    pub fn push_field(&mut self, field: &[u8]) {
        self.cut_room();
        self.gaps.push(0);
        let bytes = self.bytes.bytes_mut();
        bytes.extend_from_slice(field);
        self.ends.push(bytes.len());
        self.fields = self.ends.len();
        if let Some(extent) = self.records.last_mut() {
            extent.last = self.fields;
        }
    }

    /// The last record.
    pub fn last(&self) -> Option<RawRecord<'_>> {
        self.len().checked_sub(1).and_then(|i| self.get(i))
    }

    /// Parse the whole records of `chunk` with `core` (see [`super::chunk::core_reader`]),
    /// replacing what was here. Each record gets the line a whole-file read gives it (see
    /// [`super::source`]): counted back from where the record ended, minus the line breaks
    /// inside its quoted fields, minus its own `\n` when the parser consumed it.
    /// A plainly written record is split without `core` ([`plain::plain_record`]), which
    /// reads the same fields from it; any other goes to `core` as it stands.
    /// A chunk of typed rows is held as it is ([`Records::hold_typed`]), or split when it
    /// cannot be ([`super::chunk::TypedChunk`]).
    ///
    /// The chunk's bytes are taken, not copied: they become this buffer, and a record written
    /// plainly without a doubled quote (the usual one) is read where it lies in them; the
    /// fields of any other record are written after them. `chunk.bytes` gets this buffer's old
    /// allocation in exchange (to be filled again), at its length (its bytes stale: the cutter
    /// reads over them), and no longer holds the chunk's text.
    pub fn read_chunk(&mut self, core: &mut csv_core::Reader, chunk: &mut Chunk) {
        if let Some(typed) = &chunk.typed {
            self.clear();
            match typed.batch() {
                Some(batch) => self.hold_typed(batch),
                None => typed.split(self),
            }
            return;
        }
        // The buffer of the chunk read before, at the length it had (unless cleared since):
        // it goes back to the chunk, and the cutter reads the next bytes over its stale ones
        // instead of into zeroed room ([`super::chunk::Cutter::fill`]).
        let spare = self.bytes.take();
        self.clear();
        // Chunks begin at a record boundary, whichever this parser read before.
        super::chunk::restart(core);
        let input = std::mem::replace(&mut chunk.bytes, spare);
        // Where the next record starts in `input` and in `rewritten`; `\n` before it.
        let (mut pos, mut out, mut newlines) = (0, 0, chunk.newlines);
        // The fields are written by index (`fields`: how many so far) into the room `gaps` and
        // `ends` keep ([`Records::fields`]), grown when it runs out.
        if self.ends.len().min(self.gaps.len()) < 1024 {
            self.ends.resize(1024, 0);
            self.gaps.resize(1024, 0);
        }
        let mut fields = 0;
        // What the cutter's scan found about the quoted fields (facts about these bytes, in
        // order); none used when the last one lies past them (not found in these bytes).
        let quoted = match chunk.quoted.last() {
            Some(last) if last.quote >= input.len() => &[],
            _ => &chunk.quoted[..],
        };
        let mut known = 0;
        loop {
            let room = (&mut self.gaps, &mut self.ends);
            let found = (quoted, known);
            if let Some(plain) =
                plain::plain_record(&input, pos, &mut self.rewritten, out, room, fields, found)
            {
                known = plain.known;
                self.records.push(Extent {
                    start: plain.at,
                    first: fields,
                    last: plain.fields,
                    line: newlines + 1,
                    rejected: None,
                });
                fields = plain.fields;
                (pos, out) = (plain.end, plain.out);
                newlines += plain.newlines;
                continue;
            }
            match self.read_core(core, &input, chunk.last, pos, (out, fields), newlines) {
                Some((end, end_out, in_record, last)) => {
                    newlines += in_record;
                    (pos, out, fields) = (end, end_out, last);
                }
                None => break,
            }
        }
        self.fields = fields;
        let mut input = input;
        // Rare (doubled quotes, records `csv_core` reads): the offsets of their fields were
        // given as if here already.
        if let Some(rewritten) = self.rewritten.get(..out) {
            input.extend_from_slice(rewritten);
        }
        // Checked UTF-8 once for all its records (the usual chunk), not record by record:
        // [`RawRecord::text`].
        self.bytes.hold(input);
    }

    /// Read one record of `input` (a chunk's bytes; `last`: the input ends there) from `pos`
    /// with `core` into `rewritten[record_out..]`, after `newlines` line ends, its fields from
    /// index `first` of `gaps` and `ends` (written by index, as [`plain::Fields`]): where it ends in
    /// the input and in `rewritten`, the `\n` it consumed, and the index after its fields;
    /// `None` at the end of the chunk's whole records (what was read of a record cut off is
    /// dropped). Its fields' ends are offsets in the records' buffer: the input, then
    /// `rewritten`.
    fn read_core(
        &mut self,
        core: &mut csv_core::Reader,
        input: &[u8],
        last: bool,
        mut pos: usize,
        (record_out, first): (usize, usize),
        newlines: u64,
    ) -> Option<(usize, usize, u64, usize)> {
        use csv_core::ReadRecordResult::*;
        let start = pos;
        let (mut out, mut fields) = (record_out, 0);
        // `csv_core` writes into a slice: room for the rest of the input, whose fields are
        // never longer (zeroed once: the buffer keeps its length from chunk to chunk, and
        // later records write over it).
        let room = record_out + (input.len() - pos) + 1;
        if self.rewritten.len() < room {
            self.rewritten.resize(room, 0);
        }
        loop {
            let rest = &input[pos..];
            // An empty input is the end of the data to the parser; a chunk that is not the
            // last ends at a record boundary.
            if rest.is_empty() && !last {
                break;
            }
            if self.ends.len() < first + fields + 1 {
                self.ends.resize(first + fields + 64, 0);
            }
            if rest.is_empty() && out == self.rewritten.len() {
                self.rewritten.push(0);
            }
            let (res, nin, nout, nend) = core.read_record(
                rest,
                &mut self.rewritten[out..],
                &mut self.ends[first + fields..],
            );
            pos += nin;
            out += nout;
            fields += nend;
            match res {
                Record => {
                    let at = input.len() + record_out;
                    for end in &mut self.ends[first..first + fields] {
                        *end += at;
                    }
                    // Written back to back.
                    if self.gaps.len() < first + fields {
                        self.gaps.resize(first + fields, 0);
                    }
                    self.gaps[first..first + fields].fill(0);
                    let in_record = super::chunk::count_newlines(&input[start..pos]);
                    let own = u64::from(pos > 0 && input[pos - 1] == b'\n');
                    // Line breaks inside quoted fields are among those consumed with it; at
                    // the end of the input (an unclosed quote) its last one may be both.
                    let inner = if in_record > own || rest.is_empty() {
                        super::chunk::count_newlines(&self.rewritten[record_out..out])
                    } else {
                        0
                    };
                    self.records.push(Extent {
                        start: at,
                        first,
                        last: first + fields,
                        line: (newlines + in_record + 1)
                            .saturating_sub(inner + own)
                            .max(1),
                        rejected: None,
                    });
                    return Some((pos, out, in_record, first + fields));
                }
                End => break,
                InputEmpty if rest.is_empty() => break,
                InputEmpty | OutputEndsFull => {}
                OutputFull => {
                    let grown = self.rewritten.len() * 2 + 64;
                    self.rewritten.resize(grown, 0);
                }
            }
        }
        None
    }

    /// Append a record rejected while reading: `width` empty fields, then `rejection`.
    pub fn push_rejected(&mut self, width: usize, line: u64, rejection: Rejection) {
        self.cut_room();
        let start = self.bytes.len();
        let first = self.ends.len();
        self.gaps.extend(std::iter::repeat_n(0, width));
        self.ends.extend(std::iter::repeat_n(start, width));
        self.fields = self.ends.len();
        self.rejections.push(rejection);
        self.records.push(Extent {
            start,
            first,
            last: self.fields,
            line,
            rejected: Some(self.rejections.len() - 1),
        });
    }

    /// Remove the last record (one a filter does not keep).
    pub fn pop(&mut self) {
        if let Some(extent) = self.records.pop() {
            let end = match extent.last {
                last if last > extent.first => self.ends[last - 1],
                _ => extent.start,
            };
            // Its bytes, when they are the buffer's last (a record read from a chunk may lie
            // in the middle of it).
            if end == self.bytes.len() {
                self.bytes.bytes_mut().truncate(extent.start);
            }
            self.fields = extent.first;
            self.cut_room();
            if extent.rejected.is_some() {
                self.rejections.pop();
            }
        }
    }

    /// Record `index`; `None` past the end.
    #[inline]
    pub fn get(&self, index: usize) -> Option<RawRecord<'_>> {
        let extent = *self.records.get(index)?;
        let end = match extent.last {
            last if last > extent.first => self.ends[last - 1],
            _ => extent.start,
        };
        let (bytes, text) = self.bytes.get(extent.start..end);
        Some(RawRecord {
            bytes,
            text,
            start: extent.start,
            gaps: &self.gaps[extent.first..extent.last],
            ends: &self.ends[extent.first..extent.last],
            line: extent.line,
            rejection: extent.rejected.and_then(|i| self.rejections.get(i)),
            typed: match (&self.typed, extent.last > extent.first) {
                (Some(batch), false) => Some((batch.as_ref(), index)),
                _ => None,
            },
        })
    }
}

impl<'a> RawRecord<'a> {
    /// Number of fields.
    #[inline]
    pub fn len(&self) -> usize {
        match self.typed {
            Some((batch, _)) => batch.width(),
            None => self.ends.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// A typed row not written as text (then [`RawRecord::get`] has no fields): its batch and
    /// its row in it.
    #[inline]
    pub fn typed(&self) -> Option<(&'a dyn TypedBatch, usize)> {
        self.typed
    }

    /// Line of the record's start in the input (1-based, header included).
    #[inline]
    pub fn line(&self) -> u64 {
        self.line
    }

    /// Why the record was rejected while reading, if it was.
    #[inline]
    pub fn rejection(&self) -> Option<&'a Rejection> {
        self.rejection
    }

    /// The record's bytes: its fields back to back, or, for a record read as it stands, its
    /// text without its line end (the separators and quotes between the fields: ASCII, so the
    /// whole is UTF-8 exactly when every field is, and has the fields' line breaks).
    #[inline]
    pub fn as_slice(&self) -> &'a [u8] {
        self.bytes
    }

    /// [`RawRecord::as_slice`] as text, when it is known to be UTF-8 without checking it again:
    /// a record read from a chunk that [`Records::read_chunk`] found all UTF-8. `None` says
    /// nothing about the bytes (other records are checked where they are read).
    #[inline]
    pub fn text(&self) -> Option<&'a str> {
        self.text
    }

    /// Where field `i` lies in [`RawRecord::as_slice`].
    #[inline]
    pub fn range(&self, i: usize) -> Option<std::ops::Range<usize>> {
        let (end, gap) = (*self.ends.get(i)?, *self.gaps.get(i)?);
        let start = match i {
            0 => self.start,
            _ => self.ends[i - 1],
        } + usize::from(gap);
        Some(start - self.start..end - self.start)
    }

    /// Where each field lies in [`RawRecord::as_slice`], in order ([`RawRecord::range`] of
    /// every field, without looking each one up).
    #[inline]
    pub fn ranges(&self) -> impl Iterator<Item = std::ops::Range<usize>> + 'a {
        let mut at = 0;
        let start = self.start;
        self.ends.iter().zip(self.gaps).map(move |(&end, &gap)| {
            let range = at + usize::from(gap)..end - start;
            at = end - start;
            range
        })
    }

    #[inline]
    pub fn get(&self, i: usize) -> Option<&'a [u8]> {
        self.range(i).map(|range| &self.bytes[range])
    }

    pub fn iter(&self) -> impl Iterator<Item = &'a [u8]> + '_ {
        (0..self.len()).filter_map(|i| self.get(i))
    }
}

#[cfg(test)]
mod tests;
