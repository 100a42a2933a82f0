//! H011 undefined owners and parties, H020 one Accountable, H021 a Responsible, H022 owner is
//! Responsible.

use super::Ctx;
use crate::diag::Diagnostic;
use crate::diag::registry::Code;
use crate::policy::Spanned;
use crate::policy::load::did_you_mean;
use crate::policy::model::Parties;

pub fn check(ctx: &Ctx, out: &mut Vec<Diagnostic>) {
    let parties = ctx.policy.parties();
    let known: Vec<&str> = parties.iter().copied().collect();
    let undefined = |name: &Spanned<String>, role: &str, out: &mut Vec<Diagnostic>| {
        if parties.contains(name.value.as_str()) {
            return;
        }
        let d = Diagnostic::new(
            Code::H011,
            name.span,
            format!("{role} '{}' is not a defined team or person", name.value),
        )
        .label("not defined under `teams`");
        out.push(match did_you_mean(&name.value, &known) {
            Some(best) => d.help(format!("did you mean '{best}'?")),
            None => d.help("declare the team under `teams`, or add the person as a member or lead"),
        });
    };

    for (tier_name, tier) in ctx.policy.tiers.iter() {
        let tier_label = &tier_name.value;
        if let Some(owner) = &tier.value.owner {
            undefined(owner, "owner", out);
        }
        let Some(raci) = &tier.value.raci else {
            out.push(
                Diagnostic::new(
                    Code::H020,
                    tier_name.span,
                    format!("tier '{tier_label}' has no RACI, so no Accountable"),
                )
                .help("add `raci: { responsible: [...], accountable: <one party> }`"),
            );
            out.push(
                Diagnostic::new(
                    Code::H021,
                    tier_name.span,
                    format!("tier '{tier_label}' has no RACI, so no Responsible"),
                )
                .help("add `raci: { responsible: [...], accountable: <one party> }`"),
            );
            continue;
        };
        let raci = &raci.value;
        let list =
            |p: &Option<Spanned<Parties>>| p.as_ref().map(Parties::names).unwrap_or_default();
        let (responsible, accountable) = (list(&raci.responsible), list(&raci.accountable));
        for (role, names) in [
            ("responsible party", &responsible),
            ("accountable party", &accountable),
            ("consulted party", &list(&raci.consulted)),
            ("informed party", &list(&raci.informed)),
        ] {
            for name in names {
                undefined(name, role, out);
            }
        }
        match (&raci.accountable, accountable.len()) {
            (_, 1) => {}
            (None, _) => out.push(
                Diagnostic::new(
                    Code::H020,
                    tier_name.span,
                    format!("tier '{tier_label}' has no Accountable"),
                )
                .help("name exactly one accountable party: `accountable: <team or person>`"),
            ),
            (Some(value), n) => out.push(
                Diagnostic::new(
                    Code::H020,
                    value.span,
                    format!("tier '{tier_label}' has {n} Accountable parties"),
                )
                .label("exactly one party must be accountable")
                .help(if n == 0 {
                    "name one accountable party"
                } else {
                    "keep one accountable party; move the others to `consulted`"
                }),
            ),
        }
        if responsible.is_empty() {
            let span = raci.responsible.as_ref().map_or(tier_name.span, |r| r.span);
            out.push(
                Diagnostic::new(
                    Code::H021,
                    span,
                    format!("tier '{tier_label}' has no Responsible party"),
                )
                .help("name who works the tickets: `responsible: [<team>]`"),
            );
        }
        if let Some(owner) = &tier.value.owner {
            if !responsible.is_empty() && !responsible.iter().any(|r| r.value == owner.value) {
                let mut d = Diagnostic::new(
                    Code::H022,
                    owner.span,
                    format!(
                        "owner '{}' of tier '{tier_label}' is not among its Responsible parties",
                        owner.value
                    ),
                )
                .help(format!(
                    "add '{}' to `responsible`, or make a responsible team the owner",
                    owner.value
                ));
                if let Some(r) = &raci.responsible {
                    d = d.related(r.span, "responsible parties");
                }
                out.push(d);
            }
        }
    }
}
