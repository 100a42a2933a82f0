//! Tests of the per-ticket accounting's fast paths.

use super::*;

proptest::proptest! {
    /// The word-at-a-time comparison is `str`'s order: ids of any length, sharing long
    /// prefixes, differing in a byte's high bit.
    #[test]
    fn at_most_is_byte_order(
        prefix in proptest::collection::vec(proptest::sample::select(vec![b'T', b'0', b'9', 0x80, 0xff]), 0..20),
        a in proptest::collection::vec(proptest::sample::select(vec![b'0', b'1', 0x7f, 0x80, 0xff]), 0..12),
        b in proptest::collection::vec(proptest::sample::select(vec![b'0', b'1', 0x7f, 0x80, 0xff]), 0..12),
    ) {
        let a = [prefix.as_slice(), &a].concat();
        let b = [prefix.as_slice(), &b].concat();
        proptest::prop_assert_eq!(at_most(&a, &b), a <= b);
        proptest::prop_assert_eq!(at_most(&b, &a), b <= a);
        proptest::prop_assert!(at_most(&a, &a));
    }
}

#[test]
fn full_cells_keep_the_smallest_ids() {
    let mut cell = ConfusionCell::default();
    for id in [
        "T9", "T10", "T2", "T11", "T100", "T1", "T0000001", "T3", "T10",
    ] {
        cell.note_example(id);
    }
    assert_eq!(cell.examples, ["T0000001", "T1", "T10", "T10", "T100"]);
}
