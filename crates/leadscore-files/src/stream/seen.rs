//! The ids of one file seen so far, to find duplicates in a single pass.
//!
//! Why hashes and not the ids: an interactions file holds ~10M ids. A
//! `HashSet<String>` of them costs ~60 bytes an id (the string's heap block, its
//! header, the table slot), ~600 MB, for a check that almost never fires. This
//! table keeps a 64-bit keyed hash of each id (SipHash with random keys, so a file
//! cannot be crafted to collide) and the number of the 1,024-row block the id was
//! first seen in: 12 bytes a slot, ~200 MB at 10M ids (at most 75% full), about
//! a third of the strings.
//!
//! A hash seen before is only a suspect: the caller confirms it by reading the
//! rows again from the recorded block (CSV: one seek to a saved position; Parquet:
//! one slice) until it finds the first accepted row with exactly the same id. A
//! true duplicate is found within its block; two different ids with one hash
//! (expected about once in 10^6 files of 10M ids) cost a longer rescan and are
//! then not reported. A sort-based check (sort all hashes at the end) would be as
//! small, but finds duplicates only after the sink has received them, and a
//! skipped duplicate must never reach the sink.

use std::hash::BuildHasher;

/// The rows of a file are grouped in blocks of this many rows for re-reading.
pub(crate) const BLOCK_ROWS: u64 = 1024;

/// The block of a row (rows count from 1).
pub(crate) fn block_of(row: u64) -> u32 {
    u32::try_from(row.saturating_sub(1) / BLOCK_ROWS).unwrap_or(u32::MAX)
}

/// The first row (from 1) of a block.
pub(crate) fn block_start(block: u32) -> u64 {
    u64::from(block) * BLOCK_ROWS + 1
}

/// An open-addressing table (linear probing) of id hashes and the block each was
/// first seen in. A slot is `[low half, high half, block]` of 12 bytes, so that a
/// probe touches one cache line: at 10M ids the table is far larger than the
/// caches and every probe is a miss; [`SeenIds::touch`] lets a caller start the
/// misses of many rows at once. A hash is never 0, so `[0, 0, _]` is empty.
pub(crate) struct SeenIds {
    keys: std::collections::hash_map::RandomState,
    slots: Vec<[u32; 3]>,
    len: usize,
}

const MIN_SLOTS: usize = 1024;

/// The most slots [`SeenIds::reserve`] sets aside: 2^24 (200 MB, 12M ids).
const MAX_RESERVED: usize = 1 << 24;

fn split(hash: u64) -> (u32, u32) {
    (hash as u32, (hash >> 32) as u32)
}

impl SeenIds {
    pub fn new() -> Self {
        Self {
            keys: std::collections::hash_map::RandomState::new(),
            slots: vec![[0; 3]; MIN_SLOTS],
            len: 0,
        }
    }

    /// The hash of an id (never 0).
    pub fn hash(&self, id: &str) -> u64 {
        self.keys.hash_one(id).max(1)
    }

    /// Reads the slot where `hash` would start probing, so that its cache miss
    /// overlaps with others; the caller keeps the value to keep the read.
    pub fn touch(&self, hash: u64) -> u32 {
        let mask = self.slots.len() - 1;
        self.slots[(hash as usize) & mask][0]
    }

    /// Makes room for `ids` ids in all, so that the table need not grow (and hold
    /// two copies) while reading. An estimate, so at most [`MAX_RESERVED`] slots
    /// are set aside (beyond, the table grows as ids come).
    pub fn reserve(&mut self, ids: usize) {
        let wanted = slots_for(ids).min(MAX_RESERVED);
        if wanted > self.slots.len() {
            self.resize(wanted);
        }
    }

    /// Records `hash` as seen in `block`, or, when it was seen before, gives the
    /// block it was first seen in (and records nothing).
    pub fn insert(&mut self, hash: u64, block: u32) -> Option<u32> {
        if (self.len + 1) * 4 > self.slots.len() * 3 {
            self.resize(self.slots.len() * 2);
        }
        let (lo, hi) = split(hash);
        let mask = self.slots.len() - 1;
        let mut i = (hash as usize) & mask;
        loop {
            let slot = &mut self.slots[i];
            match *slot {
                [0, 0, _] => {
                    *slot = [lo, hi, block];
                    self.len += 1;
                    return None;
                }
                [l, h, first] if l == lo && h == hi => return Some(first),
                _ => i = (i + 1) & mask,
            }
        }
    }

    fn resize(&mut self, slots: usize) {
        let old = std::mem::replace(&mut self.slots, vec![[0; 3]; slots]);
        let mask = slots - 1;
        for slot in old {
            if slot[0] == 0 && slot[1] == 0 {
                continue;
            }
            let hash = u64::from(slot[1]) << 32 | u64::from(slot[0]);
            let mut i = (hash as usize) & mask;
            while self.slots[i][0] != 0 || self.slots[i][1] != 0 {
                i = (i + 1) & mask;
            }
            self.slots[i] = slot;
        }
    }
}

/// The power of two of slots that holds `ids` ids at most 75% full.
fn slots_for(ids: usize) -> usize {
    ids.saturating_mul(4)
        .div_ceil(3)
        .max(MIN_SLOTS)
        .checked_next_power_of_two()
        .unwrap_or(MIN_SLOTS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_repeats_with_their_first_block_across_growth() {
        let mut seen = SeenIds::new();
        for i in 0..10_000u64 {
            let h = seen.hash(&format!("I{i}"));
            assert_eq!(seen.insert(h, block_of(i + 1)), None);
        }
        assert!(seen.slots.len() >= 10_000 * 4 / 3);
        let h = seen.hash("I5000");
        assert_eq!(seen.insert(h, 99), Some(block_of(5001)));
        assert_eq!(seen.insert(seen.hash("I10000"), 9), None);
    }

    #[test]
    fn reserving_sizes_the_table_once() {
        let mut seen = SeenIds::new();
        seen.reserve(3000);
        assert_eq!(seen.slots.len(), 4096);
        seen.insert(seen.hash("a"), 0);
        seen.reserve(10);
        assert_eq!(seen.slots.len(), 4096);
        seen.reserve(usize::MAX);
        assert_eq!(seen.slots.len(), MAX_RESERVED);
        assert_eq!(seen.insert(seen.hash("a"), 3), Some(0));
    }

    #[test]
    fn blocks_count_from_row_one() {
        assert_eq!(block_of(1), 0);
        assert_eq!(block_of(1024), 0);
        assert_eq!(block_of(1025), 1);
        assert_eq!(block_start(1), 1025);
    }
}
