//! Data changes that a migration records but cannot write itself, because
//! they need SQL the two databases spell differently (reading JSON): each
//! migration that needs one inserts its name into `pending_backfills`, and
//! [`run`] does it right after migrating, in one transaction with the
//! removal of its name, so it is done once whichever instance opens first
//! (a second instance racing it finds nothing left to do).

use sqlx::{AnyPool, AssertSqlSafe, Row};

use crate::console_lists::conversion_number;
use crate::{Backend, StoreError};

/// The backfills this binary knows, by the name their migration records.
const CONVERSION_COLUMNS: &str = "conversion_columns";

/// Does the backfills the applied migrations left pending.
pub(crate) async fn run(pool: &AnyPool, backend: Backend) -> Result<(), StoreError> {
    let op = "fill the columns a migration added";
    let pending = sqlx::query("SELECT name FROM pending_backfills")
        .fetch_all(pool)
        .await
        .map_err(StoreError::query(op))?;
    for row in pending {
        let name: String = row.try_get("name").map_err(StoreError::query(op))?;
        let statement = match name.as_str() {
            CONVERSION_COLUMNS => format!(
                "UPDATE lead_state SET conversion_version = {}, conversion_probability = {} \
                 WHERE conversion IS NOT NULL",
                conversion_number(backend, "version", true),
                conversion_number(backend, "probability", false),
            ),
            // A name no migration of this binary writes: left for the
            // binary that knows it (a newer schema is refused before this).
            _ => continue,
        };
        let mut tx = pool.begin().await.map_err(StoreError::query(op))?;
        let claimed = sqlx::query(AssertSqlSafe(crate::sql::placeholders(
            backend,
            "DELETE FROM pending_backfills WHERE name = ?",
        )))
        .bind(name.as_str())
        .execute(&mut *tx)
        .await
        .map_err(StoreError::query(op))?;
        if claimed.rows_affected() == 0 {
            continue;
        }
        let filled = sqlx::query(AssertSqlSafe(statement))
            .execute(&mut *tx)
            .await
            .map_err(StoreError::query(op))?;
        tx.commit().await.map_err(StoreError::query(op))?;
        tracing::info!(backfill = %name, rows = filled.rows_affected(), "{op}: done");
    }
    Ok(())
}
