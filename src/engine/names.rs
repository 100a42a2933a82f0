//! A short list of names a policy compares ticket values with (its routes, its priorities, a
//! label test's set). A value is compared with each name by length, then, when the lengths are
//! equal and short, byte by byte in line: no `memcmp` call per name (issue 16, round 11).

/// Names in the policy's order.
#[derive(Debug, Clone, Default)]
pub struct Names {
    names: Vec<String>,
}

/// Names up to this long are compared in line; longer ones by the slice comparison.
const SHORT: usize = 8;

/// `a == b`, the short ones compared in line.
#[inline(always)]
fn same(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    if a.len() <= SHORT {
        let mut differ = 0u8;
        for (x, y) in a.iter().zip(b) {
            differ |= x ^ y;
        }
        differ == 0
    } else {
        a == b
    }
}

impl Names {
    pub fn new(names: Vec<String>) -> Self {
        Names { names }
    }

    /// The place of the first name equal to `value`: `names.iter().position(|n| n == value)`.
    #[inline]
    pub fn position(&self, value: &str) -> Option<usize> {
        let value = value.as_bytes();
        self.names.iter().position(|n| same(n.as_bytes(), value))
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
    fn short_and_long_names() {
        let list = Names::new(vec!["123456789".into(), "12345678".into(), "".into()]);
        assert_eq!(list.position("123456789"), Some(0));
        assert_eq!(list.position("12345678"), Some(1));
        assert_eq!(list.position(""), Some(2));
        assert_eq!(list.position("12345679"), None);
        assert_eq!(list.position("123456780"), None);
    }
}
