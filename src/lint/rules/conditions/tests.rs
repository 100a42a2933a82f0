//! The condition checks on small policies: H040, H041, H042, H043 and H049 findings, and that
//! large policies stay fast.

use std::path::PathBuf;

use super::incomplete::Incomplete;
use super::shadowed::shadowed;
use super::{Ctx, check};
use crate::diag::Diagnostic;
use crate::diag::registry::Code;
use crate::lint::semantics::{Analysis, Region};
use crate::policy::load::load_bytes;

fn lint(rules: &str) -> Vec<Diagnostic> {
    let yaml = format!("version: 1\nrules:\n{rules}");
    let loaded = load_bytes(PathBuf::from("t.yaml"), yaml.into_bytes()).expect("policy loads");
    let ctx = Ctx::new(&loaded.policy);
    let mut out = Vec::new();
    check(&ctx, &mut out);
    out
}

/// `CODE line:column message` per finding.
fn findings(rules: &str) -> Vec<String> {
    lint(rules)
        .iter()
        .map(|d| format!("{} {} {}", d.code, d.span, d.message))
        .collect()
}

const LOW_CONFIDENCE: &str =
    "  - { id: low-confidence, when: { confidence: { below: 0.8 } }, route: L1 }\n";

#[test]
fn design_example_is_clean() {
    let rules = "  - id: asks-for-human
    kind: reactive
    when: { requested_human: true }
    route: L1
    continue: true
  - id: legal-risk
    when: { keywords: { any: [legal, lawyer*, lawsuit, gdpr] } }
    route: L3
    priority: urgent
    risk: high
  - id: enterprise-cancel
    when:
      all:
        - keywords: { any: [cancel*, refund*] }
        - customer_tier: { in: [enterprise] }
    route: L2
  - id: low-confidence
    when: { confidence: { below: 0.80 } }
    route: L1
  - id: angry-customer
    when: { sentiment: { below: -0.5 } }
    route: L1
";
    assert_eq!(findings(rules), Vec::<String>::new());
}

#[test]
fn shadowed_by_a_wider_threshold() {
    let rules = format!(
        "{LOW_CONFIDENCE}  - id: enterprise-unsure
    when: {{ all: [ {{ confidence: {{ below: 0.6 }} }}, {{ customer_tier: {{ in: [enterprise] }} }} ] }}
    route: L2
"
    );
    let out = lint(&rules);
    assert_eq!(out.len(), 1);
    let d = &out[0];
    assert_eq!(d.code, Code::H040);
    assert_eq!(
        d.message,
        "rule 'enterprise-unsure' is shadowed by earlier rule 'low-confidence'"
    );
    assert_eq!(d.span.to_string(), "4:9");
    assert_eq!(
        d.label.as_deref(),
        Some("'low-confidence' matches every ticket this rule matches")
    );
    assert_eq!(
        d.help.as_deref(),
        Some("move it above 'low-confidence', or narrow the earlier rule")
    );
    assert_eq!(d.related.len(), 1);
    assert_eq!(d.related[0].0.to_string(), "3:11");
    assert_eq!(d.related[0].1, "matches these tickets first");
}

#[test]
fn not_shadowed() {
    let unsure = "  - id: enterprise-unsure
    when: { all: [ { confidence: { below: 0.6 } }, { customer_tier: { in: [enterprise] } } ] }
    route: L2
";
    let continuing = "  - { id: low-confidence, when: { confidence: { below: 0.8 } }, route: L1, continue: true }\n";
    assert_eq!(
        findings(&format!("{continuing}{unsure}")),
        Vec::<String>::new()
    );
    let wider = "  - { id: wider, when: { confidence: { below: 0.9 } }, route: L2 }\n";
    assert_eq!(
        findings(&format!("{LOW_CONFIDENCE}{wider}")),
        Vec::<String>::new()
    );
    let negated =
        "  - { id: confident, when: { not: { confidence: { below: 0.8 } } }, route: ai }\n";
    assert_eq!(
        findings(&format!("{LOW_CONFIDENCE}{negated}")),
        Vec::<String>::new()
    );
    let keywords = "  - { id: refund, when: { keywords: { any: [refund] } }, route: L1 }
  - { id: refunds, when: { keywords: { any: [refunds] } }, route: L1 }
";
    assert_eq!(findings(keywords), Vec::<String>::new());
}

#[test]
fn shadowed_by_several_rules() {
    let rules = "  - { id: unsure, when: { confidence: { below: 0.5 } }, route: L1 }
  - { id: sure, when: { confidence: { at_least: 0.5 } }, route: ai }
  - { id: chat, when: { all: [ { confidence: { at_least: 0.2 } }, { channel: { in: [chat] } } ] }, route: L2 }
  - { id: anything, when: { channel: { in: [chat] } }, route: L2 }
";
    let out = lint(rules);
    assert_eq!(
        out.iter().map(|d| d.message.as_str()).collect::<Vec<_>>(),
        ["rule 'chat' is shadowed by earlier rules 'unsure', 'sure'"]
    );
    let d = &out[0];
    assert_eq!(
        d.label.as_deref(),
        Some("'unsure', 'sure' together match every ticket this rule matches")
    );
    assert_eq!(
        d.help.as_deref(),
        Some("move it above 'unsure', or narrow the earlier rules")
    );
    assert_eq!(
        d.related.iter().map(|(s, _)| s.line).collect::<Vec<_>>(),
        [3, 4]
    );
}

#[test]
fn continue_rules_can_be_shadowed_but_do_not_shadow() {
    let rules = "  - { id: human, when: { requested_human: true }, route: L1, continue: true }
  - { id: all-unsure, when: { confidence: { below: 0.8 } }, route: L1 }
  - { id: unsure-human, when: { confidence: { below: 0.5 }, requested_human: true }, route: L2, continue: true }
  - { id: human-again, when: { requested_human: true }, route: L2 }
";
    assert_eq!(
        findings(rules),
        ["H040 5:11 rule 'unsure-human' is shadowed by earlier rule 'all-unsure'"]
    );
}

#[test]
fn three_valued_shadowing() {
    let known = "  - id: known-confidence
    when: { any: [ { confidence: { below: 0.8 } }, { not: { confidence: { below: 0.8 } } } ] }
    route: L1
";
    let later = "  - { id: fairly-sure, when: { confidence: { at_least: 0.3 } }, route: L2 }
  - { id: negative, when: { sentiment: { below: 0 } }, route: L2 }
";
    assert_eq!(
        findings(&format!("{known}{later}")),
        ["H040 6:11 rule 'fairly-sure' is shadowed by earlier rule 'known-confidence'"]
    );
}

#[test]
fn priority_labels_are_a_finite_set() {
    let rules = "  - { id: hot, when: { priority: { in: [urgent, high] } }, route: L2 }
  - { id: cold, when: { priority: { in: [normal, low] } }, route: L1 }
  - { id: high, when: { priority: { in: [high] } }, route: L3 }
  - { id: not-urgent, when: { priority: { not_in: [urgent] } }, route: L3 }
  - { id: chat, when: { channel: { in: [chat] } }, route: L3 }
  - { id: free, when: { customer_tier: { in: [free] } }, route: L1 }
  - { id: paid, when: { customer_tier: { not_in: [free] } }, route: L1 }
  - { id: not-trial, when: { customer_tier: { not_in: [trial] } }, route: L1 }
";
    assert_eq!(
        findings(rules),
        [
            "H040 5:11 rule 'high' is shadowed by earlier rule 'hot'",
            "H040 6:11 rule 'not-urgent' is shadowed by earlier rules 'hot', 'cold'",
            "H040 10:11 rule 'not-trial' is shadowed by earlier rules 'free', 'paid'",
        ]
    );
}

#[test]
fn keyword_shadowing_and_overlap() {
    let rules = "  - { id: cancel, when: { keywords: { any: [cancel*] } }, route: L1 }
  - { id: cancellation, when: { keywords: { any: [cancellation] } }, route: L2 }
";
    assert_eq!(
        findings(rules),
        [
            "H040 4:11 rule 'cancellation' is shadowed by earlier rule 'cancel'",
            "H043 4:51 keyword 'cancellation' in rule 'cancellation' is covered by 'cancel*' in rule 'cancel'",
        ]
    );
    let out = lint(rules);
    let d = &out[1];
    assert_eq!(d.label.as_deref(), Some("already matched by 'cancel*'"));
    assert_eq!(d.related.len(), 1);
    assert_eq!(d.related[0].0.to_string(), "3:45");
    assert_eq!(
        d.related[0].1,
        "'cancel*' matches every word starting with 'cancel'"
    );
    assert_eq!(
        d.help.as_deref(),
        Some(
            "if the overlap is intended, say so with `# handoff: allow H043 -- <reason>`; otherwise list the words 'cancel*' should match"
        )
    );
    // In the other order nothing is shadowed, but the overlap is still there; a prefix
    // keyword covering another keyword of its own rule is not reported.
    let rules = "  - { id: cancellation, when: { keywords: { any: [cancellation] } }, route: L2 }
  - { id: cancel, when: { keywords: { any: [cancel*, cancelling] } }, route: L1 }
  - { id: cancelled, when: { keywords: { any: [cancelled*] } }, route: L1 }
";
    assert_eq!(
        findings(rules),
        [
            "H040 5:11 rule 'cancelled' is shadowed by earlier rule 'cancel'",
            "H043 3:51 keyword 'cancellation' in rule 'cancellation' is covered by 'cancel*' in rule 'cancel'",
            "H043 5:48 keyword 'cancelled*' in rule 'cancelled' is covered by 'cancel*' in rule 'cancel'",
        ]
    );
}

#[test]
fn phrases_and_punctuation_in_keywords() {
    let rules = "  - { id: card, when: { keywords: { any: [card] } }, route: L1 }
  - { id: credit-card, when: { keywords: { any: [credit card] } }, route: L2 }
  - { id: c, when: { keywords: { any: [c] } }, route: L1 }
  - { id: cpp, when: { keywords: { any: [c++] } }, route: L2 }
  - { id: mail, when: { keywords: { any: [mail] } }, route: L1 }
  - { id: email, when: { keywords: { all: [e-mail, bounce] } }, route: L2 }
  - { id: plain-email, when: { keywords: { any: [email] } }, route: L2 }
";
    assert_eq!(
        findings(rules),
        [
            "H040 4:11 rule 'credit-card' is shadowed by earlier rule 'card'",
            "H040 6:11 rule 'cpp' is shadowed by earlier rule 'c'",
            "H040 8:11 rule 'email' is shadowed by earlier rule 'mail'",
        ]
    );
}

#[test]
fn never_matching_conditions() {
    let rules = "  - { id: swapped, when: { confidence: { below: 0.5, at_least: 0.7 } }, route: L1 }
  - id: split
    when: { all: [ { channel: { in: [chat] } }, { confidence: { below: 0.6 } }, { confidence: { at_least: 0.7 } } ] }
    route: L1
  - { id: tier, when: { customer_tier: { in: [free], not_in: [Free] } }, route: L1 }
  - { id: critical, when: { priority: { in: [critical] } }, route: L1 }
  - { id: card, when: { keywords: { all: [credit card], none: [card] } }, route: L1 }
  - { id: negative, when: { confidence: { below: 0 } }, route: L1 }
  - { id: top, when: { confidence: { at_least: 1.0 } }, route: L1 }
  - { id: human, when: { all: [ { requested_human: true }, { not: { requested_human: true } } ] }, route: L1 }
";
    let out = lint(rules);
    let got: Vec<String> = out
        .iter()
        .map(|d| {
            format!(
                "{} {} {} | {}",
                d.code,
                d.span,
                d.message,
                d.label.as_deref().unwrap_or("")
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            "H041 3:40 rule 'swapped' can never match | `below: 0.5` and `at_least: 0.7` cannot both hold",
            "H041 5:63 rule 'split' can never match | `confidence: { below: 0.6 }` and `confidence: { at_least: 0.7 }` cannot both hold",
            "H041 7:40 rule 'tier' can never match | `in: [free]` and `not_in: [free]` cannot both hold",
            "H041 8:39 rule 'critical' can never match | no priority in [critical] is declared (priorities: urgent, high, normal, low)",
            "H041 9:35 rule 'card' can never match | text with 'credit card' always contains 'card', which `none` excludes",
            "H041 10:41 rule 'negative' can never match | `confidence: { below: 0 }` can never be true (confidence ranges from 0 to 1)",
            "H041 12:52 rule 'human' can never match | `requested_human: true` and `not: { requested_human: true }` cannot both hold",
        ]
    );
    assert!(
        out.iter()
            .all(|d| d.help.as_deref() == Some("fix the condition, or remove the rule"))
    );
    assert_eq!(out[1].related.len(), 1);
    assert_eq!(out[1].related[0].0.to_string(), "5:95");
    assert_eq!(out[1].related[0].1, "conflicting condition");
}

/// The conditions named in H041 labels are quoted the way the policy writes them, with numbers
/// and labels as YAML reads them back.
#[test]
fn never_matching_conditions_are_quoted_as_the_policy_writes_them() {
    let rules = r#"  - { id: tiny, when: { field: { name: score, below: 1e-300, at_least: 5 } }, route: L1 }
  - { id: year, when: { category: { in: ["2026"], not_in: ["2026"] } }, route: L1 }
  - { id: plan, when: { field: { name: plan, in: [Gold] }, not: { field: { name: plan, in: [gold] } } }, route: L1 }
"#;
    let labels: Vec<String> = lint(rules)
        .iter()
        .map(|d| d.label.clone().unwrap_or_default())
        .collect();
    assert_eq!(
        labels,
        [
            "`below: 1e-300` and `at_least: 5` cannot both hold",
            r#"`in: ["2026"]` and `not_in: ["2026"]` cannot both hold"#,
            "`not: { field: { name: plan, in: [gold] } }` and `field: { name: plan, in: [gold] }` cannot both hold",
        ]
    );
}

#[test]
fn empty_lists() {
    let rules = "  - { id: no-words, when: { keywords: { any: [] } }, route: L1 }
  - { id: no-branches, when: { any: [] }, route: L1 }
  - { id: dead-branch, when: { any: [ { any: [] }, { confidence: { below: 0.5 } } ] }, route: L1 }
  - { id: excludes-nothing, when: { keywords: { any: [refund], none: [] } }, route: L1 }
  - { id: requires-nothing, when: { keywords: { all: [] } }, route: L1 }
";
    let out = lint(rules);
    let got: Vec<String> = out
        .iter()
        .map(|d| {
            format!(
                "{} {} {} | {} | {}",
                d.code,
                d.span,
                d.message,
                d.label.as_deref().unwrap_or(""),
                d.help.as_deref().unwrap_or("")
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            "H041 3:39 rule 'no-words' can never match | `any: []` matches no text | fix the condition, or remove the rule",
            "H041 4:30 rule 'no-branches' can never match | `any: []` is never true | fix the condition, or remove the rule",
            "H041 5:39 rule 'dead-branch' has an empty `any` list | `any: []` is never true | add entries to the list, or remove it",
            "H041 6:47 rule 'excludes-nothing' has an empty keyword list | `none: []` excludes nothing | add entries to the list, or remove it",
            "H041 7:47 rule 'requires-nothing' has an empty keyword list | `all: []` requires nothing | add entries to the list, or remove it",
        ]
    );
}

#[test]
fn never_matching_rules_are_not_also_shadowed() {
    let rules = "  - { id: everything, when: {}, route: L1 }
  - { id: empty-list, when: { keywords: { any: [refund], none: [] } }, route: L2 }
  - { id: swapped, when: { confidence: { below: 0.5, at_least: 0.7 } }, route: L2 }
  - { id: plain, when: { channel: { in: [chat] } }, route: L2 }
";
    assert_eq!(
        findings(rules),
        [
            "H041 4:41 rule 'empty-list' has an empty keyword list",
            "H041 5:40 rule 'swapped' can never match",
            "H040 6:11 rule 'plain' is shadowed by earlier rule 'everything'",
        ]
    );
}

#[test]
fn conflicting_keywords() {
    let rules = "  - { id: billing, when: { keywords: { any: [refund] } }, route: L1 }
  - { id: disputes, when: { keywords: { any: [Refund, chargeback] }, channel: { in: [email] } }, route: L2 }
  - { id: more-billing, when: { keywords: { all: [refund, invoice] } }, route: L1 }
  - { id: legal, when: { keywords: { any: [chargeback, lawyer] }, category: { in: [legal] } }, route: L3 }
  - { id: not-refund, when: { not: { keywords: { any: [refund] } } }, route: L3 }
  - { id: refund-prefix, when: { keywords: { any: [refund*] }, channel: { in: [phone] } }, route: L3 }
";
    let out = lint(rules);
    let h042: Vec<&Diagnostic> = out.iter().filter(|d| d.code == Code::H042).collect();
    assert_eq!(
        h042.iter()
            .map(|d| format!("{} {}", d.span, d.message))
            .collect::<Vec<_>>(),
        [
            "4:47 keyword 'refund' routes to L2 in rule 'disputes' but to L1 in rule 'billing'",
            "5:51 keyword 'refund' routes to L1 in rule 'more-billing' but to L2 in rule 'disputes'",
            "6:44 keyword 'chargeback' routes to L3 in rule 'legal' but to L2 in rule 'disputes'",
        ]
    );
    let d = h042[0];
    assert_eq!(d.label.as_deref(), Some("routes to L2"));
    assert_eq!(d.related.len(), 1);
    assert_eq!(d.related[0].0.to_string(), "3:46");
    assert_eq!(d.related[0].1, "routes to L1 in rule 'billing'");
    assert_eq!(
        d.help.as_deref(),
        Some("keep each keyword in one rule, or add conditions that tell the rules apart")
    );
    // `refund*` is a different keyword: it overlaps (H043) rather than conflicts.
    assert_eq!(
        out.iter()
            .filter(|d| d.code == Code::H043)
            .map(|d| d.message.as_str())
            .collect::<Vec<_>>(),
        [
            "keyword 'refund' in rule 'billing' is covered by 'refund*' in rule 'refund-prefix'",
            "keyword 'refund' in rule 'disputes' is covered by 'refund*' in rule 'refund-prefix'",
            "keyword 'refund' in rule 'more-billing' is covered by 'refund*' in rule 'refund-prefix'",
        ]
    );
    // The same keyword with the same route is fine.
    let same = "  - { id: a, when: { keywords: { any: [refund] } }, route: L1 }
  - { id: b, when: { keywords: { any: [refund] }, channel: { in: [chat] } }, route: L1 }
";
    assert_eq!(
        findings(same),
        ["H040 4:11 rule 'b' is shadowed by earlier rule 'a'"]
    );
}

#[test]
fn large_policies_stay_fast() {
    // 2,000 rules: keywords, labels and thresholds that mostly overlap but never cover.
    let mut rules = String::new();
    for i in 0..2000 {
        rules += &format!(
            "  - {{ id: r{i}, when: {{ keywords: {{ any: [w{i}, v{}] }}, customer_tier: {{ in: [t{}] }}, confidence: {{ below: 0.{} }} }}, route: L{} }}\n",
            i % 50,
            i % 7,
            1 + i % 9,
            i % 3
        );
    }
    rules += "  - { id: last, when: { keywords: { any: [w1] }, customer_tier: { in: [t1] }, confidence: { below: 0.1 } }, route: L1 }\n";
    let started = std::time::Instant::now();
    let out = lint(&rules);
    let shadowed: Vec<&str> = out
        .iter()
        .filter(|d| d.code == Code::H040)
        .map(|d| d.message.as_str())
        .collect();
    assert_eq!(shadowed, ["rule 'last' is shadowed by earlier rule 'r1'"]);
    assert!(
        started.elapsed().as_secs() < 60,
        "took {:?}",
        started.elapsed()
    );
}

#[test]
fn shadowing_says_so_when_work_runs_out() {
    let rules = format!(
        "{LOW_CONFIDENCE}  - {{ id: unsure, when: {{ confidence: {{ below: 0.5 }} }}, route: L2 }}\n"
    );
    let yaml = format!("version: 1\nrules:\n{rules}");
    let loaded = load_bytes(PathBuf::from("t.yaml"), yaml.into_bytes()).expect("policy loads");
    let ctx = Ctx::new(&loaded.policy);
    let mut analysis = Analysis::new(&ctx.priorities);
    let regions: Vec<Option<Region>> = ctx
        .conditions
        .iter()
        .map(|c| analysis.truth(c.as_ref()?).ok())
        .collect();
    let skip = vec![false; regions.len()];
    for (budget, expected) in [(0, "H049"), (1_000, "H040")] {
        let mut out = Vec::new();
        let mut incomplete = Incomplete::default();
        analysis.set_budget(budget);
        shadowed(
            &ctx,
            &mut analysis,
            &regions,
            &skip,
            &mut incomplete,
            &mut out,
        );
        incomplete.report(&ctx.policy.rules, &mut out);
        let codes: Vec<String> = out.iter().map(|d| d.code.to_string()).collect();
        assert_eq!(codes, [expected], "budget {budget}");
    }
}
