//! The [`Analysis`]: the tables a policy's conditions are read into (variables, labels,
//! keywords, the priority universe), the limits and work budget, and the operations on regions
//! it offers (truth and falsity of a condition, meet, subtraction; the covering search is in
//! [`super::cover`]).

use std::collections::HashMap;

use super::keywords::Words;
use super::sets::{Cell, Conj, FALSE, MISSING, Set, TRUE, domain, union};
use super::{GiveUp, Limits, Region};
use crate::fields::Label;
use crate::policy::condition::{Cond, Keyword, LabelField, NumField};

/// A variable of the ticket space: a numeric or label field, `requested_human`, one regex
/// test on one column, or the text.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(super) enum Var {
    Num(NumField),
    Label(LabelField),
    RequestedHuman,
    /// `business_hours`: an opaque boolean of the arrival time (its link with `created_at`
    /// through the calendar is not analysed).
    BusinessHours,
    Regex {
        field: String,
        pattern: String,
    },
    Text,
}

/// The analysis: variable and keyword tables, the priority universe, limits and work budget.
pub struct Analysis {
    pub(super) limits: Limits,
    vars: Vec<Var>,
    var_ids: HashMap<Var, u32>,
    labels: HashMap<String, u32>,
    /// Sorted ids of the declared priorities; `None` when none are declared.
    priorities: Option<Vec<u32>>,
    pub(super) words: Words,
    pub(super) budget: u64,
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

    pub(super) fn spend(&mut self, units: u64) -> Result<(), GiveUp> {
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

    fn region(&mut self, cells: Vec<Cell>) -> Region {
        let hull = self.hull(&cells);
        Region { cells, hull }
    }

    pub(super) fn var(&mut self, var: Var) -> u32 {
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

    pub(super) fn labels_of(&mut self, labels: &[String]) -> Vec<u32> {
        let ids: Vec<u32> = labels.iter().map(|l| self.label(l)).collect();
        union(&ids, &[])
    }

    pub(super) fn words_of(&mut self, words: &[Keyword]) -> Vec<u32> {
        let ids: Vec<u32> = words.iter().map(|k| self.words.intern(k)).collect();
        union(&ids, &[])
    }

    pub(super) fn universe(&self, var: u32) -> Option<&[u32]> {
        match &self.vars[var as usize] {
            Var::Label(LabelField::Canonical(Label::Priority)) => self.priorities.as_deref(),
            _ => None,
        }
    }

    pub(super) fn full(&self, var: u32) -> Set {
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
            Var::RequestedHuman | Var::BusinessHours | Var::Regex { .. } => {
                Set::Flags(MISSING | TRUE | FALSE)
            }
            Var::Text => Set::Text {
                missing: true,
                known: Some(Conj::default()),
            },
        }
    }

    pub(super) fn text(&mut self, missing: bool, known: Option<Conj>) -> Set {
        let known = known.filter(|c| !self.words.conj_is_empty(c));
        Set::Text { missing, known }
    }
}
