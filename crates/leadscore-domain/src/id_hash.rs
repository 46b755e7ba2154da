//! Ids kept as 128-bit keyed hashes, for the sets and maps of every id of a
//! folder or an import (tens of millions at ten million leads) that need to
//! know an id again but not to read it back.
//!
//! A `HashSet<Box<str>>` costs some 50-70 bytes an id (the table slot, the
//! string's heap block and the allocator's share); an [`IdHash`] is 16 bytes
//! in the slot and nothing else. The two 64-bit halves are SipHashes with
//! random keys ([`IdHasher`]), so that no folder can be crafted to collide,
//! and two ids of a folder share one hash with a chance of about 10^-24 at
//! twenty million ids.

use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasher, BuildHasherDefault, Hash, Hasher, RandomState};

/// An id's 128-bit keyed hash (see [`IdHasher`]).
///
/// It is already a keyed hash, so a table of them need not hash it again:
/// [`IdMap`] and [`IdSet`] take its first half as the table's hash
/// ([`IdHashState`]), where a `HashMap<[u64; 2], _>` would SipHash both.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct IdHash([u64; 2]);

impl Hash for IdHash {
    fn hash<H: Hasher>(&self, state: &mut H) {
        // One half is enough to spread the table; equality compares both.
        state.write_u64(self.0[0]);
    }
}

/// A map keyed by [`IdHash`], without hashing the keys again.
pub type IdMap<V> = HashMap<IdHash, V, IdHashState>;

/// A set of [`IdHash`]es, without hashing them again.
pub type IdSet = HashSet<IdHash, IdHashState>;

/// The [`BuildHasher`] of [`IdMap`] and [`IdSet`]: the key's first half,
/// already a keyed hash, is the table's hash.
pub type IdHashState = BuildHasherDefault<PassThrough>;

/// The [`Hasher`] of [`IdHashState`]: gives the last `u64` written (an
/// [`IdHash`] writes one). Anything else written is folded in, so that it
/// stays a hasher for any key, if a poor one.
#[derive(Debug, Clone, Copy, Default)]
pub struct PassThrough(u64);

impl Hasher for PassThrough {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &byte in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(byte);
        }
    }

    fn write_u64(&mut self, value: u64) {
        self.0 = value;
    }
}

/// The random keys of [`IdHash`]es: ids hashed by one hasher can be compared;
/// a new hasher has new keys.
#[derive(Debug, Clone, Default)]
pub struct IdHasher(RandomState, RandomState);

impl IdHasher {
    /// A hasher with new random keys.
    pub fn new() -> Self {
        Self::default()
    }

    /// The hash of an id.
    pub fn hash(&self, id: &str) -> IdHash {
        IdHash([self.0.hash_one(id), self.1.hash_one(id)])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_hasher_gives_one_hash_an_id_and_different_ids_differ() {
        let hasher = IdHasher::new();
        assert_eq!(hasher.hash("C0000204"), hasher.clone().hash("C0000204"));
        assert_ne!(hasher.hash("C0000204"), hasher.hash("C0000205"));
        let IdHash([low, high]) = hasher.hash("a");
        assert_ne!(low, high, "two keys");
    }

    #[test]
    fn a_table_of_id_hashes_is_hashed_by_the_first_half() {
        let hasher = IdHasher::new();
        let id = hasher.hash("L0000001");
        let state = IdHashState::default();
        assert_eq!(state.hash_one(id), id.0[0]);
        // Ids whose first halves collide are still told apart.
        let twin = IdHash([id.0[0], id.0[1] ^ 1]);
        let mut map = IdMap::default();
        map.insert(id, 1);
        map.insert(twin, 2);
        assert_eq!(
            (map.get(&id), map.get(&twin), map.len()),
            (Some(&1), Some(&2), 2)
        );
        let set: IdSet = [id, id, twin].into_iter().collect();
        assert_eq!(set.len(), 2);
    }
}
