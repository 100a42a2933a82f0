//! `handoff rules [RULE]`: the lint rule registry.

use std::io::Write;

use anyhow::{Context, bail};

use super::Exit;
use crate::diag::registry::{Code, RULES, RuleInfo, capitalize, rules_markdown};
use crate::policy::load::did_you_mean;

#[derive(Debug, clap::Args)]
pub struct RulesArgs {
    /// A rule code (H040) or name (shadowed-rule) to explain
    #[arg(value_name = "RULE")]
    pub rule: Option<String>,
    /// Output format
    #[arg(long, value_enum, default_value_t = RulesFormat::Text)]
    pub format: RulesFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum RulesFormat {
    Text,
    /// The reference page docs/rules.md
    Markdown,
}

fn indent(text: &str) -> String {
    text.lines().map(|l| format!("    {l}\n")).collect()
}

fn explain(rule: &RuleInfo) -> String {
    format!(
        "{code} {name} ({severity})\n\n{summary}.\n\nWhy: {why}\n\nExample:\n{example}\nInstead:\n{fix}",
        code = rule.code,
        name = rule.name,
        severity = rule.severity,
        summary = capitalize(rule.summary),
        why = rule.why,
        example = indent(rule.example),
        fix = indent(rule.fix),
    )
}

pub fn run(args: RulesArgs) -> anyhow::Result<Exit> {
    let text = match (&args.rule, args.format) {
        (None, RulesFormat::Markdown) => rules_markdown(),
        (None, RulesFormat::Text) => {
            let mut text = String::new();
            for rule in RULES {
                text.push_str(&format!(
                    "{}  {:<31} {:<8} {}\n",
                    rule.code, rule.name, rule.severity, rule.summary
                ));
            }
            text.push_str("\nExplain one rule: handoff rules H040\n");
            text
        }
        (Some(wanted), _) => match Code::lookup(wanted) {
            Some(code) => explain(code.info()),
            None => {
                let names: Vec<&str> = RULES.iter().map(|r| r.name).collect();
                match did_you_mean(wanted, &names) {
                    Some(best) => bail!("unknown rule `{wanted}`; did you mean `{best}`?"),
                    None => bail!("unknown rule `{wanted}`; run `handoff rules` for the list"),
                }
            }
        },
    };
    let mut out = super::io::stdout();
    out.write_all(text.as_bytes())
        .and_then(|()| out.flush())
        .context("cannot write")?;
    Ok(Exit::Ok)
}
