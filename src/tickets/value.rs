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
}

impl TimestampParser {
    pub fn new(format: Option<String>, timezone: TimeZone) -> TimestampParser {
        TimestampParser {
            format,
            timezone,
            without_offset: std::cell::Cell::new(0),
        }
    }

    pub fn parse(&self, text: &str) -> Option<Timestamp> {
        let text = text.trim();
        if let Some(format) = &self.format {
            let parsed = jiff::fmt::strtime::parse(format.as_str(), text).ok()?;
            if let Ok(ts) = parsed.to_timestamp() {
                return Some(ts);
            }
            let datetime = parsed.to_datetime().ok()?;
            self.without_offset.set(self.without_offset.get() + 1);
            return self.timezone.to_timestamp(datetime).ok();
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

/// `true/false`, `yes/no`, `1/0` (any case).
pub fn parse_bool(text: &str) -> Option<bool> {
    match text.trim().to_ascii_lowercase().as_str() {
        "true" | "yes" | "y" | "1" | "t" => Some(true),
        "false" | "no" | "n" | "0" | "f" => Some(false),
        _ => None,
    }
}

pub fn parse_number(text: &str) -> Option<f64> {
    let value: f64 = text.trim().parse().ok()?;
    value.is_finite().then_some(value)
}

#[cfg(test)]
mod tests {
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

    #[test]
    fn booleans_and_numbers() {
        assert_eq!(parse_bool(" Yes "), Some(true));
        assert_eq!(parse_bool("0"), Some(false));
        assert_eq!(parse_bool("maybe"), None);
        assert_eq!(parse_number(" 0.75 "), Some(0.75));
        assert_eq!(parse_number("NaN"), None);
        assert_eq!(parse_number("high"), None);
    }
}
