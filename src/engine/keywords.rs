//! Keyword matching in one pass per text column, with the whole-word and prefix (`cancel*`)
//! semantics of DESIGN §2.
//!
//! A keyword can only match where the character before it is not a word character, so the
//! scan looks for those positions, eight ASCII bytes at a time, and compares there the few
//! keywords that begin with the byte found. An Aho-Corasick overlapping search steps its
//! automaton through every byte instead; the tests check that both find exactly the same
//! keywords.

use crate::policy::condition::Keyword;
use crate::text::kmp::Kmp;

/// Keyword texts longer than this (in bytes) are found by [`LongPattern`]: comparing them at
/// every candidate position would cost their length each time.
const LONG: usize = 64;

/// A long keyword text, found in one pass over the text (Knuth–Morris–Pratt), overlapping
/// occurrences included.
#[derive(Clone)]
struct LongPattern {
    kmp: Kmp,
    exact: Option<usize>,
    prefix: Option<usize>,
}

impl LongPattern {
    fn new(text: &[u8], exact: Option<usize>, prefix: Option<usize>) -> LongPattern {
        LongPattern {
            kmp: Kmp::new(text),
            exact,
            prefix,
        }
    }

    fn scan(&self, text: &str, mut mark: impl FnMut(usize)) {
        self.kmp.each(text.as_bytes(), |start| {
            // Keyword texts are whole characters, so `start` is a character boundary.
            if text[..start].chars().next_back().is_some_and(is_word_char) {
                return;
            }
            if let Some(id) = self.prefix {
                mark(id);
            }
            if let Some(id) = self.exact {
                if !word_char_at(text, start + self.kmp.len()) {
                    mark(id);
                }
            }
        });
    }
}

/// All keywords of a policy, matched together.
#[derive(Clone)]
pub struct KeywordMatcher {
    /// Distinct keyword texts, each with the keyword ids of its exact and its prefix form.
    patterns: Vec<Pattern>,
    /// Per first byte: the range of `by_first` holding the patterns that begin with it.
    buckets: Box<[(u32, u32); 256]>,
    /// Indices into `patterns`, grouped by first byte.
    by_first: Vec<usize>,
    /// One bit per pair of bytes that begins some keyword (any second byte for one-byte
    /// keywords): a position whose next two bytes are not in it needs no comparison.
    pairs: Box<[u64; 1024]>,
    /// A SIMD multi-substring search (Teddy) for the keyword texts, where the CPU has one:
    /// it finds, from any position, the first position where some keyword text occurs.
    packed: Option<aho_corasick::packed::Searcher>,
    /// Keyword texts longer than [`LONG`] bytes, each searched on its own.
    long: Vec<LongPattern>,
    count: usize,
    /// Per keyword id: the range of `group_slots` holding the groups it belongs to.
    group_ranges: Vec<(u32, u32)>,
    /// Slots in `found` after the keywords' own, one per group ([`Self::with_groups`]).
    group_slots: Vec<usize>,
    groups: usize,
}

#[derive(Clone)]
struct Pattern {
    text: Box<[u8]>,
    /// The first (up to) 8 bytes, little-endian, and the mask that selects them: most
    /// comparisons are one load and one compare.
    head: u64,
    head_mask: u64,
    exact: Option<usize>,
    prefix: Option<usize>,
}

/// A word character: a keyword matches only where none touches it (Unicode letters, numbers,
/// `_`). `handoff sql` writes the same set out for each dialect (`src/sql/words.rs`).
pub fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// [`is_word_char`] for ASCII bytes.
const ASCII_WORD: [bool; 128] = {
    let mut table = [false; 128];
    let mut b = 0;
    while b < 128 {
        table[b] = (b as u8).is_ascii_alphanumeric() || b == b'_' as usize;
        b += 1;
    }
    table
};

/// Whether the text at `at` starts with a word character.
fn word_char_at(text: &str, at: usize) -> bool {
    match text.as_bytes().get(at) {
        None => false,
        Some(&b) if b < 0x80 => ASCII_WORD[b as usize],
        Some(_) => text[at..].chars().next().is_some_and(is_word_char),
    }
}

const ONES: u64 = 0x0101_0101_0101_0101;
const HIGHS: u64 = 0x8080_8080_8080_8080;

/// For 8 ASCII bytes: the high bit of each byte greater than `m`.
fn greater(x: u64, m: u8) -> u64 {
    // A byte b ≤ 127 plus 127 − m reaches 128 exactly when b > m, and never carries out.
    x.wrapping_add(ONES * u64::from(127 - m)) & HIGHS
}

/// For 8 ASCII bytes: the high bit of each byte in `lo..=hi`.
fn within(x: u64, lo: u8, hi: u8) -> u64 {
    greater(x, lo - 1) & !greater(x, hi)
}

/// For 8 ASCII bytes: the high bit of each byte that is not a word character (`[0-9A-Za-z_]`).
fn non_word_bytes(x: u64) -> u64 {
    let underscore = !(x ^ (ONES * u64::from(b'_'))).wrapping_add(ONES * 0x7f) & HIGHS;
    let word = within(x, b'0', b'9') | within(x, b'A', b'Z') | within(x, b'a', b'z') | underscore;
    !word & HIGHS
}

impl KeywordMatcher {
    /// `keywords[i]` gets id `i`.
    pub fn new(keywords: &[Keyword]) -> KeywordMatcher {
        Self::with_groups(keywords, &[])
    }

    /// `keywords[i]` gets id `i`, and group `g` (a list of keyword ids) the slot
    /// `keywords.len() + g` in `found`: a scan marks it when it marks any of its keywords, so
    /// a condition's `any` list is one test instead of one per keyword.
    pub fn with_groups(keywords: &[Keyword], groups: &[Vec<usize>]) -> KeywordMatcher {
        let mut member_of: Vec<Vec<usize>> = vec![Vec::new(); keywords.len()];
        for (g, members) in groups.iter().enumerate() {
            for &id in members {
                if let Some(of) = member_of.get_mut(id) {
                    if !of.contains(&(keywords.len() + g)) {
                        of.push(keywords.len() + g);
                    }
                }
            }
        }
        let mut group_ranges = Vec::with_capacity(keywords.len());
        let mut group_slots = Vec::new();
        for of in &member_of {
            let start = group_slots.len() as u32;
            group_slots.extend_from_slice(of);
            group_ranges.push((start, group_slots.len() as u32));
        }
        let mut patterns: Vec<Pattern> = Vec::new();
        // Keyword text → pattern index: hashed, so a 1 MB keyword list compiles in linear time.
        let mut index_of: std::collections::HashMap<&[u8], usize> =
            std::collections::HashMap::new();
        for (id, keyword) in keywords.iter().enumerate() {
            let text = keyword.text.as_bytes();
            let index = match index_of.get(text).copied() {
                Some(index) => index,
                None => {
                    index_of.insert(text, patterns.len());
                    let n = text.len().min(8);
                    let mut head = [0u8; 8];
                    head[..n].copy_from_slice(&text[..n]);
                    patterns.push(Pattern {
                        text: text.into(),
                        head: u64::from_le_bytes(head),
                        head_mask: if n == 8 {
                            u64::MAX
                        } else {
                            (1u64 << (8 * n)) - 1
                        },
                        exact: None,
                        prefix: None,
                    });
                    patterns.len() - 1
                }
            };
            if keyword.prefix {
                patterns[index].prefix = Some(id);
            } else {
                patterns[index].exact = Some(id);
            }
        }
        let long: Vec<LongPattern> = patterns
            .iter()
            .filter(|p| p.text.len() > LONG)
            .map(|p| LongPattern::new(&p.text, p.exact, p.prefix))
            .collect();
        patterns.retain(|p| p.text.len() <= LONG);
        // Keyword texts are never empty (`Keyword::parse`); an empty one could not match.
        let mut by_first: Vec<usize> = (0..patterns.len())
            .filter(|&i| !patterns[i].text.is_empty())
            .collect();
        by_first.sort_by_key(|&i| patterns[i].text[0]);
        let mut buckets = Box::new([(0u32, 0u32); 256]);
        for (position, &index) in by_first.iter().enumerate() {
            let bucket = &mut buckets[patterns[index].text[0] as usize];
            if bucket.1 == 0 {
                bucket.0 = position as u32;
            }
            bucket.1 = position as u32 + 1;
        }
        let mut pairs = Box::new([0u64; 1024]);
        for pattern in &patterns {
            let seconds = match pattern.text.get(1) {
                Some(&second) => second..=second,
                None => 0..=255,
            };
            for second in seconds {
                let pair = usize::from(pattern.text[0]) << 8 | usize::from(second);
                pairs[pair / 64] |= 1 << (pair % 64);
            }
        }
        let packed = aho_corasick::packed::Config::new()
            .match_kind(aho_corasick::packed::MatchKind::LeftmostFirst)
            .builder()
            .extend(patterns.iter().map(|p| &p.text))
            .build();
        KeywordMatcher {
            patterns,
            buckets,
            by_first,
            pairs,
            packed,
            long,
            count: keywords.len(),
            group_ranges,
            group_slots,
            groups: groups.len(),
        }
    }

    /// The number of keywords (ids `0..len()`).
    pub fn len(&self) -> usize {
        self.count
    }

    /// The length `found` needs: the keywords' slots, then the groups'.
    pub fn slots(&self) -> usize {
        self.count + self.groups
    }

    /// Mark keyword `id` and the groups it belongs to (those that fit in `found`: a caller
    /// may size it for the keywords only).
    #[inline]
    fn mark(&self, id: usize, found: &mut [bool]) {
        found[id] = true;
        if let Some(&(start, end)) = self.group_ranges.get(id) {
            for &slot in &self.group_slots[start as usize..end as usize] {
                if let Some(f) = found.get_mut(slot) {
                    *f = true;
                }
            }
        }
    }

    pub fn is_empty(&self) -> bool {
        self.count == 0
    }

    /// Mark in `found` (indexed by keyword id, then group) every keyword that occurs in `text`,
    /// and the groups it belongs to. `text` must already be NFC-normalised and lower-cased.
    pub fn scan(&self, text: &str, found: &mut [bool]) {
        match &self.packed {
            Some(packed) => self.scan_packed(packed, text, found),
            None => self.scan_word_starts(text, found),
        }
    }

    fn scan_long(&self, text: &str, found: &mut [bool]) {
        for long in &self.long {
            long.scan(text, |id| self.mark(id, found));
        }
    }

    /// Visit every position where a keyword text occurs: the packed search reports the
    /// leftmost one from where it starts, so starting again one byte further visits them all,
    /// overlapping ones included.
    fn scan_packed(&self, packed: &aho_corasick::packed::Searcher, text: &str, found: &mut [bool]) {
        if !self.long.is_empty() {
            self.scan_long(text, found);
        }
        let mut from = 0;
        while let Some(m) = packed.find_in(text, aho_corasick::Span::from(from..text.len())) {
            let at = m.start();
            // A match starts where its keyword's first character does: a boundary.
            if !text[..at].chars().next_back().is_some_and(is_word_char) {
                self.try_keywords(text, at, found);
            }
            from = at + 1;
        }
    }

    /// Visit the start of the text and every position after a non-word character.
    fn scan_word_starts(&self, text: &str, found: &mut [bool]) {
        if !self.long.is_empty() {
            self.scan_long(text, found);
        }
        if self.patterns.is_empty() {
            return;
        }
        let bytes = text.as_bytes();
        // Keywords may start at the beginning and after every non-word character.
        self.try_at(text, 0, found);
        let mut at = 0;
        while at < bytes.len() {
            if let Some(chunk) = bytes.get(at..at + 8) {
                let x = u64::from_le_bytes(chunk.try_into().unwrap_or([0x80; 8]));
                if x & HIGHS == 0 {
                    let mut non_word = non_word_bytes(x);
                    while non_word != 0 {
                        let byte = (non_word.trailing_zeros() / 8) as usize;
                        self.try_at(text, at + byte + 1, found);
                        non_word &= non_word - 1;
                    }
                    at += 8;
                    continue;
                }
            }
            // Near the end, and around non-ASCII characters: one character at a time. `at`
            // stays on character boundaries: it only advances past whole characters.
            let b = bytes[at];
            if b < 0x80 {
                at += 1;
                if !ASCII_WORD[b as usize] {
                    self.try_at(text, at, found);
                }
            } else {
                let c = text[at..]
                    .chars()
                    .next()
                    .unwrap_or(char::REPLACEMENT_CHARACTER);
                at += c.len_utf8();
                if !is_word_char(c) {
                    self.try_at(text, at, found);
                }
            }
        }
    }

    /// Try the keywords that begin with the bytes at `at`.
    #[inline]
    fn try_at(&self, text: &str, at: usize, found: &mut [bool]) {
        let bytes = text.as_bytes();
        if let Some(&[first, second]) = bytes.get(at..at + 2) {
            let pair = usize::from(first) << 8 | usize::from(second);
            if self.pairs[pair / 64] & (1 << (pair % 64)) == 0 {
                return;
            }
        }
        self.try_keywords(text, at, found);
    }

    #[inline(never)]
    fn try_keywords(&self, text: &str, at: usize, found: &mut [bool]) {
        let Some(&first) = text.as_bytes().get(at) else {
            return;
        };
        let (start, end) = self.buckets[first as usize];
        for &index in &self.by_first[start as usize..end as usize] {
            self.try_match(text, at, index, found);
        }
    }

    fn try_match(&self, text: &str, at: usize, index: usize, found: &mut [bool]) {
        let pattern = &self.patterns[index];
        let rest = &text.as_bytes()[at..];
        let matches = match rest.get(..8) {
            Some(eight) => {
                let x = u64::from_le_bytes(eight.try_into().unwrap_or([0; 8]));
                x & pattern.head_mask == pattern.head
                    && (pattern.text.len() <= 8 || rest.starts_with(&pattern.text))
            }
            None => rest.starts_with(&pattern.text),
        };
        if !matches {
            return;
        }
        if let Some(id) = pattern.prefix {
            self.mark(id, found);
        }
        if let Some(id) = pattern.exact {
            if !word_char_at(text, at + pattern.text.len()) {
                self.mark(id, found);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::fold;
    use proptest::prelude::*;

    fn matches(keywords: &[&str], text: &str) -> Vec<bool> {
        let keywords: Vec<Keyword> = keywords.iter().filter_map(|k| Keyword::parse(k)).collect();
        let text = fold(text);
        both_scans(&keywords, &text)
    }

    /// What both scanners find (they must agree).
    fn both_scans(keywords: &[Keyword], text: &str) -> Vec<bool> {
        let matcher = KeywordMatcher::new(keywords);
        let mut found = vec![false; keywords.len()];
        matcher.scan_word_starts(text, &mut found);
        if let Some(packed) = &matcher.packed {
            let mut packed_found = vec![false; keywords.len()];
            matcher.scan_packed(packed, text, &mut packed_found);
            assert_eq!(found, packed_found, "{text:?}");
        }
        found
    }

    /// The definition, as an Aho-Corasick overlapping search: every occurrence of every
    /// keyword text, kept when the character before it is not a word character (and, for the
    /// exact form, the character after it neither).
    fn reference(keywords: &[Keyword], text: &str) -> Vec<bool> {
        use aho_corasick::{AhoCorasick, MatchKind};
        let mut found = vec![false; keywords.len()];
        let patterns: Vec<&str> = keywords.iter().map(|k| k.text.as_str()).collect();
        let automaton = AhoCorasick::builder()
            .match_kind(MatchKind::Standard)
            .build(&patterns)
            .unwrap();
        for m in automaton.find_overlapping_iter(text) {
            // (Standard semantics: every occurrence of every pattern.)
            if text[..m.start()]
                .chars()
                .next_back()
                .is_some_and(is_word_char)
            {
                continue;
            }
            let after = text[m.end()..].chars().next();
            for (id, keyword) in keywords.iter().enumerate() {
                if keyword.text == patterns[m.pattern().as_usize()]
                    && (keyword.prefix || !after.is_some_and(is_word_char))
                {
                    found[id] = true;
                }
            }
        }
        found
    }

    #[test]
    fn whole_words_only() {
        assert_eq!(matches(&["cancel"], "please cancel my plan"), [true]);
        assert_eq!(matches(&["cancel"], "cancelled yesterday"), [false]);
        assert_eq!(matches(&["legal"], "illegal parking"), [false]);
        assert_eq!(matches(&["legal"], "Legal, please."), [true]);
    }

    #[test]
    fn prefixes_match_word_starts() {
        assert_eq!(matches(&["cancel*"], "the cancellation failed"), [true]);
        assert_eq!(matches(&["cancel*"], "uncancelled"), [false]);
        assert_eq!(matches(&["cancel*", "cancel"], "cancelled"), [true, false]);
        assert_eq!(matches(&["cancel*", "cancel"], "cancel"), [true, true]);
    }

    #[test]
    fn punctuation_in_keywords_and_unicode_case() {
        assert_eq!(matches(&["c++"], "my c++ build"), [true]);
        assert_eq!(matches(&["e-mail"], "no E-Mail arrived"), [true]);
        assert_eq!(matches(&["kündigung"], "KÜNDIGUNG zum Monatsende"), [true]);
        assert_eq!(
            matches(&["credit card"], "my credit card was charged"),
            [true]
        );
        // Overlapping keywords at one position, and one that starts with punctuation.
        assert_eq!(
            matches(&["credit", "credit card", "-x"], "credit card (-x)"),
            [true, true, true]
        );
        assert_eq!(matches(&["über"], "straßeüber über"), [true]);
        assert_eq!(matches(&["x"], "éx x"), [true]);
        assert_eq!(matches(&["x"], "éx"), [false]);
    }

    proptest! {
        #[test]
        fn same_keywords_as_an_overlapping_search(
            words in proptest::collection::vec("(ab|a|b|é|_|-|1| |\\.|ü)", 0..30),
            keywords in proptest::collection::vec("(a|ab|b|ba|é|éa|-a|a-|ü|1)\\*?", 1..6),
        ) {
            let text: String = words.concat();
            // Policies give each distinct keyword one id (`eval::Builder::keyword`).
            let mut distinct: Vec<Keyword> = Vec::new();
            for keyword in keywords.iter().filter_map(|k| Keyword::parse(k)) {
                if !distinct.contains(&keyword) {
                    distinct.push(keyword);
                }
            }
            let keywords = distinct;
            prop_assert_eq!(both_scans(&keywords, &text), reference(&keywords, &text));
        }

        #[test]
        fn same_keywords_on_any_ascii(
            text in "[a-c_09/:@\\[`{^AZ \\-\\x00\\x7f]{0,70}",
            keywords in proptest::collection::vec("[a-c_09:\\-]{1,3}\\*?", 1..6),
        ) {
            let mut distinct: Vec<Keyword> = Vec::new();
            for keyword in keywords.iter().filter_map(|k| Keyword::parse(k)) {
                if !distinct.contains(&keyword) {
                    distinct.push(keyword);
                }
            }
            prop_assert_eq!(both_scans(&distinct, &text), reference(&distinct, &text));
        }
    }

    #[test]
    fn folding_is_full_unicode_case_folding() {
        assert_eq!(fold("ΟΔΟΣΗΜΑΝΣΗ"), "οδοσημανση");
        assert_eq!(fold("οδος"), "οδοσ");
        assert_eq!(fold("STRASSE"), fold("straße"));
        assert_eq!(fold("İSTANBUL"), "istanbul");
        assert_eq!(fold("ISTANBUL"), "istanbul");
        assert_eq!(fold("ıstanbul"), "ıstanbul");
        assert_eq!(fold("cafe\u{301}"), "café");
        assert_eq!(fold("ﬁle"), "file");
        assert_eq!(matches(&["ΟΔΟΣ*"], "ΟΔΟΣΗΜΑΝΣΗ χαλασμένη"), [true]);
        assert_eq!(matches(&["οδός"], "ΟΔΌΣ"), [true]);
        assert_eq!(matches(&["straße"], "STRASSE gesperrt"), [true]);
        assert_eq!(matches(&["strasse"], "Straße gesperrt"), [true]);
        assert_eq!(matches(&["istanbul"], "İstanbul office"), [true]);
        assert_eq!(matches(&["café"], "cafe\u{301} au lait"), [true]);
    }

    #[test]
    fn long_keywords_follow_the_same_rules() {
        let long = "ab ".repeat(30) + "ab";
        let texts = [
            long.clone(),
            format!("x{long}"),
            format!("{long}x"),
            format!("ab {long} ab"),
            format!("{long} {long}"),
            format!("é{long}"),
            "ab ab".to_string(),
        ];
        for text in &texts {
            let keywords: Vec<Keyword> = [long.clone(), format!("{long}*"), "ab".into()]
                .iter()
                .filter_map(|k| Keyword::parse(k))
                .collect();
            assert_eq!(
                both_scans(&keywords, text),
                reference(&keywords, text),
                "{text}"
            );
        }
    }

    #[test]
    fn a_huge_keyword_takes_one_pass() {
        // A 300 KB keyword that agrees with 1.2 MB of text up to its last byte at every word
        // start: compared there in full, that is 600,000 × 300,000 byte comparisons.
        let keyword = "a ".repeat(150_000) + "b";
        let keywords: Vec<Keyword> = Keyword::parse(&keyword).into_iter().collect();
        let matcher = KeywordMatcher::new(&keywords);
        let started = std::time::Instant::now();
        let mut found = vec![false];
        matcher.scan(&"a ".repeat(600_000), &mut found);
        assert_eq!(found, [false]);
        matcher.scan(&("a ".repeat(600_000) + "b"), &mut found);
        assert_eq!(found, [true]);
        assert!(started.elapsed() < std::time::Duration::from_secs(5));
    }

    #[test]
    fn word_bytes_eight_at_a_time() {
        for b in 0u8..128 {
            let x = (u64::from(b) << 24) | ((ONES * u64::from(b'a')) & !(0xff << 24));
            let expected = if ASCII_WORD[b as usize] {
                0
            } else {
                0x80 << 24
            };
            assert_eq!(non_word_bytes(x), expected, "byte {b:#x}");
        }
    }
}
