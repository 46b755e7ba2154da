//! Helpers for tests (of this crate and others): a fresh, empty store on each
//! backend.
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
    let guard = PgTestDb {
        admin,
        url,
        name,
        dropped: false,
    };
    let store = SqlStore::open(&guard.url).await?;
    Ok(Some((guard, store)))
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
