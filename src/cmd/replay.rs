//! `handoff replay --policy P --tickets T [--map M]`: stream historical tickets through a policy
//! and report what would have happened.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use jiff::Timestamp;

use super::Exit;
use super::fail_if::{self, FailIf};
use super::io::{OutputTarget, check_outputs, config_input, open_input_with_progress};
use crate::config::Config;
use crate::engine::eval::{CompiledPolicy, Decision};
use crate::engine::metrics::{Available, agreement_verdict, history};
use crate::engine::replay::{By, DecisionFormat, ReplayError, ReplayOptions, ReplaySink, replay};
use crate::engine::report::ReplayReport;
use crate::output::report::{self, ReportFormat};
use crate::tickets::tally::ReadTally;
use crate::tickets::{Mapping, RawRecord, RowError, Ticket, TicketParser, TicketReader};

#[derive(Debug, clap::Args)]
pub struct ReplayArgs {
    /// The policy to replay
    #[arg(long, value_name = "FILE")]
    pub policy: PathBuf,
    /// Ticket CSV (`-` for stdin; `.csv.gz` is decompressed)
    #[arg(long, value_name = "FILE")]
    pub tickets: PathBuf,
    /// Column mapping (TOML); without one, canonical header names are used
    #[arg(long, value_name = "FILE")]
    pub map: Option<PathBuf>,
    /// Report format
    #[arg(long, value_enum, default_value_t = ReportFormat::Table)]
    pub format: ReportFormat,
    /// Split every metric by this dimension
    #[arg(long, value_enum, value_name = "DIMENSION")]
    pub by: Option<By>,
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
    /// Exit 2 (after the report) when more than this fraction of the records is rejected;
    /// `1` accepts any share
    #[arg(long, value_name = "RATE", default_value = "0.5", value_parser = crate::tickets::tally::parse_max_reject_rate)]
    pub max_reject_rate: f64,
    /// Instant at which unanswered tickets are judged (RFC 3339) [default: latest timestamp in the input]
    #[arg(long, value_name = "TIMESTAMP")]
    pub as_of: Option<Timestamp>,
    /// Exit 1 when a metric condition holds, e.g. `missed_escalation_rate > 0.05` (repeatable)
    #[arg(long, value_name = "EXPR")]
    pub fail_if: Vec<String>,
    /// Threads to use: one reads the CSV, all evaluate tickets. The report is the same for
    /// any number [default: the number of cores, at most 4]
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..=256))]
    pub threads: Option<u16>,
    /// Configuration file [default: ./handoff.toml when present]
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
}

/// The header of the `--decisions` file.
fn decisions_header() -> anyhow::Result<Vec<u8>> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer.write_record([
        "id",
        "line",
        "decision",
        "rule",
        "matched_rules",
        "reason_kind",
        "owner",
        "priority",
        "first_response_due",
        "resolution_due",
        "historical_outcome",
        "agreement",
        "missing_context",
    ])?;
    Ok(writer.into_inner().map_err(|e| e.into_error())?)
}

/// The default of `--threads`: past a few workers, reading the CSV is the limit.
fn default_threads() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get().min(4))
}

/// The `--rejects` writer: each rejected record is copied as it was read, so a ragged record
/// keeps its own number of fields (flexible, or the first one would abort the replay).
fn rejects_writer<W: Write>(out: W) -> csv::Writer<W> {
    csv::WriterBuilder::new().flexible(true).from_writer(out)
}

fn timestamp_text(t: Option<Timestamp>) -> String {
    t.map(|t| t.to_string()).unwrap_or_default()
}

/// The `--decisions` row of a ticket.
struct DecisionRows<'p> {
    policy: &'p CompiledPolicy,
    /// Which history columns the data has, to judge agreement as the report does.
    available: Available,
}

/// Where per-ticket output goes, in input order.
struct Sinks {
    decisions: Option<OutputTarget>,
    rejects: Option<csv::Writer<OutputTarget>>,
    /// The input's header, for the `--rejects` file.
    headers: Vec<String>,
    rejects_header_written: bool,
}

impl DecisionFormat for DecisionRows<'_> {
    fn write(
        &self,
        t: &Ticket,
        d: &Decision,
        writer: &mut csv::Writer<Vec<u8>>,
    ) -> csv::Result<()> {
        let p = self.policy;
        let tier = p.tier(d.rank);
        let priority = d.priority.and_then(|i| p.priorities.get(i));
        let start = t.escalated_at.or(t.created_at);
        let due = |which: usize| -> String {
            let target = tier
                .zip(d.priority)
                .and_then(|(tier, prio)| tier.sla.get(prio).copied())
                .and_then(|(first, resolution)| if which == 0 { first } else { resolution });
            timestamp_text(
                start
                    .zip(target)
                    .and_then(|(s, target)| p.calendar.add(s, target)),
            )
        };
        let outcome = match (&t.resolved_tier, t.escalated_at) {
            (Some(tier), _) => tier.clone(),
            (None, Some(_)) => "human".to_string(),
            (None, None) => String::new(),
        };
        let agreement = agreement_verdict(d.rank, history(p, self.available, t), t.reopened);
        let missing: Vec<&str> = p
            .context
            .iter()
            .filter(|(_, slot)| t.extras.get(*slot).is_none_or(|v| v.is_empty()))
            .map(|(name, _)| name.as_str())
            .collect();
        let matched: Vec<&str> = d.matched.iter().map(|&i| p.rules[i].id.as_str()).collect();
        let missing_context = if d.rank > 0 {
            missing.join(";")
        } else {
            String::new()
        };
        writer.write_record([
            t.id.as_str(),
            &t.line.to_string(),
            p.route_name(d.rank),
            d.rule.map_or("(default)", |i| p.rules[i].id.as_str()),
            &matched.join(";"),
            d.reason.map_or("", |r| r.name()),
            tier.map_or("", |t| t.owner.as_str()),
            priority.map_or("", String::as_str),
            &if d.rank > 0 { due(0) } else { String::new() },
            &if d.rank > 0 { due(1) } else { String::new() },
            &outcome,
            agreement,
            &missing_context,
        ])
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
        let Some(writer) = &mut self.rejects else {
            return Ok(());
        };
        if !self.rejects_header_written {
            let mut header = vec!["_line".to_string(), "_reason".to_string()];
            header.extend(self.headers.iter().cloned());
            writer
                .write_record(&header)
                .map_err(std::io::Error::other)?;
            self.rejects_header_written = true;
        }
        let mut record = csv::ByteRecord::new();
        record.push_field(error.line.to_string().as_bytes());
        record.push_field(error.reason.as_bytes());
        for field in raw.iter() {
            record.push_field(field);
        }
        writer
            .write_byte_record(&record)
            .map_err(std::io::Error::other)
    }
}

pub fn run(args: ReplayArgs) -> anyhow::Result<Exit> {
    let fail_ifs: Vec<FailIf> = fail_if::parse_all(&args.fail_if)?;
    let config = Config::load(args.config.as_deref())?;
    let outputs: Vec<(&str, &Path)> = [
        ("--decisions", &args.decisions),
        ("--rejects", &args.rejects),
        ("--output", &args.output),
    ]
    .into_iter()
    .filter_map(|(flag, path)| Some((flag, path.as_deref()?)))
    .collect();
    let mut inputs = vec![
        ("--policy", args.policy.as_path()),
        ("--tickets", args.tickets.as_path()),
    ];
    inputs.extend(args.map.as_deref().map(|map| ("--map", map)));
    inputs.extend(config_input(&config));
    check_outputs(&outputs, &inputs, args.output.is_none())?;

    let loaded = super::load_policy_for_evaluation(&args.policy, &config.lint)?;
    let policy = CompiledPolicy::new(&loaded.policy)
        .with_context(|| format!("cannot evaluate {}", args.policy.display()))?;
    let mapping = match &args.map {
        Some(path) => Mapping::load(path)?,
        None => config.mapping()?.unwrap_or_default(),
    };
    let (input, progress) = open_input_with_progress(&args.tickets, "replaying")?;
    let mut reader = TicketReader::new(input, &mapping, &policy.needs)
        .map_err(|e| anyhow::anyhow!("{}: {e}", args.tickets.display()))?;
    let parser = TicketParser::new(&reader.layout, &mapping, &policy.needs)
        .map_err(|e| anyhow::anyhow!("{}: {e}", args.tickets.display()))?;
    // A misspelt --fail-if metric, or a threshold out of its range, is a usage error before
    // any ticket is read.
    fail_if::check_replay(&fail_ifs, &policy)?;

    // Every output is opened before the first ticket is read: a bad path fails at once.
    let decisions = match &args.decisions {
        None => None,
        Some(path) => {
            let mut file = OutputTarget::open(path)?;
            file.write_all(&decisions_header()?)?;
            Some(file)
        }
    };
    let rejects = match &args.rejects {
        None => None,
        Some(path) => Some(rejects_writer(OutputTarget::open(path)?)),
    };
    let mut report_out = match &args.output {
        Some(path) => OutputTarget::open(path)?,
        None => OutputTarget::open(Path::new("-"))?,
    };
    let rows = DecisionRows {
        policy: &policy,
        available: Available::of(&reader.layout),
    };
    let mut sinks = Sinks {
        decisions,
        rejects,
        headers: reader.layout.headers.clone(),
        rejects_header_written: false,
    };
    let options = ReplayOptions {
        as_of: args.as_of,
        by: args.by,
        strict: args.strict,
        check_ids: args.check_ids,
        threads: args.threads.map_or_else(default_threads, usize::from),
    };
    let format = sinks
        .decisions
        .is_some()
        .then_some(&rows as &dyn DecisionFormat);
    let outcome = match replay(&policy, &mut reader, parser, &options, format, &mut sinks) {
        Ok(outcome) => outcome,
        // The error names the output file it could not write.
        Err(ReplayError::Write(e)) => return Err(e.into()),
        Err(e) => return Err(anyhow::Error::new(e).context(args.tickets.display().to_string())),
    };
    progress.finish();
    if let Some(file) = sinks.decisions.take() {
        file.finish()?;
    }
    if let Some(mut writer) = sinks.rejects.take() {
        if !sinks.rejects_header_written {
            let mut header = vec!["_line".to_string(), "_reason".to_string()];
            header.extend(reader.layout.headers.iter().cloned());
            writer.write_record(&header)?;
        }
        writer.into_inner().map_err(|e| e.into_error())?.finish()?;
    }
    let tally = ReadTally {
        records: outcome.records,
        rejected: outcome.rejected,
        examples: &outcome.reject_examples,
    };
    if let Some(message) =
        tally.nothing_decided("`--rejects FILE` writes every rejected record with its reason")
    {
        bail!("{}: {message}", args.tickets.display());
    }

    let report = ReplayReport::new(
        &policy,
        &reader.layout,
        &outcome,
        args.by,
        &outcome.parser.bad_values,
        &outcome.parser.notes(&reader.layout),
    );
    let mut rendered = Vec::new();
    report::print(&report, args.format, &mut rendered)?;
    report_out
        .write_all(&rendered)
        .context("cannot write the report")?;
    report_out.finish().context("cannot write the report")?;

    let failed = fail_if::replay_verdict(&fail_ifs, &report.report)?;
    if let Some(message) = tally.too_many_rejected(args.max_reject_rate) {
        bail!("{}: {message}", args.tickets.display());
    }
    Ok(if failed { Exit::Fail } else { Exit::Ok })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::eval::CompiledPolicy;
    use crate::policy::load::load_bytes;

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
        let mut decisions_file = OutputTarget::open(&decisions).unwrap();
        decisions_file
            .write_all(&decisions_header().unwrap())
            .unwrap();
        let rows = DecisionRows {
            policy: &policy,
            available: Available::of(&reader.layout),
        };
        let mut sinks = Sinks {
            decisions: Some(decisions_file),
            rejects: Some(rejects_writer(OutputTarget::open(&rejects).unwrap())),
            headers: reader.layout.headers.clone(),
            rejects_header_written: false,
        };
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
        sinks.decisions.take().unwrap().finish().unwrap();
        sinks
            .rejects
            .take()
            .unwrap()
            .into_inner()
            .map_err(|e| e.into_error())
            .unwrap()
            .finish()
            .unwrap();
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
