//! The stages a ticket went through (`[events] stage`), for the flow of history: each stay at
//! a stage with the time the ticket entered it. The folder hands every complete ticket's stays
//! to a [`FlowSink`] (the replay's flow collector), so a ticket's stages are kept only while
//! it is open.

use jiff::Timestamp;

use super::fold::Order;

/// One stay of a ticket at a stage: consecutive events at the same stage.
#[derive(Debug, Clone, PartialEq)]
pub struct Visit {
    pub stage: String,
    /// When the ticket entered the stage (`None` without `[events] time`).
    pub entered: Option<Timestamp>,
}

/// Where the stays of every complete ticket go.
pub trait FlowSink: Send {
    fn ticket(&mut self, visits: &[Visit]);
}

/// A ticket's stays, from its events' stages (in any order): sorted by event order, runs of
/// the same stage joined.
pub fn visits(stages: &mut [(Order, String)], out: &mut Vec<Visit>) {
    out.clear();
    stages.sort_by_key(|(order, _)| *order);
    for (order, stage) in stages.iter() {
        if out.last().is_some_and(|last| last.stage == *stage) {
            continue;
        }
        out.push(Visit {
            stage: stage.clone(),
            entered: order.0,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stays_join_runs_of_a_stage_in_time_order() {
        let at = |s: i64| Timestamp::from_second(s).ok();
        let mut stages = vec![
            ((at(30), 1), "L2".to_string()),
            ((at(10), 2), "L1".to_string()),
            ((at(20), 3), "L1".to_string()),
            ((at(40), 4), "L1".to_string()),
        ];
        let mut out = Vec::new();
        visits(&mut stages, &mut out);
        let got: Vec<(&str, Option<Timestamp>)> =
            out.iter().map(|v| (v.stage.as_str(), v.entered)).collect();
        assert_eq!(got, [("L1", at(10)), ("L2", at(30)), ("L1", at(40))]);
    }
}
