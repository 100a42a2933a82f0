//! Column mapping: how a CSV export's columns become the canonical ticket fields (DESIGN §3).
//!
//! ```toml
//! [columns]                       # canonical field = CSV column
//! id = "Ticket ID"                # or "@row": the record number
//! text = ["Subject", "Body"]      # several columns are searched separately
//! priority = "Ticket Priority"
//! [fields]                        # extra fields for `field` conditions and `context.required`
//! reopen_count = "Reopens"
//! [timestamps]
//! format = "%Y-%m-%d %H:%M:%S"    # strftime-style; default: RFC 3339 or YYYY-MM-DD[ T]HH:MM[:SS]
//! timezone = "UTC"                # for timestamps without an offset (default UTC)
//! [scales]
//! confidence = "percent"          # or "fraction" (default)
//! sentiment = { min = 1, max = 5 }                     # rescaled linearly to -1..1
//! # sentiment = { labels = { negative = -1, neutral = 0, positive = 1 } }
//! [aliases.priority]              # per field: raw label (any case) = canonical label
//! Critical = "urgent"
//! ```

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

pub use super::events::spec::{Events, Fold, FoldKind, Na, Source, TextColumns, Thread, Values};
use crate::fields::Field;

/// The canonical ticket fields and the CSV columns they come from.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Columns {
    pub id: Option<Source>,
    pub created_at: Option<Source>,
    pub text: Option<TextColumns>,
    pub confidence: Option<Source>,
    pub sentiment: Option<Source>,
    pub customer_tier: Option<Source>,
    pub channel: Option<Source>,
    pub category: Option<Source>,
    pub priority: Option<Source>,
    pub requested_human: Option<Source>,
    pub escalated_at: Option<Source>,
    pub first_human_response_at: Option<Source>,
    pub resolved_at: Option<Source>,
    pub resolved_tier: Option<Source>,
    pub reassignments: Option<Source>,
    pub reopened: Option<Source>,
    pub csat: Option<Source>,
}

impl Columns {
    /// The column mapped to a field held in one column (for `id`, possibly `@row`); `None`
    /// when none is mapped, and always for `text`, which may list several ([`Columns::text`]).
    pub fn column(&self, field: Field) -> Option<&str> {
        self.source(field).and_then(Source::column)
    }

    /// What a single-column field comes from (a column or a fold); `None` for `text`.
    pub fn source(&self, field: Field) -> Option<&Source> {
        let source = match field {
            Field::Id => &self.id,
            Field::Text => return None,
            Field::CreatedAt => &self.created_at,
            Field::Confidence => &self.confidence,
            Field::Sentiment => &self.sentiment,
            Field::CustomerTier => &self.customer_tier,
            Field::Channel => &self.channel,
            Field::Category => &self.category,
            Field::Priority => &self.priority,
            Field::RequestedHuman => &self.requested_human,
            Field::EscalatedAt => &self.escalated_at,
            Field::FirstHumanResponseAt => &self.first_human_response_at,
            Field::ResolvedAt => &self.resolved_at,
            Field::ResolvedTier => &self.resolved_tier,
            Field::Reassignments => &self.reassignments,
            Field::Reopened => &self.reopened,
            Field::Csat => &self.csat,
        };
        source.as_ref()
    }

    /// Whether some field is a fold of events.
    pub fn has_folds(&self) -> bool {
        Field::ALL
            .into_iter()
            .filter_map(|f| self.source(f))
            .any(Source::is_fold)
            || matches!(self.text, Some(TextColumns::Fold(_)))
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Timestamps {
    /// strftime-style format (jiff `strtime`).
    pub format: Option<String>,
    /// IANA time zone for timestamps without an offset.
    pub timezone: Option<String>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ConfidenceScale {
    #[default]
    Fraction,
    Percent,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
#[serde(untagged)]
pub enum SentimentScale {
    /// A numeric range rescaled linearly onto −1..1.
    Range { min: f64, max: f64 },
    /// Labels with their value on −1..1.
    Labels { labels: BTreeMap<String, f64> },
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scales {
    #[serde(default)]
    pub confidence: ConfidenceScale,
    pub sentiment: Option<SentimentScale>,
}

/// A complete column mapping.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Mapping {
    #[serde(default)]
    pub columns: Columns,
    /// Extra fields: name used in the policy = CSV column (or a fold of events).
    #[serde(default)]
    pub fields: BTreeMap<String, Source>,
    #[serde(default)]
    pub timestamps: Timestamps,
    #[serde(default)]
    pub scales: Scales,
    /// Per canonical label field: raw label = canonical label.
    #[serde(default)]
    pub aliases: BTreeMap<String, BTreeMap<String, String>>,
    /// The input is one row per event, folded into tickets (DESIGN §7).
    pub events: Option<Events>,
    #[serde(default)]
    pub values: Values,
}

#[derive(Debug, thiserror::Error)]
pub enum MappingError {
    #[error("cannot read mapping {}", path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("mapping {}: {message}", path.display())]
    Invalid { path: PathBuf, message: String },
}

impl Mapping {
    pub fn load(path: &Path) -> Result<Mapping, MappingError> {
        let text = std::fs::read_to_string(path).map_err(|source| MappingError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        let invalid = |message: String| MappingError::Invalid {
            path: path.to_path_buf(),
            message,
        };
        let mapping: Mapping =
            toml::from_str(&text).map_err(|e| invalid(e.to_string().trim_end().to_string()))?;
        mapping.validate().map_err(invalid)?;
        Ok(mapping)
    }

    /// Checks that need no data: the timestamp format, the time zone, alias fields, scales.
    pub fn validate(&self) -> Result<(), String> {
        match &self.events {
            Some(events) => events.validate_with(self.columns.id.as_ref())?,
            None => {
                if self.columns.has_folds() || self.fields.values().any(Source::is_fold) {
                    return Err(
                        "folds (`{ first = … }`, `{ last = … }`, …) read events: add an [events] table naming the column that groups them into tickets (`ticket = \"column\"`)"
                            .to_string(),
                    );
                }
            }
        }
        if let Some(format) = &self.timestamps.format {
            let probe: jiff::Timestamp =
                "2026-01-02T03:04:05Z".parse().map_err(|e| format!("{e}"))?;
            let rendered = jiff::fmt::strtime::format(
                format.as_str(),
                &probe.to_zoned_datetime(jiff::tz::TimeZone::UTC),
            )
            .map_err(|e| format!("timestamp format `{format}` is invalid: {e}"))?;
            if !format.contains('%') || rendered == *format {
                return Err(format!(
                    "timestamp format `{format}` has no conversion specifiers (e.g. `%Y-%m-%d %H:%M:%S`)"
                ));
            }
        }
        if let Some(zone) = &self.timestamps.timezone {
            jiff::tz::TimeZone::get(zone)
                .map_err(|_| format!("unknown time zone `{zone}` in [timestamps]"))?;
        }
        for field in self.aliases.keys() {
            if field == "stage" && self.events.as_ref().is_some_and(|e| e.stage.is_some()) {
                continue;
            }
            if !Field::named(field).is_some_and(Field::is_aliasable) {
                let aliasable: Vec<&str> = Field::ALL
                    .into_iter()
                    .filter(|f| f.is_aliasable())
                    .map(Field::name)
                    .collect();
                return Err(format!(
                    "[aliases.{field}]: aliases apply to {}",
                    aliasable.join(", ")
                ));
            }
        }
        if let Some(SentimentScale::Labels { labels }) = &self.scales.sentiment {
            if let Some((label, value)) = labels.iter().find(|(_, v)| !(-1.0..=1.0).contains(*v)) {
                return Err(format!(
                    "sentiment label `{label}` is mapped to {value}, outside -1..1"
                ));
            }
        }
        if let Some(SentimentScale::Range { min, max }) = &self.scales.sentiment {
            if min.partial_cmp(max) != Some(std::cmp::Ordering::Less) {
                return Err(format!(
                    "sentiment scale needs min < max (got {min}..{max})"
                ));
            }
        }
        Ok(())
    }
}
