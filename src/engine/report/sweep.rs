//! `handoff sweep`'s report: the figures that decide a rollout at every value of the swept
//! threshold, and the value a budget recommends.

use serde::ser::{Serialize, SerializeMap, Serializer};

use super::VERSION;
use super::measure::{Measure, Missing, Rate};
use crate::engine::stats::Count;
use crate::engine::sweep::{SweepOutcome, SweepPoint};
use crate::tickets::Layout;

#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct SweepReport {
    pub version: u32,
    /// The policy's name.
    pub policy: String,
    /// The rule whose threshold is swept.
    pub rule: String,
    /// `field.bound`, e.g. `confidence.below`.
    pub param: String,
    pub input: SweepInput,
    pub points: Vec<SweepFigures>,
    /// With `--max-escalation-rate`.
    pub recommendation: Option<Recommendation>,
    /// The recommended value and what it costs, or why there is none.
    pub headline: SweepHeadline,
}

#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct SweepInput {
    pub records: u64,
    pub decided: u64,
    pub rejected: u64,
    pub as_of: Option<String>,
}

/// The figures at one value of the threshold (rates without the small-sample flag).
#[derive(Debug, Clone, PartialEq)]
pub struct SweepFigures {
    pub value: f64,
    pub escalation_rate: Rate,
    pub missed_escalation_rate: Rate,
    pub unneeded_escalation_rate: Rate,
    pub projected_fcr: Rate,
    pub sla_first_response_met: Rate,
    pub sla_resolution_met: Rate,
}

impl SweepFigures {
    /// Every figure by name, in name order: the JSON keys beside `value`, and the CSV's rows.
    pub fn rates(&self) -> [(&'static str, &Rate); 6] {
        [
            ("escalation_rate", &self.escalation_rate),
            ("missed_escalation_rate", &self.missed_escalation_rate),
            ("projected_fcr", &self.projected_fcr),
            ("sla_first_response_met", &self.sla_first_response_met),
            ("sla_resolution_met", &self.sla_resolution_met),
            ("unneeded_escalation_rate", &self.unneeded_escalation_rate),
        ]
    }
}

impl SweepFigures {
    /// The figures in the order of [`super::Report::rollout_figures`].
    pub fn rollout_figures(&self) -> [&Rate; 6] {
        [
            &self.escalation_rate,
            &self.missed_escalation_rate,
            &self.unneeded_escalation_rate,
            &self.projected_fcr,
            &self.sla_first_response_met,
            &self.sla_resolution_met,
        ]
    }
}

impl Serialize for SweepFigures {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(7))?;
        map.serialize_entry("value", &self.value)?;
        for (name, rate) in self.rates() {
            map.serialize_entry(name, rate)?;
        }
        map.end()
    }
}

/// The value with the fewest missed escalations whose escalation rate stays within the budget,
/// or why there is none.
#[derive(Debug, Clone, PartialEq)]
pub enum Recommendation {
    Found {
        budget: f64,
        value: f64,
        escalation_rate: Option<f64>,
        missed_escalation_rate: Option<f64>,
    },
    NoValue {
        budget: f64,
        reason: &'static str,
    },
}

impl Serialize for Recommendation {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(None)?;
        match self {
            Recommendation::Found {
                budget,
                value,
                escalation_rate,
                missed_escalation_rate,
            } => {
                map.serialize_entry("budget", budget)?;
                map.serialize_entry("value", value)?;
                map.serialize_entry("escalation_rate", escalation_rate)?;
                map.serialize_entry("missed_escalation_rate", missed_escalation_rate)?;
            }
            Recommendation::NoValue { budget, reason } => {
                map.serialize_entry("budget", budget)?;
                map.serialize_entry("value", &None::<f64>)?;
                map.serialize_entry("reason", reason)?;
            }
        }
        map.end()
    }
}

/// Which columns the data has, for the figures that need them.
struct Has {
    /// `resolved_tier` or `escalated_at`.
    history: bool,
    fit: bool,
    /// `created_at` or `escalated_at`: a clock start.
    start: bool,
    first_response: bool,
    resolved: bool,
}

impl Has {
    fn of(layout: &Layout) -> Has {
        Has {
            history: layout.has("resolved_tier") || layout.has("escalated_at"),
            fit: layout.has("resolved_tier"),
            start: layout.has("created_at") || layout.has("escalated_at"),
            first_response: layout.has("first_human_response_at"),
            resolved: layout.has("resolved_at"),
        }
    }
}

fn figures(p: &SweepPoint, has: &Has) -> SweepFigures {
    let na = |needs: &[&str]| Measure::NotAvailable(Missing::of(needs));
    let known = |present: bool, count: Count, needs: &[&str]| {
        if present {
            Rate::unflagged(count)
        } else {
            na(needs)
        }
    };
    // Each SLA figure uses only its own inputs: no first response is read from `resolved_at`.
    let sla = |i: usize, field: &str, present: bool| {
        if !has.start {
            na(&["created_at", "escalated_at"])
        } else {
            known(present, p.sla[i], &[field])
        }
    };
    let history = ["resolved_tier", "escalated_at"];
    SweepFigures {
        value: p.value,
        escalation_rate: Rate::unflagged(p.escalation_rate()),
        missed_escalation_rate: known(has.history, p.missed_escalation_rate(), &history),
        unneeded_escalation_rate: known(has.history, p.unneeded_escalation_rate(), &history),
        projected_fcr: known(has.fit, p.projected_fcr(), &["resolved_tier"]),
        sla_first_response_met: sla(0, "first_human_response_at", has.first_response),
        sla_resolution_met: sla(1, "resolved_at", has.resolved),
    }
}

/// With `budget`, the value with the fewest missed escalations whose escalation rate stays
/// within it (ties: the lower escalation rate, then the first value).
fn recommend(points: &[SweepPoint], budget: f64, history: bool) -> Recommendation {
    if !history {
        return Recommendation::NoValue {
            budget,
            reason: "needs resolved_tier or escalated_at to count missed escalations",
        };
    }
    let best = points
        .iter()
        .filter(|p| p.escalation_rate().fraction().is_some_and(|f| f <= budget))
        .min_by(|a, b| {
            let key = |p: &SweepPoint| {
                (
                    p.missed_escalation_rate().fraction().unwrap_or(1.0),
                    p.escalation_rate().fraction().unwrap_or(1.0),
                )
            };
            key(a)
                .partial_cmp(&key(b))
                .unwrap_or(std::cmp::Ordering::Equal)
        });
    match best {
        Some(p) => Recommendation::Found {
            budget,
            value: p.value,
            escalation_rate: p.escalation_rate().fraction(),
            missed_escalation_rate: p.missed_escalation_rate().fraction(),
        },
        None => Recommendation::NoValue {
            budget,
            reason: "no value keeps the escalation rate within the budget",
        },
    }
}

impl SweepReport {
    pub fn new(
        policy: &str,
        rule: &str,
        param: &str,
        outcome: &SweepOutcome,
        layout: &Layout,
        budget: Option<f64>,
    ) -> SweepReport {
        let has = Has::of(layout);
        let points: Vec<SweepFigures> = outcome.points.iter().map(|p| figures(p, &has)).collect();
        let recommendation = budget.map(|budget| recommend(&outcome.points, budget, has.history));
        SweepReport {
            version: VERSION,
            policy: policy.to_string(),
            rule: rule.to_string(),
            param: param.to_string(),
            input: SweepInput {
                records: outcome.records,
                decided: outcome.records - outcome.rejected,
                rejected: outcome.rejected,
                as_of: outcome.as_of.map(|t| t.to_string()),
            },
            headline: SweepHeadline::of(recommendation.as_ref(), &points),
            points,
            recommendation,
        }
    }
}

/// `handoff sweep`'s headline: the recommended value and its figures (what it costs), or why
/// there is none.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct SweepHeadline {
    /// The `--max-escalation-rate` budget (`null` without one).
    pub budget: Option<f64>,
    /// The recommended value (`null` without one).
    pub value: Option<f64>,
    /// Why there is no recommended value.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<&'static str>,
    /// Every figure at the recommended value, with its n.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub figures: Option<SweepFigures>,
}

/// Why a sweep without `--max-escalation-rate` recommends nothing.
pub const NO_BUDGET: &str = "no budget given: --max-escalation-rate picks a value";

impl SweepHeadline {
    pub fn of(recommendation: Option<&Recommendation>, points: &[SweepFigures]) -> SweepHeadline {
        match recommendation {
            None => SweepHeadline {
                budget: None,
                value: None,
                reason: Some(NO_BUDGET),
                figures: None,
            },
            Some(Recommendation::NoValue { budget, reason }) => SweepHeadline {
                budget: Some(*budget),
                value: None,
                reason: Some(reason),
                figures: None,
            },
            Some(Recommendation::Found { budget, value, .. }) => SweepHeadline {
                budget: Some(*budget),
                value: Some(*value),
                reason: None,
                figures: points.iter().find(|p| p.value == *value).cloned(),
            },
        }
    }
}
