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

use leadscore_domain::Timestamp;
use leadscore_store::{Backend, SqlStore, placeholders};
use serde::Serialize;
use sqlx::{AssertSqlSafe, Row};
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

/// The statements of a deliverer, with the backend's placeholders.
#[derive(Debug)]
struct Statements {
    /// Endpoints whose oldest pending delivery is due and unclaimed:
    /// `(endpoint)`, binding now, now, limit.
    heads: String,
    /// One endpoint's pending deliveries in event order, binding endpoint,
    /// limit.
    queue: String,
    /// Claims a due, unclaimed delivery, returning its attempts: binding
    /// lease end, event id, endpoint, now, now.
    claim: String,
    /// Binding delivered at, event id, endpoint.
    delivered: String,
    /// Binding attempts, last error, next attempt at, event id, endpoint,
    /// our lease end.
    retry: String,
    /// Binding attempts, last error, failed at, event id, endpoint, our lease
    /// end.
    give_up: String,
    /// Postpones an endpoint's other pending deliveries to its retry: binding
    /// next attempt at, endpoint, next attempt at, the retried event id.
    postpone: String,
    /// Marks a claimed delivery failed without an attempt: binding failed at,
    /// last error, event id, endpoint, our lease end.
    drop_claimed: String,
    /// Marks every unclaimed pending delivery of an endpoint failed: binding
    /// failed at, last error, endpoint, now.
    drop_endpoint: String,
}

impl Statements {
    fn new(backend: Backend) -> Self {
        let p = |sql: &str| placeholders(backend, sql);
        Self {
            heads: p(
                "SELECT d.endpoint FROM deliveries d LEFT JOIN events e ON e.event_id = d.event_id \
                 WHERE d.delivered_at IS NULL AND d.failed_at IS NULL AND d.next_attempt_at <= ? \
                 AND (d.claimed_until IS NULL OR d.claimed_until < ?) \
                 AND NOT EXISTS (SELECT 1 FROM deliveries p JOIN events pe ON pe.event_id = p.event_id \
                   WHERE p.endpoint = d.endpoint AND p.delivered_at IS NULL AND p.failed_at IS NULL \
                   AND (pe.created_at < e.created_at \
                        OR (pe.created_at = e.created_at AND p.event_id < d.event_id))) \
                 ORDER BY e.created_at, d.event_id LIMIT ?",
            ),
            queue: p(
                "SELECT d.event_id, d.next_attempt_at, d.claimed_until, e.event_type, e.payload \
                 FROM deliveries d LEFT JOIN events e ON e.event_id = d.event_id \
                 WHERE d.endpoint = ? AND d.delivered_at IS NULL AND d.failed_at IS NULL \
                 ORDER BY e.created_at, d.event_id LIMIT ?",
            ),
            claim: p("UPDATE deliveries SET claimed_until = ? \
                 WHERE event_id = ? AND endpoint = ? AND delivered_at IS NULL AND failed_at IS NULL \
                 AND next_attempt_at <= ? AND (claimed_until IS NULL OR claimed_until < ?) \
                 RETURNING attempts"),
            delivered: p(
                "UPDATE deliveries SET delivered_at = ?, attempts = attempts + 1, \
                 claimed_until = NULL WHERE event_id = ? AND endpoint = ? AND delivered_at IS NULL",
            ),
            retry: p(
                "UPDATE deliveries SET attempts = ?, last_error = ?, next_attempt_at = ?, \
                 claimed_until = NULL WHERE event_id = ? AND endpoint = ? AND claimed_until = ?",
            ),
            give_up: p(
                "UPDATE deliveries SET attempts = ?, last_error = ?, failed_at = ?, \
                 claimed_until = NULL WHERE event_id = ? AND endpoint = ? AND claimed_until = ?",
            ),
            postpone: p("UPDATE deliveries SET next_attempt_at = ? \
                 WHERE endpoint = ? AND delivered_at IS NULL AND failed_at IS NULL \
                 AND next_attempt_at < ? AND event_id <> ?"),
            drop_claimed: p(
                "UPDATE deliveries SET failed_at = ?, last_error = ?, claimed_until = NULL \
                 WHERE event_id = ? AND endpoint = ? AND claimed_until = ?",
            ),
            drop_endpoint: p(
                "UPDATE deliveries SET failed_at = ?, last_error = ?, claimed_until = NULL \
                 WHERE endpoint = ? AND delivered_at IS NULL AND failed_at IS NULL \
                 AND (claimed_until IS NULL OR claimed_until < ?)",
            ),
        }
    }
}

/// A pending delivery as read from the queue.
struct Queued {
    event_id: String,
    next_attempt_at: i64,
    claimed_until: Option<i64>,
    /// `None` when the event row is gone.
    event: Option<(String, String)>,
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
    sql: Statements,
}

impl Deliverer {
    /// A deliverer on the store (its writes take their turn with the
    /// store's other writers). Fails when the settings are invalid
    /// ([`DeliverySettings::validate`]) or the HTTP client cannot be built.
    /// Redirects are not followed; the system's proxy settings apply.
    pub fn new(store: SqlStore, settings: DeliverySettings) -> Result<Self, WebhookError> {
        let backend = store.backend();
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
            sql: Statements::new(backend),
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
        let now = Timestamp::now().as_micros();
        let limit = i64::try_from(self.settings.batch).unwrap_or(i64::MAX);
        let heads = sqlx::query(AssertSqlSafe(self.sql.heads.as_str()))
            .bind(now)
            .bind(now)
            .bind(limit)
            .fetch_all(self.store.pool())
            .await
            .map_err(WebhookError::query("find due webhook deliveries"))?;
        let mut endpoints = Vec::with_capacity(heads.len());
        for row in heads {
            let name: String = row
                .try_get(0)
                .map_err(WebhookError::query("find due webhook deliveries"))?;
            if !endpoints.contains(&name) {
                endpoints.push(name);
            }
        }
        if endpoints.is_empty() {
            return Ok(DeliveryRound::default());
        }
        // Read after the deliveries, so it is at least as new as the
        // configuration that queued them.
        let config = load_config(self.store.pool(), self.store.backend()).await?;
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
            let turn = self.store.write_turn().await;
            let dropped = sqlx::query(AssertSqlSafe(self.sql.drop_endpoint.as_str()))
                .bind(Timestamp::now().as_micros())
                .bind(ENDPOINT_REMOVED)
                .bind(name)
                .bind(Timestamp::now().as_micros())
                .execute(self.store.pool())
                .await
                .map_err(WebhookError::query("drop deliveries to a removed endpoint"))?
                .rows_affected();
            drop(turn);
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
        let queue = self.queue(name).await?;
        for queued in queue {
            if stop.is_some_and(|s| *s.borrow()) {
                break;
            }
            let now = Timestamp::now().as_micros();
            if queued.next_attempt_at > now || queued.claimed_until.is_some_and(|c| c >= now) {
                break;
            }
            let lease_end = now.saturating_add(micros(self.settings.lease));
            let Some(attempts) = self.claim(&queued.event_id, name, now, lease_end).await? else {
                // Another instance has it (or it changed since it was read):
                // leave this endpoint to it, keeping the order.
                break;
            };
            let Some((event_type, payload)) = &queued.event else {
                self.drop_claimed(&queued.event_id, name, lease_end, EVENT_MISSING)
                    .await?;
                tracing::warn!(event_id = %queued.event_id, endpoint = name, "webhook event missing: delivery marked failed");
                round.failed += 1;
                continue;
            };
            round.attempted += 1;
            let attempt = attempts.saturating_add(1);
            match self
                .post(endpoint, &queued.event_id, event_type, payload)
                .await
            {
                Outcome::Delivered(status) => {
                    self.mark_delivered(&queued.event_id, name).await?;
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

    /// The endpoint's pending deliveries in event order, at most a batch.
    async fn queue(&self, endpoint: &str) -> Result<Vec<Queued>, WebhookError> {
        let operation = "read an endpoint's webhook deliveries";
        let rows = sqlx::query(AssertSqlSafe(self.sql.queue.as_str()))
            .bind(endpoint)
            .bind(i64::try_from(self.settings.batch).unwrap_or(i64::MAX))
            .fetch_all(self.store.pool())
            .await
            .map_err(WebhookError::query(operation))?;
        let mut out = Vec::with_capacity(rows.len());
        for row in rows {
            let decoded: Result<Queued, sqlx::Error> = (|| {
                let event_type: Option<String> = row.try_get(3)?;
                let payload: Option<String> = row.try_get(4)?;
                Ok(Queued {
                    event_id: row.try_get(0)?,
                    next_attempt_at: row.try_get(1)?,
                    claimed_until: row.try_get(2)?,
                    event: event_type.zip(payload),
                })
            })();
            out.push(decoded.map_err(WebhookError::query(operation))?);
        }
        Ok(out)
    }

    /// Claims a delivery until `lease_end`; its attempts so far, or `None`
    /// when it is not (or no longer) due and free.
    async fn claim(
        &self,
        event_id: &str,
        endpoint: &str,
        now: i64,
        lease_end: i64,
    ) -> Result<Option<u32>, WebhookError> {
        let operation = "claim a webhook delivery";
        let turn = self.store.write_turn().await;
        let row = sqlx::query(AssertSqlSafe(self.sql.claim.as_str()))
            .bind(lease_end)
            .bind(event_id)
            .bind(endpoint)
            .bind(now)
            .bind(now)
            .fetch_optional(self.store.pool())
            .await
            .map_err(WebhookError::query(operation))?;
        drop(turn);
        match row {
            None => Ok(None),
            Some(row) => {
                let attempts: i64 = row.try_get(0).map_err(WebhookError::query(operation))?;
                Ok(Some(u32::try_from(attempts).unwrap_or(u32::MAX)))
            }
        }
    }

    /// POSTs one delivery; never reads the response body.
    async fn post(
        &self,
        endpoint: &WebhookEndpoint,
        event_id: &str,
        event_type: &str,
        payload: &str,
    ) -> Outcome {
        let timestamp = Timestamp::now().as_seconds();
        let signature = sign(&endpoint.secret, timestamp, payload.as_bytes());
        let sent = self
            .client
            .post(endpoint.url.as_str())
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .header(HEADER_EVENT, event_type)
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

    async fn mark_delivered(&self, event_id: &str, endpoint: &str) -> Result<(), WebhookError> {
        let _turn = self.store.write_turn().await;
        sqlx::query(AssertSqlSafe(self.sql.delivered.as_str()))
            .bind(Timestamp::now().as_micros())
            .bind(event_id)
            .bind(endpoint)
            .execute(self.store.pool())
            .await
            .map_err(WebhookError::query("record a webhook delivery"))?;
        Ok(())
    }

    /// Records a failed attempt (the `attempt`-th): schedules a retry, or
    /// gives up after the last attempt (then returns `true`).
    async fn record_failure(
        &self,
        event_id: &str,
        endpoint: &str,
        attempt: u32,
        error: &str,
        lease_end: i64,
    ) -> Result<bool, WebhookError> {
        let operation = "record a failed webhook delivery";
        let now = Timestamp::now().as_micros();
        let attempts = i64::from(attempt);
        let give_up = attempt >= self.settings.max_attempts;
        let (sql, at) = if give_up {
            (&self.sql.give_up, now)
        } else {
            let delay = self.settings.backoff(attempt, 0.5 + random_unit() / 2.0);
            (&self.sql.retry, now.saturating_add(micros(delay)))
        };
        // One transaction: the attempt's record and the endpoint's postponed
        // deliveries land together.
        let mut tx = self
            .store
            .begin_write()
            .await
            .map_err(WebhookError::query(operation))?;
        let updated = sqlx::query(AssertSqlSafe(sql.as_str()))
            .bind(attempts)
            .bind(error)
            .bind(at)
            .bind(event_id)
            .bind(endpoint)
            .bind(lease_end)
            .execute(&mut *tx)
            .await
            .map_err(WebhookError::query(operation))?
            .rows_affected();
        if updated > 0 && !give_up {
            // The endpoint's later deliveries wait for this one anyway; making
            // them not due keeps them out of every round's search until then.
            sqlx::query(AssertSqlSafe(self.sql.postpone.as_str()))
                .bind(at)
                .bind(endpoint)
                .bind(at)
                .bind(event_id)
                .execute(&mut *tx)
                .await
                .map_err(WebhookError::query(operation))?;
        }
        tx.commit().await.map_err(WebhookError::query(operation))?;
        if updated == 0 {
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
                retry_in_ms = (at - now) / 1000,
                "webhook delivery failed; will retry"
            );
        }
        Ok(give_up && updated > 0)
    }

    /// Marks a claimed delivery failed without sending it.
    async fn drop_claimed(
        &self,
        event_id: &str,
        endpoint: &str,
        lease_end: i64,
        reason: &str,
    ) -> Result<(), WebhookError> {
        let _turn = self.store.write_turn().await;
        sqlx::query(AssertSqlSafe(self.sql.drop_claimed.as_str()))
            .bind(Timestamp::now().as_micros())
            .bind(reason)
            .bind(event_id)
            .bind(endpoint)
            .bind(lease_end)
            .execute(self.store.pool())
            .await
            .map_err(WebhookError::query("mark a webhook delivery failed"))?;
        Ok(())
    }
}

/// A duration in whole microseconds, saturating.
fn micros(d: Duration) -> i64 {
    i64::try_from(d.as_micros()).unwrap_or(i64::MAX)
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
