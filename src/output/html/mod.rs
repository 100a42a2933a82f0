//! `--format html`: one self-contained page per report (replay, diff, sweep) — inline CSS,
//! charts as inline SVG drawn by [`chart`], no script, nothing fetched. Every figure on the
//! page is the typed report's, marked with `data-figure` (a JSON pointer into the report's
//! `--format json`) and `data-value` (the JSON's number), so a test can hold one against the
//! other; every section links to its definition in `docs/replay.md`. Every user string (rule
//! ids, ticket ids, labels, reasons) goes through [`esc`].

use std::fmt::Write;

use crate::engine::report::{Rate, RateFigure};
use crate::output::report::text::rate_text;

mod capacity;
pub mod chart;
mod diff;
mod flow;
mod quality;
mod replay;
mod sweep;

pub use diff::page as diff_page;
pub use replay::page as replay_page;
pub use sweep::page as sweep_page;

/// `s` safe in HTML text and attribute values.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Where the definitions live: `docs/replay.md` in the repository handoff is published from.
pub const DOCS: &str = concat!(env!("CARGO_PKG_REPOSITORY"), "/blob/main/docs/replay.md");

/// A link to the definition of `anchor` in `docs/replay.md`.
pub fn doc_link(anchor: &str) -> String {
    format!(
        r#"<a class="def" href="{DOCS}#{anchor}" title="definition in docs/replay.md">definition</a>"#
    )
}

/// Where the capacity and quality definitions live: `docs/capacity.md`.
pub const CAPACITY_DOCS: &str =
    concat!(env!("CARGO_PKG_REPOSITORY"), "/blob/main/docs/capacity.md");

/// A section whose definition is `anchor` in `docs/capacity.md`.
pub fn capacity_section(id: &str, title: &str, anchor: &str, body: &str) -> String {
    format!(
        r#"<section id="{id}"><h2>{} <a class="def" href="{CAPACITY_DOCS}#{anchor}" title="definition in docs/capacity.md">definition</a></h2>{body}</section>"#,
        esc(title)
    )
}

/// A JSON pointer (RFC 6901) from its keys.
pub fn pointer<S: AsRef<str>>(keys: &[S]) -> String {
    keys.iter().fold(String::new(), |mut out, key| {
        out.push('/');
        out.push_str(&key.as_ref().replace('~', "~0").replace('/', "~1"));
        out
    })
}

/// A number as the JSON report writes it (`null` without one).
pub fn json_number(x: Option<f64>) -> String {
    x.map_or_else(
        || "null".to_string(),
        |x| serde_json::Value::from(x).to_string(),
    )
}

/// An element showing one figure of the JSON report.
pub fn figure(tag: &str, at: &str, value: &str, class: &str, content: &str) -> String {
    format!(
        r#"<{tag} class="{class}" data-figure="{}" data-value="{}">{content}</{tag}>"#,
        esc(at),
        esc(value)
    )
}

/// A rate as `42.7% (128/300)` (or n/a with why), marked with its pointer (`…/value`).
pub fn rate(at: &str, rate: &Rate) -> String {
    figure(
        "span",
        &format!("{at}/value"),
        &json_number(rate.value()),
        "fig",
        &esc(&rate_text(rate.figure())),
    )
}

/// A headline card: the label (linked to its definition), the percentage big, its n below.
pub fn card(label: &str, anchor: &str, at: &str, r: &Rate) -> String {
    let text = rate_text(r.figure());
    let (big, small) = match r.figure() {
        RateFigure::Counted(_) => match text.split_once(' ') {
            Some((big, small)) => (big.to_string(), small.to_string()),
            None => (text.clone(), String::new()),
        },
        _ => (
            "n/a".to_string(),
            text.trim_start_matches("n/a ").to_string(),
        ),
    };
    format!(
        r#"<div class="card"><div class="label"><a href="{DOCS}#{anchor}">{}</a></div>{}<div class="n">{}</div></div>"#,
        esc(label),
        figure(
            "div",
            &format!("{at}/value"),
            &json_number(r.value()),
            "big",
            &esc(&big)
        ),
        esc(&small)
    )
}

/// A table with a header row; cells are HTML already escaped by the caller.
pub fn table(class: &str, header: &[&str], rows: &[Vec<String>]) -> String {
    let mut out = format!(r#"<table class="{class}"><thead><tr>"#);
    for h in header {
        let _ = write!(out, "<th>{}</th>", esc(h));
    }
    out.push_str("</tr></thead><tbody>");
    for row in rows {
        out.push_str("<tr>");
        for cell in row {
            let _ = write!(out, "<td>{cell}</td>");
        }
        out.push_str("</tr>");
    }
    out.push_str("</tbody></table>");
    out
}

/// A section: heading with its definition link, then the body.
pub fn section(id: &str, title: &str, anchor: &str, body: &str) -> String {
    format!(
        r#"<section id="{id}"><h2>{} {}</h2>{body}</section>"#,
        esc(title),
        doc_link(anchor)
    )
}

const CSS: &str = r#"
:root { --ink: #1a1a1a; --muted: #555; --rule: #d0d0d0; --accent: #0072B2; }
* { box-sizing: border-box; }
body { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif;
  color: var(--ink); background: #fff; margin: 0 auto; max-width: 1100px; padding: 24px; }
h1 { font-size: 1.6em; margin: 0 0 4px; }
h2 { font-size: 1.2em; border-bottom: 2px solid var(--accent); padding-bottom: 2px; margin-top: 32px; }
.meta { color: var(--muted); margin: 0; }
a { color: var(--accent); }
a.def { font-size: 0.7em; font-weight: normal; margin-left: 8px; }
.cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(190px, 1fr)); gap: 12px; }
.card { border: 1px solid var(--rule); border-left: 4px solid var(--accent); padding: 8px 12px; border-radius: 4px; }
.card .label { font-size: 0.85em; color: var(--muted); }
.card .label a { color: inherit; }
.card .big { font-size: 1.7em; font-weight: 600; }
.card .n { font-size: 0.85em; color: var(--muted); }
.charts { display: flex; flex-wrap: wrap; gap: 16px; align-items: flex-start; }
figure.chart { margin: 0 0 12px; }
figure.chart figcaption { font-weight: 600; margin-bottom: 4px; max-width: 640px; }
svg.chart { max-width: 100%; height: auto; font-size: 12px; display: block; }
svg .tick { font-size: 11px; fill: #333; }
svg .cell { font-size: 10px; }
svg .axis-title { font-size: 12px; font-weight: 600; fill: #222; }
table { border-collapse: collapse; margin: 8px 0; font-size: 0.92em; }
th, td { border: 1px solid var(--rule); padding: 4px 8px; text-align: left; vertical-align: top; }
th { background: #f2f5f8; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
.note { color: var(--muted); font-size: 0.9em; }
.bar { display: inline-block; height: 10px; background: var(--accent); vertical-align: middle; }
footer { margin-top: 40px; color: var(--muted); font-size: 0.85em; }
@media print {
  body { max-width: none; padding: 0; font-size: 10pt; }
  * { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  section, .card, svg.chart, table { break-inside: avoid; }
  h2 { break-after: avoid; }
  a { color: inherit; text-decoration: none; }
  a.def { display: none; }
}
"#;

/// The whole page around `body`.
pub fn page(title: &str, meta: &str, body: &str) -> String {
    format!(
        r#"<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="handoff {version}">
<title>{title}</title>
<style>{CSS}</style>
</head>
<body>
<header><h1>{title}</h1><p class="meta">{meta}</p></header>
<main>
{body}
</main>
<footer>Made by handoff {version}. Every figure is the JSON report's (<code>--format json</code>); each section links to its definition. Rates under 30 tickets are marked *.</footer>
</body>
</html>
"#,
        title = esc(title),
        version = env!("CARGO_PKG_VERSION"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping_and_pointers() {
        assert_eq!(
            esc(r#"<script>alert("x&'y")</script>"#),
            "&lt;script&gt;alert(&quot;x&amp;&#39;y&quot;)&lt;/script&gt;"
        );
        assert_eq!(pointer(&["report", "a/b~c"]), "/report/a~1b~0c");
        assert_eq!(json_number(Some(0.25)), "0.25");
        assert_eq!(json_number(Some(1.0)), "1.0");
        assert_eq!(json_number(None), "null");
    }
}
