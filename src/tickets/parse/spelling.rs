//! Label spellings as integer keys, for the parser's remembered labels.

/// A spelling as a few numbers — its length, its first eight bytes and its last eight (which
/// overlap when it is shorter than sixteen) — so that a remembered spelling is found by
/// comparing integers, not by a call to `memcmp` per candidate. Equal keys are equal
/// spellings up to sixteen bytes; a longer one is compared in full as well.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SpellingKey {
    len: usize,
    head: u64,
    tail: u64,
}

impl SpellingKey {
    #[inline(always)]
    pub fn of(text: &str) -> SpellingKey {
        let b = text.as_bytes();
        let len = b.len();
        let word = |at: usize| b.get(at..at + 8).and_then(|w| w.try_into().ok());
        let half = |at: usize| b.get(at..at + 4).and_then(|w| w.try_into().ok());
        let (head, tail) = if len >= 8 {
            let (head, tail) = (word(0), word(len - 8));
            (
                head.map_or(0, u64::from_le_bytes),
                tail.map_or(0, u64::from_le_bytes),
            )
        } else if len >= 4 {
            let (head, tail) = (half(0), half(len - 4));
            let read = |w: Option<[u8; 4]>| w.map_or(0, |w| u64::from(u32::from_le_bytes(w)));
            (read(head), read(tail))
        } else {
            let head = b.iter().rev().fold(0, |key, &c| key << 8 | u64::from(c));
            (head, 0)
        };
        SpellingKey { len, head, tail }
    }

    /// Slots of [`SpellingKey::slot`].
    pub const SLOTS: usize = 32;

    /// A slot in `0..SLOTS` from the key's length and first bytes (a multiplicative hash):
    /// equal spellings have the same slot, a column's few others rarely do.
    #[inline(always)]
    pub fn slot(self) -> usize {
        let mixed = (self.head ^ self.tail.rotate_left(29))
            .wrapping_add(self.len as u64)
            .wrapping_mul(0x9E37_79B9_7F4A_7C15);
        (mixed >> 59) as usize
    }

    /// Whether `text`, whose key this is, is `known`, whose key is `other`.
    #[inline(always)]
    pub fn matches(self, text: &str, other: SpellingKey, known: &str) -> bool {
        self == other && (self.len <= 16 || text == known)
    }
}
