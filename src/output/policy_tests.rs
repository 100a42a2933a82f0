//! Results of `handoff test`, and their two views: the human list (`ok` / `FAILED` with the
//! mismatches and the decision trace) and a JUnit test suite per test file.

use std::io::{self, Write};
use std::time::Duration;

use super::junit;

/// What one test file's cases did.
#[derive(Debug, Clone)]
pub struct SuiteResult {
    /// The test file, as given.
    pub path: String,
    /// How the header names the policy under test.
    pub policy_label: String,
    /// Informational lines (fields the policy does not read).
    pub notes: Vec<String>,
    pub cases: Vec<CaseResult>,
}

/// What one case did.
#[derive(Debug, Clone)]
pub struct CaseResult {
    pub name: String,
    /// Its line in the test file.
    pub line: usize,
    /// One line per expectation not met (empty: the case passed).
    pub mismatches: Vec<String>,
    /// The decision trace, for a failed case.
    pub trace: String,
    pub time: Duration,
}

impl CaseResult {
    pub fn passed(&self) -> bool {
        self.mismatches.is_empty()
    }
}

impl SuiteResult {
    /// The human view: a header, `ok` / `FAILED` per case, each failure's mismatches and trace.
    pub fn print(&self, out: &mut dyn Write) -> io::Result<()> {
        writeln!(out, "{} (policy: {})", self.path, self.policy_label)?;
        for note in &self.notes {
            writeln!(out, "  {note}")?;
        }
        for case in &self.cases {
            if case.passed() {
                writeln!(out, "  ok      {}", case.name)?;
                continue;
            }
            writeln!(out, "  FAILED  {} (line {})", case.name, case.line)?;
            for line in &case.mismatches {
                writeln!(out, "          {line}")?;
            }
            for line in case.trace.lines() {
                writeln!(out, "          | {line}")?;
            }
        }
        Ok(())
    }

    /// The JUnit view: a test case per case, named by the case; the class name is the file's
    /// path with dots (`policies.tests.support`), as Jenkins groups classes. A failure's message
    /// is the mismatches and the place, its text the place, the mismatches and the trace.
    pub fn junit(&self) -> junit::Suite {
        let path = self.path.replace('\\', "/");
        let classname = path
            .strip_suffix(".yaml")
            .or_else(|| path.strip_suffix(".yml"))
            .unwrap_or(&path)
            .trim_start_matches("./")
            .replace(['/', '.'], ".")
            .trim_start_matches('.')
            .to_string();
        let cases = self
            .cases
            .iter()
            .map(|case| {
                let outcome = if case.passed() {
                    junit::Outcome::Passed
                } else {
                    let mut text = format!("{path}:{}: case '{}'\n", case.line, case.name);
                    for line in &case.mismatches {
                        text.push_str(&format!("{line}\n"));
                    }
                    for line in case.trace.lines() {
                        text.push_str(&format!("| {line}\n"));
                    }
                    junit::Outcome::Failure {
                        message: format!("{} ({path}:{})", case.mismatches.join("; "), case.line),
                        kind: "mismatch".to_string(),
                        text,
                    }
                };
                junit::Case {
                    name: case.name.clone(),
                    classname: classname.clone(),
                    time: case.time,
                    outcome,
                }
            })
            .collect();
        junit::Suite {
            name: path.clone(),
            properties: vec![("policy".to_string(), self.policy_label.clone())],
            cases,
            system_out: self.notes.iter().map(|n| format!("{n}\n")).collect(),
        }
    }
}
