//! `--format sarif`: SARIF 2.1.0 as GitHub code scanning reads it — every rule's metadata in
//! `tool.driver.rules` (with a `helpUri` to its section of docs/rules.md), each result with
//! `ruleId`, `ruleIndex`, level and a region, findings silenced by `# handoff: allow` as results
//! with `suppressions` (kind `inSource`, the comment's reason as justification). Artifact URIs
//! are percent-encoded and relative to a root folder (the working folder, or `--sarif-root`),
//! with `uriBaseId` `%SRCROOT%`; a file outside the root gets an absolute `file://` URI.
//! The output validates against the official schema (tests/schemas/sarif-schema-2.1.0.json).

use std::io::{self, Write};
use std::path::{Path, PathBuf};

use serde_sarif::sarif::{
    ArtifactLocation, Location, Message, MultiformatMessageString, PhysicalLocation, Region,
    ReportingConfiguration, ReportingDescriptor, Result as SarifResult, ResultLevel, Run,
    Sarif as SarifLog, Suppression, Tool, ToolComponent,
};

use super::json::end_of;
use super::{LintPrinter, LintRun};
use crate::diag::registry::{Code, RULES};
use crate::diag::{Diagnostic, FileReport, Severity};

/// The SARIF printer; URIs are relative to `root` (an absolute folder).
pub struct Sarif {
    pub root: PathBuf,
}

const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";

/// The project's home page (Cargo.toml `repository`): the tool's `informationUri`.
pub const INFORMATION_URI: &str = env!("CARGO_PKG_REPOSITORY");

/// The base that artifact URIs are relative to.
const SRCROOT: &str = "%SRCROOT%";

/// Where a rule is documented: its section of docs/rules.md.
pub fn help_uri(code: Code) -> String {
    format!(
        "{INFORMATION_URI}/blob/main/docs/rules.md#{}",
        code.to_string().to_lowercase()
    )
}

fn level(severity: Severity) -> ResultLevel {
    match severity {
        Severity::Error => ResultLevel::Error,
        Severity::Warning => ResultLevel::Warning,
        Severity::Info => ResultLevel::Note,
    }
}

fn level_name(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

/// Percent-encode the bytes of a path for a URI: everything but unreserved characters
/// (RFC 3986: letters, digits, `-._~`) and the `/` between segments.
fn percent_encode(bytes: &[u8], out: &mut String) {
    for &b in bytes {
        if b.is_ascii_alphanumeric() || b"-._~/".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
}

/// Path segments joined with `/`, each percent-encoded (a `/` inside a segment, possible on
/// Windows only as a separator, never survives as data).
fn encode_segments<'a>(segments: impl Iterator<Item = &'a std::ffi::OsStr>) -> String {
    let mut uri = String::new();
    for (i, segment) in segments.enumerate() {
        if i > 0 {
            uri.push('/');
        }
        let bytes = segment.as_encoded_bytes();
        let mut encoded = String::new();
        percent_encode(bytes, &mut encoded);
        uri.push_str(&encoded.replace('/', "%2F"));
    }
    uri
}

/// The URI of a file as SARIF gives it: relative to `root` (with `uriBaseId`) when the file is
/// inside it, else an absolute `file://` URI. `path` is made absolute against `cwd` lexically.
pub fn artifact_uri(path: &Path, root: &Path, cwd: &Path) -> (String, Option<&'static str>) {
    use std::path::Component;
    let absolute = crate::lint::walk::absolute(cwd, path);
    if let Ok(relative) = absolute.strip_prefix(root) {
        let segments = relative.components().map(Component::as_os_str);
        return (encode_segments(segments), Some(SRCROOT));
    }
    let segments = absolute
        .components()
        .filter(|c| !matches!(c, Component::RootDir))
        .map(Component::as_os_str);
    (format!("file:///{}", encode_segments(segments)), None)
}

fn rules() -> Vec<ReportingDescriptor> {
    RULES
        .iter()
        .map(|rule| {
            let help = format!(
                "{}\n\nExample:\n{}\nInstead:\n{}",
                rule.why, rule.example, rule.fix
            );
            ReportingDescriptor::builder()
                .id(rule.code.to_string())
                .name(rule.name.to_string())
                .short_description(
                    MultiformatMessageString::builder()
                        .text(rule.summary.to_string())
                        .build(),
                )
                .full_description(
                    MultiformatMessageString::builder()
                        .text(rule.why.to_string())
                        .build(),
                )
                .help(MultiformatMessageString::builder().text(help).build())
                .help_uri(help_uri(rule.code))
                .default_configuration(
                    ReportingConfiguration::builder()
                        .level(serde_json::Value::from(level_name(rule.severity)))
                        .build(),
                )
                .build()
        })
        .collect()
}

impl Sarif {
    fn result(
        &self,
        report: &FileReport,
        d: &Diagnostic,
        cwd: &Path,
        suppression: Option<&str>,
    ) -> SarifResult {
        let (line, column) = if d.span.is_known() {
            (d.span.line, d.span.column)
        } else {
            (1, 1)
        };
        let (end_line, end_column) = if d.span.is_known() {
            end_of(report, d.span)
        } else {
            (1, 1)
        };
        let region = Region::builder()
            .start_line(line as i64)
            .start_column(column as i64)
            .end_line(end_line as i64)
            .end_column(end_column as i64 + 1)
            .build();
        let (uri, base) = artifact_uri(&report.source.path, &self.root, cwd);
        let artifact = match base {
            Some(base) => ArtifactLocation::builder()
                .uri(uri)
                .uri_base_id(base.to_string())
                .build(),
            None => ArtifactLocation::builder().uri(uri).build(),
        };
        let location = Location::builder()
            .physical_location(
                PhysicalLocation::builder()
                    .artifact_location(artifact)
                    .region(region)
                    .build(),
            )
            .build();
        let mut text = d.message.clone();
        if let Some(help) = &d.help {
            text.push_str("\nhelp: ");
            text.push_str(help);
        }
        let rule_index = RULES.iter().position(|r| r.code == d.code).unwrap_or(0);
        let result = SarifResult::builder()
            .rule_id(d.code.to_string())
            .rule_index(rule_index as i64)
            .level(level(d.severity))
            .message(Message::builder().text(text).build())
            .locations(vec![location]);
        match suppression {
            None => result.build(),
            Some(reason) => {
                let suppression = if reason.is_empty() {
                    Suppression::builder()
                        .kind(serde_json::Value::from("inSource"))
                        .build()
                } else {
                    Suppression::builder()
                        .kind(serde_json::Value::from("inSource"))
                        .justification(reason.to_string())
                        .build()
                };
                result.suppressions(vec![suppression]).build()
            }
        }
    }
}

impl LintPrinter for Sarif {
    fn print(&self, run: &LintRun<'_>, out: &mut dyn Write) -> io::Result<()> {
        let cwd = std::env::current_dir().unwrap_or_default();
        let mut results = Vec::new();
        for report in run.reports {
            // Reported and suppressed findings in the order of their place in the file.
            let mut entries: Vec<(&Diagnostic, Option<&str>)> =
                report.diagnostics.iter().map(|d| (d, None)).collect();
            entries.extend(
                report
                    .suppressed
                    .iter()
                    .map(|s| (&s.diagnostic, Some(s.reason.as_str()))),
            );
            entries.sort_by_key(|(d, _)| (d.span.line, d.span.column, d.code));
            for (d, suppression) in entries {
                results.push(self.result(report, d, &cwd, suppression));
            }
        }
        let driver = ToolComponent::builder()
            .name("handoff".to_string())
            .version(env!("CARGO_PKG_VERSION").to_string())
            .semantic_version(env!("CARGO_PKG_VERSION").to_string())
            .information_uri(INFORMATION_URI.to_string())
            .rules(rules())
            .build();
        let run = Run::builder()
            .tool(Tool::builder().driver(driver).build())
            .results(results)
            .build();
        let sarif = SarifLog::builder()
            .schema(SCHEMA.to_string())
            .version(serde_json::Value::from("2.1.0"))
            .runs(vec![run])
            .build();
        // Serialise first: a closed pipe must surface as an io::Error of kind BrokenPipe.
        let text = serde_json::to_string_pretty(&sarif).map_err(io::Error::other)?;
        writeln!(out, "{text}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uris_are_percent_encoded_and_relative_to_the_root() {
        let root = Path::new("/work/repo");
        let cwd = Path::new("/work/repo/sub");
        assert_eq!(
            artifact_uri(Path::new("policies/a b.yaml"), root, cwd),
            ("sub/policies/a%20b.yaml".to_string(), Some(SRCROOT))
        );
        assert_eq!(
            artifact_uri(Path::new("../x/Kündigung#1?.yaml"), root, cwd),
            ("x/K%C3%BCndigung%231%3F.yaml".to_string(), Some(SRCROOT))
        );
        assert_eq!(
            artifact_uri(Path::new("/tmp/50%.yaml"), root, cwd),
            ("file:///tmp/50%25.yaml".to_string(), None)
        );
        assert_eq!(
            artifact_uri(Path::new("./-"), root, root),
            ("-".to_string(), Some(SRCROOT))
        );
    }

    #[test]
    fn help_uris_point_at_the_rule_anchor() {
        assert!(help_uri(Code::H040).ends_with("/docs/rules.md#h040"));
        assert!(help_uri(Code::H040).starts_with("https://"));
    }
}
