//! `--format html` and the headline (issue 13): every figure on a page equals the same run's
//! JSON, every page is self-contained and holds its charts, every user string is escaped, and
//! the headline and the `load` section are what the report says, derived by hand.

use std::collections::BTreeSet;
use std::path::Path;

use serde_json::Value;

mod html_common;

use html_common::{chart_titles, checked_figures, figures, json_and_html, root, stdout};

const EXAMPLE: [&str; 5] = [
    "replay",
    "--policy",
    "policies/support.yaml",
    "--tickets",
    "examples/support-tickets.csv",
];
const DIFF: [&str; 5] = [
    "diff",
    "policies/support.yaml",
    "fixtures/diff/support-proposed.yaml",
    "--tickets",
    "examples/support-tickets.csv",
];
const SWEEP: [&str; 17] = [
    "sweep",
    "--policy",
    "policies/support.yaml",
    "--tickets",
    "examples/support-tickets.csv",
    "--rule",
    "low-confidence",
    "--param",
    "confidence.below",
    "--from",
    "0.5",
    "--to",
    "0.95",
    "--step",
    "0.05",
    "--max-escalation-rate",
    "0.4",
];

/// Each figure on the page is the JSON's number at its pointer; returns how many there are.
fn assert_figures_equal_json(json: &Value, html: &str) -> usize {
    checked_figures(json, html).len()
}

/// Nothing is fetched: no script, no external source, style or font; the only absolute links
/// are to the definitions in docs/replay.md (and docs/capacity.md for capacity and quality,
/// whose anchors `tests/html_capacity.rs` checks).
fn assert_self_contained(html: &str) {
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(html.trim_end().ends_with("</html>"));
    for banned in [
        "<script", "<link", "<iframe", "<img", "<object", "@import", "url(",
    ] {
        assert!(!html.contains(banned), "the page holds `{banned}`");
    }
    // No tag loads anything (an escaped `src=` in a ticket id is text, not an attribute).
    let source = regex::Regex::new(r"<[^<>]*\s(src|srcset|data)=").unwrap();
    assert!(!source.is_match(html), "a tag with a source");
    let docs = concat!(env!("CARGO_PKG_REPOSITORY"), "/blob/main/docs/replay.md#");
    let href = regex::Regex::new(r#"href="([^"]*)""#).unwrap();
    let capacity = concat!(env!("CARGO_PKG_REPOSITORY"), "/blob/main/docs/capacity.md#");
    for link in href.captures_iter(html) {
        assert!(
            link[1].starts_with(docs) || link[1].starts_with(capacity),
            "link to `{}`",
            &link[1]
        );
    }
}

/// Every definition the page links to is an anchor of docs/replay.md (a heading's slug or an
/// `<a id>`).
fn assert_definitions_exist(html: &str) {
    let doc = std::fs::read_to_string(root().join("docs/replay.md")).unwrap();
    let mut anchors: BTreeSet<String> = regex::Regex::new(r#"<a id="([^"]+)"></a>"#)
        .unwrap()
        .captures_iter(&doc)
        .map(|c| c[1].to_string())
        .collect();
    for heading in doc.lines().filter(|l| l.starts_with('#')) {
        let slug: String = heading
            .trim_start_matches('#')
            .trim()
            .to_lowercase()
            .chars()
            .filter(|c| c.is_alphanumeric() || *c == ' ' || *c == '-' || *c == '_')
            .map(|c| if c == ' ' { '-' } else { c })
            .collect();
        anchors.insert(slug);
    }
    let links = regex::Regex::new(r#"docs/replay\.md#([^"]+)""#).unwrap();
    let mut linked = 0;
    for link in links.captures_iter(html) {
        linked += 1;
        assert!(anchors.contains(&link[1]), "no anchor `{}`", &link[1]);
    }
    assert!(linked >= 3, "the page links to its definitions");
}

#[test]
fn replay_page_shows_the_json_figures_and_its_charts() {
    let (json, html) = json_and_html(&EXAMPLE);
    let count = assert_figures_equal_json(&json, &html);
    assert!(count > 100, "only {count} figures on the page");
    let pointers: BTreeSet<String> = figures(&html).into_iter().map(|f| f.0).collect();
    for pointer in [
        "/headline/escalation_rate/value",
        "/headline/missed_escalation_rate/value",
        "/headline/unneeded_escalation_rate/value",
        "/headline/projected_fcr/value",
        "/headline/over_routed_rate/value",
        "/headline/sla_first_response_met/value",
        "/headline/sla_resolution_met/value",
        "/headline/tickets_per_tier_per_day/by_tier/L1/per_day",
        "/report/sla_by_tier_priority/0/first_response_met/value",
        "/report/load/by_tier/L1/0/9",
        "/report/resolution_time/escalated/median_seconds",
        "/report/worst_breaches/0/overshoot_seconds",
        "/report/rule_coverage/0/deciding",
    ] {
        assert!(
            pointers.contains(pointer),
            "no figure `{pointer}` on the page"
        );
    }
    // The escalation rate as people read it, next to its n.
    assert!(html.contains(r#"data-value="0.4267">42.7%</div><div class="n">(128/300)</div>"#));
    assert_eq!(
        chart_titles(&html),
        [
            "Flow of tickets AI → tiers under the policy",
            "Flow of tickets: policy route → where history resolved them (296 tickets with a known outcome)",
            "SLA first response met by tier × priority",
            "SLA resolution met by tier × priority",
            "Tickets to ai by hour of the week",
            "Tickets to L1 by hour of the week",
            "Tickets to L2 by hour of the week",
            "Tickets to L3 by hour of the week",
            "Resolution time, escalated vs kept by the AI (median and p90)",
            "CSAT by route, policy vs history (mean score)",
        ]
    );
    for section in [
        "headline",
        "flow",
        "sla",
        "load",
        "resolution",
        "quality",
        "breaches",
        "coverage",
    ] {
        assert!(
            html.contains(&format!(r#"<section id="{section}">"#)),
            "{section}"
        );
    }
    assert!(html.contains("@media print"));
    assert_self_contained(&html);
    assert_definitions_exist(&html);
}

#[test]
fn by_groups_are_on_the_page() {
    let mut args = EXAMPLE.to_vec();
    args.extend(["--by", "channel"]);
    let (json, html) = json_and_html(&args);
    assert_figures_equal_json(&json, &html);
    assert!(html.contains(r#"<section id="by">"#));
    assert!(html.contains(r#"data-figure="/by/groups/chat/escalation_rate/value""#));
}

#[test]
fn diff_page_shows_before_after_and_the_transition_matrix() {
    let (json, html) = json_and_html(&DIFF);
    let count = assert_figures_equal_json(&json, &html);
    assert!(count > 40, "only {count} figures on the page");
    let pointers: BTreeSet<String> = figures(&html).into_iter().map(|f| f.0).collect();
    for pointer in [
        "/headline/old/escalation_rate/value",
        "/headline/new/escalation_rate/value",
        "/headline/delta/escalation_rate",
        "/headline/delta/tickets_per_tier_per_day.L1",
        "/transitions/L1/ai",
        "/tickets_changed",
        "/delta/escalation_by_tier.L1",
    ] {
        assert!(
            pointers.contains(pointer),
            "no figure `{pointer}` on the page"
        );
    }
    assert_eq!(
        chart_titles(&html),
        [
            "Routing transitions: old route (rows) → new route (columns)",
            "Flow of tickets AI → tiers before ('support-default')",
            "Flow of tickets AI → tiers after ('support-proposed')",
        ]
    );
    assert_self_contained(&html);
    assert_definitions_exist(&html);
}

#[test]
fn sweep_page_marks_the_recommended_value_on_its_curve() {
    let (json, html) = json_and_html(&SWEEP);
    let count = assert_figures_equal_json(&json, &html);
    assert!(count > 60, "only {count} figures on the page");
    assert_eq!(json["headline"]["value"], serde_json::json!(0.75));
    assert!(html.contains(r#"data-figure="/headline/value" data-value="0.75""#));
    assert!(html.contains(r#"data-figure="/headline/figures/escalation_rate/value""#));
    assert_eq!(
        chart_titles(&html),
        ["Escalation rate and missed escalations by confidence.below in rule 'low-confidence'"]
    );
    assert!(html.contains(r#"class="marked""#) && html.contains("recommended 0.75"));
    assert_self_contained(&html);
    assert_definitions_exist(&html);
}

#[test]
fn html_goes_to_the_output_file() {
    let dir = tempfile::tempdir().unwrap();
    for (args, name) in [
        (&EXAMPLE[..], "replay.html"),
        (&DIFF[..], "diff.html"),
        (&SWEEP[..], "sweep.html"),
    ] {
        let path = dir.path().join(name);
        let path_text = path.to_string_lossy().into_owned();
        let mut all = args.to_vec();
        all.extend(["--format", "html", "-o", &path_text]);
        assert_eq!(stdout(&all), "", "{name}: nothing on stdout");
        let page = std::fs::read_to_string(&path).unwrap();
        assert!(page.starts_with("<!DOCTYPE html>"), "{name}");
    }
}

const HOSTILE_POLICY: &str = r#"version: 1
name: "<b>hostile</b>"
calendar:
  timezone: America/New_York
  hours: { mon-fri: "09:00-17:00" }
priorities: [urgent, normal]
default_priority: normal
teams:
  desk: { members: [ana], lead: dana }
tiers:
  L1:
    owner: desk
    raci: { responsible: [desk], accountable: dana }
    sla:
      urgent: { first_response: 15m, resolution: 4h }
      normal: { first_response: 1h, resolution: 8h }
context:
  required: [conversation]
rules:
  - id: "<script>alert`1`</script>"
    kind: reactive
    when: { requested_human: true }
    route: L1
  - id: "low&confidence"
    when: { confidence: { below: 0.5 } }
    route: L1
default: ai
"#;

/// Monday 09:00 UTC (04:00 in New York), Tuesday 10:30 UTC (05:30), Wednesday 23:30 UTC
/// (18:30): the first and last are routed to L1, the second stays with the AI.
const HOSTILE_TICKETS: &str = "id,created_at,confidence,requested_human,first_human_response_at,resolved_at,resolved_tier,conversation\n\
\"<img src=x onerror=alert(2)>\",2026-03-02T09:00:00Z,0.3,true,2026-03-03T12:00:00Z,2026-03-04T12:00:00Z,L1,yes\n\
T2,2026-03-03T10:30:00Z,0.9,false,,2026-03-03T11:00:00Z,ai,\n\
T3,2026-03-04T23:30:00Z,0.2,false,2026-03-05T14:10:00Z,2026-03-05T15:00:00Z,L1,yes\n";

fn hostile(dir: &Path) -> [String; 4] {
    let policy = dir.join("policy.yaml");
    let tickets = dir.join("tickets.csv");
    std::fs::write(&policy, HOSTILE_POLICY).unwrap();
    std::fs::write(&tickets, HOSTILE_TICKETS).unwrap();
    [
        "--policy".into(),
        policy.to_string_lossy().into_owned(),
        "--tickets".into(),
        tickets.to_string_lossy().into_owned(),
    ]
}

#[test]
fn user_strings_are_escaped() {
    let dir = tempfile::tempdir().unwrap();
    let args = hostile(dir.path());
    let mut replay = vec!["replay"];
    replay.extend(args.iter().map(String::as_str));
    let (json, html) = json_and_html(&replay);
    assert_figures_equal_json(&json, &html);
    assert_self_contained(&html);
    // The rule id, the ticket id (a worst breach) and the policy's name are all on the page,
    // escaped.
    assert!(
        html.contains("&lt;script&gt;alert`1`&lt;/script&gt;"),
        "rule id"
    );
    assert!(
        html.contains("&lt;img src=x onerror=alert(2)&gt;"),
        "ticket id"
    );
    assert!(html.contains("&lt;b&gt;hostile&lt;/b&gt;"), "policy name");
    assert!(html.contains("low&amp;confidence"));
    assert!(!html.contains("<b>hostile"));
}

#[test]
fn load_counts_hours_of_the_week_in_the_policy_zone() {
    let dir = tempfile::tempdir().unwrap();
    let args = hostile(dir.path());
    let mut replay = vec!["replay"];
    replay.extend(args.iter().map(String::as_str));
    replay.extend(["--format", "json"]);
    let json: Value = serde_json::from_str(&stdout(&replay)).unwrap();
    let load = &json["report"]["load"];
    assert_eq!(load["timezone"], "America/New_York");
    assert_eq!(load["tickets"], 3);
    // Monday 2 March to Wednesday 4 March in New York: 3 days.
    assert_eq!(load["days"], 3);
    assert_eq!(load["first_day"], "2026-03-02");
    assert_eq!(load["last_day"], "2026-03-04");
    let count = |tier: &str, day: usize, hour: usize| load["by_tier"][tier][day][hour].clone();
    assert_eq!(count("L1", 0, 4), 1, "Monday 04:00 New York");
    assert_eq!(count("L1", 2, 18), 1, "Wednesday 18:30 New York");
    assert_eq!(count("ai", 1, 5), 1, "Tuesday 05:30 New York");
    let total: u64 = ["ai", "L1"]
        .iter()
        .flat_map(|t| load["by_tier"][t].as_array().unwrap())
        .flat_map(|day| day.as_array().unwrap())
        .map(|n| n.as_u64().unwrap())
        .sum();
    assert_eq!(total, 3);
    assert_eq!(load["by_tier"]["ai"].as_array().unwrap().len(), 7);
    assert_eq!(load["by_tier"]["ai"][0].as_array().unwrap().len(), 24);

    // The headline: 2 of 3 escalated; per day over the 3 days.
    let headline = &json["headline"];
    assert_eq!(headline["tickets"], 3);
    assert_eq!(headline["escalation_rate"]["numerator"], 2);
    assert_eq!(headline["escalation_rate"]["denominator"], 3);
    let per_day = &headline["tickets_per_tier_per_day"];
    assert_eq!(per_day["days"], 3);
    assert_eq!(per_day["by_tier"]["L1"]["tickets"], 2);
    assert_eq!(per_day["by_tier"]["L1"]["per_day"], 0.67);
    assert_eq!(per_day["by_tier"]["ai"]["per_day"], 0.33);
}

#[test]
fn the_headline_is_the_reports_own_figures() {
    let json: Value = serde_json::from_str(&stdout(&[
        "replay",
        "--policy",
        "policies/support.yaml",
        "--tickets",
        "examples/support-tickets.csv",
        "--format",
        "json",
    ]))
    .unwrap();
    let (headline, report) = (&json["headline"], &json["report"]);
    for key in [
        "escalation_rate",
        "missed_escalation_rate",
        "unneeded_escalation_rate",
        "projected_fcr",
        "over_routed_rate",
        "sla_first_response_met",
        "sla_resolution_met",
    ] {
        assert_eq!(headline[key], report[key], "{key}");
    }
    assert_eq!(headline["tickets"], report["tickets"]);
    // Without created_at the per-day load is n/a with what it needs, and so is `load`.
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("t.csv");
    std::fs::write(&csv, "id,confidence\nT1,0.3\nT2,0.9\n").unwrap();
    let json: Value = serde_json::from_str(&stdout(&[
        "replay",
        "--policy",
        "policies/support.yaml",
        "--tickets",
        &csv.to_string_lossy(),
        "--format",
        "json",
    ]))
    .unwrap();
    let needs = serde_json::json!({ "value": null, "needs": ["created_at"] });
    assert_eq!(json["headline"]["tickets_per_tier_per_day"], needs);
    assert_eq!(json["report"]["load"], needs);
}

#[test]
fn diff_and_sweep_headlines_in_json() {
    let json: Value =
        serde_json::from_str(&stdout(&[&DIFF[..], &["--format", "json"]].concat())).unwrap();
    let h = &json["headline"];
    assert_eq!(h["old"]["escalation_rate"]["numerator"], 128);
    assert_eq!(h["new"]["escalation_rate"]["numerator"], 107);
    // 107/300 − 128/300 = −0.07.
    assert_eq!(h["delta"]["escalation_rate"], -0.07);
    assert_eq!(h["delta"]["tickets_per_tier_per_day.ai"], 0.75);
    assert_eq!(h["new"], json["headline"]["new"]);

    let json: Value =
        serde_json::from_str(&stdout(&[&SWEEP[..], &["--format", "json"]].concat())).unwrap();
    let h = &json["headline"];
    assert_eq!(h["budget"], 0.4);
    assert_eq!(h["value"], 0.75);
    assert_eq!(h["figures"]["escalation_rate"]["numerator"], 115);
    let point = json["points"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["value"] == 0.75)
        .unwrap();
    assert_eq!(&h["figures"], point);
    // Without a budget there is no recommendation, and the headline says why.
    let json: Value =
        serde_json::from_str(&stdout(&[&SWEEP[..15], &["--format", "json"]].concat())).unwrap();
    assert_eq!(
        json["headline"],
        serde_json::json!({
            "budget": null,
            "value": null,
            "reason": "no budget given: --max-escalation-rate picks a value"
        })
    );
}
