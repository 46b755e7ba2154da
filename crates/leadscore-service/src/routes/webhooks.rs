//! Webhook endpoints (admin) and their deliveries.

use axum::Json;
use axum::extract::State;
use utoipa::IntoParams;

use super::{JsonBody, document};
use crate::ApiError;
use crate::app::AppState;
use crate::auth::{Caller, Role};
use crate::webhooks::{DeliveryStatus, WebhookConfig, list_deliveries, load_config, save_config};

/// The webhook endpoints with their secrets.
#[utoipa::path(get, path = "/v1/webhooks", tag = "webhooks",
    responses((status = 200, body = WebhookConfig)), security(("api_key" = [])))]
pub async fn get_webhooks(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<WebhookConfig>, ApiError> {
    caller.require(Role::Admin)?;
    Ok(Json(
        load_config(state.store.pool(), state.store.backend()).await?,
    ))
}

/// Replaces the webhook endpoints (every problem located: 422). Events from
/// now on go to these endpoints.
#[utoipa::path(put, path = "/v1/webhooks", tag = "webhooks", request_body = WebhookConfig,
    responses((status = 200, body = WebhookConfig), (status = 422, body = crate::error::ErrorBody)),
    security(("api_key" = [])))]
pub async fn put_webhooks(
    State(state): State<AppState>,
    caller: Caller,
    JsonBody(body): JsonBody,
) -> Result<Json<WebhookConfig>, ApiError> {
    caller.require(Role::Admin)?;
    let config: WebhookConfig = document(body)?;
    if let Err(problems) = config.validate() {
        let first = problems
            .first()
            .map(|p| (p.field.clone(), p.message.clone()));
        let listed = problems
            .iter()
            .map(|p| serde_json::json!({"field": p.field, "message": p.message}))
            .collect();
        let (field, message) = first.unwrap_or_default();
        return Err(
            ApiError::unprocessable("invalid_webhooks", format!("{field}: {message}"))
                .field(field)
                .problems(listed),
        );
    }
    save_config(&state.store, &config).await?;
    state.live.refresh(&state.store, &state.settings).await?;
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
    State(state): State<AppState>,
    caller: Caller,
    axum::extract::Query(q): axum::extract::Query<DeliveriesQuery>,
) -> Result<Json<Vec<DeliveryStatus>>, ApiError> {
    caller.require(Role::Admin)?;
    let limit = q
        .limit
        .unwrap_or(100)
        .min(state.settings.limits.max_per_page);
    Ok(Json(
        list_deliveries(state.store.pool(), state.store.backend(), limit).await?,
    ))
}
