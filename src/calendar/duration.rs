//! Durations of the policy format: `15m`, `4h`, `1h30m`, `2d` (= 48 hours) and `3bd` (working days
//! on the policy's calendar). Everything but `bd` is parsed by jiff's "friendly" format.

use std::fmt;

/// A parsed duration.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PolicyDuration {
    /// A fixed number of (business) seconds.
    Seconds(u64),
    /// Whole working days on the calendar.
    BusinessDays(u32),
}

impl fmt::Display for PolicyDuration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            PolicyDuration::BusinessDays(n) => write!(f, "{n}bd"),
            PolicyDuration::Seconds(s) => {
                let (d, h, m, sec) = (s / 86_400, s / 3600 % 24, s / 60 % 60, s % 60);
                let mut out = String::new();
                for (value, unit) in [(d, "d"), (h, "h"), (m, "m"), (sec, "s")] {
                    if value > 0 {
                        out.push_str(&format!("{value}{unit}"));
                    }
                }
                if out.is_empty() {
                    out.push_str("0s");
                }
                f.write_str(&out)
            }
        }
    }
}

/// Why a duration could not be read; the text is a complete sentence for a diagnostic.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DurationError {
    #[error("duration is empty")]
    Empty,
    #[error("`{0}` has no unit")]
    NoUnit(String),
    #[error("duration `{0}` must be longer than zero")]
    NotPositive(String),
    #[error("duration `{0}` is too large")]
    TooLarge(String),
    #[error("`{0}` is not a duration")]
    Invalid(String),
    #[error("duration `{0}` is not a whole number of seconds")]
    SubSecond(String),
}

impl DurationError {
    pub fn help(&self) -> &'static str {
        match self {
            DurationError::NoUnit(_) => {
                "add a unit: `15m`, `4h`, `2d` (48 hours) or `1bd` (one working day)"
            }
            DurationError::TooLarge(_) => "SLA and escalation delays are at most a few years",
            DurationError::SubSecond(_) => {
                "SLA and escalation clocks count whole seconds: write at least `1s` (targets are usually minutes: `15m`)"
            }
            _ => {
                "write durations like `15m`, `4h`, `1h30m`, `2d` (48 hours) or `3bd` (working days)"
            }
        }
    }
}

/// The largest duration accepted: ten years of 24-hour days.
const MAX_SECONDS: f64 = 10.0 * 366.0 * 86_400.0;

pub fn parse_duration(text: &str) -> Result<PolicyDuration, DurationError> {
    let trimmed = text.trim();
    if trimmed.is_empty() {
        return Err(DurationError::Empty);
    }
    if trimmed.chars().all(|c| c.is_ascii_digit() || c == '.') {
        return Err(DurationError::NoUnit(trimmed.to_string()));
    }
    if let Some(days) = trimmed.strip_suffix("bd") {
        let days = days.trim();
        if days.is_empty() || !days.chars().all(|c| c.is_ascii_digit()) {
            return Err(DurationError::Invalid(trimmed.to_string()));
        }
        return match days.parse::<u32>() {
            Ok(0) => Err(DurationError::NotPositive(trimmed.to_string())),
            Ok(n) if n <= 3660 => Ok(PolicyDuration::BusinessDays(n)),
            _ => Err(DurationError::TooLarge(trimmed.to_string())),
        };
    }
    let span: jiff::Span = trimmed.parse().map_err(|e: jiff::Error| {
        if e.to_string().contains("not in the required range") {
            DurationError::TooLarge(trimmed.to_string())
        } else {
            DurationError::Invalid(trimmed.to_string())
        }
    })?;
    let seconds = span
        .total((
            jiff::Unit::Second,
            jiff::SpanRelativeTo::days_are_24_hours(),
        ))
        .map_err(|_| DurationError::Invalid(trimmed.to_string()))?;
    if seconds <= 0.0 {
        return Err(DurationError::NotPositive(trimmed.to_string()));
    }
    if seconds > MAX_SECONDS {
        return Err(DurationError::TooLarge(trimmed.to_string()));
    }
    if seconds.fract() != 0.0 {
        // `400ms` would round to nothing; `1.5s` to a second it does not say.
        return Err(DurationError::SubSecond(trimmed.to_string()));
    }
    Ok(PolicyDuration::Seconds(seconds.round() as u64))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_documented_forms() {
        assert_eq!(parse_duration("15m"), Ok(PolicyDuration::Seconds(900)));
        assert_eq!(parse_duration("1h30m"), Ok(PolicyDuration::Seconds(5400)));
        assert_eq!(parse_duration("2d"), Ok(PolicyDuration::Seconds(172_800)));
        assert_eq!(parse_duration("3bd"), Ok(PolicyDuration::BusinessDays(3)));
        assert_eq!(parse_duration(" 4h "), Ok(PolicyDuration::Seconds(14_400)));
    }

    #[test]
    fn rejects_what_is_not_a_duration() {
        assert_eq!(
            parse_duration("15"),
            Err(DurationError::NoUnit("15".into()))
        );
        assert_eq!(parse_duration(""), Err(DurationError::Empty));
        assert_eq!(
            parse_duration("0m"),
            Err(DurationError::NotPositive("0m".into()))
        );
        assert_eq!(
            parse_duration("-5m"),
            Err(DurationError::NotPositive("-5m".into()))
        );
        assert_eq!(
            parse_duration("soon"),
            Err(DurationError::Invalid("soon".into()))
        );
        assert_eq!(
            parse_duration("xbd"),
            Err(DurationError::Invalid("xbd".into()))
        );
        assert_eq!(
            parse_duration("99999999d"),
            Err(DurationError::TooLarge("99999999d".into()))
        );
        assert_eq!(
            parse_duration("400ms"),
            Err(DurationError::SubSecond("400ms".into()))
        );
        assert_eq!(
            parse_duration("1.5s"),
            Err(DurationError::SubSecond("1.5s".into()))
        );
        assert_eq!(parse_duration("1.5h"), Ok(PolicyDuration::Seconds(5400)));
        assert_eq!(
            parse_duration("11000d"),
            Err(DurationError::TooLarge("11000d".into()))
        );
    }

    #[test]
    fn displays_compactly() {
        assert_eq!(PolicyDuration::Seconds(5400).to_string(), "1h30m");
        assert_eq!(PolicyDuration::BusinessDays(2).to_string(), "2bd");
    }
}
