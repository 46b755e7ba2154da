//! The database handle: one implementation for SQLite and PostgreSQL through
//! sqlx's `Any` driver, and the repositories it hands out.

use std::path::Path;
use std::str::FromStr;
use std::sync::Arc;

use leadscore_domain::{Dataset, ExternalIds};
use sqlx::AnyPool;
use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::migrate::Migrator;

use crate::checkpoint::{self, Checkpointer};
use crate::documents::Documents;
use crate::keys::Keys;
use crate::lead_list::LeadList;
use crate::outbox::Outbox;
use crate::queue::RescoreQueue;
use crate::records::{Records, read, write};
use crate::registry::Registry;
use crate::rescoring::Rescoring;
use crate::retraining::RetrainingRuns;
use crate::scores::Scores;
use crate::shadow::ShadowScores;
use crate::{Backend, DatabaseUrl, ImportSummary, Store, StoreCounts, StoreError};

/// The versioned schema migrations (`migrations/`), embedded in the binary.
///
/// They run through the `Any` connection, which hands each step to the
/// backend's own migrator: on PostgreSQL that takes an advisory lock, so several
/// service instances starting together migrate once.
pub(crate) static MIGRATOR: Migrator = sqlx::migrate!();

/// A store in a SQLite file or a PostgreSQL database, through one code path:
/// the one handle every other crate holds. Each concern's tables are reached
/// through its repository ([`SqlStore::records`], [`SqlStore::queue`], ...);
/// no SQL, pool or connection leaves this crate.
#[derive(Debug, Clone)]
pub struct SqlStore {
    pool: AnyPool,
    backend: Backend,
    /// Writers of this process take turns here, in order, before taking
    /// SQLite's write lock: SQLite's own wait is a sleep with growing back-off
    /// (up to 100 ms a try), so a busy writer could starve the others.
    writers: Arc<tokio::sync::Mutex<()>>,
    /// SQLite's checkpoints, when run beside the writers (see
    /// [`OpenOptions::background_checkpoints`]).
    checkpointer: Option<Arc<Checkpointer>>,
}

/// How [`SqlStore::open_with`] opens a store (the defaults are
/// [`SqlStore::open`]'s).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct OpenOptions {
    /// A SQLite commit also reaches the disk before it returns
    /// (`synchronous = FULL`: a write answered would survive a power loss,
    /// not only a crash of the process). PostgreSQL commits are durable
    /// either way.
    pub durable: bool,
    /// SQLite's write-ahead log is checkpointed by a task of its own every
    /// 200 ms, never by a committing writer (see the `checkpoint` module):
    /// for a long-running process that writes all the time. Needs a Tokio
    /// runtime; ignored on PostgreSQL.
    pub background_checkpoints: bool,
}

/// How many times `write_tx!` runs a transaction that PostgreSQL
/// aborted for a deadlock or a serialization failure, the first included.
pub const WRITE_ATTEMPTS: u32 = 8;

/// The pause before attempt `attempt + 1`: random (jitter, so that the
/// writers that collided do not collide again), up to 5 ms × 2^attempt
/// (at most 320 ms).
fn retry_pause(attempt: u32) -> std::time::Duration {
    use rand::Rng;
    let ceiling_ms = 5u64 << attempt.min(6);
    std::time::Duration::from_micros(rand::rng().random_range(1_000..=ceiling_ms * 1_000))
}

/// A turn at writing (see [`SqlStore::write_turn`]); the turn ends when it is
/// dropped.
#[derive(Debug)]
pub(crate) struct WriteTurn {
    _guard: Option<tokio::sync::OwnedMutexGuard<()>>,
}

/// The connection pool's state ([`SqlStore::pool_stats`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PoolStats {
    /// Connections open (idle or in use).
    pub open: u32,
    /// Open connections waiting for work.
    pub idle: u32,
    /// The most connections the pool opens.
    pub max: u32,
}

/// A write transaction holding its turn (see [`SqlStore::begin_write`]);
/// statements run on it as on the connection it derefs to. Dropped without
/// a commit, it rolls back.
#[derive(Debug)]
pub(crate) struct WriteTx {
    tx: sqlx::Transaction<'static, sqlx::Any>,
    _turn: WriteTurn,
}

impl WriteTx {
    /// Commits, then ends the turn.
    pub(crate) async fn commit(self, operation: &'static str) -> Result<(), StoreError> {
        self.tx.commit().await.map_err(StoreError::query(operation))
    }
}

impl std::ops::Deref for WriteTx {
    type Target = sqlx::AnyConnection;

    fn deref(&self) -> &Self::Target {
        &self.tx
    }
}

impl std::ops::DerefMut for WriteTx {
    fn deref_mut(&mut self) -> &mut Self::Target {
        &mut self.tx
    }
}

impl SqlStore {
    /// Connects; for SQLite creates the file on first use (its parent directory
    /// must exist), sets WAL journal mode, `synchronous = NORMAL`, a busy
    /// timeout and foreign keys; runs pending migrations (concurrent-safe on
    /// PostgreSQL: sqlx takes an advisory lock). A database that a newer
    /// leadscore migrated is refused with [`StoreError::SchemaNewer`].
    pub async fn open(url: &DatabaseUrl) -> Result<Self, StoreError> {
        Self::open_with(url, OpenOptions::default()).await
    }

    /// As [`SqlStore::open`], with [`OpenOptions`].
    pub async fn open_with(url: &DatabaseUrl, open: OpenOptions) -> Result<Self, StoreError> {
        Self::connect(url, open, true).await
    }

    /// As [`SqlStore::open`], for a store that must exist already (for the
    /// commands that only read it, or change what it holds): a SQLite file
    /// that does not exist is refused with [`StoreError::NoDatabase`] and not
    /// created (the file is then opened without SQLite's create flag, so it
    /// is not created even if it disappears in between). PostgreSQL databases
    /// are never created by leadscore, so this is [`SqlStore::open`] for them.
    pub async fn open_existing(url: &DatabaseUrl) -> Result<Self, StoreError> {
        Self::connect(url, OpenOptions::default(), false).await
    }

    /// Opens the store; a missing SQLite file is created only when `create`.
    async fn connect(
        url: &DatabaseUrl,
        open: OpenOptions,
        create: bool,
    ) -> Result<Self, StoreError> {
        sqlx::any::install_default_drivers();
        let backend = url.backend();
        let mut connect_url = url.connect_url();
        if let Some(path) = url.sqlite_path() {
            if create {
                check_directory(path)?;
            } else {
                if !path.is_file() {
                    return Err(StoreError::NoDatabase {
                        path: path.to_path_buf(),
                    });
                }
                // `connect_url` asks for `mode=rwc` (read, write, create).
                if let Some(base) = connect_url.strip_suffix("?mode=rwc") {
                    connect_url = format!("{base}?mode=rw");
                }
            }
        }
        let connect_error = |source| StoreError::Connect {
            url: url.redacted(),
            source,
        };
        let options = AnyConnectOptions::from_str(&connect_url).map_err(connect_error)?;
        let sqlite = backend == Backend::Sqlite;
        let durable = open.durable && sqlite;
        let background_checkpoints = open.background_checkpoints && sqlite;
        let pool = AnyPoolOptions::new()
            .max_connections(backend.max_connections())
            .after_connect(move |conn, _meta| {
                Box::pin(async move {
                    for statement in backend.connection_setup() {
                        sqlx::query(*statement).execute(&mut *conn).await?;
                    }
                    if durable {
                        sqlx::query("PRAGMA synchronous = FULL")
                            .execute(&mut *conn)
                            .await?;
                    }
                    if background_checkpoints {
                        sqlx::query(checkpoint::AUTOCHECKPOINT_OFF)
                            .execute(&mut *conn)
                            .await?;
                    }
                    Ok(())
                })
            })
            .connect_with(options.clone())
            .await
            .map_err(connect_error)?;
        for statement in backend.database_setup() {
            sqlx::query(*statement)
                .execute(&pool)
                .await
                .map_err(StoreError::query("set up the database"))?;
        }
        // A schema a newer leadscore migrated is refused, never used.
        crate::versions::refuse_newer(&pool, backend, &url.redacted()).await?;
        if let Err(source) = MIGRATOR.run(&pool).await {
            return Err(
                crate::versions::migrate_error(source, &pool, backend, &url.redacted()).await,
            );
        }
        crate::backfill::run(&pool, backend).await?;
        let checkpointer = if background_checkpoints {
            Some(Arc::new(
                Checkpointer::start(&options, checkpoint::INTERVAL).await?,
            ))
        } else {
            None
        };
        tracing::debug!(database = %url, backend = %backend, "store opened");
        Ok(Self {
            pool,
            backend,
            writers: Arc::default(),
            checkpointer,
        })
    }

    /// Waits for this process's turn to write, first come first served: hold
    /// it across a write transaction on SQLite (one writer at a time anyway).
    /// Immediate on PostgreSQL, whose writers do not exclude each other.
    pub(crate) async fn write_turn(&self) -> WriteTurn {
        match self.backend {
            Backend::Sqlite => WriteTurn {
                _guard: Some(Arc::clone(&self.writers).lock_owned().await),
            },
            Backend::Postgres => WriteTurn { _guard: None },
        }
    }

    /// Begins a write transaction in this process's turn (see
    /// [`SqlStore::write_turn`]): every writer of the store's tables begins
    /// here, so that none waits on SQLite's back-off while the others take
    /// turns. The turn ends when the transaction is committed, rolled back
    /// or dropped (which rolls it back).
    pub(crate) async fn begin_write(&self, operation: &'static str) -> Result<WriteTx, StoreError> {
        let turn = self.write_turn().await;
        let tx = self
            .pool
            .begin_with(self.backend.begin_write())
            .await
            .map_err(StoreError::query(operation))?;
        Ok(WriteTx { tx, _turn: turn })
    }

    /// Ends one attempt of a write (`write_tx!`): commits when the attempt
    /// succeeded; gives back the outcome (`Some`) unless PostgreSQL aborted the
    /// transaction for a deadlock or a serialization failure
    /// ([`StoreError::is_transient_conflict`]) and attempts are left, in which
    /// case it waits a short random pause, growing with each attempt, and
    /// answers `None`: run the write again.
    pub(crate) async fn settle<T>(
        &self,
        tx: WriteTx,
        result: Result<T, StoreError>,
        operation: &'static str,
        attempt: &mut u32,
    ) -> Option<Result<T, StoreError>> {
        let result = match result {
            Ok(value) => tx.commit(operation).await.map(|()| value),
            Err(e) => Err(e),
        };
        *attempt += 1;
        match result {
            Err(e) if e.is_transient_conflict() && *attempt < WRITE_ATTEMPTS => {
                tracing::debug!(operation, attempt = *attempt, error = %e, "retrying a write");
                tokio::time::sleep(retry_pause(*attempt)).await;
                None
            }
            outcome => Some(outcome),
        }
    }

    /// Which database this store runs on.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// The connection pool.
    pub(crate) fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// The connection pool's state now, for metrics.
    pub fn pool_stats(&self) -> PoolStats {
        let open = self.pool.size();
        let idle = u32::try_from(self.pool.num_idle())
            .unwrap_or(u32::MAX)
            .min(open);
        PoolStats {
            open,
            idle,
            max: self.backend.max_connections(),
        }
    }

    /// True when the database answers a trivial query.
    pub async fn ping(&self) -> bool {
        sqlx::query("SELECT 1").fetch_one(&self.pool).await.is_ok()
    }

    /// The record tables: imports, the service's writes, reads.
    pub fn records(&self) -> Records<'_> {
        Records { store: self }
    }

    /// The rescoring queue.
    pub fn queue(&self) -> RescoreQueue<'_> {
        RescoreQueue { store: self }
    }

    /// The leads' stored scores: state, rule scores and history.
    pub fn scores(&self) -> Scores<'_> {
        Scores { store: self }
    }

    /// The console's lists of leads and its overview figures.
    pub fn lead_list(&self) -> LeadList<'_> {
        LeadList { store: self }
    }

    /// The rescoring worker's reads and writes, each in one transaction.
    pub fn rescoring(&self) -> Rescoring<'_> {
        Rescoring { store: self }
    }

    /// Rule models, conversion model versions and their publications.
    pub fn registry(&self) -> Registry<'_> {
        Registry { store: self }
    }

    /// Named settings documents (routing, webhooks).
    pub fn documents(&self) -> Documents<'_> {
        Documents { store: self }
    }

    /// API keys.
    pub fn keys(&self) -> Keys<'_> {
        Keys { store: self }
    }

    /// Events and their webhook deliveries.
    pub fn outbox(&self) -> Outbox<'_> {
        Outbox { store: self }
    }

    /// Retraining runs.
    pub fn retraining(&self) -> RetrainingRuns<'_> {
        RetrainingRuns { store: self }
    }

    /// A challenger's shadow scores.
    pub fn shadow(&self) -> ShadowScores<'_> {
        ShadowScores { store: self }
    }

    /// The console's users, sessions and sign-in links.
    pub fn users(&self) -> crate::users::Users<'_> {
        crate::users::Users { store: self }
    }

    /// A connection of the pool.
    pub(crate) async fn acquire(
        &self,
        operation: &'static str,
    ) -> Result<sqlx::pool::PoolConnection<sqlx::Any>, StoreError> {
        self.pool
            .acquire()
            .await
            .map_err(StoreError::query(operation))
    }

    /// Closes every connection of the pool (waiting for those in use), then
    /// stops the checkpointer after a last checkpoint.
    pub async fn close(&self) {
        self.pool.close().await;
        if let Some(checkpointer) = &self.checkpointer {
            checkpointer.stop().await;
        }
    }
}

/// A clear error when the SQLite file cannot be created because its directory
/// is missing (SQLite itself only says "unable to open database file").
fn check_directory(path: &Path) -> Result<(), StoreError> {
    match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() && !dir.is_dir() => {
            Err(StoreError::MissingDirectory {
                path: path.to_path_buf(),
                dir: dir.to_path_buf(),
            })
        }
        _ => Ok(()),
    }
}

impl Store for SqlStore {
    async fn existing_ids(&self, wanted: &ExternalIds) -> Result<ExternalIds, StoreError> {
        read::existing_ids(&self.pool, self.backend, wanted).await
    }

    async fn import(
        &self,
        data: &Dataset,
        progress: &(dyn Fn(u64) + Sync),
    ) -> Result<ImportSummary, StoreError> {
        let _turn = self.write_turn().await;
        let (summary, _) = write::import(&self.pool, self.backend, data, progress, None).await?;
        tracing::info!(
            accounts = summary.accounts,
            contacts = summary.contacts,
            leads = summary.leads,
            interactions = summary.interactions,
            custom_records = summary.custom_records,
            "dataset imported"
        );
        Ok(summary)
    }

    async fn export(&self) -> Result<Dataset, StoreError> {
        crate::records::export::export(&self.pool, self.backend).await
    }

    async fn counts(&self) -> Result<StoreCounts, StoreError> {
        read::counts(&self.pool).await
    }
}
