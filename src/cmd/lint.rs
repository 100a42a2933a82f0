//! `handoff lint [PATH...]`

use std::io::Write;
use std::path::PathBuf;

use anyhow::{Context, anyhow, bail};

use super::io::open_input;
use super::{ColorChoice, Exit};
use crate::config::{Config, Excludes, check_selectors};
use crate::diag::Summary;
use crate::lint::{collect, data, has_fatal, lint_file};
use crate::output::{LintFormat, printer};
use crate::tickets::Mapping;

#[derive(Debug, clap::Args)]
pub struct LintArgs {
    /// Policy files, or folders to walk for *.yaml / *.yml policies (recursively; .gitignore'd
    /// and hidden files are skipped, and so are YAML files that are not policies)
    #[arg(value_name = "PATH", default_value = "policies")]
    pub paths: Vec<PathBuf>,
    /// Skip files and folders matching this glob when walking a folder (gitignore syntax;
    /// repeatable). Files named on the command line are always linted
    #[arg(long, value_name = "GLOB")]
    pub exclude: Vec<String>,
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
    /// Also check the policies against this ticket CSV (H060 missing columns, H061 rules that
    /// match no ticket)
    #[arg(long, value_name = "FILE")]
    pub tickets: Option<PathBuf>,
    /// Column mapping (TOML) for --tickets
    #[arg(long, value_name = "FILE", requires = "tickets")]
    pub map: Option<PathBuf>,
    /// Configuration file [default: handoff.toml in the current folder or the nearest parent]
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Say on stderr which configuration is used and which files a folder walk skipped
    #[arg(long, short)]
    pub verbose: bool,
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
    check_selectors(&args.select).map_err(|e| anyhow!("--select: {e}"))?;
    check_selectors(&args.ignore).map_err(|e| anyhow!("--ignore: {e}"))?;
    let mut config = Config::load(args.config.as_deref())?;
    if args.verbose {
        match &config.path {
            Some(path) => eprintln!("using configuration {}", path.display()),
            None => eprintln!("no handoff.toml found in this folder or above; using the defaults"),
        }
    }
    if !args.select.is_empty() {
        config.lint.select = Some(args.select.clone());
    }
    config.lint.ignore.extend(args.ignore.iter().cloned());
    let mut excludes = Excludes::default();
    let cwd = std::env::current_dir().context("cannot read the current folder")?;
    excludes
        .add(&cwd, &args.exclude)
        .map_err(|e| anyhow!("--exclude: {e}"))?;
    if let Some(root) = &config.root {
        // Validated when the configuration was read.
        excludes
            .add(root, &config.lint.exclude)
            .map_err(|e| anyhow!("[lint] exclude: {e}"))?;
    }
    let collected = collect(&args.paths, &excludes)?;
    if args.verbose {
        for path in &collected.excluded {
            eprintln!("excluded {}", path.display());
        }
        for path in &collected.skipped {
            eprintln!(
                "skipped {}: not a policy (no top-level `rules` or `tiers`)",
                path.display()
            );
        }
        for path in &collected.loops {
            eprintln!(
                "skipped {}: a link back into a folder already walked",
                path.display()
            );
        }
    }
    let files = collected.files;
    let mapping = match &args.map {
        Some(path) => Mapping::load(path)?,
        None => config.mapping()?.unwrap_or_default(),
    };
    if args.tickets.as_deref() == Some(std::path::Path::new("-")) && files.len() > 1 {
        bail!(
            "--tickets - (stdin) can be read for one policy only; give a file to lint {} policies",
            files.len()
        );
    }
    let mut reports = Vec::new();
    for file in &files {
        let report = match &args.tickets {
            None => lint_file(file, &config.lint, None)?,
            Some(tickets) => {
                let name = tickets.display().to_string();
                let mut check = |policy: &crate::policy::Policy| {
                    let (input, _) = open_input(tickets).map_err(|e| format!("{e:#}"))?;
                    data::check(policy, input, &mapping, &name).map_err(|e| format!("{name}: {e}"))
                };
                lint_file(file, &config.lint, Some(&mut check))?
            }
        };
        reports.push(report);
    }
    let mut summary = Summary::of(&reports);
    summary.skipped = collected.skipped.len();

    let mut out = super::io::stdout();
    printer(args.format, args.color.enabled())
        .print(&reports, &summary, &mut out)
        .context("cannot write the report")?;
    out.flush().context("cannot write the report")?;

    let deny_warnings = config.lint.deny_warnings || args.deny == Some(DenyLevel::Warnings);
    let exit = if has_fatal(&reports) {
        Exit::Usage
    } else if summary.errors > 0 || (deny_warnings && summary.warnings > 0) {
        Exit::Fail
    } else {
        Exit::Ok
    };
    if exit != Exit::Ok && super::io::stdout_closed() {
        // The reader of stdout left before the summary: the failure still needs its reason.
        eprintln!("stdout closed early: {summary}");
    }
    Ok(exit)
}
