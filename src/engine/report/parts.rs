//! The report's parts by name, as `--fail-if` and `handoff diff` address them: a key of the
//! report (`escalation_rate`) or a dotted path into it (`escalation_by_tier.L2`,
//! `first_response_time.wall.median_seconds`). The names are the JSON keys; a test holds this
//! tree against the serialised report.
//!
//! A rate is one figure (its fraction); its `numerator` and `denominator` are counts of their
//! own. Lists (`rule_coverage`, `worst_breaches`) are named but hold no addressable figure.

use std::borrow::Cow;
use std::collections::BTreeMap;

use super::measure::{Fraction, Measure, RateFigure};
use super::quality::{Csat, QualityByRoute, RouteFigures};
use super::sections::*;

/// What a part of the report is, as a figure.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Figure<'r> {
    /// A rate, or a figure the data cannot give: compared by its fraction.
    Rate(RateFigure<'r>),
    /// A count of tickets.
    Count(u64),
    /// A duration in whole seconds (`None` without data).
    Seconds(Option<u64>),
    /// No figure: a group of figures, a list, a text or a flag.
    None,
}

/// One named part of a report: its figure and the parts inside it, by name.
#[derive(Debug, Clone, PartialEq)]
pub struct Part<'r> {
    pub figure: Figure<'r>,
    /// In name order.
    children: Vec<(Cow<'r, str>, Part<'r>)>,
}

impl Default for Part<'_> {
    /// A part with nothing inside.
    fn default() -> Self {
        Part::other()
    }
}

impl<'r> Part<'r> {
    fn leaf(figure: Figure<'r>) -> Part<'r> {
        Part {
            figure,
            children: Vec::new(),
        }
    }

    /// A list, a text or a flag: named, nothing to address inside.
    fn other() -> Part<'r> {
        Part::leaf(Figure::None)
    }

    fn count(n: u64) -> Part<'r> {
        Part::leaf(Figure::Count(n))
    }

    fn group<N: Into<Cow<'r, str>>>(children: impl IntoIterator<Item = (N, Part<'r>)>) -> Part<'r> {
        Part::with_children(Figure::None, children)
    }

    fn with_children<N: Into<Cow<'r, str>>>(
        figure: Figure<'r>,
        children: impl IntoIterator<Item = (N, Part<'r>)>,
    ) -> Part<'r> {
        // Keyed as a JSON object is: one part per name (the last wins), in name order.
        let by_name: BTreeMap<Cow<'r, str>, Part<'r>> = children
            .into_iter()
            .map(|(name, part)| (name.into(), part))
            .collect();
        Part {
            figure,
            children: by_name.into_iter().collect(),
        }
    }

    /// The part named `name` directly inside this one.
    pub fn child(&self, name: &str) -> Option<&Part<'r>> {
        self.children
            .binary_search_by(|(n, _)| n.as_ref().cmp(name))
            .ok()
            .map(|i| &self.children[i].1)
    }

    /// The part at a dotted path below this one.
    pub fn get(&self, path: &str) -> Option<&Part<'r>> {
        path.split('.')
            .try_fold(self, |part, name| part.child(name))
    }

    /// The names directly inside, in name order.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.children.iter().map(|(name, _)| name.as_ref())
    }

    /// The figure's value: a count, seconds, or a rate's fraction.
    pub fn value(&self) -> Option<f64> {
        match self.figure {
            Figure::Rate(rate) => rate.value(),
            Figure::Count(n) => Some(n as f64),
            Figure::Seconds(seconds) => seconds.map(|s| s as f64),
            Figure::None => None,
        }
    }

    /// Every figure inside, depth first in name order, each named by its path from `path` (a
    /// rate counts as one figure: its counts are not listed).
    pub fn figures(&self, path: &str) -> Vec<(String, &Part<'r>)> {
        let mut found = Vec::new();
        self.figures_into(path, &mut found);
        found
    }

    fn figures_into<'p>(&'p self, path: &str, out: &mut Vec<(String, &'p Part<'r>)>) {
        for (name, child) in &self.children {
            let child_path = if path.is_empty() {
                name.to_string()
            } else {
                format!("{path}.{name}")
            };
            match child.figure {
                Figure::None => child.figures_into(&child_path, out),
                _ => out.push((child_path, child)),
            }
        }
    }

    /// Every rate inside (counted, or n/a for lack of columns), by dotted path in name order:
    /// what `handoff diff` sets side by side.
    pub fn rates(&self) -> Vec<(String, RateFigure<'r>)> {
        self.figures("")
            .into_iter()
            .filter_map(|(path, part)| match part.figure {
                Figure::Rate(rate @ (RateFigure::Counted(_) | RateFigure::NotAvailable(_))) => {
                    Some((path, rate))
                }
                _ => None,
            })
            .collect()
    }
}

/// A typed piece of the report as named parts.
trait Parts {
    fn part(&self) -> Part<'_>;
}

impl Report {
    /// The report as named parts.
    pub fn parts(&self) -> Part<'_> {
        let e = &self.escalation;
        let a = &self.agreement;
        let r = &self.routing;
        let s = &self.sla;
        Part::group([
            ("tickets", Part::count(self.tickets)),
            ("escalation_rate", e.rate.part()),
            ("escalation_by_tier", e.by_tier.part()),
            ("escalation_by_rule", e.by_rule.part()),
            ("escalation_by_reason", e.by_reason.part()),
            ("missed_escalation_rate", a.missed.part()),
            ("unneeded_escalation_rate", a.unneeded.part()),
            ("agreement", a.agreement.part()),
            ("right_tier_rate", r.right_tier.part()),
            ("under_routed_rate", r.under_routed.part()),
            ("over_routed_rate", r.over_routed.part()),
            ("projected_fcr", r.projected_fcr.part()),
            ("historical_fcr", r.historical_fcr.part()),
            ("first_response_time", self.first_response.time.part()),
            (
                "opened_outside_hours",
                self.first_response.opened_outside_hours.part(),
            ),
            ("resolution_time", self.resolution_time.part()),
            ("sla_first_response_met", s.first_response_met.part()),
            ("sla_resolution_met", s.resolution_met.part()),
            ("sla_by_tier_priority", Part::other()),
            ("sla_skipped", Part::count(s.skipped)),
            ("sla_skipped_by_reason", s.skipped_by_reason.part()),
            ("worst_breaches", Part::other()),
            ("context_complete", self.context.complete.part()),
            (
                "context_missing_by_field",
                self.context.missing_by_field.part(),
            ),
            ("rule_coverage", Part::other()),
            ("never_matched", Part::other()),
            ("never_reached", Part::other()),
            ("time_based_escalation", self.time_based_escalation.part()),
            ("load", self.load.part()),
            ("containment_rate", self.quality.containment.part()),
            (
                "projected_containment_rate",
                self.quality.projected_containment.part(),
            ),
            ("quality_by_route", self.quality.quality_by_route.part()),
        ])
    }
}

impl Parts for u64 {
    fn part(&self) -> Part<'_> {
        Part::count(*self)
    }
}

impl Parts for Fraction {
    fn part(&self) -> Part<'_> {
        let mut children = vec![
            ("value", Part::other()),
            ("numerator", Part::count(self.count.numerator)),
            ("denominator", Part::count(self.count.denominator)),
        ];
        if self.flags_small_sample {
            children.push(("small_sample", Part::other()));
        }
        Part::with_children(Figure::Rate(RateFigure::Counted(self)), children)
    }
}

impl<T: Parts> Parts for Measure<T> {
    fn part(&self) -> Part<'_> {
        match self {
            Measure::Known(value) => value.part(),
            Measure::NotAvailable(missing) => Part::with_children(
                Figure::Rate(RateFigure::NotAvailable(missing)),
                [("value", Part::other()), ("needs", Part::other())],
            ),
            Measure::NotApplicable(note) => Part::with_children(
                Figure::Rate(RateFigure::NotApplicable(note)),
                [("value", Part::other()), ("note", Part::other())],
            ),
        }
    }
}

impl<K: AsRef<str>, V: Parts> Parts for BTreeMap<K, V> {
    fn part(&self) -> Part<'_> {
        Part::group(
            self.iter()
                .map(|(name, value)| (name.as_ref(), value.part())),
        )
    }
}

impl Parts for Agreement {
    fn part(&self) -> Part<'_> {
        Part::group([
            ("tickets", Part::count(self.tickets)),
            ("unresolved_excluded", Part::count(self.unresolved_excluded)),
            ("history_escalated", Part::count(self.history_escalated)),
            (
                "confusion",
                Part::group([
                    ("policy", Part::other()),
                    ("history", Part::other()),
                    ("cells", Part::other()),
                ]),
            ),
        ])
    }
}

impl Parts for Spread {
    fn part(&self) -> Part<'_> {
        Part::group([
            ("n", Part::count(self.n)),
            (
                "median_seconds",
                Part::leaf(Figure::Seconds(self.median_seconds)),
            ),
            ("p90_seconds", Part::leaf(Figure::Seconds(self.p90_seconds))),
        ])
    }
}

/// Two duration distributions, and the tickets left out for a negative duration.
fn spreads<'r>(
    (a, a_spread): (&'static str, &'r Spread),
    (b, b_spread): (&'static str, &'r Spread),
    negative_excluded: u64,
) -> Part<'r> {
    Part::group([
        (a, a_spread.part()),
        (b, b_spread.part()),
        ("negative_excluded", Part::count(negative_excluded)),
    ])
}

impl Parts for ResponseTimes {
    fn part(&self) -> Part<'_> {
        spreads(
            ("wall", &self.wall),
            ("business", &self.business),
            self.negative_excluded,
        )
    }
}

impl Parts for ResolutionTimes {
    fn part(&self) -> Part<'_> {
        spreads(
            ("escalated", &self.escalated),
            ("not_escalated", &self.not_escalated),
            self.negative_excluded,
        )
    }
}

impl Parts for TimeBasedEscalation {
    fn part(&self) -> Part<'_> {
        Part::group([
            ("tickets", Part::count(self.tickets)),
            ("escalated", self.escalated.part()),
            ("hops", Part::other()),
        ])
    }
}

impl Parts for super::load::Load {
    fn part(&self) -> Part<'_> {
        let mut children = vec![
            ("timezone", Part::other()),
            ("tickets", Part::count(self.tickets)),
            ("days", Part::count(self.days)),
            (
                "by_tier",
                Part::group(
                    self.by_tier
                        .keys()
                        .map(|route| (route.as_str(), Part::other())),
                ),
            ),
        ];
        if self.first_day.is_some() {
            children.push(("first_day", Part::other()));
        }
        if self.last_day.is_some() {
            children.push(("last_day", Part::other()));
        }
        Part::group(children)
    }
}

impl Parts for QualityByRoute {
    fn part(&self) -> Part<'_> {
        Part::group([
            ("policy", self.policy.part()),
            ("history", self.history.part()),
        ])
    }
}

impl Parts for RouteFigures {
    fn part(&self) -> Part<'_> {
        Part::group([
            ("tickets", Part::count(self.tickets)),
            ("containment_rate", self.containment_rate.part()),
            ("csat", self.csat.part()),
        ])
    }
}

impl Parts for Csat {
    fn part(&self) -> Part<'_> {
        Part::group([("mean", Part::other()), ("n", Part::count(self.n))])
    }
}
