//! The SQL dialects `handoff sql` and `handoff calendar --format sql` write.

use std::fmt;

/// A SQL engine the policy can be compiled for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, clap::ValueEnum)]
pub enum Dialect {
    /// DuckDB (executed in the test suite).
    Duckdb,
    /// Apache DataFusion (executed in the test suite).
    Datafusion,
    /// Spark SQL (executed in the test suite, local mode).
    Spark,
    /// PostgreSQL (executed in the test suite).
    Postgres,
    /// Google BigQuery (golden files only: not executed here).
    Bigquery,
    /// Snowflake (golden files only: not executed here).
    Snowflake,
}

impl Dialect {
    /// Every dialect, in the order `--help` lists them.
    pub const ALL: [Dialect; 6] = [
        Dialect::Duckdb,
        Dialect::Datafusion,
        Dialect::Spark,
        Dialect::Postgres,
        Dialect::Bigquery,
        Dialect::Snowflake,
    ];

    /// The name on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Dialect::Duckdb => "duckdb",
            Dialect::Datafusion => "datafusion",
            Dialect::Spark => "spark",
            Dialect::Postgres => "postgres",
            Dialect::Bigquery => "bigquery",
            Dialect::Snowflake => "snowflake",
        }
    }

    /// Whether the test suite runs this dialect's queries on the real engine.
    pub fn executed_in_tests(self) -> bool {
        !matches!(self, Dialect::Bigquery | Dialect::Snowflake)
    }

    /// `name` quoted as an identifier.
    pub fn quote_ident(self, name: &str) -> String {
        match self {
            Dialect::Spark | Dialect::Bigquery => format!("`{}`", name.replace('`', "``")),
            _ => format!("\"{}\"", name.replace('"', "\"\"")),
        }
    }

    /// `text` as a string literal.
    pub fn quote_text(self, text: &str) -> String {
        match self {
            // Spark and BigQuery read backslash escapes; BigQuery allows no line break in a
            // quoted string, so control characters and other white space are escaped too.
            Dialect::Spark | Dialect::Bigquery => {
                let mut quoted = String::from("'");
                for c in text.chars() {
                    match c {
                        '\\' => quoted.push_str("\\\\"),
                        '\'' => quoted.push_str("\\'"),
                        c if c.is_control() || (c.is_whitespace() && c != ' ') => {
                            quoted.push_str(&format!("\\u{:04x}", u32::from(c)));
                        }
                        c => quoted.push(c),
                    }
                }
                quoted.push('\'');
                quoted
            }
            // Snowflake reads backslash escapes in a quoted string (an unknown one is the
            // character alone: `'c\+'` is `c+`), so a pattern's backslash is doubled.
            Dialect::Snowflake => format!("'{}'", text.replace('\\', "\\\\").replace('\'', "''")),
            _ => format!("'{}'", text.replace('\'', "''")),
        }
    }
}

/// Unicode `White_Space`, what replay's `str::trim` strips from a value's ends.
const WHITE_SPACE: &str = "\t\n\u{b}\u{c}\r \u{85}\u{a0}\u{1680}\u{2000}\u{2001}\u{2002}\u{2003}\u{2004}\u{2005}\u{2006}\u{2007}\u{2008}\u{2009}\u{200a}\u{2028}\u{2029}\u{202f}\u{205f}\u{3000}";

/// How a dialect tells a word character (replay's: Unicode letters and numbers, `_`) in a
/// regular expression, and how it searches one.
impl Dialect {
    /// The double-precision type's name.
    pub fn double(self) -> &'static str {
        match self {
            Dialect::Postgres => "DOUBLE PRECISION",
            Dialect::Bigquery => "FLOAT64",
            _ => "DOUBLE",
        }
    }

    /// A number as a double: from its shortest round-trip text, so every engine reads the
    /// same binary value replay compares with.
    pub fn double_literal(self, value: f64) -> String {
        format!("CAST('{value}' AS {})", self.double())
    }

    /// `expr` (text) as a double; callers test [`Dialect::is_number`] first. Where the
    /// engine has a cast that gives NULL instead of an error it is used, as some optimisers
    /// evaluate a cast before the `CASE` that guards it (DataFusion does).
    pub fn to_double(self, expr: &str) -> String {
        let cast = match self {
            Dialect::Postgres => "CAST",
            Dialect::Bigquery => "SAFE_CAST",
            _ => "TRY_CAST",
        };
        format!("{cast}({expr} AS {})", self.double())
    }

    /// `expr` with Unicode white space trimmed from both ends, as replay trims values. The
    /// trim with a list of characters runs only when the first or the last character is one
    /// of them (else the value is its own trim): in DuckDB that trim costs more than all the
    /// rest of a column's typing.
    pub fn trim(self, expr: &str) -> String {
        let chars = self.quote_text(WHITE_SPACE);
        let trimmed = match self {
            Dialect::Duckdb | Dialect::Bigquery | Dialect::Snowflake => {
                format!("TRIM({expr}, {chars})")
            }
            Dialect::Postgres | Dialect::Datafusion => format!("BTRIM({expr}, {chars})"),
            Dialect::Spark => format!("TRIM(BOTH {chars} FROM {expr})"),
        };
        let found = |end: &str| self.contains(&chars, &format!("{end}({expr}, 1)"));
        format!(
            "CASE WHEN {} OR {} THEN {trimmed} ELSE {expr} END",
            found("LEFT"),
            found("RIGHT")
        )
    }

    /// Whether the dialect has Unicode NFC normalisation (replay normalises text first).
    pub fn has_nfc(self) -> bool {
        matches!(
            self,
            Dialect::Duckdb | Dialect::Postgres | Dialect::Bigquery
        )
    }

    /// Text folded for keyword matching as close to replay's `fold` as the dialect can: NFC
    /// where it can ([`Dialect::has_nfc`]), the capital dotted `İ` to `i`, lower case, then
    /// the two full case folds that lower case misses in real text (`ß` → `ss`, final `ς` →
    /// `σ`). docs/warehouse.md lists what remains.
    pub fn fold(self, expr: &str) -> String {
        let nfc = match self {
            Dialect::Duckdb => format!("NFC_NORMALIZE({expr})"),
            Dialect::Postgres => format!("NORMALIZE({expr}, NFC)"),
            Dialect::Bigquery => format!("NORMALIZE({expr}, NFC)"),
            _ => expr.to_string(),
        };
        let folded = format!(
            "REPLACE(REPLACE(LOWER(REPLACE({nfc}, {}, 'i')), {}, 'ss'), {}, {})",
            self.quote_text("\u{130}"),
            self.quote_text("\u{df}"),
            self.quote_text("\u{3c2}"),
            self.quote_text("\u{3c3}"),
        );
        // The replacements only change text that holds `İ` (or `I` and a combining dot above,
        // which NFC composes to it), `ß` or `ẞ` (which lowers to it), `ς`, or `Σ` (which some
        // engines lower to `ς` at the end of a word): other text is only lowered, without three
        // passes that copy it (they cost as much as the lowering in DuckDB).
        let guard: Vec<String> = [
            "\u{130}", "\u{307}", "\u{df}", "\u{1e9e}", "\u{3c2}", "\u{3a3}",
        ]
        .iter()
        .map(|c| self.contains(expr, &self.quote_text(c)))
        .collect();
        format!(
            "CASE WHEN {} THEN {folded} ELSE LOWER({nfc}) END",
            guard.join(" OR ")
        )
    }

    /// Whether the text `expr` contains the text `part` (both SQL expressions): TRUE or FALSE
    /// (NULL when either is).
    fn contains(self, expr: &str, part: &str) -> String {
        match self {
            Dialect::Spark => format!("INSTR({expr}, {part}) > 0"),
            Dialect::Snowflake => format!("POSITION({part}, {expr}) > 0"),
            _ => format!("STRPOS({expr}, {part}) > 0"),
        }
    }

    /// The regular expression that finds `word` (plain text) as a whole word, or as the start
    /// of a word when `prefix`.
    pub fn word_pattern(self, word: &str, prefix: bool) -> String {
        self.words_pattern(&[(word, prefix)])
    }

    /// The regular expression that finds any of `words` (plain text; each a whole word, or
    /// the start of a word when its flag is set): one search for a keyword list. A match of
    /// the alternation exists exactly when one of the words' own patterns matches.
    pub fn words_pattern(self, words: &[(&str, bool)]) -> String {
        let class = super::words::word_class(self);
        // POSIX (Postgres ARE, Snowflake ERE) groups capture; they have no `(?:`.
        let open = if matches!(self, Dialect::Postgres | Dialect::Snowflake) {
            "("
        } else {
            "(?:"
        };
        let after = match self {
            Dialect::Spark => format!("(?![{class}])"),
            _ => format!("{open}[^{class}]|$)"),
        };
        let before = match self {
            Dialect::Spark => format!("(?<![{class}])"),
            _ => format!("{open}^|[^{class}])"),
        };
        // Whole words share one trailing test, prefixes have none: `before(?:(?:w1|w2)after|p1)`.
        let (prefixes, whole): (Vec<_>, Vec<_>) = words.iter().partition(|(_, prefix)| *prefix);
        let escape = |list: &[&(&str, bool)]| -> Vec<String> {
            list.iter().map(|(word, _)| regex::escape(word)).collect()
        };
        let mut alternatives = escape(&prefixes);
        let whole = escape(&whole);
        match whole.as_slice() {
            [] => {}
            [one] => alternatives.insert(0, format!("{one}{after}")),
            many => alternatives.insert(0, format!("{open}{}){after}", many.join("|"))),
        }
        match alternatives.as_slice() {
            [one] => format!("{before}{one}"),
            _ => format!("{before}{open}{})", alternatives.join("|")),
        }
    }

    /// Whether `expr` (text, never NULL) contains a match of `pattern`: TRUE or FALSE.
    pub fn regex_search(self, expr: &str, pattern: &str) -> String {
        let pattern = self.quote_text(pattern);
        match self {
            Dialect::Duckdb => format!("REGEXP_MATCHES({expr}, {pattern})"),
            Dialect::Datafusion => format!("REGEXP_LIKE({expr}, {pattern})"),
            Dialect::Spark => format!("({expr} RLIKE {pattern})"),
            Dialect::Postgres => format!("({expr} ~ {pattern})"),
            Dialect::Bigquery => format!("REGEXP_CONTAINS({expr}, {pattern})"),
            // REGEXP_LIKE is anchored at both ends on Snowflake.
            Dialect::Snowflake => format!("(REGEXP_INSTR({expr}, {pattern}) > 0)"),
        }
    }

    /// Whether `expr` (trimmed text, never NULL) is a finite decimal number as replay reads
    /// one (`-1.5`, `+.5`, `2e3`).
    pub fn is_number(self, expr: &str) -> String {
        self.regex_search(
            expr,
            r"^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?$",
        )
    }

    /// Text concatenation of the parts.
    pub fn concat(self, parts: &[String]) -> String {
        parts.join(" || ")
    }
}

impl fmt::Display for Dialect {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literals_escape_their_quotes() {
        assert_eq!(Dialect::Duckdb.quote_text("it's"), "'it''s'");
        assert_eq!(Dialect::Spark.quote_text("it's \\"), "'it\\'s \\\\'");
        assert_eq!(Dialect::Postgres.quote_ident("a\"b"), "\"a\"\"b\"");
        assert_eq!(Dialect::Postgres.quote_text(r"c\+"), r"'c\+'");
        assert_eq!(Dialect::Snowflake.quote_text(r"it's c\+"), r"'it''s c\\+'");
        assert_eq!(Dialect::Bigquery.quote_ident("a`b"), "`a``b`");
        assert_eq!(
            Dialect::Bigquery.quote_text("a\tb\u{a0}"),
            "'a\\u0009b\\u00a0'"
        );
    }

    #[test]
    fn a_keyword_list_is_one_pattern() {
        let w = crate::sql::words::word_class(Dialect::Duckdb);
        let c = format!("[^{w}]");
        assert_eq!(
            Dialect::Duckdb.words_pattern(&[("legal", false), ("lawyer", true), ("gdpr", false)]),
            format!("(?:^|{c})(?:(?:legal|gdpr)(?:{c}|$)|lawyer)")
        );
        assert_eq!(
            Dialect::Duckdb.word_pattern("a.b", false),
            format!("(?:^|{c})a\\.b(?:{c}|$)")
        );
        let w = crate::sql::words::word_class(Dialect::Spark);
        assert_eq!(
            Dialect::Spark.words_pattern(&[("x", false), ("y", true)]),
            format!("(?<![{w}])(?:x(?![{w}])|y)")
        );
        let w = crate::sql::words::word_class(Dialect::Postgres);
        assert_eq!(
            Dialect::Postgres.words_pattern(&[("x", true), ("y", true)]),
            format!("(^|[^{w}])(x|y)")
        );
    }

    #[test]
    fn a_word_class_is_written_out_never_an_engine_class() {
        for dialect in Dialect::ALL {
            let pattern = dialect.word_pattern("legal", false);
            assert!(pattern.contains("[0-9A-Z_a-z") || pattern.contains("[^0-9A-Z_a-z"));
            for engine_class in [r"\p{", "[:alnum:]", r"\b", r"\w"] {
                assert!(!pattern.contains(engine_class), "{dialect}: {engine_class}");
            }
        }
    }
}
