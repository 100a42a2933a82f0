//! Engines that run a policy over tickets: evaluation, traces, replay aggregation, sweeps and diffs,
//! and the typed reports built from their metrics.
//!
//! Each judgement has one home that every verb uses: a decision in [`eval`], its agreement with
//! history in [`agreement`], its SLA clocks in [`sla`], and clocks that wait for `--as-of` in
//! [`deferred`].

pub mod agreement;
pub mod capacity;
pub mod deferred;
pub mod diff;
pub mod eval;
pub mod explain;
pub mod flow;
pub mod keywords;
pub mod load;
pub mod merge;
pub mod metrics;
pub mod partial;
pub mod partial_csv;
pub mod quality;
pub mod replay;
pub mod report;
pub mod sla;
pub mod stats;
pub mod sweep;
pub mod trace;
pub mod when_closed;
