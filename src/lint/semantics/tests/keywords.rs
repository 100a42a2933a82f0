//! Keyword covering: whole words, prefixes and punctuation, and the fast stem finder against a
//! quadratic reference.

use super::kw;
use crate::lint::semantics::keywords::is_word_char;
use crate::lint::semantics::{StemFinder, covers};
use crate::policy::condition::Keyword;

/// Calls `visit(substring, exact_ok)` for every substring of `p`'s text that starts at a word
/// boundary; `exact_ok` says whether an exact keyword equal to the substring would also end at
/// a boundary in every text that contains `p`. Quadratic in the length of `p`: the reference
/// for [`StemFinder`], used by tests only.
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

/// The stems `s` for which a prefix keyword `s*` covers `p`: every substring of `p`'s text that
/// starts at a word boundary (longest last for each start). Quadratic; tests only.
fn covering_stems(p: &Keyword) -> Vec<&str> {
    let mut stems = Vec::new();
    boundary_substrings(p, |sub, _| stems.push(sub));
    stems
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
