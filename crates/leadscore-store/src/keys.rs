//! API keys (`api_keys`): only a hash of each key is kept; `key_id` is the
//! key's public prefix, shown in listings and logs.

use leadscore_domain::{Role, Timestamp};
use sqlx::AssertSqlSafe;
use sqlx::any::AnyRow;

use crate::sql::{Cells, placeholders};
use crate::{SqlStore, StoreError};

/// A stored key (never its text: only its hash is kept).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyRow {
    /// The key's public part.
    pub key_id: String,
    /// Its role.
    pub role: Role,
    /// A label for people.
    pub label: Option<String>,
    /// When it was made.
    pub created_at: Timestamp,
    /// When it was revoked, if it was.
    pub revoked_at: Option<Timestamp>,
    /// When it stops working, if it does (set when made, or by a rotation
    /// to the end of the overlap).
    pub expires_at: Option<Timestamp>,
    /// The key this one replaced by a rotation.
    pub replaces: Option<String>,
}

/// A key to store: its public id, the hash of its text and its facts.
#[derive(Debug, Clone, Copy)]
pub struct NewKeyRow<'a> {
    /// The key's public part.
    pub key_id: &'a str,
    /// The SHA-256 of the key's text, hex.
    pub key_hash: &'a str,
    /// Its role.
    pub role: Role,
    /// A label for people.
    pub label: Option<&'a str>,
    /// When it stops working, if it does.
    pub expires_at: Option<Timestamp>,
    /// The key it replaces, for a rotation.
    pub replaces: Option<&'a str>,
}

/// A rotation: the key replaced, its successor, and when each expires.
#[derive(Debug, Clone, Copy)]
pub struct Rotation<'a> {
    /// The key replaced.
    pub old_key_id: &'a str,
    /// When the old key stops working (the end of the overlap).
    pub old_expires_at: Timestamp,
    /// The new key's public part.
    pub new_key_id: &'a str,
    /// The SHA-256 of the new key's text, hex.
    pub new_key_hash: &'a str,
    /// When the new key stops working, if it does.
    pub new_expires_at: Option<Timestamp>,
}

fn key_of(row: &AnyRow) -> Result<KeyRow, StoreError> {
    let c = Cells::new(row, "api_keys", &["key_id"]);
    Ok(KeyRow {
        key_id: c.required_string("key_id")?,
        role: c.parse("role", Role::parse)?,
        label: c.string("label")?,
        created_at: c.timestamp("created_at")?,
        revoked_at: c.timestamp_opt("revoked_at")?,
        expires_at: c.timestamp_opt("expires_at")?,
        replaces: c.string("replaces")?,
    })
}

const COLUMNS: &str = "key_id, role, label, created_at, revoked_at, expires_at, replaces";

async fn insert_row(
    store: &SqlStore,
    tx: &mut crate::handle::WriteTx,
    key: &NewKeyRow<'_>,
    now: Timestamp,
    op: &'static str,
) -> Result<(), StoreError> {
    sqlx::query(AssertSqlSafe(placeholders(
        store.backend(),
        "INSERT INTO api_keys (key_id, key_hash, role, label, created_at, expires_at, replaces) \
         VALUES (?, ?, ?, ?, ?, ?, ?)",
    )))
    .bind(key.key_id)
    .bind(key.key_hash)
    .bind(key.role.as_str())
    .bind(key.label)
    .bind(now.as_micros())
    .bind(key.expires_at.map(Timestamp::as_micros))
    .bind(key.replaces)
    .execute(&mut **tx)
    .await
    .map_err(StoreError::query(op))?;
    Ok(())
}

/// The API keys (see the [module documentation](self)).
#[derive(Debug, Clone, Copy)]
pub struct Keys<'a> {
    pub(crate) store: &'a SqlStore,
}

impl Keys<'_> {
    /// Stores a new key by its public id and the hash of its text.
    pub async fn insert(&self, key: &NewKeyRow<'_>) -> Result<(), StoreError> {
        let op = "store an API key";
        let now = Timestamp::now();
        write_tx!(self.store, op, |tx| {
            insert_row(self.store, tx, key, now, op).await
        })
    }

    /// Rotates a key (see [`Rotation`]) in one transaction: stores the new
    /// key with the old key's role and label, and makes the old key expire
    /// at `old_expires_at` (or sooner, if it already expires sooner). Gives
    /// the old key as it now stands; `None` when it is not active (unknown,
    /// revoked or expired), and nothing is stored.
    pub async fn rotate(&self, rotation: &Rotation<'_>) -> Result<Option<KeyRow>, StoreError> {
        let op = "rotate an API key";
        let now = Timestamp::now();
        let lock = if self.store.backend() == crate::Backend::Postgres {
            " FOR UPDATE"
        } else {
            ""
        };
        write_tx!(self.store, op, |tx| {
            let row = sqlx::query(AssertSqlSafe(placeholders(
                self.store.backend(),
                &format!(
                    "SELECT {COLUMNS} FROM api_keys WHERE key_id = ? AND revoked_at IS NULL \
                     AND (expires_at IS NULL OR expires_at > ?){lock}"
                ),
            )))
            .bind(rotation.old_key_id)
            .bind(now.as_micros())
            .fetch_optional(&mut **tx)
            .await
            .map_err(StoreError::query(op))?;
            let Some(old) = row.as_ref().map(key_of).transpose()? else {
                return Ok(None);
            };
            let until = old.expires_at.map_or(rotation.old_expires_at, |at| {
                at.min(rotation.old_expires_at)
            });
            sqlx::query(AssertSqlSafe(placeholders(
                self.store.backend(),
                "UPDATE api_keys SET expires_at = ? WHERE key_id = ?",
            )))
            .bind(until.as_micros())
            .bind(rotation.old_key_id)
            .execute(&mut **tx)
            .await
            .map_err(StoreError::query(op))?;
            let new = NewKeyRow {
                key_id: rotation.new_key_id,
                key_hash: rotation.new_key_hash,
                role: old.role,
                label: old.label.as_deref(),
                expires_at: rotation.new_expires_at,
                replaces: Some(rotation.old_key_id),
            };
            insert_row(self.store, tx, &new, now, op).await?;
            Ok(Some(KeyRow {
                expires_at: Some(until),
                ..old
            }))
        })
    }

    /// Every key, newest first.
    pub async fn list(&self) -> Result<Vec<KeyRow>, StoreError> {
        let rows = sqlx::query(AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM api_keys ORDER BY created_at DESC, key_id"
        )))
        .fetch_all(self.store.pool())
        .await
        .map_err(StoreError::query("list API keys"))?;
        rows.iter().map(key_of).collect()
    }

    /// The key with this hash unless it was revoked (an expired key is
    /// returned: the caller compares `expires_at` with its own clock, so
    /// that it can say the key expired).
    pub async fn active_by_hash(&self, key_hash: &str) -> Result<Option<KeyRow>, StoreError> {
        let row = sqlx::query(AssertSqlSafe(placeholders(
            self.store.backend(),
            &format!("SELECT {COLUMNS} FROM api_keys WHERE key_hash = ? AND revoked_at IS NULL"),
        )))
        .bind(key_hash)
        .fetch_optional(self.store.pool())
        .await
        .map_err(StoreError::query("check an API key"))?;
        row.as_ref().map(key_of).transpose()
    }

    /// Revokes a key; false when there is no such active key.
    pub async fn revoke(&self, key_id: &str) -> Result<bool, StoreError> {
        let op = "revoke an API key";
        write_tx!(self.store, op, |tx| {
            let done = sqlx::query(AssertSqlSafe(placeholders(
                self.store.backend(),
                "UPDATE api_keys SET revoked_at = ? WHERE key_id = ? AND revoked_at IS NULL",
            )))
            .bind(Timestamp::now().as_micros())
            .bind(key_id)
            .execute(&mut **tx)
            .await
            .map_err(StoreError::query(op))?
            .rows_affected();
            Ok(done == 1)
        })
    }
}
