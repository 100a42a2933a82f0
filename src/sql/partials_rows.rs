//! The rows of the partials query ([`super::partials`]): its last steps and its final
//! `SELECT`, over the step `j` (one row per decided ticket, typed) and `d` (the decisions,
//! rejected rows too). Every column of the result is text: `section, k1, k2, k3, value`. The
//! sections are read back by [`crate::engine::partial_csv`].
//!
//! `j` is read once (Spark plans every reading of a step anew, DataFusion runs it anew):
//! - `jw`: `j` with the window ranks (the examples per agreement cell, the worst breaches
//!   per target) and the seconds of each duration;
//! - `ju`: `jw` crossed with a constant table of figures, one row per ticket and grouped
//!   figure it counts in (its keys and its weight), plus one row per ticket (figure 0)
//!   carrying each scalar figure's term, and one empty figure-0 row so the scalars exist
//!   when no ticket does;
//! - `jg`: `ju` summed per figure and keys (the ranked rows stay one per group);
//! - `dn`: the counts of `d` (one row);
//! - the final `SELECT` reads `jg` and `dn` once: the grouped rows as they are, the scalars
//!   unpivoted (crossed with a constant table of their numbers), the worst breaches ranked.

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

/// The steps after `j` and the final `SELECT` that ends the query.
pub struct Rows {
    pub ctes: Vec<String>,
    pub select: String,
}

/// A figure of one value per report: an aggregate over the figure-0 rows of `ju`.
struct Scalar {
    section: &'static str,
    key: String,
    /// The term each ticket adds (over `jw`); NULL adds nothing.
    term: String,
}

/// A figure with keys: one row of the result per distinct keys (texts, over `jw`).
struct Grouped {
    section: &'static str,
    keys: [String; 3],
    /// The tickets it counts.
    filter: String,
    /// What each adds to the value.
    weight: String,
}

/// A scalar row of the result: section, k1, k2 and value (over `jg` and `dn`).
type ScalarRow<'a> = (&'a str, String, String, String);

/// How `ju` and the final `SELECT` name a figure: 0 the scalars, then the grouped ones.
const SCALARS: usize = 0;

/// The final rows, joined by `UNION ALL`, with the steps they read.
pub fn rows(p: &Plan) -> Rows {
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
    let flag = |cond: &str| format!("CASE WHEN {cond} THEN 1 ELSE 0 END");
    let known = "hist = 'k'";
    let mut scalars: Vec<Scalar> = Vec::new();
    // Each returns the figure's index.
    let mut scalar = |section: &'static str, key: &str, term: String| {
        scalars.push(Scalar {
            section,
            key: key.to_string(),
            term,
        });
        scalars.len() - 1
    };
    scalar("input", "offsetless", "offsetless".into());
    for name in &p.bad {
        scalar("bad", name, format!("bad_{name}"));
    }
    let uncovered = format!(
        "v_fr = 9 OR v_res = 9{}",
        (1..=p.hop_steps)
            .map(|i| format!(" OR hop_{i} = 9"))
            .collect::<String>()
    );
    scalar("refuse", "uncovered", flag(&uncovered));
    scalar("refuse", "timestamps", "unread".into());
    scalar("tickets", "", "1".into());
    for i in 0..p.n_rules {
        scalar("matched", &i.to_string(), format!("m_{i}"));
    }
    scalar("history", "known", flag(known));
    scalar("history", "unresolved", flag("hist = 'r'"));
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
        scalar("agreement", name, flag(&format!("{known} AND {cond}")));
    }
    let contained = format!("hist = 'k' AND hesc = 0 AND {not_reopened}");
    scalar("quality", "known", flag(known));
    scalar("quality", "contained", flag(&contained));
    scalar(
        "quality",
        "projected_contained",
        flag(&format!("{contained} AND rk = 0")),
    );
    let answered = "clock_start IS NOT NULL AND e_first_human_response_at IS NOT NULL";
    let forward = format!("{answered} AND e_first_human_response_at >= clock_start");
    scalar(
        "count",
        "opened_outside_hours",
        flag(&format!("{forward} AND {}", p.outside_hours)),
    );
    scalar(
        "count",
        "first_response_negative",
        flag(&format!(
            "{answered} AND e_first_human_response_at < clock_start"
        )),
    );
    let both = "e_created_at IS NOT NULL AND e_resolved_at IS NOT NULL";
    scalar(
        "count",
        "resolution_negative",
        flag(&format!("{both} AND e_resolved_at < e_created_at")),
    );
    if !p.context.is_empty() {
        scalar("context", "checked", flag("rk > 0"));
        let all_there: Vec<String> = (0..p.context.len())
            .map(|j| format!("miss_{j} = 0"))
            .collect();
        scalar(
            "context",
            "complete",
            flag(&format!("rk > 0 AND {}", all_there.join(" AND "))),
        );
        for (j, name) in p.context.iter().enumerate() {
            scalar(
                "context_missing",
                name,
                format!("CASE WHEN rk > 0 THEN miss_{j} END"),
            );
        }
    }
    scalar("hops", "candidates", flag(&p.hop_candidate));
    if p.hop_steps > 0 {
        scalar("hops", "escalated", flag("hop_1 = 1"));
    }
    let load_span = scalar("load_span", "", flag("e_created_at IS NOT NULL"));

    // The grouped figures.
    let e = lit("");
    let mut grouped: Vec<Grouped> = Vec::new();
    let mut group = |section: &'static str, keys: [&str; 3], filter: &str, weight: &str| {
        grouped.push(Grouped {
            section,
            keys: keys.map(cast),
            filter: filter.to_string(),
            weight: weight.to_string(),
        });
        grouped.len()
    };
    group("by_route", ["rk", &e, &e], "TRUE", "1");
    group("by_rule", ["ri", &e, &e], "TRUE", "1");
    group("by_reason", ["reason_kind", &e, &e], "rk > 0", "1");
    group("confusion", ["rk", "outcome", &e], known, "1");
    let examples = group(
        "example",
        ["rk", "outcome", "id"],
        &format!("{known} AND z_ex <= 5"),
        "z_ex",
    );
    for (side, k, filter) in [
        ("quality_policy", "rk", "TRUE"),
        ("quality_history", "outcome", known),
    ] {
        for (name, weight) in [
            ("known", flag(known)),
            ("contained", flag(&contained)),
            ("csat_n", flag("csat_milli IS NOT NULL")),
            ("csat_milli", "COALESCE(csat_milli, 0)".into()),
        ] {
            group(side, [k, &lit(name), &e], filter, &weight);
        }
    }
    // Durations: histogram buckets of the seconds `jw` computes (z_d1 … z_d4).
    let resolved = format!("{both} AND e_resolved_at >= e_created_at");
    let durations = [
        (
            "first_response_wall",
            "e_first_human_response_at - clock_start".to_string(),
            forward.clone(),
        ),
        (
            "first_response_business",
            p.business_first_response.clone(),
            forward.clone(),
        ),
        (
            "resolution_escalated",
            "e_resolved_at - e_created_at".into(),
            format!("{resolved} AND rk > 0"),
        ),
        (
            "resolution_not_escalated",
            "e_resolved_at - e_created_at".into(),
            format!("{resolved} AND rk = 0"),
        ),
    ];
    for (i, (name, _, filter)) in durations.iter().enumerate() {
        let bucket = (p.duration)(&format!("z_d{}", i + 1));
        group("duration", [&lit(name), &bucket, &e], filter, "1");
    }
    // SLA tallies and skips.
    for (target, name) in [(0, "fr"), (1, "res")] {
        let verdict = format!("{} || CAST(v_{name} AS {tt})", lit(&format!("{target}:")));
        group(
            "sla",
            ["rk", "pi", &verdict],
            &format!("v_{name} IN (1, 2, 3, 4)"),
            "1",
        );
    }
    group("sla_skipped", ["skip", &e, &e], "skip IS NOT NULL", "1");
    // The worst breaches' candidates: the five worst of each target (the five worst of both
    // are among them); ranked again in the final `SELECT`.
    let mut worst = [0; 2];
    for (target, name, rank) in [(0, "fr", "z_wf"), (1, "res", "z_wr")] {
        worst[target] = group(
            "worst",
            [
                "id",
                &format!(
                    "CAST(rk AS {tt}) || ':' || CAST(pi AS {tt}) || ':' || {} || ':' || CAST(u_{name} AS {tt})",
                    lit(&target.to_string())
                ),
                &e,
            ],
            &format!("v_{name} = 2 AND {rank} <= 5"),
            &format!("o_{name}"),
        );
    }
    // Time-based hand-offs: every step's hops in one figure.
    let mut hop = usize::MAX;
    for i in 1..=p.hop_steps {
        hop = hop.min(group(
            "hop",
            [&format!("hf_{i}"), &format!("ht_{i}"), &e],
            &format!("hop_{i} = 1"),
            "1",
        ));
    }
    group(
        "load",
        ["rk", "CAST(FLOOR(e_created_at / 900.0) AS BIGINT)", &e],
        "e_created_at IS NOT NULL",
        "1",
    );
    // The figure of each row of `ju`: the hop steps share one.
    let figure = |n: usize| -> usize {
        if n >= hop && n < hop + p.hop_steps {
            hop
        } else {
            n
        }
    };

    // jw: the window ranks and the durations' seconds.
    let worst_rank = |name: &str| {
        format!(
            "ROW_NUMBER() OVER (PARTITION BY CASE WHEN v_{name} = 2 THEN 1 ELSE 0 END ORDER BY o_{name} DESC, {by_id}, rk, pi, u_{name})"
        )
    };
    let mut jw = vec![
        "j.*".to_string(),
        format!("ROW_NUMBER() OVER (PARTITION BY hist, rk, outcome ORDER BY {by_id}) AS z_ex"),
        format!("{} AS z_wf", worst_rank("fr")),
        format!("{} AS z_wr", worst_rank("res")),
    ];
    for (i, (_, seconds, _)) in durations.iter().enumerate() {
        jw.push(format!("{seconds} AS z_d{}", i + 1));
    }

    // ju: one row per ticket and figure it counts in.
    let numbers = |n: usize| -> String {
        (0..=n)
            .map(|i| {
                if i == 0 {
                    "SELECT 0 AS n".to_string()
                } else {
                    format!("SELECT {i}")
                }
            })
            .collect::<Vec<_>>()
            .join(" UNION ALL ")
    };
    let arms = |pick: &dyn Fn(&Grouped) -> String| -> String {
        grouped
            .iter()
            .enumerate()
            .map(|(i, g)| format!("WHEN {} THEN {}", i + 1, pick(g)))
            .collect::<Vec<_>>()
            .join(" ")
    };
    let figures: Vec<String> = (0..=grouped.len())
        .map(|n| format!("WHEN {n} THEN {}", figure(n)))
        .collect();
    let mut ju = vec![
        format!("CASE fig.n {} END AS fg", figures.join(" ")),
        format!("CASE fig.n {} END AS k1", arms(&|g| g.keys[0].clone())),
        format!("CASE fig.n {} END AS k2", arms(&|g| g.keys[1].clone())),
        format!("CASE fig.n {} END AS k3", arms(&|g| g.keys[2].clone())),
        format!(
            "CASE fig.n {} END AS kx",
            [examples, worst[0], worst[1]]
                .iter()
                .zip(["z_ex", "z_wf", "z_wr"])
                .map(|(n, rank)| format!("WHEN {n} THEN {rank}"))
                .collect::<Vec<_>>()
                .join(" ")
        ),
        format!("CASE fig.n {} END AS w", arms(&|g| g.weight.clone())),
        format!(
            "CASE fig.n WHEN {} THEN 0 WHEN {} THEN 1 END AS wt",
            worst[0], worst[1]
        ),
        "rk AS wrk".into(),
        "pi AS wpi".into(),
        format!(
            "CASE fig.n WHEN {} THEN u_fr WHEN {} THEN u_res END AS wu",
            worst[0], worst[1]
        ),
    ];
    for (i, s) in scalars.iter().enumerate() {
        ju.push(format!(
            "CASE WHEN fig.n = {SCALARS} THEN {} END AS s_{i}",
            s.term
        ));
    }
    ju.push(format!(
        "CASE WHEN fig.n = {SCALARS} AND e_created_at IS NOT NULL THEN e_created_at END AS s_min"
    ));
    ju.push(format!(
        "CASE WHEN fig.n = {SCALARS} AND e_created_at IS NOT NULL THEN e_created_at END AS s_max"
    ));
    let filters: Vec<String> = grouped
        .iter()
        .enumerate()
        .map(|(i, g)| format!("WHEN {} THEN {}", i + 1, g.filter))
        .collect();
    let null_text = format!("CAST(NULL AS {tt})");
    let mut empty = vec![
        format!("{SCALARS}"),
        null_text.clone(),
        null_text.clone(),
        null_text.clone(),
        "CAST(NULL AS BIGINT)".into(),
        "CAST(NULL AS BIGINT)".into(),
        "CAST(NULL AS BIGINT)".into(),
        "CAST(NULL AS BIGINT)".into(),
        "CAST(NULL AS BIGINT)".into(),
        "CAST(NULL AS BIGINT)".into(),
    ];
    empty.extend((0..scalars.len() + 2).map(|_| "CAST(NULL AS BIGINT)".to_string()));

    // jg: the sums.
    let mut jg = vec![
        "fg".to_string(),
        "k1".into(),
        "k2".into(),
        "k3".into(),
        "kx".into(),
        "SUM(w) AS w".into(),
        "MIN(wt) AS wt".into(),
        "MIN(wrk) AS wrk".into(),
        "MIN(wpi) AS wpi".into(),
        "MIN(wu) AS wu".into(),
    ];
    jg.extend((0..scalars.len()).map(|i| format!("COALESCE(SUM(s_{i}), 0) AS s_{i}")));
    jg.push("MIN(s_min) AS s_min".into());
    jg.push("MAX(s_max) AS s_max".into());

    // dn: the counts of `d`.
    let mut dn = vec![
        "COUNT(*) AS records".to_string(),
        "COUNT(rejected) AS rejected".into(),
    ];
    if let Some(line) = p.line {
        dn.push(format!(
            "COALESCE(SUM(CASE WHEN rejected IS NOT NULL AND {line} IS NULL THEN 1 ELSE 0 END), 0) AS unlined"
        ));
    }

    // The final rows of `jg` and `dn`: `c` = 0 the grouped rows, else the scalar `c`.
    let mut extra: Vec<ScalarRow> = vec![
        ("input", lit("records"), e.clone(), "dn.records".into()),
        ("input", lit("rejected"), e.clone(), "dn.rejected".into()),
    ];
    if p.line.is_some() {
        extra.push(("refuse", lit("lines"), e.clone(), "dn.unlined".into()));
    }
    let mut scalar_rows: Vec<ScalarRow> = extra;
    for (i, s) in scalars.iter().enumerate() {
        let (k1, k2) = if i == load_span {
            ("jg.s_min".to_string(), "jg.s_max".to_string())
        } else {
            (lit(&s.key), e.clone())
        };
        scalar_rows.push((s.section, k1, k2, format!("jg.s_{i}")));
    }
    let scalar_arms = |pick: &dyn Fn(&ScalarRow) -> String| -> String {
        scalar_rows
            .iter()
            .enumerate()
            .map(|(i, r)| format!("WHEN {} THEN {}", i + 1, pick(r)))
            .collect::<Vec<_>>()
            .join(" ")
    };
    let grouped_section: Vec<String> = grouped
        .iter()
        .enumerate()
        .map(|(i, g)| format!("WHEN {} THEN {}", i + 1, cast(&lit(g.section))))
        .collect();
    let is_worst = format!("jg.fg IN ({}, {})", worst[0], worst[1]);
    let last = format!(
        "SELECT section, k1, k2, k3, value FROM (SELECT CASE WHEN c.n = 0 THEN CASE jg.fg {} END ELSE CASE c.n {} END END AS section, CASE WHEN c.n = 0 THEN jg.k1 ELSE CASE c.n {} END END AS k1, CASE WHEN c.n = 0 THEN jg.k2 ELSE CASE c.n {} END END AS k2, CASE WHEN c.n = 0 THEN jg.k3 ELSE {} END AS k3, CASE WHEN c.n = 0 THEN CASE WHEN jg.fg = {examples} THEN {} ELSE {} END ELSE CASE c.n {} END END AS value, CASE WHEN c.n = 0 AND {is_worst} THEN 1 ELSE 0 END AS ranked, ROW_NUMBER() OVER (PARTITION BY CASE WHEN c.n = 0 AND {is_worst} THEN 1 ELSE 0 END ORDER BY jg.w DESC, jg.k1{}, jg.wt, jg.wrk, jg.wpi, jg.wu) AS rn FROM jg CROSS JOIN dn CROSS JOIN ({}) c WHERE (jg.fg > {SCALARS} AND c.n = 0) OR (jg.fg = {SCALARS} AND c.n > 0)) z WHERE ranked = 0 OR rn <= 5",
        grouped_section.join(" "),
        scalar_arms(&|r| cast(&lit(r.0))),
        scalar_arms(&|r| cast(&r.1)),
        scalar_arms(&|r| cast(&r.2)),
        cast(&e),
        cast(&e),
        cast("jg.w"),
        scalar_arms(&|r| cast(&r.3)),
        if p.d == Dialect::Postgres {
            " COLLATE \"C\""
        } else {
            ""
        },
        numbers(scalar_rows.len()),
    );
    out.push(last);
    if let Some(line) = p.line {
        // The first rejected rows by line, as replay lists them.
        let n = crate::engine::replay::REJECT_EXAMPLES;
        let at = format!("CAST({line} AS BIGINT)");
        out.push(format!(
            "SELECT {} AS section, {} AS k1, {} AS k2, {} AS k3, {} AS value FROM (SELECT {at} AS ln, id, rejected, ROW_NUMBER() OVER (ORDER BY {at}) AS n FROM d WHERE rejected IS NOT NULL AND {line} IS NOT NULL) x WHERE n <= {n}",
            cast(&lit("rejected_example")),
            cast("ln"),
            cast("id"),
            cast(&e),
            cast("rejected")
        ));
    }
    let _ = p.routes;

    let indent = |items: &[String]| items.join(",\n    ");
    let ctes = vec![
        format!("jw AS (\n  SELECT\n    {}\n  FROM j\n)", indent(&jw)),
        format!(
            "ju AS (\n  SELECT\n    {}\n  FROM jw CROSS JOIN ({}) fig\n  WHERE CASE fig.n WHEN {SCALARS} THEN TRUE {} END\n  UNION ALL SELECT {}\n)",
            indent(&ju),
            numbers(grouped.len()),
            filters.join(" "),
            empty.join(", ")
        ),
        format!(
            "jg AS (\n  SELECT\n    {}\n  FROM ju\n  GROUP BY fg, k1, k2, k3, kx\n)",
            indent(&jg)
        ),
        format!("dn AS (\n  SELECT {} FROM d\n)", dn.join(", ")),
    ];
    Rows {
        ctes,
        select: out.join("\nUNION ALL\n") + "\n",
    }
}
