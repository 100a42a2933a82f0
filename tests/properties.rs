//! Property tests (proptest), bounded so CI stays fast:
//! - any text given as a policy never panics the loader or the linter;
//! - condition evaluation and decisions agree with a naive reference evaluator written here
//!   from DESIGN §2 (three-valued logic, whole-word keywords, prefixes);
//! - H040 never reports a shadow that a generated ticket disproves;
//! - replay accounts for every record: decided + rejected = records, and routes sum to decided.

use std::collections::BTreeMap;
use std::path::PathBuf;

use handoff::config::LintConfig;
use handoff::diag::registry::Code;
use handoff::engine::eval::{CompiledPolicy, Decision, Tri};
use handoff::fields::Label;
use handoff::lint::lint_policy;
use handoff::policy::condition::{Cond, Keyword, LabelField, NumField, compile};
use handoff::policy::load::load_bytes;
use handoff::text::fold;
use handoff::tickets::given::read_given;
use handoff::tickets::source::Needs;
use proptest::prelude::*;

const WORDS: [&str; 14] = [
    "cancel",
    "cancelled",
    "uncancel",
    "refund",
    "refunds",
    "legal",
    "illegal",
    "lawyer",
    "lawyers",
    "e-mail",
    "mail",
    "help",
    "Kündigung",
    "c++",
];
const KEYWORDS: [&str; 10] = [
    "cancel",
    "cancel*",
    "refund",
    "refund*",
    "legal",
    "lawyer*",
    "e-mail",
    "mail",
    "kündigung",
    "c++",
];
const TIERS: [&str; 3] = ["free", "pro", "enterprise"];

fn leaf() -> impl Strategy<Value = String> {
    let number = (0u32..=20).prop_map(|n| f64::from(n) * 0.05);
    let signed = (0u32..=20).prop_map(|n| f64::from(n) * 0.1 - 1.0);
    let words = prop::sample::subsequence(KEYWORDS.to_vec(), 1..3);
    let tiers = prop::sample::subsequence(TIERS.to_vec(), 1..3);
    prop_oneof![
        number
            .clone()
            .prop_map(|v| format!("{{ confidence: {{ below: {v:.2} }} }}")),
        number.prop_map(|v| format!("{{ confidence: {{ at_least: {v:.2} }} }}")),
        signed.prop_map(|v| format!("{{ sentiment: {{ below: {v:.1} }} }}")),
        (0usize..3, words).prop_map(|(kind, list)| {
            let kind = ["any", "all", "none"][kind];
            format!("{{ keywords: {{ {kind}: [{}] }} }}", list.join(", "))
        }),
        (any::<bool>(), tiers).prop_map(|(negate, list)| {
            let op = if negate { "not_in" } else { "in" };
            format!("{{ customer_tier: {{ {op}: [{}] }} }}", list.join(", "))
        }),
        any::<bool>().prop_map(|b| format!("{{ requested_human: {b} }}")),
    ]
}

fn condition() -> impl Strategy<Value = String> {
    leaf().prop_recursive(3, 12, 3, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 1..3)
                .prop_map(|v| format!("{{ all: [{}] }}", v.join(", "))),
            prop::collection::vec(inner.clone(), 1..3)
                .prop_map(|v| format!("{{ any: [{}] }}", v.join(", "))),
            inner.prop_map(|c| format!("{{ not: {c} }}")),
        ]
    })
}

#[derive(Debug, Clone)]
struct RuleSpec {
    when: String,
    route: &'static str,
    continues: bool,
}

fn rules() -> impl Strategy<Value = Vec<RuleSpec>> {
    prop::collection::vec(
        (
            condition(),
            prop::sample::select(vec!["ai", "L1", "L2"]),
            any::<bool>(),
        )
            .prop_map(|(when, route, continues)| RuleSpec {
                when,
                route,
                continues,
            }),
        1..5,
    )
}

fn policy_text(rules: &[RuleSpec]) -> String {
    let mut text = String::from(
        "version: 1\nteams: { t: { members: [a], lead: b } }\ntiers:\n  L1: { owner: t, raci: { responsible: [t], accountable: b }, sla: { default: { first_response: 1h, resolution: 1d } } }\n  L2: { owner: t, raci: { responsible: [t], accountable: b }, sla: { default: { first_response: 1h, resolution: 1d } } }\nrules:\n",
    );
    for (i, r) in rules.iter().enumerate() {
        text.push_str(&format!(
            "  - {{ id: r{i}, when: {}, route: {}, continue: {} }}\n",
            r.when, r.route, r.continues
        ));
    }
    text.push_str("default: ai\n");
    text
}

/// A ticket as plain optional values.
#[derive(Debug, Clone)]
struct Plain {
    confidence: Option<f64>,
    sentiment: Option<f64>,
    tier: Option<&'static str>,
    human: Option<bool>,
    text: Option<String>,
}

fn ticket() -> impl Strategy<Value = Plain> {
    (
        prop::option::of((0u32..=20).prop_map(|n| f64::from(n) * 0.05)),
        prop::option::of((0u32..=20).prop_map(|n| f64::from(n) * 0.1 - 1.0)),
        prop::option::of(prop::sample::select(TIERS.to_vec())),
        prop::option::of(any::<bool>()),
        prop::option::of(
            prop::collection::vec(prop::sample::select(WORDS.to_vec()), 1..5)
                .prop_map(|w| w.join(" ")),
        ),
    )
        .prop_map(|(confidence, sentiment, tier, human, text)| Plain {
            confidence,
            sentiment,
            tier,
            human,
            text,
        })
}

fn fields(p: &Plain) -> Vec<(String, String)> {
    let mut out = vec![("id".to_string(), "t".to_string())];
    let mut put = |k: &str, v: Option<String>| {
        if let Some(v) = v {
            out.push((k.to_string(), v));
        }
    };
    put("confidence", p.confidence.map(|v| format!("{v:.2}")));
    put("sentiment", p.sentiment.map(|v| format!("{v:.1}")));
    put("customer_tier", p.tier.map(str::to_string));
    put("requested_human", p.human.map(|b| b.to_string()));
    put("text", p.text.clone());
    out
}

// ---- the reference evaluator, from DESIGN §2 ----

fn word_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

fn contains(text: &str, k: &Keyword) -> bool {
    text.match_indices(k.text.as_str()).any(|(at, m)| {
        let before_ok = !text[..at].chars().next_back().is_some_and(word_char);
        let after_ok = k.prefix || !text[at + m.len()..].chars().next().is_some_and(word_char);
        before_ok && after_ok
    })
}

fn and(a: Tri, b: Tri) -> Tri {
    match (a, b) {
        (Tri::False, _) | (_, Tri::False) => Tri::False,
        (Tri::True, Tri::True) => Tri::True,
        _ => Tri::Unknown,
    }
}

fn or(a: Tri, b: Tri) -> Tri {
    match (a, b) {
        (Tri::True, _) | (_, Tri::True) => Tri::True,
        (Tri::False, Tri::False) => Tri::False,
        _ => Tri::Unknown,
    }
}

fn known(b: bool) -> Tri {
    if b { Tri::True } else { Tri::False }
}

fn reference(c: &Cond, p: &Plain) -> Tri {
    match c {
        Cond::All(parts) => parts
            .iter()
            .fold(Tri::True, |acc, part| and(acc, reference(part, p))),
        Cond::Any(parts) => parts
            .iter()
            .fold(Tri::False, |acc, part| or(acc, reference(part, p))),
        Cond::Not(inner) => match reference(inner, p) {
            Tri::True => Tri::False,
            Tri::False => Tri::True,
            Tri::Unknown => Tri::Unknown,
        },
        Cond::Number {
            field,
            below,
            at_least,
        } => {
            let value = match field {
                NumField::Confidence => p
                    .confidence
                    .map(|v| format!("{v:.2}").parse::<f64>().unwrap()),
                NumField::Sentiment => p
                    .sentiment
                    .map(|v| format!("{v:.1}").parse::<f64>().unwrap()),
                NumField::Extra(_) => None,
            };
            match value {
                None => Tri::Unknown,
                Some(v) => known(below.is_none_or(|b| v < b) && at_least.is_none_or(|a| v >= a)),
            }
        }
        Cond::Keywords { any, all, none } => match &p.text {
            None => Tri::Unknown,
            Some(text) => {
                let text = fold(text);
                known(
                    any.as_ref()
                        .is_none_or(|l| l.iter().any(|k| contains(&text, k)))
                        && all.iter().all(|k| contains(&text, k))
                        && !none.iter().any(|k| contains(&text, k)),
                )
            }
        },
        Cond::Label { field, in_, not_in } => {
            assert_eq!(*field, LabelField::Canonical(Label::CustomerTier));
            match p.tier {
                None => Tri::Unknown,
                Some(v) => known(
                    in_.as_ref().is_none_or(|s| s.iter().any(|x| x == v))
                        && !not_in.iter().any(|x| x == v),
                ),
            }
        }
        Cond::RequestedHuman(b) => p.human.map_or(Tri::Unknown, |v| known(v == *b)),
        // These tickets have no created_at and no extra columns.
        Cond::BusinessHours(_) | Cond::Matches { .. } => Tri::Unknown,
    }
}

/// DESIGN §2's decision procedure, on reference truths: (route rank, deciding rule).
fn reference_decision(truths: &[Tri], specs: &[RuleSpec]) -> (usize, Option<usize>) {
    let rank = |route: &str| ["ai", "L1", "L2"].iter().position(|r| *r == route).unwrap();
    let mut best: Option<usize> = None;
    for (i, spec) in specs.iter().enumerate() {
        if truths[i] != Tri::True {
            continue;
        }
        if best.is_none_or(|b| rank(spec.route) > rank(specs[b].route)) {
            best = Some(i);
        }
        if !spec.continues {
            break;
        }
    }
    match best {
        Some(i) => (rank(specs[i].route), Some(i)),
        None => (0, None),
    }
}

fn needs_for(compiled: &CompiledPolicy) -> Needs {
    compiled.needs.clone()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn any_text_never_panics_the_loader_or_linter(text in "[a-z0-9_:{}\\[\\], \\n*&!|>'\"#-]{0,300}") {
        if let Ok(loaded) = load_bytes(PathBuf::from("p.yaml"), text.into_bytes()) {
            let _ = lint_policy(&loaded, &LintConfig::default());
        }
    }

    #[test]
    fn any_bytes_never_panic_the_loader(bytes in prop::collection::vec(any::<u8>(), 0..200)) {
        if let Ok(loaded) = load_bytes(PathBuf::from("p.yaml"), bytes) {
            let _ = lint_policy(&loaded, &LintConfig::default());
        }
    }

    #[test]
    fn evaluation_and_decisions_match_the_reference(specs in rules(), tickets in prop::collection::vec(ticket(), 1..16)) {
        let text = policy_text(&specs);
        let loaded = load_bytes(PathBuf::from("p.yaml"), text.clone().into_bytes()).expect(&text);
        let _ = lint_policy(&loaded, &LintConfig::default());
        let compiled = CompiledPolicy::new(&loaded.policy).expect("compiles");
        let conds: Vec<Cond> = loaded.policy.rules.iter().map(|r| compile(&r.when).unwrap()).collect();
        let needs = needs_for(&compiled);
        let (mut found, mut decision) = (Vec::new(), Decision::default());
        for plain in &tickets {
            let ticket = read_given(&fields(plain), &needs).expect("ticket reads");
            compiled.scan_keywords(&ticket, &mut found);
            let truths: Vec<Tri> = conds.iter().map(|c| reference(c, plain)).collect();
            for (i, truth) in truths.iter().enumerate() {
                prop_assert_eq!(compiled.rule_truth(i, &ticket, &found), *truth, "rule {} on {:?}\n{}", i, plain, text);
            }
            compiled.decide(&ticket, &found, &mut decision);
            let (rank, rule) = reference_decision(&truths, &specs);
            prop_assert_eq!((decision.rank, decision.rule), (rank, rule), "{:?}\n{}", plain, text);
        }
    }

}

/// H040 proves coverage; a generated ticket that matches a "shadowed" rule but no earlier
/// terminal rule would disprove it. The run also checks that shadows are found at all, so the
/// property cannot pass vacuously.
#[test]
fn h040_never_reports_a_disproved_shadow() {
    use proptest::test_runner::{Config, TestRunner};
    let mut runner = TestRunner::new(Config {
        cases: 512,
        ..Config::default()
    });
    let shadows = std::cell::Cell::new(0usize);
    let strategy = (rules(), prop::collection::vec(ticket(), 32..64));
    runner
        .run(&strategy, |(specs, tickets)| {
            let text = policy_text(&specs);
            let loaded = load_bytes(PathBuf::from("p.yaml"), text.clone().into_bytes()).expect(&text);
            let report = lint_policy(&loaded, &LintConfig::default());
            let shadowed: Vec<usize> = report
                .diagnostics
                .iter()
                .filter(|d| d.code == Code::H040)
                .filter_map(|d| loaded.policy.rules.iter().position(|r| r.value.id.span == d.span))
                .collect();
            shadows.set(shadows.get() + shadowed.len());
            let conds: Vec<Cond> = loaded.policy.rules.iter().map(|r| compile(&r.when).unwrap()).collect();
            for plain in &tickets {
                let truths: Vec<Tri> = conds.iter().map(|c| reference(c, plain)).collect();
                for &b in &shadowed {
                    if truths[b] == Tri::True {
                        let covered = (0..b).any(|a| !specs[a].continues && truths[a] == Tri::True);
                        prop_assert!(covered, "H040 says rule {} is shadowed, but {:?} matches it and no earlier terminal rule\n{}", b, plain, text);
                    }
                }
            }
            Ok(())
        })
        .unwrap();
    assert!(
        shadows.get() > 10,
        "only {} shadows in 512 policies: the property is nearly vacuous",
        shadows.get()
    );
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    /// Random records, some broken: replay decides or rejects each exactly once.
    #[test]
    fn replay_accounts_for_every_record(rows in prop::collection::vec(
        (prop::sample::select(vec!["T1", "T2", "", "T3"]),
         prop::sample::select(vec!["0.5", "0.95", "", "abc", "180", "0.1"]),
         prop::sample::select(vec!["true", "false", "", "maybe"]),
         prop::sample::select(vec!["2026-03-02T09:00:00Z", "", "soon", "2026-03-03 10:00"]),
         any::<bool>()),
        0..40)) {
        let dir = tempfile::tempdir().unwrap();
        let mut csv = String::from("id,confidence,requested_human,created_at,text\n");
        for (id, confidence, human, created, ragged) in &rows {
            if *ragged {
                csv.push_str(&format!("{id},{confidence}\n"));
            } else {
                csv.push_str(&format!("{id},{confidence},{human},{created},lawyer or refund\n"));
            }
        }
        let tickets = dir.path().join("t.csv");
        std::fs::write(&tickets, csv).unwrap();
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_handoff"))
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .args(["replay", "--policy", "policies/support.yaml", "--format", "json"])
            .args(["--max-reject-rate", "1", "--tickets"])
            .arg(&tickets)
            .output()
            .unwrap();
        // A file whose every record is rejected (or that has none) is a failure, not a report.
        if out.status.code() == Some(2) {
            let stderr = String::from_utf8_lossy(&out.stderr);
            prop_assert!(stderr.contains("no ticket could be decided"), "{}", stderr);
            prop_assert!(out.stdout.is_empty());
            return Ok(());
        }
        prop_assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
        let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        let input = &report["input"];
        let (records, decided, rejected) = (
            input["records"].as_u64().unwrap(),
            input["decided"].as_u64().unwrap(),
            input["rejected"].as_u64().unwrap(),
        );
        prop_assert_eq!(records, rows.len() as u64);
        prop_assert_eq!(decided + rejected, records);
        let by_tier: BTreeMap<String, serde_json::Value> =
            serde_json::from_value(report["report"]["escalation_by_tier"].clone()).unwrap();
        let routed: u64 = by_tier.values().map(|v| v["numerator"].as_u64().unwrap()).sum();
        prop_assert_eq!(routed, decided);
        let by_rule: BTreeMap<String, serde_json::Value> =
            serde_json::from_value(report["report"]["escalation_by_rule"].clone()).unwrap();
        let decided_by_rules: u64 = by_rule.values().map(|v| v["numerator"].as_u64().unwrap()).sum();
        prop_assert_eq!(decided_by_rules, decided);
    }
}
