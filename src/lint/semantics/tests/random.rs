//! What the analysis proves (a condition never true, a rule covered) must hold on random
//! tickets evaluated directly by DESIGN §2.

use std::collections::HashMap;

use super::{analysis, kw};
use crate::fields::Label;
use crate::policy::condition::{Cond, Keyword, LabelField, NumField};

/// A ticket for the reference evaluator; absent keys are missing values.
#[derive(Debug, Default)]
struct Ticket {
    numbers: HashMap<&'static str, f64>,
    labels: HashMap<&'static str, &'static str>,
    text: Option<String>,
    human: Option<bool>,
    /// `business_hours`: whether the ticket arrived while the calendar was open.
    open: Option<bool>,
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
        Cond::BusinessHours(b) => t.open.map(|o| o == *b),
        Cond::Matches { field, regex } => t.labels.get(field.as_str()).map(|v| regex.is_match(v)),
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
        5 if rng.below(2) == 0 => Cond::BusinessHours(rng.below(2) == 0),
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
    t.open = rng.some(&[true, false]);
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
