//! The decision's fast paths against the general ones they bypass.

use proptest::prelude::*;

use super::*;
use crate::policy::load::load_bytes;
use crate::text::fold;

/// A condition's truth with each `any` list tested one keyword at a time, in `found`'s
/// keyword slots only (the general path the group slots bypass).
fn by_ids(policy: &CompiledPolicy, node: &Node, t: &Ticket, found: &[bool]) -> Tri {
    let keywords = &found[..policy.keywords.len()];
    match node {
        Node::All(parts) => parts.iter().fold(Tri::True, |acc, part| {
            match (acc, by_ids(policy, part, t, found)) {
                (Tri::False, _) | (_, Tri::False) => Tri::False,
                (Tri::Unknown, _) | (_, Tri::Unknown) => Tri::Unknown,
                _ => Tri::True,
            }
        }),
        Node::Any(parts) => parts.iter().fold(Tri::False, |acc, part| {
            match (acc, by_ids(policy, part, t, found)) {
                (Tri::True, _) | (_, Tri::True) => Tri::True,
                (Tri::Unknown, _) | (_, Tri::Unknown) => Tri::Unknown,
                _ => Tri::False,
            }
        }),
        Node::Not(inner) => by_ids(policy, inner, t, found).not(),
        Node::Keywords {
            any_ids, all, none, ..
        } => {
            if !t.texts.iter().any(|text| !text.is_empty()) {
                return Tri::Unknown;
            }
            let hit = |id: &usize| keywords[*id];
            Tri::from(
                any_ids.as_ref().is_none_or(|l| l.iter().any(hit))
                    && all.iter().all(hit)
                    && !none.iter().any(hit),
            )
        }
        leaf => policy.truth(leaf, t, found),
    }
}

fn compiled(yaml: &str) -> CompiledPolicy {
    let loaded = load_bytes("t.yaml".into(), yaml.as_bytes().to_vec()).unwrap();
    CompiledPolicy::new(&loaded.policy).unwrap()
}

const WORDS: [&str; 8] = [
    "legal", "lawyer*", "refund*", "cancel", "gdpr", "über", "ß*", "x",
];

fn list() -> impl Strategy<Value = String> {
    proptest::collection::vec(proptest::sample::select(WORDS.to_vec()), 0..4).prop_map(|words| {
        let quoted: Vec<String> = words.iter().map(|w| format!("\"{w}\"")).collect();
        format!("[{}]", quoted.join(", "))
    })
}

/// A random condition in YAML's flow style: keyword tests (incl. `any` lists of one, equal
/// lists in several places, prefixes and non-ASCII keywords) under `all`/`any`/`not`.
fn condition() -> impl Strategy<Value = String> {
    let leaf = prop_oneof![
        4 => (list(), list(), list(), any::<bool>()).prop_map(|(a, b, c, with_any)| {
            let any = if with_any || (b == "[]" && c == "[]") {
                format!("any: {a}, ")
            } else {
                String::new()
            };
            format!("{{ keywords: {{ {any}all: {b}, none: {c} }} }}")
        }),
        1 => Just("{ confidence: { below: 0.5 } }".to_string()),
    ];
    leaf.prop_recursive(3, 12, 3, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 1..3)
                .prop_map(|parts| format!("{{ all: [{}] }}", parts.join(", "))),
            proptest::collection::vec(inner.clone(), 1..3)
                .prop_map(|parts| format!("{{ any: [{}] }}", parts.join(", "))),
            inner.prop_map(|part| format!("{{ not: {part} }}")),
        ]
    })
}

const TEXT_WORDS: [&str; 11] = [
    "legal",
    "lawyers",
    "Refunds",
    "cancel",
    "Cancelled",
    "GDPR",
    "ÜBER",
    "STRASSE",
    "x",
    "xlegal",
    "",
];

proptest! {
    /// Every rule's truth and the decision agree with the evaluation one keyword at a time;
    /// fails when a group slot misses a keyword (e.g. a scan that marks only the keyword).
    #[test]
    fn any_lists_as_one_slot_agree_with_one_keyword_at_a_time(
        conditions in proptest::collection::vec((condition(), any::<bool>()), 1..5),
        texts in proptest::collection::vec(
            proptest::collection::vec(proptest::sample::select(TEXT_WORDS.to_vec()), 0..6),
            0..3,
        ),
        confidence in proptest::option::of(0.0f64..1.0),
    ) {
        let mut yaml = String::from("version: 1\ntiers:\n  L1: {}\n  L2: {}\nrules:\n");
        for (index, (when, continues)) in conditions.iter().enumerate() {
            yaml.push_str(&format!(
                "  - id: r{index}\n    when: {when}\n    route: L{}\n    continue: {continues}\n",
                1 + index % 2
            ));
        }
        let policy = compiled(&yaml);
        let ticket = Ticket {
            texts: texts.iter().map(|words| fold(&words.join(" "))).collect(),
            confidence,
            ..Ticket::default()
        };
        let mut found = Vec::new();
        policy.scan_keywords(&ticket, &mut found);
        let mut matched = Vec::new();
        for (index, rule) in policy.rules.iter().enumerate() {
            let general = by_ids(&policy, &rule.node, &ticket, &found);
            prop_assert_eq!(policy.rule_truth(index, &ticket, &found), general, "{}", yaml);
            if general == Tri::True {
                matched.push(index);
                if !rule.continues {
                    break;
                }
            }
        }
        let mut decision = Decision::default();
        policy.decide(&ticket, &found, &mut decision);
        prop_assert_eq!(decision.matched, matched, "{}", yaml);
        // Scanning again into the same buffer starts from nothing.
        let mut again = found.clone();
        policy.scan_keywords(&Ticket::default(), &mut again);
        prop_assert!(again.iter().all(|&hit| !hit));
    }
}

/// Equal `any` lists share one slot, a list of one is its keyword's slot, and a matcher
/// sized for the keywords alone (as `explain`'s trace uses it) still scans.
#[test]
fn any_lists_share_slots() {
    let policy = compiled(
        "version: 1\ntiers:\n  L1: {}\nrules:\n  - id: a\n    when: { keywords: { any: [b, a] } }\n    route: L1\n    continue: true\n  - id: b\n    when: { keywords: { any: [a, b, a] } }\n    route: L1\n    continue: true\n  - id: c\n    when: { keywords: { any: [b] } }\n    route: L1\n",
    );
    assert_eq!(policy.keywords.len(), 2);
    assert_eq!(policy.keywords.slots(), 3);
    let ticket = Ticket {
        texts: vec!["a".into()],
        ..Ticket::default()
    };
    let mut found = Vec::new();
    policy.scan_keywords(&ticket, &mut found);
    assert_eq!(found, [false, true, true]);
    let mut short = vec![false; 2];
    policy.keywords.scan("a b", &mut short);
    assert_eq!(short, [true, true]);
}
