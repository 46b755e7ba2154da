//! Liveness, readiness, metrics and the OpenAPI document: no key needed.

use std::sync::atomic::Ordering;
use std::sync::{Arc, OnceLock};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use axum::{Extension, Json};
use leadscore_engine::Service;
use serde::Serialize;
use utoipa::ToSchema;

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
pub async fn readyz(State(state): State<Service>) -> impl IntoResponse {
    let store = state.store.ping().await;
    let live = state.in_service.get();
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
pub async fn metrics(State(state): State<Service>) -> impl IntoResponse {
    state.metrics.refresh(&state.store).await;
    (
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        state.metrics.render(),
    )
}

/// The OpenAPI document, serialized once when the router is built and
/// handed to its one route (no other request carries it).
#[derive(Debug, Clone, Default)]
pub struct ServedDocument(Arc<OnceLock<Bytes>>);

impl ServedDocument {
    /// Serializes the document this route serves.
    pub(crate) fn set(&self, document: &utoipa::openapi::OpenApi) -> Result<(), serde_json::Error> {
        let bytes = Bytes::from(serde_json::to_vec(document)?);
        // Set once, when the router is built.
        let _ = self.0.set(bytes);
        Ok(())
    }
}

/// The OpenAPI 3 document of every route this server serves.
#[utoipa::path(get, path = "/openapi.json", tag = "operations",
    responses((status = 200, description = "The OpenAPI document", content_type = "application/json", body = crate::openapi::OpenApiDocument)))]
pub async fn openapi(
    Extension(document): Extension<ServedDocument>,
) -> Result<impl IntoResponse, crate::error::ApiError> {
    let bytes = document.0.get().cloned().ok_or_else(|| {
        crate::error::ApiError::new(
            leadscore_engine::ErrorCode::Unavailable,
            "the OpenAPI document is not ready",
        )
    })?;
    Ok(([(header::CONTENT_TYPE, "application/json")], bytes))
}
