//! Whether earlier regions together cover a target, and which few of them: sample tickets of
//! the target refute most non-covers cheaply before any subtraction, and the set found is then
//! made smaller within a bounded share of the work.

use super::analysis::Analysis;
use super::sets::{Cell, FALSE, MISSING, Set, TRUE};
use super::{GiveUp, Region};

/// Bounds on the work one [`Analysis::cover`] may spend on naming fewer covering regions.
const MINIMIZE_MIN: u64 = 5_000;
const MINIMIZE_MAX: u64 = 100_000;

/// One value of a variable, for a sample ticket.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Value {
    Missing,
    Num(i64),
    /// A label id, or `None` for a label that no condition mentions.
    Label(Option<u32>),
    /// `TRUE` or `FALSE`.
    Flag(u8),
    /// The keywords (word ids) joined into one text, with separators that no keyword contains.
    Text(Vec<u32>),
}

/// Which sample tickets to draw from a cell.
#[derive(Debug, Clone, Copy)]
enum Pick {
    /// Missing wherever allowed, otherwise the lowest value.
    Missing,
    /// Known wherever allowed, lowest values.
    Low,
    /// Known wherever allowed, highest values.
    High,
}

impl Analysis {
    /// Whether `earlier` regions, tried in order, together contain every ticket of `target`.
    /// Returns the indices of a small set of them that does (in order), or `None` when they do
    /// not. Regions that cannot meet `target` are skipped cheaply, and sample tickets of
    /// `target` refute most non-covers before any subtraction.
    pub fn cover(
        &mut self,
        target: &Region,
        earlier: &[&Region],
    ) -> Result<Option<Vec<usize>>, GiveUp> {
        let Some(hull) = &target.hull else {
            return Ok(Some(Vec::new()));
        };
        let mut relevant = Vec::new();
        for (i, region) in earlier.iter().enumerate() {
            self.spend(1)?;
            let meets = match &region.hull {
                Some(h) => self.meet_cells(hull, h).is_some(),
                None => false,
            };
            if meets {
                relevant.push(i);
            }
        }
        let before = self.budget;
        let Some(used) = self.try_cover(target, earlier, &relevant)? else {
            return Ok(None);
        };
        // Name as few regions as possible, spending at most a few times the work of finding the
        // cover: the set found is correct already, only perhaps longer than needed.
        let budget = self.budget;
        let found = before - budget;
        self.budget = budget.min(found.saturating_mul(4).clamp(MINIMIZE_MIN, MINIMIZE_MAX));
        let allowance = self.budget;
        let used = self.minimize(target, earlier, used);
        self.budget = budget - (allowance - self.budget);
        Ok(Some(used))
    }

    /// Prefer one region that covers `target` alone; otherwise drop regions the others make
    /// unnecessary, earliest first. Stops early, keeping a correct set, when work runs out.
    fn minimize(
        &mut self,
        target: &Region,
        earlier: &[&Region],
        mut used: Vec<usize>,
    ) -> Vec<usize> {
        if used.len() < 2 {
            return used;
        }
        for &k in &used {
            match self.try_cover(target, earlier, &[k]) {
                Ok(Some(_)) => return vec![k],
                Ok(None) | Err(GiveUp::TooLarge | GiveUp::Unsupported) => {}
                Err(GiveUp::Budget) => return used,
            }
        }
        let mut k = 0;
        while k < used.len() && used.len() > 2 {
            let trial: Vec<usize> = (0..used.len())
                .filter(|&j| j != k)
                .map(|j| used[j])
                .collect();
            match self.try_cover(target, earlier, &trial) {
                Ok(Some(needed)) => used = needed,
                Ok(None) | Err(GiveUp::TooLarge | GiveUp::Unsupported) => k += 1,
                Err(GiveUp::Budget) => break,
            }
        }
        used
    }

    /// Whether the regions `which` of `earlier` (in order) contain `target`, and which of them
    /// removed something on the way.
    fn try_cover(
        &mut self,
        target: &Region,
        earlier: &[&Region],
        which: &[usize],
    ) -> Result<Option<Vec<usize>>, GiveUp> {
        // Cheap refutation first: a sample ticket of the target that none of the regions holds.
        for cell in &target.cells {
            for pick in [Pick::Missing, Pick::Low, Pick::High] {
                let sample = sample(cell, pick);
                let mut held = false;
                for &i in which {
                    self.spend(earlier[i].cells.len() as u64)?;
                    if earlier[i].cells.iter().any(|c| self.holds(c, &sample)) {
                        held = true;
                        break;
                    }
                }
                if !held {
                    return Ok(None);
                }
            }
        }
        let mut rest = target.cells.clone();
        let mut used = Vec::new();
        for &i in which {
            if rest.is_empty() {
                break;
            }
            let (next, changed) = self.subtract_cells(rest, &earlier[i].cells)?;
            if changed {
                used.push(i);
            }
            rest = next;
        }
        Ok(rest.is_empty().then_some(used))
    }

    /// Whether the sample ticket lies in `cell`.
    fn holds(&mut self, cell: &Cell, sample: &[(u32, Value)]) -> bool {
        cell.0.iter().all(|(var, set)| {
            let value = sample
                .binary_search_by_key(var, |(v, _)| *v)
                .map_or(&Value::Missing, |i| &sample[i].1);
            match (set, value) {
                (Set::Num { missing, .. }, Value::Missing)
                | (Set::Label { missing, .. }, Value::Missing)
                | (Set::Text { missing, .. }, Value::Missing) => *missing,
                (Set::Flags(bits), Value::Missing) => bits & MISSING != 0,
                (Set::Num { ivs, .. }, Value::Num(k)) => {
                    ivs.iter().any(|&(lo, hi)| lo <= *k && *k < hi)
                }
                (Set::Label { only, vals, .. }, Value::Label(label)) => {
                    let listed = label.is_some_and(|l| vals.binary_search(&l).is_ok());
                    listed == *only
                }
                (Set::Flags(bits), Value::Flag(bit)) => bits & bit != 0,
                (Set::Text { known, .. }, Value::Text(words)) => {
                    let Some(conj) = known else { return false };
                    // The joined text contains keyword `k` exactly when `k` covers one of `words`.
                    let mut contains = |k: u32| {
                        words
                            .iter()
                            .any(|&w| self.words.coverers(w).binary_search(&k).is_ok())
                    };
                    conj.must.iter().all(|&p| contains(p))
                        && !conj.must_not.iter().any(|&n| contains(n))
                }
                _ => false,
            }
        })
    }
}

/// A ticket in `cell` (variables the cell leaves free are missing).
fn sample(cell: &Cell, pick: Pick) -> Vec<(u32, Value)> {
    let missing_first = matches!(pick, Pick::Missing);
    let high = matches!(pick, Pick::High);
    cell.0
        .iter()
        .map(|(var, set)| {
            let value = match set {
                Set::Num { missing: true, .. } if missing_first => Value::Missing,
                Set::Num { ivs, .. } => match (ivs.first(), ivs.last()) {
                    (Some(first), Some(last)) => {
                        Value::Num(if high { last.1 - 1 } else { first.0 })
                    }
                    _ => Value::Missing,
                },
                Set::Label { missing: true, .. } if missing_first => Value::Missing,
                Set::Label { only: false, .. } => Value::Label(None),
                Set::Label { vals, .. } => match if high { vals.last() } else { vals.first() } {
                    Some(&label) => Value::Label(Some(label)),
                    None => Value::Missing,
                },
                Set::Flags(bits) if missing_first && bits & MISSING != 0 => Value::Missing,
                Set::Flags(bits) if bits & TRUE != 0 && !(high && bits & FALSE != 0) => {
                    Value::Flag(TRUE)
                }
                Set::Flags(bits) if bits & FALSE != 0 => Value::Flag(FALSE),
                Set::Flags(_) => Value::Missing,
                Set::Text { missing: true, .. } if missing_first => Value::Missing,
                Set::Text {
                    known: Some(conj), ..
                } => Value::Text(conj.must.clone()),
                Set::Text { .. } => Value::Missing,
            };
            (*var, value)
        })
        .collect()
}
