//! H010 routes to undefined tiers, H012 duplicate rule ids.

use std::collections::HashMap;

use super::Ctx;
use crate::diag::Diagnostic;
use crate::diag::registry::Code;
use crate::policy::load::did_you_mean;
use crate::policy::{AI, Spanned};

pub fn check(ctx: &Ctx, out: &mut Vec<Diagnostic>) {
    let policy = ctx.policy;
    for rule in &policy.rules {
        let rule = &rule.value;
        undefined_tier(
            ctx,
            &rule.route,
            &format!("rule '{}' routes to", rule.id.value),
            out,
        );
    }
    if let Some(default) = &policy.default {
        undefined_tier(ctx, default, "`default` routes to", out);
    }
    for (name, tier) in policy.tiers.iter() {
        if let Some(closed) = &tier.value.when_closed {
            undefined_tier(
                ctx,
                &closed.value.route,
                &format!("tier '{}' sends tickets when closed to", name.value),
                out,
            );
        }
        if let Some(escalate) = &tier.value.escalate_after {
            undefined_tier(
                ctx,
                &escalate.value.to,
                &format!("tier '{}' escalates to", name.value),
                out,
            );
        }
    }

    let mut first_seen: HashMap<&str, &Spanned<String>> = HashMap::new();
    for rule in &policy.rules {
        let id = &rule.value.id;
        match first_seen.get(id.value.as_str()) {
            Some(first) => out.push(
                Diagnostic::new(
                    Code::H012,
                    id.span,
                    format!("duplicate rule id '{}'", id.value),
                )
                .label("used again here")
                .related(first.span, "first used here")
                .help("give each rule a unique id"),
            ),
            None => {
                first_seen.insert(&id.value, id);
            }
        }
    }
}

fn undefined_tier(ctx: &Ctx, route: &Spanned<String>, what: &str, out: &mut Vec<Diagnostic>) {
    if ctx.is_route(&route.value) {
        return;
    }
    let mut candidates = ctx.policy.tier_names();
    candidates.push(AI);
    let diagnostic = Diagnostic::new(
        Code::H010,
        route.span,
        format!("{what} undefined tier '{}'", route.value),
    )
    .label("no such tier");
    out.push(match did_you_mean(&route.value, &candidates) {
        Some(best) => diagnostic.help(format!("did you mean '{best}'?")),
        None => diagnostic.help(format!("defined tiers: {}", candidates.join(", "))),
    });
}
