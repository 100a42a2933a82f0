//! A ticket's text slot: the field's text case-folded ([`fold`]) into the slot's buffer, an
//! ASCII text in one pass over fixed-size blocks.

use crate::text::fold;

/// Bytes copied, tested and lower-cased at once by [`copy_lower_ascii`].
const BLOCK: usize = 64;

/// High bits of the bytes of a word: set in a word that is not ASCII.
const HIGH: u64 = 0x8080_8080_8080_8080;

/// Set `target` (empty) to `fold(text)`. The usual text is ASCII: copied, tested and
/// lower-cased in one pass of blocks ([`copy_lower_ascii`]) instead of a test, a copy and a
/// lower-casing each with its own loop on the length's remainder (a branch mispredicted as
/// the length changes row to row); any other text is folded.
#[inline(always)]
pub(super) fn fold_into(text: &str, target: &mut String) {
    if !copy_lower_ascii(text, target) {
        target.clear();
        target.push_str(&fold(text));
    }
}

/// Copy `text` into `target` (empty) lower-cased; whether it is all ASCII (else `target` is
/// left in any state). A text of a block or more is copied in blocks of [`BLOCK`] bytes, each
/// tested and lower-cased where it lands; the last block overlaps the one before: `target` is
/// cut back to where it starts, so every copy has the same size (no `memcpy` that branches
/// on the length) and no loop runs on the length's remainder. A block that does not start and
/// end on a character boundary is not ASCII.
#[inline(always)]
fn copy_lower_ascii(text: &str, target: &mut String) -> bool {
    let len = text.len();
    let Some(last) = len.checked_sub(BLOCK) else {
        target.push_str(text);
        return lower_ascii_short(target);
    };
    target.reserve(len);
    let (mut start, mut high) = (0, 0u64);
    loop {
        let Some(block) = text.get(start..start + BLOCK) else {
            return false;
        };
        // Read as words (a fold of bytes is not vectorised).
        for word in block.as_bytes().chunks_exact(8) {
            high |= word.try_into().map_or(u64::MAX, u64::from_ne_bytes);
        }
        // Cut back only over ASCII (a character boundary everywhere).
        if high & HIGH != 0 {
            return false;
        }
        target.truncate(start);
        target.push_str(block);
        match target.get_mut(start..start + BLOCK) {
            Some(copied) => copied.make_ascii_lowercase(),
            None => return false,
        }
        if start == last {
            return true;
        }
        start = (start + BLOCK).min(last);
    }
}

/// Lower-case `text`'s ASCII letters in place (a text shorter than a block); whether it is
/// all ASCII.
#[inline(never)]
fn lower_ascii_short(text: &mut str) -> bool {
    text.make_ascii_lowercase();
    text.is_ascii()
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(3000))]
        /// The text slot is [`fold`] of the text, for texts of every length around the
        /// blocks' (ASCII in either case, with a non-ASCII character anywhere or none).
        #[test]
        fn the_text_slot_is_the_folded_text(
            text in "[a-zA-Z0-9 ,.@\\[\\]`{]{0,200}([ÄéİſK\u{212a}][a-zA-Z ]{0,80})?",
            start in proptest::bool::ANY,
        ) {
            // The non-ASCII tail moved to the front half the time.
            let text = match (start, text.char_indices().find(|(_, c)| !c.is_ascii())) {
                (true, Some((at, _))) => format!("{}{}", &text[at..], &text[..at]),
                _ => text,
            };
            let mut target = String::new();
            fold_into(&text, &mut target);
            proptest::prop_assert_eq!(target, fold(&text));
        }
    }
}
