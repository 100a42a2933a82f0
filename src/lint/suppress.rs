//! In-file suppressions: `# handoff: allow H043 -- reason`.
//!
//! A trailing comment silences findings on its own line. A comment on a line of its own
//! silences findings on the next line with content; placed before any content, it also silences
//! findings about the whole file (those without a line, such as H033). Several codes may be
//! listed (`allow H042, H043 -- reason`). A reason after `--` is required (H091); a suppression
//! that silences nothing is reported (H090).

use crate::diag::registry::Code;
use crate::diag::{Diagnostic, SourceFile, Span};

#[derive(Debug)]
struct Suppression {
    /// The comment itself, for H090/H091.
    span: Span,
    /// Line whose findings it silences.
    target_line: usize,
    /// Also silences whole-file findings.
    file_level: bool,
    codes: Vec<(String, Span, bool)>,
    reason: String,
}

const MARKER: &str = "handoff:";

/// Unused codes of one comment reported one by one; the rest are summed up in one finding.
const MAX_UNUSED_SHOWN: usize = 10;

fn parse(source: &SourceFile) -> (Vec<Suppression>, Vec<Diagnostic>) {
    let lines: Vec<&str> = source.text.lines().collect();
    let is_content = |l: &str| {
        let t = l.trim();
        !t.is_empty() && !t.starts_with('#')
    };
    // For each line, the next line with content at or after it (one backward pass, so that
    // thousands of comment lines in a row stay linear).
    let mut next_content = vec![None; lines.len() + 1];
    for index in (0..lines.len()).rev() {
        next_content[index] = if is_content(lines[index]) {
            Some(index)
        } else {
            next_content[index + 1]
        };
    }
    let mut suppressions = Vec::new();
    let mut problems = Vec::new();
    let mut seen_content = false;
    for (index, line) in lines.iter().enumerate() {
        let number = index + 1;
        let comment_start = comment_start(line);
        let standalone = !is_content(line);
        if let Some(start) = comment_start {
            let comment = line[start + 1..].trim_start();
            if let Some(rest) = comment.strip_prefix(MARKER) {
                let column = line[..start].chars().count() + 1;
                let span = Span {
                    line: number,
                    column,
                    offset: None,
                    len: line.len() - start,
                };
                let rest = rest.trim();
                let Some(spec) = rest.strip_prefix("allow") else {
                    problems.push(
                        Diagnostic::new(Code::H091, span, "suppression comment cannot be read")
                            .help("write `# handoff: allow H043 -- reason`"),
                    );
                    continue;
                };
                let (codes_text, reason) = match spec.split_once("--") {
                    Some((codes, reason)) => (codes, reason.trim()),
                    None => (spec, ""),
                };
                let codes_offset = start + line[start..].find(codes_text.trim()).unwrap_or(0);
                let mut codes = Vec::new();
                let mut search_from = codes_offset;
                // Columns are counted from the previous code on, so a comment listing
                // thousands of codes stays linear.
                let (mut counted_to, mut column_before) = (0, 0);
                for code in codes_text
                    .split([',', ' '])
                    .map(str::trim)
                    .filter(|c| !c.is_empty())
                {
                    let at = line[search_from..]
                        .find(code)
                        .map_or(search_from, |i| search_from + i);
                    search_from = at + code.len();
                    column_before += line[counted_to..at].chars().count();
                    counted_to = at;
                    let code_span = Span {
                        line: number,
                        column: column_before + 1,
                        offset: None,
                        len: code.len(),
                    };
                    codes.push((code.to_string(), code_span, false));
                }
                let target_line = if standalone {
                    next_content[index + 1].map_or(0, |i| i + 1)
                } else {
                    number
                };
                suppressions.push(Suppression {
                    span,
                    target_line,
                    file_level: standalone && !seen_content,
                    codes,
                    reason: reason.to_string(),
                });
            }
        }
        seen_content |= !standalone;
    }
    (suppressions, problems)
}

/// The reason of the suppression that silences `d`, marking its code as used; `None` when no
/// suppression applies (H001 and H002 are never silenced).
fn silencing(suppressions: &mut [Suppression], d: &Diagnostic) -> Option<String> {
    if d.code.is_fatal() {
        return None;
    }
    let code = d.code.to_string();
    for s in suppressions.iter_mut() {
        let applies = if d.span.is_known() {
            s.target_line == d.span.line
        } else {
            s.file_level
        };
        if !applies {
            continue;
        }
        if let Some(entry) = s
            .codes
            .iter_mut()
            .find(|(c, _, _)| c.eq_ignore_ascii_case(&code))
        {
            entry.2 = true;
            return Some(s.reason.clone());
        }
    }
    None
}

/// Byte index of the `#` that starts a YAML comment, ignoring `#` inside quoted scalars.
fn comment_start(line: &str) -> Option<usize> {
    let (mut single, mut double) = (false, false);
    let mut previous = ' ';
    for (i, c) in line.char_indices() {
        match c {
            '\'' if !double => single = !single,
            '"' if !single && previous != '\\' => double = !double,
            '#' if !single && !double && previous.is_whitespace() => return Some(i),
            _ => {}
        }
        previous = c;
    }
    None
}

/// Drop suppressed findings; return them with the reason of the comment that silenced each,
/// plus H090/H091 findings.
pub fn apply(
    source: &SourceFile,
    diagnostics: &mut Vec<Diagnostic>,
) -> (Vec<(Diagnostic, String)>, Vec<Diagnostic>) {
    let (mut suppressions, mut extra) = parse(source);
    let mut silenced = Vec::new();
    for d in std::mem::take(diagnostics) {
        match silencing(&mut suppressions, &d) {
            Some(reason) => silenced.push((d, reason)),
            None => diagnostics.push(d),
        }
    }
    for s in &suppressions {
        if s.codes.is_empty() {
            extra.push(
                Diagnostic::new(Code::H091, s.span, "suppression comment names no rule")
                    .help("write `# handoff: allow H043 -- reason`"),
            );
            continue;
        }
        if s.reason.is_empty() {
            extra.push(
                Diagnostic::new(Code::H091, s.span, "suppression comment without a reason")
                    .label("no reason after `--`")
                    .help(format!(
                        "explain why: `# handoff: allow {} -- <reason>`",
                        s.codes[0].0
                    )),
            );
        }
        let unused: Vec<&(String, Span, bool)> = s.codes.iter().filter(|c| !c.2).collect();
        if unused.len() > MAX_UNUSED_SHOWN {
            let rest = &unused[MAX_UNUSED_SHOWN..];
            extra.push(
                Diagnostic::new(
                    Code::H090,
                    rest[0].1,
                    format!(
                        "{} more codes in this suppression silence nothing",
                        rest.len()
                    ),
                )
                .label("unused from here on")
                .help("list only the rules this line needs silenced"),
            );
        }
        for (code, span, _) in unused.into_iter().take(MAX_UNUSED_SHOWN) {
            let message = match Code::lookup(code) {
                Some(_) if s.target_line == s.span.line => {
                    format!("suppression of {code} silences nothing on this line")
                }
                // A comment on a line of its own speaks for the next line with content.
                Some(_) => format!("suppression of {code} silences nothing on the next line"),
                None => format!("`{code}` is not a rule code"),
            };
            extra.push(
                Diagnostic::new(Code::H090, *span, message)
                    .label("unused")
                    .help("remove it, or move it to the line of the finding"),
            );
        }
    }
    (silenced, extra)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comment_detection_ignores_quoted_hashes() {
        assert_eq!(comment_start("a: b # c"), Some(5));
        assert_eq!(comment_start("a: \"b # c\""), None);
        assert_eq!(comment_start("a: 'it''s' # c"), Some(11));
        assert_eq!(comment_start("# top"), Some(0));
        assert_eq!(comment_start("a: b#c"), None);
    }
}
