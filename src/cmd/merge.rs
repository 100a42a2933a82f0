//! `handoff merge F… [--format …] [-o FILE] [--fail-if …]`: merge the partials that
//! `handoff replay --partial-out` wrote (DESIGN §8) and print the report one replay of all
//! their tickets would have printed, with replay's formats and `--fail-if`.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::Context;

use super::Exit;
use super::fail_if::{self, FailIf};
use super::io::{OutputTarget, check_outputs};
use crate::engine::partial::{self, Partial};
use crate::engine::partial_csv;
use crate::output::report::{self, ReportFormat};

/// Partials are JSON of a few megabytes at most; anything larger is not one.
const MAX_PARTIAL_BYTES: u64 = 512 * 1024 * 1024;

#[derive(Debug, clap::Args)]
pub struct MergeArgs {
    /// Partials written by `handoff replay --partial-out` (JSON) or the CSV results of `handoff
    /// sql --emit partials`, with the same policy and --as-of, in the order of their tickets
    #[arg(required = true, value_name = "PARTIAL")]
    pub partials: Vec<PathBuf>,
    /// Report format
    #[arg(long, value_enum, default_value_t = ReportFormat::Table)]
    pub format: ReportFormat,
    /// Write the report to this file instead of stdout (a file is replaced atomically; a
    /// device or FIFO is written in place; `-` is stdout)
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Exit 1 when a metric condition holds, e.g. `missed_escalation_rate > 0.05` (repeatable)
    #[arg(long, value_name = "EXPR")]
    pub fail_if: Vec<String>,
}

fn read_partial(path: &Path) -> anyhow::Result<(String, Vec<u8>)> {
    use std::io::Read;
    let name = path.display().to_string();
    let file = std::fs::File::open(path).with_context(|| format!("cannot open {name}"))?;
    let mut bytes = Vec::new();
    file.take(MAX_PARTIAL_BYTES + 1)
        .read_to_end(&mut bytes)
        .with_context(|| format!("cannot read {name}"))?;
    if bytes.len() as u64 > MAX_PARTIAL_BYTES {
        anyhow::bail!("{name} is larger than any partial ({MAX_PARTIAL_BYTES} bytes)");
    }
    Ok((name, bytes))
}

pub fn run(args: MergeArgs) -> anyhow::Result<Exit> {
    let fail_ifs: Vec<FailIf> = fail_if::parse_all(&args.fail_if)?;
    let inputs: Vec<(&str, &Path)> = args
        .partials
        .iter()
        .map(|path| ("the partial", path.as_path()))
        .collect();
    let outputs: Vec<(&str, &Path)> = args
        .output
        .iter()
        .map(|path| ("--output", path.as_path()))
        .collect();
    check_outputs(&outputs, &inputs, args.output.is_none())?;

    let files = args
        .partials
        .iter()
        .map(|path| read_partial(path))
        .collect::<anyhow::Result<Vec<_>>>()?;
    // A SQL partial (`handoff sql --emit partials`, as CSV) reads as the same document.
    let files = files
        .into_iter()
        .map(|(name, bytes)| -> anyhow::Result<(String, Vec<u8>)> {
            if partial_csv::is_csv(&bytes) {
                let json = partial_csv::read(&name, &bytes)?.to_json()?;
                Ok((name, json.into_bytes()))
            } else {
                Ok((name, bytes))
            }
        })
        .collect::<anyhow::Result<Vec<_>>>()?;
    let merged = partial::merge(Partial::read_all(files)?)?;
    fail_if::check_replay(&fail_ifs, &merged.policy)?;

    let mut out = OutputTarget::open(args.output.as_deref().unwrap_or(Path::new("-")))?;
    let mut rendered = Vec::new();
    report::print(&merged.report, args.format, &mut rendered)?;
    out.write_all(&rendered)
        .context("cannot write the report")?;
    out.finish().context("cannot write the report")?;

    let failed = fail_if::replay_verdict(&fail_ifs, &merged.report.report)?;
    Ok(if failed { Exit::Fail } else { Exit::Ok })
}
