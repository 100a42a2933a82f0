//! Which tickets make a condition *true*: the exact set algebra behind H040 (shadowed rule) and
//! H041 (never matches).
//!
//! **What it decides.** For a compiled condition `c` the analysis builds `T(c)`, the set of
//! tickets on which `c` is *true* under DESIGN §2's three-valued logic (any field may be missing;
//! a leaf on a missing value is unknown; `not unknown` is unknown; `all`/`any` follow SQL; a rule
//! matches only when its condition is true). It uses `T(not c) = F(c)`, `F(not c) = T(c)`,
//! `T(all) = ∩T`, `F(all) = ∪F`, `T(any) = ∪T`, `F(any) = ∩F`, and leaves are true or false only
//! on a *known* value. `T(c)` is a union of cells (boxes); a cell allows, per variable, a subset
//! of its domain plus or minus "missing", and leaves the other variables free:
//! - `confidence` ranges over [0, 1], `sentiment` over [−1, 1], an extra numeric column over
//!   [−∞, +∞]; sets are unions of half-open intervals of `f64`, so `below` and `at_least` are exact
//!   (`at_least: 1.0` on confidence is satisfiable, `below: 0` is not);
//! - labels are finite or co-finite sets of strings; `priority` ranges over the declared
//!   `priorities` only (a ticket's priority is one of them after aliasing; all strings if the
//!   list is empty), other labels over all strings;
//! - `requested_human` is {missing, true, false};
//! - the text is "contains every keyword of P and none of N". A keyword `n` *covers* `p` when
//!   every text containing `p` as a whole word (the characters around it are not letters, digits,
//!   marks or connector punctuation) also contains `n`: `card` covers `credit card`, `mail` covers
//!   `e-mail`, `c` covers `c++`, `cancel*` covers `cancellation` and `cancelled*`, `refund` does
//!   not cover `refunds`. A text cell is empty exactly when some `n` in N covers some `p` in P.
//!
//! Intersection, difference and emptiness of cells are exact on this model, so "`T(c)` is empty"
//! (the rule never matches) and "`T(B)` minus the `T(A)` of every earlier terminal rule is empty"
//! (the rule is shadowed) are proofs, not guesses.
//!
//! **What it relies on.** Tickets as replay reads them: confidence in [0, 1] and sentiment in
//! [−1, 1] (other values are rejected or rescaled by the column mapping), a priority that is one
//! of `priorities`, conditions that read the ticket's own fields (a priority recorded by an
//! earlier `continue` rule does not change what later conditions see), and keyword matching that
//! finds every whole-word occurrence, overlapping ones included (`mail` inside `e-mail`);
//! several text columns count as one text.
//!
//! **What it cannot decide, and how that stays safe.** Every simplification below makes the
//! modelled ticket space *larger* than the real one (more combinations of values), never
//! smaller, so an emptiness or coverage it proves also holds for real tickets; it can only miss
//! findings, never invent them:
//! - a regular expression (`field: {matches: …}`) is an opaque yes/no/missing variable per
//!   (column, pattern): `^a` and `^ab` are not known to be related, and a pattern that matches
//!   everything is not known to do so;
//! - the label, number and regex tests on one extra column are independent variables (that the
//!   column is missing for all of them at once, or that `"5"` is both a label and the number 5,
//!   is ignored), and so are an extra column and a canonical field of the same name;
//! - the analysis gives up (reports nothing about the rule) on a test with no bound or list
//!   (`confidence: {}`, `keywords: {}`, `customer_tier: {}`), on a NaN threshold, when a region
//!   outgrows [`Limits::max_cells`] cells (DNF expansion of `all` over many `any`s, or a
//!   subtraction that fragments), and when the work budget set with [`Analysis::set_budget`]
//!   runs out;
//! - [`Analysis::cover`] names earlier regions that together cover the target; a single
//!   covering region is tried first, and needless ones are dropped only as far as a
//!   bounded share of the work allows, so a longer list is still correct but maybe not minimal.
//!
//! **Where things are.** `sets.rs`: the sets of one variable (intervals, labels, flags, keyword
//! conjunctions) and the cells built from them; `keywords.rs`: which keywords cover which
//! ([`StemFinder`], [`covers`]); `analysis.rs`: the [`Analysis`], its tables and budget and the
//! operations on regions; `truth.rs`: the cells of a condition; `algebra.rs`: meet and
//! difference of cells; `cover.rs`: which earlier regions cover a target; `tests/`: the tests.

mod algebra;
mod analysis;
mod cover;
mod keywords;
mod sets;
#[cfg(test)]
mod tests;
mod truth;

pub use analysis::Analysis;
pub use keywords::{StemFinder, covers};

use sets::Cell;

/// How large regions may grow before the analysis gives up on them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Most cells a region may have while it is built or subtracted from.
    pub max_cells: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits { max_cells: 10_000 }
    }
}

/// Why the analysis has no answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GiveUp {
    /// A test the analysis does not model (no bound or list, a NaN threshold).
    Unsupported,
    /// A region outgrew [`Limits::max_cells`].
    TooLarge,
    /// The work budget ran out.
    Budget,
}

/// A set of tickets: a union of cells. Made by an [`Analysis`] and only meaningful with it.
#[derive(Debug, Clone)]
pub struct Region {
    cells: Vec<Cell>,
    /// One cell containing every cell of the region (`None` when the region is empty).
    hull: Option<Cell>,
}

impl Region {
    /// No ticket is in the region.
    pub fn is_empty(&self) -> bool {
        self.cells.is_empty()
    }

    /// Number of cells (a measure of the region's complexity, not of its size).
    pub fn cells(&self) -> usize {
        self.cells.len()
    }
}
