//! The bytes of [`super::Records`]: text when a whole chunk was found UTF-8 at once, so that a
//! record's `&str` is a slice of it and is not checked again record by record.

/// The records' bytes, in `text` when they are known to be all UTF-8 (then `bytes` is empty),
/// else in `bytes`. [`super::Records::read_chunk`] checks a chunk once ([`Buffer::hold`]);
/// records written one by one go to `bytes` ([`Buffer::bytes_mut`]), checked as they are read.
#[derive(Debug, Default)]
pub(super) struct Buffer {
    bytes: Vec<u8>,
    text: String,
}

impl Buffer {
    pub(super) fn clear(&mut self) {
        self.bytes.clear();
        self.text.clear();
    }

    #[inline]
    pub(super) fn len(&self) -> usize {
        self.bytes.len() + self.text.len()
    }

    /// `range` of the buffer, and its text when the buffer is text (`None` when it is not, or
    /// when the range does not start and end on character boundaries).
    #[inline(always)]
    pub(super) fn get(&self, range: std::ops::Range<usize>) -> (&[u8], Option<&str>) {
        match self.text.get(range.clone()) {
            Some(text) => (text.as_bytes(), Some(text)),
            None if self.bytes.is_empty() => (&self.text.as_bytes()[range], None),
            None => (&self.bytes[range], None),
        }
    }

    /// The bytes, to be written (text becomes bytes again, without a copy).
    pub(super) fn bytes_mut(&mut self) -> &mut Vec<u8> {
        if !self.text.is_empty() {
            self.bytes = std::mem::take(&mut self.text).into_bytes();
        }
        &mut self.bytes
    }

    /// The allocation, emptied of what it holds as far as this buffer is concerned (its length
    /// and stale bytes kept: [`super::Records::read_chunk`] hands it back to the chunk).
    pub(super) fn take(&mut self) -> Vec<u8> {
        match self.text.capacity() > self.bytes.capacity() {
            true => std::mem::take(&mut self.text).into_bytes(),
            false => std::mem::take(&mut self.bytes),
        }
    }

    /// Hold `bytes` (replacing what was here): as text when they are all UTF-8 (checked once,
    /// here), else as bytes.
    pub(super) fn hold(&mut self, bytes: Vec<u8>) {
        self.clear();
        match String::from_utf8(bytes) {
            Ok(text) => self.text = text,
            Err(error) => self.bytes = error.into_bytes(),
        }
    }
}
