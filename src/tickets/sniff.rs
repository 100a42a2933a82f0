//! Guards on the raw bytes of a ticket file, before the CSV reader sees them: an encoding or a
//! format that is not a UTF-8 CSV is named (UTF-16, gzip, binary data), and one record may not
//! grow past [`MAX_RECORD_BYTES`] (`/dev/zero`, or a file with no line ends, would otherwise
//! be buffered until memory runs out).

use std::io::{self, Cursor, Read};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

/// The largest record a ticket CSV may hold. Real tickets, transcripts included, are far
/// smaller; past this, the input is not a ticket export.
pub const MAX_RECORD_BYTES: u64 = 64 << 20;

/// Bytes looked at before reading.
const SNIFF_BYTES: usize = 4096;

/// Why the start of an input shows it is not a UTF-8 CSV.
pub fn problem_with(head: &[u8]) -> Option<String> {
    match head {
        [0xff, 0xfe, ..] => {
            return Some(
                "looks like UTF-16 (little-endian, byte-order mark FF FE); re-save it as UTF-8"
                    .into(),
            );
        }
        [0xfe, 0xff, ..] => {
            return Some(
                "looks like UTF-16 (big-endian, byte-order mark FE FF); re-save it as UTF-8".into(),
            );
        }
        [0x1f, 0x8b, ..] => {
            return Some(
                "is gzip-compressed (it starts with 1f 8b); name it .gz or decompress it".into(),
            );
        }
        _ => {}
    }
    let nuls = head.iter().filter(|&&b| b == 0).count();
    if nuls == 0 || nuls * 8 < head.len() {
        return None;
    }
    // UTF-16 text of mostly ASCII characters: NUL in every other byte, the other bytes not.
    let half = |parity: usize| {
        head.iter()
            .skip(parity)
            .step_by(2)
            .filter(|&&b| b == 0)
            .count()
    };
    let pairs = head.len() / 2;
    let (even, odd) = (half(0), half(1));
    if odd * 10 >= pairs * 9 && even * 10 < pairs {
        return Some(
            "looks like UTF-16 (little-endian: every other byte is NUL); re-save it as UTF-8"
                .into(),
        );
    }
    if even * 10 >= pairs * 9 && odd * 10 < pairs {
        return Some(
            "looks like UTF-16 (big-endian: every other byte is NUL); re-save it as UTF-8".into(),
        );
    }
    Some(format!(
        "holds NUL bytes ({nuls} in its first {} bytes): it looks like binary data, not a CSV text file",
        head.len()
    ))
}

/// Read the start of `input`, refuse it if it is not a UTF-8 CSV, and hand back a reader of
/// the whole input that refuses any record longer than [`MAX_RECORD_BYTES`].
pub fn guarded(mut input: Box<dyn Read + Send>) -> Result<(Box<dyn Read + Send>, Limit), String> {
    let mut head = Vec::with_capacity(SNIFF_BYTES);
    (&mut input)
        .take(SNIFF_BYTES as u64)
        .read_to_end(&mut head)
        .map_err(|e| format!("cannot read: {e}"))?;
    if let Some(problem) = problem_with(&head) {
        return Err(problem);
    }
    let limit = Limit::default();
    let reader = Capped {
        inner: Box::new(Cursor::new(head).chain(input)),
        handed: 0,
        limit: limit.clone(),
    };
    Ok((Box::new(reader), limit))
}

/// Where the record being read began (in bytes), shared between the CSV reader's owner, which
/// moves it on after each record, and the input, which refuses to read far past it. The input
/// also keeps its last bytes here, so the owner can see how a record ended (for line numbers).
#[derive(Debug, Clone, Default)]
pub struct Limit {
    record_start: Arc<AtomicU64>,
    tail: Arc<Mutex<Tail>>,
    /// Nobody will ask for the last bytes any more ([`Limit::forget_tail`]).
    tail_unused: Arc<AtomicBool>,
}

/// Bytes kept of what was read last: more than the CSV reader buffers ahead (8 KiB).
const TAIL_BYTES: usize = 1 << 16;

#[derive(Debug)]
struct Tail {
    ring: Vec<u8>,
    /// Bytes handed out so far; byte `i` of the input sits at `ring[i % TAIL_BYTES]`.
    end: u64,
}

impl Default for Tail {
    fn default() -> Tail {
        Tail {
            ring: vec![0; TAIL_BYTES],
            end: 0,
        }
    }
}

impl Tail {
    fn push(&mut self, bytes: &[u8]) {
        // Only the last TAIL_BYTES can be kept.
        let skip = bytes.len().saturating_sub(TAIL_BYTES);
        self.end += skip as u64;
        let mut rest = &bytes[skip..];
        while !rest.is_empty() {
            let at = (self.end % TAIL_BYTES as u64) as usize;
            let n = rest.len().min(TAIL_BYTES - at);
            self.ring[at..at + n].copy_from_slice(&rest[..n]);
            self.end += n as u64;
            rest = &rest[n..];
        }
    }
}

impl Limit {
    /// The next record starts at byte `at`.
    pub fn record_starts_at(&self, at: u64) {
        self.record_start.store(at, Ordering::Relaxed);
    }

    /// From now on the input does not keep its last bytes ([`Limit::bytes_from`] and
    /// [`Limit::byte_at`] know only those read before): a reader that cuts the input into
    /// chunks ([`super::chunk::Cutter`]) has every byte it read in its chunks, and copying each
    /// one into the tail as well would be a second pass over the whole input.
    pub fn forget_tail(&self) {
        self.tail_unused.store(true, Ordering::Relaxed);
    }

    /// The bytes of the input from `offset` to the last one read, if they were read recently.
    pub fn bytes_from(&self, offset: u64) -> Option<Vec<u8>> {
        let tail = self.tail.lock().unwrap_or_else(|p| p.into_inner());
        if offset > tail.end || tail.end - offset > TAIL_BYTES as u64 {
            return None;
        }
        Some(
            (offset..tail.end)
                .map(|i| tail.ring[(i % TAIL_BYTES as u64) as usize])
                .collect(),
        )
    }

    /// Byte `offset` of the input, if it was read recently.
    pub fn byte_at(&self, offset: u64) -> Option<u8> {
        let tail = self.tail.lock().unwrap_or_else(|p| p.into_inner());
        (offset < tail.end && tail.end - offset <= TAIL_BYTES as u64)
            .then(|| tail.ring[(offset % TAIL_BYTES as u64) as usize])
    }
}

/// The error a `Capped` reader gives when a record grows too long.
#[derive(Debug)]
pub struct RecordTooLong;

impl std::fmt::Display for RecordTooLong {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "a record is longer than {} MiB (no end of line, or an unclosed quote): this is not a ticket export",
            MAX_RECORD_BYTES >> 20
        )
    }
}

impl std::error::Error for RecordTooLong {}

struct Capped {
    inner: Box<dyn Read + Send>,
    handed: u64,
    limit: Limit,
}

impl Read for Capped {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let start = self.limit.record_start.load(Ordering::Relaxed);
        // Readers buffer ahead of the record they parse; the cap leaves room for that.
        if self.handed.saturating_sub(start) > MAX_RECORD_BYTES {
            return Err(io::Error::new(io::ErrorKind::InvalidData, RecordTooLong));
        }
        let n = self.inner.read(buf)?;
        self.handed += n as u64;
        if !self.limit.tail_unused.load(Ordering::Relaxed) {
            self.limit
                .tail
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .push(&buf[..n]);
        }
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodings_and_formats_are_named() {
        let utf16 = |text: &str, big: bool| -> Vec<u8> {
            text.encode_utf16()
                .flat_map(|u| {
                    if big {
                        u.to_be_bytes()
                    } else {
                        u.to_le_bytes()
                    }
                })
                .collect()
        };
        let csv = "id,text\nT1,hello\n";
        assert!(
            problem_with(&utf16(csv, false))
                .unwrap()
                .contains("little-endian")
        );
        assert!(
            problem_with(&utf16(csv, true))
                .unwrap()
                .contains("big-endian")
        );
        assert!(problem_with(&[0u8; 4096]).unwrap().contains("binary"));
        assert!(problem_with(&[0x1f, 0x8b, 8, 0]).unwrap().contains("gzip"));
        assert_eq!(problem_with(csv.as_bytes()), None);
        assert_eq!(problem_with("\u{feff}id,text\n".as_bytes()), None);
        assert_eq!(problem_with(b""), None);
    }

    #[test]
    fn the_tail_keeps_the_last_bytes() {
        let mut tail = Tail::default();
        tail.push(b"abc");
        let big: Vec<u8> = (0..TAIL_BYTES + 10).map(|i| (i % 251) as u8).collect();
        tail.push(&big);
        let limit = Limit {
            tail: Arc::new(Mutex::new(tail)),
            ..Limit::default()
        };
        let last = 3 + big.len() as u64 - 1;
        assert_eq!(limit.byte_at(last), big.last().copied());
        assert_eq!(limit.byte_at(last - 5), Some(big[big.len() - 6]));
        assert_eq!(limit.byte_at(0), None);
        assert_eq!(limit.byte_at(last + 1), None);
        assert_eq!(
            limit.bytes_from(last - 1),
            Some(big[big.len() - 2..].to_vec())
        );
        assert_eq!(limit.bytes_from(last + 1), Some(Vec::new()));
        assert_eq!(limit.bytes_from(0), None);
    }

    #[test]
    fn a_forgotten_tail_keeps_only_what_was_read_before() {
        let input = std::io::Cursor::new(b"id,text\nT1,a\nT2,b\n".to_vec());
        let (mut reader, limit) = guarded(Box::new(input)).unwrap();
        let mut buf = [0; 11];
        reader.read_exact(&mut buf).unwrap();
        assert_eq!(limit.bytes_from(8), Some(b"T1,".to_vec()));
        limit.forget_tail();
        let mut rest = Vec::new();
        reader.read_to_end(&mut rest).unwrap();
        assert_eq!(rest, b"a\nT2,b\n");
        // What was read before is still there; nothing after it.
        assert_eq!(limit.bytes_from(8), Some(b"T1,".to_vec()));
        assert_eq!(limit.byte_at(11), None);
    }

    #[test]
    fn a_record_may_not_grow_past_the_cap() {
        let endless = std::io::repeat(b'a').take(MAX_RECORD_BYTES + (1 << 20));
        let (mut reader, limit) = guarded(Box::new(endless)).unwrap();
        limit.record_starts_at(0);
        let error = std::io::copy(&mut reader, &mut std::io::sink()).unwrap_err();
        assert!(error.to_string().contains("64 MiB"));
    }
}
