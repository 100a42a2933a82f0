//! handoff: lint, replay and compare AI escalation policies.
//!
//! Layout: `cli` (the clap command line), `policy` (model, loader, schema), `lint` (rule
//! registry and checks), `output` (human, JSON, SARIF, GitHub, JUnit printers), `cmd` (one
//! module per subcommand), `config` (`handoff.toml`), `diag` (findings as data).

pub mod cli;
pub mod cmd;
pub mod config;
pub mod diag;
pub mod engine;
pub mod lint;
pub mod output;
pub mod policy;
pub mod tickets;
