//! The rescoring queue: the leads whose scores a write may have changed,
//! queued in that write's transaction.
//!
//! Every statement that queues leads sets a new random `token` on each row it
//! inserts or touches. A rescoring worker reads the queue and the leads'
//! records from one snapshot, scores them without holding the write lock,
//! then claims each lead only if its token is still the one it read
//! ([`claim_sql`]). A write that landed in between changed the token: the
//! lead stays queued and the next round scores it with that write.

use leadscore_domain::Timestamp;
use rand::RngCore;
use sqlx::{AnyConnection, AssertSqlSafe};

use crate::{Backend, StoreError, placeholders};

/// A new queue token (random, 64 bits).
pub fn new_token() -> i64 {
    i64::from_ne_bytes(rand::rng().next_u64().to_ne_bytes())
}

/// `INSERT ... SELECT` that queues the leads `selection` (a `WHERE` condition
/// over `leads`) picks, binding cause (text), queued-at and token (integers)
/// before any parameters of `selection`. A lead already queued keeps its
/// place in line and gets the new token.
pub fn enqueue_sql(selection: &str) -> String {
    format!(
        "INSERT INTO rescore_queue (lead_id, cause, queued_at, token) \
         SELECT lead_id, ?, ?, ? FROM leads WHERE {selection} \
         ON CONFLICT (lead_id) DO UPDATE SET token = excluded.token"
    )
}

/// `DELETE` of the `rows` queued leads whose tokens are unchanged, returning
/// their ids: binds each lead id then its token.
pub fn claim_sql(backend: Backend, rows: usize) -> String {
    let pairs = vec!["(?, ?)"; rows].join(", ");
    placeholders(
        backend,
        &format!(
            "DELETE FROM rescore_queue WHERE (lead_id, token) IN (VALUES {pairs}) \
             RETURNING lead_id"
        ),
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
pub fn restamp_sql(backend: Backend, rows: usize) -> String {
    let pairs = vec!["(?, ?)"; rows].join(", ");
    placeholders(
        backend,
        &format!(
            "UPDATE rescore_queue SET queued_at = ? \
             WHERE queued_at < ? AND (lead_id, queued_at) IN (VALUES {pairs}) \
             RETURNING lead_id"
        ),
    )
}

/// Queues the leads `selection` picks (no parameters); returns how many rows
/// were queued or touched.
pub async fn enqueue_where(
    conn: &mut AnyConnection,
    backend: Backend,
    selection: &str,
    cause: &str,
) -> Result<u64, StoreError> {
    let sql = placeholders(backend, &enqueue_sql(selection));
    Ok(sqlx::query(AssertSqlSafe(sql))
        .bind(cause)
        .bind(Timestamp::now().as_micros())
        .bind(new_token())
        .execute(&mut *conn)
        .await
        .map_err(StoreError::query("queue leads for rescoring"))?
        .rows_affected())
}
