//! `handoff schema`: the JSON Schema of the policy format.

use std::io::Write;

use anyhow::Context;

use super::Exit;
use crate::policy::schema::policy_schema_json;

#[derive(Debug, clap::Args)]
pub struct SchemaArgs {}

pub fn run(_args: SchemaArgs) -> anyhow::Result<Exit> {
    let mut out = super::io::stdout();
    out.write_all(policy_schema_json().as_bytes())
        .and_then(|()| out.flush())
        .context("cannot write the schema")?;
    Ok(Exit::Ok)
}
