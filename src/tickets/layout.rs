//! A ticket CSV's header resolved against a mapping: which column holds each canonical field
//! and each extra field ([`Layout`]), and what the policy needs from the data ([`Needs`]).

use std::collections::BTreeSet;

use super::mapping::{Mapping, Source};
use crate::fields::Field;

/// What a policy needs from the data, so reading can tell a bad value in a field some rule reads
/// (the row is rejected) from one only metrics use (counted as empty).
#[derive(Debug, Clone, Default)]
pub struct Needs {
    /// Canonical fields (`text`, `confidence`, …) and extra field names that rules read.
    pub rule_fields: BTreeSet<String>,
    /// Extra fields named by `field` tests or `context.required`, in slot order.
    pub extras: Vec<String>,
    /// Extra fields that numeric tests read.
    pub numeric_extras: BTreeSet<String>,
    /// The policy's priority labels.
    pub priorities: Vec<String>,
    /// The policy's tier names.
    pub tiers: Vec<String>,
}

/// Where each field comes from in this input.
#[derive(Debug, Clone)]
pub struct Layout {
    pub headers: Vec<String>,
    /// `None`: ids are record numbers (`id = "@row"`).
    pub id: Option<usize>,
    pub text: Vec<usize>,
    /// The column of each single-column field, by [`Field::index`] (`id` and `text` have
    /// their own members).
    columns: [Option<usize>; Field::ALL.len()],
    /// Extra fields in slot order, with their column when the data has it.
    pub extras: Vec<(String, Option<usize>)>,
    /// Notes for the report (e.g. timestamps read as UTC).
    pub notes: Vec<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum LayoutError {
    #[error("{0}")]
    Invalid(String),
}

pub(crate) fn find_column(
    headers: &[String],
    wanted: &str,
    purpose: &str,
) -> Result<usize, LayoutError> {
    let matches: Vec<usize> = headers
        .iter()
        .enumerate()
        .filter(|(_, h)| h.trim() == wanted.trim())
        .map(|(i, _)| i)
        .collect();
    match matches.as_slice() {
        [one] => Ok(*one),
        [] => {
            let candidates: Vec<&str> = headers.iter().map(String::as_str).collect();
            let hint = match crate::policy::load::did_you_mean(wanted, &candidates) {
                Some(best) => format!("did you mean `{best}`?"),
                None => format!("the header has: {}", candidates.join(", ")),
            };
            Err(LayoutError::Invalid(format!(
                "column `{wanted}` (for {purpose}) is not in the CSV header; {hint}"
            )))
        }
        _ => Err(LayoutError::Invalid(format!(
            "column `{wanted}` (for {purpose}) appears {} times in the CSV header; rename the duplicates",
            matches.len()
        ))),
    }
}

/// A header column named like `name` (trimmed, any case), if exactly one.
pub(crate) fn header_named(headers: &[String], name: &str) -> Result<Option<usize>, LayoutError> {
    let matches: Vec<usize> = headers
        .iter()
        .enumerate()
        .filter(|(_, h)| h.trim().eq_ignore_ascii_case(name))
        .map(|(i, _)| i)
        .collect();
    match matches.len() {
        0 => Ok(None),
        1 => Ok(Some(matches[0])),
        n => Err(LayoutError::Invalid(format!(
            "column `{name}` appears {n} times in the CSV header; rename the duplicates"
        ))),
    }
}

/// The column of a field (a fold's own column: folds need `[events]`, which reads them).
fn plain(source: &Source) -> &str {
    match source {
        Source::Column(column) => column,
        Source::Fold(fold) => &fold.column,
    }
}

impl Layout {
    pub fn resolve(
        headers: Vec<String>,
        mapping: &Mapping,
        needs: &Needs,
    ) -> Result<Layout, LayoutError> {
        let c = &mapping.columns;
        let (id_name, text_name) = (Field::Id.name(), Field::Text.name());
        let id = match c.column(Field::Id) {
            Some("@row") => None,
            Some(column) => Some(find_column(&headers, column, id_name)?),
            None => match header_named(&headers, id_name)? {
                Some(i) => Some(i),
                None => {
                    return Err(LayoutError::Invalid(
                        "the data has no `id` column: map one with `[columns] id = \"<column>\"`, or number the records with `id = \"@row\"`".into(),
                    ));
                }
            },
        };
        let text = match &c.text {
            Some(list) => list
                .list()
                .iter()
                .map(|column| find_column(&headers, column, text_name))
                .collect::<Result<Vec<_>, _>>()?,
            None => header_named(&headers, text_name)?.into_iter().collect(),
        };
        let mut columns = [None; Field::ALL.len()];
        for field in Field::ALL.into_iter().filter(|f| f.is_single_column()) {
            let name = field.name();
            columns[field.index()] = match c.column(field) {
                Some(column) => Some(find_column(&headers, column, name)?),
                None => header_named(&headers, name)?,
            };
        }
        let extras = needs
            .extras
            .iter()
            .map(|name| {
                let column = match mapping.fields.get(name) {
                    Some(source) => Some(find_column(&headers, plain(source), name)?),
                    None => header_named(&headers, name)?,
                };
                Ok((name.clone(), column))
            })
            .collect::<Result<Vec<_>, LayoutError>>()?;
        for (name, source) in &mapping.fields {
            if !needs.extras.contains(name) {
                find_column(&headers, plain(source), name)?;
            }
        }
        let notes = Vec::new();
        Ok(Layout {
            headers,
            id,
            text,
            columns,
            extras,
            notes,
        })
    }

    /// Whether the data has the canonical field of this name (`id` and `text` included).
    pub fn has(&self, name: &str) -> bool {
        Field::named(name).is_some_and(|field| self.has_field(field))
    }

    /// Whether the data has a canonical field.
    pub fn has_field(&self, field: Field) -> bool {
        match field {
            Field::Id => true,
            Field::Text => !self.text.is_empty(),
            single => self.columns[single.index()].is_some(),
        }
    }

    /// The column of a single-column field; `None` for `id` and `text`, which have
    /// [`Layout::id`] and [`Layout::text`].
    pub fn column(&self, field: Field) -> Option<usize> {
        self.columns[field.index()]
    }

    pub fn has_extra(&self, name: &str) -> bool {
        self.extras.iter().any(|(n, c)| n == name && c.is_some())
    }
}
