//! SLA clocks of a decided ticket (DESIGN §4): the targets its tier sets for its priority,
//! what stops each clock, and where a clock stands. Replay's metrics, sweep, diff, the
//! `--decisions` file and explain all judge clocks here, so they cannot disagree.

use jiff::Timestamp;

use crate::calendar::BusinessCalendar;
use crate::calendar::duration::PolicyDuration;
use crate::tickets::Ticket;

/// The two SLA clocks.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum Target {
    FirstResponse,
    Resolution,
}

impl Target {
    pub const ALL: [Target; 2] = [Target::FirstResponse, Target::Resolution];

    pub fn name(self) -> &'static str {
        match self {
            Target::FirstResponse => "first_response",
            Target::Resolution => "resolution",
        }
    }

    /// When the ticket stopped this clock. A ticket resolved without any human reply stops
    /// its first-response clock at resolution: it is not an open, unanswered ticket.
    pub fn stopped_at(self, t: &Ticket) -> Option<Timestamp> {
        match self {
            Target::FirstResponse => t.first_human_response_at.or(t.resolved_at),
            Target::Resolution => t.resolved_at,
        }
    }
}

/// A tier's SLA targets for one priority, in business time.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct SlaTargets {
    pub first_response: Option<PolicyDuration>,
    pub resolution: Option<PolicyDuration>,
}

impl SlaTargets {
    pub fn get(&self, target: Target) -> Option<PolicyDuration> {
        match target {
            Target::FirstResponse => self.first_response,
            Target::Resolution => self.resolution,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.first_response.is_none() && self.resolution.is_none()
    }
}

/// Where one SLA clock stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Clock {
    /// The due time lies past the calendar's reach: not judged.
    Unreachable,
    /// Stopped before it started (the data contradicts itself): excluded.
    StoppedBeforeStart,
    Met,
    /// Stopped this many (wall-clock) seconds after the due time.
    Breached {
        overshoot: i64,
    },
    /// Still running: breached if `--as-of` lies past `due`.
    Open {
        due: Timestamp,
    },
}

/// Where a clock stands that started at `start` with `budget` of business time and was stopped
/// at `stopped` (if at all).
pub fn clock(
    calendar: &BusinessCalendar,
    start: Timestamp,
    budget: PolicyDuration,
    stopped: Option<Timestamp>,
) -> Clock {
    judge(start, calendar.add(start, budget), stopped)
}

/// [`clock`] with its due time already computed (`None`: past the calendar's reach).
pub fn judge(start: Timestamp, due: Option<Timestamp>, stopped: Option<Timestamp>) -> Clock {
    let Some(due) = due else {
        return Clock::Unreachable;
    };
    match stopped {
        Some(done) if done < start => Clock::StoppedBeforeStart,
        Some(done) if done <= due => Clock::Met,
        Some(done) => Clock::Breached {
            overshoot: done.as_second() - due.as_second(),
        },
        None => Clock::Open { due },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_clock_by_when_it_stopped() {
        let calendar = BusinessCalendar::around_the_clock();
        let start: Timestamp = "2026-01-05T10:00:00Z".parse().unwrap();
        let hour = PolicyDuration::Seconds(3600);
        let at = |text: &str| Some(text.parse::<Timestamp>().unwrap());
        assert_eq!(
            clock(&calendar, start, hour, at("2026-01-05T09:00:00Z")),
            Clock::StoppedBeforeStart
        );
        assert_eq!(
            clock(&calendar, start, hour, at("2026-01-05T11:00:00Z")),
            Clock::Met
        );
        assert_eq!(
            clock(&calendar, start, hour, at("2026-01-05T11:00:30Z")),
            Clock::Breached { overshoot: 30 }
        );
        assert_eq!(
            clock(&calendar, start, hour, None),
            Clock::Open {
                due: "2026-01-05T11:00:00Z".parse().unwrap()
            }
        );
    }
}
