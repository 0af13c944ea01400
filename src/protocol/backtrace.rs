//! Request ids and backtraces (sp-request-reply-01, sp-surveyor-01).
//!
//! A request carries a stack of 32-bit big-endian words in its header: the
//! originator's request id (top bit set) at the bottom, and one word per
//! device it crossed (top bit clear) above it. Replies travel back along it.

use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

pub const WORD: usize = 4;
const TOP_BIT: u32 = 0x8000_0000;

/// Whether `header` is a well-formed backtrace of at most `max_hops` words.
pub fn is_valid(header: &[u8], max_hops: usize) -> bool {
    if header.is_empty() || !header.len().is_multiple_of(WORD) || header.len() / WORD > max_hops {
        return false;
    }
    let words: Vec<u32> = header
        .chunks_exact(WORD)
        .map(|w| u32::from_be_bytes(w.try_into().expect("4 bytes")))
        .collect();
    let (last, rest) = words.split_last().expect("non-empty");
    last & TOP_BIT != 0 && rest.iter().all(|w| w & TOP_BIT == 0)
}

/// The request id a header carries, if it is exactly one id.
pub fn single_id(header: &[u8]) -> Option<u32> {
    let w: [u8; WORD] = header.try_into().ok()?;
    let id = u32::from_be_bytes(w);
    (id & TOP_BIT != 0).then_some(id)
}

/// Makes request or survey ids: 31 bits counting up from a random start,
/// top bit set.
pub struct IdGenerator(AtomicU32);

impl IdGenerator {
    pub fn new() -> IdGenerator {
        let seed = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.subsec_nanos() ^ d.as_secs() as u32)
            .unwrap_or(0)
            ^ std::process::id().rotate_left(16);
        IdGenerator(AtomicU32::new(seed))
    }

    pub fn next(&self) -> u32 {
        self.0.fetch_add(1, Ordering::Relaxed) | TOP_BIT
    }
}

impl Default for IdGenerator {
    fn default() -> Self {
        IdGenerator::new()
    }
}

/// A 31-bit key naming a pipe in raw headers (top bit clear).
pub fn pipe_key(counter: &mut u32) -> u32 {
    *counter = counter.wrapping_add(1) & !TOP_BIT;
    if *counter == 0 {
        *counter = 1;
    }
    *counter
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backtraces() {
        assert!(is_valid(&[0x80, 0, 0, 1], 8));
        assert!(is_valid(&[0, 0, 0, 7, 0x80, 0, 0, 1], 8));
        assert!(!is_valid(&[0, 0, 0, 7, 0x80, 0, 0, 1], 1));
        assert!(!is_valid(&[0, 0, 0, 1], 8));
        assert!(!is_valid(&[0x80, 0, 0, 1, 0x80, 0, 0, 2], 8));
        assert!(!is_valid(&[0x80, 0, 0], 8));
        assert!(!is_valid(&[], 8));
    }

    #[test]
    fn ids_have_the_top_bit() {
        let g = IdGenerator::new();
        let a = g.next();
        let b = g.next();
        assert!(a & TOP_BIT != 0 && b & TOP_BIT != 0);
        assert_ne!(a, b);
        assert_eq!(single_id(&a.to_be_bytes()), Some(a));
        assert_eq!(single_id(&[0, 0, 0, 1]), None);
    }
}
