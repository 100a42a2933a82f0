//! What rule conditions mean together: H040 shadowed rule and H041 never matches (both proved
//! on exact ticket sets, see [`crate::lint::semantics`]), H042 conflicting keyword and H043
//! overlapping keyword (comparisons of the keywords rules list), and H049 where the analysis
//! could not decide.
//!
//! `check` builds every rule's ticket set once and hands it to the families, one file each:
//! `never_matches.rs` (H041), `shadowed.rs` (H040), `keywords.rs` (H042, H043) and
//! `incomplete.rs` (H049). Messages quote conditions with [`crate::policy::describe`], as the
//! policy writes them.

use super::Ctx;
use crate::diag::Diagnostic;
use crate::lint::semantics::{Analysis, GiveUp, Region};

mod incomplete;
mod keywords;
mod never_matches;
mod shadowed;
#[cfg(test)]
mod tests;

use incomplete::{GaveUp, Incomplete};
use keywords::{conflicting_keywords, keyword_occurrences, overlapping_keywords};
use never_matches::never_matches;
use shadowed::shadowed;

/// Work allowed to build and explain the ticket sets of all rules, and of one rule.
const BUILD_BUDGET: u64 = 20_000_000;
const RULE_BUDGET: u64 = 1_000_000;

/// Work allowed for H040 over the whole policy; past it H040 stops silently.
const SHADOW_BUDGET: u64 = 20_000_000;

/// Ticket sets kept for H040: at most this many cells each, and in all (bounds memory).
const MAX_RULE_CELLS: usize = 2_000;
const MAX_KEPT_CELLS: usize = 200_000;

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
