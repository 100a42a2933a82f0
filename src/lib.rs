//! handoff: lint, replay and compare AI escalation policies.
//!
//! Layout: `policy` (model, loader, schema), `lint` (rule registry and checks), `output`
//! (human, JSON, SARIF, GitHub printers), `cmd` (one module per subcommand), `config`
//! (`handoff.toml`), `diag` (findings as data).

pub mod calendar;
pub mod cmd;
pub mod config;
pub mod diag;
pub mod engine;
pub mod lint;
pub mod output;
pub mod policy;
pub mod text;
pub mod tickets;
