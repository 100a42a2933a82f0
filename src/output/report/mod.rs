//! The replay report: built once as a JSON value (the documented, stable shape), then printed
//! as JSON, flattened to CSV, or laid out as tables (terminal or Markdown).

use serde_json::{Map, Value, json};

use crate::engine::eval::{CompiledPolicy, ReasonKind};
use crate::engine::metrics::Metrics;
use crate::engine::replay::{By, ReplayOutcome};
use crate::engine::stats::{Count, Durations};
use crate::tickets::Layout;

pub mod csv;
pub mod table;
pub mod text;

/// Report formats of `handoff replay`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ReportFormat {
    /// Tables for the terminal.
    Table,
    /// One JSON document (rates as fractions with numerator and denominator).
    Json,
    /// One long table: section,group,metric,value.
    Csv,
    /// Markdown tables to paste into a ticket or wiki.
    Markdown,
}

fn rate(count: Count) -> Value {
    json!({
        "value": count.fraction(),
        "numerator": count.numerator,
        "denominator": count.denominator,
        "small_sample": count.small_sample(),
    })
}

fn not_available(needs: &[&str]) -> Value {
    json!({ "value": null, "needs": needs })
}

fn spread(d: &Durations) -> Value {
    let s = d.spread();
    json!({ "n": s.n, "median_seconds": s.median, "p90_seconds": s.p90 })
}

/// Which columns a metric needs that the data lacks.
struct Needs<'a> {
    layout: &'a Layout,
}

impl Needs<'_> {
    fn missing(&self, fields: &[&'static str]) -> Vec<&'static str> {
        fields
            .iter()
            .copied()
            .filter(|f| !self.layout.has(f))
            .collect()
    }
    /// `None` when every field is there; else the missing ones.
    fn lacks(&self, fields: &[&'static str]) -> Option<Vec<&'static str>> {
        let missing = self.missing(fields);
        (!missing.is_empty()).then_some(missing)
    }
}

pub fn metrics_json(policy: &CompiledPolicy, layout: &Layout, m: &Metrics) -> Value {
    let needs = Needs { layout };
    let n = m.tickets;
    let escalated: u64 = m.by_route.iter().skip(1).sum();
    let mut out = Map::new();
    out.insert("tickets".into(), json!(n));
    out.insert("escalation_rate".into(), rate(Count::new(escalated, n)));
    out.insert(
        "escalation_by_tier".into(),
        policy
            .routes
            .iter()
            .zip(&m.by_route)
            .map(|(route, &count)| (route.clone(), rate(Count::new(count, n))))
            .collect::<Map<_, _>>()
            .into(),
    );
    let mut by_rule = Map::new();
    for (index, rule) in policy.rules.iter().enumerate() {
        by_rule.insert(rule.id.clone(), rate(Count::new(m.by_rule[index], n)));
    }
    by_rule.insert(
        "(default)".into(),
        rate(Count::new(m.by_rule[policy.rules.len()], n)),
    );
    out.insert("escalation_by_rule".into(), by_rule.into());
    out.insert(
        "escalation_by_reason".into(),
        [
            ReasonKind::Reactive,
            ReasonKind::Proactive,
            ReasonKind::Default,
        ]
        .iter()
        .map(|k| {
            (
                k.name().to_string(),
                rate(Count::new(m.by_reason.get(k).copied().unwrap_or(0), n)),
            )
        })
        .collect::<Map<_, _>>()
        .into(),
    );

    // Agreement with history.
    let history_missing = !layout.has("resolved_tier") && !layout.has("escalated_at");
    if history_missing {
        let na = not_available(&["resolved_tier", "escalated_at"]);
        for key in [
            "missed_escalation_rate",
            "unneeded_escalation_rate",
            "agreement",
        ] {
            out.insert(key.into(), na.clone());
        }
    } else {
        out.insert(
            "missed_escalation_rate".into(),
            rate(Count::new(m.missed, m.history_escalated)),
        );
        out.insert(
            "unneeded_escalation_rate".into(),
            rate(Count::new(m.unneeded, m.policy_escalated_known)),
        );
        let mut columns: Vec<String> = policy.routes.clone();
        columns.push("human (tier unknown)".into());
        let cells: Vec<Value> = (0..policy.routes.len())
            .map(|row| {
                (0..columns.len())
                    .map(|col| {
                        let cell = m.confusion.get(&(row, col));
                        json!({
                            "count": cell.map_or(0, |c| c.count),
                            "examples": cell.map(|c| c.examples.clone()).unwrap_or_default(),
                        })
                    })
                    .collect::<Vec<_>>()
                    .into()
            })
            .collect();
        out.insert(
            "agreement".into(),
            json!({
                "tickets": m.history_known,
                "unresolved_excluded": m.unresolved,
                "history_escalated": m.history_escalated,
                "confusion": { "policy": policy.routes, "history": columns, "cells": cells },
            }),
        );
    }

    // Routing fit and first-contact resolution.
    match needs.lacks(&["resolved_tier"]) {
        Some(missing) => {
            for key in [
                "right_tier_rate",
                "under_routed_rate",
                "over_routed_rate",
                "projected_fcr",
                "historical_fcr",
            ] {
                out.insert(key.into(), not_available(&missing));
            }
        }
        None => {
            let known = m.fit_known;
            out.insert(
                "right_tier_rate".into(),
                rate(Count::new(m.right_tier, known)),
            );
            out.insert(
                "under_routed_rate".into(),
                rate(Count::new(m.under_routed, known)),
            );
            out.insert(
                "over_routed_rate".into(),
                rate(Count::new(m.over_routed, known)),
            );
            out.insert(
                "projected_fcr".into(),
                rate(Count::new(m.right_tier + m.over_routed, known)),
            );
            out.insert(
                "historical_fcr".into(),
                match needs.lacks(&["reassignments"]) {
                    Some(missing) => not_available(&missing),
                    None => rate(Count::new(m.no_reassignment, m.reassignments_known)),
                },
            );
        }
    }

    // Time to first human response.
    let start_missing = !layout.has("created_at") && !layout.has("escalated_at");
    if start_missing || !layout.has("first_human_response_at") {
        let mut missing = needs.missing(&["first_human_response_at"]);
        if start_missing {
            missing.extend(["created_at", "escalated_at"]);
        }
        out.insert("first_response_time".into(), not_available(&missing));
        out.insert("opened_outside_hours".into(), not_available(&missing));
    } else {
        out.insert(
            "first_response_time".into(),
            json!({
                "wall": spread(&m.first_response_wall),
                "business": spread(&m.first_response_business),
                "negative_excluded": m.first_response_negative,
            }),
        );
        out.insert(
            "opened_outside_hours".into(),
            rate(Count::new(
                m.opened_outside_hours,
                m.first_response_wall.len(),
            )),
        );
    }
    match needs.lacks(&["created_at", "resolved_at"]) {
        Some(missing) => {
            out.insert("resolution_time".into(), not_available(&missing));
        }
        None => {
            out.insert(
                "resolution_time".into(),
                json!({
                    "escalated": spread(&m.resolution_escalated),
                    "not_escalated": spread(&m.resolution_not_escalated),
                    "negative_excluded": m.resolution_negative,
                }),
            );
        }
    }

    // SLA attainment.
    let sla_start_missing = !layout.has("created_at") && !layout.has("escalated_at");
    // Each SLA figure uses only its own inputs: without `first_human_response_at` no first
    // response is judged (from `resolved_at` or otherwise).
    let first_response_missing = !layout.has("first_human_response_at");
    let mut totals = [Count::default(), Count::default()];
    let mut cells = Vec::new();
    for (&(rank, priority), tallies) in &m.sla {
        for (i, tally) in tallies.iter().enumerate() {
            totals[i].numerator += tally.met;
            totals[i].denominator += tally.met + tally.breached;
        }
        cells.push(json!({
            "tier": policy.route_name(rank),
            "priority": policy.priorities.get(priority),
            "first_response_met": if first_response_missing {
                not_available(&["first_human_response_at"])
            } else {
                rate(tallies[0].attainment())
            },
            "resolution_met": rate(tallies[1].attainment()),
            "pending": tallies[0].pending + tallies[1].pending,
            "negative_excluded": tallies[0].negative + tallies[1].negative,
        }));
    }
    for (i, (key, field)) in [
        ("sla_first_response_met", "first_human_response_at"),
        ("sla_resolution_met", "resolved_at"),
    ]
    .into_iter()
    .enumerate()
    {
        let value = if sla_start_missing {
            not_available(&["created_at", "escalated_at"])
        } else if !layout.has(field) {
            not_available(&[field])
        } else {
            rate(totals[i])
        };
        out.insert(key.into(), value);
    }
    out.insert("sla_by_tier_priority".into(), cells.into());
    out.insert("sla_skipped".into(), json!(m.sla_skipped));
    out.insert(
        "sla_skipped_by_reason".into(),
        json!(m.sla_skipped_by_reason),
    );
    out.insert(
        "worst_breaches".into(),
        m.worst
            .iter()
            .map(|b| {
                json!({
                    "id": b.id,
                    "tier": policy.route_name(b.rank),
                    "priority": policy.priorities.get(b.priority),
                    "target": b.target.name(),
                    "overshoot_seconds": b.overshoot,
                    "unanswered": b.unanswered,
                })
            })
            .collect::<Vec<_>>()
            .into(),
    );

    // Context completeness.
    let context_missing: Vec<&str> = policy
        .context
        .iter()
        .filter(|(name, _)| !layout.has_extra(name))
        .map(|(name, _)| name.as_str())
        .collect();
    out.insert(
        "context_complete".into(),
        if policy.context.is_empty() {
            json!({ "value": null, "note": "the policy requires no context" })
        } else if !context_missing.is_empty() {
            not_available(&context_missing)
        } else {
            rate(Count::new(m.context_complete, m.context_checked))
        },
    );
    out.insert("context_missing_by_field".into(), json!(m.context_missing));

    // Rule coverage.
    out.insert(
        "rule_coverage".into(),
        policy
            .rules
            .iter()
            .enumerate()
            .map(|(i, rule)| json!({ "rule": rule.id, "deciding": m.by_rule[i], "matched": m.matched[i] }))
            .collect::<Vec<_>>()
            .into(),
    );
    // A rule that matched no ticket in the rule order either is true for none (it never
    // matches here) or is true for some that earlier rules decided first (never reached).
    let unmatched = |reached_elsewhere: bool| -> Value {
        policy
            .rules
            .iter()
            .enumerate()
            .filter(|(i, _)| {
                m.matched[*i] == 0
                    && m.true_somewhere.get(*i).copied().unwrap_or(false) == reached_elsewhere
            })
            .map(|(_, r)| r.id.clone())
            .collect::<Vec<_>>()
            .into()
    };
    out.insert("never_matched".into(), unmatched(false));
    out.insert("never_reached".into(), unmatched(true));

    // Time-based escalation.
    out.insert(
        "time_based_escalation".into(),
        match needs.lacks(&["escalated_at", "first_human_response_at"]) {
            Some(missing) => not_available(&missing),
            None => json!({
                "tickets": m.time_based_candidates,
                "escalated": rate(Count::new(m.time_based_escalated, m.time_based_candidates)),
                "hops": m.hops.iter().map(|(&(from, to), &count)| json!({
                    "from": policy.route_name(from), "to": policy.route_name(to), "count": count,
                })).collect::<Vec<_>>(),
            }),
        },
    );
    out.into()
}

/// The whole report.
pub fn report_json(
    policy: &CompiledPolicy,
    layout: &Layout,
    outcome: &ReplayOutcome,
    by: Option<By>,
    bad_values: &std::collections::BTreeMap<String, u64>,
    notes: &[String],
) -> Value {
    let mut affected = Vec::new();
    for rule in &policy.rules {
        let missing: Vec<&String> = rule
            .reads
            .iter()
            .filter(|f| {
                let canonical =
                    f.as_str() == "text" || crate::tickets::source::FIELDS.contains(&f.as_str());
                if canonical {
                    !layout.has(f)
                } else {
                    !layout.has_extra(f)
                }
            })
            .collect();
        if !missing.is_empty() {
            affected.push(json!({ "rule": rule.id, "missing": missing }));
        }
    }
    let mut report = json!({
        "version": 1,
        "policy": policy.name,
        "input": {
            "records": outcome.records,
            "decided": outcome.records - outcome.rejected,
            "rejected": outcome.rejected,
            "rejected_examples": outcome.reject_examples.iter().map(|e| json!({
                "line": e.line, "id": e.id, "reason": e.reason,
            })).collect::<Vec<_>>(),
            "bad_values_counted_as_empty": bad_values,
            "rules_reading_missing_fields": affected,
            "notes": notes,
            "as_of": outcome.as_of.map(|t| t.to_string()),
        },
        "report": metrics_json(policy, layout, &outcome.overall),
    });
    if let Some(by) = by {
        let groups: Map<String, Value> = outcome
            .groups
            .iter()
            .map(|(key, m)| {
                let label = outcome.group_labels.get(key).unwrap_or(key);
                (label.clone(), metrics_json(policy, layout, m))
            })
            .collect();
        report["by"] = json!({ "dimension": by.name(), "groups": groups });
    }
    report
}

/// Look a metric up by a `--fail-if` name: a top-level key of the report (`escalation_rate`)
/// or a dotted path (`escalation_by_tier.L2`).
pub fn lookup<'v>(metrics: &'v Value, path: &str) -> Option<&'v Value> {
    path.split('.').try_fold(metrics, |v, key| v.get(key))
}
