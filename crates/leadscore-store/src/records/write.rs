//! Importing a dataset: batched multi-row upserts in one transaction.

use std::collections::HashSet;
use std::sync::Arc;

use leadscore_domain::{Account, Contact, CustomRecord, Dataset, Fields, Interaction, Lead};
use sqlx::AnyConnection;
use sqlx::any::AnyArguments;
use sqlx::error::BoxDynError;
use sqlx::{AnyPool, Arguments, AssertSqlSafe, Connection};

use crate::schema::{ACCOUNTS, CONTACTS, CUSTOM_RECORDS, INTERACTIONS, LEADS, Table};
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
    let mut conn = pool
        .acquire()
        .await
        .map_err(StoreError::query("begin the import transaction"))?;
    run_all(&mut conn, backend.import_begin(), "prepare the import").await?;
    let result = import_in_transaction(&mut conn, backend, data, progress, enqueue).await;
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
    match written {
        Ok(result) => {
            tx.commit()
                .await
                .map_err(StoreError::query("commit the import"))?;
            Ok(result)
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
async fn has_leads(conn: &mut AnyConnection) -> Result<bool, StoreError> {
    let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM (SELECT 1 FROM leads LIMIT 1) AS one")
        .fetch_one(&mut *conn)
        .await
        .map_err(StoreError::query("look for stored leads"))?;
    Ok(n > 0)
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

struct Writer<'a> {
    conn: &'a mut AnyConnection,
    backend: Backend,
    progress: &'a (dyn Fn(u64) + Sync),
    written: u64,
}

impl Writer<'_> {
    async fn write_all(&mut self, data: &Dataset) -> Result<ImportSummary, StoreError> {
        let mut summary = ImportSummary::default();

        let bulk = self.begin_bulk(&ACCOUNTS, data.accounts.len()).await?;
        summary.accounts = self
            .write(
                &ACCOUNTS,
                "import accounts",
                &data.accounts,
                |a| a.account_id.as_str(),
                bind_account,
            )
            .await?;
        self.end_bulk(&ACCOUNTS, bulk).await?;

        let bulk = self.begin_bulk(&CONTACTS, data.contacts.len()).await?;
        summary.contacts = self
            .write(
                &CONTACTS,
                "import contacts",
                &data.contacts,
                |c| c.contact_id.as_str(),
                bind_contact,
            )
            .await?;
        self.end_bulk(&CONTACTS, bulk).await?;

        let bulk = self.begin_bulk(&LEADS, data.leads.len()).await?;
        summary.leads = self
            .write(
                &LEADS,
                "import leads",
                &data.leads,
                |l| l.lead_id.as_str(),
                bind_lead,
            )
            .await?;
        self.end_bulk(&LEADS, bulk).await?;

        let bulk = self
            .begin_bulk(&INTERACTIONS, data.interactions.len())
            .await?;
        summary.interactions = self
            .write(
                &INTERACTIONS,
                "import interactions",
                &data.interactions,
                |i| i.interaction_id.as_str(),
                bind_interaction,
            )
            .await?;
        self.end_bulk(&INTERACTIONS, bulk).await?;

        let custom_rows = data.custom.values().map(Vec::len).sum();
        let bulk = self.begin_bulk(&CUSTOM_RECORDS, custom_rows).await?;
        for (entity, records) in &data.custom {
            let entity = entity.as_str();
            summary.custom_records += self
                .write(
                    &CUSTOM_RECORDS,
                    "import custom records",
                    records,
                    |r| r.record_id.as_str(),
                    |r: &CustomRecord, args: &mut AnyArguments| bind_custom(entity, r, args),
                )
                .await?;
        }
        self.end_bulk(&CUSTOM_RECORDS, bulk).await?;
        Ok(summary)
    }

    /// Before writing `rows` rows into `table`: drops its secondary indexes when
    /// the backend [prefers rebuilding them](Backend::rebuilds_indexes_for_bulk_imports)
    /// and the import is large next to what the table holds. Returns whether it
    /// did; [`Writer::end_bulk`] builds them again.
    async fn begin_bulk(&mut self, table: &Table, rows: usize) -> Result<bool, StoreError> {
        let operation = "prepare a bulk import";
        if !self.backend.rebuilds_indexes_for_bulk_imports()
            || table.indexes.is_empty()
            || rows < BULK_MIN_ROWS
        {
            return Ok(false);
        }
        let stored: i64 = sqlx::query_scalar(AssertSqlSafe(table.count_sql()))
            .fetch_one(&mut *self.conn)
            .await
            .map_err(StoreError::query(operation))?;
        // Building an index sorts every row, old and new; inserting into it costs
        // several times more per row. Rebuild when the new rows are at least a
        // quarter of the stored ones.
        if i64::try_from(rows).unwrap_or(i64::MAX) < stored / 4 {
            return Ok(false);
        }
        tracing::debug!(
            table = table.name,
            rows,
            stored,
            "bulk import: indexes are built afterwards"
        );
        for sql in table.drop_indexes_sql() {
            self.execute(sql, operation).await?;
        }
        Ok(true)
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
        sqlx::query(AssertSqlSafe(sql))
            .execute(&mut *self.conn)
            .await
            .map_err(StoreError::query(operation))?;
        Ok(())
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

/// Custom fields / properties as a JSON object.
fn json(fields: &Fields) -> Result<String, BoxDynError> {
    if fields.is_empty() {
        Ok("{}".to_owned())
    } else {
        Ok(serde_json::to_string(fields)?)
    }
}

fn bind_account(a: &Account, args: &mut AnyArguments) -> Result<(), BoxDynError> {
    args.add(a.account_id.as_str())?;
    args.add(a.name.as_deref())?;
    args.add(a.industry.as_deref())?;
    args.add(a.employees)?;
    args.add(a.annual_revenue)?;
    args.add(a.country.as_deref())?;
    args.add(a.city.as_deref())?;
    args.add(json(&a.custom)?)
}

fn bind_contact(c: &Contact, args: &mut AnyArguments) -> Result<(), BoxDynError> {
    args.add(c.contact_id.as_str())?;
    args.add(c.account_id.as_ref().map(|v| v.as_str()))?;
    args.add(c.first_name.as_deref())?;
    args.add(c.last_name.as_deref())?;
    args.add(c.email.as_deref())?;
    args.add(c.job_title.as_deref())?;
    args.add(c.city.as_deref())?;
    args.add(c.country.as_deref())?;
    args.add(c.visitor_id.as_ref().map(|v| v.as_str()))?;
    args.add(json(&c.custom)?)
}

fn bind_lead(l: &Lead, args: &mut AnyArguments) -> Result<(), BoxDynError> {
    args.add(l.lead_id.as_str())?;
    args.add(l.created_at.as_micros())?;
    args.add(l.contact_id.as_ref().map(|v| v.as_str()))?;
    args.add(l.account_id.as_ref().map(|v| v.as_str()))?;
    args.add(l.topic.as_deref())?;
    args.add(l.source.as_deref())?;
    args.add(l.status.as_str())?;
    args.add(l.closed_at.map(|t| t.as_micros()))?;
    args.add(l.disqualify_reason.as_deref())?;
    args.add(json(&l.custom)?)
}

fn bind_interaction(i: &Interaction, args: &mut AnyArguments) -> Result<(), BoxDynError> {
    args.add(i.interaction_id.as_str())?;
    args.add(i.kind.as_str())?;
    args.add(i.occurred_at.as_micros())?;
    args.add(i.contact_id.as_ref().map(|v| v.as_str()))?;
    args.add(i.lead_id.as_ref().map(|v| v.as_str()))?;
    args.add(i.visitor_id.as_ref().map(|v| v.as_str()))?;
    args.add(json(&i.properties)?)
}

fn bind_custom(entity: &str, r: &CustomRecord, args: &mut AnyArguments) -> Result<(), BoxDynError> {
    args.add(entity)?;
    args.add(r.record_id.as_str())?;
    args.add(r.lead_id.as_str())?;
    args.add(json(&r.fields)?)
}
