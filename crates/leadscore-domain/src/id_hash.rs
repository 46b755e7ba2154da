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

use std::hash::{BuildHasher, RandomState};

/// An id's 128-bit keyed hash (see [`IdHasher`]).
pub type IdHash = [u64; 2];

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
        [self.0.hash_one(id), self.1.hash_one(id)]
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
        assert_ne!(hasher.hash("a")[0], hasher.hash("a")[1], "two keys");
    }
}
