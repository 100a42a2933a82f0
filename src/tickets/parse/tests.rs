//! Unit tests of the ticket parser (kept apart so `parse.rs` stays one concern).

use super::*;

#[test]
fn fields_split_inside_a_character_are_not_text() {
    // "\xC3" and "\xA9" join into "é": the record is UTF-8, its fields are not.
    let input: &[u8] = b"id,text,csat,note\nT1,\xC3,\xA9,ok\nT2,caf\xC3\xA9,4,fine\n";
    let needs = Needs {
        extras: vec!["note".into()],
        ..Needs::default()
    };
    let mapping = Mapping::default();
    let mut reader = super::super::TicketReader::new(Box::new(input), &mapping, &needs).unwrap();
    let mut parser = TicketParser::new(&reader.layout, &mapping, &needs).unwrap();
    let (mut records, mut ticket) = (super::super::Records::default(), Ticket::default());
    while reader.read(&mut records).unwrap() {}
    parser
        .parse(records.get(0).unwrap(), 1, &mut ticket)
        .unwrap();
    assert_eq!(ticket.texts, [""]);
    assert_eq!(ticket.csat, None);
    assert_eq!(ticket.extras, ["ok"]);
    let counted: Vec<(&str, u64)> = parser
        .bad_values
        .iter()
        .map(|(k, v)| (k.as_str(), *v))
        .collect();
    assert_eq!(counted, [("csat", 1), ("text", 1)]);
    parser
        .parse(records.get(1).unwrap(), 2, &mut ticket)
        .unwrap();
    assert_eq!((ticket.texts[0].as_str(), ticket.csat), ("café", Some(4.0)));
    assert_eq!(ticket.line, 3);
}

/// Labels remembered per column read exactly as labels read afresh: the same tickets,
/// rejections and bad-value counts, over seeded spellings with aliases, case, blanks,
/// non-ASCII text, unknown priorities and tiers, more spellings than are remembered, and
/// spellings that share a slot of the index ([`SpellingKey::slot`]).
#[test]
fn remembered_labels_read_as_fresh_ones() {
    use rand::{RngExt, SeedableRng};
    let spellings = [
        "",
        " ",
        "Enterprise",
        " enterprise ",
        "ENTERPRISE",
        "gold",
        "GOLD ",
        "Free",
        "ÜBER",
        "über",
        "İx",
        "urgent",
        "URGENT",
        "Hi",
        "hi",
        "high",
        "p9",
        "normal",
        "low",
        "Low",
        "l1",
        "L1",
        "l2",
        "L3",
        "ai",
        "AI",
        "Ai",
        "nope",
        "chat",
        "Email",
        "k",
        "K",
        "\u{212a}",
        "ſ",
        "a1",
        "a2",
        "a3",
        "a4",
        "a5",
        "a6",
        "a7",
        "a8",
        "a9",
        "a10",
        LONG,
        "premium-plat-x-y-annual",
    ];
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(16);
    let mut input = String::from("id,customer_tier,channel,category,priority,resolved_tier\n");
    // Longer than sixteen bytes, with the same length, first eight and last eight bytes as the
    // last spelling above (equal keys, another label): remembered first in every column.
    const LONG: &str = "premium-plan-x-y-annual";
    input.push_str(&format!("T-long{}\n", format!(",{LONG}").repeat(5)));
    for row in 0..3000 {
        let pick = |rng: &mut rand_chacha::ChaCha8Rng| {
            let text = spellings[rng.random_range(0..spellings.len())];
            format!("\"{text}\"")
        };
        let fields: Vec<String> = (0..5).map(|_| pick(&mut rng)).collect();
        input.push_str(&format!("T{row},{}\n", fields.join(",")));
    }
    let mut mapping = Mapping::default();
    mapping.aliases.insert(
        "customer_tier".into(),
        [("Gold".to_string(), "Enterprise".to_string())].into(),
    );
    mapping.aliases.insert(
        "priority".into(),
        [("HI".to_string(), "high".to_string())].into(),
    );
    for rule_read in [false, true] {
        let needs = Needs {
            priorities: ["urgent", "high", "normal", "low"]
                .map(String::from)
                .to_vec(),
            tiers: ["L1", "L2", "L3"].map(String::from).to_vec(),
            rule_fields: if rule_read {
                ["priority".to_string()].into()
            } else {
                Default::default()
            },
            ..Needs::default()
        };
        let mut reader = super::super::TicketReader::new(
            Box::new(std::io::Cursor::new(input.clone())),
            &mapping,
            &needs,
        )
        .unwrap();
        let fresh = TicketParser::new(&reader.layout, &mapping, &needs).unwrap();
        let mut remembering = fresh.clone();
        let mut records = super::super::Records::default();
        while reader.read(&mut records).unwrap() {}
        let (mut ticket, mut expected) = (Ticket::default(), Ticket::default());
        let mut fresh_bad: BTreeMap<String, u64> = BTreeMap::new();
        for index in 0..records.len() {
            let record = records.get(index).unwrap();
            let got = remembering.parse(record, index as u64 + 1, &mut ticket);
            let mut alone = fresh.clone();
            let wanted = alone.parse(record, index as u64 + 1, &mut expected);
            assert_eq!(format!("{got:?}"), format!("{wanted:?}"));
            assert_eq!(format!("{ticket:?}"), format!("{expected:?}"));
            // Spellings as the data has them, trimmed (columns 1–4 are the four labels).
            if got.is_ok() {
                for (column, label) in Label::ALL.into_iter().enumerate() {
                    let raw = std::str::from_utf8(record.get(column + 1).unwrap()).unwrap();
                    assert_eq!(ticket.label_spellings[label], raw.trim());
                }
            }
            for (field, count) in alone.bad_values {
                *fresh_bad.entry(field).or_default() += count;
            }
        }
        assert_eq!(remembering.bad_values, fresh_bad);
        assert!(
            remembering
                .known_labels
                .iter()
                .any(|k| k.len() == KNOWN_LABELS)
        );
        // Some column has remembered spellings that share an index slot (the second is
        // found by the search).
        assert!(remembering.known_labels.iter().any(|known| {
            let slots: std::collections::BTreeSet<usize> =
                known.iter().map(|(key, _, _)| key.slot()).collect();
            slots.len() < known.len()
        }));
    }
}

/// A spelling's key matches another's exactly when the spellings are equal: every length from
/// 0 to 24 bytes, spellings that differ in one byte anywhere, or only in length.
#[test]
fn spelling_keys_match_equal_spellings_only() {
    let mut spellings: Vec<String> = Vec::new();
    for len in 0..=24 {
        let base: String = (0..len)
            .map(|i| char::from(b'a' + (i % 26) as u8))
            .collect();
        spellings.push(base.clone());
        for at in 0..len {
            let mut changed = base.clone().into_bytes();
            changed[at] = b'Z';
            spellings.push(String::from_utf8(changed).unwrap());
        }
    }
    spellings.extend(["\0", "\0\0", "é", "e\u{301}", "İx"].map(String::from));
    for a in &spellings {
        for b in &spellings {
            let (ka, kb) = (SpellingKey::of(a), SpellingKey::of(b));
            assert_eq!(ka.matches(a, kb, b), a == b, "{a:?} {b:?}");
        }
    }
}

/// Field values for [`the_text_path_reads_as_the_general_one`]: every kind of value of every
/// field, blanks, non-ASCII text, quotes, and bytes that are not UTF-8 (`\xC3` then `\xA9` in
/// the next field make a record that is UTF-8 as a whole although neither field is).
const VALUES: [&[u8]; 34] = [
    b"",
    b" ",
    b"2026-04-08T09:33:53Z",
    b" 2026-04-08 10:00 ",
    b"2026-04-09T14:15:36+02:00",
    b"yesterday",
    b"0.93",
    b" -0.07 ",
    b"85",
    b"1e2",
    b"4",
    b"-3",
    b"Enterprise",
    b" Free ",
    b"CHAT",
    b"urgent",
    b"high",
    b"Hi",
    b"L1",
    b"ai",
    b"AI",
    b"true",
    b"no",
    b" Y ",
    b"\xc3\x9cBER",
    b"caf\xc3\xa9",
    b"\"a, b\"",
    b"\"say \"\"hi\"\"\"",
    b"\"multi\nline\"",
    b"\xc3",
    b"\xa9",
    b"\xff",
    b"n/a",
    b" N/A ",
];

/// The needs of the parse-path comparisons: labels, a numeric extra, every field read by
/// rules or none.
fn compared_needs(rule_read: bool) -> Needs {
    Needs {
        priorities: ["urgent", "high", "normal", "low"]
            .map(String::from)
            .to_vec(),
        tiers: ["L1", "L2", "L3"].map(String::from).to_vec(),
        extras: vec!["note".into()],
        numeric_extras: ["note".to_string()].into(),
        rule_fields: match rule_read {
            true => Field::ALL
                .iter()
                .map(|f| f.name().to_string())
                .chain(["note".into()])
                .collect(),
            false => Default::default(),
        },
    }
}

/// `parse` (whichever path it takes) fills the same tickets, rejections, bad-value counts and
/// offset counts as `fill_general` on every record.
fn parse_as_general(
    fast: &mut TicketParser,
    general: &mut TicketParser,
    records: &super::super::Records,
) -> Result<(), proptest::test_runner::TestCaseError> {
    let (mut got, mut wanted) = (Ticket::default(), Ticket::default());
    for index in 0..records.len() {
        let record = records.get(index).unwrap();
        let number = index as u64 + 1;
        let fast_result = fast.parse(record, number, &mut got).map_err(|e| e.reason);
        wanted.line = record.line();
        let general_result = general.fill_general(record, number, &mut wanted);
        proptest::prop_assert_eq!(fast_result, general_result);
        proptest::prop_assert_eq!(format!("{got:?}"), format!("{wanted:?}"));
    }
    proptest::prop_assert_eq!(&fast.bad_values, &general.bad_values);
    proptest::prop_assert_eq!(
        fast.timestamps_without_offset(),
        general.timestamps_without_offset()
    );
    Ok(())
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(300))]
    /// The text path of `parse` (a record split once into text fields, [`split_plain`]) fills
    /// the same tickets, rejections, bad-value counts and offset counts as the general path
    /// (`fill_general`, which it bypasses), on records of every kind (ragged ones too), with
    /// and without `[values] na`, with the fields read by rules or not.
    #[test]
    fn the_text_path_reads_as_the_general_one(
        rows in proptest::collection::vec(
            proptest::collection::vec(0..VALUES.len(), 17..=19), 1..24,
        ),
        rule_read in proptest::bool::ANY,
        na in proptest::bool::ANY,
    ) {
        let mut input = b"id,created_at,text,confidence,sentiment,customer_tier,channel,category,\
priority,requested_human,escalated_at,first_human_response_at,resolved_at,resolved_tier,\
reassignments,reopened,csat,note\n".to_vec();
        for (number, row) in rows.iter().enumerate() {
            input.extend_from_slice(format!("T{number}").as_bytes());
            for &value in row {
                input.push(b',');
                input.extend_from_slice(VALUES[value]);
            }
            input.push(b'\n');
        }
        let mut mapping = Mapping::default();
        mapping.aliases.insert(
            "priority".into(),
            [("HI".to_string(), "high".to_string())].into(),
        );
        if na {
            mapping.values.na = vec!["n/a".into()];
        }
        let needs = compared_needs(rule_read);
        let mut reader = super::super::TicketReader::new(
            Box::new(std::io::Cursor::new(input)),
            &mapping,
            &needs,
        )
        .unwrap();
        let mut fast = TicketParser::new(&reader.layout, &mapping, &needs).unwrap();
        let mut general = fast.clone();
        let mut records = super::super::Records::default();
        while reader.read(&mut records).unwrap() {}
        parse_as_general(&mut fast, &mut general, &records)?;
    }
}

/// Bad bytes for [`records_of_a_chunk_checked_once_parse_as_records_checked_each`]: in an
/// unquoted field, a character cut by a field boundary (two fields), in a quoted field that
/// is rewritten (doubled quotes), in a quoted field read where it lies.
const BAD: [&[u8]; 4] = [
    b"x\xff",
    b"\xc3,\xa9",
    b"\"say \"\"\xff\"\"\"",
    b"\"caf\xc3\"",
];

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(200))]
    /// A chunk found UTF-8 as a whole gives its records' text without checking them again
    /// (`RawRecord::text`); its records parse as the same records read one by one (each
    /// checked on its own, the per-record path): same tickets, rejections, bad-value and offset
    /// counts. Rows of valid values (so that most chunks take the per-chunk path), now and then
    /// one bad piece among them (then no record of the chunk does).
    #[test]
    fn records_of_a_chunk_checked_once_parse_as_records_checked_each(
        rows in proptest::collection::vec(
            proptest::collection::vec(0..VALUES.len(), 17..=19), 1..24,
        ),
        bad in proptest::option::of((0..BAD.len(), 0..24usize, 0..19usize)),
        rule_read in proptest::bool::ANY,
    ) {
        let valid: Vec<&[u8]> =
            VALUES.iter().copied().filter(|v| std::str::from_utf8(v).is_ok()).collect();
        let mut input = b"id,created_at,text,confidence,sentiment,customer_tier,channel,category,\
priority,requested_human,escalated_at,first_human_response_at,resolved_at,resolved_tier,\
reassignments,reopened,csat,note\n".to_vec();
        let mut bad_placed = false;
        for (number, row) in rows.iter().enumerate() {
            input.extend_from_slice(format!("T{number}").as_bytes());
            for (column, &value) in row.iter().enumerate() {
                input.push(b',');
                match bad {
                    Some((kind, at_row, at_column)) if (at_row, at_column) == (number, column) => {
                        input.extend_from_slice(BAD[kind]);
                        bad_placed = true;
                    }
                    _ => input.extend_from_slice(valid[value % valid.len()]),
                }
            }
            input.push(b'\n');
        }
        let (mapping, needs) = (Mapping::default(), compared_needs(rule_read));
        let reader = || {
            let input = Box::new(std::io::Cursor::new(input.clone()));
            super::super::TicketReader::new(input, &mapping, &needs).unwrap()
        };
        // The chunk's records, as a replay worker reads them.
        let mut chunked_reader = reader();
        proptest::prop_assert!(chunked_reader.cuts_chunks_of(1 << 20));
        let mut chunk = super::super::chunk::Chunk::default();
        let mut chunked = super::super::Records::default();
        chunked_reader.read_chunk(&mut chunk).unwrap();
        proptest::prop_assert!(chunk.last);
        chunked.read_chunk(&mut super::super::chunk::core_reader(), &mut chunk);
        // The same records read one by one.
        let mut one_by_one = reader();
        let mut pushed = super::super::Records::default();
        while one_by_one.read(&mut pushed).unwrap() {}
        proptest::prop_assert_eq!(chunked.len(), pushed.len());
        for index in 0..chunked.len() {
            let (record, alone) = (chunked.get(index).unwrap(), pushed.get(index).unwrap());
            // The per-chunk path is taken exactly when the chunk has no bad byte.
            proptest::prop_assert_eq!(record.text().is_some(), !bad_placed);
            proptest::prop_assert_eq!(alone.text(), None);
            if let Some(text) = record.text() {
                proptest::prop_assert_eq!(text.as_bytes(), record.as_slice());
            }
        }
        let mut per_chunk = TicketParser::new(&chunked_reader.layout, &mapping, &needs).unwrap();
        let mut per_record = per_chunk.clone();
        let (mut got, mut wanted) = (Ticket::default(), Ticket::default());
        for index in 0..chunked.len() {
            let number = index as u64 + 1;
            let got_result = per_chunk
                .parse(chunked.get(index).unwrap(), number, &mut got)
                .map_err(|e| (e.line, e.id, e.reason));
            let wanted_result = per_record
                .parse(pushed.get(index).unwrap(), number, &mut wanted)
                .map_err(|e| (e.line, e.id, e.reason));
            proptest::prop_assert_eq!(got_result, wanted_result);
            proptest::prop_assert_eq!(format!("{got:?}"), format!("{wanted:?}"));
        }
        proptest::prop_assert_eq!(&per_chunk.bad_values, &per_record.bad_values);
        proptest::prop_assert_eq!(
            per_chunk.timestamps_without_offset(),
            per_record.timestamps_without_offset()
        );
    }
}

/// `split_plain` takes a text record that is UTF-8 as a whole, its fields exactly as the
/// general view reads them, and refuses one with a field that is not text; `parse` then reads
/// it the general way (the field counts as not UTF-8).
#[test]
fn only_all_text_records_are_split_plain() {
    let input: &[u8] =
        b"id,text,note\nT1,\"a, \"\"b\"\"\",caf\xc3\xa9\nT2,\xc3,\xa9\nT3,x\xff,y\nT4\n";
    let mut reader =
        super::super::TicketReader::new(Box::new(input), &Mapping::default(), &Needs::default())
            .unwrap();
    let mut records = super::super::Records::default();
    while reader.read(&mut records).unwrap() {}
    let mut fields = Vec::new();
    let split: Vec<bool> = (0..records.len())
        .map(|i| split_plain(&records.get(i).unwrap(), &mut fields).is_some())
        .collect();
    assert_eq!(split, [true, true, false, true]);
    let (na, rendered) = (None, Rendered::default());
    for (index, wanted) in [(0, &["T1", "a, \"b\"", "café"][..]), (3, &["T4"])] {
        let record = records.get(index).unwrap();
        let whole = split_plain(&record, &mut fields).unwrap();
        let plain = Plain {
            whole,
            fields: &fields,
        };
        let text = RecordText::new(record, na, &[], &rendered);
        let got: Vec<&str> = (0..wanted.len()).map(|i| plain.get(i).unwrap()).collect();
        let general: Vec<&str> = (0..wanted.len()).map(|i| text.get(i).unwrap()).collect();
        assert_eq!(got, general);
        assert_eq!(got, wanted);
    }
    // A record UTF-8 as a whole whose fields are cut inside a character: split, its fields
    // not text, as the general view reads them.
    let record = records.get(1).unwrap();
    let whole = split_plain(&record, &mut fields).unwrap();
    let plain = Plain {
        whole,
        fields: &fields,
    };
    let text = RecordText::new(record, na, &[], &rendered);
    for i in 0..3 {
        assert_eq!(plain.get(i), text.get(i), "{i}");
        assert_eq!(plain.trimmed_bytes(i), text.trimmed_bytes(i), "{i}");
    }
    assert_eq!(plain.get(1), Err(()));
    assert_eq!(plain.trimmed_bytes(2), Err(()));
}

/// Values of the fields read as bytes (numbers, timestamps, flags) for
/// [`the_byte_fields_read_as_the_general_ones`]: valid, invalid, padded, empty, non-ASCII,
/// cut inside a character (`\xc3` then `\xa9` in the next field), quoted.
const BYTE_VALUES: [&[u8]; 30] = [
    b"",
    b"  ",
    b"2026-04-08T09:33:53Z",
    b" 2026-04-08 10:00 ",
    b"2026-04-08 10:00:07",
    b"2026-04-09T14:15:36+02:00",
    b"2026-02-30T10:00:00Z",
    b"2026-04-08T09:33:5\xc3\xa9",
    b"\xc2\xa02026-04-08T09:33:53Z",
    b"0.93",
    b" -0.07 ",
    b"85",
    b"1e2",
    b"4",
    b"-3",
    b"2.5",
    b"\xef\xbc\x94",
    b"\"7\"",
    b"true",
    b"false",
    b" Yes ",
    b"0",
    b"TRUE",
    b"caf\xc3\xa9",
    b"\xc3\xa9",
    b"\xc3",
    b"\xa9",
    b"\xe2\x80\x83",
    b"n/a",
    b"nan",
];

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(300))]
    /// The fields the text path reads as bytes (numbers, timestamps, flags: no
    /// character-boundary check, [`Fields::trimmed_bytes`]) fill the same tickets, rejections,
    /// bad-value counts (with their quoted texts) and offset counts as the general path
    /// (`fill_general`, which reads them as text), with and without a zone, read by rules or
    /// not.
    #[test]
    fn the_byte_fields_read_as_the_general_ones(
        rows in proptest::collection::vec(
            proptest::collection::vec(0..BYTE_VALUES.len(), 10), 1..24,
        ),
        rule_read in proptest::bool::ANY,
        zone in proptest::bool::ANY,
    ) {
        let mut input = b"id,created_at,text,confidence,sentiment,priority,requested_human,\
escalated_at,first_human_response_at,resolved_at,reassignments,reopened,csat\n".to_vec();
        for (number, row) in rows.iter().enumerate() {
            input.extend_from_slice(format!("T{number}").as_bytes());
            for (at, &value) in row.iter().enumerate() {
                input.push(b',');
                input.extend_from_slice(BYTE_VALUES[value]);
                if at == 0 {
                    input.extend_from_slice(b",caf\xc3\xa9 text");
                } else if at == 2 {
                    input.extend_from_slice(b",high");
                }
            }
            input.push(b'\n');
        }
        let mut mapping = Mapping::default();
        if zone {
            mapping.timestamps.timezone = Some("Europe/Berlin".into());
        }
        let needs = compared_needs(rule_read);
        let mut reader = super::super::TicketReader::new(
            Box::new(std::io::Cursor::new(input)),
            &mapping,
            &needs,
        )
        .unwrap();
        let mut fast = TicketParser::new(&reader.layout, &mapping, &needs).unwrap();
        let mut general = fast.clone();
        let mut records = super::super::Records::default();
        while reader.read(&mut records).unwrap() {}
        // Every record with the fields cut inside a character too is read by the text path.
        let mut fields = Vec::new();
        proptest::prop_assert!((0..records.len())
            .all(|i| split_plain(&records.get(i).unwrap(), &mut fields).is_some()
                || std::str::from_utf8(records.get(i).unwrap().as_slice()).is_err()));
        parse_as_general(&mut fast, &mut general, &records)?;
    }
}

/// A batch of typed rows for the tests: every kind of cell, owned.
#[derive(Debug, Clone)]
enum Owned {
    Null,
    Text(&'static str),
    Time(i64, i64, bool),
    Float(f64),
    Int(i64),
    Bool(bool),
    Other(&'static str),
}

#[derive(Debug)]
struct OwnedBatch {
    width: usize,
    rows: Vec<Vec<Owned>>,
}

impl TypedBatch for OwnedBatch {
    fn rows(&self) -> usize {
        self.rows.len()
    }

    fn width(&self) -> usize {
        self.width
    }

    fn line(&self, row: usize) -> u64 {
        row as u64 + 2
    }

    fn cell(&self, row: usize, column: usize) -> Cell<'_> {
        match self.rows.get(row).and_then(|r| r.get(column)) {
            _ if column >= self.width => Cell::Null,
            Some(Owned::Text(text)) => Cell::Text(text),
            Some(&Owned::Time(raw, per_second, utc)) => Cell::Time {
                raw,
                per_second,
                utc,
            },
            Some(&Owned::Float(v)) => Cell::Float(v),
            Some(&Owned::Int(v)) => Cell::Int(v),
            Some(&Owned::Bool(v)) => Cell::Bool(v),
            Some(Owned::Other(_)) => Cell::Other,
            Some(Owned::Null) | None => Cell::Null,
        }
    }

    fn text(&self, row: usize, column: usize, out: &mut String) {
        use std::fmt::Write;
        let _ = match self.rows.get(row).and_then(|r| r.get(column)) {
            _ if column >= self.width => Ok(()),
            Some(Owned::Text(text) | Owned::Other(text)) => write!(out, "{text}"),
            Some(&Owned::Time(raw, per_second, utc)) => match typed::instant(raw, per_second) {
                Some(instant) => {
                    let text = instant.to_string();
                    write!(
                        out,
                        "{}",
                        if utc {
                            &text
                        } else {
                            text.trim_end_matches('Z')
                        }
                    )
                }
                None => Ok(()),
            },
            Some(Owned::Float(v)) => write!(out, "{v}"),
            Some(Owned::Int(v)) => write!(out, "{v}"),
            Some(Owned::Bool(v)) => write!(out, "{v}"),
            Some(Owned::Null) | None => Ok(()),
        };
    }
}

/// Cells of every kind: labels, numbers and instants as strings (padded, cased, non-ASCII,
/// `na` values), instants of every unit with and without a zone (one outside jiff's range),
/// doubles (NaN, out of range), integers, flags, another type, nulls.
const CELLS: [Owned; 26] = [
    Owned::Null,
    Owned::Text("high"),
    Owned::Text(" Low "),
    Owned::Text("HI"),
    Owned::Text("0.5"),
    Owned::Text(" 7 "),
    Owned::Text("n/a"),
    Owned::Text("2026-01-02T03:04:05Z"),
    Owned::Text("2026-01-02T03:04:05"),
    Owned::Text("true"),
    Owned::Text("Çafé"),
    Owned::Text(""),
    Owned::Text("L2"),
    Owned::Time(1_772_445_600, 1, true),
    Owned::Time(1_772_445_600_123, 1_000, false),
    Owned::Time(1_772_445_600_123_456, 1_000_000, true),
    Owned::Time(-1, 1_000_000_000, false),
    Owned::Time(i64::MAX, 1, true),
    Owned::Float(0.5),
    Owned::Float(f64::NAN),
    Owned::Float(150.0),
    Owned::Int(3),
    Owned::Int(-1),
    Owned::Bool(true),
    Owned::Bool(false),
    Owned::Other("2026-01-02"),
];

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(300))]
    /// The typed path of `parse` (a typed row without `[values] na`, read by `fill` through
    /// [`TypedRow`]) fills the same tickets, rejections, bad-value counts and offset counts as
    /// the general path (`fill_general`, which it bypasses), on rows of every kind of cell,
    /// with and without `[values] na`, a timestamp format, a zone, the fields read by rules or
    /// not, batches narrower or wider than the header.
    #[test]
    fn the_typed_path_reads_as_the_general_one(
        rows in proptest::collection::vec(
            proptest::collection::vec(0..CELLS.len(), 19), 1..24,
        ),
        width in 17usize..=19,
        rule_read in proptest::bool::ANY,
        na in proptest::bool::ANY,
        format in proptest::bool::ANY,
        zone in proptest::bool::ANY,
    ) {
        let header = "id,created_at,text,confidence,sentiment,customer_tier,channel,category,\
priority,requested_human,escalated_at,first_human_response_at,resolved_at,resolved_tier,\
reassignments,reopened,csat,note\n";
        let mut mapping = Mapping::default();
        mapping.aliases.insert(
            "priority".into(),
            [("HI".to_string(), "high".to_string())].into(),
        );
        if na {
            mapping.values.na = vec!["n/a".into(), "0.5".into()];
        }
        if format {
            mapping.timestamps.format = Some("%Y-%m-%dT%H:%M:%S".into());
        }
        if zone {
            mapping.timestamps.timezone = Some("America/New_York".into());
        }
        let needs = compared_needs(rule_read);
        let reader = super::super::TicketReader::new(
            Box::new(std::io::Cursor::new(header)),
            &mapping,
            &needs,
        )
        .unwrap();
        let mut fast = TicketParser::new(&reader.layout, &mapping, &needs).unwrap();
        let mut general = fast.clone();
        let batch = OwnedBatch {
            width,
            rows: rows
                .iter()
                .map(|row| row.iter().map(|&cell| CELLS[cell].clone()).collect())
                .collect(),
        };
        let mut records = super::super::Records::default();
        records.hold_typed(Box::new(batch));
        proptest::prop_assert!((0..records.len()).all(|i| records.get(i).is_some_and(|r| r.typed().is_some())));
        parse_as_general(&mut fast, &mut general, &records)?;
    }
}
