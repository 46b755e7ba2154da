//! Schema versions: the migrations this binary embeds, the ones a database
//! has applied (sqlx records them in `_sqlx_migrations`), and the refusal of
//! a database that a newer leadscore migrated.
//!
//! Migrations are forward-only: each file in `migrations/` is a schema the
//! code has been at, and [`crate::SqlStore::open`] brings any older schema up
//! to this binary's. A database with a migration applied that this binary
//! does not know, newer than its own newest, was migrated by a newer
//! leadscore: opening it is refused with [`StoreError::SchemaNewer`]
//! (naming both versions) rather than using a schema this code was not
//! written for.

use serde::Serialize;
use sqlx::{AnyPool, Row};

use crate::handle::MIGRATOR;
use crate::{Backend, StoreError};

/// The version of this binary's newest migration (the `YYYYMMDDhhmmss`
/// prefix of its file name): the schema version [`crate::SqlStore::open`]
/// brings a database to.
pub fn binary_schema_version() -> i64 {
    MIGRATOR.iter().map(|m| m.version).max().unwrap_or(0)
}

/// The versions of the migrations this binary embeds, oldest first.
pub fn known_migrations() -> Vec<i64> {
    let mut versions: Vec<i64> = MIGRATOR.iter().map(|m| m.version).collect();
    versions.sort_unstable();
    versions
}

/// A database's schema, as its migration table records it, against this
/// binary's migrations.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SchemaVersion {
    /// The newest migration applied (`None`: none is, an empty database).
    pub version: Option<i64>,
    /// How many migrations are applied.
    pub applied: usize,
    /// This binary's migrations not applied yet (they run when the store
    /// opens).
    pub pending: usize,
    /// Applied migrations this binary does not know, oldest first.
    pub unknown: Vec<i64>,
}

impl SchemaVersion {
    /// The schema of a database with these migrations applied.
    pub(crate) fn of(mut applied: Vec<i64>) -> Self {
        applied.sort_unstable();
        applied.dedup();
        let known = known_migrations();
        let unknown: Vec<i64> = applied
            .iter()
            .copied()
            .filter(|v| !known.contains(v))
            .collect();
        let pending = known.iter().filter(|v| !applied.contains(v)).count();
        Self {
            version: applied.last().copied(),
            applied: applied.len(),
            pending,
            unknown,
        }
    }

    /// Whether a newer leadscore migrated the database: it has a migration
    /// applied that this binary does not know, newer than its newest.
    pub fn is_newer_than_binary(&self) -> bool {
        let binary = binary_schema_version();
        self.unknown.iter().any(|v| *v > binary)
    }

    /// [`StoreError::SchemaNewer`] when [newer](Self::is_newer_than_binary);
    /// `database` names the database in the message.
    pub(crate) fn refuse_newer(&self, database: &str) -> Result<(), StoreError> {
        if !self.is_newer_than_binary() {
            return Ok(());
        }
        Err(StoreError::SchemaNewer {
            database: database.to_owned(),
            database_version: self.version.unwrap_or(0),
            binary_version: binary_schema_version(),
            unknown: self.unknown.clone(),
        })
    }
}

/// The table sqlx records applied migrations in.
pub(crate) const MIGRATIONS_TABLE: &str = "_sqlx_migrations";

/// The versions of the migrations a database has applied (none when it has
/// no migration table yet).
pub(crate) async fn applied(pool: &AnyPool, backend: Backend) -> Result<Vec<i64>, StoreError> {
    let op = "read the applied schema migrations";
    let exists = match backend {
        Backend::Sqlite => {
            "SELECT COUNT(*) AS n FROM sqlite_master \
             WHERE type = 'table' AND name = '_sqlx_migrations'"
        }
        Backend::Postgres => {
            "SELECT COUNT(*) AS n FROM information_schema.tables \
             WHERE table_schema = current_schema() AND table_name = '_sqlx_migrations'"
        }
    };
    let row = sqlx::query(exists)
        .fetch_one(pool)
        .await
        .map_err(StoreError::query(op))?;
    let n: i64 = row.try_get("n").map_err(StoreError::query(op))?;
    if n == 0 {
        return Ok(Vec::new());
    }
    let rows = sqlx::query(APPLIED_SQL)
        .fetch_all(pool)
        .await
        .map_err(StoreError::query(op))?;
    versions_of(&rows, op)
}

/// The query of the applied migrations' versions, oldest first.
pub(crate) const APPLIED_SQL: &str = "SELECT version FROM _sqlx_migrations ORDER BY version";

/// The versions of [`APPLIED_SQL`]'s rows, from any driver's rows (the
/// pool's, or a plain SQLite connection's when a backup is checked).
pub(crate) fn versions_of<R>(rows: &[R], op: &'static str) -> Result<Vec<i64>, StoreError>
where
    R: sqlx::Row,
    for<'r> i64: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    for<'c> &'c str: sqlx::ColumnIndex<R>,
{
    rows.iter()
        .map(|row| {
            row.try_get::<i64, _>("version")
                .map_err(StoreError::query(op))
        })
        .collect()
}

/// Refuses a database that a newer leadscore migrated (before migrating).
pub(crate) async fn refuse_newer(
    pool: &AnyPool,
    backend: Backend,
    database: &str,
) -> Result<(), StoreError> {
    SchemaVersion::of(applied(pool, backend).await?).refuse_newer(database)
}

/// The migrator's error, or [`StoreError::SchemaNewer`] when it failed
/// because the database has a migration this binary does not know and that
/// is newer than its own (another instance, newer, migrated it meanwhile).
pub(crate) async fn migrate_error(
    source: sqlx::migrate::MigrateError,
    pool: &AnyPool,
    backend: Backend,
    database: &str,
) -> StoreError {
    if matches!(source, sqlx::migrate::MigrateError::VersionMissing(_))
        && let Ok(applied) = applied(pool, backend).await
        && let Err(newer) = SchemaVersion::of(applied).refuse_newer(database)
    {
        return newer;
    }
    StoreError::Migrate { source }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_database_behind_has_pending_migrations() {
        let known = known_migrations();
        let first = known.first().copied().unwrap_or(0);
        let schema = SchemaVersion::of(vec![first]);
        assert_eq!(schema.version, Some(first));
        assert_eq!(schema.pending, known.len() - 1);
        assert!(schema.unknown.is_empty());
        assert!(!schema.is_newer_than_binary());
        assert!(schema.refuse_newer("db").is_ok());
    }

    #[test]
    fn an_unknown_newer_migration_is_refused_naming_the_versions() -> Result<(), String> {
        let mut applied = known_migrations();
        let newer = binary_schema_version() + 1;
        applied.push(newer);
        let schema = SchemaVersion::of(applied);
        assert!(schema.is_newer_than_binary());
        let (database, database_version, binary_version, unknown) =
            match schema.refuse_newer("sqlite://x.db") {
                Err(StoreError::SchemaNewer {
                    database,
                    database_version,
                    binary_version,
                    unknown,
                }) => (database, database_version, binary_version, unknown),
                other => return Err(format!("expected SchemaNewer, got {other:?}")),
            };
        assert_eq!(database, "sqlite://x.db");
        assert_eq!(database_version, newer);
        assert_eq!(binary_version, binary_schema_version());
        assert_eq!(unknown, vec![newer]);
        Ok(())
    }

    #[test]
    fn an_unknown_older_migration_is_not_called_newer() {
        let schema = SchemaVersion::of(vec![1]);
        assert_eq!(schema.unknown, vec![1]);
        assert!(!schema.is_newer_than_binary());
    }
}
