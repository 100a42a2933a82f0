//! The sets the analysis works with: the allowed values of one variable ([`Set`]: an interval
//! set of numbers, a finite or co-finite label set, flags, or keyword conjunctions of the text)
//! and the cells (boxes) built from them, with the interval and label-id arithmetic and the
//! operations that need no keyword knowledge (emptiness, join).

use crate::policy::condition::NumField;

/// Bits of a flag set (`requested_human`, a regex test): missing, true, false.
pub(super) const MISSING: u8 = 1;
pub(super) const TRUE: u8 = 2;
pub(super) const FALSE: u8 = 4;

/// Allowed values of one variable. Text sets are kept normalised: `known` is `None` when no
/// known text fits.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(super) enum Set {
    /// Sorted, disjoint, non-empty half-open intervals of [`key`]s.
    Num {
        missing: bool,
        ivs: Vec<(i64, i64)>,
    },
    /// `only`: exactly these labels; otherwise every label but these. Sorted label ids.
    Label {
        missing: bool,
        only: bool,
        vals: Vec<u32>,
    },
    /// Bits of `MISSING`, `TRUE`, `FALSE`.
    Flags(u8),
    Text {
        missing: bool,
        known: Option<Conj>,
    },
}

/// Known texts that contain every `must` keyword and no `must_not` keyword (sorted word ids).
#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(super) struct Conj {
    pub(super) must: Vec<u32>,
    pub(super) must_not: Vec<u32>,
}

/// One box: a set per constrained variable, sorted by variable id; absent variables are free.
#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(super) struct Cell(pub(super) Vec<(u32, Set)>);

impl Cell {
    pub(super) fn get(&self, var: u32) -> Option<&Set> {
        self.0
            .binary_search_by_key(&var, |(v, _)| *v)
            .ok()
            .map(|i| &self.0[i].1)
    }

    pub(super) fn set(&mut self, var: u32, set: Set) {
        match self.0.binary_search_by_key(&var, |(v, _)| *v) {
            Ok(i) => self.0[i].1 = set,
            Err(i) => self.0.insert(i, (var, set)),
        }
    }

    pub(super) fn with(&self, var: u32, set: Set) -> Cell {
        let mut cell = self.clone();
        cell.set(var, set);
        cell
    }

    /// A rough size, for the work budget.
    pub(super) fn weight(&self) -> u64 {
        let elements: usize = self
            .0
            .iter()
            .map(|(_, s)| match s {
                Set::Num { ivs, .. } => ivs.len(),
                Set::Label { vals, .. } => vals.len(),
                Set::Flags(_) => 1,
                Set::Text { known, .. } => known
                    .as_ref()
                    .map_or(1, |c| c.must.len() + c.must_not.len()),
            })
            .sum();
        1 + elements as u64 / 16
    }
}

/// Order-preserving map of `f64` (NaN excluded, −0 read as 0) onto `i64`.
pub(super) fn key(x: f64) -> i64 {
    let x = if x == 0.0 { 0.0 } else { x };
    let bits = x.to_bits() as i64;
    if bits < 0 { bits ^ i64::MAX } else { bits }
}

pub(super) fn domain(field: &NumField) -> (i64, i64) {
    match field {
        NumField::Confidence => (key(0.0), key(1.0f64.next_up())),
        NumField::Sentiment => (key(-1.0), key(1.0f64.next_up())),
        NumField::Extra(_) => (key(f64::NEG_INFINITY), key(f64::INFINITY) + 1),
    }
}

pub(super) fn iv_meet(a: &[(i64, i64)], b: &[(i64, i64)]) -> Vec<(i64, i64)> {
    let (mut i, mut j, mut out) = (0, 0, Vec::new());
    while i < a.len() && j < b.len() {
        let (lo, hi) = (a[i].0.max(b[j].0), a[i].1.min(b[j].1));
        if lo < hi {
            out.push((lo, hi));
        }
        if a[i].1 < b[j].1 { i += 1 } else { j += 1 }
    }
    out
}

pub(super) fn iv_minus(a: &[(i64, i64)], b: &[(i64, i64)]) -> Vec<(i64, i64)> {
    let mut out = Vec::new();
    for &(mut lo, hi) in a {
        for &(blo, bhi) in b {
            if bhi <= lo || blo >= hi {
                continue;
            }
            if blo > lo {
                out.push((lo, blo));
            }
            lo = lo.max(bhi);
            if lo >= hi {
                break;
            }
        }
        if lo < hi {
            out.push((lo, hi));
        }
    }
    out
}

fn iv_join(a: &[(i64, i64)], b: &[(i64, i64)]) -> Vec<(i64, i64)> {
    let mut all: Vec<(i64, i64)> = a.iter().chain(b).copied().collect();
    all.sort_unstable();
    let mut out: Vec<(i64, i64)> = Vec::new();
    for (lo, hi) in all {
        match out.last_mut() {
            Some(last) if lo <= last.1 => last.1 = last.1.max(hi),
            _ => out.push((lo, hi)),
        }
    }
    out
}

pub(super) fn union(a: &[u32], b: &[u32]) -> Vec<u32> {
    let mut out: Vec<u32> = a.iter().chain(b).copied().collect();
    out.sort_unstable();
    out.dedup();
    out
}

pub(super) fn inter(a: &[u32], b: &[u32]) -> Vec<u32> {
    a.iter()
        .copied()
        .filter(|x| b.binary_search(x).is_ok())
        .collect()
}

pub(super) fn minus(a: &[u32], b: &[u32]) -> Vec<u32> {
    a.iter()
        .copied()
        .filter(|x| b.binary_search(x).is_err())
        .collect()
}

pub(super) fn is_empty(set: &Set) -> bool {
    match set {
        Set::Num { missing, ivs } => !missing && ivs.is_empty(),
        Set::Label {
            missing,
            only,
            vals,
        } => !missing && *only && vals.is_empty(),
        Set::Flags(bits) => *bits == 0,
        Set::Text { missing, known } => !missing && known.is_none(),
    }
}

/// A set containing both (exact except for text, where it is a superset).
pub(super) fn join(a: &Set, b: &Set) -> Set {
    match (a, b) {
        (
            Set::Num {
                missing: ma,
                ivs: ia,
            },
            Set::Num {
                missing: mb,
                ivs: ib,
            },
        ) => Set::Num {
            missing: *ma || *mb,
            ivs: iv_join(ia, ib),
        },
        (
            Set::Label {
                missing: ma,
                only: oa,
                vals: va,
            },
            Set::Label {
                missing: mb,
                only: ob,
                vals: vb,
            },
        ) => {
            let (only, vals) = match (oa, ob) {
                (true, true) => (true, union(va, vb)),
                (true, false) => (false, minus(vb, va)),
                (false, true) => (false, minus(va, vb)),
                (false, false) => (false, inter(va, vb)),
            };
            Set::Label {
                missing: *ma || *mb,
                only,
                vals,
            }
        }
        (Set::Flags(x), Set::Flags(y)) => Set::Flags(x | y),
        (
            Set::Text {
                missing: ma,
                known: ka,
            },
            Set::Text {
                missing: mb,
                known: kb,
            },
        ) => {
            let known = match (ka, kb) {
                (Some(x), Some(y)) => Some(Conj {
                    must: inter(&x.must, &y.must),
                    must_not: inter(&x.must_not, &y.must_not),
                }),
                (Some(x), None) | (None, Some(x)) => Some(x.clone()),
                (None, None) => None,
            };
            Set::Text {
                missing: *ma || *mb,
                known,
            }
        }
        _ => unreachable!("one variable always has one kind of set"),
    }
}
