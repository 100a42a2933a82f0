//! The rule-by-rule trace behind `handoff explain` and failing policy tests: every condition
//! with the ticket's value and its three-valued outcome.
//!
//! It walks the same compiled condition tree as [`super::eval`] with the same semantics, but
//! records what it saw; a test checks that both agree on every rule of the replay fixture.

use super::eval::Tri;
use super::keywords::KeywordMatcher;
use crate::calendar::BusinessCalendar;
use crate::policy::condition::{Cond, Keyword, LabelField, NumField};
use crate::policy::describe;
use crate::text::normalize_label;
use crate::tickets::Ticket;

/// One evaluated condition.
#[derive(Debug, Clone, PartialEq)]
pub struct TraceNode {
    /// What is tested, as the policy writes it ([`describe::test`]), e.g. `confidence: {
    /// below: 0.8 }`; `all of`, `any of` or `not` for a node whose children are the tests.
    pub test: String,
    /// The ticket's value as seen, e.g. `0.62`, `(empty)`, `found refund*`.
    pub value: String,
    pub outcome: Tri,
    pub children: Vec<TraceNode>,
}

/// Looks extra fields up by name in a ticket read with the policy's needs, and the calendar
/// `business_hours` reads.
pub struct ExtraFields<'a> {
    pub extras: &'a [String],
    pub calendar: &'a BusinessCalendar,
}

impl ExtraFields<'_> {
    fn extra<'t>(&self, t: &'t Ticket, name: &str) -> Option<&'t str> {
        let slot = self.extras.iter().position(|n| n == name)?;
        t.extras
            .get(slot)
            .map(String::as_str)
            .filter(|v| !v.is_empty())
    }
}

pub fn trace(cond: &Cond, t: &Ticket, fields: &ExtraFields) -> TraceNode {
    match cond {
        Cond::All(parts) | Cond::Any(parts) => {
            let is_all = matches!(cond, Cond::All(_));
            let children: Vec<TraceNode> = parts.iter().map(|p| trace(p, t, fields)).collect();
            let outcomes = children.iter().map(|c| c.outcome);
            let outcome = if is_all {
                if outcomes.clone().any(|o| o == Tri::False) {
                    Tri::False
                } else if outcomes.clone().any(|o| o == Tri::Unknown) {
                    Tri::Unknown
                } else {
                    Tri::True
                }
            } else if outcomes.clone().any(|o| o == Tri::True) {
                Tri::True
            } else if outcomes.clone().any(|o| o == Tri::Unknown) {
                Tri::Unknown
            } else {
                Tri::False
            };
            TraceNode {
                test: if is_all { "all of" } else { "any of" }.to_string(),
                value: String::new(),
                outcome,
                children,
            }
        }
        Cond::Not(inner) => {
            let child = trace(inner, t, fields);
            TraceNode {
                test: "not".to_string(),
                value: String::new(),
                outcome: match child.outcome {
                    Tri::True => Tri::False,
                    Tri::False => Tri::True,
                    Tri::Unknown => Tri::Unknown,
                },
                children: vec![child],
            }
        }
        Cond::Number {
            field,
            below,
            at_least,
        } => {
            let value = match field {
                NumField::Confidence => t.confidence,
                NumField::Sentiment => t.sentiment,
                NumField::Extra(name) => fields.extra(t, name).and_then(|v| v.parse().ok()),
            };
            TraceNode {
                test: describe::test(cond),
                value: value.map_or_else(|| "(empty)".to_string(), |v| v.to_string()),
                outcome: match value {
                    None => Tri::Unknown,
                    Some(v) => {
                        Tri::from(below.is_none_or(|b| v < b) && at_least.is_none_or(|a| v >= a))
                    }
                },
                children: Vec::new(),
            }
        }
        Cond::Keywords { any, all, none } => {
            let mut words: Vec<Keyword> = Vec::new();
            for k in any.iter().flatten().chain(all).chain(none) {
                if !words.contains(k) {
                    words.push(k.clone());
                }
            }
            let matcher = KeywordMatcher::new(&words);
            let mut found = vec![false; words.len()];
            for text in &t.texts {
                matcher.scan(text, &mut found);
            }
            let hit = |k: &Keyword| words.iter().position(|w| w == k).is_some_and(|i| found[i]);
            let seen: Vec<String> = words
                .iter()
                .zip(&found)
                .filter(|(_, f)| **f)
                .map(|(k, _)| k.to_string())
                .collect();
            let (value, outcome) = if !t.has_text() {
                ("(no text)".to_string(), Tri::Unknown)
            } else {
                let truth = any.as_ref().is_none_or(|l| l.iter().any(hit))
                    && all.iter().all(hit)
                    && !none.iter().any(hit);
                let value = if seen.is_empty() {
                    "none found".to_string()
                } else {
                    format!("found {}", seen.join(", "))
                };
                (value, Tri::from(truth))
            };
            TraceNode {
                test: describe::test(cond),
                value,
                outcome,
                children: Vec::new(),
            }
        }
        Cond::Label { field, in_, not_in } => {
            let owned;
            let value = match field {
                LabelField::Canonical(label) => t.label(*label),
                LabelField::Extra(name) => {
                    owned = fields.extra(t, name).map(normalize_label);
                    owned.as_deref()
                }
            };
            TraceNode {
                test: describe::test(cond),
                value: value.map_or_else(|| "(empty)".to_string(), str::to_string),
                outcome: match value {
                    None => Tri::Unknown,
                    Some(v) => Tri::from(
                        in_.as_ref().is_none_or(|set| set.iter().any(|x| x == v))
                            && !not_in.iter().any(|x| x == v),
                    ),
                },
                children: Vec::new(),
            }
        }
        Cond::RequestedHuman(wanted) => TraceNode {
            test: describe::test(cond),
            value: t
                .requested_human
                .map_or_else(|| "(empty)".to_string(), |v| v.to_string()),
            outcome: t
                .requested_human
                .map_or(Tri::Unknown, |v| Tri::from(v == *wanted)),
            children: Vec::new(),
        },
        Cond::BusinessHours(wanted) => TraceNode {
            test: describe::test(cond),
            value: t.created_at.map_or_else(
                || "(empty)".to_string(),
                |at| {
                    let open = fields.calendar.is_open(at);
                    format!("{at} ({})", if open { "open" } else { "closed" })
                },
            ),
            outcome: t.created_at.map_or(Tri::Unknown, |at| {
                Tri::from(fields.calendar.is_open(at) == *wanted)
            }),
            children: Vec::new(),
        },
        Cond::Matches { field, regex } => {
            let value = fields.extra(t, field);
            TraceNode {
                test: describe::test(cond),
                value: value.map_or_else(|| "(empty)".to_string(), |v| format!("{v:?}")),
                outcome: value.map_or(Tri::Unknown, |v| Tri::from(regex.is_match(v))),
                children: Vec::new(),
            }
        }
    }
}

fn mark(outcome: Tri) -> &'static str {
    match outcome {
        Tri::True => "true",
        Tri::False => "false",
        Tri::Unknown => "unknown",
    }
}

/// Render a trace as indented lines: `test — value → outcome` for a test, `all of → outcome`
/// for a node, its children indented below it.
pub fn render(node: &TraceNode, indent: usize, out: &mut String) {
    let pad = " ".repeat(indent);
    if node.value.is_empty() {
        out.push_str(&format!("{pad}{} → {}\n", node.test, mark(node.outcome)));
    } else {
        out.push_str(&format!(
            "{pad}{} — {} → {}\n",
            node.test,
            node.value,
            mark(node.outcome)
        ));
    }
    for child in &node.children {
        render(child, indent + 2, out);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::eval::CompiledPolicy;
    use crate::policy::condition::compile;
    use crate::tickets::synthetic::{GenOptions, generate};
    use crate::tickets::{Mapping, TicketSource};

    /// A 300 KB keyword in 1.2 MB of text that agrees with it up to its last byte at every
    /// word start: compiling, deciding and tracing (what replay and explain do after lint)
    /// each take one pass over the text, not one per word start.
    #[test]
    fn a_huge_keyword_is_decided_and_traced_in_linear_time() {
        let keyword = "a ".repeat(150_000) + "b";
        let word = "a ".repeat(600_000);
        let base = std::fs::read_to_string("fixtures/bad/tickets/policy.yaml").unwrap();
        let yaml = base.replace("[lawsuit, lawyer*]", &format!("[\"{keyword}\"]"));
        let loaded =
            crate::policy::load::load_bytes("huge.yaml".into(), yaml.into_bytes()).unwrap();
        let started = std::time::Instant::now();
        let compiled = CompiledPolicy::new(&loaded.policy).unwrap();
        let csv = format!(
            "id,created_at,text,confidence,requested_human,priority\nT1,2026-03-02T09:00:00Z,{word}b,0.9,false,normal\n"
        );
        let mut source = TicketSource::new(
            Box::new(std::io::Cursor::new(csv.into_bytes())),
            &Mapping::default(),
            compiled.needs.clone(),
        )
        .unwrap();
        let mut ticket = Ticket::default();
        source.next(&mut ticket).unwrap().unwrap().unwrap();
        let mut found = Vec::new();
        compiled.scan_keywords(&ticket, &mut found);
        let mut decision = crate::engine::eval::Decision::default();
        compiled.decide(&ticket, &found, &mut decision);
        assert_eq!(decision.rank, 3, "legal-risk routes to L3");
        let fields = ExtraFields {
            extras: &compiled.needs.extras,
            calendar: &compiled.calendar,
        };
        let cond = compile(&loaded.policy.rules[1].when).unwrap();
        let traced = trace(&cond, &ticket, &fields);
        assert_eq!(traced.outcome, crate::engine::eval::Tri::True);
        let mut rendered = String::new();
        render(&traced, 0, &mut rendered);
        assert!(started.elapsed() < std::time::Duration::from_secs(10));
    }

    /// The trace must reach the same outcome as the evaluator for every rule and ticket.
    #[test]
    fn trace_agrees_with_the_evaluator() {
        for policy_path in ["policies/support.yaml", "policies/it-service.yaml"] {
            let loaded = crate::policy::load_file(std::path::Path::new(policy_path)).unwrap();
            let compiled = CompiledPolicy::new(&loaded.policy).unwrap();
            let mut csv = Vec::new();
            let options = GenOptions {
                rows: 1000,
                seed: 3,
                start: "2026-01-05T00:00:00Z".parse().unwrap(),
                days: 30,
            };
            generate(&options, &mut csv).unwrap();
            // The generator writes urgent/high/normal/low; the IT policy uses p1–p4.
            let mut mapping = Mapping::default();
            if policy_path.contains("it-service") {
                let table = [
                    ("urgent", "p1"),
                    ("high", "p2"),
                    ("normal", "p3"),
                    ("low", "p4"),
                ];
                mapping.aliases.insert(
                    "priority".into(),
                    table
                        .iter()
                        .map(|(a, b)| (a.to_string(), b.to_string()))
                        .collect(),
                );
            }
            let mut source = TicketSource::new(
                Box::new(std::io::Cursor::new(csv)),
                &mapping,
                compiled.needs.clone(),
            )
            .unwrap();
            let fields = ExtraFields {
                extras: &compiled.needs.extras,
                calendar: &compiled.calendar,
            };
            let conds: Vec<Cond> = loaded
                .policy
                .rules
                .iter()
                .map(|r| compile(&r.when).unwrap())
                .collect();
            let (mut ticket, mut found, mut checked) = (Ticket::default(), Vec::new(), 0);
            while let Some(row) = source.next(&mut ticket).unwrap() {
                row.unwrap();
                compiled.scan_keywords(&ticket, &mut found);
                for (i, cond) in conds.iter().enumerate() {
                    let traced = trace(cond, &ticket, &fields).outcome;
                    assert_eq!(
                        traced,
                        compiled.rule_truth(i, &ticket, &found),
                        "{policy_path} rule {i} ticket {}",
                        ticket.id
                    );
                    checked += 1;
                }
            }
            assert!(checked >= 1000 * 5);
        }
    }
}
