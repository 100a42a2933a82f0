//! Containment and CSAT by route ([`crate::engine::quality`]), for the policy's routes and for
//! the routes history took. In JSON: `containment_rate` (history), `projected_containment_rate`
//! (contained tickets the policy also keeps with the AI) and `quality_by_route`.

use std::collections::BTreeMap;

use serde::Serialize;

use super::measure::{Measure, Missing, Rate};
use crate::engine::eval::CompiledPolicy;
use crate::engine::quality::{PathQuality, RouteQuality};
use crate::engine::stats::Count;
use crate::tickets::Layout;

/// History's route for tickets escalated to a tier it does not name.
pub const TIER_UNKNOWN: &str = "human (tier unknown)";

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Quality {
    /// History: tickets resolved by the AI without escalation or reopen, of the tickets whose
    /// history is known and resolved.
    #[serde(rename = "containment_rate")]
    pub containment: Rate,
    /// The same tickets, if the policy also keeps them with the AI.
    #[serde(rename = "projected_containment_rate")]
    pub projected_containment: Rate,
    pub quality_by_route: QualityByRoute,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct QualityByRoute {
    /// By the policy's route, every route.
    pub policy: BTreeMap<String, RouteFigures>,
    /// By the route history took, routes with tickets (containment applies to `ai` only).
    pub history: Measure<BTreeMap<String, RouteFigures>>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RouteFigures {
    /// Tickets with known, resolved history.
    pub tickets: u64,
    pub containment_rate: Rate,
    pub csat: Measure<Csat>,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Csat {
    /// Mean score, 2 decimals, on the data's own scale; `null` without scores.
    pub mean: Option<f64>,
    pub n: u64,
}

fn figures(q: &RouteQuality, history: bool, csat: bool) -> RouteFigures {
    RouteFigures {
        tickets: q.known,
        containment_rate: if history {
            Rate::of(Count::new(q.contained, q.known))
        } else {
            Measure::NotAvailable(Missing::of(&["resolved_tier", "escalated_at"]))
        },
        csat: if csat {
            Measure::Known(Csat {
                mean: q.csat_mean().map(|m| (m * 100.0).round() / 100.0),
                n: q.csat_n,
            })
        } else {
            Measure::NotAvailable(Missing::of(&["csat"]))
        },
    }
}

impl Quality {
    pub fn new(policy: &CompiledPolicy, layout: &Layout, q: &PathQuality) -> Quality {
        let history = layout.has("resolved_tier") || layout.has("escalated_at");
        let csat = layout.has("csat");
        let missing = || Measure::NotAvailable(Missing::of(&["resolved_tier", "escalated_at"]));
        let route =
            |list: &[RouteQuality], index: usize| list.get(index).copied().unwrap_or_default();
        let names = policy
            .routes
            .iter()
            .map(String::as_str)
            .chain([TIER_UNKNOWN]);
        Quality {
            containment: if history {
                Rate::of(Count::new(q.contained, q.known))
            } else {
                missing()
            },
            projected_containment: if history {
                Rate::of(Count::new(q.projected_contained, q.known))
            } else {
                missing()
            },
            quality_by_route: QualityByRoute {
                policy: policy
                    .routes
                    .iter()
                    .enumerate()
                    .map(|(i, name)| (name.clone(), figures(&route(&q.policy, i), history, csat)))
                    .collect(),
                history: if history {
                    Measure::Known(
                        names
                            .enumerate()
                            .map(|(i, name)| (name, route(&q.history, i)))
                            .filter(|(i, r)| r.known > 0 || *i == "ai")
                            .map(|(name, r)| {
                                let mut figures = figures(&r, true, csat);
                                if name != crate::policy::AI {
                                    // By definition: a human resolved it.
                                    figures.containment_rate = Measure::NotApplicable(
                                        "a human tier resolved these tickets",
                                    );
                                }
                                (name.to_string(), figures)
                            })
                            .collect(),
                    )
                } else {
                    Measure::NotAvailable(Missing::of(&["resolved_tier", "escalated_at"]))
                },
            },
        }
    }
}
