//! Compiling a policy for evaluation: conditions resolved to ticket slots, keyword lists to
//! one matcher, SLA targets per tier and priority (DESIGN §2).

use super::{CompiledPolicy, CompiledRule, LabelSlot, Node, NumSlot, ReasonKind, TierInfo};
use crate::calendar::duration::{PolicyDuration, parse_duration};
use crate::engine::keywords::KeywordMatcher;
use crate::engine::sla::SlaTargets;
use crate::fields::Field;
use crate::policy::calendar::build_calendar;
use crate::policy::condition::{Cond, Keyword, LabelField, NumField, compile};
use crate::policy::model::{DurationSpec, RuleKind, per_priority};
use crate::policy::{AI, Policy};
use crate::text::normalize_label;
use crate::tickets::source::Needs;

/// Why a policy cannot be compiled for evaluation (a condition's own error is
/// [`crate::policy::condition::CompileError`]).
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct PolicyCompileError(pub String);

struct Builder<'a> {
    keywords: Vec<Keyword>,
    /// The distinct `any` lists (keyword ids, sorted), each with its index in `any_lists`.
    any_ids: std::collections::HashMap<Vec<usize>, usize>,
    any_lists: Vec<Vec<usize>>,
    /// Keyword → id, so a policy with a very long keyword list compiles in linear time.
    keyword_ids: std::collections::HashMap<Keyword, usize>,
    extras: Vec<String>,
    needs: &'a mut Needs,
}

impl Builder<'_> {
    fn keyword(&mut self, k: &Keyword) -> usize {
        if let Some(&id) = self.keyword_ids.get(k) {
            return id;
        }
        self.keywords.push(k.clone());
        self.keyword_ids.insert(k.clone(), self.keywords.len() - 1);
        self.keywords.len() - 1
    }

    /// The index of an `any` list (equal sets share one); [`place_any_lists`] turns it into
    /// the slot of `found` a scan marks for it.
    fn any_list(&mut self, ids: &[usize]) -> usize {
        let mut key = ids.to_vec();
        key.sort_unstable();
        key.dedup();
        if let Some(&index) = self.any_ids.get(&key) {
            return index;
        }
        self.any_lists.push(key.clone());
        self.any_ids.insert(key, self.any_lists.len() - 1);
        self.any_lists.len() - 1
    }

    fn extra(&mut self, name: &str) -> usize {
        match self.extras.iter().position(|x| x == name) {
            Some(i) => i,
            None => {
                self.extras.push(name.to_string());
                self.extras.len() - 1
            }
        }
    }

    fn node(&mut self, cond: &Cond, reads: &mut Vec<String>) -> Node {
        let mut read = |name: &str| {
            if !reads.iter().any(|r| r == name) {
                reads.push(name.to_string());
            }
        };
        match cond {
            Cond::All(parts) => Node::All(parts.iter().map(|p| self.node(p, reads)).collect()),
            Cond::Any(parts) => Node::Any(parts.iter().map(|p| self.node(p, reads)).collect()),
            Cond::Not(inner) => Node::Not(Box::new(self.node(inner, reads))),
            Cond::Number {
                field,
                below,
                at_least,
            } => {
                let slot = match field {
                    NumField::Confidence => NumSlot::Confidence,
                    NumField::Sentiment => NumSlot::Sentiment,
                    NumField::Extra(name) => {
                        self.needs.numeric_extras.insert(name.clone());
                        NumSlot::Extra(self.extra(name))
                    }
                };
                read(field.name());
                Node::Num {
                    slot,
                    below: *below,
                    at_least: *at_least,
                }
            }
            Cond::Keywords { any, all, none } => {
                read(Field::Text.name());
                let any_ids: Option<Vec<usize>> = any
                    .as_ref()
                    .map(|l| l.iter().map(|k| self.keyword(k)).collect());
                Node::Keywords {
                    any: any_ids.as_deref().map(|ids| self.any_list(ids)),
                    #[cfg(test)]
                    any_ids,
                    all: all.iter().map(|k| self.keyword(k)).collect(),
                    none: none.iter().map(|k| self.keyword(k)).collect(),
                }
            }
            Cond::Label { field, in_, not_in } => {
                read(field.name());
                let slot = match field {
                    LabelField::Canonical(label) => LabelSlot::Canonical(*label),
                    LabelField::Extra(name) => LabelSlot::Extra(self.extra(name)),
                };
                Node::Label {
                    slot,
                    in_: in_.clone(),
                    not_in: not_in.clone(),
                }
            }
            Cond::RequestedHuman(b) => {
                read(Field::RequestedHuman.name());
                Node::Human(*b)
            }
            Cond::BusinessHours(b) => {
                read(Field::CreatedAt.name());
                Node::BusinessHours(*b)
            }
            Cond::Matches { field, regex } => {
                read(field);
                Node::Regex {
                    extra: self.extra(field),
                    regex: regex.clone(),
                }
            }
        }
    }
}

/// Replace each `any` list's index in `node` by its slot in `found`.
fn place_any_lists(node: &mut Node, slots: &[usize]) {
    match node {
        Node::All(parts) | Node::Any(parts) => {
            for part in parts {
                place_any_lists(part, slots);
            }
        }
        Node::Not(inner) => place_any_lists(inner, slots),
        Node::Keywords {
            any: Some(list), ..
        } => {
            // Every index comes from `Builder::any_list`; out of range, no slot is ever true.
            *list = slots.get(*list).copied().unwrap_or(usize::MAX);
        }
        _ => {}
    }
}

fn durations(text: Option<&crate::policy::Spanned<String>>) -> Option<PolicyDuration> {
    text.and_then(|t| parse_duration(&t.value).ok())
}

impl CompiledPolicy {
    /// Compile a policy. It must be lint-clean of errors: callers refuse policies with lint
    /// errors first, so a failure here is reported, not a panic.
    pub fn new(policy: &Policy) -> Result<CompiledPolicy, PolicyCompileError> {
        Self::with_extras(policy, &[])
    }

    /// Compile with the extra-field slots of another policy first, so a ticket read for this
    /// policy's needs also serves the other one (`handoff diff` evaluates both on one read).
    pub fn with_extras(
        policy: &Policy,
        first_extras: &[String],
    ) -> Result<CompiledPolicy, PolicyCompileError> {
        let priorities = policy.priority_labels();
        let priority_index =
            |label: &str| priorities.iter().position(|p| *p == normalize_label(label));
        let mut routes = vec![AI.to_string()];
        routes.extend(policy.tier_names().iter().map(|t| t.to_string()));
        let rank = |route: &str| {
            policy
                .rank(route)
                .ok_or_else(|| PolicyCompileError(format!("route '{route}' is not a tier")))
        };
        let mut needs = Needs {
            priorities: priorities.clone(),
            tiers: policy.tier_names().iter().map(|t| t.to_string()).collect(),
            ..Needs::default()
        };
        let mut builder = Builder {
            keywords: Vec::new(),
            keyword_ids: std::collections::HashMap::new(),
            any_ids: std::collections::HashMap::new(),
            any_lists: Vec::new(),
            extras: first_extras.to_vec(),
            needs: &mut needs,
        };
        let mut rules = Vec::new();
        for rule in &policy.rules {
            let rule = &rule.value;
            let cond = compile(&rule.when).map_err(|e| PolicyCompileError(e.message))?;
            let mut reads = Vec::new();
            let node = builder.node(&cond, &mut reads);
            rules.push(CompiledRule {
                id: rule.id.value.clone(),
                rank: rank(&rule.route.value)?,
                priority: rule
                    .priority
                    .as_ref()
                    .and_then(|p| priority_index(&p.value)),
                continues: rule.continue_.as_ref().is_some_and(|c| c.value),
                kind: match rule.kind.as_ref().map(|k| k.value) {
                    Some(RuleKind::Reactive) => ReasonKind::Reactive,
                    _ => ReasonKind::Proactive,
                },
                node,
                reads,
            });
        }
        let mut context = Vec::new();
        if let Some(c) = &policy.context {
            for field in &c.value.required {
                let name = field.value.trim().to_string();
                context.push((name.clone(), builder.extra(&name)));
            }
        }
        // A list of one keyword is that keyword's slot; longer (or empty) lists get a group
        // slot after the keywords', marked by the scan with any of its keywords.
        let mut groups = Vec::new();
        let slots: Vec<usize> = builder
            .any_lists
            .iter()
            .map(|ids| match ids[..] {
                [id] => id,
                _ => {
                    groups.push(ids.clone());
                    builder.keywords.len() + groups.len() - 1
                }
            })
            .collect();
        for rule in &mut rules {
            place_any_lists(&mut rule.node, &slots);
        }
        let keywords = KeywordMatcher::with_groups(&builder.keywords, &groups);
        let extras = builder.extras;
        for rule in &rules {
            needs.rule_fields.extend(rule.reads.iter().cloned());
        }
        needs.extras = extras;

        let mut tiers = Vec::new();
        for (name, tier) in policy.tiers.iter() {
            let tier = &tier.value;
            let sla = priorities
                .iter()
                .map(|p| match tier.sla_for(p) {
                    Some(target) => SlaTargets {
                        first_response: durations(target.value.first_response.as_ref()),
                        resolution: durations(target.value.resolution.as_ref()),
                    },
                    None => SlaTargets::default(),
                })
                .collect();
            let escalate_after = match &tier.escalate_after {
                None => None,
                Some(e) => {
                    let delays = priorities
                        .iter()
                        .map(|p| match &e.value.no_first_response.value {
                            DurationSpec::One(text) => parse_duration(text).ok(),
                            DurationSpec::PerPriority(map) => {
                                per_priority(map, p).and_then(|v| parse_duration(&v.value).ok())
                            }
                        })
                        .collect();
                    Some((delays, rank(&e.value.to.value)?))
                }
            };
            let owner = tier
                .owner
                .as_ref()
                .map(|o| o.value.clone())
                .unwrap_or_default();
            tiers.push(TierInfo {
                name: name.value.clone(),
                owner,
                sla,
                escalate_after,
                calendar: tier.calendar.as_ref().map(|c| build_calendar(Some(c)).0),
                when_closed: match &tier.when_closed {
                    Some(w) => Some(rank(&w.value.route.value)?),
                    None => None,
                },
            });
        }
        let (calendar, _) = build_calendar(policy.calendar.as_ref());
        Ok(CompiledPolicy {
            name: policy
                .name
                .as_ref()
                .map_or_else(String::new, |n| n.value.clone()),
            rules,
            keywords,
            default_priority: policy
                .default_priority
                .as_ref()
                .and_then(|p| priority_index(&p.value)),
            priorities,
            default_rank: rank(policy.default_route())?,
            routes,
            tiers,
            calendar,
            needs,
            context,
        })
    }

    /// A copy of this policy with one numeric threshold of one rule replaced (`handoff sweep`).
    /// `field` is `confidence`, `sentiment` or an extra field; `bound` is `below` or `at_least`.
    /// Fails unless the rule has exactly one such test.
    pub fn with_threshold(
        &self,
        rule: usize,
        field: &str,
        bound: &str,
        value: f64,
    ) -> Result<CompiledPolicy, String> {
        fn visit<'n>(
            node: &'n mut Node,
            field: &str,
            bound: &str,
            hits: &mut Vec<&'n mut Option<f64>>,
            extras: &[String],
        ) {
            match node {
                Node::All(parts) | Node::Any(parts) => {
                    for part in parts {
                        visit(part, field, bound, hits, extras);
                    }
                }
                Node::Not(inner) => visit(inner, field, bound, hits, extras),
                Node::Num {
                    slot,
                    below,
                    at_least,
                } => {
                    let name = match slot {
                        NumSlot::Confidence => Field::Confidence.name(),
                        NumSlot::Sentiment => Field::Sentiment.name(),
                        NumSlot::Extra(i) => extras.get(*i).map_or("", String::as_str),
                    };
                    if name == field {
                        match bound {
                            "below" if below.is_some() => hits.push(below),
                            "at_least" if at_least.is_some() => hits.push(at_least),
                            _ => {}
                        }
                    }
                }
                _ => {}
            }
        }
        let mut copy = self.clone();
        let id = copy
            .rules
            .get(rule)
            .map(|r| r.id.clone())
            .unwrap_or_default();
        let mut hits = Vec::new();
        let extras = copy.needs.extras.clone();
        let node = &mut copy.rules.get_mut(rule).ok_or("no such rule")?.node;
        visit(node, field, bound, &mut hits, &extras);
        match hits.len() {
            1 => {
                *hits[0] = Some(value);
                Ok(copy)
            }
            0 => Err(format!(
                "rule '{id}' has no `{field}: {{ {bound}: … }}` test to sweep"
            )),
            n => Err(format!(
                "rule '{id}' has {n} `{field}.{bound}` tests; sweep needs exactly one"
            )),
        }
    }
}
