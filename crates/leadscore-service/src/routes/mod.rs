//! The HTTP routes (API.md), grouped by concern.

pub(crate) mod export;
pub(crate) mod health;
pub(crate) mod ingest;
pub(crate) mod keys;
pub(crate) mod models;
pub(crate) mod reports;
pub(crate) mod retraining;
pub(crate) mod routing;
pub(crate) mod rule_models;
pub(crate) mod scores;
pub(crate) mod webhooks;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::routing::{delete, get, post, put};
use serde::Deserialize;
use serde_json::Value;

use crate::ApiError;
use crate::app::AppState;

/// Every route.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/healthz", get(health::healthz))
        .route("/readyz", get(health::readyz))
        .route("/metrics", get(health::metrics))
        .route("/openapi.json", get(health::openapi))
        .route("/v1/accounts/{id}", put(ingest::put_account))
        .route(
            "/v1/contacts/{id}",
            put(ingest::put_contact).delete(ingest::delete_contact),
        )
        .route("/v1/leads/{id}", put(ingest::put_lead))
        .route("/v1/interactions", post(ingest::post_interactions))
        .route("/v1/leads/{id}/scores", get(scores::lead_scores))
        .route("/v1/leads/{id}/history", get(scores::lead_history))
        .route("/v1/score", post(scores::score))
        .route("/v1/rule-models", get(rule_models::list))
        .route(
            "/v1/rule-models/{name}",
            put(rule_models::put_model)
                .get(rule_models::get_model)
                .delete(rule_models::delete_model),
        )
        .route("/v1/rule-models/{name}/text", get(rule_models::text))
        .route("/v1/rule-models/{name}/scores", get(export::scores_page))
        .route("/v1/rule-models/{name}/scores.csv", get(export::scores_csv))
        .route(
            "/v1/rule-models/{name}/scores.xlsx",
            get(export::scores_xlsx),
        )
        .route("/v1/models", get(models::list).post(models::register))
        .route("/v1/models/{version}/publish", post(models::publish))
        .route("/v1/models/rollback", post(models::rollback))
        .route(
            "/v1/models/{version}/shadow",
            get(retraining::shadow_scores),
        )
        .route("/v1/retraining", get(retraining::status))
        .route("/v1/models/drift", get(reports::drift))
        .route("/reports/review", get(reports::review_page))
        .route("/reports/review.json", get(reports::review_json))
        .route(
            "/v1/routing",
            get(routing::get_routing).put(routing::put_routing),
        )
        .route("/v1/queues/{name}", get(routing::queue))
        .route(
            "/v1/webhooks",
            get(webhooks::get_webhooks).put(webhooks::put_webhooks),
        )
        .route("/v1/webhooks/deliveries", get(webhooks::deliveries))
        .route("/v1/keys", get(keys::list).post(keys::create))
        .route("/v1/keys/{key_id}", delete(keys::revoke))
}

/// A JSON request body: read within the body limit (413 beyond it) and parsed
/// (400 naming the line and column of a syntax error).
pub struct JsonBody(pub Value);

impl<S: Send + Sync> FromRequest<S> for JsonBody {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let bytes = read_body(req, state).await?;
        parse_json(&bytes).map(JsonBody)
    }
}

/// Reads a body within the limit.
async fn read_body<S: Send + Sync>(req: Request, state: &S) -> Result<Bytes, ApiError> {
    Bytes::from_request(req, state).await.map_err(|rejection| {
        if rejection.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
            ApiError::too_large("the request body is larger than the limit (limits.max_body_bytes)")
        } else {
            ApiError::bad_request("bad_body", rejection.body_text())
        }
    })
}

/// Parses JSON text.
fn parse_json(bytes: &[u8]) -> Result<Value, ApiError> {
    serde_json::from_slice(bytes).map_err(|e| crate::stateless::syntax_error(&e))
}

/// Deserializes a document into a type, naming the field serde blames.
fn document<T: serde::de::DeserializeOwned>(value: Value) -> Result<T, ApiError> {
    serde_json::from_value(value).map_err(|e| {
        let message = e.to_string();
        let field = message
            .split('`')
            .nth(1)
            .map(str::to_owned)
            .unwrap_or_default();
        let err = ApiError::unprocessable("invalid_document", message);
        if field.is_empty() {
            err
        } else {
            err.field(field)
        }
    })
}

/// `?page=&per_page=`.
#[derive(Debug, Clone, Copy, Deserialize, utoipa::IntoParams)]
pub struct Paging {
    /// The page, from 1.
    pub page: Option<u32>,
    /// Rows per page (default 50, at most `limits.max_per_page`).
    pub per_page: Option<u32>,
}

impl Paging {
    /// `(limit, offset)`, checked.
    pub fn limit_offset(&self, max: u32) -> Result<(u32, u32), ApiError> {
        let page = self.page.unwrap_or(1);
        let per_page = self.per_page.unwrap_or(50);
        if page == 0 {
            return Err(ApiError::bad_request("bad_query", "page starts at 1").field("page"));
        }
        if per_page == 0 || per_page > max {
            return Err(
                ApiError::bad_request("bad_query", format!("per_page must be 1 to {max}"))
                    .field("per_page"),
            );
        }
        Ok((per_page, (page - 1).saturating_mul(per_page)))
    }
}

/// A page of a listing.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct Page<T> {
    /// Rows matching, all pages together.
    pub total: u64,
    /// This page.
    pub page: u32,
    /// Rows per page.
    pub per_page: u32,
    /// The rows.
    pub items: Vec<T>,
}

/// A raw request body, read within the body limit (413 beyond it).
pub struct RawBody(pub Bytes);

impl<S: Send + Sync> FromRequest<S> for RawBody {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        read_body(req, state).await.map(RawBody)
    }
}
