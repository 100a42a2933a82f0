//! `handoff explain --policy P (--tickets T --id ID | --ticket field=value ...)`: why one ticket
//! gets the route it gets.

use std::io::Write;
use std::path::PathBuf;

use anyhow::{Context, bail};

use super::Exit;
use super::io::open_input;
use crate::config::Config;
use crate::engine::eval::CompiledPolicy;
use crate::tickets::{Mapping, Ticket, TicketSource, ticket_from_fields};

#[derive(Debug, clap::Args)]
#[command(group = clap::ArgGroup::new("which").required(true).args(["id", "ticket"]))]
pub struct ExplainArgs {
    /// The policy
    #[arg(long, value_name = "FILE")]
    pub policy: PathBuf,
    /// Ticket CSV to find --id in (`-` for stdin)
    #[arg(long, value_name = "FILE", requires = "id")]
    pub tickets: Option<PathBuf>,
    /// Column mapping (TOML) for --tickets
    #[arg(long, value_name = "FILE", requires = "tickets")]
    pub map: Option<PathBuf>,
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
    /// Configuration file [default: ./handoff.toml when present]
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
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

pub fn run(args: ExplainArgs) -> anyhow::Result<Exit> {
    let config = Config::load(args.config.as_deref())?;
    let loaded = super::load_policy_for_evaluation(&args.policy, &config.lint)?;
    let compiled = CompiledPolicy::new(&loaded.policy)
        .with_context(|| format!("cannot evaluate {}", args.policy.display()))?;
    let ticket = match (&args.tickets, &args.id) {
        (Some(path), Some(id)) => {
            let mapping = match &args.map {
                Some(map) => Mapping::load(map)?,
                None => config.mapping()?.unwrap_or_default(),
            };
            let (input, _) = open_input(path)?;
            let mut source = TicketSource::new(input, &mapping, compiled.needs.clone())
                .map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
            let mut ticket = Ticket::default();
            loop {
                match source
                    .next(&mut ticket)
                    .with_context(|| path.display().to_string())?
                {
                    None => bail!("no ticket with id `{id}` in {}", path.display()),
                    Some(Ok(())) if ticket.id == *id => break ticket,
                    Some(Err(row)) if row.id.as_deref() == Some(id.as_str()) => {
                        bail!(
                            "{}: line {}: ticket `{id}` is rejected: {}",
                            path.display(),
                            row.line,
                            row.reason
                        )
                    }
                    Some(_) => {}
                }
            }
        }
        _ => ticket_from_fields(&parse_pairs(&args.ticket)?, &compiled.needs)
            .map_err(anyhow::Error::msg)?,
    };
    let text = crate::output::explain::explain(&loaded.policy, &compiled, &ticket);
    let mut out = super::io::stdout();
    out.write_all(text.as_bytes())
        .and_then(|()| out.flush())
        .context("cannot write")?;
    Ok(Exit::Ok)
}
