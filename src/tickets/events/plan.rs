//! An event mapping resolved against an event file's header: which columns group, order and
//! feed each folded field, and the synthetic per-ticket record the folds fill (whose columns
//! are the mapped fields, read by the usual [`crate::tickets::TicketParser`]).

use std::collections::BTreeMap;

use super::spec::{Events, Fold, FoldKind, Na, Source, TextColumns};
use crate::fields::Field;
use crate::text::normalize_label;
use crate::tickets::layout::{Needs, find_column, header_named};
use crate::tickets::mapping::{Columns, Mapping};
use crate::tickets::value::TimestampParser;

/// How events become tickets.
#[derive(Debug, Clone, Copy)]
pub enum Key {
    /// The column that names each event's ticket.
    Ticket(usize),
    /// Reply chains: each message's id and the id of the message it answers.
    Thread { id: usize, parent: usize },
}

/// One column of the synthetic record: a fold of one event column.
#[derive(Debug, Clone)]
pub struct Output {
    pub kind: FoldKind,
    pub column: usize,
    /// Event columns that must hold one of their values (lower-cased).
    pub filter: Vec<(usize, Vec<String>)>,
}

/// Everything the folding needs, resolved once.
#[derive(Debug, Clone)]
pub struct Plan {
    pub key: Key,
    /// The column that orders a ticket's events, and its name.
    pub time: Option<(usize, String)>,
    /// The column of each event's stage, and `[aliases.stage]` (normalised raw value → name).
    pub stage: Option<(usize, BTreeMap<String, String>)>,
    pub grouped: bool,
    /// The synthetic record's columns after the id (column 0), in order.
    pub outputs: Vec<Output>,
    /// The synthetic record's header: `id`, then one name per output.
    pub headers: Vec<String>,
    /// The mapping that reads the synthetic records.
    pub mapping: Mapping,
    pub na: Na,
    pub timestamps: TimestampParser,
    /// Columns of the event file.
    pub width: usize,
    /// The event file's header, for messages.
    pub event_headers: Vec<String>,
}

fn purpose(name: &str, fold: &Fold) -> String {
    format!("{name} = {{ {} = … }}", fold.kind.name())
}

impl Plan {
    pub fn resolve(
        headers: &[String],
        mapping: &Mapping,
        events: &Events,
        needs: &Needs,
        timezone: jiff::tz::TimeZone,
    ) -> Result<Plan, String> {
        let find = |column: &str, purpose: &str| -> Result<usize, String> {
            find_column(headers, column, purpose).map_err(|e| e.to_string())
        };
        let key = match (&events.ticket, &events.thread) {
            (Some(ticket), _) => Key::Ticket(find(ticket, "[events] ticket")?),
            (_, Some(thread)) => Key::Thread {
                id: find(&thread.id, "[events] thread.id")?,
                parent: find(&thread.parent, "[events] thread.parent")?,
            },
            _ => return Err(events.validate().err().unwrap_or_default()),
        };
        let time = match &events.time {
            Some(column) => Some((find(column, "[events] time")?, column.clone())),
            None => None,
        };
        let stage = match &events.stage {
            Some(column) => {
                let aliases = mapping
                    .aliases
                    .get("stage")
                    .map(|table| {
                        table
                            .iter()
                            .map(|(raw, name)| (normalize_label(raw), name.trim().to_string()))
                            .collect()
                    })
                    .unwrap_or_default();
                Some((find(column, "[events] stage")?, aliases))
            }
            None => None,
        };
        let mut outputs = Vec::new();
        let mut out_headers = vec![Field::Id.name().to_string()];
        let mut add = |name: String, fold: &Fold| -> Result<(), String> {
            let column = find(&fold.column, &purpose(&name, fold))?;
            let filter = fold
                .filter
                .iter()
                .map(|(column, values)| {
                    let at = find(column, &format!("the `where` of {name}"))?;
                    Ok((at, values.iter().map(|v| v.trim().to_lowercase()).collect()))
                })
                .collect::<Result<Vec<_>, String>>()?;
            outputs.push(Output {
                kind: fold.kind,
                column,
                filter,
            });
            out_headers.push(name);
            Ok(())
        };
        let mut columns = Columns {
            id: Some(Source::from(Field::Id.name())),
            ..Columns::default()
        };
        for field in Field::ALL.into_iter().filter(|f| f.is_single_column()) {
            let name = field.name();
            let source = match mapping.columns.source(field) {
                Some(source) => Some(source.fold()),
                // As without events, a column named like the field is that field.
                None => header_named(headers, name)
                    .map_err(|e| e.to_string())?
                    .map(|at| Source::Column(headers[at].clone()).fold()),
            };
            if let Some(fold) = source {
                add(name.to_string(), &fold)?;
                set_column(&mut columns, field, Source::from(name));
            }
        }
        let text_sources = match &mapping.columns.text {
            Some(text) => text.sources(),
            None => header_named(headers, Field::Text.name())
                .map_err(|e| e.to_string())?
                .map(|at| vec![Source::Column(headers[at].clone())])
                .unwrap_or_default(),
        };
        let text_names: Vec<String> = match text_sources.len() {
            1 => vec![Field::Text.name().to_string()],
            n => (1..=n).map(|i| format!("text {i}")).collect(),
        };
        for (name, source) in text_names.iter().zip(&text_sources) {
            add(name.clone(), &source.fold())?;
        }
        columns.text = match text_names.as_slice() {
            [] => None,
            [one] => Some(TextColumns::One(one.clone())),
            many => Some(TextColumns::Many(many.to_vec())),
        };
        let mut fields = BTreeMap::new();
        for (name, source) in &mapping.fields {
            add(name.clone(), &source.fold())?;
            fields.insert(name.clone(), Source::from(name.as_str()));
        }
        for name in &needs.extras {
            if mapping.fields.contains_key(name) {
                continue;
            }
            if let Some(at) = header_named(headers, name).map_err(|e| e.to_string())? {
                add(name.clone(), &Source::Column(headers[at].clone()).fold())?;
                fields.insert(name.clone(), Source::from(name.as_str()));
            }
        }
        let synthetic = Mapping {
            columns,
            fields,
            timestamps: mapping.timestamps.clone(),
            scales: mapping.scales.clone(),
            aliases: mapping
                .aliases
                .iter()
                .filter(|(field, _)| *field != "stage")
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
            events: None,
            // Applied to the events already; a fold's own output (a count) is never `na`.
            values: Default::default(),
        };
        Ok(Plan {
            key,
            time,
            stage,
            grouped: events.grouped,
            outputs,
            headers: out_headers,
            mapping: synthetic,
            na: Na::new(&mapping.values),
            timestamps: TimestampParser::new(mapping.timestamps.format.clone(), timezone),
            width: headers.len(),
            event_headers: headers.to_vec(),
        })
    }

    /// The stage an event names (aliased), if any.
    pub fn stage_of(&self, text: &str) -> Option<String> {
        let (_, aliases) = self.stage.as_ref()?;
        if text.is_empty() {
            return None;
        }
        Some(match aliases.get(&normalize_label(text)) {
            Some(name) => name.clone(),
            None => text.to_string(),
        })
    }

    /// The name of an event column, for messages.
    pub fn column_name(&self, at: usize) -> &str {
        self.event_headers.get(at).map_or("?", |h| h.as_str())
    }
}

fn set_column(columns: &mut Columns, field: Field, source: Source) {
    let slot = match field {
        Field::Id | Field::Text => return,
        Field::CreatedAt => &mut columns.created_at,
        Field::Confidence => &mut columns.confidence,
        Field::Sentiment => &mut columns.sentiment,
        Field::CustomerTier => &mut columns.customer_tier,
        Field::Channel => &mut columns.channel,
        Field::Category => &mut columns.category,
        Field::Priority => &mut columns.priority,
        Field::RequestedHuman => &mut columns.requested_human,
        Field::EscalatedAt => &mut columns.escalated_at,
        Field::FirstHumanResponseAt => &mut columns.first_human_response_at,
        Field::ResolvedAt => &mut columns.resolved_at,
        Field::ResolvedTier => &mut columns.resolved_tier,
        Field::Reassignments => &mut columns.reassignments,
        Field::Reopened => &mut columns.reopened,
        Field::Csat => &mut columns.csat,
    };
    *slot = Some(source);
}
