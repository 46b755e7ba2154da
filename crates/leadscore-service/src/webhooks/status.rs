//! Where deliveries stand, for admins and monitoring: [`pending`] counts them
//! by state, [`list_deliveries`] lists the most recent ones.

use crate::time::rfc3339_opt as time;
use leadscore_store::{Backend, placeholders};
use serde::{Deserialize, Serialize};
use sqlx::{AnyPool, AssertSqlSafe, Row};
use utoipa::ToSchema;

use super::WebhookError;

/// How many deliveries are in each state.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, ToSchema)]
pub struct DeliveryCounts {
    /// Neither delivered nor failed: due, claimed, or waiting for a retry.
    pub pending: u64,
    /// Answered with a `2xx`.
    pub delivered: u64,
    /// Given up (out of attempts, endpoint removed, event missing).
    pub failed: u64,
}

/// Where a delivery stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum DeliveryState {
    /// Not delivered yet; will be tried (again).
    Pending,
    /// Answered with a `2xx`.
    Delivered,
    /// Given up; never retried automatically.
    Failed,
}

/// One delivery, for admins. Times are RFC 3339 in UTC.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct DeliveryStatus {
    /// The event id (the `X-Leadscore-Delivery` header).
    pub event_id: String,
    /// The event type.
    #[schema(example = "lead.sales_ready")]
    pub event_type: String,
    /// The endpoint's name.
    pub endpoint: String,
    /// Where the delivery stands.
    pub state: DeliveryState,
    /// Requests sent so far.
    pub attempts: u32,
    /// When the event was recorded.
    pub created_at: Option<String>,
    /// When the next attempt is due (pending deliveries only).
    pub next_attempt_at: Option<String>,
    /// When a receiver answered `2xx`.
    pub delivered_at: Option<String>,
    /// When the delivery was given up.
    pub failed_at: Option<String>,
    /// Why the last failed attempt failed (`HTTP 503`, `timeout`, `connection
    /// failed (connection refused)`, `endpoint removed`); never a response body.
    pub last_error: Option<String>,
}

/// Counts deliveries by state (for `/metrics` and `/readyz`).
pub async fn pending(pool: &AnyPool, backend: Backend) -> Result<DeliveryCounts, WebhookError> {
    let operation = "count webhook deliveries";
    let sql = placeholders(
        backend,
        "SELECT COUNT(CASE WHEN delivered_at IS NULL AND failed_at IS NULL THEN 1 END), \
         COUNT(delivered_at), \
         COUNT(CASE WHEN delivered_at IS NULL AND failed_at IS NOT NULL THEN 1 END) \
         FROM deliveries",
    );
    let row = sqlx::query(AssertSqlSafe(sql))
        .fetch_one(pool)
        .await
        .map_err(WebhookError::query(operation))?;
    let count = |i: usize| -> Result<u64, WebhookError> {
        let n: i64 = row.try_get(i).map_err(WebhookError::query(operation))?;
        Ok(u64::try_from(n).unwrap_or(0))
    };
    Ok(DeliveryCounts {
        pending: count(0)?,
        delivered: count(1)?,
        failed: count(2)?,
    })
}

/// The `limit` most recent deliveries (by event time, newest first), in every
/// state. Deliveries whose event row is gone are not listed.
pub async fn list_deliveries(
    pool: &AnyPool,
    backend: Backend,
    limit: u32,
) -> Result<Vec<DeliveryStatus>, WebhookError> {
    let operation = "list webhook deliveries";
    let sql = placeholders(
        backend,
        "SELECT d.event_id, e.event_type, d.endpoint, d.attempts, e.created_at, d.next_attempt_at, \
         d.delivered_at, d.failed_at, d.last_error \
         FROM deliveries d JOIN events e ON e.event_id = d.event_id \
         ORDER BY e.created_at DESC, d.event_id DESC, d.endpoint LIMIT ?",
    );
    let rows = sqlx::query(AssertSqlSafe(sql))
        .bind(i64::from(limit))
        .fetch_all(pool)
        .await
        .map_err(WebhookError::query(operation))?;
    let mut out = Vec::with_capacity(rows.len());
    for row in rows {
        let get_err = WebhookError::query(operation);
        let decoded: Result<_, sqlx::Error> = (|| {
            Ok((
                row.try_get::<String, _>(0)?,
                row.try_get::<String, _>(1)?,
                row.try_get::<String, _>(2)?,
                row.try_get::<i64, _>(3)?,
                row.try_get::<i64, _>(4)?,
                row.try_get::<i64, _>(5)?,
                row.try_get::<Option<i64>, _>(6)?,
                row.try_get::<Option<i64>, _>(7)?,
                row.try_get::<Option<String>, _>(8)?,
            ))
        })();
        let (event_id, event_type, endpoint, attempts, created, next, delivered, failed, error) =
            decoded.map_err(get_err)?;
        let state = match (delivered, failed) {
            (Some(_), _) => DeliveryState::Delivered,
            (None, Some(_)) => DeliveryState::Failed,
            (None, None) => DeliveryState::Pending,
        };
        out.push(DeliveryStatus {
            event_id,
            event_type,
            endpoint,
            state,
            attempts: u32::try_from(attempts).unwrap_or(u32::MAX),
            created_at: time(Some(created)),
            next_attempt_at: (state == DeliveryState::Pending)
                .then(|| time(Some(next)))
                .flatten(),
            delivered_at: time(delivered),
            failed_at: time(failed),
            last_error: error,
        });
    }
    Ok(out)
}
