//! `handoff lint [PATH...]`

use std::io::Write;
use std::path::PathBuf;

use anyhow::Context;

use super::{ColorChoice, Exit};
use crate::config::Config;
use crate::diag::Summary;
use crate::lint::{collect_files, has_fatal, lint_file};
use crate::output::{LintFormat, printer};

#[derive(Debug, clap::Args)]
pub struct LintArgs {
    /// Policy files, or directories whose *.yaml / *.yml files are linted
    #[arg(value_name = "PATH", default_value = "policies")]
    pub paths: Vec<PathBuf>,
    /// Output format
    #[arg(long, value_enum, default_value_t = LintFormat::Human)]
    pub format: LintFormat,
    /// Fail (exit 1) on warnings too: `--deny warnings`
    #[arg(long, value_enum, value_name = "LEVEL")]
    pub deny: Option<DenyLevel>,
    /// Only these rules (codes, prefixes such as H04, or names; comma-separated)
    #[arg(long, value_delimiter = ',', value_name = "RULES")]
    pub select: Vec<String>,
    /// Skip these rules (codes, prefixes or names; comma-separated)
    #[arg(long, value_delimiter = ',', value_name = "RULES")]
    pub ignore: Vec<String>,
    /// Configuration file [default: ./handoff.toml when present]
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Colour in human output
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto, value_name = "WHEN")]
    pub color: ColorChoice,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum DenyLevel {
    /// Warnings fail like errors
    Warnings,
}

pub fn run(args: LintArgs) -> anyhow::Result<Exit> {
    let mut config = Config::load(args.config.as_deref())?;
    if !args.select.is_empty() {
        config.lint.select = Some(args.select.clone());
    }
    config.lint.ignore.extend(args.ignore.iter().cloned());
    let files = collect_files(&args.paths)?;
    let reports = files
        .iter()
        .map(|file| lint_file(file, &config.lint))
        .collect::<Result<Vec<_>, _>>()?;
    let summary = Summary::of(&reports);

    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    printer(args.format, args.color.enabled())
        .print(&reports, &summary, &mut out)
        .context("cannot write the report")?;
    out.flush().context("cannot write the report")?;

    let deny_warnings = config.lint.deny_warnings || args.deny == Some(DenyLevel::Warnings);
    Ok(if has_fatal(&reports) {
        Exit::Usage
    } else if summary.errors > 0 || (deny_warnings && summary.warnings > 0) {
        Exit::Fail
    } else {
        Exit::Ok
    })
}
