//! A discrete-event queue simulation over the real arrival times, to check Erlang C: one queue
//! per tier, first come first served, with the agents the staffing file gives each hour of the
//! week. A ticket goes to the agent who can start on it first; an agent starts only while on
//! duty (agent `i` is on duty in an hour with more than `i` agents) and finishes a ticket once
//! started. Handling times are drawn from an exponential distribution with the tier's mean
//! (the assumption Erlang C makes), from a fixed seed: the same input gives the same figures.
//!
//! Unlike Erlang C, which takes every hour as a steady state of its own, the simulation carries
//! a queue over from one hour into the next: the two differ most where an hour is overloaded
//! or its neighbours are.

use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::LocalHours;
use crate::policy::staffing::HOURS_OF_WEEK;

/// The seed of the handling times.
pub const SEED: u64 = 14;

/// A ticket's arrival at a tier's queue.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Arrival {
    /// Unix seconds.
    pub at: i64,
    /// Index into the policy's priorities; `None` without one.
    pub priority: Option<u16>,
}

/// What happened to the tickets arriving in one hour of the week.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SimulatedHour {
    pub tickets: u64,
    /// Tickets that found no agent free.
    pub waited: u64,
    /// Tickets no agent was ever on duty to answer.
    pub never_answered: u64,
    /// Sum of the waits of answered tickets, in seconds.
    pub wait_seconds: f64,
    /// Per priority: (answered within the target, tickets with a target).
    pub within_target: Vec<(u64, u64)>,
}

/// Simulate one tier's queue. `arrivals` sorted by time; `agents` per hour of the week;
/// `targets` the first-response target in seconds per priority (`None`: no target).
pub fn simulate(
    arrivals: &[Arrival],
    agents: &[u32],
    handling_seconds: u64,
    targets: &[Option<f64>],
    hours: &LocalHours,
) -> Vec<SimulatedHour> {
    let mut result = vec![
        SimulatedHour {
            within_target: vec![(0, 0); targets.len()],
            ..SimulatedHour::default()
        };
        HOURS_OF_WEEK
    ];
    let most = agents.iter().copied().max().unwrap_or(0) as usize;
    // on_duty_in[i][slot]: whole hours from `slot` until agent `i` is next on duty.
    let on_duty_in: Vec<Vec<Option<i64>>> = (0..most)
        .map(|i| {
            (0..HOURS_OF_WEEK)
                .map(|slot| {
                    (0..HOURS_OF_WEEK as i64)
                        .find(|&k| agents[(slot + k as usize) % HOURS_OF_WEEK] as usize > i)
                })
                .collect()
        })
        .collect();
    // The earliest instant at or after `t` at which agent `i` is on duty.
    let start_at = |i: usize, t: i64| -> Option<i64> {
        let (slot, into_hour) = hours.slot(t);
        match on_duty_in[i][slot]? {
            0 => Some(t),
            k => Some(t - into_hour + k * 3600),
        }
    };
    let mut free_at = vec![i64::MIN; most];
    let mut rng = ChaCha8Rng::seed_from_u64(SEED);
    let mean = handling_seconds as f64;
    for arrival in arrivals {
        let hour = &mut result[hours.slot(arrival.at).0];
        hour.tickets += 1;
        // Drawn for every ticket, answered or not, so one ticket's fate does not shift the
        // handling times of all later ones.
        let handling = -mean * (1.0 - rng.random::<f64>()).ln();
        let best = (0..most)
            .filter_map(|i| Some((start_at(i, free_at[i].max(arrival.at))?, i)))
            .min();
        let target = arrival
            .priority
            .and_then(|p| Some((p as usize, targets.get(p as usize).copied().flatten()?)));
        let Some((start, agent)) = best else {
            hour.never_answered += 1;
            hour.waited += 1;
            if let Some((p, _)) = target {
                hour.within_target[p].1 += 1;
            }
            continue;
        };
        let wait = (start - arrival.at) as f64;
        if wait > 0.0 {
            hour.waited += 1;
        }
        hour.wait_seconds += wait;
        if let Some((p, seconds)) = target {
            hour.within_target[p].1 += 1;
            if wait <= seconds {
                hour.within_target[p].0 += 1;
            }
        }
        free_at[agent] = start + handling.round() as i64;
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::capacity::erlang::Queue;

    /// Poisson arrivals at `per_hour`, for `hours` hours from a Monday midnight (UTC).
    fn poisson(per_hour: f64, hours: i64, seed: u64) -> Vec<Arrival> {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let start = 1_767_571_200; // 2026-01-05T00:00:00Z, a Monday
        let mut t = start as f64;
        let mut out = Vec::new();
        loop {
            t += -3600.0 / per_hour * (1.0 - rng.random::<f64>()).ln();
            if t >= (start + hours * 3600) as f64 {
                return out;
            }
            out.push(Arrival {
                at: t as i64,
                priority: Some(0),
            });
        }
    }

    #[test]
    fn steady_queue_matches_erlang_c() {
        // λ = 10 an hour, 5 minutes handling, one agent, a year of hours: the simulated
        // shares agree with the textbook values.
        let arrivals = poisson(10.0, 24 * 7 * 52, 7);
        let hours = LocalHours::new(jiff::tz::TimeZone::UTC);
        let sim = simulate(&arrivals, &[1; HOURS_OF_WEEK], 300, &[Some(3600.0)], &hours);
        let tickets: u64 = sim.iter().map(|h| h.tickets).sum();
        let waited: u64 = sim.iter().map(|h| h.waited).sum();
        let within: u64 = sim.iter().map(|h| h.within_target[0].0).sum();
        let wait: f64 = sim.iter().map(|h| h.wait_seconds).sum();
        let q = Queue {
            arrivals: 10.0,
            service: 12.0,
            agents: 1,
        };
        let share = within as f64 / tickets as f64;
        assert!((share - q.answered_within(1.0)).abs() < 0.02, "{share}");
        let p_wait = waited as f64 / tickets as f64;
        assert!((p_wait - q.wait_probability()).abs() < 0.02, "{p_wait}");
        let mean_wait_minutes = wait / tickets as f64 / 60.0;
        assert!(
            (mean_wait_minutes - 25.0).abs() < 3.0,
            "{mean_wait_minutes}"
        );
    }

    #[test]
    fn closed_hours_carry_the_queue() {
        // One agent on Monday 09:00-10:00 only: a ticket at 08:30 waits 30 minutes, one on
        // Tuesday waits a week less a day; with no agent at all nothing is answered.
        let monday = 1_767_571_200;
        let mut agents = vec![0; HOURS_OF_WEEK];
        agents[9] = 1;
        let arrivals = [
            Arrival {
                at: monday + 8 * 3600 + 1800,
                priority: Some(0),
            },
            Arrival {
                at: monday + 33 * 3600,
                priority: None,
            },
        ];
        let hours = LocalHours::new(jiff::tz::TimeZone::UTC);
        let sim = simulate(&arrivals, &agents, 60, &[Some(3600.0)], &hours);
        assert_eq!(sim[8].wait_seconds, 1800.0);
        assert_eq!(sim[8].within_target[0], (1, 1));
        assert_eq!(sim[33].wait_seconds, (6 * 24 * 3600) as f64);
        let sim = simulate(&arrivals, &[0; HOURS_OF_WEEK], 60, &[Some(3600.0)], &hours);
        assert_eq!(sim[8].never_answered, 1);
        assert_eq!(sim[8].within_target[0], (0, 1));
    }
}
