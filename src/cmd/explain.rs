//! `handoff explain --policy P (--tickets T --id ID | --ticket field=value ...)`: why one ticket
//! gets the route it gets, and what really happened to it when the data has history;
//! `--expect TIER` checks the route (exit 1 when it differs), `--format json` for scripts.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};

use jiff::Timestamp;

use super::Exit;
use super::input::{AS_OF_HELP, InputArgs, Inputs};
use crate::fields::Field;
use crate::output::explain::ExplainFormat;
use crate::tickets::given::{GivenError, read_given};
use crate::tickets::{Ticket, TicketSource};

#[derive(Debug, clap::Args)]
#[command(group = clap::ArgGroup::new("which").required(true).args(["id", "ticket"]))]
#[command(mut_arg("tickets", |a| a.requires("id")), mut_arg("map", |a| a.requires("tickets")))]
pub struct ExplainArgs {
    /// The policy
    #[arg(long, value_name = "FILE")]
    pub policy: PathBuf,
    // `--tickets` is where --id is looked up.
    #[command(flatten)]
    pub input: InputArgs<false>,
    /// Id of the ticket to explain
    #[arg(long, value_name = "ID", requires = "tickets")]
    pub id: Option<String>,
    /// A ticket given on the command line, one `field=value` per flag
    #[arg(
        long = "ticket",
        value_name = "FIELD=VALUE",
        conflicts_with = "tickets"
    )]
    pub ticket: Vec<String>,
    /// Exit 1 when the decision is not this route (`ai` or a tier)
    #[arg(long, value_name = "TIER")]
    pub expect: Option<String>,
    /// Output format
    #[arg(long, value_enum, default_value_t = ExplainFormat::Text)]
    pub format: ExplainFormat,
    #[arg(long, value_name = "TIMESTAMP", help = AS_OF_HELP)]
    pub as_of: Option<Timestamp>,
}

pub fn parse_pairs(items: &[String]) -> anyhow::Result<Vec<(String, String)>> {
    items
        .iter()
        .map(|item| match item.split_once('=') {
            Some((k, v)) => Ok((k.trim().to_string(), v.to_string())),
            None => bail!("--ticket `{item}`: write `field=value`, e.g. `--ticket confidence=0.4`"),
        })
        .collect()
}

/// A ticket given with `--ticket`: every value checked, each problem naming its flag.
fn given_ticket(items: &[String], needs: &crate::tickets::source::Needs) -> anyhow::Result<Ticket> {
    let pairs = parse_pairs(items)?;
    read_given(&pairs, needs).map_err(|error| {
        let flag = |name: &str| {
            let value = pairs
                .iter()
                .find(|(n, _)| n == name)
                .map_or("", |(_, v)| v.as_str());
            format!("--ticket {name}={value}")
        };
        match &error {
            GivenError::Repeated { .. } => anyhow::anyhow!("--ticket: {error}"),
            GivenError::Unknown { name, .. } => anyhow::anyhow!("{}: {error}", flag(name)),
            GivenError::BadValue { name, reason } if !name.is_empty() => {
                anyhow::anyhow!("{}: {reason}", flag(name))
            }
            GivenError::BadValue { reason, .. } => anyhow::anyhow!("--ticket: {reason}"),
        }
    })
}

/// The most other lines a note about a repeated id lists.
const MAX_LINES_LISTED: usize = 10;

/// Find `id` in a ticket file. The id may be on several lines (an export that was not folded,
/// a join that repeated rows): the first line whose record is not rejected is explained, and a
/// note names the others, so the trace is never taken for the only one. Also returns the
/// latest timestamp of the file's decided tickets: the default `--as-of`, as in replay.
fn ticket_in_file(
    mut source: TicketSource,
    path: &Path,
    id: &str,
) -> anyhow::Result<(Ticket, Vec<String>, Option<Timestamp>)> {
    let mut ticket = Ticket::default();
    let mut chosen: Option<Ticket> = None;
    // Every line with the id, in order: (line, reason it was rejected).
    let mut lines: Vec<(u64, Option<String>)> = Vec::new();
    let mut latest: Option<Timestamp> = None;
    while let Some(row) = source
        .next(&mut ticket)
        .with_context(|| path.display().to_string())?
    {
        if row.is_ok() {
            latest = latest.max(ticket.latest());
        }
        match row {
            Ok(()) if ticket.id == id => {
                lines.push((ticket.line, None));
                if chosen.is_none() {
                    chosen = Some(ticket.clone());
                }
            }
            Err(row) if row.id.as_deref() == Some(id) => {
                lines.push((row.line, Some(row.reason)));
            }
            _ => {}
        }
    }
    let Some(chosen) = chosen else {
        match lines.first() {
            None => bail!("no ticket with id `{id}` in {}", path.display()),
            Some((line, reason)) => bail!(
                "{}: line {line}: ticket `{id}` is rejected: {}{}",
                path.display(),
                reason.as_deref().unwrap_or_default(),
                if lines.len() > 1 {
                    format!(" (and on {} more lines, all rejected)", lines.len() - 1)
                } else {
                    String::new()
                }
            ),
        }
    };
    let mut notes = Vec::new();
    if lines.len() > 1 {
        let others: Vec<String> = lines
            .iter()
            .filter(|(line, _)| *line != chosen.line)
            .take(MAX_LINES_LISTED)
            .map(|(line, reason)| match reason {
                Some(reason) => format!("{line} (rejected: {reason})"),
                None => line.to_string(),
            })
            .collect();
        let more = (lines.len() - 1).saturating_sub(MAX_LINES_LISTED);
        let more = if more > 0 {
            format!(" and {more} more")
        } else {
            String::new()
        };
        let which = if lines.first().is_some_and(|(line, _)| *line == chosen.line) {
            "this is the first"
        } else {
            "this is the first that is not rejected"
        };
        notes.push(format!(
            "id `{id}` is also on line{} {}{more}; {which}",
            if lines.len() > 2 { "s" } else { "" },
            others.join(", ")
        ));
    }
    Ok((chosen, notes, latest))
}

pub fn run(args: ExplainArgs) -> anyhow::Result<Exit> {
    let inputs = Inputs::open(&args.input, &[("--policy", &args.policy)])?;
    let (loaded, compiled) = inputs.evaluate(&args.policy)?;
    // An unknown route is a usage error before any ticket is read.
    if let Some(expected) = &args.expect {
        if !compiled.routes.iter().any(|r| r == expected) {
            bail!(
                "--expect {expected}: no such route in {}; routes: {}",
                args.policy.display(),
                compiled.routes.join(", ")
            );
        }
    }
    let (ticket, notes, latest, columns) = match &args.id {
        Some(id) => {
            let (source, _) = inputs.ticket_source(compiled.needs.clone(), None)?;
            let layout = source.layout.clone();
            let (ticket, notes, latest) = ticket_in_file(source, inputs.tickets()?, id)?;
            let columns: Vec<Field> = Field::ALL
                .into_iter()
                .filter(|&f| layout.has_field(f))
                .collect();
            (ticket, notes, latest, columns)
        }
        None => {
            let ticket = given_ticket(&args.ticket, &compiled.needs)?;
            let pairs = parse_pairs(&args.ticket)?;
            let columns: Vec<Field> = Field::ALL
                .into_iter()
                .filter(|f| pairs.iter().any(|(name, _)| name == f.name()))
                .collect();
            let latest = ticket.latest();
            (ticket, Vec::new(), latest, columns)
        }
    };
    let has = |field: Field| columns.contains(&field);
    let explained = crate::engine::explain::explain(
        &loaded.policy,
        &compiled,
        &ticket,
        &notes,
        &has,
        args.as_of.or(latest),
    );
    let text = match args.format {
        ExplainFormat::Text => crate::output::explain::text(&explained),
        ExplainFormat::Json => format!("{}\n", crate::output::explain::json(&explained)?),
    };
    let mut out = super::io::stdout();
    out.write_all(text.as_bytes())
        .and_then(|()| out.flush())
        .context("cannot write")?;
    // As `amtool config routes test --verify.receivers`: the route is printed, then judged.
    match &args.expect {
        Some(expected) if *expected != explained.decision.route => {
            eprintln!(
                "expected {expected}, got {} ({})",
                explained.decision.route,
                match &explained.decision.rule {
                    Some(rule) => format!("rule '{rule}'"),
                    None => "the default route".to_string(),
                }
            );
            Ok(Exit::Fail)
        }
        _ => Ok(Exit::Ok),
    }
}
