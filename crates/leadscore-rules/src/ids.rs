//! An id → position index for millions of ids: 64-bit hashes of the ids as keys,
//! so a lookup touches one table slot instead of a slot and the id's text.
//!
//! Two different ids with the same hash are detected when the second is added;
//! both then live in an exact map consulted first. An id that was never added
//! but hashes like one that was would be taken for it: with 64-bit hashes and a
//! million ids that happens about once in 10^13 lookups, far below any data
//! error rate, and the reader checks ids against their files anyway.

use std::hash::{BuildHasher, Hasher};

use rustc_hash::{FxBuildHasher, FxHashMap, FxHashSet};

/// Positions of ids, by their 64-bit hash.
#[derive(Debug, Clone, Default)]
pub(crate) struct IdIndex {
    by_hash: FxHashMap<u64, u32>,
    /// Hashes shared by two different ids: those ids are in `exact`.
    colliding: FxHashSet<u64>,
    exact: FxHashMap<Box<str>, u32>,
}

/// A 64-bit hash of an id's text. Fx mixes 8 bytes at a time; a final
/// multiply-xorshift spreads the bits so that similar ids land far apart.
fn hash(id: &str) -> u64 {
    let mut h = FxBuildHasher.build_hasher();
    h.write(id.as_bytes());
    h.write_usize(id.len());
    let mut x = h.finish();
    x ^= x >> 33;
    x = x.wrapping_mul(0xff51_afd7_ed55_8ccd);
    x ^= x >> 33;
    x
}

impl IdIndex {
    /// Records `id` at `position`; `name_of` gives the id at a known position, to
    /// tell a hash collision from a repeated id (a repeated id takes the new
    /// position, as a map insert would).
    pub(crate) fn insert<'a>(&mut self, id: &str, position: u32, name_of: impl Fn(u32) -> &'a str) {
        let key = hash(id);
        if self.colliding.contains(&key) {
            self.exact.insert(id.into(), position);
            return;
        }
        match self.by_hash.insert(key, position) {
            Some(previous) if name_of(previous) != id => {
                // A true collision: both ids move to the exact map.
                self.colliding.insert(key);
                self.by_hash.remove(&key);
                self.exact.insert(name_of(previous).into(), previous);
                self.exact.insert(id.into(), position);
            }
            _ => {}
        }
    }

    /// The position of `id`, if it was added.
    pub(crate) fn get(&self, id: &str) -> Option<u32> {
        let key = hash(id);
        if self.colliding.contains(&key) {
            return self.exact.get(id).copied();
        }
        self.by_hash.get(&key).copied()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_what_was_added_and_nothing_else() {
        let ids: Vec<String> = (0..10_000).map(|i| format!("C{i:07}")).collect();
        let mut index = IdIndex::default();
        for (i, id) in ids.iter().enumerate() {
            index.insert(id, i as u32, |p| &ids[p as usize]);
        }
        for (i, id) in ids.iter().enumerate() {
            assert_eq!(index.get(id), Some(i as u32));
        }
        assert_eq!(index.get("C9999999"), None);
        assert_eq!(index.get(""), None);
    }

    #[test]
    fn colliding_ids_are_told_apart() {
        let names = ["a", "b", "c"];
        let mut index = IdIndex::default();
        index.insert("a", 0, |p| names[p as usize]);
        // Force a collision by planting "b"'s hash at "a"'s position.
        let key = hash("b");
        index.by_hash.insert(key, 0);
        index.insert("b", 1, |p| names[p as usize]);
        assert_eq!(index.get("b"), Some(1));
        assert_eq!(index.get("a"), Some(0));
        index.insert("b", 2, |p| names[p as usize]);
        assert_eq!(index.get("b"), Some(2));
    }
}
