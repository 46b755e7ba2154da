//! Webhook endpoints (admin) and their deliveries.

use axum::Json;
use axum::extract::State;
use leadscore_domain::Timestamp;
use leadscore_engine::webhooks::{
    DeliveryStatus, WebhookRequest, WebhookView, list_deliveries, load_config, save_config,
};
use leadscore_engine::{ErrorCode, Refusal, Service};
use utoipa::IntoParams;

use crate::body::JsonObject;
use crate::error::{ApiError, ErrorBody};
use crate::params::Query;

/// The webhook endpoints, without their secrets (write-only).
#[utoipa::path(get, path = "/v1/webhooks", tag = "webhooks",
    responses((status = 200, body = WebhookView)), security(("api_key" = [])))]
pub async fn get_webhooks(State(service): State<Service>) -> Result<Json<WebhookView>, ApiError> {
    Ok(Json(
        load_config(&service.store).await?.view(Timestamp::now()),
    ))
}

/// Replaces the webhook endpoints (every problem located: 422). An endpoint
/// sent without a secret keeps its own; a new secret replaces the old one,
/// which still signs deliveries beside it for 24 hours. Events from now on
/// go to these endpoints. Answers the endpoints without their secrets.
#[utoipa::path(put, path = "/v1/webhooks", tag = "webhooks", request_body = WebhookRequest,
    responses((status = 200, body = WebhookView), (status = 422, body = ErrorBody)),
    security(("api_key" = [])))]
pub async fn put_webhooks(
    State(service): State<Service>,
    JsonObject(request): JsonObject<WebhookRequest>,
) -> Result<Json<WebhookView>, ApiError> {
    let now = Timestamp::now();
    let stored = load_config(&service.store).await?;
    let config = stored.apply(request, now).map_err(|problems| {
        let message = problems
            .first()
            .map(|p| format!("{}: {}", p.field, p.message))
            .unwrap_or_default();
        ApiError::from(Refusal::new(ErrorCode::InvalidWebhooks, message).problems(problems))
    })?;
    save_config(&service.store, &config).await?;
    service.reload().await?;
    Ok(Json(config.view(now)))
}

/// `?limit=`.
#[derive(Debug, serde::Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct DeliveriesQuery {
    /// Most deliveries listed (default 100).
    #[param(minimum = 0, maximum = 4294967295_u64, format = Int64)]
    pub limit: Option<u32>,
}

/// Recent deliveries, newest first: pending, delivered and failed.
#[utoipa::path(get, path = "/v1/webhooks/deliveries", tag = "webhooks", params(DeliveriesQuery),
    responses((status = 200, body = Vec<DeliveryStatus>)), security(("api_key" = [])))]
pub async fn deliveries(
    State(service): State<Service>,
    Query(q): Query<DeliveriesQuery>,
) -> Result<Json<Vec<DeliveryStatus>>, ApiError> {
    let limit = q
        .limit
        .unwrap_or(100)
        .min(service.settings.limits.max_per_page);
    Ok(Json(list_deliveries(&service.store, limit).await?))
}
