//! H042 conflicting keyword (one keyword sends tickets that both rules can match to two
//! routes) and H043 overlapping keyword (a prefix keyword of another rule already matches it).

use std::collections::{HashMap, HashSet};

use super::{Ctx, RULE_BUDGET};
use crate::diag::registry::Code;
use crate::diag::{Diagnostic, Span};
use crate::lint::semantics::{Analysis, StemFinder};
use crate::policy::condition::{Cond, Keyword};
use crate::policy::model::{Condition, Rule};
use crate::policy::spanned::Spanned;

/// Work allowed for H042 to tell whether two rules can match one ticket; past it, rules are
/// assumed to overlap (a warning too many rather than a conflict missed).
const CONFLICT_BUDGET: u64 = 20_000_000;

/// Occurrences of a keyword kept per route for H042 comparisons.
const KEPT_PER_ROUTE: usize = 8;

/// A keyword a rule looks for (in `any`/`all`, or in `none` under an odd number of `not`s).
pub(super) struct Occurrence {
    rule: usize,
    keyword: Keyword,
    span: Span,
}

pub(super) fn keyword_occurrences(rules: &[Spanned<Rule>]) -> Vec<Occurrence> {
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

pub(super) fn conflicting_keywords(
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

pub(super) fn overlapping_keywords(
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
