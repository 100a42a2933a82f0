//! Time-based hand-offs (`escalate_after`) in the partials query ([`super::partials`]), as
//! replay's `Metrics::time_based` counts them: a ticket escalated to a tier with
//! `escalate_after` hops to the next tier when no human replied by the deadline (business
//! time from `escalated_at`, then from each deadline along the chain); an unanswered ticket
//! hops when the deadline lies before `--as-of`. One step per CTE (`x_1`, `x_2`, …), each
//! deadline counted from the previous column, so no due expression nests another.

use crate::calendar::duration::PolicyDuration;
use crate::engine::eval::CompiledPolicy;

/// The hop steps: CTE definitions (`x_1 AS (…), …`) reading `from` and the name of the last
/// one, plus the number of steps. Columns per step `i`: `hf_i` (the tier it leaves), `ht_i`
/// (the tier it reaches), `hd_i` (its deadline), `hop_i` (1 hopped, 0 not, 9 the calendar
/// table does not cover the deadline, NULL not reached), `hl_i` (the chain goes on).
pub struct Hops {
    pub ctes: String,
    pub last: String,
    pub steps: usize,
}

pub fn hops(
    policy: &CompiledPolicy,
    answered_known: bool,
    as_of: i64,
    from: &str,
    due: &dyn Fn(&str, PolicyDuration) -> String,
) -> Hops {
    let with_delays: Vec<usize> = (1..policy.routes.len())
        .filter(|&rank| {
            policy
                .tier(rank)
                .is_some_and(|t| t.escalate_after.is_some())
        })
        .collect();
    if with_delays.is_empty() || !answered_known {
        return Hops {
            ctes: String::new(),
            last: from.to_string(),
            steps: 0,
        };
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
    let mut ctes = Vec::new();
    let mut prev = from.to_string();
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
        let arms: Vec<String> = due_arms
            .iter()
            .map(|(key, delay)| format!("WHEN {key} THEN {}", due(&clock, *delay)))
            .collect();
        let has: Vec<String> = due_arms
            .iter()
            .map(|(key, _)| format!("WHEN {key} THEN 1"))
            .collect();
        let deadline = if arms.is_empty() {
            "CAST(NULL AS BIGINT)".to_string()
        } else {
            format!(
                "CASE WHEN {live} THEN CASE {rank} * 1000 + pi {} END END",
                arms.join(" ")
            )
        };
        let delay_known = if has.is_empty() {
            "0".to_string()
        } else {
            format!("CASE {rank} * 1000 + pi {} ELSE 0 END", has.join(" "))
        };
        let step = format!(
            "x_{i} AS MATERIALIZED (\n  SELECT y.*, CASE WHEN hk_{i} = 0 THEN NULL WHEN hd_{i} IS NULL THEN 9 WHEN {reply} IS NOT NULL AND {reply} <= hd_{i} THEN 0 WHEN {reply} IS NOT NULL THEN 1 WHEN hd_{i} < {as_of} THEN 1 ELSE 0 END AS hop_{i}, CASE WHEN hk_{i} = 1 AND hd_{i} IS NOT NULL AND NOT ({reply} IS NOT NULL AND {reply} <= hd_{i}) THEN 1 ELSE 0 END AS hl_{i}\n  FROM (SELECT {prev}.*, {rank} AS hf_{i}, CASE {rank} {to} END AS ht_{i}, CASE WHEN {live} THEN {delay_known} ELSE 0 END AS hk_{i}, {deadline} AS hd_{i} FROM {prev}) y\n)",
            to = to_arms.join(" "),
        );
        ctes.push(step);
        prev = format!("x_{i}");
    }
    Hops {
        ctes: ctes.join(",\n") + ",\n",
        last: prev,
        steps,
    }
}
