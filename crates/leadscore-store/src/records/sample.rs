//! A fixed-size, deterministic sample of the stored leads, for the work that
//! would otherwise read the whole store into memory (the live model's
//! review): bottom-k by a hash of the lead id, so that every instance and
//! every run picks the same leads, a lead stays picked as the store grows
//! (until the sample is full of leads hashed lower), and the memory is that of
//! `max` ids whatever the store holds.

use std::collections::BinaryHeap;

use futures_util::TryStreamExt;
use leadscore_domain::LeadId;
use sqlx::{AnyConnection, Row};

use crate::StoreError;

/// The leads a sample picked, and how many were stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SampledLeads {
    /// The picked leads, ordered by id (byte order); all of them when the
    /// store holds at most the sample's size.
    pub ids: Vec<LeadId>,
    /// How many leads the store held when they were read.
    pub stored: u64,
}

impl SampledLeads {
    /// Whether the sample holds every stored lead.
    pub fn is_everything(&self) -> bool {
        self.ids.len() as u64 >= self.stored
    }
}

/// A lead id's place in the sample order: FNV-1a over its bytes, then
/// SplitMix64's finalizer, so that ids that differ in one character (`L0001`,
/// `L0002`) land far apart. Fixed here, never a hasher whose output may
/// change with a library or a process.
pub(crate) fn sample_hash(id: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in id.bytes() {
        h ^= u64::from(byte);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h ^= h >> 30;
    h = h.wrapping_mul(0xbf58_476d_1ce4_e5b9);
    h ^= h >> 27;
    h = h.wrapping_mul(0x94d0_49bb_1331_11eb);
    h ^ (h >> 31)
}

/// Reads every stored lead id once, as a stream, and keeps the `max` with
/// the lowest [`sample_hash`] (ties by id).
pub(crate) async fn sample_lead_ids(
    conn: &mut AnyConnection,
    max: usize,
) -> Result<SampledLeads, StoreError> {
    let op = "sample the stored leads";
    let mut kept: BinaryHeap<(u64, String)> = BinaryHeap::with_capacity(max.min(1 << 20) + 1);
    let mut stored = 0u64;
    let mut rows = sqlx::query("SELECT lead_id FROM leads").fetch(&mut *conn);
    while let Some(row) = rows.try_next().await.map_err(StoreError::query(op))? {
        stored += 1;
        if max == 0 {
            continue;
        }
        let id: String = row.try_get("lead_id").map_err(StoreError::query(op))?;
        let key = (sample_hash(&id), id);
        if kept.len() < max {
            kept.push(key);
        } else if kept.peek().is_some_and(|top| key < *top) {
            kept.pop();
            kept.push(key);
        }
    }
    let mut ids = Vec::with_capacity(kept.len());
    for (_, id) in kept {
        let lead = LeadId::parse(&id).map_err(|e| StoreError::CorruptRow {
            table: "leads",
            id: id.clone(),
            column: "lead_id",
            reason: e.to_string(),
        })?;
        ids.push(lead);
    }
    ids.sort();
    Ok(SampledLeads { ids, stored })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The order is fixed: a change here would change every store's review
    /// sample.
    #[test]
    fn the_sample_order_is_fixed() {
        assert_eq!(sample_hash(""), 0xf52a_15e9_a9b5_e89b);
        assert_eq!(sample_hash("L0000001"), 0x4764_9658_5e89_8f4c);
        assert_ne!(sample_hash("L0001"), sample_hash("L0002"));
    }

    /// Ids that differ in their last character spread over the whole range:
    /// a tenth of them land in each tenth of it.
    #[test]
    fn consecutive_ids_spread_evenly() {
        let mut tenths = [0u32; 10];
        for i in 0..100_000 {
            let h = sample_hash(&format!("L{i:07}"));
            let tenth = (h / (u64::MAX / 10 + 1)) as usize;
            if let Some(n) = tenths.get_mut(tenth) {
                *n += 1;
            }
        }
        for n in tenths {
            assert!((9_500..=10_500).contains(&n), "{tenths:?}");
        }
    }
}
