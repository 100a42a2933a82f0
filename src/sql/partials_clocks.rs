//! The clocks of the partials query ([`super::partials`]): step `s` (which SLA targets a
//! ticket has) and the steps after it, in join form ([`super::business`]): the first response
//! and resolution dues from the clock's start, the time-based hand-offs
//! ([`super::partials_hops`]), and the business-time counts the durations and "opened outside
//! working hours" read.

use super::Dialect;
use super::business::Chain;
use super::dues::{Targets, budget_arms, days_of, seconds_of};
use crate::calendar::duration::PolicyDuration;
use crate::engine::agreement::Available;
use crate::engine::eval::CompiledPolicy;

/// What the clocks add to the query.
pub struct Clocks {
    /// The columns of step `s` (over `h`).
    pub s: Vec<String>,
    /// The steps after `s`: `due_fr`, `due_res`, the hops' columns, `cs_cnt`, `fh_cnt` and
    /// `op_in` (with a calendar).
    pub chain: Chain,
    /// The number of hop steps.
    pub hops: usize,
    /// Who is a candidate for a time-based hand-off.
    pub hop_candidate: String,
}

pub fn clocks(
    d: Dialect,
    has_calendar: bool,
    targets: &Targets,
    available: Available,
    compiled: &CompiledPolicy,
    as_of: i64,
) -> Clocks {
    let mut s = vec!["h.*".to_string()];
    let key = "rk * 1000 + pi";
    let has_targets: Vec<String> = targets
        .iter()
        .map(|(rank, p, _)| format!("WHEN {} THEN 1", rank * 1000 + p))
        .collect();
    s.push(if has_targets.is_empty() {
        "0 AS has_targets".into()
    } else {
        format!(
            "CASE {key} {} ELSE 0 END AS has_targets",
            has_targets.join(" ")
        )
    });
    // The clocks' dues, hand-off deadlines and business durations: join steps after `s`.
    let mut chain = Chain::new(d, has_calendar, "s");
    if has_calendar {
        chain.count_at("cs", "clock_start");
    }
    let budget = |t: usize, pick: fn(PolicyDuration) -> Option<i64>| -> Option<String> {
        budget_arms(targets, t, pick).map(|arms| {
            format!("CASE WHEN rk > 0 AND clock_start IS NOT NULL THEN CASE {key} {arms} END END")
        })
    };
    for (t, name) in [(0usize, "fr"), (1, "res")] {
        let any = targets.iter().any(|(_, _, pair)| pair[t].is_some());
        let stops = if t == 0 {
            available.first_human_response_at
        } else {
            available.resolved_at
        };
        if !any || !stops {
            s.push(format!(
                "CAST(NULL AS BIGINT) AS due_{name}, 0 AS on_{name}"
            ));
        } else {
            let on: Vec<String> = targets
                .iter()
                .filter(|(_, _, pair)| pair[t].is_some())
                .map(|(rank, p, _)| format!("WHEN {} THEN 1", rank * 1000 + p))
                .collect();
            s.push(format!(
                "CASE WHEN rk > 0 AND pi IS NOT NULL AND clock_start IS NOT NULL THEN CASE {key} {} ELSE 0 END ELSE 0 END AS on_{name}",
                on.join(" ")
            ));
            chain.due(
                name,
                "clock_start",
                "cs_cnt",
                budget(t, seconds_of).as_deref(),
                if has_calendar {
                    budget(t, days_of)
                } else {
                    None
                }
                .as_deref(),
                &format!("due_{name}"),
            );
        }
    }
    // Time-based hand-offs: a few steps per hop.
    let hops = super::partials_hops::hops(
        compiled,
        available.first_human_response_at,
        as_of,
        &mut chain,
    );
    if has_calendar {
        chain.count_at("fh", "e_first_human_response_at");
        chain.count_at("op", "COALESCE(e_created_at, clock_start)");
    }
    let candidates: Vec<String> = (1..compiled.routes.len())
        .filter(|&r| compiled.tier(r).is_some_and(|t| t.escalate_after.is_some()))
        .map(|r| r.to_string())
        .collect();
    let hop_candidate = if hops == 0 || candidates.is_empty() {
        "FALSE".to_string()
    } else {
        format!(
            "rk IN ({}) AND e_escalated_at IS NOT NULL AND pi IS NOT NULL",
            candidates.join(", ")
        )
    };

    Clocks {
        s,
        chain,
        hops,
        hop_candidate,
    }
}
