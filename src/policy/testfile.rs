//! Policy test files (`handoff test`): example tickets with the decision each must get, like
//! `promtool test rules`.
//!
//! ```yaml
//! policy: ../support.yaml          # relative to this file
//! cases:
//!   - name: a lawsuit goes to legal at once
//!     ticket: { text: "My lawyer will call you", confidence: 0.95 }
//!     expect: { tier: L3, rule: legal-risk, priority: urgent }
//! ```

use std::fmt;

use serde::de::{Deserializer, Visitor};
use serde::ser::SerializeMap;
use serde::{Deserialize, Serialize};

use super::spanned::{NamedMap, Spanned};

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct TestFile {
    /// The policy under test, relative to the test file (`handoff test --policy` overrides it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub policy: Option<String>,
    pub cases: Spanned<Vec<Spanned<TestCase>>>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct TestCase {
    pub name: String,
    /// Ticket fields by canonical name (or an extra field the policy reads), in file order.
    pub ticket: TicketFields,
    pub expect: Spanned<Expect>,
}

/// The reason kinds a case can expect.
pub const REASONS: [&str; 3] = ["reactive", "proactive", "default"];

/// What the decision must be; fields left out are not checked.
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Expect {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tier: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rule: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub priority: Option<String>,
    /// `reactive`, `proactive` or `default`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// A YAML scalar kept as the text a CSV cell would hold (`0.95`, `true`, `hello`).
#[derive(Debug, Clone, PartialEq)]
pub struct Scalar(pub String);

impl<'de> Deserialize<'de> for Scalar {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct ScalarVisitor;
        impl Visitor<'_> for ScalarVisitor {
            type Value = Scalar;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a text, number or boolean")
            }
            fn visit_str<E>(self, v: &str) -> Result<Scalar, E> {
                Ok(Scalar(v.to_string()))
            }
            fn visit_bool<E>(self, v: bool) -> Result<Scalar, E> {
                Ok(Scalar(v.to_string()))
            }
            fn visit_i64<E>(self, v: i64) -> Result<Scalar, E> {
                Ok(Scalar(v.to_string()))
            }
            fn visit_u64<E>(self, v: u64) -> Result<Scalar, E> {
                Ok(Scalar(v.to_string()))
            }
            fn visit_f64<E>(self, v: f64) -> Result<Scalar, E> {
                Ok(Scalar(v.to_string()))
            }
        }
        deserializer.deserialize_any(ScalarVisitor)
    }
}

impl Serialize for Scalar {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

/// The fields of a case's ticket, with the place of every name and value. (A type of its own:
/// giving the policy's `NamedMap` a `Serialize` would change the policy's JSON Schema.)
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(transparent)]
pub struct TicketFields(pub NamedMap<Spanned<Scalar>>);

impl Serialize for TicketFields {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for (key, value) in self.0.iter() {
            map.serialize_entry(&key.value, value)?;
        }
        map.end()
    }
}

impl Expect {
    /// Whether the case checks nothing.
    pub fn is_empty(&self) -> bool {
        self.tier.is_none()
            && self.rule.is_none()
            && self.priority.is_none()
            && self.reason.is_none()
    }
}

impl<T: Serialize> Serialize for Spanned<T> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.value.serialize(serializer)
    }
}
