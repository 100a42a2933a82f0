//! The flow of history by stage on the HTML page (issue 13: "the history flow by stage when
//! events give stages"): every figure equals the JSON report's, the chart is there.

use serde_json::Value;

mod html_common;

use html_common::{json_and_html, stdout};

const FLOW: [&str; 7] = [
    "replay",
    "--policy",
    "fixtures/replay/policy.yaml",
    "--tickets",
    "fixtures/events/flow.csv",
    "--map",
    "fixtures/events/flow.toml",
];

fn page_and_json() -> (String, Value) {
    let (json, html) = json_and_html(&FLOW);
    (html, json)
}

#[test]
fn the_flow_by_stage_is_on_the_page_with_the_json_figures() {
    let (html, json) = page_and_json();
    assert!(
        html.contains(r#"<section id="history-flow">"#),
        "no flow section"
    );
    assert!(html.contains("Hand-overs between stages in history"));
    let re = regex::Regex::new(r#"data-figure="(/flow/[^"]*)" data-value="([^"]*)""#).unwrap();
    let mut seen = 0;
    for c in re.captures_iter(&html) {
        let in_json = json
            .pointer(&c[1])
            .unwrap_or_else(|| panic!("no `{}` in the JSON report", &c[1]));
        assert_eq!(in_json.to_string(), c[2].to_string(), "figure `{}`", &c[1]);
        seen += 1;
    }
    let transitions = json["flow"]["transitions"].as_array().unwrap().len();
    let dwell = json["flow"]["dwell"].as_array().unwrap().len();
    let paths = json["flow"]["paths"].as_array().unwrap().len();
    // tickets, ping-pong, each hand-over, four spreads per stage, each path.
    assert_eq!(seen, 2 + transitions + 4 * dwell + paths, "{html}");
    assert!(transitions > 0 && dwell > 0 && paths > 0);
}

#[test]
fn without_stages_there_is_no_flow_section() {
    let html = stdout(&[
        "replay",
        "--policy",
        "policies/support.yaml",
        "--tickets",
        "examples/support-tickets.csv",
        "--format",
        "html",
    ]);
    assert!(!html.contains(r#"<section id="history-flow">"#));
}
