//! The policy: the file model with spans, its loader, and the compiled forms engines use.

pub mod calendar;
pub mod compare;
pub mod condition;
pub mod condition_diff;
mod de;
pub mod describe;
pub mod load;
pub mod model;
pub mod schema;
pub mod spanned;
pub mod staffing;
pub mod testfile;

pub use load::{LoadError, LoadedPolicy, load_file};
pub use model::Policy;
pub use spanned::{NamedMap, Spanned};

/// The route of a ticket that stays with the AI agent.
pub const AI: &str = "ai";

/// Priorities when a policy does not list its own, most urgent first.
pub const DEFAULT_PRIORITIES: [&str; 4] = ["urgent", "high", "normal", "low"];

impl Policy {
    /// Priority labels, most urgent first, normalised (trimmed, lower-case).
    pub fn priority_labels(&self) -> Vec<String> {
        match &self.priorities {
            Some(list) => list
                .value
                .iter()
                .map(|p| crate::text::normalize_label(&p.value))
                .collect(),
            None => DEFAULT_PRIORITIES.iter().map(|p| p.to_string()).collect(),
        }
    }

    /// Tier names in rank order, lowest first.
    pub fn tier_names(&self) -> Vec<&str> {
        self.tiers.keys().map(|k| k.value.as_str()).collect()
    }

    /// Rank of a route: `ai` is 0, tiers count from 1 in file order; unknown routes are `None`.
    pub fn rank(&self, route: &str) -> Option<usize> {
        if route == AI {
            return Some(0);
        }
        self.tiers
            .keys()
            .position(|k| k.value == route)
            .map(|i| i + 1)
    }

    /// The `default` route, `ai` when absent.
    pub fn default_route(&self) -> &str {
        self.default.as_ref().map_or(AI, |d| d.value.as_str())
    }

    /// Every team name and every person (member or lead) the policy defines.
    pub fn parties(&self) -> std::collections::BTreeSet<&str> {
        let mut parties = std::collections::BTreeSet::new();
        for (name, team) in self.teams.iter() {
            parties.insert(name.value.as_str());
            for member in &team.value.members {
                parties.insert(member.value.as_str());
            }
            if let Some(lead) = &team.value.lead {
                parties.insert(lead.value.as_str());
            }
        }
        parties
    }
}
