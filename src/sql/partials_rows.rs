//! The rows of the partials query ([`super::partials`]): one `SELECT … UNION ALL` per figure,
//! over the step `j` (one row per ticket, typed) and `d` (the decisions, rejected rows too).
//! Every column is text: `section, k1, k2, k3, value`. The sections are read back by
//! [`crate::engine::partial_csv`].

use super::Dialect;
use crate::engine::partial::Columns;

/// What the rows need to know.
pub struct Plan<'a> {
    pub d: Dialect,
    pub lit: &'a dyn Fn(&str) -> String,
    pub tt: &'static str,
    pub n_rules: usize,
    pub routes: usize,
    pub context: Vec<String>,
    pub policy_name: String,
    pub fingerprint: String,
    pub source: String,
    pub as_of: String,
    /// The zone offsetless timestamps were read in, when the report notes it (else empty).
    pub offset_zone: String,
    pub columns: Columns,
    /// Steps of time-based hand-offs ([`super::partials_hops`]) and who is a candidate.
    pub hop_steps: usize,
    pub hop_candidate: String,
    /// The column of `d` with each row's line in the CSV file, when the table has one.
    pub line: Option<&'static str>,
    /// The columns whose bad values count as empty (`bad_<name>` in `j`).
    pub bad: Vec<&'static str>,
    pub format: &'static str,
    pub version: u32,
    /// The histogram bucket of a seconds expression.
    pub duration: &'a dyn Fn(&str) -> String,
    /// Business seconds from the clock's start to the first human response (over `j`).
    pub business_first_response: String,
    /// True when a ticket was opened outside working hours (over `j`).
    pub outside_hours: String,
}

/// The final `SELECT`s, joined by `UNION ALL`, ending the query.
pub fn rows(p: &Plan) -> String {
    let tt = p.tt;
    let lit = p.lit;
    let cast = |e: &str| format!("CAST({e} AS {tt})");
    let by_id = match p.d {
        Dialect::Postgres => "id COLLATE \"C\"",
        _ => "id",
    };
    let mut out: Vec<String> = Vec::new();
    // A constant row.
    let mut constant = |section: &str, k1: &str, k2: &str, value: &str| {
        out.push(format!(
            "SELECT {} AS section, {} AS k1, {} AS k2, {} AS k3, {} AS value",
            cast(&lit(section)),
            cast(&lit(k1)),
            cast(&lit(k2)),
            cast(&lit("")),
            cast(&lit(value))
        ));
    };
    constant("meta", "format", "", p.format);
    constant("meta", "version", "", &p.version.to_string());
    constant("meta", "policy_name", "", &p.policy_name);
    constant("meta", "fingerprint", "", &p.fingerprint);
    constant("meta", "policy_source", "", &p.source);
    constant("meta", "as_of", "", &p.as_of);
    constant("meta", "offset_zone", "", &p.offset_zone);
    if p.line.is_some() {
        constant("meta", "lines", "", "yes");
    }
    for f in &p.columns.fields {
        constant("meta", "field", f, "");
    }
    for x in &p.columns.extras {
        constant("meta", "extra", x, "");
    }
    // A row computed over a step: keys and value are expressions.
    let computed = |section: &str, k1: &str, k2: &str, k3: &str, value: &str, rest: &str| {
        format!(
            "SELECT {} AS section, {} AS k1, {} AS k2, {} AS k3, {} AS value {rest}",
            cast(&lit(section)),
            cast(k1),
            cast(k2),
            cast(k3),
            cast(value)
        )
    };
    let e = lit("");
    let e = e.as_str();
    let decided = "FROM j WHERE 1 = 1";
    out.push(computed(
        "input",
        &lit("records"),
        e,
        e,
        "COUNT(*)",
        "FROM d",
    ));
    out.push(computed(
        "input",
        &lit("rejected"),
        e,
        e,
        "COUNT(rejected)",
        "FROM d",
    ));
    if let Some(line) = p.line {
        // The first rejected rows by line, as replay lists them, and how many have no line.
        let n = crate::engine::replay::REJECT_EXAMPLES;
        let at = format!("CAST({line} AS BIGINT)");
        out.push(computed(
            "rejected_example",
            "ln",
            "id",
            e,
            "rejected",
            &format!(
                "FROM (SELECT {at} AS ln, id, rejected, ROW_NUMBER() OVER (ORDER BY {at}) AS n FROM d WHERE rejected IS NOT NULL AND {line} IS NOT NULL) x WHERE n <= {n}"
            ),
        ));
        out.push(computed(
            "refuse",
            &lit("lines"),
            e,
            e,
            "COUNT(*)",
            &format!("FROM d WHERE rejected IS NOT NULL AND {line} IS NULL"),
        ));
    }
    out.push(computed(
        "input",
        &lit("offsetless"),
        e,
        e,
        "COALESCE(SUM(offsetless), 0)",
        decided,
    ));
    for name in &p.bad {
        out.push(computed(
            "bad",
            &lit(name),
            e,
            e,
            &format!("COALESCE(SUM(bad_{name}), 0)"),
            decided,
        ));
    }
    out.push(computed(
        "refuse",
        &lit("uncovered"),
        e,
        e,
        "COUNT(*)",
        &format!(
            "{decided} AND (v_fr = 9 OR v_res = 9{})",
            (1..=p.hop_steps)
                .map(|i| format!(" OR hop_{i} = 9"))
                .collect::<String>()
        ),
    ));
    out.push(computed(
        "refuse",
        &lit("timestamps"),
        e,
        e,
        "COALESCE(SUM(unread), 0)",
        decided,
    ));
    out.push(computed("tickets", e, e, e, "COUNT(*)", decided));
    out.push(computed(
        "by_route",
        "rk",
        e,
        e,
        "COUNT(*)",
        &format!("{decided} GROUP BY rk"),
    ));
    out.push(computed(
        "by_rule",
        "ri",
        e,
        e,
        "COUNT(*)",
        &format!("{decided} GROUP BY ri"),
    ));
    for i in 0..p.n_rules {
        out.push(computed(
            "matched",
            &i.to_string(),
            e,
            e,
            &format!("COALESCE(SUM(m_{i}), 0)"),
            decided,
        ));
    }
    out.push(computed(
        "by_reason",
        "reason_kind",
        e,
        e,
        "COUNT(*)",
        &format!("{decided} AND rk > 0 GROUP BY reason_kind"),
    ));
    let known = format!("{decided} AND hist = 'k'");
    out.push(computed("history", &lit("known"), e, e, "COUNT(*)", &known));
    out.push(computed(
        "history",
        &lit("unresolved"),
        e,
        e,
        "COUNT(*)",
        &format!("{decided} AND hist = 'r'"),
    ));
    out.push(computed(
        "confusion",
        "rk",
        "outcome",
        e,
        "COUNT(*)",
        &format!("{known} GROUP BY rk, outcome"),
    ));
    out.push(computed(
        "example",
        "rk",
        "outcome",
        "id",
        e,
        &format!(
            "FROM (SELECT rk, outcome, id, ROW_NUMBER() OVER (PARTITION BY rk, outcome ORDER BY {by_id}) AS n {known}) x WHERE n <= 5"
        ),
    ));
    let sum = |cond: &str| format!("COALESCE(SUM(CASE WHEN {cond} THEN 1 ELSE 0 END), 0)");
    let fit = "rk > 0 AND hesc = 1 AND hrank > 0";
    let not_reopened = "(reopened IS NULL OR reopened = 0)";
    for (name, cond) in [
        ("history_escalated", "hesc = 1".to_string()),
        ("policy_escalated_known", "rk > 0".into()),
        ("missed", "rk = 0 AND hesc = 1".into()),
        (
            "unneeded",
            format!("rk > 0 AND hesc = 0 AND {not_reopened}"),
        ),
        ("fit_known", fit.into()),
        ("right_tier", format!("{fit} AND rk = hrank")),
        ("under_routed", format!("{fit} AND rk < hrank")),
        ("over_routed", format!("{fit} AND rk > hrank")),
        (
            "reassignments_known",
            format!("{fit} AND reassign IS NOT NULL"),
        ),
        ("no_reassignment", format!("{fit} AND reassign = 0")),
    ] {
        out.push(computed("agreement", &lit(name), e, e, &sum(&cond), &known));
    }
    let contained = format!("hist = 'k' AND hesc = 0 AND {not_reopened}");
    out.push(computed("quality", &lit("known"), e, e, "COUNT(*)", &known));
    out.push(computed(
        "quality",
        &lit("contained"),
        e,
        e,
        &sum(&contained),
        decided,
    ));
    out.push(computed(
        "quality",
        &lit("projected_contained"),
        e,
        e,
        &sum(&format!("{contained} AND rk = 0")),
        decided,
    ));
    for (side, key, rest) in [
        ("quality_policy", "rk", decided.to_string()),
        ("quality_history", "outcome", known.clone()),
    ] {
        for (name, value) in [
            ("known", sum("hist = 'k'")),
            ("contained", sum(&contained)),
            ("csat_n", "COUNT(csat_milli)".into()),
            ("csat_milli", "COALESCE(SUM(csat_milli), 0)".into()),
        ] {
            out.push(computed(
                side,
                key,
                &lit(name),
                e,
                &value,
                &format!("{rest} GROUP BY {key}"),
            ));
        }
    }
    // Durations: histogram buckets.
    let answered =
        format!("{decided} AND clock_start IS NOT NULL AND e_first_human_response_at IS NOT NULL");
    let forward = format!("{answered} AND e_first_human_response_at >= clock_start");
    let histogram = |name: &str, seconds: &str, rest: &str| -> String {
        let b = (p.duration)("x");
        format!(
            "SELECT {} AS section, {} AS k1, {} AS k2, {} AS k3, {} AS value FROM (SELECT {b} AS b FROM (SELECT {seconds} AS x {rest}) y) z GROUP BY b",
            cast(&lit("duration")),
            cast(&lit(name)),
            cast("b"),
            cast(&lit("")),
            cast("COUNT(*)")
        )
    };
    out.push(histogram(
        "first_response_wall",
        "e_first_human_response_at - clock_start",
        &forward,
    ));
    out.push(histogram(
        "first_response_business",
        &p.business_first_response,
        &forward,
    ));
    let resolved = format!(
        "{decided} AND e_created_at IS NOT NULL AND e_resolved_at IS NOT NULL AND e_resolved_at >= e_created_at"
    );
    out.push(histogram(
        "resolution_escalated",
        "e_resolved_at - e_created_at",
        &format!("{resolved} AND rk > 0"),
    ));
    out.push(histogram(
        "resolution_not_escalated",
        "e_resolved_at - e_created_at",
        &format!("{resolved} AND rk = 0"),
    ));
    let outside = &p.outside_hours;
    out.push(computed(
        "count",
        &lit("opened_outside_hours"),
        e,
        e,
        &sum(outside),
        &forward,
    ));
    out.push(computed(
        "count",
        &lit("first_response_negative"),
        e,
        e,
        "COUNT(*)",
        &format!("{answered} AND e_first_human_response_at < clock_start"),
    ));
    out.push(computed(
        "count",
        &lit("resolution_negative"),
        e,
        e,
        "COUNT(*)",
        &format!(
            "{decided} AND e_created_at IS NOT NULL AND e_resolved_at IS NOT NULL AND e_resolved_at < e_created_at"
        ),
    ));
    // SLA tallies, skips and the worst breaches.
    for (target, name) in [(0, "fr"), (1, "res")] {
        out.push(computed(
            "sla",
            "rk",
            "pi",
            &format!("{} || CAST(v_{name} AS {tt})", lit(&format!("{target}:"))),
            "COUNT(*)",
            &format!("{decided} AND v_{name} IN (1, 2, 3, 4) GROUP BY rk, pi, v_{name}"),
        ));
    }
    out.push(computed(
        "sla_skipped",
        "skip",
        e,
        e,
        "COUNT(*)",
        &format!("{decided} AND skip IS NOT NULL GROUP BY skip"),
    ));
    let breaches = format!(
        "SELECT id, rk, pi, 0 AS target, o_fr AS overshoot, u_fr AS unanswered {decided} AND v_fr = 2 UNION ALL SELECT id, rk, pi, 1, o_res, u_res {decided} AND v_res = 2"
    );
    out.push(computed(
        "worst",
        "id",
        &format!(
            "CAST(rk AS {tt}) || ':' || CAST(pi AS {tt}) || ':' || CAST(target AS {tt}) || ':' || CAST(unanswered AS {tt})"
        ),
        e,
        "overshoot",
        &format!(
            "FROM (SELECT b.*, ROW_NUMBER() OVER (ORDER BY overshoot DESC, {by_id}, target, rk, pi, unanswered) AS n FROM ({breaches}) b) w WHERE n <= 5"
        ),
    ));
    // Context, time-based hand-offs, load.
    if !p.context.is_empty() {
        let escalated = format!("{decided} AND rk > 0");
        out.push(computed(
            "context",
            &lit("checked"),
            e,
            e,
            "COUNT(*)",
            &escalated,
        ));
        let all_there: Vec<String> = (0..p.context.len())
            .map(|j| format!("miss_{j} = 0"))
            .collect();
        out.push(computed(
            "context",
            &lit("complete"),
            e,
            e,
            &sum(&all_there.join(" AND ")),
            &escalated,
        ));
        for (j, name) in p.context.iter().enumerate() {
            out.push(computed(
                "context_missing",
                &lit(name),
                e,
                e,
                &format!("COALESCE(SUM(miss_{j}), 0)"),
                &escalated,
            ));
        }
    }
    out.push(computed(
        "hops",
        &lit("candidates"),
        e,
        e,
        &sum(&p.hop_candidate),
        decided,
    ));
    if p.hop_steps > 0 {
        out.push(computed(
            "hops",
            &lit("escalated"),
            e,
            e,
            &sum("hop_1 = 1"),
            decided,
        ));
        let steps: Vec<String> = (1..=p.hop_steps)
            .map(|i| format!("SELECT hf_{i} AS hf, ht_{i} AS ht {decided} AND hop_{i} = 1"))
            .collect();
        out.push(computed(
            "hop",
            "hf",
            "ht",
            e,
            "COUNT(*)",
            &format!("FROM ({}) hh GROUP BY hf, ht", steps.join(" UNION ALL ")),
        ));
    }
    out.push(computed(
        "load",
        "rk",
        "q",
        e,
        "COUNT(*)",
        &format!(
            "FROM (SELECT rk, CAST(FLOOR(e_created_at / 900.0) AS BIGINT) AS q {decided} AND e_created_at IS NOT NULL) l GROUP BY rk, q"
        ),
    ));
    out.push(computed(
        "load_span",
        "MIN(e_created_at)",
        "MAX(e_created_at)",
        e,
        "COUNT(e_created_at)",
        decided,
    ));
    let _ = p.routes;
    out.join("\nUNION ALL\n") + "\n"
}
