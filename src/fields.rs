//! The canonical ticket fields (DESIGN §3): the one list that column mappings, the CSV reader
//! and parser, conditions, given tickets, generated data and reports all go through.
//!
//! A field's position in [`Field::ALL`] is its order everywhere a list of fields is shown (the
//! header of generated data, the hint for an unknown field). The four label fields a condition
//! can test by name have their own type, [`Label`], so a ticket's labels are indexed by name,
//! never by number.

use std::ops::{Index, IndexMut};

/// A canonical ticket field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Field {
    Id,
    CreatedAt,
    Text,
    Confidence,
    Sentiment,
    CustomerTier,
    Channel,
    Category,
    Priority,
    RequestedHuman,
    EscalatedAt,
    FirstHumanResponseAt,
    ResolvedAt,
    ResolvedTier,
    Reassignments,
    Reopened,
    Csat,
}

impl Field {
    /// Every canonical field, in the documented order.
    pub const ALL: [Field; 17] = [
        Field::Id,
        Field::CreatedAt,
        Field::Text,
        Field::Confidence,
        Field::Sentiment,
        Field::CustomerTier,
        Field::Channel,
        Field::Category,
        Field::Priority,
        Field::RequestedHuman,
        Field::EscalatedAt,
        Field::FirstHumanResponseAt,
        Field::ResolvedAt,
        Field::ResolvedTier,
        Field::Reassignments,
        Field::Reopened,
        Field::Csat,
    ];

    /// The field's name in mappings, policies, given tickets and reports.
    pub fn name(self) -> &'static str {
        match self {
            Field::Id => "id",
            Field::CreatedAt => "created_at",
            Field::Text => "text",
            Field::Confidence => "confidence",
            Field::Sentiment => "sentiment",
            Field::CustomerTier => "customer_tier",
            Field::Channel => "channel",
            Field::Category => "category",
            Field::Priority => "priority",
            Field::RequestedHuman => "requested_human",
            Field::EscalatedAt => "escalated_at",
            Field::FirstHumanResponseAt => "first_human_response_at",
            Field::ResolvedAt => "resolved_at",
            Field::ResolvedTier => "resolved_tier",
            Field::Reassignments => "reassignments",
            Field::Reopened => "reopened",
            Field::Csat => "csat",
        }
    }

    /// The field of this name (exact spelling).
    pub fn named(name: &str) -> Option<Field> {
        Field::ALL.into_iter().find(|f| f.name() == name)
    }

    /// The canonical field a condition reads under this name: any but `id`, which no condition
    /// tests (a `field` test named `id` reads an extra column).
    pub fn read_by_conditions(name: &str) -> Option<Field> {
        Field::named(name).filter(|f| *f != Field::Id)
    }

    /// The field's position in [`Field::ALL`], for tables indexed by field.
    pub fn index(self) -> usize {
        self as usize
    }

    /// Held in one column of the data (`id` has its own rules, `text` may span several).
    pub fn is_single_column(self) -> bool {
        !matches!(self, Field::Id | Field::Text)
    }

    /// The label field this is, if it is one.
    pub fn label(self) -> Option<Label> {
        Label::ALL.into_iter().find(|l| l.field() == self)
    }

    pub fn is_label(self) -> bool {
        self.label().is_some()
    }

    /// Read as a label (trimmed, lower-cased) that a mapping may alias: the label fields and
    /// `resolved_tier`.
    pub fn is_aliasable(self) -> bool {
        self.is_label() || self == Field::ResolvedTier
    }
}

/// A canonical label field: one a condition tests by name (`customer_tier: { in: [...] }`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Label {
    CustomerTier,
    Channel,
    Category,
    Priority,
}

impl Label {
    /// Every label field, in the order of [`Field::ALL`].
    pub const ALL: [Label; 4] = [
        Label::CustomerTier,
        Label::Channel,
        Label::Category,
        Label::Priority,
    ];

    pub fn field(self) -> Field {
        match self {
            Label::CustomerTier => Field::CustomerTier,
            Label::Channel => Field::Channel,
            Label::Category => Field::Category,
            Label::Priority => Field::Priority,
        }
    }

    pub fn name(self) -> &'static str {
        self.field().name()
    }
}

/// One value per label field, indexed by [`Label`].
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ByLabel<T>([T; 4]);

impl<T> Index<Label> for ByLabel<T> {
    type Output = T;
    fn index(&self, label: Label) -> &T {
        &self.0[label as usize]
    }
}

impl<T> IndexMut<Label> for ByLabel<T> {
    fn index_mut(&mut self, label: Label) -> &mut T {
        &mut self.0[label as usize]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn indices_follow_the_list() {
        for (i, field) in Field::ALL.into_iter().enumerate() {
            assert_eq!(field.index(), i);
            assert_eq!(Field::named(field.name()), Some(field));
        }
        for (i, label) in Label::ALL.into_iter().enumerate() {
            assert_eq!(label as usize, i);
            assert_eq!(label.field().label(), Some(label));
        }
    }

    #[test]
    fn the_documented_list() {
        let names: Vec<&str> = Field::ALL.iter().map(|f| f.name()).collect();
        assert_eq!(
            names.join(","),
            "id,created_at,text,confidence,sentiment,customer_tier,channel,category,priority,\
             requested_human,escalated_at,first_human_response_at,resolved_at,resolved_tier,\
             reassignments,reopened,csat"
        );
        let aliasable: Vec<&str> = Field::ALL
            .iter()
            .filter(|f| f.is_aliasable())
            .map(|f| f.name())
            .collect();
        assert_eq!(
            aliasable,
            [
                "customer_tier",
                "channel",
                "category",
                "priority",
                "resolved_tier"
            ]
        );
        assert_eq!(Field::read_by_conditions("id"), None);
        assert_eq!(Field::read_by_conditions("text"), Some(Field::Text));
    }
}
