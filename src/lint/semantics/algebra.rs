//! Meet and difference of cells, exact on the model: the product of unions of cells, the
//! intersection of two cells, the pieces of one cell outside another, the subtraction of whole
//! regions within the cell limit and work budget, and the hull of a region.

use super::GiveUp;
use super::analysis::Analysis;
use super::sets::{Cell, Conj, Set, inter, is_empty, iv_meet, iv_minus, join, minus, union};

impl Analysis {
    /// The meet of unions of cells: one cell per choice of a cell from each part.
    pub(super) fn product(&mut self, parts: Vec<Vec<Cell>>) -> Result<Vec<Cell>, GiveUp> {
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

    /// The tickets in both cells, or `None` when they do not meet.
    pub(super) fn meet_cells(&mut self, a: &Cell, b: &Cell) -> Option<Cell> {
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

    /// The values in both sets of one variable.
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

    /// `rest` minus every cell of `minus`, and whether anything was removed.
    pub(super) fn subtract_cells(
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
    pub(super) fn hull(&self, cells: &[Cell]) -> Option<Cell> {
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
