//! The record of retraining runs in the store (`retraining_runs`), and the
//! challenger they leave.

use leadscore_domain::Timestamp;
use leadscore_model::ConversionModel;
use leadscore_store::{Backend, SqlStore, placeholders};
use serde::Serialize;
use sqlx::{AnyConnection, AnyPool, AssertSqlSafe, Row};
use utoipa::ToSchema;

use crate::time::rfc3339;
use crate::{ServiceError, registry};

fn q(operation: &'static str) -> impl FnOnce(sqlx::Error) -> ServiceError {
    ServiceError::query(operation)
}

/// A run still `running` after this long was interrupted (the process died).
const INTERRUPTED_AFTER_MICROS: i64 = 6 * 3600 * 1_000_000;

/// One retraining run.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Run {
    /// The run's number.
    pub run_id: i64,
    /// `command` (`leadscore retrain`) or `schedule`.
    pub trigger: String,
    /// The scheduled time it ran for (schedule only).
    pub slot: Option<String>,
    /// When it started (RFC 3339).
    pub started_at: String,
    /// When it ended.
    pub finished_at: Option<String>,
    /// `running`, `published`, `kept` (a challenger, unpublished), `failed`
    /// or `interrupted`.
    pub status: String,
    /// The version it registered.
    pub version: Option<i64>,
    /// The version live when it ran.
    pub champion: Option<i64>,
    /// The new model's AUC on the held-out leads.
    pub challenger_auc: Option<f64>,
    /// The live model's AUC on the same leads.
    pub champion_auc: Option<f64>,
    /// Closed leads in the window.
    pub leads: Option<i64>,
    /// Why it published, kept or failed.
    pub reason: Option<String>,
}

/// Starts a run: marks runs left `running` for hours as interrupted, then
/// records this one. `None` when `slot` is given and another instance already
/// took it.
pub(crate) async fn start(
    store: &SqlStore,
    trigger: &str,
    slot: Option<&str>,
) -> Result<Option<i64>, ServiceError> {
    let op = "record a retraining run";
    let now = Timestamp::now().as_micros();
    let backend = store.backend();
    let mut tx = store.begin_write().await.map_err(q(op))?;
    sqlx::query(AssertSqlSafe(placeholders(
        backend,
        "UPDATE retraining_runs SET status = 'interrupted', finished_at = ?, \
         reason = 'the run never finished (the process stopped)' \
         WHERE status = 'running' AND started_at < ?",
    )))
    .bind(now)
    .bind(now - INTERRUPTED_AFTER_MICROS)
    .execute(&mut *tx)
    .await
    .map_err(q(op))?;
    if let Some(slot) = slot {
        let taken = sqlx::query(AssertSqlSafe(placeholders(
            backend,
            "SELECT 1 FROM retraining_runs WHERE slot = ?",
        )))
        .bind(slot)
        .fetch_optional(&mut *tx)
        .await
        .map_err(q(op))?;
        if taken.is_some() {
            return Ok(None);
        }
    }
    let id = registry::next_number(&mut tx, "retraining_runs", "run_id", op).await?;
    let inserted = sqlx::query(AssertSqlSafe(placeholders(
        backend,
        "INSERT INTO retraining_runs (run_id, slot, trigger_name, started_at, status) \
         VALUES (?, ?, ?, ?, 'running') ON CONFLICT DO NOTHING",
    )))
    .bind(id)
    .bind(slot)
    .bind(trigger)
    .bind(now)
    .execute(&mut *tx)
    .await
    .map_err(q(op))?
    .rows_affected();
    tx.commit().await.map_err(q(op))?;
    Ok((inserted == 1).then_some(id))
}

/// What a finished run measured.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Measured {
    pub champion: Option<i64>,
    pub challenger_auc: Option<f64>,
    pub champion_auc: Option<f64>,
    pub leads: Option<i64>,
}

/// Records a run's end, in the caller's transaction when it registered a
/// version (so that the version, its publication and the run's record land
/// together), or on its own connection.
pub(crate) async fn finish(
    conn: &mut AnyConnection,
    backend: Backend,
    run_id: i64,
    status: &str,
    version: Option<i64>,
    measured: &Measured,
    reason: &str,
) -> Result<(), ServiceError> {
    // Nullable doubles: not a cached statement on PostgreSQL (see
    // leadscore_store's note on sqlx's `Any` binding a NULL f64 as f32).
    sqlx::query(AssertSqlSafe(placeholders(
        backend,
        "UPDATE retraining_runs SET finished_at = ?, status = ?, version = ?, champion = ?, \
         challenger_auc = ?, champion_auc = ?, leads = ?, reason = ? WHERE run_id = ?",
    )))
    .persistent(false)
    .bind(Timestamp::now().as_micros())
    .bind(status)
    .bind(version)
    .bind(measured.champion)
    .bind(measured.challenger_auc)
    .bind(measured.champion_auc)
    .bind(measured.leads)
    .bind(reason)
    .bind(run_id)
    .execute(&mut *conn)
    .await
    .map_err(q("record a retraining run"))?;
    Ok(())
}

/// Every run, newest first.
pub async fn list(pool: &AnyPool) -> Result<Vec<Run>, ServiceError> {
    let op = "list retraining runs";
    let rows = sqlx::query(
        "SELECT run_id, trigger_name, slot, started_at, finished_at, status, version, champion, \
         challenger_auc, champion_auc, leads, reason FROM retraining_runs ORDER BY run_id DESC",
    )
    .fetch_all(pool)
    .await
    .map_err(q(op))?;
    rows.iter()
        .map(|r| {
            Ok(Run {
                run_id: r.try_get(0).map_err(q(op))?,
                trigger: r.try_get(1).map_err(q(op))?,
                slot: r.try_get(2).map_err(q(op))?,
                started_at: rfc3339(r.try_get(3).map_err(q(op))?),
                finished_at: r.try_get::<Option<i64>, _>(4).map_err(q(op))?.map(rfc3339),
                status: r.try_get(5).map_err(q(op))?,
                version: r.try_get(6).map_err(q(op))?,
                champion: r.try_get(7).map_err(q(op))?,
                challenger_auc: r.try_get(8).map_err(q(op))?,
                champion_auc: r.try_get(9).map_err(q(op))?,
                leads: r.try_get(10).map_err(q(op))?,
                reason: r.try_get(11).map_err(q(op))?,
            })
        })
        .collect()
}

/// The challenger's version: the one the latest retraining registered when
/// it was kept unpublished and is still not live (publishing it, or a later
/// run's publication, ends its shadow scoring).
pub async fn challenger_version(pool: &AnyPool) -> Result<Option<i64>, ServiceError> {
    let op = "read the challenger";
    let row = sqlx::query(
        "SELECT status, version FROM retraining_runs WHERE version IS NOT NULL \
         ORDER BY run_id DESC LIMIT 1",
    )
    .fetch_optional(pool)
    .await
    .map_err(q(op))?;
    let Some(row) = row else {
        return Ok(None);
    };
    let status: String = row.try_get(0).map_err(q(op))?;
    let version: i64 = row.try_get(1).map_err(q(op))?;
    if status != "kept" || registry::live_version(pool).await? == Some(version) {
        return Ok(None);
    }
    Ok(Some(version))
}

/// The challenger with its model (see [`challenger_version`]).
pub async fn challenger(
    pool: &AnyPool,
    backend: Backend,
) -> Result<Option<(i64, ConversionModel)>, ServiceError> {
    let Some(version) = challenger_version(pool).await? else {
        return Ok(None);
    };
    Ok(registry::model_version(pool, backend, version)
        .await?
        .map(|m| (version, m)))
}
