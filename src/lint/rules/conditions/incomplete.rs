//! H049 analysis incomplete: the rules whose H040 or H041 the analysis could not decide (a
//! condition too large, the work budget used up), so that silence never means "checked and
//! clean".

use crate::diag::Diagnostic;
use crate::diag::registry::Code;
use crate::policy::model::Rule;
use crate::policy::spanned::Spanned;

/// Where the semantic analysis gave up on a rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum GaveUp {
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
pub(super) struct Incomplete {
    rules: Vec<(usize, GaveUp)>,
    /// The first rule at which the work budget ran out, and in which phase.
    budget: Option<(usize, GaveUp)>,
}

impl Incomplete {
    pub(super) fn rule(&mut self, rule: usize, why: GaveUp) {
        if !self.rules.iter().any(|(r, _)| *r == rule) {
            self.rules.push((rule, why));
        }
    }

    pub(super) fn budget(&mut self, rule: usize, why: GaveUp) {
        if self.budget.is_none() {
            self.budget = Some((rule, why));
        }
    }

    pub(super) fn report(self, rules: &[Spanned<Rule>], out: &mut Vec<Diagnostic>) {
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
