//! The headline (DESIGN §9): the figures that decide a rollout, first in every human report and
//! `headline` in JSON. Each is a figure of the report it heads, copied with its n: a rate keeps
//! its numerator and denominator, a per-day load its tickets and days. (The sweep's headline is
//! [`super::sweep::SweepHeadline`].)

use std::collections::BTreeMap;

use serde::Serialize;

use super::load::Load;
use super::measure::{Measure, Rate};
use super::sections::Report;

/// The headline of one report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Headline {
    /// Tickets decided.
    pub tickets: u64,
    pub escalation_rate: Rate,
    pub missed_escalation_rate: Rate,
    pub unneeded_escalation_rate: Rate,
    /// Right tier or over-routed, over policy-escalated tickets whose resolving tier is known.
    pub projected_fcr: Rate,
    /// The over-routed part of the projected FCR (same denominator).
    pub over_routed_rate: Rate,
    pub sla_first_response_met: Rate,
    pub sla_resolution_met: Rate,
    /// Tickets per route per day of the `load` section (needs `created_at`).
    pub tickets_per_tier_per_day: Measure<PerDay>,
}

/// Tickets per route per day over the days the tickets span.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PerDay {
    pub days: u64,
    /// By route (`ai` too).
    pub by_tier: BTreeMap<String, TierPerDay>,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct TierPerDay {
    /// Tickets routed here with a `created_at`.
    pub tickets: u64,
    /// `tickets ÷ days`, rounded to 2 decimals (`null` over no day).
    pub per_day: Option<f64>,
}

/// `x` rounded to `decimals` places.
fn rounded(x: f64, decimals: i32) -> f64 {
    let scale = 10f64.powi(decimals);
    (x * scale).round() / scale
}

impl Headline {
    /// The headline of `report`.
    pub fn of(report: &Report) -> Headline {
        Headline {
            tickets: report.tickets,
            escalation_rate: report.escalation.rate.clone(),
            missed_escalation_rate: report.agreement.missed.clone(),
            unneeded_escalation_rate: report.agreement.unneeded.clone(),
            projected_fcr: report.routing.projected_fcr.clone(),
            over_routed_rate: report.routing.over_routed.clone(),
            sla_first_response_met: report.sla.first_response_met.clone(),
            sla_resolution_met: report.sla.resolution_met.clone(),
            tickets_per_tier_per_day: match &report.load {
                Measure::Known(load) => Measure::Known(PerDay::of(load)),
                Measure::NotAvailable(missing) => Measure::NotAvailable(missing.clone()),
                Measure::NotApplicable(note) => Measure::NotApplicable(note),
            },
        }
    }

    /// The rates by JSON key, in the order people read them.
    pub fn rates(&self) -> [(&'static str, &Rate); 7] {
        [
            ("escalation_rate", &self.escalation_rate),
            ("missed_escalation_rate", &self.missed_escalation_rate),
            ("unneeded_escalation_rate", &self.unneeded_escalation_rate),
            ("projected_fcr", &self.projected_fcr),
            ("over_routed_rate", &self.over_routed_rate),
            ("sla_first_response_met", &self.sla_first_response_met),
            ("sla_resolution_met", &self.sla_resolution_met),
        ]
    }
}

impl PerDay {
    fn of(load: &Load) -> PerDay {
        PerDay {
            days: load.days,
            by_tier: load
                .by_tier
                .keys()
                .map(|route| {
                    let tickets = load.tickets_of(route);
                    let per_day =
                        (load.days > 0).then(|| rounded(tickets as f64 / load.days as f64, 2));
                    (route.clone(), TierPerDay { tickets, per_day })
                })
                .collect(),
        }
    }

    /// A route's tickets per day, `None` when unknown.
    pub fn of_route(&self, route: &str) -> Option<f64> {
        self.by_tier.get(route).and_then(|t| t.per_day)
    }
}

/// `handoff diff`'s headline: both policies' and the change of each figure.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DiffHeadline {
    pub old: Headline,
    pub new: Headline,
    /// New minus old: a rate's fraction (4 decimals) by its key, a route's tickets per day
    /// (2 decimals) as `tickets_per_tier_per_day.<route>`; `null` when either side has none.
    pub delta: BTreeMap<String, Option<f64>>,
}

impl DiffHeadline {
    pub fn of(old: &Report, new: &Report, routes: &[String]) -> DiffHeadline {
        let (old, new) = (Headline::of(old), Headline::of(new));
        let mut delta = BTreeMap::new();
        for ((name, a), (_, b)) in old.rates().into_iter().zip(new.rates()) {
            let change = a.value().zip(b.value()).map(|(a, b)| rounded(b - a, 4));
            delta.insert(name.to_string(), change);
        }
        if let (Measure::Known(a), Measure::Known(b)) =
            (&old.tickets_per_tier_per_day, &new.tickets_per_tier_per_day)
        {
            for route in routes {
                let change = a
                    .of_route(route)
                    .zip(b.of_route(route))
                    .map(|(a, b)| rounded(b - a, 2));
                delta.insert(format!("tickets_per_tier_per_day.{route}"), change);
            }
        }
        DiffHeadline { old, new, delta }
    }
}
