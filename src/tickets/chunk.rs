//! A ticket CSV cut into chunks of whole records, so that the CSV itself is parsed by the replay's
//! threads at once rather than by the one thread that holds the reader at a time.
//!
//! The reading side ([`Cutter`]) only reads bytes and finds a record boundary near the end of
//! each chunk: a `\n` outside quoted fields. It finds the quotes with `memchr` and proves their
//! parity means what the CSV parser will make of them — every quote opens a field or closes it
//! (or is doubled inside it). When a quote stands anywhere else (the parser then reads it as a
//! plain character), or when there is no `\n` outside quotes (a file of `\r` line ends, a long
//! quoted field), the chunk is cut where the CSV parser itself finds the end of a record. A worker
//! splits its chunk into records ([`crate::tickets::Records::read_chunk`]: plainly written
//! records by a fast splitter, any other by the same parser, with the same fields) and numbers
//! the lines exactly as a whole-file read does: the chunk carries the count of `\n` before it,
//! and where the scan found each quoted field's first quote after the opening one
//! ([`Quoted`]), which the split then does not search for again.

use std::io::Read;

use super::sniff::Limit;

/// Bytes read into a chunk before it is cut: about a thousand generated tickets.
pub const CHUNK_BYTES: usize = 384 << 10;

/// Bytes read at a time while a chunk has no record boundary yet: a record's length is checked
/// against [`super::sniff::MAX_RECORD_BYTES`] between reads, so this is its slack.
const GROW_BYTES: usize = 64 << 10;

/// Whole consecutive records of the input, as raw bytes — or, from rows that come typed (a
/// Parquet file), as decoded columns (`typed`) that the worker splits into records.
#[derive(Debug, Default)]
pub struct Chunk {
    pub bytes: Vec<u8>,
    /// Typed rows not yet split into records (then `bytes` is empty): the worker that
    /// evaluates the chunk decodes and splits them ([`crate::tickets::Records::read_chunk`]).
    pub typed: Option<Box<dyn TypedChunk>>,
    /// `\n` bytes in the input before the chunk, header included.
    pub newlines: u64,
    /// The input ends with this chunk: its last record may have no line end.
    pub last: bool,
    /// What the cutter's quote scan found about quoted fields of `bytes`, by opening quote,
    /// in order (none when the scan proved nothing: see [`Quoted`]); the split takes a quoted
    /// field's end from it instead of searching for it again.
    pub quoted: Vec<Quoted>,
}

/// A quoted field as the cutter's scan found it: the first `"` after an opening quote and the
/// `\n` bytes between them. A fact about the chunk's bytes whatever they mean to the parser
/// (`quote` is the first `"` after `open`, `newlines` the `\n` count between), so the split
/// reads from it what its own search would find ([`crate::tickets::Records::read_chunk`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Quoted {
    /// The opening quote's offset in the chunk.
    pub open: usize,
    /// The first `"` after it (a closing quote, or the first of a doubled one).
    pub quote: usize,
    /// `\n` bytes between the two.
    pub newlines: u64,
}

/// Consecutive rows of a typed input (a batch of a Parquet file), not yet split into the
/// fields of records: reading only numbers the batches, the thread that evaluates one decodes
/// and splits it.
pub trait TypedChunk: Send + std::fmt::Debug {
    /// Append each row to `records` as one record, with the line a CSV export of the table
    /// gives it (what [`super::source::TypedRows::next_row`] gives the same row).
    fn split(&self, records: &mut super::Records);
    /// The rows decoded, to be held as they are ([`super::Records::hold_typed`]) rather than
    /// split into text records; `None` when they can only be split. After an error, a batch
    /// of no rows (then [`TypedChunk::error`] says why).
    fn batch(&self) -> Option<Box<dyn super::cell::TypedBatch>> {
        None
    }
    /// Why [`TypedChunk::split`] found no rows to split: the rows could not be decoded (the
    /// worker decodes them). The input ends there.
    fn error(&self) -> Option<&str> {
        None
    }
}

impl Chunk {
    /// The error of a chunk of typed rows that could not be decoded where it was split, as the
    /// reader reports a read error.
    pub fn typed_error(&self) -> Option<csv::Error> {
        let why = self.typed.as_ref()?.error()?;
        Some(csv::Error::from(std::io::Error::other(why.to_string())))
    }
}

/// The reading side: reads the input after the header and cuts it into [`Chunk`]s.
pub struct Cutter {
    input: Box<dyn Read + Send>,
    limit: Limit,
    /// Bytes read past the last cut.
    carry: Vec<u8>,
    /// Input offset of the last cut.
    offset: u64,
    /// `\n` bytes before the last cut.
    newlines: u64,
    eof: bool,
    /// Bytes read into a chunk before it is cut ([`CHUNK_BYTES`]; less in tests).
    chunk_bytes: usize,
    /// Scratch for [`exact_boundary`].
    scratch: (Vec<u8>, Vec<usize>),
}

impl Cutter {
    /// Cut `input`, of which `leftover` was read already and begins at byte `offset` of the
    /// file, after `newlines` line ends.
    pub fn new(
        input: Box<dyn Read + Send>,
        limit: Limit,
        leftover: Vec<u8>,
        offset: u64,
        newlines: u64,
        chunk_bytes: usize,
    ) -> Cutter {
        // The cutter reads every byte into its chunks; nobody looks back at the input's tail.
        limit.forget_tail();
        Cutter {
            chunk_bytes: chunk_bytes.max(1),
            input,
            limit,
            carry: leftover,
            offset,
            newlines,
            eof: false,
            scratch: (vec![0; 1 << 16], vec![0; 256]),
        }
    }

    /// Bytes of the input cut into chunks so far.
    pub fn position(&self) -> u64 {
        self.offset
    }

    /// The next chunk. On a read error, the chunk holds the whole records read before it (and
    /// is the last); the error names the line of the record it interrupted.
    pub fn fill(&mut self, chunk: &mut Chunk) -> Result<(), std::io::Error> {
        // The chunk's buffer comes back from the records that read an earlier chunk at the
        // length it had there ([`crate::tickets::Records::read_chunk`]): the carried bytes and
        // the reads are written over its stale bytes, and only room past them is zeroed (what
        // `read_to_end` did for every read).
        let carried = self.carry.len();
        if chunk.bytes.len() < carried {
            chunk.bytes.resize(carried, 0);
        }
        chunk.bytes[..carried].copy_from_slice(&self.carry);
        self.carry.clear();
        chunk.newlines = self.newlines;
        chunk.last = false;
        chunk.quoted.clear();
        let mut quotes = Quotes::default();
        let mut exact: Option<Exact> = None;
        let mut want = self.chunk_bytes;
        let mut len = carried;
        loop {
            if !self.eof && len < want {
                if chunk.bytes.len() < want {
                    chunk.bytes.resize(want, 0);
                }
                let (read, error) = read_into(&mut self.input, &mut chunk.bytes[len..want]);
                len += read;
                chunk.bytes.truncate(len);
                if let Some(error) = error {
                    let cut = exact_boundary(&chunk.bytes, &mut self.scratch).unwrap_or(0);
                    chunk.quoted.clear();
                    self.cut(chunk, cut);
                    chunk.last = true;
                    self.eof = true;
                    return Err(error);
                }
                if len < want {
                    self.eof = true;
                }
            }
            chunk.bytes.truncate(len);
            if self.eof {
                // The last bytes read were not scanned: the split searches for itself.
                chunk.quoted.clear();
                self.cut(chunk, chunk.bytes.len());
                chunk.last = true;
                return Ok(());
            }
            let bytes = &chunk.bytes;
            if exact.is_none() {
                quotes.scan(bytes, &mut chunk.quoted);
                if let (false, Some(cut)) = (quotes.irregular, quotes.boundary) {
                    self.cut(chunk, cut);
                    return Ok(());
                }
            }
            let exact = exact.get_or_insert_with(Exact::new);
            exact.scan(bytes, &mut self.scratch);
            if let Some(cut) = exact.boundary {
                chunk.quoted.clear();
                self.cut(chunk, cut);
                return Ok(());
            }
            // No whole record yet: read on, a little at a time (the length cap is checked
            // between reads).
            want = chunk.bytes.len() + GROW_BYTES.min(self.chunk_bytes);
        }
    }

    /// End the chunk at `cut`: the rest is carried into the next one, and the quoted fields
    /// found past the cut are dropped (the next chunk's scan finds them again).
    fn cut(&mut self, chunk: &mut Chunk, cut: usize) {
        self.carry.extend_from_slice(&chunk.bytes[cut..]);
        chunk.bytes.truncate(cut);
        chunk.quoted.retain(|quoted| quoted.quote < cut);
        self.offset += cut as u64;
        self.newlines += count_newlines(&chunk.bytes);
        self.limit.record_starts_at(self.offset);
    }
}

/// Read into `buf` until it is full or the input ends: the bytes read, and the error that
/// stopped the reads (the bytes read before it count). As `read_to_end` reads, without its
/// zeroing of the room it reads into, and in reads as large as the room (which a `BufReader`
/// hands past its buffer instead of copying through it).
fn read_into(input: &mut dyn Read, buf: &mut [u8]) -> (usize, Option<std::io::Error>) {
    let mut read = 0;
    while read < buf.len() {
        match input.read(&mut buf[read..]) {
            Ok(0) => break,
            Ok(n) => read += n,
            Err(error) if error.kind() == std::io::ErrorKind::Interrupted => {}
            Err(error) => return (read, Some(error)),
        }
    }
    (read, None)
}

/// A reading error as the user should see it: a record over the size cap names its line.
pub fn read_error(error: csv::Error, line: u64) -> String {
    if let csv::ErrorKind::Io(io) = error.kind() {
        if let Some(too_long) = io
            .get_ref()
            .and_then(|e| e.downcast_ref::<super::sniff::RecordTooLong>())
        {
            return format!("line {line}: {too_long}");
        }
    }
    error.to_string()
}

/// `\n` bytes in `bytes`.
pub fn count_newlines(bytes: &[u8]) -> u64 {
    // Line ends are sparse (one per record of a few hundred bytes): `memchr`'s vector search
    // jumps between them faster than a byte-by-byte count of every lane.
    memchr::memchr_iter(b'\n', bytes).count() as u64
}

/// The cutter's searches, `memchr`'s own, set up once: `memchr::memchr` picks its vector routine
/// through a function pointer at every call and hands the slice on through two more calls; the
/// cutter calls it once per quote (two or more a row), so the searchers are built once and
/// called directly (their short-haystack code is inlined; only the vector loop is a call).
#[derive(Debug, Clone, Copy)]
struct Search {
    #[cfg(target_arch = "x86_64")]
    avx2: Option<(
        memchr::arch::x86_64::avx2::memchr::One,
        memchr::arch::x86_64::avx2::memchr::Two,
    )>,
}

impl Default for Search {
    fn default() -> Search {
        Search {
            #[cfg(target_arch = "x86_64")]
            avx2: memchr::arch::x86_64::avx2::memchr::One::new(b'"')
                .zip(memchr::arch::x86_64::avx2::memchr::Two::new(b'"', b'\n')),
        }
    }
}

impl Search {
    /// The first `"` in `b`.
    #[inline(always)]
    fn quote(&self, b: &[u8]) -> Option<usize> {
        #[cfg(target_arch = "x86_64")]
        if let Some((one, _)) = &self.avx2 {
            return one.find(b);
        }
        memchr::memchr(b'"', b)
    }

    /// The first `"` or `\n` in `b`.
    #[inline(always)]
    fn quote_or_line_end(&self, b: &[u8]) -> Option<usize> {
        #[cfg(target_arch = "x86_64")]
        if let Some((_, two)) = &self.avx2 {
            return two.find(b);
        }
        memchr::memchr2(b'"', b'\n', b)
    }

    /// The last `"` or `\n` in `b`.
    #[inline(always)]
    fn last_quote_or_line_end(&self, b: &[u8]) -> Option<usize> {
        #[cfg(target_arch = "x86_64")]
        if let Some((_, two)) = &self.avx2 {
            return two.rfind(b);
        }
        memchr::memrchr2(b'"', b'\n', b)
    }
}

/// The quote-parity scan, resumable as the chunk grows.
#[derive(Debug, Default)]
struct Quotes {
    /// The searches it makes.
    search: Search,
    /// Scanned up to here.
    pos: usize,
    /// Inside a quoted field.
    inside: bool,
    /// The quoted field being scanned, until the first `"` after its opening one is found:
    /// where it opened and the `\n` bytes after that so far ([`Quoted`]).
    open: Option<(usize, u64)>,
    /// After the last `\n` seen outside quoted fields.
    boundary: Option<usize>,
    /// A quote neither opens nor closes a field: the parity proves nothing.
    irregular: bool,
}

impl Quotes {
    /// Scan on to the end of `b`; each quoted field's first quote after the opening one goes
    /// to `quoted`.
    fn scan(&mut self, b: &[u8], quoted: &mut Vec<Quoted>) {
        if self.irregular {
            return;
        }
        let from = self.pos;
        self.find_quotes(b, quoted);
        if !self.irregular {
            if let Some(cut) = self.last_line_end(b, from) {
                self.boundary = Some(cut);
            }
        }
    }

    /// Move `pos` on to the end of `b` (or to a quote whose next byte is not read yet),
    /// quote by quote: from a quoted field's opening quote to the next one, line ends counted
    /// on the way ([`Quoted`]).
    fn find_quotes(&mut self, b: &[u8], quoted: &mut Vec<Quoted>) {
        while self.pos < b.len() {
            let rest = &b[self.pos..];
            let found = match self.open {
                Some(_) => self.search.quote_or_line_end(rest),
                None => self.search.quote(rest),
            };
            let Some(q) = found.map(|i| self.pos + i) else {
                self.pos = b.len();
                return;
            };
            if let (b'\n', Some((_, newlines))) = (b[q], self.open.as_mut()) {
                *newlines += 1;
                self.pos = q + 1;
                continue;
            }
            if !self.inside {
                // The parser opens a quoted field only at the start of a field.
                if q > 0 && !matches!(b[q - 1], b',' | b'\n' | b'\r') {
                    self.irregular = true;
                    return;
                }
                self.inside = true;
                self.open = Some((q, 0));
                self.pos = q + 1;
                continue;
            }
            let Some(&next) = b.get(q + 1) else {
                // What follows is not read yet: look at this quote again then.
                self.pos = q;
                return;
            };
            if let Some((open, newlines)) = self.open.take() {
                quoted.push(Quoted {
                    open,
                    quote: q,
                    newlines,
                });
            }
            match next {
                b'"' => self.pos = q + 2,
                b',' | b'\n' | b'\r' => {
                    self.inside = false;
                    self.pos = q + 1;
                }
                _ => {
                    self.irregular = true;
                    return;
                }
            }
        }
    }

    /// After the last `\n` outside quoted fields in `b[from..self.pos]`, the bytes scanned
    /// last. Found from the end, where the scan knows whether it is inside a quoted field:
    /// each quote before it changes that (a doubled one twice, as the parity reads it), so one
    /// search at the end of the chunk takes the place of one per quoted field.
    fn last_line_end(&self, b: &[u8], from: usize) -> Option<usize> {
        let (mut end, mut inside) = (self.pos, self.inside);
        while let Some(at) = self.search.last_quote_or_line_end(&b[from..end]) {
            let at = from + at;
            match b[at] {
                b'"' => inside = !inside,
                _ if !inside => return Some(at + 1),
                _ => {}
            }
            end = at;
        }
        None
    }
}

/// The quoted fields the cutter's scan finds in `b` (all of it read), as a chunk of it would
/// carry them: none when the quotes are irregular.
#[cfg(test)]
pub(crate) fn scanned(b: &[u8]) -> Vec<Quoted> {
    let (mut quotes, mut quoted) = (Quotes::default(), Vec::new());
    quotes.scan(b, &mut quoted);
    if quotes.irregular {
        quoted.clear();
    }
    quoted
}

/// A parser set up like the `csv` crate's reader (its defaults), past the start of the input:
/// a byte-order mark inside the file is data, as it is for that reader after the header.
pub fn core_reader() -> csv_core::Reader {
    let mut reader = csv_core::Reader::new();
    restart(&mut reader);
    reader
}

/// Set `reader` back to the start of a record, past the start of the input.
pub fn restart(reader: &mut csv_core::Reader) {
    reader.reset();
    // An empty line: skipped, and the parser no longer looks for a byte-order mark.
    let (mut out, mut ends) = ([0u8; 1], [0usize; 1]);
    let _ = reader.read_record(b"\n", &mut out, &mut ends);
}

/// The CSV parser's own record ends, resumable as the chunk grows.
struct Exact {
    core: csv_core::Reader,
    pos: usize,
    boundary: Option<usize>,
}

impl Exact {
    fn new() -> Exact {
        Exact {
            core: core_reader(),
            pos: 0,
            boundary: None,
        }
    }

    fn scan(&mut self, b: &[u8], scratch: &mut (Vec<u8>, Vec<usize>)) {
        use csv_core::ReadRecordResult::*;
        // An empty input means the end of the data to the parser: never pass one.
        while self.pos < b.len() {
            let (res, nin, _, _) =
                self.core
                    .read_record(&b[self.pos..], &mut scratch.0, &mut scratch.1);
            self.pos += nin;
            match res {
                Record => self.boundary = Some(self.pos),
                InputEmpty | End => break,
                OutputFull | OutputEndsFull => {}
            }
        }
    }
}

/// Where the last whole record in `b` ends, by the CSV parser.
fn exact_boundary(b: &[u8], scratch: &mut (Vec<u8>, Vec<usize>)) -> Option<usize> {
    let mut exact = Exact::new();
    exact.scan(b, scratch);
    exact.boundary
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tickets::{Mapping, Records, TicketReader};
    use proptest::prelude::*;

    /// Every record's fields and line, read one by one as before chunks.
    type Read = Vec<(Vec<Vec<u8>>, u64)>;

    fn listed(records: &Records, into: &mut Read) {
        for i in 0..records.len() {
            let record = records.get(i).unwrap();
            into.push((record.iter().map(<[u8]>::to_vec).collect(), record.line()));
        }
    }

    fn reader(input: &[u8]) -> TicketReader {
        let input: Box<dyn std::io::Read + Send> = Box::new(std::io::Cursor::new(input.to_vec()));
        TicketReader::new(input, &Mapping::default(), &Default::default()).unwrap()
    }

    fn one_by_one(input: &[u8]) -> Read {
        let mut reader = reader(input);
        let mut records = Records::default();
        while reader.read(&mut records).unwrap() {}
        let mut read = Vec::new();
        listed(&records, &mut read);
        read
    }

    fn chunked(input: &[u8], chunk_bytes: usize) -> Read {
        chunked_from(reader(input), chunk_bytes)
    }

    fn chunked_from(mut reader: TicketReader, chunk_bytes: usize) -> Read {
        assert!(reader.cuts_chunks_of(chunk_bytes));
        let (mut chunk, mut records, mut core) =
            (Chunk::default(), Records::default(), core_reader());
        let mut read = Vec::new();
        loop {
            reader.read_chunk(&mut chunk).unwrap();
            assert!(facts(&chunk.bytes, &chunk.quoted), "{:?}", chunk.quoted);
            records.read_chunk(&mut core, &mut chunk);
            listed(&records, &mut read);
            if chunk.last {
                return read;
            }
        }
    }

    #[test]
    fn chunks_read_the_records_and_lines_of_a_whole_read() {
        let inputs: [&[u8]; 9] = [
            b"id,text\nT1,a\nT2,b\n",
            b"id,text\r\nT1,a\r\n\r\nT2,\"b\r\nc\"\r\nT3,d",
            b"id,text\n\n\nT1,\"x\n\ny\"\n\"T2\",\"a\"\"b\"\n",
            b"id,text\nT1,a\"b\nT2,\"c\"d\ne\nT3,\"f\n",
            b"id,text\rT1,a\rT2,b\r",
            b"\xef\xbb\xbfid,text\n\xef\xbb\xbfT1,\"a\"\n\xef\xbb\xbf\"T2\",b\n",
            b"id,text\nT1,\"unclosed\n",
            b"id,text\nT1,a",
            b"id,text",
        ];
        for input in inputs {
            let whole = one_by_one(input);
            for size in [1, 2, 3, 5, 8, 13, 1 << 20] {
                assert_eq!(
                    chunked(input, size),
                    whole,
                    "{:?} in chunks of {size}",
                    String::from_utf8_lossy(input)
                );
            }
        }
    }

    /// What the property test builds inputs from.
    const PIECES: [&[u8]; 9] = [
        b"a",
        b",",
        b"\"",
        b"\n",
        b"\r",
        b"\r\n",
        b" ",
        b"\xef\xbb\xbf",
        b"\"\"",
    ];

    proptest! {
        #[test]
        fn any_input_reads_the_same_in_chunks(
            body in proptest::collection::vec(0..PIECES.len(), 0..60),
            size in 1usize..40,
        ) {
            let mut input = b"id,text\n".to_vec();
            input.extend(body.iter().flat_map(|&i| PIECES[i].iter()));
            prop_assert_eq!(chunked(&input, size), one_by_one(&input));
        }
    }

    /// An input that hands out at most `step` bytes a read, and is interrupted before every
    /// other read (which a reader retries).
    struct Trickle {
        bytes: Vec<u8>,
        at: usize,
        step: usize,
        interrupt: bool,
    }

    impl std::io::Read for Trickle {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            self.interrupt = !self.interrupt;
            if self.interrupt {
                return Err(std::io::ErrorKind::Interrupted.into());
            }
            let n = buf.len().min(self.step).min(self.bytes.len() - self.at);
            buf[..n].copy_from_slice(&self.bytes[self.at..self.at + n]);
            self.at += n;
            Ok(n)
        }
    }

    proptest! {
        /// Chunks read in short, interrupted reads, into buffers that come back from the
        /// records longer than the next chunk (their bytes stale), hold the same records.
        #[test]
        fn short_reads_into_reused_buffers_read_the_same(
            body in proptest::collection::vec(0..PIECES.len(), 0..80),
            size in 1usize..40,
            step in 1usize..9,
        ) {
            let mut input = b"id,text\n".to_vec();
            input.extend(body.iter().flat_map(|&i| PIECES[i].iter()));
            let trickle = Trickle { bytes: input.clone(), at: 0, step, interrupt: false };
            let boxed: Box<dyn std::io::Read + Send> = Box::new(trickle);
            let reader =
                TicketReader::new(boxed, &Mapping::default(), &Default::default()).unwrap();
            prop_assert_eq!(chunked_from(reader, size), one_by_one(&input));
        }

        /// The scan, resumed as the bytes arrive, finds the last line end outside quoted
        /// fields that a scan from the start finds, and only facts about the quoted fields.
        #[test]
        fn the_resumed_scan_finds_the_forward_boundary_and_facts(
            body in proptest::collection::vec(0..PIECES.len(), 0..60),
            steps in proptest::collection::vec(1usize..12, 1..20),
        ) {
            let input: Vec<u8> = body.iter().flat_map(|&i| PIECES[i].iter().copied()).collect();
            let (mut quotes, mut quoted) = (Quotes::default(), Vec::new());
            let (mut end, mut steps) = (0, steps.iter().cycle());
            while end < input.len() {
                end = (end + steps.next().copied().unwrap_or(1)).min(input.len());
                quotes.scan(&input[..end], &mut quoted);
                if quotes.irregular {
                    break;
                }
                prop_assert_eq!(quotes.boundary, forward_boundary(&input[..end]), "{}", end);
                prop_assert!(facts(&input[..end], &quoted), "{:?}", quoted);
            }
        }
    }

    /// Whether every one of `quoted` is true of `b`: its `quote` is the first `"` after
    /// `open` (a quote), `newlines` the `\n` count between; in order.
    fn facts(b: &[u8], quoted: &[Quoted]) -> bool {
        quoted.iter().all(|q| {
            let between = b.get(q.open + 1..q.quote);
            b.get(q.open) == Some(&b'"')
                && b.get(q.quote) == Some(&b'"')
                && between.is_some_and(|between| {
                    !between.contains(&b'"') && count_newlines(between) == q.newlines
                })
        }) && quoted.windows(2).all(|w| w[0].quote < w[1].open)
    }

    proptest! {
        /// The searcher built once finds what `memchr`'s function finds, on haystacks long
        /// enough for its vector loop (and short ones, which it searches byte by byte).
        #[test]
        fn the_cutters_searches_are_memchrs(
            bytes in proptest::collection::vec(
                proptest::sample::select(vec![b'a', b'"', b'\n', b',', b'\r']), 0..300),
            from in 0usize..300,
        ) {
            let search = Search::default();
            let b = &bytes[from.min(bytes.len())..];
            prop_assert_eq!(search.quote(b), memchr::memchr(b'"', b));
            prop_assert_eq!(search.quote_or_line_end(b), memchr::memchr2(b'"', b'\n', b));
            prop_assert_eq!(
                search.last_quote_or_line_end(b),
                memchr::memrchr2(b'"', b'\n', b)
            );
        }
    }

    /// The last `\n` outside quoted fields of regular quotes, by parity from the start (what
    /// the scan did before it searched from the end); `None` where the quotes are irregular.
    fn forward_boundary(b: &[u8]) -> Option<usize> {
        let (mut inside, mut boundary, mut i) = (false, None, 0);
        while i < b.len() {
            match (b[i], inside) {
                (b'\n', false) => boundary = Some(i + 1),
                (b'"', false) => inside = true,
                (b'"', true) => match b.get(i + 1) {
                    None => break,
                    Some(b'"') => i += 1,
                    Some(_) => inside = false,
                },
                _ => {}
            }
            i += 1;
        }
        boundary
    }

    #[test]
    fn newlines_are_counted_in_every_lane() {
        for len in [0, 1, 15, 16, 17, 4079, 4080, 4081, 10_000] {
            let bytes: Vec<u8> = (0..len)
                .map(|i| if i % 7 == 3 { b'\n' } else { b'a' })
                .collect();
            let expected = bytes.iter().filter(|&&b| b == b'\n').count() as u64;
            assert_eq!(count_newlines(&bytes), expected, "{len}");
        }
        assert_eq!(count_newlines(&[b'\n'; 9000]), 9000);
    }

    #[test]
    fn quote_parity_finds_the_last_line_end_outside_quotes() {
        let boundary = |text: &str| {
            let mut quotes = Quotes::default();
            quotes.scan(text.as_bytes(), &mut Vec::new());
            (!quotes.irregular).then_some(quotes.boundary).flatten()
        };
        assert_eq!(boundary("a,b\nc,d\n"), Some(8));
        assert_eq!(boundary("a,b\nc,\"d\ne\"\n"), Some(12));
        assert_eq!(boundary("a,b\nc,\"d\ne"), Some(4));
        assert_eq!(boundary("a,\"b\"\"\nc\",d\ne"), Some(12));
        // A quote inside an unquoted field proves nothing; nor does one after a closing quote.
        assert_eq!(boundary("a,b\"c\nd\n"), None);
        assert_eq!(boundary("a,\"b\"c\nd\n"), None);
        // The byte after a closing quote is not read yet.
        assert_eq!(boundary("a\nb,\"c\""), Some(2));
    }

    #[test]
    fn irregular_quotes_are_cut_where_the_parser_ends_records() {
        let text = b"a,b\"c\nd,\"e\nf\"\ng";
        let mut scratch = (vec![0; 4], vec![0; 2]);
        assert_eq!(exact_boundary(text, &mut scratch), Some(14));
        assert_eq!(exact_boundary(b"a\rb\rc", &mut scratch), Some(4));
        assert_eq!(exact_boundary(b"abc", &mut scratch), None);
    }
}
