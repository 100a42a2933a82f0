//! The capacity and quality charts of `replay --format html` (issue 13 × issue 14): with
//! `--staffing`, a chart per tier by hour of the week (arrivals, agents staffed vs needed, the
//! share answered within the first-response target by Erlang C and by the simulation), and
//! containment and CSAT by route. Every figure on the page equals the same run's JSON at its
//! `data-figure` pointer, strings are escaped and nothing is fetched.

use std::collections::BTreeSet;
use std::path::Path;

use serde_json::Value;

mod html_common;

use html_common::{chart_titles, checked_figures, json_and_html, root};

const STAFFED: [&str; 7] = [
    "replay",
    "--policy",
    "policies/support.yaml",
    "--tickets",
    "examples/support-tickets.csv",
    "--staffing",
    "examples/staffing.yaml",
];

/// Each figure on the page is the JSON's number at its pointer; returns the pointers.
fn assert_figures_equal_json(json: &Value, html: &str) -> BTreeSet<String> {
    checked_figures(json, html)
        .into_iter()
        .map(|f| f.0)
        .collect()
}

/// Slugs of a Markdown file's headings and its `<a id>` anchors.
fn anchors(doc: &str) -> BTreeSet<String> {
    let text = std::fs::read_to_string(root().join("docs").join(doc)).unwrap();
    let mut anchors: BTreeSet<String> = regex::Regex::new(r#"<a id="([^"]+)"></a>"#)
        .unwrap()
        .captures_iter(&text)
        .map(|c| c[1].to_string())
        .collect();
    for heading in text.lines().filter(|l| l.starts_with('#')) {
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
    anchors
}

/// Nothing is fetched, and every link is to a definition that exists in docs/replay.md or
/// docs/capacity.md; returns the capacity.md anchors linked.
fn assert_self_contained_with_definitions(html: &str) -> BTreeSet<String> {
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(html.trim_end().ends_with("</html>"));
    for banned in [
        "<script", "<link", "<iframe", "<img", "<object", "@import", "url(",
    ] {
        assert!(!html.contains(banned), "the page holds `{banned}`");
    }
    let source = regex::Regex::new(r"<[^<>]*\s(src|srcset|data)=").unwrap();
    assert!(!source.is_match(html), "a tag with a source");
    let docs = concat!(env!("CARGO_PKG_REPOSITORY"), "/blob/main/docs/");
    let href = regex::Regex::new(r#"href="([^"]*)""#).unwrap();
    let (replay, capacity) = (anchors("replay.md"), anchors("capacity.md"));
    let mut linked = BTreeSet::new();
    for link in href.captures_iter(html) {
        let rest = link[1]
            .strip_prefix(docs)
            .unwrap_or_else(|| panic!("link to `{}`", &link[1]));
        let (doc, anchor) = rest.split_once('#').expect("a link to an anchor");
        match doc {
            "replay.md" => assert!(replay.contains(anchor), "no anchor `{anchor}` in replay.md"),
            "capacity.md" => {
                assert!(
                    capacity.contains(anchor),
                    "no anchor `{anchor}` in capacity.md"
                );
                linked.insert(anchor.to_string());
            }
            other => panic!("link to docs/{other}"),
        }
    }
    linked
}

#[test]
fn capacity_charts_show_the_json_figures_per_tier_and_hour() {
    let (json, html) = json_and_html(&STAFFED);
    let pointers = assert_figures_equal_json(&json, &html);
    assert!(html.contains(r#"<section id="capacity">"#));
    let tiers: Vec<&String> = json["capacity"]["tiers"]
        .as_object()
        .unwrap()
        .keys()
        .collect();
    assert_eq!(tiers, ["L1", "L2", "L3"]);
    for tier in &tiers {
        let hours = json["capacity"]["tiers"][tier.as_str()]["hours"]
            .as_array()
            .unwrap();
        assert_eq!(hours.len(), 168);
        // Every hour's arrivals, agents and agents needed, and every share the JSON has, are
        // on the page at their pointers.
        for (h, hour) in hours.iter().enumerate() {
            let at = |key: &str| format!("/capacity/tiers/{tier}/hours/{h}/{key}");
            for key in ["arrivals_per_hour", "agents"] {
                assert!(pointers.contains(&at(key)), "no figure `{}`", at(key));
            }
            for key in [
                "agents_needed",
                "erlang_c/within_target",
                "simulated/within_target",
            ] {
                let known = !hour.pointer(&format!("/{key}")).unwrap().is_null();
                assert_eq!(pointers.contains(&at(key)), known, "figure `{}`", at(key));
            }
        }
        for key in [
            "tickets_per_week",
            "agent_hours_per_week",
            "erlang_c/within_target",
            "simulated/within_target",
            "erlang_c/wait_probability",
            "simulated/wait_probability",
        ] {
            let at = format!("/capacity/tiers/{tier}/{key}");
            assert!(pointers.contains(&at), "no figure `{at}`");
        }
    }
    // Monday 09:00 at L1: a quarter of a ticket an hour, two agents staffed, one needed.
    assert!(html.contains(
        r#"data-figure="/capacity/tiers/L1/hours/9/arrivals_per_hour" data-value="0.25""#
    ));
    assert!(html.contains(r#"data-figure="/capacity/tiers/L1/hours/9/agents" data-value="2""#));
    assert!(
        html.contains(r#"data-figure="/capacity/tiers/L1/hours/9/agents_needed" data-value="1""#)
    );
    let titles = chart_titles(&html);
    for tier in &tiers {
        let title = format!("Capacity of {tier} by hour of the week");
        assert!(titles.contains(&title), "no chart {title:?} in {titles:?}");
    }
    // Axis labels and legends name what is drawn.
    for label in [
        "arrivals per hour",
        "agents",
        "answered within target",
        "staffed",
        "needed",
        "Erlang C",
        "simulated",
    ] {
        assert!(html.contains(&format!(">{label}<")), "no label `{label}`");
    }
    let linked = assert_self_contained_with_definitions(&html);
    assert!(linked.contains("the-model"), "{linked:?}");
    assert!(
        linked.contains("containment-and-quality-by-route"),
        "{linked:?}"
    );
}

#[test]
fn containment_and_csat_by_route_policy_vs_history() {
    let (json, html) = json_and_html(&STAFFED[..5]);
    let pointers = assert_figures_equal_json(&json, &html);
    assert!(html.contains(r#"<section id="quality">"#));
    assert!(
        !html.contains(r#"<section id="capacity">"#),
        "no --staffing"
    );
    for at in [
        "/report/containment_rate/value",
        "/report/projected_containment_rate/value",
        "/report/quality_by_route/policy/ai/containment_rate/value",
        "/report/quality_by_route/policy/L1/containment_rate/value",
        "/report/quality_by_route/policy/L3/csat/mean",
        "/report/quality_by_route/policy/L3/csat/n",
        "/report/quality_by_route/policy/L2/tickets",
        "/report/quality_by_route/history/ai/containment_rate/value",
        "/report/quality_by_route/history/ai/csat/mean",
        "/report/quality_by_route/history/L2/csat/n",
        "/report/quality_by_route/history/L1/tickets",
    ] {
        assert!(pointers.contains(at), "no figure `{at}`");
    }
    // History's containment at the AI: 212 of 225, as people read it.
    assert!(html.contains(
        r#"data-figure="/report/quality_by_route/history/ai/containment_rate/value" data-value="0.9422">94.2% (212/225)<"#
    ));
    assert!(
        chart_titles(&html).contains(&"CSAT by route, policy vs history (mean score)".to_string())
    );
    assert_self_contained_with_definitions(&html);
}

#[test]
fn csat_and_history_missing_say_what_they_need() {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("t.csv");
    std::fs::write(&csv, "id,confidence\nT1,0.3\nT2,0.9\n").unwrap();
    let csv = csv.to_string_lossy().into_owned();
    let args = [
        "replay",
        "--policy",
        "policies/support.yaml",
        "--tickets",
        &csv,
    ];
    let (json, html) = json_and_html(&args);
    assert_figures_equal_json(&json, &html);
    assert!(html.contains(r#"<section id="quality">"#));
    assert!(html.contains("needs column csat") || html.contains("needs columns csat"));
    assert!(!chart_titles(&html).iter().any(|t| t.starts_with("CSAT")));
    assert_self_contained_with_definitions(&html);
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
  "L<1>&":
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
    route: "L<1>&"
default: ai
"#;

const HOSTILE_TICKETS: &str = "id,created_at,confidence,requested_human,first_human_response_at,resolved_at,resolved_tier,conversation,csat\n\
\"<img src=x onerror=alert(2)>\",2026-03-02T09:00:00Z,0.3,true,2026-03-03T12:00:00Z,2026-03-04T12:00:00Z,L<1>&,yes,2\n\
T2,2026-03-03T10:30:00Z,0.9,false,,2026-03-03T11:00:00Z,ai,,5\n\
T3,2026-03-04T23:30:00Z,0.2,true,2026-03-05T14:10:00Z,2026-03-05T15:00:00Z,L<1>&,yes,4\n";

fn hostile(dir: &Path) -> Vec<String> {
    let policy = dir.join("policy.yaml");
    let tickets = dir.join("tickets.csv");
    let staffing = dir.join("staffing.yaml");
    std::fs::write(&policy, HOSTILE_POLICY).unwrap();
    std::fs::write(&tickets, HOSTILE_TICKETS).unwrap();
    std::fs::write(&staffing, "\"L<1>&\": { agents: 1, handling_time: 20m }\n").unwrap();
    [
        "replay",
        "--policy",
        &policy.to_string_lossy(),
        "--tickets",
        &tickets.to_string_lossy(),
        "--staffing",
        &staffing.to_string_lossy(),
    ]
    .map(str::to_string)
    .to_vec()
}

#[test]
fn strings_are_escaped_and_nothing_is_fetched() {
    let dir = tempfile::tempdir().unwrap();
    let args = hostile(dir.path());
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let (json, html) = json_and_html(&args);
    assert_figures_equal_json(&json, &html);
    assert!(html.contains(r#"<section id="capacity">"#));
    assert!(chart_titles(&html).contains(&"Capacity of L<1>& by hour of the week".to_string()));
    // The tier's name in titles, tooltips, tables and pointers; the policy's name.
    assert!(html.contains("L&lt;1&gt;&amp;, Mon 00:00"), "tooltip");
    assert!(
        html.contains("/capacity/tiers/L&lt;1&gt;&amp;/hours/"),
        "pointer"
    );
    assert!(!html.contains("L<1>"), "the tier's name unescaped");
    assert!(html.contains("&lt;b&gt;hostile&lt;/b&gt;"));
    assert!(!html.contains("<b>hostile"));
    // The time zone the hours are read in is on the page.
    assert!(html.contains("America/New_York"));
    assert_self_contained_with_definitions(&html);
}
