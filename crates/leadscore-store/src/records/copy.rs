//! PostgreSQL's streamed import: each chunk is sent with `COPY` into a
//! staging table of its own (unlogged, with the target's columns) on a
//! connection of its own, and once every record was read the staging tables
//! are merged into the record tables in one transaction, as the bound
//! upserts would write them ([`Table::merge_sql`]), the leads they change
//! queued, and the staging tables dropped, all in that transaction: all or
//! nothing, as every other import.
//!
//! The bound upserts spend most of their time on the protocol (one
//! statement of 1,000 rows, each value bound); `COPY` streams rows as text
//! and the merge is one statement per table.
//!
//! A table that holds no row yet (a new store's first import) is filled as a
//! bulk load: its primary key and secondary indexes are dropped, the rows
//! appended without the upsert's conflict check, and the key (which checks
//! that no key is held twice) and the indexes built again, each from one
//! sort of the rows, still in the one transaction. At a million leads the merge of the
//! interactions, each row entered into four indexes and logged, was most of
//! the import (BENCHMARKS.md, "Import into PostgreSQL"). Dropping them locks
//! the table until the commit, so other instances' reads of that table wait
//! for the merge; the table is empty, so nothing they could read is held
//! back. A table that holds rows is merged with its indexes in place, and
//! its readers are never blocked.

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
    let conn = PgConnection::connect_with(&options)
        .await
        .map_err(StoreError::query(op))?;
    // Which leads the records change is only worked out when the store held
    // leads (else every lead is queued): their ids are kept meanwhile.
    let mut probe = pool.acquire().await.map_err(StoreError::query(op))?;
    let gather = has_leads(&mut probe).await?;
    drop(probe);
    let mut staging = Staging {
        conn,
        prefix: format!("leadscore_import_{:016x}", rand::rng().next_u64()),
        created: Vec::new(),
        summary: ImportSummary::default(),
        affected: gather.then(Affected::default),
        written: 0,
    };
    let filled = staging.fill(chunks, progress).await;
    let result = match filled {
        Ok(()) => staging.merge(pool, cause).await,
        Err(error) => Err(error),
    };
    if result.is_err() {
        staging.drop_tables().await;
    }
    if let Err(error) = staging.conn.close().await {
        tracing::debug!(%error, "closing the import's COPY connection");
    }
    result
}

/// The staging side of an import.
struct Staging {
    conn: PgConnection,
    /// The staging tables' names start with it: unique to this import.
    prefix: String,
    /// The staging tables made so far.
    created: Vec<&'static Table>,
    summary: ImportSummary,
    /// What the merge queues, when the store held leads as the import began.
    affected: Option<Affected>,
    written: u64,
}

impl Staging {
    fn name(&self, table: &Table) -> String {
        format!("{}_{}", self.prefix, table.name)
    }

    /// Copies every chunk until the reader's end, or fails. Consecutive
    /// chunks of one table go through one `COPY`: the server stores a chunk
    /// while the next one is read and encoded (a `COPY` a chunk waited for
    /// the server between chunks: half the import's time at a million
    /// leads).
    async fn fill(
        &mut self,
        chunks: &mut mpsc::Receiver<Chunk>,
        progress: &(dyn Fn(u64) + Sync),
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
            self.create(table).await?;
            next = self.copy(table, data, chunks, progress).await?;
        }
    }

    /// Makes `table`'s staging table, unless made already.
    async fn create(&mut self, table: &'static Table) -> Result<(), StoreError> {
        if self.created.iter().any(|t| t.record == table.record) {
            return Ok(());
        }
        let sql = format!(
            "CREATE UNLOGGED TABLE {} (LIKE {} INCLUDING DEFAULTS)",
            self.name(table),
            table.name
        );
        sqlx::query(AssertSqlSafe(sql))
            .execute(&mut self.conn)
            .await
            .map_err(StoreError::query("make an import's staging table"))?;
        self.created.push(table);
        Ok(())
    }

    /// Sends `first` and the chunks that follow it while they are of
    /// `table` into its staging table, in one `COPY`; gives back the chunk
    /// that ended the run (of another table, the end, or nothing when the
    /// reader stopped).
    async fn copy(
        &mut self,
        table: &'static Table,
        first: Dataset,
        chunks: &mut mpsc::Receiver<Chunk>,
        progress: &(dyn Fn(u64) + Sync),
    ) -> Result<Option<Chunk>, StoreError> {
        let op = "copy records into an import's staging table";
        let statement = format!(
            "COPY {} ({}) FROM STDIN (FORMAT text)",
            self.name(table),
            table.columns.join(", ")
        );
        let Self {
            conn,
            summary,
            affected,
            written,
            ..
        } = self;
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
            summary.add_rows(table.record, rows as u64);
            if let Some(affected) = affected.as_mut() {
                affected.add(&data);
            }
            *written += rows as u64;
            progress(*written);
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

    /// Merges the staging tables into the record tables, queues the leads
    /// they change and drops them, in one transaction.
    async fn merge(
        &mut self,
        pool: &AnyPool,
        cause: &str,
    ) -> Result<(ImportSummary, u64), StoreError> {
        let op = "merge an import's staging tables";
        let mut conn = pool.acquire().await.map_err(StoreError::query(op))?;
        let mut tx = conn
            .begin_with(Backend::Postgres.begin_write())
            .await
            .map_err(StoreError::query(op))?;
        let merged = self.merge_in(&mut tx, cause).await;
        let queued = conclude(tx, merged).await?;
        self.created.clear();
        Ok((std::mem::take(&mut self.summary), queued))
    }

    async fn merge_in(&mut self, tx: &mut AnyConnection, cause: &str) -> Result<u64, StoreError> {
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
                execute(tx, table.drop_primary_key_sql(), MERGE).await?;
                for sql in table.drop_indexes_sql() {
                    execute(tx, sql, MERGE).await?;
                }
                execute(tx, table.load_sql(&staging), MERGE).await?;
                let build = "build indexes after a bulk import";
                execute(tx, table.add_primary_key_sql(), build).await?;
                for sql in table.create_indexes_sql() {
                    execute(tx, sql, build).await?;
                }
            }
            execute(
                tx,
                format!("DROP TABLE {staging}"),
                "drop an import's staging table",
            )
            .await?;
            // The planner's statistics of the table as it now is: without
            // them (a table loaded in bulk has none until autovacuum gets to
            // it), it took a sequential scan of every lead for each chunk of
            // 500 ids queued below (230 ms a query at a million leads), and
            // the service's first reads too.
            execute(
                tx,
                format!("ANALYZE {}", table.name),
                "gather the planner's statistics after an import",
            )
            .await?;
        }
        match self.affected.take() {
            Some(affected) if !was_empty => affected.enqueue(tx, Backend::Postgres, cause).await,
            // A store without leads (or one that had none when the import
            // began, so that nothing was gathered): every lead is queued.
            _ => crate::queue::enqueue(tx, Backend::Postgres, Selection::All, cause).await,
        }
    }

    /// Drops the staging tables of a failed import (best effort: an import
    /// stopped before this leaves unlogged tables named `leadscore_import_*`,
    /// which can be dropped).
    async fn drop_tables(&mut self) {
        for table in std::mem::take(&mut self.created) {
            let sql = format!("DROP TABLE IF EXISTS {}", self.name(table));
            if let Err(error) = sqlx::query(AssertSqlSafe(sql))
                .execute(&mut self.conn)
                .await
            {
                tracing::warn!(%error, "cannot drop an import's staging table");
            }
        }
    }
}
