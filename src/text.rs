//! Text shared by the policy, the ticket reader, the engines and lint: how keywords and ticket
//! text are folded, how labels are compared, and the one long-pattern search ([`kmp`]).

pub mod kmp;

use caseless::Caseless;
use unicode_normalization::UnicodeNormalization;

/// Fold text for keyword matching, the one definition ticket text, policy keywords and lint's
/// keyword comparisons (H042, H043) share: NFC, then full Unicode case folding (`ß` → `ss`,
/// final `ς` → `σ`, `ﬁ` → `fi`), then NFC again. The capital dotted `İ` (U+0130) folds to a
/// plain `i`, as Turkish folding has it, while `I` also folds to `i`, as everywhere else: so
/// `istanbul` matches `İSTANBUL` and `ISTANBUL`; the dotless `ı` stays a letter of its own.
pub fn fold(text: &str) -> String {
    if text.is_ascii() {
        return text.to_ascii_lowercase();
    }
    text.nfc()
        .map(|c| if c == '\u{130}' { 'I' } else { c })
        .default_case_fold()
        .nfc()
        .collect()
}

/// Trim and lower-case a label.
pub fn normalize_label(label: &str) -> String {
    label.trim().to_lowercase()
}
