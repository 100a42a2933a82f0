//! The `capacity` section of a replay report (`--staffing FILE`): per staffed tier, Erlang C's
//! projection beside the queue simulation, in total and per hour of the week
//! ([`crate::engine::capacity`]). Model figures are fractions rounded to 4 decimals; waits are
//! whole seconds, `null` where a queue has more tickets than its agents can handle.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::engine::capacity::{HourProjection, Projection, TierProjection, simulate};
use crate::policy::calendar::DAY_NAMES;

/// How the simulation handles tickets, as the report states it.
pub const SIMULATION: &str = "first come, first served over the real arrival times; handling times drawn from an exponential distribution with the tier's mean (fixed seed)";

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Capacity {
    /// The `--service-level` agents are sized for: this share of tickets answered within
    /// their first-response target.
    pub service_level: f64,
    /// The time zone hours of the week are read in.
    pub time_zone: String,
    /// Weeks between the first and the last `created_at` of the data.
    pub weeks: f64,
    pub simulation: &'static str,
    pub simulation_seed: u64,
    /// Escalated tickets without `created_at`, left out.
    pub tickets_without_created_at: u64,
    /// Tiers the policy routes to that the staffing file does not staff.
    pub tiers_not_staffed: Vec<String>,
    /// By tier name.
    pub tiers: BTreeMap<String, TierCapacity>,
    /// The policy's priorities, most urgent first (tables list them in this order).
    #[serde(skip)]
    pub priorities: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TierCapacity {
    /// Order of the tier in the policy (tables list tiers in this order).
    #[serde(skip)]
    pub rank: usize,
    #[serde(rename = "handling_time_seconds")]
    pub handling_time: u64,
    /// Escalated tickets of the data routed here.
    pub tickets: u64,
    pub tickets_per_week: f64,
    /// Agent-hours per week: staffed, and needed for the service level.
    pub agent_hours_per_week: u64,
    /// `null` when some hour would need more agents than handoff models.
    pub agent_hours_needed_per_week: Option<u64>,
    /// Hours of the week with fewer agents than needed.
    pub hours_short: u64,
    /// Hours of the week whose tickets outnumber what the agents can handle.
    pub hours_overloaded: u64,
    pub erlang_c: QueueFigures,
    pub simulated: QueueFigures,
    /// Per priority: the first-response target (seconds) and both shares answered in it.
    pub within_target_by_priority: BTreeMap<String, PriorityTarget>,
    /// The 168 hours of the week, Monday 00:00 first.
    pub hours: Vec<HourCapacity>,
}

/// Figures of a queue over a set of tickets (each hour weighted by its tickets).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct QueueFigures {
    pub wait_probability: Option<f64>,
    #[serde(rename = "mean_wait_seconds")]
    pub mean_wait: Option<u64>,
    /// Over the tickets with a first-response target.
    pub within_target: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PriorityTarget {
    #[serde(rename = "target_seconds")]
    pub target: u64,
    pub tickets: u64,
    pub erlang_c: Option<f64>,
    pub simulated: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HourCapacity {
    /// `mon 09:00`.
    pub hour: String,
    pub agents: u32,
    pub agents_needed: Option<u32>,
    pub tickets: u64,
    pub arrivals_per_hour: f64,
    pub erlang_c: QueueFigures,
    pub simulated: QueueFigures,
}

fn round4(x: f64) -> f64 {
    (x * 10_000.0).round() / 10_000.0
}

fn fraction(numerator: f64, denominator: f64) -> Option<f64> {
    (denominator > 0.0).then(|| round4(numerator / denominator))
}

fn hour_name(slot: usize) -> String {
    format!("{} {:02}:00", DAY_NAMES[slot / 24], slot % 24)
}

/// Erlang C of one hour.
fn erlang_hour(h: &HourProjection) -> QueueFigures {
    let (share, n) = h.erlang_share();
    let busy = h.total() > 0;
    QueueFigures {
        wait_probability: busy.then(|| round4(h.queue.wait_probability())),
        mean_wait: if busy {
            h.queue
                .mean_wait_hours()
                .map(|w| (w * 3600.0).round() as u64)
        } else {
            None
        },
        within_target: (n > 0).then(|| round4(share)),
    }
}

/// The simulation of one hour (or of several, added up).
fn simulated_figures(s: &simulate::SimulatedHour) -> QueueFigures {
    let answered = s.tickets - s.never_answered;
    let (met, n) = s
        .within_target
        .iter()
        .fold((0, 0), |(m, n), &(a, b)| (m + a, n + b));
    QueueFigures {
        wait_probability: fraction(s.waited as f64, s.tickets as f64),
        mean_wait: (answered > 0 && s.never_answered == 0)
            .then(|| (s.wait_seconds / answered as f64).round() as u64),
        within_target: fraction(met as f64, n as f64),
    }
}

fn add(total: &mut simulate::SimulatedHour, hour: &simulate::SimulatedHour) {
    total.tickets += hour.tickets;
    total.waited += hour.waited;
    total.never_answered += hour.never_answered;
    total.wait_seconds += hour.wait_seconds;
    if total.within_target.len() < hour.within_target.len() {
        total.within_target.resize(hour.within_target.len(), (0, 0));
    }
    for (t, h) in total.within_target.iter_mut().zip(&hour.within_target) {
        t.0 += h.0;
        t.1 += h.1;
    }
}

fn tier(t: &TierProjection, rank: usize, weeks: f64, priorities: &[String]) -> TierCapacity {
    let mut sim = simulate::SimulatedHour::default();
    let (mut tickets, mut waits, mut wait_sum, mut unstable) = (0u64, 0.0, 0.0, false);
    let mut per_priority = vec![(0.0, 0u64); priorities.len()];
    let (mut staffed, mut needed, mut short, mut overloaded) = (0u64, Some(0u64), 0, 0);
    for h in &t.hours {
        add(&mut sim, &h.simulated);
        let n = h.total();
        tickets += n;
        staffed += u64::from(h.agents);
        needed = match (needed, h.agents_needed) {
            (Some(total), Some(hour)) => Some(total + u64::from(hour)),
            _ => None,
        };
        if h.agents_needed.is_none_or(|need| need > h.agents) {
            short += 1;
        }
        if n == 0 {
            continue;
        }
        if !h.queue.stable() {
            overloaded += 1;
            unstable = true;
        }
        waits += n as f64 * h.queue.wait_probability();
        wait_sum += n as f64 * h.queue.mean_wait_hours().unwrap_or(0.0) * 3600.0;
        for (p, slot) in per_priority.iter_mut().enumerate() {
            if let Some(share) = h.within_target.get(p).copied().flatten() {
                let count = h.tickets.get(p).copied().unwrap_or(0);
                slot.0 += share * count as f64;
                slot.1 += count;
            }
        }
    }
    let (met, with_target) = per_priority
        .iter()
        .fold((0.0, 0), |(m, n), &(a, b)| (m + a, n + b));
    let within_target_by_priority = priorities
        .iter()
        .enumerate()
        .filter_map(|(p, name)| {
            let target = t.targets.get(p).copied().flatten()?;
            let (met, n) = per_priority[p];
            let (sim_met, sim_n) = sim.within_target.get(p).copied().unwrap_or((0, 0));
            Some((
                name.clone(),
                PriorityTarget {
                    target: target.round() as u64,
                    tickets: n,
                    erlang_c: fraction(met, n as f64),
                    simulated: fraction(sim_met as f64, sim_n as f64),
                },
            ))
        })
        .collect();
    TierCapacity {
        rank,
        handling_time: t.handling_seconds,
        tickets,
        tickets_per_week: if weeks > 0.0 {
            round4(tickets as f64 / weeks)
        } else {
            0.0
        },
        agent_hours_per_week: staffed,
        agent_hours_needed_per_week: needed,
        hours_short: short,
        hours_overloaded: overloaded,
        erlang_c: QueueFigures {
            wait_probability: fraction(waits, tickets as f64),
            mean_wait: if unstable {
                None
            } else {
                fraction(wait_sum, tickets as f64).map(|w| w.round() as u64)
            },
            within_target: fraction(met, with_target as f64),
        },
        simulated: simulated_figures(&sim),
        within_target_by_priority,
        hours: t
            .hours
            .iter()
            .enumerate()
            .map(|(slot, h)| HourCapacity {
                hour: hour_name(slot),
                agents: h.agents,
                agents_needed: h.agents_needed,
                tickets: h.total(),
                arrivals_per_hour: round4(h.arrivals_per_hour),
                erlang_c: erlang_hour(h),
                simulated: simulated_figures(&h.simulated),
            })
            .collect(),
    }
}

impl Capacity {
    /// The section for a projection; `routes` are the policy's routes in rank order (`ai`
    /// first), `routed` the tickets each received.
    pub fn new(
        projection: &Projection,
        time_zone: &str,
        priorities: &[String],
        routes: &[String],
        routed: &[u64],
    ) -> Capacity {
        let tiers: BTreeMap<String, TierCapacity> = projection
            .tiers
            .iter()
            .map(|t| {
                let rank = routes.iter().position(|r| *r == t.tier).unwrap_or(0);
                (t.tier.clone(), tier(t, rank, projection.weeks, priorities))
            })
            .collect();
        let tiers_not_staffed = routes
            .iter()
            .zip(routed)
            .skip(1)
            .filter(|(route, n)| **n > 0 && !tiers.contains_key(*route))
            .map(|(route, _)| route.clone())
            .collect();
        Capacity {
            service_level: projection.service_level,
            time_zone: time_zone.to_string(),
            weeks: round4(projection.weeks),
            simulation: SIMULATION,
            simulation_seed: simulate::SEED,
            tickets_without_created_at: projection.without_created_at,
            tiers_not_staffed,
            tiers,
            priorities: priorities.to_vec(),
        }
    }

    /// Tiers in the policy's order.
    pub fn tiers_in_order(&self) -> Vec<(&String, &TierCapacity)> {
        let mut tiers: Vec<_> = self.tiers.iter().collect();
        tiers.sort_by_key(|(_, t)| t.rank);
        tiers
    }
}
