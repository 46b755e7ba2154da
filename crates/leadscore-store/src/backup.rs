//! Backups and restores of a SQLite store; PostgreSQL is backed up with its
//! own tools ([`pg_dump_command`], [`pg_restore_command`]).
//!
//! - [`backup_sqlite`] copies a database while the service serves and
//!   writes: SQLite's `VACUUM INTO` reads one snapshot (a read transaction,
//!   which in WAL mode blocks no writer), so the copy holds every
//!   transaction committed before it began and nothing of one committed
//!   after: never half a write. The copy is written under a temporary name
//!   beside the backup, checked (`PRAGMA integrity_check`, the schema, the
//!   counts), flushed to disk and only then given its name, which it never
//!   takes from an existing file: a crash leaves no half backup under the
//!   final name.
//! - [`restore_sqlite`] puts a backup in place of a database that no
//!   process has open: it checks the backup (integrity, and a schema no
//!   newer than this binary's), copies it beside the target, moves an
//!   existing database aside (`<name>.before-restore-<time>`, never deleted;
//!   only when forced), gives the copy the target's name, and opens it,
//!   which runs the pending migrations.
//! - [`inspect_sqlite`] checks a database file without changing it.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::time::Duration;

use leadscore_domain::Timestamp;
use serde::Serialize;
use sqlx::sqlite::{SqliteConnectOptions, SqliteConnection};
use sqlx::{ConnectOptions, Connection, Row};

use crate::url::without_password;
use crate::versions::{self, SchemaVersion};
use crate::{DatabaseUrl, SqlStore, Store, StoreCounts, StoreError};

/// How long the backup's reads wait for another connection's lock (only WAL
/// recovery takes one that a reader waits on).
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// The files beside a SQLite database that belong to it: its write-ahead log
/// and shared-memory index (WAL mode) and its rollback journal.
const SIDECARS: [&str; 3] = ["-wal", "-shm", "-journal"];

/// The record tables a leadscore database has from its first migration on.
const RECORD_TABLES: [&str; 5] = [
    "accounts",
    "contacts",
    "leads",
    "interactions",
    "custom_records",
];

/// A SQLite database file, checked: it passed `PRAGMA integrity_check` and
/// holds a leadscore schema.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DatabaseFile {
    /// The file.
    pub path: PathBuf,
    /// Its size in bytes.
    pub bytes: u64,
    /// Its schema, against this binary's migrations.
    pub schema: SchemaVersion,
    /// The records it holds.
    pub counts: StoreCounts,
}

/// What [`backup_sqlite`] wrote.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BackupReport {
    /// The database backed up.
    pub database: String,
    /// The backup, as checked after it was written.
    pub backup: DatabaseFile,
}

/// What [`restore_sqlite`] did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RestoreReport {
    /// The backup restored, as checked before it was copied.
    pub from: DatabaseFile,
    /// The database restored into.
    pub database: String,
    /// Where the database that was there went (its file first, then its
    /// journal files, if any): nothing is deleted.
    pub moved_aside: Vec<PathBuf>,
    /// How many migrations ran on the restored database (the backup's schema
    /// was that much older than this binary's).
    pub migrated: usize,
    /// The restored database's schema version (this binary's).
    pub schema_version: Option<i64>,
    /// The records the restored database holds.
    pub counts: StoreCounts,
}

/// Writes a consistent copy of the SQLite database `database` to the new
/// file `out`, while other processes (the service) read and write it.
///
/// Refuses an `out` that exists ([`StoreError::BackupExists`]) and a
/// database that is not a SQLite file ([`StoreError::NotSqlite`]: back up
/// PostgreSQL with [`pg_dump_command`]'s command). The database is only
/// read: it is not migrated, and a missing file is not created.
pub async fn backup_sqlite(database: &DatabaseUrl, out: &Path) -> Result<BackupReport, StoreError> {
    let source = sqlite_file(database, "back up")?;
    if !source.is_file() {
        return Err(StoreError::NoDatabase {
            path: source.to_path_buf(),
        });
    }
    if exists(out) {
        return Err(StoreError::BackupExists {
            path: out.to_path_buf(),
        });
    }
    let temp = TempSibling::create(out)?;
    let mut conn = connect(source, false).await?;
    let copied = vacuum_into(&mut conn, temp.path(), out, "back up the database").await;
    let _ = conn.close().await;
    copied?;
    let backup = inspect_at(temp.path(), out).await?;
    temp.publish(out, || StoreError::BackupExists {
        path: out.to_path_buf(),
    })?;
    tracing::info!(
        database = %database,
        backup = %out.display(),
        bytes = backup.bytes,
        leads = backup.counts.leads,
        interactions = backup.counts.interactions,
        "database backed up"
    );
    Ok(BackupReport {
        database: database.redacted(),
        backup,
    })
}

/// Checks a SQLite database file without changing it: SQLite's integrity
/// check, its schema against this binary's migrations, and its counts.
pub async fn inspect_sqlite(path: &Path) -> Result<DatabaseFile, StoreError> {
    if !path.is_file() {
        return Err(StoreError::NoDatabase {
            path: path.to_path_buf(),
        });
    }
    inspect_at(path, path).await
}

/// Restores the backup `from` into the SQLite database `database`, which no
/// process may have open: stop the service first (a database in use is
/// refused, [`StoreError::DatabaseInUse`]).
///
/// The backup must pass the integrity check and have a schema no newer than
/// this binary's ([`StoreError::SchemaNewer`]). An existing database is
/// replaced only when `force` is set ([`StoreError::RestoreTargetExists`]),
/// and then moved aside to `<name>.before-restore-<time>` (with its journal
/// files), never deleted. The copy is complete and on disk before it takes
/// the database's name; then the store is opened, which runs the pending
/// migrations.
pub async fn restore_sqlite(
    from: &Path,
    database: &DatabaseUrl,
    force: bool,
) -> Result<RestoreReport, StoreError> {
    let target = sqlite_file(database, "restore into")?;
    if !from.is_file() {
        return Err(StoreError::NoDatabase {
            path: from.to_path_buf(),
        });
    }
    let backup = inspect_at(from, from).await?;
    backup.schema.refuse_newer(&from.display().to_string())?;
    let occupied = !present(target).is_empty();
    if occupied && !force {
        return Err(StoreError::RestoreTargetExists {
            path: target.to_path_buf(),
        });
    }
    if occupied {
        // Refuse a database in use before the copy, not after it.
        quiesce(target).await?;
    }
    let temp = TempSibling::create(target)?;
    let mut conn = connect(from, true).await?;
    let copied = vacuum_into(&mut conn, temp.path(), target, "copy the backup").await;
    let _ = conn.close().await;
    copied?;
    let moved_aside = if present(target).is_empty() {
        Vec::new()
    } else {
        quiesce(target).await?;
        move_aside(target)?
    };
    temp.publish(target, || StoreError::RestoreTargetExists {
        path: target.to_path_buf(),
    })?;
    let store = SqlStore::open(database).await?;
    let schema = versions::applied(store.pool(), store.backend()).await;
    let counts = store.counts().await;
    store.close().await;
    let schema = SchemaVersion::of(schema?);
    tracing::info!(
        database = %database,
        backup = %from.display(),
        migrated = backup.schema.pending,
        "backup restored"
    );
    Ok(RestoreReport {
        migrated: backup.schema.pending,
        from: backup,
        database: database.redacted(),
        moved_aside,
        schema_version: schema.version,
        counts: counts?,
    })
}

/// A PostgreSQL tool's command line, to run in a shell.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PostgresCommand {
    /// The command, with its arguments quoted for a POSIX shell.
    pub command: String,
    /// Whether the URL had a password, which the command leaves out: give it
    /// with `PGPASSWORD` or `~/.pgpass`.
    pub password_left_out: bool,
}

/// The `pg_dump` command that backs up the PostgreSQL store `database` to
/// `out` (custom format, for `pg_restore`), with the URL's password left
/// out. A consistent snapshot, taken while the service runs.
pub fn pg_dump_command(database: &DatabaseUrl, out: &Path) -> Result<PostgresCommand, StoreError> {
    let (url, password_left_out) = postgres_url(database, "back up")?;
    Ok(PostgresCommand {
        command: format!(
            "pg_dump --format=custom --file={} --dbname={}",
            shell_quote(&out.display().to_string()),
            shell_quote(&url)
        ),
        password_left_out,
    })
}

/// The `pg_restore` command that restores the `pg_dump` backup `from` into
/// the PostgreSQL database `database` (which must be empty: create it with
/// `createdb`), in one transaction, with the URL's password left out.
pub fn pg_restore_command(
    database: &DatabaseUrl,
    from: &Path,
) -> Result<PostgresCommand, StoreError> {
    let (url, password_left_out) = postgres_url(database, "restore into")?;
    Ok(PostgresCommand {
        command: format!(
            "pg_restore --exit-on-error --single-transaction --no-owner --dbname={} {}",
            shell_quote(&url),
            shell_quote(&from.display().to_string())
        ),
        password_left_out,
    })
}

/// The SQLite file of a location, or [`StoreError::NotSqlite`].
fn sqlite_file<'a>(
    database: &'a DatabaseUrl,
    operation: &'static str,
) -> Result<&'a Path, StoreError> {
    database.sqlite_path().ok_or_else(|| StoreError::NotSqlite {
        operation,
        url: database.redacted(),
    })
}

/// A PostgreSQL location's URL without its password, and whether it had one.
fn postgres_url(
    database: &DatabaseUrl,
    operation: &'static str,
) -> Result<(String, bool), StoreError> {
    if database.sqlite_path().is_some() {
        return Err(StoreError::BadUrl {
            url: database.redacted(),
            reason: format!("{operation} with PostgreSQL's tools needs a PostgreSQL URL"),
        });
    }
    let url = database.connect_url();
    let bare = without_password(&url);
    let had = bare != url;
    Ok((bare, had))
}

/// `text` as one word for a POSIX shell.
fn shell_quote(text: &str) -> String {
    let plain = !text.is_empty()
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "@%+=:,./_-".contains(c));
    if plain {
        text.to_owned()
    } else {
        format!("'{}'", text.replace('\'', r"'\''"))
    }
}

/// Whether anything (a file, a folder, a link) is at `path`.
fn exists(path: &Path) -> bool {
    fs::symlink_metadata(path).is_ok()
}

/// `path` with `suffix` appended to its file name (`leadscore.db-wal`).
fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

/// The database file and its journal files that are present, the file first.
fn present(path: &Path) -> Vec<PathBuf> {
    std::iter::once(path.to_path_buf())
        .chain(SIDECARS.iter().map(|s| with_suffix(path, s)))
        .filter(|p| exists(p))
        .collect()
}

/// The folder of a file path (`.` for a bare name).
fn parent(path: &Path) -> &Path {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    }
}

/// A connection to an existing SQLite file (never created), read-only or not.
async fn connect(path: &Path, read_only: bool) -> Result<SqliteConnection, StoreError> {
    SqliteConnectOptions::new()
        .filename(path)
        .create_if_missing(false)
        .read_only(read_only)
        .busy_timeout(BUSY_TIMEOUT)
        .connect()
        .await
        .map_err(|source| StoreError::Connect {
            url: format!("sqlite://{}", path.display()),
            source,
        })
}

/// `VACUUM INTO temp`: a consistent copy of the connection's database, from
/// one snapshot. `target` names the file in errors.
async fn vacuum_into(
    conn: &mut SqliteConnection,
    temp: &Path,
    target: &Path,
    operation: &'static str,
) -> Result<(), StoreError> {
    let Some(name) = temp.to_str() else {
        return Err(StoreError::File {
            action: "write a SQLite copy to a path that is not UTF-8:",
            path: target.to_path_buf(),
            source: io::Error::from(io::ErrorKind::InvalidInput),
        });
    };
    sqlx::query("VACUUM INTO ?")
        .bind(name)
        .execute(conn)
        .await
        .map_err(StoreError::query(operation))?;
    Ok(())
}

/// Checks `file` (read-only); errors and the report name it `named`.
async fn inspect_at(file: &Path, named: &Path) -> Result<DatabaseFile, StoreError> {
    let mut conn = connect(file, true).await?;
    let checked = inspect_connection(&mut conn, named).await;
    let _ = conn.close().await;
    let (schema, counts) = checked?;
    let bytes = fs::metadata(file)
        .map_err(|source| StoreError::File {
            action: "read the size of",
            path: named.to_path_buf(),
            source,
        })?
        .len();
    Ok(DatabaseFile {
        path: named.to_path_buf(),
        bytes,
        schema,
        counts,
    })
}

async fn inspect_connection(
    conn: &mut SqliteConnection,
    named: &Path,
) -> Result<(SchemaVersion, StoreCounts), StoreError> {
    let not_leadscore = |reason: String| StoreError::NotLeadscoreDatabase {
        path: named.to_path_buf(),
        reason,
    };
    // The first read of the file: a file that is no SQLite database fails here.
    let rows = sqlx::query("SELECT name FROM sqlite_master WHERE type = 'table'")
        .fetch_all(&mut *conn)
        .await
        .map_err(|e| not_leadscore(e.to_string()))?;
    let tables: Vec<String> = rows
        .iter()
        .filter_map(|row| row.try_get::<String, _>("name").ok())
        .collect();
    if !tables.iter().any(|t| t == versions::MIGRATIONS_TABLE) {
        return Err(not_leadscore(format!(
            "it has no schema migration table ({})",
            versions::MIGRATIONS_TABLE
        )));
    }
    if let Some(missing) = RECORD_TABLES
        .iter()
        .find(|t| !tables.iter().any(|have| have == *t))
    {
        return Err(not_leadscore(format!("it has no {missing} table")));
    }
    let op = "check the database's integrity";
    // A damaged file can also fail the check itself (SQLITE_CORRUPT).
    let rows = sqlx::query("PRAGMA integrity_check")
        .fetch_all(&mut *conn)
        .await
        .map_err(|e| StoreError::IntegrityCheck {
            path: named.to_path_buf(),
            problems: vec![e.to_string()],
        })?;
    let report: Vec<String> = rows
        .iter()
        .map(|row| row.try_get::<String, _>(0).map_err(StoreError::query(op)))
        .collect::<Result<_, _>>()?;
    if report != ["ok"] {
        return Err(StoreError::IntegrityCheck {
            path: named.to_path_buf(),
            problems: report,
        });
    }
    let op = "read the applied schema migrations";
    let rows = sqlx::query(versions::APPLIED_SQL)
        .fetch_all(&mut *conn)
        .await
        .map_err(StoreError::query(op))?;
    let applied = versions::versions_of(&rows, op)?;
    let op = "count stored records";
    let row = sqlx::query(crate::records::read::COUNTS_SQL)
        .fetch_one(&mut *conn)
        .await
        .map_err(StoreError::query(op))?;
    let counts = crate::records::read::counts_of(&row, op)?;
    Ok((SchemaVersion::of(applied), counts))
}

/// Makes sure no process has the database open, and folds its write-ahead
/// log into the file (so that the file alone is the whole database).
///
/// Leaving WAL mode needs an exclusive lock, which SQLite takes without
/// waiting, and which every connection of another process (the service
/// keeps its pool open) prevents: that failure means the database is in use.
/// A file that is no database is left as it is (it is moved aside whole).
async fn quiesce(path: &Path) -> Result<(), StoreError> {
    if !path.is_file() {
        return Ok(());
    }
    let mut conn = match connect(path, false).await {
        Ok(conn) => conn,
        Err(error) => {
            tracing::warn!(%error, "cannot open the database being replaced; moving it aside as it is");
            return Ok(());
        }
    };
    let result = sqlx::query("PRAGMA journal_mode = DELETE")
        .execute(&mut conn)
        .await;
    let _ = conn.close().await;
    match result {
        Ok(_) => Ok(()),
        Err(sqlx::Error::Database(e))
            if e.code()
                .and_then(|c| c.parse::<i32>().ok())
                .is_some_and(|c| matches!(c & 0xff, 5 | 6)) =>
        {
            Err(StoreError::DatabaseInUse {
                path: path.to_path_buf(),
            })
        }
        Err(error) => {
            tracing::warn!(%error, "cannot check the database being replaced; moving it aside as it is");
            Ok(())
        }
    }
}

/// Moves the database at `path` and its journal files aside, to
/// `<name>.before-restore-<time>` (and `-wal`, ... beside it): the journal
/// files first, so that none is ever left beside a new database under the
/// old name. Answers where each went, the file first.
fn move_aside(path: &Path) -> Result<Vec<PathBuf>, StoreError> {
    let now = Timestamp::now();
    let stamp: String = Timestamp::from_micros(now.as_seconds().saturating_mul(1_000_000))
        .unwrap_or(now)
        .to_string()
        .chars()
        .filter(|c| !matches!(c, '-' | ':'))
        .collect();
    let base = with_suffix(path, &format!(".before-restore-{stamp}"));
    let mut aside = base.clone();
    let mut n = 1;
    while !present(&aside).is_empty() {
        aside = with_suffix(&base, &format!("-{n}"));
        n += 1;
    }
    let mut moves: Vec<(PathBuf, PathBuf)> = SIDECARS
        .iter()
        .map(|s| (with_suffix(path, s), with_suffix(&aside, s)))
        .filter(|(from, _)| exists(from))
        .collect();
    if exists(path) {
        moves.push((path.to_path_buf(), aside.clone()));
    }
    for (from, to) in &moves {
        fs::rename(from, to).map_err(|source| StoreError::File {
            action: "move aside",
            path: from.clone(),
            source,
        })?;
    }
    sync_dir(parent(path))?;
    moves.rotate_right(1);
    Ok(moves.into_iter().map(|(_, to)| to).collect())
}

/// Flushes a folder's entries (a rename into it) to disk (on unix).
fn sync_dir(dir: &Path) -> Result<(), StoreError> {
    #[cfg(unix)]
    {
        fs::File::open(dir)
            .and_then(|d| d.sync_all())
            .map_err(|source| StoreError::File {
                action: "sync the folder",
                path: dir.to_path_buf(),
                source,
            })?;
    }
    #[cfg(not(unix))]
    let _ = dir;
    Ok(())
}

/// A new, empty file beside a target, removed when dropped unless
/// [published](TempSibling::publish) under the target's name.
struct TempSibling {
    path: PathBuf,
    published: bool,
}

impl TempSibling {
    /// Creates `.<name>.<pid>.<n>.partial` in `target`'s folder (which must
    /// exist).
    fn create(target: &Path) -> Result<Self, StoreError> {
        let dir = parent(target);
        let error = |source| StoreError::File {
            action: "create a temporary file beside",
            path: target.to_path_buf(),
            source,
        };
        if !dir.is_dir() {
            return Err(StoreError::MissingDirectory {
                path: target.to_path_buf(),
                dir: dir.to_path_buf(),
            });
        }
        let name = target
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos());
        for attempt in 0..100u32 {
            let path = dir.join(format!(
                ".{name}.{}.{nanos}.{attempt}.partial",
                std::process::id()
            ));
            match fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(&path)
            {
                Ok(_) => {
                    return Ok(Self {
                        path,
                        published: false,
                    });
                }
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {}
                Err(e) => return Err(error(e)),
            }
        }
        Err(error(io::Error::from(io::ErrorKind::AlreadyExists)))
    }

    fn path(&self) -> &Path {
        &self.path
    }

    /// Flushes the file to disk and gives it the name `target`, which must
    /// be free (`taken` is the error when it is not: an existing file is
    /// never replaced), then flushes the folder.
    fn publish(
        mut self,
        target: &Path,
        taken: impl FnOnce() -> StoreError,
    ) -> Result<(), StoreError> {
        fs::OpenOptions::new()
            .write(true)
            .open(&self.path)
            .and_then(|f| f.sync_all())
            .map_err(|source| StoreError::File {
                action: "sync to disk",
                path: target.to_path_buf(),
                source,
            })?;
        let rename_error = |source| StoreError::File {
            action: "give the complete copy its name",
            path: target.to_path_buf(),
            source,
        };
        // A hard link is a rename that never replaces what is there.
        match fs::hard_link(&self.path, target) {
            Ok(()) => {
                if let Err(error) = fs::remove_file(&self.path) {
                    tracing::warn!(%error, temporary = %self.path.display(), "cannot remove the temporary name of a published copy");
                }
            }
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => return Err(taken()),
            // A file system without hard links: check, then rename.
            Err(_) => {
                if exists(target) {
                    return Err(taken());
                }
                fs::rename(&self.path, target).map_err(rename_error)?;
            }
        }
        self.published = true;
        sync_dir(parent(target))
    }
}

impl Drop for TempSibling {
    fn drop(&mut self) {
        if !self.published {
            let _ = fs::remove_file(&self.path);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_are_left_out_of_tool_commands() -> Result<(), StoreError> {
        let url = DatabaseUrl::parse(
            "postgres://bob:s3cr3t@db.example:5432/leads?sslmode=require&password=x",
        )?;
        let dump = pg_dump_command(&url, Path::new("/backups/leads 1.dump"))?;
        assert_eq!(
            dump.command,
            "pg_dump --format=custom --file='/backups/leads 1.dump' \
             --dbname='postgres://bob@db.example:5432/leads?sslmode=require'"
        );
        assert!(dump.password_left_out);
        let url = DatabaseUrl::parse("postgres://postgres@127.0.0.1:5432/leads")?;
        let restore = pg_restore_command(&url, Path::new("leads.dump"))?;
        assert_eq!(
            restore.command,
            "pg_restore --exit-on-error --single-transaction --no-owner \
             --dbname=postgres://postgres@127.0.0.1:5432/leads leads.dump"
        );
        assert!(!restore.password_left_out);
        Ok(())
    }

    #[test]
    fn quotes_for_the_shell() {
        assert_eq!(shell_quote("a'b"), r"'a'\''b'");
        assert_eq!(shell_quote(""), "''");
        assert_eq!(shell_quote("x$(rm)"), "'x$(rm)'");
    }

    #[test]
    fn sqlite_is_not_dumped_with_pg_dump() -> Result<(), StoreError> {
        let url = DatabaseUrl::parse("leadscore.db")?;
        assert!(matches!(
            pg_dump_command(&url, Path::new("x")),
            Err(StoreError::BadUrl { .. })
        ));
        Ok(())
    }
}
