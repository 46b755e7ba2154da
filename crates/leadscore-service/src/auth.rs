//! API keys with roles. A key is shown once, when made; only its SHA-256 hash
//! is stored. Requests carry it as `Authorization: Bearer <key>`.

use std::collections::HashMap;
use std::fmt;
use std::str::FromStr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use leadscore_domain::Timestamp;
use leadscore_store::{SqlStore, placeholders};
use rand::RngCore;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use sqlx::{AnyPool, AssertSqlSafe, Row};
use utoipa::ToSchema;

use crate::app::AppState;
use crate::time::rfc3339_opt;
use crate::{ApiError, ServiceError};

/// What a key may do; each role may do everything the ones before it may.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, ToSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Read scores, models, queues and exports.
    Read,
    /// Also write records and score.
    Ingest,
    /// Also change models, routing, webhooks and keys.
    Admin,
}

impl Role {
    /// The role's name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Read => "read",
            Self::Ingest => "ingest",
            Self::Admin => "admin",
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Role {
    type Err = ServiceError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "read" => Ok(Self::Read),
            "ingest" => Ok(Self::Ingest),
            "admin" => Ok(Self::Admin),
            other => Err(ServiceError::Settings {
                reason: format!("unknown role {other:?}: read, ingest or admin"),
            }),
        }
    }
}

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
) -> Result<NewKey, ServiceError> {
    let mut id = [0u8; 4];
    let mut secret = [0u8; 24];
    {
        let mut rng = rand::rng();
        rng.fill_bytes(&mut id);
        rng.fill_bytes(&mut secret);
    }
    let key_id = format!("lsk_{}", hex::encode(id));
    let key = format!("{key_id}_{}", hex::encode(secret));
    let sql = placeholders(
        store.backend(),
        "INSERT INTO api_keys (key_id, key_hash, role, label, created_at) VALUES (?, ?, ?, ?, ?)",
    );
    let _turn = store.write_turn().await;
    sqlx::query(AssertSqlSafe(sql))
        .bind(&key_id)
        .bind(hash(&key))
        .bind(role.as_str())
        .bind(label)
        .bind(Timestamp::now().as_micros())
        .execute(store.pool())
        .await
        .map_err(ServiceError::query("store an API key"))?;
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
    /// When it was made (RFC 3339).
    pub created_at: String,
    /// When it was revoked, if it was.
    pub revoked_at: Option<String>,
}

/// Every key, newest first (never the key text: it is not stored).
pub async fn list_keys(pool: &AnyPool) -> Result<Vec<KeyInfo>, ServiceError> {
    let op = "list API keys";
    let rows = sqlx::query(
        "SELECT key_id, role, label, created_at, revoked_at FROM api_keys ORDER BY created_at DESC, key_id",
    )
    .fetch_all(pool)
    .await
    .map_err(ServiceError::query(op))?;
    rows.iter()
        .map(|r| {
            let role: String = r.try_get(1).map_err(ServiceError::query(op))?;
            Ok(KeyInfo {
                key_id: r.try_get(0).map_err(ServiceError::query(op))?,
                role: role.parse()?,
                label: r.try_get(2).map_err(ServiceError::query(op))?,
                created_at: rfc3339_opt(r.try_get(3).map_err(ServiceError::query(op))?)
                    .unwrap_or_default(),
                revoked_at: rfc3339_opt(r.try_get(4).map_err(ServiceError::query(op))?),
            })
        })
        .collect()
}

/// Revokes a key; false when there is no such key.
pub async fn revoke_key(store: &SqlStore, key_id: &str) -> Result<bool, ServiceError> {
    let sql = placeholders(
        store.backend(),
        "UPDATE api_keys SET revoked_at = ? WHERE key_id = ? AND revoked_at IS NULL",
    );
    let _turn = store.write_turn().await;
    let done = sqlx::query(AssertSqlSafe(sql))
        .bind(Timestamp::now().as_micros())
        .bind(key_id)
        .execute(store.pool())
        .await
        .map_err(ServiceError::query("revoke an API key"))?;
    Ok(done.rows_affected() == 1)
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

impl Caller {
    /// 403 unless the caller's role is at least `role`.
    pub fn require(&self, role: Role) -> Result<(), ApiError> {
        if self.role >= role {
            Ok(())
        } else {
            Err(ApiError::forbidden(format!(
                "this needs the {role} role; the key {} has {}",
                self.key_id, self.role
            )))
        }
    }
}

async fn lookup(state: &AppState, key: &str) -> Result<Option<Caller>, ApiError> {
    let digest = hash(key);
    if let Some(cached) = state.keys.get(&digest) {
        return Ok(cached);
    }
    let sql = placeholders(
        state.store.backend(),
        "SELECT key_id, role FROM api_keys WHERE key_hash = ? AND revoked_at IS NULL",
    );
    let row = sqlx::query(AssertSqlSafe(sql))
        .bind(&digest)
        .fetch_optional(state.store.pool())
        .await
        .map_err(|e| ApiError::unavailable(&e))?;
    let caller = match row {
        Some(r) => {
            let key_id: String = r.try_get(0).map_err(|e| ApiError::internal(&e))?;
            let role: String = r.try_get(1).map_err(|e| ApiError::internal(&e))?;
            Some(Caller {
                key_id,
                role: role
                    .parse()
                    .map_err(|e: ServiceError| ApiError::internal(&e))?,
            })
        }
        None => None,
    };
    state.keys.put(digest, caller.clone());
    Ok(caller)
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let header = parts
            .headers
            .get(axum::http::header::AUTHORIZATION)
            .ok_or_else(|| {
                ApiError::unauthorized(
                    "no Authorization header: send `Authorization: Bearer <key>`",
                )
            })?;
        let key = header
            .to_str()
            .ok()
            .and_then(|h| h.strip_prefix("Bearer "))
            .map(str::trim)
            .filter(|k| !k.is_empty())
            .ok_or_else(|| {
                ApiError::unauthorized("the Authorization header is not `Bearer <key>`")
            })?;
        lookup(state, key)
            .await?
            .ok_or_else(|| ApiError::unauthorized("unknown or revoked API key"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_are_ordered() {
        assert!(Role::Admin > Role::Ingest && Role::Ingest > Role::Read);
        let reader = Caller {
            key_id: "k".into(),
            role: Role::Read,
        };
        assert!(reader.require(Role::Read).is_ok());
        assert_eq!(
            reader.require(Role::Ingest).map_err(|e| e.status.as_u16()),
            Err(403)
        );
        assert!("owner".parse::<Role>().is_err());
    }
}
