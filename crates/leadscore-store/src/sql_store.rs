//! The SQL store: one implementation for SQLite and PostgreSQL through sqlx's
//! `Any` driver.

use std::collections::HashMap;
use std::path::Path;
use std::str::FromStr;
use std::sync::Arc;

use leadscore_domain::{Dataset, ExternalIds, Lead};
use sqlx::AnyPool;
use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::migrate::Migrator;

use crate::checkpoint::{self, Checkpointer};
use crate::live::{self, Erasure};
use crate::{
    Backend, DatabaseUrl, ImportSummary, Store, StoreCounts, StoreError, queue, read, write,
};

/// The versioned schema migrations (`migrations/`), embedded in the binary.
///
/// They run through the `Any` connection, which hands each step to the
/// backend's own migrator: on PostgreSQL that takes an advisory lock, so several
/// service instances starting together migrate once.
static MIGRATOR: Migrator = sqlx::migrate!();

/// A store in a SQLite file or a PostgreSQL database, through one code path.
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

/// A turn at writing (see [`SqlStore::write_turn`]); the turn ends when it is
/// dropped.
#[derive(Debug)]
pub struct WriteTurn {
    _guard: Option<tokio::sync::OwnedMutexGuard<()>>,
}

/// A write transaction holding its turn (see [`SqlStore::begin_write`]);
/// statements run on it as on the connection it derefs to.
#[derive(Debug)]
pub struct WriteTx {
    tx: sqlx::Transaction<'static, sqlx::Any>,
    _turn: WriteTurn,
}

impl WriteTx {
    /// Commits, then ends the turn.
    pub async fn commit(self) -> Result<(), sqlx::Error> {
        self.tx.commit().await
    }

    /// Rolls back, then ends the turn.
    pub async fn rollback(self) -> Result<(), sqlx::Error> {
        self.tx.rollback().await
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
    /// PostgreSQL: sqlx takes an advisory lock).
    pub async fn open(url: &DatabaseUrl) -> Result<Self, StoreError> {
        Self::open_with(url, OpenOptions::default()).await
    }

    /// As [`SqlStore::open`], with [`OpenOptions`].
    pub async fn open_with(url: &DatabaseUrl, open: OpenOptions) -> Result<Self, StoreError> {
        sqlx::any::install_default_drivers();
        let backend = url.backend();
        if let Some(path) = url.sqlite_path() {
            check_directory(path)?;
        }
        let connect_error = |source| StoreError::Connect {
            url: url.redacted(),
            source,
        };
        let options = AnyConnectOptions::from_str(&url.connect_url()).map_err(connect_error)?;
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
        MIGRATOR
            .run(&pool)
            .await
            .map_err(|source| StoreError::Migrate { source })?;
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
    pub async fn write_turn(&self) -> WriteTurn {
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
    pub async fn begin_write(&self) -> Result<WriteTx, sqlx::Error> {
        let turn = self.write_turn().await;
        let tx = self.pool.begin_with(self.backend.begin_write()).await?;
        Ok(WriteTx { tx, _turn: turn })
    }

    /// Which database this store runs on.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// The connection pool, for later crates (the HTTP service) in the same code
    /// path.
    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// Upserts a dataset like [`Store::import`] and, in the same transaction,
    /// queues every stored lead whose scores it can change for rescoring (see
    /// the `rescore_queue` table). Returns the summary and how many leads were
    /// queued.
    pub async fn ingest(
        &self,
        data: &Dataset,
        cause: &str,
    ) -> Result<(ImportSummary, u64), StoreError> {
        let _turn = self.write_turn().await;
        write::import(&self.pool, self.backend, data, &|_| {}, Some(cause)).await
    }

    /// Everything the scores of these leads read, as one dataset whose
    /// references resolve (see [`crate::live`]'s `neighbourhood`). Without
    /// `properties`, the interactions come without their properties: a read
    /// answered from an index alone, for scoring that reads none.
    pub async fn neighbourhood(
        &self,
        lead_ids: &[String],
        properties: bool,
    ) -> Result<Dataset, StoreError> {
        let mut conn = self.acquire("read leads' records").await?;
        live::neighbourhood(&mut conn, self.backend, lead_ids, properties).await
    }

    /// As [`SqlStore::neighbourhood`], on a connection the caller holds (inside
    /// its transaction): a worker holding SQLite's write lock must not wait for
    /// a second connection from a pool that writers waiting for that lock
    /// have exhausted.
    pub async fn neighbourhood_in(
        &self,
        conn: &mut sqlx::AnyConnection,
        lead_ids: &[String],
        properties: bool,
    ) -> Result<Dataset, StoreError> {
        live::neighbourhood(conn, self.backend, lead_ids, properties).await
    }

    /// Stored leads by id.
    pub async fn leads_by_id(&self, ids: &[String]) -> Result<HashMap<String, Lead>, StoreError> {
        let mut conn = self.acquire("read leads").await?;
        live::leads_by_id(&mut conn, self.backend, ids).await
    }

    /// Queues leads that have no stored score yet; returns how many.
    pub async fn enqueue_unscored(&self, cause: &str) -> Result<u64, StoreError> {
        let _turn = self.write_turn().await;
        let mut conn = self.acquire("queue unscored leads").await?;
        queue::enqueue_where(
            &mut conn,
            self.backend,
            "lead_id NOT IN (SELECT lead_id FROM lead_state)",
            cause,
        )
        .await
    }

    /// Queues every open lead (the periodic rescoring pass); returns how many.
    pub async fn enqueue_open(&self, cause: &str) -> Result<u64, StoreError> {
        let _turn = self.write_turn().await;
        let mut conn = self.acquire("queue open leads").await?;
        queue::enqueue_where(&mut conn, self.backend, "status = 'open'", cause).await
    }

    /// Erases a contact with its interactions and its leads' scores, in one
    /// transaction, and records the erasure (with `contact_hash`, never the id).
    /// `None` when no such contact is stored.
    pub async fn erase_contact(
        &self,
        contact_id: &str,
        contact_hash: &str,
        erasure_id: &str,
        key_id: Option<&str>,
    ) -> Result<Option<Erasure>, StoreError> {
        let op = "erase a contact";
        let mut tx = self.begin_write().await.map_err(StoreError::query(op))?;
        let erased = live::erase_contact(
            &mut tx,
            self.backend,
            contact_id,
            contact_hash,
            erasure_id,
            key_id,
        )
        .await?;
        tx.commit().await.map_err(StoreError::query(op))?;
        Ok(erased)
    }

    async fn acquire(
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
        read::export(&self.pool, self.backend).await
    }

    async fn counts(&self) -> Result<StoreCounts, StoreError> {
        read::counts(&self.pool).await
    }
}
