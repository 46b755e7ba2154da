//! Everything that can go wrong in the store.

use std::path::PathBuf;

use thiserror::Error;

/// Why a store operation failed.
///
/// Messages never contain a password (URLs are redacted) nor any stored value
/// other than ids.
#[derive(Debug, Error)]
pub enum StoreError {
    /// A database location could not be understood.
    #[error("cannot use {url:?} as a database location: {reason}")]
    BadUrl {
        /// The location as given, with any password replaced by `***`.
        url: String,
        /// What is wrong with it.
        reason: String,
    },
    /// The directory that should hold a SQLite database file does not exist.
    #[error(
        "cannot create the SQLite database {path:?}: its directory {dir:?} does not exist (create it first)"
    )]
    MissingDirectory {
        /// The database file.
        path: PathBuf,
        /// The directory that is missing.
        dir: PathBuf,
    },
    /// Connecting to the database failed.
    #[error("cannot connect to {url}: {source}")]
    Connect {
        /// The database URL, with any password replaced by `***`.
        url: String,
        /// The driver's error.
        source: sqlx::Error,
    },
    /// Bringing the schema up to date failed.
    #[error("cannot migrate the database schema: {source}")]
    Migrate {
        /// The migrator's error.
        source: sqlx::migrate::MigrateError,
    },
    /// A statement failed.
    #[error("{operation} failed: {source}")]
    Query {
        /// What the store was doing (`import leads`, `export accounts`, ...).
        operation: &'static str,
        /// The driver's error.
        source: sqlx::Error,
    },
    /// A stored value no longer reads as its domain type.
    #[error("stored {table} row {id:?} has a bad {column}: {reason}")]
    CorruptRow {
        /// The table.
        table: &'static str,
        /// The row's id as stored.
        id: String,
        /// The column holding the bad value.
        column: &'static str,
        /// Why it does not read.
        reason: String,
    },
    /// A dataset holds the same id twice within one import batch.
    #[error("the dataset holds {table} id {id:?} more than once")]
    DuplicateId {
        /// The table (`accounts`, `interactions`, `custom_records`, ...).
        table: &'static str,
        /// The repeated id.
        id: String,
    },
    /// A streamed import's reader stopped before the end of its records (it
    /// failed, or its task ended): the transaction was rolled back and
    /// nothing was written.
    #[error("the import stopped before the end of its records: nothing was written")]
    ImportStopped,
    /// A streamed import's reader failed in a way no record explains (its
    /// thread panicked, or a checked record could not be built again);
    /// nothing was written.
    #[error("the import's reader failed: {reason}; nothing was written")]
    ImportReader {
        /// What failed.
        reason: String,
    },
    /// A streamed export's writer failed in a way it could not answer (its
    /// thread panicked).
    #[error("the export's writer failed: {reason}")]
    ExportWriter {
        /// What failed.
        reason: String,
    },
    /// A write was refused by what is stored (its transaction rolled back,
    /// nothing changed): a rare race the caller checked for beforehand.
    #[error("cannot {operation}: {reason}")]
    Refused {
        /// What the store was doing.
        operation: &'static str,
        /// Why it was refused.
        reason: &'static str,
    },
    /// A newer leadscore migrated the database: it has migrations applied
    /// that this binary does not know. Such a database is refused, never
    /// used with a schema this code was not written for.
    #[error(
        "the database {database} has schema version {database_version}, newer than this \
         leadscore's {binary_version} (migrations it does not know: {unknown:?}): a newer \
         leadscore migrated it; run that version or a later one, or restore a backup taken \
         before the upgrade (migrations are forward-only)"
    )]
    SchemaNewer {
        /// The database (its redacted URL, or the file).
        database: String,
        /// The newest migration the database has applied.
        database_version: i64,
        /// The newest migration this binary knows.
        binary_version: i64,
        /// The applied migrations this binary does not know, oldest first.
        unknown: Vec<i64>,
    },
    /// An operation that only a SQLite file has was asked of another store.
    #[error(
        "cannot {operation} {url}: that works on SQLite files only (PostgreSQL is backed up \
         and restored with its own tools, pg_dump and pg_restore)"
    )]
    NotSqlite {
        /// What was asked (`back up`, `restore into`).
        operation: &'static str,
        /// The store's URL, with any password replaced by `***`.
        url: String,
    },
    /// The SQLite database file to read does not exist.
    #[error("there is no SQLite database at {path:?}")]
    NoDatabase {
        /// The file.
        path: PathBuf,
    },
    /// A backup would be written over an existing file: it never is.
    #[error("{path:?} exists already: a backup is never written over a file (give a new name)")]
    BackupExists {
        /// The backup file asked for.
        path: PathBuf,
    },
    /// A restore would replace an existing database and was not forced.
    #[error(
        "{path:?} exists already: restoring over it must be forced (`--force`), which moves \
         the old database aside (never deletes it)"
    )]
    RestoreTargetExists {
        /// The database file to restore into.
        path: PathBuf,
    },
    /// The SQLite database is open in another process, so it cannot be
    /// replaced safely.
    #[error(
        "the database {path:?} is in use by another process (a running `leadscore serve`?): \
         stop the service before restoring"
    )]
    DatabaseInUse {
        /// The database file.
        path: PathBuf,
    },
    /// A file that should be a leadscore SQLite database is not one.
    #[error("{path:?} is not a leadscore SQLite database: {reason}")]
    NotLeadscoreDatabase {
        /// The file.
        path: PathBuf,
        /// Why not.
        reason: String,
    },
    /// SQLite's `PRAGMA integrity_check` found problems.
    #[error(
        "{path:?} fails SQLite's integrity check ({} problems): {}",
        .problems.len(),
        .problems.join("; ")
    )]
    IntegrityCheck {
        /// The database file.
        path: PathBuf,
        /// What the check reported (at most 100 lines).
        problems: Vec<String>,
    },
    /// A file operation of a backup or a restore failed.
    #[error("cannot {action} {path:?}: {source}")]
    File {
        /// What was being done (`create a temporary file beside`, `move aside`, ...).
        action: &'static str,
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// A test database could not be set up (only from [`crate::testing`]).
    #[error("cannot set up a test database: {reason}")]
    TestSetup {
        /// What went wrong.
        reason: String,
    },
}

impl StoreError {
    /// Wraps a driver error of a statement.
    pub(crate) fn query(operation: &'static str) -> impl FnOnce(sqlx::Error) -> Self {
        move |source| Self::Query { operation, source }
    }

    /// Whether the transaction failed only because a concurrent one won: a
    /// PostgreSQL deadlock (`40P01`) or serialization failure (`40001`). Run
    /// again, it can succeed; [`crate::SqlStore`]'s writes retry these.
    pub fn is_transient_conflict(&self) -> bool {
        let Self::Query {
            source: sqlx::Error::Database(e),
            ..
        } = self
        else {
            return false;
        };
        matches!(e.code().as_deref(), Some("40P01" | "40001"))
    }
}
