//! `handoff test --record`: freeze today's decisions for a sample of real tickets as a test
//! file, the sample stratified so that every rule that decides tickets (and the default) is
//! covered before any gets a second ticket.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;

use anyhow::{Context, bail};

use super::{TestArgs, describe};
use crate::cmd::Exit;
use crate::cmd::input::{Inputs, REPLAY_REJECTS_HINT};
use crate::cmd::io::OutputTarget;
use crate::diag::Span;
use crate::engine::eval::{CompiledPolicy, Decision};
use crate::fields::Label;
use crate::policy::load::test_file_yaml;
use crate::policy::testfile::{Scalar, TestCase, TestFile, TicketFields};
use crate::policy::{NamedMap, Spanned};
use crate::tickets::Ticket;

/// Write a test file from the tickets: today's decision for a sample that covers every rule
/// (and the default) that decides a ticket there.
pub(super) fn record(args: &TestArgs, inputs: &Inputs) -> anyhow::Result<Exit> {
    let (Some(policy_path), Ok(tickets)) = (&args.policy, inputs.tickets()) else {
        bail!("--record needs --policy and --tickets");
    };
    inputs.check_outputs(&[("--output", args.output.as_deref())], false)?;
    let (_, compiled) = inputs.evaluate(policy_path)?;
    let (mut source, _) = inputs.ticket_source(compiled.needs.clone(), None)?;

    // Stratified: up to `quota` tickets per deciding rule (and the default), in file order.
    let groups = compiled.rules.len() + 1;
    let sample = args.sample.unwrap_or(20);
    let quota = sample.div_ceil(groups).max(1);
    let mut kept: BTreeMap<usize, Vec<Spanned<TestCase>>> = BTreeMap::new();
    let (mut ticket, mut found, mut decision) =
        (Ticket::default(), Vec::new(), Decision::default());
    let reads: Vec<String> = compiled.needs.rule_fields.iter().cloned().collect();
    let (mut records, mut decided, mut examples) = (0u64, 0u64, Vec::new());
    while let Some(row) = source
        .next(&mut ticket)
        .with_context(|| tickets.display().to_string())?
    {
        records += 1;
        if let Err(error) = row {
            if examples.len() < crate::engine::replay::REJECT_EXAMPLES {
                examples.push(error);
            }
            continue;
        }
        decided += 1;
        compiled.scan_keywords(&ticket, &mut found);
        compiled.decide(&ticket, &found, &mut decision);
        let group = decision.rule.unwrap_or(compiled.rules.len());
        let bucket = kept.entry(group).or_default();
        if bucket.len() >= quota {
            continue;
        }
        bucket.push(recorded_case(&ticket, &compiled, &decision, &reads));
    }
    let tally = crate::tickets::tally::ReadTally {
        records,
        rejected: records - decided,
        examples: &examples,
    };
    inputs.refuse_nothing_decided(&tally, REPLAY_REJECTS_HINT)?;
    // Round-robin over the groups so every rule is covered before any gets a second ticket.
    let mut cases = Vec::new();
    for round in 0..quota {
        for bucket in kept.values() {
            if let Some(case) = bucket.get(round) {
                if cases.len() < sample {
                    cases.push(case.clone());
                }
            }
        }
    }
    let base = match args.output.as_deref().filter(|o| *o != Path::new("-")) {
        Some(output) => std::path::absolute(
            output
                .parent()
                .filter(|p| !p.as_os_str().is_empty())
                .unwrap_or(Path::new(".")),
        )?,
        None => std::env::current_dir()?,
    };
    let policy_rel = pathdiff::diff_paths(std::path::absolute(policy_path)?, &base)
        .unwrap_or_else(|| policy_path.clone());
    let seen = kept.len();
    let covered = {
        let mut rules: Vec<&str> = cases
            .iter()
            .filter_map(|c| c.value.expect.value.rule.as_deref())
            .collect();
        rules.sort_unstable();
        rules.dedup();
        rules.len()
    };
    let file = TestFile {
        policy: Some(policy_rel.display().to_string().replace('\\', "/")),
        cases: Spanned::new(cases, Span::UNKNOWN),
    };
    let yaml = test_file_yaml(&file).map_err(anyhow::Error::msg)?;
    let text = format!(
        "# Recorded by `handoff test --record` from {}: {} tickets covering {covered} of the {seen}\n# routes (rules and default) that decide tickets there. Review before committing.\n{yaml}",
        tickets.display(),
        file.cases.value.len(),
    );
    let output = args.output.as_deref().unwrap_or(Path::new("-"));
    let mut out = OutputTarget::open(output)?;
    out.write_all(text.as_bytes())?;
    out.finish()?;
    if output != Path::new("-") && !crate::cmd::quiet() {
        eprintln!(
            "wrote {} cases to {}",
            file.cases.value.len(),
            output.display()
        );
    }
    Ok(Exit::Ok)
}

/// The test case that freezes a ticket's decision: the fields the policy reads, and what it
/// decided.
fn recorded_case(
    ticket: &Ticket,
    compiled: &CompiledPolicy,
    decision: &Decision,
    reads: &[String],
) -> Spanned<TestCase> {
    let mut fields: BTreeMap<String, String> = BTreeMap::new();
    fields.insert("id".into(), ticket.id.clone());
    let mut put = |name: &str, value: Option<String>| {
        if let Some(value) = value {
            fields.insert(name.to_string(), value);
        }
    };
    put("confidence", ticket.confidence.map(|v| v.to_string()));
    put("sentiment", ticket.sentiment.map(|v| v.to_string()));
    for label in Label::ALL {
        put(label.name(), ticket.label(label).map(str::to_string));
    }
    put(
        "requested_human",
        ticket.requested_human.map(|v| v.to_string()),
    );
    if ticket.has_text() {
        put("text", Some(ticket.texts.join("\n")));
    }
    for (slot, name) in compiled.needs.extras.iter().enumerate() {
        if reads.contains(name) && !ticket.extras[slot].is_empty() {
            put(name, Some(ticket.extras[slot].clone()));
        }
    }
    let expect = describe(compiled, decision);
    Spanned::new(
        TestCase {
            name: format!(
                "{}: {} → {}",
                ticket.id,
                expect.rule.as_deref().unwrap_or_default(),
                expect.tier.as_deref().unwrap_or_default()
            ),
            ticket: TicketFields(NamedMap(
                fields
                    .into_iter()
                    .map(|(k, v)| {
                        (
                            Spanned::new(k, Span::UNKNOWN),
                            Spanned::new(Scalar(v), Span::UNKNOWN),
                        )
                    })
                    .collect(),
            )),
            expect: Spanned::new(expect, Span::UNKNOWN),
        },
        Span::UNKNOWN,
    )
}
