//! What a sample of values says about one column: how many are numbers, fractions, booleans,
//! timestamps of each shape, placeholders; its distinct values.

use std::collections::BTreeMap;

use super::super::value::{TimestampParser, parse_bool, parse_number, trim};
use crate::fields::Field;

/// Distinct values listed for a label column.
pub(super) const LABELS_SHOWN: usize = 12;
/// Placeholders that often mean "empty" in exports.
pub(super) const NA_CANDIDATES: [&str; 9] =
    ["?", "N/A", "NA", "n/a", "-", "NULL", "null", "none", "None"];

/// Timestamp shapes tried, in order: `None` is handoff's default (RFC 3339 or
/// `YYYY-MM-DD[ T]HH:MM[:SS]`).
pub(super) const TIME_FORMATS: [Option<&str>; 12] = [
    None,
    Some("%Y-%m-%dT%H:%M:%S%.f%z"),
    Some("%Y/%m/%d %H:%M:%S"),
    Some("%d.%m.%Y %H:%M:%S"),
    Some("%d.%m.%Y %H:%M"),
    Some("%d/%m/%Y %H:%M:%S"),
    Some("%d/%m/%Y %H:%M"),
    Some("%m/%d/%Y %H:%M:%S"),
    Some("%m/%d/%Y %H:%M"),
    Some("%m/%d/%Y %I:%M %p"),
    Some("%d/%b/%y %I:%M %p"),
    Some("%s"),
];

/// What the sample says about one column.
#[derive(Debug, Default)]
pub(super) struct Column {
    pub(super) name: String,
    /// Non-empty values that are not placeholders.
    pub(super) filled: usize,
    /// Distinct values (up to a bound) with their counts, in first-seen order.
    pub(super) distinct: Vec<(String, usize)>,
    pub(super) many_distinct: bool,
    /// Placeholder spellings seen, with counts.
    pub(super) na: BTreeMap<String, usize>,
    pub(super) numbers: usize,
    pub(super) fractions: usize,
    pub(super) signed_fractions: usize,
    pub(super) negatives: usize,
    pub(super) integers: usize,
    pub(super) booleans: usize,
    /// Values each timestamp shape reads (same order as [`TIME_FORMATS`]).
    pub(super) times: [usize; TIME_FORMATS.len()],
    /// Default-shaped timestamps that carry an offset (`Z`, `+01:00`).
    pub(super) with_offset: usize,
    pub(super) text_length: usize,
    pub(super) min: f64,
    pub(super) max: f64,
}

/// Bound on the distinct values kept per column.
pub(super) const DISTINCT_KEPT: usize = 64;

impl Column {
    pub(super) fn new(name: &str) -> Column {
        Column {
            name: name.to_string(),
            min: f64::INFINITY,
            max: f64::NEG_INFINITY,
            ..Column::default()
        }
    }

    pub(super) fn add(&mut self, raw: &str, parsers: &[TimestampParser]) {
        let value = trim(raw);
        if value.is_empty() {
            return;
        }
        if NA_CANDIDATES.contains(&value) {
            *self.na.entry(value.to_string()).or_default() += 1;
            return;
        }
        self.filled += 1;
        self.text_length += value.chars().count();
        match self.distinct.iter().position(|(v, _)| v == value) {
            Some(i) => self.distinct[i].1 += 1,
            None if self.distinct.len() < DISTINCT_KEPT => {
                self.distinct.push((value.to_string(), 1));
            }
            None => self.many_distinct = true,
        }
        if parse_bool(value).is_some() {
            self.booleans += 1;
        }
        if let Some(n) = parse_number(value) {
            self.numbers += 1;
            self.min = self.min.min(n);
            self.max = self.max.max(n);
            if (0.0..=1.0).contains(&n) {
                self.fractions += 1;
            }
            if (-1.0..=1.0).contains(&n) {
                self.signed_fractions += 1;
            }
            if n < 0.0 {
                self.negatives += 1;
            }
            if n.fract() == 0.0 {
                self.integers += 1;
            }
        }
        for (i, parser) in parsers.iter().enumerate() {
            let epoch = TIME_FORMATS[i] == Some("%s");
            // Unix seconds only between 2000 and 2100: ids and counts are integers too.
            if epoch
                && !parse_number(value)
                    .is_some_and(|n| (946_684_800.0..4_102_444_800.0).contains(&n))
            {
                continue;
            }
            if parser.parse(value).is_some() {
                self.times[i] += 1;
                if i == 0 && has_offset(value) {
                    self.with_offset += 1;
                }
            }
        }
    }

    /// The timestamp shape that reads (nearly) every value, if any: 95 % and at least one.
    pub(super) fn time_format(&self) -> Option<usize> {
        if self.filled == 0 {
            return None;
        }
        let best = (0..TIME_FORMATS.len()).max_by_key(|&i| (self.times[i], usize::MAX - i))?;
        (self.times[best] * 100 >= self.filled * 95).then_some(best)
    }

    pub(super) fn all(&self, count: usize) -> bool {
        self.filled > 0 && count == self.filled
    }

    pub(super) fn is_text(&self) -> bool {
        self.filled > 0 && self.text_length / self.filled >= 25 && self.numbers == 0
    }

    /// Few distinct values, some of them repeated (a sample of names or emails is not labels).
    pub(super) fn is_label(&self) -> bool {
        let n = self.distinct.len();
        self.filled > 0
            && !self.many_distinct
            && n <= LABELS_SHOWN
            && (n < self.filled || n <= 2)
            && !self.is_text()
    }

    /// Whether the values suit the field (a name match is kept only then).
    pub(super) fn suits(&self, field: Field) -> bool {
        if self.filled == 0 {
            return true; // nothing to contradict the name
        }
        match field {
            Field::Id => true,
            Field::CreatedAt
            | Field::EscalatedAt
            | Field::FirstHumanResponseAt
            | Field::ResolvedAt => self.time_format().is_some(),
            Field::Confidence => self.all(self.numbers) && self.min >= 0.0 && self.max <= 100.0,
            Field::Sentiment => self.all(self.numbers) || self.is_label(),
            Field::RequestedHuman | Field::Reopened => self.all(self.booleans),
            Field::Reassignments => self.all(self.integers) && self.negatives == 0,
            Field::Csat => self.all(self.numbers),
            Field::Text => self.numbers < self.filled,
            Field::CustomerTier
            | Field::Channel
            | Field::Category
            | Field::Priority
            | Field::ResolvedTier => !self.is_text(),
        }
    }

    /// The distinct values, most frequent first (ties in first-seen order).
    pub(super) fn labels(&self) -> Vec<&(String, usize)> {
        let mut labels: Vec<&(String, usize)> = self.distinct.iter().collect();
        labels.sort_by_key(|l| std::cmp::Reverse(l.1));
        labels
    }
}

pub(super) fn has_offset(value: &str) -> bool {
    let b = value.as_bytes();
    if value.ends_with('Z') || value.ends_with('z') {
        return true;
    }
    // `+01:00` / `-0500` at the end
    let tail = |n: usize| b.len() > n && matches!(b[b.len() - n - 1], b'+' | b'-');
    (tail(5) && b[b.len() - 3] == b':')
        || (tail(4) && b[b.len() - 4..].iter().all(u8::is_ascii_digit))
}
