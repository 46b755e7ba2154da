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

/// How often a running run's process stamps its heartbeat
/// ([`RetrainingRuns::heartbeat`]).
pub const HEARTBEAT_EVERY: std::time::Duration = std::time::Duration::from_secs(10);

/// A run still `running` whose heartbeat is older than this was interrupted:
/// its process died (six heartbeats missed).
pub const RUN_LEASE: std::time::Duration = std::time::Duration::from_secs(60);

/// Marks interrupted every run still `running` whose heartbeat (or start,
/// for runs from before heartbeats) is older than [`RUN_LEASE`] at `now`;
/// returns how many.
async fn mark_dead_runs(
    conn: &mut AnyConnection,
    backend: Backend,
    now: i64,
    op: &'static str,
) -> Result<u64, StoreError> {
    let lease = i64::try_from(RUN_LEASE.as_micros()).unwrap_or(i64::MAX);
    Ok(sqlx::query(AssertSqlSafe(placeholders(
        backend,
        "UPDATE retraining_runs SET status = ?, finished_at = ?, \
         reason = 'the run never finished: its process stopped (no heartbeat)' \
         WHERE status = ? AND COALESCE(heartbeat_at, started_at) < ?",
    )))
    .bind(RunStatus::Interrupted.as_str())
    .bind(now)
    .bind(RunStatus::Running.as_str())
    .bind(now.saturating_sub(lease))
    .execute(&mut *conn)
    .await
    .map_err(StoreError::query(op))?
    .rows_affected())
}

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

/// Records a run, `running` with its heartbeat stamped, in the caller's
/// write transaction; `None` when its number (or its `slot`) was taken
/// meanwhile by another transaction.
async fn insert_run(
    conn: &mut AnyConnection,
    backend: Backend,
    trigger: RunTrigger,
    slot: Option<&str>,
    now: i64,
    op: &'static str,
) -> Result<Option<i64>, StoreError> {
    let id = next_number(conn, "retraining_runs", "run_id", op).await?;
    let inserted = sqlx::query(AssertSqlSafe(placeholders(
        backend,
        "INSERT INTO retraining_runs \
         (run_id, slot, trigger_name, started_at, status, heartbeat_at) \
         VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
    )))
    .bind(id)
    .bind(slot)
    .bind(trigger.as_str())
    .bind(now)
    .bind(RunStatus::Running.as_str())
    .bind(now)
    .execute(&mut *conn)
    .await
    .map_err(StoreError::query(op))?
    .rows_affected();
    Ok((inserted == 1).then_some(id))
}

/// What [`RetrainingRuns::start_alone`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RunStart {
    /// The run was recorded, `running`, under this number.
    Started(i64),
    /// Nothing was recorded: this run is running (one run at a time).
    Running(i64),
}

/// What [`RetrainingRuns::start_slot`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SlotStart {
    /// The run was recorded, `running`, under this number.
    Started(i64),
    /// Another instance took the slot: nothing was recorded.
    Taken,
    /// Nothing was recorded: this run is running (one run at a time), so
    /// the slot is skipped.
    Running(i64),
}

/// Retraining runs (see the [module documentation](self)).
#[derive(Debug, Clone, Copy)]
pub struct RetrainingRuns<'a> {
    pub(crate) store: &'a SqlStore,
}

impl RetrainingRuns<'_> {
    /// Starts a run: marks interrupted the runs whose process died (no
    /// heartbeat for [`RUN_LEASE`]), then records this one, its heartbeat
    /// stamped. `None` when `slot` is given and another
    /// instance already took it.
    pub async fn start(
        &self,
        trigger: RunTrigger,
        slot: Option<&str>,
    ) -> Result<Option<i64>, StoreError> {
        let op = "record a retraining run";
        let now = Timestamp::now().as_micros();
        let backend = self.store.backend();
        write_tx!(self.store, op, |tx| {
            mark_dead_runs(tx, backend, now, op).await?;
            if let Some(slot) = slot
                && slot_taken(tx, backend, slot, op).await?
            {
                return Ok(None);
            }
            insert_run(tx, backend, trigger, slot, now, op).await
        })
    }

    /// Starts a run unless one is running, on this instance or another:
    /// marks interrupted the runs whose process died (as [`Self::start`]),
    /// then records this one unless a run is still `running`, in one
    /// transaction.
    ///
    /// Two starts at once never both record a run. On PostgreSQL the
    /// transaction first locks the table in `SHARE ROW EXCLUSIVE` mode,
    /// which conflicts with itself and with every insert and update: the
    /// second start waits for the first to commit, then reads (a new
    /// snapshot per statement) the run it recorded. On SQLite a write
    /// transaction is `IMMEDIATE`: one writer at a time.
    pub async fn start_alone(&self, trigger: RunTrigger) -> Result<RunStart, StoreError> {
        let op = "start a retraining run unless one is running";
        let now = Timestamp::now().as_micros();
        let backend = self.store.backend();
        write_tx!(self.store, op, |tx| {
            if let Some(run_id) = lock_and_find_running(tx, backend, now, op).await? {
                return Ok(RunStart::Running(run_id));
            }
            match insert_run(tx, backend, trigger, None, now, op).await? {
                Some(run_id) => Ok(RunStart::Started(run_id)),
                // Not expected: the table is locked, so no other run took
                // the number.
                None => Err(StoreError::Refused {
                    operation: op,
                    reason: "another transaction took the run's number",
                }),
            }
        })
    }

    /// Starts the scheduled run of `slot` unless another instance took the
    /// slot ([`SlotStart::Taken`]) or a run is running, scheduled or asked
    /// for ([`SlotStart::Running`]: the slot is skipped, one run at a
    /// time), in one transaction locked as [`Self::start_alone`]'s.
    pub async fn start_slot(&self, slot: &str) -> Result<SlotStart, StoreError> {
        let op = "start a scheduled retraining run";
        let now = Timestamp::now().as_micros();
        let backend = self.store.backend();
        write_tx!(self.store, op, |tx| {
            let running = lock_and_find_running(tx, backend, now, op).await?;
            if slot_taken(tx, backend, slot, op).await? {
                return Ok(SlotStart::Taken);
            }
            if let Some(run_id) = running {
                return Ok(SlotStart::Running(run_id));
            }
            Ok(
                match insert_run(tx, backend, RunTrigger::Schedule, Some(slot), now, op).await? {
                    Some(run_id) => SlotStart::Started(run_id),
                    None => SlotStart::Taken,
                },
            )
        })
    }

    /// Records a run that failed: nothing was registered.
    pub async fn fail(
        &self,
        run_id: i64,
        measures: &RunMeasures,
        reason: &str,
    ) -> Result<(), StoreError> {
        self.end(run_id, RunStatus::Failed, None, measures, reason)
            .await
    }

    /// Records a run that trained the live model `version` again (same data,
    /// same settings): nothing registered, no lead queued.
    pub async fn unchanged(
        &self,
        run_id: i64,
        version: i64,
        measures: &RunMeasures,
        reason: &str,
    ) -> Result<(), StoreError> {
        self.end(
            run_id,
            RunStatus::Unchanged,
            Some(version),
            measures,
            reason,
        )
        .await
    }

    async fn end(
        &self,
        run_id: i64,
        status: RunStatus,
        version: Option<i64>,
        measures: &RunMeasures,
        reason: &str,
    ) -> Result<(), StoreError> {
        let op = "record the end of a retraining run";
        write_tx!(self.store, op, |tx| {
            finish(
                tx,
                self.store.backend(),
                run_id,
                status,
                version,
                measures,
                reason,
            )
            .await?;
            Ok(())
        })
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
        write_tx!(self.store, op, |tx| {
            let version =
                insert_version(tx, backend, new.artifact, new.metrics, new.created_at).await?;
            let status = match publish {
                Some(cause) => {
                    publish_in(tx, backend, version, cause).await?;
                    RunStatus::Published
                }
                None => {
                    let cause = format!("challenger v{version} to score in shadow");
                    queue::enqueue(tx, backend, Selection::All, &cause).await?;
                    RunStatus::Kept
                }
            };
            finish(tx, backend, run_id, status, Some(version), measures, reason).await?;
            Ok(version)
        })
    }

    /// Stamps a running run's heartbeat: its process is alive. Call every
    /// [`HEARTBEAT_EVERY`] while it runs.
    pub async fn heartbeat(&self, run_id: i64) -> Result<(), StoreError> {
        let op = "stamp a retraining run's heartbeat";
        let backend = self.store.backend();
        write_tx!(self.store, op, |tx| {
            sqlx::query(AssertSqlSafe(placeholders(
                backend,
                "UPDATE retraining_runs SET heartbeat_at = ? WHERE run_id = ? AND status = ?",
            )))
            .bind(Timestamp::now().as_micros())
            .bind(run_id)
            .bind(RunStatus::Running.as_str())
            .execute(&mut **tx)
            .await
            .map_err(StoreError::query(op))?;
            Ok(())
        })
    }

    /// Marks interrupted the runs whose process died (no heartbeat for
    /// [`RUN_LEASE`]); returns how many. [`RetrainingRuns::list`] does it
    /// first, so a dead run never shows as `running` for long.
    pub async fn mark_dead(&self) -> Result<u64, StoreError> {
        let op = "mark dead retraining runs interrupted";
        let backend = self.store.backend();
        let now = Timestamp::now().as_micros();
        write_tx!(self.store, op, |tx| {
            mark_dead_runs(tx, backend, now, op).await
        })
    }

    /// Every run, newest first (dead runs marked interrupted first).
    pub async fn list(&self) -> Result<Vec<RunRow>, StoreError> {
        self.mark_dead().await?;
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

/// Whether a run was recorded for the scheduled time `slot` (by any
/// instance).
async fn slot_taken(
    conn: &mut AnyConnection,
    backend: Backend,
    slot: &str,
    op: &'static str,
) -> Result<bool, StoreError> {
    let taken = sqlx::query(AssertSqlSafe(placeholders(
        backend,
        "SELECT run_id FROM retraining_runs WHERE slot = ?",
    )))
    .bind(slot)
    .fetch_optional(&mut *conn)
    .await
    .map_err(StoreError::query(op))?;
    Ok(taken.is_some())
}

/// In a run-starting transaction: on PostgreSQL first locks the runs in
/// `SHARE ROW EXCLUSIVE` mode (see [`RetrainingRuns::start_alone`]); marks
/// interrupted the runs whose process died; then the run still running, if
/// any.
async fn lock_and_find_running(
    conn: &mut AnyConnection,
    backend: Backend,
    now: i64,
    op: &'static str,
) -> Result<Option<i64>, StoreError> {
    if backend == Backend::Postgres {
        sqlx::query("LOCK TABLE retraining_runs IN SHARE ROW EXCLUSIVE MODE")
            .execute(&mut *conn)
            .await
            .map_err(StoreError::query(op))?;
    }
    mark_dead_runs(conn, backend, now, op).await?;
    let running = sqlx::query(AssertSqlSafe(placeholders(
        backend,
        "SELECT run_id FROM retraining_runs WHERE status = ? ORDER BY run_id DESC LIMIT 1",
    )))
    .bind(RunStatus::Running.as_str())
    .fetch_optional(&mut *conn)
    .await
    .map_err(StoreError::query(op))?;
    running
        .map(|row| Cells::new(&row, "retraining_runs", &["run_id"]).required_int("run_id"))
        .transpose()
}
