//! `handoff sql --policy P [--map M] --dialect D --table T [--emit decisions] [-o FILE]`: print
//! the policy compiled to one SQL query for the warehouse (DESIGN §8). A condition a dialect
//! cannot express exactly is refused (exit 2) with the rule and the reason.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::Context;
use jiff::Timestamp;

use super::Exit;
use super::input::{AS_OF_HELP, InputArgs, Inputs};
use super::io::OutputTarget;
use crate::sql::Dialect;
use crate::sql::decisions::{self, Options};
use crate::sql::partials;

/// What the query computes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Emit {
    /// One row per ticket: id, decision, rule, reason_kind, priority, first_response_due,
    /// resolution_due, rejected
    Decisions,
    /// The report's aggregates as a long CSV table (section, k1, k2, k3, value) that `handoff
    /// merge` reads like a `replay --partial-out` file; needs --as-of
    Partials,
}

#[derive(Debug, clap::Args)]
pub struct SqlArgs {
    /// Policy file (YAML)
    #[arg(long, value_name = "FILE")]
    pub policy: PathBuf,
    /// Column mapping: a TOML file or a built-in preset (`handoff map list`) [default: the
    /// mapping tables of the configuration, else the canonical header names]
    #[arg(long, value_name = "FILE|PRESET")]
    pub map: Option<PathBuf>,
    /// Configuration file [default: handoff.toml in the current folder or the nearest parent]
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// The SQL engine the query is written for
    #[arg(long, value_enum, value_name = "DIALECT")]
    pub dialect: Dialect,
    /// The table of tickets, its columns as text (as a CSV loads them): `name`, `schema.name`
    #[arg(long, value_name = "NAME")]
    pub table: String,
    /// What the query computes
    #[arg(long, value_enum, default_value_t = Emit::Decisions)]
    pub emit: Emit,
    /// The calendar table (`handoff calendar --format sql`) that business-time SLA dues join
    #[arg(long, value_name = "NAME", default_value = "handoff_calendar")]
    pub calendar_table: String,
    #[arg(long, value_name = "TIMESTAMP", help = AS_OF_HELP)]
    pub as_of: Option<Timestamp>,
    /// `--emit partials`: the table's columns, comma-separated, as its CSV header names them
    /// (they decide which figures are n/a) [default: every canonical field the mapping names
    /// and the policy's extra fields]
    #[arg(long, value_name = "NAMES", value_delimiter = ',')]
    pub columns: Option<Vec<String>>,
    /// `--emit partials`: the table's column that holds each row's line in its CSV file (as
    /// replay counts lines), so that rows replay would reject merge with the report's rejected
    /// examples; without it, a result with rejected rows is refused at merge
    #[arg(long, value_name = "COLUMN")]
    pub line_column: Option<String>,
    /// Write the query to this file instead of stdout
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<PathBuf>,
}

pub fn run(args: SqlArgs) -> anyhow::Result<Exit> {
    let input = InputArgs::<false> {
        tickets: None,
        map: args.map.clone(),
        config: args.config.clone(),
        filters: Vec::new(),
    };
    let inputs = Inputs::open(&input, &[("--policy", args.policy.as_path())])?;
    inputs.check_outputs(
        &[("--output", args.output.as_deref())],
        args.output.is_none(),
    )?;
    let loaded = inputs.load(&args.policy)?;
    let mapping = inputs.mapping()?;
    let options = Options {
        dialect: args.dialect,
        table: &args.table,
        calendar_table: &args.calendar_table,
    };
    if args.line_column.is_some() && args.emit != Emit::Partials {
        anyhow::bail!("--line-column is for --emit partials (the report's rejected examples)");
    }
    let query = match args.emit {
        Emit::Decisions => decisions::decisions(&loaded.policy, &mapping, &options)
            .with_context(|| format!("cannot compile {} to SQL", args.policy.display()))?,
        Emit::Partials => {
            let Some(as_of) = args.as_of else {
                anyhow::bail!(
                    "--emit partials needs --as-of (every part of a merge is judged at one instant)"
                );
            };
            let headers = args
                .columns
                .clone()
                .unwrap_or_else(|| partials::default_headers(&loaded.policy, &mapping));
            let o = partials::PartialOptions {
                options,
                policy_source: &loaded.source.text,
                as_of,
                headers,
                line_column: args.line_column.as_deref(),
            };
            partials::partials(&loaded.policy, &mapping, &o)
                .with_context(|| format!("cannot compile {} to SQL", args.policy.display()))?
        }
    };
    let mut out = OutputTarget::open(args.output.as_deref().unwrap_or(Path::new("-")))?;
    out.write_all(query.as_bytes())
        .context("cannot write the query")?;
    out.finish().context("cannot write the query")?;
    Ok(Exit::Ok)
}
