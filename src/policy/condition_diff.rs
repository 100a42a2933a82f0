//! What changed between two conditions, said the way the policy is written: the part that
//! changed (`confidence below 0.8 → 0.7`, `keywords any + chargeback`) when the two conditions
//! have the same shape, else both whole in flow syntax (`{ … } → { … }`).

use super::condition::{Keyword, compile};
use super::describe::{list, number, scalar};
use super::model::{Condition, FieldTest, Keywords, LabelSet, Threshold};
use super::spanned::Spanned;
use crate::text::normalize_label;

/// How a rule's condition changed, or `None` when it means the same (the compiled conditions
/// are equal, or only the order inside a keyword or label list moved).
pub fn condition_change(old: &Spanned<Condition>, new: &Spanned<Condition>) -> Option<String> {
    let same = match (compile(old), compile(new)) {
        (Ok(a), Ok(b)) => format!("{a:?}") == format!("{b:?}"),
        _ => old.value.to_string() == new.value.to_string(),
    };
    if same {
        return None;
    }
    match leaf_changes(&old.value, &new.value) {
        Some(parts) if parts.is_empty() => None,
        Some(parts) => Some(parts.join("; ")),
        None => Some(format!("{} → {}", old.value, new.value)),
    }
}

/// The changed leaves of two conditions of the same shape, each named without a path; `None`
/// when the shapes differ or a changed leaf's name is not unique in its condition (a path would
/// be needed to say which one changed).
fn leaf_changes(old: &Condition, new: &Condition) -> Option<Vec<String>> {
    let (mut old_names, mut new_names) = (Vec::new(), Vec::new());
    leaf_names(old, &mut old_names);
    leaf_names(new, &mut new_names);
    let unique = |name: &str| {
        old_names.iter().filter(|n| *n == name).count() == 1
            && new_names.iter().filter(|n| *n == name).count() == 1
    };
    let mut out = Vec::new();
    let mut changed_names = Vec::new();
    walk(old, new, &mut out, &mut changed_names)?;
    changed_names.iter().all(|n| unique(n)).then_some(out)
}

/// The name of every leaf (`confidence`, `keywords`, `field plan`, …), with repeats.
fn leaf_names(c: &Condition, out: &mut Vec<String>) {
    for part in c.all.iter().chain(c.any.iter()).flatten() {
        leaf_names(&part.value, out);
    }
    if let Some(not) = &c.not {
        leaf_names(&not.value, out);
    }
    for (name, present) in [
        ("confidence", c.confidence.is_some()),
        ("sentiment", c.sentiment.is_some()),
        ("keywords", c.keywords.is_some()),
        ("customer_tier", c.customer_tier.is_some()),
        ("channel", c.channel.is_some()),
        ("category", c.category.is_some()),
        ("priority", c.priority.is_some()),
        ("requested_human", c.requested_human.is_some()),
        ("business_hours", c.business_hours.is_some()),
    ] {
        if present {
            out.push(name.to_string());
        }
    }
    if let Some(f) = &c.field {
        out.push(format!("field {}", f.value.name.value.trim()));
    }
}

/// Compare two conditions node by node; `None` when their shapes differ.
fn walk(
    old: &Condition,
    new: &Condition,
    out: &mut Vec<String>,
    changed: &mut Vec<String>,
) -> Option<()> {
    for (a, b) in [(&old.all, &new.all), (&old.any, &new.any)] {
        match (a, b) {
            (None, None) => {}
            (Some(a), Some(b)) if a.len() == b.len() => {
                for (x, y) in a.iter().zip(b) {
                    walk(&x.value, &y.value, out, changed)?;
                }
            }
            _ => return None,
        }
    }
    match (&old.not, &new.not) {
        (None, None) => {}
        (Some(a), Some(b)) => walk(&a.value, &b.value, out, changed)?,
        _ => return None,
    }
    let mut leaf = |name: String, parts: Vec<String>| {
        if !parts.is_empty() {
            changed.push(name);
            out.extend(parts);
        }
    };
    for (name, a, b) in [
        ("confidence", &old.confidence, &new.confidence),
        ("sentiment", &old.sentiment, &new.sentiment),
    ] {
        match (a, b) {
            (None, None) => {}
            (Some(a), Some(b)) => leaf(name.to_string(), thresholds(name, &a.value, &b.value)),
            _ => return None,
        }
    }
    match (&old.keywords, &new.keywords) {
        (None, None) => {}
        (Some(a), Some(b)) => leaf("keywords".into(), keywords(&a.value, &b.value)),
        _ => return None,
    }
    for (name, a, b) in [
        ("customer_tier", &old.customer_tier, &new.customer_tier),
        ("channel", &old.channel, &new.channel),
        ("category", &old.category, &new.category),
        ("priority", &old.priority, &new.priority),
    ] {
        match (a, b) {
            (None, None) => {}
            (Some(a), Some(b)) => leaf(name.to_string(), labels(name, &a.value, &b.value)),
            _ => return None,
        }
    }
    match (&old.requested_human, &new.requested_human) {
        (None, None) => {}
        (Some(a), Some(b)) => leaf(
            "requested_human".into(),
            if a.value == b.value {
                Vec::new()
            } else {
                vec![format!("requested_human {} → {}", a.value, b.value)]
            },
        ),
        _ => return None,
    }
    match (&old.business_hours, &new.business_hours) {
        (None, None) => {}
        (Some(a), Some(b)) => leaf(
            "business_hours".into(),
            if a.value == b.value {
                Vec::new()
            } else {
                vec![format!("business_hours {} → {}", a.value, b.value)]
            },
        ),
        _ => return None,
    }
    match (&old.field, &new.field) {
        (None, None) => {}
        (Some(a), Some(b)) if a.value.name.value.trim() == b.value.name.value.trim() => {
            let name = format!("field {}", a.value.name.value.trim());
            let parts = field(&name, &a.value, &b.value);
            leaf(name, parts);
        }
        _ => return None,
    }
    Some(())
}

fn optional_number(value: Option<f64>) -> String {
    value.map_or_else(|| "(none)".to_string(), number)
}

/// `confidence below 0.8 → 0.7`, one entry per bound that changed.
fn bounds(name: &str, old: [Option<f64>; 2], new: [Option<f64>; 2]) -> Vec<String> {
    ["below", "at_least"]
        .iter()
        .zip(old.iter().zip(new))
        .filter(|(_, (a, b))| *a != b)
        .map(|(bound, (a, b))| {
            format!(
                "{name} {bound} {} → {}",
                optional_number(*a),
                optional_number(b)
            )
        })
        .collect()
}

fn thresholds(name: &str, old: &Threshold, new: &Threshold) -> Vec<String> {
    let values = |t: &Threshold| {
        [
            t.below.as_ref().map(|v| v.value),
            t.at_least.as_ref().map(|v| v.value),
        ]
    };
    bounds(name, values(old), values(new))
}

/// `+ a, b - c` between two lists compared by `key`, in the authors' spelling; empty when they
/// hold the same items.
fn set_change(
    old: &[Spanned<String>],
    new: &[Spanned<String>],
    key: &dyn Fn(&str) -> String,
) -> String {
    let keys = |items: &[Spanned<String>]| -> Vec<String> {
        items.iter().map(|i| key(&i.value)).collect()
    };
    let (old_keys, new_keys) = (keys(old), keys(new));
    let pick = |items: &[Spanned<String>], other: &[String]| {
        let mut seen: Vec<String> = Vec::new();
        let mut picked = Vec::new();
        for item in items {
            let k = key(&item.value);
            if !other.contains(&k) && !seen.contains(&k) {
                seen.push(k);
                picked.push(scalar(&item.value));
            }
        }
        picked
    };
    let (added, removed) = (pick(new, &old_keys), pick(old, &new_keys));
    let mut parts = Vec::new();
    if !added.is_empty() {
        parts.push(format!("+ {}", added.join(", ")));
    }
    if !removed.is_empty() {
        parts.push(format!("- {}", removed.join(", ")));
    }
    parts.join(" ")
}

/// A list that may be absent: `name (none) → [a]`, `name + a`, or nothing.
fn optional_list(
    name: &str,
    old: &Option<Vec<Spanned<String>>>,
    new: &Option<Vec<Spanned<String>>>,
    key: &dyn Fn(&str) -> String,
) -> Option<String> {
    match (old, new) {
        (None, None) => None,
        (Some(a), Some(b)) => {
            let change = set_change(a, b, key);
            (!change.is_empty()).then(|| format!("{name} {change}"))
        }
        (None, Some(b)) => Some(format!("{name} (none) → {}", list(b))),
        (Some(a), None) => Some(format!("{name} {} → (none)", list(a))),
    }
}

fn keyword_key(text: &str) -> String {
    Keyword::parse(text).map_or_else(|| text.to_string(), |k| k.to_string())
}

fn keywords(old: &Keywords, new: &Keywords) -> Vec<String> {
    [
        ("keywords any", &old.any, &new.any),
        ("keywords all", &old.all, &new.all),
        ("keywords none", &old.none, &new.none),
    ]
    .into_iter()
    .filter_map(|(name, a, b)| optional_list(name, a, b, &keyword_key))
    .collect()
}

fn labels(field: &str, old: &LabelSet, new: &LabelSet) -> Vec<String> {
    [
        (format!("{field} in"), &old.in_, &new.in_),
        (format!("{field} not_in"), &old.not_in, &new.not_in),
    ]
    .into_iter()
    .filter_map(|(name, a, b)| optional_list(&name, a, b, &normalize_label))
    .collect()
}

fn field(name: &str, old: &FieldTest, new: &FieldTest) -> Vec<String> {
    let mut out = Vec::new();
    let text = |v: &Option<Spanned<String>>| v.as_ref().map(|s| s.value.clone());
    let shown = |v: &Option<String>| v.as_deref().map_or("(none)".to_string(), scalar);
    let (a, b) = (text(&old.equals), text(&new.equals));
    if a.as_deref().map(normalize_label) != b.as_deref().map(normalize_label) {
        out.push(format!("{name} equals {} → {}", shown(&a), shown(&b)));
    }
    for (bound, a, b) in [
        ("in", &old.in_, &new.in_),
        ("not_in", &old.not_in, &new.not_in),
    ] {
        out.extend(optional_list(
            &format!("{name} {bound}"),
            a,
            b,
            &normalize_label,
        ));
    }
    let (a, b) = (text(&old.matches), text(&new.matches));
    if a != b {
        out.push(format!("{name} matches {} → {}", shown(&a), shown(&b)));
    }
    let values = |t: &FieldTest| {
        [
            t.below.as_ref().map(|v| v.value),
            t.at_least.as_ref().map(|v| v.value),
        ]
    };
    out.extend(bounds(name, values(old), values(new)));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::load::load_bytes;

    fn when_of(yaml_condition: &str) -> Spanned<Condition> {
        let text = format!(
            "version: 1\ntiers:\n  L1: {{}}\nrules:\n  - id: r\n    when: {yaml_condition}\n    route: L1\n"
        );
        let loaded = load_bytes("t.yaml".into(), text.into_bytes()).unwrap();
        loaded.policy.rules[0].value.when.clone()
    }

    fn change(old: &str, new: &str) -> Option<String> {
        condition_change(&when_of(old), &when_of(new))
    }

    #[test]
    fn a_changed_leaf_is_named_by_what_changed() {
        for (old, new, said) in [
            (
                "{ confidence: { below: 0.80 } }",
                "{ confidence: { below: 0.7 } }",
                "confidence below 0.8 → 0.7",
            ),
            (
                "{ sentiment: { below: -0.3 } }",
                "{ sentiment: { below: 0.1, at_least: -0.9 } }",
                "sentiment below -0.3 → 0.1; sentiment at_least (none) → -0.9",
            ),
            (
                "{ all: [{ keywords: { any: [cancel*, refund*, chargeback] } }, { customer_tier: { in: [enterprise] } }] }",
                "{ all: [{ keywords: { any: [Cancel*, refund*] } }, { customer_tier: { in: [enterprise, Pro] } }] }",
                "keywords any - chargeback; customer_tier in + Pro",
            ),
            (
                "{ keywords: { any: [a] } }",
                "{ keywords: { any: [a], none: [b, \"c, d\"] } }",
                "keywords none (none) → [b, \"c, d\"]",
            ),
            (
                "{ not: { requested_human: true } }",
                "{ not: { requested_human: false } }",
                "requested_human true → false",
            ),
            (
                "{ field: { name: plan, equals: gold, below: 3 } }",
                "{ field: { name: plan, equals: silver, below: 3 } }",
                "field plan equals gold → silver",
            ),
            (
                "{ field: { name: plan, matches: \"^a\" } }",
                "{ field: { name: plan, matches: \"^b\" } }",
                "field plan matches ^a → ^b",
            ),
        ] {
            assert_eq!(change(old, new).as_deref(), Some(said), "{old} → {new}");
        }
    }

    #[test]
    fn a_new_shape_shows_both_conditions_whole() {
        for (old, new) in [
            (
                "{ sentiment: { below: -0.5 } }",
                "{ any: [{ sentiment: { below: -0.3 } }, { keywords: { any: [furious] } }] }",
            ),
            // Two confidence tests: which one changed needs a path, so both are shown whole.
            (
                "{ any: [{ confidence: { below: 0.5 } }, { all: [{ confidence: { below: 0.7 } }, { channel: { in: [chat] } }] }] }",
                "{ any: [{ confidence: { below: 0.4 } }, { all: [{ confidence: { below: 0.7 } }, { channel: { in: [chat] } }] }] }",
            ),
            (
                "{ field: { name: plan, in: [gold] } }",
                "{ field: { name: tier, in: [gold] } }",
            ),
        ] {
            let old_text = when_of(old).value.to_string();
            let new_text = when_of(new).value.to_string();
            assert_eq!(
                change(old, new),
                Some(format!("{old_text} → {new_text}")),
                "{old} → {new}"
            );
        }
    }

    #[test]
    fn the_same_meaning_is_no_change() {
        for (old, new) in [
            (
                "{ confidence: { below: 0.80 } }",
                "{ confidence: { below: 0.8 } }",
            ),
            (
                "{ keywords: { any: [Legal, lawyer*] } }",
                "{ keywords: { any: [legal, lawyer*] } }",
            ),
            (
                "{ keywords: { any: [legal, lawyer*] } }",
                "{ keywords: { any: [lawyer*, legal] } }",
            ),
            (
                "{ customer_tier: { in: [pro, enterprise] } }",
                "{ customer_tier: { in: [Enterprise, pro] } }",
            ),
            (
                "{ confidence: { below: 0.5 }, channel: { in: [chat] } }",
                "{ all: [{ confidence: { below: 0.5 } }, { channel: { in: [chat] } }] }",
            ),
        ] {
            assert_eq!(change(old, new), None, "{old} → {new}");
        }
    }
}
