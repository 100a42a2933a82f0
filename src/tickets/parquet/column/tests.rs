use super::*;

/// What the CSV rendering wrote before the fast path: jiff's own text.
fn jiff_text(seconds: i64, utc: bool) -> Option<String> {
    let ts = jiff::Timestamp::from_second(seconds).ok()?;
    Some(match utc {
        true => ts.to_string(),
        false => ts
            .to_zoned_datetime(jiff::tz::TimeZone::UTC)
            .datetime()
            .to_string(),
    })
}

#[test]
fn whole_seconds_are_written_as_jiff_writes_them() {
    // Boundaries (epoch, leap days, centuries, the years 0000 and 9999), then a seeded walk
    // over the whole range.
    let mut seconds = vec![
        0,
        -1,
        86_399,
        86_400,
        951_782_400,   // 2000-02-29
        4_107_542_400, // 2100-03-01
        -62_167_219_200,
        -62_167_219_201,
        253_402_300_799,
        253_402_300_800,
        1_772_445_600,
    ];
    let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
    for _ in 0..200_000 {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        seconds.push((state % 640_000_000_000) as i64 - 320_000_000_000);
    }
    for s in seconds {
        let mut out = [0u8; 20];
        let fast = format_seconds(s, &mut out).map(|()| out);
        for utc in [true, false] {
            let expected = jiff_text(s, utc);
            match fast {
                Some(text) => {
                    let text = std::str::from_utf8(&text[..if utc { 20 } else { 19 }]);
                    assert_eq!(text.ok(), expected.as_deref(), "{s} s");
                }
                // Outside 0000–9999 the fast path steps aside for jiff.
                None => assert!(
                    expected.is_none_or(|e| e.starts_with('-') || e.starts_with('+')),
                    "{s} s"
                ),
            }
        }
    }
}

#[test]
fn short_decimals_are_written_as_the_formatter_writes_them() {
    let mut values = vec![
        0.5,
        0.907,
        0.21,
        0.2,
        0.1,
        0.3,
        4.0,
        -4.0,
        1.0,
        0.0001,
        0.00015,
        123.4567,
        -0.75,
        999_999_999.999_9,
        1e9,
        1e-5,
        0.1 + 0.2,
        1.0 / 3.0,
        2.5e8,
        -0.0,
        0.0,
    ];
    let mut state: u64 = 0x2545_f491_4f6c_dd1d;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    for _ in 0..300_000 {
        let r = next();
        let places = (r % 7) as i32;
        let m = (next() % 2_000_000_000_000) as f64 - 1e12;
        values.push(m / 10f64.powi(places));
        values.push(f64::from_bits(next()));
        values.push((r % 100_000) as f64 / 1e4);
    }
    let mut hits = 0;
    for v in values {
        let mut out = [0u8; 24];
        if let Some(len) = short_decimal(v, &mut out) {
            hits += 1;
            assert_eq!(
                std::str::from_utf8(&out[..len]).ok(),
                Some(v.to_string().as_str()),
                "{v:e}"
            );
        }
    }
    // Most of the short decimals take the fast path.
    assert!(hits > 350_000, "{hits}");
}

#[test]
fn a_fraction_of_a_second_is_left_to_jiff() {
    assert_eq!(whole_seconds(1_500, 1_000), None);
    assert_eq!(whole_seconds(-2_000, 1_000), Some(-2));
    assert_eq!(whole_seconds(7, 1), Some(7));
}

#[test]
fn integers_are_written_as_the_formatter_writes_them() {
    let mut values = vec![0, -1, 1, 9, -10, i64::MIN, i64::MAX, i64::MIN + 1, 1 << 53];
    let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
    for _ in 0..100_000 {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        values.push(state as i64);
        values.push((state % 100_000) as i64 - 50_000);
    }
    for v in values {
        assert_eq!(
            std::str::from_utf8(itoa_i64(v).as_bytes()).ok(),
            Some(v.to_string().as_str()),
            "{v}"
        );
    }
}
