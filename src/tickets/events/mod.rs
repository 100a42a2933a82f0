//! Event logs (DESIGN §7): one row per update (an audit log, a changelog, chat messages)
//! folded into one ticket each before anything else reads them.
//!
//! The seam is the reader: with `[events]`, [`crate::tickets::TicketReader`] hands out one
//! synthetic record per ticket whose columns are the mapped fields (`id`, then each folded
//! field), and [`Plan::mapping`] reads them with the usual [`crate::tickets::TicketParser`], so
//! every verb that reads tickets reads events without code of its own. An event without a valid
//! time is handed out as a rejected record, with its line and reason.

mod cells;
pub mod chunks;
pub mod flow;
pub mod fold;
pub mod folder;
pub mod plan;
pub mod spec;

pub use flow::{FlowSink, Visit};
pub use folder::{EventCounts, EventFolder};
pub use plan::Plan;
pub use spec::{Events, Fold, FoldKind, Na, Source, Values};
