//! `handoff test FILE...`: policy tests (example tickets with the decision each must get); the
//! arguments, reading and checking the files, running the cases. `handoff test --record`, which
//! freezes today's decisions for a sample of real tickets, is in `test/record.rs`.
//!
//! Every file is read and checked before any case runs: a file that tests nothing (no cases, a
//! case that expects nothing) or holds a ticket no export could hold is an error (exit 2)
//! naming the file, the case and the field, never a case that silently passes or fails.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::rc::Rc;
use std::time::Instant;

use anyhow::bail;

use super::Exit;
use super::input::{InputArgs, Inputs, only_with};
use crate::diag::Span;
use crate::engine::eval::{CompiledPolicy, Decision};
use crate::output::junit;
use crate::output::policy_tests::{CaseResult, SuiteResult};
use crate::policy::LoadedPolicy;
use crate::policy::load::load_test_file;
use crate::policy::testfile::{Expect, REASONS, TestCase};
use crate::tickets::Ticket;
use crate::tickets::given::{GivenError, known_fields, nearest, read_given};

mod record;

#[derive(Debug, clap::Args)]
#[command(
    mut_arg("tickets", only_with("--record")),
    mut_arg("map", only_with("--record"))
)]
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
    #[command(flatten)]
    pub input: InputArgs<false>,
    /// With --record: how many tickets to keep [default: 20]
    #[arg(long, value_name = "N")]
    pub sample: Option<usize>,
    /// With --record: write the test file here instead of stdout (a file is replaced
    /// atomically; `-` is stdout); the `policy:` path in it is relative to this file (to the
    /// current directory without --output)
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<PathBuf>,
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

/// A policy the cases of one or more test files run against.
struct PolicyUnderTest {
    loaded: LoadedPolicy,
    compiled: CompiledPolicy,
}

/// The policies of this run by path: one named by several test files (or given with --policy)
/// is loaded, linted and compiled once.
type Policies = BTreeMap<PathBuf, Rc<PolicyUnderTest>>;

/// A test file, read and checked, with the policy its cases run against.
struct Suite {
    path: PathBuf,
    /// How the header names the policy.
    policy_label: String,
    policy: Rc<PolicyUnderTest>,
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
    inputs: &Inputs,
    policies: &mut Policies,
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
    let policy = match policies.get(&policy_path) {
        Some(policy) => Rc::clone(policy),
        None => {
            let (loaded, compiled) = inputs.evaluate(&policy_path)?;
            let policy = Rc::new(PolicyUnderTest { loaded, compiled });
            policies.insert(policy_path, Rc::clone(&policy));
            policy
        }
    };
    let compiled = &policy.compiled;
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
        policy,
        cases,
        ignored,
    }))
}

/// Run every case of a suite.
fn run_suite(suite: &Suite) -> SuiteResult {
    let compiled = &suite.policy.compiled;
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
            crate::output::explain::explain(&suite.policy.loaded.policy, compiled, &case.ticket)
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

pub fn run(args: TestArgs) -> anyhow::Result<Exit> {
    let policy: Vec<(&str, &Path)> = args
        .policy
        .iter()
        .map(|p| ("--policy", p.as_path()))
        .collect();
    let inputs = Inputs::open(&args.input, &policy)?;
    if args.record {
        if args.format != TestFormat::Human {
            bail!("--format goes with running tests; --record writes a test file");
        }
        return record::record(&args, &inputs);
    }
    // Options of --record are refused without it, rather than silently ignored.
    for (given, flag) in [
        (args.input.tickets.is_some(), "--tickets"),
        (args.input.map.is_some(), "--map"),
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
    let mut policies = Policies::new();
    for path in &args.files {
        match load_suite(path, args.policy.as_deref(), &inputs, &mut policies)? {
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
