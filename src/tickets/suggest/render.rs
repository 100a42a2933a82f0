//! The starter mapping as commented TOML: one section per table, each line saying why it is there.

use std::collections::{BTreeMap, HashSet};
use std::fmt::Write as _;

use super::column::{Column, DISTINCT_KEPT, TIME_FORMATS};
use super::{Suggestion, squeeze};
use crate::fields::Field;

/// A `[fields]` name for a column: lower-case, `_` between words.
fn field_name(column: &str) -> String {
    let mut name = String::new();
    for c in column.chars() {
        if c.is_alphanumeric() {
            name.extend(c.to_lowercase());
        } else if !name.ends_with('_') && !name.is_empty() {
            name.push('_');
        }
    }
    let name = name.trim_end_matches('_').to_string();
    if name.is_empty() || Field::named(&name).is_some() {
        format!("{name}_column")
    } else {
        name
    }
}

/// `1 record`, `3 records`.
fn records(n: usize) -> String {
    if n == 1 {
        "1 record".to_string()
    } else {
        format!("{n} records")
    }
}

/// A TOML basic string.
fn quoted(text: &str) -> String {
    let mut out = String::from("\"");
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if c.is_control() => {
                let _ = write!(out, "\\u{:04X}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// The common priority words and the default priority each means.
pub(super) fn priority_guess(label: &str) -> Option<&'static str> {
    let l = label.to_lowercase();
    let l = l.trim();
    let word = |words: &[&str]| {
        words
            .iter()
            .any(|w| l == *w || l.starts_with(&format!("{w} ")) || l.ends_with(&format!(" {w}")))
    };
    if word(&[
        "urgent", "critical", "highest", "blocker", "p1", "1", "sev1",
    ]) {
        Some("urgent")
    } else if word(&["high", "major", "p2", "2", "sev2"]) {
        Some("high")
    } else if word(&["normal", "medium", "moderate", "p3", "3", "sev3"]) {
        Some("normal")
    } else if word(&[
        "low", "lowest", "minor", "trivial", "planning", "p4", "4", "5", "sev4",
    ]) {
        Some("low")
    } else {
        None
    }
}

impl Suggestion {
    fn is_mapped(&self, column: usize) -> bool {
        self.matched
            .values()
            .any(|(cols, _)| cols.contains(&column))
    }

    fn column_of(&self, field: Field) -> Option<&Column> {
        self.matched
            .get(&field)
            .map(|(cols, _)| &self.columns[cols[0]])
    }

    /// What the values of a column look like, for its comment.
    fn describe(&self, c: &Column) -> String {
        if c.filled == 0 {
            return "empty in the sample".to_string();
        }
        if let Some(i) = c.time_format() {
            return format!(
                "timestamps ({})",
                TIME_FORMATS[i].unwrap_or("default shape")
            );
        }
        if c.all(c.numbers) {
            let kind = if c.all(c.integers) {
                "integers"
            } else {
                "numbers"
            };
            return format!("{kind} {}..{}", c.min, c.max);
        }
        if c.all(c.booleans) {
            let values: Vec<&str> = c.distinct.iter().map(|(v, _)| v.as_str()).collect();
            return format!("booleans: {}", values.join(", "));
        }
        if c.is_text() {
            return format!("text, {} characters on average", c.text_length / c.filled);
        }
        if c.is_label() {
            let values: Vec<String> = c
                .labels()
                .iter()
                .map(|(v, n)| format!("{v} ({n})"))
                .collect();
            return format!("{} values: {}", c.distinct.len(), values.join(", "));
        }
        let shown = if c.many_distinct {
            format!("more than {DISTINCT_KEPT}")
        } else {
            c.distinct.len().to_string()
        };
        format!("{shown} distinct values")
    }

    /// The starter mapping, commented; `source` names the file in its first line.
    pub fn render(&self, source: &str) -> String {
        let mut out = String::new();
        let sample = if self.truncated {
            format!("the first {} records (a sample)", self.records)
        } else {
            format!("all {} records", self.records)
        };
        let _ = writeln!(
            out,
            "# Starter mapping suggested by `handoff map suggest` for {source},"
        );
        let _ = writeln!(
            out,
            "# from its header and {sample}. Check every line, then:"
        );
        let _ = writeln!(
            out,
            "#   handoff replay --policy POLICY --tickets {source} --map THIS.toml"
        );
        self.render_columns(&mut out);
        self.render_fields(&mut out);
        self.render_timestamps(&mut out);
        self.render_scales(&mut out);
        self.render_na(&mut out);
        self.render_aliases(&mut out);
        self.render_events(&mut out);
        out
    }

    fn render_columns(&self, out: &mut String) {
        let _ = writeln!(out, "\n[columns]");
        for field in Field::ALL {
            match self.matched.get(&field) {
                Some((cols, how)) => {
                    let names: Vec<String> = cols
                        .iter()
                        .map(|&i| quoted(&self.columns[i].name))
                        .collect();
                    let value = if cols.len() == 1 {
                        names[0].clone()
                    } else {
                        format!("[{}]", names.join(", "))
                    };
                    let what = if cols.len() == 1 {
                        self.describe(&self.columns[cols[0]])
                    } else {
                        "searched one by one".to_string()
                    };
                    let _ = writeln!(out, "{} = {value}   # {how}; {what}", field.name());
                }
                None if field == Field::Id => {
                    let _ = writeln!(
                        out,
                        "id = \"@row\"   # no id column found: the record number"
                    );
                }
                None => {
                    let _ = writeln!(out, "# {} = \"\"   # no column found", field.name());
                }
            }
        }
    }

    fn render_fields(&self, out: &mut String) {
        let others: Vec<&Column> = (0..self.columns.len())
            .filter(|&i| !self.is_mapped(i))
            .map(|i| &self.columns[i])
            .filter(|c| !c.name.trim().is_empty())
            .collect();
        if others.is_empty() {
            return;
        }
        let _ = writeln!(
            out,
            "\n# The other columns, for `field` conditions and `context.required`."
        );
        let _ = writeln!(out, "[fields]");
        let mut names = HashSet::new();
        for c in others {
            let mut name = field_name(&c.name);
            while !names.insert(name.clone()) {
                name.push('_');
            }
            let _ = writeln!(out, "{name} = {}   # {}", quoted(&c.name), self.describe(c));
        }
    }

    fn render_timestamps(&self, out: &mut String) {
        let timed: Vec<(&Column, usize)> = self
            .columns
            .iter()
            .filter_map(|c| c.time_format().map(|f| (c, f)))
            .collect();
        let _ = writeln!(out, "\n[timestamps]");
        if timed.is_empty() {
            let _ = writeln!(out, "# No timestamp column found in the sample.");
            return;
        }
        // The shape most timestamp columns share (one format serves every column).
        let mut counts = [0usize; TIME_FORMATS.len()];
        for (_, f) in &timed {
            counts[*f] += 1;
        }
        let best = (0..TIME_FORMATS.len())
            .max_by_key(|&i| (counts[i], usize::MAX - i))
            .unwrap_or(0);
        for (c, f) in &timed {
            let shape = TIME_FORMATS[*f].unwrap_or("RFC 3339 or YYYY-MM-DD[ T]HH:MM[:SS]");
            let zone = if *f == 0 && c.with_offset == c.times[0] {
                "with an offset"
            } else if *f == 0 && c.with_offset > 0 {
                "some with an offset"
            } else if TIME_FORMATS[*f].is_some_and(|s| s.contains("%z") || s == "%s") {
                "with an offset"
            } else {
                "no offset"
            };
            let _ = writeln!(out, "# {}: {shape}, {zone}", quoted(&c.name));
        }
        if let Some(format) = TIME_FORMATS[best] {
            let _ = writeln!(out, "format = {}", quoted(format));
        }
        if timed.iter().any(|(_, f)| *f != best) {
            let _ = writeln!(
                out,
                "# Columns of another shape read as empty with this format: one format serves all."
            );
        }
        let _ = writeln!(
            out,
            "# Values without an offset are read in this zone (UTC unless you name yours):"
        );
        let _ = writeln!(out, "timezone = \"UTC\"");
    }

    fn render_scales(&self, out: &mut String) {
        let confidence = self
            .column_of(Field::Confidence)
            .filter(|c| c.filled > 0 && c.max > 1.0);
        let sentiment = self
            .column_of(Field::Sentiment)
            .filter(|c| c.filled > 0 && !c.all(c.numbers));
        if confidence.is_none() && sentiment.is_none() {
            return;
        }
        let _ = writeln!(out, "\n[scales]");
        if let Some(c) = confidence {
            let _ = writeln!(out, "confidence = \"percent\"   # values up to {}", c.max);
        }
        if let Some(c) = sentiment {
            let stubs: Vec<String> = c
                .labels()
                .iter()
                .map(|(v, _)| format!("{} = 0", quoted(v)))
                .collect();
            let _ = writeln!(out, "# labels on -1..1: set each value");
            let _ = writeln!(out, "sentiment = {{ labels = {{ {} }} }}", stubs.join(", "));
        }
    }

    fn render_na(&self, out: &mut String) {
        let mut found: BTreeMap<&str, Vec<String>> = BTreeMap::new();
        for c in &self.columns {
            for (value, n) in &c.na {
                found
                    .entry(value)
                    .or_default()
                    .push(format!("{} ×{n}", quoted(&c.name)));
            }
        }
        if found.is_empty() {
            return;
        }
        let _ = writeln!(
            out,
            "\n# Placeholders that look like \"empty\" (a `?` would count as filled context):"
        );
        for (value, places) in &found {
            let _ = writeln!(out, "#   {}: {}", quoted(value), places.join(", "));
        }
        let values: Vec<String> = found.keys().map(|v| quoted(v)).collect();
        let _ = writeln!(out, "[values]");
        let _ = writeln!(out, "na = [{}]", values.join(", "));
    }

    fn render_aliases(&self, out: &mut String) {
        if let Some(c) = self.column_of(Field::Priority).filter(|c| c.is_label()) {
            let _ = writeln!(
                out,
                "\n# Raw priority = one of your policy's `priorities` (here the default urgent, high,"
            );
            let _ = writeln!(out, "# normal, low); labels compare case-insensitively.");
            let _ = writeln!(out, "[aliases.priority]");
            for (value, n) in c.labels() {
                match priority_guess(value) {
                    Some(p) if p.eq_ignore_ascii_case(value) => {
                        let _ = writeln!(
                            out,
                            "# {} = \"{p}\"   # {}; already a priority",
                            quoted(value),
                            records(*n)
                        );
                    }
                    Some(p) => {
                        let _ = writeln!(out, "{} = \"{p}\"   # {}", quoted(value), records(*n));
                    }
                    None => {
                        let _ = writeln!(out, "# {} = \"\"   # {}", quoted(value), records(*n));
                    }
                }
            }
        }
        if let Some(c) = self.column_of(Field::ResolvedTier).filter(|c| c.is_label()) {
            let _ = writeln!(
                out,
                "\n# Raw resolver = `ai` or one of your policy's tiers."
            );
            let _ = writeln!(out, "[aliases.resolved_tier]");
            for (value, n) in c.labels() {
                let _ = writeln!(out, "# {} = \"\"   # {}", quoted(value), records(*n));
            }
        }
    }

    fn render_events(&self, out: &mut String) {
        let Some((ids, _)) = self.matched.get(&Field::Id) else {
            return;
        };
        let id = &self.columns[ids[0]].name;
        if self.repeated_ids == 0 {
            let _ = writeln!(
                out,
                "\n# Ids in {} never repeat in the sample: one row per ticket, no [events] needed.",
                quoted(id)
            );
            return;
        }
        let _ = writeln!(
            out,
            "\n# Ids in {} repeat ({} records for {} ids): this looks like an event log, one",
            quoted(id),
            self.distinct_ids + self.repeated_ids,
            self.distinct_ids
        );
        let _ = writeln!(
            out,
            "# row per update, folded into tickets here (docs/replay.md, DESIGN §7). A plain column"
        );
        let _ = writeln!(
            out,
            "# above takes a ticket's last value; folds such as created_at = {{ first = \"…\" }} or"
        );
        let _ = writeln!(
            out,
            "# reassignments = {{ changes = \"…\" }} say otherwise."
        );
        // The time of an update: a timestamp column whose name says so, else the one with the
        // most distinct values.
        let time = self
            .columns
            .iter()
            .filter(|c| c.time_format().is_some())
            .max_by_key(|c| {
                let name = squeeze(&c.name);
                let named = ["updated", "time", "timestamp", "modified", "eventat"]
                    .iter()
                    .any(|w| name.contains(w));
                (named, c.distinct.len())
            });
        let _ = writeln!(out, "[events]");
        let _ = writeln!(out, "ticket = {}", quoted(id));
        match time {
            Some(time) => {
                let _ = writeln!(
                    out,
                    "time = {}   # orders a ticket's events",
                    quoted(&time.name)
                );
            }
            None => {
                let _ = writeln!(
                    out,
                    "# time = \"\"   # no timestamp column: a ticket's events keep file order"
                );
            }
        }
    }
}
