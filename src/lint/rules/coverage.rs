//! H030 reactive path, H031 SLA targets for receivable priorities, H032 unreachable tiers,
//! H033 default, H034 high-risk rules, H035 required context.

use std::collections::{BTreeSet, HashMap};

use super::Ctx;
use crate::diag::{Diagnostic, Span};
use crate::lint::registry::Code;
use crate::policy::condition::{Cond, NumField, normalize_label};
use crate::policy::model::{Condition, Risk};
use crate::policy::{AI, Spanned};

pub fn check(ctx: &Ctx, out: &mut Vec<Diagnostic>) {
    reactive_path(ctx, out);
    sla_for_receivable_priorities(ctx, out);
    unreachable_tiers(ctx, out);
    if ctx.policy.default.is_none() {
        out.push(
            Diagnostic::new(Code::H033, Span::UNKNOWN, "no `default` route is declared")
                .help("add `default: ai` (or a tier) so tickets that match no rule have a written-down route"),
        );
    }
    risky_rules(ctx, out);
    match &ctx.policy.context {
        None => out.push(
            Diagnostic::new(Code::H035, Span::UNKNOWN, "no `context.required`: handoffs would carry no context")
                .help("add `context: { required: [conversation, customer_record, ai_summary] }`"),
        ),
        Some(context) if context.value.required.is_empty() => out.push(
            Diagnostic::new(Code::H035, context.span, "`context.required` is empty: handoffs would carry no context")
                .help("list what every handoff must carry, e.g. [conversation, customer_record, ai_summary]"),
        ),
        Some(_) => {}
    }
}

fn reads_requested_human(cond: &Cond) -> bool {
    let mut found = false;
    cond.leaves(&mut |leaf| found |= matches!(leaf, Cond::RequestedHuman(_)));
    found
}

fn reactive_path(ctx: &Ctx, out: &mut Vec<Diagnostic>) {
    if ctx.conditions.iter().flatten().any(reads_requested_human) {
        return;
    }
    let span = ctx
        .policy
        .rules
        .first()
        .map_or(Span::UNKNOWN, |r| r.value.id.span);
    out.push(
        Diagnostic::new(
            Code::H030,
            span,
            "no rule reads `requested_human`: a customer who asks for a person stays with the AI",
        )
        .help("add a reactive rule first: `{ id: asks-for-human, kind: reactive, when: { requested_human: true }, route: L1, continue: true }`"),
    );
}

/// Priorities each tier can receive, most urgent first. `None` means every priority.
fn receivable<'a>(ctx: &Ctx<'a>) -> HashMap<&'a str, Option<BTreeSet<usize>>> {
    let mut map: HashMap<&str, Option<BTreeSet<usize>>> = HashMap::new();
    let all = |map: &mut HashMap<&'a str, Option<BTreeSet<usize>>>, tier: &str| {
        if let Some(tier) = ctx.policy.tiers.keys().find(|k| k.value == tier) {
            map.insert(tier.value.as_str(), None);
        }
    };
    all(&mut map, ctx.policy.default_route());
    for (_, tier) in ctx.policy.tiers.iter() {
        if let Some(escalate) = &tier.value.escalate_after {
            all(&mut map, &escalate.value.to.value);
        }
    }
    for rule in &ctx.policy.rules {
        let rule = &rule.value;
        let Some(tier) = ctx
            .policy
            .tiers
            .keys()
            .find(|k| k.value == rule.route.value)
        else {
            continue;
        };
        let index = rule.priority.as_ref().and_then(|p| {
            ctx.priorities
                .iter()
                .position(|q| *q == normalize_label(&p.value))
        });
        match index {
            // With `continue`, the decision takes the most urgent recorded priority, so a rule
            // that sets `high` can deliver `high` or anything more urgent.
            Some(index) => {
                if let Some(Some(set)) = map.get_mut(tier.value.as_str()) {
                    set.extend(0..=index);
                } else if !map.contains_key(tier.value.as_str()) {
                    map.insert(tier.value.as_str(), Some((0..=index).collect()));
                }
            }
            None => {
                map.insert(tier.value.as_str(), None);
            }
        }
    }
    map
}

fn sla_for_receivable_priorities(ctx: &Ctx, out: &mut Vec<Diagnostic>) {
    let receivable = receivable(ctx);
    for (name, tier) in ctx.policy.tiers.iter() {
        let Some(priorities) = receivable.get(name.value.as_str()) else {
            continue;
        };
        let sla = &tier.value.sla;
        if sla.keys().any(|k| normalize_label(&k.value) == "default") {
            continue;
        }
        let missing: Vec<&str> = ctx
            .priorities
            .iter()
            .enumerate()
            .filter(|(i, _)| priorities.as_ref().is_none_or(|set| set.contains(i)))
            .filter(|(_, p)| !sla.keys().any(|k| normalize_label(&k.value) == **p))
            .map(|(_, p)| p.as_str())
            .collect();
        if missing.is_empty() {
            continue;
        }
        let plural = if missing.len() == 1 {
            "priority"
        } else {
            "priorities"
        };
        out.push(
            Diagnostic::new(
                Code::H031,
                name.span,
                format!(
                    "tier '{}' can receive {plural} {} but has no SLA target for {}",
                    name.value,
                    missing.join(", "),
                    if missing.len() == 1 { "it" } else { "them" }
                ),
            )
            .label("missing SLA targets")
            .help(if sla.is_empty() {
                format!(
                    "add `sla: {{ {}: {{ first_response: ..., resolution: ... }} }}`, or a `default` entry",
                    missing[0]
                )
            } else {
                format!(
                    "add `{}: {{ first_response: ..., resolution: ... }}` under `sla`, or a `default` entry",
                    missing[0]
                )
            }),
        );
    }
}

fn unreachable_tiers(ctx: &Ctx, out: &mut Vec<Diagnostic>) {
    let policy = ctx.policy;
    // Tiers that receive tickets directly, then those their `escalate_after` hands over to,
    // until nothing changes: a tier reached only from an unreachable tier is unreachable too.
    let mut reached: BTreeSet<&str> = policy
        .rules
        .iter()
        .map(|r| r.value.route.value.as_str())
        .collect();
    reached.insert(policy.default_route());
    loop {
        let before = reached.len();
        for (name, tier) in policy.tiers.iter() {
            if let (true, Some(escalate)) = (
                reached.contains(name.value.as_str()),
                &tier.value.escalate_after,
            ) {
                reached.insert(&escalate.value.to.value);
            }
        }
        if reached.len() == before {
            break;
        }
    }
    for name in policy.tiers.keys() {
        if !reached.contains(name.value.as_str()) {
            out.push(
                Diagnostic::new(
                    Code::H032,
                    name.span,
                    format!(
                        "no rule, `default` or `escalate_after` routes to tier '{}'",
                        name.value
                    ),
                )
                .label("never receives a ticket")
                .help("add a rule that routes here, or remove the tier"),
            );
        }
    }
}

/// The loosest `confidence below` threshold of a condition (outside any `not`), with its span.
fn confidence_below(cond: &Spanned<Condition>, best: &mut Option<Spanned<f64>>) {
    let c = &cond.value;
    for sub in c.all.iter().chain(c.any.iter()).flatten() {
        confidence_below(sub, best);
    }
    if let Some(below) = c.confidence.as_ref().and_then(|t| t.value.below.as_ref()) {
        if best.as_ref().is_none_or(|b| below.value > b.value) {
            *best = Some(below.clone());
        }
    }
}

fn risky_rules(ctx: &Ctx, out: &mut Vec<Diagnostic>) {
    let rules = &ctx.policy.rules;
    let is_high = |i: usize| {
        rules[i]
            .value
            .risk
            .as_ref()
            .is_some_and(|r| r.value == Risk::High)
    };
    let thresholds: Vec<Option<Spanned<f64>>> = rules
        .iter()
        .enumerate()
        .map(|(i, r)| {
            // Only rules that really compile to a confidence test count.
            let mut reads = false;
            if let Some(Some(cond)) = ctx.conditions.get(i) {
                cond.leaves(&mut |leaf| {
                    reads |= matches!(
                        leaf,
                        Cond::Number {
                            field: NumField::Confidence,
                            below: Some(_),
                            ..
                        }
                    )
                });
            }
            let mut best = None;
            if reads {
                confidence_below(&r.value.when, &mut best);
            }
            best
        })
        .collect();
    let lowest_tier = ctx.policy.tiers.keys().next().map(|k| k.value.as_str());
    for (i, rule) in rules.iter().enumerate() {
        if !is_high(i) {
            continue;
        }
        let rule = &rule.value;
        if let Some(mine) = &thresholds[i] {
            let looser = (0..rules.len())
                .filter(|&j| !is_high(j))
                .filter_map(|j| thresholds[j].as_ref().map(|t| (j, t)))
                .filter(|(_, t)| t.value > mine.value)
                .max_by(|a, b| a.1.value.total_cmp(&b.1.value));
            if let Some((j, other)) = looser {
                out.push(
                    Diagnostic::new(
                        Code::H034,
                        mine.span,
                        format!(
                            "high-risk rule '{}' escalates only below confidence {}, less readily than routine rule '{}' (below {})",
                            rule.id.value, mine.value, rules[j].value.id.value, other.value
                        ),
                    )
                    .label("looser than a routine rule")
                    .related(other.span, "routine threshold")
                    .help(format!("raise the threshold to at least {}", other.value)),
                );
            }
        }
        if rule.route.value != AI && Some(rule.route.value.as_str()) == lowest_tier {
            out.push(
                Diagnostic::new(
                    Code::H034,
                    rule.route.span,
                    format!(
                        "high-risk rule '{}' routes to the lowest tier '{}'",
                        rule.id.value, rule.route.value
                    ),
                )
                .label("lowest tier")
                .help("route high-risk work to a senior tier, or drop `risk: high`"),
            );
        }
    }
}
