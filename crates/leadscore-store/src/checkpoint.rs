//! SQLite's WAL checkpoints, run beside the writers instead of by them.
//!
//! By default the connection whose commit takes the write-ahead log past 1000
//! pages copies the log into the database file, and syncs it, before that
//! commit returns: the writer's turn (see [`crate::SqlStore::write_turn`])
//! is held meanwhile, and every other writer waits. A long-running process
//! that writes all the time (the service) turns that off on its connections
//! and checkpoints from a connection of its own, at an interval, in
//! `PASSIVE` mode: it copies what no reader still needs and never blocks a
//! writer or a reader.

use std::time::Duration;

use sqlx::any::AnyConnectOptions;
use sqlx::{AnyConnection, ConnectOptions, Connection, Row};
use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::StoreError;
use crate::dialect::SQLITE_BUSY_TIMEOUT;

/// How often the log is checkpointed.
pub(crate) const INTERVAL: Duration = Duration::from_millis(200);

/// The statement that stops a connection's own checkpoints.
pub(crate) const AUTOCHECKPOINT_OFF: &str = "PRAGMA wal_autocheckpoint = 0";

/// A running checkpointer; it stops when [`Checkpointer::stop`] is called or
/// when it is dropped (its sender gone).
#[derive(Debug)]
pub(crate) struct Checkpointer {
    stop: watch::Sender<bool>,
    task: std::sync::Mutex<Option<JoinHandle<()>>>,
}

impl Checkpointer {
    /// Opens the checkpointer's own connection and starts it.
    pub(crate) async fn start(
        options: &AnyConnectOptions,
        interval: Duration,
    ) -> Result<Self, StoreError> {
        let mut conn = options
            .connect()
            .await
            .map_err(StoreError::query("open the checkpointing connection"))?;
        sqlx::query(SQLITE_BUSY_TIMEOUT)
            .execute(&mut conn)
            .await
            .map_err(StoreError::query("open the checkpointing connection"))?;
        let (stop, stopped) = watch::channel(false);
        let task = tokio::spawn(run(conn, interval, stopped));
        Ok(Self {
            stop,
            task: std::sync::Mutex::new(Some(task)),
        })
    }

    /// Stops it after a last checkpoint, and waits for that.
    pub(crate) async fn stop(&self) {
        let _ = self.stop.send(true);
        let task = match self.task.lock() {
            Ok(mut task) => task.take(),
            Err(poisoned) => poisoned.into_inner().take(),
        };
        if let Some(task) = task
            && let Err(error) = task.await
        {
            tracing::warn!(%error, "the checkpointer stopped abnormally");
        }
    }
}

async fn run(mut conn: AnyConnection, interval: Duration, mut stopped: watch::Receiver<bool>) {
    loop {
        let stop = tokio::select! {
            _ = tokio::time::sleep(interval) => false,
            // A stop, or the store dropped without one.
            _ = stopped.changed() => true,
        };
        if let Err(error) = checkpoint(&mut conn).await {
            tracing::warn!(%error, "checkpointing the write-ahead log failed");
        }
        if stop || *stopped.borrow() {
            break;
        }
    }
    if let Err(error) = conn.close().await {
        tracing::debug!(%error, "closing the checkpointing connection failed");
    }
}

/// One `PASSIVE` checkpoint; logs when the log could not be copied whole.
async fn checkpoint(conn: &mut AnyConnection) -> Result<(), sqlx::Error> {
    let row = sqlx::query("PRAGMA wal_checkpoint(PASSIVE)")
        .fetch_one(&mut *conn)
        .await?;
    let (log, copied): (i64, i64) = (row.try_get("log")?, row.try_get("checkpointed")?);
    if copied < log {
        // Readers still use the rest; the next checkpoint copies it.
        tracing::trace!(log, copied, "write-ahead log partly checkpointed");
    }
    Ok(())
}
