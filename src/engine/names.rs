//! A short list of names a policy compares ticket values with (its routes, its priorities, a
//! label test's set), with each name of up to seven bytes also packed in one integer: a value
//! is then found by comparing integers, not by a `memcmp` call per name (issue 16, round 11).

/// Names in the policy's order, each with its [`key`] (or [`LONG`] when longer than seven bytes).
#[derive(Debug, Clone, Default)]
pub struct Names {
    names: Vec<String>,
    keys: Vec<u64>,
}

/// The key of every name longer than seven bytes: its length byte (0xFF) is no short key's.
const LONG: u64 = u64::MAX;

/// A string of up to seven bytes packed in one integer: its bytes, then its length in the top
/// byte, so two short strings are equal exactly when their keys are. `None` when longer.
#[inline(always)]
fn key(s: &str) -> Option<u64> {
    let bytes = s.as_bytes();
    if bytes.len() > 7 {
        return None;
    }
    let mut k = (bytes.len() as u64) << 56;
    for (i, &b) in bytes.iter().enumerate() {
        k |= u64::from(b) << (8 * i);
    }
    Some(k)
}

impl Names {
    pub fn new(names: Vec<String>) -> Self {
        let keys = names.iter().map(|n| key(n).unwrap_or(LONG)).collect();
        Names { names, keys }
    }

    /// The place of the first name equal to `value`: `names.iter().position(|n| n == value)`.
    #[inline]
    pub fn position(&self, value: &str) -> Option<usize> {
        match key(value) {
            Some(k) => self.keys.iter().position(|&x| x == k),
            None => self.names.iter().position(|n| n == value),
        }
    }

    #[inline]
    pub fn contains(&self, value: &str) -> bool {
        self.position(value).is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Short and long strings, near one another (prefixes, a NUL, a changed last byte).
    fn word() -> impl Strategy<Value = String> {
        prop_oneof![
            "[a-c\\x00]{0,9}",
            "(ai|L1|L2|L3|normal|urgent|enterprise|high|low)",
            "[\\PC]{0,9}",
        ]
    }

    proptest! {
        /// The keys find what the string comparison they bypass finds, for every value.
        #[test]
        fn position_is_the_string_comparison(
            names in proptest::collection::vec(word(), 0..6),
            value in word(),
        ) {
            let list = Names::new(names.clone());
            let expected = names.iter().position(|n| *n == value);
            prop_assert_eq!(list.position(&value), expected);
            prop_assert_eq!(list.contains(&value), expected.is_some());
            for (i, n) in names.iter().enumerate() {
                prop_assert_eq!(list.position(n), names.iter().position(|m| m == n));
                prop_assert!(list.position(n).is_some_and(|p| p <= i));
            }
        }
    }

    #[test]
    fn seven_bytes_are_packed_eight_are_not() {
        assert_eq!(key(""), Some(0));
        assert_ne!(key("a"), key("a\0"));
        assert!(key("1234567").is_some());
        assert_eq!(key("12345678"), None);
        let list = Names::new(vec!["12345678".into(), "1234567".into(), "".into()]);
        assert_eq!(list.position("12345678"), Some(0));
        assert_eq!(list.position("1234567"), Some(1));
        assert_eq!(list.position(""), Some(2));
        assert_eq!(list.position("123456789"), None);
    }
}
