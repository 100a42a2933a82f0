//! Issue 12: timestamps in SQL read as replay's `TimestampParser::parse` reads them, text by
//! text. A seeded generator writes timestamp texts — every compiled shape, near-valid ones
//! (month 13, hour 24, second 60, a lower-case `t`, a fraction, `+0200`), local times in each
//! zone's gaps and folds and on both sides of them, years near the zone table's edges — and
//! the compiled decisions query (`fixtures/sql-time/policy.yaml`: the first response is due
//! one second after the clock start) runs on DuckDB and DataFusion beside replay. Per text:
//! the SQL's instant is replay's, or NULL where docs/warehouse.md says the SQL does not read
//! a shape replay reads; never another instant.

mod warehouse_common;

use jiff::Timestamp;
use jiff::tz::TimeZone;
use std::collections::BTreeMap;
use std::path::Path;
use warehouse_common::{Session, handoff, root};

/// A small seeded generator (xorshift64*), so every run writes the same texts.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len() as u64) as usize]
    }
}

/// Local date-times (`YYYY-MM-DD HH:MM:SS`) around the zone's transitions: a second, a
/// minute, half an hour and an hour either side of the local instants where an offset ends
/// and starts (so inside gaps and folds, and just outside them).
fn near_transitions(zone: &str, rng: &mut Rng, count: usize) -> Vec<String> {
    let tz = TimeZone::get(zone).unwrap();
    let start: Timestamp = "1880-01-01T00:00:00Z".parse().unwrap();
    let end: Timestamp = "2210-01-01T00:00:00Z".parse().unwrap();
    let mut edges = Vec::new();
    let mut before = tz.to_offset(start).seconds();
    for t in tz.following(start) {
        if t.timestamp() > end {
            break;
        }
        let after = t.offset().seconds();
        let at = t.timestamp().as_second();
        edges.push(at + i64::from(before));
        edges.push(at + i64::from(after));
        before = after;
    }
    (0..count)
        .map(|_| {
            let edge = edges[rng.below(edges.len() as u64) as usize];
            let deltas = [-3600, -1800, -60, -1, 0, 1, 60, 1799, 1800, 3599, 3600];
            let local = edge + deltas[rng.below(deltas.len() as u64) as usize];
            let dt = TimeZone::UTC.to_datetime(Timestamp::from_second(local).unwrap());
            dt.strftime("%Y-%m-%d %H:%M:%S").to_string()
        })
        .collect()
}

/// A timestamp text of any spelling jiff reads, valid or nearly so: every date and time
/// form (extended, basic, an hour alone, a six-digit year), `T`, `t` or a space, offsets of
/// every spelling (to ±25:59:59 and past it), fractions (zero and not), second 60, brackets,
/// and near-misses (mixed separators, a fraction of ten digits, a space before the offset, a
/// Unicode minus, a short text without an offset).
fn any_text(rng: &mut Rng) -> String {
    let years = [
        1850, 1899, 1900, 1901, 1969, 1970, 2026, 2038, 2100, 2199, 2200, 2201, 9998, 9999, 0,
    ];
    let year = if rng.below(3) == 0 {
        years[rng.below(years.len() as u64) as usize]
    } else {
        1900 + rng.below(320)
    };
    let month = if rng.below(20) == 0 {
        rng.below(14)
    } else {
        1 + rng.below(12)
    };
    let day = if rng.below(20) == 0 {
        rng.below(33)
    } else {
        let longest = 28 + rng.below(4);
        1 + rng.below(longest)
    };
    let hour = if rng.below(25) == 0 {
        24
    } else {
        rng.below(24)
    };
    let minute = if rng.below(30) == 0 {
        60
    } else {
        rng.below(60)
    };
    let second = if rng.below(15) == 0 {
        60
    } else {
        rng.below(60)
    };
    let basic_date = rng.below(4) == 0;
    let year_text = match rng.below(12) {
        0 => format!("+00{year:04}"),
        1 => format!("-00{year:04}"),
        2 => format!("+01{year:04}"),
        _ => format!("{year:04}"),
    };
    let date = if basic_date {
        format!("{year_text}{month:02}{day:02}")
    } else if rng.below(40) == 0 {
        format!("{year_text}-{month:02}{day:02}")
    } else {
        format!("{year_text}-{month:02}-{day:02}")
    };
    let basic_time = rng.below(4) == 0;
    let (c, parts) = (if basic_time { "" } else { ":" }, rng.below(8));
    let mut clock = format!("{hour:02}");
    if parts >= 1 {
        clock.push_str(&format!("{c}{minute:02}"));
    }
    if parts >= 3 {
        clock.push_str(&format!("{c}{second:02}"));
        if rng.below(4) == 0 {
            clock.push_str(rng.pick(&[
                ".0",
                ",000",
                ".000000000",
                ".5",
                ",25",
                ".123456789",
                ".0000000000",
                ".",
            ]));
        }
    }
    let sign = rng.pick(&["+", "+", "-", "-", "\u{2212}"]);
    let oh = if rng.below(6) == 0 {
        24 + rng.below(3)
    } else {
        rng.below(15)
    };
    let om = rng.pick(&["00", "30", "45", "59", "60"]);
    let os = rng.pick(&["00", "01", "59", "60"]);
    let offset = match rng.below(16) {
        0..=2 => String::new(),
        3 => rng.pick(&["Z", "z"]).to_string(),
        4 => format!("{sign}{oh:02}"),
        5 | 6 => format!("{sign}{oh:02}:{om}"),
        7 => format!("{sign}{oh:02}{om}"),
        8 => format!("{sign}{oh:02}:{om}:{os}"),
        9 => format!("{sign}{oh:02}{om}{os}"),
        10 => format!("{sign}{oh:02}:{om}{os}"),
        11 => format!("{sign}{oh:02}:{om}:{os}.5"),
        12 => format!(" {sign}{oh:02}:{om}"),
        13 => "-00:00".to_string(),
        14 => format!("Z[{}]", rng.pick(&["UTC", "Europe/Berlin"])),
        _ => format!("[{}]", rng.pick(&["UTC", "Europe/Paris", "Nowhere/Else"])),
    };
    let sep = rng.pick(&["T", "T", " ", "t", "TT"]);
    let text = match rng.below(20) {
        0 => date,
        1 => format!("{date}{sep}{clock}Z "),
        _ => format!("{date}{sep}{clock}{offset}"),
    };
    if rng.below(12) == 0 {
        format!("  {text} ")
    } else {
        text
    }
}

/// Whether the decisions query stops on `text` (trimmed), as docs/warehouse.md says: in a zone
/// with a table, a text read without an offset in a year after 2200; else a text the SQL does
/// not read that starts as a date and has a fraction or ends in a bracket, or whose year is
/// negative or 9999 (`lenient` and `UNCOMPILED` in src/sql/timestamps.rs, in that order).
fn refused(text: &str, zoned: bool) -> bool {
    let text = text.trim();
    let uncompiled =
        regex::Regex::new(r"^([0-9]{4}|[+-][0-9]{6}).*([.,][0-9]|\]$)|^(-[0-9]{6}|([+]00)?9999)")
            .unwrap();
    let clock = r"^([+]00)?([0-8][0-9]{3}|9[0-8][0-9]{2}|99[0-8][0-9]|999[0-8])(-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])|(0[1-9]|1[0-2])(0[1-9]|[12][0-9]|3[01]))[Tt ]([01][0-9]|2[0-3])(:[0-5][0-9](:([0-5][0-9]|60)([.,][0-9]{1,9})?)?|[0-5][0-9](([0-5][0-9]|60)([.,][0-9]{1,9})?)?)?";
    let offset =
        r"([Zz]|[+-]([01][0-9]|2[0-5])(:[0-5][0-9](:[0-5][0-9])?|[0-5][0-9]([0-5][0-9])?)?)";
    let local = regex::Regex::new(&format!("{clock}$")).unwrap();
    let with_offset = regex::Regex::new(&format!("{clock}{offset}$")).unwrap();
    let read_locally = text.len() >= 16 && local.is_match(text);
    let year = text
        .trim_start_matches("+00")
        .get(0..4)
        .and_then(|y| y.parse::<u32>().ok());
    if zoned && read_locally && year > Some(2200) {
        return true;
    }
    !(read_locally || with_offset.is_match(text)) && uncompiled.is_match(text)
}

fn due_by_id(path: &Path) -> BTreeMap<String, String> {
    let mut reader = csv::Reader::from_path(path).unwrap();
    let headers = reader.headers().unwrap().clone();
    let id = headers.iter().position(|h| h == "id").unwrap();
    let due = headers
        .iter()
        .position(|h| h == "first_response_due")
        .unwrap();
    reader
        .records()
        .map(|r| {
            let r = r.unwrap();
            (r[id].to_string(), r[due].to_string())
        })
        .collect()
}

/// A number of at most `width` digits as a text might hold it: mostly full width, sometimes
/// shorter, longer, or after white space.
fn digits(rng: &mut Rng, width: u32, value: u64) -> String {
    match rng.below(10) {
        0 => format!("{value}"),
        1 => format!("{value:0w$}", w = width as usize + 1),
        2 => format!(" {value:0w$}", w = width as usize),
        _ => format!("{value:0w$}", w = width as usize),
    }
}

/// A text for a format (`%d.%m.%Y %H:%M`, `%Y%m%d %H%M%S` or `%F %T`), valid or nearly so.
fn formatted(rng: &mut Rng, format: usize) -> String {
    let year = match rng.below(8) {
        0 => 1850 + rng.below(60),
        1 => 2195 + rng.below(10),
        2 => rng.below(1000),
        _ => 1960 + rng.below(100),
    };
    let month = if rng.below(20) == 0 {
        rng.below(14)
    } else {
        1 + rng.below(12)
    };
    let day = if rng.below(20) == 0 {
        rng.below(33)
    } else {
        1 + rng.below(31)
    };
    let hour = if rng.below(25) == 0 {
        24
    } else {
        rng.below(24)
    };
    let (minute, second) = (rng.below(61), rng.below(61));
    let sign = rng.pick(&["", "", "", "", "", "", "+", "-"]);
    let mut y = format!("{sign}{}", digits(rng, 4, year));
    if rng.below(30) == 0 {
        y = format!("{year:05}");
    }
    let (m, d) = (digits(rng, 2, month), digits(rng, 2, day));
    let (h, mi, se) = (
        digits(rng, 2, hour),
        digits(rng, 2, minute),
        digits(rng, 2, second),
    );
    let space = rng.pick(&[" ", " ", " ", "", "  ", "\t"]);
    let text = match format {
        0 => format!("{d}.{m}.{y}{space}{h}:{mi}"),
        1 => format!("{y}{m}{d}{space}{h}{mi}{se}"),
        _ => format!("{y}-{m}-{d}{space}{h}:{mi}:{se}"),
    };
    if rng.below(25) == 0 {
        format!("{text}Z")
    } else {
        text
    }
}

/// One mapping and the texts of its tickets; `null_ok` says where the SQL may leave NULL what
/// replay reads (given the text and replay's due).
struct Case {
    map: String,
    texts: Vec<String>,
    null_ok: fn(&str, &str) -> bool,
}

fn check(dialect: &str) {
    let dir = root().join(format!("target/sql-tests/time-{dialect}"));
    std::fs::create_dir_all(&dir).unwrap();
    let zones = ["Europe/Berlin", "America/New_York", "Australia/Sydney"];
    let mut rng = Rng(0x5eed_0012);
    let mut cases = Vec::new();
    // Texts the decisions query stops on (its mapping, the text).
    let mut stops: Vec<(String, String)> = Vec::new();
    for zone in zones {
        let mut texts = near_transitions(zone, &mut rng, 600);
        texts.extend((0..600).map(|_| any_text(&mut rng)));
        let map = format!("[timestamps]\ntimezone = \"{zone}\"\n");
        let (stopped, texts): (Vec<String>, Vec<String>) =
            texts.into_iter().partition(|t| refused(t, true));
        stops.extend(stopped.into_iter().map(|t| (map.clone(), t)));
        cases.push(Case {
            map,
            texts,
            null_ok: |_, _| false,
        });
    }
    // In UTC (no zone table: the other reader of texts without an offset).
    let (stopped, texts): (Vec<String>, Vec<String>) = (0..2000)
        .map(|_| any_text(&mut rng))
        .partition(|t| refused(t, false));
    let map = "[timestamps]\n".to_string();
    stops.extend(stopped.into_iter().map(|t| (map.clone(), t)));
    cases.push(Case {
        map,
        texts,
        null_ok: |_, _| false,
    });
    // Formats: in Berlin (its gaps and folds rewritten), in UTC, in New York.
    let formats = [
        ("%d.%m.%Y %H:%M", "Europe/Berlin"),
        ("%Y%m%d %H%M%S", "UTC"),
        ("%F %T", "America/New_York"),
    ];
    for (f, (format, zone)) in formats.iter().enumerate() {
        let mut texts: Vec<String> = (0..900).map(|_| formatted(&mut rng, f)).collect();
        if f == 0 {
            texts.extend(
                near_transitions(zone, &mut rng, 300)
                    .iter()
                    .map(|t| format!("{}.{}.{} {}", &t[8..10], &t[5..7], &t[0..4], &t[11..16])),
            );
        }
        cases.push(Case {
            map: format!("[timestamps]\nformat = \"{format}\"\ntimezone = \"{zone}\"\n"),
            texts,
            // A negative year, or a year past the zone table (2200).
            null_ok: |_, due| due.starts_with('-') || due.get(0..4) > Some("2200"),
        });
    }
    let mut session = Session::default();
    let mut runs = Vec::new();
    for (z, case) in cases.iter().enumerate() {
        let mut csv = String::from("id,created_at,escalated_at,confidence,text,priority\n");
        for (i, text) in case.texts.iter().enumerate() {
            let quoted = text.replace('"', "\"\"");
            csv.push_str(&format!("z{z}-{i:04},\"{quoted}\",,0.5,hello,p2\n"));
        }
        let tickets = dir.join(format!("case{z}.csv"));
        std::fs::write(&tickets, csv).unwrap();
        let map = dir.join(format!("case{z}.toml"));
        std::fs::write(&map, &case.map).unwrap();
        let decisions = dir.join(format!("case{z}.replay.csv"));
        handoff(&[
            "replay",
            "--policy",
            "fixtures/sql-time/policy.yaml",
            "--tickets",
            tickets.to_str().unwrap(),
            "--map",
            map.to_str().unwrap(),
            "--decisions",
            decisions.to_str().unwrap(),
            "--max-reject-rate",
            "1",
        ]);
        let sql = dir.join(format!("case{z}.sql"));
        handoff(&[
            "sql",
            "--policy",
            "fixtures/sql-time/policy.yaml",
            "--map",
            map.to_str().unwrap(),
            "--dialect",
            dialect,
            "--table",
            &format!("case{z}"),
            "-o",
            sql.to_str().unwrap(),
        ]);
        let out = dir.join(format!("case{z}.{dialect}.csv"));
        session.tables.push((format!("case{z}"), tickets));
        session.jobs.push((sql, out.clone()));
        runs.push((decisions, out));
    }
    // A few of the texts the query stops on, each alone in its table: the query fails, and
    // its message names the text.
    let step = (stops.len() / 12).max(1);
    let stops: Vec<(String, String)> = stops.into_iter().step_by(step).take(12).collect();
    assert!(stops.len() >= 8, "only {} texts to stop on", stops.len());
    for (n, (map_text, text)) in stops.iter().enumerate() {
        let tickets = dir.join(format!("stop{n}.csv"));
        let quoted = text.replace('"', "\"\"");
        std::fs::write(
            &tickets,
            format!("id,created_at,escalated_at,confidence,text,priority\ns{n},\"{quoted}\",,0.5,hello,p2\n"),
        )
        .unwrap();
        let map = dir.join(format!("stop{n}.toml"));
        std::fs::write(&map, map_text).unwrap();
        let sql = dir.join(format!("stop{n}.sql"));
        handoff(&[
            "sql",
            "--policy",
            "fixtures/sql-time/policy.yaml",
            "--map",
            map.to_str().unwrap(),
            "--dialect",
            dialect,
            "--table",
            &format!("stop{n}"),
            "-o",
            sql.to_str().unwrap(),
        ]);
        session.tables.push((format!("stop{n}"), tickets));
        session
            .jobs
            .push((sql, dir.join(format!("stop{n}.{dialect}.error"))));
    }
    if !session.run(dialect) {
        return;
    }
    for (n, (map, text)) in stops.iter().enumerate() {
        let said = std::fs::read_to_string(dir.join(format!("stop{n}.{dialect}.error"))).unwrap();
        assert!(
            said.starts_with("ERROR")
                && said.contains("a timestamp spelling replay reads is not compiled to SQL")
                && said.contains(text.trim()),
            "{map}{text:?}: the query did not stop naming it: {said}"
        );
    }
    for (z, (case, (decisions, out))) in cases.iter().zip(&runs).enumerate() {
        let want = due_by_id(decisions);
        let got = due_by_id(out);
        let (mut equal, mut wrong) = (0, Vec::new());
        for (i, text) in case.texts.iter().enumerate() {
            let id = format!("z{z}-{i:04}");
            let (w, g) = (&want[&id], &got[&id]);
            if w == g {
                equal += usize::from(!w.is_empty());
            } else if !(g.is_empty() && (case.null_ok)(text, w)) {
                wrong.push(format!("{text:?}: replay {w:?}, {dialect} {g:?}"));
            }
        }
        assert!(
            wrong.is_empty(),
            "{}: {} texts read otherwise:\n{}",
            case.map,
            wrong.len(),
            wrong.join("\n")
        );
        assert!(equal > 300, "{}: only {equal} instants compared", case.map);
    }
}

#[test]
fn duckdb_reads_timestamps_as_replay() {
    check("duckdb");
}

#[test]
fn datafusion_reads_timestamps_as_replay() {
    check("datafusion");
}
