//! A ticket's text slot: the field's text case-folded ([`fold`]) into the slot's buffer, an
//! ASCII text in one pass over fixed-size blocks.

use crate::text::fold;

/// Bytes lower-cased and tested at once by [`lower_ascii`].
const BLOCK: usize = 64;

/// Set `target` (empty) to `fold(text)`. The usual text is ASCII: copied, then lower-cased
/// and tested in one pass ([`lower_ascii`]) instead of a test, a copy and a lower-casing
/// each with its own loop on the length's remainder (a branch mispredicted as the length
/// changes row to row); any other text is folded.
#[inline(always)]
pub(super) fn fold_into(text: &str, target: &mut String) {
    target.push_str(text);
    if !lower_ascii(target) {
        target.clear();
        target.push_str(&fold(text));
    }
}

/// Lower-case `text`'s ASCII letters in place; whether it is all ASCII. A text of a block or
/// more is read in blocks of [`BLOCK`] bytes, the last overlapping the one before
/// (lower-casing twice is lower-casing once), so that no loop runs on the length's
/// remainder. A block that does not start and end on a character boundary is not ASCII
/// (`false` then, with the text partly lower-cased).
#[inline(always)]
fn lower_ascii(text: &mut str) -> bool {
    let len = text.len();
    let Some(last) = len.checked_sub(BLOCK) else {
        return lower_ascii_short(text);
    };
    let (mut start, mut high) = (0, 0u64);
    loop {
        let Some(block) = text.get_mut(start..start + BLOCK) else {
            return false;
        };
        // Read as words (a fold of bytes is not vectorised).
        for word in block.as_bytes().chunks_exact(8) {
            high |= word.try_into().map_or(u64::MAX, u64::from_ne_bytes);
        }
        block.make_ascii_lowercase();
        if start == last {
            return high & 0x8080_8080_8080_8080 == 0;
        }
        start = (start + BLOCK).min(last);
    }
}

/// [`lower_ascii`] of a text shorter than a block.
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
