//! The CSV side: resolving a header against a mapping, and reading records into tickets.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Read;

use csv::ByteRecord;

use super::mapping::{ConfidenceScale, Mapping, SentimentScale};
use super::value::{TimestampParser, parse_bool, parse_number};
use super::{LABEL_FIELDS, Ticket};
use crate::policy::condition::{normalize_label, normalize_text};

/// Canonical single-column fields (id and text are handled apart).
pub const FIELDS: [&str; 15] = [
    "created_at",
    "confidence",
    "sentiment",
    "customer_tier",
    "channel",
    "category",
    "priority",
    "requested_human",
    "escalated_at",
    "first_human_response_at",
    "resolved_at",
    "resolved_tier",
    "reassignments",
    "reopened",
    "csat",
];

fn field_index(name: &str) -> usize {
    FIELDS.iter().position(|f| *f == name).unwrap_or(0)
}

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
    pub fields: [Option<usize>; 15],
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

fn find_column(headers: &[String], wanted: &str, purpose: &str) -> Result<usize, LayoutError> {
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
fn header_named(headers: &[String], name: &str) -> Result<Option<usize>, LayoutError> {
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

impl Layout {
    pub fn resolve(
        headers: Vec<String>,
        mapping: &Mapping,
        needs: &Needs,
    ) -> Result<Layout, LayoutError> {
        let c = &mapping.columns;
        let id = match c.id.as_deref() {
            Some("@row") => None,
            Some(column) => Some(find_column(&headers, column, "id")?),
            None => match header_named(&headers, "id")? {
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
                .map(|column| find_column(&headers, column, "text"))
                .collect::<Result<Vec<_>, _>>()?,
            None => header_named(&headers, "text")?.into_iter().collect(),
        };
        let mapped: [(&str, &Option<String>); 15] = [
            ("created_at", &c.created_at),
            ("confidence", &c.confidence),
            ("sentiment", &c.sentiment),
            ("customer_tier", &c.customer_tier),
            ("channel", &c.channel),
            ("category", &c.category),
            ("priority", &c.priority),
            ("requested_human", &c.requested_human),
            ("escalated_at", &c.escalated_at),
            ("first_human_response_at", &c.first_human_response_at),
            ("resolved_at", &c.resolved_at),
            ("resolved_tier", &c.resolved_tier),
            ("reassignments", &c.reassignments),
            ("reopened", &c.reopened),
            ("csat", &c.csat),
        ];
        let mut fields = [None; 15];
        for (i, (name, column)) in mapped.iter().enumerate() {
            fields[i] = match column {
                Some(column) => Some(find_column(&headers, column, name)?),
                None => header_named(&headers, name)?,
            };
        }
        let extras = needs
            .extras
            .iter()
            .map(|name| {
                let column = match mapping.fields.get(name) {
                    Some(column) => Some(find_column(&headers, column, name)?),
                    None => header_named(&headers, name)?,
                };
                Ok((name.clone(), column))
            })
            .collect::<Result<Vec<_>, LayoutError>>()?;
        for (name, column) in &mapping.fields {
            if !needs.extras.contains(name) {
                find_column(&headers, column, name)?;
            }
        }
        let notes = Vec::new();
        Ok(Layout {
            headers,
            id,
            text,
            fields,
            extras,
            notes,
        })
    }

    /// Whether the data has a canonical field (`id` and `text` included).
    pub fn has(&self, field: &str) -> bool {
        match field {
            "id" => true,
            "text" => !self.text.is_empty(),
            _ => FIELDS
                .iter()
                .position(|f| *f == field)
                .is_some_and(|i| self.fields[i].is_some()),
        }
    }

    pub fn has_extra(&self, name: &str) -> bool {
        self.extras.iter().any(|(n, c)| n == name && c.is_some())
    }
}

/// Why a record was rejected.
#[derive(Debug, Clone, PartialEq)]
pub struct RowError {
    pub line: u64,
    pub id: Option<String>,
    pub reason: String,
}

/// Streams tickets out of a CSV reader.
pub struct TicketSource {
    reader: csv::Reader<Box<dyn Read>>,
    pub layout: Layout,
    needs: Needs,
    timestamps: TimestampParser,
    confidence_scale: ConfidenceScale,
    sentiment_scale: Option<SentimentScale>,
    /// Per field: normalised raw label → canonical label.
    aliases: BTreeMap<String, BTreeMap<String, String>>,
    zone_declared: bool,
    record: ByteRecord,
    records: u64,
    /// Bad values counted as empty, per field.
    pub bad_values: BTreeMap<String, u64>,
    /// The raw record of the last rejected row, for `--rejects`.
    pub last_record: ByteRecord,
}

enum Problem {
    Reject(String),
    Empty,
}

impl TicketSource {
    pub fn new(
        input: Box<dyn Read>,
        mapping: &Mapping,
        needs: Needs,
    ) -> Result<TicketSource, String> {
        let mut reader = csv::ReaderBuilder::new()
            .flexible(true)
            .has_headers(true)
            .from_reader(input);
        let header = reader
            .byte_headers()
            .map_err(|e| format!("cannot read the CSV header: {e}"))?
            .clone();
        if header.is_empty() || (header.len() == 1 && header[0].is_empty()) {
            return Err("the input is empty: a CSV header is needed".into());
        }
        let headers: Vec<String> = header
            .iter()
            .enumerate()
            .map(|(i, h)| {
                let text = String::from_utf8_lossy(h).into_owned();
                if i == 0 {
                    text.trim_start_matches('\u{feff}').to_string()
                } else {
                    text
                }
            })
            .collect();
        let layout = Layout::resolve(headers, mapping, &needs).map_err(|e| e.to_string())?;
        let timezone = match &mapping.timestamps.timezone {
            Some(name) => jiff::tz::TimeZone::get(name).map_err(|e| e.to_string())?,
            None => jiff::tz::TimeZone::UTC,
        };
        let aliases = mapping
            .aliases
            .iter()
            .map(|(field, table)| {
                let table = table
                    .iter()
                    .map(|(raw, canonical)| (normalize_label(raw), normalize_label(canonical)))
                    .collect();
                (field.clone(), table)
            })
            .collect();
        Ok(TicketSource {
            reader,
            layout,
            needs,
            timestamps: TimestampParser::new(mapping.timestamps.format.clone(), timezone),
            confidence_scale: mapping.scales.confidence,
            sentiment_scale: mapping.scales.sentiment.clone(),
            aliases,
            zone_declared: mapping.timestamps.timezone.is_some(),
            record: ByteRecord::new(),
            records: 0,
            bad_values: BTreeMap::new(),
            last_record: ByteRecord::new(),
        })
    }

    /// Notes for the report about how the data was read.
    pub fn notes(&self) -> Vec<String> {
        let mut notes = self.layout.notes.clone();
        // A zone the mapping declares is the user's own statement; only the default is noted.
        if self.timestamps.without_offset.get() > 0 && !self.zone_declared {
            notes.push(format!(
                "{} timestamps without an offset were read as {}",
                self.timestamps.without_offset.get(),
                self.timestamps.timezone.iana_name().unwrap_or("UTC")
            ));
        }
        notes
    }

    /// Bytes read so far (for progress).
    pub fn position(&self) -> u64 {
        self.reader.position().byte()
    }

    /// Read the next record into `ticket`. `Ok(None)` at the end; `Ok(Some(Err(_)))` for a
    /// rejected record; `Err` when the input cannot be read at all.
    pub fn next(
        &mut self,
        ticket: &mut Ticket,
    ) -> Result<Option<Result<(), RowError>>, csv::Error> {
        if !self.reader.read_byte_record(&mut self.record)? {
            return Ok(None);
        }
        self.records += 1;
        let line = self.record.position().map_or(0, |p| p.line());
        ticket.line = line;
        let outcome = self.fill(ticket).map_err(|reason| {
            self.last_record.clone_from(&self.record);
            RowError {
                line,
                id: (!ticket.id.is_empty()).then(|| ticket.id.clone()),
                reason,
            }
        });
        Ok(Some(outcome))
    }

    fn field_str(&self, column: usize) -> Result<&str, ()> {
        let bytes = self.record.get(column).unwrap_or_default();
        std::str::from_utf8(bytes).map(str::trim).map_err(|_| ())
    }

    /// The trimmed text of a canonical field; a problem when it is not UTF-8.
    fn text_of(&self, field: &str) -> Result<Option<&str>, Problem> {
        let Some(column) = self.layout.fields[field_index(field)] else {
            return Ok(None);
        };
        match self.field_str(column) {
            Ok("") => Ok(None),
            Ok(text) => Ok(Some(text)),
            Err(()) => Err(self.problem(field, "is not valid UTF-8".to_string())),
        }
    }

    fn problem(&self, field: &str, what: String) -> Problem {
        if self.needs.rule_fields.contains(field) {
            Problem::Reject(format!("{field}: {what}"))
        } else {
            Problem::Empty
        }
    }

    fn settle<T>(
        &mut self,
        field: &str,
        value: Result<Option<T>, Problem>,
    ) -> Result<Option<T>, String> {
        match value {
            Ok(v) => Ok(v),
            Err(Problem::Reject(reason)) => Err(reason),
            Err(Problem::Empty) => {
                *self.bad_values.entry(field.to_string()).or_default() += 1;
                Ok(None)
            }
        }
    }

    fn timestamp(&mut self, field: &str) -> Result<Option<jiff::Timestamp>, String> {
        let parsed = match self.text_of(field) {
            Ok(Some(text)) => match self.timestamps.parse(text) {
                Some(ts) => Ok(Some(ts)),
                None => Err(self.problem(field, format!("`{text}` is not a timestamp"))),
            },
            other => other.map(|_| None),
        };
        self.settle(field, parsed)
    }

    fn label(&mut self, field: &str) -> Result<Option<String>, String> {
        let parsed = match self.text_of(field) {
            Ok(Some(text)) => {
                let label = normalize_label(text);
                let label = self
                    .aliases
                    .get(field)
                    .and_then(|table| table.get(&label))
                    .cloned()
                    .unwrap_or(label);
                Ok(Some(label))
            }
            other => other.map(|_| None),
        };
        let mut label = self.settle(field, parsed)?;
        if field == "priority" {
            if let Some(value) = &label {
                if !self.needs.priorities.contains(value) {
                    let problem = self.problem(
                        field,
                        format!(
                            "`{value}` is not one of the policy's priorities ({}); map it under [aliases.priority]",
                            self.needs.priorities.join(", ")
                        ),
                    );
                    label = self.settle(field, Err(problem))?;
                }
            }
        }
        if field == "resolved_tier" {
            if let Some(value) = label.take() {
                let tier = if value == "ai" {
                    Some("ai".to_string())
                } else {
                    self.needs
                        .tiers
                        .iter()
                        .find(|t| t.eq_ignore_ascii_case(&value))
                        .cloned()
                };
                label = match tier {
                    Some(tier) => Some(tier),
                    None => self.settle::<String>(field, Err(Problem::Empty))?,
                };
            }
        }
        Ok(label)
    }

    fn number(&mut self, field: &str) -> Result<Option<f64>, String> {
        let parsed = match self.text_of(field) {
            Ok(Some(text)) => match parse_number(text) {
                Some(v) => Ok(Some(v)),
                None => Err(text.to_string()),
            },
            Ok(None) => Ok(None),
            Err(problem) => return self.settle(field, Err(problem)),
        };
        let value = match parsed {
            Ok(v) => v,
            Err(text) => {
                if field == "sentiment" {
                    if let Some(SentimentScale::Labels { labels }) = &self.sentiment_scale {
                        let wanted = normalize_label(&text);
                        if let Some((_, v)) =
                            labels.iter().find(|(k, _)| normalize_label(k) == wanted)
                        {
                            return Ok(Some(*v));
                        }
                    }
                }
                let problem = self.problem(field, format!("`{text}` is not a number"));
                return self.settle(field, Err(problem));
            }
        };
        let Some(raw) = value else { return Ok(None) };
        let (value, range) = match field {
            "confidence" => {
                let v = if self.confidence_scale == ConfidenceScale::Percent {
                    raw / 100.0
                } else {
                    raw
                };
                (v, Some((0.0, 1.0)))
            }
            "sentiment" => {
                let v = match &self.sentiment_scale {
                    Some(SentimentScale::Range { min, max }) => {
                        -1.0 + 2.0 * (raw - min) / (max - min)
                    }
                    _ => raw,
                };
                (v, Some((-1.0, 1.0)))
            }
            _ => (raw, None),
        };
        if let Some((low, high)) = range {
            if !(low..=high).contains(&value) {
                let problem = self.problem(field, format!("{raw} is outside {low}..{high}"));
                return self.settle(field, Err(problem));
            }
        }
        Ok(Some(value))
    }

    fn boolean(&mut self, field: &str) -> Result<Option<bool>, String> {
        let parsed = match self.text_of(field) {
            Ok(Some(text)) => match parse_bool(text) {
                Some(b) => Ok(Some(b)),
                None => {
                    Err(self.problem(field, format!("`{text}` is not true/false, yes/no or 1/0")))
                }
            },
            other => other.map(|_| None),
        };
        self.settle(field, parsed)
    }

    fn fill(&mut self, t: &mut Ticket) -> Result<(), String> {
        t.id.clear();
        let headers = self.layout.headers.len();
        match self.layout.id {
            None => t.id.push_str(&self.records.to_string()),
            Some(column) => match self.field_str(column) {
                Ok(id) => t.id.push_str(id),
                Err(()) => return Err("id: is not valid UTF-8".into()),
            },
        }
        if self.record.len() != headers {
            return Err(format!(
                "the record has {} fields; the header has {headers}",
                self.record.len()
            ));
        }
        if t.id.is_empty() {
            return Err("id: empty".into());
        }
        let text_read = self.needs.rule_fields.contains("text");
        t.texts.resize(self.layout.text.len(), String::new());
        for (slot, &column) in self.layout.text.iter().enumerate() {
            let target = &mut t.texts[slot];
            target.clear();
            match std::str::from_utf8(self.record.get(column).unwrap_or_default()) {
                Ok(text) if text.is_ascii() => {
                    target.push_str(text);
                    target.make_ascii_lowercase();
                }
                Ok(text) => target.push_str(&normalize_text(text)),
                Err(_) if text_read => return Err("text: is not valid UTF-8".into()),
                Err(_) => *self.bad_values.entry("text".into()).or_default() += 1,
            }
        }
        t.created_at = self.timestamp("created_at")?;
        t.confidence = self.number("confidence")?;
        t.sentiment = self.number("sentiment")?;
        for (i, field) in LABEL_FIELDS.iter().enumerate() {
            t.labels[i] = self.label(field)?;
        }
        t.requested_human = self.boolean("requested_human")?;
        t.escalated_at = self.timestamp("escalated_at")?;
        t.first_human_response_at = self.timestamp("first_human_response_at")?;
        t.resolved_at = self.timestamp("resolved_at")?;
        t.resolved_tier = self.label("resolved_tier")?;
        t.reassignments = match self.number("reassignments")? {
            Some(v) if v >= 0.0 && v.fract() == 0.0 && v <= f64::from(u32::MAX) => Some(v as u32),
            Some(_) => {
                *self.bad_values.entry("reassignments".into()).or_default() += 1;
                None
            }
            None => None,
        };
        t.reopened = self.boolean("reopened")?;
        t.csat = self.number("csat")?;
        t.extras.resize(self.layout.extras.len(), String::new());
        for slot in 0..self.layout.extras.len() {
            let (name, column) = &self.layout.extras[slot];
            let value = match column {
                None => Ok(""),
                Some(column) => self.field_str(*column),
            };
            let rule_read = self.needs.rule_fields.contains(name);
            match value {
                Ok(text) => {
                    if self.needs.numeric_extras.contains(name)
                        && !text.is_empty()
                        && parse_number(text).is_none()
                    {
                        return Err(format!("{name}: `{text}` is not a number"));
                    }
                    t.extras[slot].clear();
                    t.extras[slot].push_str(text);
                }
                Err(()) if rule_read => return Err(format!("{name}: is not valid UTF-8")),
                Err(()) => {
                    let name = name.clone();
                    *self.bad_values.entry(name).or_default() += 1;
                    t.extras[slot].clear();
                }
            }
        }
        Ok(())
    }
}
