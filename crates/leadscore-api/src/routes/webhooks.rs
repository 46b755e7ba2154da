//! Webhook endpoints (admin) and their deliveries.

use axum::Json;
use axum::extract::State;
use leadscore_engine::webhooks::{
    DeliveryStatus, WebhookConfig, list_deliveries, load_config, save_config,
};
use leadscore_engine::{ErrorCode, Refusal, Service};
use utoipa::IntoParams;

use crate::body::Document;
use crate::error::{ApiError, ErrorBody};

/// The webhook endpoints with their secrets.
#[utoipa::path(get, path = "/v1/webhooks", tag = "webhooks",
    responses((status = 200, body = WebhookConfig)), security(("api_key" = [])))]
pub async fn get_webhooks(State(service): State<Service>) -> Result<Json<WebhookConfig>, ApiError> {
    Ok(Json(load_config(&service.store).await?))
}

/// Replaces the webhook endpoints (every problem located: 422). Events from
/// now on go to these endpoints.
#[utoipa::path(put, path = "/v1/webhooks", tag = "webhooks", request_body = WebhookConfig,
    responses((status = 200, body = WebhookConfig), (status = 422, body = ErrorBody)),
    security(("api_key" = [])))]
pub async fn put_webhooks(
    State(service): State<Service>,
    Document(config): Document<WebhookConfig>,
) -> Result<Json<WebhookConfig>, ApiError> {
    if let Err(problems) = config.validate() {
        let message = problems
            .first()
            .map(|p| format!("{}: {}", p.field, p.message))
            .unwrap_or_default();
        return Err(Refusal::new(ErrorCode::InvalidWebhooks, message)
            .problems(problems)
            .into());
    }
    save_config(&service.store, &config).await?;
    service.reload().await?;
    Ok(Json(config))
}

/// `?limit=`.
#[derive(Debug, serde::Deserialize, IntoParams)]
pub struct DeliveriesQuery {
    /// Most deliveries listed (default 100).
    pub limit: Option<u32>,
}

/// Recent deliveries, newest first: pending, delivered and failed.
#[utoipa::path(get, path = "/v1/webhooks/deliveries", tag = "webhooks", params(DeliveriesQuery),
    responses((status = 200, body = Vec<DeliveryStatus>)), security(("api_key" = [])))]
pub async fn deliveries(
    State(service): State<Service>,
    axum::extract::Query(q): axum::extract::Query<DeliveriesQuery>,
) -> Result<Json<Vec<DeliveryStatus>>, ApiError> {
    let limit = q
        .limit
        .unwrap_or(100)
        .min(service.settings.limits.max_per_page);
    Ok(Json(list_deliveries(&service.store, limit).await?))
}
