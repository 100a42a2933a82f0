//! Keyword matching in one pass per text column (aho-corasick), with the whole-word and
//! prefix (`cancel*`) semantics of DESIGN §2.

use aho_corasick::{AhoCorasick, MatchKind};

use crate::policy::condition::Keyword;

/// All keywords of a policy, matched together.
#[derive(Clone)]
pub struct KeywordMatcher {
    automaton: Option<AhoCorasick>,
    /// Per pattern: the keyword id of its exact form and of its prefix form, when used.
    forms: Vec<(Option<usize>, Option<usize>)>,
    count: usize,
}

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

impl KeywordMatcher {
    /// `keywords[i]` gets id `i`.
    pub fn new(keywords: &[Keyword]) -> KeywordMatcher {
        let mut patterns: Vec<&str> = Vec::new();
        let mut index_of: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
        let mut forms: Vec<(Option<usize>, Option<usize>)> = Vec::new();
        for (id, keyword) in keywords.iter().enumerate() {
            let index = *index_of.entry(keyword.text.as_str()).or_insert_with(|| {
                patterns.push(&keyword.text);
                forms.push((None, None));
                patterns.len() - 1
            });
            if keyword.prefix {
                forms[index].1 = Some(id);
            } else {
                forms[index].0 = Some(id);
            }
        }
        let automaton = (!patterns.is_empty())
            .then(|| {
                AhoCorasick::builder()
                    .match_kind(MatchKind::Standard)
                    .build(&patterns)
                    .ok()
            })
            .flatten();
        KeywordMatcher {
            automaton,
            forms,
            count: keywords.len(),
        }
    }

    pub fn len(&self) -> usize {
        self.count
    }

    pub fn is_empty(&self) -> bool {
        self.count == 0
    }

    /// Mark in `found` (indexed by keyword id) every keyword that occurs in `text`. `text` must
    /// already be NFC-normalised and lower-cased.
    pub fn scan(&self, text: &str, found: &mut [bool]) {
        let Some(automaton) = &self.automaton else {
            return;
        };
        for m in automaton.find_overlapping_iter(text) {
            let before = text[..m.start()].chars().next_back();
            if before.is_some_and(is_word_char) {
                continue;
            }
            let (exact, prefix) = self.forms[m.pattern().as_usize()];
            if let Some(id) = prefix {
                found[id] = true;
            }
            if let Some(id) = exact {
                let after = text[m.end()..].chars().next();
                if !after.is_some_and(is_word_char) {
                    found[id] = true;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn matches(keywords: &[&str], text: &str) -> Vec<bool> {
        let keywords: Vec<Keyword> = keywords.iter().filter_map(|k| Keyword::parse(k)).collect();
        let matcher = KeywordMatcher::new(&keywords);
        let mut found = vec![false; keywords.len()];
        let text = crate::policy::condition::normalize_text(text);
        matcher.scan(&text, &mut found);
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
    }
}
