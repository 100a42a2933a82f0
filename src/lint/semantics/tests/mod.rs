//! Tests of the analysis by subject: numbers, three-valued logic, labels, keywords, regexes,
//! covers, region operations and where it gives up. Keyword covering has its own file, and so
//! has the check of every proof against a direct evaluation on random tickets.

use std::path::PathBuf;

use super::{Analysis, GiveUp, Limits, Region};
use crate::policy::condition::{Cond, Keyword, NumField, compile};
use crate::policy::load::load_bytes;

mod keywords;
mod random;

/// Compile each `when` (YAML flow style) of a one-rule-per-condition policy.
pub(super) fn conds(whens: &[&str]) -> Vec<Cond> {
    let mut yaml = String::from("version: 1\nrules:\n");
    for (i, when) in whens.iter().enumerate() {
        yaml += &format!("  - {{ id: r{i}, route: ai, when: {when} }}\n");
    }
    let loaded = load_bytes(PathBuf::from("t.yaml"), yaml.into_bytes()).expect("policy loads");
    let rules = &loaded.policy.rules;
    rules
        .iter()
        .map(|r| compile(&r.when).expect("compiles"))
        .collect()
}

pub(super) fn analysis() -> Analysis {
    Analysis::new(&["urgent", "high", "normal", "low"].map(String::from))
}

pub(super) fn never(when: &str) -> bool {
    analysis()
        .truth(&conds(&[when])[0])
        .expect("analysed")
        .is_empty()
}

/// Which earlier conditions (indices) are needed to cover the last one, if they do.
pub(super) fn cover(whens: &[&str]) -> Option<Vec<usize>> {
    let mut a = analysis();
    let regions: Vec<Region> = conds(whens)
        .iter()
        .map(|c| a.truth(c).expect("analysed"))
        .collect();
    let (last, earlier) = regions.split_last().expect("two conditions");
    a.cover(last, &earlier.iter().collect::<Vec<_>>())
        .expect("decided")
}

pub(super) fn kw(text: &str) -> Keyword {
    Keyword::parse(text).expect("keyword")
}

#[test]
fn numeric_ranges_are_exact() {
    assert!(never("{ confidence: { below: 0.5, at_least: 0.7 } }"));
    assert!(never("{ confidence: { below: 0.5, at_least: 0.5 } }"));
    assert!(!never("{ confidence: { below: 0.7, at_least: 0.5 } }"));
    assert!(never("{ confidence: { below: 0 } }"));
    assert!(!never("{ confidence: { at_least: 1.0 } }"));
    assert!(never("{ confidence: { at_least: 1.5 } }"));
    assert!(!never("{ confidence: { below: 80 } }"));
    assert!(never("{ sentiment: { below: -1 } }"));
    assert!(!never("{ sentiment: { at_least: -1, below: -0.99 } }"));
    assert!(!never("{ field: { name: score, below: -1000 } }"));
    assert!(never(
        "{ all: [ { confidence: { below: 0.6 } }, { confidence: { at_least: 0.6 } } ] }"
    ));
    // [0, 0.5) and [0.5, 1] are all of confidence, but only where it is known.
    assert_eq!(
        cover(&[
            "{ confidence: { below: 0.5 } }",
            "{ confidence: { at_least: 0.5 } }",
            "{ confidence: { at_least: 0 } }"
        ]),
        Some(vec![0, 1])
    );
    assert_eq!(
        cover(&[
            "{ confidence: { below: 0.8 } }",
            "{ confidence: { below: 0.9 } }"
        ]),
        None
    );
    assert_eq!(
        cover(&[
            "{ confidence: { below: 0.8 } }",
            "{ confidence: { below: 0.8 } }"
        ]),
        Some(vec![0])
    );
}

#[test]
fn three_valued_logic() {
    // `not` of a leaf is false where the value is missing, not true.
    assert_eq!(
        cover(&[
            "{ confidence: { below: 0.8 } }",
            "{ not: { confidence: { below: 0.8 } } }"
        ]),
        None
    );
    // A test or its negation holds on every ticket where the value is known...
    let known =
        "{ any: [ { confidence: { below: 0.8 } }, { not: { confidence: { below: 0.8 } } } ] }";
    assert_eq!(
        cover(&[known, "{ confidence: { at_least: 0.3 } }"]),
        Some(vec![0])
    );
    // ...but not on tickets without a confidence.
    assert_eq!(cover(&[known, "{ sentiment: { below: 0 } }"]), None);
    assert_eq!(
        cover(&[known, "{ not: { confidence: { below: 0.1 } } }"]),
        Some(vec![0])
    );
    // `not any` is false on each branch: both false at once is impossible here.
    assert!(never(
        "{ not: { any: [ { confidence: { below: 0.5 } }, { confidence: { at_least: 0.5 } } ] } }"
    ));
    assert!(never(
        "{ all: [ { requested_human: true }, { not: { requested_human: true } } ] }"
    ));
    // `not all` is true when one part is false, even if another is unknown.
    assert_eq!(
        cover(&[
            "{ not: { all: [ { confidence: { below: 0.5 } }, { channel: { in: [chat] } } ] } }",
            "{ all: [ { confidence: { at_least: 0.5 } }, { category: { in: [billing] } } ] }",
        ]),
        Some(vec![0])
    );
    let either = "{ any: [ { requested_human: true }, { requested_human: false } ] }";
    assert_eq!(cover(&[either, "{ channel: { in: [chat] } }"]), None);
    assert_eq!(
        cover(&[
            either,
            "{ requested_human: false, channel: { in: [chat] } }"
        ]),
        Some(vec![0])
    );
}

#[test]
fn labels_and_the_priority_universe() {
    let urgent_high = "{ priority: { in: [urgent, high] } }";
    let normal_low = "{ priority: { in: [normal, low] } }";
    assert_eq!(
        cover(&[urgent_high, normal_low, "{ priority: { in: [high] } }"]),
        Some(vec![0])
    );
    assert_eq!(
        cover(&[
            urgent_high,
            normal_low,
            "{ priority: { not_in: [urgent] } }"
        ]),
        Some(vec![0, 1])
    );
    assert_eq!(
        cover(&[urgent_high, normal_low, "{ channel: { in: [chat] } }"]),
        None
    );
    assert!(never("{ priority: { in: [critical] } }"));
    assert!(never(
        "{ priority: { not_in: [urgent, high, normal, low] } }"
    ));
    // Other labels can take any value.
    assert_eq!(
        cover(&[
            "{ customer_tier: { in: [free, pro] } }",
            "{ customer_tier: { in: [enterprise] } }",
            "{ customer_tier: { not_in: [trial] } }",
        ]),
        None
    );
    assert_eq!(
        cover(&[
            "{ customer_tier: { not_in: [free] } }",
            "{ customer_tier: { in: [Enterprise, pro] } }"
        ]),
        Some(vec![0])
    );
    assert!(never("{ customer_tier: { in: [a, b], not_in: [b, a] } }"));
    assert!(never(
        "{ field: { name: plan, equals: gold, in: [silver] } }"
    ));
    assert!(!never(
        "{ field: { name: plan, equals: gold, in: [gold, silver] } }"
    ));
    // With no declared priorities, priority labels are unbounded.
    let mut a = Analysis::new(&[]);
    let c = conds(&["{ priority: { in: [critical] } }"]);
    assert!(!a.truth(&c[0]).expect("analysed").is_empty());
}

#[test]
fn keyword_sets() {
    assert_eq!(
        cover(&[
            "{ keywords: { any: [cancel*] } }",
            "{ keywords: { any: [cancellation] } }"
        ]),
        Some(vec![0])
    );
    assert_eq!(
        cover(&[
            "{ keywords: { any: [refund] } }",
            "{ keywords: { any: [refunds] } }"
        ]),
        None
    );
    assert_eq!(
        cover(&[
            "{ keywords: { any: [card] } }",
            "{ keywords: { any: [credit card] } }"
        ]),
        Some(vec![0])
    );
    assert_eq!(
        cover(&[
            "{ keywords: { any: [credit card] } }",
            "{ keywords: { any: [card] } }"
        ]),
        None
    );
    assert_eq!(
        cover(&[
            "{ keywords: { any: [mail] } }",
            "{ keywords: { all: [e-mail, bounce] } }"
        ]),
        Some(vec![0])
    );
    assert_eq!(
        cover(&["{ keywords: { any: [c] } }", "{ keywords: { any: [c++] } }"]),
        Some(vec![0])
    );
    assert_eq!(
        cover(&["{ keywords: { any: [c++] } }", "{ keywords: { any: [c] } }"]),
        None
    );
    // Every known text either has `a` or not; a missing text has neither.
    let has_a = "{ keywords: { any: [a] } }";
    let no_a = "{ keywords: { none: [a] } }";
    assert_eq!(
        cover(&[has_a, no_a, "{ keywords: { any: [b] } }"]),
        Some(vec![0, 1])
    );
    assert_eq!(cover(&[has_a, no_a, "{ channel: { in: [chat] } }"]), None);
    assert_eq!(cover(&[has_a, "{ keywords: { none: [a] } }"]), None);
    assert!(never("{ keywords: { any: [] } }"));
    assert!(never("{ keywords: { all: [credit card], none: [card] } }"));
    assert!(never("{ keywords: { any: [refund], none: [refund*] } }"));
    assert!(never("{ keywords: { any: [x, y], none: [x, y] } }"));
    assert!(!never("{ keywords: { any: [x, y], none: [x] } }"));
    assert!(!never("{ keywords: { all: [card], none: [credit card] } }"));
    assert!(never(
        "{ all: [ { keywords: { any: [cancellation] } }, { not: { keywords: { any: [cancel*] } } } ] }"
    ));
}

#[test]
fn regexes_and_extra_fields_are_opaque() {
    let starts_a = "{ field: { name: code, matches: '^a' } }";
    assert_eq!(cover(&[starts_a, starts_a]), Some(vec![0]));
    assert_eq!(
        cover(&[starts_a, "{ field: { name: code, matches: '^ab' } }"]),
        None
    );
    assert_eq!(
        cover(&[starts_a, "{ field: { name: other, matches: '^a' } }"]),
        None
    );
    assert_eq!(
        cover(&[
            starts_a,
            "{ not: { field: { name: code, matches: '^a' } } }",
            "{ field: { name: code, in: [x] } }"
        ]),
        None
    );
    // A number test and a label test on one column are separate variables.
    assert_eq!(
        cover(&[
            "{ field: { name: score, below: 5 } }",
            "{ field: { name: score, at_least: 5 } }",
            "{ field: { name: score, in: ['3'] } }"
        ]),
        None
    );
    assert_eq!(
        cover(&[
            "{ field: { name: score, below: 5 } }",
            "{ field: { name: score, at_least: 5 } }",
            "{ field: { name: score, below: 100 } }"
        ]),
        Some(vec![0, 1])
    );
}

#[test]
fn small_cover_sets() {
    assert_eq!(
        cover(&[
            "{ confidence: { below: 0.1 } }",
            "{ confidence: { below: 0.8 } }",
            "{ confidence: { below: 0.6 } }"
        ]),
        Some(vec![1])
    );
    assert_eq!(cover(&["{}", "{ channel: { in: [chat] } }"]), Some(vec![0]));
    // Regions that cannot meet the target are not reported as covering it.
    assert_eq!(
        cover(&[
            "{ channel: { in: [email] } }",
            "{ confidence: { below: 0.8 } }",
            "{ confidence: { below: 0.5 }, channel: { in: [chat] } }"
        ]),
        Some(vec![1])
    );
}

#[test]
fn region_operations() {
    let c = conds(&[
        "{ confidence: { below: 0.5 } }",
        "{ confidence: { below: 0.8 } }",
        "{ confidence: { at_least: 0.5 } }",
    ]);
    let mut a = analysis();
    let r: Vec<Region> = c.iter().map(|c| a.truth(c).expect("analysed")).collect();
    assert!(a.subtract(&r[0], &r[1]).expect("subtracted").is_empty());
    assert!(!a.subtract(&r[1], &r[0]).expect("subtracted").is_empty());
    assert!(a.meet(&r[0], &r[2]).expect("met").is_empty());
    let f = a.falsity(&c[0]).expect("analysed");
    assert!(a.subtract(&f, &r[2]).expect("subtracted").is_empty());
    assert!(a.subtract(&r[2], &f).expect("subtracted").is_empty());
    assert_eq!(r[0].cells(), 1);
}

#[test]
fn gives_up_instead_of_guessing() {
    let c = conds(&[
        "{ confidence: {} }",
        "{ keywords: {} }",
        "{ customer_tier: {} }",
    ]);
    let nan = Cond::Number {
        field: NumField::Confidence,
        below: Some(f64::NAN),
        at_least: None,
    };
    for cond in c.iter().chain([&nan]) {
        assert_eq!(analysis().truth(cond).err(), Some(GiveUp::Unsupported));
    }
    // An unsupported part inside a part that is never true does not matter.
    let c = conds(&["{ all: [ { confidence: {} }, { customer_tier: { in: [] } } ] }"]);
    assert!(analysis().truth(&c[0]).expect("analysed").is_empty());
    // 2^14 cells exceed the default limit of 10,000.
    let pairs: Vec<String> = (0..14)
        .map(|i| format!("{{ any: [ {{ field: {{ name: f{i}, in: [x] }} }}, {{ field: {{ name: g{i}, in: [x] }} }} ] }}"))
        .collect();
    let when = format!("{{ all: [ {} ] }}", pairs.join(", "));
    assert_eq!(
        analysis().truth(&conds(&[&when])[0]).err(),
        Some(GiveUp::TooLarge)
    );
    let mut a = Analysis::with_limits(&[], Limits { max_cells: 2 });
    let c = conds(&["{ keywords: { any: [a, b, c] } }"]);
    assert_eq!(a.truth(&c[0]).err(), Some(GiveUp::TooLarge));
    let mut a = analysis();
    a.set_budget(0);
    let c = conds(&["{ confidence: { below: 0.5 }, channel: { in: [chat] } }"]);
    assert_eq!(a.truth(&c[0]).err(), Some(GiveUp::Budget));
}
