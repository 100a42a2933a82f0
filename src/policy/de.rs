//! Hand-written `Deserialize` for the two "one or many" shapes of the format. Serde's untagged
//! enums would buffer the value and lose every span inside it; a visitor keeps them.

use std::fmt;

use serde::de::{Deserialize, Deserializer, Error, MapAccess, SeqAccess, Visitor};

use super::model::{DurationSpec, Parties};
use super::spanned::{NamedMap, Spanned};

impl<'de> Deserialize<'de> for Parties {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct PartiesVisitor;
        impl<'de> Visitor<'de> for PartiesVisitor {
            type Value = Parties;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a name or a list of names")
            }
            fn visit_str<E: Error>(self, v: &str) -> Result<Parties, E> {
                Ok(Parties::One(v.to_string()))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Parties, A::Error> {
                let mut items = Vec::new();
                while let Some(item) = seq.next_element::<Spanned<String>>()? {
                    items.push(item);
                }
                Ok(Parties::Many(items))
            }
        }
        deserializer.deserialize_any(PartiesVisitor)
    }
}

impl Parties {
    /// The parties with their spans; a single name takes the span of the whole value.
    pub fn names(this: &Spanned<Parties>) -> Vec<Spanned<String>> {
        match &this.value {
            Parties::One(name) => vec![Spanned::new(name.clone(), this.span)],
            Parties::Many(list) => list.clone(),
        }
    }
}

impl<'de> Deserialize<'de> for DurationSpec {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct DurationVisitor;
        impl<'de> Visitor<'de> for DurationVisitor {
            type Value = DurationSpec;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a duration such as `2h`, or a map of priority to duration")
            }
            fn visit_str<E: Error>(self, v: &str) -> Result<DurationSpec, E> {
                Ok(DurationSpec::One(v.to_string()))
            }
            fn visit_u64<E: Error>(self, v: u64) -> Result<DurationSpec, E> {
                // A bare number has no unit; keep it so lint can say so (H003).
                Ok(DurationSpec::One(v.to_string()))
            }
            fn visit_i64<E: Error>(self, v: i64) -> Result<DurationSpec, E> {
                Ok(DurationSpec::One(v.to_string()))
            }
            fn visit_f64<E: Error>(self, v: f64) -> Result<DurationSpec, E> {
                Ok(DurationSpec::One(v.to_string()))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<DurationSpec, A::Error> {
                let mut entries = Vec::new();
                while let Some(key) = map.next_key::<Spanned<String>>()? {
                    entries.push((key, map.next_value::<Spanned<String>>()?));
                }
                Ok(DurationSpec::PerPriority(NamedMap(entries)))
            }
        }
        deserializer.deserialize_any(DurationVisitor)
    }
}
