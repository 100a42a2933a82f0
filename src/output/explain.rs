//! The text of `handoff explain`: a ticket, every rule's trace, the decision, SLA due times and
//! missing context.

use crate::engine::eval::{CompiledPolicy, Decision, Tri};
use crate::engine::trace::{ExtraFields, render, trace};
use crate::fields::Label;
use crate::policy::Policy;
use crate::policy::condition::compile;
use crate::tickets::Ticket;

fn shorten(text: &str, max: usize) -> String {
    let flat: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if flat.chars().count() <= max {
        flat
    } else {
        format!("{}…", flat.chars().take(max).collect::<String>())
    }
}

/// Describe the ticket's fields that matter to the policy.
fn ticket_summary(t: &Ticket) -> String {
    let mut parts = Vec::new();
    let mut push = |name: &str, value: Option<String>| {
        if let Some(value) = value {
            parts.push(format!("{name} {value}"));
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
    if parts.is_empty() {
        "no fields the policy reads".to_string()
    } else {
        parts.join(" · ")
    }
}

pub fn explain(policy: &Policy, compiled: &CompiledPolicy, t: &Ticket) -> String {
    explain_with_notes(policy, compiled, t, &[])
}

/// [`explain`], with notes about how the ticket was found (e.g. its id on several lines) right
/// under its name.
pub fn explain_with_notes(
    policy: &Policy,
    compiled: &CompiledPolicy,
    t: &Ticket,
    notes: &[String],
) -> String {
    let mut found = Vec::new();
    compiled.scan_keywords(t, &mut found);
    let mut decision = Decision::default();
    compiled.decide(t, &found, &mut decision);
    let fields = ExtraFields {
        extras: &compiled.needs.extras,
        calendar: &compiled.calendar,
    };
    let mut out = format!("ticket {}", t.id);
    if t.line > 0 {
        out.push_str(&format!(" (line {})", t.line));
    }
    out.push('\n');
    for note in notes {
        out.push_str(&format!("  note: {note}\n"));
    }
    out.push_str(&format!("  {}\n", ticket_summary(t)));
    let text: Vec<&str> = t
        .texts
        .iter()
        .map(String::as_str)
        .filter(|s| !s.is_empty())
        .collect();
    if !text.is_empty() {
        out.push_str(&format!(
            "  text: \"{}\"\n",
            shorten(&text.join(" | "), 120)
        ));
    }
    out.push_str("\nrules, in order:\n");
    let stop = decision
        .matched
        .last()
        .copied()
        .filter(|&i| !compiled.rules[i].continues);
    for (index, (rule, spanned)) in compiled.rules.iter().zip(&policy.rules).enumerate() {
        let Ok(cond) = compile(&spanned.value.when) else {
            continue;
        };
        let node = trace(&cond, t, &fields);
        let mut head = format!(
            "{}. {} → {}",
            index + 1,
            rule.id,
            compiled.route_name(rule.rank)
        );
        if let Some(p) = rule.priority.and_then(|p| compiled.priorities.get(p)) {
            head.push_str(&format!(", priority {p}"));
        }
        if rule.continues {
            head.push_str(" (continue)");
        }
        let verdict = match (node.outcome, stop) {
            (Tri::True, _) if decision.rule == Some(index) => "matches, decides",
            (Tri::True, Some(s)) if index > s => "would also match (after the deciding rule)",
            (Tri::True, _) if rule.continues => "matches, recorded (continue)",
            (Tri::True, _) => "matches",
            (Tri::False, _) => "does not match",
            (Tri::Unknown, _) => "does not match (unknown: a value is missing)",
        };
        out.push_str(&format!("  {head}: {verdict}\n"));
        render(&node, 6, &mut out);
    }
    let route = compiled.route_name(decision.rank);
    let rule = decision
        .rule
        .map_or("(default)", |i| compiled.rules[i].id.as_str());
    let priority = decision
        .priority
        .and_then(|p| compiled.priorities.get(p))
        .map_or("none", String::as_str);
    match decision.rule {
        Some(_) => out.push_str(&format!(
            "\ndecision: {route} by rule '{rule}' ({}), priority {priority}",
            decision.reason.map_or("proactive", |r| r.name())
        )),
        None => out.push_str(&format!(
            "\ndecision: {route} by the default route (no rule matched), priority {priority}"
        )),
    }
    if let Some(from) = decision.closed_from {
        out.push_str(&format!(
            " (tier '{}' was closed when it arrived: its `when_closed` sent it on)",
            compiled.routes.get(from).map_or("?", String::as_str)
        ));
    }
    if let Some(tier) = compiled.tier(decision.rank) {
        out.push_str(&format!(", owner {}\n", tier.owner));
        let start = t.clock_start();
        let targets = decision
            .priority
            .map(|p| tier.sla_for(p))
            .unwrap_or_default();
        for (name, target) in [
            ("first response", targets.first_response),
            ("resolution", targets.resolution),
        ] {
            let Some(target) = target else {
                out.push_str(&format!("  {name}: no SLA target\n"));
                continue;
            };
            match start.and_then(|s| compiled.calendar.add(s, target)) {
                Some(due) => out.push_str(&format!(
                    "  {name} due {due} ({target} business time on {})\n",
                    compiled.calendar.timezone_name
                )),
                None => out.push_str(&format!(
                    "  {name} within {target} business time (no created_at or escalated_at to start the clock)\n"
                )),
            }
        }
        let missing: Vec<&str> = compiled.missing_context(t).collect();
        if !missing.is_empty() {
            out.push_str(&format!("  missing context: {}\n", missing.join(", ")));
        }
    } else {
        out.push_str(" (stays with the AI)\n");
    }
    out
}
