//! handoff: lint, replay and compare AI escalation policies.
//!
//! The modules in layers, bottom first; each imports only the ones listed above it.

/// The business calendar: working hours, business-time arithmetic, day table, civil dates, durations.
pub mod calendar;
/// One module per subcommand: parse arguments, call the engines, hand to output.
pub mod cmd;
/// `handoff.toml`: project configuration.
pub mod config;
/// Findings as data: diagnostics, severities, spans and the rule registry.
pub mod diag;
/// Engines that run a policy over tickets: evaluation, traces, replay, sweeps and diffs.
pub mod engine;
/// `handoff lint`: rules that find gaps and contradictions in policies.
pub mod lint;
/// Printers: lint findings, replay reports, diffs and explanations.
pub mod output;
/// The policy: the file model with spans, its loader, conditions, comparisons and schema.
pub mod policy;
/// Text normalisation: keyword folding and label comparison.
pub mod text;
/// Tickets: reading a CSV export through a column mapping into canonical fields.
pub mod tickets;
