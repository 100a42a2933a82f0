//! Agreement with history (DESIGN §4): which history columns the data has, what history says
//! about one ticket, and how a policy's decision compares with it. Replay's metrics, sweep's
//! figures and the `--decisions` verdict all classify tickets here, so they always agree.

use std::cmp::Ordering;

use super::eval::CompiledPolicy;
use super::stats::Count;
use crate::fields::Field;
use crate::tickets::{Layout, Ticket};

/// Which history columns the data has (what metrics can measure).
#[derive(Debug, Clone, Copy, Default)]
pub struct Available {
    pub resolved_tier: bool,
    pub escalated_at: bool,
    pub resolved_at: bool,
    /// Without it, nothing about first responses is measured (not even from `resolved_at`).
    pub first_human_response_at: bool,
}

/// What history says about one ticket, as the agreement metrics read it (DESIGN §4).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum History {
    /// The data has neither `resolved_tier` nor `escalated_at`.
    Unknown,
    /// The data has resolution columns but this ticket neither `resolved_at` nor
    /// `resolved_tier`: excluded from agreement and counted.
    Unresolved,
    Known {
        /// Rank of `resolved_tier` (0 = `ai`), when given.
        rank: Option<usize>,
        /// `escalated_at` set or `resolved_tier` ≠ `ai`.
        escalated: bool,
    },
}

/// Classify a ticket's history. The report's agreement metrics and the `--decisions` file both
/// read it from here, so a ticket's verdict and the counts always agree.
pub fn history(policy: &CompiledPolicy, available: Available, t: &Ticket) -> History {
    if !available.resolved_tier && !available.escalated_at {
        return History::Unknown;
    }
    let resolved = t.resolved_at.is_some() || t.resolved_tier.is_some();
    let resolution_known = available.resolved_at || available.resolved_tier;
    if resolution_known && !resolved {
        return History::Unresolved;
    }
    let rank = t
        .resolved_tier
        .as_ref()
        .and_then(|tier| policy.routes.iter().position(|r| r == tier));
    History::Known {
        rank,
        escalated: t.escalated_at.is_some() || rank.is_some_and(|rank| rank > 0),
    }
}

/// How a decision compares with a ticket's known history (DESIGN §4). The report's counts,
/// sweep's figures and the `--decisions` verdict are all read from this one classification.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Agreement {
    /// Neither the policy nor history escalated.
    BothKept,
    /// History escalated; the policy keeps the ticket with the AI.
    MissedEscalation,
    /// The policy escalates; history did not, and the AI's resolution held.
    UnneededEscalation,
    /// The policy escalates; history did not, but the ticket was reopened: the AI's
    /// resolution did not hold, so escalating was not unneeded.
    EscalatedReopened,
    /// Both escalated. `fit` compares the policy's tier with the resolving tier, when history
    /// names a human one (`Less`: under-routed, `Greater`: over-routed).
    BothEscalated { fit: Option<Ordering> },
}

impl Agreement {
    /// Classify a decision (its route rank) against a known history: the rank of the
    /// resolving tier (when given) and whether the ticket was escalated ([`History::Known`]).
    pub fn of(
        decision_rank: usize,
        rank: Option<usize>,
        escalated: bool,
        reopened: Option<bool>,
    ) -> Self {
        match (decision_rank > 0, escalated) {
            (false, false) => Agreement::BothKept,
            (false, true) => Agreement::MissedEscalation,
            (true, false) if reopened == Some(true) => Agreement::EscalatedReopened,
            (true, false) => Agreement::UnneededEscalation,
            (true, true) => Agreement::BothEscalated {
                fit: rank.filter(|&r| r > 0).map(|r| decision_rank.cmp(&r)),
            },
        }
    }

    pub fn history_escalated(self) -> bool {
        matches!(
            self,
            Agreement::MissedEscalation | Agreement::BothEscalated { .. }
        )
    }

    pub fn policy_escalates(self) -> bool {
        matches!(
            self,
            Agreement::UnneededEscalation
                | Agreement::EscalatedReopened
                | Agreement::BothEscalated { .. }
        )
    }

    /// The policy's tier compared with the resolving human tier, when both escalated and
    /// history names one.
    pub fn fit(self) -> Option<Ordering> {
        match self {
            Agreement::BothEscalated { fit } => fit,
            _ => None,
        }
    }

    /// The ticket's verdict in the `--decisions` file.
    pub fn verdict(self) -> &'static str {
        match self {
            Agreement::MissedEscalation => "missed_escalation",
            Agreement::UnneededEscalation => "unneeded_escalation",
            Agreement::BothEscalated {
                fit: Some(Ordering::Less),
            } => "under_routed",
            Agreement::BothEscalated {
                fit: Some(Ordering::Greater),
            } => "over_routed",
            // Right tier, or escalated in history with no resolving tier to compare.
            Agreement::BothKept
            | Agreement::EscalatedReopened
            | Agreement::BothEscalated { .. } => "agree",
        }
    }
}

/// The counts behind the agreement rates, over the tickets whose history is known. Replay's
/// metrics and each value of a sweep count them the same way ([`AgreementCounts::add`]).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct AgreementCounts {
    pub history_escalated: u64,
    /// Escalated in history, kept with the AI by the policy.
    pub missed: u64,
    pub policy_escalated_known: u64,
    /// Escalated by the policy, not in history, and the AI's resolution held.
    pub unneeded: u64,
    /// Escalated by both, with a human resolving tier to compare.
    pub fit_known: u64,
    pub right_tier: u64,
    pub under_routed: u64,
    pub over_routed: u64,
}

impl AgreementCounts {
    pub fn add(&mut self, agreement: Agreement) {
        self.history_escalated += u64::from(agreement.history_escalated());
        self.policy_escalated_known += u64::from(agreement.policy_escalates());
        match agreement {
            Agreement::MissedEscalation => self.missed += 1,
            Agreement::UnneededEscalation => self.unneeded += 1,
            _ => {}
        }
        if let Some(fit) = agreement.fit() {
            self.fit_known += 1;
            match fit {
                Ordering::Equal => self.right_tier += 1,
                Ordering::Less => self.under_routed += 1,
                Ordering::Greater => self.over_routed += 1,
            }
        }
    }

    pub fn missed_escalation_rate(&self) -> Count {
        Count::new(self.missed, self.history_escalated)
    }

    pub fn unneeded_escalation_rate(&self) -> Count {
        Count::new(self.unneeded, self.policy_escalated_known)
    }

    /// Resolved at the first tier touched: routed to the resolving tier or above it.
    pub fn projected_fcr(&self) -> Count {
        Count::new(self.right_tier + self.over_routed, self.fit_known)
    }
}

/// The per-ticket agreement verdict of the `--decisions` file: which count of the report the
/// ticket lands in (`""` when the data has no history).
pub fn agreement_verdict(
    decision_rank: usize,
    history: History,
    reopened: Option<bool>,
) -> &'static str {
    match history {
        History::Unknown => "",
        History::Unresolved => "unresolved",
        History::Known { rank, escalated } => {
            Agreement::of(decision_rank, rank, escalated, reopened).verdict()
        }
    }
}

impl Available {
    pub fn of(layout: &Layout) -> Available {
        Available {
            resolved_tier: layout.has_field(Field::ResolvedTier),
            escalated_at: layout.has_field(Field::EscalatedAt),
            resolved_at: layout.has_field(Field::ResolvedAt),
            first_human_response_at: layout.has_field(Field::FirstHumanResponseAt),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every verdict lands in the count of the same name, and nowhere else.
    #[test]
    fn verdicts_and_counts_agree() {
        let reopened = Some(true);
        let cases = [
            // (policy rank, resolving rank, escalated in history, reopened) → verdict
            (0, None, false, None, "agree"),
            (0, Some(2), true, None, "missed_escalation"),
            (1, None, false, None, "unneeded_escalation"),
            (1, Some(0), false, reopened, "agree"),
            (1, Some(1), true, None, "agree"),
            (1, Some(2), true, None, "under_routed"),
            (2, Some(1), true, None, "over_routed"),
            (2, None, true, None, "agree"),
        ];
        for (policy, rank, escalated, reopened, verdict) in cases {
            let agreement = Agreement::of(policy, rank, escalated, reopened);
            assert_eq!(agreement.verdict(), verdict, "{agreement:?}");
            let mut counts = AgreementCounts::default();
            counts.add(agreement);
            assert_eq!(counts.history_escalated, u64::from(escalated));
            assert_eq!(counts.policy_escalated_known, u64::from(policy > 0));
            let counted = [
                ("missed_escalation", counts.missed),
                ("unneeded_escalation", counts.unneeded),
                ("under_routed", counts.under_routed),
                ("over_routed", counts.over_routed),
            ];
            for (name, count) in counted {
                assert_eq!(
                    count,
                    u64::from(name == verdict),
                    "{name} for {agreement:?}"
                );
            }
        }
        assert_eq!(
            agreement_verdict(1, History::Unresolved, None),
            "unresolved"
        );
        assert_eq!(agreement_verdict(1, History::Unknown, None), "");
    }
}
