//! A numeric field's typing in the decisions query ([`super::decisions`]): the value as
//! replay's parser reads it (scales, sentiment labels, ranges) and the rejection reason of a
//! value that is not a number or is out of range, word for word.

use crate::fields::Field;
use crate::policy::condition::NumField;
use crate::text::normalize_label;
use crate::tickets::mapping::{ConfidenceScale, Mapping, SentimentScale};

use super::Dialect;
use super::condition::number_column;

/// A numeric field's typing: the raw text's column, and how it scales.
pub struct NumberPlan {
    pub field: NumField,
    /// The trimmed text's column (`f_…`, `x_…`).
    pub source: String,
    /// Canonical confidence/sentiment: scale, range and label table.
    pub canonical: Option<Field>,
}

/// The step `num`'s column `b_<source>`: whether the text is a number as replay reads one.
/// Tested once: the regular expression is the costly part, and the typing and the rejection
/// reason read the answer up to four times.
pub fn flag(d: Dialect, plan: &NumberPlan) -> String {
    format!("{} AS b_{}", d.is_number(&plan.source), plan.source)
}

/// The typed column (`… AS c_<field>`, NULL when missing or bad) and the rejection reason
/// (NULL when the value is good or missing), reading the step `num`.
pub fn typing(d: Dialect, mapping: &Mapping, plan: &NumberPlan) -> (String, String) {
    let is_number = |e: &str| format!("b_{e}");
    let text_lit = |t: &str| d.quote_text(t);
    let f = &plan.source;
    let name = plan.field.name();
    let raw = d.to_double(f);
    let (value, range, labels) = match plan.canonical {
        Some(Field::Confidence) => {
            let v = match mapping.scales.confidence {
                ConfidenceScale::Percent => format!("({raw} / {})", d.double_literal(100.0)),
                ConfidenceScale::Fraction => raw.clone(),
            };
            (v, Some((0.0, 1.0)), None)
        }
        Some(_) => match &mapping.scales.sentiment {
            Some(SentimentScale::Range { min, max }) => (
                format!(
                    "({} + {} * ({raw} - {}) / ({} - {}))",
                    d.double_literal(-1.0),
                    d.double_literal(2.0),
                    d.double_literal(*min),
                    d.double_literal(*max),
                    d.double_literal(*min)
                ),
                Some((-1.0, 1.0)),
                None,
            ),
            Some(SentimentScale::Labels { labels }) => {
                (raw.clone(), Some((-1.0, 1.0)), Some(labels))
            }
            None => (raw.clone(), Some((-1.0, 1.0)), None),
        },
        None => (raw.clone(), None, None),
    };
    // A label (sentiment scales) is looked up only when the text is not a number; its
    // value is not range-checked (the mapping's own values are, when it loads).
    let label_value = labels.map(|labels| {
        let arms: Vec<String> = labels
            .iter()
            .map(|(k, v)| {
                format!(
                    "WHEN {} THEN {}",
                    text_lit(&normalize_label(k)),
                    d.double_literal(*v)
                )
            })
            .collect();
        format!("CASE LOWER({f}) {} END", arms.join(" "))
    });
    let in_range = |v: &str| match range {
        Some((low, high)) => format!(
            "({v} >= {} AND {v} <= {})",
            d.double_literal(low),
            d.double_literal(high)
        ),
        None => "TRUE".to_string(),
    };
    let column = number_column(&plan.field);
    let not_number = match &label_value {
        Some(lv) => format!("NOT {} AND {lv} IS NULL", is_number(f)),
        None => format!("NOT {}", is_number(f)),
    };
    let label_arm = label_value
        .as_ref()
        .map(|lv| format!(" WHEN NOT {} THEN {lv}", is_number(f)))
        .unwrap_or_default();
    let typed = format!(
        "CASE WHEN {f} IS NULL THEN NULL{label_arm} WHEN {} AND {} THEN {value} END AS {column}",
        is_number(f),
        in_range(&value)
    );
    let mut reason = format!(
        "CASE WHEN {f} IS NULL THEN NULL WHEN {not_number} THEN {} || {f} || {}",
        text_lit(&format!("{name}: `")),
        text_lit("` is not a number")
    );
    if let Some((low, high)) = range {
        reason.push_str(&format!(
            " WHEN {} AND NOT {} THEN {} || {f} || {}",
            is_number(f),
            in_range(&value),
            text_lit(&format!("{name}: ")),
            text_lit(&format!(" is outside {low}..{high}"))
        ));
    }
    reason.push_str(" END");
    (typed, reason)
}
