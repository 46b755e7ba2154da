//! The rescoring queue (`rescore_queue`): the leads whose scores a write may
//! have changed, queued in that write's transaction.
//!
//! Every statement that queues leads sets a new random token on each row it
//! inserts or touches. A rescoring worker reads the queue and the leads'
//! records from one snapshot, scores them without holding the write lock,
//! then claims each lead only if its token is still the one it read. A write
//! that landed in between changed the token: the lead stays queued and the
//! next round scores it with that write.

use std::collections::HashSet;

use leadscore_domain::{Dataset, LeadId, Timestamp};
use rand::RngCore;
use sqlx::{AnyConnection, AssertSqlSafe, Row};

use crate::records::neighbourhood::sorted;
use crate::sql::{Cells, execute_in, int, placeholders, select_in};
use crate::{Backend, SqlStore, StoreError};

/// The token of a lead's latest queuing write (random, 64 bits).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct QueueToken(i64);

impl QueueToken {
    /// A new random token.
    fn new() -> Self {
        Self(i64::from_ne_bytes(rand::rng().next_u64().to_ne_bytes()))
    }
}

/// A lead on the rescoring queue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueuedLead {
    /// The lead.
    pub lead_id: LeadId,
    /// Why it was queued (the first queuing write's cause).
    pub cause: String,
    /// The token of its latest queuing write.
    pub token: QueueToken,
    /// When it was first queued since its last rescoring (or re-stamped).
    pub queued_at: Timestamp,
}

/// How far behind rescoring is.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct QueueDepth {
    /// Leads queued.
    pub leads: u64,
    /// When the longest-waiting one was queued.
    pub oldest: Option<Timestamp>,
}

/// Which stored leads a statement queues.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Selection {
    /// Every lead (a change of models or routing).
    All,
    /// Every open lead (the periodic pass: scores fall as interactions age).
    Open,
    /// Leads that have no stored score yet.
    Unscored,
}

impl Selection {
    fn condition(self) -> &'static str {
        match self {
            Self::All => "1 = 1",
            Self::Open => "status = 'open'",
            Self::Unscored => "lead_id NOT IN (SELECT lead_id FROM lead_state)",
        }
    }
}

/// `INSERT ... SELECT` that queues the leads `selection` (a `WHERE` condition
/// over `leads`) picks, binding cause (text), queued-at and token (integers)
/// before any parameters of `selection`. A lead already queued keeps its
/// place in line and gets the new token.
///
/// Rows are written in lead id order: every statement that locks queue rows
/// takes them in that one order (the worker's claim too), so that two
/// transactions queuing overlapping leads wait for each other instead of
/// deadlocking on PostgreSQL.
fn enqueue_sql(selection: &str) -> String {
    format!(
        "INSERT INTO rescore_queue (lead_id, cause, queued_at, token) \
         SELECT lead_id, ?, ?, ? FROM leads WHERE {selection} ORDER BY lead_id \
         ON CONFLICT (lead_id) DO UPDATE SET token = excluded.token"
    )
}

/// The body of [`enqueue`] and [`enqueue_postgres`]: the same statements on
/// either kind of connection (the pool's `AnyConnection` cannot `COPY`).
macro_rules! enqueue_on {
    ($conn:expr, $backend:expr, $selection:expr, $cause:expr) => {{
        let conn = $conn;
        let backend: Backend = $backend;
        if backend == Backend::Postgres {
            sqlx::query("LOCK TABLE rescore_queue IN EXCLUSIVE MODE")
                .execute(&mut *conn)
                .await
                .map_err(StoreError::query("lock the rescoring queue"))?;
        }
        let sql = placeholders(backend, &enqueue_sql($selection.condition()));
        Ok(sqlx::query(AssertSqlSafe(sql))
            .bind($cause)
            .bind(Timestamp::now().as_micros())
            .bind(QueueToken::new().0)
            .execute(&mut *conn)
            .await
            .map_err(StoreError::query("queue leads for rescoring"))?
            .rows_affected())
    }};
}

/// Queues the leads `selection` picks; returns how many rows were queued or
/// touched.
///
/// On PostgreSQL it first locks the queue against writers (readers go on),
/// inside the caller's transaction: it waits for the rescoring round writing
/// now, and the rounds after wait for it. Taking the rows one by one, the
/// statement waited on the round writing now, then, further on, on the next
/// round's leads, and so on: it chased the worker through the whole queue
/// (over 10 s for a routing change while the sample was rescored).
pub(crate) async fn enqueue(
    conn: &mut AnyConnection,
    backend: Backend,
    selection: Selection,
    cause: &str,
) -> Result<u64, StoreError> {
    enqueue_on!(conn, backend, selection, cause)
}

/// [`enqueue`] on a PostgreSQL connection of its own rather than one of the
/// pool's (an import's `COPY` connection, whose transaction loads an empty
/// store).
pub(crate) async fn enqueue_postgres(
    conn: &mut sqlx::postgres::PgConnection,
    selection: Selection,
    cause: &str,
) -> Result<u64, StoreError> {
    enqueue_on!(conn, Backend::Postgres, selection, cause)
}

/// Queues the leads with these ids (stored ones only).
pub(crate) async fn enqueue_leads(
    conn: &mut AnyConnection,
    backend: Backend,
    leads: &[&str],
    cause: &str,
) -> Result<u64, StoreError> {
    let stamp = [Timestamp::now().as_micros(), QueueToken::new().0];
    let sql = enqueue_sql("lead_id IN ({in})");
    // Chunks in lead id order too (see `enqueue_sql`).
    let mut leads = leads.to_vec();
    leads.sort_unstable();
    leads.dedup();
    execute_in(
        conn,
        backend,
        &sql,
        &[cause],
        &stamp,
        &leads,
        "queue leads for rescoring",
    )
    .await
}

/// Queues, inside the writing transaction, every stored lead whose scores the
/// records of `data` can change: its own leads; the leads of its contacts, of
/// the contacts its interactions belong to (by contact id, else by a contact
/// listing the interaction's visitor id), and of every contact sharing a
/// visitor id with one of its contacts (a new listing can move that visitor's
/// interactions from one contact to another); the account-based leads of
/// those contacts' accounts; and for its accounts, every lead of the account
/// or of one of its contacts. Returns how many leads were queued or touched.
///
/// The leads are found first (reads take no row locks), then queued by one
/// statement per chunk in lead id order (see [`enqueue_sql`]).
pub(crate) async fn enqueue_affected(
    conn: &mut AnyConnection,
    backend: Backend,
    data: &Dataset,
    cause: &str,
) -> Result<u64, StoreError> {
    let mut affected = Affected::default();
    affected.add(data);
    affected.enqueue(conn, backend, cause).await
}

/// Adds `id` to `ids`, copying it only when it is new (the chunks of an
/// import name the same contacts again and again).
fn add_id(ids: &mut HashSet<String>, id: &str) {
    if !ids.contains(id) {
        ids.insert(id.to_owned());
    }
}

/// The ids of records written, from which [`Affected::enqueue`] finds the
/// stored leads whose scores they can change (see [`enqueue_affected`]):
/// gathered over many chunks, queued once they are all written.
#[derive(Debug, Default)]
pub(crate) struct Affected {
    /// Queued in id order by [`enqueue_leads`], whatever order they are in.
    leads: HashSet<String>,
    contacts: HashSet<String>,
    visitors: HashSet<String>,
    accounts: HashSet<String>,
}

impl Affected {
    /// Adds the ids `data` names.
    pub(crate) fn add(&mut self, data: &Dataset) {
        for l in &data.leads {
            add_id(&mut self.leads, l.lead_id.as_str());
        }
        for c in &data.contacts {
            add_id(&mut self.contacts, c.contact_id.as_str());
            if let Some(v) = &c.visitor_id {
                add_id(&mut self.visitors, v.as_str());
            }
        }
        for i in &data.interactions {
            match (&i.contact_id, &i.visitor_id) {
                (Some(c), _) => add_id(&mut self.contacts, c.as_str()),
                (None, Some(v)) => add_id(&mut self.visitors, v.as_str()),
                (None, None) => {}
            }
        }
        for a in &data.accounts {
            add_id(&mut self.accounts, a.account_id.as_str());
        }
    }

    /// Queues, inside the writing transaction (after every record was
    /// written), the stored leads these ids can change; returns how many
    /// were queued or touched.
    pub(crate) async fn enqueue(
        self,
        conn: &mut AnyConnection,
        backend: Backend,
        cause: &str,
    ) -> Result<u64, StoreError> {
        let op = "queue leads for rescoring";
        let Self {
            mut leads,
            mut contacts,
            visitors,
            accounts,
        } = self;
        let visitors = sorted(visitors);
        contacts.extend(
            texts(
                conn,
                backend,
                "SELECT contact_id AS id FROM contacts WHERE visitor_id IN ({in})",
                &visitors,
                op,
            )
            .await?,
        );
        let contacts = sorted(contacts);
        let accounts_of_contacts = sorted(
            texts(
                conn,
                backend,
                "SELECT account_id AS id FROM contacts WHERE contact_id IN ({in})",
                &contacts,
                op,
            )
            .await?,
        );
        let accounts = sorted(accounts);
        for (sql, ids) in [
            (
                "SELECT lead_id AS id FROM leads WHERE contact_id IN ({in})",
                &contacts,
            ),
            (
                "SELECT lead_id AS id FROM leads WHERE contact_id IS NULL AND account_id IN ({in})",
                &accounts_of_contacts,
            ),
            (
                "SELECT lead_id AS id FROM leads WHERE account_id IN ({in})",
                &accounts,
            ),
            (
                "SELECT lead_id AS id FROM leads \
             WHERE contact_id IN (SELECT contact_id FROM contacts WHERE account_id IN ({in}))",
                &accounts,
            ),
        ] {
            leads.extend(texts(conn, backend, sql, ids, op).await?);
        }
        let leads: Vec<&str> = leads.iter().map(String::as_str).collect();
        enqueue_leads(conn, backend, &leads, cause).await
    }
}

fn refs(ids: &[String]) -> Vec<&str> {
    ids.iter().map(String::as_str).collect()
}

/// The non-NULL `id` column of a query run over chunks of `ids`.
async fn texts(
    conn: &mut AnyConnection,
    backend: Backend,
    sql: &str,
    ids: &[String],
    op: &'static str,
) -> Result<Vec<String>, StoreError> {
    let found = select_in(conn, backend, sql, &refs(ids), op, |row| {
        row.try_get::<Option<String>, _>("id")
            .map_err(StoreError::query(op))
    })
    .await?;
    Ok(found.into_iter().flatten().collect())
}

/// Up to `limit` queued leads, oldest first.
pub(crate) async fn peek(
    conn: &mut AnyConnection,
    backend: Backend,
    limit: usize,
) -> Result<Vec<QueuedLead>, StoreError> {
    let op = "read the rescoring queue";
    let sql = placeholders(
        backend,
        "SELECT lead_id, cause, token, queued_at FROM rescore_queue \
         ORDER BY queued_at, lead_id LIMIT ?",
    );
    let rows = sqlx::query(AssertSqlSafe(sql))
        .bind(int(limit))
        .fetch_all(&mut *conn)
        .await
        .map_err(StoreError::query(op))?;
    rows.iter()
        .map(|row| {
            let c = Cells::new(row, "rescore_queue", &["lead_id"]);
            Ok(QueuedLead {
                lead_id: c.parse("lead_id", |s| LeadId::parse(s))?,
                cause: c.required_string("cause")?,
                token: QueueToken(c.required_int("token")?),
                queued_at: c.timestamp("queued_at")?,
            })
        })
        .collect()
}

/// Leads per claiming statement.
const CLAIM_CHUNK: usize = 250;

/// `DELETE` of the `rows` queued leads whose tokens are unchanged, returning
/// their ids: binds each lead id then its token.
fn claim_sql(rows: usize) -> String {
    let pairs = vec!["(?, ?)"; rows].join(", ");
    format!(
        "DELETE FROM rescore_queue WHERE (lead_id, token) IN (VALUES {pairs}) \
         RETURNING lead_id"
    )
}

/// `UPDATE` that re-stamps queued leads whose scores were written from a
/// snapshot older than their latest write: binds the new queued-at twice,
/// then each lead id and the queued-at the snapshot read; returns the ids
/// re-stamped.
///
/// A row still holding the queued-at a worker read was neither claimed nor
/// re-stamped by another worker since (a claim deletes it, a write that
/// queues it anew stamps it anew, a re-stamp moves it forward): the worker's
/// scores are then the newest written, and the lead stays queued for the
/// writes its snapshot missed. Rows stamped at or after the new queued-at are
/// left alone (their scores wait for the next round).
fn restamp_sql(rows: usize) -> String {
    let pairs = vec!["(?, ?)"; rows].join(", ");
    format!(
        "UPDATE rescore_queue SET queued_at = ? \
         WHERE queued_at < ? AND (lead_id, queued_at) IN (VALUES {pairs}) \
         RETURNING lead_id"
    )
}

/// Takes off the queue each lead whose token is unchanged; returns their ids.
pub(crate) async fn claim(
    conn: &mut AnyConnection,
    backend: Backend,
    wanted: &[(&LeadId, QueueToken)],
) -> Result<HashSet<LeadId>, StoreError> {
    let pairs: Vec<(&str, i64)> = wanted.iter().map(|(id, t)| (id.as_str(), t.0)).collect();
    let op = "take leads off the rescoring queue";
    ids_returned(conn, backend, op, claim_sql, &[], &pairs).await
}

/// Re-stamps with `read_at` the queued leads that still hold the queued-at
/// the round read; returns their ids: their scores are written and they stay
/// queued.
pub(crate) async fn restamp(
    conn: &mut AnyConnection,
    backend: Backend,
    stale: &[(&LeadId, Timestamp)],
    read_at: Timestamp,
) -> Result<HashSet<LeadId>, StoreError> {
    let pairs: Vec<(&str, i64)> = stale
        .iter()
        .map(|(id, t)| (id.as_str(), t.as_micros()))
        .collect();
    let op = "keep written-to leads on the rescoring queue";
    let at = read_at.as_micros();
    ids_returned(conn, backend, op, restamp_sql, &[at, at], &pairs).await
}

/// Runs a queue statement over `(lead id, value)` pairs that returns lead
/// ids (`sql` gives it for a number of pairs), [`CLAIM_CHUNK`] pairs at a
/// time, binding `leading` before each chunk's pairs; returns the ids.
async fn ids_returned(
    conn: &mut AnyConnection,
    backend: Backend,
    op: &'static str,
    sql: fn(usize) -> String,
    leading: &[i64],
    pairs: &[(&str, i64)],
) -> Result<HashSet<LeadId>, StoreError> {
    let mut ids = HashSet::new();
    // In lead id order, locked first on PostgreSQL: see `enqueue_sql`.
    let mut pairs = pairs.to_vec();
    pairs.sort_unstable();
    for chunk in pairs.chunks(CLAIM_CHUNK) {
        if backend == Backend::Postgres {
            let leads: Vec<&str> = chunk.iter().map(|(id, _)| *id).collect();
            let sql = "SELECT lead_id AS id FROM rescore_queue WHERE lead_id IN ({in}) \
                       ORDER BY lead_id FOR UPDATE";
            select_in(conn, backend, sql, &leads, op, |_| Ok(())).await?;
        }
        let text = placeholders(backend, &sql(chunk.len()));
        let mut query = sqlx::query(AssertSqlSafe(text));
        for value in leading {
            query = query.bind(*value);
        }
        for (id, value) in chunk {
            query = query.bind(*id).bind(*value);
        }
        for row in query
            .fetch_all(&mut *conn)
            .await
            .map_err(StoreError::query(op))?
        {
            let c = Cells::new(&row, "rescore_queue", &["lead_id"]);
            ids.insert(c.parse("lead_id", |s| LeadId::parse(s))?);
        }
    }
    Ok(ids)
}

/// The rescoring queue (see the [module documentation](self)).
#[derive(Debug, Clone, Copy)]
pub struct RescoreQueue<'a> {
    pub(crate) store: &'a SqlStore,
}

impl RescoreQueue<'_> {
    /// Queues the leads that have no stored score yet; returns how many.
    pub async fn enqueue_unscored(&self, cause: &str) -> Result<u64, StoreError> {
        self.enqueue(Selection::Unscored, cause).await
    }

    /// Queues every open lead (the periodic rescoring pass); returns how many.
    pub async fn enqueue_open(&self, cause: &str) -> Result<u64, StoreError> {
        self.enqueue(Selection::Open, cause).await
    }

    async fn enqueue(&self, selection: Selection, cause: &str) -> Result<u64, StoreError> {
        let op = "queue leads for rescoring";
        write_tx!(self.store, op, |tx| {
            let n = enqueue(tx, self.store.backend(), selection, cause).await?;
            Ok(n)
        })
    }

    /// How many leads wait, and since when the longest has.
    pub async fn depth(&self) -> Result<QueueDepth, StoreError> {
        let op = "measure the rescoring queue";
        let row =
            sqlx::query("SELECT COUNT(*) AS leads, MIN(queued_at) AS oldest FROM rescore_queue")
                .fetch_one(self.store.pool())
                .await
                .map_err(StoreError::query(op))?;
        let c = Cells::new(&row, "rescore_queue", &[]);
        Ok(QueueDepth {
            leads: crate::sql::count(c.required_int("leads")?),
            oldest: c.timestamp_opt("oldest")?,
        })
    }

    /// Every queued lead, oldest first (for tests and diagnostics; the worker
    /// reads the head of the queue inside its snapshot).
    pub async fn peek(&self, limit: usize) -> Result<Vec<QueuedLead>, StoreError> {
        let mut conn = self.store.acquire("read the rescoring queue").await?;
        peek(&mut conn, self.store.backend(), limit).await
    }
}
