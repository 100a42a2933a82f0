//! Figures as people read them in tables: counts with thousands separators, durations as
//! `3h 20m`, rates as `45.0% (18/40)*` or `n/a (needs column …)`.

use crate::engine::report::RateFigure;

/// Column headers of [`crate::engine::report::Report::rollout_figures`].
pub const ROLLOUT_COLUMNS: [&str; 6] = [
    "escalation",
    "missed",
    "unneeded",
    "projected FCR",
    "first response SLA",
    "resolution SLA",
];

/// Render a duration in seconds compactly: `45s`, `12m 05s`, `3h 20m`, `2d 4h`.
pub fn human_duration(seconds: u64) -> String {
    let (d, h, m, s) = (
        seconds / 86_400,
        seconds / 3600 % 24,
        seconds / 60 % 60,
        seconds % 60,
    );
    if d > 0 {
        format!("{}d {h}h", thousands(d))
    } else if h > 0 {
        format!("{h}h {m:02}m")
    } else if m > 0 {
        format!("{m}m {s:02}s")
    } else {
        format!("{s}s")
    }
}

/// A count with thousands separators, for people: `85,955`. (JSON and CSV keep plain numbers.)
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Seconds as a duration, `–` without data (or for a negative overshoot).
pub fn seconds_text(seconds: Option<u64>) -> String {
    seconds.map_or_else(|| "–".to_string(), human_duration)
}

/// `45.0% (18/40)`, flagged `*` under 30 tickets when the rate carries the flag;
/// `n/a (needs column …)` for unavailable metrics.
pub fn rate_text(rate: RateFigure) -> String {
    let fraction = match rate {
        RateFigure::NotAvailable(missing) => {
            let names = &missing.needs;
            // Alternatives: a clock start, or a historical outcome.
            let either = matches!(
                names
                    .iter()
                    .map(String::as_str)
                    .collect::<Vec<_>>()
                    .as_slice(),
                ["created_at", "escalated_at"] | ["resolved_tier", "escalated_at"]
            );
            return if either {
                format!("n/a (needs column {} or {})", names[0], names[1])
            } else {
                format!("n/a (needs column {})", names.join(", "))
            };
        }
        RateFigure::NotApplicable(note) => return format!("n/a ({note})"),
        RateFigure::Counted(fraction) => fraction,
    };
    let flag = if fraction.small_sample() { "*" } else { "" };
    let (num, den) = (
        thousands(fraction.count.numerator),
        thousands(fraction.count.denominator),
    );
    match fraction.value() {
        Some(f) => format!("{:.1}% ({num}/{den}){flag}", f * 100.0),
        None => format!("– (0/{den})"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::report::{Measure, Missing, Rate};
    use crate::engine::stats::Count;

    #[test]
    fn rates_read_as_people_read_them() {
        let text = |rate: &Rate| rate_text(rate.figure());
        assert_eq!(text(&Rate::of(Count::new(18, 40))), "45.0% (18/40)");
        assert_eq!(text(&Rate::of(Count::new(1, 3))), "33.3% (1/3)*");
        assert_eq!(text(&Rate::unflagged(Count::new(1, 3))), "33.3% (1/3)");
        assert_eq!(text(&Rate::of(Count::new(0, 0))), "– (0/0)");
        assert_eq!(
            text(&Rate::of(Count::new(1_000, 85_955))),
            "1.2% (1,000/85,955)"
        );
        assert_eq!(
            text(&Measure::NotAvailable(Missing::of(&[
                "created_at",
                "escalated_at"
            ]))),
            "n/a (needs column created_at or escalated_at)"
        );
        assert_eq!(
            text(&Measure::NotAvailable(Missing::of(&[
                "first_human_response_at",
                "created_at",
                "escalated_at"
            ]))),
            "n/a (needs column first_human_response_at, created_at, escalated_at)"
        );
        assert_eq!(
            text(&Measure::NotApplicable("no context")),
            "n/a (no context)"
        );
    }
}
