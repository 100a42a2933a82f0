//! Where a finding or a policy value sits in its source file: the one `Span` of the project.

use std::fmt;

/// Where a value sits in its source file. Lines and columns are 1-based; `line == 0` means the
/// location is unknown (for example a value synthesised by the loader).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, PartialOrd, Ord, Hash)]
pub struct Span {
    pub line: usize,
    pub column: usize,
    /// Byte offset of the value's first character in the source, when known.
    pub offset: Option<usize>,
    /// Length of the value in bytes (0 for a collection, which is pointed at by its start).
    pub len: usize,
}

impl Span {
    pub const UNKNOWN: Span = Span {
        line: 0,
        column: 0,
        offset: None,
        len: 0,
    };

    pub fn is_known(&self) -> bool {
        self.line > 0
    }
}

impl fmt::Display for Span {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.line, self.column)
    }
}
