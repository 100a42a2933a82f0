//! What a replay is asked to do and where its per-ticket output goes: the options, the
//! `--decisions` row format, the sink that receives rows and rejected records in input order,
//! and the errors that stop a replay.

use jiff::Timestamp;

use crate::engine::eval::Decision;
use crate::fields::Label;
use crate::tickets::{RawRecord, RowError, Ticket};

/// `--by`: the dimension every metric is split by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum By {
    Channel,
    Category,
    Priority,
    CustomerTier,
    /// Month of `created_at` in the policy's time zone (YYYY-MM).
    Month,
}

impl By {
    pub fn name(self) -> &'static str {
        self.label().map_or("month", Label::name)
    }

    /// The label field named by `--by` (`None` for `month`). Under `--by priority` the groups
    /// are the decided priority (a rule may set it), not the ticket's own label.
    pub fn label(self) -> Option<Label> {
        match self {
            By::Channel => Some(Label::Channel),
            By::Category => Some(Label::Category),
            By::Priority => Some(Label::Priority),
            By::CustomerTier => Some(Label::CustomerTier),
            By::Month => None,
        }
    }
}

#[derive(Debug, Clone, Default)]
pub struct ReplayOptions {
    /// Unanswered tickets past due at this instant are breaches; default: the latest timestamp
    /// in the input.
    pub as_of: Option<Timestamp>,
    pub by: Option<By>,
    /// Stop at the first rejected record.
    pub strict: bool,
    /// Reject records whose id was seen before (memory grows with the number of tickets).
    pub check_ids: bool,
    /// Threads to use. 0 or 1: everything runs on the calling thread; more: a reader thread
    /// (which also evaluates when it is ahead) and `threads - 1` workers (see `pipeline`).
    pub threads: usize,
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
