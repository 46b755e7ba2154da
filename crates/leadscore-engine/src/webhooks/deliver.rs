//! Sending queued deliveries: claim, POST, record; retries with backoff.
//!
//! A [`Deliverer`] works in rounds ([`Deliverer::deliver_due`]). Each round
//! finds the endpoints whose oldest undelivered event is due (not waiting for a
//! retry, not claimed by another instance), then for each such endpoint, all
//! endpoints concurrently, walks its queue in event order: claim the delivery
//! (a conditional `UPDATE` that succeeds for one instance only), POST it, record
//! the outcome; go on with the next one after a success, stop at the first
//! retry (and postpone the endpoint's other deliveries to that retry, so that
//! a backlog behind a failing endpoint costs later rounds nothing).
//!
//! A claim is a lease ([`DeliverySettings::lease`]) taken for one delivery at
//! a time: an instance that dies mid-send delays that delivery by at most the
//! lease, after which another instance sends it again (the
//! receiver sees the same `X-Leadscore-Delivery` twice).

use std::sync::Arc;
use std::time::Duration;

use leadscore_domain::{EventType, Timestamp};
use leadscore_store::{Failure, SqlStore};
use serde::Serialize;
use tokio::sync::{Notify, watch};

use super::WebhookError;
use super::config::{WebhookEndpoint, load_config};
use super::settings::{DeliverySettings, random_unit};
use super::sign::{HEADER_DELIVERY, HEADER_EVENT, HEADER_SIGNATURE, HEADER_TIMESTAMP, sign};

/// `last_error` of a delivery whose endpoint is no longer configured.
const ENDPOINT_REMOVED: &str = "endpoint removed";

/// `last_error` of a delivery whose event row is gone.
const EVENT_MISSING: &str = "event missing";

/// The longest wait between rounds after database errors.
const MAX_ERROR_WAIT: Duration = Duration::from_secs(30);

/// What one round did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct DeliveryRound {
    /// Requests sent.
    pub attempted: u64,
    /// Deliveries answered with a `2xx`.
    pub delivered: u64,
    /// Deliveries that failed and wait for a retry.
    pub retrying: u64,
    /// Deliveries marked failed: out of attempts, endpoint removed, or event
    /// missing.
    pub failed: u64,
}

impl DeliveryRound {
    fn add(&mut self, other: Self) {
        self.attempted += other.attempted;
        self.delivered += other.delivered;
        self.retrying += other.retrying;
        self.failed += other.failed;
    }
}

/// How one attempt ended.
enum Outcome {
    /// A `2xx`, with its status code.
    Delivered(u16),
    /// Anything else, described without response bodies or URLs.
    Failed(String),
}

/// Sends queued deliveries; one per service instance (several may share a
/// PostgreSQL database).
#[derive(Debug)]
pub struct Deliverer {
    store: SqlStore,
    settings: DeliverySettings,
    client: reqwest::Client,
}

impl Deliverer {
    /// A deliverer on the store (its writes take their turn with the
    /// store's other writers). Fails when the settings are invalid
    /// ([`DeliverySettings::validate`]) or the HTTP client cannot be built.
    /// Redirects are not followed; the system's proxy settings apply.
    pub fn new(store: SqlStore, settings: DeliverySettings) -> Result<Self, WebhookError> {
        settings
            .validate()
            .map_err(|problems| WebhookError::BadSettings { problems })?;
        let client = reqwest::Client::builder()
            .timeout(settings.timeout)
            .connect_timeout(settings.timeout)
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("leadscore-webhooks/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|source| WebhookError::Client { source })?;
        Ok(Self {
            store,
            settings,
            client,
        })
    }

    /// The settings in use.
    pub fn settings(&self) -> &DeliverySettings {
        &self.settings
    }

    /// Delivers until `shutdown` holds `true` (or its sender is dropped): runs
    /// a round, then at once another if the last one made progress, otherwise
    /// waits for `wake` (call `notify_one` after committing events), the poll
    /// interval or shutdown. After database errors it waits longer each time,
    /// up to 30 s. On shutdown, requests in flight finish and are recorded, no
    /// new one starts, and this returns.
    pub async fn run(self, wake: Arc<Notify>, mut shutdown: watch::Receiver<bool>) {
        tracing::info!(backend = %self.store.backend(), "webhook deliverer started");
        let mut errors: u32 = 0;
        loop {
            if *shutdown.borrow() {
                break;
            }
            let wait = match self.round(Some(&shutdown)).await {
                Ok(round) => {
                    errors = 0;
                    if round.delivered > 0 || round.failed > 0 {
                        Duration::ZERO
                    } else {
                        self.settings.poll
                    }
                }
                Err(e) => {
                    errors = errors.saturating_add(1);
                    tracing::warn!(error = %e, consecutive = errors, "webhook delivery round failed");
                    let factor = 1u32.checked_shl(errors.min(16)).unwrap_or(u32::MAX);
                    self.settings
                        .poll
                        .saturating_mul(factor)
                        .min(MAX_ERROR_WAIT)
                        .max(self.settings.poll)
                }
            };
            if wait.is_zero() {
                tokio::task::yield_now().await;
                continue;
            }
            tokio::select! {
                () = wake.notified() => {}
                () = tokio::time::sleep(wait) => {}
                changed = shutdown.changed() => {
                    if changed.is_err() {
                        break;
                    }
                }
            }
        }
        tracing::info!("webhook deliverer stopped");
    }

    /// One round: sends what is due now (see the [module documentation](crate::webhooks::deliver))
    /// and returns what it did.
    pub async fn deliver_due(&self) -> Result<DeliveryRound, WebhookError> {
        self.round(None).await
    }

    async fn round(
        &self,
        stop: Option<&watch::Receiver<bool>>,
    ) -> Result<DeliveryRound, WebhookError> {
        let endpoints = self
            .store
            .outbox()
            .due_endpoints(Timestamp::now(), self.settings.batch)
            .await?;
        if endpoints.is_empty() {
            return Ok(DeliveryRound::default());
        }
        // Read after the deliveries, so it is at least as new as the
        // configuration that queued them.
        let config = load_config(&self.store).await?;
        let results = futures_util::future::join_all(
            endpoints
                .iter()
                .map(|name| self.serve_endpoint(name, config.endpoint(name), stop)),
        )
        .await;
        let mut round = DeliveryRound::default();
        let mut first_error = None;
        for result in results {
            match result {
                Ok(r) => round.add(r),
                Err(e) => {
                    if first_error.is_some() {
                        tracing::warn!(error = %e, "webhook delivery failed");
                    } else {
                        first_error = Some(e);
                    }
                }
            }
        }
        match first_error {
            Some(e) => Err(e),
            None => Ok(round),
        }
    }

    /// Sends one endpoint's due deliveries in event order, stopping at the
    /// first one that must wait (for a retry, or for another instance).
    async fn serve_endpoint(
        &self,
        name: &str,
        endpoint: Option<&WebhookEndpoint>,
        stop: Option<&watch::Receiver<bool>>,
    ) -> Result<DeliveryRound, WebhookError> {
        let mut round = DeliveryRound::default();
        let Some(endpoint) = endpoint else {
            let dropped = self
                .store
                .outbox()
                .drop_endpoint(name, ENDPOINT_REMOVED)
                .await?;
            if dropped > 0 {
                tracing::warn!(
                    endpoint = name,
                    deliveries = dropped,
                    "webhook endpoint removed from the configuration: its pending deliveries are marked failed"
                );
            }
            round.failed += dropped;
            return Ok(round);
        };
        let outbox = self.store.outbox();
        let queue = outbox.pending_for(name, self.settings.batch).await?;
        for queued in queue {
            if stop.is_some_and(|s| *s.borrow()) {
                break;
            }
            let now = Timestamp::now();
            if queued.next_attempt_at > now || queued.claimed_until.is_some_and(|c| c >= now) {
                break;
            }
            let lease_end = now.plus(self.settings.lease);
            let Some(attempts) = outbox.claim(&queued.event_id, name, now, lease_end).await? else {
                // Another instance has it (or it changed since it was read):
                // leave this endpoint to it, keeping the order.
                break;
            };
            let Some((event_type, payload)) = &queued.event else {
                outbox
                    .drop_claimed(&queued.event_id, name, lease_end, EVENT_MISSING)
                    .await?;
                tracing::warn!(event_id = %queued.event_id, endpoint = name, "webhook event missing: delivery marked failed");
                round.failed += 1;
                continue;
            };
            round.attempted += 1;
            let attempt = attempts.saturating_add(1);
            match self
                .post(endpoint, &queued.event_id, *event_type, payload)
                .await
            {
                Outcome::Delivered(status) => {
                    outbox.delivered(&queued.event_id, name).await?;
                    tracing::info!(
                        event_id = %queued.event_id,
                        endpoint = name,
                        event_type = %event_type,
                        status,
                        attempt,
                        "webhook delivered"
                    );
                    round.delivered += 1;
                }
                Outcome::Failed(error) => {
                    if self
                        .record_failure(&queued.event_id, name, attempt, &error, lease_end)
                        .await?
                    {
                        round.failed += 1;
                    } else {
                        round.retrying += 1;
                        break;
                    }
                }
            }
        }
        Ok(round)
    }

    /// POSTs one delivery; never reads the response body.
    async fn post(
        &self,
        endpoint: &WebhookEndpoint,
        event_id: &str,
        event_type: EventType,
        payload: &str,
    ) -> Outcome {
        let now = Timestamp::now();
        let timestamp = now.as_seconds();
        // One signature per secret in use: two while a rotation overlaps.
        let signature = endpoint
            .signing_secrets(now)
            .map(|secret| sign(secret, timestamp, payload.as_bytes()))
            .collect::<Vec<_>>()
            .join(", ");
        let sent = self
            .client
            .post(endpoint.url.as_str())
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .header(HEADER_EVENT, event_type.as_str())
            .header(HEADER_DELIVERY, event_id)
            .header(HEADER_TIMESTAMP, timestamp.to_string())
            .header(HEADER_SIGNATURE, signature)
            .body(payload.to_owned())
            .send()
            .await;
        match sent {
            Ok(response) if response.status().is_success() => {
                Outcome::Delivered(response.status().as_u16())
            }
            Ok(response) => Outcome::Failed(format!("HTTP {}", response.status().as_u16())),
            Err(e) => Outcome::Failed(describe(&e)),
        }
    }

    /// Records a failed attempt (the `attempt`-th): schedules a retry, or
    /// gives up after the last attempt (then returns `true`).
    async fn record_failure(
        &self,
        event_id: &str,
        endpoint: &str,
        attempt: u32,
        error: &str,
        lease_end: Timestamp,
    ) -> Result<bool, WebhookError> {
        let now = Timestamp::now();
        let give_up = attempt >= self.settings.max_attempts;
        let (failure, at) = if give_up {
            (Failure::GiveUp, now)
        } else {
            let delay = self.settings.backoff(attempt, 0.5 + random_unit() / 2.0);
            let at = now.plus(delay);
            (Failure::RetryAt(at), at)
        };
        let updated = self
            .store
            .outbox()
            .failed(event_id, endpoint, attempt, error, failure, lease_end)
            .await?;
        if !updated {
            tracing::warn!(
                event_id,
                endpoint,
                error,
                attempt,
                "webhook delivery failed, but its claim had expired: another instance retries it"
            );
        } else if give_up {
            tracing::error!(
                event_id,
                endpoint,
                error,
                attempts = attempt,
                "webhook delivery failed for good"
            );
        } else {
            tracing::warn!(
                event_id,
                endpoint,
                error,
                attempt,
                retry_in_ms = (at.as_micros() - now.as_micros()) / 1000,
                "webhook delivery failed; will retry"
            );
        }
        Ok(give_up && updated)
    }
}

/// What went wrong with a request, by kind only: reqwest's own message may
/// hold the URL, whose query string may hold a token.
fn describe(e: &reqwest::Error) -> String {
    let kind = if e.is_timeout() {
        "timeout"
    } else if e.is_connect() {
        "connection failed"
    } else if e.is_redirect() {
        "redirect"
    } else if e.is_builder() {
        "invalid request"
    } else if e.is_body() {
        "body error"
    } else {
        "request failed"
    };
    // The underlying I/O error's kind (`connection refused`, ...), if any.
    let mut source = std::error::Error::source(e);
    while let Some(inner) = source {
        if let Some(io) = inner.downcast_ref::<std::io::Error>() {
            return format!("{kind} ({})", io.kind());
        }
        source = inner.source();
    }
    kind.to_owned()
}
