//! Staffing files (`handoff replay --staffing FILE`): per tier, the agents answering tickets and
//! the time one ticket takes them.
//!
//! ```yaml
//! L1: { agents: 4, handling_time: 12m }
//! L2:
//!   agents: { "mon-fri 09:00-18:00": 3, other: 1 }   # by window of the week, else `other`
//!   handling_time: 30m
//! ```
//!
//! Windows are days (`mon-fri`, `sat,sun`, as in the policy's calendar) and optionally whole-hour
//! ranges, read in the policy's time zone; hours no window names have `other` agents, or none.
//! The file compiles into agents per hour of the week ([`Staffing`]).

use std::fmt;
use std::path::Path;

use serde::Deserialize;
use serde::de::{Deserializer, MapAccess, Visitor};

use super::calendar::{DAY_NAMES, parse_days, parse_ranges};
use super::load::{did_you_mean, load_yaml_file};
use super::spanned::{NamedMap, Spanned};
use crate::calendar::duration::{PolicyDuration, parse_duration};
use crate::diag::Span;

/// Hours in a week: the slots of [`TierStaffing::agents`] (0 = Monday 00:00–01:00).
pub const HOURS_OF_WEEK: usize = 168;

/// The most agents one hour may have.
pub const MAX_AGENTS: u32 = 10_000;

/// A staffing file as written.
#[derive(Debug, Clone, Deserialize)]
#[serde(transparent)]
pub struct StaffingFile(pub NamedMap<Spanned<TierEntry>>);

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TierEntry {
    pub agents: Spanned<Agents>,
    pub handling_time: Spanned<String>,
}

/// `agents: 4`, or agents by window of the week.
#[derive(Debug, Clone, PartialEq)]
pub enum Agents {
    Fixed(u64),
    ByWindow(Vec<(Spanned<String>, Spanned<u64>)>),
}

impl<'de> Deserialize<'de> for Agents {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct AgentsVisitor;
        impl<'de> Visitor<'de> for AgentsVisitor {
            type Value = Agents;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a number of agents, or a mapping of windows to numbers of agents")
            }
            fn visit_u64<E: serde::de::Error>(self, n: u64) -> Result<Agents, E> {
                Ok(Agents::Fixed(n))
            }
            fn visit_i64<E: serde::de::Error>(self, n: i64) -> Result<Agents, E> {
                u64::try_from(n).map(Agents::Fixed).map_err(|_| {
                    E::invalid_value(serde::de::Unexpected::Signed(n), &"a number of agents")
                })
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Agents, A::Error> {
                let mut windows = Vec::new();
                while let Some(key) = map.next_key::<Spanned<String>>()? {
                    windows.push((key, map.next_value::<Spanned<u64>>()?));
                }
                Ok(Agents::ByWindow(windows))
            }
        }
        deserializer.deserialize_any(AgentsVisitor)
    }
}

/// A staffing file compiled against a policy's tiers.
#[derive(Debug, Clone, PartialEq)]
pub struct Staffing {
    /// In the order of the policy's tiers.
    pub tiers: Vec<TierStaffing>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct TierStaffing {
    pub tier: String,
    /// Seconds one agent spends on one ticket.
    pub handling_seconds: u64,
    /// Agents per hour of the week in the policy's time zone ([`HOURS_OF_WEEK`] slots).
    pub agents: Vec<u32>,
}

/// Why a staffing file cannot be used: `file:line:col: message (help)`.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{0}")]
pub struct StaffingError(pub String);

/// Read and compile a staffing file for a policy with these tiers (in rank order).
pub fn load_staffing(path: &Path, tiers: &[String]) -> Result<Staffing, StaffingError> {
    let file: StaffingFile = load_yaml_file(path).map_err(StaffingError)?;
    compile(&file, tiers).map_err(|(span, message, help)| {
        let place = if span.is_known() {
            format!("{}:{}:{}", path.display(), span.line, span.column)
        } else {
            path.display().to_string()
        };
        StaffingError(format!("{place}: {message} ({help})"))
    })
}

type Problem = (Span, String, String);

fn problem(span: Span, message: impl Into<String>, help: impl Into<String>) -> Problem {
    (span, message.into(), help.into())
}

/// Compile a staffing file against the policy's tiers (the first problem stops it).
pub fn compile(file: &StaffingFile, tiers: &[String]) -> Result<Staffing, Problem> {
    let mut compiled: Vec<(usize, TierStaffing)> = Vec::new();
    for (name, entry) in file.0.iter() {
        let Some(rank) = tiers.iter().position(|t| *t == name.value) else {
            let candidates: Vec<&str> = tiers.iter().map(String::as_str).collect();
            let help = match did_you_mean(&name.value, &candidates) {
                Some(best) => format!("did you mean `{best}`?"),
                None if name.value == super::AI => {
                    "the AI has no agents to staff; name the policy's tiers".to_string()
                }
                None => format!("the policy's tiers are: {}", tiers.join(", ")),
            };
            return Err(problem(
                name.span,
                format!("`{}` is not a tier of the policy", name.value),
                help,
            ));
        };
        let handling = &entry.value.handling_time;
        let handling_seconds = match parse_duration(&handling.value) {
            Ok(PolicyDuration::Seconds(s)) => s,
            Ok(PolicyDuration::BusinessDays(_)) => {
                return Err(problem(
                    handling.span,
                    format!("handling time `{}` is in working days", handling.value),
                    "give the time one agent spends on one ticket, e.g. `12m` or `1h30m`",
                ));
            }
            Err(e) => return Err(problem(handling.span, e.to_string(), e.help())),
        };
        let agents = agents_by_hour(&entry.value.agents)?;
        compiled.push((
            rank,
            TierStaffing {
                tier: name.value.clone(),
                handling_seconds,
                agents,
            },
        ));
    }
    compiled.sort_by_key(|(rank, _)| *rank);
    Ok(Staffing {
        tiers: compiled.into_iter().map(|(_, t)| t).collect(),
    })
}

fn count(value: &Spanned<u64>) -> Result<u32, Problem> {
    u32::try_from(value.value)
        .ok()
        .filter(|&n| n <= MAX_AGENTS)
        .ok_or_else(|| {
            problem(
                value.span,
                format!("{} agents is more than handoff models", value.value),
                format!("give at most {MAX_AGENTS} agents per hour"),
            )
        })
}

/// Agents per hour of the week.
fn agents_by_hour(agents: &Spanned<Agents>) -> Result<Vec<u32>, Problem> {
    let windows = match &agents.value {
        Agents::Fixed(n) => {
            let n = count(&Spanned::new(*n, agents.span))?;
            return Ok(vec![n; HOURS_OF_WEEK]);
        }
        Agents::ByWindow(windows) => windows,
    };
    if windows.is_empty() {
        return Err(problem(
            agents.span,
            "`agents` names no window",
            "give a number (`agents: 4`) or windows (`agents: { \"mon-fri 09:00-18:00\": 3, other: 1 }`)",
        ));
    }
    let mut slots: Vec<Option<(u32, Span)>> = vec![None; HOURS_OF_WEEK];
    let mut other = None;
    for (key, value) in windows {
        let n = count(value)?;
        if key.value.trim().eq_ignore_ascii_case("other") {
            other = Some(n);
            continue;
        }
        for slot in window_slots(key)? {
            if let Some((_, first)) = slots[slot] {
                return Err(problem(
                    key.span,
                    format!(
                        "window `{}` overlaps the window on line {} ({} {:02}:00)",
                        key.value,
                        first.line,
                        DAY_NAMES[slot / 24],
                        slot % 24
                    ),
                    "give each hour of the week its agents once",
                ));
            }
            slots[slot] = Some((n, key.span));
        }
    }
    Ok(slots
        .into_iter()
        .map(|slot| slot.map_or(other.unwrap_or(0), |(n, _)| n))
        .collect())
}

/// The hours of the week a window key names: `mon-fri 09:00-18:00`, `sat`, `sat,sun 10:00-14:00`.
fn window_slots(key: &Spanned<String>) -> Result<Vec<usize>, Problem> {
    let text = key.value.trim();
    let (days, hours) = text.split_once(char::is_whitespace).unwrap_or((text, ""));
    let bad = |message: String| {
        problem(
            key.span,
            message,
            "name windows like `mon-fri 09:00-18:00` or `sat,sun`, and `other` for every hour no window names",
        )
    };
    let days = parse_days(days).map_err(bad)?;
    let hours = hours.trim();
    let ranges = if hours.is_empty() {
        vec![(0, 86_400)]
    } else {
        parse_ranges(hours).map_err(bad)?
    };
    if ranges.is_empty() {
        return Err(bad(format!("window `{text}` has no hours")));
    }
    if ranges.iter().any(|(s, e)| s % 3600 != 0 || e % 3600 != 0) {
        return Err(problem(
            key.span,
            format!("window `{text}` does not start and end on the hour"),
            "the capacity model is hourly: write whole hours, e.g. `09:00-18:00`",
        ));
    }
    let mut slots = Vec::new();
    for day in days {
        for &(start, end) in &ranges {
            slots.extend((start / 3600..end / 3600).map(|h| day * 24 + h as usize));
        }
    }
    Ok(slots)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load(yaml: &str) -> Result<Staffing, StaffingError> {
        let dir = tempfile::tempdir().map_err(|e| StaffingError(e.to_string()))?;
        let path = dir.path().join("staffing.yaml");
        std::fs::write(&path, yaml).map_err(|e| StaffingError(e.to_string()))?;
        let tiers = ["L1".to_string(), "L2".to_string(), "L3".to_string()];
        load_staffing(&path, &tiers)
            .map_err(|e| StaffingError(e.0.replace(&path.display().to_string(), "staffing.yaml")))
    }

    #[test]
    fn minimal_form() {
        let staffing = load("L1: { agents: 4, handling_time: 12m }\n").unwrap();
        assert_eq!(staffing.tiers.len(), 1);
        assert_eq!(staffing.tiers[0].tier, "L1");
        assert_eq!(staffing.tiers[0].handling_seconds, 720);
        assert!(staffing.tiers[0].agents.iter().all(|&n| n == 4));
    }

    #[test]
    fn windows_and_other() {
        let staffing = load(
            "L2:\n  agents: { \"mon-fri 09:00-18:00\": 3, sat: 2, other: 1 }\n  handling_time: 30m\nL1: { agents: 1, handling_time: 1h }\n",
        )
        .unwrap();
        // Tiers come in the policy's order.
        assert_eq!(staffing.tiers[0].tier, "L1");
        let agents = &staffing.tiers[1].agents;
        assert_eq!(agents[8], 1); // mon 08:00
        assert_eq!(agents[9], 3); // mon 09:00
        assert_eq!(agents[17], 3); // mon 17:00
        assert_eq!(agents[18], 1); // mon 18:00
        assert_eq!(agents[4 * 24 + 10], 3); // fri 10:00
        assert_eq!(agents[5 * 24], 2); // sat 00:00
        assert_eq!(agents[6 * 24 + 12], 1); // sun 12:00
        // Without `other`, unnamed hours have no agents.
        let staffing =
            load("L1: { agents: { \"mon 09:00-10:00\": 2 }, handling_time: 5m }\n").unwrap();
        assert_eq!(staffing.tiers[0].agents.iter().sum::<u32>(), 2);
    }

    #[test]
    fn bad_files_say_where() {
        let cases = [
            (
                "L1: { agents: 4, handling_tme: 12m }\n",
                "staffing.yaml:1:18: unknown field `handling_tme` (did you mean `handling_time`?)",
            ),
            (
                "L4: { agents: 4, handling_time: 12m }\n",
                "staffing.yaml:1:1: `L4` is not a tier of the policy (the policy's tiers are: L1, L2, L3)",
            ),
            (
                "L1: { agents: 4, handling_time: 2bd }\n",
                "staffing.yaml:1:33: handling time `2bd` is in working days",
            ),
            (
                "L1: { agents: 4, handling_time: 12 }\n",
                "staffing.yaml:1:33: `12` has no unit",
            ),
            (
                "L1: { agents: -1, handling_time: 5m }\n",
                "staffing.yaml:1:",
            ),
            (
                "L1: { agents: { \"mon-fry 09:00-18:00\": 3 }, handling_time: 5m }\n",
                "staffing.yaml:1:17: `fry` is not a day",
            ),
            (
                "L1: { agents: { \"mon-fri 09:30-18:00\": 3 }, handling_time: 5m }\n",
                "staffing.yaml:1:17: window `mon-fri 09:30-18:00` does not start and end on the hour",
            ),
            (
                "L1:\n  agents: { mon-fri: 3, \"fri 09:00-10:00\": 1 }\n  handling_time: 5m\n",
                "staffing.yaml:2:25: window `fri 09:00-10:00` overlaps the window on line 2 (fri 09:00)",
            ),
            ("L1: { agents: 4, handling_time: 5m\n", "staffing.yaml:"),
            ("# nothing\n", "staffing.yaml: the file is empty"),
        ];
        for (yaml, expected) in cases {
            let error = load(yaml).unwrap_err().0;
            assert!(error.starts_with(expected), "{yaml}: {error}");
        }
    }
}
