//! The policy file as written: every element of the YAML format, with the span of each value.
//!
//! Types here are deliberately lenient (numbers are `f64`, durations and dates are strings) so
//! that a policy with a wrong value still loads and `handoff lint` can point at every problem in
//! one run. Validation lives in `lint`; evaluation uses the compiled form in [`super::condition`].

use schemars::JsonSchema;
use serde::Deserialize;

use super::spanned::{NamedMap, Spanned};
use crate::text::normalize_label;

/// An escalation policy: who gets a ticket the AI agent should not keep, when, and under which
/// SLA.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Policy {
    /// Format version; must be 1.
    pub version: Spanned<u32>,
    /// A short name for reports.
    pub name: Option<Spanned<String>>,
    /// Free text for humans.
    pub description: Option<String>,
    /// Business hours for SLA clocks. Without one, clocks run around the clock in UTC.
    pub calendar: Option<Spanned<Calendar>>,
    /// Priority labels, most urgent first. Default: [urgent, high, normal, low].
    pub priorities: Option<Spanned<Vec<Spanned<String>>>>,
    /// Priority given to tickets that have none.
    pub default_priority: Option<Spanned<String>>,
    /// Teams of people; team names and people can own tiers and take RACI roles.
    #[serde(default)]
    pub teams: NamedMap<Spanned<Team>>,
    /// Human tiers, lowest rank first (`ai` ranks below all of them).
    #[serde(default)]
    pub tiers: NamedMap<Spanned<Tier>>,
    /// What every handoff must carry.
    pub context: Option<Spanned<Context>>,
    /// Escalation rules, tried in order.
    #[serde(default)]
    pub rules: Vec<Spanned<Rule>>,
    /// Route for tickets that match no rule: a tier name or `ai` (the default).
    pub default: Option<Spanned<String>>,
}

/// Business hours, holidays and the time zone they are read in.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Calendar {
    /// IANA time zone name, e.g. `Europe/Berlin`.
    pub timezone: Option<Spanned<String>>,
    /// Working hours per day or day range, e.g. `mon-fri: "09:00-18:00"`; several ranges are
    /// separated by commas (`"08:00-12:00, 13:00-17:00"`).
    #[serde(default)]
    pub hours: Spanned<NamedMap<Spanned<String>>>,
    /// Dates (`YYYY-MM-DD`) with no working hours.
    #[serde(default)]
    pub holidays: Vec<Spanned<String>>,
}

/// A team: its members and its lead.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Team {
    #[serde(default)]
    pub members: Vec<Spanned<String>>,
    pub lead: Option<Spanned<String>>,
}

/// A human tier (L1, L2, L3, or any name).
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Tier {
    /// The team (or person) that owns the tier's queue.
    pub owner: Option<Spanned<String>>,
    pub description: Option<String>,
    /// Responsible, Accountable, Consulted and Informed parties for this stage.
    pub raci: Option<Spanned<Raci>>,
    /// Hand the ticket to another tier when no human answered in time.
    pub escalate_after: Option<Spanned<EscalateAfter>>,
    /// Targets per priority (or `default`), in business time.
    #[serde(default)]
    pub sla: NamedMap<Spanned<SlaTarget>>,
    /// This tier's own working hours, when they differ from the policy's calendar: what
    /// `when_closed` reads (SLA clocks keep the policy's calendar).
    pub calendar: Option<Spanned<Calendar>>,
    /// Where tickets go that arrive (`created_at`) while this tier is closed.
    pub when_closed: Option<Spanned<WhenClosed>>,
}

/// A tier's fallback for tickets that arrive while it is closed.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct WhenClosed {
    /// A tier, or `ai`.
    pub route: Spanned<String>,
}

impl Tier {
    /// The SLA target for a priority label (normalised), else the tier's `default` target.
    pub fn sla_for(&self, priority: &str) -> Option<&Spanned<SlaTarget>> {
        per_priority(&self.sla, priority)
    }
}

/// The entry of a per-priority map (`sla`, `no_first_response`) for a priority label
/// (normalised), else its `default` entry. Keys are compared normalised.
pub fn per_priority<'m, V>(map: &'m NamedMap<V>, priority: &str) -> Option<&'m V> {
    let entry = |wanted: &str| {
        map.iter()
            .find(|(k, _)| normalize_label(&k.value) == wanted)
    };
    entry(priority).or_else(|| entry("default")).map(|(_, v)| v)
}

/// RACI parties: team names or people.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Raci {
    pub responsible: Option<Spanned<Parties>>,
    /// Exactly one party.
    pub accountable: Option<Spanned<Parties>>,
    pub consulted: Option<Spanned<Parties>>,
    pub informed: Option<Spanned<Parties>>,
}

/// One party or a list of parties.
#[derive(Debug, Clone, JsonSchema)]
#[serde(untagged)]
pub enum Parties {
    One(String),
    Many(Vec<Spanned<String>>),
}

/// Time-based escalation: no human reply within this business time → the `to` tier.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EscalateAfter {
    /// One duration, or a map of priority (or `default`) to duration.
    pub no_first_response: Spanned<DurationSpec>,
    /// The tier that takes the ticket over.
    pub to: Spanned<String>,
}

/// A duration, or durations per priority with an optional `default`.
#[derive(Debug, Clone, JsonSchema)]
#[serde(untagged)]
pub enum DurationSpec {
    One(String),
    PerPriority(NamedMap<Spanned<String>>),
}

/// SLA targets for one priority.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SlaTarget {
    /// Time to the first human reply, e.g. `15m`, `1h30m`, `1bd`.
    pub first_response: Option<Spanned<String>>,
    /// Time to resolution.
    pub resolution: Option<Spanned<String>>,
}

/// Context every handoff must carry.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Context {
    /// Field names (ticket columns) that must be non-empty on an escalated ticket.
    #[serde(default)]
    pub required: Vec<Spanned<String>>,
}

/// One escalation rule.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Rule {
    /// Unique id, used in reports and suppressions.
    pub id: Spanned<String>,
    pub description: Option<String>,
    /// `reactive` when the customer asked; `proactive` (default) when it is the AI's own limit.
    pub kind: Option<Spanned<RuleKind>>,
    /// The condition; several keys in one mapping must all hold.
    pub when: Spanned<Condition>,
    /// Tier that takes the ticket (or `ai`).
    pub route: Spanned<String>,
    /// Priority that replaces the ticket's own.
    pub priority: Option<Spanned<String>>,
    /// `high` marks high-risk work.
    pub risk: Option<Spanned<Risk>>,
    /// Record this route and go on; a later, higher-tier match still wins.
    #[serde(rename = "continue")]
    pub continue_: Option<Spanned<bool>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum RuleKind {
    Reactive,
    Proactive,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Risk {
    Low,
    Medium,
    High,
}

/// A condition. Leaf predicates and `all` / `any` / `not`; several keys in one mapping are
/// joined with `all`.
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Condition {
    /// True when every sub-condition is true.
    pub all: Option<Vec<Spanned<Condition>>>,
    /// True when some sub-condition is true.
    pub any: Option<Vec<Spanned<Condition>>>,
    /// True when the sub-condition is false (unknown stays unknown).
    pub not: Option<Box<Spanned<Condition>>>,
    /// AI confidence, 0–1.
    pub confidence: Option<Spanned<Threshold>>,
    /// Customer sentiment, −1..1.
    pub sentiment: Option<Spanned<Threshold>>,
    /// Whole-word, case-insensitive keywords in the ticket text; `cancel*` matches prefixes.
    pub keywords: Option<Spanned<Keywords>>,
    pub customer_tier: Option<Spanned<LabelSet>>,
    pub channel: Option<Spanned<LabelSet>>,
    pub category: Option<Spanned<LabelSet>>,
    pub priority: Option<Spanned<LabelSet>>,
    /// The customer asked for a human.
    pub requested_human: Option<Spanned<bool>>,
    /// The ticket arrived (`created_at`) inside (`true`) or outside (`false`) the working hours
    /// of the policy's calendar, in its time zone and with its holidays.
    pub business_hours: Option<Spanned<bool>>,
    /// A test on any other ticket column.
    pub field: Option<Spanned<FieldTest>>,
}

/// A numeric threshold: `below` (strictly less) and/or `at_least`.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Threshold {
    pub below: Option<Spanned<f64>>,
    pub at_least: Option<Spanned<f64>>,
}

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Keywords {
    /// At least one of these occurs.
    pub any: Option<Vec<Spanned<String>>>,
    /// Every one of these occurs.
    pub all: Option<Vec<Spanned<String>>>,
    /// None of these occurs.
    pub none: Option<Vec<Spanned<String>>>,
}

/// Label membership, compared trimmed and case-insensitively.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LabelSet {
    #[serde(rename = "in")]
    pub in_: Option<Vec<Spanned<String>>>,
    pub not_in: Option<Vec<Spanned<String>>>,
}

/// A test on an extra ticket column.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FieldTest {
    /// Column name (after mapping).
    pub name: Spanned<String>,
    pub equals: Option<Spanned<String>>,
    #[serde(rename = "in")]
    pub in_: Option<Vec<Spanned<String>>>,
    pub not_in: Option<Vec<Spanned<String>>>,
    /// A regular expression (Rust `regex` syntax, linear time) searched in the value.
    pub matches: Option<Spanned<String>>,
    pub below: Option<Spanned<f64>>,
    pub at_least: Option<Spanned<f64>>,
}
