//! `handoff map suggest`: a commented starter mapping written from a ticket file's header and a
//! bounded sample of its values (DESIGN §7).
//!
//! Columns are matched to canonical fields by name (a list of synonyms per field), and the match
//! is kept only when the values agree (timestamps for a time field, numbers 0–1 for confidence,
//! booleans for requested_human); confidence and sentiment may also be found by their values
//! alone. The starter says which timestamp shape and zone the values have, lists the values of
//! label columns with alias stubs, names the placeholders that look like "empty" (`?`, `N/A`, …)
//! and says whether ids repeat (an event log, to fold with `[events]`). It is a starting point:
//! every line says why it is there.

mod column;
mod render;

use std::collections::{BTreeMap, HashSet};
use std::io::Read;

use jiff::tz::TimeZone;

use super::value::{TimestampParser, trim};
use crate::fields::Field;
use column::{Column, TIME_FORMATS};

/// Records read at most: enough to see the shapes of the values, bounded for any file size.
pub const SAMPLE: usize = 10_000;
/// Column names (lower-case, letters and digits only) that suggest each canonical field, best
/// first, separated by spaces. A column matches a synonym when its squeezed name equals it or
/// ends with it.
const SYNONYMS: [(Field, &str); 17] = [
    (
        Field::Id,
        "id ticketid number key issuekey caseid casenumber conversationid incidentid tweetid",
    ),
    (
        Field::CreatedAt,
        "createdat created openedat opened createdon syscreatedon creationdate datecreated createdtime submittedat",
    ),
    (
        Field::Text,
        "subject body description text message summary shortdescription transcript content question",
    ),
    (
        Field::Confidence,
        "confidence aiconfidence intentconfidence",
    ),
    (Field::Sentiment, "sentiment mood sentimentscore"),
    (
        Field::CustomerTier,
        "customertier tier plan segment customersegment accounttier",
    ),
    (Field::Channel, "channel source via contacttype medium"),
    (
        Field::Category,
        "category type tickettype queue topic issuetype",
    ),
    (Field::Priority, "priority severity urgency"),
    (
        Field::RequestedHuman,
        "requestedhuman wantshuman askedforhuman humanrequested askedforagent",
    ),
    (
        Field::EscalatedAt,
        "escalatedat escalated handedover handoffat initiallyassignedat",
    ),
    (
        Field::FirstHumanResponseAt,
        "firsthumanresponseat firstresponseat firstresponsetime firstrespondedat firstreplyat firstreply firstadminreplyat",
    ),
    (
        Field::ResolvedAt,
        "resolvedat resolved solvedat closedat closed resolutiondate timetoresolution resolutiontime",
    ),
    (
        Field::ResolvedTier,
        "resolvedtier resolvedby closedby resolver resolutiontier",
    ),
    (
        Field::Reassignments,
        "reassignments reassignmentcount transfers transfercount",
    ),
    (Field::Reopened, "reopened isreopened"),
    (
        Field::Csat,
        "csat satisfaction satisfactionrating satisfactionscore rating",
    ),
];

/// Squeeze a column name for matching: lower-case letters and digits only.
pub(super) fn squeeze(name: &str) -> String {
    name.chars()
        .filter(char::is_ascii_alphanumeric)
        .flat_map(char::to_lowercase)
        .collect()
}

/// What the sample found, ready to print.
pub struct Suggestion {
    columns: Vec<Column>,
    records: usize,
    truncated: bool,
    /// Canonical field → column indexes (several for text), and how they were found.
    matched: BTreeMap<Field, (Vec<usize>, &'static str)>,
    /// Records whose id repeats an earlier record's (in the sample).
    repeated_ids: usize,
    distinct_ids: usize,
}

/// Read the header and at most [`SAMPLE`] records of a ticket CSV and suggest a mapping.
pub fn suggest(input: impl Read) -> Result<Suggestion, String> {
    let mut reader = csv::ReaderBuilder::new().flexible(true).from_reader(input);
    let header = reader
        .headers()
        .map_err(|e| format!("cannot read the header: {e}"))?
        .clone();
    if header.is_empty() || header.iter().all(|h| h.trim().is_empty()) {
        return Err("the file has no header line".to_string());
    }
    let parsers: Vec<TimestampParser> = TIME_FORMATS
        .iter()
        .map(|f| TimestampParser::new(f.map(str::to_string), TimeZone::UTC))
        .collect();
    let mut columns: Vec<Column> = header.iter().map(Column::new).collect();
    let mut rows: Vec<csv::StringRecord> = Vec::new();
    let mut record = csv::StringRecord::new();
    let mut records = 0;
    let mut truncated = false;
    loop {
        if records == SAMPLE {
            truncated = true;
            break;
        }
        match reader.read_record(&mut record) {
            Ok(true) => {}
            Ok(false) => break,
            Err(e) => return Err(format!("record {}: {e}", records + 1)),
        }
        records += 1;
        for (column, value) in columns.iter_mut().zip(record.iter()) {
            column.add(value, &parsers);
        }
        rows.push(record.clone());
    }
    let matched = match_fields(&columns);
    let (repeated_ids, distinct_ids) = match matched.get(&Field::Id) {
        Some((ids, _)) => {
            let mut seen = HashSet::new();
            let repeated = rows
                .iter()
                .filter_map(|r| r.get(ids[0]))
                .map(trim)
                .filter(|id| !id.is_empty() && !seen.insert(id.to_string()))
                .count();
            (repeated, seen.len())
        }
        None => (0, 0),
    };
    Ok(Suggestion {
        columns,
        records,
        truncated,
        matched,
        repeated_ids,
        distinct_ids,
    })
}

/// Match columns to canonical fields: by name where the values agree, then confidence and
/// sentiment by their values alone.
fn match_fields(columns: &[Column]) -> BTreeMap<Field, (Vec<usize>, &'static str)> {
    let mut matched: BTreeMap<Field, (Vec<usize>, &'static str)> = BTreeMap::new();
    let mut taken = vec![false; columns.len()];
    // Exact names first (every field), then names ending with a synonym.
    for exact in [true, false] {
        for (field, synonyms) in SYNONYMS {
            if field != Field::Text && matched.contains_key(&field) {
                continue;
            }
            for synonym in synonyms.split(' ') {
                let hits: Vec<usize> = (0..columns.len())
                    .filter(|&i| !taken[i])
                    .filter(|&i| {
                        let name = squeeze(&columns[i].name);
                        if exact {
                            name == synonym
                        } else {
                            name.ends_with(&synonym)
                        }
                    })
                    .filter(|&i| columns[i].suits(field))
                    .collect();
                for i in hits {
                    if field != Field::Text && matched.contains_key(&field) {
                        break;
                    }
                    taken[i] = true;
                    matched
                        .entry(field)
                        .or_insert_with(|| (Vec::new(), "by name"))
                        .0
                        .push(i);
                }
            }
        }
    }
    // By values alone: the one free column of fractions (confidence) or of numbers in -1..1
    // with negatives (sentiment).
    let free = |taken: &[bool], test: &dyn Fn(&Column) -> bool| -> Option<usize> {
        let hits: Vec<usize> = (0..columns.len())
            .filter(|&i| !taken[i] && test(&columns[i]))
            .collect();
        (hits.len() == 1).then(|| hits[0])
    };
    if let std::collections::btree_map::Entry::Vacant(entry) = matched.entry(Field::Sentiment) {
        let signed =
            |c: &Column| c.all(c.signed_fractions) && c.negatives > 0 && c.integers < c.filled;
        if let Some(i) = free(&taken, &signed) {
            taken[i] = true;
            entry.insert((vec![i], "by values: numbers in -1..1"));
        }
    }
    if let std::collections::btree_map::Entry::Vacant(entry) = matched.entry(Field::Confidence) {
        if let Some(i) = free(&taken, &|c| c.all(c.fractions) && c.integers < c.filled) {
            entry.insert((vec![i], "by values: numbers in 0..1"));
        }
    }
    matched
}

#[cfg(test)]
mod tests {
    use super::render::priority_guess;
    use super::*;

    fn suggest_text(csv: &str) -> String {
        suggest(csv.as_bytes()).unwrap().render("t.csv")
    }

    #[test]
    fn names_and_values_pick_the_fields() {
        let text = suggest_text(
            "Ticket ID,Opened,Subject,Score,Mood,Plan\n\
             1,2026-03-02 10:00,Refund please,0.91,-0.2,pro\n\
             2,2026-03-02 11:00,Where is my parcel,0.40,0.5,free\n",
        );
        assert!(text.contains("id = \"Ticket ID\"   # by name"), "{text}");
        assert!(
            text.contains("created_at = \"Opened\"   # by name; timestamps"),
            "{text}"
        );
        assert!(
            text.contains("confidence = \"Score\"   # by values: numbers in 0..1"),
            "{text}"
        );
        assert!(text.contains("sentiment = \"Mood\"   # by name"), "{text}");
        assert!(
            text.contains("customer_tier = \"Plan\"   # by name"),
            "{text}"
        );
    }

    #[test]
    fn a_name_whose_values_disagree_is_not_matched() {
        // "Created" holds no timestamps: it stays an extra field.
        let text = suggest_text("id,Created\n1,yesterday\n2,today\n");
        assert!(
            text.contains("# created_at = \"\"   # no column found"),
            "{text}"
        );
        assert!(text.contains("created = \"Created\""), "{text}");
    }

    #[test]
    fn repeated_ids_suggest_events_and_placeholders_suggest_na() {
        let text = suggest_text(
            "number,sys_updated_at,state\nINC1,2026-03-02 10:00,New\nINC1,2026-03-02 11:00,?\nINC2,2026-03-02 12:00,N/A\n",
        );
        assert!(text.contains("(3 records for 2 ids)"), "{text}");
        assert!(text.contains("\n[events]\nticket = \"number\"\n"), "{text}");
        assert!(text.contains("time = \"sys_updated_at\""), "{text}");
        assert!(
            text.contains("\n[values]\nna = [\"?\", \"N/A\"]\n"),
            "{text}"
        );
    }

    #[test]
    fn the_sample_is_bounded() {
        let mut csv = String::from("id,text\n");
        for i in 0..SAMPLE + 5 {
            csv.push_str(&format!("{i},hello\n"));
        }
        let text = suggest_text(&csv);
        assert!(
            text.contains("the first 10000 records (a sample)"),
            "{text}"
        );
    }

    #[test]
    fn priority_words_become_alias_stubs() {
        assert_eq!(priority_guess("Critical"), Some("urgent"));
        assert_eq!(priority_guess("3 - Moderate"), Some("normal"));
        assert_eq!(priority_guess("P2"), Some("high"));
        assert_eq!(priority_guess("whenever"), None);
    }
}
