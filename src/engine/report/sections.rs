//! The metrics of one set of tickets (the whole input, one `--by` group, one side of a diff),
//! section by section as DESIGN §4 lists them. In JSON every section's fields sit side by side
//! in one object (`escalation_rate`, `missed_escalation_rate`, …), each key as documented.

use std::collections::BTreeMap;

use serde::Serialize;

use super::measure::{Measure, Rate};

/// The metrics of one set of tickets.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    /// Tickets decided.
    pub tickets: u64,
    #[serde(flatten)]
    pub escalation: Escalation,
    #[serde(flatten)]
    pub agreement: AgreementSection,
    #[serde(flatten)]
    pub routing: RoutingFit,
    #[serde(flatten)]
    pub first_response: FirstResponse,
    pub resolution_time: Measure<ResolutionTimes>,
    #[serde(flatten)]
    pub sla: Sla,
    #[serde(flatten)]
    pub context: Context,
    #[serde(flatten)]
    pub coverage: Coverage,
    pub time_based_escalation: Measure<TimeBasedEscalation>,
    /// Tickets per route by hour of the week (needs `created_at`).
    pub load: Measure<super::load::Load>,
    #[serde(flatten)]
    pub quality: super::quality::Quality,
}

impl Report {
    /// The figures that decide a rollout, in the order tables list them: escalation, missed
    /// and unneeded escalations, projected FCR, first-response and resolution SLA met.
    pub fn rollout_figures(&self) -> [&Rate; 6] {
        [
            &self.escalation.rate,
            &self.agreement.missed,
            &self.agreement.unneeded,
            &self.routing.projected_fcr,
            &self.sla.first_response_met,
            &self.sla.resolution_met,
        ]
    }
}

/// Where the policy sends tickets, each a share of all tickets.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Escalation {
    /// Sent to any human tier.
    #[serde(rename = "escalation_rate")]
    pub rate: Rate,
    /// By route (`ai` too), keyed by name.
    #[serde(rename = "escalation_by_tier")]
    pub by_tier: BTreeMap<String, Rate>,
    /// By deciding rule id, and `(default)` for the default route.
    #[serde(rename = "escalation_by_rule")]
    pub by_rule: BTreeMap<String, Rate>,
    /// By reason kind (`default`, `proactive`, `reactive`).
    #[serde(rename = "escalation_by_reason")]
    pub by_reason: BTreeMap<&'static str, Rate>,
}

/// The policy against history: escalations it would miss or add.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AgreementSection {
    #[serde(rename = "missed_escalation_rate")]
    pub missed: Rate,
    #[serde(rename = "unneeded_escalation_rate")]
    pub unneeded: Rate,
    pub agreement: Measure<Agreement>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Agreement {
    /// Tickets with a known outcome.
    pub tickets: u64,
    pub unresolved_excluded: u64,
    pub history_escalated: u64,
    pub confusion: Confusion,
}

/// Policy route (rows) against the route history took (columns).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Confusion {
    /// Row names: the policy's routes.
    pub policy: Vec<String>,
    /// Column names: the routes, then `human (tier unknown)`.
    pub history: Vec<String>,
    pub cells: Vec<Vec<ConfusionCell>>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ConfusionCell {
    pub count: u64,
    /// The smallest ticket ids of the cell, in byte order (whatever the input order).
    pub examples: Vec<String>,
}

/// Policy-escalated tickets whose resolving tier is known, against that tier.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RoutingFit {
    #[serde(rename = "right_tier_rate")]
    pub right_tier: Rate,
    #[serde(rename = "under_routed_rate")]
    pub under_routed: Rate,
    #[serde(rename = "over_routed_rate")]
    pub over_routed: Rate,
    /// Right tier or over-routed: resolved at first contact.
    pub projected_fcr: Rate,
    /// History's own: no reassignment.
    pub historical_fcr: Rate,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FirstResponse {
    #[serde(rename = "first_response_time")]
    pub time: Measure<ResponseTimes>,
    pub opened_outside_hours: Rate,
}

/// Time to first human response, on the wall clock and in business hours.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ResponseTimes {
    pub wall: Spread,
    pub business: Spread,
    /// Replies before the clock started.
    pub negative_excluded: u64,
}

/// Creation to resolution, for tickets the policy escalates and for those it keeps.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ResolutionTimes {
    pub escalated: Spread,
    pub not_escalated: Spread,
    /// Resolved before created.
    pub negative_excluded: u64,
}

/// A duration distribution: how many, and nearest-rank percentiles in whole seconds (`null`
/// without data).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Spread {
    pub n: u64,
    pub median_seconds: Option<u64>,
    pub p90_seconds: Option<u64>,
}

/// SLA attainment of policy-escalated tickets, in business time.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Sla {
    #[serde(rename = "sla_first_response_met")]
    pub first_response_met: Rate,
    #[serde(rename = "sla_resolution_met")]
    pub resolution_met: Rate,
    /// By (tier, priority), in rank and priority order.
    #[serde(rename = "sla_by_tier_priority")]
    pub by_tier_priority: Vec<SlaCell>,
    /// Policy-escalated tickets whose SLA was not judged.
    #[serde(rename = "sla_skipped")]
    pub skipped: u64,
    #[serde(rename = "sla_skipped_by_reason")]
    pub skipped_by_reason: BTreeMap<&'static str, u64>,
    pub worst_breaches: Vec<WorstBreach>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SlaCell {
    pub tier: String,
    pub priority: Option<String>,
    pub first_response_met: Rate,
    pub resolution_met: Rate,
    /// Unanswered and not yet due at the as-of instant.
    pub pending: u64,
    pub negative_excluded: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WorstBreach {
    pub id: String,
    pub tier: String,
    pub priority: Option<String>,
    /// `first_response` or `resolution`.
    pub target: &'static str,
    /// Wall-clock seconds past the due time (at the as-of instant when unanswered).
    pub overshoot_seconds: i64,
    /// Never answered: late as measured at the as-of instant.
    pub unanswered: bool,
}

/// Policy-escalated tickets carrying every context field the policy requires.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Context {
    #[serde(rename = "context_complete")]
    pub complete: Rate,
    /// Tickets missing each field.
    #[serde(rename = "context_missing_by_field")]
    pub missing_by_field: BTreeMap<String, u64>,
}

/// What each rule decided and matched.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Coverage {
    #[serde(rename = "rule_coverage")]
    pub rules: Vec<RuleCoverage>,
    /// Rules true for no ticket.
    pub never_matched: Vec<String>,
    /// Rules true for some tickets that earlier rules always decided first.
    pub never_reached: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RuleCoverage {
    pub rule: String,
    /// Tickets it decided.
    pub deciding: u64,
    /// Tickets its condition was true for, in the rule order.
    pub matched: u64,
}

/// Tickets with `escalated_at`, on the clock of `escalate_after … to:`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TimeBasedEscalation {
    pub tickets: u64,
    pub escalated: Rate,
    pub hops: Vec<Hop>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Hop {
    pub from: String,
    pub to: String,
    pub count: u64,
}
