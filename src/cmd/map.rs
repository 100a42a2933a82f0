//! `handoff map`: the built-in column mappings (`list`, `show NAME`) and a starter mapping
//! written from a ticket file (`suggest --tickets FILE`).

use std::io::Write;

use anyhow::Context;

use super::Exit;
use crate::tickets::presets::{PRESETS, Preset};

#[derive(Debug, clap::Args)]
pub struct MapArgs {
    #[command(subcommand)]
    pub command: MapCommand,
}

#[derive(Debug, clap::Subcommand)]
pub enum MapCommand {
    /// List the built-in presets (`--map NAME`)
    List,
    /// Print a built-in preset verbatim (save it to adapt it)
    Show {
        /// The preset (`handoff map list` names them)
        name: String,
    },
    /// Print a commented starter mapping for a ticket file, from its header and values
    Suggest {
        /// Ticket CSV (`-` for stdin; `.csv.gz` is decompressed); at most the first 10,000
        /// records are read
        #[arg(long, value_name = "FILE")]
        tickets: std::path::PathBuf,
    },
}

pub fn run(args: MapArgs) -> anyhow::Result<Exit> {
    let text = match args.command {
        MapCommand::List => {
            let width = PRESETS.iter().map(|p| p.name.len()).max().unwrap_or(0);
            PRESETS
                .iter()
                .map(|p| format!("{:width$}  {}\n", p.name, p.summary))
                .collect::<String>()
        }
        MapCommand::Show { name } => match Preset::named(&name) {
            Some(preset) => preset.text.to_string(),
            None => anyhow::bail!("no preset `{name}`; the presets are {}", Preset::names()),
        },
        MapCommand::Suggest { tickets } => {
            let (input, _) = super::io::open_input(&tickets, None)?;
            let suggestion = crate::tickets::suggest::suggest(input)
                .map_err(|e| anyhow::anyhow!("{}: {e}", tickets.display()))?;
            suggestion.render(&tickets.display().to_string())
        }
    };
    let mut out = super::io::stdout();
    out.write_all(text.as_bytes())
        .and_then(|()| out.flush())
        .context("cannot write the mapping")?;
    Ok(Exit::Ok)
}
