//! Charts as inline SVG, drawn from figures the page already holds: heatmaps, a flow (stacked
//! bars joined by bands), horizontal bars and a line chart. Every chart has a `<title>` (its
//! accessible name), axis labels, and the Okabe–Ito palette, which colour-blind readers tell
//! apart; heatmaps use one hue from light to dark, which prints in grey as well.

use std::fmt::Write;

use super::esc;

/// Okabe–Ito: blue, orange, bluish green, vermillion, sky blue, reddish purple, yellow, black.
pub const PALETTE: [&str; 8] = [
    "#0072B2", "#E69F00", "#009E73", "#D55E00", "#56B4E9", "#CC79A7", "#F0E442", "#000000",
];

/// The colour of series `i`.
pub fn colour(i: usize) -> &'static str {
    PALETTE[i % PALETTE.len()]
}

/// A fraction 0–1 as a blue from near-white to dark (Okabe–Ito blue at the top), and the text
/// colour that reads on it.
fn shade(fraction: f64) -> (String, &'static str) {
    let f = fraction.clamp(0.0, 1.0);
    let mix = |light: f64, dark: f64| (light + (dark - light) * f).round() as u8;
    let fill = format!(
        "#{:02x}{:02x}{:02x}",
        mix(247.0, 0.0),
        mix(251.0, 70.0),
        mix(255.0, 120.0)
    );
    (fill, if f > 0.55 { "#ffffff" } else { "#000000" })
}

/// The end of a chart.
pub(super) const CLOSE: &str = "</svg></figure>";

/// The opening of a chart: an `<svg>` of the given size named by its title.
pub(super) fn open(out: &mut String, id: &str, title: &str, width: f64, height: f64) {
    let _ = write!(
        out,
        r#"<figure class="chart"><figcaption>{}</figcaption><svg class="chart" id="{id}" role="img" aria-labelledby="{id}-title" viewBox="0 0 {width} {height}" width="{width}" height="{height}" xmlns="http://www.w3.org/2000/svg"><title id="{id}-title">{}</title>"#,
        esc(title),
        esc(title)
    );
}

pub(super) fn text(out: &mut String, x: f64, y: f64, anchor: &str, class: &str, content: &str) {
    let _ = write!(
        out,
        r#"<text x="{x:.1}" y="{y:.1}" text-anchor="{anchor}" class="{class}">{}</text>"#,
        esc(content)
    );
}

/// One cell of a heatmap: its shade (0–1), the text inside, the tooltip, and the JSON figure
/// it shows (`data-figure` pointer and `data-value`), if any.
pub struct Cell {
    pub shade: f64,
    pub label: String,
    pub tooltip: String,
    pub figure: Option<(String, String)>,
}

pub struct Heatmap<'a> {
    pub id: &'a str,
    pub title: &'a str,
    pub x_label: &'a str,
    pub y_label: &'a str,
    pub columns: Vec<String>,
    pub rows: Vec<String>,
    /// `cells[row][column]`; `None` is drawn empty.
    pub cells: Vec<Vec<Option<Cell>>>,
    pub cell_width: f64,
    pub cell_height: f64,
    /// Show every n-th column label (1 = all).
    pub label_every: usize,
}

/// A heatmap: rows down the left, columns along the top.
pub fn heatmap(h: &Heatmap) -> String {
    let left = 20.0 + 8.0 * h.rows.iter().map(|r| r.chars().count()).max().unwrap_or(2) as f64;
    let top = 48.0;
    let (cw, ch) = (h.cell_width, h.cell_height);
    let width = left + cw * h.columns.len() as f64 + 10.0;
    let height = top + ch * h.rows.len() as f64 + 10.0;
    let mut out = String::new();
    open(&mut out, h.id, h.title, width, height);
    let middle = left + cw * h.columns.len() as f64 / 2.0;
    text(&mut out, middle, 14.0, "middle", "axis-title", h.x_label);
    let _ = write!(
        out,
        r#"<text x="12" y="{:.1}" text-anchor="middle" class="axis-title" transform="rotate(-90 12 {:.1})">{}</text>"#,
        top + ch * h.rows.len() as f64 / 2.0,
        top + ch * h.rows.len() as f64 / 2.0,
        esc(h.y_label)
    );
    for (i, column) in h.columns.iter().enumerate() {
        if i % h.label_every.max(1) == 0 {
            let x = left + cw * (i as f64 + 0.5);
            text(&mut out, x, top - 8.0, "middle", "tick", column);
        }
    }
    for (r, (row, cells)) in h.rows.iter().zip(&h.cells).enumerate() {
        let y = top + ch * r as f64;
        text(&mut out, left - 6.0, y + ch / 2.0 + 4.0, "end", "tick", row);
        for (c, cell) in cells.iter().enumerate() {
            let x = left + cw * c as f64;
            let Some(cell) = cell else {
                let _ = write!(
                    out,
                    r##"<rect x="{x:.1}" y="{y:.1}" width="{cw:.1}" height="{ch:.1}" fill="#ffffff" stroke="#dddddd"/>"##
                );
                continue;
            };
            let (fill, ink) = shade(cell.shade);
            let _ = write!(
                out,
                r##"<rect x="{x:.1}" y="{y:.1}" width="{cw:.1}" height="{ch:.1}" fill="{fill}" stroke="#ffffff"><title>{}</title></rect>"##,
                esc(&cell.tooltip)
            );
            if !cell.label.is_empty() {
                let figure = cell.figure.as_ref().map_or_else(String::new, |(p, v)| {
                    format!(r#" data-figure="{}" data-value="{}""#, esc(p), esc(v))
                });
                let _ = write!(
                    out,
                    r#"<text x="{:.1}" y="{:.1}" text-anchor="middle" class="cell" fill="{ink}"{figure}>{}</text>"#,
                    x + cw / 2.0,
                    y + ch / 2.0 + 4.0,
                    esc(&cell.label)
                );
            }
        }
    }
    out.push_str(CLOSE);
    out
}

/// A column of a flow: named segments with counts, top to bottom.
pub struct Stack {
    pub label: String,
    pub segments: Vec<(String, u64)>,
}

/// Tickets flowing from the left stack's segments to the right one's: `bands[i][j]` from left
/// segment `i` to right segment `j`. Without a right stack, one stacked bar.
pub fn flow(id: &str, title: &str, left: &Stack, right: Option<(&Stack, &[Vec<u64>])>) -> String {
    let (width, height, top, bar) = (640.0, 320.0, 40.0, 28.0);
    let plot = height - top - 40.0;
    let gap = 6.0;
    let mut out = String::new();
    open(&mut out, id, title, width, height);
    let layout = |stack: &Stack| -> Vec<(f64, f64)> {
        let total: u64 = stack.segments.iter().map(|s| s.1).sum();
        let gaps = gap * stack.segments.len().saturating_sub(1) as f64;
        let scale = if total == 0 {
            0.0
        } else {
            (plot - gaps) / total as f64
        };
        let mut y = top;
        stack
            .segments
            .iter()
            .map(|(_, n)| {
                let h = *n as f64 * scale;
                let at = (y, h);
                y += h + gap;
                at
            })
            .collect()
    };
    let (lx, rx) = (150.0, width - 150.0 - bar);
    let left_at = layout(left);
    let draw = |out: &mut String, stack: &Stack, at: &[(f64, f64)], x: f64, label_left: bool| {
        text(
            out,
            x + bar / 2.0,
            top - 14.0,
            "middle",
            "axis-title",
            &stack.label,
        );
        // Labels of thin segments are pushed down so that none overlaps the one above.
        let mut label_floor = f64::NEG_INFINITY;
        for (i, ((name, n), (y, h))) in stack.segments.iter().zip(at).enumerate() {
            let _ = write!(
                out,
                r#"<rect x="{x:.1}" y="{y:.1}" width="{bar}" height="{:.1}" fill="{}"><title>{}: {n}</title></rect>"#,
                h.max(0.5),
                colour(i),
                esc(name)
            );
            let (tx, anchor) = if label_left {
                (x - 6.0, "end")
            } else {
                (x + bar + 6.0, "start")
            };
            let label_y = (y + h / 2.0 + 4.0).max(label_floor + 13.0);
            label_floor = label_y;
            text(out, tx, label_y, anchor, "tick", &format!("{name}: {n}"));
        }
    };
    draw(&mut out, left, &left_at, lx, true);
    if let Some((right, bands)) = right {
        let right_at = layout(right);
        draw(&mut out, right, &right_at, rx, false);
        let scale_of = |stack: &Stack, at: &[(f64, f64)], i: usize| {
            let n = stack.segments[i].1;
            if n == 0 { 0.0 } else { at[i].1 / n as f64 }
        };
        let mut right_used = vec![0.0; right.segments.len()];
        for (i, row) in bands.iter().enumerate().take(left.segments.len()) {
            let mut left_used = 0.0;
            for (j, &n) in row.iter().enumerate().take(right.segments.len()) {
                if n == 0 {
                    continue;
                }
                let lh = n as f64 * scale_of(left, &left_at, i);
                let rh = n as f64 * scale_of(right, &right_at, j);
                let (ly, ry) = (left_at[i].0 + left_used, right_at[j].0 + right_used[j]);
                left_used += lh;
                right_used[j] += rh;
                let (x0, x1) = (lx + bar, rx);
                let mid = (x0 + x1) / 2.0;
                let _ = write!(
                    out,
                    r#"<path d="M{x0:.1},{ly:.1} C{mid:.1},{ly:.1} {mid:.1},{ry:.1} {x1:.1},{ry:.1} L{x1:.1},{:.1} C{mid:.1},{:.1} {mid:.1},{:.1} {x0:.1},{:.1} Z" fill="{}" fill-opacity="0.35"><title>{} → {}: {n}</title></path>"#,
                    ry + rh,
                    ry + rh,
                    ly + lh,
                    ly + lh,
                    // Out of one segment, each band takes its destination's colour.
                    colour(if left.segments.len() == 1 { j } else { i }),
                    esc(&left.segments[i].0),
                    esc(&right.segments[j].0)
                );
            }
        }
    }
    out.push_str(CLOSE);
    out
}

/// One bar of a bar chart: its label, length (in the axis unit) and the text beside it.
pub struct Bar {
    pub label: String,
    pub value: Option<f64>,
    pub text: String,
    pub series: usize,
}

/// Horizontal bars on one axis from 0 to the largest value.
pub fn bars(id: &str, title: &str, axis: &str, bars: &[Bar]) -> String {
    let (left, top, row, width) = (200.0, 30.0, 26.0, 640.0);
    let plot = width - left - 140.0;
    let height = top + row * bars.len() as f64 + 40.0;
    let max = bars
        .iter()
        .filter_map(|b| b.value)
        .fold(0.0_f64, f64::max)
        .max(1e-9);
    let mut out = String::new();
    open(&mut out, id, title, width, height);
    for (i, b) in bars.iter().enumerate() {
        let y = top + row * i as f64;
        text(
            &mut out,
            left - 8.0,
            y + row / 2.0 + 4.0,
            "end",
            "tick",
            &b.label,
        );
        let w = b.value.map_or(0.0, |v| v / max * plot);
        let _ = write!(
            out,
            r#"<rect x="{left}" y="{:.1}" width="{w:.1}" height="{:.1}" fill="{}"/>"#,
            y + 4.0,
            row - 8.0,
            colour(b.series)
        );
        text(
            &mut out,
            left + w + 6.0,
            y + row / 2.0 + 4.0,
            "start",
            "tick",
            &b.text,
        );
    }
    let base = top + row * bars.len() as f64;
    let _ = write!(
        out,
        r##"<line x1="{left}" y1="{top}" x2="{left}" y2="{base:.1}" stroke="#333333"/>"##
    );
    text(
        &mut out,
        left + plot / 2.0,
        base + 24.0,
        "middle",
        "axis-title",
        axis,
    );
    out.push_str(CLOSE);
    out
}

/// A series of a line chart: name and fractions 0–1 by x (`None` breaks nothing: skipped).
pub struct Series {
    pub name: String,
    pub points: Vec<(f64, Option<f64>)>,
}

/// Lines of fractions (0–100 % on the y axis) over numeric x values, with an optional
/// horizontal budget line and a marked x value.
pub struct Lines<'a> {
    pub id: &'a str,
    pub title: &'a str,
    pub x_label: &'a str,
    pub y_label: &'a str,
    pub series: Vec<Series>,
    pub budget: Option<f64>,
    pub marked: Option<(f64, String)>,
}

pub fn lines(c: &Lines) -> String {
    let (width, height) = (640.0, 340.0);
    let (left, right, top, bottom) = (60.0, 20.0, 40.0, 60.0);
    let (pw, ph) = (width - left - right, height - top - bottom);
    let xs: Vec<f64> = c
        .series
        .iter()
        .flat_map(|s| s.points.iter().map(|p| p.0))
        .collect();
    let (x_min, x_max) = xs
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &x| {
            (a.min(x), b.max(x))
        });
    let span = if x_max > x_min { x_max - x_min } else { 1.0 };
    let sx = |x: f64| left + (x - x_min) / span * pw;
    let sy = |f: f64| top + (1.0 - f.clamp(0.0, 1.0)) * ph;
    let mut out = String::new();
    open(&mut out, c.id, c.title, width, height);
    for tick in 0..=4 {
        let f = tick as f64 / 4.0;
        let y = sy(f);
        let _ = write!(
            out,
            r##"<line x1="{left}" y1="{y:.1}" x2="{:.1}" y2="{y:.1}" stroke="#dddddd"/>"##,
            left + pw
        );
        text(
            &mut out,
            left - 6.0,
            y + 4.0,
            "end",
            "tick",
            &format!("{}%", tick * 25),
        );
    }
    if xs.is_empty() {
        out.push_str(CLOSE);
        return out;
    }
    let mut seen = Vec::new();
    for &x in &xs {
        if !seen.contains(&x) {
            seen.push(x);
        }
    }
    let every = seen.len().div_ceil(10).max(1);
    for (i, &x) in seen.iter().enumerate() {
        if i % every == 0 {
            let label = serde_json::Value::from(x).to_string();
            text(&mut out, sx(x), top + ph + 18.0, "middle", "tick", &label);
        }
    }
    text(
        &mut out,
        left + pw / 2.0,
        height - 14.0,
        "middle",
        "axis-title",
        c.x_label,
    );
    let _ = write!(
        out,
        r#"<text x="14" y="{:.1}" text-anchor="middle" class="axis-title" transform="rotate(-90 14 {:.1})">{}</text>"#,
        top + ph / 2.0,
        top + ph / 2.0,
        esc(c.y_label)
    );
    if let Some(budget) = c.budget {
        let y = sy(budget);
        let _ = write!(
            out,
            r##"<line x1="{left}" y1="{y:.1}" x2="{:.1}" y2="{y:.1}" stroke="#000000" stroke-dasharray="6 4"/>"##,
            left + pw
        );
        text(
            &mut out,
            left + pw - 4.0,
            y - 6.0,
            "end",
            "tick",
            &format!("budget {:.1}%", budget * 100.0),
        );
    }
    if let Some((x, label)) = &c.marked {
        let px = sx(*x);
        let _ = write!(
            out,
            r##"<line class="marked" x1="{px:.1}" y1="{top}" x2="{px:.1}" y2="{:.1}" stroke="#000000" stroke-width="2"/>"##,
            top + ph
        );
        text(&mut out, px, top - 8.0, "middle", "axis-title", label);
    }
    let dashes = ["", "8 4", "2 3", "10 3 2 3"];
    for (i, series) in c.series.iter().enumerate() {
        let points: Vec<String> = series
            .points
            .iter()
            .filter_map(|(x, y)| y.map(|y| format!("{:.1},{:.1}", sx(*x), sy(y))))
            .collect();
        let _ = write!(
            out,
            r#"<polyline fill="none" stroke="{}" stroke-width="2.5" stroke-dasharray="{}" points="{}"><title>{}</title></polyline>"#,
            colour(i),
            dashes[i % dashes.len()],
            points.join(" "),
            esc(&series.name)
        );
        for (x, y) in &series.points {
            if let Some(y) = y {
                let _ = write!(
                    out,
                    r#"<circle cx="{:.1}" cy="{:.1}" r="3.5" fill="{}"><title>{}: {} at {}</title></circle>"#,
                    sx(*x),
                    sy(*y),
                    colour(i),
                    esc(&series.name),
                    format_args!("{:.1}%", y * 100.0),
                    serde_json::Value::from(*x)
                );
            }
        }
        // Legend, top left inside the plot.
        let ly = top + 14.0 + 18.0 * i as f64;
        let _ = write!(
            out,
            r#"<line x1="{:.1}" y1="{:.1}" x2="{:.1}" y2="{:.1}" stroke="{}" stroke-width="2.5" stroke-dasharray="{}"/>"#,
            left + 10.0,
            ly - 4.0,
            left + 34.0,
            ly - 4.0,
            colour(i),
            dashes[i % dashes.len()]
        );
        text(&mut out, left + 40.0, ly, "start", "tick", &series.name);
    }
    out.push_str(CLOSE);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shades_run_light_to_dark_with_readable_ink() {
        assert_eq!(shade(0.0), ("#f7fbff".to_string(), "#000000"));
        assert_eq!(shade(1.0), ("#004678".to_string(), "#ffffff"));
    }

    #[test]
    fn labels_are_escaped() {
        let svg = bars(
            "b",
            "<t>",
            "a&b",
            &[Bar {
                label: "<script>".into(),
                value: Some(1.0),
                text: "\"x\"".into(),
                series: 0,
            }],
        );
        assert!(!svg.contains("<script>") && !svg.contains("<t>"), "{svg}");
        assert!(svg.contains("&lt;script&gt;") && svg.contains("a&amp;b"));
    }
}
