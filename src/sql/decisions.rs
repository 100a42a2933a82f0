//! `handoff sql --emit decisions`: the query that gives, per ticket, what `handoff replay
//! --decisions` gives (decision, rule, reason kind, priority, SLA dues) or the reason replay
//! would reject the row (DESIGN §8).
//!
//! The table holds the ticket columns as text, as a CSV loads them; an empty field may load as
//! NULL or as `''` (engines differ), and both mean missing. The query is four plain steps:
//! `src` trims each column the policy reads and blanks `[values] na`; `v` types them as the
//! ticket parser does (scales, aliases, keyword hits) and writes the rejection reason of the
//! first bad value a rule reads, in the parser's field order; `r` evaluates each rule's
//! condition; the final select applies rule order, `continue`, the highest tier (earliest rule
//! on ties) and the most urgent priority.

use std::collections::BTreeSet;

use crate::fields::{Field, Label};
use crate::policy::condition::{Keyword, LabelField, NumField, compile};
use crate::policy::model::RuleKind;
use crate::policy::{AI, Policy};
use crate::text::normalize_label;
use crate::tickets::mapping::{Mapping, Source};

use super::Dialect;
use super::condition::{CondSql, ident_part, label_column, raw_extra_column};
use super::dues::{self, text_type};
pub use super::error::SqlError;
use super::numbers::{self, NumberPlan};
use super::reads::{collect_reads, refuse_unsupported, sla_targets};
use super::timestamps;

/// What the query reads besides the policy and the mapping.
#[derive(Debug, Clone)]
pub struct Options<'a> {
    pub dialect: Dialect,
    /// The ticket table (`name`, `schema.name`, `project.dataset.name`).
    pub table: &'a str,
    /// The table `handoff calendar --format sql` creates (for business-time SLA dues).
    pub calendar_table: &'a str,
}

fn null_text(d: Dialect) -> String {
    format!("CAST(NULL AS {})", text_type(d))
}

/// The table name, each dotted part quoted (BigQuery quotes the whole path).
pub fn table_ident(d: Dialect, table: &str) -> Result<String, SqlError> {
    let parts: Vec<&str> = table.split('.').collect();
    if table.trim().is_empty() || parts.iter().any(|p| p.trim().is_empty()) {
        return Err(SqlError::Refused(format!(
            "--table `{table}` is not a table name: give `name`, `schema.name` or `catalog.schema.name`"
        )));
    }
    Ok(match d {
        Dialect::Bigquery => d.quote_ident(table),
        _ => parts
            .iter()
            .map(|p| d.quote_ident(p))
            .collect::<Vec<_>>()
            .join("."),
    })
}

/// The compiled decisions query.
pub fn decisions(policy: &Policy, mapping: &Mapping, o: &Options) -> Result<String, SqlError> {
    decisions_carrying(policy, mapping, o, &[])
}

/// The seam for `--emit partials` ([`super::partials`]): the decisions query whose rows, when
/// `carry` is not empty, also hold `decided_rank`, `priority_index` (NULL without one),
/// `m_<i>` (1 when rule `i` matched as replay's `Decision::matched` counts it: true and
/// reached, else 0) and each carried column `(alias, column)` of the table, trimmed and
/// na-blanked (NULL when empty), under its alias.
pub fn decisions_carrying(
    policy: &Policy,
    mapping: &Mapping,
    o: &Options,
    carry: &[(String, String)],
) -> Result<String, SqlError> {
    let d = o.dialect;
    refuse_unsupported(policy, mapping)?;
    let priorities = policy.priority_labels();
    let priority_index = |label: &str| {
        let label = normalize_label(label);
        priorities.iter().position(|p| *p == label)
    };
    let rank = |route: &str| {
        policy
            .rank(route)
            .ok_or_else(|| SqlError::Refused(format!("route '{route}' is not a tier")))
    };
    let mut routes = vec![AI.to_string()];
    routes.extend(policy.tier_names().iter().map(|t| t.to_string()));

    // Rules: their conditions, what they read, in the order the parser meets the fields.
    struct RuleSql {
        id: String,
        rank: usize,
        priority: Option<usize>,
        continues: bool,
        kind: &'static str,
        sql: String,
    }
    let mut keywords: Vec<Vec<Keyword>> = Vec::new();
    let mut reads: BTreeSet<String> = BTreeSet::new();
    let mut extras: Vec<String> = Vec::new();
    let mut numeric_extras: Vec<String> = Vec::new();
    let mut label_extras: Vec<String> = Vec::new();
    let mut rules = Vec::new();
    for rule in &policy.rules {
        let rule = &rule.value;
        let id = rule.id.value.clone();
        let refuse = |reason: String| SqlError::Rule {
            rule: id.clone(),
            dialect: d,
            reason,
        };
        let cond = compile(&rule.when).map_err(|e| refuse(e.message))?;
        collect_reads(
            &cond,
            &mut reads,
            &mut extras,
            &mut numeric_extras,
            &mut label_extras,
        )
        .map_err(refuse)?;
        let sql = CondSql {
            dialect: d,
            keywords: &mut keywords,
        }
        .sql(&cond)
        .map_err(refuse)?;
        rules.push(RuleSql {
            rank: rank(&rule.route.value)?,
            priority: rule
                .priority
                .as_ref()
                .and_then(|p| priority_index(&p.value)),
            continues: rule.continue_.as_ref().is_some_and(|c| c.value),
            kind: match rule.kind.as_ref().map(|k| k.value) {
                Some(RuleKind::Reactive) => "reactive",
                _ => "proactive",
            },
            id,
            sql,
        });
    }
    let default_rank = rank(policy.default_route())?;
    let default_priority = policy
        .default_priority
        .as_ref()
        .and_then(|p| priority_index(&p.value));

    // Step 1 (`src`): the trimmed, na-blanked text of each column read.
    let na: Vec<String> = mapping
        .values
        .na
        .iter()
        .map(|v| v.trim().to_lowercase())
        .filter(|v| !v.is_empty())
        .collect();
    let column_of = |field: Field| -> String {
        mapping
            .columns
            .column(field)
            .unwrap_or(field.name())
            .to_string()
    };
    let is_na = |expr: &str| -> String {
        if na.is_empty() {
            "FALSE".to_string()
        } else {
            let list: Vec<String> = na.iter().map(|v| d.quote_text(v)).collect();
            format!("LOWER({}) IN ({})", d.trim(expr), list.join(", "))
        }
    };
    // NULL when empty (or na), else the trimmed text.
    let cleaned = |column: &str| -> String {
        let raw = d.quote_ident(column);
        let trimmed = d.trim(&raw);
        if na.is_empty() {
            format!("NULLIF({trimmed}, '')")
        } else {
            format!(
                "CASE WHEN {} THEN NULL ELSE NULLIF({trimmed}, '') END",
                is_na(&raw)
            )
        }
    };
    let mut src = vec![format!("{} AS f_id", cleaned(&column_of(Field::Id)))];
    src.extend(
        carry
            .iter()
            .map(|(alias, column)| format!("{} AS {alias}", cleaned(column))),
    );
    let text_columns: Vec<String> = match &mapping.columns.text {
        Some(list) => list.list(),
        None => vec![Field::Text.name().to_string()],
    };
    let uses_text = !keywords.is_empty();
    if uses_text {
        for (i, column) in text_columns.iter().enumerate() {
            let raw = d.quote_ident(column);
            src.push(format!(
                "CASE WHEN {raw} IS NULL OR {} THEN '' ELSE {} END AS t_{i}",
                is_na(&raw),
                d.fold(&raw)
            ));
        }
    }
    let canonical_numbers = [Field::Confidence, Field::Sentiment];
    let mut numbers: Vec<NumberPlan> = Vec::new();
    for field in canonical_numbers {
        if reads.contains(field.name()) {
            src.push(format!(
                "{} AS f_{}",
                cleaned(&column_of(field)),
                field.name()
            ));
            numbers.push(NumberPlan {
                field: if field == Field::Confidence {
                    NumField::Confidence
                } else {
                    NumField::Sentiment
                },
                source: format!("f_{}", field.name()),
                canonical: Some(field),
            });
        }
    }
    // The ticket's priority is always read (a rule without one keeps it).
    for label in Label::ALL {
        let field = label.field();
        if field == Field::Priority || reads.contains(field.name()) {
            src.push(format!(
                "{} AS f_{}",
                cleaned(&column_of(field)),
                field.name()
            ));
        }
    }
    // The SLA clock starts at `escalated_at`, else `created_at` (replay's `clock_start`).
    let targets = sla_targets(policy, &priorities);
    // The seam's caller (`--emit partials`) computes its own clocks from the carried texts.
    let clocks = if targets.is_empty() || !carry.is_empty() {
        None
    } else {
        Some(timestamps::reader(mapping).map_err(SqlError::Refused)?)
    };
    if clocks.is_some() {
        for field in [Field::EscalatedAt, Field::CreatedAt] {
            src.push(format!(
                "{} AS f_{}",
                cleaned(&column_of(field)),
                field.name()
            ));
        }
    }
    let human = Field::RequestedHuman;
    if reads.contains(human.name()) {
        src.push(format!(
            "{} AS f_{}",
            cleaned(&column_of(human)),
            human.name()
        ));
    }
    for name in &extras {
        let column = match mapping.fields.get(name) {
            Some(Source::Column(c)) => c.clone(),
            _ => name.clone(),
        };
        src.push(format!(
            "{} AS {}",
            cleaned(&column),
            raw_extra_column(name)
        ));
        if numeric_extras.contains(name) {
            numbers.push(NumberPlan {
                field: NumField::Extra(name.clone()),
                source: raw_extra_column(name),
                canonical: None,
            });
        }
    }

    // Step 2 (`v`): typed values, keyword hits, the rejection reason.
    let mut typed = vec!["f_id AS id".to_string()];
    typed.extend(carry.iter().map(|(alias, _)| alias.clone()));
    let mut reasons = vec!["CASE WHEN f_id IS NULL THEN 'id: empty' END".to_string()];
    let mut extra_reasons = Vec::new();
    let flags: Vec<String> = numbers.iter().map(|plan| numbers::flag(d, plan)).collect();
    let text_lit = |t: &str| d.quote_text(t);
    for plan in &numbers {
        let (column, reason) = numbers::typing(d, mapping, plan);
        typed.push(column);
        // The parser reads extras last, in slot order (as `numbers` lists them).
        if plan.canonical.is_some() {
            reasons.push(reason);
        } else {
            extra_reasons.push(reason);
        }
    }
    // Labels: lower-cased, aliased; a priority must be one of the policy's.
    for label in Label::ALL {
        let field = label.field();
        if field != Field::Priority && !reads.contains(field.name()) {
            continue;
        }
        let f = format!("f_{}", field.name());
        let lowered = format!("LOWER({f})");
        let aliased = match mapping.aliases.get(field.name()) {
            Some(table) if !table.is_empty() => {
                let arms: Vec<String> = table
                    .iter()
                    .map(|(raw, canonical)| {
                        format!(
                            "WHEN {} THEN {}",
                            text_lit(&normalize_label(raw)),
                            text_lit(&normalize_label(canonical))
                        )
                    })
                    .collect();
                format!("CASE {lowered} {} ELSE {lowered} END", arms.join(" "))
            }
            _ => lowered,
        };
        let column = label_column(&LabelField::Canonical(label));
        if field == Field::Priority {
            let list: Vec<String> = priorities.iter().map(|p| text_lit(p)).collect();
            let list = list.join(", ");
            typed.push(format!(
                "CASE WHEN {aliased} IN ({list}) THEN {aliased} END AS {column}"
            ));
            if reads.contains(field.name()) {
                reasons.push(format!(
                    "CASE WHEN {f} IS NOT NULL AND NOT {aliased} IN ({list}) THEN {} || {aliased} || {} END",
                    text_lit("priority: `"),
                    text_lit(&format!(
                        "` is not one of the policy's priorities ({}); map it under [aliases.priority]",
                        priorities.join(", ")
                    ))
                ));
            }
        } else {
            typed.push(format!("{aliased} AS {column}"));
        }
    }
    if reads.contains(human.name()) {
        let f = format!("f_{}", human.name());
        let yes = "('true', 'yes', 'y', '1', 't')";
        let no = "('false', 'no', 'n', '0', 'f')";
        typed.push(format!(
            "CASE WHEN LOWER({f}) IN {yes} THEN TRUE WHEN LOWER({f}) IN {no} THEN FALSE END AS h_{}",
            ident_part(human.name())
        ));
        reasons.push(format!(
            "CASE WHEN {f} IS NOT NULL AND NOT LOWER({f}) IN {yes} AND NOT LOWER({f}) IN {no} THEN {} || {f} || {} END",
            text_lit("requested_human: `"),
            text_lit("` is not true/false, yes/no or 1/0")
        ));
    }
    reasons.append(&mut extra_reasons);
    for name in &extras {
        let x = raw_extra_column(name);
        typed.push(x.clone());
        if label_extras.contains(name) {
            typed.push(format!(
                "LOWER({x}) AS {}",
                label_column(&LabelField::Extra(name.clone()))
            ));
        }
    }
    if uses_text {
        let has: Vec<String> = (0..text_columns.len())
            .map(|i| format!("t_{i} <> ''"))
            .collect();
        typed.push(format!("({}) AS has_text", has.join(" OR ")));
        for (k, list) in keywords.iter().enumerate() {
            let words: Vec<(&str, bool)> =
                list.iter().map(|w| (w.text.as_str(), w.prefix)).collect();
            let pattern = d.words_pattern(&words);
            let hits: Vec<String> = (0..text_columns.len())
                .map(|i| d.regex_search(&format!("t_{i}"), &pattern))
                .collect();
            typed.push(format!("({}) AS k_{k}", hits.join(" OR ")));
        }
    }
    typed.push(format!("COALESCE({}) AS rejected", reasons.join(", ")));
    let mut typed_joins = String::new();
    if let Some(reader) = &clocks {
        typed.push(format!(
            "COALESCE({}, {}) AS clock_start",
            reader.epoch_seconds(d, "g_escalated_at", "tz_e"),
            reader.epoch_seconds(d, "g_created_at", "tz_c")
        ));
        typed_joins.push_str(&reader.join(d, "g_escalated_at", "tz", "tz_e"));
        typed_joins.push_str(&reader.join(d, "g_created_at", "tz", "tz_c"));
    }

    // Step 3 (`r`): each rule's truth; then the decision.
    let mut truths = vec![
        "id".to_string(),
        "rejected".to_string(),
        label_column(&LabelField::Canonical(Label::Priority)),
    ];
    if clocks.is_some() {
        truths.push("clock_start".to_string());
    }
    truths.extend(carry.iter().map(|(alias, _)| alias.clone()));
    for (i, rule) in rules.iter().enumerate() {
        truths.push(format!("{} AS r_{i}", rule.sql));
    }
    // The first rule without `continue` whose condition is true ends the evaluation.
    let n = rules.len();
    let stop_arms: Vec<String> = rules
        .iter()
        .enumerate()
        .filter(|(_, r)| !r.continues)
        .map(|(i, _)| format!("WHEN r_{i} THEN {i}"))
        .collect();
    let stop = if stop_arms.is_empty() {
        n.to_string()
    } else {
        format!("CASE {} ELSE {n} END", stop_arms.join(" "))
    };
    let fired = |i: usize| -> String {
        if rules[i].continues {
            format!("(r_{i} AND stop >= {i})")
        } else {
            format!("stop = {i}")
        }
    };
    // The deciding rule: the highest tier among the fired rules, the earliest on ties.
    let mut by_rank: Vec<usize> = (0..n).collect();
    by_rank.sort_by_key(|&i| (std::cmp::Reverse(rules[i].rank), i));
    let decider = if n == 0 {
        "-1".to_string()
    } else {
        let arms: Vec<String> = by_rank
            .iter()
            .map(|&i| format!("WHEN {} THEN {i}", fired(i)))
            .collect();
        format!("CASE {} ELSE -1 END", arms.join(" "))
    };
    // The most urgent priority any fired rule sets, else the ticket's, else the default.
    let mut by_priority: Vec<(usize, usize)> = rules
        .iter()
        .enumerate()
        .filter_map(|(i, r)| r.priority.map(|p| (p, i)))
        .collect();
    by_priority.sort();
    let ticket_priority = {
        let column = label_column(&LabelField::Canonical(Label::Priority));
        let arms: Vec<String> = priorities
            .iter()
            .enumerate()
            .map(|(i, p)| format!("WHEN {} THEN {i}", text_lit(p)))
            .collect();
        format!("CASE {column} {} END", arms.join(" "))
    };
    let mut priority_parts: Vec<String> = Vec::new();
    if !by_priority.is_empty() {
        let arms: Vec<String> = by_priority
            .iter()
            .map(|(p, i)| format!("WHEN {} THEN {p}", fired(*i)))
            .collect();
        priority_parts.push(format!("CASE {} END", arms.join(" ")));
    }
    priority_parts.push(ticket_priority);
    if let Some(p) = default_priority {
        priority_parts.push(p.to_string());
    }
    let priority_index = format!("COALESCE({})", priority_parts.join(", "));

    let by_decider = |value: &dyn Fn(Option<usize>) -> String| -> String {
        let mut arms: Vec<String> = (0..n)
            .map(|i| format!("WHEN {i} THEN {}", value(Some(i))))
            .collect();
        arms.push(format!("ELSE {}", value(None)));
        format!("CASE decider {} END", arms.join(" "))
    };
    let route = |rank: usize| text_lit(routes.get(rank).map_or(AI, String::as_str));
    let decision = by_decider(&|i| route(i.map_or(default_rank, |i| rules[i].rank)));
    let rule_id = by_decider(&|i| text_lit(i.map_or("(default)", |i| rules[i].id.as_str())));
    let reason_kind = by_decider(&|i| text_lit(i.map_or("default", |i| rules[i].kind)));
    let priority_arms: Vec<String> = priorities
        .iter()
        .enumerate()
        .map(|(i, p)| format!("WHEN {i} THEN {}", text_lit(p)))
        .collect();
    let priority = format!("CASE priority_index {} END", priority_arms.join(" "));
    // The SLA target of the decided tier and priority (a tier's `default` entry included).
    let rank_of = by_decider(&|i| i.map_or(default_rank, |i| rules[i].rank).to_string());
    let mut from = "u".to_string();
    let mut steps = Vec::new();
    let (first_response_due, resolution_due) = match &clocks {
        Some(_) if policy.calendar.is_some() => {
            let due = dues::against_calendar(d, &targets, o.calendar_table);
            steps = due.steps;
            from = due.from;
            let [first, resolution] = due.columns;
            (first, resolution)
        }
        Some(_) => {
            let due = |k| dues::around_the_clock(d, &targets, k).unwrap_or_else(|| null_text(d));
            (due(0), due(1))
        }
        None => (null_text(d), null_text(d)),
    };
    let steps: String = steps.iter().map(|step| format!(",\n{step}")).collect();
    let clock_column = if clocks.is_some() {
        ", clock_start"
    } else {
        ""
    };
    let when_kept = |expr: &str| format!("CASE WHEN rejected IS NULL THEN {expr} END");
    // The seam's columns (none for `--emit decisions`).
    let (mut carried_t, mut carried) = (String::new(), String::new());
    if !carry.is_empty() {
        for i in 0..n {
            carried_t.push_str(&format!(
                ", CASE WHEN {} THEN 1 ELSE 0 END AS m_{i}",
                fired(i)
            ));
            carried.push_str(&format!(",\n    m_{i}"));
        }
        for (alias, _) in carry {
            carried_t.push_str(&format!(", {alias}"));
            carried.push_str(&format!(",\n    {alias}"));
        }
        carried.push_str(",\n    decided_rank,\n    priority_index");
    }

    let indent = |items: &[String]| items.join(",\n    ");
    let base = if flags.is_empty() { "src" } else { "num" };
    Ok(format!(
        "-- handoff sql --emit decisions --dialect {dialect}: policy `{name}`\n\
         WITH {zone}src AS (\n  SELECT\n    {src}\n  FROM {table}\n),\n\
         {flags}{rewritten}v AS (\n  SELECT\n    {typed}\n  FROM {typed_from}{typed_joins}\n),\n\
         r AS {materialized}(\n  SELECT\n    {truths}\n  FROM v\n),\n\
         s AS (\n  SELECT r.*, {stop} AS stop\n  FROM r\n),\n\
         t AS (\n  SELECT id, rejected{clock_column}, {decider} AS decider, {priority_index} AS priority_index{carried_t}\n  FROM s\n),\n\
         u AS (\n  SELECT t.*, {rank_of} AS decided_rank\n  FROM t\n){steps}\n\
         SELECT\n    id,\n    {decision} AS decision,\n    {rule_id} AS rule,\n    {reason_kind} AS reason_kind,\n    {priority} AS priority,\n    {first_response_due} AS first_response_due,\n    {resolution_due} AS resolution_due,\n    rejected{carried}\nFROM {from}\n",
        dialect = d,
        name = policy.name.as_ref().map_or("", |n| n.value.as_str()),
        src = indent(&src),
        table = table_ident(d, o.table)?,
        typed = indent(&typed),
        flags = if flags.is_empty() {
            String::new()
        } else {
            format!(
                "num AS (\n  SELECT src.*, {}\n  FROM src\n),\n",
                flags.join(", ")
            )
        },
        // The clocks' texts rewritten into the shapes the reader reads (step `ts`).
        rewritten = match &clocks {
            Some(reader) => format!(
                "ts AS (\n  SELECT {base}.*, {} AS g_escalated_at, {} AS g_created_at\n  FROM {base}\n),\n",
                reader.source(d, "f_escalated_at", true),
                reader.source(d, "f_created_at", true)
            ),
            None => String::new(),
        },
        typed_from = if clocks.is_some() { "ts" } else { base },
        zone = clocks
            .as_ref()
            .and_then(|r| r.step(d, "tz"))
            .map_or(String::new(), |step| format!("{step},\n")),
        truths = indent(&truths),
        // Postgres inlines a step referenced once into the next, so every reference to a
        // rule's truth would search the text again: the truths are computed once.
        materialized = if d == Dialect::Postgres {
            "MATERIALIZED "
        } else {
            ""
        },
        decision = when_kept(&decision),
        rule_id = when_kept(&rule_id),
        reason_kind = when_kept(&reason_kind),
        priority = when_kept(&priority),
        first_response_due = when_kept(&first_response_due),
        resolution_due = when_kept(&resolution_due),
    ))
}
