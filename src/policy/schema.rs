//! The JSON Schema of the policy format, for editors (`yaml-language-server`) and CI.

use super::model::Policy;

/// The schema as pretty-printed JSON with a trailing newline.
pub fn policy_schema_json() -> String {
    let mut schema = schemars::schema_for!(Policy);
    schema.insert("title".into(), "handoff escalation policy".into());
    let mut text = serde_json::to_string_pretty(&schema).unwrap_or_default();
    text.push('\n');
    text
}
