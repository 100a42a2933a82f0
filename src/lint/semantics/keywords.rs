//! Keyword covering: whether every text that contains one keyword (as a whole word, or as a
//! word's start for `p*`) also contains another, found for many keywords at once by
//! [`StemFinder`]; and [`Words`], the interned keywords of an analysis with, per keyword, the
//! keywords that cover it.

use std::collections::HashMap;

use unicode_normalization::char::is_combining_mark;

use super::sets::Conj;
use crate::policy::condition::Keyword;
use crate::text::kmp::Kmp;

/// Whether `c` can sit next to a keyword inside a word. Deliberately broad (letters, digits,
/// marks, `_` and other connector punctuation, zero-width joiners): the analysis only relies on
/// characters that are *not* word characters, so a broad set keeps it safe.
pub(super) fn is_word_char(c: char) -> bool {
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

/// Finds, in a keyword's text, the occurrences of a set of texts (other keywords, or the stems
/// of prefix keywords) that start at a word boundary — the substrings that can cover it — in
/// time linear in the keyword's length plus the occurrences, however long the keywords are:
/// short texts in one Aho-Corasick pass, the few long ones (a hostile policy's megabyte
/// keyword) each with a Knuth-Morris-Pratt scan, which needs no large automaton.
pub struct StemFinder {
    short: Option<aho_corasick::AhoCorasick>,
    /// Pattern index of each short text, in the order given to the automaton.
    short_ids: Vec<usize>,
    /// Long texts: pattern index and searcher.
    long: Vec<(usize, Kmp)>,
}

/// Texts longer than this are searched with KMP rather than the automaton.
const LONG_STEM: usize = 256;

impl StemFinder {
    /// A finder for `texts`; pattern `i` is `texts[i]` (empty texts never match).
    pub fn new<T: AsRef<str>>(texts: &[T]) -> StemFinder {
        let mut short_ids = Vec::new();
        let mut short = Vec::new();
        let mut long = Vec::new();
        for (i, text) in texts.iter().enumerate() {
            let bytes = text.as_ref().as_bytes();
            if bytes.len() > LONG_STEM {
                long.push((i, Kmp::new(bytes)));
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
        for (pattern, kmp) in &self.long {
            if kmp.len() <= text.len() {
                kmp.each(text.as_bytes(), |start| {
                    occurrence(*pattern, start, start + kmp.len());
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

/// A [`StemFinder`] over the interned keyword texts: pattern `i` is the text whose exact and
/// prefix keyword ids are `ids[i]`.
struct WordFinder {
    generation: u64,
    ids: Vec<[Option<u32>; 2]>,
    finder: StemFinder,
}

/// Interned keywords and, per keyword, the interned keywords that cover it.
#[derive(Default)]
pub(super) struct Words {
    list: Vec<Keyword>,
    by_text: HashMap<String, [Option<u32>; 2]>,
    /// Bumped whenever a keyword is added, which invalidates every `coverers` entry.
    generation: u64,
    coverers: Vec<(u64, Vec<u32>)>,
    /// A finder for the distinct texts of `list`, as of a generation.
    finder: Option<WordFinder>,
}

impl Words {
    pub(super) fn intern(&mut self, k: &Keyword) -> u32 {
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

    pub(super) fn coverers(&mut self, p: u32) -> &[u32] {
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

    pub(super) fn conj_is_empty(&mut self, c: &Conj) -> bool {
        c.must.iter().any(|&p| {
            self.coverers(p)
                .iter()
                .any(|n| c.must_not.binary_search(n).is_ok())
        })
    }
}
