//! The transactional outbox: lead events (`events`), written in the same
//! transaction as the change they report, and one delivery per event and
//! subscribed webhook endpoint (`deliveries`), which a deliverer claims
//! (a lease, so that of several instances one sends it), sends and records.

use leadscore_domain::{EventType, LeadId, Timestamp};
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, AssertSqlSafe};

use crate::sql::{Cells, count, int, placeholders};
use crate::{Backend, SqlStore, StoreError};

/// An event to write with its deliveries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewEvent {
    /// Its id (sent as `X-Leadscore-Delivery`).
    pub event_id: String,
    /// Its type.
    pub event_type: EventType,
    /// The lead it is about.
    pub lead_id: LeadId,
    /// One event per transition: a second event with the same key is not
    /// written, however often the transition is computed.
    pub dedupe_key: String,
    /// The JSON document sent.
    pub payload: String,
    /// When it was recorded.
    pub created_at: Timestamp,
    /// The endpoints subscribed to its type: one delivery each.
    pub endpoints: Vec<String>,
}

/// A pending delivery, as an endpoint's queue holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingDelivery {
    /// The event's id.
    pub event_id: String,
    /// When it is due.
    pub next_attempt_at: Timestamp,
    /// Claimed by a deliverer until then.
    pub claimed_until: Option<Timestamp>,
    /// The event's type and payload; `None` when the event row is gone.
    pub event: Option<(EventType, String)>,
}

/// How many deliveries are in each state.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DeliveryTally {
    /// Neither delivered nor failed.
    pub pending: u64,
    /// Answered with a `2xx`.
    pub delivered: u64,
    /// Given up.
    pub failed: u64,
}

/// One delivery, as recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeliveryRow {
    /// The event's id.
    pub event_id: String,
    /// The event's type.
    pub event_type: EventType,
    /// The endpoint's name.
    pub endpoint: String,
    /// Requests sent so far.
    pub attempts: u32,
    /// When the event was recorded.
    pub created_at: Timestamp,
    /// When the next attempt is due.
    pub next_attempt_at: Timestamp,
    /// When a receiver answered `2xx`.
    pub delivered_at: Option<Timestamp>,
    /// When the delivery was given up.
    pub failed_at: Option<Timestamp>,
    /// Why the last failed attempt failed.
    pub last_error: Option<String>,
    /// Claimed by a deliverer until then.
    pub claimed_until: Option<Timestamp>,
}

/// The columns of a [`DeliveryRow`], from `deliveries d JOIN events e`.
const DELIVERY_COLUMNS: &str = "d.event_id AS event_id, e.event_type AS event_type, \
    d.endpoint AS endpoint, d.attempts AS attempts, e.created_at AS created_at, \
    d.next_attempt_at AS next_attempt_at, d.delivered_at AS delivered_at, \
    d.failed_at AS failed_at, d.last_error AS last_error, d.claimed_until AS claimed_until";

/// How a failed attempt is recorded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Failure {
    /// Tried again at this time; the endpoint's later deliveries wait for it.
    RetryAt(Timestamp),
    /// Given up.
    GiveUp,
}

/// Writes events (once per dedupe key) and their deliveries, in the caller's
/// transaction; returns how many events were new.
pub(crate) async fn insert_events(
    conn: &mut AnyConnection,
    backend: Backend,
    events: &[&NewEvent],
) -> Result<usize, StoreError> {
    let insert_event = placeholders(
        backend,
        "INSERT INTO events (event_id, event_type, lead_id, dedupe_key, payload, created_at) \
         VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (dedupe_key) DO NOTHING",
    );
    let insert_delivery = placeholders(
        backend,
        "INSERT INTO deliveries (event_id, endpoint, attempts, next_attempt_at) VALUES (?, ?, 0, ?) \
         ON CONFLICT (event_id, endpoint) DO NOTHING",
    );
    let mut new = 0;
    for event in events {
        let inserted = sqlx::query(AssertSqlSafe(insert_event.as_str()))
            .bind(event.event_id.as_str())
            .bind(event.event_type.as_str())
            .bind(event.lead_id.as_str())
            .bind(event.dedupe_key.as_str())
            .bind(event.payload.as_str())
            .bind(event.created_at.as_micros())
            .execute(&mut *conn)
            .await
            .map_err(StoreError::query("write an event"))?
            .rows_affected();
        if inserted == 0 {
            continue;
        }
        new += 1;
        for endpoint in &event.endpoints {
            sqlx::query(AssertSqlSafe(insert_delivery.as_str()))
                .bind(event.event_id.as_str())
                .bind(endpoint.as_str())
                .bind(event.created_at.as_micros())
                .execute(&mut *conn)
                .await
                .map_err(StoreError::query("queue webhook deliveries"))?;
        }
    }
    Ok(new)
}

fn micros(t: Timestamp) -> i64 {
    t.as_micros()
}

/// The outbox (see the [module documentation](self)).
#[derive(Debug, Clone, Copy)]
pub struct Outbox<'a> {
    pub(crate) store: &'a SqlStore,
}

impl Outbox<'_> {
    /// Writes events with their deliveries in one transaction (the
    /// rescoring worker writes its events with its scores instead); returns
    /// how many were new.
    pub async fn insert(&self, events: &[&NewEvent]) -> Result<usize, StoreError> {
        let op = "write events";
        write_tx!(self.store, op, |tx| {
            let new = insert_events(tx, self.store.backend(), events).await?;
            Ok(new)
        })
    }

    /// The endpoints whose oldest pending delivery is due at `now` and not
    /// claimed, oldest event first, at most `limit`.
    pub async fn due_endpoints(
        &self,
        now: Timestamp,
        limit: usize,
    ) -> Result<Vec<String>, StoreError> {
        let op = "find due webhook deliveries";
        let rows = sqlx::query(AssertSqlSafe(placeholders(
            self.store.backend(),
            "SELECT d.endpoint AS endpoint FROM deliveries d \
             LEFT JOIN events e ON e.event_id = d.event_id \
             WHERE d.delivered_at IS NULL AND d.failed_at IS NULL AND d.next_attempt_at <= ? \
             AND (d.claimed_until IS NULL OR d.claimed_until < ?) \
             AND NOT EXISTS (SELECT 1 FROM deliveries p JOIN events pe ON pe.event_id = p.event_id \
               WHERE p.endpoint = d.endpoint AND p.delivered_at IS NULL AND p.failed_at IS NULL \
               AND (pe.created_at < e.created_at \
                    OR (pe.created_at = e.created_at AND p.event_id < d.event_id))) \
             ORDER BY e.created_at, d.event_id LIMIT ?",
        )))
        .bind(micros(now))
        .bind(micros(now))
        .bind(int(limit))
        .fetch_all(self.store.pool())
        .await
        .map_err(StoreError::query(op))?;
        let mut endpoints: Vec<String> = Vec::with_capacity(rows.len());
        for row in &rows {
            let name = Cells::new(row, "deliveries", &["endpoint"]).required_string("endpoint")?;
            if !endpoints.contains(&name) {
                endpoints.push(name);
            }
        }
        Ok(endpoints)
    }

    /// An endpoint's pending deliveries in event order, at most `limit`.
    pub async fn pending_for(
        &self,
        endpoint: &str,
        limit: usize,
    ) -> Result<Vec<PendingDelivery>, StoreError> {
        let op = "read an endpoint's webhook deliveries";
        let rows = sqlx::query(AssertSqlSafe(placeholders(
            self.store.backend(),
            "SELECT d.event_id AS event_id, d.next_attempt_at AS next_attempt_at, \
             d.claimed_until AS claimed_until, e.event_type AS event_type, e.payload AS payload \
             FROM deliveries d LEFT JOIN events e ON e.event_id = d.event_id \
             WHERE d.endpoint = ? AND d.delivered_at IS NULL AND d.failed_at IS NULL \
             ORDER BY e.created_at, d.event_id LIMIT ?",
        )))
        .bind(endpoint)
        .bind(int(limit))
        .fetch_all(self.store.pool())
        .await
        .map_err(StoreError::query(op))?;
        rows.iter()
            .map(|row| {
                let c = Cells::new(row, "deliveries", &["event_id"]);
                let event_type = c.parse_opt("event_type", EventType::parse)?;
                let payload = c.string("payload")?;
                Ok(PendingDelivery {
                    event_id: c.required_string("event_id")?,
                    next_attempt_at: c.timestamp("next_attempt_at")?,
                    claimed_until: c.timestamp_opt("claimed_until")?,
                    event: event_type.zip(payload),
                })
            })
            .collect()
    }

    /// Claims a delivery until `lease_end` if it is due at `now` and free;
    /// returns its attempts so far, or `None` when it is not (or no longer).
    pub async fn claim(
        &self,
        event_id: &str,
        endpoint: &str,
        now: Timestamp,
        lease_end: Timestamp,
    ) -> Result<Option<u32>, StoreError> {
        let op = "claim a webhook delivery";
        write_tx!(self.store, op, |tx| {
            let row = sqlx::query(AssertSqlSafe(placeholders(
                self.store.backend(),
                "UPDATE deliveries SET claimed_until = ? \
                 WHERE event_id = ? AND endpoint = ? AND delivered_at IS NULL AND failed_at IS NULL \
                 AND next_attempt_at <= ? AND (claimed_until IS NULL OR claimed_until < ?) \
                 RETURNING event_id, attempts",
            )))
            .bind(micros(lease_end))
            .bind(event_id)
            .bind(endpoint)
            .bind(micros(now))
            .bind(micros(now))
            .fetch_optional(&mut **tx)
            .await
            .map_err(StoreError::query(op))?;
            row.map(|row| {
                let n = Cells::new(&row, "deliveries", &["event_id"]).required_int("attempts")?;
                Ok(u32::try_from(n).unwrap_or(u32::MAX))
            })
            .transpose()
        })
    }

    /// Records a `2xx` answer.
    pub async fn delivered(&self, event_id: &str, endpoint: &str) -> Result<(), StoreError> {
        let op = "record a webhook delivery";
        write_tx!(self.store, op, |tx| {
            sqlx::query(AssertSqlSafe(placeholders(
                self.store.backend(),
                "UPDATE deliveries SET delivered_at = ?, attempts = attempts + 1, \
                 claimed_until = NULL WHERE event_id = ? AND endpoint = ? AND delivered_at IS NULL",
            )))
            .bind(Timestamp::now().as_micros())
            .bind(event_id)
            .bind(endpoint)
            .execute(&mut **tx)
            .await
            .map_err(StoreError::query(op))?;
            Ok(())
        })
    }

    /// Records the `attempts`-th failed attempt of a delivery this deliverer
    /// claimed until `lease_end`, with its error: a retry (the endpoint's
    /// other pending deliveries, due earlier, are postponed to it in the same
    /// transaction) or giving up. False when the claim had expired (another
    /// deliverer has it): nothing is recorded.
    pub async fn failed(
        &self,
        event_id: &str,
        endpoint: &str,
        attempts: u32,
        error: &str,
        failure: Failure,
        lease_end: Timestamp,
    ) -> Result<bool, StoreError> {
        let op = "record a failed webhook delivery";
        let backend = self.store.backend();
        let now = Timestamp::now();
        let (sql, at) = match failure {
            Failure::GiveUp => (
                "UPDATE deliveries SET attempts = ?, last_error = ?, failed_at = ?, \
                 claimed_until = NULL WHERE event_id = ? AND endpoint = ? AND claimed_until = ?",
                now,
            ),
            Failure::RetryAt(at) => (
                "UPDATE deliveries SET attempts = ?, last_error = ?, next_attempt_at = ?, \
                 claimed_until = NULL WHERE event_id = ? AND endpoint = ? AND claimed_until = ?",
                at,
            ),
        };
        write_tx!(self.store, op, |tx| {
            let updated = sqlx::query(AssertSqlSafe(placeholders(backend, sql)))
                .bind(i64::from(attempts))
                .bind(error)
                .bind(micros(at))
                .bind(event_id)
                .bind(endpoint)
                .bind(micros(lease_end))
                .execute(&mut **tx)
                .await
                .map_err(StoreError::query(op))?
                .rows_affected();
            if updated > 0 && matches!(failure, Failure::RetryAt(_)) {
                // The endpoint's later deliveries wait for this one anyway; making
                // them not due keeps them out of every round's search until then.
                sqlx::query(AssertSqlSafe(placeholders(
                    backend,
                    "UPDATE deliveries SET next_attempt_at = ? \
                     WHERE endpoint = ? AND delivered_at IS NULL AND failed_at IS NULL \
                     AND next_attempt_at < ? AND event_id <> ?",
                )))
                .bind(micros(at))
                .bind(endpoint)
                .bind(micros(at))
                .bind(event_id)
                .execute(&mut **tx)
                .await
                .map_err(StoreError::query(op))?;
            }
            Ok(updated > 0)
        })
    }

    /// Marks a delivery this deliverer claimed until `lease_end` failed
    /// without sending it, with `reason`.
    pub async fn drop_claimed(
        &self,
        event_id: &str,
        endpoint: &str,
        lease_end: Timestamp,
        reason: &str,
    ) -> Result<(), StoreError> {
        let op = "mark a webhook delivery failed";
        write_tx!(self.store, op, |tx| {
            sqlx::query(AssertSqlSafe(placeholders(
                self.store.backend(),
                "UPDATE deliveries SET failed_at = ?, last_error = ?, claimed_until = NULL \
                 WHERE event_id = ? AND endpoint = ? AND claimed_until = ?",
            )))
            .bind(Timestamp::now().as_micros())
            .bind(reason)
            .bind(event_id)
            .bind(endpoint)
            .bind(micros(lease_end))
            .execute(&mut **tx)
            .await
            .map_err(StoreError::query(op))?;
            Ok(())
        })
    }

    /// Marks every unclaimed pending delivery to an endpoint failed, with
    /// `reason`; returns how many.
    pub async fn drop_endpoint(&self, endpoint: &str, reason: &str) -> Result<u64, StoreError> {
        let op = "drop deliveries to a removed endpoint";
        let now = Timestamp::now().as_micros();
        write_tx!(self.store, op, |tx| {
            let dropped = sqlx::query(AssertSqlSafe(placeholders(
                self.store.backend(),
                "UPDATE deliveries SET failed_at = ?, last_error = ?, claimed_until = NULL \
                 WHERE endpoint = ? AND delivered_at IS NULL AND failed_at IS NULL \
                 AND (claimed_until IS NULL OR claimed_until < ?)",
            )))
            .bind(now)
            .bind(reason)
            .bind(endpoint)
            .bind(now)
            .execute(&mut **tx)
            .await
            .map_err(StoreError::query(op))?
            .rows_affected();
            Ok(dropped)
        })
    }

    /// How many deliveries are in each state.
    pub async fn tally(&self) -> Result<DeliveryTally, StoreError> {
        let row = sqlx::query(
            "SELECT COUNT(CASE WHEN delivered_at IS NULL AND failed_at IS NULL THEN 1 END) AS pending, \
             COUNT(delivered_at) AS delivered, \
             COUNT(CASE WHEN delivered_at IS NULL AND failed_at IS NOT NULL THEN 1 END) AS failed \
             FROM deliveries",
        )
        .fetch_one(self.store.pool())
        .await
        .map_err(StoreError::query("count webhook deliveries"))?;
        let c = Cells::new(&row, "deliveries", &[]);
        Ok(DeliveryTally {
            pending: count(c.required_int("pending")?),
            delivered: count(c.required_int("delivered")?),
            failed: count(c.required_int("failed")?),
        })
    }

    /// The `limit` most recent deliveries (by event time, newest first), in
    /// every state; deliveries whose event row is gone are not listed.
    pub async fn recent(&self, limit: u32) -> Result<Vec<DeliveryRow>, StoreError> {
        let rows = sqlx::query(AssertSqlSafe(placeholders(
            self.store.backend(),
            &format!(
                "SELECT {DELIVERY_COLUMNS} FROM deliveries d JOIN events e ON e.event_id = d.event_id \
                 ORDER BY e.created_at DESC, d.event_id DESC, d.endpoint LIMIT ?"
            ),
        )))
        .bind(i64::from(limit))
        .fetch_all(self.store.pool())
        .await
        .map_err(StoreError::query("list webhook deliveries"))?;
        rows.iter().map(delivery_of).collect()
    }

    /// One delivery, as recorded; `None` when there is no such delivery (or
    /// its event row is gone).
    pub async fn delivery(
        &self,
        event_id: &str,
        endpoint: &str,
    ) -> Result<Option<DeliveryRow>, StoreError> {
        let row = sqlx::query(AssertSqlSafe(placeholders(
            self.store.backend(),
            &format!(
                "SELECT {DELIVERY_COLUMNS} FROM deliveries d JOIN events e ON e.event_id = d.event_id \
                 WHERE d.event_id = ? AND d.endpoint = ?"
            ),
        )))
        .bind(event_id)
        .bind(endpoint)
        .fetch_optional(self.store.pool())
        .await
        .map_err(StoreError::query("read a webhook delivery"))?;
        row.as_ref().map(delivery_of).transpose()
    }

    /// An event's payload, as sent.
    pub async fn payload(&self, event_id: &str) -> Result<Option<String>, StoreError> {
        let row = sqlx::query(AssertSqlSafe(placeholders(
            self.store.backend(),
            "SELECT event_id, payload FROM events WHERE event_id = ?",
        )))
        .bind(event_id)
        .fetch_optional(self.store.pool())
        .await
        .map_err(StoreError::query("read an event"))?;
        row.map(|row| Cells::new(&row, "events", &["event_id"]).required_string("payload"))
            .transpose()
    }
}

fn delivery_of(row: &AnyRow) -> Result<DeliveryRow, StoreError> {
    let c = Cells::new(row, "deliveries", &["event_id", "endpoint"]);
    Ok(DeliveryRow {
        event_id: c.required_string("event_id")?,
        event_type: c.parse("event_type", EventType::parse)?,
        endpoint: c.required_string("endpoint")?,
        attempts: u32::try_from(c.required_int("attempts")?).unwrap_or(u32::MAX),
        created_at: c.timestamp("created_at")?,
        next_attempt_at: c.timestamp("next_attempt_at")?,
        delivered_at: c.timestamp_opt("delivered_at")?,
        failed_at: c.timestamp_opt("failed_at")?,
        last_error: c.string("last_error")?,
        claimed_until: c.timestamp_opt("claimed_until")?,
    })
}
