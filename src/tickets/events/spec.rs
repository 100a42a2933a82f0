//! The mapping tables of event logs (DESIGN §7): `[events]`, `[values]`, and the folds a
//! `[columns]` or `[fields]` entry may name instead of a plain column.
//!
//! ```toml
//! [events]
//! ticket = "number"                  # or thread = { id = "tweet_id", parent = "in_reply_to" }
//! time = "sys_updated_at"            # orders a ticket's events (ties keep file order)
//! [values]
//! na = ["?", "N/A"]                  # raw values that mean empty, in any column
//! [columns]
//! created_at = { first = "opened_at" }
//! priority = "priority"              # a plain column means { last = "priority" }
//! text = { join = "message", where = { inbound = ["true"] } }
//! ```

use std::fmt;

use serde::Deserialize;
use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};

/// How the events of a ticket become one value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FoldKind {
    /// The earliest non-empty value (by event time, ties in file order).
    First,
    /// The latest non-empty value.
    Last,
    /// The smallest number or timestamp.
    Min,
    /// The largest number or timestamp.
    Max,
    /// Events with a non-empty value.
    Count,
    /// Distinct non-empty values.
    CountDistinct,
    /// Times the non-empty value changed, in time order.
    Changes,
    /// The non-empty values in time order, one per line.
    Join,
    /// `true` when some event has a non-empty value.
    Any,
}

impl FoldKind {
    pub const ALL: [FoldKind; 9] = [
        FoldKind::First,
        FoldKind::Last,
        FoldKind::Min,
        FoldKind::Max,
        FoldKind::Count,
        FoldKind::CountDistinct,
        FoldKind::Changes,
        FoldKind::Join,
        FoldKind::Any,
    ];

    pub fn name(self) -> &'static str {
        match self {
            FoldKind::First => "first",
            FoldKind::Last => "last",
            FoldKind::Min => "min",
            FoldKind::Max => "max",
            FoldKind::Count => "count",
            FoldKind::CountDistinct => "count_distinct",
            FoldKind::Changes => "changes",
            FoldKind::Join => "join",
            FoldKind::Any => "any",
        }
    }

    pub fn named(name: &str) -> Option<FoldKind> {
        FoldKind::ALL.into_iter().find(|k| k.name() == name)
    }
}

/// One fold: a kind, the event column it reads, and the events it keeps.
#[derive(Debug, Clone, PartialEq)]
pub struct Fold {
    pub kind: FoldKind,
    pub column: String,
    /// `where = { column = [values…] }`: every listed column must hold one of its values (any
    /// case).
    pub filter: Vec<(String, Vec<String>)>,
}

/// Where a field comes from: a column, or a fold of events.
#[derive(Debug, Clone, PartialEq)]
pub enum Source {
    Column(String),
    Fold(Fold),
}

impl Source {
    /// The plain column; `None` for a fold.
    pub fn column(&self) -> Option<&str> {
        match self {
            Source::Column(column) => Some(column),
            Source::Fold(_) => None,
        }
    }

    /// The fold this source means over events: a plain column is its last value.
    pub fn fold(&self) -> Fold {
        match self {
            Source::Column(column) => Fold {
                kind: FoldKind::Last,
                column: column.clone(),
                filter: Vec::new(),
            },
            Source::Fold(fold) => fold.clone(),
        }
    }

    pub fn is_fold(&self) -> bool {
        matches!(self, Source::Fold(_))
    }
}

impl From<&str> for Source {
    fn from(column: &str) -> Source {
        Source::Column(column.to_string())
    }
}

/// A table `{ <fold> = "column", where = { … } }`, read key by key so that an unknown fold is
/// named with the list of folds.
pub(crate) fn fold_from_map<'de, A: MapAccess<'de>>(mut map: A) -> Result<Fold, A::Error> {
    let mut fold: Option<(FoldKind, String)> = None;
    let mut filter = Vec::new();
    while let Some(key) = map.next_key::<String>()? {
        if key == "where" {
            let table: std::collections::BTreeMap<String, OneOrMany> = map.next_value()?;
            filter = table.into_iter().map(|(c, v)| (c, v.0)).collect();
            continue;
        }
        let Some(kind) = FoldKind::named(&key) else {
            let names: Vec<&str> = FoldKind::ALL.iter().map(|k| k.name()).collect();
            let hint = crate::policy::load::did_you_mean(&key, &names)
                .map(|best| format!("did you mean `{best}`? "))
                .unwrap_or_default();
            return Err(de::Error::custom(format!(
                "unknown fold `{key}`; {hint}folds are {}, each with an optional `where`",
                names.join(", ")
            )));
        };
        let column: String = map.next_value()?;
        if let Some((first, _)) = fold {
            return Err(de::Error::custom(format!(
                "one fold per field: `{}` and `{}` are both given",
                first.name(),
                kind.name()
            )));
        }
        fold = Some((kind, column));
    }
    let Some((kind, column)) = fold else {
        return Err(de::Error::custom(
            "a fold table names one fold: `{ last = \"column\" }`, `{ first = … }`, …",
        ));
    };
    Ok(Fold {
        kind,
        column,
        filter,
    })
}

/// A `where` value: one string or a list.
struct OneOrMany(Vec<String>);

impl<'de> Deserialize<'de> for OneOrMany {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            One(String),
            Many(Vec<String>),
        }
        Ok(OneOrMany(match Raw::deserialize(deserializer)? {
            Raw::One(value) => vec![value],
            Raw::Many(values) => values,
        }))
    }
}

struct SourceVisitor;

impl<'de> Visitor<'de> for SourceVisitor {
    type Value = Source;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a column name or a fold table such as `{ last = \"column\" }`")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Source, E> {
        Ok(Source::Column(v.to_string()))
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Source, A::Error> {
        fold_from_map(map).map(Source::Fold)
    }
}

impl<'de> Deserialize<'de> for Source {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(SourceVisitor)
    }
}

/// Where the text comes from: one column, several (searched separately), or a fold.
#[derive(Debug, Clone, PartialEq)]
pub enum TextColumns {
    One(String),
    Many(Vec<String>),
    Fold(Fold),
}

impl TextColumns {
    /// The columns named (a fold's own column).
    pub fn list(&self) -> Vec<String> {
        match self {
            TextColumns::One(c) => vec![c.clone()],
            TextColumns::Many(list) => list.clone(),
            TextColumns::Fold(fold) => vec![fold.column.clone()],
        }
    }

    /// Each text source as a [`Source`].
    pub fn sources(&self) -> Vec<Source> {
        match self {
            TextColumns::Fold(fold) => vec![Source::Fold(fold.clone())],
            other => other.list().into_iter().map(Source::Column).collect(),
        }
    }
}

struct TextVisitor;

impl<'de> Visitor<'de> for TextVisitor {
    type Value = TextColumns;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a column name, a list of column names or a fold table")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<TextColumns, E> {
        Ok(TextColumns::One(v.to_string()))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<TextColumns, A::Error> {
        let mut list = Vec::new();
        while let Some(column) = seq.next_element::<String>()? {
            list.push(column);
        }
        Ok(TextColumns::Many(list))
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<TextColumns, A::Error> {
        fold_from_map(map).map(TextColumns::Fold)
    }
}

impl<'de> Deserialize<'de> for TextColumns {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(TextVisitor)
    }
}

/// Reply chains: each message names the message it answers.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Thread {
    pub id: String,
    pub parent: String,
}

/// `[events]`: the input is one row per event, folded into tickets.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Events {
    /// The column that groups events into tickets.
    pub ticket: Option<String>,
    /// Or reply chains: a ticket is a root message and every reply under it.
    pub thread: Option<Thread>,
    /// Orders a ticket's events (ties keep file order); without it, file order.
    pub time: Option<String>,
    /// Who holds the ticket at each event (for the flow of history); `[aliases.stage]` names
    /// its values.
    pub stage: Option<String>,
    /// `true` (default): the export is grouped by ticket, so a ticket is complete when the next
    /// one starts and memory stays flat; a ticket whose events resume after another's is an
    /// error. `false`: every ticket stays open until the end of the input.
    #[serde(default = "grouped_by_default")]
    pub grouped: bool,
}

fn grouped_by_default() -> bool {
    true
}

impl Events {
    /// Checks that need no data; `id` is what `[columns] id` names.
    pub fn validate_with(&self, id: Option<&Source>) -> Result<(), String> {
        self.validate()?;
        let key = match (&self.ticket, &self.thread) {
            (Some(ticket), _) => ticket.as_str(),
            (_, Some(thread)) => thread.id.as_str(),
            _ => "",
        };
        match id {
            None => Ok(()),
            Some(Source::Column(column)) if column.trim() == key.trim() => Ok(()),
            Some(_) => Err(format!(
                "[columns] id: with [events], a ticket's id is its {} column `{key}`; map `id = \"{key}\"` or leave it out",
                if self.ticket.is_some() {
                    "`ticket`"
                } else {
                    "root message's `thread.id`"
                }
            )),
        }
    }

    pub fn validate(&self) -> Result<(), String> {
        match (&self.ticket, &self.thread) {
            (Some(_), Some(_)) => {
                Err("[events]: give `ticket` or `thread`, not both".to_string())
            }
            (None, None) => Err(
                "[events]: name the column that groups events into tickets (`ticket = \"column\"`) or the reply chain (`thread = { id = \"…\", parent = \"…\" }`)"
                    .to_string(),
            ),
            _ => Ok(()),
        }
    }
}

/// `[values]`: raw values with a meaning in any column.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Values {
    /// Raw values (trimmed, any case) that mean empty.
    #[serde(default)]
    pub na: Vec<String>,
}

/// The `na` values, ready to test a field.
#[derive(Debug, Clone, Default)]
pub struct Na {
    /// Trimmed, lower-cased.
    values: Vec<String>,
    /// Bytes of the longest: a longer text is never `na` (lower-casing at most doubles a
    /// character's bytes, so four times is safe).
    longest: usize,
    /// Bit `n` set when a value is `n` bytes long (below 64): an ASCII text of another
    /// length is never `na` (lower-casing ASCII keeps its length), which settles most cells
    /// without comparing them.
    lengths: u64,
    /// Every value is ASCII without a `k`: then no text with a non-ASCII character is `na`
    /// (the only non-ASCII character that lower-cases to ASCII is the Kelvin sign, to `k`),
    /// so a text is compared byte for byte, ignoring ASCII case, without checking it is ASCII.
    ascii: bool,
}

impl Na {
    pub fn new(values: &Values) -> Na {
        let values: Vec<String> = values
            .na
            .iter()
            .map(|v| v.trim().to_lowercase())
            .filter(|v| !v.is_empty())
            .collect();
        let longest = values.iter().map(String::len).max().unwrap_or(0);
        let lengths = values
            .iter()
            .filter(|v| v.len() < 64)
            .fold(0, |bits, v| bits | 1 << v.len());
        let ascii = values.iter().all(|v| v.is_ascii() && !v.contains('k'));
        Na {
            values,
            longest,
            lengths,
            ascii,
        }
    }

    /// `text` (trimmed), or empty when it is an `na` value.
    #[inline]
    pub fn clean<'t>(&self, text: &'t str) -> &'t str {
        if self.values.is_empty() || text.len() > 4 * self.longest + 8 {
            return text;
        }
        match self.is_na(crate::tickets::value::trim(text)) {
            true => "",
            false => text,
        }
    }

    /// [`Na::clean`] of a text its caller trimmed already (`value::trim`): the same result
    /// without trimming it again (the events' cells are trimmed once per event, then cleaned).
    #[inline]
    pub fn clean_trimmed<'t>(&self, bare: &'t str) -> &'t str {
        if self.never(bare.len()) {
            return bare;
        }
        match self.is_na(bare) {
            true => "",
            false => bare,
        }
    }

    /// Whether no text of `len` bytes can be an `na` value, whatever its characters: no
    /// values, longer than any value lower-cased, or (every value ASCII without a `k`) of a
    /// length no value has — the tests [`Na::clean_trimmed`] settles a text with before
    /// comparing it, on the length alone (a cell's length is known before its text is).
    #[inline]
    pub fn never(&self, len: usize) -> bool {
        self.values.is_empty()
            || len > 4 * self.longest + 8
            || (self.ascii && len < 64 && self.lengths & (1 << len) == 0)
    }

    /// Bit `n`: [`Na::never`] holds for `n` bytes (below 64), for a caller that tests many
    /// cells' lengths.
    pub fn never_lengths(&self) -> u64 {
        (0..64)
            .filter(|&n| self.never(n))
            .fold(0, |bits, n| bits | 1 << n)
    }

    /// Whether `bare` (trimmed) is an `na` value.
    #[inline]
    fn is_na(&self, bare: &str) -> bool {
        if self.ascii {
            // A non-ASCII byte equals no byte of a value.
            if bare.len() < 64 && self.lengths & (1 << bare.len()) == 0 {
                return false;
            }
            return self
                .values
                .iter()
                .any(|na| na.len() == bare.len() && na.eq_ignore_ascii_case(bare));
        }
        let ascii = bare.is_ascii();
        if ascii && bare.len() < 64 && self.lengths & (1 << bare.len()) == 0 {
            return false;
        }
        self.values.iter().any(|na| {
            if ascii {
                na.len() == bare.len() && na.eq_ignore_ascii_case(bare)
            } else {
                bare.to_lowercase() == *na
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_kelvin_sign_lower_cases_into_ascii() {
        // What `Na::ascii` rests on: a text with a non-ASCII character lower-cases to a text
        // with one (`İ` to `i` and a combining dot), unless that character is the Kelvin sign.
        let into_ascii: Vec<char> = (0x80..=0x10_ffff)
            .filter_map(char::from_u32)
            .filter(|c| c.to_lowercase().all(|l| l.is_ascii()))
            .collect();
        assert_eq!(into_ascii, ['\u{212a}']);
    }

    #[test]
    fn na_values_of_ascii_without_k_find_the_same_as_any_others() {
        let ascii = Na::new(&Values {
            na: ["?", "N/A", "null"].map(String::from).to_vec(),
        });
        // The same values, plus one that turns the shortcut off.
        let general = Na::new(&Values {
            na: [
                "?",
                "N/A",
                "null",
                "\u{212a}\u{212a}\u{212a}\u{212a}\u{212a}",
            ]
            .map(String::from)
            .to_vec(),
        });
        assert!(ascii.ascii && !general.ascii);
        let texts = [
            "",
            "?",
            "n/a",
            "N/A",
            "NULL",
            "nUlL",
            "n/\u{212a}",
            "nul",
            "ñ/a",
            "N/Ä",
            "?\u{301}",
            "0.5",
            "true",
            "2026-03-02T10:00:00Z",
            "¿",
            "ÑULL",
        ];
        for text in texts {
            assert_eq!(ascii.is_na(text), general.is_na(text), "{text:?}");
            for na in [&ascii, &general] {
                assert!(!na.never(text.len()) || !compared(na, text), "{text:?}");
            }
        }
        assert!(ascii.is_na("nUlL") && !ascii.is_na("ñ/a"));
    }

    /// What `clean` did before it looked at lengths: every value compared.
    fn compared(na: &Na, text: &str) -> bool {
        let bare = crate::tickets::value::trim(text);
        na.values.iter().any(|v| match bare.is_ascii() {
            true => v.eq_ignore_ascii_case(bare),
            false => bare.to_lowercase() == *v,
        })
    }

    #[test]
    fn na_values_are_found_by_length_first_with_the_same_result() {
        let long = "x".repeat(70);
        let values = Values {
            na: ["?", " null ", "k", "ǅ", long.as_str()]
                .map(String::from)
                .to_vec(),
        };
        let na = Na::new(&values);
        let long_upper = "X".repeat(70);
        // The Kelvin sign (3 bytes, a length no value has) lower-cases to the ASCII `k`;
        // `Ǆ` and `ǅ` to `ǆ`.
        let texts = [
            "",
            "?",
            "??",
            "n/a",
            "N/A",
            "NA",
            " N/A ",
            "NULL",
            "Null",
            "nul",
            "K",
            "\u{212a}",
            "Ǆ",
            "ǆ",
            "ǅ",
            "2026-03-02T10:00:00Z",
            "0.5",
            "true",
            &long_upper,
            "x",
        ];
        for text in texts {
            let expected = if compared(&na, text) { "" } else { text };
            // A length that rules a text out never rules out an `na` value.
            assert!(!na.never(text.len()) || !compared(&na, text), "{text:?}");
            if text.len() < 64 {
                let bit = na.never_lengths() >> text.len() & 1 == 1;
                assert_eq!(bit, na.never(text.len()), "{text:?}");
            }
            assert_eq!(na.clean(text), expected, "{text:?}");
            let bare = crate::tickets::value::trim(text);
            assert_eq!(na.clean_trimmed(bare), na.clean(bare), "{text:?}");
            for padded in [format!(" {text}\t"), format!("\u{a0}{text}\n")] {
                let bare = crate::tickets::value::trim(&padded);
                assert_eq!(na.clean_trimmed(bare), na.clean(bare), "{padded:?}");
            }
        }
        assert_eq!(na.clean("\u{212a}"), "");
        assert_eq!(na.clean(&long_upper), "");
        assert_eq!(na.clean("NULL"), "");
        assert_eq!(na.clean("N/A"), "N/A");
    }
}
