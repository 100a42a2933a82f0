//! Whether a run read enough to mean anything: every verb that reads tickets fails (exit 2)
//! when it decided none, and replay, sweep and diff when more than `--max-reject-rate` of the
//! records were rejected. A report of dashes or a CSV of zeros is never a success.

use super::RowError;

/// The default of `--max-reject-rate`.
pub const DEFAULT_MAX_REJECT_RATE: f64 = 0.5;

/// Rejection examples shown in a failure message.
const SHOWN: usize = 5;

/// What a run read: records, rejected records, the first rejections.
#[derive(Debug, Clone, Copy)]
pub struct ReadTally<'a> {
    pub records: u64,
    pub rejected: u64,
    pub examples: &'a [RowError],
}

/// A `--max-reject-rate` value: a fraction 0–1 (`1` accepts any share).
pub fn parse_max_reject_rate(text: &str) -> Result<f64, String> {
    match text.trim().parse::<f64>() {
        Ok(rate) if (0.0..=1.0).contains(&rate) => Ok(rate),
        _ => Err(format!(
            "`{text}` is not a fraction from 0 to 1 (e.g. 0.5; 1 accepts any share of rejected records)"
        )),
    }
}

impl ReadTally<'_> {
    fn reasons(&self) -> String {
        self.examples
            .iter()
            .take(SHOWN)
            .map(|e| format!("\n  line {}: {}", e.line, e.reason))
            .collect()
    }

    /// The failure when no record was decided; `rejects_hint` says how to see every rejection.
    pub fn nothing_decided(&self, rejects_hint: &str) -> Option<String> {
        if self.records > self.rejected {
            return None;
        }
        if self.records == 0 {
            return Some("no ticket could be decided: the file has a header but no records".into());
        }
        let all = match self.records {
            1 => "the only record was rejected".to_string(),
            n => format!("all {n} records were rejected"),
        };
        Some(format!(
            "no ticket could be decided: {all}{}\nhint: fix the data or the column mapping (--map); {rejects_hint}",
            self.reasons()
        ))
    }

    /// The failure when more than `max` of the records were rejected.
    pub fn too_many_rejected(&self, max: f64) -> Option<String> {
        if self.records == 0 || self.rejected as f64 <= max * self.records as f64 {
            return None;
        }
        Some(format!(
            "{} of {} records ({:.1}%) were rejected, more than --max-reject-rate {max}{}\nhint: fix the data or the column mapping (--map); `--max-reject-rate 1` accepts any share",
            self.rejected,
            self.records,
            self.rejected as f64 * 100.0 / self.records as f64,
            self.reasons()
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tally(records: u64, rejected: u64) -> ReadTally<'static> {
        ReadTally {
            records,
            rejected,
            examples: &[],
        }
    }

    #[test]
    fn nothing_decided_and_reject_rates() {
        assert!(tally(0, 0).nothing_decided("").is_some());
        assert!(tally(2, 2).nothing_decided("").is_some());
        assert!(tally(2, 1).nothing_decided("").is_none());
        assert!(tally(10, 5).too_many_rejected(0.5).is_none());
        assert!(tally(10, 6).too_many_rejected(0.5).is_some());
        assert!(tally(10, 10).too_many_rejected(1.0).is_none());
        assert!(tally(10, 1).too_many_rejected(0.0).is_some());
        assert_eq!(parse_max_reject_rate("1"), Ok(1.0));
        assert!(parse_max_reject_rate("1.5").is_err());
        assert!(parse_max_reject_rate("-0.1").is_err());
        assert!(parse_max_reject_rate("NaN").is_err());
    }
}
