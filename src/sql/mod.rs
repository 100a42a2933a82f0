//! The policy compiled to SQL for the warehouse (DESIGN §8): one query per dialect that
//! computes, inside the user's engine, what replay computes — per-ticket decisions, or the
//! report's partial aggregates — with replay's semantics, never the dialect's defaults.
//!
//! Layer: beside [`crate::engine`]; reads [`crate::policy`], [`crate::tickets`] (the mapping),
//! [`crate::calendar`] and the engine's SLA and partial types. Printed by `handoff sql` and
//! `handoff calendar` (`src/cmd/`).

pub mod business;
pub mod calendar;
pub mod condition;
pub mod decisions;
pub mod dialect;
pub mod dues;
pub mod error;
pub mod numbers;
pub mod partials;
pub mod partials_clocks;
pub mod partials_hops;
pub mod partials_rows;
pub mod reads;
pub mod sla;
pub mod strftime;
pub mod timestamps;
pub mod words;
pub mod zone;

pub use dialect::Dialect;
