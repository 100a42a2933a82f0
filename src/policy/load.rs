//! YAML → [`Policy`]. All YAML access of the project is here.
//!
//! Loading is two passes over the text with `serde-saphyr`: first a syntax-only pass (into
//! `IgnoredAny`), so a syntax error is reported as H001 even where a typed pass would first
//! trip over a type; then the typed pass into the model, whose errors are H002. Both passes run
//! under the parser's budget (nesting depth, node count, alias expansion), so hostile files fail
//! fast with a clear message instead of exhausting memory or the stack.

use std::io::Read;
use std::path::{Path, PathBuf};

use serde_saphyr::{Error as YamlError, Location};

use super::model::Policy;
use super::spanned::span_from_location;
use crate::diag::Span;
use crate::diag::registry::Code;
use crate::diag::{Diagnostic, SourceFile};

/// Policies larger than this are refused before parsing.
pub const MAX_POLICY_BYTES: u64 = 4 * 1024 * 1024;

/// A policy and the file it came from.
#[derive(Debug, Clone)]
pub struct LoadedPolicy {
    pub source: SourceFile,
    pub policy: Policy,
}

#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("cannot read {}", path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    /// The file was read but is not a policy (H001 or H002).
    #[error("{}: {}", file.display_path(), diagnostic.message)]
    Invalid {
        file: Box<SourceFile>,
        diagnostic: Box<Diagnostic>,
    },
}

pub fn load_file(path: &Path) -> Result<LoadedPolicy, LoadError> {
    let io_error = |source| LoadError::Io {
        path: path.to_path_buf(),
        source,
    };
    let file = std::fs::File::open(path).map_err(io_error)?;
    let metadata = file.metadata().map_err(io_error)?;
    if metadata.is_dir() {
        return Err(io_error(std::io::Error::other("it is a directory")));
    }
    if metadata.len() > MAX_POLICY_BYTES {
        return Err(too_large(path.to_path_buf(), Some(metadata.len())));
    }
    let mut bytes = Vec::with_capacity(usize::try_from(metadata.len()).unwrap_or(0));
    file.take(MAX_POLICY_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(io_error)?;
    load_bytes(path.to_path_buf(), bytes)
}

/// H001 for a policy over [`MAX_POLICY_BYTES`] (`size` when known; standard input is read only
/// up to the limit).
fn too_large(path: PathBuf, size: Option<u64>) -> LoadError {
    let limit = MAX_POLICY_BYTES / (1024 * 1024);
    let message = match size {
        Some(size) => format!(
            "policy file is {:.1} MiB; handoff reads policies up to {limit} MiB",
            size as f64 / (1024.0 * 1024.0),
        ),
        None => format!("policy is over {limit} MiB; handoff reads policies up to {limit} MiB"),
    };
    let diagnostic = Diagnostic::new(Code::H001, Span::UNKNOWN, message)
        .help("split the policy, or check that this is the file you meant");
    invalid(SourceFile::new(path, String::new()), diagnostic)
}

/// Load a policy from bytes already read up to [`MAX_POLICY_BYTES`] + 1 (more is too large).
pub fn load_read(path: PathBuf, bytes: Vec<u8>) -> Result<LoadedPolicy, LoadError> {
    if bytes.len() as u64 > MAX_POLICY_BYTES {
        return Err(too_large(path, None));
    }
    load_bytes(path, bytes)
}

fn invalid(file: SourceFile, diagnostic: Diagnostic) -> LoadError {
    LoadError::Invalid {
        file: Box::new(file),
        diagnostic: Box::new(diagnostic),
    }
}

/// Load a policy from bytes read from `path`.
pub fn load_bytes(path: PathBuf, bytes: Vec<u8>) -> Result<LoadedPolicy, LoadError> {
    let text = match String::from_utf8(bytes) {
        Ok(text) => text,
        Err(err) => {
            let valid = err.utf8_error().valid_up_to();
            let bytes = err.into_bytes();
            let prefix = String::from_utf8_lossy(&bytes[..valid]);
            let line = prefix.matches('\n').count() + 1;
            let column = prefix.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
            let source = SourceFile::new(path, String::from_utf8_lossy(&bytes).into_owned());
            let span = Span {
                line,
                column,
                offset: None,
                len: 1,
            };
            let diagnostic = Diagnostic::new(
                Code::H001,
                span,
                format!("file is not valid UTF-8 (byte {valid})"),
            )
            .label("invalid byte here")
            .help("save the policy as UTF-8");
            return Err(invalid(source, diagnostic));
        }
    };
    let text = text
        .strip_prefix('\u{feff}')
        .map(str::to_string)
        .unwrap_or(text);
    let source = SourceFile::new(path, text);
    match parse(&source.text) {
        Ok(policy) => Ok(LoadedPolicy { source, policy }),
        Err(diagnostic) => Err(invalid(source, *diagnostic)),
    }
}

/// YAML nodes a policy may have: enough for a 4 MiB policy of tens of thousands of rules, far
/// below what an alias bomb expands to.
pub const MAX_NODES: usize = 1_000_000;

fn options() -> serde_saphyr::Options {
    serde_saphyr::options! {
        with_snippet: false,
        duplicate_keys: serde_saphyr::DuplicateKeyPolicy::Error,
        budget: serde_saphyr::budget! {
            max_nodes: MAX_NODES,
        },
    }
}

fn parse(text: &str) -> Result<Policy, Box<Diagnostic>> {
    if text
        .lines()
        .all(|line| line.trim().is_empty() || line.trim_start().starts_with('#'))
    {
        return Err(Box::new(
            Diagnostic::new(Code::H001, Span::UNKNOWN, "policy file is empty")
                .help("write a policy, or start from `handoff init`"),
        ));
    }
    if let Err(err) = serde_saphyr::from_str_with_options::<serde::de::IgnoredAny>(text, options())
    {
        return Err(Box::new(to_diagnostic(&err, text, true)));
    }
    serde_saphyr::from_str_with_options::<Policy>(text, options())
        .map_err(|err| Box::new(to_diagnostic(&err, text, false)))
}

fn span_of(location: Option<Location>, text: &str) -> Span {
    let Some(location) = location else {
        return Span::UNKNOWN;
    };
    let mut span = span_from_location(&location);
    if span.line == 0 {
        return Span::UNKNOWN;
    }
    if span.len == 0 {
        // Point at the token: up to the next delimiter on the line.
        if let Some(line) = text.lines().nth(span.line - 1) {
            let rest: String = line.chars().skip(span.column.saturating_sub(1)).collect();
            span.len = rest
                .find([':', ',', ']', '}', ' '])
                .unwrap_or(rest.len())
                .max(1)
                .min(rest.len().max(1));
        }
    }
    span
}

/// Turn a YAML error into H001 (syntax, limits) or H002 (structure).
fn to_diagnostic(err: &YamlError, text: &str, syntax_pass: bool) -> Diagnostic {
    let err = err.without_snippet();
    let span = span_of(err.location(), text);
    let plain = strip_location(&err.to_string());
    match err {
        YamlError::SerdeUnknownField {
            field, expected, ..
        } => {
            let d = Diagnostic::new(Code::H002, span, format!("unknown field `{field}`"))
                .label("unknown field");
            match did_you_mean(field, expected) {
                Some(best) => d.help(format!("did you mean `{best}`?")),
                None => d.help(format!("expected one of: {}", expected.join(", "))),
            }
        }
        YamlError::SerdeUnknownVariant {
            variant, expected, ..
        } => {
            let d = Diagnostic::new(Code::H002, span, format!("unknown value `{variant}`"))
                .label("not allowed here");
            match did_you_mean(variant, expected) {
                Some(best) => d.help(format!("did you mean `{best}`?")),
                None => d.help(format!("expected one of: {}", expected.join(", "))),
            }
        }
        YamlError::SerdeMissingField { field, .. } => {
            Diagnostic::new(Code::H002, span, format!("missing field `{field}`"))
                .label(format!("this mapping has no `{field}`"))
        }
        YamlError::DuplicateMappingKey { key, .. } => Diagnostic::new(
            Code::H002,
            span,
            match key {
                Some(key) => format!("duplicate key `{key}`"),
                None => "duplicate key".to_string(),
            },
        )
        .label("given again here")
        .help("a key may appear once in a mapping; merge the two entries"),
        YamlError::SerdeInvalidType {
            unexpected,
            expected,
            ..
        }
        | YamlError::SerdeInvalidValue {
            unexpected,
            expected,
            ..
        } => Diagnostic::new(
            Code::H002,
            span,
            format!("wrong type: found {unexpected}, expected {expected}"),
        )
        .label(format!("expected {expected}")),
        YamlError::InvalidScalar { .. } | YamlError::InvalidBooleanStrict { .. }
            if !syntax_pass =>
        {
            let expected = if plain.contains("float") || plain.contains("integer") {
                "a number"
            } else if plain.contains("bool") {
                "`true` or `false`"
            } else {
                "another type"
            };
            Diagnostic::new(Code::H002, span, format!("wrong type: expected {expected}"))
                .label(format!("expected {expected}"))
        }
        _ if !syntax_pass && plain.starts_with("expected sequence start") => {
            Diagnostic::new(Code::H002, span, "wrong type: expected a list")
                .label("expected a list")
        }
        _ if !syntax_pass && plain.starts_with("expected mapping start") => {
            Diagnostic::new(Code::H002, span, "wrong type: expected a mapping")
                .label("expected a mapping (`key: value` pairs)")
        }
        YamlError::MultipleDocuments { .. } => several_documents(text, span),
        YamlError::Budget { .. } => limit_diagnostic(&plain, span),
        _ if plain.contains("budget breached") => limit_diagnostic(&plain, span),
        _ if plain.contains("recursion limit") => {
            Diagnostic::new(Code::H001, span, "YAML nesting is too deep")
                .help("handoff reads policies nested up to 64 levels; flatten the conditions")
        }
        _ if plain.contains("alias") || plain.contains("Alias") => {
            Diagnostic::new(Code::H001, span, format!("YAML alias problem: {plain}"))
                .help("avoid aliases that expand into very large documents")
        }
        _ if plain.contains("tab") => {
            Diagnostic::new(Code::H001, span, format!("YAML syntax error: {plain}"))
                .label("tab character")
                .help("YAML indentation must use spaces, not tabs")
        }
        _ if syntax_pass => {
            Diagnostic::new(Code::H001, span, format!("YAML syntax error: {plain}"))
        }
        _ => Diagnostic::new(Code::H002, span, plain.clone()).label(plain),
    }
}

/// Whether a YAML file found in a folder is to be linted as a policy: every file except readable
/// YAML that is plainly something else — a document whose top level is not a mapping with
/// `rules` or `tiers` (policy test files, CI workflows, pre-commit and other configurations).
/// A file that cannot be read as YAML (a syntax error, not UTF-8, too large, several
/// documents) or that is empty might be a broken policy: it is linted, so the problem is
/// reported rather than skipped.
pub fn looks_like_policy(bytes: &[u8]) -> bool {
    #[derive(serde::Deserialize)]
    struct TopLevel {
        rules: Option<serde::de::IgnoredAny>,
        tiers: Option<serde::de::IgnoredAny>,
    }
    if bytes.len() as u64 > MAX_POLICY_BYTES {
        return true;
    }
    let Ok(text) = std::str::from_utf8(bytes) else {
        return true;
    };
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let empty = text
        .lines()
        .all(|line| line.trim().is_empty() || line.trim_start().starts_with('#'));
    if empty
        || serde_saphyr::from_str_with_options::<serde::de::IgnoredAny>(text, options()).is_err()
    {
        return true;
    }
    serde_saphyr::from_str_with_options::<TopLevel>(text, options())
        .is_ok_and(|top| top.rules.is_some() || top.tiers.is_some())
}

/// H001 for a file of several YAML documents, pointing at the separator that starts the
/// second one.
fn several_documents(text: &str, error_span: Span) -> Diagnostic {
    let count = serde_saphyr::from_multiple_with_options::<serde::de::IgnoredAny>(text, options())
        .map_or(2, |docs| docs.len().max(2));
    let is_separator = |line: &str| {
        line.strip_prefix("---")
            .is_some_and(|rest| rest.is_empty() || rest.starts_with([' ', '\t']))
    };
    let is_content = |line: &str| {
        let line = line.trim();
        !line.is_empty() && !line.starts_with('#') && !line.starts_with('%') && !is_separator(line)
    };
    // The separator after the first document's content, at or before where the parser stopped
    // (a leading `---` opens the first document and separates nothing).
    let first_content = text.lines().position(is_content).unwrap_or(0);
    let separator = text
        .lines()
        .enumerate()
        .skip(first_content)
        .filter(|(i, line)| is_separator(line) && (!error_span.is_known() || *i < error_span.line))
        .map(|(i, _)| i + 1)
        .next();
    let d = match separator {
        Some(line) => Diagnostic::new(
            Code::H001,
            Span {
                line,
                column: 1,
                offset: None,
                len: 3,
            },
            format!(
                "a policy file holds one YAML document; found {count} (a `---` separator on line {line})"
            ),
        )
        .label("a second document starts here"),
        None => Diagnostic::new(
            Code::H001,
            error_span,
            format!("a policy file holds one YAML document; found {count}"),
        ),
    };
    d.help("put each policy in its own file, or remove the `---` line and what follows it")
}

/// Load a policy test file (see [`super::testfile`]). Errors are one line with the place.
pub fn load_test_file(path: &Path) -> Result<super::testfile::TestFile, String> {
    let bytes = std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let text =
        String::from_utf8(bytes).map_err(|_| format!("{}: not valid UTF-8", path.display()))?;
    serde_saphyr::from_str_with_options::<super::testfile::TestFile>(&text, options()).map_err(
        |err| {
            let d = to_diagnostic(&err, &text, false);
            let help = d.help.map(|h| format!(" ({h})")).unwrap_or_default();
            if d.span.is_known() {
                format!(
                    "{}:{}:{}: {}{help}",
                    path.display(),
                    d.span.line,
                    d.span.column,
                    d.message
                )
            } else {
                format!("{}: {}{help}", path.display(), d.message)
            }
        },
    )
}

/// Read a small YAML file that is not a policy (a staffing file) into `T`, with the policy's
/// parser limits; a problem is `path:line:col: message (help)`.
pub fn load_yaml_file<T: serde::de::DeserializeOwned>(path: &Path) -> Result<T, String> {
    let metadata =
        std::fs::metadata(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    if metadata.len() > MAX_POLICY_BYTES {
        return Err(format!(
            "{}: the file is over {} MiB",
            path.display(),
            MAX_POLICY_BYTES / (1024 * 1024)
        ));
    }
    let bytes = std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let text =
        String::from_utf8(bytes).map_err(|_| format!("{}: not valid UTF-8", path.display()))?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
    if text
        .lines()
        .all(|line| line.trim().is_empty() || line.trim_start().starts_with('#'))
    {
        return Err(format!("{}: the file is empty", path.display()));
    }
    let place = |d: Diagnostic| {
        let help = d.help.map(|h| format!(" ({h})")).unwrap_or_default();
        if d.span.is_known() {
            let (line, column) = (d.span.line, d.span.column);
            format!("{}:{line}:{column}: {}{help}", path.display(), d.message)
        } else {
            format!("{}: {}{help}", path.display(), d.message)
        }
    };
    if let Err(err) = serde_saphyr::from_str_with_options::<serde::de::IgnoredAny>(text, options())
    {
        return Err(place(to_diagnostic(&err, text, true)));
    }
    serde_saphyr::from_str_with_options::<T>(text, options())
        .map_err(|err| place(to_diagnostic(&err, text, false)))
}

/// Policy tests as YAML text (for `handoff test --record`).
pub fn test_file_yaml(file: &super::testfile::TestFile) -> Result<String, String> {
    serde_saphyr::to_string(file).map_err(|e| e.to_string())
}

/// H001 for a breached parser limit (nesting depth, node count, alias expansion).
fn limit_diagnostic(plain: &str, span: Span) -> Diagnostic {
    let (message, help) = if plain.contains("Depth") {
        (
            "YAML nesting is too deep",
            "handoff reads policies nested up to 64 levels; flatten the conditions",
        )
    } else if plain.contains("Nodes") || plain.contains("Events") || plain.contains("lias") {
        (
            "the YAML is too large once aliases are expanded (over 1,000,000 nodes)",
            "split the policy, or avoid aliases that expand into large documents (an alias bomb)",
        )
    } else {
        (
            "the YAML exceeds a parser limit",
            "simplify the file; handoff refuses documents that would take unbounded time or memory",
        )
    };
    Diagnostic::new(Code::H001, span, message).help(help)
}

/// serde-saphyr's messages end with "at line L, column C"; diagnostics show the location
/// separately.
fn strip_location(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(i) => message[..i].to_string(),
        None => message.to_string(),
    }
}

pub(crate) fn did_you_mean<'a>(given: &str, candidates: &[&'a str]) -> Option<&'a str> {
    let given = given.to_lowercase();
    candidates
        .iter()
        .map(|c| (strsim::jaro_winkler(&given, &c.to_lowercase()), *c))
        .filter(|(score, _)| *score > 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load(text: &str) -> Result<LoadedPolicy, LoadError> {
        load_bytes(PathBuf::from("t.yaml"), text.as_bytes().to_vec())
    }

    fn diagnostic(text: &str) -> Diagnostic {
        match load(text) {
            Err(LoadError::Invalid { diagnostic, .. }) => *diagnostic,
            other => panic!("expected an invalid policy, got {other:?}"),
        }
    }

    #[test]
    fn spans_point_at_values() {
        let loaded = load("version: 1\ntiers:\n  L1:\n    owner: team-a\n").unwrap();
        let (name, tier) = &loaded.policy.tiers.0[0];
        assert_eq!((name.span.line, name.span.column), (3, 3));
        let owner = tier.value.owner.as_ref().unwrap();
        assert_eq!(
            (owner.span.line, owner.span.column, owner.span.len),
            (4, 12, 6)
        );
    }

    #[test]
    fn unknown_field_suggests_the_closest() {
        let d = diagnostic("version: 1\ntiers:\n  L1:\n    ownr: a\n");
        assert_eq!(d.code, Code::H002);
        assert_eq!(d.message, "unknown field `ownr`");
        assert_eq!(d.help.as_deref(), Some("did you mean `owner`?"));
        assert_eq!((d.span.line, d.span.column), (4, 5));
    }

    #[test]
    fn syntax_error_is_h001_even_where_a_type_would_mismatch() {
        let d = diagnostic("version: 1\ntiers:\n  L1: [\n    owner: a\n");
        assert_eq!(d.code, Code::H001);
    }

    #[test]
    fn duplicate_keys_are_h002() {
        let d = diagnostic("version: 1\nversion: 1\n");
        assert_eq!(d.code, Code::H002);
        assert_eq!(d.message, "duplicate key `version`");
    }

    #[test]
    fn empty_and_non_utf8_files_are_h001() {
        assert_eq!(diagnostic("# nothing\n\n").message, "policy file is empty");
        match load_bytes(
            PathBuf::from("t.yaml"),
            b"version: 1\nname: \xff\n".to_vec(),
        ) {
            Err(LoadError::Invalid { diagnostic, .. }) => {
                assert_eq!(diagnostic.code, Code::H001);
                assert_eq!((diagnostic.span.line, diagnostic.span.column), (2, 7));
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn deep_nesting_and_alias_bombs_fail_fast() {
        let deep = format!(
            "version: 1\nrules: {}{}\n",
            "[".repeat(10_000),
            "]".repeat(10_000)
        );
        assert_eq!(diagnostic(&deep).code, Code::H001);
        let mut bomb = String::from("a: &a [x,x,x,x,x,x,x,x,x]\n");
        for i in 1..10u8 {
            let (prev, cur) = ((b'a' + i - 1) as char, (b'a' + i) as char);
            bomb.push_str(&format!(
                "{cur}: &{cur} [{}]\n",
                vec![format!("*{prev}"); 9].join(",")
            ));
        }
        let d = diagnostic(&bomb);
        assert_eq!(d.code, Code::H001, "{d:?}");
    }
}
