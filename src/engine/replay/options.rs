//! What a replay is asked to do and where its per-ticket output goes: the options, the
//! `--decisions` row format, the sink that receives rows and rejected records in input order,
//! and the errors that stop a replay.

use jiff::Timestamp;

use crate::engine::eval::{CompiledPolicy, Decision};
use crate::fields::Label;
use crate::tickets::{RawRecord, RowError, Ticket};

/// `--by`: a dimension metrics are split by (`--by channel`, or two crossed: `--by
/// channel,priority`). The time dimensions read `created_at` in the policy's time zone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum By {
    Channel,
    Category,
    Priority,
    CustomerTier,
    /// Month of `created_at` in the policy's time zone (YYYY-MM).
    Month,
    /// Hour of the day of `created_at` in the policy's time zone (`00` to `23`).
    Hour,
    /// Day of the week of `created_at` in the policy's time zone (`mon` to `sun`).
    Weekday,
    /// Date of `created_at` in the policy's time zone (YYYY-MM-DD).
    Date,
}

/// The group of tickets without a value.
pub const NO_VALUE: &str = "(none)";

/// Weekday names as the policy calendar writes them, Monday first.
const WEEKDAYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

impl By {
    pub fn name(self) -> &'static str {
        match self {
            By::Month => "month",
            By::Hour => "hour",
            By::Weekday => "weekday",
            By::Date => "date",
            label => label.label().map_or("", Label::name),
        }
    }

    /// The label field named by `--by` (`None` for the time dimensions). Under `--by
    /// priority` the groups are the decided priority (a rule may set it), not the ticket's own
    /// label.
    pub fn label(self) -> Option<Label> {
        match self {
            By::Channel => Some(Label::Channel),
            By::Category => Some(Label::Category),
            By::Priority => Some(Label::Priority),
            By::CustomerTier => Some(Label::CustomerTier),
            By::Month | By::Hour | By::Weekday | By::Date => None,
        }
    }

    /// The ticket's group under this dimension: a key that sorts groups in their natural order
    /// (time order for the time dimensions, [`NO_VALUE`] first).
    pub fn key(self, policy: &CompiledPolicy, t: &Ticket, d: &Decision) -> String {
        match self {
            By::Priority => d
                .priority
                .and_then(|p| policy.priorities.get(p).cloned())
                .unwrap_or_else(|| NO_VALUE.into()),
            By::Month | By::Hour | By::Weekday | By::Date => {
                let Some(ts) = t.created_at else {
                    return NO_VALUE.into();
                };
                let local = policy.calendar.timezone.to_datetime(ts);
                let date = local.date();
                match self {
                    By::Month => format!("{:04}-{:02}", date.year(), date.month()),
                    By::Hour => format!("{:02}", local.hour()),
                    // ISO: Monday is 1.
                    By::Weekday => date.weekday().to_monday_one_offset().to_string(),
                    _ => format!("{:04}-{:02}-{:02}", date.year(), date.month(), date.day()),
                }
            }
            by => by
                .label()
                .and_then(|label| t.label(label))
                .unwrap_or(NO_VALUE)
                .to_string(),
        }
    }

    /// How the group of `key` is shown: a weekday by its name, a label as the ticket spells it.
    pub fn shown(self, t: &Ticket, key: &str) -> String {
        match self {
            By::Weekday => key
                .parse::<usize>()
                .ok()
                .and_then(|day| WEEKDAYS.get(day.wrapping_sub(1)))
                .map_or_else(|| key.to_string(), |name| name.to_string()),
            by => by.spelling(t, key),
        }
    }

    /// How a label group is shown: the data's own spelling of its label when that is the label
    /// (not an alias of it), else the label.
    fn spelling(self, t: &Ticket, key: &str) -> String {
        // Priority groups are the decided priority, which need not be the ticket's own.
        let Some(label) = self.label().filter(|_| self != By::Priority) else {
            return key.to_string();
        };
        let raw = &t.label_spellings[label];
        if !raw.is_empty() && crate::text::normalize_label(raw) == key {
            raw.clone()
        } else {
            key.to_string()
        }
    }
}

/// What `--by` splits by: one dimension, or two crossed (`--by channel,priority`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Segments(Vec<By>);

/// Why a `--by` list cannot split a report.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SegmentsError {
    #[error("--by takes one or two dimensions (e.g. `--by channel,priority`), not {0}")]
    Count(usize),
    #[error("--by names `{0}` twice; cross two different dimensions")]
    Repeated(&'static str),
}

impl Segments {
    /// Separates the keys of two dimensions in a group key: below every printable character,
    /// so groups sort by the first dimension, then the second.
    const KEY_SEPARATOR: char = '\u{1f}';

    pub fn new(dimensions: &[By]) -> Result<Segments, SegmentsError> {
        match dimensions {
            [_] => Ok(Segments(dimensions.to_vec())),
            [a, b] if a == b => Err(SegmentsError::Repeated(a.name())),
            [_, _] => Ok(Segments(dimensions.to_vec())),
            _ => Err(SegmentsError::Count(dimensions.len())),
        }
    }

    pub fn dimensions(&self) -> &[By] {
        &self.0
    }

    /// `channel`, or `channel,priority`.
    pub fn name(&self) -> String {
        let names: Vec<&str> = self.0.iter().map(|by| by.name()).collect();
        names.join(",")
    }

    /// The ticket's group key, sorting as [`By::key`] does, dimension by dimension.
    pub fn key(&self, policy: &CompiledPolicy, t: &Ticket, d: &Decision) -> String {
        let mut key = String::new();
        for (i, by) in self.0.iter().enumerate() {
            if i > 0 {
                key.push(Self::KEY_SEPARATOR);
            }
            key.push_str(&by.key(policy, t, d));
        }
        key
    }

    /// Where the group of `key` (a [`Segments::key`]) is listed: by its key, dimension by
    /// dimension, except that priorities follow the policy's order (`urgent` before `low`, as the
    /// SLA table lists them) rather than the alphabet, with [`NO_VALUE`] first.
    pub fn order(&self, policy: &CompiledPolicy, key: &str) -> Vec<(usize, String)> {
        key.split(Self::KEY_SEPARATOR)
            .zip(&self.0)
            .map(|(part, by)| match by {
                By::Priority => {
                    let rank = policy.priorities.iter().position(|p| p == part);
                    (rank.map_or(0, |r| r + 1), String::new())
                }
                _ => (0, part.to_string()),
            })
            .collect()
    }

    /// How the ticket shows its group, per dimension (asked only for a group's first ticket).
    pub fn shown(&self, policy: &CompiledPolicy, t: &Ticket, d: &Decision) -> Vec<String> {
        self.0
            .iter()
            .map(|by| by.shown(t, &by.key(policy, t, d)))
            .collect()
    }
}

impl From<By> for Segments {
    fn from(by: By) -> Segments {
        Segments(vec![by])
    }
}

#[derive(Debug, Clone, Default)]
pub struct ReplayOptions {
    /// Unanswered tickets past due at this instant are breaches; default: the latest timestamp
    /// in the input.
    pub as_of: Option<Timestamp>,
    pub by: Option<Segments>,
    /// Stop at the first rejected record.
    pub strict: bool,
    /// Reject records whose id was seen before (memory grows with the number of tickets).
    pub check_ids: bool,
    /// Threads to use. 0 or 1: everything runs on the calling thread; more: that many threads,
    /// each reading a batch in turn and evaluating the batches it read (see `pipeline`).
    pub threads: usize,
    /// Keep every escalated ticket's arrival for the capacity projection (`--staffing`;
    /// memory grows with the escalated tickets).
    pub arrivals: bool,
}

/// Formats the `--decisions` row of a ticket. Runs on worker threads; the rows are written in
/// input order.
pub trait DecisionFormat: Sync {
    fn write(
        &self,
        ticket: &Ticket,
        decision: &Decision,
        out: &mut csv::Writer<Vec<u8>>,
    ) -> csv::Result<()>;
}

/// Receives per-ticket output in input order, on the thread that called [`replay`](fn@super::replay).
pub trait ReplaySink {
    /// `--decisions` rows of consecutive tickets (CSV, from [`DecisionFormat`]).
    fn decisions(&mut self, rows: &[u8]) -> std::io::Result<()>;
    /// A rejected record, as read.
    fn rejected(&mut self, error: &RowError, record: RawRecord<'_>) -> std::io::Result<()>;
    fn progress(&mut self, _bytes: u64) {}
}

/// Rejected records kept for the report (all are counted; `--rejects` writes them all).
pub const REJECT_EXAMPLES: usize = 10;

#[derive(Debug, thiserror::Error)]
pub enum ReplayError {
    /// Not the error's source: its text is already in the message, and would show twice.
    #[error("cannot read the tickets: {0}")]
    Read(csv::Error),
    #[error("cannot write: {0}")]
    Write(#[from] std::io::Error),
    #[error("line {}: {} (stopped by --strict)", .0.line, .0.reason)]
    Strict(RowError),
}

impl From<csv::Error> for ReplayError {
    fn from(error: csv::Error) -> ReplayError {
        ReplayError::Read(error)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_or_two_different_dimensions() {
        assert_eq!(Segments::new(&[By::Hour]).unwrap().name(), "hour");
        assert_eq!(
            Segments::new(&[By::Channel, By::Priority]).unwrap().name(),
            "channel,priority"
        );
        assert_eq!(Segments::new(&[]), Err(SegmentsError::Count(0)));
        assert_eq!(
            Segments::new(&[By::Hour, By::Date, By::Month]),
            Err(SegmentsError::Count(3))
        );
        assert_eq!(
            Segments::new(&[By::Date, By::Date]),
            Err(SegmentsError::Repeated("date"))
        );
    }

    #[test]
    fn two_dimension_keys_sort_by_the_first_then_the_second() {
        // `chat` + `x` must come before `chat-x` + `a`, and `(none)` before any value.
        let key = |a: &str, b: &str| format!("{a}{}{b}", Segments::KEY_SEPARATOR);
        let mut keys = vec![
            key("chat-x", "a"),
            key("chat", "x"),
            key("chat x", "b"),
            key(NO_VALUE, "z"),
        ];
        keys.sort();
        assert_eq!(
            keys,
            [
                key(NO_VALUE, "z"),
                key("chat", "x"),
                key("chat x", "b"),
                key("chat-x", "a"),
            ]
        );
    }

    #[test]
    fn weekdays_are_shown_by_name_and_sorted_monday_first() {
        let t = Ticket::default();
        let names: Vec<String> = (1..=7)
            .map(|day| By::Weekday.shown(&t, &day.to_string()))
            .collect();
        assert_eq!(names, ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]);
    }
}
