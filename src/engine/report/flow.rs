//! The `flow` section of the replay report: the flow of history from `[events] stage`
//! (DESIGN §7), the baseline of where escalations go and wait today.

use serde::Serialize;

use super::measure::Rate;
use crate::engine::flow::FlowCollector;
use crate::engine::stats::{Count, Spread};

/// Paths listed, most common first.
pub const TOP_PATHS: usize = 10;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FlowSection {
    /// Tickets with at least one stage.
    pub tickets: u64,
    /// Hand-overs from one stage to the next, most frequent first.
    pub transitions: Vec<Transition>,
    /// Per stage: how long a stay lasted until the ticket moved on (a ticket's last stay has
    /// no end and is not counted), wall clock and business time of the policy's calendar.
    pub dwell: Vec<StageDwell>,
    /// Tickets that came back to a stage they had left.
    pub ping_pong: Rate,
    /// The most common paths (stages in order), with their tickets.
    pub paths: Vec<PathCount>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Transition {
    pub from: String,
    pub to: String,
    pub count: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StageDwell {
    pub stage: String,
    pub wall: Spread,
    pub business: Spread,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PathCount {
    pub path: Vec<String>,
    pub tickets: u64,
}

impl FlowSection {
    pub fn new(flow: &FlowCollector) -> FlowSection {
        let mut transitions: Vec<Transition> = flow
            .transitions
            .iter()
            .map(|((from, to), &count)| Transition {
                from: from.clone(),
                to: to.clone(),
                count,
            })
            .collect();
        transitions.sort_by(|a, b| {
            b.count
                .cmp(&a.count)
                .then_with(|| (&a.from, &a.to).cmp(&(&b.from, &b.to)))
        });
        let dwell = flow
            .dwell
            .iter()
            .map(|(stage, (wall, business))| StageDwell {
                stage: stage.clone(),
                wall: wall.spread(),
                business: business.spread(),
            })
            .collect();
        let mut paths: Vec<PathCount> = flow
            .paths
            .iter()
            .map(|(path, &tickets)| PathCount {
                path: path.clone(),
                tickets,
            })
            .collect();
        paths.sort_by(|a, b| b.tickets.cmp(&a.tickets).then_with(|| a.path.cmp(&b.path)));
        paths.truncate(TOP_PATHS);
        FlowSection {
            tickets: flow.tickets,
            transitions,
            dwell,
            ping_pong: Rate::of(Count::new(flow.ping_pong, flow.tickets)),
            paths,
        }
    }
}
