//! H030 reactive path, H031 SLA targets for receivable priorities, H032 unreachable tiers,
//! H033 default, H034 high-risk rules, H035 required context.

use std::collections::{BTreeSet, HashMap};

use super::Ctx;
use crate::diag::registry::Code;
use crate::diag::{Diagnostic, Span};
use crate::policy::condition::{Cond, NumField};
use crate::policy::model::{Condition, Risk, RuleKind};
use crate::policy::{AI, Spanned};
use crate::text::normalize_label;

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
    // A reactive path is a rule that reads `requested_human`, or one the author declares
    // reactive (e.g. it listens for "talk to a person" in the text).
    let declared = ctx.policy.rules.iter().any(|r| {
        r.value
            .kind
            .as_ref()
            .is_some_and(|k| k.value == RuleKind::Reactive)
    });
    if declared || ctx.conditions.iter().flatten().any(reads_requested_human) {
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
            "no rule reads `requested_human` or is declared `kind: reactive`: a customer who asks for a person stays with the AI",
        )
        .help("add a reactive rule first: `{ id: asks-for-human, kind: reactive, when: { requested_human: true }, route: L1, continue: true }`"),
    );
}

/// What routes tickets to a tier, and which priorities (indices, most urgent first) they can
/// have there: `None` means any.
struct Source<'a> {
    /// Where to point: the rule's `priority` or `route`, `default`, or `escalate_after.to`.
    span: Span,
    what: SourceKind<'a>,
    priorities: Option<BTreeSet<usize>>,
}

enum SourceKind<'a> {
    /// A rule, with the priority it sets (normalised) if any.
    Rule {
        id: &'a str,
        priority: Option<&'a str>,
    },
    Default,
    Escalation {
        from: &'a str,
    },
}

impl Source<'_> {
    fn brings(&self, priority: usize) -> bool {
        self.priorities
            .as_ref()
            .is_none_or(|set| set.contains(&priority))
    }

    /// Why tickets of `priority` reach the tier, for the message.
    fn reason(&self, priority: &str) -> String {
        match &self.what {
            SourceKind::Rule { id, priority: None } => {
                format!("rule '{id}' routes tickets of any priority here")
            }
            SourceKind::Rule {
                id,
                priority: Some(set),
            } if *set == priority => format!("rule '{id}' sets it"),
            SourceKind::Rule {
                id,
                priority: Some(set),
            } => format!(
                "rule '{id}' sets priority {set}, and a `continue` rule can make it more urgent"
            ),
            SourceKind::Default => "`default` routes tickets of any priority here".to_string(),
            SourceKind::Escalation { from } => {
                format!("`escalate_after` from '{from}' hands over tickets of any priority")
            }
        }
    }

    /// The label at the source's span.
    fn label(&self) -> String {
        match &self.what {
            SourceKind::Rule {
                priority: Some(set),
                ..
            } => format!("sets priority {set}"),
            SourceKind::Rule { .. } => "routes tickets of any priority here".to_string(),
            SourceKind::Default => "`default` routes tickets of any priority here".to_string(),
            SourceKind::Escalation { from } => {
                format!("`escalate_after` from '{from}' hands over tickets of any priority")
            }
        }
    }
}

/// Per tier, what routes tickets to it: rules in order, then `default`, then time-based
/// escalation.
fn receivable<'a>(ctx: &'a Ctx<'a>) -> HashMap<&'a str, Vec<Source<'a>>> {
    let policy = ctx.policy;
    let mut map: HashMap<&str, Vec<Source>> = HashMap::new();
    let tier_key = |route: &str| -> Option<&'a str> {
        policy
            .tiers
            .keys()
            .find(|k| k.value == route)
            .map(|k| k.value.as_str())
    };
    for rule in &policy.rules {
        let rule = &rule.value;
        let Some(tier) = tier_key(&rule.route.value) else {
            continue;
        };
        let set = rule.priority.as_ref().and_then(|p| {
            let label = normalize_label(&p.value);
            let index = ctx.priorities.iter().position(|q| *q == label)?;
            Some((p.span, index))
        });
        let source = match set {
            // With `continue`, the decision takes the most urgent recorded priority, so a rule
            // that sets `high` can deliver `high` or anything more urgent.
            Some((span, index)) => Source {
                span,
                what: SourceKind::Rule {
                    id: &rule.id.value,
                    priority: Some(ctx.priorities[index].as_str()),
                },
                priorities: Some((0..=index).collect()),
            },
            None => Source {
                span: rule.route.span,
                what: SourceKind::Rule {
                    id: &rule.id.value,
                    priority: None,
                },
                priorities: None,
            },
        };
        map.entry(tier).or_default().push(source);
    }
    if let (Some(tier), Some(default)) = (tier_key(policy.default_route()), &policy.default) {
        map.entry(tier).or_default().push(Source {
            span: default.span,
            what: SourceKind::Default,
            priorities: None,
        });
    }
    for (from, tier) in policy.tiers.iter() {
        if let Some(escalate) = &tier.value.escalate_after {
            if let Some(to) = tier_key(&escalate.value.to.value) {
                map.entry(to).or_default().push(Source {
                    span: escalate.value.to.span,
                    what: SourceKind::Escalation { from: &from.value },
                    priorities: None,
                });
            }
        }
    }
    map
}

/// Related labels shown for one H031 finding at most.
const MAX_SOURCES_SHOWN: usize = 4;

fn sla_for_receivable_priorities(ctx: &Ctx, out: &mut Vec<Diagnostic>) {
    let receivable = receivable(ctx);
    for (name, tier) in ctx.policy.tiers.iter() {
        let Some(sources) = receivable.get(name.value.as_str()) else {
            continue;
        };
        let sla = &tier.value.sla;
        if sla.keys().any(|k| normalize_label(&k.value) == "default") {
            continue;
        }
        let missing: Vec<(usize, &str)> = ctx
            .priorities
            .iter()
            .enumerate()
            .filter(|(i, _)| sources.iter().any(|s| s.brings(*i)))
            .filter(|(_, p)| !sla.keys().any(|k| normalize_label(&k.value) == **p))
            .map(|(i, p)| (i, p.as_str()))
            .collect();
        let Some(&(first_index, first)) = missing.first() else {
            continue;
        };
        let names: Vec<&str> = missing.iter().map(|(_, p)| *p).collect();
        let (plural, them) = if missing.len() == 1 {
            ("priority", "it")
        } else {
            ("priorities", "them")
        };
        let why = sources
            .iter()
            .find(|s| s.brings(first_index))
            .map(|s| format!(" ({})", s.reason(first)))
            .unwrap_or_default();
        let mut d = Diagnostic::new(
            Code::H031,
            name.span,
            format!(
                "tier '{}' can receive {plural} {}{why} but has no SLA target for {them}",
                name.value,
                names.join(", "),
            ),
        )
        .label("missing SLA targets")
        .help(if sla.is_empty() {
            format!(
                "add `sla: {{ {first}: {{ first_response: ..., resolution: ... }} }}`, or a `default` entry"
            )
        } else {
            format!(
                "add `{first}: {{ first_response: ..., resolution: ... }}` under `sla`, or a `default` entry"
            )
        });
        let bringing = sources
            .iter()
            .filter(|s| missing.iter().any(|(i, _)| s.brings(*i)));
        for source in bringing.take(MAX_SOURCES_SHOWN) {
            d = d.related(source.span, source.label());
        }
        out.push(d);
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
            if let (true, Some(closed)) = (
                reached.contains(name.value.as_str()),
                &tier.value.when_closed,
            ) {
                reached.insert(&closed.value.route.value);
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
