//! A mapping's `[timestamps] format` compiled to SQL: the text rewritten to
//! `YYYY-MM-DD HH:MM:SS`, which [`super::timestamps`] then reads in the mapping's zone, exactly
//! as replay's `jiff::fmt::strtime::parse` reads the format.
//!
//! Compiled: `%Y` (an optional `+` or `-`, then 1–4 digits), `%m`, `%d`, `%e`, `%H`, `%k`,
//! `%M`, `%S` (1–2 digits; `60` seconds read as `59`), `%F` (`%Y-%m-%d`), `%T` (`%H:%M:%S`),
//! `%R` (`%H:%M`), `%%`, `%n` and `%t`, and literal characters. As in jiff, each number may be
//! preceded by ASCII white space, a white-space character of the format matches any run of
//! ASCII white space (none included), and a number takes as many digits as it can (up to its
//! width) and never gives one back: where two numbers meet with only white space between, a
//! short one must be followed by white space, so the pattern cannot split digits jiff would
//! not. Anything else — names (`%b`), 12-hour clocks, offsets (`%z`), fractions, flags or
//! widths (`%-d`), a format without a full date or with a minute but no hour — is refused
//! (exit 2) naming the format and the specifier. A negative year is rewritten with its sign,
//! which no later step reads: NULL in SQL, counted as unread by the partials.

use super::Dialect;

/// ASCII white space as Rust's `is_ascii_whitespace` has it, as a bracket expression of the
/// characters themselves (no escape, which the dialects read differently).
const WS: &str = "[ \t\n\u{c}\r]";

#[derive(Debug, Clone, Copy, PartialEq)]
enum Field {
    Year,
    Month,
    Day,
    Hour,
    Minute,
    Second,
}

impl Field {
    fn width(self) -> usize {
        if self == Field::Year { 4 } else { 2 }
    }
}

#[derive(Debug, Clone, PartialEq)]
enum Token {
    Number(Field),
    Space,
    Literal(char),
}

/// A compiled format.
#[derive(Debug, Clone)]
pub struct Format {
    tokens: Vec<Token>,
}

/// The format `format` compiled, or why not (naming the format and the specifier).
pub fn compile(format: &str) -> Result<Format, String> {
    let refuse = |what: &str| {
        format!(
            "the mapping's timestamp format `{format}` cannot be compiled to SQL exactly: {what}"
        )
    };
    let mut tokens = Vec::new();
    let mut chars = format.chars();
    while let Some(c) = chars.next() {
        if c != '%' {
            tokens.push(if c.is_ascii_whitespace() {
                Token::Space
            } else if matches!(c, '^' | ']' | '[' | '\\') {
                return Err(refuse(&format!("the literal `{c}` is not compiled")));
            } else {
                Token::Literal(c)
            });
            continue;
        }
        let Some(spec) = chars.next() else {
            return Err(refuse("a `%` at the end"));
        };
        let number = |f| Token::Number(f);
        match spec {
            'Y' => tokens.push(number(Field::Year)),
            'm' => tokens.push(number(Field::Month)),
            'd' | 'e' => tokens.push(number(Field::Day)),
            'H' | 'k' => tokens.push(number(Field::Hour)),
            'M' => tokens.push(number(Field::Minute)),
            'S' => tokens.push(number(Field::Second)),
            'F' => tokens.extend([
                number(Field::Year),
                Token::Literal('-'),
                number(Field::Month),
                Token::Literal('-'),
                number(Field::Day),
            ]),
            'T' => tokens.extend([
                number(Field::Hour),
                Token::Literal(':'),
                number(Field::Minute),
                Token::Literal(':'),
                number(Field::Second),
            ]),
            'R' => tokens.extend([
                number(Field::Hour),
                Token::Literal(':'),
                number(Field::Minute),
            ]),
            '%' => tokens.push(Token::Literal('%')),
            'n' | 't' => tokens.push(Token::Space),
            other => {
                return Err(refuse(&format!(
                    "`%{other}` is not compiled (only %Y %m %d %e %H %k %M %S %F %T %R %% %n %t and literals are)"
                )));
            }
        }
    }
    let fields: Vec<Field> = tokens
        .iter()
        .filter_map(|t| match t {
            Token::Number(f) => Some(*f),
            _ => None,
        })
        .collect();
    for (i, f) in fields.iter().enumerate() {
        if fields[..i].contains(f) {
            return Err(refuse(&format!("the {f:?} is read twice")));
        }
    }
    let has = |f: Field| fields.contains(&f);
    if !(has(Field::Year) && has(Field::Month) && has(Field::Day)) {
        return Err(refuse(
            "it has no full date (%Y, %m and %d), so replay reads no value",
        ));
    }
    if (has(Field::Minute) && !has(Field::Hour)) || (has(Field::Second) && !has(Field::Minute)) {
        return Err(refuse(
            "a minute without an hour (or a second without a minute) replay never reads",
        ));
    }
    // A number followed, after white space only, by a digit or a year (whose sign may end
    // a short number where the pattern wants white space): the pattern could read digits
    // otherwise than jiff.
    for (i, t) in tokens.iter().enumerate() {
        if let Token::Number(_) = t {
            let next = tokens[i + 1..].iter().find(|t| **t != Token::Space);
            if matches!(next, Some(Token::Literal(c)) if c.is_ascii_digit()) {
                return Err(refuse("a number followed by a digit"));
            }
            if next == Some(&Token::Number(Field::Year)) {
                return Err(refuse("a number followed by %Y with no literal between"));
            }
        }
    }
    Ok(Format { tokens })
}

/// The pattern of a format. Each extraction writes every group but one non-capturing (`(?:`):
/// BigQuery allows only one group, DataFusion lists only the groups that took part, DuckDB
/// numbers at most 9; Snowflake, whose POSIX patterns have no `(?:`, numbers them.
struct Pattern {
    text: String,
    /// Per field: the group number(s) of its digits (two where a short number needs white
    /// space after it).
    groups: Vec<(Field, Vec<usize>)>,
    /// The group of the year's sign.
    sign: Option<usize>,
    count: usize,
}

impl Format {
    /// The anchored pattern; with `only = Some(g)`, group `g` is the one capturing group.
    fn pattern(&self, only: Option<usize>) -> Pattern {
        let mut p = Pattern {
            text: String::from("^"),
            groups: Vec::new(),
            sign: None,
            count: 0,
        };
        let open = |p: &mut Pattern| -> (String, usize) {
            p.count += 1;
            let capturing = only.is_none_or(|g| g == p.count);
            (if capturing { "(" } else { "(?:" }.to_string(), p.count)
        };
        let mut i = 0;
        while i < self.tokens.len() {
            match &self.tokens[i] {
                Token::Space => p.text.push_str(&format!("{WS}*")),
                Token::Literal(c) if c.is_ascii_alphanumeric() || !c.is_ascii() => p.text.push(*c),
                Token::Literal(c) => p.text.push_str(&format!("[{c}]")),
                Token::Number(f) => {
                    let width = f.width();
                    // jiff reads the year's sign before the white space any number may have.
                    if *f == Field::Year {
                        let (o, g) = open(&mut p);
                        p.text.push_str(&format!("{o}[+-]?)"));
                        p.sign = Some(g);
                    }
                    p.text.push_str(&format!("{WS}*"));
                    // The white space after it, then whether a number follows.
                    let mut j = i + 1;
                    while self.tokens.get(j) == Some(&Token::Space) {
                        j += 1;
                    }
                    let number_next = matches!(self.tokens.get(j), Some(Token::Number(_)));
                    if number_next {
                        // Full width, or shorter and followed by white space (the next
                        // number's, or the format's).
                        {
                            let (outer, _) = open(&mut p);
                            let (a, ga) = open(&mut p);
                            p.text
                                .push_str(&format!("{outer}{a}[0-9]{{{width}}}){WS}*|"));
                            let (b, gb) = open(&mut p);
                            p.text
                                .push_str(&format!("{b}[0-9]{{1,{}}}){WS}+)", width - 1));
                            p.groups.push((*f, vec![ga, gb]));
                            i = j;
                            continue;
                        }
                    } else {
                        let (a, ga) = open(&mut p);
                        p.text.push_str(&format!("{a}[0-9]{{1,{width}}})"));
                        p.groups.push((*f, vec![ga]));
                    }
                }
            }
            i += 1;
        }
        p.text.push('$');
        p
    }

    /// Group `g` of `text` matching the pattern, NULL when empty or unmatched.
    fn group(&self, d: Dialect, text: &str, g: usize) -> String {
        let extract = if d == Dialect::Snowflake {
            // POSIX patterns have no `(?:`: the groups are numbered.
            let p = d.quote_text(&self.pattern(None).text);
            format!("REGEXP_SUBSTR({text}, {p}, 1, 1, 'e', {g})")
        } else {
            let p = d.quote_text(&self.pattern(Some(g)).text);
            match d {
                Dialect::Duckdb | Dialect::Spark => format!("REGEXP_EXTRACT({text}, {p}, 1)"),
                Dialect::Datafusion => format!("ARRAY_ELEMENT(REGEXP_MATCH({text}, {p}), 1)"),
                Dialect::Postgres => format!("SUBSTRING({text} FROM {p})"),
                _ => format!("REGEXP_EXTRACT({text}, {p})"),
            }
        };
        format!("NULLIF({extract}, '')")
    }

    /// `text` (trimmed, NULL when empty) rewritten as `YYYY-MM-DD HH:MM:SS` when it matches
    /// the format (numbers unchecked: the reader's shape checks their ranges), else NULL.
    pub fn canonical(&self, d: Dialect, text: &str) -> String {
        let p = self.pattern(None);
        let digits = |f: Field| -> Option<String> {
            p.groups.iter().find(|(g, _)| *g == f).map(|(_, groups)| {
                let parts: Vec<String> = groups.iter().map(|g| self.group(d, text, *g)).collect();
                if parts.len() == 1 {
                    parts[0].clone()
                } else {
                    format!("COALESCE({})", parts.join(", "))
                }
            })
        };
        let padded = |f: Field| -> String {
            match digits(f) {
                Some(x) => format!("LPAD({x}, {}, '0')", f.width()),
                None => "'00'".to_string(),
            }
        };
        let sign = p.sign.map_or("''".to_string(), |g| {
            format!("COALESCE({}, '')", self.group(d, text, g))
        });
        let year = format!("CASE WHEN {sign} = '-' THEN '-' ELSE '' END");
        let second = match digits(Field::Second) {
            Some(x) => format!("CASE WHEN {x} = '60' THEN '59' ELSE LPAD({x}, 2, '0') END"),
            None => "'00'".to_string(),
        };
        let parts = [
            year,
            padded(Field::Year),
            "'-'".into(),
            padded(Field::Month),
            "'-'".into(),
            padded(Field::Day),
            "' '".into(),
            padded(Field::Hour),
            "':'".into(),
            padded(Field::Minute),
            "':'".into(),
            second,
        ];
        format!(
            "CASE WHEN {} THEN {} END",
            d.regex_search(text, &p.text),
            d.concat(&parts)
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_subset_compiles_and_the_rest_is_refused_by_name() {
        assert!(compile("%d.%m.%Y %H:%M").is_ok());
        assert!(compile("%F %T").is_ok());
        let no = |f: &str| compile(f).err().unwrap_or_default();
        assert!(no("%d %b %Y").contains("`%b`"), "{}", no("%d %b %Y"));
        assert!(no("%Y-%m-%d %H:%M %z").contains("`%z`"));
        assert!(no("%H:%M").contains("no full date"));
        assert!(no("%Y%m%d %M").contains("minute without an hour"));
        assert!(no("%Y-%m-%d %-H").contains("`%-`"));
        assert!(no("%Y-%m-%d %H 5").contains("followed by a digit"));
    }

    #[test]
    fn short_numbers_before_numbers_need_white_space() {
        let f = compile("%Y%m%d %H:%M").unwrap();
        let p = f.pattern(None).text;
        let ws = "[ \t\n\u{c}\r]";
        assert!(
            p.starts_with(&format!(
                "^([+-]?){ws}*(([0-9]{{4}}){ws}*|([0-9]{{1,3}}){ws}+)"
            )),
            "{p}"
        );
        assert!(p.ends_with(&format!("[:]{ws}*([0-9]{{1,2}})$")), "{p}");
        assert!(compile("%d %Y").is_err());
    }
}
