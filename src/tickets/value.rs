//! Parsing of ticket values: timestamps, numbers, booleans, labels.

use jiff::Timestamp;
use jiff::tz::TimeZone;

/// How timestamps of one input are read.
#[derive(Debug, Clone)]
pub struct TimestampParser {
    pub format: Option<String>,
    /// Zone for values without an offset.
    pub timezone: TimeZone,
    /// Values read without an offset (so in `timezone`), for the report's note.
    pub without_offset: std::cell::Cell<u64>,
    /// The months the usual shapes named ([`Month`]), by [`month_slot`].
    months: [std::cell::Cell<Month>; 32],
}

/// A `YYYY-MM-` the usual shapes read (its eight bytes, little-endian), with the day since
/// 1970-01-01 before its first day and its number of days: a date of a month read before is
/// counted by adding its day of the month, not through `days_from_civil`. Exports span a few
/// months or years, in any order, so one month per slot ([`month_slot`]: the month's number,
/// not its year) keeps them all after the first rows. Only a valid month of the plain range of
/// years is remembered; the initial key cannot match a text of the usual shapes (its fifth
/// byte is not `-`).
#[derive(Debug, Clone, Copy, Default)]
struct Month {
    head: u64,
    before: i64,
    days: i64,
}

impl TimestampParser {
    pub fn new(format: Option<String>, timezone: TimeZone) -> TimestampParser {
        TimestampParser {
            format,
            timezone,
            without_offset: std::cell::Cell::new(0),
            months: std::array::from_fn(|_| std::cell::Cell::default()),
        }
    }

    pub fn parse(&self, text: &str) -> Option<Timestamp> {
        self.parse_trimmed(trim(text))
    }

    /// [`Self::parse`] of a text already trimmed ([`trim`]), as the ticket parser's are.
    pub(crate) fn parse_trimmed(&self, text: &str) -> Option<Timestamp> {
        match self.usual(text.as_bytes()) {
            Some(read) => read,
            None => self.parse_other(text),
        }
    }

    /// [`Self::parse_trimmed`] of a text's bytes: the usual shapes read as bytes, any other
    /// text as text; `None` also when the bytes are not UTF-8.
    pub(crate) fn parse_trimmed_bytes(&self, bytes: &[u8]) -> Option<Timestamp> {
        match self.usual(bytes) {
            Some(read) => read,
            None => self.parse_other(std::str::from_utf8(bytes).ok()?),
        }
    }

    /// A text of the usual shapes ([`Self::common_shape`]) read without a format: `Some` of
    /// its instant (`None` out of range); `None` when it is left to [`Self::parse_other`].
    #[inline(always)]
    #[allow(clippy::option_option)]
    fn usual(&self, b: &[u8]) -> Option<Option<Timestamp>> {
        if self.format.is_some() {
            return None;
        }
        match self.common_shape(b) {
            Some((second, true)) => Some(Timestamp::from_second(second).ok()),
            Some((second, false)) if self.timezone == TimeZone::UTC => {
                self.without_offset.set(self.without_offset.get() + 1);
                Some(Timestamp::from_second(second).ok())
            }
            _ => None,
        }
    }

    /// [`Self::parse_trimmed`] of a text [`Self::usual`] left: through the mapping's format,
    /// or jiff's parsers.
    fn parse_other(&self, text: &str) -> Option<Timestamp> {
        if let Some(format) = &self.format {
            let parsed = jiff::fmt::strtime::parse(format.as_str(), text).ok()?;
            if let Ok(ts) = parsed.to_timestamp() {
                return Some(ts);
            }
            let datetime = parsed.to_datetime().ok()?;
            self.without_offset.set(self.without_offset.get() + 1);
            return self.timezone.to_timestamp(datetime).ok();
        }
        // The usual shapes were read directly ([`Self::usual`]); anything else (and any value
        // out of the plain ranges) goes through jiff's parsers, which define the result.
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
        // `YYYY-MM-DD[ T]HH:MM[:SS]` without an offset: in the declared zone (UTC by default,
        // never the machine's zone).
        if text.len() < 16 {
            return None;
        }
        let datetime = text.parse::<jiff::civil::DateTime>().ok()?;
        self.without_offset.set(self.without_offset.get() + 1);
        self.timezone.to_timestamp(datetime).ok()
    }
}

impl TimestampParser {
    /// `YYYY-MM-DDTHH:MM:SSZ` (with offset), or `YYYY-MM-DD[ T]HH:MM[:SS]` (without): the
    /// second since the epoch the digits name read as UTC, and whether the text has the `Z`.
    /// `None` for any other shape, and for values jiff might treat specially (years outside
    /// 1000–8999, a leap second), which the caller leaves to jiff.
    #[inline(always)]
    fn common_shape(&self, b: &[u8]) -> Option<(i64, bool)> {
        let (clock, utc) = match b.len() {
            20 if b[19] == b'Z' && b[10] == b'T' => (clock(b)?, true),
            19 if matches!(b[10], b'T' | b' ') => (clock(b)?, false),
            16 if matches!(b[10], b'T' | b' ') && b[13] == b':' => {
                let (hour, minute) = (two_digits(b, 11)?, two_digits(b, 14)?);
                if hour > 23 || minute > 59 {
                    return None;
                }
                (hour * 3600 + minute * 60, false)
            }
            _ => return None,
        };
        if b[4] != b'-' || b[7] != b'-' {
            return None;
        }
        Some((self.day(b)? * 86_400 + clock, utc))
    }

    /// The day since 1970-01-01 of the `YYYY-MM-DD` that starts `b` (at least 16 bytes, `-`
    /// at 4 and 7): its month's when the month's bytes are remembered, else the month is
    /// counted and remembered. `None` unless it is a valid date of the years 1000–8999.
    #[inline(always)]
    fn day(&self, b: &[u8]) -> Option<i64> {
        let head = u64::from_le_bytes(*b.first_chunk::<8>()?);
        let slot = self.months.get(month_slot(b))?;
        let mut month = slot.get();
        if month.head != head {
            month = Month::of(b)?;
            slot.set(month);
        }
        let day = two_digits(b, 8)?;
        (1..=month.days)
            .contains(&day)
            .then_some(month.before + day)
    }
}

/// The slot of [`TimestampParser::months`] for the `YYYY-MM` that starts `b` (at least 7
/// bytes): the month's digits, `01`–`09` to 1–9 and `10`–`12` to 17–19 (any other bytes to
/// some slot below 32, where their eight bytes will not match).
#[inline(always)]
fn month_slot(b: &[u8]) -> usize {
    usize::from((b[5] & 1) << 4 | (b[6] & 15))
}

impl Month {
    /// The month of the `YYYY-MM-` that starts `b` (at least 8 bytes); `None` unless it is a
    /// month of the years 1000–8999.
    #[inline(never)]
    fn of(b: &[u8]) -> Option<Month> {
        let head = u64::from_le_bytes(*b.first_chunk::<8>()?);
        let year = two_digits(b, 0)? * 100 + two_digits(b, 2)?;
        let month = two_digits(b, 5)?;
        let days = match month {
            1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
            4 | 6 | 9 | 11 => 30,
            2 if year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) => 29,
            2 => 28,
            _ => return None,
        };
        if !(1000..9000).contains(&year) {
            return None;
        }
        let before = crate::calendar::civil::days_from_civil(year, month, 1) - 1;
        Some(Month { head, before, days })
    }
}

/// `HH:MM:SS` at `b[11..19]` as the second of the day; `None` for any other bytes, an hour
/// past 23, a minute or second past 59. The eight bytes are tested and combined as one word:
/// after an `xor` with `00:00:00` the digits are their values and the colons zero, and no
/// other byte is at most 9.
#[inline(always)]
fn clock(b: &[u8]) -> Option<i64> {
    let word = u64::from_le_bytes(b.get(11..19)?.try_into().ok()?);
    let v = word ^ u64::from_le_bytes(*b"00:00:00");
    // A byte above 9 has its top bit set after adding 0x76 (bytes below 0x80 do not carry),
    // or had it before.
    let above_nine = (v | v.wrapping_add(0x7676_7676_7676_7676)) & 0x8080_8080_8080_8080;
    if above_nine != 0 || v & 0x0000_ff00_00ff_0000 != 0 {
        return None;
    }
    // Each pair's value in its first byte: tens * 10 + ones (at most 99: no carry).
    let pairs = v.wrapping_mul(10).wrapping_add(v >> 8);
    let (hour, minute, second) = (pairs & 0xff, pairs >> 24 & 0xff, pairs >> 48 & 0xff);
    if hour > 23 || minute > 59 || second > 59 {
        return None;
    }
    i64::try_from(hour * 3600 + minute * 60 + second).ok()
}

/// The two digits at `b[at..at + 2]` as a number; `None` unless both are digits. (The value
/// is computed only then: `tens * 10` of two other bytes overflows a `u8`, which debug builds
/// stop at.)
#[inline(always)]
fn two_digits(b: &[u8], at: usize) -> Option<i64> {
    let (tens, ones) = (b[at].wrapping_sub(b'0'), b[at + 1].wrapping_sub(b'0'));
    (tens < 10 && ones < 10).then(|| i64::from(tens * 10 + ones))
}

/// `str::trim`, without its Unicode scan when the ends are plain ASCII. Forced inline: the
/// parser trims every field it reads (19 a row), and the call cost as much as the test.
///
/// An end from `!` to DEL is neither whitespace nor part of a non-ASCII character: one
/// subtraction and compare an end, both ends tested together, and an empty text tested as
/// ends that are plain (no branch of its own: which fields are empty is not predictable, and
/// the caller tests it again). Any other end (a space, a control byte, a non-ASCII one) goes to
/// `str::trim`, which decides.
#[inline(always)]
pub fn trim(text: &str) -> &str {
    match plain_ends(text.as_bytes()) {
        true => text,
        false => trim_unicode(text),
    }
}

/// Both ends of `bytes` from `!` to DEL, or `bytes` empty: nothing to trim ([`trim`]).
#[inline(always)]
fn plain_ends(bytes: &[u8]) -> bool {
    let plain = |b: u8| b.wrapping_sub(b'!') < 0x5F;
    let first = bytes.first().copied().unwrap_or(b'!');
    let last = bytes.last().copied().unwrap_or(b'!');
    plain(first) & plain(last)
}

/// [`trim`] of a text's bytes: the same bytes, without a character-boundary check when both
/// ends are plain ASCII; any other end is trimmed as text (`Err` when the bytes are not UTF-8).
#[inline(always)]
pub(crate) fn trim_bytes(bytes: &[u8]) -> Result<&[u8], ()> {
    match plain_ends(bytes) {
        true => Ok(bytes),
        false => trim_unicode_bytes(bytes),
    }
}

/// [`trim_bytes`]'s rare case: an end that is whitespace or not ASCII.
#[inline(never)]
fn trim_unicode_bytes(bytes: &[u8]) -> Result<&[u8], ()> {
    match std::str::from_utf8(bytes) {
        Ok(text) => Ok(text.trim().as_bytes()),
        Err(_) => Err(()),
    }
}

/// [`trim`]'s rare case: an end that is whitespace or not ASCII.
#[inline(never)]
fn trim_unicode(text: &str) -> &str {
    text.trim()
}

/// `true/false`, `yes/no`, `1/0` (any case).
/// `ts` to the whole second before it (the fraction dropped, towards the past also before
/// 1970): a ticket's timestamps are read to the second, so SLA clocks, dues and durations run
/// in whole seconds — on every input (CSV, Parquet, folded events) and in the compiled SQL,
/// which drops the fraction's digits. (The event fold orders events by the full instant.)
pub fn whole_second(ts: Timestamp) -> Timestamp {
    if ts.subsec_nanosecond() == 0 {
        return ts;
    }
    let second = ts.as_second() - i64::from(ts.subsec_nanosecond() < 0);
    Timestamp::from_second(second).unwrap_or(ts)
}

pub fn parse_bool(text: &str) -> Option<bool> {
    // The spellings exports use most, as they are; any other goes through the full test.
    match text {
        "false" => return Some(false),
        "true" => return Some(true),
        _ => {}
    }
    let text = trim(text);
    let is = |word: &str| text.eq_ignore_ascii_case(word);
    if ["true", "yes", "y", "1", "t"].into_iter().any(is) {
        Some(true)
    } else if ["false", "no", "n", "0", "f"].into_iter().any(is) {
        Some(false)
    } else {
        None
    }
}

/// [`parse_bool`] of a text's bytes (`None` also when they are not UTF-8).
#[inline(always)]
pub(crate) fn parse_bool_bytes(bytes: &[u8]) -> Option<bool> {
    match bytes {
        b"false" => Some(false),
        b"true" => Some(true),
        _ => parse_bool(std::str::from_utf8(bytes).ok()?),
    }
}

pub fn parse_number(text: &str) -> Option<f64> {
    parse_trimmed_number(trim(text))
}

/// [`parse_number`] of a text already trimmed ([`trim`]), as the ticket parser's are.
pub(crate) fn parse_trimmed_number(text: &str) -> Option<f64> {
    if let Some(value) = plain_decimal(text.as_bytes()) {
        return Some(value);
    }
    let value: f64 = text.parse().ok()?;
    value.is_finite().then_some(value)
}

/// Powers of ten exact in an `f64` (to `1e22`; [`plain_decimal`] needs those to `1e19`).
const POWERS_OF_TEN: [f64; 20] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16,
    1e17, 1e18, 1e19,
];

/// `[+-]?` digits with at most one `.` among them (`5`, `-0.07`, `.5`, `5.`), at most 19
/// digits, as `str::parse` reads it (Clinger's fast path): the digits as an integer `m ≤ 2^53`
/// and the power of ten `10^k` (`k` ≤ 19 fraction digits) are both exact in an `f64`, and one
/// IEEE division rounds the exact quotient correctly. `None` for any other text (an exponent,
/// more digits, a larger `m`, no digit at all), which `str::parse` then reads.
#[inline]
pub(crate) fn plain_decimal(bytes: &[u8]) -> Option<f64> {
    let (negative, body) = match bytes.split_first()? {
        (b'-', rest) => (true, rest),
        (b'+', rest) => (false, rest),
        _ => (false, bytes),
    };
    // 19 digits and a dot at most; longer texts go the general way.
    if body.len() > 20 {
        return None;
    }
    let mut mantissa: u64 = 0;
    let mut dot = None;
    for (at, &b) in body.iter().enumerate() {
        let digit = b.wrapping_sub(b'0');
        if digit < 10 {
            // Wraps only for 20 digits, which are refused below.
            mantissa = mantissa.wrapping_mul(10).wrapping_add(u64::from(digit));
        } else if b == b'.' && dot.is_none() {
            dot = Some(at);
        } else {
            return None;
        }
    }
    let digits = body.len() - usize::from(dot.is_some());
    if digits == 0 || digits > 19 || mantissa > 1 << 53 {
        return None;
    }
    let fraction = dot.map_or(0, |at| body.len() - 1 - at);
    let value = mantissa as f64 / *POWERS_OF_TEN.get(fraction)?;
    Some(if negative { -value } else { value })
}

#[cfg(test)]
mod tests;

/// What replay reads without a format, pinned (issue 12: src/sql/timestamps.rs compiles every
/// spelling here but a fraction other than zero, a bracket, a negative year and the year 9999,
/// which stop the decisions query; docs/warehouse.md, "Timestamp spellings").
#[cfg(test)]
mod spellings {
    use super::*;

    fn read(zone: &str, text: &str) -> Option<String> {
        let p = TimestampParser::new(None, TimeZone::get(zone).unwrap());
        p.parse(text).map(|t| t.to_string())
    }

    #[test]
    fn the_spellings_replay_reads_without_a_format() {
        let utc = |t: &str| read("UTC", t);
        // Compiled to SQL.
        assert_eq!(
            utc("2026-06-01T10:00:00Z").as_deref(),
            Some("2026-06-01T10:00:00Z")
        );
        assert_eq!(
            utc("2026-06-01 10:00").as_deref(),
            Some("2026-06-01T10:00:00Z")
        );
        assert_eq!(
            utc("2026-06-01 12:00:00+02:00").as_deref(),
            Some("2026-06-01T10:00:00Z")
        );
        assert_eq!(
            read("Europe/Berlin", "2026-03-29 02:30").as_deref(),
            Some("2026-03-29T01:30:00Z")
        );
        assert_eq!(
            read("Europe/Berlin", "2026-10-25 02:30").as_deref(),
            Some("2026-10-25T00:30:00Z")
        );
        // Other spellings (compiled to SQL but the fraction and the bracket).
        assert_eq!(
            utc("2026-06-01T10:00:00.5Z").as_deref(),
            Some("2026-06-01T10:00:00.5Z")
        );
        assert_eq!(
            utc("2026-06-01T12:00:00+0200").as_deref(),
            Some("2026-06-01T10:00:00Z")
        );
        assert_eq!(
            utc("2026-06-01T12:00:00+02").as_deref(),
            Some("2026-06-01T10:00:00Z")
        );
        assert_eq!(
            utc("2026-06-01t10:00:00z").as_deref(),
            Some("2026-06-01T10:00:00Z")
        );
        assert_eq!(
            utc("2026-06-01T10:00:60Z").as_deref(),
            Some("2026-06-01T10:00:59Z")
        );
        assert_eq!(
            utc("2026-06-01T12:00:00[Europe/Berlin]").as_deref(),
            Some("2026-06-01T10:00:00Z")
        );
        // Not read.
        assert_eq!(utc("2026-06-01"), None);
        assert_eq!(utc("2026-06-01T24:00:00Z"), None);
        assert_eq!(utc("01.06.2026 10:00"), None);
    }

    /// Everything jiff's `Timestamp` and `DateTime` parsers take beyond the usual shapes
    /// (issue 12: src/sql/timestamps.rs compiles all of it but a fraction other than zero,
    /// a bracket, a signed year other than `+00YYYY` and the year 9999; docs/warehouse.md).
    #[test]
    fn every_spelling_jiff_reads_without_a_format() {
        let utc = |t: &str| read("UTC", t);
        let same = |t: &str, want: &str| assert_eq!(utc(t).as_deref(), Some(want), "{t}");
        let none = |t: &str| assert_eq!(utc(t), None, "{t}");
        // Fractions: 1 to 9 digits, `.` or `,`, only after the seconds; kept to the nanosecond.
        same("2026-06-01T10:00:00.5Z", "2026-06-01T10:00:00.5Z");
        same("2026-06-01T10:00:00,5Z", "2026-06-01T10:00:00.5Z");
        same(
            "2026-06-01T10:00:00.123456789Z",
            "2026-06-01T10:00:00.123456789Z",
        );
        same("2026-06-01T10:00:00.000Z", "2026-06-01T10:00:00Z");
        same("2026-06-01 10:00:00,000000000", "2026-06-01T10:00:00Z");
        none("2026-06-01T10:00:00.1234567891Z");
        none("2026-06-01T10:00:00.Z");
        none("2026-06-01T10:00.5Z");
        // `t`, `z`; the basic format (the date's and the time's separators each all or none);
        // an hour alone; a six-digit year with its sign (not `-000000`).
        same("2026-06-01t10:00:00z", "2026-06-01T10:00:00Z");
        same("20260601T100000Z", "2026-06-01T10:00:00Z");
        same("2026-06-01T1000Z", "2026-06-01T10:00:00Z");
        same("20260601T10:00:00Z", "2026-06-01T10:00:00Z");
        same("2026-06-01T10Z", "2026-06-01T10:00:00Z");
        same("2026-06-01 10+02:00", "2026-06-01T08:00:00Z");
        same("+002026-06-01T10:00:00Z", "2026-06-01T10:00:00Z");
        same("+0020260601T10Z", "2026-06-01T10:00:00Z");
        same("-000001-06-01T10:00:00Z", "-000001-06-01T10:00:00Z");
        none("-000000-06-01T10:00:00Z");
        none("+010000-06-01T10:00:00Z");
        none("2026-0601T10:00:00Z");
        none("2026-06-01T10:0000Z");
        none("2026-06-01TT10:00:00Z");
        // Offsets: `±HH`, `±HHMM`, `±HH:MM`, `±HH:MM:SS`, `±HHMMSS`, `-00:00`, hours to 25; a
        // fraction of the offset's seconds rounds half away from zero.
        same("2026-06-01T12:00:00+02", "2026-06-01T10:00:00Z");
        same("2026-06-01T12:00:00+0200", "2026-06-01T10:00:00Z");
        same("2026-06-01T12:00:00+01:02:03", "2026-06-01T10:57:57Z");
        same("2026-06-01T12:00:00+010203", "2026-06-01T10:57:57Z");
        same("2026-06-01T12:00:00-00:00", "2026-06-01T12:00:00Z");
        same("2026-06-01T10:00:00+25:59:59", "2026-05-31T08:00:01Z");
        same("2026-06-01T10:00:00+02:00:00.4", "2026-06-01T08:00:00Z");
        same("2026-06-01T10:00:00+02:00:00,5", "2026-06-01T07:59:59Z");
        same("2026-06-01T10:00:00-02:00:00.5", "2026-06-01T12:00:01Z");
        none("2026-06-01T10:00:00+26:00");
        none("2026-06-01T10:00:00+02:60");
        none("2026-06-01T10:00:00+02:59:60");
        none("2026-06-01T10:00:00+02:0000");
        none("2026-06-01T10:00:00+2");
        none("2026-06-01T12:00:00 +02:00");
        none("2026-06-01T10:00:00\u{2212}02:00");
        // Second 60 reads as 59, in every form; minute 60 and hour 24 are not read.
        same("2026-06-01T23:59:60Z", "2026-06-01T23:59:59Z");
        same("2026-06-01T100060Z", "2026-06-01T10:00:59Z");
        same("2026-06-01 10:00:60", "2026-06-01T10:00:59Z");
        none("2026-06-01T106000Z");
        // Without an offset, 16 characters or more (replay's rule before `DateTime`).
        same("+002026-06-01T10", "2026-06-01T10:00:00Z");
        same("20260601T10:00:00", "2026-06-01T10:00:00Z");
        none("20260601T100000");
        none("2026-06-01T1000");
        // Past jiff's last instant (9999-12-30T22:00:00Z).
        none("9999-12-31T23:00:00Z");
        same("9999-12-30T22:00:00Z", "9999-12-30T22:00:00Z");
        // Brackets: the instant in the named zone (gaps and folds as without a bracket); with
        // an offset too, the offset's instant if the zone agrees with it, else not read; `Z`
        // wins; an unknown zone or no zone at all is not read.
        same("2026-06-01T12:00:00[UTC]", "2026-06-01T12:00:00Z");
        same("2026-06-01T12:00:00[Etc/UTC]", "2026-06-01T12:00:00Z");
        same("2026-06-01T12:00:00[+02:00]", "2026-06-01T10:00:00Z");
        same("2026-03-29T02:30:00[Europe/Berlin]", "2026-03-29T01:30:00Z");
        same("2026-10-25T02:30:00[Europe/Berlin]", "2026-10-25T00:30:00Z");
        same(
            "2026-06-01T12:00:00+02:00[Europe/Berlin]",
            "2026-06-01T10:00:00Z",
        );
        same(
            "2026-06-01T12:00:00+02:00[!Europe/Berlin]",
            "2026-06-01T10:00:00Z",
        );
        same(
            "2026-06-01T12:00:00Z[Europe/Berlin]",
            "2026-06-01T12:00:00Z",
        );
        none("2026-06-01T12:00:00+03:00[Europe/Berlin]");
        none("2026-06-01T12:00:00[Nowhere/Else]");
        none("2026-06-01T12:00:00[u-ca=iso8601]");
    }

    /// A ticket's timestamps are read to the whole second: the fraction is dropped, towards
    /// the past also before 1970 (as the SQL drops the fraction's digits).
    #[test]
    fn a_fraction_of_a_second_is_dropped() {
        let whole = |text: &str| whole_second(text.parse().unwrap()).to_string();
        assert_eq!(whole("2026-06-01T10:00:00.5Z"), "2026-06-01T10:00:00Z");
        assert_eq!(
            whole("2026-06-01T10:00:00.999999999Z"),
            "2026-06-01T10:00:00Z"
        );
        assert_eq!(whole("2026-06-01T10:00:00Z"), "2026-06-01T10:00:00Z");
        assert_eq!(whole("1969-12-31T23:59:59.5Z"), "1969-12-31T23:59:59Z");
        assert_eq!(
            whole("1969-12-31T23:59:58.000000001Z"),
            "1969-12-31T23:59:58Z"
        );
        assert_eq!(whole("1900-01-01T00:00:00.1Z"), "1900-01-01T00:00:00Z");
        assert_eq!(
            whole("-000001-06-01T10:00:00.25Z"),
            "-000001-06-01T10:00:00Z"
        );
    }
}
