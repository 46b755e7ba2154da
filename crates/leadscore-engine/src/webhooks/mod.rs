//! Webhooks: lead events (`lead.sales_ready`, `lead.grade_changed`) POSTed to
//! the endpoints an admin configured, from a transactional outbox.
//!
//! # How events flow
//!
//! The rescoring transaction writes each event into `events` and one
//! `deliveries` row per endpoint subscribed to its type
//! ([`WebhookConfig::subscribers`]; the outbox): an event is queued if and only if the change it reports commits, so
//! none is lost in a crash. A [`Deliverer`] (one per service instance) then
//! sends due deliveries: it *claims* each row with a conditional `UPDATE`
//! (several instances on one PostgreSQL database never send one delivery
//! together), POSTs it, and records the outcome. A `2xx` answer marks the
//! delivery done; anything else (another status, a timeout, a refused
//! connection) is retried with exponential backoff and jitter, up to
//! [`DeliverySettings::max_attempts`]; then the delivery is marked failed, kept
//! for inspection ([`list_deliveries`]) and never retried automatically.
//!
//! Deliveries to one endpoint go in event order (`events.created_at`, then the
//! event id): while an endpoint's oldest undelivered event waits for a retry, no
//! later event is sent to it (their `next_attempt_at` is pushed to that retry's
//! time). A delivery that finally fails stops blocking the ones behind it; so a
//! receiver that was down longer than the retries last may get later events
//! without the failed one (re-send it by hand). Order holds for events by their
//! `created_at`; an event committed later with an earlier `created_at` is sent
//! when its turn is found. Redirects are not followed (a `3xx` is a failure).
//!
//! # Receiver's guide
//!
//! Each delivery is an HTTP `POST` to the endpoint's URL whose body is the
//! event's JSON document, with these headers:
//!
//! | Header | Value |
//! |---|---|
//! | `Content-Type` | `application/json` |
//! | `X-Leadscore-Event` | the event type: `lead.sales_ready` or `lead.grade_changed` |
//! | `X-Leadscore-Delivery` | the event id, the same on every retry |
//! | `X-Leadscore-Timestamp` | the time of this attempt, whole seconds since the Unix epoch |
//! | `X-Leadscore-Signature` | `v1=` + lowercase hex HMAC-SHA256 (see below); two, separated by `, `, for 24 hours after the secret is replaced |
//!
//! **Verify the signature** before trusting a request: compute HMAC-SHA256 keyed
//! with the endpoint's secret (its UTF-8 bytes) over the bytes of the
//! `X-Leadscore-Timestamp` value, a `.`, and the raw request body exactly as
//! received (before any JSON parsing), hex-encode it, prefix `v1=`, and compare
//! with each signature `X-Leadscore-Signature` lists (split on `,`, trimmed)
//! in constant time: one must match. Reject timestamps far from
//! your clock (say more than 5 minutes): each attempt is signed afresh with its
//! own time, so a legitimate retry is never stale. In Python:
//!
//! ```text
//! expected = "v1=" + hmac.new(secret.encode(), f"{ts}.".encode() + body, hashlib.sha256).hexdigest()
//! ok = any(hmac.compare_digest(expected, s.strip())
//!          for s in request.headers["X-Leadscore-Signature"].split(","))
//! ```
//!
//! **Secrets are write-only and rotate without a gap.** `GET /v1/webhooks`
//! never shows them. To rotate, `PUT` the endpoint with its new secret (an
//! endpoint sent without one keeps its secret): for the next 24 hours
//! ([`SECRET_OVERLAP`]) every delivery carries two signatures, the new
//! secret's and the old one's, so the receiver can switch to the new secret
//! at any time in that window.
//!
//! In Rust, [`sign::verify`] does the same.
//!
//! **Deduplicate on `X-Leadscore-Delivery`**: the event id is the idempotency
//! key. Delivery is at least once: a receiver that processed a request but
//! answered too late (after [`DeliverySettings::timeout`]), or whose answer was
//! lost, or a service instance that crashed between sending and recording,
//! causes the same event to be sent again with the same id. In normal operation
//! each event reaches each endpoint once. The id is also the body's
//! `event_id`. Record it in the same transaction as the event's effect, and
//! skip an event whose id is already recorded:
//!
//! ```text
//! BEGIN;
//! INSERT INTO leadscore_events (event_id) VALUES (:id) ON CONFLICT DO NOTHING;
//! -- 0 rows inserted: seen before; COMMIT and answer 200 without acting.
//! -- 1 row inserted: act on the event (hand the lead to a seller), COMMIT, answer 200.
//! ```
//!
//! **Answer `2xx` quickly** (within the timeout, 5 s by default), doing slow work
//! after answering; any other answer is retried. Response bodies are ignored.

mod config;
pub mod deliver;
mod settings;
pub mod sign;
mod status;

use thiserror::Error;

use crate::refusal::Problem;

pub use config::{
    EndpointRequest, EndpointView, SECRET_OVERLAP, WebhookConfig, WebhookEndpoint, WebhookRequest,
    WebhookView, load_config, save_config,
};
pub use deliver::{Deliverer, DeliveryRound};
pub use settings::DeliverySettings;
pub use status::{DeliveryCounts, DeliveryState, DeliveryStatus, list_deliveries, pending};

/// Why a webhook operation failed. Messages hold no secret, no URL and no
/// event payload.
#[derive(Debug, Error)]
pub enum WebhookError {
    /// The store failed.
    #[error(transparent)]
    Store(#[from] leadscore_store::StoreError),
    /// The stored webhooks configuration cannot be read.
    #[error("the stored webhooks configuration is unusable: {reason}")]
    BadConfig {
        /// Why.
        reason: String,
    },
    /// A webhooks configuration to save is invalid.
    #[error(
        "the webhooks configuration is invalid: {}",
        Problem::summary(problems)
    )]
    Invalid {
        /// Every problem found, by field.
        problems: Vec<Problem>,
    },
    /// Delivery settings are invalid.
    #[error(
        "the webhook delivery settings are invalid: {}",
        Problem::summary(problems)
    )]
    BadSettings {
        /// Every problem found, by field.
        problems: Vec<Problem>,
    },
    /// The HTTP client could not be built.
    #[error("cannot build the webhook HTTP client: {source}")]
    Client {
        /// reqwest's error.
        source: reqwest::Error,
    },
}
