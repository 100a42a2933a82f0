//! Policy elements written back the way an author writes them: conditions in YAML flow syntax
//! (`{ confidence: { below: 0.8 } }`), numbers and scalars as YAML reads them back.
//!
//! The one describer for every message that quotes a condition, so a user never meets a second
//! notation: `handoff diff` prints the file form ([`Condition`]'s `Display`), lint's messages
//! (H041) and the rule-by-rule trace of `handoff explain` and `handoff test` print compiled
//! conditions ([`test`], and [`Cond`]'s `Display`). What it prints loads again as the same
//! condition (a test checks this on the bundled policies and fixtures).

use std::fmt::{self, Display, Formatter};

use super::condition::{Cond, Keyword, LabelField, NumField};
use super::model::{Condition, FieldTest, Keywords, LabelSet, Threshold};
use super::spanned::Spanned;

/// A number as YAML reads it back: `0.8`, `-0.5`, `80`, `.nan`, `.inf`.
pub fn number(value: f64) -> String {
    if value.is_nan() {
        ".nan".into()
    } else if value.is_infinite() {
        if value > 0.0 { ".inf" } else { "-.inf" }.into()
    } else if value != 0.0 && !(1e-6..1e15).contains(&value.abs()) {
        // `1e-300`, not three hundred zeros.
        format!("{value:e}")
    } else {
        value.to_string()
    }
}

/// A scalar for a flow collection: plain when YAML would read it back as the same text,
/// double-quoted otherwise (`"09:00-18:00"`, `"a, b"`, `"true"`).
pub fn scalar(text: &str) -> String {
    if is_plain(text) {
        text.to_string()
    } else {
        quoted(text)
    }
}

fn is_plain(text: &str) -> bool {
    let Some(first) = text.chars().next() else {
        return false;
    };
    let special_start = "-?:,[]{}#&*!|>'\"%@`".contains(first)
        || first.is_ascii_digit()
        || first == '.'
        || first == '+'
        || first.is_whitespace();
    let reserved = matches!(
        text.to_ascii_lowercase().as_str(),
        "true" | "false" | "yes" | "no" | "on" | "off" | "null" | "~" | "y" | "n"
    );
    !special_start
        && !reserved
        && !text.ends_with(char::is_whitespace)
        && !text.contains(": ")
        && !text.contains(" #")
        && !text.ends_with(':')
        && !text.chars().any(|c| ",[]{}".contains(c) || c.is_control())
}

fn quoted(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => out.push_str(&format!("\\u{:04x}", u32::from(c))),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// `[a, b*, "c, d"]`
pub fn list(items: &[Spanned<String>]) -> String {
    scalars(items.iter().map(|i| i.value.as_str()))
}

/// `[a, b*, "c, d"]`, from plain texts.
pub fn scalars<T: AsRef<str>>(items: impl IntoIterator<Item = T>) -> String {
    let items: Vec<String> = items.into_iter().map(|i| scalar(i.as_ref())).collect();
    format!("[{}]", items.join(", "))
}

/// `{ key: value, … }`, or `{}`.
fn mapping(entries: &[(&str, String)]) -> String {
    if entries.is_empty() {
        return "{}".into();
    }
    let body: Vec<String> = entries.iter().map(|(k, v)| format!("{k}: {v}")).collect();
    format!("{{ {} }}", body.join(", "))
}

impl Display for Threshold {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        let mut entries = Vec::new();
        if let Some(below) = &self.below {
            entries.push(("below", number(below.value)));
        }
        if let Some(at_least) = &self.at_least {
            entries.push(("at_least", number(at_least.value)));
        }
        f.write_str(&mapping(&entries))
    }
}

impl Display for Keywords {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        let mut entries = Vec::new();
        for (key, items) in [("any", &self.any), ("all", &self.all), ("none", &self.none)] {
            if let Some(items) = items {
                entries.push((key, list(items)));
            }
        }
        f.write_str(&mapping(&entries))
    }
}

impl Display for LabelSet {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        let mut entries = Vec::new();
        if let Some(items) = &self.in_ {
            entries.push(("in", list(items)));
        }
        if let Some(items) = &self.not_in {
            entries.push(("not_in", list(items)));
        }
        f.write_str(&mapping(&entries))
    }
}

impl Display for FieldTest {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        let mut entries = vec![("name", scalar(&self.name.value))];
        if let Some(equals) = &self.equals {
            entries.push(("equals", scalar(&equals.value)));
        }
        if let Some(items) = &self.in_ {
            entries.push(("in", list(items)));
        }
        if let Some(items) = &self.not_in {
            entries.push(("not_in", list(items)));
        }
        if let Some(pattern) = &self.matches {
            entries.push(("matches", scalar(&pattern.value)));
        }
        if let Some(below) = &self.below {
            entries.push(("below", number(below.value)));
        }
        if let Some(at_least) = &self.at_least {
            entries.push(("at_least", number(at_least.value)));
        }
        f.write_str(&mapping(&entries))
    }
}

fn conditions(parts: &[Spanned<Condition>]) -> String {
    let parts: Vec<String> = parts.iter().map(|p| p.value.to_string()).collect();
    format!("[{}]", parts.join(", "))
}

/// A condition in flow syntax, keys in the order of the format's reference:
/// `{ all: [{ keywords: { any: [cancel*] } }, { customer_tier: { in: [enterprise] } }] }`.
impl Display for Condition {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        let mut entries: Vec<(&str, String)> = Vec::new();
        if let Some(all) = &self.all {
            entries.push(("all", conditions(all)));
        }
        if let Some(any) = &self.any {
            entries.push(("any", conditions(any)));
        }
        if let Some(not) = &self.not {
            entries.push(("not", not.value.to_string()));
        }
        if let Some(t) = &self.confidence {
            entries.push(("confidence", t.value.to_string()));
        }
        if let Some(t) = &self.sentiment {
            entries.push(("sentiment", t.value.to_string()));
        }
        if let Some(k) = &self.keywords {
            entries.push(("keywords", k.value.to_string()));
        }
        for (key, set) in [
            ("customer_tier", &self.customer_tier),
            ("channel", &self.channel),
            ("category", &self.category),
            ("priority", &self.priority),
        ] {
            if let Some(set) = set {
                entries.push((key, set.value.to_string()));
            }
        }
        if let Some(b) = &self.requested_human {
            entries.push(("requested_human", b.value.to_string()));
        }
        if let Some(b) = &self.business_hours {
            entries.push(("business_hours", b.value.to_string()));
        }
        if let Some(test) = &self.field {
            entries.push(("field", test.value.to_string()));
        }
        f.write_str(&mapping(&entries))
    }
}

/// A condition in flow syntax (the same as its `Display`).
pub fn condition(condition: &Condition) -> String {
    condition.to_string()
}

/// A compiled condition as the one entry of its flow mapping: the key and the value.
fn entry(c: &Cond) -> (&str, String) {
    let parts = |parts: &[Cond]| {
        let parts: Vec<String> = parts.iter().map(ToString::to_string).collect();
        format!("[{}]", parts.join(", "))
    };
    match c {
        Cond::All(all) => ("all", parts(all)),
        Cond::Any(any) => ("any", parts(any)),
        Cond::Not(inner) => ("not", inner.to_string()),
        Cond::Number {
            field,
            below,
            at_least,
        } => {
            let (key, mut entries) = match field {
                NumField::Extra(name) => ("field", vec![("name", scalar(name))]),
                canonical => (canonical.name(), Vec::new()),
            };
            entries.extend(below.map(|b| ("below", number(b))));
            entries.extend(at_least.map(|a| ("at_least", number(a))));
            (key, mapping(&entries))
        }
        Cond::Label { field, in_, not_in } => {
            let (key, mut entries) = match field {
                LabelField::Extra(name) => ("field", vec![("name", scalar(name))]),
                canonical => (canonical.name(), Vec::new()),
            };
            entries.extend(in_.as_ref().map(|set| ("in", scalars(set))));
            if !not_in.is_empty() {
                entries.push(("not_in", scalars(not_in)));
            }
            (key, mapping(&entries))
        }
        Cond::Keywords { any, all, none } => {
            let words = |list: &[Keyword]| scalars(list.iter().map(ToString::to_string));
            let mut entries = Vec::new();
            entries.extend(any.as_deref().map(|any| ("any", words(any))));
            for (key, list) in [("all", all), ("none", none)] {
                if !list.is_empty() {
                    entries.push((key, words(list)));
                }
            }
            ("keywords", mapping(&entries))
        }
        Cond::RequestedHuman(value) => ("requested_human", value.to_string()),
        Cond::BusinessHours(value) => ("business_hours", value.to_string()),
        Cond::Matches { field, regex } => (
            "field",
            mapping(&[("name", scalar(field)), ("matches", scalar(regex.as_str()))]),
        ),
    }
}

/// One test of a compiled condition as the policy writes it, without the braces around it:
/// `confidence: { below: 0.8 }`, `keywords: { any: [cancel*] }`, `field: { name: plan, in:
/// [gold] }`, `not: { requested_human: true }`. Labels and keywords are shown as they are
/// compared (trimmed, lower-cased, folded); several keys of one mapping are an `all`.
pub fn test(c: &Cond) -> String {
    let (key, value) = entry(c);
    format!("{key}: {value}")
}

/// A compiled condition in flow syntax, `{ confidence: { below: 0.8 } }`: a condition that
/// loads again as the same one.
impl Display for Cond {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        let (key, value) = entry(self);
        f.write_str(&mapping(&[(key, value)]))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::condition::compile;
    use crate::policy::load::load_bytes;

    fn when_of(yaml_condition: &str) -> Spanned<Condition> {
        let text = format!(
            "version: 1\ntiers:\n  L1: {{}}\nrules:\n  - id: r\n    when: {yaml_condition}\n    route: L1\n"
        );
        let loaded = load_bytes("t.yaml".into(), text.into_bytes())
            .unwrap_or_else(|e| panic!("{yaml_condition}: {e:?}"));
        loaded.policy.rules[0].value.when.clone()
    }

    #[test]
    fn conditions_print_in_flow_syntax() {
        for (written, printed) in [
            (
                "{ confidence: { below: 0.80 } }",
                "{ confidence: { below: 0.8 } }",
            ),
            (
                "{ sentiment: { at_least: -0.5, below: 0.25 } }",
                "{ sentiment: { below: 0.25, at_least: -0.5 } }",
            ),
            (
                "{ keywords: { any: [cancel*, \"c++\", e-mail], none: [\"a, b\"] } }",
                "{ keywords: { any: [cancel*, c++, e-mail], none: [\"a, b\"] } }",
            ),
            (
                "{ not: { channel: { in: [Twitter], not_in: [\"yes\"] } } }",
                "{ not: { channel: { in: [Twitter], not_in: [\"yes\"] } } }",
            ),
            (
                "{ requested_human: true, confidence: { below: 0.5 } }",
                "{ confidence: { below: 0.5 }, requested_human: true }",
            ),
            (
                "{ field: { name: plan, matches: '^gold: \"x\"$', below: 3 } }",
                "{ field: { name: plan, matches: \"^gold: \\\"x\\\"$\", below: 3 } }",
            ),
            (
                "{ all: [{ priority: { in: [P1] } }, { any: [{ category: { in: [\"2026\"] } }] }] }",
                "{ all: [{ priority: { in: [P1] } }, { any: [{ category: { in: [\"2026\"] } }] }] }",
            ),
        ] {
            assert_eq!(condition(&when_of(written).value), printed, "{written}");
        }
    }

    #[test]
    fn scalars_that_yaml_would_misread_are_quoted() {
        for (text, printed) in [
            ("legal", "legal"),
            ("lawyer*", "lawyer*"),
            ("worst service", "worst service"),
            ("*star", "\"*star\""),
            ("09:00-18:00", "\"09:00-18:00\""),
            ("true", "\"true\""),
            ("No", "\"No\""),
            ("", "\"\""),
            (" padded", "\" padded\""),
            ("a: b", "\"a: b\""),
            ("tab\there", "\"tab\\there\""),
            ("-x", "\"-x\""),
        ] {
            assert_eq!(scalar(text), printed, "{text:?}");
        }
        assert_eq!(number(0.8), "0.8");
        assert_eq!(number(-0.5), "-0.5");
        assert_eq!(number(80.0), "80");
        assert_eq!(number(1e-300), "1e-300");
        assert_eq!(number(-2.5e20), "-2.5e20");
        assert_eq!(number(0.000001), "0.000001");
        assert_eq!(number(f64::NAN), ".nan");
        assert_eq!(number(f64::NEG_INFINITY), "-.inf");
    }

    #[test]
    fn compiled_conditions_print_as_the_policy_writes_them() {
        for (written, printed) in [
            (
                "{ confidence: { below: 0.80 } }",
                "confidence: { below: 0.8 }",
            ),
            ("{ confidence: {} }", "confidence: {}"),
            (
                "{ sentiment: { at_least: -0.5, below: 0.25 } }",
                "sentiment: { below: 0.25, at_least: -0.5 }",
            ),
            (
                "{ keywords: { any: [Cancel*, \"c++\"], all: [], none: [\"24h\"] } }",
                "keywords: { any: [cancel*, c++], none: [\"24h\"] }",
            ),
            ("{ keywords: { any: [] } }", "keywords: { any: [] }"),
            (
                "{ customer_tier: { in: [Enterprise], not_in: [\"yes\"] } }",
                "customer_tier: { in: [enterprise], not_in: [\"yes\"] }",
            ),
            ("{ priority: { not_in: [] } }", "priority: {}"),
            ("{ requested_human: false }", "requested_human: false"),
            (
                "{ field: { name: plan, equals: Gold } }",
                "field: { name: plan, in: [gold] }",
            ),
            (
                "{ field: { name: code, matches: '^a: b' } }",
                "field: { name: code, matches: \"^a: b\" }",
            ),
            (
                "{ field: { name: score, at_least: 1e-300 } }",
                "field: { name: score, at_least: 1e-300 }",
            ),
            (
                "{ not: { channel: { in: [chat] } } }",
                "not: { channel: { in: [chat] } }",
            ),
            (
                "{ requested_human: true, confidence: { below: 0.5 } }",
                "all: [{ confidence: { below: 0.5 } }, { requested_human: true }]",
            ),
            (
                "{ any: [{ category: { in: [billing] } }, { field: { name: plan } }] }",
                "any: [{ category: { in: [billing] } }, { all: [] }]",
            ),
        ] {
            let compiled = compile(&when_of(written)).unwrap();
            assert_eq!(test(&compiled), printed, "{written}");
            assert_eq!(
                compiled.to_string(),
                format!("{{ {printed} }}"),
                "{written}"
            );
        }
    }

    /// Printing a condition and loading the text again gives the same compiled condition, for
    /// every rule of the bundled policies and fixtures: the file form as written, and the
    /// compiled form as lint and the trace quote it.
    #[test]
    fn printed_conditions_load_back_the_same() {
        let mut checked = 0;
        for dir in [
            "policies",
            "fixtures/diff",
            "fixtures/lint",
            "fixtures/explain",
        ] {
            let mut paths: Vec<_> = std::fs::read_dir(dir)
                .unwrap()
                .map(|e| e.unwrap().path())
                .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
                .collect();
            paths.sort();
            for path in paths {
                let Ok(loaded) = crate::policy::load_file(&path) else {
                    continue;
                };
                for rule in &loaded.policy.rules {
                    let Ok(before) = compile(&rule.value.when) else {
                        continue;
                    };
                    // The file form as diff prints it, the compiled form as lint and the
                    // trace print it.
                    for printed in [condition(&rule.value.when.value), before.to_string()] {
                        let after = compile(&when_of(&printed)).unwrap();
                        assert_eq!(
                            format!("{before:?}"),
                            format!("{after:?}"),
                            "{}: {printed}",
                            path.display()
                        );
                    }
                    checked += 1;
                }
            }
        }
        assert!(checked > 50, "only {checked} conditions checked");
    }
}
