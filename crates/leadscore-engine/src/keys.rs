//! API keys with roles. A key is shown once, when made; only its SHA-256 hash
//! is stored. Requests carry it as `Authorization: Bearer <key>`; checking
//! one is [`authenticate`], cached for a few seconds.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use leadscore_domain::{Role, Timestamp};
use leadscore_store::SqlStore;
use rand::RngCore;
use serde::Serialize;
use sha2::{Digest, Sha256};
use utoipa::ToSchema;

use crate::EngineError;

/// A key just made: the only time its text exists outside the caller.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct NewKey {
    /// The public part, shown in listings and logs (`lsk_ab12cd34`).
    pub key_id: String,
    /// The whole key, to send as `Authorization: Bearer <key>`.
    pub key: String,
    /// Its role.
    pub role: Role,
}

/// The SHA-256 of a key, hex.
fn hash(key: &str) -> String {
    hex::encode(Sha256::digest(key.as_bytes()))
}

/// Makes a key with a role and stores its hash.
pub async fn create_key(
    store: &SqlStore,
    role: Role,
    label: Option<&str>,
) -> Result<NewKey, EngineError> {
    let mut id = [0u8; 4];
    let mut secret = [0u8; 24];
    {
        let mut rng = rand::rng();
        rng.fill_bytes(&mut id);
        rng.fill_bytes(&mut secret);
    }
    let key_id = format!("lsk_{}", hex::encode(id));
    let key = format!("{key_id}_{}", hex::encode(secret));
    store
        .keys()
        .insert(&key_id, &hash(&key), role, label)
        .await?;
    Ok(NewKey { key_id, key, role })
}

/// A key's stored facts.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct KeyInfo {
    /// The public part.
    pub key_id: String,
    /// Its role.
    pub role: Role,
    /// Its label.
    pub label: Option<String>,
    /// When it was made.
    pub created_at: Timestamp,
    /// When it was revoked, if it was.
    pub revoked_at: Option<Timestamp>,
}

/// Every key, newest first (never the key text: it is not stored).
pub async fn list_keys(store: &SqlStore) -> Result<Vec<KeyInfo>, EngineError> {
    Ok(store
        .keys()
        .list()
        .await?
        .into_iter()
        .map(|k| KeyInfo {
            key_id: k.key_id,
            role: k.role,
            label: k.label,
            created_at: k.created_at,
            revoked_at: k.revoked_at,
        })
        .collect())
}

/// Revokes a key; false when there is no such active key.
pub async fn revoke_key(store: &SqlStore, key_id: &str) -> Result<bool, EngineError> {
    Ok(store.keys().revoke(key_id).await?)
}

/// How long a checked key is trusted without asking the store again (so a
/// revocation on another instance takes effect within this time).
const CACHE_TTL: Duration = Duration::from_secs(5);

/// Checked keys, by hash.
#[derive(Debug, Default)]
pub struct KeyCache {
    entries: Mutex<HashMap<String, (Option<Caller>, Instant)>>,
}

impl KeyCache {
    fn get(&self, hash: &str) -> Option<Option<Caller>> {
        let entries = self.entries.lock().ok()?;
        let (caller, at) = entries.get(hash)?;
        (at.elapsed() < CACHE_TTL).then(|| caller.clone())
    }

    fn put(&self, hash: String, caller: Option<Caller>) {
        if let Ok(mut entries) = self.entries.lock() {
            if entries.len() > 10_000 {
                entries.retain(|_, (_, at)| at.elapsed() < CACHE_TTL);
            }
            entries.insert(hash, (caller, Instant::now()));
        }
    }

    /// Forgets every checked key (after a revocation on this instance).
    pub fn clear(&self) {
        if let Ok(mut entries) = self.entries.lock() {
            entries.clear();
        }
    }
}

/// Who is calling: the key's public id and role.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caller {
    /// The key's public part.
    pub key_id: String,
    /// Its role.
    pub role: Role,
}

/// Who holds `key`: an active key's id and role, `None` for an unknown or
/// revoked key. Answers are cached for a few seconds (so a revocation on
/// another instance takes effect within that time).
pub async fn authenticate(
    store: &SqlStore,
    cache: &KeyCache,
    key: &str,
) -> Result<Option<Caller>, EngineError> {
    let digest = hash(key);
    if let Some(cached) = cache.get(&digest) {
        return Ok(cached);
    }
    let caller = store
        .keys()
        .active_by_hash(&digest)
        .await?
        .map(|row| Caller {
            key_id: row.key_id,
            role: row.role,
        });
    cache.put(digest, caller.clone());
    Ok(caller)
}
