//! After hours: a tier's `when_closed` route for tickets that arrive while the tier is closed
//! (on its own calendar, else the policy's). Applied after the rules decide, so every verb that
//! decides (replay, diff, sweep, explain, test) honours it. A chain of closed tiers is followed
//! (L2 closed → L1 closed → ai), at most once per tier, so a cycle ends.

use jiff::Timestamp;

use super::eval::{CompiledPolicy, Decision};
use crate::tickets::Ticket;

impl CompiledPolicy {
    /// Whether the tier of `rank` (1 = the first tier) is open at `at`.
    pub fn tier_open(&self, rank: usize, at: Timestamp) -> bool {
        let info = rank.checked_sub(1).and_then(|i| self.tiers.get(i));
        info.and_then(|i| i.calendar.as_ref())
            .unwrap_or(&self.calendar)
            .is_open(at)
    }

    /// Send the ticket on from a closed tier that has `when_closed`.
    pub(super) fn divert_when_closed(&self, t: &Ticket, decision: &mut Decision) {
        decision.closed_from = None;
        let Some(at) = t.created_at else {
            return;
        };
        let mut rank = decision.rank;
        for _ in 0..self.tiers.len() {
            let Some(next) = rank
                .checked_sub(1)
                .and_then(|i| self.tiers.get(i))
                .and_then(|info| info.when_closed)
            else {
                break;
            };
            if self.tier_open(rank, at) {
                break;
            }
            decision.closed_from.get_or_insert(decision.rank);
            rank = next;
        }
        decision.rank = rank;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::load::load_bytes;

    fn policy(tiers: &str) -> CompiledPolicy {
        let yaml = format!(
            "version: 1\ncalendar: {{ timezone: UTC, hours: {{ mon-fri: \"09:00-17:00\" }} }}\ntiers:\n{tiers}rules:\n  - id: all\n    when: {{ confidence: {{ below: 2 }} }}\n    route: L2\n"
        );
        let loaded = load_bytes("t.yaml".into(), yaml.into_bytes()).unwrap();
        CompiledPolicy::new(&loaded.policy).unwrap()
    }

    fn decide(policy: &CompiledPolicy, created_at: &str) -> Decision {
        let t = Ticket {
            confidence: Some(0.5),
            created_at: created_at.parse().ok(),
            ..Ticket::default()
        };
        let mut found = Vec::new();
        policy.scan_keywords(&t, &mut found);
        let mut d = Decision::default();
        policy.decide(&t, &found, &mut d);
        d
    }

    #[test]
    fn closed_tiers_hand_over_along_the_chain() {
        // L2 keeps office hours with a fallback to L1, open 24/7 on its own calendar.
        let p = policy(
            "  L1:\n    calendar: { timezone: UTC, hours: { mon-sun: \"00:00-24:00\" } }\n    when_closed: { route: ai }\n  L2:\n    when_closed: { route: L1 }\n",
        );
        let monday_day = decide(&p, "2026-03-02T10:00:00Z");
        assert_eq!((monday_day.rank, monday_day.closed_from), (2, None));
        let monday_night = decide(&p, "2026-03-02T22:00:00Z");
        assert_eq!((monday_night.rank, monday_night.closed_from), (1, Some(2)));
        // No created_at: no diversion.
        assert_eq!(decide(&p, "").rank, 2);
        // Both on the policy's calendar: the chain ends with the AI.
        let p = policy(
            "  L1:\n    when_closed: { route: ai }\n  L2:\n    when_closed: { route: L1 }\n",
        );
        let night = decide(&p, "2026-03-02T22:00:00Z");
        assert_eq!((night.rank, night.closed_from), (0, Some(2)));
        // A cycle ends (at some closed tier) instead of looping.
        let p = policy(
            "  L1:\n    when_closed: { route: L2 }\n  L2:\n    when_closed: { route: L1 }\n",
        );
        assert!(decide(&p, "2026-03-07T12:00:00Z").rank > 0);
    }
}
