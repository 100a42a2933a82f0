//! Findings as data: a diagnostic has a rule code, a severity, a message and spans. Engines
//! produce them; `output` renders them. They are never Rust errors.

use std::fmt;
use std::path::PathBuf;

use serde::Serialize;

pub mod registry;
mod severity;
mod span;

use registry::Code;
pub use severity::Severity;
pub use span::Span;

/// One finding about one file.
#[derive(Debug, Clone, PartialEq)]
pub struct Diagnostic {
    pub code: Code,
    pub severity: Severity,
    pub message: String,
    /// Where the finding points; `Span::UNKNOWN` for findings about the whole file.
    pub span: Span,
    /// Text under the caret.
    pub label: Option<String>,
    pub help: Option<String>,
    /// Other places that explain the finding (e.g. the earlier rule that shadows this one).
    pub related: Vec<(Span, String)>,
}

impl Diagnostic {
    /// A diagnostic with the rule's default severity.
    pub fn new(code: Code, span: Span, message: impl Into<String>) -> Self {
        Diagnostic {
            code,
            severity: code.info().severity,
            message: message.into(),
            span,
            label: None,
            help: None,
            related: Vec::new(),
        }
    }

    pub fn label(mut self, label: impl Into<String>) -> Self {
        self.label = Some(label.into());
        self
    }

    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    pub fn related(mut self, span: Span, label: impl Into<String>) -> Self {
        self.related.push((span, label.into()));
        self
    }
}

/// A source file as read, for rendering snippets.
#[derive(Debug, Clone)]
pub struct SourceFile {
    /// The path as the user gave it (or as found under a directory they gave).
    pub path: PathBuf,
    /// The text; invalid UTF-8 is replaced so the file can still be shown.
    pub text: String,
    /// Where each line starts, built on first use: finding a line is then a lookup, so
    /// thousands of findings in a large file stay linear.
    lines: std::sync::OnceLock<LineIndex>,
}

#[derive(Debug, Clone)]
struct LineIndex {
    /// Byte offset of each line's start (after the previous `\n`).
    starts: Vec<usize>,
    /// Whether each line is ASCII (its columns are then its bytes).
    ascii: Vec<bool>,
}

impl SourceFile {
    pub fn new(path: PathBuf, text: String) -> SourceFile {
        SourceFile {
            path,
            text,
            lines: std::sync::OnceLock::new(),
        }
    }

    fn index(&self) -> &LineIndex {
        self.lines.get_or_init(|| {
            let mut starts = vec![0];
            let mut ascii = Vec::new();
            let mut line_ascii = true;
            for (i, b) in self.text.bytes().enumerate() {
                line_ascii &= b.is_ascii();
                if b == b'\n' {
                    starts.push(i + 1);
                    ascii.push(line_ascii);
                    line_ascii = true;
                }
            }
            ascii.push(line_ascii);
            LineIndex { starts, ascii }
        })
    }

    pub fn display_path(&self) -> String {
        self.path.display().to_string().replace('\\', "/")
    }

    /// The text of a 1-based line, without its line ending.
    pub fn line(&self, line: usize) -> Option<&str> {
        let index = self.index();
        let start = *index.starts.get(line.checked_sub(1)?)?;
        let end = index.starts.get(line).map_or(self.text.len(), |&next| next);
        if start >= self.text.len() {
            // Like `str::lines`: no empty line after a final newline, none in an empty text.
            return None;
        }
        let text = &self.text[start..end];
        let text = text.strip_suffix('\n').unwrap_or(text);
        Some(text.strip_suffix('\r').unwrap_or(text))
    }

    /// Byte range of a span in `text`, clamped to the text and to char boundaries.
    pub fn byte_range(&self, span: Span) -> std::ops::Range<usize> {
        let start = match span.offset {
            Some(offset) => offset,
            None => self.offset_of(span.line, span.column),
        }
        .min(self.text.len());
        let len = match self.flow_collection_len(start) {
            0 => span.len,
            whole if span.len <= 1 => whole,
            _ => span.len,
        };
        let mut end = (start + len).min(self.text.len());
        while end > start && !self.text.is_char_boundary(end) {
            end -= 1;
        }
        let mut start = start;
        while start > 0 && !self.text.is_char_boundary(start) {
            start -= 1;
        }
        start..end
    }

    /// Length of a flow collection (`[a, b]`, `{ k: v }`) starting at `start`, so a finding on
    /// a whole list or mapping underlines all of it; 0 for anything else (a block collection is
    /// pointed at by its first character).
    fn flow_collection_len(&self, start: usize) -> usize {
        let bytes = self.text.as_bytes();
        if !matches!(bytes.get(start), Some(b'[' | b'{')) {
            return 0;
        }
        let (mut depth, mut quote) = (0usize, None::<u8>);
        for (i, &b) in bytes[start..].iter().enumerate() {
            match (quote, b) {
                (Some(q), _) if b == q => quote = None,
                (Some(_), _) => {}
                (None, b'"' | b'\'') => quote = Some(b),
                (None, b'[' | b'{') => depth += 1,
                (None, b']' | b'}') => {
                    depth -= 1;
                    if depth == 0 {
                        return i + 1;
                    }
                }
                (None, b'\n') => return 0,
                _ => {}
            }
        }
        0
    }

    /// The whole lines that hold the bytes `range`: their byte range, and the 1-based number of
    /// the first. Renderers show this window rather than the whole file.
    pub fn line_window(&self, range: std::ops::Range<usize>) -> (std::ops::Range<usize>, usize) {
        let index = self.index();
        let line_of = |offset: usize| index.starts.partition_point(|&s| s <= offset).max(1);
        let first = line_of(range.start);
        let last = line_of(range.end.saturating_sub(1).max(range.start));
        let start = index.starts[first - 1].min(self.text.len());
        let end = index.starts.get(last).map_or(self.text.len(), |&next| next);
        (start..end.max(start), first)
    }

    fn offset_of(&self, line: usize, column: usize) -> usize {
        let index = self.index();
        let Some(&start) = line.checked_sub(1).and_then(|i| index.starts.get(i)) else {
            return self.text.len();
        };
        let end = index.starts.get(line).map_or(self.text.len(), |&next| next);
        let column = column.saturating_sub(1);
        if index.ascii[line - 1] {
            return start + column.min(end - start);
        }
        let text = &self.text[start..end];
        start
            + text
                .char_indices()
                .nth(column)
                .map_or(text.len(), |(i, _)| i)
    }
}

/// The findings for one file.
#[derive(Debug, Clone)]
pub struct FileReport {
    pub source: SourceFile,
    pub diagnostics: Vec<Diagnostic>,
    /// Findings of enabled rules silenced by `# handoff: allow` comments (SARIF reports them
    /// as suppressed results; the other formats count them).
    pub suppressed: Vec<Suppressed>,
}

/// A finding silenced by a `# handoff: allow CODE -- reason` comment.
#[derive(Debug, Clone, PartialEq)]
pub struct Suppressed {
    pub diagnostic: Diagnostic,
    /// The comment's reason (empty when it gave none: that is H091).
    pub reason: String,
}

/// Counts over a set of reports.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    pub files: usize,
    pub errors: usize,
    pub warnings: usize,
    pub infos: usize,
    pub suppressed: usize,
    /// YAML files a folder walk found that are not policies (not linted).
    pub skipped: usize,
}

impl Summary {
    pub fn of(reports: &[FileReport]) -> Summary {
        let mut summary = Summary {
            files: reports.len(),
            ..Summary::default()
        };
        for report in reports {
            summary.suppressed += report.suppressed.len();
            for d in &report.diagnostics {
                match d.severity {
                    Severity::Error => summary.errors += 1,
                    Severity::Warning => summary.warnings += 1,
                    Severity::Info => summary.infos += 1,
                }
            }
        }
        summary
    }
}

impl fmt::Display for Summary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
        let files = plural(self.files, "file");
        if self.errors + self.warnings + self.infos == 0 {
            write!(f, "no problems in {files}")?;
        } else {
            write!(
                f,
                "{}, {}",
                plural(self.errors, "error"),
                plural(self.warnings, "warning")
            )?;
            if self.infos > 0 {
                write!(f, ", {}", plural(self.infos, "info"))?;
            }
            write!(f, " in {files}")?;
        }
        let mut notes = Vec::new();
        if self.suppressed > 0 {
            notes.push(format!("{} suppressed", self.suppressed));
        }
        if self.skipped > 0 {
            notes.push(format!(
                "{} non-policy YAML {} skipped",
                self.skipped,
                if self.skipped == 1 { "file" } else { "files" }
            ));
        }
        if !notes.is_empty() {
            write!(f, " ({})", notes.join(", "))?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_and_offsets_match_the_text() {
        for text in ["", "a", "a\n", "ab\r\ncd\n\nü x\nlast", "\n\n"] {
            let source = SourceFile::new(PathBuf::from("t"), text.to_string());
            let lines: Vec<&str> = text.lines().collect();
            for n in 1..=lines.len() + 2 {
                assert_eq!(
                    source.line(n),
                    lines.get(n - 1).copied(),
                    "{text:?} line {n}"
                );
            }
            // The reference: walk the lines up to the one wanted.
            let reference = |line: usize, column: usize| {
                let mut offset = 0;
                for (index, l) in text.split_inclusive('\n').enumerate() {
                    if index + 1 == line {
                        return offset
                            + l.char_indices()
                                .nth(column.saturating_sub(1))
                                .map_or(l.len(), |(i, _)| i);
                    }
                    offset += l.len();
                }
                offset
            };
            for line in 1..=lines.len() + 2 {
                for column in 0..8 {
                    assert_eq!(
                        source.offset_of(line, column),
                        reference(line, column),
                        "{text:?} {line}:{column}"
                    );
                }
            }
        }
    }
}
