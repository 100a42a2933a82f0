//! Conditions compiled from the file form into a tree the engines evaluate and analyse.
//!
//! Semantics (DESIGN §2): a leaf on an empty value is *unknown*; `all`/`any`/`not` follow SQL
//! three-valued logic; a rule matches only when its condition is *true*. Several keys in one
//! YAML mapping are joined with `all`.

use regex::Regex;

use super::model::{Condition, FieldTest, Keywords, LabelSet, Threshold};
use super::spanned::Spanned;
use crate::diag::Span;
use crate::fields::{Field, Label};
use crate::text::{fold, normalize_label};

/// A compiled condition.
#[derive(Debug, Clone)]
pub enum Cond {
    All(Vec<Cond>),
    Any(Vec<Cond>),
    Not(Box<Cond>),
    /// `at_least <= value < below` on a numeric field.
    Number {
        field: NumField,
        below: Option<f64>,
        at_least: Option<f64>,
    },
    /// Whole-word keyword tests on the ticket text.
    Keywords {
        any: Option<Vec<Keyword>>,
        all: Vec<Keyword>,
        none: Vec<Keyword>,
    },
    /// Membership of a trimmed, lower-cased label.
    Label {
        field: LabelField,
        in_: Option<Vec<String>>,
        not_in: Vec<String>,
    },
    RequestedHuman(bool),
    /// `created_at` inside (`true`) or outside (`false`) the policy calendar's working hours.
    BusinessHours(bool),
    /// A regex searched in an extra column.
    Matches {
        field: String,
        regex: Regex,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum NumField {
    Confidence,
    Sentiment,
    Extra(String),
}

/// The field a label test reads.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum LabelField {
    /// `customer_tier`, `channel`, `category` or `priority`.
    Canonical(Label),
    /// An extra field named by a `field` test.
    Extra(String),
}

impl NumField {
    pub fn name(&self) -> &str {
        match self {
            NumField::Confidence => Field::Confidence.name(),
            NumField::Sentiment => Field::Sentiment.name(),
            NumField::Extra(name) => name,
        }
    }
}

impl LabelField {
    pub fn name(&self) -> &str {
        match self {
            LabelField::Canonical(label) => label.name(),
            LabelField::Extra(name) => name,
        }
    }
}

/// A keyword: NFC-normalised, lower-cased text; `prefix` when written with a trailing `*`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Keyword {
    pub text: String,
    pub prefix: bool,
}

impl std::fmt::Display for Keyword {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}{}", self.text, if self.prefix { "*" } else { "" })
    }
}

impl Keyword {
    pub fn parse(raw: &str) -> Option<Keyword> {
        let text = fold(raw.trim());
        let (text, prefix) = match text.strip_suffix('*') {
            Some(stem) => (stem.trim_end().to_string(), true),
            None => (text, false),
        };
        (!text.is_empty() && !text.contains('*')).then_some(Keyword { text, prefix })
    }
}

/// A condition that cannot be compiled; lint reports these as H003 before anything evaluates.
#[derive(Debug, Clone, PartialEq)]
pub struct CompileError {
    pub span: Span,
    pub message: String,
}

/// Compile a condition. Only values lint rejects (a bad regex, an empty keyword) fail.
pub fn compile(condition: &Spanned<Condition>) -> Result<Cond, CompileError> {
    let c = &condition.value;
    let mut parts = Vec::new();
    if let Some(all) = &c.all {
        parts.push(Cond::All(
            all.iter().map(compile).collect::<Result<_, _>>()?,
        ));
    }
    if let Some(any) = &c.any {
        parts.push(Cond::Any(
            any.iter().map(compile).collect::<Result<_, _>>()?,
        ));
    }
    if let Some(not) = &c.not {
        parts.push(Cond::Not(Box::new(compile(not)?)));
    }
    if let Some(t) = &c.confidence {
        parts.push(number(NumField::Confidence, t));
    }
    if let Some(t) = &c.sentiment {
        parts.push(number(NumField::Sentiment, t));
    }
    if let Some(k) = &c.keywords {
        parts.push(keywords(k)?);
    }
    for (field, set) in [
        (Label::CustomerTier, &c.customer_tier),
        (Label::Channel, &c.channel),
        (Label::Category, &c.category),
        (Label::Priority, &c.priority),
    ] {
        if let Some(set) = set {
            parts.push(label(LabelField::Canonical(field), set));
        }
    }
    if let Some(b) = &c.requested_human {
        parts.push(Cond::RequestedHuman(b.value));
    }
    if let Some(b) = &c.business_hours {
        parts.push(Cond::BusinessHours(b.value));
    }
    if let Some(f) = &c.field {
        parts.extend(field_test(f)?);
    }
    Ok(if parts.len() == 1 {
        parts.remove(0)
    } else {
        Cond::All(parts)
    })
}

fn number(field: NumField, t: &Spanned<Threshold>) -> Cond {
    Cond::Number {
        field,
        below: t.below.as_ref().map(|v| v.value),
        at_least: t.at_least.as_ref().map(|v| v.value),
    }
}

fn keyword_list(list: &[Spanned<String>]) -> Result<Vec<Keyword>, CompileError> {
    list.iter()
        .map(|k| {
            Keyword::parse(&k.value).ok_or_else(|| CompileError {
                span: k.span,
                message: format!("`{}` is not a keyword", k.value),
            })
        })
        .collect()
}

fn keywords(k: &Spanned<Keywords>) -> Result<Cond, CompileError> {
    Ok(Cond::Keywords {
        any: k.any.as_deref().map(keyword_list).transpose()?,
        all: keyword_list(k.all.as_deref().unwrap_or_default())?,
        none: keyword_list(k.none.as_deref().unwrap_or_default())?,
    })
}

fn labels(list: &[Spanned<String>]) -> Vec<String> {
    list.iter().map(|l| normalize_label(&l.value)).collect()
}

fn label(field: LabelField, set: &Spanned<LabelSet>) -> Cond {
    Cond::Label {
        field,
        in_: set.in_.as_deref().map(labels),
        not_in: labels(set.not_in.as_deref().unwrap_or_default()),
    }
}

fn field_test(f: &Spanned<FieldTest>) -> Result<Vec<Cond>, CompileError> {
    let name = f.name.value.trim().to_string();
    let mut parts = Vec::new();
    let mut in_ = f.in_.as_deref().map(labels);
    if let Some(equals) = &f.equals {
        // `equals` and `in` together: the value must satisfy both.
        let wanted = normalize_label(&equals.value);
        in_ = Some(match in_ {
            Some(list) => list.into_iter().filter(|v| *v == wanted).collect(),
            None => vec![wanted],
        });
    }
    let not_in = labels(f.not_in.as_deref().unwrap_or_default());
    if in_.is_some() || !not_in.is_empty() {
        parts.push(Cond::Label {
            field: LabelField::Extra(name.clone()),
            in_,
            not_in,
        });
    }
    if let Some(pattern) = &f.matches {
        let regex = regex::RegexBuilder::new(&pattern.value)
            .size_limit(1 << 20)
            .build()
            .map_err(|e| CompileError {
                span: pattern.span,
                message: format!("invalid regular expression: {}", first_line(&e.to_string())),
            })?;
        parts.push(Cond::Matches {
            field: name.clone(),
            regex,
        });
    }
    if f.below.is_some() || f.at_least.is_some() {
        parts.push(Cond::Number {
            field: NumField::Extra(name),
            below: f.below.as_ref().map(|v| v.value),
            at_least: f.at_least.as_ref().map(|v| v.value),
        });
    }
    Ok(parts)
}

fn first_line(text: &str) -> String {
    text.lines()
        .rev()
        .find(|l| l.starts_with("error:"))
        .unwrap_or_else(|| text.lines().next().unwrap_or(text))
        .trim_start_matches("error:")
        .trim()
        .to_string()
}

impl Cond {
    /// Visit every leaf of the tree.
    pub fn leaves<'a>(&'a self, visit: &mut dyn FnMut(&'a Cond)) {
        match self {
            Cond::All(parts) | Cond::Any(parts) => parts.iter().for_each(|p| p.leaves(visit)),
            Cond::Not(inner) => inner.leaves(visit),
            leaf => visit(leaf),
        }
    }
}
