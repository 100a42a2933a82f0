//! `--format sarif`: SARIF 2.1.0 as GitHub code scanning reads it — every rule's metadata in
//! `tool.driver.rules`, each result with `ruleId`, `ruleIndex`, level and a region.

use std::io::{self, Write};

use serde_sarif::sarif::{
    ArtifactLocation, Location, Message, MultiformatMessageString, PhysicalLocation, Region,
    ReportingConfiguration, ReportingDescriptor, Result as SarifResult, ResultLevel, Run,
    Sarif as SarifLog, Tool, ToolComponent,
};

use super::LintPrinter;
use super::json::end_of;
use crate::diag::registry::RULES;
use crate::diag::{FileReport, Severity, Summary};

pub struct Sarif;

const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";

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
                .default_configuration(
                    ReportingConfiguration::builder()
                        .level(serde_json::Value::from(level_name(rule.severity)))
                        .build(),
                )
                .build()
        })
        .collect()
}

impl LintPrinter for Sarif {
    fn print(
        &self,
        reports: &[FileReport],
        _summary: &Summary,
        out: &mut dyn Write,
    ) -> io::Result<()> {
        let mut results = Vec::new();
        for report in reports {
            for d in &report.diagnostics {
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
                let location = Location::builder()
                    .physical_location(
                        PhysicalLocation::builder()
                            .artifact_location(
                                ArtifactLocation::builder()
                                    .uri(
                                        report
                                            .source
                                            .display_path()
                                            .trim_start_matches("./")
                                            .to_string(),
                                    )
                                    .build(),
                            )
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
                results.push(
                    SarifResult::builder()
                        .rule_id(d.code.to_string())
                        .rule_index(rule_index as i64)
                        .level(level(d.severity))
                        .message(Message::builder().text(text).build())
                        .locations(vec![location])
                        .build(),
                );
            }
        }
        let driver = ToolComponent::builder()
            .name("handoff".to_string())
            .version(env!("CARGO_PKG_VERSION").to_string())
            .semantic_version(env!("CARGO_PKG_VERSION").to_string())
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
