//! PostgreSQL's streamed import, with `COPY` on a connection of its own.
//!
//! **Into an empty store** (a new store's first import: no account, contact,
//! lead, interaction or custom record), the chunks are copied straight into
//! the record tables, inside one transaction on that connection: it locks
//! the five tables, drops a table's primary key and secondary indexes before
//! its first row, appends the rows without any conflict check, then builds
//! each key (which checks that no key is held twice) and index again from one
//! sort of the rows, gathers the planner's statistics and queues every lead,
//! and commits; a failed reader rolls it all back. Nothing is written twice:
//! the disk holds the store and nothing else (a staged import of ten million
//! leads needed about the store's size again for its staging tables), and
//! no statement copies the rows from one table into another. Other
//! instances' reads of the record tables wait for the commit; the tables
//! are empty, so nothing they could read is held back.
//!
//! **Into a store that holds records**, each chunk is sent into a staging
//! table of its own (unlogged, with the target's columns), and once every
//! record was read the staging tables are merged into the record tables in
//! one transaction, as the bound upserts would write them
//! ([`Table::merge_sql`]), the leads they change queued, and the staging
//! tables dropped, all in that transaction: all or nothing, as every other
//! import. A table that holds no row yet is filled there as a bulk load (its
//! key and indexes dropped, built again after); one that holds rows is
//! merged with its indexes in place, and its readers are never blocked.
//!
//! The bound upserts spend most of their time on the protocol (one
//! statement of 1,000 rows, each value bound); `COPY` streams rows as text.

use std::str::FromStr;

use leadscore_domain::Dataset;
use rand::RngCore;
use sqlx::postgres::{PgConnectOptions, PgConnection};
use sqlx::{AnyConnection, AnyPool, AssertSqlSafe, ConnectOptions, Connection};
use tokio::sync::mpsc;

use super::rows::{self, CopyText};
use super::write::{Chunk, conclude, execute, has_leads, holds_rows, rows_of, table_of};
use crate::queue::{Affected, Selection};
use crate::schema::{ACCOUNTS, CONTACTS, CUSTOM_RECORDS, INTERACTIONS, LEADS, Table};
use crate::{Backend, ImportSummary, StoreError};

/// The record tables in the order they are merged: parents first.
const MERGE_ORDER: [&Table; 5] = [&ACCOUNTS, &CONTACTS, &LEADS, &CUSTOM_RECORDS, &INTERACTIONS];

/// The merge's own memory on the server, for its transaction only: the sort
/// of each staging table into key order, and the index builds of a bulk
/// load, stay in memory instead of spilling to disk in 4 MB and 64 MB runs
/// (PostgreSQL's defaults).
const MERGE_SETTINGS: &[&str] = &[
    "SET LOCAL work_mem = '256MB'",
    "SET LOCAL maintenance_work_mem = '512MB'",
];

/// The operation a failed merge statement names.
const MERGE: &str = "merge an import's staging table";

/// Imports the chunks as they come (see the [module documentation](self)).
pub(crate) async fn import_chunks(
    pool: &AnyPool,
    chunks: &mut mpsc::Receiver<Chunk>,
    progress: &(dyn Fn(u64) + Sync),
    cause: &str,
) -> Result<(ImportSummary, u64), StoreError> {
    let op = "open the import's COPY connection";
    let url = pool.connect_options().database_url.clone();
    let options = PgConnectOptions::from_str(url.as_str())
        .map_err(StoreError::query(op))?
        .disable_statement_logging();
    let mut conn = PgConnection::connect_with(&options)
        .await
        .map_err(StoreError::query(op))?;
    // Which leads the records change is only worked out when the store held
    // leads (else every lead is queued): their ids are kept meanwhile.
    let mut probe = pool.acquire().await.map_err(StoreError::query(op))?;
    let gather = has_leads(&mut probe).await?;
    drop(probe);
    let mut copied = Copied {
        summary: ImportSummary::default(),
        affected: gather.then(Affected::default),
        written: 0,
    };
    let loaded = if gather {
        None
    } else {
        load_empty(&mut conn, chunks, progress, cause, &mut copied)
            .await
            .transpose()
    };
    let result = match loaded {
        Some(result) => result,
        None => {
            let mut staging = Staging {
                prefix: format!("leadscore_import_{:016x}", rand::rng().next_u64()),
                created: Vec::new(),
            };
            let filled = fill(&mut conn, &mut staging, chunks, progress, &mut copied).await;
            let result = match filled {
                Ok(()) => staging.merge(pool, cause, copied).await,
                Err(error) => Err(error),
            };
            if result.is_err() {
                staging.drop_tables(&mut conn).await;
            }
            result
        }
    };
    if let Err(error) = conn.close().await {
        tracing::debug!(%error, "closing the import's COPY connection");
    }
    result
}

/// What the chunks copied so far hold.
struct Copied {
    summary: ImportSummary,
    /// What the merge queues, when the store held leads as the import began.
    affected: Option<Affected>,
    /// Records copied, for the progress.
    written: u64,
}

/// Where an import's chunks are copied to.
trait Target {
    /// Readies `table` for its first chunk.
    async fn ready(
        &mut self,
        conn: &mut PgConnection,
        table: &'static Table,
    ) -> Result<(), StoreError>;
    /// The table `table`'s rows are copied into.
    fn name(&self, table: &Table) -> String;
}

/// Copies every chunk until the reader's end, or fails. Consecutive chunks
/// of one table go through one `COPY`: the server stores a chunk while the
/// next one is read and encoded (a `COPY` a chunk waited for the server
/// between chunks: half the import's time at a million leads).
async fn fill(
    conn: &mut PgConnection,
    target: &mut impl Target,
    chunks: &mut mpsc::Receiver<Chunk>,
    progress: &(dyn Fn(u64) + Sync),
    copied: &mut Copied,
) -> Result<(), StoreError> {
    let mut next = chunks.recv().await;
    loop {
        let data = match next {
            Some(Chunk::Records(data)) => data,
            Some(Chunk::End) => return Ok(()),
            None => return Err(StoreError::ImportStopped),
        };
        let Some(table) = table_of(&data) else {
            next = chunks.recv().await;
            continue;
        };
        target.ready(conn, table).await?;
        let into = target.name(table);
        next = copy(conn, &into, table, data, chunks, progress, copied).await?;
    }
}

/// Sends `first` and the chunks that follow it while they are of `table`
/// into the table `into`, in one `COPY`; gives back the chunk that ended the
/// run (of another table, the end, or nothing when the reader stopped).
async fn copy(
    conn: &mut PgConnection,
    into: &str,
    table: &'static Table,
    first: Dataset,
    chunks: &mut mpsc::Receiver<Chunk>,
    progress: &(dyn Fn(u64) + Sync),
    copied: &mut Copied,
) -> Result<Option<Chunk>, StoreError> {
    let op = "copy an import's records";
    let statement = format!(
        "COPY {into} ({}) FROM STDIN (FORMAT text)",
        table.columns.join(", ")
    );
    let mut copy = conn
        .copy_in_raw(&statement)
        .await
        .map_err(StoreError::query(op))?;
    let mut data = first;
    let next = loop {
        let mut text = CopyText::default();
        let sent = match rows::table_rows(table, &data, &mut text) {
            Ok(()) => copy.send(text.bytes).await.map(|_| ()).map_err(|e| (op, e)),
            Err(e) => Err(("encode records for COPY", sqlx::Error::Encode(e))),
        };
        if let Err((operation, error)) = sent {
            if let Err(abort) = copy.abort(error.to_string()).await {
                tracing::debug!(error = %abort, "aborting a failed COPY");
            }
            return Err(StoreError::query(operation)(error));
        }
        let rows = rows_of(&data, table);
        copied.summary.add_rows(table.record, rows as u64);
        if let Some(affected) = copied.affected.as_mut() {
            affected.add(&data);
        }
        copied.written += rows as u64;
        progress(copied.written);
        match chunks.recv().await {
            Some(Chunk::Records(more))
                if table_of(&more).is_some_and(|t| t.record == table.record) =>
            {
                data = more;
            }
            other => break other,
        }
    };
    copy.finish().await.map_err(StoreError::query(op))?;
    Ok(next)
}

/// Runs one statement on the import's own connection.
async fn run(
    conn: &mut PgConnection,
    sql: String,
    operation: &'static str,
) -> Result<(), StoreError> {
    sqlx::query(AssertSqlSafe(sql))
        .execute(&mut *conn)
        .await
        .map_err(StoreError::query(operation))?;
    Ok(())
}

/// Loads an empty store in one transaction on `conn` (see the [module
/// documentation](self)); `None` when the store, once its record tables
/// are locked, holds a record (another import's, committed since the store
/// was looked at): the import is then staged.
async fn load_empty(
    conn: &mut PgConnection,
    chunks: &mut mpsc::Receiver<Chunk>,
    progress: &(dyn Fn(u64) + Sync),
    cause: &str,
    copied: &mut Copied,
) -> Result<Option<(ImportSummary, u64)>, StoreError> {
    let op = "load an empty store";
    let mut tx = conn.begin().await.map_err(StoreError::query(op))?;
    let names: Vec<&str> = MERGE_ORDER.iter().map(|t| t.name).collect();
    // Every table at once, in one order: a second import waits here for
    // this one, then finds the records it wrote.
    run(
        &mut tx,
        format!("LOCK TABLE {} IN ACCESS EXCLUSIVE MODE", names.join(", ")),
        op,
    )
    .await?;
    let any: Vec<String> = names
        .iter()
        .map(|name| format!("EXISTS (SELECT 1 FROM {name})"))
        .collect();
    let sql = format!("SELECT {}", any.join(" OR "));
    let holds: bool = sqlx::query_scalar(AssertSqlSafe(sql))
        .fetch_one(&mut *tx)
        .await
        .map_err(StoreError::query(op))?;
    if holds {
        tx.rollback().await.map_err(StoreError::query(op))?;
        return Ok(None);
    }
    let mut bulk = Bulk::default();
    let loaded = async {
        for sql in MERGE_SETTINGS {
            run(&mut tx, (*sql).to_owned(), op).await?;
        }
        fill(&mut tx, &mut bulk, chunks, progress, copied).await?;
        let build = "build indexes after a bulk import";
        for table in MERGE_ORDER {
            if !bulk.loaded.iter().any(|t| t.record == table.record) {
                continue;
            }
            for sql in table.build_keys_sql() {
                run(&mut tx, sql, build).await?;
            }
            run(&mut tx, analyze_sql(table), ANALYZE).await?;
        }
        crate::queue::enqueue_postgres(&mut tx, Selection::All, cause).await
    }
    .await;
    match loaded {
        Ok(queued) => {
            tx.commit()
                .await
                .map_err(StoreError::query("commit the import"))?;
            Ok(Some((std::mem::take(&mut copied.summary), queued)))
        }
        Err(error) => {
            if let Err(rollback) = tx.rollback().await {
                tracing::warn!(error = %rollback, "rolling back a failed import failed");
            }
            Err(error)
        }
    }
}

/// The operation a failed `ANALYZE` names.
const ANALYZE: &str = "gather the planner's statistics after an import";

/// `ANALYZE` of `table`: the planner's statistics of the table as it now is.
/// Without them (a table loaded in bulk has none until autovacuum gets to
/// it), it took a sequential scan of every lead for each chunk of 500 ids
/// the import queues (230 ms a query at a million leads), and the service's
/// first reads too.
fn analyze_sql(table: &Table) -> String {
    format!("ANALYZE {}", table.name)
}

/// The record tables themselves, as targets of a bulk load.
#[derive(Default)]
struct Bulk {
    /// The tables whose key and indexes were dropped.
    loaded: Vec<&'static Table>,
}

impl Target for Bulk {
    async fn ready(
        &mut self,
        conn: &mut PgConnection,
        table: &'static Table,
    ) -> Result<(), StoreError> {
        if self.loaded.iter().any(|t| t.record == table.record) {
            return Ok(());
        }
        tracing::debug!(
            table = table.name,
            "bulk load: indexes are built afterwards"
        );
        for sql in table.drop_keys_sql() {
            run(conn, sql, MERGE).await?;
        }
        self.loaded.push(table);
        Ok(())
    }

    fn name(&self, table: &Table) -> String {
        table.name.to_owned()
    }
}

/// The staging tables of an import into a store that holds records.
struct Staging {
    /// The staging tables' names start with it: unique to this import.
    prefix: String,
    /// The staging tables made so far.
    created: Vec<&'static Table>,
}

impl Target for Staging {
    /// Makes `table`'s staging table, unless made already.
    async fn ready(
        &mut self,
        conn: &mut PgConnection,
        table: &'static Table,
    ) -> Result<(), StoreError> {
        if self.created.iter().any(|t| t.record == table.record) {
            return Ok(());
        }
        let sql = format!(
            "CREATE UNLOGGED TABLE {} (LIKE {} INCLUDING DEFAULTS)",
            self.name(table),
            table.name
        );
        run(conn, sql, "make an import's staging table").await?;
        self.created.push(table);
        Ok(())
    }

    fn name(&self, table: &Table) -> String {
        format!("{}_{}", self.prefix, table.name)
    }
}

impl Staging {
    /// Merges the staging tables into the record tables, queues the leads
    /// they change and drops them, in one transaction.
    async fn merge(
        &mut self,
        pool: &AnyPool,
        cause: &str,
        mut copied: Copied,
    ) -> Result<(ImportSummary, u64), StoreError> {
        let op = "merge an import's staging tables";
        let mut conn = pool.acquire().await.map_err(StoreError::query(op))?;
        let mut tx = conn
            .begin_with(Backend::Postgres.begin_write())
            .await
            .map_err(StoreError::query(op))?;
        let merged = self.merge_in(&mut tx, cause, copied.affected.take()).await;
        let queued = conclude(tx, merged).await?;
        self.created.clear();
        Ok((copied.summary, queued))
    }

    async fn merge_in(
        &mut self,
        tx: &mut AnyConnection,
        cause: &str,
        affected: Option<Affected>,
    ) -> Result<u64, StoreError> {
        let was_empty = !has_leads(tx).await?;
        for sql in MERGE_SETTINGS {
            execute(tx, (*sql).to_owned(), "prepare an import's merge").await?;
        }
        for table in MERGE_ORDER {
            if !self.created.iter().any(|t| t.record == table.record) {
                continue;
            }
            let staging = self.name(table);
            if holds_rows(tx, table, "prepare an import's merge").await? {
                execute(tx, table.merge_sql(&staging), MERGE).await?;
            } else {
                // An empty table is filled as a bulk load: the rows are
                // appended without any index, then the indexes are built,
                // each from one sort of the rows.
                tracing::debug!(
                    table = table.name,
                    "bulk load: indexes are built afterwards"
                );
                for sql in table.drop_keys_sql() {
                    execute(tx, sql, MERGE).await?;
                }
                execute(tx, table.load_sql(&staging), MERGE).await?;
                for sql in table.build_keys_sql() {
                    execute(tx, sql, "build indexes after a bulk import").await?;
                }
            }
            execute(
                tx,
                format!("DROP TABLE {staging}"),
                "drop an import's staging table",
            )
            .await?;
            execute(tx, analyze_sql(table), ANALYZE).await?;
        }
        match affected {
            Some(affected) if !was_empty => affected.enqueue(tx, Backend::Postgres, cause).await,
            // A store without leads (or one that had none when the import
            // began, so that nothing was gathered): every lead is queued.
            _ => crate::queue::enqueue(tx, Backend::Postgres, Selection::All, cause).await,
        }
    }

    /// Drops the staging tables of a failed import (best effort: an import
    /// stopped before this leaves unlogged tables named `leadscore_import_*`,
    /// which can be dropped).
    async fn drop_tables(&mut self, conn: &mut PgConnection) {
        for table in std::mem::take(&mut self.created) {
            let sql = format!("DROP TABLE IF EXISTS {}", self.name(table));
            if let Err(error) = run(conn, sql, "drop an import's staging table").await {
                tracing::warn!(%error, "cannot drop an import's staging table");
            }
        }
    }
}
