//! Capacity what-if (`handoff replay --staffing FILE`): can the agents of each tier answer the
//! tickets the policy sends them within the tier's first-response targets?
//!
//! For each staffed tier and hour of the week (in the policy's time zone):
//! - **arrivals**: the tickets the policy routes to the tier whose `created_at` falls in that
//!   hour, divided by how often the hour occurs between the first and the last `created_at`
//!   of the data (the mean over the weeks in the data);
//! - **Erlang C** ([`erlang`]) with the staffed agents and the handling time: probability of
//!   waiting, mean wait, the share answered within the tier's first-response target per
//!   priority, and the agents needed for `--service-level` of the hour's tickets answered
//!   within their own priority's target;
//! - **the simulation** ([`simulate`]) of the same queue over the real arrival times.
//!
//! Waits are wall-clock time in a queue that agents work while on shift; first-response
//! targets are read as that much wall-clock time (`n bd` as `n` times the calendar's longest
//! working day).
//!
//! Unlike the rest of replay, this keeps one small record per escalated ticket (the arrival
//! times the simulation replays): memory grows with the tickets the policy escalates.

use jiff::Timestamp;
use jiff::tz::TimeZone;

use super::eval::{CompiledPolicy, Decision};
use crate::calendar::duration::PolicyDuration;
use crate::policy::staffing::{HOURS_OF_WEEK, MAX_AGENTS, Staffing};

pub mod erlang;
pub mod simulate;

use erlang::Queue;
pub use simulate::{Arrival, SimulatedHour};

/// Hours of the week in a time zone.
#[derive(Debug, Clone)]
pub struct LocalHours {
    zone: TimeZone,
}

impl LocalHours {
    pub fn new(zone: TimeZone) -> LocalHours {
        LocalHours { zone }
    }

    /// The hour of the week of `t` (0 = Monday 00:00) and the seconds since that hour began.
    pub fn slot(&self, t: i64) -> (usize, i64) {
        let offset = Timestamp::from_second(t)
            .map(|ts| i64::from(self.zone.to_offset(ts).seconds()))
            .unwrap_or(0);
        let local = t + offset;
        // 1970-01-01 was a Thursday (3 days after a Monday).
        let weekday = (local.div_euclid(86_400) + 3).rem_euclid(7);
        let hour = local.rem_euclid(86_400) / 3600;
        ((weekday * 24 + hour) as usize, local.rem_euclid(3600))
    }
}

/// The tickets a replay routed to tiers, with their creation times: what the capacity
/// projection reads. Merges by concatenation; the projection sorts.
#[derive(Debug, Clone, Default)]
pub struct Arrivals {
    /// Per route rank (0 = `ai`, never filled).
    pub by_rank: Vec<Vec<Arrival>>,
    /// The first and last `created_at` of every decided ticket.
    pub first: Option<i64>,
    pub last: Option<i64>,
    /// Tickets routed to a tier without `created_at`: not placed in any hour.
    pub without_created_at: u64,
}

impl Arrivals {
    pub fn new(policy: &CompiledPolicy) -> Arrivals {
        Arrivals {
            by_rank: vec![Vec::new(); policy.routes.len()],
            ..Arrivals::default()
        }
    }

    pub fn record(&mut self, created_at: Option<Timestamp>, decision: &Decision) {
        let Some(at) = created_at.map(Timestamp::as_second) else {
            if decision.rank > 0 {
                self.without_created_at += 1;
            }
            return;
        };
        self.first = Some(self.first.map_or(at, |f| f.min(at)));
        self.last = Some(self.last.map_or(at, |l| l.max(at)));
        if decision.rank > 0 {
            if let Some(list) = self.by_rank.get_mut(decision.rank) {
                list.push(Arrival {
                    at,
                    priority: decision.priority.and_then(|p| u16::try_from(p).ok()),
                });
            }
        }
    }

    pub fn merge(&mut self, other: Arrivals) {
        if self.by_rank.len() < other.by_rank.len() {
            self.by_rank.resize(other.by_rank.len(), Vec::new());
        }
        for (mine, theirs) in self.by_rank.iter_mut().zip(other.by_rank) {
            mine.extend(theirs);
        }
        self.first = match (self.first, other.first) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        self.last = self.last.max(other.last);
        self.without_created_at += other.without_created_at;
    }
}

/// The projection for all staffed tiers.
#[derive(Debug, Clone, PartialEq)]
pub struct Projection {
    /// Weeks between the first and the last `created_at`.
    pub weeks: f64,
    pub service_level: f64,
    pub tiers: Vec<TierProjection>,
    pub without_created_at: u64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct TierProjection {
    pub tier: String,
    pub handling_seconds: u64,
    /// First-response target in seconds per priority (`None`: no target).
    pub targets: Vec<Option<f64>>,
    /// [`HOURS_OF_WEEK`] hours.
    pub hours: Vec<HourProjection>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct HourProjection {
    pub agents: u32,
    /// Times this hour occurs in the data's span.
    pub occurrences: u64,
    /// Tickets per priority (the last entry: without a priority).
    pub tickets: Vec<u64>,
    /// Mean arrivals per hour (λ).
    pub arrivals_per_hour: f64,
    pub queue: Queue,
    /// Erlang C, per priority: the share answered within the target.
    pub within_target: Vec<Option<f64>>,
    /// The fewest agents that meet the service level (without targets: that keep up with the
    /// arrivals); `None` when more than [`MAX_AGENTS`] would be needed.
    pub agents_needed: Option<u32>,
    pub simulated: SimulatedHour,
}

impl HourProjection {
    /// Tickets in the hour (all priorities).
    pub fn total(&self) -> u64 {
        self.tickets.iter().sum()
    }

    /// Erlang C's share answered within target, over the hour's tickets that have one, with
    /// the number of those tickets.
    pub fn erlang_share(&self) -> (f64, u64) {
        weighted(&self.tickets, |p| {
            self.within_target.get(p).copied().flatten()
        })
    }
}

/// The share of `tickets` (per priority) meeting their target, weighted by tickets, and the
/// tickets with a target.
fn weighted(tickets: &[u64], share: impl Fn(usize) -> Option<f64>) -> (f64, u64) {
    let (mut met, mut n) = (0.0, 0);
    for (p, &count) in tickets.iter().enumerate() {
        if let Some(s) = share(p) {
            met += s * count as f64;
            n += count;
        }
    }
    (if n > 0 { met / n as f64 } else { 0.0 }, n)
}

/// How often each hour of the week occurs from `first` to `last` (both included).
fn occurrences(hours: &LocalHours, first: i64, last: i64) -> Vec<u64> {
    let mut counts = vec![0u64; HOURS_OF_WEEK];
    let start = first - hours.slot(first).1;
    let span_hours = (last - start) / 3600 + 1;
    // Beyond twenty years, count whole weeks (the time-zone walk would take long for a
    // figure that no longer changes).
    if span_hours > 20 * 366 * 24 {
        let weeks = (span_hours / HOURS_OF_WEEK as i64) as u64;
        return vec![weeks.max(1); HOURS_OF_WEEK];
    }
    let mut t = start;
    while t <= last {
        counts[hours.slot(t).0] += 1;
        t += 3600;
    }
    counts
}

/// A first-response target as wall-clock seconds in the queue.
fn target_seconds(duration: PolicyDuration, policy: &CompiledPolicy) -> f64 {
    match duration {
        PolicyDuration::Seconds(s) => s as f64,
        PolicyDuration::BusinessDays(n) => {
            let day = policy
                .calendar
                .working_day_range()
                .map_or(86_400, |(_, longest)| longest);
            f64::from(n) * day as f64
        }
    }
}

/// Project every staffed tier's queue.
pub fn project(
    policy: &CompiledPolicy,
    staffing: &Staffing,
    mut arrivals: Arrivals,
    service_level: f64,
) -> Projection {
    let hours = LocalHours::new(policy.calendar.timezone.clone());
    let counts = match (arrivals.first, arrivals.last) {
        (Some(first), Some(last)) => occurrences(&hours, first, last),
        _ => vec![0; HOURS_OF_WEEK],
    };
    let weeks = match (arrivals.first, arrivals.last) {
        (Some(first), Some(last)) => (last - first) as f64 / (7.0 * 86_400.0),
        _ => 0.0,
    };
    let priorities = policy.priorities.len();
    let tiers = staffing
        .tiers
        .iter()
        .filter_map(|staffed| {
            let rank = policy.routes.iter().position(|r| *r == staffed.tier)?;
            let info = policy.tiers.get(rank.checked_sub(1)?)?;
            let targets: Vec<Option<f64>> = (0..priorities)
                .map(|p| {
                    info.sla_for(p)
                        .first_response
                        .map(|d| target_seconds(d, policy))
                })
                .collect();
            let list = arrivals.by_rank.get_mut(rank).map(std::mem::take);
            let mut list = list.unwrap_or_default();
            list.sort_unstable();
            let simulated = simulate::simulate(
                &list,
                &staffed.agents,
                staffed.handling_seconds,
                &targets,
                &hours,
            );
            let mut tickets = vec![vec![0u64; priorities + 1]; HOURS_OF_WEEK];
            for arrival in &list {
                let p = arrival
                    .priority
                    .map_or(priorities, |p| usize::from(p).min(priorities));
                tickets[hours.slot(arrival.at).0][p] += 1;
            }
            let service = 3600.0 / staffed.handling_seconds.max(1) as f64;
            let hours = (0..HOURS_OF_WEEK)
                .zip(tickets)
                .zip(simulated)
                .map(|((slot, tickets), simulated)| {
                    let total: u64 = tickets.iter().sum();
                    let arrivals_per_hour = if counts[slot] > 0 {
                        total as f64 / counts[slot] as f64
                    } else {
                        0.0
                    };
                    let queue = Queue {
                        arrivals: arrivals_per_hour,
                        service,
                        agents: staffed.agents[slot],
                    };
                    let share_of = |q: &Queue| {
                        let (share, n) = weighted(&tickets, |p| {
                            Some(q.answered_within(targets.get(p).copied().flatten()? / 3600.0))
                        });
                        if n > 0 { share } else { f64::NAN }
                    };
                    let has_target = tickets
                        .iter()
                        .enumerate()
                        .any(|(p, &n)| n > 0 && targets.get(p).copied().flatten().is_some());
                    let agents_needed = if has_target {
                        queue.agents_needed(service_level, MAX_AGENTS, share_of)
                    } else {
                        // No target to meet: enough agents to keep up.
                        queue.agents_needed(0.0, MAX_AGENTS, |_| 1.0)
                    };
                    HourProjection {
                        agents: staffed.agents[slot],
                        occurrences: counts[slot],
                        within_target: targets
                            .iter()
                            .map(|t| t.map(|t| queue.answered_within(t / 3600.0)))
                            .collect(),
                        tickets,
                        arrivals_per_hour,
                        queue,
                        agents_needed,
                        simulated,
                    }
                })
                .collect();
            Some(TierProjection {
                tier: staffed.tier.clone(),
                handling_seconds: staffed.handling_seconds,
                targets,
                hours,
            })
        })
        .collect();
    Projection {
        weeks,
        service_level,
        tiers,
        without_created_at: arrivals.without_created_at,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hours_of_week_follow_the_zone() {
        // 2026-01-05 is a Monday; 08:30 UTC is 09:30 in Berlin (winter) and 04:30 in New York.
        let t = 1_767_571_200 + 8 * 3600 + 1800;
        assert_eq!(LocalHours::new(TimeZone::UTC).slot(t), (8, 1800));
        let berlin = TimeZone::get("Europe/Berlin").unwrap();
        assert_eq!(LocalHours::new(berlin).slot(t), (9, 1800));
        let new_york = TimeZone::get("America/New_York").unwrap();
        assert_eq!(LocalHours::new(new_york.clone()).slot(t), (3, 1800));
        // Monday 00:30 UTC is Sunday 19:30 in New York.
        assert_eq!(
            LocalHours::new(new_york).slot(t - 8 * 3600),
            (6 * 24 + 19, 1800)
        );
    }

    #[test]
    fn each_hour_counted_once_per_week() {
        let hours = LocalHours::new(TimeZone::UTC);
        let monday = 1_767_571_200;
        let counts = occurrences(&hours, monday + 100, monday + 14 * 86_400 - 1);
        assert!(counts.iter().all(|&c| c == 2), "{counts:?}");
        let counts = occurrences(&hours, monday, monday + 3600);
        assert_eq!(counts.iter().sum::<u64>(), 2);
    }
}
