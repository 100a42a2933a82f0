//! Erlang C: the M/M/c queue in steady state. With arrivals at rate λ, `c` agents each serving
//! at rate μ (exponential handling times) and offered load `a = λ/μ` below `c`:
//!
//! - the probability that a ticket waits, `C(c, a)`, from the Erlang B recursion
//!   `B(0) = 1`, `B(k) = a·B(k−1) / (k + a·B(k−1))`, then `C = c·B / (c − a·(1 − B))`;
//! - the mean wait `C / (cμ − λ)`;
//! - the share answered within `t`: `1 − C·e^{−(cμ − λ)t}`.
//!
//! At `a ≥ c` the queue grows without bound: every ticket waits and no share is met in the
//! long run ([`Queue::stable`] is false).

/// An M/M/c queue: rates per hour.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Queue {
    /// Arrivals per hour (λ).
    pub arrivals: f64,
    /// Tickets one agent handles per hour (μ).
    pub service: f64,
    /// Agents (c).
    pub agents: u32,
}

impl Queue {
    /// Offered load in agents (a = λ/μ).
    pub fn load(&self) -> f64 {
        if self.service > 0.0 {
            self.arrivals / self.service
        } else {
            f64::INFINITY
        }
    }

    /// The agents keep up: `λ < cμ` (an hour without arrivals is always stable).
    pub fn stable(&self) -> bool {
        self.arrivals <= 0.0 || self.load() < f64::from(self.agents)
    }

    /// Probability that an arriving ticket waits for an agent (Erlang C).
    pub fn wait_probability(&self) -> f64 {
        if self.arrivals <= 0.0 {
            return 0.0;
        }
        if !self.stable() {
            return 1.0;
        }
        let a = self.load();
        let mut b = 1.0;
        for k in 1..=self.agents {
            b = a * b / (f64::from(k) + a * b);
        }
        let c = f64::from(self.agents);
        (c * b / (c - a * (1.0 - b))).clamp(0.0, 1.0)
    }

    /// Mean wait in hours; `None` when the queue is not stable.
    pub fn mean_wait_hours(&self) -> Option<f64> {
        if self.arrivals <= 0.0 {
            return Some(0.0);
        }
        if !self.stable() {
            return None;
        }
        Some(self.wait_probability() / self.drain_rate())
    }

    /// Share of tickets answered within `hours` (0 when the queue is not stable).
    pub fn answered_within(&self, hours: f64) -> f64 {
        if self.arrivals <= 0.0 {
            return 1.0;
        }
        if !self.stable() {
            return 0.0;
        }
        (1.0 - self.wait_probability() * (-self.drain_rate() * hours.max(0.0)).exp())
            .clamp(0.0, 1.0)
    }

    /// `cμ − λ`: how fast a queue drains, per hour.
    fn drain_rate(&self) -> f64 {
        f64::from(self.agents) * self.service - self.arrivals
    }

    /// The fewest agents whose queue meets `level` as judged by `met` (e.g. the share answered
    /// within a target); `None` if even `limit` agents do not.
    pub fn agents_needed(
        &self,
        level: f64,
        limit: u32,
        met: impl Fn(&Queue) -> f64,
    ) -> Option<u32> {
        if self.arrivals <= 0.0 {
            return Some(0);
        }
        // Fewer agents than the load is never stable.
        let least = (self.load().floor() as u32).saturating_add(1).max(1);
        (least..=limit).find(|&agents| met(&Queue { agents, ..*self }) >= level)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64, tolerance: f64) -> bool {
        (a - b).abs() <= tolerance
    }

    #[test]
    fn textbook_single_agent() {
        // λ = 10 an hour, 5 minutes handling (μ = 12), one agent: ρ = 0.833.
        let q = Queue {
            arrivals: 10.0,
            service: 12.0,
            agents: 1,
        };
        assert!(
            close(q.wait_probability(), 0.8333, 0.0005),
            "{}",
            q.wait_probability()
        );
        let wait_minutes = q.mean_wait_hours().unwrap() * 60.0;
        assert!(close(wait_minutes, 25.0, 0.01), "{wait_minutes}");
        // 1 − (5/6)·e^{−2} = 0.8872
        assert!(
            close(q.answered_within(1.0), 0.887, 0.0005),
            "{}",
            q.answered_within(1.0)
        );
    }

    #[test]
    fn textbook_call_centre() {
        // The classic example: 100 calls in 30 minutes (200 an hour), 3 minutes handling
        // (μ = 20), offered load 10 Erlangs. With 11 agents C ≈ 0.6821, with 14 ≈ 0.1741;
        // 80 % answered within 20 seconds needs 14 agents.
        let q = |agents| Queue {
            arrivals: 200.0,
            service: 20.0,
            agents,
        };
        assert!(
            close(q(11).wait_probability(), 0.6821, 0.0005),
            "{}",
            q(11).wait_probability()
        );
        assert!(
            close(q(14).wait_probability(), 0.1741, 0.0005),
            "{}",
            q(14).wait_probability()
        );
        let target = 20.0 / 3600.0;
        assert_eq!(
            q(1).agents_needed(0.8, 100, |q| q.answered_within(target)),
            Some(14)
        );
        assert!(q(14).answered_within(target) >= 0.8);
        assert!(q(13).answered_within(target) < 0.8);
    }

    #[test]
    fn overload_and_idle_hours() {
        let over = Queue {
            arrivals: 30.0,
            service: 12.0,
            agents: 2,
        };
        assert!(!over.stable());
        assert_eq!(over.wait_probability(), 1.0);
        assert_eq!(over.mean_wait_hours(), None);
        assert_eq!(over.answered_within(1.0), 0.0);
        let idle = Queue {
            arrivals: 0.0,
            service: 12.0,
            agents: 0,
        };
        assert!(idle.stable());
        assert_eq!(idle.wait_probability(), 0.0);
        assert_eq!(
            idle.agents_needed(0.8, 10, |q| q.answered_within(0.1)),
            Some(0)
        );
        let unstaffed = Queue { agents: 0, ..over };
        assert_eq!(unstaffed.wait_probability(), 1.0);
        assert_eq!(
            over.agents_needed(0.8, 50, |q| q.answered_within(0.25)),
            Some(3)
        );
    }
}
