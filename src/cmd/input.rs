//! The one way a verb opens what it reads (as xsv's `Config` and ripgrep's `HiArgs`): the flags
//! every reading verb shares ([`InputArgs`], flattened into replay, diff, sweep, explain, test
//! and lint), those of the verbs that judge a whole export ([`HistoryArgs`]), and the set-up
//! [`Inputs`] that turns them, in this order, into the configuration, the policies (loaded,
//! refused when lint finds errors, compiled once), the column mapping and the ticket source.
//! The same set-up names every input to the output-path check, so no verb can forget one.

use std::io::Read;
use std::path::{Path, PathBuf};

use anyhow::Context;
use jiff::Timestamp;

use super::Stream;
use super::io::{Progress, open_input};
use crate::config::Config;
use crate::engine::eval::CompiledPolicy;
use crate::policy::LoadedPolicy;
use crate::tickets::filter::Where;
use crate::tickets::presets::MapSource;
use crate::tickets::source::Needs;
use crate::tickets::tally::ReadTally;
use crate::tickets::{Mapping, TicketParser, TicketReader, TicketSource};

/// Where the tickets come from, and the configuration: the flags of every verb that reads
/// tickets. Each help text is written once, here. `InputArgs<true>` is for the verbs that always
/// read tickets (replay, diff, sweep), `InputArgs<false>` for those where `--tickets` is an
/// option (explain, test, lint). A verb may narrow a flag with clap's `mut_arg` (explain and
/// lint: `--map` requires `--tickets`; test: [`only_with`]`("--record")`); only lint words
/// `--tickets` its own way, as there the tickets serve data checks on the policies.
#[derive(Debug, Clone, clap::Args)]
pub struct InputArgs<const TICKETS_REQUIRED: bool> {
    /// Ticket CSV (`-` for stdin; `.csv.gz` is decompressed) or Parquet file
    #[arg(long, value_name = "FILE", required = TICKETS_REQUIRED)]
    pub tickets: Option<PathBuf>,
    /// Column mapping: a TOML file, or a built-in preset such as servicenow, zendesk, jira,
    /// freshdesk, intercom (`handoff map list`) [default: the mapping tables of the
    /// configuration, else the canonical header names]
    #[arg(long, value_name = "FILE|PRESET")]
    pub map: Option<PathBuf>,
    /// Configuration file [default: handoff.toml in the current folder or the nearest parent]
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Keep only the tickets whose mapped field holds one of the values (any case), after
    /// events are folded; repeatable, every one must hold
    #[arg(long = "where", value_name = "FIELD=VALUE[,VALUE]")]
    pub filters: Vec<Where>,
}

/// The help of `--as-of`, in every verb that judges clocks (replay, diff, sweep, explain).
pub const AS_OF_HELP: &str = "Instant at which unanswered tickets are judged (RFC 3339) [default: latest timestamp in the input]";

/// The flags of the verbs that judge a whole ticket export (replay, diff, sweep).
#[derive(Debug, Clone, clap::Args)]
pub struct HistoryArgs {
    #[arg(long, value_name = "TIMESTAMP", help = AS_OF_HELP)]
    pub as_of: Option<Timestamp>,
    /// Exit 2 (after the output) when more than this fraction of the records is rejected; `1`
    /// accepts any share
    #[arg(long, value_name = "RATE", default_value = "0.5", value_parser = crate::tickets::tally::parse_max_reject_rate)]
    pub max_reject_rate: f64,
}

/// How a verb without `--rejects` points to every rejected record.
pub const REPLAY_REJECTS_HINT: &str =
    "`handoff replay … --rejects FILE` writes every rejected record with its reason";

/// A help text qualified by the option it goes with: `With --record: ticket CSV (…)`.
pub fn only_with(option: &'static str) -> impl FnOnce(clap::Arg) -> clap::Arg {
    move |arg| {
        let help = arg.get_help().map(ToString::to_string).unwrap_or_default();
        let mut letters = help.chars();
        let lowered: String = match letters.next() {
            Some(first) => first.to_lowercase().chain(letters).collect(),
            None => String::new(),
        };
        arg.help(format!("With {option}: {lowered}"))
    }
}

/// A verb's inputs, opened in order: the configuration first (when made), then on demand the
/// policies, the mapping and the tickets.
pub struct Inputs<'a> {
    /// `handoff.toml` (found or named with `--config`), or the defaults.
    pub config: Config,
    tickets: Option<&'a Path>,
    map: Option<MapSource<'a>>,
    /// `--where`: the tickets to keep.
    filters: &'a [Where],
    /// The policy files the verb reads, each with the flag or argument that names it.
    policies: Vec<(&'static str, &'a Path)>,
}

impl<'a> Inputs<'a> {
    /// Read the configuration and resolve `--map` (an unknown preset name is refused here,
    /// before anything is read). `policies` are the policy files the verb reads, each with what
    /// names it (`--policy`, `the old policy`), for [`Inputs::check_outputs`].
    pub fn open<const R: bool>(
        args: &'a InputArgs<R>,
        policies: &[(&'static str, &'a Path)],
    ) -> anyhow::Result<Inputs<'a>> {
        let map = match args.map.as_deref() {
            Some(value) => Some(MapSource::resolve(value).map_err(anyhow::Error::msg)?),
            None => None,
        };
        Ok(Inputs {
            config: Config::load(args.config.as_deref())?,
            tickets: args.tickets.as_deref(),
            map,
            filters: &args.filters,
            policies: policies.to_vec(),
        })
    }

    /// Every input file, by what names it: the policies, the tickets, the mapping and the
    /// configuration.
    pub fn files(&self) -> Vec<(&'a str, &Path)> {
        let mut files: Vec<(&str, &Path)> = self.policies.clone();
        files.extend(self.tickets.map(|path| ("--tickets", path)));
        files.extend(
            self.map
                .and_then(MapSource::file)
                .map(|path| ("--map", path)),
        );
        files.extend(super::io::config_input(&self.config));
        files
    }

    /// Refuse outputs that name an input or each other, before anything is read or written
    /// (see [`super::io::check_outputs`]); the inputs are every file of [`Inputs::files`].
    /// `outputs` are the verb's output flags, given or not: `("--changes", args.changes)`.
    pub fn check_outputs(
        &self,
        outputs: &[(&str, Option<&Path>)],
        report_on_stdout: bool,
    ) -> anyhow::Result<()> {
        let given: Vec<(&str, &Path)> = outputs
            .iter()
            .filter_map(|&(flag, path)| Some((flag, path?)))
            .collect();
        super::io::check_outputs(&given, &self.files(), report_on_stdout)
    }

    /// The ticket file. A verb that reaches this has it (clap requires it, or the verb checked).
    pub fn tickets(&self) -> anyhow::Result<&'a Path> {
        self.tickets
            .ok_or_else(|| anyhow::anyhow!("give the ticket CSV with --tickets"))
    }

    /// Load a policy for evaluation, refused when lint finds errors (see
    /// [`load_policy_for_evaluation`]), and compile it: the one compilation of the run.
    pub fn evaluate(&self, path: &Path) -> anyhow::Result<(LoadedPolicy, CompiledPolicy)> {
        let loaded = self.load(path)?;
        let compiled = CompiledPolicy::new(&loaded.policy)
            .with_context(|| format!("cannot evaluate {}", path.display()))?;
        Ok((loaded, compiled))
    }

    /// Load a policy for evaluation without compiling it (diff compiles its second policy
    /// beside the first).
    pub fn load(&self, path: &Path) -> anyhow::Result<LoadedPolicy> {
        load_policy_for_evaluation(path, &self.config.lint)
    }

    /// The column mapping: `--map` (a file or a preset), else the mapping tables of the
    /// configuration, else the canonical header names.
    pub fn mapping(&self) -> anyhow::Result<Mapping> {
        Ok(match self.map {
            Some(source) => source.load()?,
            None => self.config.mapping()?.unwrap_or_default(),
        })
    }

    /// `--where`: the tickets to keep.
    pub fn filters(&self) -> &'a [Where] {
        self.filters
    }

    /// The ticket file as bytes (`-` is stdin, `.gz` is decompressed), with a progress
    /// indicator for `progress` ("replaying") when given; a Parquet file (known by its first
    /// bytes) is read as CSV, every column handoff can read.
    pub fn ticket_bytes(
        &self,
        progress: Option<&str>,
    ) -> anyhow::Result<(Box<dyn Read + Send>, Progress)> {
        let path = self.tickets()?;
        #[cfg(feature = "parquet")]
        if path != Path::new("-") && crate::tickets::parquet::is_parquet(path) {
            let csv =
                crate::tickets::parquet::as_csv(path, None).map_err(|e| self.ticket_error(e))?;
            return Ok((Box::new(csv), Progress::none()));
        }
        open_input(path, progress)
    }

    /// The ticket input for a read through this mapping: a Parquet file's rows, split into
    /// fields straight from its columns (only the columns the mapping and the policy name), or
    /// the CSV bytes.
    fn mapped_input(
        &self,
        mapping: &Mapping,
        needs: &Needs,
        progress: Option<&str>,
    ) -> anyhow::Result<(TicketInput, Progress)> {
        #[cfg(feature = "parquet")]
        {
            let path = self.tickets()?;
            if path != Path::new("-") && crate::tickets::parquet::is_parquet(path) {
                let columns = crate::tickets::parquet::mapped_columns(mapping, needs);
                let rows = crate::tickets::parquet::rows(path, Some(&columns))
                    .map_err(|e| self.ticket_error(e))?;
                return Ok((TicketInput::Rows(Box::new(rows)), Progress::none()));
            }
        }
        let _ = (mapping, needs);
        let (input, progress) = self.ticket_bytes(progress)?;
        Ok((TicketInput::Bytes(input), progress))
    }

    /// The tickets, read and parsed for a policy with these needs, through the mapping.
    pub fn ticket_source(
        &self,
        needs: Needs,
        progress: Option<&str>,
    ) -> anyhow::Result<(TicketSource, Progress)> {
        let mapping = self.mapping()?;
        let (input, progress) = self.mapped_input(&mapping, &needs, progress)?;
        let source = match input {
            TicketInput::Bytes(input) => TicketSource::new(input, &mapping, needs),
            TicketInput::Rows(rows) => TicketSource::from_rows(rows, &mapping, needs),
        };
        let mut source = source.map_err(|e| self.ticket_error(e))?;
        source
            .keep_only(self.filters, &mapping)
            .map_err(|e| self.ticket_error(e))?;
        Ok((source, progress))
    }

    /// The tickets as a reader and a parser apart, for the replay's threads.
    pub fn ticket_reader(
        &self,
        needs: &Needs,
        progress: &str,
    ) -> anyhow::Result<(TicketReader, TicketParser, Progress)> {
        let mapping = self.mapping()?;
        let (input, progress) = self.mapped_input(&mapping, needs, Some(progress))?;
        let reader = match input {
            TicketInput::Bytes(input) => TicketReader::new(input, &mapping, needs),
            TicketInput::Rows(rows) => TicketReader::from_rows(rows, &mapping, needs),
        };
        let mut reader = reader.map_err(|e| self.ticket_error(e))?;
        reader
            .keep_only(self.filters, &mapping)
            .map_err(|e| self.ticket_error(e))?;
        let parser = TicketParser::new(&reader.layout, reader.mapping(&mapping), needs)
            .map_err(|e| self.ticket_error(e))?;
        Ok((reader, parser, progress))
    }

    /// Refuse a read in which no ticket could be decided, naming the ticket file; `rejects_hint`
    /// says how to see every rejected record.
    pub fn refuse_nothing_decided(
        &self,
        tally: &ReadTally,
        rejects_hint: &str,
    ) -> anyhow::Result<()> {
        match tally.nothing_decided(rejects_hint) {
            Some(message) => Err(self.ticket_error(message)),
            None => Ok(()),
        }
    }

    /// Refuse (after the output) a read that rejected more than `--max-reject-rate` allows.
    pub fn refuse_too_many_rejected(&self, tally: &ReadTally, max: f64) -> anyhow::Result<()> {
        match tally.too_many_rejected(max) {
            Some(message) => Err(self.ticket_error(message)),
            None => Ok(()),
        }
    }

    fn ticket_error(&self, error: String) -> anyhow::Error {
        let path = self.tickets.unwrap_or(Path::new("-"));
        anyhow::anyhow!("{}: {error}", path.display())
    }
}

/// Load a policy for a command that evaluates it (replay, diff, sweep, explain, test).
/// A file that cannot become a policy, or a policy with lint errors, is refused: its errors go to
/// stderr and the command exits 2 with a pointer to `handoff lint`.
pub fn load_policy_for_evaluation(
    path: &Path,
    config: &crate::config::LintConfig,
) -> anyhow::Result<LoadedPolicy> {
    use crate::diag::{FileReport, Severity, Summary};
    use crate::output::{LintPrinter, LintRun};

    let refuse = |report: FileReport| -> anyhow::Error {
        let errors = FileReport {
            diagnostics: report
                .diagnostics
                .into_iter()
                .filter(|d| d.severity == Severity::Error)
                .collect(),
            ..report
        };
        let reports = [errors];
        let summary = Summary::of(&reports);
        let printer = crate::output::human::Human {
            color: super::color().enabled_for(Stream::Stderr),
        };
        let mut stderr = std::io::stderr().lock();
        let _ = printer.print(&LintRun::of(&reports, &summary), &mut stderr);
        anyhow::anyhow!(
            "{} has lint errors; fix them first (`handoff lint {}`)",
            path.display(),
            path.display()
        )
    };
    match crate::policy::load_file(path) {
        Ok(loaded) => {
            let report = crate::lint::lint_policy(&loaded, config);
            if report
                .diagnostics
                .iter()
                .any(|d| d.severity == Severity::Error)
            {
                return Err(refuse(report));
            }
            Ok(loaded)
        }
        Err(crate::policy::LoadError::Invalid { file, diagnostic }) => Err(refuse(FileReport {
            source: *file,
            diagnostics: vec![*diagnostic],
            suppressed: Vec::new(),
        })),
        Err(err) => Err(err.into()),
    }
}

/// Where the tickets come from: CSV bytes, or rows already split into fields (Parquet).
enum TicketInput {
    Bytes(Box<dyn Read + Send>),
    #[cfg_attr(not(feature = "parquet"), allow(dead_code))]
    Rows(Box<dyn crate::tickets::source::TypedRows>),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_input_is_named_for_the_output_check() {
        let args = InputArgs::<true> {
            tickets: Some("t.csv".into()),
            map: Some("m.toml".into()),
            config: Some("fixtures/lint/config-ignore.toml".into()),
            filters: Vec::new(),
        };
        let inputs = Inputs::open(&args, &[("--policy", Path::new("p.yaml"))]).unwrap();
        let files: Vec<(&str, &str)> = inputs
            .files()
            .into_iter()
            .map(|(what, path)| (what, path.to_str().unwrap()))
            .collect();
        assert_eq!(
            files,
            [
                ("--policy", "p.yaml"),
                ("--tickets", "t.csv"),
                ("--map", "m.toml"),
                ("--config", "fixtures/lint/config-ignore.toml"),
            ]
        );
        let err = inputs
            .check_outputs(&[("--decisions", Some(Path::new("m.toml")))], false)
            .unwrap_err();
        assert!(err.to_string().contains("same file as --map"), "{err}");
    }

    #[test]
    fn a_qualified_help_keeps_the_shared_text() {
        let arg = only_with("--record")(clap::Arg::new("tickets").help("Ticket CSV"));
        assert_eq!(
            arg.get_help().map(ToString::to_string).as_deref(),
            Some("With --record: ticket CSV")
        );
    }
}
