//! `--fail-if "<metric> <op> <number>"` (replay, diff): parsed, and checked against the shape of
//! the report before any ticket is read, so a misspelt metric or a threshold that can never
//! mean anything (`NaN`, a rate of `1.5`) is a usage error, not a silent pass; after the run,
//! looked up by name in the typed report ([`Report::parts`]).

use crate::engine::eval::CompiledPolicy;
use crate::engine::metrics::Metrics;
use crate::engine::report::diff::DiffReport;
use crate::engine::report::{Figure, Part, RateFigure, Report};
use crate::fields::Field;
use crate::policy::load::did_you_mean;
use crate::tickets::{Layout, Mapping};

/// A `--fail-if` condition: `metric op number`.
#[derive(Debug, Clone, PartialEq)]
pub struct FailIf {
    /// The condition as given, for messages.
    pub text: String,
    pub metric: String,
    pub op: String,
    pub threshold: f64,
}

impl std::str::FromStr for FailIf {
    type Err = String;
    fn from_str(text: &str) -> Result<FailIf, String> {
        for op in [">=", "<=", "==", "!=", ">", "<"] {
            if let Some((metric, value)) = text.split_once(op) {
                let value = value.trim();
                let threshold: f64 = value
                    .parse()
                    .map_err(|_| format!("--fail-if `{text}`: `{value}` is not a number"))?;
                if !threshold.is_finite() {
                    return Err(format!(
                        "--fail-if `{text}`: the threshold must be a finite number, not `{value}`"
                    ));
                }
                let metric = metric.trim();
                if metric.is_empty() {
                    return Err(format!(
                        "--fail-if `{text}`: name a metric before `{op}`, e.g. `missed_escalation_rate > 0.05`"
                    ));
                }
                return Ok(FailIf {
                    text: text.to_string(),
                    metric: metric.to_string(),
                    op: op.to_string(),
                    threshold,
                });
            }
        }
        Err(format!(
            "--fail-if `{text}`: write `<metric> <op> <number>`, e.g. `missed_escalation_rate > 0.05` (ops: > >= < <= == !=)"
        ))
    }
}

/// Parse every `--fail-if`.
pub fn parse_all(texts: &[String]) -> anyhow::Result<Vec<FailIf>> {
    texts
        .iter()
        .map(|t| t.parse::<FailIf>())
        .collect::<Result<Vec<_>, _>>()
        .map_err(anyhow::Error::msg)
}

impl FailIf {
    pub fn holds(&self, value: f64) -> bool {
        match self.op.as_str() {
            ">" => value > self.threshold,
            ">=" => value >= self.threshold,
            "<" => value < self.threshold,
            "<=" => value <= self.threshold,
            "==" => value == self.threshold,
            _ => value != self.threshold,
        }
    }

    /// Refuse a threshold outside the range the metric's figures can take.
    fn check_range(&self, scale: Scale) -> Result<(), String> {
        let t = self.threshold;
        let (fits, what) = match scale {
            Scale::Fraction => ((0.0..=1.0).contains(&t), "a fraction from 0 to 1"),
            Scale::Change => (
                (-1.0..=1.0).contains(&t),
                "a change of a fraction, from -1 to 1",
            ),
            Scale::Count => (t >= 0.0, "a count, never negative"),
            Scale::Seconds => (t >= 0.0, "a duration in seconds, never negative"),
        };
        if fits {
            return Ok(());
        }
        let hint = match scale {
            Scale::Fraction if t > 1.0 && t <= 100.0 => {
                format!(" (for {t} % write {})", hundredth(t))
            }
            Scale::Change if t.abs() > 1.0 && t.abs() <= 100.0 => {
                format!(" (for {t} percentage points write {})", hundredth(t))
            }
            _ => String::new(),
        };
        Err(format!(
            "--fail-if `{}`: `{}` is {what}, so {t} is out of range{hint}",
            self.text, self.metric
        ))
    }
}

fn hundredth(t: f64) -> f64 {
    (t / 100.0 * 1e10).round() / 1e10
}

/// What a figure measures, which fixes the thresholds that can mean anything.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Scale {
    Fraction,
    /// The change of a fraction between two policies (`delta.` in diff).
    Change,
    Count,
    Seconds,
}

/// The report of a policy as if the data had every column and no ticket: every metric replay
/// can report is there, with its kind of figure.
fn full_report(policy: &CompiledPolicy) -> Option<Report> {
    let mut headers: Vec<String> = Field::ALL.iter().map(|f| f.name().to_string()).collect();
    headers.extend(policy.needs.extras.iter().cloned());
    let layout = Layout::resolve(headers, &Mapping::default(), &policy.needs).ok()?;
    Some(Report::new(policy, &layout, &Metrics::new(policy)))
}

/// The kind of figure at `path`, or why there is none.
fn figure(shape: &Part, path: &str) -> Result<Scale, String> {
    let Some(part) = shape.get(path) else {
        return Err(unknown(shape, path, ""));
    };
    match part.figure {
        Figure::Seconds(_) => Ok(Scale::Seconds),
        Figure::Count(_) => Ok(Scale::Count),
        Figure::Rate(_) => Ok(Scale::Fraction),
        Figure::None => {
            let example = first_figure(part, path)
                .map(|p| format!(", e.g. `{p}`"))
                .unwrap_or_default();
            Err(format!(
                "--fail-if: `{path}` is not a single figure; name one inside it{example}"
            ))
        }
    }
}

/// A figure inside `part` to suggest: a median when there is one, else the first.
fn first_figure(part: &Part, path: &str) -> Option<String> {
    let found: Vec<String> = part.figures(path).into_iter().map(|(p, _)| p).collect();
    found
        .iter()
        .find(|p| p.ends_with("median_seconds"))
        .or(found.first())
        .cloned()
}

/// "unknown metric" with the nearest name at the first level that does not match.
fn unknown(shape: &Part, path: &str, prefix: &str) -> String {
    let segments: Vec<&str> = path.split('.').collect();
    let mut part = shape;
    let mut known = Vec::new();
    for segment in &segments {
        match part.child(segment) {
            Some(child) if known.len() + 1 < segments.len() => {
                known.push(*segment);
                part = child;
            }
            _ => break,
        }
    }
    let names: Vec<&str> = part.names().collect();
    let parent = known.join(".");
    let full = |name: &str| {
        if parent.is_empty() {
            format!("{prefix}{name}")
        } else {
            format!("{prefix}{parent}.{name}")
        }
    };
    let candidates: Vec<String> = names.iter().map(|n| full(n)).collect();
    let refs: Vec<&str> = candidates.iter().map(String::as_str).collect();
    let given = format!("{prefix}{path}");
    match did_you_mean(&given, &refs) {
        Some(best) => format!("--fail-if: unknown metric `{given}`; did you mean `{best}`?"),
        None if parent.is_empty() && prefix.is_empty() => format!(
            "--fail-if: unknown metric `{given}` (metrics: {})",
            names.join(", ")
        ),
        None => format!(
            "--fail-if: unknown metric `{given}` (names here: {})",
            candidates.join(", ")
        ),
    }
}

/// Check replay's conditions against the report's shape, before reading.
pub fn check_replay(conditions: &[FailIf], policy: &CompiledPolicy) -> anyhow::Result<()> {
    // Without conditions there is nothing to check: no empty report is built for its shape
    // (its metrics' histograms: ~0.33M instructions and ~25 page faults of a 10-record replay).
    if conditions.is_empty() {
        return Ok(());
    }
    let report = full_report(policy);
    let shape = report.as_ref().map(Report::parts).unwrap_or_default();
    for condition in conditions {
        let scale = figure(&shape, &condition.metric).map_err(anyhow::Error::msg)?;
        condition.check_range(scale).map_err(anyhow::Error::msg)?;
    }
    Ok(())
}

/// Check diff's conditions, before reading: a metric of the new policy's report, or
/// `delta.<rate>` for the change of a rate.
pub fn check_diff(conditions: &[FailIf], new: &CompiledPolicy) -> anyhow::Result<()> {
    let report = full_report(new);
    let shape = report.as_ref().map(Report::parts).unwrap_or_default();
    for condition in conditions {
        let scale = match condition.metric.strip_prefix("delta.") {
            None => figure(&shape, &condition.metric).map_err(anyhow::Error::msg)?,
            Some(path) => match figure(&shape, path) {
                Ok(Scale::Fraction) => Scale::Change,
                Ok(_) => anyhow::bail!(
                    "--fail-if `{}`: `delta.` takes a rate (diff reports the change of rates only); `{path}` is not one",
                    condition.text
                ),
                Err(_) if shape.get(path).is_some() => anyhow::bail!(
                    "--fail-if `{}`: `delta.` takes a rate (diff reports the change of rates only); `{path}` is not one",
                    condition.text
                ),
                Err(_) => anyhow::bail!(unknown(&shape, path, "delta.")),
            },
        };
        condition.check_range(scale).map_err(anyhow::Error::msg)?;
    }
    Ok(())
}

impl FailIf {
    /// Whether the condition holds for `value`; says so on stderr when it does.
    fn verdict(&self, value: f64) -> bool {
        let holds = self.holds(value);
        if holds {
            eprintln!(
                "fail-if met: {} = {value} {} {}",
                self.metric, self.op, self.threshold
            );
        }
        holds
    }
}

/// Whether any of replay's conditions holds for the report of all tickets (each one that
/// holds is named on stderr). A metric the data cannot give is an error.
pub fn replay_verdict(conditions: &[FailIf], report: &Report) -> anyhow::Result<bool> {
    if conditions.is_empty() {
        return Ok(false);
    }
    let parts = report.parts();
    let mut failed = false;
    for condition in conditions {
        let metric = parts.get(&condition.metric).ok_or_else(|| {
            anyhow::anyhow!(
                "--fail-if: unknown metric `{}` (see `--format json` for names)",
                condition.metric
            )
        })?;
        let Some(value) = metric.value() else {
            let needs = match metric.figure {
                Figure::Rate(RateFigure::NotAvailable(missing)) => {
                    format!(" (needs {})", serde_json::to_string(&missing.needs)?)
                }
                _ => String::new(),
            };
            anyhow::bail!(
                "--fail-if `{}`: the metric is n/a for this data{needs}",
                condition.metric
            );
        };
        failed |= condition.verdict(value);
    }
    Ok(failed)
}

/// Whether any of diff's conditions holds: on the new policy's report, or on the change of a
/// rate (`delta.`).
pub fn diff_verdict(conditions: &[FailIf], diff: &DiffReport) -> anyhow::Result<bool> {
    let parts = diff.new.parts();
    let mut failed = false;
    for condition in conditions {
        let value = match condition.metric.strip_prefix("delta.") {
            Some(path) => diff.delta.get(path).copied().flatten(),
            None => parts
                .get(&condition.metric)
                .ok_or_else(|| anyhow::anyhow!("--fail-if: unknown metric `{}`", condition.metric))?
                .value(),
        };
        let Some(value) = value else {
            anyhow::bail!(
                "--fail-if `{}`: the metric is n/a for this data",
                condition.metric
            );
        };
        failed |= condition.verdict(value);
    }
    Ok(failed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thresholds_must_be_finite_numbers() {
        for text in [
            "a > NaN",
            "a > nan",
            "a < inf",
            "a >= -infinity",
            "a == x",
            "> 0.5",
        ] {
            assert!(text.parse::<FailIf>().is_err(), "{text}");
        }
        let parsed: FailIf = " missed_escalation_rate >= 0.05 ".parse().unwrap();
        assert_eq!(parsed.metric, "missed_escalation_rate");
        assert_eq!(parsed.op, ">=");
        assert_eq!(parsed.threshold, 0.05);
        assert!(parsed.holds(0.05) && !parsed.holds(0.04));
    }

    #[test]
    fn ranges_follow_the_kind_of_figure() {
        let condition = |t: f64| FailIf {
            text: format!("m > {t}"),
            metric: "m".into(),
            op: ">".into(),
            threshold: t,
        };
        for (scale, fine, out) in [
            (Scale::Fraction, [0.0, 1.0, 0.5], [-0.01, 1.01, 80.0]),
            (Scale::Change, [-1.0, 1.0, 0.0], [-1.5, 1.5, 30.0]),
            (Scale::Count, [0.0, 1.0, 1e12], [-1.0, -0.5, -1e12]),
            (Scale::Seconds, [0.0, 60.0, 1e9], [-1.0, -60.0, -0.001]),
        ] {
            for t in fine {
                assert!(condition(t).check_range(scale).is_ok(), "{scale:?} {t}");
            }
            for t in out {
                assert!(condition(t).check_range(scale).is_err(), "{scale:?} {t}");
            }
        }
        assert!(
            condition(80.0)
                .check_range(Scale::Fraction)
                .unwrap_err()
                .ends_with("(for 80 % write 0.8)")
        );
    }
}
