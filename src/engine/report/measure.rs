//! A figure or why the data cannot give it: rates (`{value, numerator, denominator,
//! small_sample}`), and the `{value: null, needs}` that stands in for any figure or group of
//! figures whose columns the data lacks.

use serde::ser::{Serialize, SerializeMap, Serializer};

use crate::engine::stats::Count;

/// A figure (a rate, or a group of figures such as the response times), or why there is none.
#[derive(Debug, Clone, PartialEq)]
pub enum Measure<T> {
    Known(T),
    /// The data lacks columns the figure needs: `{"value": null, "needs": [...]}`.
    NotAvailable(Missing),
    /// The figure does not apply here: `{"value": null, "note": "..."}`.
    NotApplicable(&'static str),
}

/// A rate of the report.
pub type Rate = Measure<Fraction>;

/// The columns a figure needs that the data lacks, in the order a reader should add them
/// (`[created_at, escalated_at]` means either one).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Missing {
    pub needs: Vec<String>,
}

impl Missing {
    pub fn of<S: AsRef<str>>(columns: &[S]) -> Missing {
        Missing {
            needs: columns.iter().map(|c| c.as_ref().to_string()).collect(),
        }
    }
}

/// A counted rate: numerator over denominator, its value the fraction rounded to 4 decimals
/// (`null` on an empty denominator).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Fraction {
    pub count: Count,
    /// Whether the rate carries its small-sample flag (`small_sample` in JSON, `*` in tables):
    /// a replay report's rates do, a sweep's figures do not.
    pub flags_small_sample: bool,
}

impl Fraction {
    pub fn value(&self) -> Option<f64> {
        self.count.fraction()
    }

    /// Flagged and on fewer than 30 tickets.
    pub fn small_sample(&self) -> bool {
        self.flags_small_sample && self.count.small_sample()
    }
}

impl Rate {
    /// A rate of the report, flagged when its sample is small.
    pub fn of(count: Count) -> Rate {
        Measure::Known(Fraction {
            count,
            flags_small_sample: true,
        })
    }

    /// A rate without the small-sample flag (a sweep's figures).
    pub fn unflagged(count: Count) -> Rate {
        Measure::Known(Fraction {
            count,
            flags_small_sample: false,
        })
    }

    /// The fraction, when there is one.
    pub fn value(&self) -> Option<f64> {
        self.figure().value()
    }
}

impl<T> Measure<T> {
    /// `Known(value)` when `missing` is empty; else the missing columns.
    pub fn unless_missing(missing: Vec<String>, value: impl FnOnce() -> T) -> Measure<T> {
        if missing.is_empty() {
            Measure::Known(value())
        } else {
            Measure::NotAvailable(Missing { needs: missing })
        }
    }
}

/// A rate as views show it: counted, or n/a with why.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum RateFigure<'r> {
    Counted(&'r Fraction),
    NotAvailable(&'r Missing),
    NotApplicable(&'r str),
}

impl RateFigure<'_> {
    /// The fraction, when there is one.
    pub fn value(&self) -> Option<f64> {
        match self {
            RateFigure::Counted(fraction) => fraction.value(),
            _ => None,
        }
    }
}

impl Measure<Fraction> {
    /// The rate as views show it.
    pub fn figure(&self) -> RateFigure<'_> {
        match self {
            Measure::Known(fraction) => RateFigure::Counted(fraction),
            Measure::NotAvailable(missing) => RateFigure::NotAvailable(missing),
            Measure::NotApplicable(note) => RateFigure::NotApplicable(note),
        }
    }
}

impl<T> Measure<T> {
    /// Why there is no figure, as a rate says it; `None` when known.
    pub fn lacking(&self) -> Option<RateFigure<'_>> {
        match self {
            Measure::Known(_) => None,
            Measure::NotAvailable(missing) => Some(RateFigure::NotAvailable(missing)),
            Measure::NotApplicable(note) => Some(RateFigure::NotApplicable(note)),
        }
    }
}

impl<T: Serialize> Serialize for Measure<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Measure::Known(value) => value.serialize(serializer),
            Measure::NotAvailable(missing) => {
                let mut map = serializer.serialize_map(Some(2))?;
                map.serialize_entry("value", &None::<f64>)?;
                map.serialize_entry("needs", &missing.needs)?;
                map.end()
            }
            Measure::NotApplicable(note) => {
                let mut map = serializer.serialize_map(Some(2))?;
                map.serialize_entry("value", &None::<f64>)?;
                map.serialize_entry("note", note)?;
                map.end()
            }
        }
    }
}

impl Serialize for Fraction {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(None)?;
        map.serialize_entry("value", &self.value())?;
        map.serialize_entry("numerator", &self.count.numerator)?;
        map.serialize_entry("denominator", &self.count.denominator)?;
        if self.flags_small_sample {
            map.serialize_entry("small_sample", &self.count.small_sample())?;
        }
        map.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn rates_serialise_as_documented() {
        let value = |rate: &Rate| serde_json::to_value(rate).unwrap();
        assert_eq!(
            value(&Rate::of(Count::new(1, 3))),
            json!({ "value": 0.3333, "numerator": 1, "denominator": 3, "small_sample": true })
        );
        assert_eq!(
            value(&Rate::unflagged(Count::new(0, 0))),
            json!({ "value": null, "numerator": 0, "denominator": 0 })
        );
        assert_eq!(
            value(&Measure::NotAvailable(Missing::of(&["resolved_tier"]))),
            json!({ "value": null, "needs": ["resolved_tier"] })
        );
        assert_eq!(
            value(&Measure::NotApplicable("no context")),
            json!({ "value": null, "note": "no context" })
        );
    }
}
