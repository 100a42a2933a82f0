//! A rule's condition as a SQL boolean: NULL is unknown, and the engine's own three-valued
//! `AND` / `OR` / `NOT` are replay's (DESIGN §2), so only TRUE fires.
//!
//! Leaves read the typed columns [`super::decisions`] prepares (`c_…` numbers, `l_…` labels,
//! `h_…` booleans, `k_…` keyword hits, `x_…` raw extras); this module names them.

use crate::fields::Label;
use crate::policy::condition::{Cond, Keyword, LabelField, NumField};

use super::Dialect;

/// Why a condition cannot be compiled exactly for a dialect.
pub type Refusal = String;

/// A column name for a field's typed value.
pub fn number_column(field: &NumField) -> String {
    format!("c_{}", ident_part(field.name()))
}

pub fn label_column(field: &LabelField) -> String {
    format!("l_{}", ident_part(field.name()))
}

pub fn raw_extra_column(name: &str) -> String {
    format!("x_{}", ident_part(name))
}

/// A field name as part of a generated column name: ASCII letters, digits and `_`, plus a
/// hash of the original so two names never meet.
pub fn ident_part(name: &str) -> String {
    let plain: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '_'
            }
        })
        .collect();
    if plain == name {
        return plain;
    }
    // FNV-1a: stable across runs and platforms.
    let hash = name.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    });
    format!("{plain}_{:08x}", hash & 0xffff_ffff)
}

/// Compiles conditions, collecting the keyword lists they test: each list gets a `k_<n>`
/// column, TRUE when any of its keywords is found (one regular expression per list and text
/// column, not one per keyword: the search is most of the query's time).
pub struct CondSql<'k> {
    pub dialect: Dialect,
    pub keywords: &'k mut Vec<Vec<Keyword>>,
}

impl CondSql<'_> {
    /// The column that is TRUE when any keyword of `list` (not empty) is in the text.
    fn keyword_list(&mut self, list: &[Keyword]) -> String {
        let index = match self.keywords.iter().position(|x| x.as_slice() == list) {
            Some(i) => i,
            None => {
                self.keywords.push(list.to_vec());
                self.keywords.len() - 1
            }
        };
        format!("k_{index}")
    }

    /// The condition as a SQL boolean expression.
    pub fn sql(&mut self, cond: &Cond) -> Result<String, Refusal> {
        let d = self.dialect;
        Ok(match cond {
            Cond::All(parts) => self.join(parts, "AND", "TRUE")?,
            Cond::Any(parts) => self.join(parts, "OR", "FALSE")?,
            Cond::Not(inner) => format!("(NOT {})", self.sql(inner)?),
            Cond::Number {
                field,
                below,
                at_least,
            } => {
                let column = number_column(field);
                let mut tests = Vec::new();
                if let Some(b) = below {
                    tests.push(format!("{column} < {}", d.double_literal(*b)));
                }
                if let Some(a) = at_least {
                    tests.push(format!("{column} >= {}", d.double_literal(*a)));
                }
                known(&column, &and_all(tests))
            }
            Cond::Keywords { any, all, none } => {
                let mut tests = Vec::new();
                if let Some(any) = any {
                    tests.push(if any.is_empty() {
                        "FALSE".to_string()
                    } else {
                        self.keyword_list(any)
                    });
                }
                for k in all {
                    tests.push(self.keyword_list(std::slice::from_ref(k)));
                }
                if !none.is_empty() {
                    tests.push(format!("(NOT {})", self.keyword_list(none)));
                }
                format!("(CASE WHEN has_text THEN {} END)", and_all(tests))
            }
            Cond::Label { field, in_, not_in } => {
                let column = label_column(field);
                let mut tests = Vec::new();
                if let Some(set) = in_ {
                    tests.push(member(d, &column, set));
                }
                if !not_in.is_empty() {
                    tests.push(format!("(NOT {})", member(d, &column, not_in)));
                }
                known(&column, &and_all(tests))
            }
            Cond::RequestedHuman(wanted) => {
                let column = format!("h_{}", ident_part("requested_human"));
                let test = if *wanted {
                    column.clone()
                } else {
                    format!("(NOT {column})")
                };
                known(&column, &test)
            }
            Cond::BusinessHours(_) => {
                return Err(
                    "`business_hours` needs the calendar at each ticket's arrival, which the SQL compiler does not join yet"
                        .to_string(),
                );
            }
            Cond::Matches { field, regex } => {
                let pattern = regex.as_str();
                portable_regex(pattern)?;
                let column = raw_extra_column(field);
                known(&column, &d.regex_search(&column, pattern))
            }
        })
    }

    fn join(&mut self, parts: &[Cond], op: &str, empty: &str) -> Result<String, Refusal> {
        if parts.is_empty() {
            return Ok(empty.to_string());
        }
        let parts = parts
            .iter()
            .map(|p| self.sql(p))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(format!("({})", parts.join(&format!(" {op} "))))
    }
}

/// `test`, or NULL (unknown) when `column` is NULL.
fn known(column: &str, test: &str) -> String {
    format!("(CASE WHEN {column} IS NOT NULL THEN {test} END)")
}

fn and_all(tests: Vec<String>) -> String {
    if tests.is_empty() {
        "TRUE".to_string()
    } else {
        format!("({})", tests.join(" AND "))
    }
}

fn member(d: Dialect, column: &str, set: &[String]) -> String {
    if set.is_empty() {
        return "FALSE".to_string();
    }
    let values: Vec<String> = set.iter().map(|v| d.quote_text(v)).collect();
    format!("({column} IN ({}))", values.join(", "))
}

/// A `field … matches` pattern every dialect reads as Rust's `regex` does: literal text,
/// `.`, anchors, repetition, groups, alternation and bracket classes of literal characters.
/// Escapes that name classes (`\d`, `\w`, `\s`, `\b`, `\p`), flags and group options `(?…)`
/// and POSIX classes mean different things per engine, so they are refused.
pub fn portable_regex(pattern: &str) -> Result<(), Refusal> {
    let mut chars = pattern.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some(e) if e.is_ascii_punctuation() => {}
                Some(e) => {
                    return Err(format!(
                        "the pattern's `\\{e}` means different things in different SQL engines; write the characters out (e.g. `[0-9]` for `\\d`)"
                    ));
                }
                None => return Err("the pattern ends in a lone `\\`".to_string()),
            },
            '(' if chars.peek() == Some(&'?') => {
                return Err(
                    "the pattern's `(?…)` (flags, non-capturing or named groups) is not portable across SQL engines"
                        .to_string(),
                );
            }
            '[' if chars.peek() == Some(&':') || pattern.contains("[:") => {
                return Err(
                    "the pattern's POSIX class `[:…:]` is not portable across SQL engines"
                        .to_string(),
                );
            }
            _ => {}
        }
    }
    Ok(())
}

/// The label field a label column stands for, when canonical (for the parse order).
pub fn canonical_label(field: &LabelField) -> Option<Label> {
    match field {
        LabelField::Canonical(label) => Some(*label),
        LabelField::Extra(_) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn class_escapes_and_flags_are_refused() {
        assert!(portable_regex("^INC-[0-9]+$").is_ok());
        assert!(portable_regex(r"a\.b|c\(d\)").is_ok());
        assert!(portable_regex(r"\d+").is_err());
        assert!(portable_regex("(?i)abc").is_err());
        assert!(portable_regex("[[:alpha:]]").is_err());
    }

    #[test]
    fn generated_names_never_meet() {
        assert_eq!(ident_part("reopen_count"), "reopen_count");
        assert_ne!(ident_part("Reopen Count"), ident_part("reopen count"));
    }
}
