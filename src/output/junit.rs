//! JUnit XML, as GitLab, Jenkins, Azure DevOps and most CI test reports read it: `lint
//! --format junit` (a test case per policy file, and a skipped one per non-policy YAML file) and
//! `test --format junit` (a test suite per test file, a test case per case). The shape follows
//! the Apache Ant schema (windyroad/JUnit-Schema, committed as tests/schemas/junit.xsd):
//! `<testsuites>` holding `<testsuite>`s with `properties`, `testcase`s, `system-out` and
//! `system-err`; a case holds at most one `<failure>`, `<error>` or `<skipped>`.

use std::io::{self, Write};
use std::time::Duration;

use super::{LintPrinter, LintRun};
use crate::diag::{Diagnostic, FileReport, Severity};

/// One test case.
#[derive(Debug, Clone)]
pub struct Case {
    pub name: String,
    pub classname: String,
    pub time: Duration,
    pub outcome: Outcome,
}

/// How a test case ended.
#[derive(Debug, Clone)]
pub enum Outcome {
    Passed,
    /// The check failed: a one-line message, a type (a rule code, `mismatch`), the details.
    Failure {
        message: String,
        kind: String,
        text: String,
    },
    /// The input could not be checked at all (a file that cannot become a policy).
    Error {
        message: String,
        kind: String,
        text: String,
    },
    Skipped {
        message: String,
    },
}

/// One test suite.
#[derive(Debug, Clone, Default)]
pub struct Suite {
    pub name: String,
    pub properties: Vec<(String, String)>,
    pub cases: Vec<Case>,
    /// Informational text (findings that do not fail, notes).
    pub system_out: String,
}

/// Text for XML: `&`, `<`, `>` and quotes escaped; characters XML 1.0 cannot hold at all (most
/// control characters) written as `\u{..}`. In attributes, line breaks and tabs are written as
/// character references so that parsers keep them.
fn escape(text: &str, attribute: bool) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' if attribute => out.push_str("&quot;"),
            '\n' if attribute => out.push_str("&#10;"),
            '\r' => out.push_str("&#13;"),
            '\t' if attribute => out.push_str("&#9;"),
            '\n' | '\t' => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => {
                out.push_str(&format!("\\u{{{:x}}}", c as u32));
            }
            c => out.push(c),
        }
    }
    out
}

fn seconds(time: Duration) -> String {
    format!("{:.3}", time.as_secs_f64())
}

/// The machine's name, as the schema asks (`localhost` when it cannot be read).
fn hostname() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .ok()
        .map(|name| name.trim().to_string())
        .filter(|name| !name.is_empty() && !name.contains(char::is_whitespace))
        .unwrap_or_else(|| "localhost".to_string())
}

/// Write a whole document.
pub fn write_suites(suites: &[Suite], out: &mut dyn Write) -> io::Result<()> {
    let timestamp = jiff::Timestamp::now()
        .strftime("%Y-%m-%dT%H:%M:%S")
        .to_string();
    let hostname = hostname();
    let mut xml = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites>\n");
    for (id, suite) in suites.iter().enumerate() {
        let count = |f: fn(&Outcome) -> bool| suite.cases.iter().filter(|c| f(&c.outcome)).count();
        let failures = count(|o| matches!(o, Outcome::Failure { .. }));
        let errors = count(|o| matches!(o, Outcome::Error { .. }));
        let skipped = count(|o| matches!(o, Outcome::Skipped { .. }));
        let time: Duration = suite.cases.iter().map(|c| c.time).sum();
        xml.push_str(&format!(
            "  <testsuite name=\"{}\" package=\"handoff\" id=\"{id}\" tests=\"{}\" failures=\"{failures}\" errors=\"{errors}\" skipped=\"{skipped}\" time=\"{}\" timestamp=\"{timestamp}\" hostname=\"{}\">\n",
            escape(&suite.name, true),
            suite.cases.len(),
            seconds(time),
            escape(&hostname, true),
        ));
        if suite.properties.is_empty() {
            xml.push_str("    <properties/>\n");
        } else {
            xml.push_str("    <properties>\n");
            for (name, value) in &suite.properties {
                xml.push_str(&format!(
                    "      <property name=\"{}\" value=\"{}\"/>\n",
                    escape(name, true),
                    escape(value, true)
                ));
            }
            xml.push_str("    </properties>\n");
        }
        for case in &suite.cases {
            xml.push_str(&format!(
                "    <testcase name=\"{}\" classname=\"{}\" time=\"{}\"",
                escape(&case.name, true),
                escape(&case.classname, true),
                seconds(case.time)
            ));
            match &case.outcome {
                Outcome::Passed => xml.push_str("/>\n"),
                Outcome::Failure {
                    message,
                    kind,
                    text,
                }
                | Outcome::Error {
                    message,
                    kind,
                    text,
                } => {
                    let element = match case.outcome {
                        Outcome::Error { .. } => "error",
                        _ => "failure",
                    };
                    xml.push_str(&format!(
                        ">\n      <{element} message=\"{}\" type=\"{}\">{}</{element}>\n    </testcase>\n",
                        escape(message, true),
                        escape(kind, true),
                        escape(text, false)
                    ));
                }
                Outcome::Skipped { message } => xml.push_str(&format!(
                    ">\n      <skipped message=\"{}\"/>\n    </testcase>\n",
                    escape(message, true)
                )),
            }
        }
        if suite.system_out.is_empty() {
            xml.push_str("    <system-out/>\n");
        } else {
            xml.push_str(&format!(
                "    <system-out>{}</system-out>\n",
                escape(&suite.system_out, false)
            ));
        }
        xml.push_str("    <system-err/>\n  </testsuite>\n");
    }
    xml.push_str("</testsuites>\n");
    out.write_all(xml.as_bytes())
}

/// `lint --format junit`.
pub struct Junit;

/// One finding on one line, with its place: `file:line:col: error[H010] message`, then its help.
fn finding_text(report: &FileReport, d: &Diagnostic) -> String {
    let path = report.source.display_path();
    let place = if d.span.is_known() {
        format!("{path}:{}:{}", d.span.line, d.span.column)
    } else {
        path
    };
    let mut text = format!("{place}: {}[{}] {}", d.severity, d.code, d.message);
    if let Some(help) = &d.help {
        text.push_str(&format!("\n    help: {help}"));
    }
    text
}

fn plural(n: usize, word: &str) -> String {
    format!("{n} {word}{}", if n == 1 { "" } else { "s" })
}

impl LintPrinter for Junit {
    fn print(&self, run: &LintRun<'_>, out: &mut dyn Write) -> io::Result<()> {
        const CLASSNAME: &str = "handoff.lint";
        let mut suite = Suite {
            name: "handoff lint".to_string(),
            properties: vec![("summary".to_string(), run.summary.to_string())],
            ..Suite::default()
        };
        for (index, report) in run.reports.iter().enumerate() {
            let texts: Vec<String> = report
                .diagnostics
                .iter()
                .map(|d| finding_text(report, d))
                .collect();
            let failing: Vec<&Diagnostic> = report
                .diagnostics
                .iter()
                .filter(|d| d.code.is_fatal() || run.fails(d.severity))
                .collect();
            let outcome = match failing.first() {
                None => {
                    for text in &texts {
                        suite.system_out.push_str(text);
                        suite.system_out.push('\n');
                    }
                    Outcome::Passed
                }
                Some(first) => {
                    let count = |s: Severity| failing.iter().filter(|d| d.severity == s).count();
                    let mut counts = vec![plural(count(Severity::Error), "error")];
                    if count(Severity::Warning) > 0 {
                        counts.push(plural(count(Severity::Warning), "warning"));
                    }
                    let first_text = finding_text(report, first);
                    let first_line = first_text.lines().next().unwrap_or_default();
                    let message = format!("{}; first: {first_line}", counts.join(", "));
                    let kind = first.code.to_string();
                    let text = texts.join("\n");
                    if first.code.is_fatal() {
                        Outcome::Error {
                            message,
                            kind,
                            text,
                        }
                    } else {
                        Outcome::Failure {
                            message,
                            kind,
                            text,
                        }
                    }
                }
            };
            suite.cases.push(Case {
                name: report.source.display_path(),
                classname: CLASSNAME.to_string(),
                time: run.durations.get(index).copied().unwrap_or_default(),
                outcome,
            });
        }
        for path in run.skipped {
            suite.cases.push(Case {
                name: path.display().to_string().replace('\\', "/"),
                classname: CLASSNAME.to_string(),
                time: Duration::ZERO,
                outcome: Outcome::Skipped {
                    message: "not a policy (no top-level `rules` or `tiers`)".to_string(),
                },
            });
        }
        write_suites(&[suite], out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping_keeps_xml_well_formed() {
        assert_eq!(
            escape("a<b & \"c\"\n", true),
            "a&lt;b &amp; &quot;c&quot;&#10;"
        );
        assert_eq!(escape("a<b\n\u{1b}[0m", false), "a&lt;b\n\\u{1b}[0m");
        assert_eq!(escape("\u{0}\u{FFFF}", false), "\\u{0}\\u{ffff}");
    }
}
