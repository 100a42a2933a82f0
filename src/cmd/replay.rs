//! `handoff replay --policy P --tickets T [--map M]`: stream historical tickets through a policy
//! and report what would have happened. The arguments, the per-ticket files (`--decisions`,
//! `--rejects`, written by `output`) fed by the replay engine, the report in the chosen format,
//! and the `--fail-if` and reject-rate verdicts.

use std::sync::{Arc, Mutex};

use crate::engine::flow::FlowCollector;
use crate::engine::report::flow::FlowSection;
use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};

use super::Exit;
use super::fail_if::{self, FailIf};
use super::input::{HistoryArgs, InputArgs, Inputs};
use super::io::OutputTarget;
use crate::engine::agreement::Available;
use crate::engine::capacity::{Arrivals, project};
use crate::engine::partial::Partial;
use crate::engine::replay::{
    By, DecisionFormat, ReplayError, ReplayOptions, ReplaySink, Segments, replay,
};
use crate::engine::report::ReplayReport;
use crate::engine::report::capacity::Capacity;
use crate::output::decisions::{self, DecisionRows};
use crate::output::rejects::Rejects;
use crate::output::report::{self, ReportFormat};
use crate::policy::staffing::load_staffing;
use crate::tickets::tally::ReadTally;
use crate::tickets::{RawRecord, RowError};

#[derive(Debug, clap::Args)]
pub struct ReplayArgs {
    /// The policy to replay
    #[arg(long, value_name = "FILE")]
    pub policy: PathBuf,
    #[command(flatten)]
    pub input: InputArgs<true>,
    /// Report format
    #[arg(long, value_enum, default_value_t = ReportFormat::Table)]
    pub format: ReportFormat,
    /// Split every metric by this dimension, or by two crossed (`--by channel,priority`);
    /// hour, weekday and date of created_at in the policy's time zone
    #[arg(long, value_enum, value_name = "DIMENSION", value_delimiter = ',')]
    pub by: Vec<By>,
    /// Write the report to this file instead of stdout (a file is replaced atomically; a
    /// device or FIFO is written in place; `-` is stdout)
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Write one row per ticket (decision, rule, owner, SLA due times, history, agreement);
    /// `-` is stdout (then give the report a file with --output)
    #[arg(long, value_name = "FILE")]
    pub decisions: Option<PathBuf>,
    /// Write every rejected record with its line and reason (`-` is stdout)
    #[arg(long, value_name = "FILE")]
    pub rejects: Option<PathBuf>,
    /// Stop at the first rejected record (exit 2)
    #[arg(long)]
    pub strict: bool,
    /// Reject records whose id was seen before (memory grows with the ticket count)
    #[arg(long)]
    pub check_ids: bool,
    #[command(flatten)]
    pub history: HistoryArgs,
    /// Exit 1 when a metric condition holds, e.g. `missed_escalation_rate > 0.05` (repeatable)
    #[arg(long, value_name = "EXPR")]
    pub fail_if: Vec<String>,
    /// Also write the replay's aggregates to this file, for `handoff merge` (needs --as-of;
    /// `-` is stdout)
    #[arg(long, value_name = "FILE")]
    pub partial_out: Option<PathBuf>,
    /// Project queue waits and first-response SLA per tier and hour of the week from agents
    /// and handling times in this YAML file (see docs/capacity.md)
    #[arg(long, value_name = "FILE")]
    pub staffing: Option<PathBuf>,
    /// With --staffing: the share of tickets to answer within their first-response target
    /// that agents are sized for
    #[arg(long, value_name = "SHARE", default_value_t = 0.8, requires = "staffing", value_parser = service_level)]
    pub service_level: f64,
    /// Threads to use: they take turns reading the input, and each evaluates what it read.
    /// The report is the same for any number [default: the number of cores, at most 4]
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..=256))]
    pub threads: Option<u16>,
}

/// `--service-level`: a share strictly between 0 and 1.
fn service_level(text: &str) -> Result<f64, String> {
    match text.trim().parse::<f64>() {
        Ok(level) if level > 0.0 && level < 1.0 => Ok(level),
        Ok(level) if level > 1.0 && level < 100.0 => Err(format!(
            "{level} looks like a percent; give a share between 0 and 1, e.g. {}",
            level / 100.0
        )),
        _ => Err("give a share strictly between 0 and 1, e.g. 0.8".to_string()),
    }
}

/// The default of `--threads`: past a few workers, reading the CSV is the limit.
pub(super) fn default_threads() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get().min(4))
}

/// Where per-ticket output goes, in input order.
struct Sinks {
    decisions: Option<OutputTarget>,
    rejects: Option<Rejects<OutputTarget>>,
}

impl Sinks {
    /// Open `--decisions` (with its header) and `--rejects` (for an input with these columns).
    fn open(
        decisions: Option<&Path>,
        rejects: Option<&Path>,
        headers: &[String],
    ) -> anyhow::Result<Sinks> {
        let decisions = match decisions {
            None => None,
            Some(path) => {
                let mut file = OutputTarget::open(path)?;
                file.write_all(&decisions::header())?;
                Some(file)
            }
        };
        let rejects = match rejects {
            None => None,
            Some(path) => Some(Rejects::new(OutputTarget::open(path)?, headers.to_vec())),
        };
        Ok(Sinks { decisions, rejects })
    }

    /// Put both files in place.
    fn finish(self) -> anyhow::Result<()> {
        if let Some(file) = self.decisions {
            file.finish()?;
        }
        if let Some(rejects) = self.rejects {
            rejects.finish()?.finish()?;
        }
        Ok(())
    }
}

impl ReplaySink for Sinks {
    fn decisions(&mut self, rows: &[u8]) -> std::io::Result<()> {
        match &mut self.decisions {
            Some(file) => file.write_all(rows),
            None => Ok(()),
        }
    }

    fn rejected(&mut self, error: &RowError, raw: RawRecord<'_>) -> std::io::Result<()> {
        match &mut self.rejects {
            Some(rejects) => rejects.write(error, raw),
            None => Ok(()),
        }
    }
}

pub fn run(args: ReplayArgs) -> anyhow::Result<Exit> {
    let fail_ifs: Vec<FailIf> = fail_if::parse_all(&args.fail_if)?;
    if args.partial_out.is_some() && args.history.as_of.is_none() {
        anyhow::bail!(
            "--partial-out needs --as-of: partials merge exactly only when every part judges unanswered tickets at the same instant (give each part the same --as-of, e.g. --as-of 2026-04-01T00:00:00Z)"
        );
    }
    let by = match args.by.as_slice() {
        [] => None,
        dimensions => Some(Segments::new(dimensions)?),
    };
    let mut named: Vec<(&str, &Path)> = vec![("--policy", &args.policy)];
    named.extend(args.staffing.as_deref().map(|path| ("--staffing", path)));
    let inputs = Inputs::open(&args.input, &named)?;
    let tickets = inputs.tickets()?;
    let outputs = [
        ("--decisions", args.decisions.as_deref()),
        ("--rejects", args.rejects.as_deref()),
        ("--output", args.output.as_deref()),
        ("--partial-out", args.partial_out.as_deref()),
    ];
    inputs.check_outputs(&outputs, args.output.is_none())?;

    let (loaded, policy) = inputs.evaluate(&args.policy)?;
    let staffing = match &args.staffing {
        Some(path) => Some(load_staffing(path, &policy.routes[1..])?),
        None => None,
    };
    let (mut reader, parser, progress) = inputs.ticket_reader(&policy.needs, "replaying")?;
    // A partial carries aggregates of tickets; what an event log adds (its counts, the flow
    // of history) and the capacity what-if (every arrival) are not in it yet, so a merge could
    // not print the report this run prints.
    if args.partial_out.is_some() {
        if reader.event_counts().is_some() {
            bail!(
                "--partial-out does not support event logs yet (the mapping has [events]): replay the folded tickets in one run, or split the export into parts of whole tickets and compare their reports"
            );
        }
        if args.staffing.is_some() {
            bail!(
                "--partial-out cannot carry the capacity what-if (--staffing needs every arrival): run --staffing on one replay"
            );
        }
    }
    // With `[events] stage`, the flow of history is collected as the events are folded.
    let flow = reader
        .has_stages()
        .then(|| Arc::new(Mutex::new(FlowCollector::new(policy.calendar.clone()))));
    if let Some(flow) = &flow {
        reader.track_flow(flow.clone());
    }
    // A misspelt --fail-if metric, or a threshold out of its range, is a usage error before
    // any ticket is read.
    fail_if::check_replay(&fail_ifs, &policy)?;

    // Every output is opened before the first ticket is read: a bad path fails at once.
    let mut sinks = Sinks::open(
        args.decisions.as_deref(),
        args.rejects.as_deref(),
        &reader.layout.headers,
    )?;
    let mut report_out = match &args.output {
        Some(path) => OutputTarget::open(path)?,
        None => OutputTarget::open(Path::new("-"))?,
    };
    let partial_out = match &args.partial_out {
        Some(path) => Some(OutputTarget::open(path)?),
        None => None,
    };
    let rows = DecisionRows {
        policy: &policy,
        available: Available::of(&reader.layout),
    };
    let options = ReplayOptions {
        as_of: args.history.as_of,
        by: by.clone(),
        strict: args.strict,
        check_ids: args.check_ids,
        threads: args.threads.map_or_else(default_threads, usize::from),
        arrivals: staffing.is_some(),
    };
    let format = sinks
        .decisions
        .is_some()
        .then_some(&rows as &dyn DecisionFormat);
    let mut outcome = match replay(&policy, &mut reader, parser, &options, format, &mut sinks) {
        Ok(outcome) => outcome,
        // The error names the output file it could not write.
        Err(ReplayError::Write(e)) => return Err(e.into()),
        Err(e) => return Err(anyhow::Error::new(e).context(tickets.display().to_string())),
    };
    progress.finish();
    sinks.finish()?;
    let tally = ReadTally {
        records: outcome.records,
        rejected: outcome.rejected,
        examples: &outcome.reject_examples,
    };
    inputs.refuse_nothing_decided(
        &tally,
        "`--rejects FILE` writes every rejected record with its reason",
    )?;

    let mut report = ReplayReport::new(
        &policy,
        &reader.layout,
        &outcome,
        by.as_ref(),
        &outcome.parser.bad_values,
        &outcome.parser.notes(&reader.layout),
    );
    if let Some(staffing) = &staffing {
        let arrivals = std::mem::replace(&mut outcome.arrivals, Arrivals::new(&policy));
        let projection = project(&policy, staffing, arrivals, args.service_level);
        report.capacity = Some(Capacity::new(
            &projection,
            &policy.calendar.timezone_name,
            &policy.priorities,
            &policy.routes,
            &outcome.overall.by_route,
        ));
    }
    report.flow = flow
        .as_ref()
        .and_then(|flow| flow.lock().ok().map(|flow| FlowSection::new(&flow)));
    let mut rendered = Vec::new();
    report::print(&report, args.format, &mut rendered)?;
    report_out
        .write_all(&rendered)
        .context("cannot write the report")?;
    report_out.finish().context("cannot write the report")?;

    if let Some(mut out) = partial_out {
        let partial = Partial::of(
            &loaded.source.text,
            &policy,
            &reader.layout,
            &outcome,
            by.as_ref(),
        );
        out.write_all(partial.to_json()?.as_bytes())
            .context("cannot write the partial")?;
        out.finish().context("cannot write the partial")?;
    }

    let failed = fail_if::replay_verdict(&fail_ifs, &report.report)?;
    inputs.refuse_too_many_rejected(&tally, args.history.max_reject_rate)?;
    Ok(if failed { Exit::Fail } else { Exit::Ok })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::eval::CompiledPolicy;
    use crate::policy::load::load_bytes;
    use crate::tickets::{Mapping, TicketParser, TicketReader};

    /// Feed `csv` through the reader and the `--decisions` and `--rejects` sinks, as `run`
    /// does; returns both files.
    fn replay_files(csv: &str) -> (String, String) {
        let yaml = "version: 1\ntiers:\n  L1: {}\n  L2: {}\nrules:\n  - id: unsure\n    when: { confidence: { below: 0.5 } }\n    route: L1\n";
        let loaded = load_bytes("t.yaml".into(), yaml.as_bytes().to_vec()).unwrap();
        let policy = CompiledPolicy::new(&loaded.policy).unwrap();
        let input: Box<dyn std::io::Read + Send> =
            Box::new(std::io::Cursor::new(csv.as_bytes().to_vec()));
        let mapping = Mapping::default();
        let mut reader = TicketReader::new(input, &mapping, &policy.needs).unwrap();
        let parser = TicketParser::new(&reader.layout, &mapping, &policy.needs).unwrap();
        let dir = tempfile::tempdir().unwrap();
        let (decisions, rejects) = (dir.path().join("d.csv"), dir.path().join("r.csv"));
        let rows = DecisionRows {
            policy: &policy,
            available: Available::of(&reader.layout),
        };
        let mut sinks =
            Sinks::open(Some(&decisions), Some(&rejects), &reader.layout.headers).unwrap();
        let options = ReplayOptions::default();
        replay(
            &policy,
            &mut reader,
            parser,
            &options,
            Some(&rows),
            &mut sinks,
        )
        .unwrap();
        sinks.finish().unwrap();
        (
            std::fs::read_to_string(&decisions).unwrap(),
            std::fs::read_to_string(&rejects).unwrap(),
        )
    }

    fn rejects_of(csv: &str) -> String {
        replay_files(csv).1
    }

    /// `id` → `agreement` column of the decisions file.
    fn agreement_of(csv: &str) -> Vec<(String, String)> {
        let (decisions, _) = replay_files(csv);
        let mut reader = csv::Reader::from_reader(decisions.as_bytes());
        reader
            .records()
            .map(|r| {
                let r = r.unwrap();
                (r[0].to_string(), r[11].to_string())
            })
            .collect()
    }

    #[test]
    fn decisions_agreement_matches_the_report() {
        // The report excludes unresolved tickets from agreement (DESIGN §4), so the decisions
        // file must not give them a verdict either, even when escalated_at is set (U1, U2).
        // A ticket that history escalated but the AI finally resolved (E1) has no resolving
        // tier to fit: the report does not count it as over-routed.
        let rows = agreement_of(
            "id,confidence,escalated_at,resolved_at,resolved_tier,reopened\n\
             U1,0.9,2026-03-02 10:00,,,\n\
             U2,0.3,2026-03-02 10:00,,,\n\
             U3,0.3,,,,\n\
             E1,0.3,2026-03-02 10:00,2026-03-02 11:00,ai,\n\
             R1,0.3,,2026-03-02 11:00,ai,true\n\
             R2,0.3,,2026-03-02 11:00,ai,false\n\
             M1,0.9,,2026-03-02 11:00,L2,\n\
             O1,0.3,,2026-03-02 11:00,L2,\n",
        );
        let expected = [
            ("U1", "unresolved"),
            ("U2", "unresolved"),
            ("U3", "unresolved"),
            ("E1", "agree"),
            ("R1", "agree"),
            ("R2", "unneeded_escalation"),
            ("M1", "missed_escalation"),
            ("O1", "under_routed"),
        ];
        let expected: Vec<(String, String)> = expected
            .iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect();
        assert_eq!(rows, expected);
        // Without resolution columns every ticket counts as resolved: one without
        // escalated_at stayed with the AI, as the report counts it.
        let rows =
            agreement_of("id,confidence,escalated_at\nA1,0.9,\nA2,0.3,\nA3,0.9,2026-03-02 10:00\n");
        let expected: Vec<(String, String)> = [
            ("A1", "agree"),
            ("A2", "unneeded_escalation"),
            ("A3", "missed_escalation"),
        ]
        .iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect();
        assert_eq!(rows, expected);
        // No history columns at all: no verdict.
        assert_eq!(
            agreement_of("id,confidence\nN1,0.3\n"),
            vec![("N1".to_string(), String::new())]
        );
    }

    #[test]
    fn rejects_file_keeps_ragged_records_as_read() {
        // A short and a long record: both are rejected and copied with their own field count
        // (a rectangular writer fails on them and aborts the whole replay).
        let written =
            rejects_of("id,confidence,text\nT1,0.9,fine\nT2,0.4\nT3,0.3,x,extra\nT4,7,y\n");
        assert_eq!(
            written,
            "_line,_reason,id,confidence,text\n\
             3,the record has 2 fields; the header has 3,T2,0.4\n\
             4,the record has 4 fields; the header has 3,T3,0.3,x,extra\n\
             5,confidence: 7 is outside 0..1,T4,7,y\n"
        );
    }
}
