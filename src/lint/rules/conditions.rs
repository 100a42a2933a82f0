//! What rule conditions mean together: H040 shadowed rule, H041 never matches (both proved on
//! exact ticket sets, see [`crate::lint::semantics`]), H042 conflicting keyword and H043
//! overlapping keyword (comparisons of the keywords rules list).

use std::collections::{HashMap, HashSet};

use super::Ctx;
use crate::diag::registry::Code;
use crate::diag::{Diagnostic, Span};
use crate::fields::Label;
use crate::lint::semantics::{Analysis, GiveUp, Region, StemFinder, covers};
use crate::policy::condition::{Cond, Keyword, LabelField, NumField};
use crate::policy::model::{Condition, Rule};
use crate::policy::spanned::Spanned;

/// Work allowed to build and explain the ticket sets of all rules, and of one rule.
const BUILD_BUDGET: u64 = 20_000_000;
const RULE_BUDGET: u64 = 1_000_000;
/// Work allowed for H040 over the whole policy; past it H040 stops silently.
const SHADOW_BUDGET: u64 = 20_000_000;
/// Ticket sets kept for H040: at most this many cells each, and in all (bounds memory).
const MAX_RULE_CELLS: usize = 2_000;
const MAX_KEPT_CELLS: usize = 200_000;
/// Work allowed for H042 to tell whether two rules can match one ticket; past it, rules are
/// assumed to overlap (a warning too many rather than a conflict missed).
const CONFLICT_BUDGET: u64 = 20_000_000;
/// Occurrences of a keyword kept per route for H042 comparisons.
const KEPT_PER_ROUTE: usize = 8;
/// Conjuncts beyond this many are not compared pairwise to explain an H041.
const MAX_PAIRWISE: usize = 24;

pub fn check(ctx: &Ctx, out: &mut Vec<Diagnostic>) {
    let rules = &ctx.policy.rules;
    let mut analysis = Analysis::new(&ctx.priorities);
    analysis.learn_keywords(ctx.conditions.iter().flatten());
    let (mut build_left, mut kept_cells) = (BUILD_BUDGET, 0);
    let mut regions: Vec<Option<Region>> = Vec::with_capacity(rules.len());
    let mut reported = vec![false; rules.len()];
    let mut incomplete = Incomplete::default();
    for (i, rule) in rules.iter().enumerate() {
        let Some(cond) = ctx.conditions.get(i).and_then(Option::as_ref) else {
            regions.push(None);
            continue;
        };
        let allowance = RULE_BUDGET.min(build_left);
        analysis.set_budget(allowance);
        let result = analysis.truth(cond);
        match &result {
            Err(GiveUp::TooLarge) => incomplete.rule(i, GaveUp::Build),
            Err(GiveUp::Budget) => incomplete.budget(i, GaveUp::Build),
            _ => {}
        }
        let region = result.ok();
        let empty = region.as_ref().is_some_and(Region::is_empty);
        let fits =
            |r: &Region| r.cells() <= MAX_RULE_CELLS && kept_cells + r.cells() <= MAX_KEPT_CELLS;
        if let Some(r) = region.as_ref().filter(|r| !r.is_empty() && !fits(r)) {
            let why = if r.cells() > MAX_RULE_CELLS {
                GaveUp::Keep
            } else {
                GaveUp::KeepTotal
            };
            incomplete.rule(i, why);
        }
        if let Some(d) = never_matches(ctx, &mut analysis, rule, cond, empty) {
            reported[i] = true;
            out.push(d);
        }
        build_left -= allowance - analysis.budget_left();
        let kept = region.filter(fits);
        kept_cells += kept.as_ref().map_or(0, Region::cells);
        regions.push(kept);
    }
    analysis.set_budget(SHADOW_BUDGET);
    shadowed(
        ctx,
        &mut analysis,
        &regions,
        &reported,
        &mut incomplete,
        out,
    );
    incomplete.report(rules, out);
    let occurrences = keyword_occurrences(rules);
    conflicting_keywords(ctx, &mut analysis, &occurrences, out);
    overlapping_keywords(rules, &occurrences, out);
}

// ---------------------------------------------------------------------------------------------
// H049 analysis incomplete

/// Where the semantic analysis gave up on a rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum GaveUp {
    /// Building the rule's ticket set (H041 and H040 unchecked).
    Build,
    /// The rule's ticket set is too large to keep for H040.
    Keep,
    /// The ticket sets of earlier rules already fill what H040 keeps.
    KeepTotal,
    /// Comparing the rule with the earlier rules (H040 unchecked).
    Shadow,
}

/// Findings shown one by one before the rest are summed up in one.
const MAX_INCOMPLETE_SHOWN: usize = 10;

/// The rules the analysis could not decide, reported as H049 so that silence never means
/// "checked and clean".
#[derive(Default)]
struct Incomplete {
    rules: Vec<(usize, GaveUp)>,
    /// The first rule at which the work budget ran out, and in which phase.
    budget: Option<(usize, GaveUp)>,
}

impl Incomplete {
    fn rule(&mut self, rule: usize, why: GaveUp) {
        if !self.rules.iter().any(|(r, _)| *r == rule) {
            self.rules.push((rule, why));
        }
    }

    fn budget(&mut self, rule: usize, why: GaveUp) {
        if self.budget.is_none() {
            self.budget = Some((rule, why));
        }
    }

    fn report(self, rules: &[Spanned<Rule>], out: &mut Vec<Diagnostic>) {
        let help = "simplify or reorder the rules named, or split the policy; the other checks are unaffected";
        let budget_from = self.budget.map(|(r, _)| r);
        let mut listed: Vec<(usize, GaveUp)> = self
            .rules
            .into_iter()
            .filter(|(r, _)| budget_from.is_none_or(|b| *r < b))
            .collect();
        listed.sort_by_key(|(r, _)| *r);
        for &(i, why) in listed.iter().take(MAX_INCOMPLETE_SHOWN) {
            let rule = &rules[i].value;
            let id = &rule.id.value;
            let message = match why {
                GaveUp::Build => format!(
                    "could not check whether rule '{id}' can ever match (H041) or is shadowed (H040): its condition expands to more than the analysis handles"
                ),
                GaveUp::Keep => format!(
                    "could not check whether rule '{id}' is shadowed (H040), nor whether it shadows later rules: its condition is too large to keep for the comparison"
                ),
                GaveUp::KeepTotal => format!(
                    "could not check whether rule '{id}' is shadowed (H040), nor whether it shadows later rules: the rules before it already fill what the analysis keeps"
                ),
                GaveUp::Shadow => format!(
                    "could not check whether rule '{id}' is shadowed (H040): the earlier rules split its tickets into more cases than the analysis handles"
                ),
            };
            out.push(
                Diagnostic::new(Code::H049, rule.id.span, message)
                    .label("not checked")
                    .help(help),
            );
        }
        if listed.len() > MAX_INCOMPLETE_SHOWN {
            let rest = &listed[MAX_INCOMPLETE_SHOWN..];
            let names: Vec<String> = rest
                .iter()
                .take(5)
                .map(|(i, _)| format!("'{}'", rules[*i].value.id.value))
                .collect();
            let more = if rest.len() > names.len() {
                ", …"
            } else {
                ""
            };
            out.push(
                Diagnostic::new(
                    Code::H049,
                    rules[rest[0].0].value.id.span,
                    format!(
                        "{} more rules were not fully checked for H040/H041: {}{more}",
                        rest.len(),
                        names.join(", ")
                    ),
                )
                .label("not checked")
                .help(help),
            );
        }
        if let Some((i, why)) = self.budget {
            let id = &rules[i].value.id.value;
            let unchecked = rules.len() - i;
            let checks = match why {
                GaveUp::Build => "whether rules can ever match (H041) or are shadowed (H040)",
                _ => "for shadowed rules (H040)",
            };
            out.push(
                Diagnostic::new(
                    Code::H049,
                    rules[i].value.id.span,
                    format!(
                        "stopped checking {checks} at rule '{id}': the analysis used up its work budget, so {unchecked} {} from here on {} not checked",
                        if unchecked == 1 { "rule" } else { "rules" },
                        if unchecked == 1 { "was" } else { "were" },
                    ),
                )
                .label("checks stop here")
                .help(help),
            );
        }
    }
}

fn is_terminal(rule: &Rule) -> bool {
    !rule.continue_.as_ref().is_some_and(|c| c.value)
}

fn list<T: std::fmt::Display>(items: &[T]) -> String {
    items
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

// ---------------------------------------------------------------------------------------------
// H041 never matches

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum EmptyList {
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

fn never_matches(
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
                    "{} and {} cannot both hold",
                    describe(parts[i].0),
                    describe(parts[j].0)
                );
                return Some((parts[i].1, label, Some(parts[j].1)));
            }
        }
    }
    None
}

fn number(field: &NumField, at_least: Option<f64>, below: Option<f64>) -> String {
    let name = field.name();
    match (at_least, below) {
        (None, Some(b)) => format!("{name} below {b}"),
        (Some(a), None) => format!("{name} at least {a}"),
        (Some(a), Some(b)) => format!("{name} at least {a} and below {b}"),
        (None, None) => format!("{name} (any value)"),
    }
}

/// A condition in words, e.g. `confidence below 0.8`.
fn describe(c: &Cond) -> String {
    match c {
        Cond::Number {
            field,
            below,
            at_least,
        } => number(field, *at_least, *below),
        Cond::Label { field, in_, not_in } => {
            let name = field.name();
            match (in_, not_in.is_empty()) {
                (Some(set), true) => format!("{name} in [{}]", list(set)),
                (None, _) => format!("{name} not in [{}]", list(not_in)),
                (Some(set), false) => {
                    format!("{name} in [{}] and not in [{}]", list(set), list(not_in))
                }
            }
        }
        Cond::Keywords { any, all, none } => {
            let mut tests = Vec::new();
            if let Some(any) = any {
                tests.push(format!("any [{}]", list(any)));
            }
            if !all.is_empty() {
                tests.push(format!("all [{}]", list(all)));
            }
            if !none.is_empty() {
                tests.push(format!("none [{}]", list(none)));
            }
            format!("keywords {}", tests.join(" and "))
        }
        Cond::RequestedHuman(value) => format!("requested_human: {value}"),
        Cond::Matches { field, regex } => format!("{field} matches /{}/", regex.as_str()),
        Cond::Not(inner) => format!("not ({})", describe(inner)),
        Cond::All(parts) if parts.is_empty() => "`all: []`".to_string(),
        Cond::Any(parts) if parts.is_empty() => "`any: []`".to_string(),
        Cond::All(parts) => format!("all of {} conditions", parts.len()),
        Cond::Any(parts) => format!("any of {} conditions", parts.len()),
    }
}

/// Why a condition that is never true on its own is never true.
fn reason(ctx: &Ctx, c: &Cond) -> String {
    match c {
        Cond::Number {
            field,
            below,
            at_least,
        } => match (at_least, below) {
            (Some(a), Some(b)) if a >= b => {
                format!(
                    "{} below {b} and at least {a} cannot both hold",
                    field.name()
                )
            }
            _ => {
                let test = number(field, *at_least, *below);
                let test = test
                    .strip_prefix(field.name())
                    .unwrap_or(&test)
                    .trim_start();
                match field {
                    NumField::Confidence => {
                        format!("confidence is never {test} (it ranges from 0 to 1)")
                    }
                    NumField::Sentiment => {
                        format!("sentiment is never {test} (it ranges from -1 to 1)")
                    }
                    NumField::Extra(name) => format!("{name} is never {test}"),
                }
            }
        },
        Cond::Label { field, in_, not_in } => {
            let name = field.name();
            let priority = *field == LabelField::Canonical(Label::Priority);
            match in_ {
                Some(set) if set.is_empty() => format!("no {name} value can pass this test"),
                Some(set) if set.iter().all(|l| not_in.contains(l)) => format!(
                    "{name} in [{}] and not in [{}] cannot both hold",
                    list(set),
                    list(not_in)
                ),
                Some(set) if priority => format!(
                    "no priority in [{}] is declared (priorities: {})",
                    list(set),
                    list(&ctx.priorities)
                ),
                None if priority => format!(
                    "not_in excludes every declared priority ({})",
                    list(&ctx.priorities)
                ),
                _ => format!("{} can never be true", describe(c)),
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
                format!("{} can never be true", describe(c))
            }
        }
        Cond::Any(parts) if parts.is_empty() => EmptyList::Conditions.label().to_string(),
        Cond::Any(_) => "no branch of this `any` can be true".to_string(),
        other => format!("{} can never be true", describe(other)),
    }
}

// ---------------------------------------------------------------------------------------------
// H040 shadowed rule

/// H040 within the work the analysis has left; when it runs out, later rules go unchecked
/// (and H049 says so).
fn shadowed(
    ctx: &Ctx,
    analysis: &mut Analysis,
    regions: &[Option<Region>],
    skip: &[bool],
    incomplete: &mut Incomplete,
    out: &mut Vec<Diagnostic>,
) {
    let rules = &ctx.policy.rules;
    // Earlier rules without `continue`, and their ticket sets.
    let mut deciders: Vec<usize> = Vec::new();
    let mut decider_regions: Vec<&Region> = Vec::new();
    for (j, rule) in rules.iter().enumerate() {
        let Some(target) = regions[j].as_ref() else {
            continue;
        };
        if target.is_empty() {
            continue;
        }
        if !skip[j] && !deciders.is_empty() {
            match analysis.cover(target, &decider_regions) {
                Ok(Some(used)) if !used.is_empty() => {
                    let by: Vec<&Rule> = used.iter().map(|&k| &rules[deciders[k]].value).collect();
                    out.push(shadow_diagnostic(rule, &by));
                }
                Ok(_) | Err(GiveUp::Unsupported) => {}
                Err(GiveUp::TooLarge) => incomplete.rule(j, GaveUp::Shadow),
                Err(GiveUp::Budget) => {
                    incomplete.budget(j, GaveUp::Shadow);
                    return;
                }
            }
        }
        if is_terminal(rule) {
            deciders.push(j);
            decider_regions.push(target);
        }
    }
}

fn shadow_diagnostic(rule: &Rule, by: &[&Rule]) -> Diagnostic {
    let names: Vec<String> = by.iter().map(|r| format!("'{}'", r.id.value)).collect();
    let names_list = names.join(", ");
    let (message, label, help) = if by.len() == 1 {
        (
            format!(
                "rule '{}' is shadowed by earlier rule {names_list}",
                rule.id.value
            ),
            format!("{names_list} matches every ticket this rule matches"),
            format!("move it above {names_list}, or narrow the earlier rule"),
        )
    } else {
        (
            format!(
                "rule '{}' is shadowed by earlier rules {names_list}",
                rule.id.value
            ),
            format!("{names_list} together match every ticket this rule matches"),
            format!("move it above {}, or narrow the earlier rules", names[0]),
        )
    };
    let mut d = Diagnostic::new(Code::H040, rule.id.span, message)
        .label(label)
        .help(help);
    for r in by {
        d = d.related(r.id.span, "matches these tickets first");
    }
    d
}

// ---------------------------------------------------------------------------------------------
// H042 conflicting keyword, H043 overlapping keyword

/// A keyword a rule looks for (in `any`/`all`, or in `none` under an odd number of `not`s).
struct Occurrence {
    rule: usize,
    keyword: Keyword,
    span: Span,
}

fn keyword_occurrences(rules: &[Spanned<Rule>]) -> Vec<Occurrence> {
    fn walk(c: &Spanned<Condition>, negated: bool, rule: usize, out: &mut Vec<Occurrence>) {
        if let Some(k) = &c.keywords {
            for (words, wanted) in [(&k.any, !negated), (&k.all, !negated), (&k.none, negated)] {
                for raw in words.iter().flatten().filter(|_| wanted) {
                    if let Some(keyword) = Keyword::parse(&raw.value) {
                        out.push(Occurrence {
                            rule,
                            keyword,
                            span: raw.span,
                        });
                    }
                }
            }
        }
        for child in c.all.iter().flatten().chain(c.any.iter().flatten()) {
            walk(child, negated, rule, out);
        }
        if let Some(not) = &c.not {
            walk(not, !negated, rule, out);
        }
    }
    let mut out = Vec::new();
    for (i, rule) in rules.iter().enumerate() {
        walk(&rule.when, false, i, &mut out);
    }
    out
}

/// Whether some ticket containing `keyword` matches both rules (`true` when the analysis cannot
/// tell: a possible conflict is still worth a warning).
fn can_match_together(
    ctx: &Ctx,
    analysis: &mut Analysis,
    left: &mut u64,
    (a, b): (usize, usize),
    keyword: &Keyword,
) -> bool {
    let (Some(Some(ca)), Some(Some(cb))) = (ctx.conditions.get(a), ctx.conditions.get(b)) else {
        return true;
    };
    let allowance = RULE_BUDGET.min(*left);
    analysis.set_budget(allowance);
    let with_keyword = Cond::Keywords {
        any: Some(vec![keyword.clone()]),
        all: Vec::new(),
        none: Vec::new(),
    };
    let both = Cond::All(vec![ca.clone(), cb.clone(), with_keyword]);
    let result = analysis.truth(&both);
    *left -= allowance - analysis.budget_left();
    !matches!(result, Ok(region) if region.is_empty())
}

fn conflicting_keywords(
    ctx: &Ctx,
    analysis: &mut Analysis,
    occurrences: &[Occurrence],
    out: &mut Vec<Diagnostic>,
) {
    let rules = &ctx.policy.rules;
    let mut left = CONFLICT_BUDGET;
    // Occurrences of each keyword per route (the first few), in order of appearance.
    let mut seen: HashMap<&Keyword, Vec<(&str, &Occurrence)>> = HashMap::new();
    let mut reported: HashSet<(usize, &Keyword)> = HashSet::new();
    for occ in occurrences {
        let route = rules[occ.rule].route.value.as_str();
        let earlier = seen.entry(&occ.keyword).or_default();
        // The first earlier rule with another route that a ticket with the keyword can match
        // together with this one: rules that exclude each other (`in` / `not_in` the same
        // label) do not conflict, whatever their keywords.
        let conflict = earlier.iter().find(|(r, first)| {
            *r != route
                && first.rule != occ.rule
                && can_match_together(
                    ctx,
                    analysis,
                    &mut left,
                    (first.rule, occ.rule),
                    &occ.keyword,
                )
        });
        if let Some(&(other_route, first)) = conflict {
            if reported.insert((occ.rule, &occ.keyword)) {
                let (id, other_id) = (&rules[occ.rule].id.value, &rules[first.rule].id.value);
                let kw = &occ.keyword;
                out.push(
                    Diagnostic::new(
                        Code::H042,
                        occ.span,
                        format!(
                            "keyword '{kw}' routes to {route} in rule '{id}' but to {other_route} in rule '{other_id}'"
                        ),
                    )
                    .label(format!("routes to {route}"))
                    .related(
                        first.span,
                        format!("routes to {other_route} in rule '{other_id}'"),
                    )
                    .help("keep each keyword in one rule, or add conditions that tell the rules apart"),
                );
            }
        }
        let same_route = earlier.iter().filter(|(r, _)| *r == route).count();
        if same_route < KEPT_PER_ROUTE && !earlier.iter().any(|(_, o)| o.rule == occ.rule) {
            earlier.push((route, occ));
        }
    }
}

fn overlapping_keywords(
    rules: &[Spanned<Rule>],
    occurrences: &[Occurrence],
    out: &mut Vec<Diagnostic>,
) {
    // Each prefix keyword's stem → its first occurrences in up to two different rules.
    let mut prefixes: HashMap<&str, Vec<&Occurrence>> = HashMap::new();
    for occ in occurrences.iter().filter(|o| o.keyword.prefix) {
        let firsts = prefixes.entry(occ.keyword.text.as_str()).or_default();
        if firsts.len() < 2 && firsts.iter().all(|o| o.rule != occ.rule) {
            firsts.push(occ);
        }
    }
    let stems: Vec<&str> = prefixes.keys().copied().collect();
    let finder = StemFinder::new(&stems);
    let mut reported: HashSet<(usize, &Keyword)> = HashSet::new();
    for occ in occurrences {
        let kw = &occ.keyword;
        let mut cover: Option<&Occurrence> = None;
        finder.each_in(kw, |pattern, _| {
            let stem = stems[pattern];
            if kw.prefix && stem == kw.text {
                return;
            }
            let candidate = prefixes
                .get(stem)
                .and_then(|firsts| firsts.iter().find(|o| o.rule != occ.rule));
            if let Some(candidate) = candidate {
                if cover.is_none_or(|c| (candidate.rule, candidate.span) < (c.rule, c.span)) {
                    cover = Some(candidate);
                }
            }
        });
        let Some(cover) = cover else { continue };
        if !reported.insert((occ.rule, kw)) {
            continue;
        }
        let (id, cover_id) = (&rules[occ.rule].id.value, &rules[cover.rule].id.value);
        let by = &cover.keyword;
        out.push(
            Diagnostic::new(
                Code::H043,
                occ.span,
                format!("keyword '{kw}' in rule '{id}' is covered by '{by}' in rule '{cover_id}'"),
            )
            .label(format!("already matched by '{by}'"))
            .related(
                cover.span,
                format!("'{by}' matches every word starting with '{}'", by.text),
            )
            .help(format!(
                "if the overlap is intended, say so with `# handoff: allow H043 -- <reason>`; otherwise list the words '{by}' should match"
            )),
        );
    }
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use super::*;
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
        let rules =
            "  - { id: cancellation, when: { keywords: { any: [cancellation] } }, route: L2 }
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
                "H041 3:40 rule 'swapped' can never match | confidence below 0.5 and at least 0.7 cannot both hold",
                "H041 5:63 rule 'split' can never match | confidence below 0.6 and confidence at least 0.7 cannot both hold",
                "H041 7:40 rule 'tier' can never match | customer_tier in [free] and not in [free] cannot both hold",
                "H041 8:39 rule 'critical' can never match | no priority in [critical] is declared (priorities: urgent, high, normal, low)",
                "H041 9:35 rule 'card' can never match | text with 'credit card' always contains 'card', which `none` excludes",
                "H041 10:41 rule 'negative' can never match | confidence is never below 0 (it ranges from 0 to 1)",
                "H041 12:52 rule 'human' can never match | requested_human: true and not (requested_human: true) cannot both hold",
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
}
