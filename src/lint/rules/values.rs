//! H003 invalid values and H004 percent thresholds.

use super::Ctx;
use crate::calendar::duration::parse_duration;
use crate::diag::Diagnostic;
use crate::diag::registry::Code;
use crate::policy::calendar::CalendarProblemKind;
use crate::policy::condition::{Keyword, compile};
use crate::policy::model::{Condition, DurationSpec, LabelSet, Threshold};
use crate::policy::{DEFAULT_PRIORITIES, Spanned};
use crate::text::normalize_label;

pub fn check(ctx: &Ctx, out: &mut Vec<Diagnostic>) {
    let policy = ctx.policy;
    if policy.version.value != 1 {
        out.push(
            Diagnostic::new(
                Code::H003,
                policy.version.span,
                format!("unsupported policy version {}", policy.version.value),
            )
            .label("this handoff reads version 1")
            .help("set `version: 1`"),
        );
    }
    check_priorities(ctx, out);
    for problem in &ctx.calendar_problems {
        if problem.kind == CalendarProblemKind::InvalidValue {
            out.push(
                Diagnostic::new(Code::H003, problem.span, problem.message.clone())
                    .help(problem.help.clone()),
            );
        }
    }
    for (_, tier) in policy.tiers.iter() {
        for (priority, target) in tier.value.sla.iter() {
            priority_key(ctx, priority, out);
            for duration in [&target.value.first_response, &target.value.resolution]
                .into_iter()
                .flatten()
            {
                duration_value(duration, out);
            }
            if target.value.first_response.is_none() && target.value.resolution.is_none() {
                out.push(
                    Diagnostic::new(
                        Code::H003,
                        target.span,
                        format!("SLA target for `{}` sets no time", priority.value),
                    )
                    .help("give `first_response` and/or `resolution`"),
                );
            }
        }
        if let Some(escalate) = &tier.value.escalate_after {
            match &escalate.value.no_first_response.value {
                DurationSpec::One(text) => duration_value(
                    &Spanned::new(text.clone(), escalate.value.no_first_response.span),
                    out,
                ),
                DurationSpec::PerPriority(map) => {
                    for (priority, duration) in map.iter() {
                        priority_key(ctx, priority, out);
                        duration_value(duration, out);
                    }
                }
            }
        }
    }
    if let Some(context) = &policy.context {
        for field in &context.value.required {
            if field.value.trim().is_empty() {
                out.push(Diagnostic::new(
                    Code::H003,
                    field.span,
                    "empty context field name",
                ));
            }
        }
    }
    for rule in &policy.rules {
        let rule = &rule.value;
        if rule.id.value.trim().is_empty() {
            out.push(
                Diagnostic::new(Code::H003, rule.id.span, "rule id is empty")
                    .help("give every rule a short, unique id such as `legal-risk`"),
            );
        } else if rule.id.value.contains(['(', ')']) {
            // Reports name the default route `(default)`; a rule of that name would merge with
            // it, so every name in parentheses is kept for handoff's own use.
            out.push(
                Diagnostic::new(
                    Code::H003,
                    rule.id.span,
                    format!("rule id `{}` is reserved", rule.id.value),
                )
                .label("parentheses are reserved")
                .help("ids with parentheses name what handoff reports itself, such as `(default)` for tickets no rule decides; rename the rule, e.g. `default-route`"),
            );
        }
        if let Some(priority) = &rule.priority {
            priority_value(ctx, priority, out);
        }
        condition(ctx, &rule.when, out);
        if let Err(err) = compile(&rule.when) {
            // Keyword problems are reported by `keywords` below; report the rest here.
            if err.message.starts_with("invalid regular expression") {
                out.push(Diagnostic::new(Code::H003, err.span, err.message).help(
                    "`matches` takes a Rust `regex` pattern (no look-around or back-references)",
                ));
            }
        }
    }
}

fn check_priorities(ctx: &Ctx, out: &mut Vec<Diagnostic>) {
    let policy = ctx.policy;
    if let Some(list) = &policy.priorities {
        if list.value.is_empty() {
            out.push(
                Diagnostic::new(Code::H003, list.span, "`priorities` is empty").help(format!(
                    "list priorities most urgent first, e.g. [{}]",
                    DEFAULT_PRIORITIES.join(", ")
                )),
            );
        }
        let mut seen: Vec<String> = Vec::new();
        for p in &list.value {
            let label = normalize_label(&p.value);
            if label.is_empty() || label == "default" {
                out.push(
                    Diagnostic::new(
                        Code::H003,
                        p.span,
                        format!("`{}` cannot be a priority", p.value),
                    )
                    .help("`default` is reserved for fallback entries in SLA and escalation maps"),
                );
            } else if seen.contains(&label) {
                out.push(Diagnostic::new(
                    Code::H003,
                    p.span,
                    format!("priority `{}` is listed twice", p.value),
                ));
            }
            seen.push(label);
        }
    }
    if let Some(default) = &policy.default_priority {
        priority_value(ctx, default, out);
    }
}

fn unknown_priority(ctx: &Ctx, value: &Spanned<String>) -> Diagnostic {
    Diagnostic::new(
        Code::H003,
        value.span,
        format!("`{}` is not one of the policy's priorities", value.value),
    )
    .label("unknown priority")
    .help(format!("priorities are: {}", ctx.priorities.join(", ")))
}

fn priority_value(ctx: &Ctx, value: &Spanned<String>, out: &mut Vec<Diagnostic>) {
    if !ctx.priorities.contains(&normalize_label(&value.value)) {
        out.push(unknown_priority(ctx, value));
    }
}

/// A key of an SLA or escalation map: a priority or `default`.
fn priority_key(ctx: &Ctx, key: &Spanned<String>, out: &mut Vec<Diagnostic>) {
    let label = normalize_label(&key.value);
    if label != "default" && !ctx.priorities.contains(&label) {
        out.push(unknown_priority(ctx, key).help(format!(
            "use one of: {}, or `default`",
            ctx.priorities.join(", ")
        )));
    }
}

fn duration_value(value: &Spanned<String>, out: &mut Vec<Diagnostic>) {
    if let Err(err) = parse_duration(&value.value) {
        out.push(
            Diagnostic::new(Code::H003, value.span, err.to_string())
                .label("invalid duration")
                .help(err.help()),
        );
    }
}

fn condition(ctx: &Ctx, cond: &Spanned<Condition>, out: &mut Vec<Diagnostic>) {
    let c = &cond.value;
    for sub in c.all.iter().chain(c.any.iter()).flatten() {
        condition(ctx, sub, out);
    }
    if let Some(not) = &c.not {
        condition(ctx, not, out);
    }
    if let Some(t) = &c.confidence {
        threshold(t, "confidence", 0.0, 1.0, true, out);
    }
    if let Some(t) = &c.sentiment {
        threshold(t, "sentiment", -1.0, 1.0, false, out);
    }
    if let Some(k) = &c.keywords {
        if k.value.any.is_none() && k.value.all.is_none() && k.value.none.is_none() {
            out.push(
                Diagnostic::new(Code::H003, k.span, "`keywords` tests nothing")
                    .help("give `any`, `all` or `none`"),
            );
        }
        for word in [&k.value.any, &k.value.all, &k.value.none]
            .into_iter()
            .flatten()
            .flatten()
        {
            if let Some(problem) = keyword_problem(&word.value) {
                out.push(problem.diagnostic(word));
            } else if Keyword::parse(&word.value).is_none() {
                out.push(
                    Diagnostic::new(
                        Code::H003,
                        word.span,
                        format!("`{}` is not a keyword", word.value),
                    )
                    .help(
                        "a keyword is a word or phrase; `*` is allowed only at its end (`cancel*`)",
                    ),
                );
            }
        }
    }
    for (name, set) in [
        ("customer_tier", &c.customer_tier),
        ("channel", &c.channel),
        ("category", &c.category),
        ("priority", &c.priority),
    ] {
        if let Some(set) = set {
            label_set(ctx, name, set, out);
        }
    }
    if let Some(f) = &c.field {
        let test = &f.value;
        if test.name.value.trim().is_empty() {
            out.push(Diagnostic::new(
                Code::H003,
                test.name.span,
                "field name is empty",
            ));
        }
        let tests = [
            test.equals.is_some(),
            test.in_.is_some(),
            test.not_in.is_some(),
            test.matches.is_some(),
            test.below.is_some(),
            test.at_least.is_some(),
        ];
        if !tests.contains(&true) {
            out.push(
                Diagnostic::new(
                    Code::H003,
                    f.span,
                    format!("`field` test on `{}` tests nothing", test.name.value),
                )
                .help("give `equals`, `in`, `not_in`, `matches`, `below` or `at_least`"),
            );
        }
    }
}

fn threshold(
    t: &Spanned<Threshold>,
    name: &str,
    low: f64,
    high: f64,
    percent_possible: bool,
    out: &mut Vec<Diagnostic>,
) {
    if t.value.below.is_none() && t.value.at_least.is_none() {
        out.push(
            Diagnostic::new(
                Code::H003,
                t.span,
                format!("`{name}` test has no threshold"),
            )
            .help("give `below` and/or `at_least`"),
        );
    }
    for (key, value) in [("below", &t.value.below), ("at_least", &t.value.at_least)] {
        let Some(value) = value else { continue };
        let v = value.value;
        if percent_possible && v > 1.0 && v <= 100.0 {
            out.push(
                Diagnostic::new(
                    Code::H004,
                    value.span,
                    format!("{name} threshold `{v}` looks like a percent"),
                )
                .label(format!("{name} is a fraction between 0 and 1"))
                .help(format!("write `{key}: {:.2}`", v / 100.0)),
            );
        } else if !(low..=high).contains(&v) || v.is_nan() {
            out.push(
                Diagnostic::new(
                    Code::H003,
                    value.span,
                    format!("{name} threshold `{v}` is outside {low}..{high}"),
                )
                .label(format!("{name} lies between {low} and {high}")),
            );
        }
    }
}

fn label_set(ctx: &Ctx, name: &str, set: &Spanned<LabelSet>, out: &mut Vec<Diagnostic>) {
    if set.value.in_.is_none() && set.value.not_in.is_none() {
        out.push(
            Diagnostic::new(Code::H003, set.span, format!("`{name}` test has no labels"))
                .help("give `in` and/or `not_in`"),
        );
    }
    if name == "priority" {
        for label in set
            .value
            .in_
            .iter()
            .chain(set.value.not_in.iter())
            .flatten()
        {
            priority_value(ctx, label, out);
        }
    }
}

/// Why a keyword can never match what its author meant.
enum KeywordProblem {
    /// Pattern syntax: keywords are literal text.
    Pattern,
    /// An invisible format character (zero-width space, soft hyphen, direction marks…).
    Invisible(char),
    /// A control character (tab, newline…).
    Control(char),
}

/// Format characters (Unicode category Cf) that are invisible in an editor. The zero-width
/// joiner and non-joiner are allowed inside a keyword: Persian, Indic scripts and emoji use them
/// within words.
fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{00AD}'
            | '\u{061C}'
            | '\u{180E}'
            | '\u{200B}'
            | '\u{200E}'
            | '\u{200F}'
            | '\u{202A}'..='\u{202E}'
            | '\u{2060}'..='\u{2064}'
            | '\u{2066}'..='\u{206F}'
            | '\u{FEFF}'
            | '\u{FFF9}'..='\u{FFFB}'
    )
}

fn char_name(c: char) -> &'static str {
    match c {
        '\u{00AD}' => " SOFT HYPHEN",
        '\u{200B}' => " ZERO WIDTH SPACE",
        '\u{200C}' => " ZERO WIDTH NON-JOINER",
        '\u{200D}' => " ZERO WIDTH JOINER",
        '\u{200E}' => " LEFT-TO-RIGHT MARK",
        '\u{200F}' => " RIGHT-TO-LEFT MARK",
        '\u{2060}' => " WORD JOINER",
        '\u{FEFF}' => " ZERO WIDTH NO-BREAK SPACE",
        '\t' => " TAB",
        '\n' => " LINE FEED",
        '\r' => " CARRIAGE RETURN",
        _ => "",
    }
}

fn keyword_problem(raw: &str) -> Option<KeywordProblem> {
    let text = raw.trim();
    let looks_like_pattern = text.contains('|')
        || text.contains(".*")
        || text.contains(".+")
        || text.contains("(?")
        || (text.len() > 1 && (text.starts_with('^') || text.ends_with('$')))
        || text
            .split('\\')
            .skip(1)
            .any(|rest| rest.starts_with(|c: char| c.is_ascii_alphabetic() || c == '.'));
    if looks_like_pattern {
        return Some(KeywordProblem::Pattern);
    }
    if let Some(c) = text.chars().find(|c| c.is_control()) {
        return Some(KeywordProblem::Control(c));
    }
    if let Some(c) = text.chars().find(|&c| is_invisible(c)) {
        return Some(KeywordProblem::Invisible(c));
    }
    // A joiner at either end joins nothing.
    let ends = [text.chars().next(), text.chars().next_back()];
    if let Some(c) = ends
        .into_iter()
        .flatten()
        .find(|c| matches!(c, '\u{200C}' | '\u{200D}'))
    {
        return Some(KeywordProblem::Invisible(c));
    }
    None
}

/// The text with invisible and control characters written as `<U+200B>`, so a message shows
/// them.
fn visible(text: &str) -> String {
    text.chars()
        .map(|c| {
            if c.is_control() || is_invisible(c) || matches!(c, '\u{200C}' | '\u{200D}') {
                format!("<U+{:04X}>", u32::from(c))
            } else {
                c.to_string()
            }
        })
        .collect()
}

impl KeywordProblem {
    fn diagnostic(&self, word: &Spanned<String>) -> Diagnostic {
        let (message, label, help) = match self {
            KeywordProblem::Pattern => (
                format!("keyword `{}` looks like a regular expression", word.value),
                "matched literally, as whole words".to_string(),
                "keywords are plain words or phrases, matched as whole words, not patterns: list alternatives as separate keywords (`[legal, law]`), and end a keyword with `*` to match word beginnings (`lawyer*`); use `field: { name: …, matches: … }` for a regular expression".to_string(),
            ),
            KeywordProblem::Invisible(c) => (
                format!(
                    "keyword `{}` contains an invisible character (U+{:04X}{})",
                    visible(&word.value),
                    u32::from(*c),
                    char_name(*c)
                ),
                "invisible character".to_string(),
                "retype the keyword: an invisible character (usually pasted along with the text) makes it match only texts with the same character at the same place".to_string(),
            ),
            KeywordProblem::Control(c) => (
                format!(
                    "keyword `{}` contains a control character (U+{:04X}{})",
                    visible(&word.value),
                    u32::from(*c),
                    char_name(*c)
                ),
                "control character".to_string(),
                "keywords are single-line words or phrases; remove the control character".to_string(),
            ),
        };
        Diagnostic::new(Code::H003, word.span, message)
            .label(label)
            .help(help)
    }
}
