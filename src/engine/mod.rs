//! Engines that run a policy over tickets: evaluation, traces, replay aggregation, sweeps and diffs,
//! and the typed reports built from their metrics.

pub mod deferred;
pub mod diff;
pub mod eval;
pub mod keywords;
pub mod merge;
pub mod metrics;
pub mod replay;
pub mod report;
pub mod stats;
pub mod sweep;
pub mod trace;
