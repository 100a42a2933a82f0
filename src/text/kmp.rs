//! Knuth–Morris–Pratt search for one long pattern: every occurrence, overlapping ones included,
//! in one pass over the text and memory linear in the pattern.
//!
//! Keyword matching (`engine::keywords`) and lint's keyword covering (`lint::semantics`) both
//! search a few very long texts (a hostile policy's megabyte keyword) this way, where an
//! automaton or a comparison at every candidate position would cost the pattern's length again
//! and again.

/// A pattern and its failure table.
#[derive(Debug, Clone)]
pub struct Kmp {
    pattern: Box<[u8]>,
    /// `border[i]`: length of the longest proper border of `pattern[..=i]`.
    border: Box<[usize]>,
}

impl Kmp {
    pub fn new(pattern: &[u8]) -> Kmp {
        let mut border = vec![0; pattern.len()];
        let mut k = 0;
        for i in 1..pattern.len() {
            while k > 0 && pattern[i] != pattern[k] {
                k = border[k - 1];
            }
            if pattern[i] == pattern[k] {
                k += 1;
            }
            border[i] = k;
        }
        Kmp {
            pattern: pattern.into(),
            border: border.into(),
        }
    }

    /// The pattern's length in bytes.
    pub fn len(&self) -> usize {
        self.pattern.len()
    }

    pub fn is_empty(&self) -> bool {
        self.pattern.is_empty()
    }

    /// Calls `found(start)` for every occurrence of the pattern in `text`, left to right,
    /// overlapping ones too. An empty pattern occurs nowhere.
    pub fn each(&self, text: &[u8], mut found: impl FnMut(usize)) {
        let pattern = &self.pattern[..];
        if pattern.is_empty() {
            return;
        }
        let mut k = 0;
        for (i, &b) in text.iter().enumerate() {
            while k > 0 && b != pattern[k] {
                k = self.border[k - 1];
            }
            if b == pattern[k] {
                k += 1;
            }
            if k == pattern.len() {
                found(i + 1 - k);
                k = self.border[k - 1];
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn starts(pattern: &str, text: &str) -> Vec<usize> {
        let mut out = Vec::new();
        Kmp::new(pattern.as_bytes()).each(text.as_bytes(), |s| out.push(s));
        out
    }

    #[test]
    fn every_occurrence_overlapping_ones_too() {
        assert_eq!(starts("aa", "aaaa"), [0, 1, 2]);
        assert_eq!(starts("abab", "abababab"), [0, 2, 4]);
        assert_eq!(starts("ab a", "ab ab ab a"), [0, 3, 6]);
        assert_eq!(starts("x", "abc"), Vec::<usize>::new());
        assert_eq!(starts("", "abc"), Vec::<usize>::new());
        assert_eq!(starts("abc", "ab"), Vec::<usize>::new());
    }

    #[test]
    fn agrees_with_a_naive_search() {
        let text = "abaabababaabbabaabaabab aab ba";
        for pattern in ["a", "ab", "aba", "abaab", "baab", "b a", "abab", "aabab"] {
            let naive: Vec<usize> = (0..=text.len() - pattern.len())
                .filter(|&i| text[i..].starts_with(pattern))
                .collect();
            assert_eq!(starts(pattern, text), naive, "{pattern}");
        }
    }
}
