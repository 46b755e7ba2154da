//! The export: every stored record, read from one snapshot a chunk at a time
//! in id order (byte order on both stores), handed to a writer on a blocking
//! thread as it comes. Memory holds a few chunks, never the store; the
//! in-memory export ([`export`]) gathers the same chunks.

use std::collections::BTreeSet;

use futures_util::TryStreamExt;
use leadscore_domain::{Dataset, EntityName, FieldNames};
use sqlx::{AnyConnection, AnyPool, AssertSqlSafe, Row};
use tokio::sync::mpsc;

use super::read::{
    COUNTS_SQL, counts_of, decode_account, decode_contact, decode_custom, decode_interaction,
    decode_lead,
};
use crate::schema::{ACCOUNTS, CONTACTS, CUSTOM_RECORDS, INTERACTIONS, LEADS, Table};
use crate::sql::Cells;
use crate::{Backend, SqlStore, StoreCounts, StoreError};

/// The interactions' JSON object of properties.
const PROPERTIES: &str = "properties";

/// Records per chunk handed to the writer.
pub const EXPORT_CHUNK: usize = 8192;
/// Chunks waiting for the writer at most.
const CHUNKS_AHEAD: usize = 2;

/// What an export knows before its first record: how many records of each
/// type it holds, and the custom field names of each (what a file's header
/// names before its rows come).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ExportPlan {
    /// The records of each type.
    pub counts: StoreCounts,
    /// The custom field names of each type, and the custom entities with
    /// records.
    pub names: FieldNames,
}

/// What a streamed export reads.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum ExportScope {
    /// Every record with every field, each list in id order: a folder that
    /// imports back as the store (`leadscore export`).
    #[default]
    Everything,
    /// Every record, the interactions without their properties (each read
    /// as none, and none named in the plan) and in the store's own order,
    /// not by id: all that a lead's feature row reads (it counts a lead's
    /// interactions and takes the latest, whatever their order), for a copy
    /// that only builds rows (retraining). The store's largest column is
    /// then neither read, nor parsed, nor written, nor are its names listed
    /// (a scan of every interaction); and PostgreSQL need not sort every
    /// interaction by id in byte order (its primary key's index is in the
    /// database's collation, so that order means a sort).
    ForLeadRows,
}

impl ExportScope {
    /// How the interactions are read: the one place this scope's meaning
    /// is decided.
    fn interactions(self) -> Reading {
        match self {
            Self::Everything => Reading::whole(&INTERACTIONS),
            Self::ForLeadRows => Reading {
                table: &INTERACTIONS,
                emptied: Some(PROPERTIES),
                ordered: false,
            },
        }
    }
}

/// How one table is read.
#[derive(Clone, Copy)]
struct Reading {
    table: &'static Table,
    /// A JSON object column read as an empty object instead.
    emptied: Option<&'static str>,
    /// Whether in key order (byte order), else in the store's.
    ordered: bool,
}

impl Reading {
    /// Every column, in key order.
    fn whole(table: &'static Table) -> Self {
        Self {
            table,
            emptied: None,
            ordered: true,
        }
    }
}

/// The chunks of a streamed export, in order: accounts, contacts, leads,
/// interactions, then custom records by entity; each chunk holds records of
/// one type (or one entity), in id order (but the interactions of
/// [`ExportScope::ForLeadRows`]). It ends early when the store
/// fails, in which case the export answers that failure whatever the writer
/// returns.
#[derive(Debug)]
pub struct ExportChunks {
    rx: mpsc::Receiver<Dataset>,
}

impl Iterator for ExportChunks {
    type Item = Dataset;

    fn next(&mut self) -> Option<Dataset> {
        self.rx.blocking_recv()
    }
}

/// Why a streamed export gave nothing.
#[derive(Debug, thiserror::Error)]
pub enum StreamedExportError<E> {
    /// The writer failed.
    #[error(transparent)]
    Write(E),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Runs `write` on a blocking thread with the plan and the chunks read from
/// one snapshot (see [`Records::export_streamed`](super::Records::export_streamed)).
pub(crate) async fn export_streamed<R, E>(
    store: &SqlStore,
    scope: ExportScope,
    write: impl FnOnce(ExportPlan, ExportChunks) -> Result<R, E> + Send + 'static,
) -> Result<R, StreamedExportError<E>>
where
    R: Send + 'static,
    E: Send + 'static,
{
    let backend = store.backend();
    let mut tx = store
        .pool()
        .begin_with(backend.begin_snapshot())
        .await
        .map_err(StoreError::query("begin the export transaction"))?;
    let plan = plan(&mut tx, backend, scope).await?;
    let (sender, rx) = mpsc::channel(CHUNKS_AHEAD);
    let writer = tokio::task::spawn_blocking(move || write(plan, ExportChunks { rx }));
    let read = read_chunks(&mut tx, backend, scope, &sender).await;
    drop(sender);
    let written = writer.await.map_err(|e| StoreError::ExportWriter {
        reason: e.to_string(),
    })?;
    read?;
    tx.commit()
        .await
        .map_err(StoreError::query("end the export transaction"))?;
    written.map_err(StreamedExportError::Write)
}

/// Everything stored, read in one snapshot, each list ordered by id (in byte
/// order): the chunks of [`export_streamed`] gathered.
pub(crate) async fn export(pool: &AnyPool, backend: Backend) -> Result<Dataset, StoreError> {
    let mut tx = pool
        .begin_with(backend.begin_snapshot())
        .await
        .map_err(StoreError::query("begin the export transaction"))?;
    let (sender, mut rx) = mpsc::channel(CHUNKS_AHEAD);
    let gather = async move {
        let mut data = Dataset::default();
        while let Some(chunk) = rx.recv().await {
            append(&mut data, chunk);
        }
        data
    };
    let read = async {
        let read = read_chunks(&mut tx, backend, ExportScope::Everything, &sender).await;
        drop(sender);
        read
    };
    let (read, data) = tokio::join!(read, gather);
    read?;
    tx.commit()
        .await
        .map_err(StoreError::query("end the export transaction"))?;
    Ok(data)
}

/// Moves a chunk's records to the end of `data`'s lists.
fn append(data: &mut Dataset, chunk: Dataset) {
    let Dataset {
        mut accounts,
        mut contacts,
        mut leads,
        mut interactions,
        custom,
    } = chunk;
    data.accounts.append(&mut accounts);
    data.contacts.append(&mut contacts);
    data.leads.append(&mut leads);
    data.interactions.append(&mut interactions);
    for (entity, mut records) in custom {
        data.custom.entry(entity).or_default().append(&mut records);
    }
}

/// The counts and field names, in the export's snapshot.
async fn plan(
    conn: &mut AnyConnection,
    backend: Backend,
    scope: ExportScope,
) -> Result<ExportPlan, StoreError> {
    let op = "count the records to export";
    let row = sqlx::query(COUNTS_SQL)
        .fetch_one(&mut *conn)
        .await
        .map_err(StoreError::query(op))?;
    let counts = counts_of(&row, op)?;
    let mut names = FieldNames {
        accounts: field_names(conn, backend, &ACCOUNTS, "custom").await?,
        contacts: field_names(conn, backend, &CONTACTS, "custom").await?,
        leads: field_names(conn, backend, &LEADS, "custom").await?,
        // Properties read as empty have no names to list.
        interactions: if scope.interactions().emptied == Some(PROPERTIES) {
            BTreeSet::new()
        } else {
            field_names(conn, backend, &INTERACTIONS, PROPERTIES).await?
        },
        custom: Default::default(),
    };
    let op = "list the custom entities to export";
    let entities: Vec<String> = sqlx::query_scalar("SELECT DISTINCT entity FROM custom_records")
        .fetch_all(&mut *conn)
        .await
        .map_err(StoreError::query(op))?;
    for entity in entities {
        let name = EntityName::parse(&entity).map_err(|e| StoreError::CorruptRow {
            table: "custom_records",
            id: entity.clone(),
            column: "entity",
            reason: e.to_string(),
        })?;
        names.custom.insert(name, BTreeSet::new());
    }
    let sql = backend.json_keys_sql(CUSTOM_RECORDS.name, "fields", Some("entity"));
    let mut rows = sqlx::query(AssertSqlSafe(sql)).fetch(&mut *conn);
    while let Some(row) = rows.try_next().await.map_err(StoreError::query(op))? {
        let entity: String = row.try_get("entity").map_err(StoreError::query(op))?;
        let key: String = row.try_get("key").map_err(StoreError::query(op))?;
        if let Some(fields) = names
            .custom
            .iter_mut()
            .find(|(e, _)| e.as_str() == entity)
            .map(|(_, f)| f)
        {
            fields.insert(key);
        }
    }
    Ok(ExportPlan { counts, names })
}

/// The names of the JSON objects in `column` of `table`.
async fn field_names(
    conn: &mut AnyConnection,
    backend: Backend,
    table: &Table,
    column: &str,
) -> Result<BTreeSet<String>, StoreError> {
    let sql = backend.json_keys_sql(table.name, column, None);
    sqlx::query_scalar(AssertSqlSafe(sql))
        .fetch(&mut *conn)
        .try_collect()
        .await
        .map_err(StoreError::query("list the custom fields to export"))
}

/// Reads every table in order, sending chunks; stops without an error when
/// the receiver is gone (the writer failed: its error is the answer).
async fn read_chunks(
    conn: &mut AnyConnection,
    backend: Backend,
    scope: ExportScope,
    out: &mpsc::Sender<Dataset>,
) -> Result<(), StoreError> {
    let chunked = |records| async move { out.send(records).await.is_ok() };
    let sent = read_table(
        conn,
        backend,
        Reading::whole(&ACCOUNTS),
        decode_account,
        |accounts| {
            chunked(Dataset {
                accounts,
                ..Dataset::default()
            })
        },
    )
    .await?
        && read_table(
            conn,
            backend,
            Reading::whole(&CONTACTS),
            decode_contact,
            |contacts| {
                chunked(Dataset {
                    contacts,
                    ..Dataset::default()
                })
            },
        )
        .await?
        && read_table(
            conn,
            backend,
            Reading::whole(&LEADS),
            decode_lead,
            |leads| {
                chunked(Dataset {
                    leads,
                    ..Dataset::default()
                })
            },
        )
        .await?
        && read_table(
            conn,
            backend,
            scope.interactions(),
            decode_interaction,
            |interactions| {
                chunked(Dataset {
                    interactions,
                    ..Dataset::default()
                })
            },
        )
        .await?;
    if sent {
        read_custom(conn, backend, out).await?;
    }
    Ok(())
}

/// Reads a table as `reading` says (in key order unless told otherwise),
/// handing `send` a chunk of records at a time;
/// false when `send` answered false (nobody listens any more).
async fn read_table<T, F, Fut>(
    conn: &mut AnyConnection,
    backend: Backend,
    reading: Reading,
    decode: fn(&Cells<'_>) -> Result<T, StoreError>,
    mut send: F,
) -> Result<bool, StoreError>
where
    F: FnMut(Vec<T>) -> Fut,
    Fut: Future<Output = bool>,
{
    let op = "export records";
    let Reading {
        table,
        emptied,
        ordered,
    } = reading;
    let sql = table.select_all_sql(backend, emptied, ordered);
    let mut rows = sqlx::query(AssertSqlSafe(sql)).fetch(&mut *conn);
    let mut chunk = Vec::with_capacity(EXPORT_CHUNK);
    while let Some(row) = rows.try_next().await.map_err(StoreError::query(op))? {
        chunk.push(decode(&table.cells(&row))?);
        if chunk.len() == EXPORT_CHUNK
            && !send(std::mem::replace(
                &mut chunk,
                Vec::with_capacity(EXPORT_CHUNK),
            ))
            .await
        {
            return Ok(false);
        }
    }
    Ok(chunk.is_empty() || send(chunk).await)
}

/// Reads the custom records by entity then record id, as [`read_table`]
/// does, each chunk sent as its runs of one entity.
async fn read_custom(
    conn: &mut AnyConnection,
    backend: Backend,
    out: &mpsc::Sender<Dataset>,
) -> Result<(), StoreError> {
    read_table(
        conn,
        backend,
        Reading::whole(&CUSTOM_RECORDS),
        decode_custom,
        |records| {
            let out = out.clone();
            async move {
                let mut runs: Vec<(EntityName, Vec<leadscore_domain::CustomRecord>)> = Vec::new();
                for (entity, record) in records {
                    match runs.last_mut() {
                        Some((current, run)) if *current == entity => run.push(record),
                        _ => runs.push((entity, vec![record])),
                    }
                }
                for run in runs {
                    if !send_custom(&out, run).await {
                        return false;
                    }
                }
                true
            }
        },
    )
    .await?;
    Ok(())
}

async fn send_custom(
    out: &mpsc::Sender<Dataset>,
    (entity, records): (EntityName, Vec<leadscore_domain::CustomRecord>),
) -> bool {
    let mut data = Dataset::default();
    data.custom.insert(entity, records);
    out.send(data).await.is_ok()
}
