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
