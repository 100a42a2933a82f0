//! A policy compiled for evaluation, and the decision it takes for one ticket (DESIGN §2).

use regex::Regex;

use super::keywords::KeywordMatcher;
use super::sla::SlaTargets;
use crate::calendar::BusinessCalendar;
use crate::calendar::duration::{PolicyDuration, parse_duration};
use crate::fields::{Field, Label};
use crate::policy::calendar::build_calendar;
use crate::policy::condition::{Cond, Keyword, LabelField, NumField, compile};
use crate::policy::model::{DurationSpec, RuleKind, per_priority};
use crate::policy::{AI, Policy};
use crate::text::normalize_label;
use crate::tickets::Ticket;
use crate::tickets::source::Needs;

/// SQL-style three-valued truth.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tri {
    True,
    False,
    Unknown,
}

impl From<bool> for Tri {
    fn from(b: bool) -> Tri {
        if b { Tri::True } else { Tri::False }
    }
}

impl Tri {
    fn not(self) -> Tri {
        match self {
            Tri::True => Tri::False,
            Tri::False => Tri::True,
            Tri::Unknown => Tri::Unknown,
        }
    }
}

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum ReasonKind {
    Reactive,
    Proactive,
    Default,
}

impl ReasonKind {
    pub fn name(self) -> &'static str {
        match self {
            ReasonKind::Reactive => "reactive",
            ReasonKind::Proactive => "proactive",
            ReasonKind::Default => "default",
        }
    }
}

#[derive(Debug, Clone)]
enum NumSlot {
    Confidence,
    Sentiment,
    Extra(usize),
}

#[derive(Debug, Clone)]
enum LabelSlot {
    Canonical(Label),
    Extra(usize),
}

/// A condition with its fields resolved to slots of [`Ticket`].
#[derive(Debug, Clone)]
enum Node {
    All(Vec<Node>),
    Any(Vec<Node>),
    Not(Box<Node>),
    Num {
        slot: NumSlot,
        below: Option<f64>,
        at_least: Option<f64>,
    },
    Keywords {
        any: Option<Vec<usize>>,
        all: Vec<usize>,
        none: Vec<usize>,
    },
    Label {
        slot: LabelSlot,
        in_: Option<Vec<String>>,
        not_in: Vec<String>,
    },
    Human(bool),
    /// `created_at` inside (`true`) or outside (`false`) the calendar's working hours.
    BusinessHours(bool),
    Regex {
        extra: usize,
        regex: Regex,
    },
}

#[derive(Debug, Clone)]
pub struct CompiledRule {
    pub id: String,
    /// Rank of the route: 0 = `ai`, tiers from 1.
    pub rank: usize,
    /// Index into the priorities, when the rule sets one.
    pub priority: Option<usize>,
    pub continues: bool,
    pub kind: ReasonKind,
    node: Node,
    /// Canonical and extra fields the condition reads.
    pub reads: Vec<String>,
}

/// SLA targets and escalation of one tier, resolved per priority.
#[derive(Debug, Clone)]
pub struct TierInfo {
    pub name: String,
    pub owner: String,
    /// Per priority index ([`TierInfo::sla_for`]).
    sla: Vec<SlaTargets>,
    /// Per priority index: delay before time-based escalation; and the target rank.
    pub escalate_after: Option<(Vec<Option<PolicyDuration>>, usize)>,
    /// The tier's own calendar (else the policy's), and the rank `when_closed` sends
    /// tickets to that arrive while it is closed.
    pub calendar: Option<BusinessCalendar>,
    pub when_closed: Option<usize>,
}

impl TierInfo {
    /// The SLA targets for a priority (an index into the policy's priorities).
    pub fn sla_for(&self, priority: usize) -> SlaTargets {
        self.sla.get(priority).copied().unwrap_or_default()
    }
}

/// A policy ready to evaluate tickets.
#[derive(Clone)]
pub struct CompiledPolicy {
    pub name: String,
    pub rules: Vec<CompiledRule>,
    pub keywords: KeywordMatcher,
    pub priorities: Vec<String>,
    pub default_priority: Option<usize>,
    /// Index 0 is `ai`.
    pub routes: Vec<String>,
    pub tiers: Vec<TierInfo>,
    pub default_rank: usize,
    pub calendar: BusinessCalendar,
    pub needs: Needs,
    /// Slots (into `Ticket::extras`) of the `context.required` fields, with their names.
    pub context: Vec<(String, usize)>,
}

/// What the policy does with one ticket.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Decision {
    /// 0 = `ai`.
    pub rank: usize,
    /// Rule that supplied the tier; `None` for the default route.
    pub rule: Option<usize>,
    /// Every rule whose condition was true, in order.
    pub matched: Vec<usize>,
    pub priority: Option<usize>,
    pub reason: Option<ReasonKind>,
    /// The tier the rules chose when it was closed at arrival and its `when_closed` sent the
    /// ticket to `rank` instead.
    pub closed_from: Option<usize>,
}

/// Why a policy cannot be compiled for evaluation (a condition's own error is
/// [`crate::policy::condition::CompileError`]).
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct PolicyCompileError(pub String);

struct Builder<'a> {
    keywords: Vec<Keyword>,
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
                Node::Keywords {
                    any: any
                        .as_ref()
                        .map(|l| l.iter().map(|k| self.keyword(k)).collect()),
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
        let keywords = KeywordMatcher::new(&builder.keywords);
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

    pub fn route_name(&self, rank: usize) -> &str {
        self.routes.get(rank).map_or(AI, String::as_str)
    }

    pub fn tier(&self, rank: usize) -> Option<&TierInfo> {
        rank.checked_sub(1).and_then(|i| self.tiers.get(i))
    }

    /// The `context.required` fields a ticket leaves empty, in the policy's order.
    pub fn missing_context<'p>(&'p self, t: &Ticket) -> impl Iterator<Item = &'p str> {
        self.context
            .iter()
            .filter(|(_, slot)| t.extras.get(*slot).is_none_or(|v| v.is_empty()))
            .map(|(name, _)| name.as_str())
    }

    /// Mark the keywords found in a ticket's text columns.
    pub fn scan_keywords(&self, ticket: &Ticket, found: &mut Vec<bool>) {
        found.clear();
        found.resize(self.keywords.len(), false);
        if self.keywords.is_empty() {
            return;
        }
        for text in &ticket.texts {
            self.keywords.scan(text, found);
        }
    }

    fn eval(&self, node: &Node, t: &Ticket, found: &[bool]) -> Tri {
        match node {
            Node::All(parts) => {
                let mut result = Tri::True;
                for part in parts {
                    match self.eval(part, t, found) {
                        Tri::False => return Tri::False,
                        Tri::Unknown => result = Tri::Unknown,
                        Tri::True => {}
                    }
                }
                result
            }
            Node::Any(parts) => {
                let mut result = Tri::False;
                for part in parts {
                    match self.eval(part, t, found) {
                        Tri::True => return Tri::True,
                        Tri::Unknown => result = Tri::Unknown,
                        Tri::False => {}
                    }
                }
                result
            }
            Node::Not(inner) => self.eval(inner, t, found).not(),
            Node::Num {
                slot,
                below,
                at_least,
            } => {
                let value = match slot {
                    NumSlot::Confidence => t.confidence,
                    NumSlot::Sentiment => t.sentiment,
                    NumSlot::Extra(i) => t.extras.get(*i).and_then(|v| v.parse::<f64>().ok()),
                };
                match value {
                    None => Tri::Unknown,
                    Some(v) => {
                        Tri::from(below.is_none_or(|b| v < b) && at_least.is_none_or(|a| v >= a))
                    }
                }
            }
            Node::Keywords { any, all, none } => {
                if !t.has_text() {
                    return Tri::Unknown;
                }
                let hit = |id: &usize| found.get(*id).copied().unwrap_or(false);
                Tri::from(
                    any.as_ref().is_none_or(|l| l.iter().any(hit))
                        && all.iter().all(hit)
                        && !none.iter().any(hit),
                )
            }
            Node::Label { slot, in_, not_in } => {
                let owned;
                let value = match slot {
                    LabelSlot::Canonical(label) => t.label(*label),
                    LabelSlot::Extra(i) => {
                        owned = t
                            .extras
                            .get(*i)
                            .map(|v| normalize_label(v))
                            .filter(|v| !v.is_empty());
                        owned.as_deref()
                    }
                };
                match value {
                    None => Tri::Unknown,
                    Some(v) => Tri::from(
                        in_.as_ref().is_none_or(|set| set.iter().any(|x| x == v))
                            && !not_in.iter().any(|x| x == v),
                    ),
                }
            }
            Node::Human(wanted) => match t.requested_human {
                None => Tri::Unknown,
                Some(v) => Tri::from(v == *wanted),
            },
            Node::BusinessHours(wanted) => match t.created_at {
                None => Tri::Unknown,
                Some(at) => Tri::from(self.calendar.is_open(at) == *wanted),
            },
            Node::Regex { extra, regex } => match t.extras.get(*extra) {
                Some(v) if !v.is_empty() => Tri::from(regex.is_match(v)),
                _ => Tri::Unknown,
            },
        }
    }

    /// The truth of each rule's condition for a ticket (for `explain`-style traces and tests).
    pub fn rule_truth(&self, rule: usize, t: &Ticket, found: &[bool]) -> Tri {
        self.eval(&self.rules[rule].node, t, found)
    }

    /// Decide one ticket. `found` comes from [`Self::scan_keywords`].
    pub fn decide(&self, t: &Ticket, found: &[bool], decision: &mut Decision) {
        decision.matched.clear();
        let mut best: Option<usize> = None;
        let mut rule_priority: Option<usize> = None;
        for (index, rule) in self.rules.iter().enumerate() {
            if self.eval(&rule.node, t, found) != Tri::True {
                continue;
            }
            decision.matched.push(index);
            if best.is_none_or(|b| rule.rank > self.rules[b].rank) {
                best = Some(index);
            }
            if let Some(p) = rule.priority {
                rule_priority = Some(rule_priority.map_or(p, |q| q.min(p)));
            }
            if !rule.continues {
                break;
            }
        }
        let ticket_priority = t
            .label(Label::Priority)
            .and_then(|p| self.priorities.iter().position(|x| x == p))
            .or(self.default_priority);
        decision.priority = rule_priority.or(ticket_priority);
        match best {
            Some(index) => {
                decision.rank = self.rules[index].rank;
                decision.rule = Some(index);
                decision.reason = Some(self.rules[index].kind);
            }
            None => {
                decision.rank = self.default_rank;
                decision.rule = None;
                decision.reason = Some(ReasonKind::Default);
            }
        }
        self.divert_when_closed(t, decision);
    }
}
