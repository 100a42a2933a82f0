//! An event's fields as the folds read them: as text (a record that is UTF-8 as a whole is
//! checked once), trimmed, `na` made empty — each column the plan reads once per event
//! ([`Cells`]), however many folds name it.

use super::plan::{Key, Plan};
use super::spec::Na;
use crate::tickets::{RawRecord, Records};

/// An event's fields as text. A record that is valid UTF-8 as a whole (the usual case) is
/// checked once; its fields are slices of it. Split ahead, the thread that split it checked it
/// and copied it, cleaned, into [`Prepared`] (`ready`): the fold then reads that copy and checks
/// nothing again.
#[derive(Clone, Copy)]
pub(super) struct EventText<'r> {
    pub(super) record: RawRecord<'r>,
    pub(super) whole: Option<&'r str>,
    pub(super) ready: Option<ReadyEvent<'r>>,
}

impl<'r> EventText<'r> {
    pub(super) fn new(record: RawRecord<'r>) -> EventText<'r> {
        EventText {
            record,
            whole: std::str::from_utf8(record.as_slice()).ok(),
            ready: None,
        }
    }

    /// Event `index` of `prepared` (whose record is `record`): read from the prepared copy
    /// when the splitting thread found it UTF-8 as a whole, else as [`EventText::new`].
    pub(super) fn prepared(
        record: RawRecord<'r>,
        prepared: &'r Prepared,
        index: usize,
    ) -> EventText<'r> {
        match prepared.ready(index) {
            Some(ready) => EventText {
                record,
                whole: None,
                ready: Some(ready),
            },
            None => EventText::new(record),
        }
    }

    /// Whether the record is UTF-8 as a whole (then its fields are read without a check).
    pub(super) fn is_utf8(&self) -> bool {
        self.ready.is_some() || self.whole.is_some()
    }
}

/// A field of an event: trimmed, `na` made empty; `Err` when it is not UTF-8.
pub(super) fn field<'r>(plan: &Plan, event: EventText<'r>, at: usize) -> Result<&'r str, String> {
    let text = match event
        .whole
        .zip(event.record.range(at))
        .and_then(|(whole, range)| whole.get(range))
    {
        Some(text) => text,
        None => std::str::from_utf8(event.record.get(at).unwrap_or_default())
            .map_err(|_| format!("column `{}`: is not valid UTF-8", plan.column_name(at)))?,
    };
    Ok(plan.na.clean_trimmed(crate::tickets::value::trim(text)))
}

/// The fields an event's folds read, each trimmed and `na`-cleaned once per event (a column
/// that several folds name, or that also orders the events, is not sliced and cleaned again
/// for each).
#[derive(Default)]
pub(super) struct Cells {
    /// The columns the plan reads (key, time, stage, folds and their `where`s), once each.
    used: Vec<usize>,
    /// Per event column: where its cleaned text lies in the record (`None`: not UTF-8).
    ranges: Vec<Option<std::ops::Range<usize>>>,
    /// `ranges` holds the current event's fields.
    filled: bool,
    /// Per event column: its index in `used` ([`NONE`]: not read), where a [`Prepared`]
    /// event's range of it lies.
    slots: Vec<u32>,
    /// Per fold of the plan: the slot of the column it reads.
    output_slots: Vec<usize>,
}

impl Cells {
    pub(super) fn new(plan: &Plan) -> Cells {
        let mut used: Vec<usize> = plan
            .outputs
            .iter()
            .flat_map(|o| std::iter::once(o.column).chain(o.filter.iter().map(|f| f.0)))
            .chain(plan.time.as_ref().map(|t| t.0))
            .chain(plan.stage.as_ref().map(|s| s.0))
            .chain(match plan.key {
                Key::Ticket(at) => vec![at],
                Key::Thread { id, parent } => vec![id, parent],
            })
            .collect();
        used.sort_unstable();
        used.dedup();
        let width = used.last().map_or(0, |&at| at + 1);
        let mut slots = vec![NONE; width];
        for (slot, &at) in used.iter().enumerate() {
            slots[at] = u32::try_from(slot).unwrap_or(NONE);
        }
        let output_slots = plan
            .outputs
            .iter()
            .map(|o| used.binary_search(&o.column).unwrap_or(usize::MAX))
            .collect();
        Cells {
            used,
            ranges: vec![None; width],
            filled: false,
            slots,
            output_slots,
        }
    }

    /// Note `event`'s fields: only when it is UTF-8 as a whole (else each is read as asked).
    pub(super) fn fill(&mut self, plan: &Plan, event: EventText<'_>) {
        self.filled = false;
        let Some(whole) = event.whole else { return };
        let never = plan.na.never_lengths();
        for &at in &self.used {
            self.ranges[at] = clean_range(&plan.na, never, event.record, whole, at);
        }
        self.filled = true;
    }

    /// Per fold of the plan, where its column's cleaned text lies among a [`Prepared`]
    /// event's ranges ([`ReadyEvent::at_slot`]).
    pub(super) fn output_slots(&self) -> &[usize] {
        &self.output_slots
    }

    /// Where column `at`'s cleaned text lies among a [`Prepared`] event's ranges.
    #[inline]
    fn slot(&self, at: usize) -> Option<usize> {
        self.slots
            .get(at)
            .copied()
            .filter(|&s| s != NONE)
            .map(|s| s as usize)
    }
}

/// Prepares the events of each chunk on the thread that split it ([`Preparer::prepare`]): the
/// work on each event that does not depend on the order of the fold — the UTF-8 check, the
/// cells trimmed and `na`-cleaned, the time read, every fold's `where` — done with the same
/// functions the fold calls on an event not prepared, so that it gives the same.
pub(super) struct Preparer {
    plan: Plan,
    cells: Cells,
    /// Bit `i`: fold `i` has no `where` (it keeps every event).
    unfiltered: u64,
    /// The folds with a `where` (at most 64 folds): each one's index, and per column of its
    /// `where` the column's slot among an event's prepared cells, the column, the values.
    #[allow(clippy::type_complexity)]
    filters: Vec<(usize, Vec<(usize, usize, Vec<String>)>)>,
}

impl Preparer {
    pub(super) fn new(plan: &Plan) -> Preparer {
        let cells = Cells::new(plan);
        let folds = plan.outputs.iter().enumerate().take(64);
        let unfiltered = folds
            .clone()
            .filter(|(_, o)| o.filter.is_empty())
            .fold(0, |bits, (i, _)| bits | 1 << i);
        let filters = folds
            .filter(|(_, o)| !o.filter.is_empty())
            .map(|(i, o)| {
                let columns = o.filter.iter().map(|(at, values)| {
                    // Every `where` column is one the cells read (`Cells::new`).
                    let slot = cells.slot(*at).unwrap_or(usize::MAX);
                    (slot, *at, values.clone())
                });
                (i, columns.collect())
            })
            .collect();
        Preparer {
            plan: plan.clone(),
            cells,
            unfiltered,
            filters,
        }
    }

    /// Prepare each record of `records` into `into` (replacing what it held).
    pub(super) fn prepare(&mut self, records: &Records, into: &mut Prepared) {
        let plan = &self.plan;
        into.ranges.clear();
        into.text.clear();
        into.events.clear();
        into.per = self.cells.used.len();
        into.kept_known = plan.outputs.len() <= 64;
        let never = plan.na.never_lengths();
        for record in (0..records.len()).filter_map(|i| records.get(i)) {
            let event = EventText::new(record);
            // A chunk too long for 32-bit offsets (never, at a few hundred KiB) is read as
            // asked from there on.
            let whole = event
                .whole
                .filter(|w| u32::try_from(into.text.len() + w.len()).is_ok_and(|n| n < NONE));
            let Some(whole) = whole else {
                into.events.push(Meta::default());
                into.ranges
                    .extend(self.cells.used.iter().map(|_| [NONE, NONE]));
                continue;
            };
            let base = into.text.len();
            into.text.push_str(whole);
            let first = into.ranges.len();
            into.ranges.extend(self.cells.used.iter().map(|&at| {
                match clean_range(&plan.na, never, record, whole, at) {
                    // Within `text`, whose length is below `NONE`.
                    Some(range) => [(base + range.start) as u32, (base + range.end) as u32],
                    None => [NONE, NONE],
                }
            }));
            // The time and the `where`s read from the cells just prepared, as the fold reads
            // them.
            let ready = ReadyEvent {
                text: &into.text,
                ranges: &into.ranges[first..],
                time: None,
                offsetless: false,
                kept: None,
            };
            let event = EventText {
                record,
                whole: None,
                ready: Some(ready),
            };
            let cells = Some(&self.cells);
            let mut meta = Meta {
                whole: true,
                ..Meta::default()
            };
            if let Some((at, _)) = &plan.time {
                if let Ok(text) = cell(plan, event, cells, *at) {
                    if !text.is_empty() {
                        let counted = plan.timestamps.without_offset.get();
                        meta.time = plan.timestamps.parse(text);
                        meta.offsetless = plan.timestamps.without_offset.get() != counted;
                    }
                }
            }
            if into.kept_known {
                meta.kept = self.unfiltered;
                for &(i, ref filter) in &self.filters {
                    // Each `where` column's cell by its slot, just prepared (as `kept` reads
                    // it through `cell`, without looking the slot up per event).
                    let keep = filter.iter().all(|&(slot, at, ref values)| {
                        match ready.at_slot(slot) {
                            Some(text) => Ok(text),
                            None => field(plan, event, at),
                        }
                        .is_ok_and(|text| one_of(text, values))
                    });
                    if keep {
                        meta.kept |= 1 << i;
                    }
                }
            }
            into.events.push(meta);
        }
    }
}

/// The events of a chunk as the thread that split it prepared them ([`Preparer::prepare`]).
#[derive(Debug, Default)]
pub struct Prepared {
    /// Ranges per event: one per column the plan reads, into `text`, as 32-bit offsets
    /// ([`NONE`]: not a field), a third of a `Range<usize>`'s room (the chunks in flight are
    /// replay's memory).
    per: usize,
    ranges: Vec<[u32; 2]>,
    /// The events UTF-8 as a whole, back to back: checked once, here.
    text: String,
    events: Vec<Meta>,
    /// `Meta::kept` holds every fold's `where` (at most 64 folds).
    kept_known: bool,
}

impl Prepared {
    /// Event `index`, when it is UTF-8 as a whole.
    fn ready(&self, index: usize) -> Option<ReadyEvent<'_>> {
        let meta = self.events.get(index).filter(|m| m.whole)?;
        let per = self.per;
        Some(ReadyEvent {
            text: &self.text,
            ranges: self.ranges.get(index * per..(index + 1) * per)?,
            time: meta.time,
            offsetless: meta.offsetless,
            kept: self.kept_known.then_some(meta.kept),
        })
    }
}

/// What [`Preparer::prepare`] notes of one event.
#[derive(Debug, Default, Clone, Copy)]
struct Meta {
    /// UTF-8 as a whole (else read as asked, as an event not prepared).
    whole: bool,
    /// The event's time when it has a valid one (else the fold reads it, and says why not).
    time: Option<jiff::Timestamp>,
    /// `time` was read without an offset (the fold counts it as when it reads it).
    offsetless: bool,
    /// Bit `i`: fold `i`'s `where` keeps the event.
    kept: u64,
}

/// One prepared event, as the fold reads it.
#[derive(Clone, Copy)]
pub(super) struct ReadyEvent<'r> {
    text: &'r str,
    ranges: &'r [[u32; 2]],
    pub(super) time: Option<jiff::Timestamp>,
    pub(super) offsetless: bool,
    kept: Option<u64>,
}

impl<'r> ReadyEvent<'r> {
    /// Whether fold `output`'s `where` keeps the event, when prepared.
    #[inline]
    pub(super) fn kept(&self, output: usize) -> Option<bool> {
        self.kept.map(|bits| bits >> output & 1 == 1)
    }

    /// Bit `i`: fold `i` keeps the event (its `where`, if any, holds), when every fold's
    /// `where` was tested.
    #[inline]
    pub(super) fn kept_bits(&self) -> Option<u64> {
        self.kept
    }

    /// Column `at`, cleaned, when prepared.
    #[inline]
    fn get(&self, cells: &Cells, at: usize) -> Option<&'r str> {
        self.at_slot(cells.slot(at)?)
    }

    /// The cleaned text of the column at `slot` ([`Cells::output_slots`]), when prepared.
    #[inline]
    pub(super) fn at_slot(&self, slot: usize) -> Option<&'r str> {
        let [start, end] = *self.ranges.get(slot)?;
        match start {
            NONE => None,
            _ => self.text.get(start as usize..end as usize),
        }
    }
}

/// A range of [`Prepared`] that is no field.
const NONE: u32 = u32::MAX;

/// Bytes that [`crate::tickets::value::trim`] keeps at either end of a text: ASCII, not
/// white space.
const PLAIN: [bool; 256] = {
    let mut plain = [false; 256];
    let mut b = 0;
    while b < 0x80 {
        plain[b] = !matches!(b as u8, b'\t'..=b'\r' | b' ');
        b += 1;
    }
    plain
};

/// Where field `at` of `record` (UTF-8 as a whole: `whole`) lies trimmed and `na`-cleaned;
/// `never` is the `na` values' [`Na::never_lengths`].
#[inline]
fn clean_range(
    na: &Na,
    never: u64,
    record: RawRecord<'_>,
    whole: &str,
    at: usize,
) -> Option<std::ops::Range<usize>> {
    let range = record.range(at)?;
    // Most cells: a first and a last byte that are ASCII and not white space (so the range
    // starts and ends at characters, and trimming keeps it whole), and a length no `na` value
    // has — the range as it is, without slicing, trimming or comparing the text.
    let bytes = whole.as_bytes();
    if let (Some(&first), Some(&last)) = (
        bytes.get(range.start),
        range.end.checked_sub(1).and_then(|end| bytes.get(end)),
    ) {
        if range.start < range.end
            && range.len() < 64
            && never >> range.len() & 1 == 1
            && PLAIN[usize::from(first)]
            && PLAIN[usize::from(last)]
        {
            return Some(range);
        }
    }
    let text = whole.get(range.clone())?;
    let clean = na.clean_trimmed(crate::tickets::value::trim(text));
    // `clean` is a slice of `text`, or an empty `na`.
    let start = match clean.is_empty() {
        true => range.start,
        false => range.start + (clean.as_ptr() as usize - text.as_ptr() as usize),
    };
    Some(start..start + clean.len())
}

/// A field of an event as [`field`] reads it, from `cells` when they hold the event's.
pub(super) fn cell<'r>(
    plan: &Plan,
    event: EventText<'r>,
    cells: Option<&Cells>,
    at: usize,
) -> Result<&'r str, String> {
    if let Some(ready) = event.ready {
        return match cells.and_then(|c| ready.get(c, at)) {
            Some(text) => Ok(text),
            None => field(plan, event, at),
        };
    }
    match (cells.filter(|c| c.filled), event.whole) {
        (Some(cells), Some(whole)) => match cells.ranges.get(at) {
            Some(Some(range)) => Ok(&whole[range.clone()]),
            _ => field(plan, event, at),
        },
        _ => field(plan, event, at),
    }
}

/// Whether an event passes a fold's `where`.
pub(super) fn kept(
    plan: &Plan,
    event: EventText<'_>,
    cells: Option<&Cells>,
    filter: &[(usize, Vec<String>)],
) -> bool {
    filter
        .iter()
        .all(|(at, values)| cell(plan, event, cells, *at).is_ok_and(|text| one_of(text, values)))
}

/// Whether a cell's text is one of a `where`'s values (lower-cased), ignoring case.
#[inline]
fn one_of(text: &str, values: &[String]) -> bool {
    let ascii = text.is_ascii();
    values.iter().any(|v| {
        if ascii {
            // `v` is lower-cased (no ASCII capital): only the text's bytes need lowering.
            v.len() == text.len()
                && v.bytes()
                    .zip(text.bytes())
                    .all(|(v, t)| v == t.to_ascii_lowercase())
        } else {
            text.to_lowercase() == *v
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each field read once per event gives what reading it for every fold gave: trimmed,
    /// `na` made empty, a field that is not UTF-8 an error (empty to a fold, failing a `where`).
    #[test]
    fn cells_read_once_are_the_fields_read_each_time() {
        let mapping: crate::tickets::Mapping = toml::from_str(
            r#"
            [events]
            ticket = "n"
            time = "at"
            [values]
            na = ["?", "N/A", "ǅ"]
            [columns]
            id = "n"
            created_at = { first = "at" }
            escalated_at = { first = "at", where = { g = ["L2"] } }
            text = { join = "m", where = { g = ["l2", "Ǆx"] } }
            priority = "p"
            "#,
        )
        .unwrap();
        let headers: Vec<String> = ["n", "at", "g", "m", "p", "unused"]
            .map(String::from)
            .to_vec();
        let plan = Plan::resolve(
            &headers,
            &mapping,
            mapping.events.as_ref().unwrap(),
            &Default::default(),
            jiff::tz::TimeZone::UTC,
        )
        .unwrap();
        let mut cells = Cells::new(&plan);
        assert_eq!(cells.used, [0, 1, 2, 3, 4]);
        let rows: [&[&[u8]]; 10] = [
            &[b"T1", b" 2026-03-02T09:00:00Z ", b"L2", b" hi ", b"?"],
            &[b" T1", b"", b" n/a ", b"\xc7\x85", b"  "],
            &[b"T2", b"x", b"\xc7\x84x", b"caf\xc3\xa9 ", b"N/A"],
            &[b"T3", b"\t?\t", b"l2", b"a\xff", b"p"],
            &[b"", b"2026", b"\xc3", b"\xa9", b"ok"],
            // Plain ends, of the lengths of `na` values or not, with non-ASCII inside.
            &[
                b"T4",
                b"2026-03-02T10:00:00Z",
                b"L2 ",
                b"x\xc3\xa9y",
                b"n/A",
            ],
            &[
                b"T4",
                b"2026-03-02T10:00:00+01:00",
                b"\xc7\x84X",
                b"abc",
                b"?x",
            ],
            &[
                b"T5",
                b"2026-03-02 10:00",
                b"\xc7\x85x",
                b"\xc3\xa9",
                b"a\xc7\x85",
            ],
            &[b"T5", b"?", b"L3", b"\xc7\x85", b"\xc3\xa9?"],
            &[
                b"\xc3\xa9T6",
                b" x",
                b"\x0bl2",
                b"x\x0b",
                b"\xc2\xa0?\xc2\xa0",
            ],
        ];
        let mut preparer = Preparer::new(&plan);
        let mut prepared = Prepared::default();
        for row in rows {
            let mut record = csv::ByteRecord::from(row.to_vec());
            record.push_field(b"x");
            let mut records = crate::tickets::Records::default();
            records.push(&record, 1);
            let event = EventText::new(records.get(0).unwrap());
            cells.fill(&plan, event);
            assert_eq!(cells.filled, event.whole.is_some());
            for at in 0..headers.len() {
                assert_eq!(
                    cell(&plan, event, Some(&cells), at),
                    field(&plan, event, at),
                    "{row:?} column {at}"
                );
            }
            for output in &plan.outputs {
                assert_eq!(
                    kept(&plan, event, Some(&cells), &output.filter),
                    kept(&plan, event, None, &output.filter),
                    "{row:?}"
                );
            }
            // Prepared on the splitting thread: the same cells, and the same `where`s.
            preparer.prepare(&records, &mut prepared);
            let ready = EventText::prepared(records.get(0).unwrap(), &prepared, 0);
            assert_eq!(ready.ready.is_some(), event.whole.is_some(), "{row:?}");
            for at in 0..headers.len() {
                assert_eq!(
                    cell(&plan, ready, Some(&cells), at),
                    field(&plan, event, at),
                    "{row:?} column {at}"
                );
            }
            for (i, output) in plan.outputs.iter().enumerate() {
                if let Some(bits) = ready.ready.and_then(|r| r.kept_bits()) {
                    let keep = output.filter.is_empty() || kept(&plan, event, None, &output.filter);
                    assert_eq!(bits >> i & 1 == 1, keep, "{row:?} fold {i}");
                }
            }
        }
    }

    /// The bytes a cell may start and end with to be taken as it is are the ones
    /// `value::trim` keeps.
    #[test]
    fn plain_bytes_are_the_ones_trim_keeps() {
        for b in 0..=u8::MAX {
            let text = String::from_utf8(vec![b'x', b, b'x']).unwrap_or_default();
            if let Some(end) = char::from_u32(u32::from(b)).filter(|_| b < 0x80) {
                let alone = end.to_string();
                let kept = crate::tickets::value::trim(&alone) == alone;
                assert_eq!(PLAIN[usize::from(b)], kept, "{b:#x}");
                assert_eq!(crate::tickets::value::trim(&text), text);
            } else {
                assert!(!PLAIN[usize::from(b)], "{b:#x}");
            }
        }
    }
}
