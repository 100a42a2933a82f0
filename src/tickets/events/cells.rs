//! An event's fields as the folds read them: as text (a record that is UTF-8 as a whole is
//! checked once), trimmed, `na` made empty — each column the plan reads once per event
//! ([`Cells`]), however many folds name it.

use super::plan::{Key, Plan};
use super::spec::Na;
use crate::tickets::{RawRecord, Records};

/// An event's fields as text. A record that is valid UTF-8 as a whole (the usual case) is
/// checked once; its fields are slices of it.
#[derive(Clone, Copy)]
pub(super) struct EventText<'r> {
    pub(super) record: RawRecord<'r>,
    pub(super) whole: Option<&'r str>,
}

impl<'r> EventText<'r> {
    pub(super) fn new(record: RawRecord<'r>) -> EventText<'r> {
        EventText {
            record,
            whole: std::str::from_utf8(record.as_slice()).ok(),
        }
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
        Cells {
            used,
            ranges: vec![None; width],
            filled: false,
        }
    }

    /// Note `event`'s fields: only when it is UTF-8 as a whole (else each is read as asked).
    pub(super) fn fill(&mut self, plan: &Plan, event: EventText<'_>) {
        self.filled = false;
        let Some(whole) = event.whole else { return };
        for &at in &self.used {
            self.ranges[at] = clean_range(&plan.na, event.record, whole, at);
        }
        self.filled = true;
    }

    /// What [`Cells::fill`] notes of each record of `records`, into `into` (on the thread that
    /// split them; the fold's thread takes each event's with [`Cells::set`]).
    pub(super) fn prepare(&self, na: &Na, records: &Records, into: &mut Prepared) {
        into.ranges.clear();
        into.whole.clear();
        into.per = self.used.len();
        for record in (0..records.len()).filter_map(|i| records.get(i)) {
            // A record too long for 32-bit offsets (never, in chunks of a few hundred KiB) is
            // read as asked, as one that is not UTF-8 as a whole.
            let whole = std::str::from_utf8(record.as_slice())
                .ok()
                .filter(|w| u32::try_from(w.len()).is_ok_and(|n| n < NONE));
            into.whole.push(whole.is_some());
            let at_none = |_: &usize| [NONE, NONE];
            match whole {
                Some(whole) => into.ranges.extend(self.used.iter().map(|&at| {
                    match clean_range(na, record, whole, at) {
                        // Both within `whole`, so below `NONE`.
                        Some(range) => [range.start as u32, range.end as u32],
                        None => [NONE, NONE],
                    }
                })),
                None => into.ranges.extend(self.used.iter().map(at_none)),
            }
        }
    }

    /// Note the fields of event `index` of `prepared`: what [`Cells::fill`] notes of it.
    pub(super) fn set(&mut self, prepared: &Prepared, index: usize) {
        self.filled = prepared.whole.get(index).copied().unwrap_or(false);
        let per = prepared.per;
        let Some(ranges) = prepared.ranges.get(index * per..(index + 1) * per) else {
            self.filled = false;
            return;
        };
        for (&at, &[start, end]) in self.used.iter().zip(ranges) {
            self.ranges[at] = (start != NONE).then_some(start as usize..end as usize);
        }
    }
}

/// The fields [`Cells`] notes of each event of a chunk, prepared on the thread that split the
/// chunk ([`Cells::prepare`]).
#[derive(Debug, Default)]
pub struct Prepared {
    /// Ranges per event: one per column the plan reads, as 32-bit offsets ([`NONE`]: not a
    /// field), a third of a `Range<usize>`'s room (the chunks in flight are replay's memory).
    per: usize,
    ranges: Vec<[u32; 2]>,
    /// Per event: it is UTF-8 as a whole (else its fields are read as asked).
    whole: Vec<bool>,
}

/// A range of [`Prepared`] that is no field.
const NONE: u32 = u32::MAX;

/// Where field `at` of `record` (UTF-8 as a whole: `whole`) lies trimmed and `na`-cleaned.
#[inline]
fn clean_range(
    na: &Na,
    record: RawRecord<'_>,
    whole: &str,
    at: usize,
) -> Option<std::ops::Range<usize>> {
    let range = record.range(at)?;
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
    filter.iter().all(|(at, values)| {
        let Ok(text) = cell(plan, event, cells, *at) else {
            return false;
        };
        let ascii = text.is_ascii();
        values.iter().any(|v| {
            if ascii {
                v.eq_ignore_ascii_case(text)
            } else {
                text.to_lowercase() == *v
            }
        })
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
        let rows: [&[&[u8]]; 5] = [
            &[b"T1", b" 2026-03-02T09:00:00Z ", b"L2", b" hi ", b"?"],
            &[b" T1", b"", b" n/a ", b"\xc7\x85", b"  "],
            &[b"T2", b"x", b"\xc7\x84x", b"caf\xc3\xa9 ", b"N/A"],
            &[b"T3", b"\t?\t", b"l2", b"a\xff", b"p"],
            &[b"", b"2026", b"\xc3", b"\xa9", b"ok"],
        ];
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
        }
    }
}
