//! Replay's word characters ([`is_word_char`]: `char::is_alphanumeric` and `_`) written out
//! as the code point ranges of a regular expression's bracket expression, in each dialect's
//! spelling. No engine's own classes are used: RE2 (DuckDB, BigQuery) has no `Alphabetic`,
//! POSIX `[:alnum:]` (Postgres, Snowflake) follows the server's locale, and the Unicode
//! tables of Java (Spark) and of the `regex` crate an engine bundles (DataFusion) are of other
//! Unicode versions than the Rust standard library replay is built with.

use super::Dialect;
use crate::engine::keywords::is_word_char;
use std::sync::OnceLock;

/// The word characters as sorted, disjoint, non-adjacent inclusive ranges.
pub fn word_ranges() -> &'static [(char, char)] {
    static RANGES: OnceLock<Vec<(char, char)>> = OnceLock::new();
    RANGES.get_or_init(|| {
        let mut ranges: Vec<(char, char)> = Vec::new();
        // `char::MIN..=char::MAX` skips the surrogates, which are no characters.
        for c in (char::MIN..=char::MAX).filter(|&c| is_word_char(c)) {
            match ranges.last_mut() {
                Some((_, end)) if u32::from(*end) + 1 == u32::from(c) => *end = c,
                _ => ranges.push((c, c)),
            }
        }
        ranges
    })
}

/// One character of a bracket expression: ASCII letters, digits and `_` as themselves (none
/// is special in a bracket expression), others in the dialect's escape. Snowflake documents
/// no code point escape for its regular expressions, so it gets the characters themselves
/// (the query is UTF-8 text).
fn push_char(out: &mut String, dialect: Dialect, c: char) {
    let code = u32::from(c);
    if c.is_ascii() {
        out.push(c);
        return;
    }
    match dialect {
        // java.util.regex looks behind by UTF-16 units, so `(?<![…])` would see only the low
        // surrogate of a character outside the BMP, unless the pattern holds such a character
        // itself (then it compiles its surrogate-aware look-behind and search): those are
        // written as themselves.
        Dialect::Spark if code > 0xFFFF => out.push(c),
        Dialect::Duckdb | Dialect::Bigquery | Dialect::Datafusion | Dialect::Spark => {
            out.push_str(&format!("\\x{{{code:X}}}"));
        }
        // Postgres ARE: exactly four or exactly eight hexadecimal digits.
        Dialect::Postgres if code <= 0xFFFF => out.push_str(&format!("\\u{code:04X}")),
        Dialect::Postgres => out.push_str(&format!("\\U{code:08X}")),
        Dialect::Snowflake => out.push(c),
    }
}

/// The inside of a bracket expression (without `[`, `^` and `]`) that holds exactly the word
/// characters, in `dialect`'s spelling; computed once per dialect.
pub fn word_class(dialect: Dialect) -> &'static str {
    static CLASSES: OnceLock<Vec<String>> = OnceLock::new();
    let classes = CLASSES.get_or_init(|| {
        Dialect::ALL
            .iter()
            .map(|&dialect| {
                let mut class = String::new();
                for &(start, end) in word_ranges() {
                    push_char(&mut class, dialect, start);
                    if end != start {
                        class.push('-');
                        push_char(&mut class, dialect, end);
                    }
                }
                class
            })
            .collect()
    });
    let index = Dialect::ALL.iter().position(|&d| d == dialect);
    index
        .and_then(|i| classes.get(i))
        .map_or("", String::as_str)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_ranges_are_exactly_the_word_characters() {
        let ranges = word_ranges();
        let mut previous_end: Option<u32> = None;
        for &(start, end) in ranges {
            assert!(start <= end);
            // Sorted, and a gap of at least one non-word code point between ranges.
            if let Some(previous) = previous_end {
                assert!(u32::from(start) > previous + 1, "{start:?}");
            }
            previous_end = Some(u32::from(end));
        }
        let inside = |c: char| {
            let after = ranges.partition_point(|&(start, _)| start <= c);
            after > 0 && c <= ranges[after - 1].1
        };
        for c in char::MIN..=char::MAX {
            assert_eq!(inside(c), is_word_char(c), "U+{:04X}", u32::from(c));
        }
        // At every boundary: the ends are word characters, their outer neighbours are not.
        for &(start, end) in ranges {
            assert!(is_word_char(start) && is_word_char(end));
            let before = u32::from(start).checked_sub(1).and_then(char::from_u32);
            let after = char::from_u32(u32::from(end) + 1);
            assert!(!before.is_some_and(is_word_char), "before {start:?}");
            assert!(!after.is_some_and(is_word_char), "after {end:?}");
        }
    }

    #[test]
    fn the_cases_the_old_classes_missed_are_word_characters() {
        // Other_Alphabetic marks and symbols (not `\p{L}`), numbers of each kind, `_`.
        // Then letters of Unicode 15 (U+0CF3: not in JDK 17's tables), 16 (U+1E5D0) and 17
        // (U+10940: not in the tables of the `regex` crate DataFusion 55 bundles).
        let chars = [
            '\u{93F}', '\u{24B6}', '\u{24D0}', '\u{345}', '²', 'Ⅻ', '_', '٣',
        ];
        for c in chars
            .into_iter()
            .chain(['\u{CF3}', '\u{1E5D0}', '\u{10940}'])
        {
            assert!(is_word_char(c), "{c:?}");
        }
        for c in ['\u{200D}', '\u{200C}', '\u{301}', ' ', '-', '\u{1F525}'] {
            assert!(!is_word_char(c), "{c:?}");
        }
    }

    #[test]
    fn each_dialect_spells_the_class_its_own_way() {
        let re2 = word_class(Dialect::Duckdb);
        assert!(
            re2.starts_with(r"0-9A-Z_a-z\x{AA}\x{B2}-\x{B3}\x{B5}"),
            "{re2}"
        );
        // Devanagari vowel signs; circled letters and numbers.
        assert!(re2.contains(r"\x{93D}-\x{94C}\x{94E}-\x{950}"));
        assert!(re2.contains(r"\x{2460}-\x{249B}\x{24B6}-\x{24FF}\x{2776}-"));
        assert!(re2.contains(r"\x{20000}-"));
        assert_eq!(word_class(Dialect::Bigquery), re2);
        assert_eq!(word_class(Dialect::Datafusion), re2);
        let spark = word_class(Dialect::Spark);
        assert!(spark.starts_with(r"0-9A-Z_a-z\x{AA}\x{B2}-\x{B3}\x{B5}"));
        assert!(spark.contains(r"\x{FFDA}-\x{FFDC}𐀀-𐀋"), "{spark}");
        let postgres = word_class(Dialect::Postgres);
        assert!(postgres.starts_with(r"0-9A-Z_a-z\u00AA\u00B2-\u00B3\u00B5"));
        assert!(postgres.contains(r"\u2460-\u249B\u24B6-\u24FF\u2776-"));
        assert!(postgres.contains(r"\U00020000-"));
        let snowflake = word_class(Dialect::Snowflake);
        assert!(snowflake.starts_with("0-9A-Z_a-zª²-³µ"));
        assert!(snowflake.contains("①-⒛Ⓐ-⓿❶-"));
        assert!(!snowflake.contains('\\'));
    }
}
