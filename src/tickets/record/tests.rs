use super::*;
use crate::tickets::chunk::{Chunk, Quoted};

#[test]
fn records_read_back_as_written() {
    let input = "a,bb,\n\"x,y\",,zz\nlast\n";
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(input.as_bytes());
    let mut records = Records::default();
    let mut record = ByteRecord::new();
    while reader.read_byte_record(&mut record).unwrap() {
        let line = record.position().map_or(0, |p| p.line());
        records.push(&record, line);
    }
    let fields = |i: usize| -> Vec<&[u8]> { records.get(i).unwrap().iter().collect() };
    assert_eq!(records.len(), 3);
    assert_eq!(fields(0), [&b"a"[..], b"bb", b""]);
    assert_eq!(fields(1), [&b"x,y"[..], b"", b"zz"]);
    assert_eq!(fields(2), [&b"last"[..]]);
    let second = records.get(1).unwrap();
    assert_eq!(second.as_slice(), b"x,yzz");
    assert_eq!(second.range(2), Some(3..5));
    assert_eq!(second.get(3), None);
    assert_eq!((second.line(), records.get(2).unwrap().line()), (2, 3));
    assert!(records.get(3).is_none());
    records.clear();
    assert!(records.is_empty());
}

#[test]
fn records_built_field_by_field_read_as_pushed_ones() {
    let mut pushed = Records::default();
    let mut built = Records::default();
    for (fields, line) in [(vec!["a", "", "c\nd"], 2), (vec![], 4), (vec!["", "x"], 5)] {
        pushed.push(&ByteRecord::from(fields.clone()), line);
        built.begin(line);
        for field in &fields {
            built.push_field(field.as_bytes());
        }
        assert_eq!(built.last().unwrap().as_slice(), fields.concat().as_bytes());
    }
    assert_eq!(built.len(), pushed.len());
    for i in 0..pushed.len() {
        let (a, b) = (pushed.get(i).unwrap(), built.get(i).unwrap());
        assert_eq!(a.iter().collect::<Vec<_>>(), b.iter().collect::<Vec<_>>());
        assert_eq!((a.line(), a.len()), (b.line(), b.len()));
    }
}

/// `Records::read_chunk` as it was before the plain records' splitter: every record by
/// `csv_core`. The oracle of the tests below.
fn read_chunk_by_core(records: &mut Records, core: &mut csv_core::Reader, chunk: &Chunk) {
    use csv_core::ReadRecordResult::*;
    records.clear();
    records.cut_room();
    crate::tickets::chunk::restart(core);
    let input = chunk.bytes.as_slice();
    let mut bytes = vec![0; input.len()];
    let mut newlines = memchr::memchr_iter(b'\n', input).peekable();
    let mut newlines_to_end = chunk.newlines;
    let (mut pos, mut out) = (0, 0);
    let (mut record_out, mut first, mut fields) = (0, 0, 0);
    loop {
        let rest = &input[pos..];
        if rest.is_empty() && !chunk.last {
            break;
        }
        if records.ends.len() < first + fields + 1 {
            records.ends.resize(first + fields + 64, 0);
        }
        if rest.is_empty() && out == bytes.len() {
            bytes.push(0);
        }
        let (res, nin, nout, nend) =
            core.read_record(rest, &mut bytes[out..], &mut records.ends[first + fields..]);
        pos += nin;
        out += nout;
        fields += nend;
        match res {
            Record => {
                for end in &mut records.ends[first..first + fields] {
                    *end += record_out;
                }
                let mut in_record = 0;
                while newlines.next_if(|&at| at < pos).is_some() {
                    in_record += 1;
                }
                newlines_to_end += in_record;
                let own = u64::from(pos > 0 && input[pos - 1] == b'\n');
                let inner = if in_record > own || rest.is_empty() {
                    crate::tickets::chunk::count_newlines(&bytes[record_out..out])
                } else {
                    0
                };
                records.records.push(Extent {
                    start: record_out,
                    first,
                    last: first + fields,
                    line: (newlines_to_end + 1).saturating_sub(inner + own).max(1),
                    rejected: None,
                });
                record_out = out;
                first += fields;
                fields = 0;
            }
            End => break,
            InputEmpty if rest.is_empty() => break,
            InputEmpty | OutputEndsFull => {}
            OutputFull => {
                let grown = bytes.len() * 2 + 64;
                bytes.resize(grown, 0);
            }
        }
    }
    bytes.truncate(record_out);
    *records.bytes.bytes_mut() = bytes;
    records.ends.truncate(first);
    records.gaps.resize(first, 0);
    records.fields = first;
}

/// Every record of `records`: its fields, line, and the line breaks and UTF-8 validity of its
/// bytes (a record read where it lies in its chunk has its separators among them).
type Listed = Vec<(Vec<Vec<u8>>, u64, (usize, bool))>;

fn listed(records: &Records) -> Listed {
    (0..records.len())
        .map(|i| {
            let record = records.get(i).unwrap();
            let fields = record.iter().map(<[u8]>::to_vec).collect();
            let bytes = record.as_slice();
            let whole = (
                memchr::memchr_iter(b'\n', bytes).count(),
                std::str::from_utf8(bytes).is_ok(),
            );
            (fields, record.line(), whole)
        })
        .collect()
}

/// Every quote of `b` with the first quote after it and the `\n` bytes between: facts about
/// `b` (as [`crate::tickets::chunk::Quoted`] says), more of them than the cutter finds (closing
/// quotes too, and quotes a parser reads as plain bytes).
fn every_quote(b: &[u8]) -> Vec<Quoted> {
    let quotes: Vec<usize> = memchr::memchr_iter(b'"', b).collect();
    quotes
        .windows(2)
        .map(|w| Quoted {
            open: w[0],
            quote: w[1],
            newlines: crate::tickets::chunk::count_newlines(&b[w[0]..w[1]]),
        })
        .collect()
}

/// `input` read as a chunk by `read_chunk` and by the oracle; both listings. `read_chunk`
/// reads it alike with the quoted fields the cutter finds, with facts about every quote, and
/// with none (then the split searches for itself).
fn both(input: &[u8], newlines: u64, last: bool) -> (Listed, Listed) {
    let chunk = |quoted: Vec<Quoted>| Chunk {
        bytes: input.to_vec(),
        newlines,
        last,
        quoted,
        ..Chunk::default()
    };
    let mut core = crate::tickets::chunk::core_reader();
    let mut records = Records::default();
    // Used before, as a worker's buffers are: the chunk must replace what was there.
    records.push(&ByteRecord::from(vec!["old", "record"]), 9);
    records.read_chunk(&mut core, &mut chunk(Vec::new()));
    let fast = listed(&records);
    for quoted in [crate::tickets::chunk::scanned(input), every_quote(input)] {
        records.read_chunk(&mut core, &mut chunk(quoted.clone()));
        assert_eq!(listed(&records), fast, "{quoted:?}");
    }
    // A parser left in the middle of a record: each chunk restarts it.
    let (mut scratch, mut ends) = ([0u8; 8], [0usize; 4]);
    let _ = core.read_record(b"\"x,y", &mut scratch, &mut ends);
    read_chunk_by_core(&mut records, &mut core, &chunk(Vec::new()));
    (fast, listed(&records))
}

/// The record at the start of `text` by the splitter alone (no finds of the cutter's).
fn split_alone(
    text: &[u8],
    rewritten: &mut Vec<u8>,
    out: usize,
    fields: plain::Fields<'_>,
) -> Option<plain::Plain> {
    plain::plain_record(text, 0, rewritten, out, fields, 0, (&[], 0))
}

#[test]
fn plain_records_are_split_without_the_parser() {
    let text = b"T1,2026-04-08T09:33:53Z,\"Hi, \"\"all\"\"\",0.9,,x\n";
    // Rewritten bytes go to `rewritten[out..]`, over what was left there.
    let mut rewritten = b"..stale".to_vec();
    let (mut gaps, mut ends) = (Vec::new(), Vec::new());
    let plain = split_alone(text, &mut rewritten, 2, (&mut gaps, &mut ends)).unwrap();
    assert_eq!(plain.end, text.len());
    assert_eq!(plain.newlines, 1);
    assert_eq!(
        &rewritten[..plain.out],
        b"..T12026-04-08T09:33:53ZHi, \"all\"0.9x"
    );
    // A doubled quote: the fields' bytes back to back, at offsets past the input.
    let base = text.len();
    assert_eq!(plain.at, base + 2);
    assert_eq!(plain.fields, 6);
    assert_eq!(gaps[..6], [0; 6]);
    assert_eq!(ends[..6], [4, 24, 33, 36, 36, 37].map(|end| base + end));
    // CRLF line ends, a quoted line break, an empty last field. No doubled quote: the record
    // read where it lies, its fields between the separators, nothing written.
    let text = b"a,\"b\r\nc\",\r\nz";
    let (mut rewritten, mut gaps, mut ends) = (b"xy".to_vec(), Vec::new(), Vec::new());
    let plain = split_alone(text, &mut rewritten, 2, (&mut gaps, &mut ends)).unwrap();
    assert_eq!(
        (plain.end, plain.at, plain.out, plain.newlines, plain.fields),
        (11, 0, 2, 2, 3)
    );
    assert_eq!(rewritten.as_slice(), b"xy");
    assert_eq!((&gaps[..3], &ends[..3]), (&[0, 2, 2][..], &[1, 7, 9][..]));
    // Left to the parser: a quote inside a field, text after a closing quote, a lone `\r`,
    // an empty line, no line end, an unclosed quote.
    for text in [
        &b"a,b\"c\n"[..],
        b"\"a\"b,c\n",
        b"a\rb\n",
        b"a,\"b\"\rc\n",
        b"\na\n",
        b"a,b",
        b"a,\"b\n",
        b"",
    ] {
        let (mut bytes, mut gaps, mut ends) = (vec![0; text.len()], Vec::new(), Vec::new());
        let read = split_alone(text, &mut bytes, 0, (&mut gaps, &mut ends));
        assert_eq!(read, None, "{:?}", String::from_utf8_lossy(text));
    }
}

#[test]
fn special_bytes_are_found_at_any_distance() {
    for c in *b",\"\n\r" {
        for from in 0..9 {
            for distance in 0..80 {
                // Plain text, the special byte, then another one that must not be taken.
                let mut text = vec![b'x'; from + distance];
                text.push(c);
                text.extend_from_slice(b"ab,\"\r\n");
                assert_eq!(plain::special(&text, from), Some(from + distance));
                text.truncate(from + distance);
                assert_eq!(plain::special(&text, from), None);
            }
        }
    }
}

#[test]
fn chunks_read_as_the_parser_reads_them() {
    let inputs: [&[u8]; 12] = [
        b"T1,a\nT2,b\n",
        b"T1,a\r\n\r\nT2,\"b\r\nc\"\r\nT3,d",
        b"\n\nT1,\"x\n\ny\"\n\"T2\",\"a\"\"b\"\n",
        b"T1,a\"b\nT2,\"c\"d\ne\nT3,\"f\n",
        b"T1,a\rT2,b\r",
        b"\xef\xbb\xbfT1,\"a\"\n\xef\xbb\xbf\"T2\",b\n",
        b"T1,\"unclosed\n",
        b"T1,a",
        b"a,\"b\"\r",
        b",,\n,\n\"\"\n\"\",\"\"\"\"\n",
        b"\xff\xfe,\"\xc3\",\xc3\xa9\n",
        b"",
    ];
    for input in inputs {
        for last in [true, false] {
            let (fast, core) = both(input, 3, last);
            assert_eq!(
                fast,
                core,
                "{:?}, last {last}",
                String::from_utf8_lossy(input)
            );
        }
    }
}

/// What the property test builds inputs from: every byte `csv_core` treats specially, in the
/// places it matters, and plain text.
const PIECES: [&[u8]; 14] = [
    b"a",
    b"text with spaces",
    b",",
    b"\"",
    b"\"\"",
    b"\n",
    b"\r",
    b"\r\n",
    b"\xef\xbb\xbf",
    b"\xff",
    b"\xc3\xa9",
    b"\",",
    b",\"",
    b"\"\n",
];

proptest::proptest! {
    #[test]
    fn special_bytes_are_found_as_a_byte_by_byte_scan_finds_them(
        text in proptest::collection::vec(
            // Bytes below `-` that are not special, and bytes at or above 0x80 whose low seven
            // bits are a special byte's, too (the word test in `special` must not take them).
            proptest::sample::select(&b"ab ,\"\r\n\xff\x0b\x2d!\x00+\x2e\xac\xa2\x8a\x8d"[..]),
            0..90,
        ),
        sparse in proptest::bool::ANY,
        from in 0usize..100,
    ) {
        // Mostly plain text, so that long runs reach the vector search.
        let text: Vec<u8> = text
            .iter()
            .enumerate()
            .map(|(i, &b)| if sparse && i % 41 != 0 { b'a' } else { b })
            .collect();
        let expected = text
            .get(from..)
            .and_then(|rest| rest.iter().position(|b| b",\"\n\r".contains(b)))
            .map(|i| from + i);
        proptest::prop_assert_eq!(plain::special(&text, from), expected);
    }
}

proptest::proptest! {
    // Seeded, so a run is repeatable; many cases, each a few microseconds.
    #![proptest_config(proptest::test_runner::Config {
        cases: 3000,
        rng_seed: proptest::test_runner::RngSeed::Fixed(16),
        ..proptest::test_runner::Config::default()
    })]

    #[test]
    fn any_chunk_reads_as_the_parser_reads_it(
        body in proptest::collection::vec(0..PIECES.len(), 0..80),
        newlines in 0u64..5,
        last in proptest::bool::ANY,
    ) {
        let input: Vec<u8> = body.iter().flat_map(|&i| PIECES[i].iter().copied()).collect();
        let (fast, core) = both(&input, newlines, last);
        proptest::prop_assert_eq!(fast, core);
    }

    /// Mostly well-formed rows (ragged, quoted or not, with doubled quotes and line breaks
    /// inside quotes), now and then broken, as exports come.
    #[test]
    fn rows_read_as_the_parser_reads_them(
        rows in proptest::collection::vec(
            proptest::collection::vec((0..6usize, "[a-c ,\"\r\n\u{e9}]{0,6}"), 0..6),
            0..12,
        ),
        crlf in proptest::bool::ANY,
        last in proptest::bool::ANY,
    ) {
        let mut input = Vec::new();
        for row in &rows {
            for (i, (kind, text)) in row.iter().enumerate() {
                if i > 0 {
                    input.push(b',');
                }
                match kind {
                    // Quoted, its quotes doubled.
                    0 | 1 => {
                        input.push(b'"');
                        input.extend(text.replace('"', "\"\"").bytes());
                        input.push(b'"');
                    }
                    // Unquoted, without the bytes that would need quotes.
                    2 | 3 => input.extend(text.bytes().filter(|b| !b"\",\r\n".contains(b))),
                    // As it comes.
                    4 => input.extend(text.bytes()),
                    _ => input.push(0xff),
                }
            }
            input.extend_from_slice(if crlf { b"\r\n" } else { b"\n" });
        }
        let (fast, core) = both(&input, 1, last);
        proptest::prop_assert_eq!(fast, core);
    }
}

/// `input` read as a last chunk by a `Records` of its own.
fn read_fresh(input: &[u8]) -> Records {
    let mut records = Records::default();
    let mut chunk = Chunk {
        bytes: input.to_vec(),
        last: true,
        ..Chunk::default()
    };
    records.read_chunk(&mut crate::tickets::chunk::core_reader(), &mut chunk);
    records
}

#[test]
fn records_after_rewritten_ones_read_where_they_lie() {
    // A doubled quote (rewritten by the splitter), a quote inside an unquoted field (read by
    // `csv_core`), then plain records, read where they lie in the chunk.
    let input = b"T1,\"a\"\"b\",c\nT2,x\"y,z\nT3,plain,\"q\"\nT4,\"\"\"\",w\nT5,e,f\n";
    let mut records = read_fresh(input);
    let fields = |records: &Records, i: usize| -> Vec<Vec<u8>> {
        records.get(i).unwrap().iter().map(<[u8]>::to_vec).collect()
    };
    let expected: [&[&[u8]]; 5] = [
        &[b"T1", b"a\"b", b"c"],
        &[b"T2", b"x\"y", b"z"],
        &[b"T3", b"plain", b"q"],
        &[b"T4", b"\"", b"w"],
        &[b"T5", b"e", b"f"],
    ];
    assert_eq!(records.len(), expected.len());
    for (i, expected) in expected.iter().enumerate() {
        assert_eq!(fields(&records, i), expected.to_vec(), "record {i}");
        assert_eq!(records.get(i).unwrap().line(), i as u64 + 1);
    }
    // Read where it lies: its text as it stands, up to its last field's end.
    assert_eq!(records.get(2).unwrap().as_slice(), b"T3,plain,\"q");
    assert_eq!(records.get(4).unwrap().as_slice(), b"T5,e,f");
    // Records appended after a chunk's come after its rewritten bytes.
    records.push(&ByteRecord::from(vec!["p", "q"]), 9);
    assert_eq!(fields(&records, 5), [b"p".to_vec(), b"q".to_vec()]);
    assert_eq!(fields(&records, 1), expected[1].to_vec());
    records.pop();
    assert_eq!(records.len(), 5);
    assert_eq!(fields(&records, 3), expected[3].to_vec());
}

#[test]
fn reused_buffers_read_chunks_of_any_length_as_fresh_ones() {
    let long: &[u8] = b"L1,\"a\"\"b\",c\nL2,x\"y,zzzzzzzzzzzzzzzzzzzz\nL3,\"\"\"\"\"\",w\nL4,e\n";
    let short: &[u8] = b"S1,\"\"\"m\"\nS2,o\"p\nS3,q\n";
    let plain: &[u8] = b"P1,r\n";
    // One chunk and one `Records`, as a replay batch keeps them: the chunk gets the records'
    // old buffer back and is filled again, the rewritten bytes' buffer keeps its length.
    let (mut records, mut chunk) = (Records::default(), Chunk::default());
    let mut core = crate::tickets::chunk::core_reader();
    for input in [long, short, plain, long, b"", short, long] {
        chunk.bytes.clear();
        chunk.bytes.extend_from_slice(input);
        chunk.last = true;
        records.read_chunk(&mut core, &mut chunk);
        assert_eq!(
            listed(&records),
            listed(&read_fresh(input)),
            "{:?}",
            String::from_utf8_lossy(input)
        );
    }
}

#[test]
fn chunks_of_more_fields_than_the_room_read_as_the_parser_reads_them() {
    // The split writes fields by index into the room `gaps` and `ends` keep (1,024 fields in a
    // fresh `Records`), grown when a chunk has more: here 3,000, in records of every kind (plain,
    // doubled quotes, read by `csv_core`), and one record wider than the room on its own.
    let mut input = Vec::new();
    for row in 0..300 {
        let fields: [&[u8]; 3] = [b"a,bb,\"c,d\"", b"\"x\"\"y\",z,", b"q\"r,s,t"];
        input.extend_from_slice(format!("R{row},").as_bytes());
        input.extend_from_slice(fields[row % 3]);
        input.extend_from_slice(b",1,2,3,4,5,6\n");
    }
    input.extend(std::iter::repeat_n(&b"w,"[..], 1500).flatten());
    input.extend_from_slice(b"end\n");
    let (fast, core) = both(&input, 0, true);
    assert_eq!(fast.len(), 301);
    assert_eq!(fast[300].0.len(), 1501);
    assert_eq!(fast, core);
    // Read again by the same `Records` (its room kept, stale) after a short chunk.
    let (mut records, mut chunk) = (Records::default(), Chunk::default());
    let mut core = crate::tickets::chunk::core_reader();
    for input in [&input[..], b"s,\"h\"\"i\"\n", &input[..]] {
        chunk.bytes.clear();
        chunk.bytes.extend_from_slice(input);
        chunk.last = true;
        records.read_chunk(&mut core, &mut chunk);
        assert_eq!(listed(&records), listed(&read_fresh(input)));
    }
    // Appended to after a chunk: the room past its fields is cut off first.
    records.push(&ByteRecord::from(vec!["p", "q"]), 9);
    let last = records.last().unwrap();
    assert_eq!(last.iter().collect::<Vec<_>>(), [b"p", b"q"]);
    assert_eq!(listed(&records)[..301], listed(&read_fresh(&input)));
}
