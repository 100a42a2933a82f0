//! handoff: lint, replay and compare AI escalation policies.
//!
//! The modules in layers, bottom first; each imports only the ones listed above it:
//!
//! - [`diag`]: findings as data: diagnostics, severities, spans and the rule registry.
//! - [`text`]: text normalisation: keyword folding, label comparison, long-pattern search.
//! - [`fields`]: the canonical ticket fields and the label fields among them: the one list
//!   that mappings, conditions, the reader and reports name fields by.
//! - [`calendar`]: the business calendar: working hours, business-time arithmetic, the day
//!   table, civil dates, durations.
//! - [`policy`]: the policy: the file model with spans, its loader, conditions, comparisons and
//!   schema.
//! - [`tickets`]: reading a CSV export through a column mapping into canonical fields.
//! - [`engine`]: running a policy over tickets: evaluation, traces, replay, sweeps and diffs,
//!   and the typed reports built from their metrics.
//! - [`sql`]: the policy compiled to SQL for the warehouse: dialects, conditions as
//!   three-valued SQL, the per-ticket decisions query (`handoff sql`), partials and the
//!   calendar table.
//! - [`config`]: `handoff.toml`, the project configuration.
//! - [`lint`]: rules that find gaps and contradictions in policies.
//! - [`output`]: printers: lint findings, the views of replay, diff and sweep reports, and
//!   explanations.
//! - [`cmd`]: one module per subcommand: parse arguments, call the engines, hand to output.
//! - [`cli`]: the clap command line: the verbs, global flags and exit codes.

pub mod calendar;
pub mod cli;
pub mod cmd;
pub mod config;
pub mod diag;
pub mod engine;
pub mod fields;
pub mod lint;
pub mod output;
pub mod policy;
pub mod sql;
pub mod text;
pub mod tickets;
