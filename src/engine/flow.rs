//! The flow of history (DESIGN §7): where tickets went and how long they waited, from the
//! stages of their events. Collected from each complete ticket's stays
//! ([`crate::tickets::events::Visit`]), in memory that grows with the stages and paths, not
//! with the tickets.

use std::collections::{BTreeMap, HashMap};

use crate::calendar::BusinessCalendar;
use crate::engine::stats::Durations;
use crate::tickets::events::{FlowSink, Visit};

/// Distinct paths counted one by one; later new paths are counted together (a ticket's path
/// is its stages in order, so real exports have few).
const MAX_PATHS: usize = 100_000;

/// The flow of every ticket read so far.
#[derive(Debug, Clone)]
pub struct FlowCollector {
    calendar: BusinessCalendar,
    /// Tickets with at least one stage.
    pub tickets: u64,
    /// (from, to) → hand-overs.
    pub transitions: BTreeMap<(String, String), u64>,
    /// Per stage: wall and business seconds of each stay that ended (the last stay of a
    /// ticket has no end).
    pub dwell: BTreeMap<String, (Durations, Durations)>,
    /// Tickets that came back to a stage they had left.
    pub ping_pong: u64,
    pub paths: HashMap<Vec<String>, u64>,
    /// Tickets whose path came after [`MAX_PATHS`] others.
    pub other_paths: u64,
}

impl FlowCollector {
    pub fn new(calendar: BusinessCalendar) -> FlowCollector {
        FlowCollector {
            calendar,
            tickets: 0,
            transitions: BTreeMap::new(),
            dwell: BTreeMap::new(),
            ping_pong: 0,
            paths: HashMap::new(),
            other_paths: 0,
        }
    }
}

impl FlowSink for FlowCollector {
    fn ticket(&mut self, visits: &[Visit]) {
        if visits.is_empty() {
            return;
        }
        self.tickets += 1;
        for pair in visits.windows(2) {
            let (from, to) = (&pair[0], &pair[1]);
            *self
                .transitions
                .entry((from.stage.clone(), to.stage.clone()))
                .or_default() += 1;
            if let (Some(start), Some(end)) = (from.entered, to.entered) {
                let (wall, business) = self.dwell.entry(from.stage.clone()).or_default();
                wall.record(end.as_second() - start.as_second());
                business.record(self.calendar.elapsed(start, end));
            }
        }
        let returned = visits
            .iter()
            .enumerate()
            .any(|(i, v)| visits[..i].iter().any(|earlier| earlier.stage == v.stage));
        if returned {
            self.ping_pong += 1;
        }
        let path: Vec<String> = visits.iter().map(|v| v.stage.clone()).collect();
        if let Some(count) = self.paths.get_mut(&path) {
            *count += 1;
        } else if self.paths.len() < MAX_PATHS {
            self.paths.insert(path, 1);
        } else {
            self.other_paths += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::Timestamp;

    fn visit(stage: &str, at: &str) -> Visit {
        Visit {
            stage: stage.into(),
            entered: Some(at.parse::<Timestamp>().unwrap()),
        }
    }

    #[test]
    fn transitions_dwell_and_ping_pong_of_one_ticket() {
        let mut flow = FlowCollector::new(BusinessCalendar::around_the_clock());
        flow.ticket(&[
            visit("L1", "2026-03-02T09:00:00Z"),
            visit("L2", "2026-03-02T09:30:00Z"),
            visit("L1", "2026-03-02T11:30:00Z"),
        ]);
        assert_eq!(flow.tickets, 1);
        assert_eq!(flow.ping_pong, 1);
        let transitions: Vec<(&str, &str, u64)> = flow
            .transitions
            .iter()
            .map(|((a, b), n)| (a.as_str(), b.as_str(), *n))
            .collect();
        assert_eq!(transitions, [("L1", "L2", 1), ("L2", "L1", 1)]);
        let (wall, business) = &flow.dwell["L2"];
        assert_eq!(
            (wall.percentile(1, 2), business.percentile(1, 2)),
            (Some(7200), Some(7200))
        );
        // The last stay (back at L1) has no end: only the first L1 stay is counted.
        assert_eq!(flow.dwell["L1"].0.len(), 1);
    }
}
