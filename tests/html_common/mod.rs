//! What the HTML page tests share: running handoff, a run as JSON and as HTML, and reading the
//! figures and chart titles back from a page. Each test file uses part of it.
#![allow(dead_code)]

use serde_json::Value;

#[path = "../run_common/mod.rs"]
mod run_common;
#[allow(unused_imports)]
pub use run_common::{root, run};

/// stdout of a run that must succeed.
pub fn stdout(args: &[&str]) -> String {
    let out = run(args);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("UTF-8")
}

/// The same run as JSON and as HTML.
pub fn json_and_html(args: &[&str]) -> (Value, String) {
    let with = |format: &str| {
        let mut all = args.to_vec();
        all.extend(["--format", format]);
        stdout(&all)
    };
    let json = serde_json::from_str(&with("json")).expect("JSON report");
    (json, with("html"))
}

/// HTML attribute text back to the string it escapes.
pub fn unescape(s: &str) -> String {
    s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

/// Every `(data-figure, data-value)` pair on a page, unescaped.
pub fn figures(html: &str) -> Vec<(String, String)> {
    let re = regex::Regex::new(r#"data-figure="([^"]*)" data-value="([^"]*)""#).unwrap();
    re.captures_iter(html)
        .map(|c| (unescape(&c[1]), unescape(&c[2])))
        .collect()
}

/// Each figure on the page is the JSON's number at its pointer; returns the figures.
pub fn checked_figures(json: &Value, html: &str) -> Vec<(String, String)> {
    let found = figures(html);
    for (pointer, value) in &found {
        let in_json = json
            .pointer(pointer)
            .unwrap_or_else(|| panic!("no `{pointer}` in the JSON report"));
        assert_eq!(&in_json.to_string(), value, "figure `{pointer}`");
    }
    found
}

/// The titles of the page's charts (`<svg …><title …>TITLE</title>`).
pub fn chart_titles(html: &str) -> Vec<String> {
    let re =
        regex::Regex::new(r#"<svg class="chart"[^>]*><title id="[^"]*">([^<]*)</title>"#).unwrap();
    re.captures_iter(html).map(|c| unescape(&c[1])).collect()
}
