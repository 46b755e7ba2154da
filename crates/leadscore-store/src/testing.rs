//! Helpers for tests, of this crate and of others (the `testing` feature): a
//! fresh, empty store on each backend, and [`on_both_backends!`](crate::on_both_backends)
//! that runs a test on both.
//!
//! PostgreSQL tests connect to `LEADSCORE_TEST_POSTGRES_URL` (default
//! `postgres://postgres@127.0.0.1:5432/postgres`) and create a database of their
//! own, dropped again afterwards. Without a server they are skipped with a note on
//! stderr, unless `CI` or `LEADSCORE_REQUIRE_POSTGRES` is set: then they fail.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use sqlx::AnyConnection;
use sqlx::{AssertSqlSafe, Connection};
use tempfile::TempDir;

use crate::{DEFAULT_SQLITE_FILE, DatabaseUrl, SqlStore, StoreError};

/// The environment variable naming the PostgreSQL server for tests.
pub const POSTGRES_URL_VAR: &str = "LEADSCORE_TEST_POSTGRES_URL";

/// The PostgreSQL server used when [`POSTGRES_URL_VAR`] is not set.
pub const DEFAULT_POSTGRES_URL: &str = "postgres://postgres@127.0.0.1:5432/postgres";

/// How long to wait for the test server before calling it unreachable.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

static COUNTER: AtomicU64 = AtomicU64::new(0);

/// A store under test with what keeps it alive: its temporary directory
/// (SQLite) or its database (PostgreSQL), removed when this is dropped or
/// [finished](TestDb::finish).
pub struct TestDb {
    /// The store.
    pub store: SqlStore,
    url: DatabaseUrl,
    guard: Guard,
}

enum Guard {
    Sqlite(TempDir),
    Postgres(PgTestDb),
}

impl TestDb {
    /// A new SQLite store in a new temporary directory.
    pub async fn sqlite() -> Result<Self, StoreError> {
        let (dir, store) = fresh_sqlite().await?;
        let url = DatabaseUrl::sqlite_file(dir.path().join(DEFAULT_SQLITE_FILE));
        Ok(Self {
            store,
            url,
            guard: Guard::Sqlite(dir),
        })
    }

    /// A new PostgreSQL store in a new database; `None` (after a note on
    /// stderr) when no server is reachable and neither `CI` nor
    /// `LEADSCORE_REQUIRE_POSTGRES` is set.
    pub async fn postgres() -> Result<Option<Self>, StoreError> {
        Ok(fresh_postgres().await?.map(|(db, store)| Self {
            url: db.url().clone(),
            store,
            guard: Guard::Postgres(db),
        }))
    }

    /// Where the store lives (to open it again, or to start a service on it).
    pub fn url(&self) -> &DatabaseUrl {
        &self.url
    }

    /// Which database the store runs on.
    pub fn backend(&self) -> crate::Backend {
        self.store.backend()
    }

    /// Closes the store and removes its database.
    pub async fn finish(self) -> Result<(), StoreError> {
        self.store.close().await;
        match self.guard {
            Guard::Sqlite(dir) => drop(dir),
            Guard::Postgres(db) => db.cleanup().await?,
        }
        Ok(())
    }

    /// The tables that have a column of this name (for the test that every
    /// per-lead table is covered by erasure).
    pub async fn tables_with_column(&self, column: &str) -> Result<Vec<String>, StoreError> {
        let op = "list the tables";
        let sql = match self.store.backend() {
            crate::Backend::Sqlite => {
                "SELECT m.name AS name FROM sqlite_master m, pragma_table_info(m.name) p \
                 WHERE m.type = 'table' AND p.name = ? ORDER BY m.name"
            }
            crate::Backend::Postgres => {
                "SELECT table_name::text AS name FROM information_schema.columns \
                 WHERE table_schema = current_schema() AND column_name = $1 ORDER BY table_name"
            }
        };
        let rows = sqlx::query(sql)
            .bind(column)
            .fetch_all(self.store.pool())
            .await
            .map_err(StoreError::query(op))?;
        rows.iter()
            .map(|row| crate::sql::Cells::new(row, "tables", &[]).required_string("name"))
            .collect()
    }

    /// How many rows a table holds whose `lead_id` is `lead` (for erasure
    /// tests).
    pub async fn rows_of_lead(&self, table: &str, lead: &str) -> Result<i64, StoreError> {
        if !crate::schema::lead_table_names().contains(&table) {
            return Err(StoreError::TestSetup {
                reason: format!("{table} is not a table with a lead_id column"),
            });
        }
        let sql = crate::sql::placeholders(
            self.store.backend(),
            &format!("SELECT COUNT(*) AS n FROM {table} WHERE lead_id = ?"),
        );
        let row = sqlx::query(AssertSqlSafe(sql))
            .bind(lead)
            .fetch_one(self.store.pool())
            .await
            .map_err(StoreError::query("count a lead's rows"))?;
        crate::sql::Cells::new(&row, "tables", &[]).required_int("n")
    }
}

/// What a test run by [`on_both_backends!`](crate::on_both_backends) may
/// return: nothing (it asserts), or a result.
pub trait Outcome {
    /// The outcome as a result.
    fn into_result(self) -> Result<(), Box<dyn std::error::Error>>;
}

impl Outcome for () {
    fn into_result(self) -> Result<(), Box<dyn std::error::Error>> {
        Ok(())
    }
}

impl<E: Into<Box<dyn std::error::Error>>> Outcome for Result<(), E> {
    fn into_result(self) -> Result<(), Box<dyn std::error::Error>> {
        self.map_err(Into::into)
    }
}

/// Runs each named `async fn(TestDb) -> impl Outcome` on SQLite and on
/// PostgreSQL, as `<name>::sqlite` and `<name>::postgres` (skipped with a note
/// when no server is reachable, unless `CI` or `LEADSCORE_REQUIRE_POSTGRES`
/// is set). The calling crate needs `tokio` with its `macros` and
/// `rt-multi-thread` features.
#[macro_export]
macro_rules! on_both_backends {
    ($($name:ident),* $(,)?) => {$(
        mod $name {
            #[::tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() -> ::std::result::Result<(), ::std::boxed::Box<dyn ::std::error::Error>> {
                let db = $crate::testing::TestDb::sqlite().await?;
                $crate::testing::Outcome::into_result(super::$name(db).await)
            }

            #[::tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() -> ::std::result::Result<(), ::std::boxed::Box<dyn ::std::error::Error>> {
                let Some(db) = $crate::testing::TestDb::postgres().await? else {
                    return Ok(());
                };
                $crate::testing::Outcome::into_result(super::$name(db).await)
            }
        }
    )*};
}

/// Every table with a `lead_id` column, as erasure classifies them.
pub fn lead_tables() -> Vec<&'static str> {
    crate::schema::lead_table_names()
}

/// The tables whose rows of an erased contact's leads are deleted.
pub fn erased_lead_tables() -> Vec<&'static str> {
    crate::schema::erased_lead_tables().collect()
}

/// The store's connection pool, for this crate's own tests (of pragmas,
/// indexes and failures); other crates talk to the store's repositories.
#[doc(hidden)]
pub fn pool(store: &SqlStore) -> &sqlx::AnyPool {
    store.pool()
}

/// A busy writer's turn: a write transaction, in this process's turn, that
/// holds the write lock for `hold` (for tests that writers take turns).
pub async fn hold_write_turn(store: &SqlStore, hold: Duration) -> Result<(), StoreError> {
    let op = "hold the write lock";
    let mut tx = store.begin_write(op).await?;
    sqlx::query("UPDATE rescore_queue SET cause = cause")
        .execute(&mut *tx)
        .await
        .map_err(StoreError::query(op))?;
    tokio::time::sleep(hold).await;
    tx.commit(op).await
}

/// A new SQLite store in a new temporary directory (deleted when the
/// [`TempDir`] is dropped: keep it alive as long as the store).
pub async fn fresh_sqlite() -> Result<(TempDir, SqlStore), StoreError> {
    let dir = tempfile::tempdir().map_err(|e| StoreError::TestSetup {
        reason: format!("cannot create a temporary directory: {e}"),
    })?;
    let url = DatabaseUrl::sqlite_file(dir.path().join(DEFAULT_SQLITE_FILE));
    let store = SqlStore::open(&url).await?;
    Ok((dir, store))
}

/// A new PostgreSQL store in a new, uniquely named database, with the guard
/// that drops that database; `None` (after a note on stderr) when no server is
/// reachable and neither `CI` nor `LEADSCORE_REQUIRE_POSTGRES` is set.
pub async fn fresh_postgres() -> Result<Option<(PgTestDb, SqlStore)>, StoreError> {
    let admin = std::env::var(POSTGRES_URL_VAR).unwrap_or_else(|_| DEFAULT_POSTGRES_URL.to_owned());
    fresh_postgres_at(&admin, postgres_required()).await
}

/// Like [`fresh_postgres`], with the server's URL (any database on it) and
/// whether an unreachable server is an error (`true`) or a skip (`false`).
pub async fn fresh_postgres_at(
    admin_url: &str,
    required: bool,
) -> Result<Option<(PgTestDb, SqlStore)>, StoreError> {
    let Some(guard) = empty_postgres_at(admin_url, required).await? else {
        return Ok(None);
    };
    let store = SqlStore::open(&guard.url).await?;
    Ok(Some((guard, store)))
}

/// A new, uniquely named PostgreSQL database left empty (no schema: for
/// tests of migrations and restores), with the guard that drops it; `None`
/// (after a note on stderr) when no server is reachable and neither `CI` nor
/// `LEADSCORE_REQUIRE_POSTGRES` is set.
pub async fn empty_postgres() -> Result<Option<PgTestDb>, StoreError> {
    let admin = std::env::var(POSTGRES_URL_VAR).unwrap_or_else(|_| DEFAULT_POSTGRES_URL.to_owned());
    empty_postgres_at(&admin, postgres_required()).await
}

/// Like [`empty_postgres`], with the server's URL and whether an unreachable
/// server is an error.
pub async fn empty_postgres_at(
    admin_url: &str,
    required: bool,
) -> Result<Option<PgTestDb>, StoreError> {
    let admin = DatabaseUrl::parse(admin_url)?;
    let mut conn = match admin_connection(&admin).await {
        Ok(conn) => conn,
        Err(reason) if required => {
            return Err(StoreError::TestSetup {
                reason: format!(
                    "PostgreSQL at {} is required (CI or LEADSCORE_REQUIRE_POSTGRES is set) \
                     but unreachable: {reason}",
                    admin.redacted()
                ),
            });
        }
        Err(reason) => {
            eprintln!(
                "skipping PostgreSQL test: {} is unreachable ({reason}); set {POSTGRES_URL_VAR} \
                 to use another server",
                admin.redacted()
            );
            return Ok(None);
        }
    };
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    let name = format!(
        "leadscore_test_{}_{}_{nanos}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    );
    // The name is made of ASCII letters, digits and underscores only.
    sqlx::query(AssertSqlSafe(format!("CREATE DATABASE {name}")))
        .execute(&mut conn)
        .await
        .map_err(StoreError::query("create a test database"))?;
    let _ = conn.close().await;
    let url = admin.with_database(&name)?;
    Ok(Some(PgTestDb {
        admin,
        url,
        name,
        dropped: false,
    }))
}

/// True when `CI` or `LEADSCORE_REQUIRE_POSTGRES` is set (and not empty).
pub fn postgres_required() -> bool {
    ["CI", "LEADSCORE_REQUIRE_POSTGRES"]
        .iter()
        .any(|var| std::env::var_os(var).is_some_and(|v| !v.is_empty()))
}

async fn admin_connection(admin: &DatabaseUrl) -> Result<AnyConnection, String> {
    sqlx::any::install_default_drivers();
    match tokio::time::timeout(
        CONNECT_TIMEOUT,
        AnyConnection::connect(&admin.connect_url()),
    )
    .await
    {
        Ok(Ok(conn)) => Ok(conn),
        Ok(Err(e)) => Err(e.to_string()),
        Err(_) => Err(format!("no answer within {CONNECT_TIMEOUT:?}")),
    }
}

/// A PostgreSQL test database; dropped (`WITH (FORCE)`, ending its sessions)
/// by [`PgTestDb::cleanup`] or, failing that, when the guard is dropped.
pub struct PgTestDb {
    admin: DatabaseUrl,
    url: DatabaseUrl,
    name: String,
    dropped: bool,
}

impl PgTestDb {
    /// The test database's URL.
    pub fn url(&self) -> &DatabaseUrl {
        &self.url
    }

    /// The test database's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Drops the test database now.
    pub async fn cleanup(mut self) -> Result<(), StoreError> {
        self.dropped = true;
        drop_database(&self.admin, &self.name).await
    }
}

impl Drop for PgTestDb {
    fn drop(&mut self) {
        if self.dropped {
            return;
        }
        self.dropped = true;
        // Drop cannot await, and may run inside a runtime that must not block:
        // drop the database from a thread with a runtime of its own.
        let admin = self.admin.clone();
        let name = std::mem::take(&mut self.name);
        let worker =
            std::thread::spawn(move || {
                match tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                {
                    Ok(runtime) => {
                        if let Err(e) = runtime.block_on(drop_database(&admin, &name)) {
                            eprintln!("cannot drop test database {name}: {e}");
                        }
                    }
                    Err(e) => eprintln!("cannot drop test database {name}: {e}"),
                }
            });
        let _ = worker.join();
    }
}

async fn drop_database(admin: &DatabaseUrl, name: &str) -> Result<(), StoreError> {
    let mut conn = admin_connection(admin)
        .await
        .map_err(|reason| StoreError::TestSetup { reason })?;
    sqlx::query(AssertSqlSafe(format!(
        "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
    )))
    .execute(&mut conn)
    .await
    .map_err(StoreError::query("drop a test database"))?;
    let _ = conn.close().await;
    Ok(())
}

/// Empties the rescoring queue, as a worker that rescored every queued lead
/// would; returns how many were queued.
pub async fn clear_queue(store: &SqlStore) -> Result<u64, StoreError> {
    sqlx::query("DELETE FROM rescore_queue")
        .execute(store.pool())
        .await
        .map(|r| r.rows_affected())
        .map_err(StoreError::query("empty the rescoring queue"))
}
