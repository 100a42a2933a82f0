//! A ticket given field by field (`explain --ticket`, the tickets of policy test files) instead
//! of read from an export. Unlike a CSV record, whose bad values in fields only metrics use
//! count as empty, every value given here was typed on purpose: each one is checked, whatever
//! the policy reads, and a problem names its field.

use super::source::Needs;
use super::{Mapping, Ticket, TicketSource};
use crate::fields::Field;
use crate::policy::load::did_you_mean;

/// Why given fields do not make a ticket.
#[derive(Debug, Clone, PartialEq)]
pub enum GivenError {
    /// A name that is neither a canonical field nor one the policy reads.
    Unknown { name: String, hint: String },
    /// The same field twice.
    Repeated {
        name: String,
        first: String,
        second: String,
    },
    /// A value the field cannot hold.
    BadValue { name: String, reason: String },
}

impl std::fmt::Display for GivenError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            GivenError::Unknown { name, hint } => {
                write!(f, "unknown ticket field `{name}`; {hint}")
            }
            GivenError::Repeated {
                name,
                first,
                second,
            } => write!(
                f,
                "`{name}` is given twice ({first}, then {second}); give each field once"
            ),
            GivenError::BadValue { name, reason } => {
                write!(f, "ticket field `{name}`: {reason}")
            }
        }
    }
}

/// The names a given ticket may use: canonical fields and the extra fields the policy reads.
pub fn known_fields(needs: &Needs) -> Vec<&str> {
    let mut known: Vec<&str> = Field::ALL.iter().map(|f| f.name()).collect();
    known.extend(needs.extras.iter().map(String::as_str));
    known
}

/// A close known name for a misspelt one.
pub fn nearest<'a>(name: &str, known: &[&'a str]) -> Option<&'a str> {
    did_you_mean(name, known)
}

/// Read a ticket from field/value pairs through the parsing a CSV record gets, refusing
/// unknown and repeated names and every bad value.
pub fn read_given(pairs: &[(String, String)], needs: &Needs) -> Result<Ticket, GivenError> {
    let known = known_fields(needs);
    for (i, (name, value)) in pairs.iter().enumerate() {
        if let Some((_, first)) = pairs[..i].iter().find(|(n, _)| n == name) {
            return Err(GivenError::Repeated {
                name: name.clone(),
                first: first.clone(),
                second: value.clone(),
            });
        }
        if !known.contains(&name.as_str()) {
            let hint = match nearest(name, &known) {
                Some(best) => format!("did you mean `{best}`?"),
                None => format!("fields: {}", known.join(", ")),
            };
            return Err(GivenError::Unknown {
                name: name.clone(),
                hint,
            });
        }
    }
    // Every field counts as read by a rule, so a bad value rejects the ticket with its reason
    // instead of being counted as empty.
    let mut strict = needs.clone();
    strict
        .rule_fields
        .extend(known.iter().map(|n| n.to_string()));
    let mut header: Vec<&str> = pairs.iter().map(|(k, _)| k.as_str()).collect();
    let mut values: Vec<&str> = pairs.iter().map(|(_, v)| v.as_str()).collect();
    let id = Field::Id.name();
    if !header.contains(&id) {
        header.insert(0, id);
        values.insert(0, "cli");
    }
    let bad = |name: &str, reason: String| GivenError::BadValue {
        name: name.to_string(),
        reason,
    };
    let mut csv_text = csv::Writer::from_writer(Vec::new());
    csv_text
        .write_record(&header)
        .and_then(|()| csv_text.write_record(&values))
        .map_err(|e| bad("", e.to_string()))?;
    let bytes = csv_text.into_inner().map_err(|e| bad("", e.to_string()))?;
    let mut source = TicketSource::new(
        Box::new(std::io::Cursor::new(bytes)),
        &Mapping::default(),
        strict,
    )
    .map_err(|e| bad("", e))?;
    let mut ticket = Ticket::default();
    match source.next(&mut ticket) {
        Ok(Some(Ok(()))) => {}
        Ok(Some(Err(row))) => {
            // Reasons read `<field>: <what>`.
            return Err(match row.reason.split_once(": ") {
                Some((field, what)) if known.contains(&field) => bad(field, what.to_string()),
                _ => bad("", row.reason),
            });
        }
        Ok(None) => return Err(bad("", "no ticket".into())),
        Err(e) => return Err(bad("", e.to_string())),
    }
    // The few checks the parser makes without rejecting (they only feed metrics).
    if let Some(field) = source.bad_values().keys().next() {
        let value = pairs
            .iter()
            .find(|(n, _)| n == field)
            .map_or("", |(_, v)| v.as_str());
        let reason = match Field::named(field) {
            Some(Field::ResolvedTier) => format!(
                "`{value}` is not ai or a tier of the policy ({})",
                needs.tiers.join(", ")
            ),
            Some(Field::Reassignments) => {
                format!("`{value}` is not a whole number of 0 or more")
            }
            _ => format!("`{value}` cannot be read"),
        };
        return Err(bad(field, reason));
    }
    // Not from a file: no line to point at.
    ticket.line = 0;
    Ok(ticket)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn needs() -> Needs {
        Needs {
            extras: vec!["plan".into()],
            priorities: vec!["urgent".into(), "normal".into()],
            tiers: vec!["L1".into(), "L2".into()],
            ..Needs::default()
        }
    }

    fn given(pairs: &[(&str, &str)]) -> Result<Ticket, GivenError> {
        let pairs: Vec<(String, String)> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        read_given(&pairs, &needs())
    }

    #[test]
    fn every_value_is_checked() {
        for (pairs, field) in [
            (&[("confidence", "abc")][..], "confidence"),
            (&[("created_at", "yesterday")], "created_at"),
            (&[("csat", "great")], "csat"),
            (&[("reopened", "perhaps")], "reopened"),
            (&[("priority", "critical")], "priority"),
            (&[("resolved_tier", "L9")], "resolved_tier"),
            (&[("reassignments", "-1")], "reassignments"),
            (&[("id", "")], "id"),
        ] {
            match given(pairs) {
                Err(GivenError::BadValue { name, .. }) => assert_eq!(name, field, "{pairs:?}"),
                other => panic!("{pairs:?}: {other:?}"),
            }
        }
    }

    #[test]
    fn names_must_be_known_and_given_once() {
        assert!(matches!(
            given(&[("confidense", "0.5")]),
            Err(GivenError::Unknown { hint, .. }) if hint == "did you mean `confidence`?"
        ));
        assert!(matches!(
            given(&[("plan", "gold"), ("plan", "free")]),
            Err(GivenError::Repeated { name, .. }) if name == "plan"
        ));
        let ticket = given(&[
            ("plan", "gold"),
            ("resolved_tier", "l2"),
            ("text", "Hello, \"World\"\nbye"),
        ])
        .unwrap();
        assert_eq!(ticket.id, "cli");
        assert_eq!(ticket.extras, vec!["gold".to_string()]);
        assert_eq!(ticket.resolved_tier.as_deref(), Some("L2"));
        assert_eq!(ticket.texts, vec!["hello, \"world\"\nbye".to_string()]);
    }
}
