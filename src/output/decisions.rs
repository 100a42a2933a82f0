//! The `--decisions` file of `handoff replay`: one CSV row per ticket with its decision, the
//! deciding and matching rules, the owner, the SLA due times (business-time arithmetic in the
//! policy's calendar), the historical outcome, the agreement verdict, missing context and when
//! the ticket was created.

use jiff::Timestamp;

use crate::engine::agreement::{Available, agreement_verdict, history};
use crate::engine::eval::{CompiledPolicy, Decision};
use crate::engine::replay::DecisionFormat;
use crate::engine::sla::Target;
use crate::tickets::Ticket;

/// The columns of the file, in order.
pub const COLUMNS: [&str; 14] = [
    "id",
    "line",
    "decision",
    "rule",
    "matched_rules",
    "reason_kind",
    "owner",
    "priority",
    "first_response_due",
    "resolution_due",
    "historical_outcome",
    "agreement",
    "missing_context",
    // Last, so that the columns before it keep their places (issue 14: load per hour).
    "created_at",
];

/// The header line of the file (no column name needs quoting).
pub fn header() -> Vec<u8> {
    format!("{}\n", COLUMNS.join(",")).into_bytes()
}

/// The row of each ticket, written by the replay's workers.
pub struct DecisionRows<'p> {
    pub policy: &'p CompiledPolicy,
    /// Which history columns the data has, to judge agreement as the report does.
    pub available: Available,
}

fn timestamp_text(t: Option<Timestamp>) -> String {
    t.map(|t| t.to_string()).unwrap_or_default()
}

impl DecisionFormat for DecisionRows<'_> {
    fn write(
        &self,
        t: &Ticket,
        d: &Decision,
        writer: &mut csv::Writer<Vec<u8>>,
    ) -> csv::Result<()> {
        let p = self.policy;
        let tier = p.tier(d.rank);
        let priority = d.priority.and_then(|i| p.priorities.get(i));
        let start = t.clock_start();
        // `ai` (rank 0) has no tier, so no due times.
        let due = |target: Target| -> String {
            let budget = tier
                .zip(d.priority)
                .and_then(|(tier, prio)| tier.sla_for(prio).get(target));
            timestamp_text(
                start
                    .zip(budget)
                    .and_then(|(s, budget)| p.calendar.add(s, budget)),
            )
        };
        let outcome = match (&t.resolved_tier, t.escalated_at) {
            (Some(tier), _) => tier.clone(),
            (None, Some(_)) => "human".to_string(),
            (None, None) => String::new(),
        };
        let agreement = agreement_verdict(d.rank, history(p, self.available, t), t.reopened);
        let missing: Vec<&str> = p.missing_context(t).collect();
        let matched: Vec<&str> = d.matched.iter().map(|&i| p.rules[i].id.as_str()).collect();
        let missing_context = if d.rank > 0 {
            missing.join(";")
        } else {
            String::new()
        };
        writer.write_record([
            t.id.as_str(),
            &t.line.to_string(),
            p.route_name(d.rank),
            d.rule.map_or("(default)", |i| p.rules[i].id.as_str()),
            &matched.join(";"),
            d.reason.map_or("", |r| r.name()),
            tier.map_or("", |t| t.owner.as_str()),
            priority.map_or("", String::as_str),
            &due(Target::FirstResponse),
            &due(Target::Resolution),
            &outcome,
            agreement,
            &missing_context,
            &timestamp_text(t.created_at),
        ])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_header_is_what_a_csv_writer_writes() {
        let mut writer = csv::Writer::from_writer(Vec::new());
        writer.write_record(COLUMNS).unwrap();
        assert_eq!(header(), writer.into_inner().unwrap());
    }
}
