//! The state of one open ticket: one accumulator per folded field.
//!
//! `first`, `last`, `min`, `max`, `count` and `any` hold one value each, whatever the number of
//! events; `count_distinct` holds the distinct values, `changes` and `join` the values in the
//! order of their events (they need it when events come out of time order), until the ticket is
//! complete.

use std::collections::HashSet;

use jiff::Timestamp;

use super::spec::FoldKind;
use crate::tickets::value::{TimestampParser, parse_number};

/// Where an event falls in its ticket: its time (when `[events] time` is given), then its
/// position in the file.
pub type Order = (Option<Timestamp>, u64);

/// A value `min` and `max` can compare.
#[derive(Debug, Clone, Copy, PartialEq, PartialOrd)]
pub enum Comparable {
    Number(f64),
    Time(Timestamp),
}

#[derive(Debug, Clone)]
pub enum State {
    /// `first` (`latest` false) or `last`.
    Pick {
        latest: bool,
        at: Option<Order>,
        value: String,
    },
    /// `min` (`largest` false) or `max`.
    Extreme {
        largest: bool,
        best: Option<(Comparable, Order)>,
        value: String,
    },
    Count(u64),
    Distinct(HashSet<String>),
    /// The values in event order: the distinct values back to back in `values`, their ends in
    /// `ends`, and an index into `ends` per event (no allocation per event or per value once
    /// the buffers have grown).
    Changes {
        events: Vec<(Order, u32)>,
        values: String,
        ends: Vec<usize>,
    },
    /// The values back to back in `text`, and where each event's lies.
    Join {
        parts: Vec<(Order, usize, usize)>,
        text: String,
    },
    Any(bool),
}

impl State {
    pub fn new(kind: FoldKind) -> State {
        match kind {
            FoldKind::First | FoldKind::Last => State::Pick {
                latest: kind == FoldKind::Last,
                at: None,
                value: String::new(),
            },
            FoldKind::Min | FoldKind::Max => State::Extreme {
                largest: kind == FoldKind::Max,
                best: None,
                value: String::new(),
            },
            FoldKind::Count => State::Count(0),
            FoldKind::CountDistinct => State::Distinct(HashSet::new()),
            FoldKind::Changes => State::Changes {
                events: Vec::new(),
                values: String::new(),
                ends: Vec::new(),
            },
            FoldKind::Join => State::Join {
                parts: Vec::new(),
                text: String::new(),
            },
            FoldKind::Any => State::Any(false),
        }
    }

    /// Forget every event, keeping the buffers.
    pub fn reset(&mut self) {
        match self {
            State::Pick { at, value, .. } => {
                *at = None;
                value.clear();
            }
            State::Extreme { best, value, .. } => {
                *best = None;
                value.clear();
            }
            State::Count(n) => *n = 0,
            State::Distinct(set) => set.clear(),
            State::Changes {
                events,
                values,
                ends,
            } => {
                events.clear();
                values.clear();
                ends.clear();
            }
            State::Join { parts, text } => {
                parts.clear();
                text.clear();
            }
            State::Any(any) => *any = false,
        }
    }

    /// Add one event's value (trimmed; `na` already made empty) at `order`.
    ///
    /// Inlined into the fold's loop for the folds most events meet (`first`, `last`,
    /// `count`, `any`: a comparison or an increment, where the call cost as much); the others
    /// in [`State::add_other`].
    #[inline]
    pub fn add(&mut self, order: Order, text: &str, timestamps: &TimestampParser) {
        if text.is_empty() {
            return;
        }
        match self {
            State::Pick { latest, at, value } => {
                let better = match at {
                    None => true,
                    Some(seen) if *latest => order > *seen,
                    Some(seen) => order < *seen,
                };
                if better {
                    *at = Some(order);
                    value.clear();
                    value.push_str(text);
                }
            }
            State::Count(n) => *n += 1,
            State::Any(any) => *any = true,
            _ => self.add_other(order, text, timestamps),
        }
    }

    /// [`State::add`] of a non-empty value to the folds it does not inline.
    #[inline(never)]
    fn add_other(&mut self, order: Order, text: &str, timestamps: &TimestampParser) {
        match self {
            State::Pick { .. } | State::Count(_) | State::Any(_) => {}
            State::Extreme {
                largest,
                best,
                value,
            } => {
                // The same text as the value kept (a column repeated on every update row):
                // an equal value, so only the earlier event can matter; no need to parse it.
                if let Some((_, seen_at)) = best {
                    if text == value.as_str() {
                        if order < *seen_at {
                            *seen_at = order;
                        }
                        return;
                    }
                }
                let Some(candidate) = comparable(text, timestamps) else {
                    return;
                };
                let better = match best {
                    None => true,
                    Some((seen, seen_at)) => {
                        let same_kind =
                            std::mem::discriminant(seen) == std::mem::discriminant(&candidate);
                        same_kind
                            && match candidate.partial_cmp(seen) {
                                Some(std::cmp::Ordering::Greater) => *largest,
                                Some(std::cmp::Ordering::Less) => !*largest,
                                // Equal values: the earlier event's spelling.
                                _ => order < *seen_at,
                            }
                    }
                };
                if better {
                    *best = Some((candidate, order));
                    value.clear();
                    value.push_str(text);
                }
            }
            State::Distinct(set) => {
                if !set.contains(text) {
                    set.insert(text.to_string());
                }
            }
            State::Changes {
                events,
                values,
                ends,
            } => {
                let mut start = 0;
                let mut index = None;
                for (i, &end) in ends.iter().enumerate() {
                    if values.get(start..end) == Some(text) {
                        index = Some(i);
                        break;
                    }
                    start = end;
                }
                let index = index.unwrap_or_else(|| {
                    values.push_str(text);
                    ends.push(values.len());
                    ends.len() - 1
                });
                events.push((order, u32::try_from(index).unwrap_or(u32::MAX)));
            }
            State::Join { parts, text: all } => {
                let start = all.len();
                all.push_str(text);
                parts.push((order, start, all.len()));
            }
        }
    }

    /// The folded value when it is one of the values folded (`first`, `last`, `min`,
    /// `max`): what [`State::finish`] writes, without copying it.
    pub fn picked(&self) -> Option<&str> {
        match self {
            State::Pick { value, .. } | State::Extreme { value, .. } => Some(value),
            _ => None,
        }
    }

    /// The folded value, as the synthetic record holds it.
    pub fn finish(&mut self, out: &mut String) {
        use std::fmt::Write;
        out.clear();
        match self {
            State::Pick { value, .. } | State::Extreme { value, .. } => out.push_str(value),
            State::Count(n) => {
                let _ = write!(out, "{n}");
            }
            State::Distinct(set) => {
                let _ = write!(out, "{}", set.len());
            }
            State::Changes { events, .. } => {
                events.sort_by_key(|&(order, _)| order);
                let changes = events.windows(2).filter(|w| w[0].1 != w[1].1).count();
                let _ = write!(out, "{changes}");
            }
            State::Join { parts, text } => {
                parts.sort_by_key(|&(order, _, _)| order);
                for (i, &(_, start, end)) in parts.iter().enumerate() {
                    if i > 0 {
                        // A line break: keywords never match across two messages.
                        out.push('\n');
                    }
                    out.push_str(text.get(start..end).unwrap_or_default());
                }
            }
            State::Any(any) => out.push_str(if *any { "true" } else { "false" }),
        }
    }
}

fn comparable(text: &str, timestamps: &TimestampParser) -> Option<Comparable> {
    if let Some(n) = parse_number(text) {
        return Some(Comparable::Number(n));
    }
    timestamps.parse(text).map(Comparable::Time)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fold(kind: FoldKind, events: &[(i64, &str)]) -> String {
        let parser = TimestampParser::new(None, jiff::tz::TimeZone::UTC);
        let mut state = State::new(kind);
        for (seq, (second, text)) in events.iter().enumerate() {
            let at = Timestamp::from_second(*second).ok();
            state.add((at, seq as u64), text, &parser);
        }
        let mut out = String::new();
        state.finish(&mut out);
        out
    }

    #[test]
    fn folds_follow_event_time_and_keep_file_order_on_ties() {
        let events = [(30, "b"), (10, "a"), (30, "c"), (20, ""), (20, "a")];
        assert_eq!(fold(FoldKind::First, &events), "a");
        assert_eq!(fold(FoldKind::Last, &events), "c");
        assert_eq!(fold(FoldKind::Count, &events), "4");
        assert_eq!(fold(FoldKind::CountDistinct, &events), "3");
        // In time order: a, a, b, c.
        assert_eq!(fold(FoldKind::Changes, &events), "2");
        assert_eq!(fold(FoldKind::Join, &events), "a\na\nb\nc");
        assert_eq!(fold(FoldKind::Any, &events), "true");
        assert_eq!(fold(FoldKind::Any, &[(1, "")]), "false");
    }

    #[test]
    fn min_and_max_compare_numbers_and_timestamps() {
        let numbers = [(1, "10"), (2, "9.5"), (3, "x"), (4, "100")];
        assert_eq!(fold(FoldKind::Min, &numbers), "9.5");
        assert_eq!(fold(FoldKind::Max, &numbers), "100");
        let times = [(1, "2026-01-02 10:00"), (2, "2026-01-01 09:00")];
        assert_eq!(fold(FoldKind::Min, &times), "2026-01-01 09:00");
        assert_eq!(fold(FoldKind::Max, &times), "2026-01-02 10:00");
    }

    #[test]
    fn equal_values_keep_the_earliest_spelling_whether_or_not_the_text_repeats() {
        // In time order: "1.0" (20), "1" (25), "1.0" (30): the earliest spelling of the
        // largest value is "1.0", though its first row in the file is the latest.
        let events = [(30, "1.0"), (20, "1.0"), (25, "1")];
        assert_eq!(fold(FoldKind::Max, &events), "1.0");
        assert_eq!(fold(FoldKind::Min, &events), "1.0");
        let events = [(30, "1.0"), (10, "1"), (20, "1.0")];
        assert_eq!(fold(FoldKind::Max, &events), "1");
    }

    #[test]
    fn a_reset_state_folds_the_next_ticket_from_scratch() {
        let parser = TimestampParser::new(None, jiff::tz::TimeZone::UTC);
        let mut out = String::new();
        for kind in FoldKind::ALL {
            let mut state = State::new(kind);
            let first = [(3, "c"), (1, "a"), (2, "b")];
            let second = [(2, "y"), (1, "x"), (3, "x")];
            let mut results = Vec::new();
            for events in [&first, &second] {
                state.reset();
                for (seq, (second, text)) in events.iter().enumerate() {
                    let at = Timestamp::from_second(*second).ok();
                    state.add((at, seq as u64), text, &parser);
                }
                state.finish(&mut out);
                results.push(out.clone());
            }
            let fresh = fold(kind, &second);
            assert_eq!(results[1], fresh, "{}", kind.name());
        }
        let mut join = State::new(FoldKind::Join);
        join.add((None, 1), "only", &parser);
        join.finish(&mut out);
        assert_eq!(out, "only");
    }
}
