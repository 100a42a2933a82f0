//! `handoff calendar --policy P --from D --to D [--format csv|sql] [--dialect D] [--table NAME]
//! [-o FILE]`: the policy's business calendar as a table, per UTC day (DESIGN §8), that the SQL
//! of `handoff sql` joins to compute SLA dues and business-time durations in the warehouse.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use jiff::civil::Date;

use super::Exit;
use super::io::{OutputTarget, check_outputs};
use crate::config::Config;
use crate::engine::eval::CompiledPolicy;
use crate::sql::Dialect;
use crate::sql::calendar::CalendarTable;

/// What `handoff calendar` writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum CalendarFormat {
    /// A header line and one line per row
    Csv,
    /// CREATE TABLE and INSERTs in the --dialect
    Sql,
}

#[derive(Debug, clap::Args)]
pub struct CalendarArgs {
    /// The policy whose `calendar:` is laid out
    #[arg(long, value_name = "FILE")]
    pub policy: PathBuf,
    /// The first UTC day of the table (YYYY-MM-DD): cover the first ticket
    #[arg(long, value_name = "DATE")]
    pub from: String,
    /// The last UTC day of the table (YYYY-MM-DD): cover the last ticket and its longest SLA;
    /// at most 100 years after --from
    #[arg(long, value_name = "DATE")]
    pub to: String,
    /// Output format
    #[arg(long, value_enum, default_value_t = CalendarFormat::Csv)]
    pub format: CalendarFormat,
    /// SQL dialect of --format sql
    #[arg(long, value_enum, default_value_t = Dialect::Duckdb)]
    pub dialect: Dialect,
    /// Table name of --format sql (`schema.table` allowed)
    #[arg(long, value_name = "NAME", default_value = "handoff_calendar")]
    pub table: String,
    /// Write to this file instead of stdout (`-` is stdout)
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Configuration file (default: handoff.toml in this folder or above)
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
}

fn date(flag: &str, text: &str) -> anyhow::Result<Date> {
    text.trim().parse::<Date>().map_err(|_| {
        anyhow::anyhow!("{flag} `{text}` is not a date; write YYYY-MM-DD, e.g. 2026-01-01")
    })
}

pub fn run(args: CalendarArgs) -> anyhow::Result<Exit> {
    let from = date("--from", &args.from)?;
    let to = date("--to", &args.to)?;
    if args.table.is_empty() || args.table.split('.').any(str::is_empty) {
        bail!("--table `{}` is not a table name", args.table);
    }
    let config = Config::load(args.config.as_deref())?;
    let outputs: Vec<(&str, &Path)> = args
        .output
        .iter()
        .map(|path| ("--output", path.as_path()))
        .collect();
    check_outputs(
        &outputs,
        &[("--policy", &args.policy)],
        args.output.is_none(),
    )?;

    let loaded = super::input::load_policy_for_evaluation(&args.policy, &config.lint)?;
    if loaded.policy.calendar.is_none() {
        bail!(
            "{} has no `calendar:`: its SLA clocks run around the clock in UTC, so dues need no table (add a calendar to count business hours)",
            args.policy.display()
        );
    }
    let compiled = CompiledPolicy::new(&loaded.policy)
        .with_context(|| format!("cannot evaluate {}", args.policy.display()))?;
    let table = CalendarTable::build(&compiled.calendar, from, to)?;
    let text = match args.format {
        CalendarFormat::Csv => table.to_csv(),
        CalendarFormat::Sql => table.to_sql(args.dialect, &args.table),
    };
    let mut out = OutputTarget::open(args.output.as_deref().unwrap_or(Path::new("-")))?;
    out.write_all(text.as_bytes())
        .context("cannot write the calendar")?;
    out.finish().context("cannot write the calendar")?;
    Ok(Exit::Ok)
}
