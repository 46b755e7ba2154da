//! Retraining runs (`retraining_runs`): what each did and why, and the
//! challenger they leave. A run's new version, its publication (or the
//! queueing of every lead for shadow scoring) and the run's record are
//! written in one transaction.

use leadscore_domain::{RunStatus, RunTrigger, Timestamp};
use sqlx::{AnyConnection, AssertSqlSafe};

use crate::queue::{self, Selection};
use crate::registry::{self, insert_version, next_number, publish_in};
use crate::sql::{Cells, placeholders};
use crate::{Backend, SqlStore, StoreError};

/// A run still `running` after this long was interrupted (the process died).
const INTERRUPTED_AFTER_MICROS: i64 = 6 * 3600 * 1_000_000;

/// One retraining run as recorded.
#[derive(Debug, Clone, PartialEq)]
pub struct RunRow {
    /// The run's number.
    pub run_id: i64,
    /// What started it.
    pub trigger: RunTrigger,
    /// The scheduled time it ran for (schedule only).
    pub slot: Option<String>,
    /// When it started.
    pub started_at: Timestamp,
    /// When it ended.
    pub finished_at: Option<Timestamp>,
    /// Where it stands.
    pub status: RunStatus,
    /// The version it registered.
    pub version: Option<i64>,
    /// What it measured.
    pub measures: RunMeasures,
    /// Why it published, kept or failed.
    pub reason: Option<String>,
}

/// What a run measured.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct RunMeasures {
    /// The version live when it ran.
    pub champion: Option<i64>,
    /// The new model's AUC on the held-out leads.
    pub challenger_auc: Option<f64>,
    /// The live model's AUC on the same leads.
    pub champion_auc: Option<f64>,
    /// Closed leads in the window.
    pub leads: Option<i64>,
}

/// The new model a run registers.
#[derive(Debug, Clone, Copy)]
pub struct NewVersion<'a> {
    /// The artifact's text.
    pub artifact: &'a str,
    /// Its metrics, as JSON.
    pub metrics: &'a str,
    /// When it was trained.
    pub created_at: Timestamp,
}

/// Records a run's end in the caller's transaction.
async fn finish(
    conn: &mut AnyConnection,
    backend: Backend,
    run_id: i64,
    status: RunStatus,
    version: Option<i64>,
    measures: &RunMeasures,
    reason: &str,
) -> Result<(), StoreError> {
    // Nullable doubles: not a cached statement on PostgreSQL (sqlx's `Any`
    // binds a NULL f64 as f32, which a cached statement then keeps).
    sqlx::query(AssertSqlSafe(placeholders(
        backend,
        "UPDATE retraining_runs SET finished_at = ?, status = ?, version = ?, champion = ?, \
         challenger_auc = ?, champion_auc = ?, leads = ?, reason = ? WHERE run_id = ?",
    )))
    .persistent(false)
    .bind(Timestamp::now().as_micros())
    .bind(status.as_str())
    .bind(version)
    .bind(measures.champion)
    .bind(measures.challenger_auc)
    .bind(measures.champion_auc)
    .bind(measures.leads)
    .bind(reason)
    .bind(run_id)
    .execute(&mut *conn)
    .await
    .map_err(StoreError::query("record a retraining run"))?;
    Ok(())
}

/// Retraining runs (see the [module documentation](self)).
#[derive(Debug, Clone, Copy)]
pub struct RetrainingRuns<'a> {
    pub(crate) store: &'a SqlStore,
}

impl RetrainingRuns<'_> {
    /// Starts a run: marks runs left `running` for hours as interrupted,
    /// then records this one. `None` when `slot` is given and another
    /// instance already took it.
    pub async fn start(
        &self,
        trigger: RunTrigger,
        slot: Option<&str>,
    ) -> Result<Option<i64>, StoreError> {
        let op = "record a retraining run";
        let now = Timestamp::now().as_micros();
        let backend = self.store.backend();
        let mut tx = self.store.begin_write(op).await?;
        sqlx::query(AssertSqlSafe(placeholders(
            backend,
            "UPDATE retraining_runs SET status = ?, finished_at = ?, \
             reason = 'the run never finished (the process stopped)' \
             WHERE status = ? AND started_at < ?",
        )))
        .bind(RunStatus::Interrupted.as_str())
        .bind(now)
        .bind(RunStatus::Running.as_str())
        .bind(now - INTERRUPTED_AFTER_MICROS)
        .execute(&mut *tx)
        .await
        .map_err(StoreError::query(op))?;
        if let Some(slot) = slot {
            let taken = sqlx::query(AssertSqlSafe(placeholders(
                backend,
                "SELECT run_id FROM retraining_runs WHERE slot = ?",
            )))
            .bind(slot)
            .fetch_optional(&mut *tx)
            .await
            .map_err(StoreError::query(op))?;
            if taken.is_some() {
                return Ok(None);
            }
        }
        let id = next_number(&mut tx, "retraining_runs", "run_id", op).await?;
        let inserted = sqlx::query(AssertSqlSafe(placeholders(
            backend,
            "INSERT INTO retraining_runs (run_id, slot, trigger_name, started_at, status) \
             VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
        )))
        .bind(id)
        .bind(slot)
        .bind(trigger.as_str())
        .bind(now)
        .bind(RunStatus::Running.as_str())
        .execute(&mut *tx)
        .await
        .map_err(StoreError::query(op))?
        .rows_affected();
        tx.commit(op).await?;
        Ok((inserted == 1).then_some(id))
    }

    /// Records a run that failed: nothing was registered.
    pub async fn fail(
        &self,
        run_id: i64,
        measures: &RunMeasures,
        reason: &str,
    ) -> Result<(), StoreError> {
        let op = "record a failed retraining run";
        let mut tx = self.store.begin_write(op).await?;
        finish(
            &mut tx,
            self.store.backend(),
            run_id,
            RunStatus::Failed,
            None,
            measures,
            reason,
        )
        .await?;
        tx.commit(op).await
    }

    /// Registers a run's new version, publishes it (`publish` names the
    /// publication's cause) or keeps it as the challenger (every lead is
    /// queued to get its shadow score), and records the run's end, in one
    /// transaction. Returns the version.
    pub async fn finish_with(
        &self,
        run_id: i64,
        new: NewVersion<'_>,
        publish: Option<&str>,
        measures: &RunMeasures,
        reason: &str,
    ) -> Result<i64, StoreError> {
        let op = "register the retrained model";
        let backend = self.store.backend();
        let mut tx = self.store.begin_write(op).await?;
        let version =
            insert_version(&mut tx, backend, new.artifact, new.metrics, new.created_at).await?;
        let status = match publish {
            Some(cause) => {
                publish_in(&mut tx, backend, version, cause).await?;
                RunStatus::Published
            }
            None => {
                let cause = format!("challenger v{version} to score in shadow");
                queue::enqueue(&mut tx, backend, Selection::All, &cause).await?;
                RunStatus::Kept
            }
        };
        finish(
            &mut tx,
            backend,
            run_id,
            status,
            Some(version),
            measures,
            reason,
        )
        .await?;
        tx.commit(op).await?;
        Ok(version)
    }

    /// Every run, newest first.
    pub async fn list(&self) -> Result<Vec<RunRow>, StoreError> {
        let op = "list retraining runs";
        let rows = sqlx::query(
            "SELECT run_id, trigger_name, slot, started_at, finished_at, status, version, \
             champion, challenger_auc, champion_auc, leads, reason \
             FROM retraining_runs ORDER BY run_id DESC",
        )
        .fetch_all(self.store.pool())
        .await
        .map_err(StoreError::query(op))?;
        rows.iter()
            .map(|row| {
                let c = Cells::new(row, "retraining_runs", &["run_id"]);
                Ok(RunRow {
                    run_id: c.required_int("run_id")?,
                    trigger: c.parse("trigger_name", RunTrigger::parse)?,
                    slot: c.string("slot")?,
                    started_at: c.timestamp("started_at")?,
                    finished_at: c.timestamp_opt("finished_at")?,
                    status: c.parse("status", RunStatus::parse)?,
                    version: c.int("version")?,
                    measures: RunMeasures {
                        champion: c.int("champion")?,
                        challenger_auc: c.float("challenger_auc")?,
                        champion_auc: c.float("champion_auc")?,
                        leads: c.int("leads")?,
                    },
                    reason: c.string("reason")?,
                })
            })
            .collect()
    }

    /// The challenger's version: the one the latest retraining registered
    /// when it was kept unpublished and is still not live (publishing it, or
    /// a later run's publication, ends its shadow scoring).
    pub async fn challenger_version(&self) -> Result<Option<i64>, StoreError> {
        let op = "read the challenger";
        let mut conn = self.store.acquire(op).await?;
        let row = sqlx::query(
            "SELECT run_id, status, version FROM retraining_runs WHERE version IS NOT NULL \
             ORDER BY run_id DESC LIMIT 1",
        )
        .fetch_optional(&mut *conn)
        .await
        .map_err(StoreError::query(op))?;
        let Some(row) = row else {
            return Ok(None);
        };
        let c = Cells::new(&row, "retraining_runs", &["run_id"]);
        let status = c.parse("status", RunStatus::parse)?;
        let version = c.required_int("version")?;
        if status != RunStatus::Kept || registry::live_version(&mut conn).await? == Some(version) {
            return Ok(None);
        }
        Ok(Some(version))
    }
}
