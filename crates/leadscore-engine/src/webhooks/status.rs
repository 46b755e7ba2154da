//! Where deliveries stand, for admins and monitoring: [`pending`] counts them
//! by state, [`list_deliveries`] lists the most recent ones.

use leadscore_domain::{EventType, Timestamp};
use leadscore_store::SqlStore;
use serde::{Deserialize, Serialize};
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
    pub event_type: EventType,
    /// The endpoint's name.
    pub endpoint: String,
    /// Where the delivery stands.
    pub state: DeliveryState,
    /// Requests sent so far.
    pub attempts: u32,
    /// When the event was recorded.
    pub created_at: Option<Timestamp>,
    /// When the next attempt is due (pending deliveries only).
    pub next_attempt_at: Option<Timestamp>,
    /// When a receiver answered `2xx`.
    pub delivered_at: Option<Timestamp>,
    /// When the delivery was given up.
    pub failed_at: Option<Timestamp>,
    /// Why the last failed attempt failed (`HTTP 503`, `timeout`, `connection
    /// failed (connection refused)`, `endpoint removed`); never a response body.
    pub last_error: Option<String>,
}

/// Counts deliveries by state (for `/metrics`).
pub async fn pending(store: &SqlStore) -> Result<DeliveryCounts, WebhookError> {
    let t = store.outbox().tally().await?;
    Ok(DeliveryCounts {
        pending: t.pending,
        delivered: t.delivered,
        failed: t.failed,
    })
}

/// The `limit` most recent deliveries (by event time, newest first), in every
/// state. Deliveries whose event row is gone are not listed.
pub async fn list_deliveries(
    store: &SqlStore,
    limit: u32,
) -> Result<Vec<DeliveryStatus>, WebhookError> {
    Ok(store
        .outbox()
        .recent(limit)
        .await?
        .into_iter()
        .map(|row| {
            let state = match (row.delivered_at, row.failed_at) {
                (Some(_), _) => DeliveryState::Delivered,
                (None, Some(_)) => DeliveryState::Failed,
                (None, None) => DeliveryState::Pending,
            };
            DeliveryStatus {
                event_id: row.event_id,
                event_type: row.event_type,
                endpoint: row.endpoint,
                state,
                attempts: row.attempts,
                created_at: Some(row.created_at),
                next_attempt_at: (state == DeliveryState::Pending).then_some(row.next_attempt_at),
                delivered_at: row.delivered_at,
                failed_at: row.failed_at,
                last_error: row.last_error,
            }
        })
        .collect())
}
