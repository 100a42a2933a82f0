//! `handoff lint [PATH...]`: check policies before rollout. The arguments, the files to lint
//! (folder walks, excludes, standard input), each policy linted (and checked against
//! `--tickets`), the findings handed to the chosen printer, and the exit code.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::{Context, anyhow, bail};

use super::input::{InputArgs, Inputs};
use super::{Exit, Stream};
use crate::config::{Excludes, check_selectors};
use crate::diag::{FileReport, Summary};
use crate::lint::walk::{absolute, is_yaml};
use crate::lint::{collect, data, has_fatal, lint_bytes, lint_file};
use crate::output::statistics::Statistics;
use crate::output::{LintFormat, LintPrinter, LintRun, PrintOptions, printer};
use crate::policy::load::{MAX_POLICY_BYTES, looks_like_policy};

#[derive(Debug, clap::Args)]
#[command(
    mut_arg("tickets", |a| a.help("Also check the policies against this ticket CSV (H060 missing columns, H061 rules that match no ticket)")),
    mut_arg("map", |a| a.requires("tickets"))
)]
pub struct LintArgs {
    /// Policy files, or folders to walk for *.yaml / *.yml policies (recursively; .gitignore'd
    /// and hidden files are skipped, and so are YAML files that are not policies); `-` reads a
    /// policy from standard input
    #[arg(
        value_name = "PATH",
        default_value = "policies",
        default_value_if("stdin_filename", clap::builder::ArgPredicate::IsPresent, "-")
    )]
    pub paths: Vec<PathBuf>,
    /// The name of the policy read from standard input (`-`), in every format and for
    /// --force-exclude [default: -]
    #[arg(long, value_name = "NAME")]
    pub stdin_filename: Option<PathBuf>,
    /// Skip files and folders matching this glob when walking a folder (gitignore syntax;
    /// repeatable). Files named on the command line are always linted, unless --force-exclude
    #[arg(long, value_name = "GLOB")]
    pub exclude: Vec<String>,
    /// Filter files named on the command line as a folder walk does: exclude globs apply, and
    /// files that are not YAML policies are skipped (for pre-commit and editors, which pass
    /// every changed file)
    #[arg(long)]
    pub force_exclude: bool,
    /// Output format
    #[arg(long, value_enum, default_value_t = LintFormat::Human)]
    pub format: LintFormat,
    /// Fail (exit 1) on warnings too: `--deny warnings`
    #[arg(long, value_enum, value_name = "LEVEL")]
    pub deny: Option<DenyLevel>,
    /// Exit 0 whatever lint finds (usage errors and unreadable files still exit 2)
    #[arg(long)]
    pub exit_zero: bool,
    /// Print how many findings each rule produced instead of the findings (human or json)
    #[arg(long)]
    pub statistics: bool,
    /// Only these rules (codes, prefixes such as H04, or names; comma-separated)
    #[arg(long, value_delimiter = ',', value_name = "RULES")]
    pub select: Vec<String>,
    /// Skip these rules (codes, prefixes or names; comma-separated)
    #[arg(long, value_delimiter = ',', value_name = "RULES")]
    pub ignore: Vec<String>,
    #[command(flatten)]
    pub input: InputArgs<false>,
    /// With --format sarif: the folder that file URIs are relative to [default: the current
    /// folder]
    #[arg(long, value_name = "DIR")]
    pub sarif_root: Option<PathBuf>,
    /// Say on stderr which configuration is used and which files a folder walk skipped
    #[arg(long, short)]
    pub verbose: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum DenyLevel {
    /// Warnings fail like errors
    Warnings,
}

/// Refuse combinations that would silently do something else than asked.
fn check_args(args: &LintArgs) -> anyhow::Result<()> {
    check_selectors(&args.select).map_err(|e| anyhow!("--select: {e}"))?;
    check_selectors(&args.ignore).map_err(|e| anyhow!("--ignore: {e}"))?;
    let stdin_count = args.paths.iter().filter(|p| *p == Path::new("-")).count();
    if stdin_count > 1 {
        bail!("`-` (standard input) can be given once");
    }
    if args.stdin_filename.is_some() && stdin_count == 0 {
        bail!("--stdin-filename names the policy read from standard input; give `-` as a path");
    }
    if stdin_count == 1 && args.input.tickets.as_deref() == Some(Path::new("-")) {
        bail!("standard input cannot hold both the policy (`-`) and the tickets (--tickets -)");
    }
    if args.statistics && !matches!(args.format, LintFormat::Human | LintFormat::Json) {
        bail!("--statistics prints a table (--format human) or JSON (--format json)");
    }
    if args.sarif_root.is_some() && args.format != LintFormat::Sarif {
        bail!("--sarif-root goes with --format sarif");
    }
    Ok(())
}

/// The policy on standard input, read up to the policy size limit (one byte more tells that it
/// is too large).
fn read_stdin() -> anyhow::Result<Vec<u8>> {
    let mut bytes = Vec::new();
    std::io::stdin()
        .lock()
        .take(MAX_POLICY_BYTES + 1)
        .read_to_end(&mut bytes)
        .context("cannot read standard input")?;
    Ok(bytes)
}

pub fn run(args: LintArgs) -> anyhow::Result<Exit> {
    check_args(&args)?;
    let mut inputs = Inputs::open(&args.input, &[])?;
    if args.verbose {
        match &inputs.config.path {
            Some(path) => eprintln!("using configuration {}", path.display()),
            None => eprintln!("no handoff.toml found in this folder or above; using the defaults"),
        }
    }
    if !args.select.is_empty() {
        inputs.config.lint.select = Some(args.select.clone());
    }
    inputs
        .config
        .lint
        .ignore
        .extend(args.ignore.iter().cloned());
    let config = &inputs.config;
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
    let mut collected = collect(&args.paths, &excludes, args.force_exclude)?;
    // Standard input, read once; under --force-exclude its name and content are filtered like a
    // named file's.
    let stdin_name = args
        .stdin_filename
        .clone()
        .unwrap_or_else(|| PathBuf::from("-"));
    let mut stdin = None;
    if collected.files.iter().any(|f| f == Path::new("-")) {
        let bytes = read_stdin()?;
        let keep = if !args.force_exclude {
            true
        } else if excludes.excludes_given(&absolute(&cwd, &stdin_name)) {
            collected.excluded.push(stdin_name.clone());
            false
        } else if args.stdin_filename.is_some() && !is_yaml(&stdin_name) {
            collected.not_yaml.push(stdin_name.clone());
            false
        } else if !looks_like_policy(&bytes) {
            collected.skipped.push(stdin_name.clone());
            false
        } else {
            true
        };
        if keep {
            stdin = Some(bytes);
        } else {
            collected.files.retain(|f| f != Path::new("-"));
        }
    }
    if args.verbose {
        for path in &collected.excluded {
            eprintln!("excluded {}", path.display());
        }
        for path in &collected.not_yaml {
            eprintln!(
                "skipped {}: not a YAML file (*.yaml, *.yml)",
                path.display()
            );
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
    let files = &collected.files;
    let mapping = inputs.mapping()?;
    if args.input.tickets.as_deref() == Some(Path::new("-")) && files.len() > 1 {
        bail!(
            "--tickets - (stdin) can be read for one policy only; give a file to lint {} policies",
            files.len()
        );
    }
    let mut reports: Vec<FileReport> = Vec::new();
    let mut durations: Vec<Duration> = Vec::new();
    for file in files {
        let started = Instant::now();
        let mut check = |policy: &crate::policy::Policy| {
            let Some(tickets) = &args.input.tickets else {
                return Ok(Vec::new());
            };
            let name = tickets.display().to_string();
            let (input, _) = inputs.ticket_bytes(None).map_err(|e| format!("{e:#}"))?;
            data::check(policy, input, &mapping, inputs.filters(), &name)
                .map_err(|e| format!("{name}: {e}"))
        };
        let check = args
            .input
            .tickets
            .is_some()
            .then_some(&mut check as &mut crate::lint::DataCheck<'_>);
        let report = if file == Path::new("-") {
            let bytes = stdin.take().unwrap_or_default();
            lint_bytes(stdin_name.clone(), bytes, &config.lint, check)?
        } else {
            lint_file(file, &config.lint, check)?
        };
        reports.push(report);
        durations.push(started.elapsed());
    }
    let mut summary = Summary::of(&reports);
    summary.skipped = collected.skipped.len();

    let deny_warnings = config.lint.deny_warnings || args.deny == Some(DenyLevel::Warnings);
    let run = LintRun {
        reports: &reports,
        summary: &summary,
        skipped: &collected.skipped,
        durations: &durations,
        deny_warnings,
    };
    let printer: Box<dyn LintPrinter> = if args.statistics {
        Box::new(Statistics {
            json: args.format == LintFormat::Json,
        })
    } else {
        let sarif_root = match &args.sarif_root {
            Some(root) => absolute(&cwd, root),
            None => cwd.clone(),
        };
        printer(
            args.format,
            &PrintOptions {
                color: super::color().enabled_for(Stream::Stdout),
                sarif_root,
            },
        )
    };
    let mut out = super::io::stdout();
    printer
        .print(&run, &mut out)
        .context("cannot write the report")?;
    out.flush().context("cannot write the report")?;

    let exit = if args.exit_zero {
        Exit::Ok
    } else if has_fatal(&reports) {
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
