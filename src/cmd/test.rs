//! `handoff test FILE...`: policy tests (example tickets with the decision each must get), and
//! `handoff test --record` to freeze today's decisions for a sample of real tickets.
//!
//! Every file is read and checked before any case runs: a file that tests nothing (no cases, a
//! case that expects nothing) or holds a ticket no export could hold is an error (exit 2)
//! naming the file, the case and the field, never a case that silently passes or fails.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Context, bail};

use super::Exit;
use super::io::{OutputTarget, check_outputs, config_input, open_input};
use crate::config::Config;
use crate::diag::Span;
use crate::engine::eval::{CompiledPolicy, Decision};
use crate::fields::Label;
use crate::output::junit;
use crate::output::policy_tests::{CaseResult, SuiteResult};
use crate::policy::load::{load_test_file, test_file_yaml};
use crate::policy::testfile::{Expect, REASONS, Scalar, TestCase, TestFile, TicketFields};
use crate::policy::{LoadedPolicy, NamedMap, Spanned};
use crate::tickets::given::{GivenError, known_fields, nearest, read_given};
use crate::tickets::{Mapping, Ticket, TicketSource};

#[derive(Debug, clap::Args)]
pub struct TestArgs {
    /// Policy test files (YAML)
    #[arg(value_name = "FILE", required_unless_present = "record")]
    pub files: Vec<PathBuf>,
    /// Write a test file from real tickets instead: today's decision for a sample covering every
    /// rule and the default
    #[arg(long, requires_all = ["policy", "tickets"], conflicts_with = "files")]
    pub record: bool,
    /// The policy: with --record, the one to record; otherwise run every case against it
    /// instead of the policy each file names
    #[arg(long, value_name = "FILE")]
    pub policy: Option<PathBuf>,
    /// With --record: the ticket CSV
    #[arg(long, value_name = "FILE")]
    pub tickets: Option<PathBuf>,
    /// With --record: column mapping (TOML)
    #[arg(long, value_name = "FILE")]
    pub map: Option<PathBuf>,
    /// With --record: how many tickets to keep [default: 20]
    #[arg(long, value_name = "N")]
    pub sample: Option<usize>,
    /// With --record: write the test file here instead of stdout (a file is replaced
    /// atomically; `-` is stdout); the `policy:` path in it is relative to this file (to the
    /// current directory without --output)
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Configuration file [default: ./handoff.toml when present]
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Output format of the results
    #[arg(long, value_enum, default_value_t = TestFormat::Human)]
    pub format: TestFormat,
}

/// Output formats of `handoff test`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum TestFormat {
    /// `ok` / `FAILED` per case, with the trace of each failure, and a summary.
    Human,
    /// JUnit XML for GitLab, Jenkins and other CI test reports: a test case per case.
    Junit,
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

/// The differences between what a case expects and what happened, one line each; an expected
/// name the policy does not have says so.
fn mismatches(expect: &Expect, actual: &Expect, compiled: &CompiledPolicy) -> Vec<String> {
    let mut rules: Vec<&str> = compiled.rules.iter().map(|r| r.id.as_str()).collect();
    rules.push("(default)");
    let tiers: Vec<&str> = compiled.routes.iter().map(String::as_str).collect();
    let mut priorities: Vec<&str> = compiled.priorities.iter().map(String::as_str).collect();
    priorities.push("none");
    let pairs = [
        ("tier", &expect.tier, &actual.tier, &tiers),
        ("rule", &expect.rule, &actual.rule, &rules),
        ("priority", &expect.priority, &actual.priority, &priorities),
        ("reason", &expect.reason, &actual.reason, &REASONS.to_vec()),
    ];
    pairs
        .into_iter()
        .filter_map(|(name, want, got, known)| {
            let want = want.as_deref()?;
            let got = got.as_deref().unwrap_or("none");
            if want.eq_ignore_ascii_case(got) {
                return None;
            }
            let unknown = !known.iter().any(|k| k.eq_ignore_ascii_case(want));
            let hint = match (unknown, nearest(want, known)) {
                (false, _) => String::new(),
                (true, Some(best)) => {
                    format!(" (the policy has no {name} `{want}`; did you mean `{best}`?)")
                }
                (true, None) => format!(" (the policy has no {name} `{want}`)"),
            };
            Some(format!("{name}: expected {want}, got {got}{hint}"))
        })
        .collect()
}

/// One case, read and checked.
struct Case {
    name: String,
    line: usize,
    ticket: Ticket,
    expect: Expect,
}

/// A test file, read and checked, with the policy its cases run against.
struct Suite {
    path: PathBuf,
    /// How the header names the policy.
    policy_label: String,
    loaded: LoadedPolicy,
    compiled: CompiledPolicy,
    cases: Vec<Case>,
    /// Fields the policy does not read, and in how many cases they were ignored.
    ignored: BTreeMap<String, usize>,
}

/// Where a problem is: `FILE:LINE:COLUMN`, or `FILE` when the place is unknown.
fn place(path: &Path, span: Span) -> String {
    if span.is_known() {
        format!("{}:{}:{}", path.display(), span.line, span.column)
    } else {
        path.display().to_string()
    }
}

/// Read a test file and the policy its cases run against; check every case. `Ok(Err(_))` lists
/// the problems of the file; `Err(_)` is a file or policy that cannot be read at all.
fn load_suite(
    path: &Path,
    policy_override: Option<&Path>,
    config: &Config,
) -> anyhow::Result<Result<Suite, Vec<String>>> {
    let file = load_test_file(path).map_err(anyhow::Error::msg)?;
    let (policy_path, policy_label) = match (policy_override, &file.policy) {
        (Some(p), _) => (p.to_path_buf(), format!("{}, from --policy", p.display())),
        (None, Some(p)) => (path.parent().unwrap_or(Path::new(".")).join(p), p.clone()),
        (None, None) => bail!(
            "{}: no `policy:` names the policy under test; add one, or give --policy",
            path.display()
        ),
    };
    let loaded = super::load_policy_for_evaluation(&policy_path, &config.lint)?;
    let compiled = CompiledPolicy::new(&loaded.policy)
        .with_context(|| format!("cannot evaluate {}", policy_path.display()))?;
    let mut problems = Vec::new();
    if file.cases.value.is_empty() {
        problems.push(format!(
            "{}: `cases` is empty: the file tests nothing; add at least one case",
            place(path, file.cases.span)
        ));
    }
    let known = known_fields(&compiled.needs);
    let mut cases = Vec::new();
    let mut ignored: BTreeMap<String, usize> = BTreeMap::new();
    for case in &file.cases.value {
        let TestCase {
            name,
            ticket,
            expect,
        } = &case.value;
        let mut problem = |span: Span, what: String| {
            problems.push(format!("{}: case '{name}': {what}", place(path, span)));
        };
        if expect.value.is_empty() {
            problem(
                expect.span,
                "`expect` is empty, so the case checks nothing; give at least one of tier, rule, priority, reason".into(),
            );
        }
        if let Some(reason) = &expect.value.reason {
            if !REASONS.iter().any(|r| r.eq_ignore_ascii_case(reason)) {
                problem(
                    expect.span,
                    format!("`{reason}` is not a reason kind ({})", REASONS.join(", ")),
                );
            }
        }
        // A field the policy does not read (kept by --record from an older policy) is
        // ignored; one that looks like a misspelt known field is an error.
        let mut pairs = Vec::new();
        let mut spans: Vec<(String, Span, Span)> = Vec::new();
        let mut misspelt = false;
        for (key, value) in ticket.0.iter() {
            if !known.contains(&key.value.as_str()) {
                if let Some(best) = nearest(&key.value, &known) {
                    problem(
                        key.span,
                        format!(
                            "unknown ticket field `{}`; did you mean `{best}`?",
                            key.value
                        ),
                    );
                    misspelt = true;
                } else {
                    *ignored.entry(key.value.clone()).or_default() += 1;
                }
                continue;
            }
            pairs.push((key.value.clone(), value.value.0.clone()));
            spans.push((key.value.clone(), key.span, value.span));
        }
        if misspelt {
            continue;
        }
        match read_given(&pairs, &compiled.needs) {
            Ok(ticket) => cases.push(Case {
                name: name.clone(),
                line: case.span.line,
                ticket,
                expect: expect.value.clone(),
            }),
            Err(error) => {
                let field = match &error {
                    GivenError::Unknown { name, .. }
                    | GivenError::Repeated { name, .. }
                    | GivenError::BadValue { name, .. } => name,
                };
                let span = match (&error, spans.iter().rev().find(|(n, _, _)| n == field)) {
                    (GivenError::Repeated { .. }, Some((_, key, _))) => *key,
                    (_, Some((_, _, value))) => *value,
                    (_, None) => case.span,
                };
                problem(span, error.to_string());
            }
        }
    }
    if !problems.is_empty() {
        if problems.len() > 1 {
            problems.push(format!(
                "{}: {} problems; no case was run",
                path.display(),
                problems.len()
            ));
        }
        return Ok(Err(problems));
    }
    Ok(Ok(Suite {
        path: path.to_path_buf(),
        policy_label,
        loaded,
        compiled,
        cases,
        ignored,
    }))
}

/// Run every case of a suite.
fn run_suite(suite: &Suite) -> SuiteResult {
    let compiled = &suite.compiled;
    let mut found = Vec::new();
    let mut decision = Decision::default();
    let mut cases = Vec::new();
    for case in &suite.cases {
        let started = Instant::now();
        compiled.scan_keywords(&case.ticket, &mut found);
        compiled.decide(&case.ticket, &found, &mut decision);
        let actual = describe(compiled, &decision);
        let mismatches = mismatches(&case.expect, &actual, compiled);
        let trace = if mismatches.is_empty() {
            String::new()
        } else {
            crate::output::explain::explain(&suite.loaded.policy, compiled, &case.ticket)
        };
        cases.push(CaseResult {
            name: case.name.clone(),
            line: case.line,
            mismatches,
            trace,
            time: started.elapsed(),
        });
    }
    let notes = suite
        .ignored
        .iter()
        .map(|(field, count)| {
            format!(
                "note: the policy does not read `{field}`; ignored in {count} case{}",
                if *count == 1 { "" } else { "s" }
            )
        })
        .collect();
    SuiteResult {
        path: suite.path.display().to_string(),
        policy_label: suite.policy_label.clone(),
        notes,
        cases,
    }
}

fn record(args: &TestArgs, config: &Config) -> anyhow::Result<Exit> {
    let (Some(policy_path), Some(tickets)) = (&args.policy, &args.tickets) else {
        bail!("--record needs --policy and --tickets");
    };
    let outputs: Vec<(&str, &Path)> = args
        .output
        .as_deref()
        .map(|output| ("--output", output))
        .into_iter()
        .collect();
    let mut inputs = vec![
        ("--policy", policy_path.as_path()),
        ("--tickets", tickets.as_path()),
    ];
    inputs.extend(args.map.as_deref().map(|map| ("--map", map)));
    inputs.extend(config_input(config));
    check_outputs(&outputs, &inputs, false)?;
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
        let expect = describe(&compiled, &decision);
        bucket.push(Spanned::new(
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
    if output != Path::new("-") && !super::quiet() {
        eprintln!(
            "wrote {} cases to {}",
            file.cases.value.len(),
            output.display()
        );
    }
    Ok(Exit::Ok)
}

pub fn run(args: TestArgs) -> anyhow::Result<Exit> {
    let config = Config::load(args.config.as_deref())?;
    if args.record {
        if args.format != TestFormat::Human {
            bail!("--format goes with running tests; --record writes a test file");
        }
        return record(&args, &config);
    }
    // Options of --record are refused without it, rather than silently ignored.
    for (given, flag) in [
        (args.tickets.is_some(), "--tickets"),
        (args.map.is_some(), "--map"),
        (args.sample.is_some(), "--sample"),
        (args.output.is_some(), "--output"),
    ] {
        if given {
            bail!(
                "{flag} goes with --record (to run the cases against another policy, give only --policy)"
            );
        }
    }
    // Every file is read and checked before any case runs.
    let mut suites = Vec::new();
    let mut problems = Vec::new();
    for path in &args.files {
        match load_suite(path, args.policy.as_deref(), &config)? {
            Ok(suite) => suites.push(suite),
            Err(list) => problems.extend(list),
        }
    }
    if !problems.is_empty() {
        for problem in &problems {
            eprintln!("error: {problem}");
        }
        return Ok(Exit::Usage);
    }
    let mut out = super::io::stdout();
    let (mut passed, mut failed) = (0, 0);
    let mut junit_suites = Vec::new();
    for suite in &suites {
        let result = run_suite(suite);
        let failures = result.cases.iter().filter(|c| !c.passed()).count();
        passed += result.cases.len() - failures;
        failed += failures;
        match args.format {
            TestFormat::Human => result.print(&mut out)?,
            TestFormat::Junit => junit_suites.push(result.junit()),
        }
    }
    match args.format {
        TestFormat::Human => writeln!(out, "{passed} passed, {failed} failed")?,
        TestFormat::Junit => junit::write_suites(&junit_suites, &mut out)?,
    }
    out.flush()?;
    if failed > 0 && super::io::stdout_closed() {
        // The reader of stdout left before the summary: the failure still needs its reason.
        eprintln!("stdout closed early: {passed} passed, {failed} failed");
    }
    Ok(if failed > 0 { Exit::Fail } else { Exit::Ok })
}
