//! H040 shadowed rule: a rule every ticket of which earlier rules without `continue` already
//! decide, proved by covering its ticket set with theirs.

use super::Ctx;
use super::incomplete::{GaveUp, Incomplete};
use crate::diag::Diagnostic;
use crate::diag::registry::Code;
use crate::lint::semantics::{Analysis, GiveUp, Region};
use crate::policy::model::Rule;

/// H040 within the work the analysis has left; when it runs out, later rules go unchecked
/// (and H049 says so).
pub(super) fn shadowed(
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

fn is_terminal(rule: &Rule) -> bool {
    !rule.continue_.as_ref().is_some_and(|c| c.value)
}
