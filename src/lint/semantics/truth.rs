//! The cells of a condition: `T(c)` and `F(c)` by the rules of three-valued logic (`not` swaps
//! them, `all` and `any` are products and unions), down to the leaves, whose cells constrain one
//! variable each.

use super::GiveUp;
use super::analysis::{Analysis, Var};
use super::sets::{
    Cell, Conj, FALSE, Set, TRUE, domain, inter, is_empty, iv_meet, iv_minus, key, minus, union,
};
use crate::policy::condition::Cond;

impl Analysis {
    /// The cells of `T(c)` when `truth`, else of `F(c)`.
    pub(super) fn cells(&mut self, c: &Cond, truth: bool) -> Result<Vec<Cell>, GiveUp> {
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

    /// The cells of one leaf test: true or false only where its value is known.
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
            Cond::BusinessHours(value) => {
                let var = self.var(Var::BusinessHours);
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
}
