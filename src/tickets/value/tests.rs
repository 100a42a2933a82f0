use super::*;

fn utc() -> TimestampParser {
    TimestampParser::new(None, TimeZone::UTC)
}

#[test]
fn timestamps_default_forms() {
    let p = utc();
    let expected: Timestamp = "2023-06-01T12:15:36Z".parse().unwrap();
    assert_eq!(p.parse("2023-06-01T12:15:36Z"), Some(expected));
    assert_eq!(p.parse("2023-06-01 12:15:36"), Some(expected));
    assert_eq!(p.parse("2023-06-01T14:15:36+02:00"), Some(expected));
    assert_eq!(
        p.parse("2023-06-01 12:15"),
        "2023-06-01T12:15:00Z".parse().ok()
    );
    assert_eq!(p.without_offset.get(), 2);
    assert_eq!(p.parse("yesterday"), None);
    assert_eq!(p.parse("2023-06-01"), None);
}

#[test]
fn timestamps_with_format_and_zone() {
    let p = TimestampParser::new(
        Some("%d/%m/%Y %H:%M".into()),
        TimeZone::get("Europe/Berlin").unwrap(),
    );
    assert_eq!(
        p.parse("01/06/2023 14:15"),
        "2023-06-01T12:15:00Z".parse().ok()
    );
    assert_eq!(p.parse("2023-06-01 14:15"), None);
}

/// The parse before the fast path: jiff alone.
fn jiff_only(p: &TimestampParser, text: &str) -> Option<Timestamp> {
    let text = text.trim();
    // A time zone in brackets (RFC 9557, `17:30:00[Europe/Berlin]`) is read in that zone,
    // or not at all (an unknown zone): never as UTC.
    if text.ends_with(']') {
        return text
            .parse::<jiff::ZonedDateTime>()
            .ok()
            .map(|z| z.timestamp());
    }
    if let Ok(ts) = text.parse::<Timestamp>() {
        return Some(ts);
    }
    if text.len() < 16 {
        return None;
    }
    let datetime = text.parse::<jiff::civil::DateTime>().ok()?;
    p.timezone.to_timestamp(datetime).ok()
}

proptest::proptest! {
    #[test]
    fn fast_path_agrees_with_jiff(
        year in 0u32..10_000, month in 0u32..14, day in 0u32..33,
        hour in 0u32..26, minute in 0u32..62, second in 0u32..62,
        shape in 0usize..6, berlin in proptest::bool::ANY,
    ) {
        let date = format!("{year:04}-{month:02}-{day:02}");
        let text = match shape {
            0 => format!("{date}T{hour:02}:{minute:02}:{second:02}Z"),
            1 => format!("{date}T{hour:02}:{minute:02}:{second:02}"),
            2 => format!("{date} {hour:02}:{minute:02}:{second:02}"),
            3 => format!("{date} {hour:02}:{minute:02}"),
            4 => format!("{date}T{hour:02}:{minute:02}"),
            _ => format!(" {date}T{hour:02}:{minute:02}:{second:02}Z "),
        };
        let zone = if berlin { TimeZone::get("Europe/Berlin").unwrap() } else { TimeZone::UTC };
        let p = TimestampParser::new(None, zone);
        proptest::prop_assert_eq!(p.parse(&text), jiff_only(&p, &text), "{}", text);
    }
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(1000))]
    /// One parser reading a run of values (so the remembered date is hit and missed in
    /// every order: the same date again, back and forth between dates, an invalid date
    /// after a valid one with the same year and month) reads each as jiff alone does, and
    /// counts the values without an offset as it does.
    #[test]
    fn remembered_dates_read_as_jiff_reads_them(
        stamps in proptest::collection::vec(
            (0usize..22, 0u32..26, 0u32..62, 0u32..62, 0usize..6), 1..40,
        ),
        berlin in proptest::bool::ANY,
    ) {
        // Months that share a slot (`month_slot`: April of 2025 and 2026, February of
        // leap and other years, `01`/`11`/`1:`), a day past the month's end after a
        // valid day of the month, months and days that are not digits.
        const DATES: [&str; 22] = [
            "2026-04-08", "2026-04-09", "2024-02-29", "2023-02-29", "2026-13-01",
            "2026-00-10", "2026-04-31", "2026-04-00", "1000-01-01", "0999-12-31",
            "9000-01-01", "2026-4-08x", "2025-04-30", "2100-02-29", "2000-02-29",
            "2026-11-30", "2026-01-31", "2026-11-31", "2026-1:-01", "2026-12-3a",
            "2026-10-31", "8999-12-31",
        ];
        let zone = if berlin { TimeZone::get("Europe/Berlin").unwrap() } else { TimeZone::UTC };
        let p = TimestampParser::new(None, zone.clone());
        let mut without_offset = 0;
        for (date, hour, minute, second, shape) in stamps {
            let date = DATES[date];
            let text = match shape {
                0 | 1 => format!("{date}T{hour:02}:{minute:02}:{second:02}Z"),
                2 => format!("{date}T{hour:02}:{minute:02}:{second:02}"),
                3 => format!("{date} {hour:02}:{minute:02}"),
                4 => format!("{date}T{hour:02}:{minute:02}:{second:02}+02:00"),
                _ => format!("{date}T{hour:02}:{minute:02}:{second:02}.250Z"),
            };
            let fresh = TimestampParser::new(None, zone.clone());
            let expected = jiff_only(&fresh, &text);
            proptest::prop_assert_eq!(p.parse(&text), expected, "{}", text);
            if expected.is_some() && matches!(shape, 2 | 3) {
                without_offset += 1;
            }
        }
        proptest::prop_assert_eq!(p.without_offset.get(), without_offset);
    }
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(2000))]
    /// Any bytes where the usual shapes have `HH:MM:SS` (digits, colons and their
    /// neighbours `;`, `/`, a dot, a space, a letter) read as jiff alone reads them.
    #[test]
    fn clock_bytes_read_as_jiff_reads_them(
        clock in "[0-9:;/. Z]{8}|[0-2][0-9][:;][0-6][0-9][:;][0-6][0-9]",
        shape in 0usize..3,
    ) {
        let text = match shape {
            0 => format!("2026-06-01T{clock}Z"),
            1 => format!("2026-06-01T{clock}"),
            _ => format!("2026-06-01 {clock}"),
        };
        let p = utc();
        proptest::prop_assert_eq!(p.parse(&text), jiff_only(&p, &text), "{}", text);
    }
}

/// Bytes that are not digits where the 16-byte shape has its hours and minutes are not
/// read (and do not overflow `two_digits`, which debug builds stopped at: found by
/// `clock_bytes_read_as_jiff_reads_them`).
#[test]
fn non_digits_in_the_clock_are_not_read() {
    let p = utc();
    for text in [
        "2026-06-01T  : Z",
        "2026-06-01 ~~:00",
        "2026-06-01T00:~~",
        "2026-06-01T  :00:00Z",
    ] {
        assert_eq!(p.parse(text), None, "{text}");
    }
}

/// The remembered month is used: a date of a month read once is counted from the month's
/// first day (its bytes found in the parser), the same month of another year replaces it,
/// and a day past the month's end is not a date of it.
#[test]
fn the_month_is_remembered() {
    let p = utc();
    let slot = |text: &str| p.months[month_slot(text.as_bytes())].get();
    assert_eq!(slot("2026-04").days, 0);
    let first = p.parse("2026-04-08T09:33:53Z");
    assert_eq!(first, "2026-04-08T09:33:53Z".parse().ok());
    assert_eq!((slot("2026-04").before, slot("2026-04").days), (20_543, 30));
    assert_eq!(
        p.parse("2026-04-30T23:59:59Z"),
        "2026-04-30T23:59:59Z".parse().ok()
    );
    assert_eq!(p.parse("2026-04-31T00:00:00Z"), None);
    assert_eq!(
        p.parse("2025-04-09T00:00:00Z"),
        "2025-04-09T00:00:00Z".parse().ok()
    );
    assert_eq!(slot("2025-04").before, 20_178);
    assert_eq!(
        p.parse("2026-10-01 12:00"),
        "2026-10-01T12:00:00Z".parse().ok()
    );
    assert_eq!(slot("2026-10").days, 31);
    assert_eq!(slot("2025-04").before, 20_178);
}

/// What `parse_number` reads a trimmed text as: `str::parse`, finite values only.
fn general_number(text: &str) -> Option<f64> {
    text.parse::<f64>().ok().filter(|v| v.is_finite())
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(4000))]
    #[test]
    fn plain_decimals_read_as_str_parse(
        text in "[-+]?[0-9]{0,9}(\\.[0-9]{0,9})?|[-+.0-9e]{0,6}\
            |[-+]?[0-9]{13,22}|[-+]?[0-9]{0,21}\\.[0-9]{0,21}|[-+]?9{15,17}[0-9]{0,3}\
            |[-+]?[0-9]{1,3}(\\.[0-9]*){1,2}|[-+]?[0-9]{0,20}[.eE,_a ][0-9]{0,3}",
    ) {
        let expected = general_number(text.trim());
        let got = parse_number(&text);
        proptest::prop_assert_eq!(got.map(f64::to_bits), expected.map(f64::to_bits), "{}", text);
        // The fast path alone: when it reads a text, it reads it as `str::parse` does.
        if let Some(fast) = plain_decimal(text.as_bytes()) {
            proptest::prop_assert_eq!(Some(fast.to_bits()), expected.map(f64::to_bits), "{}", text);
        }
    }

    /// Digit strings whose integer is near 2^53 (9,007,199,254,740,992), where the fast
    /// path stops being exact, with the dot anywhere.
    #[test]
    fn decimals_around_two_to_the_53_read_as_str_parse(
        offset in -3_000i64..3_000, dot in 0usize..18, sign in 0usize..3, zeros in 0usize..3,
    ) {
        let digits = format!("{}{}", "0".repeat(zeros), (1i64 << 53) + offset);
        let text = match dot.min(digits.len()) {
            0 => digits,
            at => format!("{}.{}", &digits[..digits.len() - at], &digits[digits.len() - at..]),
        };
        let text = format!("{}{text}", ["", "-", "+"][sign]);
        let expected = general_number(&text);
        proptest::prop_assert_eq!(parse_number(&text).map(f64::to_bits), expected.map(f64::to_bits), "{}", text);
        if let Some(fast) = plain_decimal(text.as_bytes()) {
            proptest::prop_assert_eq!(Some(fast.to_bits()), expected.map(f64::to_bits), "{}", text);
        }
    }
}

/// The usual spellings take the fast path (so the properties above test it), and the
/// spellings it must leave to `str::parse` do not.
#[test]
fn plain_decimals_take_the_fast_path() {
    for text in [
        "0.926",
        "-0.07",
        "4",
        "+5",
        ".5",
        "5.",
        "-0",
        "9007199254740992",
        ".0000000000000000001",
        "1.234567890123456",
        "123456789012345.6",
    ] {
        assert_eq!(
            plain_decimal(text.as_bytes()).map(f64::to_bits),
            general_number(text).map(f64::to_bits),
            "{text}"
        );
        assert!(plain_decimal(text.as_bytes()).is_some(), "{text}");
    }
    for text in [
        "",
        ".",
        "-",
        "+-5",
        "1e5",
        "1.2.3",
        "9007199254740993",
        "12345678901234567890",
        "00000000000000000001",
        "inf",
        "NaN",
        " 5",
    ] {
        assert_eq!(plain_decimal(text.as_bytes()), None, "{text}");
    }
}

/// Every text of one or two characters from all of ASCII and some Unicode spaces and
/// letters, bare and between other characters, trims as `str::trim` does.
#[test]
fn trim_is_str_trim_for_every_ascii_end() {
    let others = ['\u{85}', '\u{a0}', '\u{2003}', '\u{3000}', 'é', 'ſ'];
    let chars: Vec<char> = (0u8..0x80).map(char::from).chain(others).collect();
    for &a in &chars {
        for text in [
            a.to_string(),
            format!("{a}x"),
            format!("x{a}"),
            format!("{a}x{a}"),
        ] {
            assert_eq!(trim(&text), text.trim(), "{text:?}");
            assert_eq!(trim_bytes(text.as_bytes()), Ok(text.trim().as_bytes()));
        }
        for &b in &chars {
            let text = format!("{a}{b}");
            assert_eq!(trim(&text), text.trim(), "{text:?}");
            assert_eq!(trim_bytes(text.as_bytes()), Ok(text.trim().as_bytes()));
        }
    }
}

#[test]
fn trim_is_str_trim() {
    for text in [
        "",
        " ",
        "a",
        " a",
        "a ",
        "\u{a0}a",
        "a\u{2003}",
        "\x0b",
        "ab",
        "é",
        " é ",
        "\ta\n",
    ] {
        assert_eq!(trim(text), text.trim(), "{text:?}");
    }
}

proptest::proptest! {
    #[test]
    fn booleans_read_as_before(text in "[ \t]?(true|false|yes|no|[yntf10]|TRUE|False|YeS|maybe|tru|falsey)?[ \t]?") {
        let is = |word: &str| trim(&text).eq_ignore_ascii_case(word);
        let expected = if ["true", "yes", "y", "1", "t"].into_iter().any(is) {
            Some(true)
        } else if ["false", "no", "n", "0", "f"].into_iter().any(is) {
            Some(false)
        } else {
            None
        };
        proptest::prop_assert_eq!(parse_bool(&text), expected, "{:?}", text);
    }
}

#[test]
fn booleans_and_numbers() {
    assert_eq!(parse_bool(" Yes "), Some(true));
    assert_eq!(parse_bool("0"), Some(false));
    assert_eq!(parse_bool("maybe"), None);
    assert_eq!(parse_number(" 0.75 "), Some(0.75));
    assert_eq!(parse_number("NaN"), None);
    assert_eq!(parse_number("high"), None);
}

/// [`trim_bytes`] of bytes that are not UTF-8: refused when an end is not plain ASCII (the text
/// is then checked), as [`trim`] of those bytes would never be reached.
#[test]
fn trim_bytes_refuses_bytes_that_are_not_text_at_an_end() {
    for bytes in [&b"\xc3"[..], b"\xa9", b"x\xff", b"\xff ", b" \xc3\xa9\xc3"] {
        assert_eq!(trim_bytes(bytes), Err(()), "{bytes:?}");
    }
    assert_eq!(trim_bytes(b" caf\xc3\xa9 "), Ok("café".as_bytes()));
    assert_eq!(trim_bytes(b""), Ok(&b""[..]));
}

/// The timestamp and flag readers of bytes read every text as the readers of text do.
#[test]
fn byte_readers_read_as_text_readers() {
    let utc = TimestampParser::new(None, TimeZone::UTC);
    let berlin = TimestampParser::new(None, TimeZone::get("Europe/Berlin").unwrap());
    let format = TimestampParser::new(Some("%d.%m.%Y %H:%M".into()), TimeZone::UTC);
    for text in [
        "",
        "2026-04-08T09:33:53Z",
        "2026-04-08 10:00",
        "2026-04-08 10:00:07",
        "2026-04-09T14:15:36+02:00",
        "2026-02-30T10:00:00Z",
        "2026-04-08T24:00:00Z",
        "0999-04-08T10:00:00Z",
        "08.04.2026 10:00",
        "2026-04-08T10:00:00[Europe/Berlin]",
        "yesterday",
        "2026-04-08T09:33:5é",
    ] {
        for parser in [&utc, &berlin, &format] {
            let (of_bytes, of_text) = (parser.clone(), parser.clone());
            assert_eq!(
                of_bytes.parse_trimmed_bytes(text.as_bytes()),
                of_text.parse_trimmed(text),
                "{text}"
            );
            assert_eq!(of_bytes.without_offset, of_text.without_offset, "{text}");
        }
    }
    for text in [
        "true", "false", "TRUE", "yes", "No", "1", "0", "t", "é", "", "maybe",
    ] {
        assert_eq!(
            parse_bool_bytes(text.as_bytes()),
            parse_bool(text),
            "{text}"
        );
    }
    assert_eq!(parse_bool_bytes(b"\xff"), None);
}
