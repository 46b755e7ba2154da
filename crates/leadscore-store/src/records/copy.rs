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

use std::str::FromStr;

use leadscore_domain::Dataset;
use rand::RngCore;
use sqlx::postgres::{PgConnectOptions, PgConnection};
use sqlx::{AnyConnection, AnyPool, AssertSqlSafe, ConnectOptions, Connection};
use tokio::sync::mpsc;

use super::rows::{self, CopyText};
use super::write::{Chunk, conclude, rows_of, table_of};
use crate::queue::{Affected, Selection};
use crate::schema::{ACCOUNTS, CONTACTS, CUSTOM_RECORDS, INTERACTIONS, LEADS, Table};
use crate::{Backend, ImportSummary, StoreError};

/// The record tables in the order they are merged: parents first.
const MERGE_ORDER: [&Table; 5] = [&ACCOUNTS, &CONTACTS, &LEADS, &CUSTOM_RECORDS, &INTERACTIONS];

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
    let gather = super::write::has_leads(&mut probe).await?;
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

    /// Copies every chunk until the reader's end, or fails.
    async fn fill(
        &mut self,
        chunks: &mut mpsc::Receiver<Chunk>,
        progress: &(dyn Fn(u64) + Sync),
    ) -> Result<(), StoreError> {
        loop {
            let data = match chunks.recv().await {
                Some(Chunk::Records(data)) => data,
                Some(Chunk::End) => return Ok(()),
                None => return Err(StoreError::ImportStopped),
            };
            let Some(table) = table_of(&data) else {
                continue;
            };
            self.copy(table, &data).await?;
            if let Some(affected) = &mut self.affected {
                affected.add(&data);
            }
            self.written += rows_of(&data, table) as u64;
            progress(self.written);
        }
    }

    /// Sends `data`'s records of `table` into its staging table.
    async fn copy(&mut self, table: &'static Table, data: &Dataset) -> Result<(), StoreError> {
        let name = self.name(table);
        if !self.created.iter().any(|t| t.record == table.record) {
            let sql = format!(
                "CREATE UNLOGGED TABLE {name} (LIKE {} INCLUDING DEFAULTS)",
                table.name
            );
            sqlx::query(AssertSqlSafe(sql))
                .execute(&mut self.conn)
                .await
                .map_err(StoreError::query("make an import's staging table"))?;
            self.created.push(table);
        }
        let mut text = CopyText::default();
        rows::table_rows(table, data, &mut text).map_err(|e| StoreError::Query {
            operation: "encode records for COPY",
            source: sqlx::Error::Encode(e),
        })?;
        self.summary
            .add_rows(table.record, rows_of(data, table) as u64);
        let op = "copy records into an import's staging table";
        let statement = format!(
            "COPY {name} ({}) FROM STDIN (FORMAT text)",
            table.columns.join(", ")
        );
        let mut copy = self
            .conn
            .copy_in_raw(&statement)
            .await
            .map_err(StoreError::query(op))?;
        if let Err(error) = copy.send(text.bytes).await {
            if let Err(abort) = copy.abort(error.to_string()).await {
                tracing::debug!(error = %abort, "aborting a failed COPY");
            }
            return Err(StoreError::query(op)(error));
        }
        copy.finish().await.map_err(StoreError::query(op))?;
        Ok(())
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
        let was_empty = !super::write::has_leads(tx).await?;
        for table in MERGE_ORDER {
            if !self.created.iter().any(|t| t.record == table.record) {
                continue;
            }
            let staging = self.name(table);
            sqlx::query(AssertSqlSafe(table.merge_sql(&staging)))
                .execute(&mut *tx)
                .await
                .map_err(StoreError::query("merge an import's staging table"))?;
            sqlx::query(AssertSqlSafe(format!("DROP TABLE {staging}")))
                .execute(&mut *tx)
                .await
                .map_err(StoreError::query("drop an import's staging table"))?;
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
