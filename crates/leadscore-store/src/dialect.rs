//! The few differences between SQLite and PostgreSQL, in one place.
//!
//! Everything else (schema, upserts, reads) is the same SQL text on both: both
//! accept `ON CONFLICT (..) DO UPDATE SET c = excluded.c` and `IS DISTINCT FROM`
//! (SQLite 3.39 and later; sqlx bundles a newer SQLite). The differences are
//! placeholders (`?` / `$n`), SQLite's pragmas, how transactions begin, and
//! whether big imports rebuild indexes.

use std::fmt;

/// Which database a store runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Backend {
    /// An embedded SQLite file: the default, for one process.
    Sqlite,
    /// A PostgreSQL server: shared by several service instances.
    Postgres,
}

/// How long a SQLite connection waits for another's lock before it fails.
pub(crate) const SQLITE_BUSY_TIMEOUT: &str = "PRAGMA busy_timeout = 10000";

/// Statements run on every new SQLite connection.
///
/// `synchronous = NORMAL` is durable enough with WAL (a power loss may drop the
/// last commits, never corrupt the file) and much faster than `FULL`.
/// `mmap_size`: the file's pages are read in place instead of copied in. A
/// connection drops its page cache whenever another one has written, so under
/// ingest the rescoring worker re-reads its pages every round; mapped, that
/// costs no copy (BENCHMARKS.md, fourth round: saturating ingest 13% faster,
/// 19% more leads rescored). Address space only: the kernel's page cache holds
/// the pages either way.
const SQLITE_CONNECTION_SETUP: &[&str] = &[
    "PRAGMA synchronous = NORMAL",
    SQLITE_BUSY_TIMEOUT,
    "PRAGMA foreign_keys = ON",
    "PRAGMA cache_size = -131072",
    SQLITE_MMAP,
];

/// Reads of up to 1 GiB of the file are mapped into memory.
const SQLITE_MMAP: &str = "PRAGMA mmap_size = 1073741824";

/// Before an import, SQLite's page cache grows to 512 MiB (an upper bound,
/// used only as pages are read): a big import updates index pages all over
/// the file, and a cache that holds them avoids spilling dirty pages to the
/// WAL and reading them back (`tests/bulk.rs`: re-importing 11 M unchanged
/// rows went from 147 s to 44 s with 2 GiB). The import reads through the
/// cache only (no memory map): pages it maps would count in its memory too,
/// and an import's memory stays bounded (issue 20).
const SQLITE_IMPORT_BEGIN: &[&str] = &["PRAGMA cache_size = -524288", "PRAGMA mmap_size = 0"];

/// After an import, the cache shrinks back (SQLite frees the excess pages)
/// and reads are mapped again.
const SQLITE_IMPORT_END: &[&str] = &["PRAGMA cache_size = -131072", SQLITE_MMAP];

impl Backend {
    /// A human-readable name (`SQLite`, `PostgreSQL`).
    pub fn name(self) -> &'static str {
        match self {
            Self::Sqlite => "SQLite",
            Self::Postgres => "PostgreSQL",
        }
    }

    /// Statements run on every new connection of the pool.
    pub(crate) fn connection_setup(self) -> &'static [&'static str] {
        match self {
            Self::Sqlite => SQLITE_CONNECTION_SETUP,
            Self::Postgres => &[],
        }
    }

    /// Statements run on the import's connection before it writes.
    pub(crate) fn import_begin(self) -> &'static [&'static str] {
        match self {
            Self::Sqlite => SQLITE_IMPORT_BEGIN,
            Self::Postgres => &[],
        }
    }

    /// Statements run on the import's connection after it committed or rolled
    /// back, undoing [`Backend::import_begin`].
    pub(crate) fn import_end(self) -> &'static [&'static str] {
        match self {
            Self::Sqlite => SQLITE_IMPORT_END,
            Self::Postgres => &[],
        }
    }

    /// ` INDEXED BY index` after a table's name on SQLite (nothing on
    /// PostgreSQL, whose planner has the table's statistics): SQLite's
    /// planner, with none, may take another index than the one a query
    /// needs. Regression: `contact_id IS NULL AND visitor_id IN (..)` with
    /// bound values went through the covering index on `contact_id`, every
    /// interaction without a contact (1.8M at a million leads) read for each
    /// chunk of 500 visitors: 95% of a neighbourhood's read.
    pub(crate) fn indexed_by(self, index: &str) -> String {
        match self {
            Self::Sqlite => format!(" INDEXED BY {index}"),
            Self::Postgres => String::new(),
        }
    }

    /// Whether an import that is large next to what a table holds drops the
    /// table's secondary indexes and builds them again at the end, inside the
    /// import's transaction.
    ///
    /// On SQLite this is much faster: every multi-row upsert needs a statement
    /// journal (the NOT NULL checks may abort it), which copies each index page
    /// the statement touches; random index keys touch a new page per row. Building
    /// an index afterwards sorts once. Other connections keep reading their
    /// snapshot, with its indexes. Not on PostgreSQL: `DROP INDEX` would lock the
    /// table against readers on every other instance for the whole import (its
    /// import drops them only for a table that holds no row: see
    /// `records::copy`).
    pub(crate) fn rebuilds_indexes_for_bulk_imports(self) -> bool {
        match self {
            Self::Sqlite => true,
            Self::Postgres => false,
        }
    }

    /// Statements run once after connecting, before migrations. SQLite's journal
    /// mode is a property of the file, so setting it once is enough (and setting
    /// it on every connection could wait on other connections' locks).
    pub(crate) fn database_setup(self) -> &'static [&'static str] {
        match self {
            Self::Sqlite => &["PRAGMA journal_mode = WAL"],
            Self::Postgres => &[],
        }
    }

    /// The statement that begins an import's transaction. SQLite takes the write
    /// lock at once (`IMMEDIATE`, waiting up to the busy timeout for another
    /// writer): a deferred transaction that reads first could not upgrade to a
    /// writer once another connection has committed in between.
    pub fn begin_write(self) -> &'static str {
        match self {
            Self::Sqlite => "BEGIN IMMEDIATE",
            Self::Postgres => "BEGIN",
        }
    }

    /// The statement that begins a transaction reading one consistent snapshot
    /// (an export). SQLite in WAL mode reads a snapshot in any transaction;
    /// PostgreSQL's default `READ COMMITTED` takes a new one per statement.
    pub fn begin_snapshot(self) -> &'static str {
        match self {
            Self::Sqlite => "BEGIN",
            Self::Postgres => "BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY",
        }
    }

    /// An aggregate that gathers a group's rows into one JSON array of
    /// arrays, as text: each inner array holds `columns` in order (text as
    /// JSON strings, integers as JSON numbers). Reading a group as one row
    /// instead of one row per record spares the driver's per-row cost.
    pub(crate) fn json_rows(self, columns: &[&str]) -> String {
        let columns = columns.join(", ");
        match self {
            Self::Sqlite => format!("json_group_array(json_array({columns}))"),
            Self::Postgres => format!("json_agg(json_build_array({columns}))::text"),
        }
    }

    /// `column` to be sorted in byte order (as Rust compares text):
    /// SQLite's default collation is; PostgreSQL's default follows the
    /// database's locale, and its `"C"` collation is byte order.
    pub(crate) fn byte_order(self, column: &str) -> String {
        match self {
            Self::Sqlite => column.to_owned(),
            Self::Postgres => format!("{column} COLLATE \"C\""),
        }
    }

    /// The distinct names of the JSON objects (text) in `column` of `table`,
    /// as a column `key`; with `group`, beside that column's value (a
    /// column `group`).
    pub(crate) fn json_keys_sql(self, table: &str, column: &str, group: Option<&str>) -> String {
        let group = group.map_or(String::new(), |g| format!("t.{g}, "));
        match self {
            Self::Sqlite => format!(
                "SELECT DISTINCT {group}j.key AS key FROM {table} AS t, json_each(t.{column}) AS j \
                 WHERE t.{column} IS NOT NULL"
            ),
            Self::Postgres => format!(
                "SELECT DISTINCT {group}jsonb_object_keys(t.{column}::jsonb) AS key \
                 FROM {table} AS t WHERE t.{column} IS NOT NULL"
            ),
        }
    }

    /// How many connections the pool may hold. SQLite serialises writers anyway;
    /// a few connections let readers run beside a writer (WAL).
    pub(crate) fn max_connections(self) -> u32 {
        match self {
            Self::Sqlite => 4,
            Self::Postgres => 10,
        }
    }
}

impl fmt::Display for Backend {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl Backend {
    /// Appends the placeholder for parameter `n` (1-based, in order): `?` on
    /// SQLite, `$n` on PostgreSQL.
    ///
    /// sqlx's SQLite driver also accepts `$n`, but it then looks up every
    /// parameter's name with `sqlite3_bind_parameter_name`, which scans the
    /// statement's parameter list: binding a 7,000-parameter batch became
    /// quadratic and took 80% of an import's time. Anonymous `?` parameters are
    /// bound by position without that look-up.
    pub(crate) fn push_placeholder(self, sql: &mut String, n: usize) {
        match self {
            Self::Sqlite => sql.push('?'),
            Self::Postgres => {
                use std::fmt::Write as _;
                // Writing to a String cannot fail.
                let _ = write!(sql, "${n}");
            }
        }
    }
}
