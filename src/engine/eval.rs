//! A policy compiled for evaluation, and the decision it takes for one ticket (DESIGN §2).

use regex::Regex;

use super::keywords::KeywordMatcher;
use super::sla::SlaTargets;
use crate::calendar::BusinessCalendar;
use crate::calendar::duration::PolicyDuration;
use crate::fields::Label;
use crate::policy::AI;
use crate::text::normalize_label;
use crate::tickets::Ticket;
use crate::tickets::source::Needs;

mod compile;
pub use compile::PolicyCompileError;
#[cfg(test)]
mod tests;

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
    /// Every kind, in order.
    pub const ALL: [ReasonKind; 3] = [
        ReasonKind::Reactive,
        ReasonKind::Proactive,
        ReasonKind::Default,
    ];

    /// The kind's place in [`ReasonKind::ALL`].
    pub fn index(self) -> usize {
        self as usize
    }

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
        /// The slot of `found` that is true when a keyword of the `any` list is: the keyword's
        /// own for a list of one, its group's for others ([`KeywordMatcher::with_groups`]).
        any: Option<usize>,
        /// The `any` list's keyword ids, for the tests' evaluation one keyword at a time.
        #[cfg(test)]
        any_ids: Option<Vec<usize>>,
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

impl CompiledPolicy {
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

    /// Mark the keywords found in a ticket's text columns (and the `any` lists holding one).
    pub fn scan_keywords(&self, ticket: &Ticket, found: &mut Vec<bool>) {
        let slots = self.keywords.slots();
        if found.len() == slots {
            found.fill(false);
        } else {
            found.clear();
            found.resize(slots, false);
        }
        if self.keywords.is_empty() {
            return;
        }
        for text in ticket.texts.iter().filter(|text| !text.is_empty()) {
            self.keywords.scan(text, found);
        }
    }

    fn eval(&self, node: &Node, t: &Ticket, found: &[bool]) -> Tri {
        match node {
            Node::All(parts) => {
                let mut result = Tri::True;
                for part in parts {
                    match self.truth(part, t, found) {
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
                    match self.truth(part, t, found) {
                        Tri::True => return Tri::True,
                        Tri::Unknown => result = Tri::Unknown,
                        Tri::False => {}
                    }
                }
                result
            }
            Node::Not(inner) => self.truth(inner, t, found).not(),
            leaf => self.truth(leaf, t, found),
        }
    }

    /// A condition: a single test (most rules) is evaluated in place, a combination (`all`,
    /// `any`, `not`) through [`Self::eval`].
    #[inline(always)]
    fn truth(&self, node: &Node, t: &Ticket, found: &[bool]) -> Tri {
        match node {
            Node::All(_) | Node::Any(_) | Node::Not(_) => self.eval(node, t, found),
            Node::Num {
                slot,
                below,
                at_least,
            } => {
                let value = match slot {
                    NumSlot::Confidence => t.confidence,
                    NumSlot::Sentiment => t.sentiment,
                    NumSlot::Extra(i) => extra_number(t, *i),
                };
                match value {
                    None => Tri::Unknown,
                    Some(v) => {
                        Tri::from(below.is_none_or(|b| v < b) && at_least.is_none_or(|a| v >= a))
                    }
                }
            }
            Node::Keywords { any, all, none, .. } => {
                if !t.has_text() {
                    return Tri::Unknown;
                }
                let hit = |id: &usize| found.get(*id).copied().unwrap_or(false);
                Tri::from(
                    any.as_ref().is_none_or(hit) && all.iter().all(hit) && !none.iter().any(hit),
                )
            }
            Node::Label {
                slot: LabelSlot::Canonical(label),
                in_,
                not_in,
            } => label_truth(t.label(*label), in_.as_deref(), not_in),
            Node::Label {
                slot: LabelSlot::Extra(i),
                in_,
                not_in,
            } => extra_label_truth(t, *i, in_.as_deref(), not_in),
            Node::Human(wanted) => match t.requested_human {
                None => Tri::Unknown,
                Some(v) => Tri::from(v == *wanted),
            },
            Node::BusinessHours(_) | Node::Regex { .. } => self.rare_truth(node, t),
        }
    }

    /// The tests the tickets' canonical fields do not answer directly, out of line: `decide`
    /// and `eval` stay small (docs/performance.md, issue 16 round 10).
    #[inline(never)]
    fn rare_truth(&self, node: &Node, t: &Ticket) -> Tri {
        match node {
            Node::BusinessHours(wanted) => match t.created_at {
                None => Tri::Unknown,
                Some(at) => Tri::from(self.calendar.is_open(at) == *wanted),
            },
            Node::Regex { extra, regex } => match t.extras.get(*extra) {
                Some(v) if !v.is_empty() => Tri::from(regex.is_match(v)),
                _ => Tri::Unknown,
            },
            _ => Tri::Unknown,
        }
    }

    /// The truth of each rule's condition for a ticket (for `explain`-style traces and tests).
    pub fn rule_truth(&self, rule: usize, t: &Ticket, found: &[bool]) -> Tri {
        self.truth(&self.rules[rule].node, t, found)
    }

    /// Decide one ticket. `found` comes from [`Self::scan_keywords`].
    pub fn decide(&self, t: &Ticket, found: &[bool], decision: &mut Decision) {
        decision.matched.clear();
        let mut best: Option<usize> = None;
        let mut rule_priority: Option<usize> = None;
        for (index, rule) in self.rules.iter().enumerate() {
            if self.truth(&rule.node, t, found) != Tri::True {
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
        decision.priority = rule_priority.or_else(|| {
            t.label(Label::Priority)
                .and_then(|p| self.priorities.iter().position(|x| x == p))
                .or(self.default_priority)
        });
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

/// A numeric extra field's value (`None` when empty or not a number).
#[inline(never)]
fn extra_number(t: &Ticket, slot: usize) -> Option<f64> {
    t.extras.get(slot).and_then(|v| v.parse::<f64>().ok())
}

/// A label test on a label value (`None` when empty or absent).
#[inline(always)]
fn label_truth(value: Option<&str>, in_: Option<&[String]>, not_in: &[String]) -> Tri {
    match value {
        None => Tri::Unknown,
        Some(v) => Tri::from(
            in_.is_none_or(|set| set.iter().any(|x| x == v)) && !not_in.iter().any(|x| x == v),
        ),
    }
}

/// A label test on an extra field, normalised as a label is.
#[inline(never)]
fn extra_label_truth(t: &Ticket, slot: usize, in_: Option<&[String]>, not_in: &[String]) -> Tri {
    let value = t
        .extras
        .get(slot)
        .map(|v| normalize_label(v))
        .filter(|v| !v.is_empty());
    label_truth(value.as_deref(), in_, not_in)
}
