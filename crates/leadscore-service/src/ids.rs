//! Random ids for events, history entries and erasures.

use rand::RngCore;

/// A new random id: 16 bytes, hex (128 bits: no collisions in practice).
pub fn new_id() -> String {
    let mut bytes = [0u8; 16];
    rand::rng().fill_bytes(&mut bytes);
    hex::encode(bytes)
}
