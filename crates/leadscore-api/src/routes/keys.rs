//! API keys over HTTP (admin): make, list, revoke. `leadscore keys create`
//! does the same from the command line.

use axum::extract::State;
use axum::http::StatusCode;
use axum::{Extension, Json};
use leadscore_engine::keys::{KeyInfo, NewKey, create_key, list_keys, revoke_key};
use leadscore_engine::{Caller, Role, Service};
use serde::Deserialize;
use utoipa::ToSchema;

use crate::body::JsonObject;
use crate::error::{ApiError, ErrorBody};
use crate::params::Path;

/// `POST /v1/keys`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct KeyRequest {
    /// The role.
    pub role: Role,
    /// A label for people (`hubspot-sync`).
    #[serde(default)]
    pub label: Option<String>,
}

/// Makes a key; its text is in this response only.
#[utoipa::path(post, path = "/v1/keys", tag = "keys", request_body = KeyRequest,
    responses((status = 201, body = NewKey)), security(("api_key" = [])))]
pub async fn create(
    State(service): State<Service>,
    Extension(caller): Extension<Caller>,
    JsonObject(request): JsonObject<KeyRequest>,
) -> Result<(StatusCode, Json<NewKey>), ApiError> {
    let key = create_key(&service.store, request.role, request.label.as_deref()).await?;
    tracing::info!(key = %key.key_id, by = %caller.key_id, role = %key.role, "API key created");
    Ok((StatusCode::CREATED, Json(key)))
}

/// Every key (never their text).
#[utoipa::path(get, path = "/v1/keys", tag = "keys",
    responses((status = 200, body = Vec<KeyInfo>)), security(("api_key" = [])))]
pub async fn list(State(service): State<Service>) -> Result<Json<Vec<KeyInfo>>, ApiError> {
    Ok(Json(list_keys(&service.store).await?))
}

/// Revokes a key (at once on this instance, within 5 s on others).
#[utoipa::path(delete, path = "/v1/keys/{key_id}", tag = "keys",
    params(("key_id" = String, Path, description = "The key's public part")),
    responses((status = 204), (status = 404, body = ErrorBody)), security(("api_key" = [])))]
pub async fn revoke(
    State(service): State<Service>,
    Path(key_id): Path<String>,
) -> Result<StatusCode, ApiError> {
    if !revoke_key(&service.store, &key_id).await? {
        return Err(ApiError::not_found("API key", &key_id));
    }
    service.keys.clear();
    Ok(StatusCode::NO_CONTENT)
}
