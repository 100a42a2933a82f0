//! The capacity what-if in tables: per tier, Erlang C beside the simulation; per priority,
//! the share answered within target; and the hours of the week short of agents.

use std::io;

use super::Printer;
use crate::engine::report::capacity::{Capacity, QueueFigures, TierCapacity};
use crate::output::report::text::{human_duration, thousands};

/// Hours short of agents listed per tier (the JSON has all 168).
const SHORT_HOURS: usize = 10;

fn share(value: Option<f64>) -> String {
    value.map_or_else(|| "–".to_string(), |v| format!("{:.1}%", v * 100.0))
}

fn wait(figures: &QueueFigures) -> String {
    match (figures.mean_wait, figures.wait_probability) {
        (Some(seconds), _) => human_duration(seconds),
        (None, Some(_)) => "unbounded".to_string(),
        (None, None) => "–".to_string(),
    }
}

/// `erlang / simulated`.
fn pair(erlang: String, simulated: String) -> String {
    format!("{erlang} / {simulated}")
}

fn needed(t: &TierCapacity) -> String {
    t.agent_hours_needed_per_week
        .map_or_else(|| "over 10,000 agents".to_string(), thousands)
}

pub(super) fn print(p: &mut Printer, c: &Capacity) -> io::Result<()> {
    p.heading("Capacity (Erlang C / simulated)")?;
    p.line(&format!(
        "hours of the week in {}, arrivals averaged over {:.1} weeks; agents sized for {:.0}% answered within target",
        c.time_zone,
        c.weeks,
        c.service_level * 100.0
    ))?;
    let tiers = c.tiers_in_order();
    let rows = tiers
        .iter()
        .map(|(name, t)| {
            vec![
                name.to_string(),
                format!("{:.1}", t.tickets_per_week),
                human_duration(t.handling_time),
                thousands(t.agent_hours_per_week),
                needed(t),
                pair(
                    share(t.erlang_c.wait_probability),
                    share(t.simulated.wait_probability),
                ),
                pair(wait(&t.erlang_c), wait(&t.simulated)),
                pair(
                    share(t.erlang_c.within_target),
                    share(t.simulated.within_target),
                ),
                t.hours_short.to_string(),
            ]
        })
        .collect();
    p.table(
        &[
            "tier",
            "tickets/week",
            "handling",
            "agent-hours/week",
            "needed",
            "waits",
            "mean wait",
            "within target",
            "hours short",
        ],
        rows,
    )?;
    let rows = tiers
        .iter()
        .flat_map(|(name, t)| {
            c.priorities
                .iter()
                .filter_map(|priority| Some((priority, t.within_target_by_priority.get(priority)?)))
                .filter(|(_, target)| target.tickets > 0)
                .map(|(priority, target)| {
                    vec![
                        name.to_string(),
                        priority.clone(),
                        human_duration(target.target),
                        thousands(target.tickets),
                        pair(share(target.erlang_c), share(target.simulated)),
                    ]
                })
        })
        .collect::<Vec<_>>();
    if !rows.is_empty() {
        p.table(
            &[
                "tier",
                "priority",
                "first response",
                "tickets",
                "within target",
            ],
            rows,
        )?;
    }
    for (name, t) in &tiers {
        let mut short: Vec<_> = t
            .hours
            .iter()
            .filter(|h| h.agents_needed.is_none_or(|n| n > h.agents))
            .collect();
        if short.is_empty() {
            continue;
        }
        // The largest shortfall first; the week's order among equals.
        short
            .sort_by_key(|h| std::cmp::Reverse(h.agents_needed.map_or(u32::MAX, |n| n - h.agents)));
        let total = short.len();
        let rows = short
            .into_iter()
            .take(SHORT_HOURS)
            .map(|h| {
                vec![
                    h.hour.clone(),
                    format!("{:.2}", h.arrivals_per_hour),
                    h.agents.to_string(),
                    h.agents_needed
                        .map_or_else(|| "over 10,000".to_string(), |n| n.to_string()),
                    pair(
                        share(h.erlang_c.within_target),
                        share(h.simulated.within_target),
                    ),
                ]
            })
            .collect();
        p.line(&format!(
            "{name}: {total} hour{} of the week short of agents{}",
            if total == 1 { "" } else { "s" },
            if total > SHORT_HOURS {
                format!(" (the {SHORT_HOURS} shortest; `--format json` has every hour)")
            } else {
                String::new()
            }
        ))?;
        p.table(
            &["hour", "tickets/hour", "agents", "needed", "within target"],
            rows,
        )?;
    }
    if !c.tiers_not_staffed.is_empty() {
        p.line(&format!(
            "note: not in the staffing file: {}",
            c.tiers_not_staffed.join(", ")
        ))?;
    }
    if c.tickets_without_created_at > 0 {
        p.line(&format!(
            "note: {} escalated tickets without created_at left out",
            thousands(c.tickets_without_created_at)
        ))?;
    }
    p.line("simulated: first come, first served over the real arrival times, exponential handling times (fixed seed)")
}
