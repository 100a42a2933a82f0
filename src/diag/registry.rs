//! The rule registry: one table of every rule's code, name, default severity and
//! documentation. `handoff rules`, `docs/rules.md` and SARIF rule metadata all read it.

use std::fmt;

use strum::{EnumIter, IntoEnumIterator};

use super::severity::Severity;

#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    EnumIter,
    strum::Display,
    strum::EnumString,
)]
pub enum Code {
    H001,
    H002,
    H003,
    H004,
    H010,
    H011,
    H012,
    H020,
    H021,
    H022,
    H030,
    H031,
    H032,
    H033,
    H034,
    H035,
    H040,
    H041,
    H042,
    H043,
    H049,
    H050,
    H051,
    H052,
    H053,
    H054,
    H060,
    H061,
    H090,
    H091,
}

/// A rule's documentation.
#[derive(Debug, Clone, Copy)]
pub struct RuleInfo {
    pub code: Code,
    /// kebab-case name.
    pub name: &'static str,
    pub severity: Severity,
    /// One line: what the rule finds.
    pub summary: &'static str,
    /// Why it matters.
    pub why: &'static str,
    /// A policy fragment that triggers the rule.
    pub example: &'static str,
    /// The same fragment fixed.
    pub fix: &'static str,
}

impl fmt::Display for RuleInfo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.code, self.name)
    }
}

impl Code {
    pub fn info(self) -> &'static RuleInfo {
        // The table is in code order and a test checks that every code has its entry.
        RULES.iter().find(|r| r.code == self).unwrap_or(&RULES[0])
    }

    /// Findings with these codes mean the file could not become a policy: they are always
    /// errors, cannot be ignored and make every command exit 2.
    pub fn is_fatal(self) -> bool {
        matches!(self, Code::H001 | Code::H002)
    }

    pub fn all() -> impl Iterator<Item = Code> {
        Code::iter()
    }

    /// Look a rule up by code (`H040`, `h040`) or name (`shadowed-rule`).
    pub fn lookup(text: &str) -> Option<Code> {
        let text = text.trim();
        Code::all().find(|c| {
            c.to_string().eq_ignore_ascii_case(text) || c.info().name.eq_ignore_ascii_case(text)
        })
    }
}

use Severity::{Error, Info, Warning};

pub static RULES: &[RuleInfo] = &[
    RuleInfo {
        code: Code::H001,
        name: "yaml-syntax",
        severity: Error,
        summary: "the file is not readable YAML",
        why: "A file that is not YAML (a syntax error, tabs used for indentation, invalid UTF-8, an empty file, nesting or alias expansion beyond the loader's limits) cannot become a policy, so nothing else can be checked. Every command refuses it with exit code 2.",
        example: "rules:\n  - id: legal\n    when: { keywords: { any: [legal }\n",
        fix: "rules:\n  - id: legal\n    when: { keywords: { any: [legal] } }\n",
    },
    RuleInfo {
        code: Code::H002,
        name: "invalid-structure",
        severity: Error,
        summary: "unknown field, wrong type, missing field or duplicate key",
        why: "A misspelt key is not ignored: `escalate_afer` would silently switch time-based escalation off. handoff refuses unknown keys (and says which one you meant), values of the wrong type, missing required fields and keys given twice. The file cannot become a policy, so commands exit 2.",
        example: "tiers:\n  L1:\n    ownr: support-l1\n",
        fix: "tiers:\n  L1:\n    owner: support-l1\n",
    },
    RuleInfo {
        code: Code::H003,
        name: "invalid-value",
        severity: Error,
        summary: "a value outside its domain: threshold, duration, time range, time zone, date, label",
        why: "Confidence is 0–1 and sentiment −1..1; durations need a unit; time ranges must end after they start; time zones are IANA names; holidays are dates; priorities must be declared in `priorities`; regular expressions must compile. A value outside its domain makes a rule or an SLA clock meaningless.",
        example: "calendar:\n  timezone: Europe/Berlinn\n  hours: { mon-fri: \"18:00-09:00\" }\n",
        fix: "calendar:\n  timezone: Europe/Berlin\n  hours: { mon-fri: \"09:00-18:00\" }\n",
    },
    RuleInfo {
        code: Code::H004,
        name: "percent-threshold",
        severity: Error,
        summary: "a confidence threshold written as a percent (`80`) where 0–1 is expected",
        why: "Confidence is a fraction between 0 and 1. `below: 80` is true for every ticket, so the rule would escalate everything; the author almost certainly meant `0.80`.",
        example: "when: { confidence: { below: 80 } }\n",
        fix: "when: { confidence: { below: 0.80 } }\n",
    },
    RuleInfo {
        code: Code::H010,
        name: "undefined-tier",
        severity: Error,
        summary: "a rule, `default` or `escalate_after.to` routes to a tier that is not defined",
        why: "A ticket routed to a tier that does not exist has no owner, no queue and no SLA: it is lost at the moment it most needs a human.",
        example: "rules:\n  - id: legal-risk\n    when: { keywords: { any: [lawsuit] } }\n    route: L4\n",
        fix: "rules:\n  - id: legal-risk\n    when: { keywords: { any: [lawsuit] } }\n    route: L3\n",
    },
    RuleInfo {
        code: Code::H011,
        name: "undefined-party",
        severity: Error,
        summary: "an owner or RACI party that no team or person defines",
        why: "Owners and RACI parties must be teams declared under `teams` or people listed as a team member or lead. An unknown name is usually a typo, and the handoff would go to nobody.",
        example: "tiers:\n  L1:\n    owner: suport-l1\n",
        fix: "tiers:\n  L1:\n    owner: support-l1\n",
    },
    RuleInfo {
        code: Code::H012,
        name: "duplicate-rule-id",
        severity: Error,
        summary: "two rules share an id",
        why: "Rule ids name rules in reports, decisions, policy tests and suppressions. Two rules with one id make every one of those ambiguous.",
        example: "rules:\n  - id: low-confidence\n    ...\n  - id: low-confidence\n    ...\n",
        fix: "rules:\n  - id: low-confidence\n    ...\n  - id: very-low-confidence\n    ...\n",
    },
    RuleInfo {
        code: Code::H020,
        name: "accountable-count",
        severity: Error,
        summary: "a tier whose RACI does not have exactly one Accountable",
        why: "RACI's rule is one Accountable per stage: with none, nobody answers for the escalated ticket; with several, everybody assumes somebody else does.",
        example: "raci: { responsible: [support-l1], accountable: [dana, gus] }\n",
        fix: "raci: { responsible: [support-l1], accountable: dana, consulted: [gus] }\n",
    },
    RuleInfo {
        code: Code::H021,
        name: "no-responsible",
        severity: Error,
        summary: "a tier whose RACI has no Responsible party",
        why: "The Responsible party does the work. A tier without one receives tickets that no one is expected to answer.",
        example: "raci: { responsible: [], accountable: dana }\n",
        fix: "raci: { responsible: [support-l1], accountable: dana }\n",
    },
    RuleInfo {
        code: Code::H022,
        name: "owner-not-responsible",
        severity: Warning,
        summary: "a tier's owner is not among its Responsible parties",
        why: "The owner's queue receives the tier's tickets. If the owner is not Responsible in the RACI, the people who see the ticket and the people expected to work it differ.",
        example: "L2:\n  owner: billing-l2\n  raci: { responsible: [support-l1], accountable: gus }\n",
        fix: "L2:\n  owner: billing-l2\n  raci: { responsible: [billing-l2], accountable: gus }\n",
    },
    RuleInfo {
        code: Code::H030,
        name: "no-reactive-path",
        severity: Warning,
        summary: "no rule reads `requested_human` or is declared `kind: reactive`: a customer who asks for a person is not heard",
        why: "Customers who explicitly ask for a human and stay with the bot are the classic source of escalation complaints. A policy should route `requested_human: true` somewhere, even if only to L1 with `continue: true`. A rule declared `kind: reactive` (say, one that listens for \"talk to a person\" in the text) counts as a reactive path too.",
        example: "rules:\n  - id: low-confidence\n    when: { confidence: { below: 0.8 } }\n    route: L1\n",
        fix: "rules:\n  - id: asks-for-human\n    kind: reactive\n    when: { requested_human: true }\n    route: L1\n    continue: true\n  - id: low-confidence\n    when: { confidence: { below: 0.8 } }\n    route: L1\n",
    },
    RuleInfo {
        code: Code::H031,
        name: "missing-sla-target",
        severity: Error,
        summary: "a tier that can receive a priority has no SLA target for it",
        why: "Every ticket a tier can receive needs a first-response and resolution target, or SLA attainment for those tickets cannot be measured and nobody knows how fast to answer. Add the priority (or a `default` entry) to the tier's `sla`.",
        example: "L2:\n  sla:\n    urgent: { first_response: 15m, resolution: 4h }\n",
        fix: "L2:\n  sla:\n    urgent:  { first_response: 15m, resolution: 4h }\n    default: { first_response: 4h,  resolution: 2bd }\n",
    },
    RuleInfo {
        code: Code::H032,
        name: "unreachable-tier",
        severity: Warning,
        summary: "a tier that no rule, no `default` and no `escalate_after` routes to",
        why: "A tier nothing routes to never receives a ticket: either a rule is missing or the tier is dead configuration that misleads readers.",
        example: "tiers: { L1: ..., L2: ..., L3: ... }\nrules:\n  - { id: any-doubt, when: { confidence: { below: 0.8 } }, route: L1 }\n",
        fix: "rules:\n  - { id: any-doubt, when: { confidence: { below: 0.8 } }, route: L1 }\n  - { id: legal, when: { keywords: { any: [lawsuit] } }, route: L3 }\n# and L1 escalate_after ... to: L2\n",
    },
    RuleInfo {
        code: Code::H033,
        name: "no-default",
        severity: Warning,
        summary: "no `default` route is declared",
        why: "Tickets that match no rule stay with the AI (`ai`). That is usually intended, but it should be written down so a reader sees it and a change to it shows in review.",
        example: "rules: [...]\n",
        fix: "rules: [...]\ndefault: ai\n",
    },
    RuleInfo {
        code: Code::H034,
        name: "risky-rule-too-loose",
        severity: Warning,
        summary: "a high-risk rule has a looser confidence threshold than a low-risk rule, or routes to the lowest tier",
        why: "High-risk work (legal, security, large refunds) should reach a human more readily than routine work, and reach someone senior. A `risk: high` rule that escalates only below a lower confidence than a routine rule, or that routes to the lowest tier, inverts that.",
        example: "- { id: refund-large, risk: high, when: { confidence: { below: 0.5 } }, route: L2 }\n- { id: routine, when: { confidence: { below: 0.8 } }, route: L1 }\n",
        fix: "- { id: refund-large, risk: high, when: { confidence: { below: 0.95 } }, route: L2 }\n- { id: routine, when: { confidence: { below: 0.8 } }, route: L1 }\n",
    },
    RuleInfo {
        code: Code::H035,
        name: "no-required-context",
        severity: Warning,
        summary: "`context.required` is empty or missing: handoffs would carry no context",
        why: "A human who receives a ticket without the conversation, the customer record or the AI's summary starts from zero and asks the customer to repeat themselves. Declare what every handoff must carry; replay then measures how often it does.",
        example: "# no context section\n",
        fix: "context:\n  required: [conversation, customer_record, ai_summary]\n",
    },
    RuleInfo {
        code: Code::H040,
        name: "shadowed-rule",
        severity: Warning,
        summary: "earlier non-`continue` rules together match every ticket this rule matches",
        why: "Rules are tried in order and the first matching rule without `continue` decides. If earlier rules already match every ticket a later rule could match, the later rule never decides anything, and its route, priority and risk are dead. The check is semantic (numeric intervals, label sets, keyword sets, `all`/`any`/`not` with three-valued logic), and it reports only what it can prove; regular expressions are treated as opaque.",
        example: "- { id: low-confidence, when: { confidence: { below: 0.8 } }, route: L1 }\n- id: enterprise-unsure\n  when: { all: [ { confidence: { below: 0.6 } }, { customer_tier: { in: [enterprise] } } ] }\n  route: L2\n",
        fix: "- id: enterprise-unsure\n  when: { all: [ { confidence: { below: 0.6 } }, { customer_tier: { in: [enterprise] } } ] }\n  route: L2\n- { id: low-confidence, when: { confidence: { below: 0.8 } }, route: L1 }\n",
    },
    RuleInfo {
        code: Code::H041,
        name: "never-matches",
        severity: Error,
        summary: "a rule whose condition can never be true",
        why: "A contradictory condition (`below: 0.5` with `at_least: 0.7`, a label both required and excluded, an empty keyword list) makes a rule that never fires, usually because of a typo in a threshold or a list.",
        example: "when: { confidence: { below: 0.5, at_least: 0.7 } }\n",
        fix: "when: { confidence: { below: 0.7, at_least: 0.5 } }\n",
    },
    RuleInfo {
        code: Code::H042,
        name: "conflicting-keyword",
        severity: Warning,
        summary: "the same keyword appears in rules that route to different tiers",
        why: "When one keyword sends tickets to two tiers, rule order alone decides where a ticket containing it goes, and moving a rule silently changes routing. Keep each keyword in one rule or make the difference explicit with other conditions.",
        example: "- { id: billing, when: { keywords: { any: [refund] } }, route: L1 }\n- { id: disputes, when: { keywords: { any: [refund, chargeback] } }, route: L2 }\n",
        fix: "- { id: billing, when: { keywords: { any: [refund] } }, route: L1 }\n- { id: disputes, when: { keywords: { any: [chargeback] } }, route: L2 }\n",
    },
    RuleInfo {
        code: Code::H043,
        name: "overlapping-keyword",
        severity: Info,
        summary: "a `*` keyword covers another rule's keyword (`cancel*` covers `cancellation`)",
        why: "A prefix keyword matches every word that starts with it, so a more specific keyword in another rule is already matched by it. That may be intended; if it is, say so with a suppression comment.",
        example: "- { id: cancel, when: { keywords: { any: [cancel*] } }, route: L1 }\n- { id: cancellation, when: { keywords: { any: [cancellation] } }, route: L2 }\n",
        fix: "- { id: cancel, when: { keywords: { any: [cancel, cancelled] } }, route: L1 }\n- { id: cancellation, when: { keywords: { any: [cancellation] } }, route: L2 }\n",
    },
    RuleInfo {
        code: Code::H049,
        name: "analysis-incomplete",
        severity: Info,
        summary: "a semantic check (H040 shadowed rule, H041 never matches) gave up on a rule, so its result is unknown",
        why: "H040 and H041 report only what they prove over the condition language. On very large or very fragmented policies the proof can outgrow the analysis's limits (a work budget, and at most 10,000 cases per rule); the check then stops for the rules concerned instead of guessing. This finding names those rules, so that a clean report never hides a check that did not run. It is information, not a failure: simplify or split the rules it names to get a verdict.",
        example: "- { id: unsure, when: { confidence: { below: 0.5 } }, route: L1 }\n# ...200 rules that each overlap part of the next one...\n- { id: sure, when: { confidence: { at_least: 0.5 } }, route: L2 }\n- { id: happy-unsure, when: { confidence: { below: 0.8 }, sentiment: { at_least: 0.9 } }, route: L2 }\n",
        fix: "# move the narrow rule above the many rules that fragment it, or merge them\n- { id: happy-unsure, when: { confidence: { below: 0.8 }, sentiment: { at_least: 0.9 } }, route: L2 }\n- { id: unsure, when: { confidence: { below: 0.5 } }, route: L1 }\n",
    },
    RuleInfo {
        code: Code::H050,
        name: "response-not-before-resolution",
        severity: Error,
        summary: "a first-response target that is not shorter than the resolution target",
        why: "A ticket cannot be resolved before anyone has answered it. A first-response target equal to or longer than the resolution target is a swapped pair or a typo.",
        example: "high: { first_response: 8h, resolution: 1h }\n",
        fix: "high: { first_response: 1h, resolution: 8h }\n",
    },
    RuleInfo {
        code: Code::H051,
        name: "priority-inversion",
        severity: Warning,
        summary: "a more urgent priority has a looser SLA target than a less urgent one",
        why: "Priorities are listed most urgent first. If `urgent` may wait longer than `high`, the ordering of work contradicts the ordering of importance.",
        example: "urgent: { first_response: 2h, resolution: 8h }\nhigh:   { first_response: 1h, resolution: 8h }\n",
        fix: "urgent: { first_response: 15m, resolution: 4h }\nhigh:   { first_response: 1h,  resolution: 8h }\n",
    },
    RuleInfo {
        code: Code::H052,
        name: "no-working-hours",
        severity: Error,
        summary: "a calendar with no working hours, or too few for its targets (a target that needs over a year of calendar time, `bd` on working days under a minute)",
        why: "SLA and escalation clocks run in business time. A calendar without working hours stops every clock: no target can be met or breached. A calendar with almost none does the same in practice: open one second a week, a `4h` target takes 14,400 weeks; and on a calendar whose working day can be a few seconds long, `1bd` means a few seconds of work. handoff reports a target that would take more than 52 weeks of calendar time, and `bd` targets when some working day is shorter than a minute.",
        example: "calendar: { timezone: Europe/Berlin, hours: {} }\n",
        fix: "calendar: { timezone: Europe/Berlin, hours: { mon-fri: \"09:00-18:00\" } }\n",
    },
    RuleInfo {
        code: Code::H053,
        name: "escalation-too-late",
        severity: Warning,
        summary: "an `escalate_after` delay not shorter than the tier's first-response target, or a cycle of hand-offs",
        why: "Time-based escalation exists to act before the first-response target is breached. A delay as long as the target escalates only after the breach (reported once per priority). A cycle (L1 → L2 → L1) passes an unanswered ticket around forever.",
        example: "L1:\n  escalate_after: { no_first_response: 1h, to: L2 }\n  sla:\n    urgent: { first_response: 15m, resolution: 4h }\n",
        fix: "L1:\n  escalate_after: { no_first_response: { urgent: 10m, default: 1h }, to: L2 }\n  sla:\n    urgent: { first_response: 15m, resolution: 4h }\n",
    },
    RuleInfo {
        code: Code::H054,
        name: "closed-without-fallback",
        severity: Warning,
        summary: "a tier whose own calendar is closed at an hour the policy's calendar is open, with no `when_closed` route",
        why: "A tier with its own, shorter hours (a specialist team in one time zone) receives tickets while the rest of support is working. Without `when_closed`, a ticket routed there during those hours waits for the tier to open, and its first-response clock, which runs on the policy's calendar, keeps running. `when_closed` names where such tickets go instead (another tier, or `ai`).",
        example: "L3:\n  calendar: { timezone: Europe/Berlin, hours: { mon-fri: \"10:00-16:00\" } }\n",
        fix: "L3:\n  calendar: { timezone: Europe/Berlin, hours: { mon-fri: \"10:00-16:00\" } }\n  when_closed: { route: L2 }\n",
    },
    RuleInfo {
        code: Code::H060,
        name: "missing-column",
        severity: Error,
        summary: "with `--tickets`: a field the rules read is missing from the data (a warning when only metrics or `context.required` need it)",
        why: "A condition on a field the data lacks is unknown for every ticket, so the rule can never match and replay would quietly under-escalate. Map the column (`--map`), or change the rule. Fields only metrics or `context.required` need make those figures n/a; that is a warning.",
        example: "# tickets.csv has no `confidence` column\n- { id: low-confidence, when: { confidence: { below: 0.8 } }, route: L1 }\n",
        fix: "# mapping.toml\n[columns]\nconfidence = \"AI Score\"\n",
    },
    RuleInfo {
        code: Code::H061,
        name: "rule-matches-no-ticket",
        severity: Warning,
        summary: "with `--tickets`: a rule that matches no ticket of the data, or matches some but is never reached",
        why: "A rule that never fires on real history is either dead (a typo in a keyword, a label the data spells differently, a threshold no ticket reaches) or guards something rare. Check its labels and thresholds against the data before relying on it. A rule whose condition does hold for some tickets but that never decides one is never reached: earlier rules without `continue` take every such ticket first, so move it up or narrow them.",
        example: "- { id: vip, when: { customer_tier: { in: [enterprise] } }, route: L2 }   # the data says `Enterprise Plus`\n",
        fix: "- { id: vip, when: { customer_tier: { in: [enterprise plus] } }, route: L2 }\n",
    },
    RuleInfo {
        code: Code::H090,
        name: "unused-suppression",
        severity: Warning,
        summary: "a `# handoff: allow` comment that silences nothing",
        why: "A suppression that no longer matches a finding is noise that hides the day the finding comes back somewhere else. Remove it.",
        example: "default: ai  # handoff: allow H033 -- kept with the AI on purpose\n",
        fix: "default: ai\n",
    },
    RuleInfo {
        code: Code::H091,
        name: "suppression-without-reason",
        severity: Error,
        summary: "a suppression comment without a reason",
        why: "A silenced finding needs a reason a reviewer can judge: write it after `--`.",
        example: "- cancel*  # handoff: allow H043\n",
        fix: "- cancel*  # handoff: allow H043 -- refunds and cancellations share a queue\n",
    },
];

/// `docs/rules.md`, generated from the registry (a test fails when the committed file drifts).
pub fn rules_markdown() -> String {
    let mut out = String::from(
        "# Lint rules\n\n<!-- generated by `handoff rules --format markdown`; do not edit -->\n\n",
    );
    out.push_str("| code | name | severity | finds |\n|---|---|---|---|\n");
    for rule in RULES {
        out.push_str(&format!(
            "| [{code}](#{lower}) | `{name}` | {sev} | {summary} |\n",
            code = rule.code,
            lower = rule.code.to_string().to_lowercase(),
            name = rule.name,
            sev = rule.severity,
            summary = rule.summary.replace('|', "\\|"),
        ));
    }
    for rule in RULES {
        out.push_str(&format!(
            "\n## {code}\n\n`{name}` · default severity: {sev}\n\n{summary}.\n\n**Why.** {why}\n\n**Example**\n\n```yaml\n{example}```\n\n**Instead**\n\n```yaml\n{fix}```\n",
            code = rule.code,
            name = rule.name,
            sev = rule.severity,
            summary = capitalize(rule.summary),
            why = rule.why,
            example = rule.example,
            fix = rule.fix,
        ));
    }
    out
}

pub fn capitalize(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_has_exactly_one_entry_in_order() {
        let codes: Vec<Code> = RULES.iter().map(|r| r.code).collect();
        assert_eq!(codes, Code::all().collect::<Vec<_>>());
    }

    #[test]
    fn names_are_unique_kebab_case() {
        let mut names: Vec<&str> = RULES.iter().map(|r| r.name).collect();
        assert!(
            names
                .iter()
                .all(|n| n.chars().all(|c| c.is_ascii_lowercase() || c == '-'))
        );
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), RULES.len());
    }

    #[test]
    fn lookup_by_code_or_name() {
        assert_eq!(Code::lookup("h040"), Some(Code::H040));
        assert_eq!(Code::lookup("shadowed-rule"), Some(Code::H040));
        assert_eq!(Code::lookup("H999"), None);
    }
}
