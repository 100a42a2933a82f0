//! A [`Report`] from the metrics of one set of tickets: each figure with its denominator, or
//! the columns it needs when the data lacks them.

use super::measure::{Measure, Missing, Rate};
use super::sections::*;
use crate::engine::eval::{CompiledPolicy, ReasonKind};
use crate::engine::metrics::Metrics;
use crate::engine::stats::{Count, Durations};
use crate::tickets::Layout;

/// Which columns a figure needs that the data lacks.
struct Columns<'a> {
    layout: &'a Layout,
}

impl Columns<'_> {
    fn has(&self, field: &str) -> bool {
        self.layout.has(field)
    }

    fn missing(&self, fields: &[&str]) -> Vec<String> {
        fields
            .iter()
            .filter(|f| !self.layout.has(f))
            .map(|f| f.to_string())
            .collect()
    }

    /// A clock starts at `created_at` or `escalated_at`.
    fn start_missing(&self) -> bool {
        !self.has("created_at") && !self.has("escalated_at")
    }
}

fn rate(numerator: u64, denominator: u64) -> Rate {
    Rate::of(Count::new(numerator, denominator))
}

fn not_available(columns: &[&str]) -> Rate {
    Measure::NotAvailable(Missing::of(columns))
}

fn spread(d: &Durations) -> Spread {
    let s = d.spread();
    Spread {
        n: s.n,
        median_seconds: s.median,
        p90_seconds: s.p90,
    }
}

impl Report {
    /// The report of `m`, with n/a for every figure whose columns `layout` lacks.
    pub fn new(policy: &CompiledPolicy, layout: &Layout, m: &Metrics) -> Report {
        let columns = Columns { layout };
        Report {
            tickets: m.tickets,
            escalation: escalation(policy, m),
            agreement: agreement(policy, &columns, m),
            routing: routing(&columns, m),
            first_response: first_response(&columns, m),
            resolution_time: Measure::unless_missing(
                columns.missing(&["created_at", "resolved_at"]),
                || ResolutionTimes {
                    escalated: spread(&m.resolution_escalated),
                    not_escalated: spread(&m.resolution_not_escalated),
                    negative_excluded: m.resolution_negative,
                },
            ),
            sla: sla(policy, &columns, m),
            context: context(policy, layout, m),
            coverage: coverage(policy, m),
            quality: super::quality::Quality::new(policy, layout, &m.quality),
            time_based_escalation: Measure::unless_missing(
                columns.missing(&["escalated_at", "first_human_response_at"]),
                || TimeBasedEscalation {
                    tickets: m.time_based_candidates,
                    escalated: rate(m.time_based_escalated, m.time_based_candidates),
                    hops: m
                        .hops
                        .iter()
                        .map(|(&(from, to), &count)| Hop {
                            from: policy.route_name(from).to_string(),
                            to: policy.route_name(to).to_string(),
                            count,
                        })
                        .collect(),
                },
            ),
            load: super::load::Load::build(policy, layout, &m.load),
        }
    }
}

fn escalation(policy: &CompiledPolicy, m: &Metrics) -> Escalation {
    let n = m.tickets;
    let escalated: u64 = m.by_route.iter().skip(1).sum();
    let mut by_rule: std::collections::BTreeMap<String, Rate> = policy
        .rules
        .iter()
        .zip(&m.by_rule)
        .map(|(rule, &count)| (rule.id.clone(), rate(count, n)))
        .collect();
    by_rule.insert("(default)".into(), rate(m.by_rule[policy.rules.len()], n));
    Escalation {
        rate: rate(escalated, n),
        by_tier: policy
            .routes
            .iter()
            .zip(&m.by_route)
            .map(|(route, &count)| (route.clone(), rate(count, n)))
            .collect(),
        by_rule,
        by_reason: [
            ReasonKind::Reactive,
            ReasonKind::Proactive,
            ReasonKind::Default,
        ]
        .iter()
        .map(|k| {
            let count = m.by_reason.get(k).copied().unwrap_or(0);
            (k.name(), rate(count, n))
        })
        .collect(),
    }
}

fn agreement(policy: &CompiledPolicy, columns: &Columns, m: &Metrics) -> AgreementSection {
    if !columns.has("resolved_tier") && !columns.has("escalated_at") {
        let missing = Missing::of(&["resolved_tier", "escalated_at"]);
        return AgreementSection {
            missed: Measure::NotAvailable(missing.clone()),
            unneeded: Measure::NotAvailable(missing.clone()),
            agreement: Measure::NotAvailable(missing),
        };
    }
    let mut history: Vec<String> = policy.routes.clone();
    history.push("human (tier unknown)".into());
    let cells = (0..policy.routes.len())
        .map(|row| {
            (0..history.len())
                .map(|col| {
                    let cell = m.confusion.get(&(row, col));
                    ConfusionCell {
                        count: cell.map_or(0, |c| c.count),
                        examples: cell.map(|c| c.examples.clone()).unwrap_or_default(),
                    }
                })
                .collect()
        })
        .collect();
    AgreementSection {
        missed: Rate::of(m.agreement.missed_escalation_rate()),
        unneeded: Rate::of(m.agreement.unneeded_escalation_rate()),
        agreement: Measure::Known(Agreement {
            tickets: m.history_known,
            unresolved_excluded: m.unresolved,
            history_escalated: m.agreement.history_escalated,
            confusion: Confusion {
                policy: policy.routes.clone(),
                history,
                cells,
            },
        }),
    }
}

fn routing(columns: &Columns, m: &Metrics) -> RoutingFit {
    let missing = columns.missing(&["resolved_tier"]);
    if !missing.is_empty() {
        let na = Measure::NotAvailable(Missing { needs: missing });
        return RoutingFit {
            right_tier: na.clone(),
            under_routed: na.clone(),
            over_routed: na.clone(),
            projected_fcr: na.clone(),
            historical_fcr: na,
        };
    }
    let (fit, known) = (&m.agreement, m.agreement.fit_known);
    RoutingFit {
        right_tier: rate(fit.right_tier, known),
        under_routed: rate(fit.under_routed, known),
        over_routed: rate(fit.over_routed, known),
        projected_fcr: Rate::of(fit.projected_fcr()),
        historical_fcr: match columns.missing(&["reassignments"]) {
            missing if missing.is_empty() => rate(m.no_reassignment, m.reassignments_known),
            missing => Measure::NotAvailable(Missing { needs: missing }),
        },
    }
}

fn first_response(columns: &Columns, m: &Metrics) -> FirstResponse {
    let start_missing = columns.start_missing();
    if start_missing || !columns.has("first_human_response_at") {
        let mut missing = columns.missing(&["first_human_response_at"]);
        if start_missing {
            missing.extend(["created_at".to_string(), "escalated_at".to_string()]);
        }
        let missing = Missing { needs: missing };
        return FirstResponse {
            time: Measure::NotAvailable(missing.clone()),
            opened_outside_hours: Measure::NotAvailable(missing),
        };
    }
    FirstResponse {
        time: Measure::Known(ResponseTimes {
            wall: spread(&m.first_response_wall),
            business: spread(&m.first_response_business),
            negative_excluded: m.first_response_negative,
        }),
        opened_outside_hours: rate(m.opened_outside_hours, m.first_response_wall.len()),
    }
}

fn sla(policy: &CompiledPolicy, columns: &Columns, m: &Metrics) -> Sla {
    // Each SLA figure uses only its own inputs: without `first_human_response_at` no first
    // response is judged (from `resolved_at` or otherwise), without `resolved_at` no resolution.
    let first_response_missing = !columns.has("first_human_response_at");
    let resolution_missing = !columns.has("resolved_at");
    let mut totals = [Count::default(), Count::default()];
    let mut by_tier_priority = Vec::new();
    for (&(rank, priority), tallies) in &m.sla {
        for (total, tally) in totals.iter_mut().zip(tallies) {
            total.numerator += tally.met;
            total.denominator += tally.met + tally.breached;
        }
        by_tier_priority.push(SlaCell {
            tier: policy.route_name(rank).to_string(),
            priority: policy.priorities.get(priority).cloned(),
            first_response_met: if first_response_missing {
                not_available(&["first_human_response_at"])
            } else {
                Rate::of(tallies[0].attainment())
            },
            resolution_met: if resolution_missing {
                not_available(&["resolved_at"])
            } else {
                Rate::of(tallies[1].attainment())
            },
            pending: tallies[0].pending + tallies[1].pending,
            negative_excluded: tallies[0].negative + tallies[1].negative,
        });
    }
    let total = |i: usize, field: &str| {
        if columns.start_missing() {
            not_available(&["created_at", "escalated_at"])
        } else if !columns.has(field) {
            not_available(&[field])
        } else {
            Rate::of(totals[i])
        }
    };
    Sla {
        first_response_met: total(0, "first_human_response_at"),
        resolution_met: total(1, "resolved_at"),
        by_tier_priority,
        skipped: m.sla_skipped,
        skipped_by_reason: m.sla_skipped_by_reason.clone(),
        worst_breaches: m
            .worst
            .iter()
            .map(|b| WorstBreach {
                id: b.id.clone(),
                tier: policy.route_name(b.rank).to_string(),
                priority: policy.priorities.get(b.priority).cloned(),
                target: b.target.name(),
                overshoot_seconds: b.overshoot,
                unanswered: b.unanswered,
            })
            .collect(),
    }
}

fn context(policy: &CompiledPolicy, layout: &Layout, m: &Metrics) -> Context {
    let missing: Vec<&str> = policy
        .context
        .iter()
        .filter(|(name, _)| !layout.has_extra(name))
        .map(|(name, _)| name.as_str())
        .collect();
    Context {
        complete: if policy.context.is_empty() {
            Measure::NotApplicable("the policy requires no context")
        } else if !missing.is_empty() {
            not_available(&missing)
        } else {
            rate(m.context_complete, m.context_checked)
        },
        missing_by_field: m.context_missing.clone(),
    }
}

fn coverage(policy: &CompiledPolicy, m: &Metrics) -> Coverage {
    // A rule that matched no ticket in the rule order either is true for none (it never
    // matches here) or is true for some that earlier rules decided first (never reached).
    let unmatched = |reached_elsewhere: bool| -> Vec<String> {
        policy
            .rules
            .iter()
            .enumerate()
            .filter(|(i, _)| {
                m.matched[*i] == 0
                    && m.true_somewhere.get(*i).copied().unwrap_or(false) == reached_elsewhere
            })
            .map(|(_, r)| r.id.clone())
            .collect()
    };
    Coverage {
        rules: policy
            .rules
            .iter()
            .enumerate()
            .map(|(i, rule)| RuleCoverage {
                rule: rule.id.clone(),
                deciding: m.by_rule[i],
                matched: m.matched[i],
            })
            .collect(),
        never_matched: unmatched(false),
        never_reached: unmatched(true),
    }
}
