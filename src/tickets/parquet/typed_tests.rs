//! Typed rows read as their text reads: over seeded batches of every column kind the parser
//! reads typed (instants of every unit, with and without a zone, edge years and fractions;
//! doubles with -0.0, NaN, infinities, huge and tiny ones; integers; flags; nulls; strings in
//! plain and dictionary arrays, with line breaks), and mappings with a zone, a format, scales,
//! aliases and `na`, the parser gives the same tickets, rejections, bad-value counts and
//! timestamps without an offset from the held batch as from its rows written as text — and a
//! rejected row's text is the row's text.

use std::sync::Arc;

use arrow_array::builder::{
    BooleanBuilder, Float64Builder, Int64Builder, StringBuilder, StringDictionaryBuilder,
    TimestampMicrosecondBuilder, TimestampMillisecondBuilder, TimestampNanosecondBuilder,
    TimestampSecondBuilder,
};
use arrow_array::types::Int32Type;
use arrow_array::{ArrayRef, TimestampSecondArray};

use super::column::Column;
use super::decoder::Decoded;
use crate::tickets::layout::Needs;
use crate::tickets::{Mapping, Records, Ticket, TicketParser, TicketReader};

const HEADERS: [&str; 12] = [
    "id",
    "created_at",
    "escalated_at",
    "resolved_at",
    "confidence",
    "sentiment",
    "requested_human",
    "reassignments",
    "csat",
    "priority",
    "resolved_tier",
    "note",
];

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn pick<T: Copy>(&mut self, from: &[T]) -> T {
        from[(self.next() % from.len() as u64) as usize]
    }

    fn one_in(&mut self, n: u64) -> bool {
        self.next() % n == 0
    }
}

/// Seconds at the edges of what is written and read: years 0000, 1000, 9999, jiff's range,
/// leap days, the epoch; beyond jiff's range.
const EDGE_SECONDS: [i64; 12] = [
    0,
    -1,
    951_782_400,
    -62_167_219_200,
    -62_167_219_201,
    -30_610_224_000,
    253_402_300_799,
    253_402_300_800,
    -377_705_116_800,
    253_402_207_200 + 86_400 * 365,
    i64::MAX / 2,
    1_772_445_600,
];

/// A timestamp column of `rows` seeded instants in `unit` (1 = seconds … 3 = nanoseconds).
fn instants(rng: &mut Rng, rows: usize, unit: u32, zone: bool) -> ArrayRef {
    let per_second = 1_000i64.pow(unit);
    let mut raws = Vec::with_capacity(rows);
    for _ in 0..rows {
        let seconds = match rng.next() % 4 {
            0 => rng.pick(&EDGE_SECONDS),
            1 => (rng.next() % 640_000_000_000) as i64 - 320_000_000_000,
            _ => 1_600_000_000 + (rng.next() % 400_000_000) as i64,
        };
        let fraction = match rng.one_in(2) {
            true => 0,
            false => (rng.next() % per_second as u64) as i64,
        };
        raws.push(match rng.one_in(12) {
            true => None,
            false => Some(seconds.saturating_mul(per_second).saturating_add(fraction)),
        });
    }
    let zone = zone.then_some("UTC");
    macro_rules! built {
        ($builder:ty) => {{
            let mut b = <$builder>::new();
            b.extend(raws);
            let a = b.finish();
            Arc::new(match zone {
                Some(z) => a.with_timezone(z),
                None => a,
            }) as ArrayRef
        }};
    }
    match unit {
        0 => built!(TimestampSecondBuilder),
        1 => built!(TimestampMillisecondBuilder),
        2 => built!(TimestampMicrosecondBuilder),
        _ => built!(TimestampNanosecondBuilder),
    }
}

fn doubles(rng: &mut Rng, rows: usize) -> ArrayRef {
    const EDGES: [f64; 16] = [
        0.0,
        -0.0,
        f64::NAN,
        f64::INFINITY,
        f64::NEG_INFINITY,
        1e300,
        -1e300,
        5e-324,
        0.5,
        1.0,
        1.000_000_1,
        99.5,
        150.0,
        -1.0,
        0.1 + 0.2,
        1e16 + 1.0,
    ];
    let mut b = Float64Builder::new();
    for _ in 0..rows {
        b.append_option(match rng.next() % 5 {
            0 => None,
            1 => Some(rng.pick(&EDGES)),
            2 => Some(f64::from_bits(rng.next())),
            _ => Some((rng.next() % 30_000) as f64 / 100.0 - 100.0),
        });
    }
    Arc::new(b.finish())
}

fn integers(rng: &mut Rng, rows: usize) -> ArrayRef {
    const EDGES: [i64; 7] = [0, -1, 3, i64::MIN, i64::MAX, (1 << 53) + 1, 4_294_967_296];
    let mut b = Int64Builder::new();
    for _ in 0..rows {
        b.append_option(match rng.next() % 4 {
            0 => None,
            1 => Some(rng.pick(&EDGES)),
            _ => Some((rng.next() % 21) as i64 - 10),
        });
    }
    Arc::new(b.finish())
}

fn strings(rng: &mut Rng, rows: usize, spellings: &[&str], dictionary: bool) -> ArrayRef {
    let values: Vec<Option<&str>> = (0..rows)
        .map(|_| (!rng.one_in(10)).then(|| rng.pick(spellings)))
        .collect();
    match dictionary {
        true => {
            let mut b = StringDictionaryBuilder::<Int32Type>::new();
            b.extend(values);
            Arc::new(b.finish())
        }
        false => {
            let mut b = StringBuilder::new();
            b.extend(values);
            Arc::new(b.finish())
        }
    }
}

/// The columns of one seeded batch of `rows` rows.
fn batch(rng: &mut Rng, rows: usize, dictionary: bool) -> Vec<ArrayRef> {
    let ids: Vec<String> = (0..rows).map(|i| format!("T{i}")).collect();
    let mut id = StringBuilder::new();
    for i in ids {
        id.append_option((!rng.one_in(50)).then_some(i));
    }
    let mut flags = BooleanBuilder::new();
    for _ in 0..rows {
        flags.append_option((!rng.one_in(6)).then(|| rng.one_in(2)));
    }
    let (a, b, c) = (rng.next() % 4, rng.next() % 2, rng.next() % 4);
    let zoned = rng.one_in(2);
    vec![
        Arc::new(id.finish()),
        instants(rng, rows, a as u32, zoned),
        instants(rng, rows, b as u32, true),
        instants(rng, rows, c as u32, false),
        doubles(rng, rows),
        integers(rng, rows),
        Arc::new(flags.finish()),
        integers(rng, rows),
        doubles(rng, rows),
        strings(
            rng,
            rows,
            &["high", "Low", " URGENT ", "p9", "0", "", "Hígh"],
            dictionary,
        ),
        strings(rng, rows, &["ai", "Tier1", "nobody", "false"], dictionary),
        strings(
            rng,
            rows,
            &["plain", "two\nlines", "", "NaN", "a\r\nb\nc"],
            dictionary,
        ),
    ]
}

fn decoded(columns: &[ArrayRef]) -> Decoded {
    let columns: Vec<Column> = columns.iter().map(Column::of).collect();
    let rows = columns.first().map_or(0, Column::len);
    let inner = columns.iter().map(Column::newlines).sum();
    Decoded {
        columns,
        rows,
        line: 2,
        inner,
        lines: Vec::new(),
    }
    .lined()
}

const MAPPINGS: [&str; 7] = [
    "",
    "[timestamps]\ntimezone = \"America/New_York\"\n",
    "[scales]\nconfidence = \"percent\"\nsentiment = { min = -10, max = 10 }\n",
    "[timestamps]\nformat = \"%Y-%m-%dT%H:%M:%S\"\n",
    "[values]\nna = [\"0\", \"false\", \"NaN\", \"-0\"]\n",
    "[aliases.priority]\nurgent = \"high\"\n\"hígh\" = \"low\"\n",
    "[scales]\nsentiment = { labels = { NaN = 0.5, inf = -0.5 } }\n",
];

#[test]
fn typed_rows_read_as_their_text_reads() {
    let mut rng = Rng(0x5eed_1234_abcd_ef01);
    let rule_fields: Vec<&str> = HEADERS[1..11].to_vec();
    let mut compared = 0;
    for (m, toml_text) in MAPPINGS.iter().enumerate() {
        let mapping: Mapping = toml::from_str(toml_text).expect("a test mapping");
        for strict in [false, true] {
            let needs = Needs {
                rule_fields: match strict {
                    true => rule_fields.iter().map(|f| f.to_string()).collect(),
                    false => Default::default(),
                },
                extras: vec!["note".into()],
                priorities: vec!["high".into(), "low".into()],
                tiers: vec!["tier1".into()],
                ..Needs::default()
            };
            let header = format!("{}\n", HEADERS.join(","));
            let reader =
                TicketReader::new(Box::new(std::io::Cursor::new(header)), &mapping, &needs)
                    .expect("a layout");
            let fresh = TicketParser::new(&reader.layout, &mapping, &needs).expect("a parser");
            let (mut by_text, mut by_cell) = (fresh.clone(), fresh);
            for dictionary in [false, true] {
                let columns = batch(&mut rng, 600, dictionary);
                let (mut text, mut typed) = (Records::default(), Records::default());
                decoded(&columns).split(&mut text);
                typed.hold_typed(Box::new(decoded(&columns)));
                assert_eq!(text.len(), typed.len());
                let (mut a, mut b) = (Ticket::default(), Ticket::default());
                for row in 0..text.len() {
                    let (Some(from_text), Some(from_cells)) = (text.get(row), typed.get(row))
                    else {
                        panic!("row {row} missing");
                    };
                    assert!(from_cells.typed().is_some());
                    let wanted = by_text.parse(from_text, row as u64 + 1, &mut a);
                    let got = by_cell.parse(from_cells, row as u64 + 1, &mut b);
                    let context = || {
                        let fields: Vec<String> = from_text
                            .iter()
                            .map(|f| String::from_utf8_lossy(f).into_owned())
                            .collect();
                        format!("mapping {m}, strict {strict}, row {row}: {fields:?}")
                    };
                    assert_eq!(format!("{got:?}"), format!("{wanted:?}"), "{}", context());
                    assert_eq!(format!("{b:?}"), format!("{a:?}"), "{}", context());
                    if got.is_err() {
                        typed.write_text(row);
                        let written: Vec<&[u8]> =
                            typed.get(row).map_or(vec![], |r| r.iter().collect());
                        let read: Vec<&[u8]> = text.get(row).map_or(vec![], |r| r.iter().collect());
                        assert_eq!(written, read, "{}", context());
                    }
                    compared += 1;
                }
            }
            assert_eq!(by_cell.bad_values, by_text.bad_values, "mapping {m}");
            assert_eq!(
                by_cell.timestamps_without_offset(),
                by_text.timestamps_without_offset(),
                "mapping {m}"
            );
        }
    }
    assert_eq!(compared, MAPPINGS.len() * 2 * 2 * 600);
}

/// The instants a second-unit column holds read as instants whatever the year.
#[test]
fn edge_instants_are_read_typed() {
    let array = TimestampSecondArray::from(EDGE_SECONDS.to_vec()).with_timezone("UTC");
    let column = Column::of(&(Arc::new(array) as ArrayRef));
    for (row, seconds) in EDGE_SECONDS.iter().enumerate() {
        let cell = column.cell(row);
        assert_eq!(
            cell,
            crate::tickets::record::Cell::Time {
                raw: *seconds,
                per_second: 1,
                utc: true
            }
        );
    }
}
