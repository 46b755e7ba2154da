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
///
/// The table has any number of slots, not a power of two (a hash finds its
/// first slot by a multiply, [`SeenIds::start`]), so that a file whose size is
/// known is given the slots it needs, 80% full, and no more: with powers of
/// two, 99M ids (the interactions of ten million leads) took 2^27 slots
/// (1.6 GB) after growing through 2^26 (2.4 GB held while moving), where
/// 124M slots (1.5 GB) are set aside at once now.
pub(crate) struct SeenIds {
    keys: std::collections::hash_map::RandomState,
    slots: Vec<[u32; 3]>,
    len: usize,
}

const MIN_SLOTS: usize = 1024;

/// The most slots [`SeenIds::reserve`] sets aside: 2^28 (3.2 GB, 215M ids);
/// beyond, the table grows as ids come.
const MAX_RESERVED: usize = 1 << 28;

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

    /// The slot where `hash` starts probing: the hash scaled to the table's
    /// length (its high bits decide).
    fn start(&self, hash: u64) -> usize {
        ((u128::from(hash) * self.slots.len() as u128) >> 64) as usize
    }

    /// Reads the slot where `hash` would start probing, so that its cache miss
    /// overlaps with others; the caller keeps the value to keep the read.
    pub fn touch(&self, hash: u64) -> u32 {
        self.slots.get(self.start(hash)).map_or(0, |slot| slot[0])
    }

    /// Makes room for `ids` ids in all, so that the table need not grow (and hold
    /// two copies) while reading. An estimate (within a few percent for a CSV
    /// file): the table is sized 80% full and grows only past 7/8; at most
    /// [`MAX_RESERVED`] slots are set aside.
    pub fn reserve(&mut self, ids: usize) {
        let wanted = slots_for(ids).min(MAX_RESERVED);
        if wanted > self.slots.len() {
            self.resize(wanted);
        }
    }

    /// Records `hash` as seen in `block`, or, when it was seen before, gives the
    /// block it was first seen in (and records nothing).
    pub fn insert(&mut self, hash: u64, block: u32) -> Option<u32> {
        if (self.len + 1) * 8 > self.slots.len() * 7 {
            self.resize(self.slots.len().saturating_mul(3) / 2);
        }
        let (lo, hi) = split(hash);
        let mut i = self.start(hash);
        loop {
            let Some(slot) = self.slots.get_mut(i) else {
                // Past the end: wrap around.
                i = 0;
                continue;
            };
            match *slot {
                [0, 0, _] => {
                    *slot = [lo, hi, block];
                    self.len += 1;
                    return None;
                }
                [l, h, first] if l == lo && h == hi => return Some(first),
                _ => i += 1,
            }
        }
    }

    fn resize(&mut self, slots: usize) {
        let old = std::mem::replace(&mut self.slots, vec![[0; 3]; slots]);
        for slot in old {
            if slot[0] == 0 && slot[1] == 0 {
                continue;
            }
            let hash = u64::from(slot[1]) << 32 | u64::from(slot[0]);
            let mut i = self.start(hash);
            while let Some(taken) = self.slots.get(i) {
                if taken[0] == 0 && taken[1] == 0 {
                    break;
                }
                i += 1;
            }
            match self.slots.get_mut(i) {
                Some(free) => *free = slot,
                None => {
                    // Past the end: the first free slot from the start.
                    if let Some(free) = self.slots.iter_mut().find(|s| s[0] == 0 && s[1] == 0) {
                        *free = slot;
                    }
                }
            }
        }
    }
}

/// The slots that hold `ids` ids 80% full.
fn slots_for(ids: usize) -> usize {
    ids.saturating_mul(5).div_ceil(4).max(MIN_SLOTS)
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
        assert!(seen.slots.len() >= 10_000 * 8 / 7);
        let h = seen.hash("I5000");
        assert_eq!(seen.insert(h, 99), Some(block_of(5001)));
        assert_eq!(seen.insert(seen.hash("I10000"), 9), None);
    }

    #[test]
    fn reserving_sizes_the_table_once() {
        let mut seen = SeenIds::new();
        seen.reserve(3000);
        assert_eq!(seen.slots.len(), 3750);
        seen.insert(seen.hash("a"), 0);
        seen.reserve(10);
        assert_eq!(seen.slots.len(), 3750);
        seen.reserve(usize::MAX);
        assert_eq!(seen.slots.len(), MAX_RESERVED);
        assert_eq!(seen.insert(seen.hash("a"), 3), Some(0));
    }

    #[test]
    fn a_reserved_table_holds_its_ids_without_growing() {
        let mut seen = SeenIds::new();
        seen.reserve(100_000);
        let slots = seen.slots.len();
        assert_eq!(slots, 125_000, "80% full, not the next power of two");
        for i in 0..105_000u64 {
            let h = seen.hash(&format!("I{i}"));
            assert_eq!(seen.insert(h, block_of(i + 1)), None);
        }
        assert_eq!(
            seen.slots.len(),
            slots,
            "5% more ids than estimated still fit"
        );
    }

    #[test]
    fn probes_wrap_past_the_last_slot() {
        let mut seen = SeenIds::new();
        // Hashes that all start at the last slot.
        let hashes: Vec<u64> = (0..5).map(|k| u64::MAX - k).collect();
        for (block, &h) in hashes.iter().enumerate() {
            assert_eq!(seen.start(h), MIN_SLOTS - 1);
            assert_eq!(seen.insert(h, block as u32), None);
        }
        for (block, &h) in hashes.iter().enumerate() {
            assert_eq!(seen.insert(h, 99), Some(block as u32));
        }
        // Moving them into a larger table keeps every one.
        seen.resize(MIN_SLOTS * 3);
        for (block, &h) in hashes.iter().enumerate() {
            assert_eq!(seen.insert(h, 99), Some(block as u32));
        }
    }

    #[test]
    fn blocks_count_from_row_one() {
        assert_eq!(block_of(1), 0);
        assert_eq!(block_of(1024), 0);
        assert_eq!(block_of(1025), 1);
        assert_eq!(block_start(1), 1025);
    }
}
