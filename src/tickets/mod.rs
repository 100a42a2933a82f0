//! Tickets: reading a CSV export through a column mapping into canonical fields (DESIGN §3).
//!
//! Reading is streaming: [`TicketReader`] yields raw records and [`TicketParser`] fills one
//! reusable [`Ticket`] per record (on as many threads as replay uses). That pair is the one way
//! a record becomes a ticket: [`TicketSource`] joins them for one-by-one readers, and a ticket
//! given field by field ([`given`]) is read as a one-record CSV. A record is *rejected*
//! (counted, reported with its line, never dropped silently) when its id is bad, when it is
//! ragged, or when a field some rule reads holds a bad value; a bad value in a field used only by
//! metrics counts as empty and is tallied per column.

pub mod cell;
pub mod chunk;
pub mod events;
pub mod filter;
pub mod given;
pub mod layout;
pub mod mapping;
#[cfg(feature = "parquet")]
pub mod parquet;
pub mod parse;
pub mod presets;
pub mod record;
pub mod sniff;
pub mod source;
pub mod suggest;
pub mod synthetic;
pub mod tally;
pub mod value;

use jiff::Timestamp;

use crate::fields::{ByLabel, Label};

pub use mapping::Mapping;
pub use parse::TicketParser;
pub use record::{RawRecord, Records};
pub use source::{Layout, RowError, TicketReader, TicketSource};

/// One ticket, with every canonical field parsed (or `None` when empty or absent).
#[derive(Debug, Clone, Default)]
pub struct Ticket {
    /// Line of the record in the input (1-based, header included).
    pub line: u64,
    pub id: String,
    pub created_at: Option<Timestamp>,
    /// Each text column, NFC-normalised and lower-cased; keywords never span two of them.
    pub texts: Vec<String>,
    pub confidence: Option<f64>,
    pub sentiment: Option<f64>,
    /// `customer_tier`, `channel`, `category`, `priority`: trimmed, lower-cased, aliased.
    pub labels: ByLabel<Option<String>>,
    /// The same labels as the data spells them (trimmed), for reports that show them.
    pub label_spellings: ByLabel<String>,
    pub requested_human: Option<bool>,
    pub escalated_at: Option<Timestamp>,
    pub first_human_response_at: Option<Timestamp>,
    pub resolved_at: Option<Timestamp>,
    /// `ai` or a tier name of the policy.
    pub resolved_tier: Option<String>,
    pub reassignments: Option<u32>,
    pub reopened: Option<bool>,
    pub csat: Option<f64>,
    /// Extra fields the policy names (in `field` tests or `context.required`), in the order of
    /// [`Layout::extras`]: the trimmed text, empty when absent.
    pub extras: Vec<String>,
}

impl Ticket {
    /// Whether any text column has text.
    pub fn has_text(&self) -> bool {
        self.texts.iter().any(|t| !t.is_empty())
    }

    /// The latest of the ticket's timestamps. Whatever `--as-of` turns out to be, it is no
    /// earlier than this.
    pub fn latest(&self) -> Option<Timestamp> {
        // `None` orders before any `Some`, so the larger of two options is the later
        // timestamp, or `None` when both are.
        (self.created_at.max(self.escalated_at))
            .max(self.first_human_response_at.max(self.resolved_at))
    }

    /// When the clocks of a handoff start (SLA, response times): `escalated_at`, else
    /// `created_at`.
    pub fn clock_start(&self) -> Option<Timestamp> {
        self.escalated_at.or(self.created_at)
    }

    /// A label (trimmed, lower-cased, aliased); `None` when empty or absent.
    pub fn label(&self, which: Label) -> Option<&str> {
        self.labels[which].as_deref()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `latest` is the maximum of the timestamps the ticket has, in any slot, or `None`.
    #[test]
    fn latest_is_the_latest_timestamp_present_in_any_slot() {
        let at = |s: i64| Some(Timestamp::from_second(s).unwrap());
        let mut ticket = Ticket::default();
        assert_eq!(ticket.latest(), None);
        for slot in 0..4 {
            for (others, want) in [(None, at(100)), (at(50), at(100)), (at(200), at(200))] {
                let mut stamps = [others; 4];
                stamps[slot] = at(100);
                ticket.created_at = stamps[0];
                ticket.escalated_at = stamps[1];
                ticket.first_human_response_at = stamps[2];
                ticket.resolved_at = stamps[3];
                assert_eq!(ticket.latest(), want, "slot {slot}, others {others:?}");
            }
        }
    }
}
