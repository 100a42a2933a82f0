//! H041 never matches: a rule whose condition no ticket satisfies (proved on its ticket set),
//! told by the part that fails alone or the two parts that cannot both hold; and a rule with an
//! empty `any` or keyword list.

use super::Ctx;
use crate::diag::registry::Code;
use crate::diag::{Diagnostic, Span};
use crate::fields::Label;
use crate::lint::semantics::{Analysis, covers};
use crate::policy::condition::{Cond, LabelField, NumField};
use crate::policy::describe::{number, scalars, test};
use crate::policy::model::{Condition, Rule};
use crate::policy::spanned::Spanned;

/// Conjuncts beyond this many are not compared pairwise to explain an H041.
const MAX_PAIRWISE: usize = 24;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum EmptyList {
    KeywordsAny,
    KeywordsAll,
    KeywordsNone,
    Conditions,
}

impl EmptyList {
    fn label(self) -> &'static str {
        match self {
            EmptyList::KeywordsAny => "`any: []` matches no text",
            EmptyList::KeywordsAll => "`all: []` requires nothing",
            EmptyList::KeywordsNone => "`none: []` excludes nothing",
            EmptyList::Conditions => "`any: []` is never true",
        }
    }
}

fn empty_lists(c: &Spanned<Condition>, out: &mut Vec<(EmptyList, Span)>) {
    if c.any.as_ref().is_some_and(Vec::is_empty) {
        out.push((EmptyList::Conditions, c.span));
    }
    if let Some(k) = &c.keywords {
        for (words, kind) in [
            (&k.any, EmptyList::KeywordsAny),
            (&k.all, EmptyList::KeywordsAll),
            (&k.none, EmptyList::KeywordsNone),
        ] {
            if words.as_ref().is_some_and(Vec::is_empty) {
                out.push((kind, k.span));
            }
        }
    }
    for child in c.all.iter().flatten().chain(c.any.iter().flatten()) {
        empty_lists(child, out);
    }
    if let Some(not) = &c.not {
        empty_lists(not, out);
    }
}

pub(super) fn never_matches(
    ctx: &Ctx,
    analysis: &mut Analysis,
    rule: &Rule,
    cond: &Cond,
    empty: bool,
) -> Option<Diagnostic> {
    let id = &rule.id.value;
    if empty {
        let mut parts = Vec::new();
        conjuncts(cond, Some(&shape(&rule.when)), rule.when.span, &mut parts);
        let (span, label, related) = explain(ctx, analysis, &parts).unwrap_or((
            rule.when.span,
            "no ticket satisfies every part of this condition".to_string(),
            None,
        ));
        let mut d = Diagnostic::new(Code::H041, span, format!("rule '{id}' can never match"))
            .label(label)
            .help("fix the condition, or remove the rule");
        if let Some(other) = related {
            d = d.related(other, "conflicting condition");
        }
        return Some(d);
    }
    let mut lists = Vec::new();
    empty_lists(&rule.when, &mut lists);
    let (kind, span) = *lists.first()?;
    let message = match kind {
        EmptyList::Conditions => format!("rule '{id}' has an empty `any` list"),
        _ => format!("rule '{id}' has an empty keyword list"),
    };
    Some(
        Diagnostic::new(Code::H041, span, message)
            .label(kind.label())
            .help("add entries to the list, or remove it"),
    )
}

/// The span of every node of a compiled condition, built the way `compile` builds the tree.
enum Shape {
    Node(Span, Vec<Shape>),
    Leaf(Span),
}

impl Shape {
    fn span(&self) -> Span {
        match self {
            Shape::Node(span, _) | Shape::Leaf(span) => *span,
        }
    }
}

fn shape(c: &Spanned<Condition>) -> Shape {
    let mut parts = Vec::new();
    for list in [&c.all, &c.any].into_iter().flatten() {
        parts.push(Shape::Node(c.span, list.iter().map(shape).collect()));
    }
    if let Some(not) = &c.not {
        parts.push(Shape::Node(not.span, vec![shape(not)]));
    }
    let leaves = [
        c.confidence.as_ref().map(|t| t.span),
        c.sentiment.as_ref().map(|t| t.span),
        c.keywords.as_ref().map(|k| k.span),
        c.customer_tier.as_ref().map(|l| l.span),
        c.channel.as_ref().map(|l| l.span),
        c.category.as_ref().map(|l| l.span),
        c.priority.as_ref().map(|l| l.span),
        c.requested_human.as_ref().map(|b| b.span),
    ];
    parts.extend(leaves.into_iter().flatten().map(Shape::Leaf));
    if let Some(f) = &c.field {
        if f.in_.is_some() || f.equals.is_some() || f.not_in.as_ref().is_some_and(|l| !l.is_empty())
        {
            parts.push(Shape::Leaf(f.span));
        }
        if let Some(pattern) = &f.matches {
            parts.push(Shape::Leaf(pattern.span));
        }
        if f.below.is_some() || f.at_least.is_some() {
            parts.push(Shape::Leaf(f.span));
        }
    }
    if parts.len() == 1 {
        parts.remove(0)
    } else {
        Shape::Node(c.span, parts)
    }
}

/// The parts of a condition that must all be true, with their spans.
fn conjuncts<'a>(
    cond: &'a Cond,
    shape: Option<&Shape>,
    fallback: Span,
    out: &mut Vec<(&'a Cond, Span)>,
) {
    let span = shape.map_or(fallback, Shape::span);
    match (cond, shape) {
        (Cond::All(parts), Some(Shape::Node(_, kids))) if kids.len() == parts.len() => {
            for (part, kid) in parts.iter().zip(kids) {
                conjuncts(part, Some(kid), span, out);
            }
        }
        (Cond::All(parts), _) if !parts.is_empty() => {
            for part in parts {
                conjuncts(part, None, span, out);
            }
        }
        _ => out.push((cond, span)),
    }
}

/// Where and why a never-true condition fails: one part alone, or two parts together.
fn explain(
    ctx: &Ctx,
    analysis: &mut Analysis,
    parts: &[(&Cond, Span)],
) -> Option<(Span, String, Option<Span>)> {
    let mut regions = Vec::with_capacity(parts.len());
    for &(cond, span) in parts {
        match analysis.truth(cond) {
            Ok(region) if region.is_empty() => return Some((span, reason(ctx, cond), None)),
            result => regions.push(result.ok()),
        }
    }
    if parts.len() > MAX_PAIRWISE {
        return None;
    }
    for j in 1..parts.len() {
        for i in 0..j {
            let (Some(a), Some(b)) = (&regions[i], &regions[j]) else {
                continue;
            };
            if analysis.meet(a, b).is_ok_and(|m| m.is_empty()) {
                let label = format!(
                    "`{}` and `{}` cannot both hold",
                    test(parts[i].0),
                    test(parts[j].0)
                );
                return Some((parts[i].1, label, Some(parts[j].1)));
            }
        }
    }
    None
}

/// Why a condition that is never true on its own is never true.
fn reason(ctx: &Ctx, c: &Cond) -> String {
    let never = || format!("`{}` can never be true", test(c));
    match c {
        Cond::Number {
            field,
            below,
            at_least,
        } => match (at_least, below) {
            (Some(a), Some(b)) if a >= b => format!(
                "`below: {}` and `at_least: {}` cannot both hold",
                number(*b),
                number(*a)
            ),
            _ => match field {
                NumField::Confidence => format!("{} (confidence ranges from 0 to 1)", never()),
                NumField::Sentiment => format!("{} (sentiment ranges from -1 to 1)", never()),
                NumField::Extra(_) => never(),
            },
        },
        Cond::Label { field, in_, not_in } => {
            let priority = *field == LabelField::Canonical(Label::Priority);
            match in_ {
                Some(set) if set.is_empty() => {
                    format!("no {} value can pass this test", field.name())
                }
                Some(set) if set.iter().all(|l| not_in.contains(l)) => format!(
                    "`in: {}` and `not_in: {}` cannot both hold",
                    scalars(set),
                    scalars(not_in)
                ),
                Some(set) if priority => format!(
                    "no priority in {} is declared (priorities: {})",
                    scalars(set),
                    ctx.priorities.join(", ")
                ),
                None if priority => format!(
                    "not_in excludes every declared priority ({})",
                    ctx.priorities.join(", ")
                ),
                _ => never(),
            }
        }
        Cond::Keywords { any, all, none } => {
            if any.as_ref().is_some_and(Vec::is_empty) {
                return EmptyList::KeywordsAny.label().to_string();
            }
            for p in all {
                if let Some(n) = none.iter().find(|n| covers(n, p)) {
                    return if n == p {
                        format!("'{p}' is both required and excluded")
                    } else {
                        format!("text with '{p}' always contains '{n}', which `none` excludes")
                    };
                }
            }
            if any.is_some() {
                "every keyword in `any` is excluded by `none`".to_string()
            } else {
                never()
            }
        }
        Cond::Any(parts) if parts.is_empty() => EmptyList::Conditions.label().to_string(),
        Cond::Any(_) => "no branch of this `any` can be true".to_string(),
        _ => never(),
    }
}
