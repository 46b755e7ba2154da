//! Liveness, readiness, metrics and the OpenAPI document: no key needed.

use std::sync::atomic::Ordering;

use axum::Json;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use leadscore_domain::Timestamp;
use serde::Serialize;
use sqlx::Row;
use utoipa::{OpenApi, ToSchema};

use crate::app::AppState;
use crate::openapi::ApiDoc;
use crate::webhooks;

/// `GET /healthz`.
#[derive(Debug, Serialize, ToSchema)]
pub struct Health {
    /// Always `ok` while the process serves.
    pub status: &'static str,
}

/// Liveness: the process serves requests.
#[utoipa::path(get, path = "/healthz", tag = "operations", responses((status = 200, body = Health)))]
pub async fn healthz() -> Json<Health> {
    Json(Health { status: "ok" })
}

/// `GET /readyz`.
#[derive(Debug, Serialize, ToSchema)]
pub struct Readiness {
    /// `ready` or `not_ready`.
    pub status: &'static str,
    /// The store answered.
    pub store: bool,
    /// Rule models in service.
    pub rule_models: usize,
    /// The conversion model version in service.
    pub conversion_model: Option<i64>,
    /// False once shutdown began.
    pub accepting: bool,
}

/// Readiness: the store is reachable and the models are loaded.
#[utoipa::path(get, path = "/readyz", tag = "operations", responses(
    (status = 200, body = Readiness), (status = 503, body = Readiness)))]
pub async fn readyz(State(state): State<AppState>) -> impl IntoResponse {
    let store = sqlx::query("SELECT 1")
        .fetch_one(state.store.pool())
        .await
        .is_ok();
    let live = state.live.get();
    let accepting = state.accepting.load(Ordering::SeqCst);
    let ready = store && accepting;
    let body = Readiness {
        status: if ready { "ready" } else { "not_ready" },
        store,
        rule_models: live.engine.plans().len(),
        conversion_model: live.engine.conversion().map(|c| c.version),
        accepting,
    };
    let status = if ready {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (status, Json(body))
}

/// Prometheus metrics (text exposition format).
#[utoipa::path(get, path = "/metrics", tag = "operations", responses((status = 200, body = String, content_type = "text/plain")))]
pub async fn metrics(State(state): State<AppState>) -> impl IntoResponse {
    if let Ok(row) = sqlx::query("SELECT COUNT(*), MIN(queued_at) FROM rescore_queue")
        .fetch_one(state.store.pool())
        .await
        && let Ok(n) = row.try_get::<i64, _>(0)
    {
        state.metrics.queue_depth.set(n);
        let oldest = row.try_get::<Option<i64>, _>(1).ok().flatten();
        let now = Timestamp::now().as_micros();
        let waited = oldest.map_or(0.0, |t| (now - t).max(0) as f64 / 1e6);
        state.metrics.queue_oldest_seconds.set(waited);
    }
    if let Ok(counts) = webhooks::pending(state.store.pool(), state.store.backend()).await {
        state
            .metrics
            .deliveries_pending
            .set(i64::try_from(counts.pending).unwrap_or(i64::MAX));
        state
            .metrics
            .deliveries_failed
            .set(i64::try_from(counts.failed).unwrap_or(i64::MAX));
    }
    (
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        state.metrics.render(),
    )
}

/// The OpenAPI 3 document, generated from the code.
#[utoipa::path(get, path = "/openapi.json", tag = "operations", responses((status = 200, description = "The OpenAPI document")))]
pub async fn openapi() -> impl IntoResponse {
    Json(ApiDoc::openapi())
}
