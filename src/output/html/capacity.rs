//! The `capacity` section (`replay --staffing`) as a page section: per tier, one chart over the
//! 168 hours of the week in three panels — arrivals per hour, agents staffed vs needed for the
//! service level, and the share answered within the first-response target by Erlang C and by
//! the simulation side by side — and a table of the tier's totals. Every drawn hour carries its
//! JSON figure (`/capacity/tiers/TIER/hours/H/…`).

use std::fmt::Write;

use super::chart::{self, CLOSE, colour};
use super::{capacity_section, esc, figure, json_number, pointer, table};
use crate::engine::report::capacity::{Capacity, HourCapacity, QueueFigures, TierCapacity};
use crate::output::report::text::{seconds_text, thousands};

const WEEKDAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];

/// `data-figure`/`data-value` attributes for the figure at `keys` under the tier's hour.
fn attributes(tier: &str, hour: usize, key: &[&str], value: &str) -> String {
    let hour = hour.to_string();
    let mut keys = vec!["capacity", "tiers", tier, "hours", &hour];
    keys.extend(key);
    format!(
        r#" data-figure="{}" data-value="{}""#,
        esc(&pointer(&keys)),
        esc(value)
    )
}

fn percent(x: f64) -> String {
    format!("{:.1}%", x * 100.0)
}

/// A panel's frame: its y axis title, gridlines with their labels (`ticks` as (value, label)
/// from the bottom), and the day separators.
struct Panel {
    top: f64,
    height: f64,
    max: f64,
}

impl Panel {
    fn y(&self, v: f64) -> f64 {
        self.top + self.height * (1.0 - (v / self.max).clamp(0.0, 1.0))
    }
}

const LEFT: f64 = 64.0;
const HOUR: f64 = 4.8;
const PANEL: f64 = 110.0;
const GAP: f64 = 34.0;

fn frame(out: &mut String, p: &Panel, label: &str, ticks: &[(f64, String)]) {
    let right = LEFT + HOUR * 168.0;
    for (v, tick) in ticks {
        let y = p.y(*v);
        let _ = write!(
            out,
            r##"<line x1="{LEFT}" y1="{y:.1}" x2="{right:.1}" y2="{y:.1}" stroke="#dddddd"/>"##
        );
        chart::text(out, LEFT - 6.0, y + 4.0, "end", "tick", tick);
    }
    for day in 0..=7 {
        let x = LEFT + HOUR * 24.0 * day as f64;
        let _ = write!(
            out,
            r##"<line x1="{x:.1}" y1="{:.1}" x2="{x:.1}" y2="{:.1}" stroke="#999999"/>"##,
            p.top,
            p.top + p.height
        );
    }
    let middle = p.top + p.height / 2.0;
    let _ = write!(
        out,
        r#"<text x="14" y="{middle:.1}" text-anchor="middle" class="axis-title" transform="rotate(-90 14 {middle:.1})">{}</text>"#,
        esc(label)
    );
}

/// A legend entry: a swatch and its name, at (x, y).
fn legend(out: &mut String, x: f64, y: f64, series: usize, name: &str) {
    let _ = write!(
        out,
        r#"<rect x="{x:.1}" y="{:.1}" width="12" height="10" fill="{}"/>"#,
        y - 9.0,
        colour(series)
    );
    chart::text(out, x + 16.0, y, "start", "tick", name);
}

/// The largest of `values`, rounded up to a whole number (at least 1).
fn ceiling(values: impl Iterator<Item = f64>) -> f64 {
    values.fold(1.0_f64, f64::max).ceil()
}

/// The tier's chart: three panels over the hours of the week.
fn week_chart(tier: &str, t: &TierCapacity, service_level: f64, zone: &str) -> String {
    let id = format!(
        "capacity-{}",
        tier.chars()
            .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
            .collect::<String>()
    );
    let title = format!("Capacity of {tier} by hour of the week");
    let width = LEFT + HOUR * 168.0 + 20.0;
    let arrivals = Panel {
        top: 40.0,
        height: PANEL,
        max: t
            .hours
            .iter()
            .map(|h| h.arrivals_per_hour)
            .fold(0.0_f64, f64::max)
            .max(0.01),
    };
    let agents = Panel {
        top: arrivals.top + PANEL + GAP,
        height: PANEL,
        max: ceiling(
            t.hours
                .iter()
                .flat_map(|h| [Some(h.agents), h.agents_needed])
                .flatten()
                .map(f64::from),
        ),
    };
    let shares = Panel {
        top: agents.top + PANEL + GAP,
        height: PANEL,
        max: 1.0,
    };
    let height = shares.top + PANEL + 56.0;
    let mut out = String::new();
    chart::open(&mut out, &id, &title, width, height);
    // Legends along the top.
    legend(&mut out, LEFT, 16.0, 4, "staffed");
    legend(&mut out, LEFT + 90.0, 16.0, 3, "needed");
    legend(&mut out, LEFT + 180.0, 16.0, 0, "Erlang C");
    legend(&mut out, LEFT + 280.0, 16.0, 1, "simulated");
    chart::text(
        &mut out,
        LEFT + 390.0,
        16.0,
        "start",
        "tick",
        &format!("dashed: service level {}", percent(service_level)),
    );

    let top_label = |max: f64| {
        if max >= 10.0 {
            format!("{max:.0}")
        } else {
            format!("{max:.2}")
        }
    };
    frame(
        &mut out,
        &arrivals,
        "arrivals per hour",
        &[(0.0, "0".into()), (arrivals.max, top_label(arrivals.max))],
    );
    frame(
        &mut out,
        &agents,
        "agents",
        &[(0.0, "0".into()), (agents.max, format!("{}", agents.max))],
    );
    frame(
        &mut out,
        &shares,
        "answered within target",
        &[
            (0.0, "0%".into()),
            (0.5, "50%".into()),
            (1.0, "100%".into()),
        ],
    );
    let sl = shares.y(service_level);
    let _ = write!(
        out,
        r##"<line x1="{LEFT}" y1="{sl:.1}" x2="{:.1}" y2="{sl:.1}" stroke="#000000" stroke-dasharray="6 4"/>"##,
        LEFT + HOUR * 168.0
    );

    for (i, h) in t.hours.iter().enumerate() {
        hour_marks(&mut out, tier, i, h, [&arrivals, &agents, &shares]);
    }

    let base = shares.top + PANEL;
    for (d, day) in WEEKDAYS.iter().enumerate() {
        let x = LEFT + HOUR * 24.0 * (d as f64 + 0.5);
        chart::text(&mut out, x, base + 16.0, "middle", "tick", day);
    }
    chart::text(
        &mut out,
        LEFT + HOUR * 84.0,
        base + 40.0,
        "middle",
        "axis-title",
        &format!("hour of the week ({zone})"),
    );
    out.push_str(CLOSE);
    out
}

/// One hour's marks in the three panels, each with its JSON figure and a tooltip.
fn hour_marks(out: &mut String, tier: &str, i: usize, h: &HourCapacity, panels: [&Panel; 3]) {
    let [arrivals, agents, shares] = panels;
    let x = LEFT + HOUR * i as f64;
    // Tooltips name the tier as the user wrote it, so escaped; pointers escape their own.
    let name = format!("{}, {} {:02}:00", esc(tier), WEEKDAYS[i / 24], i % 24);
    // Arrivals: a bar.
    let y = arrivals.y(h.arrivals_per_hour);
    let _ = write!(
        out,
        r#"<rect x="{:.1}" y="{y:.1}" width="{:.1}" height="{:.1}" fill="{}"{}><title>{name}: {} arrivals per hour ({} tickets)</title></rect>"#,
        x + 0.4,
        HOUR - 0.8,
        arrivals.top + arrivals.height - y,
        colour(0),
        attributes(
            tier,
            i,
            &["arrivals_per_hour"],
            &json_number(Some(h.arrivals_per_hour))
        ),
        json_number(Some(h.arrivals_per_hour)),
        h.tickets
    );
    // Agents staffed: a light bar; needed: a mark across the hour.
    let y = agents.y(f64::from(h.agents));
    let _ = write!(
        out,
        r#"<rect x="{x:.1}" y="{y:.1}" width="{HOUR:.1}" height="{:.1}" fill="{}" fill-opacity="0.6"{}><title>{name}: {} agents staffed</title></rect>"#,
        agents.top + agents.height - y,
        colour(4),
        attributes(tier, i, &["agents"], &h.agents.to_string()),
        h.agents
    );
    if let Some(needed) = h.agents_needed {
        let y = agents.y(f64::from(needed));
        let _ = write!(
            out,
            r#"<line x1="{x:.1}" y1="{y:.1}" x2="{:.1}" y2="{y:.1}" stroke="{}" stroke-width="2.5"{}><title>{name}: {needed} agents needed</title></line>"#,
            x + HOUR,
            colour(3),
            attributes(tier, i, &["agents_needed"], &needed.to_string())
        );
    }
    // Shares answered within target, Erlang C and simulated side by side.
    for (side, (key, series, figures)) in
        [("erlang_c", 0, &h.erlang_c), ("simulated", 1, &h.simulated)]
            .into_iter()
            .enumerate()
    {
        let q: &QueueFigures = figures;
        let Some(share) = q.within_target else {
            continue;
        };
        let top = shares.y(share);
        let bottom = shares.top + shares.height;
        // A share of 0 still shows, as a sliver on the axis.
        let y = top.min(bottom - 1.0);
        let _ = write!(
            out,
            r#"<rect x="{:.1}" y="{y:.1}" width="{:.1}" height="{:.1}" fill="{}"{}><title>{name}: {} answered within target ({})</title></rect>"#,
            x + 0.3 + (HOUR / 2.0 - 0.3) * side as f64,
            HOUR / 2.0 - 0.3,
            bottom - y,
            colour(series),
            attributes(tier, i, &[key, "within_target"], &json_number(Some(share))),
            percent(share),
            if series == 0 { "Erlang C" } else { "simulated" }
        );
    }
}

/// A figure of the tier's totals at `key…`, shown as `text`.
fn total(tier: &str, key: &[&str], value: String, text: &str) -> String {
    let mut keys = vec!["capacity", "tiers", tier];
    keys.extend(key);
    figure("span", &pointer(&keys), &value, "fig", &esc(text))
}

fn share_text(x: Option<f64>) -> String {
    x.map_or_else(|| "–".to_string(), percent)
}

/// The tier's totals: load and staffing, then Erlang C beside the simulation.
fn tier_table(tier: &str, t: &TierCapacity) -> String {
    let count = |key: &str, n: u64| total(tier, &[key], n.to_string(), &thousands(n));
    let mut out = format!(
        "{} tickets ({} a week), handled in {} each; agent-hours a week: {} staffed, {} needed; hours short of agents: {}; overloaded hours: {}.</p>",
        count("tickets", t.tickets),
        total(
            tier,
            &["tickets_per_week"],
            json_number(Some(t.tickets_per_week)),
            &format!("{:.1}", t.tickets_per_week)
        ),
        esc(&seconds_text(Some(t.handling_time))),
        count("agent_hours_per_week", t.agent_hours_per_week),
        total(
            tier,
            &["agent_hours_needed_per_week"],
            t.agent_hours_needed_per_week
                .map_or_else(|| "null".into(), |n| n.to_string()),
            &t.agent_hours_needed_per_week
                .map_or_else(|| "more than handoff models".into(), thousands)
        ),
        count("hours_short", t.hours_short),
        count("hours_overloaded", t.hours_overloaded),
    );
    let both = |name: &str, key: &str, show: &dyn Fn(&QueueFigures) -> (String, String)| {
        let mut row = vec![esc(name)];
        for (side, q) in [("erlang_c", &t.erlang_c), ("simulated", &t.simulated)] {
            let (value, text) = show(q);
            row.push(total(tier, &[side, key], value, &text));
        }
        row
    };
    let mut rows = vec![
        both("probability of waiting", "wait_probability", &|q| {
            (
                json_number(q.wait_probability),
                share_text(q.wait_probability),
            )
        }),
        both("mean wait", "mean_wait_seconds", &|q| {
            (
                q.mean_wait.map_or_else(|| "null".into(), |s| s.to_string()),
                q.mean_wait
                    .map_or_else(|| "unbounded".into(), |s| seconds_text(Some(s))),
            )
        }),
        both("answered within target", "within_target", &|q| {
            (json_number(q.within_target), share_text(q.within_target))
        }),
    ];
    for (priority, p) in &t.within_target_by_priority {
        if p.tickets == 0 {
            continue;
        }
        let mut row = vec![format!(
            "{} within {} ({} tickets)",
            esc(priority),
            esc(&seconds_text(Some(p.target))),
            p.tickets
        )];
        for (side, share) in [("erlang_c", p.erlang_c), ("simulated", p.simulated)] {
            row.push(total(
                tier,
                &["within_target_by_priority", priority, side],
                json_number(share),
                &share_text(share),
            ));
        }
        rows.push(row);
    }
    out.push_str(&table("", &["", "Erlang C", "simulated"], &rows));
    out
}

/// The section, when the report has one.
pub fn section(capacity: Option<&Capacity>) -> String {
    let Some(c) = capacity else {
        return String::new();
    };
    let mut body = format!(
        r#"<p class="note">Hours of the week on the clock of {}, arrivals the mean over {} weeks; agents needed for {} answered within the first-response target. Simulation: {} (seed {}).</p>"#,
        esc(&c.time_zone),
        json_number(Some(c.weeks)),
        percent(c.service_level),
        esc(c.simulation),
        c.simulation_seed
    );
    if c.tickets_without_created_at > 0 {
        let _ = write!(
            body,
            r#"<p class="note">{} escalated tickets without <code>created_at</code> left out.</p>"#,
            thousands(c.tickets_without_created_at)
        );
    }
    if !c.tiers_not_staffed.is_empty() {
        let names: Vec<String> = c.tiers_not_staffed.iter().map(|t| esc(t)).collect();
        let _ = write!(
            body,
            r#"<p class="note">Tiers the staffing file does not staff: {}.</p>"#,
            names.join(", ")
        );
    }
    for (tier, t) in c.tiers_in_order() {
        body.push_str(&week_chart(tier, t, c.service_level, &c.time_zone));
        let _ = write!(body, "<p><strong>{}</strong>: ", esc(tier));
        body.push_str(&tier_table(tier, t));
    }
    capacity_section(
        "capacity",
        "Capacity by hour of the week",
        "the-model",
        &body,
    )
}
