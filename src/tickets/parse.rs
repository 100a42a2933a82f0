//! Raw CSV records → [`Ticket`]s: parsing, scales, aliases, and the reject-or-count-as-empty
//! rule for bad values (DESIGN §3).
//!
//! Everything that depends only on the layout and the mapping (which column holds a field,
//! whether a rule reads it, its alias table) is resolved once in [`TicketParser::new`], so a
//! record is filled without looking anything up by name and, once the ticket's buffers have
//! grown, without allocating.

use std::collections::BTreeMap;

use jiff::Timestamp;

use super::Ticket;
use super::mapping::{ConfidenceScale, Mapping, Na, SentimentScale};
use super::record::{Cell, RawRecord, TypedBatch, reuse};
use super::source::{Layout, Needs, RowError};
use super::value::{
    TimestampParser, parse_bool_bytes, parse_trimmed_number, plain_decimal, whole_second,
};
use crate::fields::{Field, Label};
use crate::text::normalize_label;
use spelling::SpellingKey;
use text::{Fields, Plain, RecordText, Rendered, TypedRow, split_plain};

/// Where a canonical field comes from and how its problems count.
#[derive(Debug, Clone)]
struct FieldPlan {
    column: Option<usize>,
    /// A rule reads it: a bad value rejects the row (else it counts as empty).
    rule_read: bool,
    /// Normalised raw label → canonical label.
    aliases: Option<BTreeMap<String, String>>,
}

#[derive(Debug, Clone)]
struct ExtraPlan {
    name: String,
    column: Option<usize>,
    rule_read: bool,
    numeric: bool,
}

enum Problem {
    Reject(String),
    Empty,
}

/// Fills tickets from raw records. Each worker thread has its own copy; the counts of bad
/// values merge by addition ([`TicketParser::merge`]).
#[derive(Debug, Clone)]
pub struct TicketParser {
    columns: usize,
    id: Option<usize>,
    text: Vec<usize>,
    text_read: bool,
    /// By [`Field::index`]; the plans of `id` and `text` are unused (they have their own).
    fields: [FieldPlan; Field::ALL.len()],
    extras: Vec<ExtraPlan>,
    priorities: Vec<String>,
    tiers: Vec<String>,
    timestamps: TimestampParser,
    confidence_scale: ConfidenceScale,
    sentiment_scale: Option<SentimentScale>,
    zone_declared: bool,
    na: Na,
    /// Whether `na` has any value (else no field is tested against it).
    has_na: bool,
    /// The text of a typed row's cells read as text (kept for their buffers).
    rendered: Rendered,
    /// A typed row's cells (kept for its buffer).
    cells: Vec<Cell<'static>>,
    /// A text record's fields' ranges ([`split_plain`]; kept for its buffer).
    plain: Vec<std::ops::Range<usize>>,
    /// Per label field ([`Label`] order, then `resolved_tier`): a few trimmed texts as the
    /// data spells them and the label each was read as, so a column's few distinct values are
    /// lower-cased, aliased and checked once, not once per ticket.
    known_labels: [Vec<(SpellingKey, String, String)>; Label::ALL.len() + 1],
    /// Per label field, as `known_labels`: by [`SpellingKey::slot`], one more than the index
    /// of the first remembered spelling with that slot (0: none), so that a known spelling is
    /// found by one compare, not by a search whose exit is mispredicted (which of a column's
    /// spellings a ticket has is not predictable). Spellings that share a slot are searched.
    label_index: [[u8; SpellingKey::SLOTS]; Label::ALL.len() + 1],
    /// Bad values counted as empty, per field.
    pub bad_values: BTreeMap<String, u64>,
}

/// Distinct spellings remembered per label column ([`TicketParser::label`]); a column with
/// more reads the others as before.
const KNOWN_LABELS: usize = 8;

/// Set a reusable label slot to `text` (keeping its buffer).
#[inline(always)]
fn set_label(slot: &mut Option<String>, text: &str) {
    match slot {
        Some(label) => {
            label.clear();
            label.push_str(text);
        }
        None => *slot = Some(text.to_string()),
    }
}

/// Make a ticket's text slots `len` long; they keep their length from record to record, so the
/// out-of-line `resize` is called only when it changes.
#[inline(always)]
fn fit(slots: &mut Vec<String>, len: usize) {
    if slots.len() != len {
        slots.resize(len, String::new());
    }
}

impl TicketParser {
    pub fn new(layout: &Layout, mapping: &Mapping, needs: &Needs) -> Result<TicketParser, String> {
        let timezone = match &mapping.timestamps.timezone {
            Some(name) => jiff::tz::TimeZone::get(name).map_err(|e| e.to_string())?,
            None => jiff::tz::TimeZone::UTC,
        };
        let fields = Field::ALL.map(|field| FieldPlan {
            column: layout.column(field),
            rule_read: needs.rule_fields.contains(field.name()),
            aliases: mapping.aliases.get(field.name()).map(|table| {
                table
                    .iter()
                    .map(|(raw, canonical)| (normalize_label(raw), normalize_label(canonical)))
                    .collect()
            }),
        });
        let extras = layout
            .extras
            .iter()
            .map(|(name, column)| ExtraPlan {
                name: name.clone(),
                column: *column,
                rule_read: needs.rule_fields.contains(name),
                numeric: needs.numeric_extras.contains(name),
            })
            .collect();
        Ok(TicketParser {
            columns: layout.headers.len(),
            id: layout.id,
            text: layout.text.clone(),
            text_read: needs.rule_fields.contains(Field::Text.name()),
            fields,
            extras,
            priorities: needs.priorities.clone(),
            tiers: needs.tiers.clone(),
            timestamps: TimestampParser::new(mapping.timestamps.format.clone(), timezone),
            confidence_scale: mapping.scales.confidence,
            sentiment_scale: mapping.scales.sentiment.clone(),
            zone_declared: mapping.timestamps.timezone.is_some(),
            na: Na::new(&mapping.values),
            // As `Na::new` keeps them: the values that are not blank once trimmed.
            has_na: mapping.values.na.iter().any(|v| !v.trim().is_empty()),
            rendered: Rendered::default(),
            cells: Vec::new(),
            plain: Vec::new(),
            known_labels: Default::default(),
            label_index: Default::default(),
            bad_values: BTreeMap::new(),
        })
    }

    /// Add another copy's counts to this one.
    pub fn merge(&mut self, other: &TicketParser) {
        for (field, count) in &other.bad_values {
            *self.bad_values.entry(field.clone()).or_default() += count;
        }
        let without_offset = &self.timestamps.without_offset;
        without_offset.set(without_offset.get() + other.timestamps.without_offset.get());
    }

    /// Notes for the report about how the data was read.
    pub fn notes(&self, layout: &Layout) -> Vec<String> {
        let mut notes = layout.notes.clone();
        let (count, zone) = self.timestamps_without_offset();
        notes.extend(zone.and_then(|zone| without_offset_note(count, &zone)));
        notes
    }

    /// Timestamps read without an offset, and the zone they were read in unless the mapping
    /// declares it (a zone the mapping declares is the user's own statement; only the default
    /// is noted). A partial carries both, so merged reports note the sum.
    pub fn timestamps_without_offset(&self) -> (u64, Option<String>) {
        let zone = self.timestamps.timezone.iana_name().unwrap_or("UTC");
        (
            self.timestamps.without_offset.get(),
            (!self.zone_declared).then(|| zone.to_string()),
        )
    }

    /// Fill `ticket` from `record`, the `number`-th record of the input (1-based; it is the id
    /// under `id = "@row"`). A rejected record gives its reason, line and id.
    pub fn parse(
        &mut self,
        record: RawRecord<'_>,
        number: u64,
        ticket: &mut Ticket,
    ) -> Result<(), RowError> {
        let line = record.line();
        ticket.line = line;
        if let Some(rejection) = record.rejection() {
            ticket.id.clear();
            return Err(RowError {
                line,
                id: rejection.id.clone(),
                reason: rejection.reason.clone(),
            });
        }
        // The usual records (text, UTF-8, no `na` values; typed rows without `na` values) are
        // read by a `fill` without the branches and buffers of the others (`fill_general`, out
        // of line).
        let filled = match (self.has_na, record.typed()) {
            (false, Some((batch, row))) => self.fill_typed(batch, row, number, ticket),
            _ => {
                let mut plain = std::mem::take(&mut self.plain);
                let whole = match self.has_na {
                    false => split_plain(&record, &mut plain),
                    true => None,
                };
                let filled = match whole {
                    Some(whole) => self.fill(
                        &Plain {
                            whole,
                            fields: &plain,
                        },
                        number,
                        ticket,
                    ),
                    None => self.fill_general(record, number, ticket),
                };
                self.plain = plain;
                filled
            }
        };
        filled.map_err(|reason| RowError {
            line,
            id: (!ticket.id.is_empty()).then(|| ticket.id.clone()),
            reason,
        })
    }

    /// [`Self::fill`] for row `row` of `batch`, without `[values] na`: its cells read once,
    /// then as the parser reads them ([`TypedRow`]).
    #[inline(never)]
    fn fill_typed(
        &mut self,
        batch: &dyn TypedBatch,
        row: usize,
        number: u64,
        ticket: &mut Ticket,
    ) -> Result<(), String> {
        let mut rendered = std::mem::take(&mut self.rendered);
        rendered.reset(batch.width());
        let mut cells = reuse(std::mem::take(&mut self.cells));
        batch.row(row, &mut cells);
        let fields = TypedRow {
            batch,
            row,
            cells: &cells,
            rendered: &rendered,
        };
        let filled = self.fill(&fields, number, ticket);
        self.rendered = rendered;
        self.cells = reuse(cells);
        filled
    }

    /// [`Self::fill`] for any record: a typed row, `[values] na` in force, fields that are
    /// not UTF-8.
    #[inline(never)]
    fn fill_general(
        &mut self,
        record: RawRecord<'_>,
        number: u64,
        ticket: &mut Ticket,
    ) -> Result<(), String> {
        // Lent to the record's view for the parse (the parser itself is borrowed mutably).
        let na = std::mem::take(&mut self.na);
        let mut rendered = std::mem::take(&mut self.rendered);
        rendered.reset(record.typed().map_or(0, |(batch, _)| batch.width()));
        let mut cells = reuse(std::mem::take(&mut self.cells));
        if let Some((batch, row)) = record.typed() {
            batch.row(row, &mut cells);
        }
        let fields = RecordText::new(record, self.has_na.then_some(&na), &cells, &rendered);
        let filled = self.fill(&fields, number, ticket);
        self.na = na;
        self.rendered = rendered;
        self.cells = reuse(cells);
        filled
    }

    #[inline(always)]
    fn plan(&self, field: Field) -> &FieldPlan {
        &self.fields[field.index()]
    }

    /// The trimmed text of a canonical field; a problem when it is not UTF-8.
    #[inline(always)]
    fn text_of<'r>(
        &self,
        field: Field,
        record: &impl Fields<'r>,
    ) -> Result<Option<&'r str>, Problem> {
        let Some(column) = self.plan(field).column else {
            return Ok(None);
        };
        match record.trimmed(column) {
            Ok("") => Ok(None),
            Ok(text) => Ok(Some(text)),
            Err(()) => Err(self.problem(field, "is not valid UTF-8".to_string())),
        }
    }

    /// The trimmed bytes of a number, date or flag field ([`Fields::trimmed_bytes`]); a problem
    /// when it is not UTF-8.
    #[inline(always)]
    fn bytes_of<'r>(
        &self,
        field: Field,
        record: &impl Fields<'r>,
    ) -> Result<Option<&'r [u8]>, Problem> {
        let Some(column) = self.plan(field).column else {
            return Ok(None);
        };
        match record.trimmed_bytes(column) {
            Ok([]) => Ok(None),
            Ok(bytes) => Ok(Some(bytes)),
            Err(()) => Err(self.problem(field, "is not valid UTF-8".to_string())),
        }
    }

    /// The problem of a bad value read as bytes: its text quoted, then `what`; the text is
    /// built only here (a value that is not UTF-8 is that problem).
    #[cold]
    #[inline(never)]
    fn bad_bytes(&self, field: Field, bytes: &[u8], what: &str) -> Problem {
        match std::str::from_utf8(bytes) {
            Ok(text) => self.problem(field, format!("`{text}` {what}")),
            Err(_) => self.problem(field, "is not valid UTF-8".to_string()),
        }
    }

    #[cold]
    fn problem(&self, field: Field, what: String) -> Problem {
        if self.plan(field).rule_read {
            Problem::Reject(format!("{}: {what}", field.name()))
        } else {
            Problem::Empty
        }
    }

    fn count_bad(&mut self, field: &str) {
        match self.bad_values.get_mut(field) {
            Some(count) => *count += 1,
            None => {
                self.bad_values.insert(field.to_string(), 1);
            }
        }
    }

    #[inline(always)]
    fn settle<T>(
        &mut self,
        field: Field,
        value: Result<Option<T>, Problem>,
    ) -> Result<Option<T>, String> {
        match value {
            Ok(v) => Ok(v),
            Err(Problem::Reject(reason)) => Err(reason),
            Err(Problem::Empty) => {
                self.count_bad(field.name());
                Ok(None)
            }
        }
    }

    #[inline(always)]
    fn timestamp<'r>(
        &mut self,
        field: Field,
        record: &impl Fields<'r>,
    ) -> Result<Option<Timestamp>, String> {
        // Read to the whole second (`whole_second`): clocks, dues and durations run in
        // seconds, as in the compiled SQL.
        if let Some(typed) = record.typed() {
            if let Some(instant) = self.typed_timestamp(field, typed) {
                return Ok(Some(whole_second(instant)));
            }
        }
        let parsed = match self.bytes_of(field, record) {
            Ok(Some(bytes)) => match self.timestamps.parse_trimmed_bytes(bytes) {
                Some(ts) => Ok(Some(whole_second(ts))),
                None => Err(self.bad_bytes(field, bytes, "is not a timestamp")),
            },
            other => other.map(|_| None),
        };
        self.settle(field, parsed)
    }

    /// Read a label field into `slot`: trimmed, lower-cased, aliased; priorities must be the
    /// policy's, resolved tiers `ai` or a tier.
    /// Gives the trimmed text as the data spells it (empty when absent or not UTF-8).
    #[inline(always)]
    fn label<'r>(
        &mut self,
        field: Field,
        record: &impl Fields<'r>,
        slot: &mut Option<String>,
    ) -> Result<&'r str, String> {
        let text = match self.text_of(field, record) {
            Ok(Some(text)) => text,
            other => {
                self.settle(field, other)?;
                *slot = None;
                return Ok("");
            }
        };
        let known = match field {
            Field::ResolvedTier => Some(Label::ALL.len()),
            _ => field.label().map(|label| label as usize),
        };
        let key = SpellingKey::of(text);
        let at = key.slot();
        if let Some((known, index)) =
            known.and_then(|i| self.known_labels.get(i).zip(self.label_index.get(i)))
        {
            let first = usize::from(index[at]).checked_sub(1);
            let found = match first.and_then(|first| known.get(first)) {
                Some((other, raw, label)) if key.matches(text, *other, raw) => Some(label),
                _ => known
                    .iter()
                    .find(|(other, raw, _)| key.matches(text, *other, raw))
                    .map(|(_, _, label)| label),
            };
            if let Some(label) = found {
                set_label(slot, label);
                return Ok(text);
            }
        }
        self.read_label(field, text, slot)?;
        if let (Some(label), Some(known), Some(index)) = (
            slot.as_ref(),
            known.and_then(|i| self.known_labels.get_mut(i)),
            known.and_then(|i| self.label_index.get_mut(i)),
        ) {
            if known.len() < KNOWN_LABELS {
                known.push((key, text.to_string(), label.clone()));
                if index[at] == 0 {
                    index[at] = known.len() as u8;
                }
            }
        }
        Ok(text)
    }

    /// [`Self::label`] for a non-empty `text` it has not seen yet: lower-cased, aliased,
    /// checked. A label that is a problem leaves `slot` empty.
    fn read_label(
        &mut self,
        field: Field,
        text: &str,
        slot: &mut Option<String>,
    ) -> Result<(), String> {
        if text.is_ascii() {
            set_label(slot, text);
            if let Some(label) = slot {
                label.make_ascii_lowercase();
            }
        } else {
            set_label(slot, &normalize_label(text));
        }
        let Some(label) = slot.as_mut() else {
            return Ok(());
        };
        if let Some(canonical) = self
            .plan(field)
            .aliases
            .as_ref()
            .and_then(|table| table.get(label.as_str()))
        {
            label.clone_from(canonical);
        }
        if field == Field::Priority && !self.priorities.contains(label) {
            let problem = self.problem(
                field,
                format!(
                    "`{label}` is not one of the policy's priorities ({}); map it under [aliases.priority]",
                    self.priorities.join(", ")
                ),
            );
            self.settle::<()>(field, Err(problem))?;
            *slot = None;
        } else if field == Field::ResolvedTier && label != "ai" {
            match self.tiers.iter().find(|t| t.eq_ignore_ascii_case(label)) {
                Some(tier) => label.clone_from(tier),
                None => {
                    self.settle::<()>(field, Err(Problem::Empty))?;
                    *slot = None;
                }
            }
        }
        Ok(())
    }

    #[inline(always)]
    fn number<'r>(
        &mut self,
        field: Field,
        record: &impl Fields<'r>,
    ) -> Result<Option<f64>, String> {
        let typed = record
            .typed()
            .and_then(|typed| self.typed_number(field, typed));
        let raw = match typed {
            Some(raw) => raw,
            None => match self.text_number(field, record)? {
                Ok(raw) => raw,
                Err(done) => return Ok(done),
            },
        };
        self.scaled(field, raw)
    }

    /// A number field's text read as a number: `Err` with the field's value when the text
    /// settles it (empty, a sentiment label, a bad value counted as empty).
    #[inline(always)]
    fn text_number<'r>(
        &mut self,
        field: Field,
        record: &impl Fields<'r>,
    ) -> Result<Result<f64, Option<f64>>, String> {
        let bytes = match self.bytes_of(field, record) {
            Ok(Some(bytes)) => bytes,
            other => return self.settle(field, other.map(|_| None)).map(Err),
        };
        if let Some(raw) = plain_decimal(bytes) {
            return Ok(Ok(raw));
        }
        let Ok(text) = std::str::from_utf8(bytes) else {
            let problem = self.bad_bytes(field, bytes, "");
            return self.settle(field, Err(problem)).map(Err);
        };
        let Some(raw) = parse_trimmed_number(text) else {
            if field == Field::Sentiment {
                if let Some(SentimentScale::Labels { labels }) = &self.sentiment_scale {
                    let wanted = normalize_label(text);
                    if let Some((_, v)) = labels.iter().find(|(k, _)| normalize_label(k) == wanted)
                    {
                        return Ok(Err(Some(*v)));
                    }
                }
            }
            let problem = self.problem(field, format!("`{text}` is not a number"));
            return self.settle(field, Err(problem)).map(Err);
        };
        Ok(Ok(raw))
    }

    /// A number field's value `raw` on the field's scale, checked against its range.
    #[inline(always)]
    fn scaled(&mut self, field: Field, raw: f64) -> Result<Option<f64>, String> {
        let (value, range) = match field {
            Field::Confidence => {
                let v = if self.confidence_scale == ConfidenceScale::Percent {
                    raw / 100.0
                } else {
                    raw
                };
                (v, Some((0.0, 1.0)))
            }
            Field::Sentiment => {
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

    #[inline(always)]
    fn boolean<'r>(
        &mut self,
        field: Field,
        record: &impl Fields<'r>,
    ) -> Result<Option<bool>, String> {
        if let Some(value) = record
            .typed()
            .and_then(|typed| self.typed_bool(field, typed))
        {
            return Ok(Some(value));
        }
        let parsed = match self.bytes_of(field, record) {
            Ok(Some(bytes)) => match parse_bool_bytes(bytes) {
                Some(b) => Ok(Some(b)),
                None => Err(self.bad_bytes(field, bytes, "is not true/false, yes/no or 1/0")),
            },
            other => other.map(|_| None),
        };
        self.settle(field, parsed)
    }

    /// The field readers it calls (`timestamp`, `number`, `label`, `boolean`) are forced inline,
    /// with their field a constant. That makes this a large function; round 6 un-forced them
    /// when parse, decide and account ran one ticket at a time and evicted each other's code.
    /// Since the worker runs each step over a stage of 32 tickets (round 7) the parse keeps the
    /// instruction cache to itself, and forcing them again is 3-5 % faster (docs/performance.md,
    /// issue 16 round 7). A problem's message is built out of line.
    fn fill<'r>(
        &mut self,
        record: &impl Fields<'r>,
        number: u64,
        t: &mut Ticket,
    ) -> Result<(), String> {
        t.id.clear();
        match self.id {
            None => {
                use std::fmt::Write;
                let _ = write!(t.id, "{number}");
            }
            Some(column) => match record.trimmed(column) {
                Ok(id) => t.id.push_str(id),
                Err(()) => return Err("id: is not valid UTF-8".into()),
            },
        }
        if record.len() != self.columns {
            return Err(format!(
                "the record has {} fields; the header has {}",
                record.len(),
                self.columns
            ));
        }
        if t.id.is_empty() {
            return Err("id: empty".into());
        }
        fit(&mut t.texts, self.text.len());
        for slot in 0..self.text.len() {
            let column = self.text[slot];
            let target = &mut t.texts[slot];
            target.clear();
            match record.get(column) {
                Ok(text) => lower::fold_into(text, target),
                Err(()) if self.text_read => return Err("text: is not valid UTF-8".into()),
                Err(()) => self.count_bad(Field::Text.name()),
            }
        }
        t.created_at = self.timestamp(Field::CreatedAt, record)?;
        t.confidence = self.number(Field::Confidence, record)?;
        t.sentiment = self.number(Field::Sentiment, record)?;
        for label in Label::ALL {
            let field = label.field();
            let spelling = self.label(field, record, &mut t.labels[label])?;
            t.label_spellings[label].clear();
            t.label_spellings[label].push_str(spelling);
        }
        t.requested_human = self.boolean(Field::RequestedHuman, record)?;
        t.escalated_at = self.timestamp(Field::EscalatedAt, record)?;
        t.first_human_response_at = self.timestamp(Field::FirstHumanResponseAt, record)?;
        t.resolved_at = self.timestamp(Field::ResolvedAt, record)?;
        self.label(Field::ResolvedTier, record, &mut t.resolved_tier)?;
        t.reassignments = match self.number(Field::Reassignments, record)? {
            Some(v) if v >= 0.0 && v.fract() == 0.0 && v <= f64::from(u32::MAX) => Some(v as u32),
            Some(_) => {
                self.count_bad(Field::Reassignments.name());
                None
            }
            None => None,
        };
        t.reopened = self.boolean(Field::Reopened, record)?;
        t.csat = self.number(Field::Csat, record)?;
        fit(&mut t.extras, self.extras.len());
        for slot in 0..self.extras.len() {
            let extra = &self.extras[slot];
            let value = match extra.column {
                None => Ok(""),
                Some(column) => record.trimmed(column),
            };
            match value {
                Ok(text) => {
                    if extra.numeric && !text.is_empty() && parse_trimmed_number(text).is_none() {
                        return Err(format!("{}: `{text}` is not a number", extra.name));
                    }
                    t.extras[slot].clear();
                    t.extras[slot].push_str(text);
                }
                Err(()) if extra.rule_read => {
                    return Err(format!("{}: is not valid UTF-8", extra.name));
                }
                Err(()) => {
                    let name = extra.name.clone();
                    self.count_bad(&name);
                    t.extras[slot].clear();
                }
            }
        }
        Ok(())
    }
}

/// The report's note on timestamps without an offset, read as `zone` (none for none).
pub fn without_offset_note(count: u64, zone: &str) -> Option<String> {
    (count > 0).then(|| format!("{count} timestamps without an offset were read as {zone}"))
}

mod lower;
mod spelling;
#[cfg(test)]
mod tests;
mod text;
mod typed;
