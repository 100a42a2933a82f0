//! `handoff test FILE...`: policy tests (example tickets with the decision each must get), and
//! `handoff test --record` to freeze today's decisions for a sample of real tickets.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};

use super::Exit;
use super::io::{AtomicFile, open_input, refuse_overwriting_inputs};
use crate::config::Config;
use crate::engine::eval::{CompiledPolicy, Decision};
use crate::policy::load::{load_test_file, test_file_yaml};
use crate::policy::testfile::{Expect, Scalar, TestCase, TestFile};
use crate::policy::{Span, Spanned};
use crate::tickets::{LABEL_FIELDS, Mapping, Ticket, TicketSource, ticket_from_fields};

#[derive(Debug, clap::Args)]
pub struct TestArgs {
    /// Policy test files (YAML)
    #[arg(value_name = "FILE", required_unless_present = "record")]
    pub files: Vec<PathBuf>,
    /// Write a test file from real tickets instead: today's decision for a sample covering every
    /// rule and the default
    #[arg(long, requires_all = ["policy", "tickets"], conflicts_with = "files")]
    pub record: bool,
    /// With --record: the policy
    #[arg(long, value_name = "FILE")]
    pub policy: Option<PathBuf>,
    /// With --record: the ticket CSV
    #[arg(long, value_name = "FILE")]
    pub tickets: Option<PathBuf>,
    /// With --record: column mapping (TOML)
    #[arg(long, value_name = "FILE")]
    pub map: Option<PathBuf>,
    /// With --record: how many tickets to keep
    #[arg(long, default_value_t = 20, value_name = "N")]
    pub sample: usize,
    /// With --record: write the test file here (atomically) instead of stdout; the `policy:`
    /// path in it is relative to this file (to the current directory without --output)
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Configuration file [default: ./handoff.toml when present]
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
}

fn describe(compiled: &CompiledPolicy, d: &Decision) -> Expect {
    Expect {
        tier: Some(compiled.route_name(d.rank).to_string()),
        rule: Some(
            d.rule
                .map_or("(default)".to_string(), |i| compiled.rules[i].id.clone()),
        ),
        priority: Some(
            d.priority
                .and_then(|p| compiled.priorities.get(p).cloned())
                .unwrap_or_else(|| "none".to_string()),
        ),
        reason: Some(d.reason.map_or("default", |r| r.name()).to_string()),
    }
}

/// The differences between what a case expects and what happened, one line each.
fn mismatches(expect: &Expect, actual: &Expect) -> Vec<String> {
    let pairs = [
        ("tier", &expect.tier, &actual.tier),
        ("rule", &expect.rule, &actual.rule),
        ("priority", &expect.priority, &actual.priority),
        ("reason", &expect.reason, &actual.reason),
    ];
    pairs
        .into_iter()
        .filter_map(|(name, want, got)| {
            let want = want.as_deref()?;
            let got = got.as_deref().unwrap_or("none");
            (!want.eq_ignore_ascii_case(got)).then(|| format!("{name}: expected {want}, got {got}"))
        })
        .collect()
}

fn run_file(path: &Path, config: &Config, out: &mut dyn Write) -> anyhow::Result<(usize, usize)> {
    let file = load_test_file(path).map_err(anyhow::Error::msg)?;
    let policy_path = path.parent().unwrap_or(Path::new(".")).join(&file.policy);
    let loaded = super::load_policy_for_evaluation(&policy_path, &config.lint)?;
    let compiled = CompiledPolicy::new(&loaded.policy)
        .with_context(|| format!("cannot evaluate {}", policy_path.display()))?;
    writeln!(out, "{} (policy: {})", path.display(), file.policy)?;
    let (mut passed, mut failed) = (0, 0);
    let mut found = Vec::new();
    let mut decision = Decision::default();
    for case in &file.cases {
        let pairs: Vec<(String, String)> = case
            .value
            .ticket
            .iter()
            .map(|(k, v)| (k.clone(), v.0.clone()))
            .collect();
        let problem = match ticket_from_fields(&pairs, &compiled.needs) {
            Err(reason) => Some((vec![format!("the ticket cannot be read: {reason}")], None)),
            Ok(ticket) => {
                compiled.scan_keywords(&ticket, &mut found);
                compiled.decide(&ticket, &found, &mut decision);
                let actual = describe(&compiled, &decision);
                let lines = mismatches(&case.value.expect, &actual);
                (!lines.is_empty()).then_some((lines, Some(ticket)))
            }
        };
        match problem {
            None => {
                passed += 1;
                writeln!(out, "  ok      {}", case.value.name)?;
            }
            Some((lines, ticket)) => {
                failed += 1;
                writeln!(
                    out,
                    "  FAILED  {} (line {})",
                    case.value.name, case.span.line
                )?;
                for line in lines {
                    writeln!(out, "          {line}")?;
                }
                if let Some(ticket) = ticket {
                    let trace = crate::output::explain::explain(&loaded.policy, &compiled, &ticket);
                    for line in trace.lines() {
                        writeln!(out, "          | {line}")?;
                    }
                }
            }
        }
    }
    Ok((passed, failed))
}

fn record(args: &TestArgs, config: &Config) -> anyhow::Result<Exit> {
    let (Some(policy_path), Some(tickets)) = (&args.policy, &args.tickets) else {
        bail!("--record needs --policy and --tickets");
    };
    if let Some(output) = &args.output {
        let mut inputs = vec![policy_path.as_path(), tickets.as_path()];
        if let Some(map) = &args.map {
            inputs.push(map);
        }
        refuse_overwriting_inputs(&[output], &inputs)?;
    }
    let loaded = super::load_policy_for_evaluation(policy_path, &config.lint)?;
    let compiled = CompiledPolicy::new(&loaded.policy)
        .with_context(|| format!("cannot evaluate {}", policy_path.display()))?;
    let mapping = match &args.map {
        Some(map) => Mapping::load(map)?,
        None => config.mapping()?.unwrap_or_default(),
    };
    let (input, _) = open_input(tickets)?;
    let mut source = TicketSource::new(input, &mapping, compiled.needs.clone())
        .map_err(|e| anyhow::anyhow!("{}: {e}", tickets.display()))?;

    // Stratified: up to `quota` tickets per deciding rule (and the default), in file order.
    let groups = compiled.rules.len() + 1;
    let quota = args.sample.div_ceil(groups).max(1);
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
        let mut fields: BTreeMap<String, Scalar> = BTreeMap::new();
        fields.insert("id".into(), Scalar(ticket.id.clone()));
        let mut put = |name: &str, value: Option<String>| {
            if let Some(value) = value {
                fields.insert(name.to_string(), Scalar(value));
            }
        };
        put("confidence", ticket.confidence.map(|v| v.to_string()));
        put("sentiment", ticket.sentiment.map(|v| v.to_string()));
        for (i, name) in LABEL_FIELDS.iter().enumerate() {
            put(name, ticket.label(i).map(str::to_string));
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
        let expect = describe(&compiled, &decision);
        bucket.push(Spanned::new(
            TestCase {
                name: format!(
                    "{}: {} → {}",
                    ticket.id,
                    expect.rule.as_deref().unwrap_or_default(),
                    expect.tier.as_deref().unwrap_or_default()
                ),
                ticket: fields,
                expect,
            },
            Span::UNKNOWN,
        ));
    }
    let tally = crate::tickets::tally::ReadTally {
        records,
        rejected: records - decided,
        examples: &examples,
    };
    if let Some(message) = tally.nothing_decided(
        "`handoff replay … --rejects FILE` writes every rejected record with its reason",
    ) {
        bail!("{}: {message}", tickets.display());
    }
    // Round-robin over the groups so every rule is covered before any gets a second ticket.
    let mut cases = Vec::new();
    for round in 0..quota {
        for bucket in kept.values() {
            if let Some(case) = bucket.get(round) {
                if cases.len() < args.sample {
                    cases.push(case.clone());
                }
            }
        }
    }
    let base = match &args.output {
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
            .filter_map(|c| c.value.expect.rule.as_deref())
            .collect();
        rules.sort_unstable();
        rules.dedup();
        rules.len()
    };
    let file = TestFile {
        policy: policy_rel.display().to_string().replace('\\', "/"),
        cases,
    };
    let yaml = test_file_yaml(&file).map_err(anyhow::Error::msg)?;
    let text = format!(
        "# Recorded by `handoff test --record` from {}: {} tickets covering {covered} of the {seen}\n# routes (rules and default) that decide tickets there. Review before committing.\n{yaml}",
        tickets.display(),
        file.cases.len(),
    );
    match &args.output {
        Some(output) => {
            let mut out = AtomicFile::create(output)?;
            out.write_all(text.as_bytes())?;
            out.commit()?;
            eprintln!("wrote {} cases to {}", file.cases.len(), output.display());
        }
        None => std::io::stdout()
            .lock()
            .write_all(text.as_bytes())
            .context("cannot write")?,
    }
    Ok(Exit::Ok)
}

pub fn run(args: TestArgs) -> anyhow::Result<Exit> {
    let config = Config::load(args.config.as_deref())?;
    if args.record {
        return record(&args, &config);
    }
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    let (mut passed, mut failed) = (0, 0);
    for path in &args.files {
        let (p, f) = run_file(path, &config, &mut out)?;
        passed += p;
        failed += f;
    }
    writeln!(out, "{passed} passed, {failed} failed")?;
    out.flush()?;
    Ok(if failed > 0 { Exit::Fail } else { Exit::Ok })
}
