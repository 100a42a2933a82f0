//! Time-based hand-offs (`escalate_after`) in the partials query ([`super::partials`]), as
//! replay's `Metrics::time_based` counts them: a ticket escalated to a tier with
//! `escalate_after` hops to the next tier when no human replied by the deadline (business
//! time from `escalated_at`, then from each deadline along the chain); an unanswered ticket
//! hops when the deadline lies before `--as-of`. A few steps per hop `i` (its deadline in join
//! form, [`super::business`], counted from the previous hop's), then `x_i`.

use super::business::Chain;
use crate::calendar::duration::PolicyDuration;
use crate::engine::eval::CompiledPolicy;

/// Add the hop steps to `chain`; the number of hops. Columns per hop `i`: `hf_i` (the tier it
/// leaves), `ht_i` (the tier it reaches), `hd_i` (its deadline), `hop_i` (1 hopped, 0 not, 9
/// the calendar table does not cover the deadline, NULL not reached), `hl_i` (the chain goes
/// on).
pub fn hops(policy: &CompiledPolicy, answered_known: bool, as_of: i64, chain: &mut Chain) -> usize {
    let with_delays: Vec<usize> = (1..policy.routes.len())
        .filter(|&rank| {
            policy
                .tier(rank)
                .is_some_and(|t| t.escalate_after.is_some())
        })
        .collect();
    if with_delays.is_empty() || !answered_known {
        return 0;
    }
    let steps = policy.tiers.len();
    let reply = "e_first_human_response_at";
    let mut to_arms = Vec::new();
    let mut due_arms = Vec::new();
    for &rank in &with_delays {
        let Some((delays, to)) = policy.tier(rank).and_then(|t| t.escalate_after.as_ref()) else {
            continue;
        };
        to_arms.push(format!("WHEN {rank} THEN {to}"));
        for (p, delay) in delays.iter().enumerate() {
            if let Some(delay) = delay {
                due_arms.push((rank * 1000 + p, *delay));
            }
        }
    }
    for i in 1..=steps {
        // Where the step starts: the ticket's tier and `escalated_at` for the first, the
        // previous step's target and deadline after.
        let (rank, clock, live) = if i == 1 {
            (
                "rk".to_string(),
                "e_escalated_at".to_string(),
                "rk > 0 AND e_escalated_at IS NOT NULL AND pi IS NOT NULL".to_string(),
            )
        } else {
            (
                format!("ht_{}", i - 1),
                format!("hd_{}", i - 1),
                format!("hl_{} = 1", i - 1),
            )
        };
        let budget = |pick: fn(&PolicyDuration) -> Option<u64>| -> Option<String> {
            let arms: Vec<String> = due_arms
                .iter()
                .filter_map(|(key, delay)| pick(delay).map(|n| format!("WHEN {key} THEN {n}")))
                .collect();
            (!arms.is_empty()).then(|| {
                format!(
                    "CASE WHEN {live} THEN CASE {rank} * 1000 + pi {} END END",
                    arms.join(" ")
                )
            })
        };
        let has: Vec<String> = due_arms
            .iter()
            .map(|(key, _)| format!("WHEN {key} THEN 1"))
            .collect();
        let delay_known = if has.is_empty() {
            "0".to_string()
        } else {
            format!("CASE {rank} * 1000 + pi {} ELSE 0 END", has.join(" "))
        };
        chain.step(
            &format!("x_{i}_from"),
            &[
                format!("{rank} AS hf_{i}"),
                format!("CASE {rank} {} END AS ht_{i}", to_arms.join(" ")),
                format!("CASE WHEN {live} THEN {delay_known} ELSE 0 END AS hk_{i}"),
            ],
            "",
        );
        let seconds = budget(|b| match b {
            PolicyDuration::Seconds(s) => Some(*s),
            PolicyDuration::BusinessDays(_) => None,
        });
        let days = budget(|b| match b {
            PolicyDuration::BusinessDays(n) => Some(u64::from(*n)),
            PolicyDuration::Seconds(_) => None,
        });
        let count = format!("h{i}c_cnt");
        if chain.calendar() {
            chain.count_at(&format!("h{i}c"), &clock);
        }
        chain.due(
            &format!("h{i}"),
            &clock,
            &count,
            seconds.as_deref(),
            if chain.calendar() {
                days.as_deref()
            } else {
                None
            },
            &format!("hd_{i}"),
        );
        chain.step(
            &format!("x_{i}"),
            &[
                format!("CASE WHEN hk_{i} = 0 THEN NULL WHEN hd_{i} IS NULL THEN 9 WHEN {reply} IS NOT NULL AND {reply} <= hd_{i} THEN 0 WHEN {reply} IS NOT NULL THEN 1 WHEN hd_{i} < {as_of} THEN 1 ELSE 0 END AS hop_{i}"),
                format!("CASE WHEN hk_{i} = 1 AND hd_{i} IS NOT NULL AND NOT ({reply} IS NOT NULL AND {reply} <= hd_{i}) THEN 1 ELSE 0 END AS hl_{i}"),
            ],
            "",
        );
    }
    steps
}
