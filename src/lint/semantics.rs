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

use std::collections::HashMap;

use unicode_normalization::char::is_combining_mark;

use crate::fields::Label;
use crate::policy::condition::{Cond, Keyword, LabelField, NumField};

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

/// Bounds on the work one [`Analysis::cover`] may spend on naming fewer covering regions.
const MINIMIZE_MIN: u64 = 5_000;
const MINIMIZE_MAX: u64 = 100_000;

const MISSING: u8 = 1;
const TRUE: u8 = 2;
const FALSE: u8 = 4;

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Var {
    Num(NumField),
    Label(LabelField),
    RequestedHuman,
    Regex { field: String, pattern: String },
    Text,
}

/// Allowed values of one variable. Text sets are kept normalised: `known` is `None` when no
/// known text fits.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
enum Set {
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
struct Conj {
    must: Vec<u32>,
    must_not: Vec<u32>,
}

/// One box: a set per constrained variable, sorted by variable id; absent variables are free.
#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
struct Cell(Vec<(u32, Set)>);

impl Cell {
    fn get(&self, var: u32) -> Option<&Set> {
        self.0
            .binary_search_by_key(&var, |(v, _)| *v)
            .ok()
            .map(|i| &self.0[i].1)
    }

    fn set(&mut self, var: u32, set: Set) {
        match self.0.binary_search_by_key(&var, |(v, _)| *v) {
            Ok(i) => self.0[i].1 = set,
            Err(i) => self.0.insert(i, (var, set)),
        }
    }

    fn with(&self, var: u32, set: Set) -> Cell {
        let mut cell = self.clone();
        cell.set(var, set);
        cell
    }

    /// A rough size, for the work budget.
    fn weight(&self) -> u64 {
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

/// Whether `c` can sit next to a keyword inside a word. Deliberately broad (letters, digits,
/// marks, `_` and other connector punctuation, zero-width joiners): the analysis only relies on
/// characters that are *not* word characters, so a broad set keeps it safe.
fn is_word_char(c: char) -> bool {
    c.is_alphanumeric()
        || is_combining_mark(c)
        || matches!(
            c,
            '_' | '\u{200C}'
                | '\u{200D}'
                | '\u{203F}'
                | '\u{2040}'
                | '\u{2054}'
                | '\u{FE33}'
                | '\u{FE34}'
                | '\u{FE4D}'..='\u{FE4F}' | '\u{FF3F}'
        )
}

/// Calls `visit(substring, exact_ok)` for every substring of `p`'s text that starts at a word
/// boundary; `exact_ok` says whether an exact keyword equal to the substring would also end at
/// a boundary in every text that contains `p`. Quadratic in the length of `p`: the reference
/// for [`StemFinder`], used by tests only.
#[cfg(test)]
fn boundary_substrings<'a>(p: &'a Keyword, mut visit: impl FnMut(&'a str, bool)) {
    let text = p.text.as_str();
    let mut prev: Option<char> = None;
    for (start, c) in text.char_indices() {
        if prev.is_none_or(|b| !is_word_char(b)) {
            let rest = &text[start..];
            for (offset, ch) in rest.char_indices().skip(1).chain([(rest.len(), ' ')]) {
                let end = start + offset;
                let exact_ok = if end == text.len() {
                    !p.prefix
                } else {
                    !is_word_char(ch)
                };
                visit(&text[start..end], exact_ok);
            }
        }
        prev = Some(c);
    }
}

/// Finds, in a keyword's text, the occurrences of a set of texts (other keywords, or the stems
/// of prefix keywords) that start at a word boundary — the substrings that can cover it — in
/// time linear in the keyword's length plus the occurrences, however long the keywords are:
/// short texts in one Aho-Corasick pass, the few long ones (a hostile policy's megabyte
/// keyword) each with a Knuth-Morris-Pratt scan, which needs no large automaton.
pub struct StemFinder {
    short: Option<aho_corasick::AhoCorasick>,
    /// Pattern index of each short text, in the order given to the automaton.
    short_ids: Vec<usize>,
    /// Long texts: pattern index, bytes and KMP failure table.
    long: Vec<(usize, Vec<u8>, Vec<usize>)>,
}

/// Texts longer than this are searched with KMP rather than the automaton.
const LONG_STEM: usize = 256;

/// The KMP failure table of `pattern`: for each prefix, the length of its longest proper
/// border.
fn kmp_table(pattern: &[u8]) -> Vec<usize> {
    let mut table = vec![0; pattern.len()];
    let mut k = 0;
    for i in 1..pattern.len() {
        while k > 0 && pattern[i] != pattern[k] {
            k = table[k - 1];
        }
        if pattern[i] == pattern[k] {
            k += 1;
        }
        table[i] = k;
    }
    table
}

/// Calls `found(start)` for every occurrence of `pattern` in `text`, overlapping ones too.
fn kmp_each(pattern: &[u8], table: &[usize], text: &[u8], mut found: impl FnMut(usize)) {
    if pattern.is_empty() {
        return;
    }
    let mut k = 0;
    for (i, &b) in text.iter().enumerate() {
        while k > 0 && b != pattern[k] {
            k = table[k - 1];
        }
        if b == pattern[k] {
            k += 1;
        }
        if k == pattern.len() {
            found(i + 1 - k);
            k = table[k - 1];
        }
    }
}

impl StemFinder {
    /// A finder for `texts`; pattern `i` is `texts[i]` (empty texts never match).
    pub fn new<T: AsRef<str>>(texts: &[T]) -> StemFinder {
        let mut short_ids = Vec::new();
        let mut short = Vec::new();
        let mut long = Vec::new();
        for (i, text) in texts.iter().enumerate() {
            let bytes = text.as_ref().as_bytes();
            if bytes.len() > LONG_STEM {
                long.push((i, bytes.to_vec(), kmp_table(bytes)));
            } else if !bytes.is_empty() {
                short_ids.push(i);
                short.push(bytes);
            }
        }
        let short = (!short.is_empty())
            .then(|| {
                aho_corasick::AhoCorasick::builder()
                    .match_kind(aho_corasick::MatchKind::Standard)
                    .build(short)
                    .ok()
            })
            .flatten();
        StemFinder {
            short,
            short_ids,
            long,
        }
    }

    /// Calls `visit(pattern, exact_ok)` for every occurrence of a pattern in `p`'s text that
    /// starts at a word boundary; `exact_ok` says whether an exact keyword equal to the pattern
    /// would also end at a boundary in every text that contains `p`.
    pub fn each_in(&self, p: &Keyword, mut visit: impl FnMut(usize, bool)) {
        let text = p.text.as_str();
        let mut occurrence = |pattern: usize, start: usize, end: usize| {
            if !text.is_char_boundary(start)
                || !text.is_char_boundary(end)
                || text[..start].chars().next_back().is_some_and(is_word_char)
            {
                return;
            }
            let exact_ok = match text[end..].chars().next() {
                None => !p.prefix,
                Some(ch) => !is_word_char(ch),
            };
            visit(pattern, exact_ok);
        };
        if let Some(searcher) = &self.short {
            for found in searcher.find_overlapping_iter(text) {
                let pattern = self.short_ids[found.pattern().as_usize()];
                occurrence(pattern, found.start(), found.end());
            }
        }
        for (pattern, bytes, table) in &self.long {
            if bytes.len() <= text.len() {
                kmp_each(bytes, table, text.as_bytes(), |start| {
                    occurrence(*pattern, start, start + bytes.len());
                });
            }
        }
    }
}

/// Whether every text containing keyword `p` (as a whole word, or a word starting with it for
/// `p*`) also contains keyword `n`. A keyword covers itself.
pub fn covers(n: &Keyword, p: &Keyword) -> bool {
    let mut found = false;
    StemFinder::new(&[n.text.as_str()]).each_in(p, |_, exact_ok| {
        found |= n.prefix || exact_ok;
    });
    found
}

/// The stems `s` for which a prefix keyword `s*` covers `p`: every substring of `p`'s text that
/// starts at a word boundary (longest last for each start). Quadratic; tests only.
#[cfg(test)]
pub fn covering_stems(p: &Keyword) -> Vec<&str> {
    let mut stems = Vec::new();
    boundary_substrings(p, |sub, _| stems.push(sub));
    stems
}

/// A [`StemFinder`] over the interned keyword texts: pattern `i` is the text whose exact and
/// prefix keyword ids are `ids[i]`.
struct WordFinder {
    generation: u64,
    ids: Vec<[Option<u32>; 2]>,
    finder: StemFinder,
}

/// Interned keywords and, per keyword, the interned keywords that cover it.
#[derive(Default)]
struct Words {
    list: Vec<Keyword>,
    by_text: HashMap<String, [Option<u32>; 2]>,
    /// Bumped whenever a keyword is added, which invalidates every `coverers` entry.
    generation: u64,
    coverers: Vec<(u64, Vec<u32>)>,
    /// A finder for the distinct texts of `list`, as of a generation.
    finder: Option<WordFinder>,
}

impl Words {
    fn intern(&mut self, k: &Keyword) -> u32 {
        let slot = self.by_text.entry(k.text.clone()).or_default();
        if let Some(id) = slot[usize::from(k.prefix)] {
            return id;
        }
        let id = u32::try_from(self.list.len()).unwrap_or(u32::MAX);
        slot[usize::from(k.prefix)] = Some(id);
        self.list.push(k.clone());
        self.coverers.push((0, Vec::new()));
        self.generation += 1;
        id
    }

    fn coverers(&mut self, p: u32) -> &[u32] {
        let i = p as usize;
        if self.coverers[i].0 != self.generation {
            if self
                .finder
                .as_ref()
                .is_none_or(|f| f.generation != self.generation)
            {
                let (texts, ids): (Vec<&str>, Vec<[Option<u32>; 2]>) = self
                    .by_text
                    .iter()
                    .map(|(text, ids)| (text.as_str(), *ids))
                    .unzip();
                self.finder = Some(WordFinder {
                    generation: self.generation,
                    ids,
                    finder: StemFinder::new(&texts),
                });
            }
            let mut found = Vec::new();
            if let Some(WordFinder { ids, finder, .. }) = &self.finder {
                finder.each_in(&self.list[i], |pattern, exact_ok| {
                    let [exact, prefix] = ids[pattern];
                    found.extend(prefix);
                    if exact_ok {
                        found.extend(exact);
                    }
                });
            }
            found.sort_unstable();
            found.dedup();
            self.coverers[i] = (self.generation, found);
        }
        &self.coverers[i].1
    }

    fn conj_is_empty(&mut self, c: &Conj) -> bool {
        c.must.iter().any(|&p| {
            self.coverers(p)
                .iter()
                .any(|n| c.must_not.binary_search(n).is_ok())
        })
    }
}

/// Order-preserving map of `f64` (NaN excluded, −0 read as 0) onto `i64`.
fn key(x: f64) -> i64 {
    let x = if x == 0.0 { 0.0 } else { x };
    let bits = x.to_bits() as i64;
    if bits < 0 { bits ^ i64::MAX } else { bits }
}

fn domain(field: &NumField) -> (i64, i64) {
    match field {
        NumField::Confidence => (key(0.0), key(1.0f64.next_up())),
        NumField::Sentiment => (key(-1.0), key(1.0f64.next_up())),
        NumField::Extra(_) => (key(f64::NEG_INFINITY), key(f64::INFINITY) + 1),
    }
}

fn iv_meet(a: &[(i64, i64)], b: &[(i64, i64)]) -> Vec<(i64, i64)> {
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

fn iv_minus(a: &[(i64, i64)], b: &[(i64, i64)]) -> Vec<(i64, i64)> {
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

fn union(a: &[u32], b: &[u32]) -> Vec<u32> {
    let mut out: Vec<u32> = a.iter().chain(b).copied().collect();
    out.sort_unstable();
    out.dedup();
    out
}

fn inter(a: &[u32], b: &[u32]) -> Vec<u32> {
    a.iter()
        .copied()
        .filter(|x| b.binary_search(x).is_ok())
        .collect()
}

fn minus(a: &[u32], b: &[u32]) -> Vec<u32> {
    a.iter()
        .copied()
        .filter(|x| b.binary_search(x).is_err())
        .collect()
}

/// The analysis: variable and keyword tables, the priority universe, limits and work budget.
pub struct Analysis {
    limits: Limits,
    vars: Vec<Var>,
    var_ids: HashMap<Var, u32>,
    labels: HashMap<String, u32>,
    /// Sorted ids of the declared priorities; `None` when none are declared.
    priorities: Option<Vec<u32>>,
    words: Words,
    budget: u64,
}

impl Analysis {
    /// An analysis for a policy whose priorities are `priorities` (normalised labels).
    pub fn new(priorities: &[String]) -> Self {
        Analysis::with_limits(priorities, Limits::default())
    }

    /// An analysis with other limits than [`Limits::default`].
    pub fn with_limits(priorities: &[String], limits: Limits) -> Self {
        let mut analysis = Analysis {
            limits,
            vars: Vec::new(),
            var_ids: HashMap::new(),
            labels: HashMap::new(),
            priorities: None,
            words: Words::default(),
            budget: u64::MAX,
        };
        if !priorities.is_empty() {
            let ids = priorities
                .iter()
                .map(|p| analysis.label(p))
                .collect::<Vec<_>>();
            analysis.priorities = Some(union(&ids, &[]));
        }
        analysis
    }

    /// Learn every keyword of these conditions up front, so the keyword index is built once
    /// rather than again after each rule (the analysis stays correct without this).
    pub fn learn_keywords<'c>(&mut self, conditions: impl IntoIterator<Item = &'c Cond>) {
        for cond in conditions {
            cond.leaves(&mut |leaf| {
                if let Cond::Keywords { any, all, none } = leaf {
                    for k in any.iter().flatten().chain(all).chain(none) {
                        self.words.intern(k);
                    }
                }
            });
        }
    }

    /// Allow `units` units of work from now on (about one cell operation each); past them
    /// operations fail with [`GiveUp::Budget`]. Unlimited until first set.
    pub fn set_budget(&mut self, units: u64) {
        self.budget = units;
    }

    /// Work units left.
    pub fn budget_left(&self) -> u64 {
        self.budget
    }

    fn spend(&mut self, units: u64) -> Result<(), GiveUp> {
        self.budget = self.budget.checked_sub(units).ok_or(GiveUp::Budget)?;
        Ok(())
    }

    /// `T(c)`: the tickets on which `c` is true.
    pub fn truth(&mut self, c: &Cond) -> Result<Region, GiveUp> {
        let cells = self.cells(c, true)?;
        Ok(self.region(cells))
    }

    /// `F(c)`: the tickets on which `c` is false (not merely unknown).
    pub fn falsity(&mut self, c: &Cond) -> Result<Region, GiveUp> {
        let cells = self.cells(c, false)?;
        Ok(self.region(cells))
    }

    /// Tickets in both regions.
    pub fn meet(&mut self, a: &Region, b: &Region) -> Result<Region, GiveUp> {
        let cells = self.product(vec![a.cells.clone(), b.cells.clone()])?;
        Ok(self.region(cells))
    }

    /// Tickets in `a` but not in `b`.
    pub fn subtract(&mut self, a: &Region, b: &Region) -> Result<Region, GiveUp> {
        let (cells, _) = self.subtract_cells(a.cells.clone(), &b.cells)?;
        Ok(self.region(cells))
    }

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

    fn region(&mut self, cells: Vec<Cell>) -> Region {
        let hull = self.hull(&cells);
        Region { cells, hull }
    }

    fn var(&mut self, var: Var) -> u32 {
        if let Some(&id) = self.var_ids.get(&var) {
            return id;
        }
        let id = u32::try_from(self.vars.len()).unwrap_or(u32::MAX);
        self.vars.push(var.clone());
        self.var_ids.insert(var, id);
        id
    }

    fn label(&mut self, label: &str) -> u32 {
        let next = u32::try_from(self.labels.len()).unwrap_or(u32::MAX);
        *self.labels.entry(label.to_string()).or_insert(next)
    }

    fn labels_of(&mut self, labels: &[String]) -> Vec<u32> {
        let ids: Vec<u32> = labels.iter().map(|l| self.label(l)).collect();
        union(&ids, &[])
    }

    fn words_of(&mut self, words: &[Keyword]) -> Vec<u32> {
        let ids: Vec<u32> = words.iter().map(|k| self.words.intern(k)).collect();
        union(&ids, &[])
    }

    fn universe(&self, var: u32) -> Option<&[u32]> {
        match &self.vars[var as usize] {
            Var::Label(LabelField::Canonical(Label::Priority)) => self.priorities.as_deref(),
            _ => None,
        }
    }

    fn full(&self, var: u32) -> Set {
        match &self.vars[var as usize] {
            Var::Num(field) => Set::Num {
                missing: true,
                ivs: vec![domain(field)],
            },
            Var::Label(_) => match self.universe(var) {
                Some(u) => Set::Label {
                    missing: true,
                    only: true,
                    vals: u.to_vec(),
                },
                None => Set::Label {
                    missing: true,
                    only: false,
                    vals: Vec::new(),
                },
            },
            Var::RequestedHuman | Var::Regex { .. } => Set::Flags(MISSING | TRUE | FALSE),
            Var::Text => Set::Text {
                missing: true,
                known: Some(Conj::default()),
            },
        }
    }

    fn text(&mut self, missing: bool, known: Option<Conj>) -> Set {
        let known = known.filter(|c| !self.words.conj_is_empty(c));
        Set::Text { missing, known }
    }

    fn cells(&mut self, c: &Cond, truth: bool) -> Result<Vec<Cell>, GiveUp> {
        match (c, truth) {
            (Cond::Not(inner), _) => self.cells(inner, !truth),
            (Cond::All(parts), true) | (Cond::Any(parts), false) => {
                let mut results = Vec::with_capacity(parts.len());
                for part in parts {
                    match self.cells(part, truth) {
                        Ok(cells) if cells.is_empty() => return Ok(cells),
                        other => results.push(other),
                    }
                }
                let parts = results.into_iter().collect::<Result<Vec<_>, _>>()?;
                self.product(parts)
            }
            (Cond::All(parts), false) | (Cond::Any(parts), true) => {
                let mut out = Vec::new();
                for part in parts {
                    out.extend(self.cells(part, truth)?);
                    if out.len() > self.limits.max_cells {
                        return Err(GiveUp::TooLarge);
                    }
                }
                out.sort();
                out.dedup();
                Ok(out)
            }
            _ => self.leaf(c, truth),
        }
    }

    fn leaf(&mut self, c: &Cond, truth: bool) -> Result<Vec<Cell>, GiveUp> {
        let (var, set) = match c {
            Cond::Number {
                field,
                below,
                at_least,
            } => {
                if (below.is_none() && at_least.is_none())
                    || below.is_some_and(f64::is_nan)
                    || at_least.is_some_and(f64::is_nan)
                {
                    return Err(GiveUp::Unsupported);
                }
                let dom = [domain(field)];
                let test = (at_least.map_or(i64::MIN, key), below.map_or(i64::MAX, key));
                let inside = if test.0 < test.1 {
                    iv_meet(&dom, &[test])
                } else {
                    Vec::new()
                };
                let ivs = if truth {
                    inside
                } else {
                    iv_minus(&dom, &inside)
                };
                let var = self.var(Var::Num(field.clone()));
                (
                    var,
                    Set::Num {
                        missing: false,
                        ivs,
                    },
                )
            }
            Cond::Label { field, in_, not_in } => {
                if in_.is_none() && not_in.is_empty() {
                    return Err(GiveUp::Unsupported);
                }
                let excluded = self.labels_of(not_in);
                let (only, vals) = match in_ {
                    Some(list) => (true, minus(&self.labels_of(list), &excluded)),
                    None => (false, excluded),
                };
                let only = if truth { only } else { !only };
                let var = self.var(Var::Label(field.clone()));
                let (only, vals) = match self.universe(var) {
                    Some(u) if only => (true, inter(&vals, u)),
                    Some(u) => (true, minus(u, &vals)),
                    None => (only, vals),
                };
                (
                    var,
                    Set::Label {
                        missing: false,
                        only,
                        vals,
                    },
                )
            }
            Cond::Keywords { any, all, none } => {
                if any.is_none() && all.is_empty() && none.is_empty() {
                    return Err(GiveUp::Unsupported);
                }
                let var = self.var(Var::Text);
                let (all, none) = (self.words_of(all), self.words_of(none));
                let any = any.as_ref().map(|a| self.words_of(a));
                let conjs: Vec<Conj> = if truth {
                    match any {
                        Some(any) => any
                            .iter()
                            .map(|&k| Conj {
                                must: union(&all, &[k]),
                                must_not: none.clone(),
                            })
                            .collect(),
                        None => vec![Conj {
                            must: all,
                            must_not: none,
                        }],
                    }
                } else {
                    let one = |w: u32, present: bool| Conj {
                        must: if present { vec![w] } else { vec![] },
                        must_not: if present { vec![] } else { vec![w] },
                    };
                    any.map(|any| Conj {
                        must: Vec::new(),
                        must_not: any,
                    })
                    .into_iter()
                    .chain(all.iter().map(|&w| one(w, false)))
                    .chain(none.iter().map(|&w| one(w, true)))
                    .collect()
                };
                let mut cells = Vec::new();
                for conj in conjs {
                    let set = self.text(false, Some(conj));
                    if !is_empty(&set) {
                        cells.push(Cell(vec![(var, set)]));
                    }
                }
                if cells.len() > self.limits.max_cells {
                    return Err(GiveUp::TooLarge);
                }
                cells.sort();
                cells.dedup();
                return Ok(cells);
            }
            Cond::RequestedHuman(value) => {
                let var = self.var(Var::RequestedHuman);
                (var, Set::Flags(if *value == truth { TRUE } else { FALSE }))
            }
            Cond::Matches { field, regex } => {
                let var = self.var(Var::Regex {
                    field: field.clone(),
                    pattern: regex.as_str().to_string(),
                });
                (var, Set::Flags(if truth { TRUE } else { FALSE }))
            }
            Cond::All(_) | Cond::Any(_) | Cond::Not(_) => return Err(GiveUp::Unsupported),
        };
        Ok(if is_empty(&set) {
            Vec::new()
        } else {
            vec![Cell(vec![(var, set)])]
        })
    }

    fn product(&mut self, parts: Vec<Vec<Cell>>) -> Result<Vec<Cell>, GiveUp> {
        let mut acc = vec![Cell::default()];
        for part in parts {
            let mut next = Vec::new();
            for x in &acc {
                for y in &part {
                    self.spend(x.weight() + y.weight())?;
                    next.extend(self.meet_cells(x, y));
                    if next.len() > self.limits.max_cells {
                        return Err(GiveUp::TooLarge);
                    }
                }
            }
            next.sort();
            next.dedup();
            acc = next;
            if acc.is_empty() {
                break;
            }
        }
        Ok(acc)
    }

    fn meet_cells(&mut self, a: &Cell, b: &Cell) -> Option<Cell> {
        let mut out = Vec::with_capacity(a.0.len() + b.0.len());
        let (mut i, mut j) = (0, 0);
        while i < a.0.len() || j < b.0.len() {
            let next = match (a.0.get(i), b.0.get(j)) {
                (Some((va, sa)), Some((vb, sb))) if va == vb => {
                    i += 1;
                    j += 1;
                    let set = self.meet_sets(sa, sb);
                    if is_empty(&set) {
                        return None;
                    }
                    (*va, set)
                }
                (Some((va, sa)), Some((vb, _))) if va < vb => {
                    i += 1;
                    (*va, sa.clone())
                }
                (Some((va, sa)), None) => {
                    i += 1;
                    (*va, sa.clone())
                }
                (_, Some((vb, sb))) => {
                    j += 1;
                    (*vb, sb.clone())
                }
                (None, None) => break,
            };
            out.push(next);
        }
        Some(Cell(out))
    }

    fn meet_sets(&mut self, a: &Set, b: &Set) -> Set {
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
                missing: *ma && *mb,
                ivs: iv_meet(ia, ib),
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
                    (true, true) => (true, inter(va, vb)),
                    (true, false) => (true, minus(va, vb)),
                    (false, true) => (true, minus(vb, va)),
                    (false, false) => (false, union(va, vb)),
                };
                Set::Label {
                    missing: *ma && *mb,
                    only,
                    vals,
                }
            }
            (Set::Flags(x), Set::Flags(y)) => Set::Flags(x & y),
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
                        must: union(&x.must, &y.must),
                        must_not: union(&x.must_not, &y.must_not),
                    }),
                    _ => None,
                };
                self.text(*ma && *mb, known)
            }
            _ => unreachable!("one variable always has one kind of set"),
        }
    }

    /// `b \ a` for sets of one variable, as possibly overlapping pieces (none empty).
    fn minus_sets(&mut self, b: &Set, a: &Set) -> Vec<Set> {
        let piece = match (b, a) {
            (
                Set::Num {
                    missing: mb,
                    ivs: ib,
                },
                Set::Num {
                    missing: ma,
                    ivs: ia,
                },
            ) => Set::Num {
                missing: *mb && !*ma,
                ivs: iv_minus(ib, ia),
            },
            (
                Set::Label {
                    missing: mb,
                    only: ob,
                    vals: vb,
                },
                Set::Label {
                    missing: ma,
                    only: oa,
                    vals: va,
                },
            ) => {
                let (only, vals) = match (ob, oa) {
                    (true, true) => (true, minus(vb, va)),
                    (true, false) => (true, inter(vb, va)),
                    (false, true) => (false, union(vb, va)),
                    (false, false) => (true, minus(va, vb)),
                };
                Set::Label {
                    missing: *mb && !*ma,
                    only,
                    vals,
                }
            }
            (Set::Flags(x), Set::Flags(y)) => Set::Flags(x & !y),
            (
                Set::Text {
                    missing: mb,
                    known: kb,
                },
                Set::Text {
                    missing: ma,
                    known: ka,
                },
            ) => {
                let mut pieces = Vec::new();
                if *mb && !*ma {
                    pieces.push(Set::Text {
                        missing: true,
                        known: None,
                    });
                }
                match (kb, ka) {
                    (Some(kb), None) => pieces.push(Set::Text {
                        missing: false,
                        known: Some(kb.clone()),
                    }),
                    (Some(kb), Some(ka)) => {
                        // Not every keyword `a` requires, or some keyword `a` excludes.
                        for &p in &ka.must {
                            let conj = Conj {
                                must: kb.must.clone(),
                                must_not: union(&kb.must_not, &[p]),
                            };
                            pieces.push(self.text(false, Some(conj)));
                        }
                        for &n in &ka.must_not {
                            let conj = Conj {
                                must: union(&kb.must, &[n]),
                                must_not: kb.must_not.clone(),
                            };
                            pieces.push(self.text(false, Some(conj)));
                        }
                    }
                    (None, _) => {}
                }
                pieces.retain(|s| !is_empty(s));
                return pieces;
            }
            _ => unreachable!("one variable always has one kind of set"),
        };
        if is_empty(&piece) {
            Vec::new()
        } else {
            vec![piece]
        }
    }

    /// `b \ a` as cells, or `None` when `b` and `a` do not meet (so `b` is unchanged).
    fn minus_cell(&mut self, b: &Cell, a: &Cell) -> Option<Vec<Cell>> {
        let mut meets = Vec::with_capacity(a.0.len());
        for (v, av) in &a.0 {
            let m = match b.get(*v) {
                Some(bv) => self.meet_sets(bv, av),
                None => av.clone(),
            };
            if is_empty(&m) {
                return None;
            }
            meets.push(m);
        }
        // Pieces that leave `a` on one variable while agreeing with it on the earlier ones.
        let mut out = Vec::new();
        let mut cur = b.clone();
        for ((v, av), m) in a.0.iter().zip(meets) {
            let bv = cur.get(*v).cloned().unwrap_or_else(|| self.full(*v));
            for piece in self.minus_sets(&bv, av) {
                out.push(cur.with(*v, piece));
            }
            cur.set(*v, m);
        }
        Some(out)
    }

    fn subtract_cells(
        &mut self,
        mut rest: Vec<Cell>,
        minus: &[Cell],
    ) -> Result<(Vec<Cell>, bool), GiveUp> {
        let mut changed = false;
        for a in minus {
            let mut next = Vec::with_capacity(rest.len());
            for r in rest {
                self.spend(r.weight() + a.weight())?;
                match self.minus_cell(&r, a) {
                    None => next.push(r),
                    Some(pieces) => {
                        changed = true;
                        next.extend(pieces);
                    }
                }
                if next.len() > self.limits.max_cells {
                    return Err(GiveUp::TooLarge);
                }
            }
            if next.len() > 1 {
                next.sort();
                next.dedup();
            }
            rest = next;
            if rest.is_empty() {
                break;
            }
        }
        Ok((rest, changed))
    }

    /// One cell that contains every cell of `cells`.
    fn hull(&self, cells: &[Cell]) -> Option<Cell> {
        let (first, others) = cells.split_first()?;
        let mut hull = first.clone();
        for cell in others {
            let parts = std::mem::take(&mut hull.0);
            hull.0 = parts
                .into_iter()
                .filter_map(|(v, s)| cell.get(v).map(|t| (v, join(&s, t))))
                .filter(|(v, s)| *s != self.full(*v))
                .collect();
        }
        Some(hull)
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

fn is_empty(set: &Set) -> bool {
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
fn join(a: &Set, b: &Set) -> Set {
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

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use super::*;
    use crate::policy::condition::compile;
    use crate::policy::load::load_bytes;

    /// Compile each `when` (YAML flow style) of a one-rule-per-condition policy.
    fn conds(whens: &[&str]) -> Vec<Cond> {
        let mut yaml = String::from("version: 1\nrules:\n");
        for (i, when) in whens.iter().enumerate() {
            yaml += &format!("  - {{ id: r{i}, route: ai, when: {when} }}\n");
        }
        let loaded = load_bytes(PathBuf::from("t.yaml"), yaml.into_bytes()).expect("policy loads");
        let rules = &loaded.policy.rules;
        rules
            .iter()
            .map(|r| compile(&r.when).expect("compiles"))
            .collect()
    }

    fn analysis() -> Analysis {
        Analysis::new(&["urgent", "high", "normal", "low"].map(String::from))
    }

    fn never(when: &str) -> bool {
        analysis()
            .truth(&conds(&[when])[0])
            .expect("analysed")
            .is_empty()
    }

    /// Which earlier conditions (indices) are needed to cover the last one, if they do.
    fn cover(whens: &[&str]) -> Option<Vec<usize>> {
        let mut a = analysis();
        let regions: Vec<Region> = conds(whens)
            .iter()
            .map(|c| a.truth(c).expect("analysed"))
            .collect();
        let (last, earlier) = regions.split_last().expect("two conditions");
        a.cover(last, &earlier.iter().collect::<Vec<_>>())
            .expect("decided")
    }

    fn kw(text: &str) -> Keyword {
        Keyword::parse(text).expect("keyword")
    }

    #[test]
    fn keyword_cover_is_whole_word() {
        let yes = [
            ("cancel*", "cancellation"),
            ("cancel*", "cancelled*"),
            ("cancel*", "cancel"),
            ("card", "credit card"),
            ("credit", "credit card"),
            ("card*", "credit cards"),
            ("credit", "credit card*"),
            ("mail", "e-mail"),
            ("e", "e-mail"),
            ("c", "c++"),
            ("refund", "refund"),
            ("refund*", "refund*"),
        ];
        for (n, p) in yes {
            assert!(covers(&kw(n), &kw(p)), "{n} should cover {p}");
        }
        let no = [
            ("refund", "refunds"),
            ("cancel", "cancel*"),
            ("cancelled*", "cancel*"),
            ("credit card", "card"),
            ("credit card", "credit card*"),
            ("redit", "credit card"),
            ("email", "e-mail"),
            ("e-mail", "email"),
            ("c++", "c"),
            ("ail*", "e-mail"),
        ];
        for (n, p) in no {
            assert!(!covers(&kw(n), &kw(p)), "{n} should not cover {p}");
        }
    }

    #[test]
    fn stem_finder_agrees_with_the_quadratic_reference() {
        let long = format!("{} x-y", "ab ".repeat(100));
        let texts: Vec<String> = [
            "a",
            "ab",
            "ab ab",
            "b",
            "e",
            "e-",
            "mail",
            "c",
            "c+",
            "+",
            "x-y",
            "y",
            "ail",
            long.trim(),
            &long[3..],
        ]
        .iter()
        .map(|t| t.to_string())
        .collect();
        let finder = StemFinder::new(&texts);
        for host in [
            "e-mail",
            "c++",
            "ab ab ab",
            "mail*",
            "xab",
            long.as_str(),
            &long[3..],
        ] {
            for prefix in [false, true] {
                let p = Keyword {
                    text: host.trim().to_string(),
                    prefix,
                };
                let mut fast = Vec::new();
                finder.each_in(&p, |i, exact_ok| fast.push((texts[i].clone(), exact_ok)));
                let mut slow = Vec::new();
                boundary_substrings(&p, |sub, exact_ok| {
                    if texts.iter().any(|t| t == sub) {
                        slow.push((sub.to_string(), exact_ok));
                    }
                });
                fast.sort();
                fast.dedup();
                slow.sort();
                slow.dedup();
                assert_eq!(fast, slow, "{host} prefix={prefix}");
            }
        }
    }

    #[test]
    fn covering_stems_start_at_word_boundaries() {
        assert_eq!(
            covering_stems(&kw("e-mail")),
            [
                "e", "e-", "e-m", "e-ma", "e-mai", "e-mail", "m", "ma", "mai", "mail"
            ]
        );
        assert_eq!(covering_stems(&kw("c++")), ["c", "c+", "c++", "+"]);
    }

    #[test]
    fn numeric_ranges_are_exact() {
        assert!(never("{ confidence: { below: 0.5, at_least: 0.7 } }"));
        assert!(never("{ confidence: { below: 0.5, at_least: 0.5 } }"));
        assert!(!never("{ confidence: { below: 0.7, at_least: 0.5 } }"));
        assert!(never("{ confidence: { below: 0 } }"));
        assert!(!never("{ confidence: { at_least: 1.0 } }"));
        assert!(never("{ confidence: { at_least: 1.5 } }"));
        assert!(!never("{ confidence: { below: 80 } }"));
        assert!(never("{ sentiment: { below: -1 } }"));
        assert!(!never("{ sentiment: { at_least: -1, below: -0.99 } }"));
        assert!(!never("{ field: { name: score, below: -1000 } }"));
        assert!(never(
            "{ all: [ { confidence: { below: 0.6 } }, { confidence: { at_least: 0.6 } } ] }"
        ));
        // [0, 0.5) and [0.5, 1] are all of confidence, but only where it is known.
        assert_eq!(
            cover(&[
                "{ confidence: { below: 0.5 } }",
                "{ confidence: { at_least: 0.5 } }",
                "{ confidence: { at_least: 0 } }"
            ]),
            Some(vec![0, 1])
        );
        assert_eq!(
            cover(&[
                "{ confidence: { below: 0.8 } }",
                "{ confidence: { below: 0.9 } }"
            ]),
            None
        );
        assert_eq!(
            cover(&[
                "{ confidence: { below: 0.8 } }",
                "{ confidence: { below: 0.8 } }"
            ]),
            Some(vec![0])
        );
    }

    #[test]
    fn three_valued_logic() {
        // `not` of a leaf is false where the value is missing, not true.
        assert_eq!(
            cover(&[
                "{ confidence: { below: 0.8 } }",
                "{ not: { confidence: { below: 0.8 } } }"
            ]),
            None
        );
        // A test or its negation holds on every ticket where the value is known...
        let known =
            "{ any: [ { confidence: { below: 0.8 } }, { not: { confidence: { below: 0.8 } } } ] }";
        assert_eq!(
            cover(&[known, "{ confidence: { at_least: 0.3 } }"]),
            Some(vec![0])
        );
        // ...but not on tickets without a confidence.
        assert_eq!(cover(&[known, "{ sentiment: { below: 0 } }"]), None);
        assert_eq!(
            cover(&[known, "{ not: { confidence: { below: 0.1 } } }"]),
            Some(vec![0])
        );
        // `not any` is false on each branch: both false at once is impossible here.
        assert!(never(
            "{ not: { any: [ { confidence: { below: 0.5 } }, { confidence: { at_least: 0.5 } } ] } }"
        ));
        assert!(never(
            "{ all: [ { requested_human: true }, { not: { requested_human: true } } ] }"
        ));
        // `not all` is true when one part is false, even if another is unknown.
        assert_eq!(
            cover(&[
                "{ not: { all: [ { confidence: { below: 0.5 } }, { channel: { in: [chat] } } ] } }",
                "{ all: [ { confidence: { at_least: 0.5 } }, { category: { in: [billing] } } ] }",
            ]),
            Some(vec![0])
        );
        let either = "{ any: [ { requested_human: true }, { requested_human: false } ] }";
        assert_eq!(cover(&[either, "{ channel: { in: [chat] } }"]), None);
        assert_eq!(
            cover(&[
                either,
                "{ requested_human: false, channel: { in: [chat] } }"
            ]),
            Some(vec![0])
        );
    }

    #[test]
    fn labels_and_the_priority_universe() {
        let urgent_high = "{ priority: { in: [urgent, high] } }";
        let normal_low = "{ priority: { in: [normal, low] } }";
        assert_eq!(
            cover(&[urgent_high, normal_low, "{ priority: { in: [high] } }"]),
            Some(vec![0])
        );
        assert_eq!(
            cover(&[
                urgent_high,
                normal_low,
                "{ priority: { not_in: [urgent] } }"
            ]),
            Some(vec![0, 1])
        );
        assert_eq!(
            cover(&[urgent_high, normal_low, "{ channel: { in: [chat] } }"]),
            None
        );
        assert!(never("{ priority: { in: [critical] } }"));
        assert!(never(
            "{ priority: { not_in: [urgent, high, normal, low] } }"
        ));
        // Other labels can take any value.
        assert_eq!(
            cover(&[
                "{ customer_tier: { in: [free, pro] } }",
                "{ customer_tier: { in: [enterprise] } }",
                "{ customer_tier: { not_in: [trial] } }",
            ]),
            None
        );
        assert_eq!(
            cover(&[
                "{ customer_tier: { not_in: [free] } }",
                "{ customer_tier: { in: [Enterprise, pro] } }"
            ]),
            Some(vec![0])
        );
        assert!(never("{ customer_tier: { in: [a, b], not_in: [b, a] } }"));
        assert!(never(
            "{ field: { name: plan, equals: gold, in: [silver] } }"
        ));
        assert!(!never(
            "{ field: { name: plan, equals: gold, in: [gold, silver] } }"
        ));
        // With no declared priorities, priority labels are unbounded.
        let mut a = Analysis::new(&[]);
        let c = conds(&["{ priority: { in: [critical] } }"]);
        assert!(!a.truth(&c[0]).expect("analysed").is_empty());
    }

    #[test]
    fn keyword_sets() {
        assert_eq!(
            cover(&[
                "{ keywords: { any: [cancel*] } }",
                "{ keywords: { any: [cancellation] } }"
            ]),
            Some(vec![0])
        );
        assert_eq!(
            cover(&[
                "{ keywords: { any: [refund] } }",
                "{ keywords: { any: [refunds] } }"
            ]),
            None
        );
        assert_eq!(
            cover(&[
                "{ keywords: { any: [card] } }",
                "{ keywords: { any: [credit card] } }"
            ]),
            Some(vec![0])
        );
        assert_eq!(
            cover(&[
                "{ keywords: { any: [credit card] } }",
                "{ keywords: { any: [card] } }"
            ]),
            None
        );
        assert_eq!(
            cover(&[
                "{ keywords: { any: [mail] } }",
                "{ keywords: { all: [e-mail, bounce] } }"
            ]),
            Some(vec![0])
        );
        assert_eq!(
            cover(&["{ keywords: { any: [c] } }", "{ keywords: { any: [c++] } }"]),
            Some(vec![0])
        );
        assert_eq!(
            cover(&["{ keywords: { any: [c++] } }", "{ keywords: { any: [c] } }"]),
            None
        );
        // Every known text either has `a` or not; a missing text has neither.
        let has_a = "{ keywords: { any: [a] } }";
        let no_a = "{ keywords: { none: [a] } }";
        assert_eq!(
            cover(&[has_a, no_a, "{ keywords: { any: [b] } }"]),
            Some(vec![0, 1])
        );
        assert_eq!(cover(&[has_a, no_a, "{ channel: { in: [chat] } }"]), None);
        assert_eq!(cover(&[has_a, "{ keywords: { none: [a] } }"]), None);
        assert!(never("{ keywords: { any: [] } }"));
        assert!(never("{ keywords: { all: [credit card], none: [card] } }"));
        assert!(never("{ keywords: { any: [refund], none: [refund*] } }"));
        assert!(never("{ keywords: { any: [x, y], none: [x, y] } }"));
        assert!(!never("{ keywords: { any: [x, y], none: [x] } }"));
        assert!(!never("{ keywords: { all: [card], none: [credit card] } }"));
        assert!(never(
            "{ all: [ { keywords: { any: [cancellation] } }, { not: { keywords: { any: [cancel*] } } } ] }"
        ));
    }

    #[test]
    fn regexes_and_extra_fields_are_opaque() {
        let starts_a = "{ field: { name: code, matches: '^a' } }";
        assert_eq!(cover(&[starts_a, starts_a]), Some(vec![0]));
        assert_eq!(
            cover(&[starts_a, "{ field: { name: code, matches: '^ab' } }"]),
            None
        );
        assert_eq!(
            cover(&[starts_a, "{ field: { name: other, matches: '^a' } }"]),
            None
        );
        assert_eq!(
            cover(&[
                starts_a,
                "{ not: { field: { name: code, matches: '^a' } } }",
                "{ field: { name: code, in: [x] } }"
            ]),
            None
        );
        // A number test and a label test on one column are separate variables.
        assert_eq!(
            cover(&[
                "{ field: { name: score, below: 5 } }",
                "{ field: { name: score, at_least: 5 } }",
                "{ field: { name: score, in: ['3'] } }"
            ]),
            None
        );
        assert_eq!(
            cover(&[
                "{ field: { name: score, below: 5 } }",
                "{ field: { name: score, at_least: 5 } }",
                "{ field: { name: score, below: 100 } }"
            ]),
            Some(vec![0, 1])
        );
    }

    #[test]
    fn small_cover_sets() {
        assert_eq!(
            cover(&[
                "{ confidence: { below: 0.1 } }",
                "{ confidence: { below: 0.8 } }",
                "{ confidence: { below: 0.6 } }"
            ]),
            Some(vec![1])
        );
        assert_eq!(cover(&["{}", "{ channel: { in: [chat] } }"]), Some(vec![0]));
        // Regions that cannot meet the target are not reported as covering it.
        assert_eq!(
            cover(&[
                "{ channel: { in: [email] } }",
                "{ confidence: { below: 0.8 } }",
                "{ confidence: { below: 0.5 }, channel: { in: [chat] } }"
            ]),
            Some(vec![1])
        );
    }

    #[test]
    fn region_operations() {
        let c = conds(&[
            "{ confidence: { below: 0.5 } }",
            "{ confidence: { below: 0.8 } }",
            "{ confidence: { at_least: 0.5 } }",
        ]);
        let mut a = analysis();
        let r: Vec<Region> = c.iter().map(|c| a.truth(c).expect("analysed")).collect();
        assert!(a.subtract(&r[0], &r[1]).expect("subtracted").is_empty());
        assert!(!a.subtract(&r[1], &r[0]).expect("subtracted").is_empty());
        assert!(a.meet(&r[0], &r[2]).expect("met").is_empty());
        let f = a.falsity(&c[0]).expect("analysed");
        assert!(a.subtract(&f, &r[2]).expect("subtracted").is_empty());
        assert!(a.subtract(&r[2], &f).expect("subtracted").is_empty());
        assert_eq!(r[0].cells(), 1);
    }

    #[test]
    fn gives_up_instead_of_guessing() {
        let c = conds(&[
            "{ confidence: {} }",
            "{ keywords: {} }",
            "{ customer_tier: {} }",
        ]);
        let nan = Cond::Number {
            field: NumField::Confidence,
            below: Some(f64::NAN),
            at_least: None,
        };
        for cond in c.iter().chain([&nan]) {
            assert_eq!(analysis().truth(cond).err(), Some(GiveUp::Unsupported));
        }
        // An unsupported part inside a part that is never true does not matter.
        let c = conds(&["{ all: [ { confidence: {} }, { customer_tier: { in: [] } } ] }"]);
        assert!(analysis().truth(&c[0]).expect("analysed").is_empty());
        // 2^14 cells exceed the default limit of 10,000.
        let pairs: Vec<String> = (0..14)
            .map(|i| format!("{{ any: [ {{ field: {{ name: f{i}, in: [x] }} }}, {{ field: {{ name: g{i}, in: [x] }} }} ] }}"))
            .collect();
        let when = format!("{{ all: [ {} ] }}", pairs.join(", "));
        assert_eq!(
            analysis().truth(&conds(&[&when])[0]).err(),
            Some(GiveUp::TooLarge)
        );
        let mut a = Analysis::with_limits(&[], Limits { max_cells: 2 });
        let c = conds(&["{ keywords: { any: [a, b, c] } }"]);
        assert_eq!(a.truth(&c[0]).err(), Some(GiveUp::TooLarge));
        let mut a = analysis();
        a.set_budget(0);
        let c = conds(&["{ confidence: { below: 0.5 }, channel: { in: [chat] } }"]);
        assert_eq!(a.truth(&c[0]).err(), Some(GiveUp::Budget));
    }

    /// A ticket for the reference evaluator; absent keys are missing values.
    #[derive(Debug, Default)]
    struct Ticket {
        numbers: HashMap<&'static str, f64>,
        labels: HashMap<&'static str, &'static str>,
        text: Option<String>,
        human: Option<bool>,
    }

    /// DESIGN §2 evaluated directly (word characters as the design defines them).
    fn eval(c: &Cond, t: &Ticket) -> Option<bool> {
        let word = |c: char| c.is_alphanumeric() || c == '_';
        let has = |text: &str, k: &Keyword| {
            text.char_indices().any(|(i, _)| {
                text[i..].starts_with(&k.text)
                    && text[..i].chars().next_back().is_none_or(|c| !word(c))
                    && (k.prefix
                        || text[i + k.text.len()..]
                            .chars()
                            .next()
                            .is_none_or(|c| !word(c)))
            })
        };
        match c {
            Cond::All(parts) => parts
                .iter()
                .try_fold(Some(true), |acc, p| match eval(p, t) {
                    Some(false) => Err(()),
                    v => Ok(acc.and(v)),
                })
                .unwrap_or(Some(false)),
            Cond::Any(parts) => parts
                .iter()
                .try_fold(Some(false), |acc, p| match eval(p, t) {
                    Some(true) => Err(()),
                    v => Ok(acc.and(v)),
                })
                .unwrap_or(Some(true)),
            Cond::Not(inner) => eval(inner, t).map(|b| !b),
            Cond::Number {
                field,
                below,
                at_least,
            } => {
                let v = *t.numbers.get(field.name())?;
                Some(below.is_none_or(|b| v < b) && at_least.is_none_or(|a| v >= a))
            }
            Cond::Label { field, in_, not_in } => {
                let v = t.labels.get(field.name())?.to_string();
                Some(in_.as_ref().is_none_or(|s| s.contains(&v)) && !not_in.contains(&v))
            }
            Cond::Keywords { any, all, none } => {
                let text = t.text.as_deref()?;
                Some(
                    any.as_ref().is_none_or(|a| a.iter().any(|k| has(text, k)))
                        && all.iter().all(|k| has(text, k))
                        && !none.iter().any(|k| has(text, k)),
                )
            }
            Cond::RequestedHuman(b) => t.human.map(|h| h == *b),
            Cond::Matches { field, regex } => {
                t.labels.get(field.as_str()).map(|v| regex.is_match(v))
            }
        }
    }

    /// A small deterministic generator (xorshift).
    struct Rng(u64);

    impl Rng {
        fn below(&mut self, n: usize) -> usize {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            (self.0 % n as u64) as usize
        }
        fn pick<T: Clone>(&mut self, items: &[T]) -> T {
            items[self.below(items.len())].clone()
        }
        fn some<T: Clone>(&mut self, items: &[T]) -> Option<T> {
            (self.below(3) > 0).then(|| self.pick(items))
        }
        fn subset(&mut self, items: &[&str], max: usize) -> Vec<String> {
            (0..self.below(max + 1))
                .map(|_| self.pick(items).to_string())
                .collect()
        }
    }

    const WORDS: [&str; 14] = [
        "cancel",
        "cancellation",
        "cancelled",
        "card",
        "credit card",
        "credit",
        "mail",
        "e-mail",
        "email",
        "c",
        "c++",
        "refund",
        "refunds",
        "x",
    ];
    const KEYWORDS: [&str; 12] = [
        "cancel*",
        "cancellation",
        "card",
        "credit card",
        "card*",
        "mail",
        "e-mail",
        "c",
        "c++",
        "refund",
        "refund*",
        "e",
    ];

    fn random_leaf(rng: &mut Rng) -> Cond {
        let words = |rng: &mut Rng, max: usize| -> Vec<Keyword> {
            (0..rng.below(max + 1))
                .map(|_| kw(rng.pick(&KEYWORDS)))
                .collect()
        };
        match rng.below(8) {
            0 => Cond::Number {
                field: NumField::Confidence,
                below: rng.some(&[0.2, 0.5, 0.8, 1.0]),
                at_least: rng.some(&[0.0, 0.2, 0.5, 1.0]),
            },
            1 => Cond::Number {
                field: rng.pick(&[NumField::Sentiment, NumField::Extra("score".into())]),
                below: rng.some(&[-0.5, 0.0, 1.0, 5.0]),
                at_least: rng.some(&[-1.0, 0.0, 3.0]),
            },
            2 => Cond::Label {
                field: LabelField::Canonical(Label::Priority),
                in_: rng
                    .some(&[()])
                    .map(|()| rng.subset(&["urgent", "high", "normal", "low"], 3)),
                not_in: rng.subset(&["urgent", "high", "low"], 2),
            },
            3 => Cond::Label {
                field: rng.pick(&[
                    LabelField::Canonical(Label::CustomerTier),
                    LabelField::Extra("code".into()),
                ]),
                in_: rng
                    .some(&[()])
                    .map(|()| rng.subset(&["a", "b", "x1", "y1"], 2)),
                not_in: rng.subset(&["a", "x1"], 1),
            },
            4 => Cond::Matches {
                field: "code".into(),
                regex: regex::Regex::new(rng.pick(&["^x", "1$"])).expect("regex"),
            },
            5 => Cond::RequestedHuman(rng.below(2) == 0),
            _ => Cond::Keywords {
                any: rng.some(&[()]).map(|()| words(rng, 2)),
                all: words(rng, 1),
                none: words(rng, 1),
            },
        }
    }

    fn random_cond(rng: &mut Rng, depth: usize) -> Cond {
        if depth == 0 || rng.below(3) == 0 {
            return random_leaf(rng);
        }
        let parts = (0..1 + rng.below(3))
            .map(|_| random_cond(rng, depth - 1))
            .collect();
        match rng.below(3) {
            0 => Cond::All(parts),
            1 => Cond::Any(parts),
            _ => Cond::Not(Box::new(random_cond(rng, depth - 1))),
        }
    }

    fn random_ticket(rng: &mut Rng) -> Ticket {
        let mut t = Ticket::default();
        let numbers = [
            ("confidence", &[0.0, 0.1, 0.2, 0.5, 0.7, 0.8, 1.0][..]),
            ("sentiment", &[-1.0, -0.5, -0.2, 0.0, 0.5, 1.0][..]),
            ("score", &[-3.0, 0.0, 3.0, 4.0, 5.0, 9.0][..]),
        ];
        for (name, values) in numbers {
            t.numbers.extend(rng.some(values).map(|v| (name, v)));
        }
        let labels = [
            ("priority", &["urgent", "high", "normal", "low"][..]),
            ("customer_tier", &["a", "b", "c"][..]),
            ("code", &["x1", "x2", "y1", "a"][..]),
        ];
        for (name, values) in labels {
            t.labels.extend(rng.some(values).map(|v| (name, v)));
        }
        t.human = rng.some(&[true, false]);
        let mut text = String::new();
        for _ in 0..rng.below(4) {
            text += rng.pick(&[" ", "-", "", ", ", "+"]);
            text += rng.pick(&WORDS);
        }
        t.text = (!text.is_empty() && rng.below(4) > 0).then_some(text);
        t
    }

    /// What the analysis proves (never true, covered) must hold on every sampled ticket.
    #[test]
    fn proofs_hold_on_random_tickets() {
        let mut rng = Rng(0x2545_f491_4f6c_dd1d);
        let tickets: Vec<Ticket> = (0..3000).map(|_| random_ticket(&mut rng)).collect();
        let (mut empties, mut covers) = (0, 0);
        for _ in 0..1000 {
            let conds: Vec<Cond> = (0..4).map(|_| random_cond(&mut rng, 3)).collect();
            let mut a = analysis();
            let Ok(regions) = conds
                .iter()
                .map(|c| a.truth(c))
                .collect::<Result<Vec<_>, _>>()
            else {
                continue;
            };
            for (c, r) in conds.iter().zip(&regions) {
                if r.is_empty() {
                    empties += 1;
                    let t = tickets.iter().find(|t| eval(c, t) == Some(true));
                    assert!(t.is_none(), "{c:?} said never true, but is on {t:?}");
                }
            }
            let (target, earlier) = regions.split_last().expect("regions");
            if target.is_empty() {
                continue;
            }
            if let Ok(Some(used)) = a.cover(target, &earlier.iter().collect::<Vec<_>>()) {
                covers += 1;
                for t in tickets.iter().filter(|t| eval(&conds[3], t) == Some(true)) {
                    assert!(
                        used.iter().any(|&i| eval(&conds[i], t) == Some(true)),
                        "{:?} said covered by {used:?} of {:?}, but not on {t:?}",
                        conds[3],
                        &conds[..3]
                    );
                }
            }
        }
        assert!(
            empties > 100 && covers > 20,
            "{empties} never-true, {covers} covered"
        );
    }
}
