//! The one error of the SQL compiler: what it refuses, and why.

use super::Dialect;

/// Why a policy or mapping cannot be compiled to SQL exactly.
#[derive(Debug, thiserror::Error)]
pub enum SqlError {
    #[error("rule '{rule}' cannot be compiled to {dialect} exactly: {reason}")]
    Rule {
        rule: String,
        dialect: Dialect,
        reason: String,
    },
    #[error("{0}")]
    Refused(String),
}
