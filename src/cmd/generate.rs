//! `handoff gen --rows N --seed S`: deterministic synthetic tickets (CSV on stdout).

use std::io::Write;

use anyhow::Context;
use jiff::Timestamp;

use super::Exit;
use crate::tickets::synthetic::{GenOptions, generate};

#[derive(Debug, clap::Args)]
pub struct GenArgs {
    /// Number of tickets
    #[arg(long, default_value_t = 1000)]
    pub rows: u64,
    /// Random seed: the same seed gives the same file
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Earliest creation time (RFC 3339)
    #[arg(long, default_value = "2026-01-05T00:00:00Z")]
    pub start: Timestamp,
    /// Days the creation times spread over
    #[arg(long, default_value_t = 120, value_parser = clap::value_parser!(u32).range(1..=3650))]
    pub days: u32,
}

pub fn run(args: GenArgs) -> anyhow::Result<Exit> {
    // Tickets are created over `days` days and answered up to a few days later: all of it
    // must stay within the dates a timestamp can hold.
    let span = jiff::SignedDuration::from_hours(24 * (i64::from(args.days) + 7));
    if args.start.checked_add(span).is_err() {
        anyhow::bail!(
            "--start {} with --days {}: the generated times would pass 9999-12-31, the last date handoff can represent",
            args.start,
            args.days
        );
    }
    let options = GenOptions {
        rows: args.rows,
        seed: args.seed,
        start: args.start,
        days: args.days,
    };
    let mut out = std::io::BufWriter::with_capacity(1 << 16, std::io::stdout().lock());
    let written = generate(&options, &mut out)
        .and_then(|()| out.flush())
        .context("cannot write the tickets");
    match written {
        // `gen | head`: the reader has what it wanted, and gen has no verdict to keep.
        Err(e) if super::is_broken_pipe(&e) => Ok(Exit::Ok),
        Err(e) => Err(e),
        Ok(()) => Ok(Exit::Ok),
    }
}
