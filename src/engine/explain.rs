//! What `handoff explain` says about one ticket, as typed data: the rule-by-rule trace, the
//! decision with its SLA due times, and (when the data has history) what really happened:
//! timestamps, who resolved it, each SLA clock judged against the policy's targets in its
//! business calendar, and the agreement verdict. The text and JSON of `output::explain` are
//! views of it. Clocks are judged by [`super::sla`] and agreement by [`super::agreement`], as
//! replay judges them.

use jiff::Timestamp;
use serde::{Serialize, Serializer};

use super::agreement::{Agreement, Available, History, history};
use super::eval::{CompiledPolicy, Decision, Tri};
use super::sla::{Clock, Target, clock};
use super::trace::{ExtraFields, TraceNode, trace};
use crate::fields::{Field, Label};
use crate::policy::Policy;
use crate::policy::condition::compile;
use crate::tickets::Ticket;

/// The version of the JSON document; the shape only grows within it.
pub const VERSION: u32 = 1;

/// Everything `explain` says about one ticket.
#[derive(Debug, Clone, Serialize)]
pub struct Explanation {
    pub version: u32,
    /// The policy's name.
    pub policy: String,
    pub ticket: TicketFacts,
    pub rules: Vec<RuleStep>,
    pub decision: DecisionFacts,
    /// `None` when the data has no history column at all (JSON: `null`).
    pub history: Option<HistoryFacts>,
}

/// The ticket as the policy reads it.
#[derive(Debug, Clone, Serialize)]
pub struct TicketFacts {
    pub id: String,
    /// Line in the ticket file; `None` for a ticket given with `--ticket`.
    pub line: Option<u64>,
    /// How the ticket was found (e.g. its id on several lines).
    pub notes: Vec<String>,
    /// The fields that matter to the policy, in the order the text shows them.
    #[serde(serialize_with = "as_map")]
    pub fields: Vec<(&'static str, String)>,
    /// The text columns joined with ` | ` (`None` without text).
    pub text: Option<String>,
}

fn as_map<S: Serializer>(pairs: &[(&'static str, String)], s: S) -> Result<S::Ok, S::Error> {
    s.collect_map(pairs.iter().map(|(k, v)| (k, v)))
}

/// One condition of the trace.
#[derive(Debug, Clone, Serialize)]
pub struct TraceStep {
    pub test: String,
    /// The ticket's value as seen (empty for `all of`, `any of`, `not`).
    pub value: String,
    pub outcome: &'static str,
    pub children: Vec<TraceStep>,
}

impl TraceStep {
    fn of(node: &TraceNode) -> TraceStep {
        TraceStep {
            test: node.test.clone(),
            value: node.value.clone(),
            outcome: tri_name(node.outcome),
            children: node.children.iter().map(TraceStep::of).collect(),
        }
    }
}

fn tri_name(tri: Tri) -> &'static str {
    match tri {
        Tri::True => "true",
        Tri::False => "false",
        Tri::Unknown => "unknown",
    }
}

/// What one rule made of the ticket.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RuleVerdict {
    Decides,
    /// True after the deciding rule: the rule order never reached it.
    WouldAlsoMatch,
    /// True, with `continue`: its route and priority are recorded.
    Recorded,
    Matches,
    NoMatch,
    /// Not true because a value it reads is missing.
    Unknown,
}

/// One rule, in policy order.
#[derive(Debug, Clone, Serialize)]
pub struct RuleStep {
    /// 1-based position in the policy.
    pub position: usize,
    pub id: String,
    pub route: String,
    pub priority: Option<String>,
    #[serde(rename = "continue")]
    pub continues: bool,
    pub verdict: RuleVerdict,
    pub trace: TraceStep,
}

/// An SLA due time of the decision.
#[derive(Debug, Clone, Serialize)]
pub struct DueTime {
    /// `first_response` or `resolution`.
    pub target: &'static str,
    /// The business-time budget as the policy writes it (`None`: no target).
    pub budget: Option<String>,
    /// `None` without a clock start (`escalated_at`, else `created_at`) or past the calendar's
    /// reach.
    pub due: Option<String>,
}

/// The policy's decision.
#[derive(Debug, Clone, Serialize)]
pub struct DecisionFacts {
    pub route: String,
    /// The deciding rule; `None` for the default route.
    pub rule: Option<String>,
    pub matched_rules: Vec<String>,
    /// `reactive`, `proactive` or `default`.
    pub reason_kind: &'static str,
    pub priority: Option<String>,
    /// The tier the ticket was routed to first when that tier was closed and its
    /// `when_closed` sent the ticket on; `None` otherwise.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub closed_from: Option<String>,
    /// The tier's owner; `None` when the ticket stays with the AI.
    pub owner: Option<String>,
    /// The calendar's time zone, in which business time is counted.
    pub timezone: String,
    /// Empty when the ticket stays with the AI.
    pub sla: Vec<DueTime>,
    pub missing_context: Vec<String>,
}

/// Where one SLA clock of the decided tier stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SlaStatus {
    Met,
    /// Stopped after the due time, or still running past it at `--as-of`.
    Breached,
    /// Still running, not yet due at `--as-of`.
    Pending,
    /// Not judged (see `reason`).
    NotJudged,
}

/// One SLA clock of the decided tier, judged against what happened.
#[derive(Debug, Clone, Serialize)]
pub struct SlaOutcome {
    pub target: &'static str,
    pub status: SlaStatus,
    pub due: Option<String>,
    /// When the clock stopped (the first human response, or the resolution).
    pub stopped_at: Option<String>,
    /// Wall-clock seconds past the due time: when it stopped, or at `--as-of` for a clock
    /// still running.
    pub late_by_seconds: Option<i64>,
    /// Why the clock is not judged.
    pub reason: Option<String>,
}

/// What history says about the ticket.
#[derive(Debug, Clone, Serialize)]
pub struct HistoryFacts {
    pub created_at: Option<String>,
    pub escalated_at: Option<String>,
    pub first_human_response_at: Option<String>,
    pub resolved_at: Option<String>,
    /// `ai` or a tier: who finally resolved it.
    pub resolved_tier: Option<String>,
    pub reassignments: Option<u32>,
    pub reopened: Option<bool>,
    pub csat: Option<f64>,
    /// History columns the data lacks: their values above are absent, not empty.
    pub not_in_data: Vec<&'static str>,
    /// The instant clocks still running are judged at.
    pub as_of: Option<String>,
    /// The decided tier's clocks; empty when the policy keeps the ticket with the AI.
    pub sla: Vec<SlaOutcome>,
    /// As in the `--decisions` file: `agree`, `missed_escalation`, `unneeded_escalation`,
    /// `under_routed`, `over_routed`, `unresolved`; `None` when history is unknown.
    pub agreement: Option<&'static str>,
    /// The verdict in words.
    pub agreement_detail: String,
}

/// The history columns: their presence makes a history section.
const HISTORY: [Field; 7] = [
    Field::EscalatedAt,
    Field::FirstHumanResponseAt,
    Field::ResolvedAt,
    Field::ResolvedTier,
    Field::Reassignments,
    Field::Reopened,
    Field::Csat,
];

/// Explain `t`. `has` says whether the data has a canonical field's column (a given ticket:
/// whether the field was given); `as_of` judges clocks still running.
pub fn explain(
    policy: &Policy,
    compiled: &CompiledPolicy,
    t: &Ticket,
    notes: &[String],
    has: &dyn Fn(Field) -> bool,
    as_of: Option<Timestamp>,
) -> Explanation {
    let mut found = Vec::new();
    compiled.scan_keywords(t, &mut found);
    let mut decision = Decision::default();
    compiled.decide(t, &found, &mut decision);
    let history = HISTORY
        .iter()
        .any(|&f| has(f))
        .then(|| history_facts(compiled, t, &decision, has, as_of));
    Explanation {
        version: VERSION,
        policy: compiled.name.clone(),
        ticket: ticket_facts(t, notes),
        rules: rule_steps(policy, compiled, t, &decision),
        decision: decision_facts(compiled, t, &decision),
        history,
    }
}

fn shorten(text: &str, max: usize) -> String {
    let flat: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if flat.chars().count() <= max {
        flat
    } else {
        format!("{}…", flat.chars().take(max).collect::<String>())
    }
}

fn ticket_facts(t: &Ticket, notes: &[String]) -> TicketFacts {
    let mut fields = Vec::new();
    let mut push = |name: &'static str, value: Option<String>| {
        if let Some(value) = value {
            fields.push((name, value));
        }
    };
    push("confidence", t.confidence.map(|v| v.to_string()));
    push("sentiment", t.sentiment.map(|v| v.to_string()));
    for label in Label::ALL {
        push(label.name(), t.label(label).map(str::to_string));
    }
    push("requested_human", t.requested_human.map(|v| v.to_string()));
    push("created_at", t.created_at.map(|v| v.to_string()));
    push("escalated_at", t.escalated_at.map(|v| v.to_string()));
    let text: Vec<&str> = t
        .texts
        .iter()
        .map(String::as_str)
        .filter(|s| !s.is_empty())
        .collect();
    TicketFacts {
        id: t.id.clone(),
        line: (t.line > 0).then_some(t.line),
        notes: notes.to_vec(),
        fields,
        text: (!text.is_empty()).then(|| shorten(&text.join(" | "), 120)),
    }
}

fn rule_steps(
    policy: &Policy,
    compiled: &CompiledPolicy,
    t: &Ticket,
    decision: &Decision,
) -> Vec<RuleStep> {
    let fields = ExtraFields {
        extras: &compiled.needs.extras,
        calendar: &compiled.calendar,
    };
    let stop = decision
        .matched
        .last()
        .copied()
        .filter(|&i| !compiled.rules[i].continues);
    let mut steps = Vec::new();
    for (index, (rule, spanned)) in compiled.rules.iter().zip(&policy.rules).enumerate() {
        let Ok(cond) = compile(&spanned.value.when) else {
            continue;
        };
        let node = trace(&cond, t, &fields);
        let verdict = match (node.outcome, stop) {
            (Tri::True, _) if decision.rule == Some(index) => RuleVerdict::Decides,
            (Tri::True, Some(s)) if index > s => RuleVerdict::WouldAlsoMatch,
            (Tri::True, _) if rule.continues => RuleVerdict::Recorded,
            (Tri::True, _) => RuleVerdict::Matches,
            (Tri::False, _) => RuleVerdict::NoMatch,
            (Tri::Unknown, _) => RuleVerdict::Unknown,
        };
        steps.push(RuleStep {
            position: index + 1,
            id: rule.id.clone(),
            route: compiled.route_name(rule.rank).to_string(),
            priority: rule
                .priority
                .and_then(|p| compiled.priorities.get(p))
                .cloned(),
            continues: rule.continues,
            verdict,
            trace: TraceStep::of(&node),
        });
    }
    steps
}

fn decision_facts(compiled: &CompiledPolicy, t: &Ticket, decision: &Decision) -> DecisionFacts {
    let tier = compiled.tier(decision.rank);
    let targets = tier
        .zip(decision.priority)
        .map(|(tier, p)| tier.sla_for(p))
        .unwrap_or_default();
    let start = t.clock_start();
    let sla = match tier {
        None => Vec::new(),
        Some(_) => Target::ALL
            .iter()
            .map(|&target| {
                let budget = targets.get(target);
                DueTime {
                    target: target.name(),
                    budget: budget.map(|b| b.to_string()),
                    due: start
                        .zip(budget)
                        .and_then(|(s, b)| compiled.calendar.add(s, b))
                        .map(|due| due.to_string()),
                }
            })
            .collect(),
    };
    DecisionFacts {
        route: compiled.route_name(decision.rank).to_string(),
        rule: decision.rule.map(|i| compiled.rules[i].id.clone()),
        matched_rules: decision
            .matched
            .iter()
            .map(|&i| compiled.rules[i].id.clone())
            .collect(),
        reason_kind: match decision.rule {
            None => "default",
            Some(_) => decision.reason.map_or("proactive", |r| r.name()),
        },
        priority: decision
            .priority
            .and_then(|p| compiled.priorities.get(p))
            .cloned(),
        closed_from: decision
            .closed_from
            .map(|from| compiled.route_name(from).to_string()),
        owner: tier.map(|tier| tier.owner.clone()),
        timezone: compiled.calendar.timezone_name.clone(),
        sla,
        missing_context: match tier {
            Some(_) => compiled.missing_context(t).map(str::to_string).collect(),
            None => Vec::new(),
        },
    }
}

fn text(t: Option<Timestamp>) -> Option<String> {
    t.map(|t| t.to_string())
}

fn history_facts(
    compiled: &CompiledPolicy,
    t: &Ticket,
    decision: &Decision,
    has: &dyn Fn(Field) -> bool,
    as_of: Option<Timestamp>,
) -> HistoryFacts {
    let available = Available {
        resolved_tier: has(Field::ResolvedTier),
        escalated_at: has(Field::EscalatedAt),
        resolved_at: has(Field::ResolvedAt),
        first_human_response_at: has(Field::FirstHumanResponseAt),
    };
    let said = history(compiled, available, t);
    let (agreement, agreement_detail) = agreement_words(compiled, decision, said, t);
    HistoryFacts {
        created_at: text(t.created_at),
        escalated_at: text(t.escalated_at),
        first_human_response_at: text(t.first_human_response_at),
        resolved_at: text(t.resolved_at),
        resolved_tier: t.resolved_tier.clone(),
        reassignments: t.reassignments,
        reopened: t.reopened,
        csat: t.csat,
        not_in_data: std::iter::once(Field::CreatedAt)
            .chain(HISTORY)
            .filter(|&f| !has(f))
            .map(Field::name)
            .collect(),
        as_of: text(as_of),
        sla: sla_outcomes(compiled, t, decision, available, as_of),
        agreement,
        agreement_detail,
    }
}

/// The decided tier's clocks, judged as replay judges them: only for an escalated ticket with
/// a priority, a target and a clock start; each only when the data says when it stops.
fn sla_outcomes(
    compiled: &CompiledPolicy,
    t: &Ticket,
    decision: &Decision,
    available: Available,
    as_of: Option<Timestamp>,
) -> Vec<SlaOutcome> {
    let Some(tier) = compiled.tier(decision.rank) else {
        return Vec::new();
    };
    let targets = decision.priority.map(|p| tier.sla_for(p));
    let not_judged = |target: Target, reason: &str| SlaOutcome {
        target: target.name(),
        status: SlaStatus::NotJudged,
        due: None,
        stopped_at: None,
        late_by_seconds: None,
        reason: Some(reason.to_string()),
    };
    Target::ALL
        .iter()
        .map(|&target| {
            let Some(targets) = targets else {
                return not_judged(target, "no priority");
            };
            let Some(budget) = targets.get(target) else {
                return not_judged(target, "no SLA target for the tier and priority");
            };
            let needed = match target {
                Target::FirstResponse => available.first_human_response_at,
                Target::Resolution => available.resolved_at,
            };
            if !needed {
                let column = match target {
                    Target::FirstResponse => "first_human_response_at",
                    Target::Resolution => "resolved_at",
                };
                return not_judged(target, &format!("needs column {column}"));
            }
            let Some(start) = t.clock_start() else {
                return not_judged(target, "no clock start (created_at or escalated_at)");
            };
            let stopped = target.stopped_at(t);
            let due = compiled.calendar.add(start, budget);
            let (status, late, reason) = match clock(&compiled.calendar, start, budget, stopped) {
                Clock::Unreachable => (
                    SlaStatus::NotJudged,
                    None,
                    Some("due time past the calendar's reach"),
                ),
                Clock::StoppedBeforeStart => (
                    SlaStatus::NotJudged,
                    None,
                    Some("stopped before the clock started"),
                ),
                Clock::Met => (SlaStatus::Met, None, None),
                Clock::Breached { overshoot } => (SlaStatus::Breached, Some(overshoot), None),
                // As replay's settling: past due when the due time is before `--as-of`.
                Clock::Open { due } => match as_of {
                    Some(as_of) if due < as_of => (
                        SlaStatus::Breached,
                        Some(as_of.as_second() - due.as_second()),
                        None,
                    ),
                    _ => (SlaStatus::Pending, None, None),
                },
            };
            SlaOutcome {
                target: target.name(),
                status,
                due: text(due),
                stopped_at: text(stopped),
                late_by_seconds: late,
                reason: reason.map(str::to_string),
            }
        })
        .collect()
}

/// The agreement verdict of the `--decisions` file, and what it means for this ticket.
fn agreement_words(
    compiled: &CompiledPolicy,
    decision: &Decision,
    said: History,
    t: &Ticket,
) -> (Option<&'static str>, String) {
    let route = compiled.route_name(decision.rank);
    let (rank, escalated) = match said {
        History::Unknown => {
            return (
                None,
                "unknown: the data has neither resolved_tier nor escalated_at".to_string(),
            );
        }
        History::Unresolved => {
            return (
                Some("unresolved"),
                "not resolved in the data: left out of agreement, as in the report".to_string(),
            );
        }
        History::Known { rank, escalated } => (rank, escalated),
    };
    let agreement = Agreement::of(decision.rank, rank, escalated, t.reopened);
    let resolver = rank.map(|r| compiled.route_name(r).to_string());
    let by = resolver
        .as_deref()
        .map_or(String::new(), |r| format!(" (resolved by {r})"));
    let detail = match agreement {
        Agreement::BothKept => "neither the policy nor history escalated".to_string(),
        Agreement::MissedEscalation => {
            format!("history escalated{by}; the policy keeps the ticket with the AI")
        }
        Agreement::UnneededEscalation => {
            format!("the policy routes to {route}; the AI resolved it and it was not reopened")
        }
        Agreement::EscalatedReopened => {
            format!("the policy routes to {route}; the AI's resolution was reopened")
        }
        Agreement::BothEscalated { fit } => match (fit, resolver.as_deref()) {
            (Some(std::cmp::Ordering::Equal), Some(r)) => {
                format!("the policy routes to {r}, the tier that resolved it")
            }
            (Some(std::cmp::Ordering::Less), Some(r)) => {
                format!("the policy routes to {route}, below {r} that resolved it (a re-route)")
            }
            (Some(std::cmp::Ordering::Greater), Some(r)) => format!(
                "the policy routes to {route}, above {r} that resolved it (senior time spent)"
            ),
            _ => format!("both escalated; history names no resolving tier{by}"),
        },
    };
    (Some(agreement.verdict()), detail)
}
