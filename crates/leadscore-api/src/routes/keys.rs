//! API keys over HTTP (admin): make, list, rotate, revoke. `leadscore keys create`
//! does the same from the command line.

use axum::extract::State;
use axum::http::StatusCode;
use axum::{Extension, Json};
use leadscore_engine::keys::{
    self, KeyInfo, NewKey, RotatedKey, create_key, list_keys, revoke_key, rotate_key,
};
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
    /// The key stops working this many days from now (1 to 3650); absent,
    /// it works until revoked.
    #[serde(default)]
    #[schema(minimum = 1, maximum = 3650)]
    pub expires_in_days: Option<u32>,
}

/// `POST /v1/keys/{key_id}/rotate` (`{}` takes the defaults).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RotateRequest {
    /// How long the old key keeps working beside the new one, in hours (0
    /// to 720; default 24).
    #[serde(default = "default_overlap_hours")]
    #[schema(minimum = 0, maximum = 720, default = 24)]
    pub overlap_hours: u32,
    /// The new key stops working this many days from now (1 to 3650);
    /// absent, it works until revoked.
    #[serde(default)]
    #[schema(minimum = 1, maximum = 3650)]
    pub expires_in_days: Option<u32>,
}

fn default_overlap_hours() -> u32 {
    u32::try_from(keys::DEFAULT_OVERLAP.as_secs() / 3600).unwrap_or(24)
}

/// Makes a key; its text is in this response only.
#[utoipa::path(post, path = "/v1/keys", tag = "keys", request_body = KeyRequest,
    responses((status = 201, body = NewKey)), security(("api_key" = [])))]
pub async fn create(
    State(service): State<Service>,
    Extension(caller): Extension<Caller>,
    JsonObject(request): JsonObject<KeyRequest>,
) -> Result<(StatusCode, Json<NewKey>), ApiError> {
    let expires_at = keys::expiry_in_days(request.expires_in_days, "expires_in_days")?;
    let key = create_key(
        &service.store,
        request.role,
        request.label.as_deref(),
        expires_at,
    )
    .await?;
    tracing::info!(key = %key.key_id, by = %caller.key_id, role = %key.role, "API key created");
    Ok((StatusCode::CREATED, Json(key)))
}

/// Replaces an active key by a new one with the same role and label (its
/// text is in this response only); the old key keeps working for the
/// overlap, then expires.
#[utoipa::path(post, path = "/v1/keys/{key_id}/rotate", tag = "keys", request_body = RotateRequest,
    params(("key_id" = String, Path, description = "The old key's public part")),
    responses((status = 201, body = RotatedKey), (status = 404, body = ErrorBody)),
    security(("api_key" = [])))]
pub async fn rotate(
    State(service): State<Service>,
    Extension(caller): Extension<Caller>,
    Path(key_id): Path<String>,
    JsonObject(request): JsonObject<RotateRequest>,
) -> Result<(StatusCode, Json<RotatedKey>), ApiError> {
    let overlap = keys::overlap_of_hours(request.overlap_hours, "overlap_hours")?;
    let expires_at = keys::expiry_in_days(request.expires_in_days, "expires_in_days")?;
    let rotated = rotate_key(&service.store, &key_id, overlap, expires_at)
        .await?
        .ok_or_else(|| ApiError::not_found("active API key", &key_id))?;
    service.keys.clear();
    tracing::info!(
        key = %rotated.new.key_id,
        replaces = %rotated.replaces,
        until = %rotated.replaced_expires_at,
        by = %caller.key_id,
        "API key rotated"
    );
    Ok((StatusCode::CREATED, Json(rotated)))
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
