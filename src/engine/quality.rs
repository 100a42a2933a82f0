//! Containment and quality by path (issue 14): per route (the AI and each tier), how many
//! tickets the AI resolved alone and what customers said (`csat`), both for the route the
//! policy gives a ticket and for the route history took.
//!
//! A ticket is **contained** when history resolved it with the AI: known history, not
//! escalated (no `escalated_at`, `resolved_tier` `ai` or absent) and not reopened. The
//! containment rate is contained ÷ tickets whose history is known and resolved; the projected
//! containment rate counts only the contained tickets the policy also leaves with the AI (a
//! ticket it escalates is not contained, whatever the AI did in history).
//!
//! CSAT is summed in thousandths, so sums merge exactly whatever the thread count.

use super::agreement::History;
use super::eval::{CompiledPolicy, Decision};
use crate::tickets::Ticket;

/// Counts for the tickets of one route.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct RouteQuality {
    /// Tickets whose history is known and resolved.
    pub known: u64,
    /// Of those, resolved by the AI without escalation or reopen.
    pub contained: u64,
    /// Tickets with a CSAT score, and the sum of their scores in thousandths.
    pub csat_n: u64,
    pub csat_milli: i64,
}

impl RouteQuality {
    fn merge(&mut self, other: &RouteQuality) {
        self.known += other.known;
        self.contained += other.contained;
        self.csat_n += other.csat_n;
        self.csat_milli += other.csat_milli;
    }

    /// The mean CSAT, when some ticket has one.
    pub fn csat_mean(&self) -> Option<f64> {
        (self.csat_n > 0).then(|| self.csat_milli as f64 / 1000.0 / self.csat_n as f64)
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct PathQuality {
    /// Tickets whose history is known and resolved.
    pub known: u64,
    /// Contained in history.
    pub contained: u64,
    /// Contained in history and left with the AI by the policy.
    pub projected_contained: u64,
    /// By the policy's route (index 0 = `ai`).
    pub policy: Vec<RouteQuality>,
    /// By history's route; the last index is "human, tier unknown".
    pub history: Vec<RouteQuality>,
}

fn slot(list: &mut Vec<RouteQuality>, index: usize) -> &mut RouteQuality {
    if list.len() <= index {
        list.resize(index + 1, RouteQuality::default());
    }
    &mut list[index]
}

impl PathQuality {
    /// Count a decided ticket whose history reads `history` ([`super::agreement::history`]).
    pub fn record(&mut self, policy: &CompiledPolicy, history: History, t: &Ticket, d: &Decision) {
        let csat = t
            .csat
            .filter(|c| c.is_finite() && c.abs() < 1e12)
            .map(|c| (c * 1000.0).round() as i64);
        let known = match history {
            History::Known { rank, escalated } => {
                let route = match rank {
                    Some(rank) => rank,
                    None if escalated => policy.routes.len(),
                    None => 0,
                };
                Some((route, !escalated && t.reopened != Some(true)))
            }
            History::Unknown | History::Unresolved => None,
        };
        // Counted by adding 0 or 1 rather than by branching: which way a ticket goes is what
        // the data says, so a branch on it would be mispredicted often.
        let (csat_n, csat_milli) = (u64::from(csat.is_some()), csat.unwrap_or(0));
        let on_policy = slot(&mut self.policy, d.rank);
        on_policy.csat_n += csat_n;
        on_policy.csat_milli += csat_milli;
        let Some((route, contained)) = known else {
            return;
        };
        on_policy.known += 1;
        on_policy.contained += u64::from(contained);
        self.known += 1;
        self.contained += u64::from(contained);
        self.projected_contained += u64::from(contained && d.rank == 0);
        let on_history = slot(&mut self.history, route);
        on_history.known += 1;
        on_history.contained += u64::from(contained);
        on_history.csat_n += csat_n;
        on_history.csat_milli += csat_milli;
    }

    pub fn merge(&mut self, other: &PathQuality) {
        self.known += other.known;
        self.contained += other.contained;
        self.projected_contained += other.projected_contained;
        for (index, route) in other.policy.iter().enumerate() {
            slot(&mut self.policy, index).merge(route);
        }
        for (index, route) in other.history.iter().enumerate() {
            slot(&mut self.history, index).merge(route);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::agreement::{Available, history};
    use crate::policy::load::load_bytes;

    #[test]
    fn containment_and_csat_by_route() {
        let yaml = "version: 1\ntiers:\n  L1: {}\nrules:\n  - id: unsure\n    when: { confidence: { below: 0.5 } }\n    route: L1\n";
        let loaded = load_bytes("t.yaml".into(), yaml.as_bytes().to_vec()).unwrap();
        let policy = CompiledPolicy::new(&loaded.policy).unwrap();
        let available = Available {
            resolved_tier: true,
            resolved_at: true,
            escalated_at: true,
            first_human_response_at: false,
        };
        let ticket = |tier: Option<&str>, reopened, csat| Ticket {
            resolved_tier: tier.map(str::to_string),
            reopened,
            csat,
            ..Ticket::default()
        };
        let ai = Decision::default();
        let l1 = Decision {
            rank: 1,
            ..Decision::default()
        };
        let record = |q: &mut PathQuality, t: Ticket, d: &Decision| {
            q.record(&policy, history(&policy, available, &t), &t, d)
        };
        let mut q = PathQuality::default();
        // Kept by the policy, the AI resolved it: contained on both sides.
        record(&mut q, ticket(Some("ai"), Some(false), Some(5.0)), &ai);
        // Kept, but reopened: not contained.
        record(&mut q, ticket(Some("ai"), Some(true), Some(2.0)), &ai);
        // Escalated by the policy, the AI resolved it: contained in history only.
        record(&mut q, ticket(Some("ai"), None, None), &l1);
        // L1 resolved it.
        record(&mut q, ticket(Some("L1"), None, Some(4.5)), &l1);
        // Unresolved: only its CSAT counts, on the policy's side.
        record(&mut q, ticket(None, None, Some(1.0)), &l1);
        assert_eq!((q.known, q.contained, q.projected_contained), (4, 2, 1));
        assert_eq!(
            q.policy[0],
            RouteQuality {
                known: 2,
                contained: 1,
                csat_n: 2,
                csat_milli: 7000
            }
        );
        assert_eq!(q.policy[1].known, 2);
        assert_eq!(q.policy[1].csat_mean(), Some(2.75));
        assert_eq!(q.history[0].known, 3);
        assert_eq!(q.history[0].contained, 2);
        assert_eq!(q.history[1].csat_mean(), Some(4.5));
        let mut merged = PathQuality::default();
        merged.merge(&q);
        merged.merge(&q);
        assert_eq!(merged.history[0].csat_milli, 14_000);
        assert_eq!(merged.projected_contained, 2);
    }
}
