//! rustc-style diagnostics: `error[H010]: message`, `--> file:line:col`, the source line with a
//! caret, and `help:`. Rendered by `annotate-snippets` (the renderer rustc uses); plain text
//! unless colour was asked for.

use std::io::{self, Write};

use annotate_snippets::{AnnotationKind, Group, Level, Origin, Renderer, Snippet};

use super::{LintPrinter, LintRun};
use crate::diag::{Diagnostic, Severity, SourceFile};

pub struct Human {
    pub color: bool,
}

impl LintPrinter for Human {
    fn print(&self, run: &LintRun<'_>, out: &mut dyn Write) -> io::Result<()> {
        let (reports, summary) = (run.reports, run.summary);
        let renderer = if self.color {
            Renderer::styled()
        } else {
            Renderer::plain()
        };
        for report in reports {
            for diagnostic in &report.diagnostics {
                writeln!(out, "{}\n", render(&renderer, &report.source, diagnostic))?;
            }
        }
        writeln!(out, "{summary}")
    }
}

fn level(severity: Severity) -> Level<'static> {
    match severity {
        Severity::Error => Level::ERROR,
        Severity::Warning => Level::WARNING,
        Severity::Info => Level::INFO,
    }
}

/// Render one diagnostic.
pub fn render(renderer: &Renderer, source: &SourceFile, d: &Diagnostic) -> String {
    let path = source.display_path();
    let title = level(d.severity)
        .primary_title(d.message.as_str())
        .id(d.code.to_string());
    let mut group: Group = if d.span.is_known() && !source.text.is_empty() {
        // Only the lines the finding points at go to the renderer: handing it the whole file
        // for each finding made thousands of findings in a large file quadratic.
        let primary = source.byte_range(d.span);
        let related: Vec<(std::ops::Range<usize>, &str)> = d
            .related
            .iter()
            .filter(|(s, _)| s.is_known())
            .map(|(s, label)| (source.byte_range(*s), label.as_str()))
            .collect();
        let low = related
            .iter()
            .map(|(r, _)| r.start)
            .fold(primary.start, usize::min);
        let high = related
            .iter()
            .map(|(r, _)| r.end)
            .fold(primary.end, usize::max);
        let (window, first_line) = source.line_window(low..high);
        let local = |r: &std::ops::Range<usize>| {
            let start = r.start.clamp(window.start, window.end) - window.start;
            let end = r.end.clamp(window.start, window.end) - window.start;
            start..end.max(start)
        };
        let mut snippet = Snippet::source(&source.text[window.clone()])
            .line_start(first_line)
            .path(path.as_str())
            .fold(true)
            .annotation(
                AnnotationKind::Primary
                    .span(local(&primary))
                    .label(d.label.as_deref()),
            );
        for (range, label) in &related {
            snippet = snippet.annotation(AnnotationKind::Context.span(local(range)).label(*label));
        }
        title.element(snippet)
    } else {
        let origin = if d.span.is_known() {
            Origin::path(path.as_str())
                .line(d.span.line)
                .char_column(d.span.column)
        } else {
            Origin::path(path.as_str())
        };
        title.element(origin)
    };
    if let Some(help) = &d.help {
        group = group.element(Level::HELP.message(help.as_str()));
    }
    renderer.render(&[group])
}
