//! `handoff sql --emit partials --as-of T`: one query whose result, exported as CSV, `handoff
//! merge` reads like a `replay --partial-out` file (DESIGN §8). The result is a long table of
//! text, `section, k1, k2, k3, value`, one row per figure of [`crate::engine::metrics::Metrics`]
//! (see [`crate::engine::partial_csv`] for the reader and the sections).
//!
//! It is built on the decisions query ([`super::decisions::decisions_carrying`]): each ticket's
//! decided tier, priority and matched rules, with the history columns carried along. What the
//! compiler knows (the policy's text, the as-of instant, the columns) is baked in as literals.
//! What SQL cannot compute exactly as replay does is refused here (exit 2) or, when it depends
//! on the data, counted in a `refuse` row that the merge turns into an error.

use crate::engine::eval::CompiledPolicy;
use crate::engine::partial::{FORMAT, VERSION, fingerprint};
use crate::fields::Field;
use crate::policy::Policy;
use crate::tickets::Layout;
use crate::tickets::mapping::{ConfidenceScale, Mapping, SentimentScale, Source};

use super::Dialect;
use super::business::Chain;
use super::decisions::{Options, SqlError, decisions_carrying};
use super::timestamps;
use crate::calendar::duration::PolicyDuration;

/// The header of the result: how `handoff merge` knows a SQL partial.
pub const HEADER: &str = "section,k1,k2,k3,value";

/// The histogram bucket of `v` (seconds, >= 0) as hdrhistogram with 3 significant digits
/// gives it (its lowest equivalent value): exact below 2,048, then 2^(k-10)-wide buckets.
pub fn bucket(v: u64) -> u64 {
    match v.checked_ilog2() {
        Some(log) if log >= 11 => {
            let width = 1u64 << (log - 10);
            v - v % width
        }
        _ => v,
    }
}

/// [`bucket`] in SQL, over a non-negative BIGINT expression.
fn bucket_sql(v: &str) -> String {
    let arms: Vec<String> = (11..46)
        .map(|log| {
            format!(
                "WHEN {v} < {} THEN {v} - {v} % {}",
                1u64 << (log + 1),
                1u64 << (log - 10)
            )
        })
        .collect();
    format!("(CASE WHEN {v} < 2048 THEN {v} {} END)", arms.join(" "))
}

fn text_type(d: Dialect) -> &'static str {
    match d {
        Dialect::Spark | Dialect::Bigquery => "STRING",
        Dialect::Postgres => "TEXT",
        _ => "VARCHAR",
    }
}

/// What the partials query reads besides the policy, the mapping and the table.
pub struct PartialOptions<'a> {
    pub options: Options<'a>,
    /// The policy file as read (baked in for the merge to compile).
    pub policy_source: &'a str,
    /// `--as-of`, RFC 3339.
    pub as_of: jiff::Timestamp,
    /// The table's column names (decide which figures are n/a, as a CSV header does).
    pub headers: Vec<String>,
    /// The table's column that holds each row's line in its CSV file (`--line-column`): the
    /// rejected rows' examples need it.
    pub line_column: Option<&'a str>,
}

/// The carried line column (`--line-column`).
const LINE: &str = "src_line";

/// The history and SLA columns a ticket carries, by field.
const CARRIED: [Field; 12] = [
    Field::Confidence,
    Field::Sentiment,
    Field::RequestedHuman,
    Field::CreatedAt,
    Field::EscalatedAt,
    Field::FirstHumanResponseAt,
    Field::ResolvedAt,
    Field::ResolvedTier,
    Field::Reassignments,
    Field::Reopened,
    Field::Csat,
    Field::Priority,
];

const TIMESTAMPS: [Field; 4] = [
    Field::CreatedAt,
    Field::EscalatedAt,
    Field::FirstHumanResponseAt,
    Field::ResolvedAt,
];

/// The table's columns when `--columns` is not given: each canonical field under the name the
/// mapping gives it, and the policy's extra fields.
pub fn default_headers(policy: &Policy, mapping: &Mapping) -> Vec<String> {
    let mut headers: Vec<String> = Field::ALL
        .into_iter()
        .filter(|f| *f != Field::Text || mapping.columns.text.is_none())
        .map(|f| mapping.columns.column(f).unwrap_or(f.name()).to_string())
        .collect();
    if let Some(list) = &mapping.columns.text {
        headers.extend(list.list());
    }
    if let Ok(compiled) = CompiledPolicy::new(policy) {
        for name in &compiled.needs.extras {
            headers.push(match mapping.fields.get(name) {
                Some(Source::Column(c)) => c.clone(),
                _ => name.clone(),
            });
        }
    }
    let mut seen = std::collections::BTreeSet::new();
    headers.retain(|h| seen.insert(h.clone()));
    headers
}

/// The compiled partials query.
pub fn partials(
    policy: &Policy,
    mapping: &Mapping,
    o: &PartialOptions,
) -> Result<String, SqlError> {
    let d = o.options.dialect;
    let refused = |reason: String| SqlError::Refused(format!("--emit partials: {reason}"));
    let reader = timestamps::reader(mapping).map_err(refused)?;
    let compiled = CompiledPolicy::new(policy).map_err(|e| refused(e.to_string()))?;
    let layout = Layout::resolve(o.headers.clone(), mapping, &compiled.needs)
        .map_err(|e| refused(format!("--columns: {e}")))?;
    let has_calendar = policy.calendar.is_some();
    let cal = o.options.calendar_table;
    let priorities = policy.priority_labels();
    let targets = super::reads::sla_targets(policy, &priorities);
    if !has_calendar
        && targets.iter().any(|(_, _, pair)| {
            pair.iter()
                .any(|t| matches!(t, Some(PolicyDuration::BusinessDays(_))))
        })
    {
        return Err(refused(
            "SLA targets in working days without a `calendar:` are not compiled".into(),
        ));
    }
    let tt = text_type(d);
    let lit = |t: &str| d.quote_text(t);

    // The carried columns: what the data has of them.
    let column_of = |field: Field| -> String {
        mapping
            .columns
            .column(field)
            .unwrap_or(field.name())
            .to_string()
    };
    let mut carry: Vec<(String, String)> = CARRIED
        .iter()
        .filter(|f| layout.has_field(**f))
        .map(|f| (format!("hc_{}", f.name()), column_of(*f)))
        .collect();
    let context: Vec<(String, Option<String>)> = compiled
        .context
        .iter()
        .enumerate()
        .map(|(j, (name, slot))| {
            let present = layout.extras.get(*slot).is_some_and(|(_, c)| c.is_some());
            let column = match mapping.fields.get(name) {
                Some(Source::Column(c)) => c.clone(),
                _ => name.clone(),
            };
            (name.clone(), present.then(|| (format!("x_{j}"), column)))
        })
        .map(|(name, carried)| {
            let alias = carried.map(|(alias, column)| {
                carry.push((alias.clone(), column));
                alias
            });
            (name, alias)
        })
        .collect();
    if let Some(column) = o.line_column {
        carry.push((LINE.to_string(), column.to_string()));
    }
    let has = |f: Field| layout.has_field(f);
    let carried = |f: Field| -> String {
        if has(f) {
            format!("hc_{}", f.name())
        } else {
            format!("CAST(NULL AS {tt})")
        }
    };
    let decisions = decisions_carrying(policy, mapping, &o.options, &carry)?;

    // Step k: each decided ticket, typed as the parser types the history columns.
    let n_rules = compiled.rules.len();
    let routes = compiled.routes.len();
    let mut k = vec![
        "id".to_string(),
        "decided_rank AS rk".into(),
        "priority_index AS pi".into(),
    ];
    let rule_arms: Vec<String> = compiled
        .rules
        .iter()
        .enumerate()
        .map(|(i, r)| format!("WHEN {} THEN {i}", lit(&r.id)))
        .collect();
    k.push(format!(
        "CASE rule {} ELSE {n_rules} END AS ri",
        rule_arms.join(" ")
    ));
    k.push("reason_kind".into());
    k.extend((0..n_rules).map(|i| format!("m_{i}")));
    k.extend(carry.iter().map(|(alias, _)| alias.clone()));
    // Each timestamp column rewritten once (step `dk`) into a shape the reader reads, as
    // `hf_*` ([`timestamps::Reader::source`]).
    let source = |f: Field| -> String {
        if has(f) {
            format!("hf_{}", f.name())
        } else {
            carried(f)
        }
    };
    let mut rewritten = Vec::new();
    let mut k_joins = String::new();
    for (i, f) in TIMESTAMPS.iter().enumerate() {
        let alias = format!("tz_{i}");
        let seconds = if has(*f) || !reader.has_table() {
            reader.epoch_seconds(d, &source(*f), &alias)
        } else {
            "CAST(NULL AS BIGINT)".to_string()
        };
        k.push(format!("{seconds} AS e_{}", f.name()));
        if has(*f) {
            k_joins.push_str(&reader.join(d, &source(*f), "tz_k", &alias));
            rewritten.push(format!(
                "{} AS {}",
                reader.source(d, &carried(*f), false),
                source(*f)
            ));
            k.push(source(*f));
        }
    }
    // Resolved tier: `ai` or a tier (its rank), else a bad value.
    let aliased = |f: Field, lowered: &str| -> String {
        match mapping.aliases.get(f.name()) {
            Some(table) if !table.is_empty() => {
                let arms: Vec<String> = table
                    .iter()
                    .map(|(raw, canonical)| {
                        format!(
                            "WHEN {} THEN {}",
                            lit(&crate::text::normalize_label(raw)),
                            lit(&crate::text::normalize_label(canonical))
                        )
                    })
                    .collect();
                format!("(CASE {lowered} {} ELSE {lowered} END)", arms.join(" "))
            }
            _ => lowered.to_string(),
        }
    };
    let rt = format!("LOWER({})", carried(Field::ResolvedTier));
    let rt = aliased(Field::ResolvedTier, &rt);
    let tier_arms: Vec<String> = compiled
        .routes
        .iter()
        .enumerate()
        .map(|(i, r)| format!("WHEN {} THEN {i}", lit(&r.to_lowercase())))
        .collect();
    k.push(format!("CASE {rt} {} END AS hrank", tier_arms.join(" ")));
    let num = |f: Field| {
        let c = carried(f);
        format!("CASE WHEN {} THEN {} END", d.is_number(&c), d.to_double(&c))
    };
    let reassign = num(Field::Reassignments);
    k.push(format!(
        "CASE WHEN {reassign} >= 0 AND {reassign} = FLOOR({reassign}) AND {reassign} <= 4294967295 THEN CAST({reassign} AS BIGINT) END AS reassign"
    ));
    let ro = format!("LOWER({})", carried(Field::Reopened));
    k.push(format!(
        "CASE WHEN {ro} IN ('true', 'yes', 'y', '1', 't') THEN 1 WHEN {ro} IN ('false', 'no', 'n', '0', 'f') THEN 0 END AS reopened"
    ));
    let csat = num(Field::Csat);
    k.push(format!(
        "CASE WHEN ABS({csat}) < 1e12 THEN CAST(CASE WHEN {csat} < 0 THEN -1 ELSE 1 END * FLOOR(ABS({csat}) * 1000 + 0.5) AS BIGINT) END AS csat_milli"
    ));
    // Bad values counted as empty (the parser's order: a rejected row counts those before
    // the field that rejects it; here only decided rows reach the history columns).
    let mut bad = Vec::new();
    for f in TIMESTAMPS {
        let c = carried(f);
        bad.push((
            f.name(),
            format!(
                "CASE WHEN {c} IS NOT NULL AND e_{} IS NULL THEN 1 ELSE 0 END",
                f.name()
            ),
        ));
    }
    bad.push((
        Field::ResolvedTier.name(),
        format!(
            "CASE WHEN {} IS NOT NULL AND hrank IS NULL THEN 1 ELSE 0 END",
            carried(Field::ResolvedTier)
        ),
    ));
    for (f, typed) in [
        (Field::Reassignments, "reassign"),
        (Field::Reopened, "reopened"),
        (Field::Csat, "csat_milli"),
    ] {
        bad.push((
            f.name(),
            format!(
                "CASE WHEN {} IS NOT NULL AND {typed} IS NULL THEN 1 ELSE 0 END",
                carried(f)
            ),
        ));
    }
    // Fields the rules do not read count their bad values as empty too.
    let unread = |f: Field| has(f) && !compiled.needs.rule_fields.contains(f.name());
    let flag = |cond: String| format!("CASE WHEN {cond} THEN 1 ELSE 0 END");
    if unread(Field::Priority) {
        let c = carried(Field::Priority);
        let list: Vec<String> = priorities.iter().map(|p| lit(p)).collect();
        bad.push((
            Field::Priority.name(),
            flag(format!(
                "{c} IS NOT NULL AND NOT {} IN ({})",
                aliased(Field::Priority, &format!("LOWER({c})")),
                list.join(", ")
            )),
        ));
    }
    if unread(Field::RequestedHuman) {
        let c = format!("LOWER({})", carried(Field::RequestedHuman));
        bad.push((
            Field::RequestedHuman.name(),
            flag(format!(
                "{c} IS NOT NULL AND NOT {c} IN ('true', 'yes', 'y', '1', 't', 'false', 'no', 'n', '0', 'f')"
            )),
        ));
    }
    for (f, low) in [(Field::Confidence, 0.0), (Field::Sentiment, -1.0)] {
        if !unread(f) {
            continue;
        }
        let c = carried(f);
        let raw = d.to_double(&c);
        let mut label = None;
        let v = match f {
            Field::Confidence => match mapping.scales.confidence {
                ConfidenceScale::Percent => format!("({raw} / 100.0)"),
                ConfidenceScale::Fraction => raw,
            },
            _ => match &mapping.scales.sentiment {
                Some(SentimentScale::Range { min, max }) => format!(
                    "(-1.0 + 2.0 * ({raw} - {}) / ({} - {}))",
                    d.double_literal(*min),
                    d.double_literal(*max),
                    d.double_literal(*min)
                ),
                Some(SentimentScale::Labels { labels }) => {
                    let names: Vec<String> = labels
                        .keys()
                        .map(|k| lit(&crate::text::normalize_label(k)))
                        .collect();
                    label = Some(format!("LOWER({c}) IN ({})", names.join(", ")));
                    raw
                }
                None => raw,
            },
        };
        let not_number = match label {
            Some(label) => format!("NOT {} AND NOT {label}", d.is_number(&c)),
            None => format!("NOT {}", d.is_number(&c)),
        };
        bad.push((
            f.name(),
            flag(format!(
                "{c} IS NOT NULL AND ({not_number} OR ({} AND ({v} < {low:.1} OR {v} > 1.0)))",
                d.is_number(&c)
            )),
        ));
    }
    let offsetless: Vec<String> = TIMESTAMPS
        .iter()
        .map(|f| {
            // The rewritten text: `Z`, `±HH:MM` or `±HH:MM:SS` after the seconds.
            let c = source(*f);
            format!(
                "CASE WHEN e_{} IS NOT NULL AND NOT {} THEN 1 ELSE 0 END",
                f.name(),
                d.regex_search(&c, "(Z|[+-][0-9]{2}:[0-9]{2}(:[0-9]{2})?)$")
            )
        })
        .collect();
    for (j, (_, alias)) in context.iter().enumerate() {
        k.push(match alias {
            Some(a) => format!("CASE WHEN {a} IS NULL THEN 1 ELSE 0 END AS miss_{j}"),
            None => format!("1 AS miss_{j}"),
        });
    }

    // Step h: history, agreement, clocks.
    let available = crate::engine::agreement::Available::of(&layout);
    let unknown = !available.resolved_tier && !available.escalated_at;
    let resolution_known = available.resolved_at || available.resolved_tier;
    let mut h = vec!["k.*".to_string()];
    h.push(format!(
        "CASE WHEN {} THEN 'u' WHEN {} AND e_resolved_at IS NULL AND hrank IS NULL THEN 'r' ELSE 'k' END AS hist",
        if unknown { "TRUE" } else { "FALSE" },
        if resolution_known { "TRUE" } else { "FALSE" }
    ));
    h.push("CASE WHEN e_escalated_at IS NOT NULL OR hrank > 0 THEN 1 ELSE 0 END AS hesc".into());
    h.push(format!(
        "COALESCE(hrank, CASE WHEN e_escalated_at IS NOT NULL THEN {routes} ELSE 0 END) AS outcome"
    ));
    h.push("COALESCE(e_escalated_at, e_created_at) AS clock_start".into());
    h.push(format!(
        "({}) AS bad_sum",
        bad.iter()
            .map(|(_, e)| e.clone())
            .collect::<Vec<_>>()
            .join(" + ")
    ));
    for (name, e) in &bad {
        h.push(format!("{e} AS bad_{name}"));
    }
    h.push(format!("({}) AS offsetless", offsetless.join(" + ")));
    // Timestamps replay might read that the SQL does not (fractions of a second, bracketed
    // zones, …: what stops the decisions query). Other text is unreadable, counted as empty
    // by both.
    let unread: Vec<String> = TIMESTAMPS
        .iter()
        .map(|f| reader.unread_sql(d, &carried(*f), &source(*f), &format!("e_{}", f.name())))
        .collect();
    h.push(format!("({}) AS unread", unread.join(" + ")));

    // Step s and the steps after it: the SLA clocks and the time-based hand-offs.
    let as_of = o.as_of.as_second();
    let super::partials_clocks::Clocks {
        s,
        chain,
        hops,
        hop_candidate,
    } = super::partials_clocks::clocks(d, has_calendar, &targets, available, &compiled, as_of);

    // Step j: each clock's verdict: 1 met, 2 breached, 3 pending, 4 stopped before start,
    // 9 the calendar table does not cover the due.
    let mut j = vec![format!("{}.*", chain.last)];
    for (name, stop) in [
        ("fr", "COALESCE(e_first_human_response_at, e_resolved_at)"),
        ("res", "e_resolved_at"),
    ] {
        j.push(format!(
            "CASE WHEN on_{name} = 0 THEN NULL WHEN due_{name} IS NULL THEN 9 WHEN {stop} IS NOT NULL AND {stop} < clock_start THEN 4 WHEN {stop} IS NOT NULL AND {stop} <= due_{name} THEN 1 WHEN {stop} IS NOT NULL THEN 2 WHEN due_{name} < {as_of} THEN 2 ELSE 3 END AS v_{name}"
        ));
        j.push(format!(
            "CASE WHEN {stop} IS NOT NULL THEN {stop} - due_{name} ELSE {as_of} - due_{name} END AS o_{name}"
        ));
        j.push(format!(
            "CASE WHEN {stop} IS NULL THEN 1 ELSE 0 END AS u_{name}"
        ));
    }
    j.push(format!(
        "CASE WHEN rk = 0 THEN NULL WHEN pi IS NULL THEN {} WHEN has_targets = 0 THEN {} WHEN clock_start IS NULL THEN {} END AS skip",
        lit(crate::engine::metrics::SKIP_NO_PRIORITY),
        lit(crate::engine::metrics::SKIP_NO_TARGET),
        lit(crate::engine::metrics::SKIP_NO_START)
    ));

    let rows = super::partials_rows::rows(&super::partials_rows::Plan {
        d,
        lit: &lit,
        tt,
        n_rules,
        routes,
        context: context.iter().map(|(n, _)| n.clone()).collect(),
        policy_name: compiled.name.clone(),
        fingerprint: fingerprint(o.policy_source.as_bytes()),
        source: o.policy_source.to_string(),
        as_of: o.as_of.to_string(),
        offset_zone: if mapping.timestamps.timezone.is_none() {
            "UTC".into()
        } else {
            String::new()
        },
        columns: crate::engine::partial::Columns::of(&layout),
        hop_steps: hops,
        line: o.line_column.map(|_| LINE),
        hop_candidate,
        bad: bad.iter().map(|(n, _)| *n).collect(),
        format: FORMAT,
        version: VERSION,
        duration: &bucket_sql,
        business_first_response: if has_calendar {
            "CASE WHEN e_first_human_response_at <= clock_start THEN 0 ELSE fh_cnt - cs_cnt END"
                .into()
        } else {
            "(e_first_human_response_at - clock_start)".into()
        },
        outside_hours: if has_calendar {
            "COALESCE(op_in, 0) = 0".into()
        } else {
            "FALSE".into()
        },
    });
    let indent = |items: &[String]| items.join(",\n    ");
    let decisions = decisions.trim_end().replace('\n', "\n  ");
    // DuckDB and Postgres compute a step referenced several times once when told so; the
    // other engines have no such keyword.
    let mat = if matches!(d, Dialect::Duckdb | Dialect::Postgres) {
        "MATERIALIZED "
    } else {
        ""
    };
    let mut ctes: Vec<String> = reader.step(d, "tz_k").into_iter().collect();
    ctes.push(format!("d AS (\n  {decisions}\n)"));
    if has_calendar {
        ctes.extend(Chain::calendar_steps(d, cal));
    }
    let decided = if rewritten.is_empty() {
        "d".to_string()
    } else {
        ctes.push(format!(
            "dk AS (\n  SELECT d.*, {}\n  FROM d\n)",
            rewritten.join(", ")
        ));
        "dk".to_string()
    };
    ctes.push(format!(
        "k AS {mat}(\n  SELECT\n    {}\n  FROM {decided}{k_joins} WHERE rejected IS NULL\n)",
        indent(&k)
    ));
    ctes.push(format!(
        "h AS {mat}(\n  SELECT\n    {}\n  FROM k\n)",
        indent(&h)
    ));
    ctes.push(format!(
        "s AS {mat}(\n  SELECT\n    {}\n  FROM h\n)",
        indent(&s)
    ));
    ctes.extend(chain.ctes);
    ctes.push(format!(
        "j AS (\n  SELECT\n    {}\n  FROM {}\n)",
        indent(&j),
        chain.last
    ));
    ctes.extend(rows.ctes);
    Ok(format!(
        "-- handoff sql --emit partials --dialect {d} --as-of {as_of_text}: policy `{name}`; export the result as CSV for `handoff merge`\nWITH {}\n{}",
        ctes.join(",\n"),
        rows.select,
        as_of_text = o.as_of,
        name = compiled.name,
    ))
}

#[cfg(test)]
mod tests;
