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
}

fn key_of(row: &AnyRow) -> Result<KeyRow, StoreError> {
    let c = Cells::new(row, "api_keys", &["key_id"]);
    Ok(KeyRow {
        key_id: c.required_string("key_id")?,
        role: c.parse("role", Role::parse)?,
        label: c.string("label")?,
        created_at: c.timestamp("created_at")?,
        revoked_at: c.timestamp_opt("revoked_at")?,
    })
}

const COLUMNS: &str = "key_id, role, label, created_at, revoked_at";

/// The API keys (see the [module documentation](self)).
#[derive(Debug, Clone, Copy)]
pub struct Keys<'a> {
    pub(crate) store: &'a SqlStore,
}

impl Keys<'_> {
    /// Stores a new key by its public id and the hash of its text.
    pub async fn insert(
        &self,
        key_id: &str,
        key_hash: &str,
        role: Role,
        label: Option<&str>,
    ) -> Result<(), StoreError> {
        let op = "store an API key";
        write_tx!(self.store, op, |tx| {
            sqlx::query(AssertSqlSafe(placeholders(
                self.store.backend(),
                "INSERT INTO api_keys (key_id, key_hash, role, label, created_at) VALUES (?, ?, ?, ?, ?)",
            )))
            .bind(key_id)
            .bind(key_hash)
            .bind(role.as_str())
            .bind(label)
            .bind(Timestamp::now().as_micros())
            .execute(&mut **tx)
            .await
            .map_err(StoreError::query(op))?;
            Ok(())
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

    /// The active (not revoked) key with this hash.
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
