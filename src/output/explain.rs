//! The views of `handoff explain` ([`crate::engine::explain::Explanation`]): text (a ticket,
//! every rule's trace, the decision, SLA due times, missing context, and what really happened
//! when the data has history) and JSON.

use crate::engine::eval::CompiledPolicy;
use crate::engine::explain::{
    Explanation, HistoryFacts, RuleVerdict, SlaStatus, TraceStep, explain as explanation,
};
use crate::fields::Field;
use crate::output::report::text::human_duration;
use crate::policy::Policy;
use crate::tickets::Ticket;

/// `explain --format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ExplainFormat {
    /// The trace and history as text.
    Text,
    /// One JSON document: ticket, rules (with their traces), decision and history.
    Json,
}

/// The trace alone (no history), as a failing policy test shows it.
pub fn explain(policy: &Policy, compiled: &CompiledPolicy, t: &Ticket) -> String {
    let no_history = |_: Field| false;
    text(&explanation(policy, compiled, t, &[], &no_history, None))
}

/// The JSON document: keys in name order at every level, no final newline.
pub fn json(explained: &Explanation) -> serde_json::Result<String> {
    crate::engine::report::to_json(explained)
}

/// A trace as indented lines: `test — value → outcome` for a test, `all of → outcome` for a
/// node, its children indented below it.
fn render(step: &TraceStep, indent: usize, out: &mut String) {
    let pad = " ".repeat(indent);
    if step.value.is_empty() {
        out.push_str(&format!("{pad}{} → {}\n", step.test, step.outcome));
    } else {
        out.push_str(&format!(
            "{pad}{} — {} → {}\n",
            step.test, step.value, step.outcome
        ));
    }
    for child in &step.children {
        render(child, indent + 2, out);
    }
}

fn verdict_text(verdict: RuleVerdict) -> &'static str {
    match verdict {
        RuleVerdict::Decides => "matches, decides",
        RuleVerdict::WouldAlsoMatch => "would also match (after the deciding rule)",
        RuleVerdict::Recorded => "matches, recorded (continue)",
        RuleVerdict::Matches => "matches",
        RuleVerdict::NoMatch => "does not match",
        RuleVerdict::Unknown => "does not match (unknown: a value is missing)",
    }
}

/// `first_response` as people read it.
fn target_words(target: &str) -> &'static str {
    match target {
        "first_response" => "first response",
        _ => "resolution",
    }
}

/// The text view.
pub fn text(e: &Explanation) -> String {
    let ticket = &e.ticket;
    let mut out = format!("ticket {}", ticket.id);
    if let Some(line) = ticket.line {
        out.push_str(&format!(" (line {line})"));
    }
    out.push('\n');
    for note in &ticket.notes {
        out.push_str(&format!("  note: {note}\n"));
    }
    let fields: Vec<String> = ticket
        .fields
        .iter()
        .map(|(name, value)| format!("{name} {value}"))
        .collect();
    if fields.is_empty() {
        out.push_str("  no fields the policy reads\n");
    } else {
        out.push_str(&format!("  {}\n", fields.join(" · ")));
    }
    if let Some(text) = &ticket.text {
        out.push_str(&format!("  text: \"{text}\"\n"));
    }
    out.push_str("\nrules, in order:\n");
    for rule in &e.rules {
        let mut head = format!("{}. {} → {}", rule.position, rule.id, rule.route);
        if let Some(p) = &rule.priority {
            head.push_str(&format!(", priority {p}"));
        }
        if rule.continues {
            head.push_str(" (continue)");
        }
        out.push_str(&format!("  {head}: {}\n", verdict_text(rule.verdict)));
        render(&rule.trace, 6, &mut out);
    }
    let d = &e.decision;
    let priority = d.priority.as_deref().unwrap_or("none");
    match &d.rule {
        Some(rule) => out.push_str(&format!(
            "\ndecision: {} by rule '{rule}' ({}), priority {priority}",
            d.route, d.reason_kind
        )),
        None => out.push_str(&format!(
            "\ndecision: {} by the default route (no rule matched), priority {priority}",
            d.route
        )),
    }
    if let Some(from) = &d.closed_from {
        out.push_str(&format!(
            " (tier '{from}' was closed when it arrived: its `when_closed` sent it on)"
        ));
    }
    match &d.owner {
        Some(owner) => {
            out.push_str(&format!(", owner {owner}\n"));
            for due in &d.sla {
                let name = target_words(due.target);
                match (&due.budget, &due.due) {
                    (None, _) => out.push_str(&format!("  {name}: no SLA target\n")),
                    (Some(budget), Some(at)) => out.push_str(&format!(
                        "  {name} due {at} ({budget} business time on {})\n",
                        d.timezone
                    )),
                    (Some(budget), None) => out.push_str(&format!(
                        "  {name} within {budget} business time (no created_at or escalated_at to start the clock)\n"
                    )),
                }
            }
            if !d.missing_context.is_empty() {
                out.push_str(&format!(
                    "  missing context: {}\n",
                    d.missing_context.join(", ")
                ));
            }
        }
        None => out.push_str(" (stays with the AI)\n"),
    }
    if let Some(history) = &e.history {
        history_text(history, e, &mut out);
    }
    out
}

/// `value`, or why there is none: the column is not in the data, or empty for this ticket.
fn shown<T: ToString>(value: Option<&T>, field: Field, h: &HistoryFacts) -> String {
    match value {
        Some(v) => v.to_string(),
        None if h.not_in_data.contains(&field.name()) => "(not in the data)".to_string(),
        None => "(empty)".to_string(),
    }
}

fn history_text(h: &HistoryFacts, e: &Explanation, out: &mut String) {
    out.push_str("\nwhat happened:\n");
    let rows = [
        ("created", Field::CreatedAt, h.created_at.as_ref()),
        ("escalated", Field::EscalatedAt, h.escalated_at.as_ref()),
        (
            "first human response",
            Field::FirstHumanResponseAt,
            h.first_human_response_at.as_ref(),
        ),
        ("resolved", Field::ResolvedAt, h.resolved_at.as_ref()),
        ("resolved by", Field::ResolvedTier, h.resolved_tier.as_ref()),
    ];
    for (name, field, value) in rows {
        out.push_str(&format!("  {name:<21} {}\n", shown(value, field, h)));
    }
    out.push_str(&format!(
        "  {:<21} {}\n",
        "reassignments",
        shown(h.reassignments.as_ref(), Field::Reassignments, h)
    ));
    out.push_str(&format!(
        "  {:<21} {}\n",
        "reopened",
        shown(h.reopened.as_ref(), Field::Reopened, h)
    ));
    out.push_str(&format!(
        "  {:<21} {}\n",
        "csat",
        shown(h.csat.as_ref(), Field::Csat, h)
    ));
    let d = &e.decision;
    if !h.sla.is_empty() {
        let as_of = h
            .as_of
            .as_deref()
            .map_or(String::new(), |t| format!(", as of {t}"));
        out.push_str(&format!(
            "  SLA of {} for priority {} (business time on {}{as_of}):\n",
            d.route,
            d.priority.as_deref().unwrap_or("none"),
            d.timezone
        ));
    }
    if h.sla.is_empty() {
        out.push_str("  SLA: none (the policy keeps the ticket with the AI)\n");
    }
    for clock in &h.sla {
        let name = target_words(clock.target);
        let due = clock.due.as_deref().unwrap_or("?");
        let late = clock
            .late_by_seconds
            .map_or(String::new(), |s| human_duration(s.unsigned_abs()));
        let line = match (clock.status, clock.stopped_at.as_deref()) {
            (SlaStatus::Met, Some(at)) => format!("met (due {due}, stopped {at})"),
            (SlaStatus::Met, None) => format!("met (due {due})"),
            (SlaStatus::Breached, Some(at)) => {
                format!("breached by {late} (due {due}, stopped {at})")
            }
            (SlaStatus::Breached, None) => {
                format!("breached by {late} at as-of (due {due}, still open)")
            }
            (SlaStatus::Pending, _) => format!("pending at as-of (due {due}, still open)"),
            (SlaStatus::NotJudged, _) => format!(
                "not judged ({})",
                clock.reason.as_deref().unwrap_or("no data")
            ),
        };
        out.push_str(&format!("    {name}: {line}\n"));
    }
    match h.agreement {
        Some(verdict) => out.push_str(&format!(
            "  agreement: {verdict} — {}\n",
            h.agreement_detail
        )),
        None => out.push_str(&format!("  agreement: {}\n", h.agreement_detail)),
    }
}
