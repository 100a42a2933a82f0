//! The `load` section: tickets per route by hour of the week of `created_at`, on the policy
//! calendar's clock, and the days they arrived over. The HTML page draws it as a heatmap; the
//! headline divides it into tickets per tier per day.

use std::collections::BTreeMap;

use serde::Serialize;

use super::measure::{Measure, Missing};
use crate::engine::eval::CompiledPolicy;
use crate::engine::load::{HOURS_PER_WEEK, Load as LoadTally};
use crate::tickets::Layout;

/// Tickets by hour of the week per route (needs `created_at`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Load {
    /// The IANA zone whose clock the hours are read on (the policy calendar's).
    pub timezone: String,
    /// Tickets with a `created_at`.
    pub tickets: u64,
    /// Calendar days from the first to the last `created_at`, both counted.
    pub days: u64,
    /// The first and last day (`YYYY-MM-DD`); absent without tickets.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub first_day: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_day: Option<String>,
    /// Per route (`ai` too): 7 rows, Monday first, of 24 hourly counts (00:00–01:00 first).
    pub by_tier: BTreeMap<String, Vec<Vec<u64>>>,
}

impl Load {
    /// The section for `tally`, n/a when the data has no `created_at`.
    pub fn build(policy: &CompiledPolicy, layout: &Layout, tally: &LoadTally) -> Measure<Load> {
        if !layout.has("created_at") {
            return Measure::NotAvailable(Missing::of(&["created_at"]));
        }
        let calendar = &policy.calendar;
        let day = |t: Option<jiff::Timestamp>| {
            t.map(|t| calendar.timezone.to_datetime(t).date().to_string())
        };
        let by_tier = policy
            .routes
            .iter()
            .enumerate()
            .map(|(rank, route)| {
                let row = tally
                    .by_route
                    .get(rank)
                    .cloned()
                    .unwrap_or_else(|| vec![0; HOURS_PER_WEEK]);
                (route.clone(), row.chunks(24).map(<[u64]>::to_vec).collect())
            })
            .collect();
        Measure::Known(Load {
            timezone: calendar.timezone_name.clone(),
            tickets: tally.by_route.iter().flatten().sum(),
            days: tally.days(calendar),
            first_day: day(tally.first),
            last_day: day(tally.last),
            by_tier,
        })
    }

    /// A route's tickets, all hours together.
    pub fn tickets_of(&self, route: &str) -> u64 {
        self.by_tier
            .get(route)
            .map_or(0, |week| week.iter().flatten().sum())
    }
}
