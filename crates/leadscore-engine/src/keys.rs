//! API keys with roles. A key is shown once, when made; only its SHA-256 hash
//! is stored. Requests carry it as `Authorization: Bearer <key>`; checking
//! one is [`authenticate`], cached for a few seconds. A key may expire, and
//! [`rotate_key`] replaces one with an overlap in which both work.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use leadscore_domain::{Role, Timestamp};
use leadscore_store::{NewKeyRow, Rotation, SqlStore};
use rand::RngCore;
use serde::Serialize;
use sha2::{Digest, Sha256};
use utoipa::ToSchema;

use crate::{EngineError, ErrorCode, Refusal};

/// A key just made: the only time its text exists outside the caller.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct NewKey {
    /// The public part, shown in listings and logs (`lsk_ab12cd34`).
    pub key_id: String,
    /// The whole key, to send as `Authorization: Bearer <key>`.
    pub key: String,
    /// Its role.
    pub role: Role,
    /// When it stops working; absent, it works until revoked.
    pub expires_at: Option<Timestamp>,
}

/// The longest a key may be made to live (ten years).
pub const MAX_LIFETIME: Duration = Duration::from_secs(3650 * 86_400);
/// How long a rotated key keeps working beside its successor, by default.
pub const DEFAULT_OVERLAP: Duration = Duration::from_secs(24 * 3600);
/// The longest overlap of a rotation (30 days).
pub const MAX_OVERLAP: Duration = Duration::from_secs(30 * 86_400);

/// When a key made now to live `days` days expires (`None`: never): a
/// refusal naming `field` outside 1 to 3650 days ([`MAX_LIFETIME`]).
pub fn expiry_in_days(days: Option<u32>, field: &str) -> Result<Option<Timestamp>, Refusal> {
    let Some(days) = days else {
        return Ok(None);
    };
    let lifetime = Duration::from_secs(u64::from(days) * 86_400);
    if lifetime.is_zero() || lifetime > MAX_LIFETIME {
        return Err(Refusal::new(
            ErrorCode::InvalidValue,
            format!("a key lives 1 to 3650 days, not {days}"),
        )
        .field(field));
    }
    Ok(Some(Timestamp::now().plus(lifetime)))
}

/// A rotation's overlap of `hours` hours: a refusal naming `field` above
/// 720 hours ([`MAX_OVERLAP`]).
pub fn overlap_of_hours(hours: u32, field: &str) -> Result<Duration, Refusal> {
    let overlap = Duration::from_secs(u64::from(hours) * 3600);
    if overlap > MAX_OVERLAP {
        return Err(Refusal::new(
            ErrorCode::InvalidValue,
            format!("the overlap is at most 720 hours (30 days), not {hours}"),
        )
        .field(field));
    }
    Ok(overlap)
}

/// The SHA-256 of a key, hex.
fn hash(key: &str) -> String {
    hex::encode(Sha256::digest(key.as_bytes()))
}

/// A fresh key's public id and whole text.
fn mint() -> (String, String) {
    let mut id = [0u8; 4];
    let mut secret = [0u8; 24];
    let mut rng = rand::rng();
    rng.fill_bytes(&mut id);
    rng.fill_bytes(&mut secret);
    let key_id = format!("lsk_{}", hex::encode(id));
    let key = format!("{key_id}_{}", hex::encode(secret));
    (key_id, key)
}

/// Makes a key with a role (and an expiry, [`expiry_in_days`]) and stores
/// its hash.
pub async fn create_key(
    store: &SqlStore,
    role: Role,
    label: Option<&str>,
    expires_at: Option<Timestamp>,
) -> Result<NewKey, EngineError> {
    let (key_id, key) = mint();
    store
        .keys()
        .insert(&NewKeyRow {
            key_id: &key_id,
            key_hash: &hash(&key),
            role,
            label,
            expires_at,
            replaces: None,
        })
        .await?;
    Ok(NewKey {
        key_id,
        key,
        role,
        expires_at,
    })
}

/// A rotation's outcome: the new key (shown once) and when the old one
/// stops working.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RotatedKey {
    /// The new key, with the old key's role and label.
    #[serde(flatten)]
    pub new: NewKey,
    /// The old key's public part.
    pub replaces: String,
    /// When the old key stops working: the end of the overlap (or its own
    /// expiry, when that comes first).
    pub replaced_expires_at: Timestamp,
}

/// Rotates an active key: makes a new one with the same role and label
/// (expiring at `expires_at`, if given) and lets the old one work for
/// `overlap` more ([`overlap_of_hours`]), so that clients can switch without a gap.
/// `None` when there is no such active key.
pub async fn rotate_key(
    store: &SqlStore,
    key_id: &str,
    overlap: Duration,
    expires_at: Option<Timestamp>,
) -> Result<Option<RotatedKey>, EngineError> {
    let (new_id, key) = mint();
    let rotated = store
        .keys()
        .rotate(&Rotation {
            old_key_id: key_id,
            old_expires_at: Timestamp::now().plus(overlap),
            new_key_id: &new_id,
            new_key_hash: &hash(&key),
            new_expires_at: expires_at,
        })
        .await?;
    Ok(rotated.map(|old| RotatedKey {
        new: NewKey {
            key_id: new_id,
            key,
            role: old.role,
            expires_at,
        },
        replaced_expires_at: old.expires_at.unwrap_or_else(Timestamp::now),
        replaces: old.key_id,
    }))
}

/// Where a key stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum KeyStatus {
    /// It works.
    Active,
    /// It worked until its expiry.
    Expired,
    /// It was revoked.
    Revoked,
}

impl KeyStatus {
    /// The status as shown.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Active => "active",
            Self::Expired => "expired",
            Self::Revoked => "revoked",
        }
    }

    fn of(revoked_at: Option<Timestamp>, expires_at: Option<Timestamp>, now: Timestamp) -> Self {
        if revoked_at.is_some() {
            Self::Revoked
        } else if expires_at.is_some_and(|at| at <= now) {
            Self::Expired
        } else {
            Self::Active
        }
    }
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
    /// Where it stands now.
    pub status: KeyStatus,
    /// When it was made.
    pub created_at: Timestamp,
    /// When it stops (or stopped) working, if it does.
    pub expires_at: Option<Timestamp>,
    /// When it was revoked, if it was.
    pub revoked_at: Option<Timestamp>,
    /// The key it replaced by a rotation.
    pub replaces: Option<String>,
}

/// Every key, newest first (never the key text: it is not stored).
pub async fn list_keys(store: &SqlStore) -> Result<Vec<KeyInfo>, EngineError> {
    let now = Timestamp::now();
    Ok(store
        .keys()
        .list()
        .await?
        .into_iter()
        .map(|k| KeyInfo {
            status: KeyStatus::of(k.revoked_at, k.expires_at, now),
            key_id: k.key_id,
            role: k.role,
            label: k.label,
            created_at: k.created_at,
            expires_at: k.expires_at,
            revoked_at: k.revoked_at,
            replaces: k.replaces,
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
    entries: Mutex<HashMap<String, (Option<Holder>, Instant)>>,
}

/// A stored, unrevoked key as checked: who holds it and until when.
#[derive(Debug, Clone)]
struct Holder {
    caller: Caller,
    expires_at: Option<Timestamp>,
}

impl KeyCache {
    fn get(&self, hash: &str) -> Option<Option<Holder>> {
        let entries = self.entries.lock().ok()?;
        let (caller, at) = entries.get(hash)?;
        (at.elapsed() < CACHE_TTL).then(|| caller.clone())
    }

    fn put(&self, hash: String, caller: Option<Holder>) {
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

/// What a key is found to be.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyCheck {
    /// An active key: who holds it.
    Valid(Caller),
    /// A key that worked until `at`.
    Expired {
        /// The key's public part.
        key_id: String,
        /// When it stopped working.
        at: Timestamp,
    },
    /// No such key, or a revoked one.
    Unknown,
}

/// Who holds `key`: an active key's id and role, or why it does not work.
/// Answers are cached for a few seconds (so a revocation on another
/// instance takes effect within that time); an expiry takes effect at once.
pub async fn authenticate(
    store: &SqlStore,
    cache: &KeyCache,
    key: &str,
) -> Result<KeyCheck, EngineError> {
    let digest = hash(key);
    let holder = match cache.get(&digest) {
        Some(cached) => cached,
        None => {
            let holder = store
                .keys()
                .active_by_hash(&digest)
                .await?
                .map(|row| Holder {
                    caller: Caller {
                        key_id: row.key_id,
                        role: row.role,
                    },
                    expires_at: row.expires_at,
                });
            cache.put(digest, holder.clone());
            holder
        }
    };
    Ok(match holder {
        None => KeyCheck::Unknown,
        Some(Holder {
            caller,
            expires_at: Some(at),
        }) if at <= Timestamp::now() => KeyCheck::Expired {
            key_id: caller.key_id,
            at,
        },
        Some(holder) => KeyCheck::Valid(holder.caller),
    })
}
