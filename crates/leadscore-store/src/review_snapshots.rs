//! The live conversion model's feature review as the service last computed
//! it (`review_snapshots`): one per model version and recent window, written
//! by whichever instance computed it and read by every instance, so the
//! review and drift are served at once however large the store.

use leadscore_domain::Timestamp;
use sqlx::AssertSqlSafe;

use crate::sql::{Cells, placeholders};
use crate::{SqlStore, StoreError};

/// A computed review, as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReviewSnapshot {
    /// The conversion model version it reviews.
    pub version: i64,
    /// Its recent window, in days (drift compares the leads created in it
    /// with the closed leads).
    pub recent_days: u32,
    /// When it was computed.
    pub computed_at: Timestamp,
    /// The review as JSON.
    pub body: String,
}

/// The stored reviews (see the [module documentation](self)).
#[derive(Debug, Clone, Copy)]
pub struct ReviewSnapshots<'a> {
    store: &'a SqlStore,
}

impl SqlStore {
    /// The stored reviews ([`ReviewSnapshots`]).
    pub fn review_snapshots(&self) -> ReviewSnapshots<'_> {
        ReviewSnapshots { store: self }
    }
}

impl ReviewSnapshots<'_> {
    /// The review of `version` over `recent_days`, when one was stored.
    pub async fn get(
        &self,
        version: i64,
        recent_days: u32,
    ) -> Result<Option<ReviewSnapshot>, StoreError> {
        let row = sqlx::query(AssertSqlSafe(placeholders(
            self.store.backend(),
            "SELECT version, recent_days, computed_at, body FROM review_snapshots \
             WHERE version = ? AND recent_days = ?",
        )))
        .bind(version)
        .bind(i64::from(recent_days))
        .fetch_optional(self.store.pool())
        .await
        .map_err(StoreError::query("read a stored review"))?;
        row.map(|row| {
            let c = Cells::new(&row, "review_snapshots", &["version", "recent_days"]);
            Ok(ReviewSnapshot {
                version: c.required_int("version")?,
                recent_days: u32::try_from(c.required_int("recent_days")?)
                    .map_err(|e| c.corrupt("recent_days", e))?,
                computed_at: c.timestamp("computed_at")?,
                body: c.required_string("body")?,
            })
        })
        .transpose()
    }

    /// Stores a review, replacing the one of its version and window unless
    /// that one was computed later (two instances may finish out of order);
    /// true when it was stored. Reviews of other versions computed more than
    /// `keep_days` before it are removed.
    pub async fn put(&self, snapshot: &ReviewSnapshot, keep_days: u32) -> Result<bool, StoreError> {
        let op = "store a review";
        let backend = self.store.backend();
        let horizon =
            snapshot.computed_at.as_micros() - i64::from(keep_days).saturating_mul(86_400_000_000);
        write_tx!(self.store, op, |tx| {
            let stored = sqlx::query(AssertSqlSafe(placeholders(
                backend,
                "INSERT INTO review_snapshots (version, recent_days, computed_at, body) \
                 VALUES (?, ?, ?, ?) ON CONFLICT (version, recent_days) DO UPDATE SET \
                 computed_at = excluded.computed_at, body = excluded.body \
                 WHERE review_snapshots.computed_at <= excluded.computed_at",
            )))
            .bind(snapshot.version)
            .bind(i64::from(snapshot.recent_days))
            .bind(snapshot.computed_at.as_micros())
            .bind(snapshot.body.as_str())
            .execute(&mut **tx)
            .await
            .map_err(StoreError::query(op))?;
            sqlx::query(AssertSqlSafe(placeholders(
                backend,
                "DELETE FROM review_snapshots WHERE version <> ? AND computed_at < ?",
            )))
            .bind(snapshot.version)
            .bind(horizon)
            .execute(&mut **tx)
            .await
            .map_err(StoreError::query(op))?;
            Ok(stored.rows_affected() > 0)
        })
    }
}
