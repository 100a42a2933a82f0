//! `handoff init [PATH]`: write a commented starter policy that lints clean. Never overwrites.

use std::io::Write;
use std::path::PathBuf;

use anyhow::{Context, bail};

use super::Exit;

/// The starter policy; a test checks that it lints clean.
pub const STARTER_POLICY: &str = include_str!("starter.yaml");

#[derive(Debug, clap::Args)]
pub struct InitArgs {
    /// Where to write the policy
    #[arg(value_name = "PATH", default_value = "policy.yaml")]
    pub path: PathBuf,
}

pub fn run(args: InitArgs) -> anyhow::Result<Exit> {
    let path = &args.path;
    let mut file = match std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
    {
        Ok(file) => file,
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            bail!(
                "{} already exists; `handoff init` never overwrites a file (give another path)",
                path.display()
            )
        }
        Err(e) => return Err(e).with_context(|| format!("cannot create {}", path.display())),
    };
    let written = file
        .write_all(STARTER_POLICY.as_bytes())
        .and_then(|()| file.sync_all());
    if let Err(e) = written {
        drop(file);
        // Leave no half-written policy behind.
        let _ = std::fs::remove_file(path);
        return Err(e).with_context(|| format!("cannot write {}", path.display()));
    }
    if !super::quiet() {
        eprintln!(
            "wrote {0}\nnext: edit the teams and rules, then run `handoff lint {0}`",
            path.display()
        );
    }
    Ok(Exit::Ok)
}
