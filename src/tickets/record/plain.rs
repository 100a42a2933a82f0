//! The CSV records that need no parser: a splitter that jumps between the bytes that matter
//! (`,`, `"`, `\n`, `\r`) instead of stepping `csv_core`'s automaton byte by byte — across a
//! quoted field to the quote the cutter's scan found after its opening one ([`Known`]; else with
//! `memchr2`'s vector search), across an unquoted one eight bytes at a time ([`special`]).
//!
//! It reads only a record whose every byte means what it plainly seems to: unquoted fields
//! without a quote or a `\r`, quoted fields that open
//! at a field's start and close right before `,`, `\n` or `\r\n` (doubled quotes inside them
//! are one quote), the record ended by `\n` or `\r\n`. Anything else — a quote inside an
//! unquoted field, text after a closing quote, a lone `\r`, an empty line, a record the input
//! ends before its line end — and it gives up, leaving the record to `csv_core` as it stands.
//! So every record it does read is the record `csv_core` (set up as
//! [`crate::tickets::chunk::core_reader`]: `,`, `"` doubled, CRLF terminators, no comments, no
//! escape) reads from the same bytes: same fields, same bytes consumed, and `csv_core` is left
//! at a record's start as after its own record.

use crate::tickets::chunk::Quoted;

/// A record read by [`plain_record`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Plain {
    /// Input offset after the record and its line end.
    pub end: usize,
    /// Where the record's bytes start in the records' buffer (the input, then the rewritten
    /// records' bytes after it: see [`plain_record`]).
    pub at: usize,
    /// Offset in `rewritten` after the record's field bytes (unchanged for a record that lies
    /// in the input as it stands).
    pub out: usize,
    /// `\n` bytes consumed, its line end included.
    pub newlines: u64,
    /// Index in `gaps` and `ends` after the record's last field ([`Fields`]).
    pub fields: usize,
    /// Index in the cutter's quoted fields after those the record used ([`Known`]).
    pub known: usize,
}

/// What the cutter found about the chunk's quoted fields ([`Quoted`], in order), and the index
/// of the first one not used yet: a quoted field's end is taken from there, not searched for
/// again, when one of them opens where the field does.
pub type Known<'a> = (&'a [Quoted], usize);

/// Where each field of a record lies in the output: the bytes between the end of the field
/// before it (of the first, the record's start) and its start, and its end; one entry each.
/// Written by index, from the index the caller gives, into room the vectors keep past it (their
/// length is not the number of fields: entries past the last record's are stale), grown when
/// it runs out: a `push` reloads and stores the vector's length at every field (the field
/// writes are `u8` stores, which may alias it), an index write keeps it in a register.
pub type Fields<'a> = (&'a mut Vec<u8>, &'a mut Vec<usize>);

/// Why [`verbatim`] did not read a record.
enum Stop {
    /// It is not plainly written: `csv_core` reads it.
    Core,
    /// A doubled quote: [`copied`] writes its fields.
    Doubled,
    /// No room left for another field: grow and try again.
    Full,
}

/// Read the record at `input[start..]` if it is plainly written (see the module): where each
/// field starts and ends to `fields` from index `first` on, as offsets in the records'
/// buffer, which holds `input` and then, from offset `input.len()`, the bytes of `rewritten`.
/// `None` (with `fields` possibly written past `first`) when the record must go to `csv_core`.
///
/// A record without a doubled quote (the usual one) is not copied at all ([`verbatim`]): its
/// fields lie in the input between the separators and quotes. Any other has its fields' bytes
/// written back to back into `rewritten[out..]` ([`copied`], [`put`]).
#[inline]
pub fn plain_record(
    input: &[u8],
    start: usize,
    rewritten: &mut Vec<u8>,
    out: usize,
    (gaps, ends): Fields<'_>,
    first: usize,
    known: Known<'_>,
) -> Option<Plain> {
    // An empty line (skipped by `csv_core`) or the end of the input: not here.
    if matches!(input.get(start), None | Some(b'\n' | b'\r')) {
        return None;
    }
    loop {
        let room = gaps.len().min(ends.len());
        let (gaps_room, ends_room) = (gaps.get_mut(first..room), ends.get_mut(first..room));
        let read = match gaps_room.zip(ends_room) {
            Some((gaps, ends)) => verbatim(input, start, gaps, ends, known),
            None => Err(Stop::Full),
        };
        match read {
            Ok((end, newlines, fields, used)) => {
                return Some(Plain {
                    end,
                    at: start,
                    out,
                    newlines,
                    fields: first + fields,
                    known: used,
                });
            }
            Err(Stop::Core) => return None,
            Err(Stop::Doubled) => {
                return copied(input, start, rewritten, out, (gaps, ends), first).map(|plain| {
                    Plain {
                        known: known.1,
                        ..plain
                    }
                });
            }
            Err(Stop::Full) => grow((gaps, ends), first),
        }
    }
}

/// More room in `fields` past index `first` (twice what there is, or 256 fields). Seldom:
/// [`super::Records::read_chunk`] gives them the room its vectors have at a chunk's start.
#[cold]
#[inline(never)]
fn grow((gaps, ends): Fields<'_>, first: usize) {
    let len = (gaps.len().min(ends.len()) * 2).max(first + 256);
    gaps.resize(len, 0);
    ends.resize(len, 0);
}

/// Write `value` at `index` of `items`: over what is there, or past its end (grown to it).
#[inline(always)]
fn set<T: Copy + Default>(items: &mut Vec<T>, index: usize, value: T) {
    match items.get_mut(index) {
        Some(slot) => *slot = value,
        None => {
            items.resize(index, T::default());
            items.push(value);
        }
    }
}

/// The fields of the plainly written record at `input[start..]` as they lie in the input
/// (input offsets), written to `gaps` and `ends` from index 0: the input offset after its line
/// end, the `\n` bytes consumed, the number of fields and the index in `known` after the
/// quoted fields it took from there. [`Stop::Core`] when the record must
/// go to `csv_core` (as [`copied`] finds), [`Stop::Doubled`] at a doubled quote (the field's
/// bytes are not the input's: [`copied`] writes them), [`Stop::Full`] when `gaps` or `ends`
/// has no room for another field.
#[inline]
fn verbatim(
    input: &[u8],
    start: usize,
    gaps: &mut [u8],
    ends: &mut [usize],
    (quoted, mut k): Known<'_>,
) -> Result<(usize, u64, usize, usize), Stop> {
    // One bound for both, so that a write to each is checked once.
    let room = gaps.len().min(ends.len());
    let (gaps, ends) = (&mut gaps[..room], &mut ends[..room]);
    let mut n = 0;
    // Input offset of the end of the field before (of the first, the record's start).
    let mut prev = start;
    let mut p = start;
    let mut newlines = 0;
    loop {
        // `p` is at the start of a field.
        if input.get(p) == Some(&b'"') {
            // Passed by (records read by `csv_core`): quoted fields before this one.
            while quoted.get(k).is_some_and(|known| known.open < p) {
                k += 1;
            }
            let q = match quoted.get(k) {
                Some(known) if known.open == p => {
                    k += 1;
                    newlines += known.newlines;
                    known.quote
                }
                _ => first_quote(input, p + 1, &mut newlines)?,
            };
            let line_end = match input.get(q + 1) {
                Some(b'"') => return Err(Stop::Doubled),
                Some(b',') => None,
                Some(b'\n') => Some(q + 2),
                Some(b'\r') if input.get(q + 2) == Some(&b'\n') => Some(q + 3),
                _ => return Err(Stop::Core),
            };
            let gap = u8::try_from(p + 1 - prev).map_err(|_| Stop::Core)?;
            if n == room {
                return Err(Stop::Full);
            }
            (gaps[n], ends[n]) = (gap, q);
            n += 1;
            prev = q;
            match line_end {
                Some(end) => return Ok((end, newlines + 1, n, k)),
                None => p = q + 2,
            }
        } else {
            let j = special(input, p).ok_or(Stop::Core)?;
            let line_end = match input[j] {
                b',' => None,
                b'\n' => Some(j + 1),
                b'\r' if input.get(j + 1) == Some(&b'\n') => Some(j + 2),
                // A quote inside an unquoted field, a lone `\r`.
                _ => return Err(Stop::Core),
            };
            let gap = u8::try_from(p - prev).map_err(|_| Stop::Core)?;
            if n == room {
                return Err(Stop::Full);
            }
            (gaps[n], ends[n]) = (gap, j);
            n += 1;
            prev = j;
            match line_end {
                Some(end) => return Ok((end, newlines + 1, n, k)),
                None => p = j + 1,
            }
        }
    }
}

/// The first `"` at or after `from`, the `\n` bytes before it added to `newlines`.
#[inline(always)]
fn first_quote(input: &[u8], mut from: usize, newlines: &mut u64) -> Result<usize, Stop> {
    loop {
        let rest = input.get(from..).ok_or(Stop::Core)?;
        let q = from + memchr::memchr2(b'"', b'\n', rest).ok_or(Stop::Core)?;
        if input[q] != b'\n' {
            return Ok(q);
        }
        *newlines += 1;
        from = q + 1;
    }
}

/// [`plain_record`] for a record with a doubled quote: its fields' bytes written back to back
/// into `rewritten[out..]`, their ends offsets in the records' buffer (`input.len()` + the
/// offset in `rewritten`), from index `n` of `fields`.
/// Rare: kept out of line, so that [`special`] is inlined into [`verbatim`] alone.
#[cold]
#[inline(never)]
fn copied(
    input: &[u8],
    start: usize,
    rewritten: &mut Vec<u8>,
    mut out: usize,
    (gaps, ends): Fields<'_>,
    mut n: usize,
) -> Option<Plain> {
    let (base, at) = (input.len(), input.len() + out);
    let mut p = start;
    let mut newlines = 0;
    loop {
        // `p` is at the start of a field.
        set(gaps, n, 0);
        if input.get(p) == Some(&b'"') {
            p += 1;
            loop {
                let q = p + memchr::memchr2(b'"', b'\n', input.get(p..)?)?;
                let text = input.get(p..q)?;
                put(rewritten, out, text);
                out += text.len();
                if input[q] == b'\n' {
                    put(rewritten, out, b"\n");
                    out += 1;
                    newlines += 1;
                    p = q + 1;
                    continue;
                }
                match input.get(q + 1) {
                    Some(b'"') => {
                        put(rewritten, out, b"\"");
                        out += 1;
                        p = q + 2;
                    }
                    Some(b',') => {
                        set(ends, n, base + out);
                        n += 1;
                        p = q + 2;
                        break;
                    }
                    Some(b'\n') => {
                        set(ends, n, base + out);
                        n += 1;
                        let (end, newlines) = (q + 2, newlines + 1);
                        return Some(Plain {
                            end,
                            at,
                            out,
                            newlines,
                            fields: n,
                            known: 0,
                        });
                    }
                    Some(b'\r') if input.get(q + 2) == Some(&b'\n') => {
                        set(ends, n, base + out);
                        n += 1;
                        let (end, newlines) = (q + 3, newlines + 1);
                        return Some(Plain {
                            end,
                            at,
                            out,
                            newlines,
                            fields: n,
                            known: 0,
                        });
                    }
                    _ => return None,
                }
            }
        } else {
            let j = special(input, p)?;
            let field = &input[p..j];
            put(rewritten, out, field);
            out += field.len();
            match input[j] {
                b',' => {
                    set(ends, n, base + out);
                    n += 1;
                    p = j + 1;
                }
                b'\n' => {
                    set(ends, n, base + out);
                    n += 1;
                    let (end, newlines) = (j + 1, newlines + 1);
                    return Some(Plain {
                        end,
                        at,
                        out,
                        newlines,
                        fields: n,
                        known: 0,
                    });
                }
                b'\r' if input.get(j + 1) == Some(&b'\n') => {
                    set(ends, n, base + out);
                    n += 1;
                    let (end, newlines) = (j + 2, newlines + 1);
                    return Some(Plain {
                        end,
                        at,
                        out,
                        newlines,
                        fields: n,
                        known: 0,
                    });
                }
                // A quote inside an unquoted field, a lone `\r`.
                _ => return None,
            }
        }
    }
}

/// Write `src` at `out` of `bytes`: over what is there (the buffer keeps the bytes it was
/// ever given, so that `csv_core`'s room is zeroed once: [`super::Records::read_chunk`]),
/// appended past its end.
#[inline(always)]
fn put(bytes: &mut Vec<u8>, out: usize, src: &[u8]) {
    let end = out + src.len();
    match bytes.get_mut(out..end) {
        Some(room) => room.copy_from_slice(src),
        None => {
            bytes.truncate(out);
            bytes.extend_from_slice(src);
        }
    }
}

/// Steps [`special`] takes with word arithmetic before it hands a long field to `memchr`.
const SHORT_STEPS: usize = 4;

/// The first `,`, `"`, `\n` or `\r` at or after `from` (`None` when there is none). Most
/// unquoted fields are short (ids, numbers, timestamps, labels): eight bytes at a time with
/// word arithmetic beats a call into `memchr` per field; a longer field goes to `memchr3`'s
/// vector search.
///
/// The four bytes are all below `-` (0x2D), and a field's other bytes seldom are (digits,
/// letters, `-`, `.`, `:`), so one test finds the first byte below it: a byte `b < n` (with
/// `n <= 0x80`) is one whose `b - n` borrows, and the lowest such byte of a word is flagged
/// exactly by `(w - n…n) & !w & 0x80…80` (above it a borrow may flag others). When that byte
/// is another one (a space, `!`, a control byte), the scan goes on right after it.
#[inline(always)]
pub(super) fn special(input: &[u8], from: usize) -> Option<usize> {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    const BELOW: u64 = ONES * 0x2D;
    let mut at = from;
    for _ in 0..SHORT_STEPS {
        let Some(word) = input.get(at..at + 8) else {
            break;
        };
        let w = u64::from_le_bytes(word.try_into().ok()?);
        let low = w.wrapping_sub(BELOW) & !w & HIGH;
        if low == 0 {
            at += 8;
            continue;
        }
        let first = at + (low.trailing_zeros() / 8) as usize;
        if is_special(input[first]) {
            return Some(first);
        }
        at = first + 1;
    }
    if input.len() >= at + 8 {
        // No special byte in the first steps: a long field.
        let rest = input.get(at..)?;
        let end = memchr::memchr3(b',', b'"', b'\n', rest).unwrap_or(rest.len());
        return match memchr::memchr(b'\r', &rest[..end]) {
            Some(r) => Some(at + r),
            None => (end < rest.len()).then_some(at + end),
        };
    }
    input
        .get(at..)?
        .iter()
        .position(|&b| is_special(b))
        .map(|i| at + i)
}

/// `,`, `"`, `\n` or `\r`: the bytes that end or quote a field.
#[inline(always)]
fn is_special(b: u8) -> bool {
    matches!(b, b',' | b'"' | b'\n' | b'\r')
}
