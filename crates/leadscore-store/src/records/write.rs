//! Importing a dataset: batched multi-row upserts in one transaction.

use std::collections::HashSet;
use std::sync::Arc;

use leadscore_domain::{CustomRecord, Dataset};
use sqlx::AnyConnection;
use sqlx::any::AnyArguments;
use sqlx::error::BoxDynError;
use sqlx::{AnyPool, Arguments, AssertSqlSafe, Connection};

use super::rows;
use crate::schema::{ACCOUNTS, CONTACTS, CUSTOM_RECORDS, INTERACTIONS, LEADS, RecordTable, Table};
use crate::{Backend, ImportSummary, StoreError};

/// At most this many rows go into one `INSERT` statement.
const MAX_ROWS_PER_STATEMENT: usize = 1000;

/// A table import of at least this many rows may rebuild the table's indexes
/// instead of updating them row by row (see [`Writer::begin_bulk`]).
const BULK_MIN_ROWS: usize = 10_000;

/// At most this many bind parameters go into one statement: below SQLite's
/// 32766 and PostgreSQL's 65535.
const MAX_PARAMS_PER_STATEMENT: usize = 30_000;

/// Writes the whole dataset in one transaction; rolls it back on any error.
pub(crate) async fn import(
    pool: &AnyPool,
    backend: Backend,
    data: &Dataset,
    progress: &(dyn Fn(u64) + Sync),
    enqueue: Option<&str>,
) -> Result<(ImportSummary, u64), StoreError> {
    on_import_connection(pool, backend, async |conn| {
        import_in_transaction(conn, backend, data, progress, enqueue).await
    })
    .await
}

/// Runs `import` on a connection of its own, set up for an import
/// ([`Backend::import_begin`]) and set back afterwards, whatever its outcome.
async fn on_import_connection<T>(
    pool: &AnyPool,
    backend: Backend,
    import: impl AsyncFnOnce(&mut AnyConnection) -> Result<T, StoreError>,
) -> Result<T, StoreError> {
    let mut conn = pool
        .acquire()
        .await
        .map_err(StoreError::query("begin the import transaction"))?;
    run_all(&mut conn, backend.import_begin(), "prepare the import").await?;
    let result = import(&mut conn).await;
    if let Err(error) = run_all(&mut conn, backend.import_end(), "finish the import").await {
        tracing::warn!(%error, "cannot restore connection settings after an import");
    }
    result
}

async fn import_in_transaction(
    conn: &mut AnyConnection,
    backend: Backend,
    data: &Dataset,
    progress: &(dyn Fn(u64) + Sync),
    enqueue: Option<&str>,
) -> Result<(ImportSummary, u64), StoreError> {
    let mut tx = conn
        .begin_with(backend.begin_write())
        .await
        .map_err(StoreError::query("begin the import transaction"))?;
    // Into a store without leads, every lead stored afterwards is one this
    // import wrote: one statement queues them all, instead of working out
    // which leads each record can change.
    let was_empty = match enqueue {
        Some(_) => !has_leads(&mut tx).await?,
        None => false,
    };
    let mut writer = Writer {
        conn: &mut tx,
        backend,
        progress,
        written: 0,
    };
    let written = match writer.write_all(data).await {
        Ok(summary) => match enqueue {
            Some(cause) if was_empty => {
                crate::queue::enqueue(&mut tx, backend, crate::queue::Selection::All, cause)
                    .await
                    .map(|queued| (summary, queued))
            }
            Some(cause) => crate::queue::enqueue_affected(&mut tx, backend, data, cause)
                .await
                .map(|queued| (summary, queued)),
            None => Ok((summary, 0)),
        },
        Err(error) => Err(error),
    };
    conclude(tx, written).await
}

/// Ends an import's transaction: commits when `result` is a success, else
/// rolls back, and gives back `result`.
pub(crate) async fn conclude<T>(
    tx: sqlx::Transaction<'_, sqlx::Any>,
    result: Result<T, StoreError>,
) -> Result<T, StoreError> {
    match result {
        Ok(value) => {
            tx.commit()
                .await
                .map_err(StoreError::query("commit the import"))?;
            Ok(value)
        }
        Err(error) => {
            if let Err(rollback) = tx.rollback().await {
                tracing::warn!(error = %rollback, "rolling back a failed import failed");
            }
            Err(error)
        }
    }
}

/// Whether the store holds any lead.
pub(crate) async fn has_leads(conn: &mut AnyConnection) -> Result<bool, StoreError> {
    holds_rows(conn, &LEADS, "look for stored leads").await
}

/// Whether `table` holds any row (this transaction's too), without counting
/// them.
pub(crate) async fn holds_rows(
    conn: &mut AnyConnection,
    table: &Table,
    operation: &'static str,
) -> Result<bool, StoreError> {
    let sql = format!(
        "SELECT COUNT(*) FROM (SELECT 1 FROM {} LIMIT 1) AS one",
        table.name
    );
    let n: i64 = sqlx::query_scalar(AssertSqlSafe(sql))
        .fetch_one(&mut *conn)
        .await
        .map_err(StoreError::query(operation))?;
    Ok(n > 0)
}

/// Runs one statement built at run time.
pub(crate) async fn execute(
    conn: &mut AnyConnection,
    sql: String,
    operation: &'static str,
) -> Result<(), StoreError> {
    sqlx::query(AssertSqlSafe(sql))
        .execute(&mut *conn)
        .await
        .map_err(StoreError::query(operation))?;
    Ok(())
}

async fn run_all(
    conn: &mut AnyConnection,
    statements: &[&'static str],
    operation: &'static str,
) -> Result<(), StoreError> {
    for statement in statements {
        sqlx::query(*statement)
            .execute(&mut *conn)
            .await
            .map_err(StoreError::query(operation))?;
    }
    Ok(())
}

/// What a streamed import's reader hands to its writer
/// ([`import_chunks`]).
#[derive(Debug)]
pub(crate) enum Chunk {
    /// Records of one type, in the reader's order (parents first).
    Records(Dataset),
    /// Every record was handed over and checked: commit.
    End,
}

/// Writes chunks as they come, in one transaction, which commits at
/// [`Chunk::End`] and rolls back when the channel closes before it (the
/// reader failed): [`StoreError::ImportStopped`]. Each table is written as
/// [`import`] writes it; its indexes are dropped (and built again at its end)
/// once the rows written reach [`Writer::begin_bulk`]'s share of what the
/// table held. Every stored lead the chunks can change is queued once every
/// record is written: one statement into a store that had no lead, else from
/// the ids the chunks named ([`Affected`](crate::queue::Affected)).
pub(crate) async fn import_chunks(
    pool: &AnyPool,
    backend: Backend,
    chunks: &mut tokio::sync::mpsc::Receiver<Chunk>,
    progress: &(dyn Fn(u64) + Sync),
    cause: &str,
) -> Result<(ImportSummary, u64), StoreError> {
    on_import_connection(pool, backend, async |conn| {
        chunks_in_transaction(conn, backend, chunks, progress, cause).await
    })
    .await
}

async fn chunks_in_transaction(
    conn: &mut AnyConnection,
    backend: Backend,
    chunks: &mut tokio::sync::mpsc::Receiver<Chunk>,
    progress: &(dyn Fn(u64) + Sync),
    cause: &str,
) -> Result<(ImportSummary, u64), StoreError> {
    let mut tx = conn
        .begin_with(backend.begin_write())
        .await
        .map_err(StoreError::query("begin the import transaction"))?;
    let was_empty = !has_leads(&mut tx).await?;
    // Into a store that held leads, the leads the records change are worked
    // out once every record is written (and every index built again).
    let mut affected = (!was_empty).then(crate::queue::Affected::default);
    let mut writer = Writer {
        conn: &mut tx,
        backend,
        progress,
        written: 0,
    };
    let mut summary = ImportSummary::default();
    let mut open: Option<Open> = None;
    let outcome = loop {
        let Some(chunk) = chunks.recv().await else {
            break Err(StoreError::ImportStopped);
        };
        let data = match chunk {
            Chunk::Records(data) => data,
            Chunk::End => break Ok(()),
        };
        let Some(table) = table_of(&data) else {
            continue;
        };
        if open.as_ref().map(|o| o.table.record) != Some(table.record) {
            if let Some(done) = open.take() {
                writer.end_bulk(done.table, done.bulk).await?;
            }
            // Counted only where the indexes could be dropped (SQLite, a
            // table with indexes): a count reads the whole table.
            let stored = if writer.may_drop_indexes(table) {
                writer.stored_rows(table).await?
            } else {
                0
            };
            open = Some(Open {
                table,
                stored,
                rows: 0,
                bulk: false,
            });
        }
        if let Some(o) = &mut open {
            o.rows += rows_of(&data, table);
            // The bulk rule of a whole import ([`Writer::begin_bulk`]),
            // applied as the rows come: once this import's rows reach a
            // quarter of the stored ones, the rest go in without indexes.
            if !o.bulk && writer.prefers_bulk(table, o.rows, o.stored) {
                writer.drop_indexes(table).await?;
                o.bulk = true;
            }
        }
        writer.write_table(table, &data, &mut summary).await?;
        if let Some(affected) = &mut affected {
            affected.add(&data);
        }
    };
    let finished = match outcome {
        Ok(()) => {
            if let Some(done) = open.take() {
                writer.end_bulk(done.table, done.bulk).await?;
            }
            match affected {
                Some(affected) => affected.enqueue(&mut tx, backend, cause).await,
                None => {
                    crate::queue::enqueue(&mut tx, backend, crate::queue::Selection::All, cause)
                        .await
                }
            }
        }
        Err(error) => Err(error),
    };
    conclude(tx, finished.map(|queued| (summary, queued))).await
}

/// The table a streamed import is writing.
struct Open {
    table: &'static Table,
    /// Its rows when the import reached it.
    stored: i64,
    /// This import's rows written into it so far.
    rows: usize,
    /// Whether its indexes were dropped, to be built again at its end.
    bulk: bool,
}

/// The table a one-type chunk goes into (`None` when it is empty).
pub(crate) fn table_of(data: &Dataset) -> Option<&'static Table> {
    if !data.accounts.is_empty() {
        Some(&ACCOUNTS)
    } else if !data.contacts.is_empty() {
        Some(&CONTACTS)
    } else if !data.leads.is_empty() {
        Some(&LEADS)
    } else if !data.interactions.is_empty() {
        Some(&INTERACTIONS)
    } else if data.custom.values().any(|r| !r.is_empty()) {
        Some(&CUSTOM_RECORDS)
    } else {
        None
    }
}

/// How many of `data`'s records go into `table`.
pub(crate) fn rows_of(data: &Dataset, table: &Table) -> usize {
    match table.record {
        RecordTable::Accounts => data.accounts.len(),
        RecordTable::Contacts => data.contacts.len(),
        RecordTable::Leads => data.leads.len(),
        RecordTable::Interactions => data.interactions.len(),
        RecordTable::CustomRecords => data.custom.values().map(Vec::len).sum(),
    }
}

struct Writer<'a> {
    conn: &'a mut AnyConnection,
    backend: Backend,
    progress: &'a (dyn Fn(u64) + Sync),
    written: u64,
}

impl Writer<'_> {
    /// Writes the whole dataset, table after table, parents first; a table
    /// with many rows has its indexes built afterwards (see
    /// [`Writer::begin_bulk`]).
    async fn write_all(&mut self, data: &Dataset) -> Result<ImportSummary, StoreError> {
        let mut summary = ImportSummary::default();
        for table in [&ACCOUNTS, &CONTACTS, &LEADS, &INTERACTIONS, &CUSTOM_RECORDS] {
            let bulk = self.begin_bulk(table, rows_of(data, table)).await?;
            self.write_table(table, data, &mut summary).await?;
            self.end_bulk(table, bulk).await?;
        }
        Ok(summary)
    }

    /// Writes the records of `data` that go into `table`, adding them to
    /// `summary`; no index is dropped or built here.
    async fn write_table(
        &mut self,
        table: &Table,
        data: &Dataset,
        summary: &mut ImportSummary,
    ) -> Result<(), StoreError> {
        let written = match table.record {
            RecordTable::Accounts => {
                self.write(
                    table,
                    "import accounts",
                    &data.accounts,
                    |a| a.account_id.as_str(),
                    rows::account_row,
                )
                .await?
            }
            RecordTable::Contacts => {
                self.write(
                    table,
                    "import contacts",
                    &data.contacts,
                    |c| c.contact_id.as_str(),
                    rows::contact_row,
                )
                .await?
            }
            RecordTable::Leads => {
                self.write(
                    table,
                    "import leads",
                    &data.leads,
                    |l| l.lead_id.as_str(),
                    rows::lead_row,
                )
                .await?
            }
            RecordTable::Interactions => {
                self.write(
                    table,
                    "import interactions",
                    &data.interactions,
                    |i| i.interaction_id.as_str(),
                    rows::interaction_row,
                )
                .await?
            }
            RecordTable::CustomRecords => {
                let mut written = 0;
                for (entity, records) in &data.custom {
                    let entity = entity.as_str();
                    written += self
                        .write(
                            table,
                            "import custom records",
                            records,
                            |r| r.record_id.as_str(),
                            |r: &CustomRecord, args: &mut AnyArguments| {
                                rows::custom_row(entity, r, args)
                            },
                        )
                        .await?;
                }
                written
            }
        };
        summary.add_rows(table.record, written);
        Ok(())
    }

    /// Before writing `rows` rows into `table`: drops its secondary indexes when
    /// the backend [prefers rebuilding them](Backend::rebuilds_indexes_for_bulk_imports)
    /// and the import is large next to what the table holds. Returns whether it
    /// did; [`Writer::end_bulk`] builds them again.
    async fn begin_bulk(&mut self, table: &Table, rows: usize) -> Result<bool, StoreError> {
        if !self.prefers_bulk(table, rows, 0) {
            return Ok(false);
        }
        let stored = self.stored_rows(table).await?;
        if !self.prefers_bulk(table, rows, stored) {
            return Ok(false);
        }
        self.drop_indexes(table).await?;
        Ok(true)
    }

    /// Whether writing `rows` rows into `table`, which holds `stored`, is
    /// faster without its indexes, built again afterwards. Building an index
    /// sorts every row, old and new; inserting into it costs several times
    /// more per row: rebuild when the new rows are at least a quarter of the
    /// stored ones.
    fn prefers_bulk(&self, table: &Table, rows: usize, stored: i64) -> bool {
        self.may_drop_indexes(table)
            && rows >= BULK_MIN_ROWS
            && i64::try_from(rows).unwrap_or(i64::MAX) >= stored / 4
    }

    /// Whether this backend builds `table`'s indexes again after a bulk
    /// import, and it has any.
    fn may_drop_indexes(&self, table: &Table) -> bool {
        self.backend.rebuilds_indexes_for_bulk_imports() && !table.indexes.is_empty()
    }

    /// How many rows `table` holds (those this transaction wrote too).
    async fn stored_rows(&mut self, table: &Table) -> Result<i64, StoreError> {
        sqlx::query_scalar(AssertSqlSafe(table.count_sql()))
            .fetch_one(&mut *self.conn)
            .await
            .map_err(StoreError::query("prepare a bulk import"))
    }

    /// Drops `table`'s secondary indexes (see [`Writer::begin_bulk`]).
    async fn drop_indexes(&mut self, table: &Table) -> Result<(), StoreError> {
        tracing::debug!(
            table = table.name,
            "bulk import: indexes are built afterwards"
        );
        for sql in table.drop_indexes_sql() {
            self.execute(sql, "prepare a bulk import").await?;
        }
        Ok(())
    }

    /// Builds again the indexes [`Writer::begin_bulk`] dropped.
    async fn end_bulk(&mut self, table: &Table, bulk: bool) -> Result<(), StoreError> {
        if bulk {
            for sql in table.create_indexes_sql() {
                self.execute(sql, "build indexes after a bulk import")
                    .await?;
            }
        }
        Ok(())
    }

    async fn execute(&mut self, sql: String, operation: &'static str) -> Result<(), StoreError> {
        execute(&mut *self.conn, sql, operation).await
    }

    /// Upserts `rows` in statements of up to [`MAX_ROWS_PER_STATEMENT`] rows. The
    /// SQL text of a full batch is built once, so the driver's per-connection
    /// statement cache prepares it once.
    async fn write<T: Sync>(
        &mut self,
        table: &Table,
        operation: &'static str,
        rows: &[T],
        id: impl Fn(&T) -> &str + Sync,
        bind: impl Fn(&T, &mut AnyArguments) -> Result<(), BoxDynError> + Sync,
    ) -> Result<u64, StoreError> {
        if rows.is_empty() {
            return Ok(0);
        }
        let width = table.columns.len();
        let per_statement = (MAX_PARAMS_PER_STATEMENT / width).clamp(1, MAX_ROWS_PER_STATEMENT);
        let full_rows = per_statement.min(rows.len());
        let full_sql: Arc<str> = table.upsert_sql(self.backend, full_rows).into();
        let mut seen: HashSet<&str> = HashSet::with_capacity(per_statement);
        for chunk in rows.chunks(per_statement) {
            // PostgreSQL refuses to upsert one row twice in a statement and SQLite
            // would keep the later one: refuse on both, with the id named.
            seen.clear();
            for row in chunk {
                let row_id = id(row);
                if !seen.insert(row_id) {
                    return Err(StoreError::DuplicateId {
                        table: table.name,
                        id: row_id.to_owned(),
                    });
                }
            }
            let sql = if chunk.len() == full_rows {
                Arc::clone(&full_sql)
            } else {
                table.upsert_sql(self.backend, chunk.len()).into()
            };
            let mut args = AnyArguments::default();
            args.reserve(chunk.len() * width, 0);
            for row in chunk {
                bind(row, &mut args).map_err(|e| StoreError::Query {
                    operation,
                    source: sqlx::Error::Encode(e),
                })?;
            }
            let cache = !(table.nullable_double && self.backend == Backend::Postgres);
            sqlx::query_with(AssertSqlSafe(sql), args)
                .persistent(cache)
                .execute(&mut *self.conn)
                .await
                .map_err(StoreError::query(operation))?;
            self.written += chunk.len() as u64;
            (self.progress)(self.written);
        }
        Ok(rows.len() as u64)
    }
}
