//! `--where FIELD=VALUE[,VALUE]`: keep only the tickets whose mapped field holds one of the
//! values (any case; a label also by its alias), after events are folded. The test reads the
//! record the parser will read, so it applies the same way with or without `[events]`.

use std::collections::BTreeMap;

use super::layout::{Layout, find_column, header_named};
use super::mapping::{Mapping, Na};
use super::record::RawRecord;
use crate::fields::Field;
use crate::text::normalize_label;

/// One `--where`, as given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Where {
    pub field: String,
    pub values: Vec<String>,
}

impl std::str::FromStr for Where {
    type Err = String;

    fn from_str(text: &str) -> Result<Where, String> {
        let Some((field, values)) = text.split_once('=') else {
            return Err(format!("`{text}` is not FIELD=VALUE[,VALUE]"));
        };
        let field = field.trim();
        if field.is_empty() {
            return Err(format!("`{text}` names no field: FIELD=VALUE[,VALUE]"));
        }
        Ok(Where {
            field: field.to_string(),
            values: values.split(',').map(|v| v.trim().to_string()).collect(),
        })
    }
}

#[derive(Debug, Clone)]
struct Test {
    column: usize,
    /// Normalised wanted values.
    values: Vec<String>,
    aliases: Option<BTreeMap<String, String>>,
}

/// The `--where` tests of a read, resolved against its layout.
#[derive(Debug, Clone)]
pub struct TicketFilter {
    tests: Vec<Test>,
    na: Na,
    pub kept: u64,
    pub dropped: u64,
}

impl TicketFilter {
    /// `None` without `--where`; `Err` for a field the data does not have.
    pub fn resolve(
        wheres: &[Where],
        layout: &Layout,
        mapping: &Mapping,
    ) -> Result<Option<TicketFilter>, String> {
        if wheres.is_empty() {
            return Ok(None);
        }
        let tests = wheres
            .iter()
            .map(|w| {
                let column = column_of(&w.field, layout, mapping)?;
                let aliases = mapping.aliases.get(&w.field).map(|table| {
                    table
                        .iter()
                        .map(|(raw, canonical)| (normalize_label(raw), normalize_label(canonical)))
                        .collect()
                });
                Ok(Test {
                    column,
                    values: w.values.iter().map(|v| normalize_label(v)).collect(),
                    aliases,
                })
            })
            .collect::<Result<Vec<_>, String>>()?;
        Ok(Some(TicketFilter {
            tests,
            na: Na::new(&mapping.values),
            kept: 0,
            dropped: 0,
        }))
    }

    /// Whether to keep a record. Records that will be rejected (ragged, not UTF-8, rejected
    /// while reading) are kept, so that they are counted as rejected.
    pub fn keeps(&mut self, record: RawRecord<'_>) -> bool {
        let keep = record.rejection().is_some()
            || self.tests.iter().all(|test| {
                let Some(Ok(text)) = record.get(test.column).map(std::str::from_utf8) else {
                    return true;
                };
                let value = normalize_label(self.na.clean(text));
                let aliased = test
                    .aliases
                    .as_ref()
                    .and_then(|table| table.get(&value))
                    .unwrap_or(&value);
                test.values.iter().any(|v| *v == value || v == aliased)
            });
        if keep {
            self.kept += 1;
        } else {
            self.dropped += 1;
        }
        keep
    }

    /// The report's note.
    pub fn note(&self) -> String {
        format!(
            "--where kept {} of {} tickets",
            self.kept,
            self.kept + self.dropped
        )
    }
}

fn column_of(name: &str, layout: &Layout, mapping: &Mapping) -> Result<usize, String> {
    let missing = || format!("--where {name}: the data has no `{name}` field");
    if let Some(field) = Field::named(name) {
        return match field {
            Field::Id => layout.id.ok_or_else(|| {
                "--where id: the ids are record numbers (`id = \"@row\"`)".to_string()
            }),
            Field::Text => Err(
                "--where text: text is searched by rules, not filtered; use a label field"
                    .to_string(),
            ),
            single => layout.column(single).ok_or_else(missing),
        };
    }
    if let Some((_, Some(column))) = layout.extras.iter().find(|(n, _)| n == name) {
        return Ok(*column);
    }
    if let Some(source) = mapping.fields.get(name) {
        let column = source.column().unwrap_or(name);
        return find_column(&layout.headers, column, name).map_err(|e| e.to_string());
    }
    if let Some(column) = header_named(&layout.headers, name).map_err(|e| e.to_string())? {
        return Ok(column);
    }
    let mut known: Vec<&str> = Field::ALL
        .into_iter()
        .filter(|f| *f != Field::Text && (*f == Field::Id || layout.has_field(*f)))
        .map(Field::name)
        .collect();
    known.extend(mapping.fields.keys().map(String::as_str));
    let hint = match crate::policy::load::did_you_mean(name, &known) {
        Some(best) => format!("did you mean `{best}`?"),
        None => format!("the data has: {}", known.join(", ")),
    };
    Err(format!("--where {name}: no such field in the data; {hint}"))
}
