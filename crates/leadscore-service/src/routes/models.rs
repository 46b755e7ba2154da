//! The conversion model registry: register trained artifacts, list versions
//! with their metrics, publish one, roll back.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use serde::Serialize;
use utoipa::ToSchema;

use super::RawBody;
use crate::ApiError;
use crate::app::AppState;
use crate::auth::{Caller, Role};
use crate::registry::{self, ModelVersion, Rollback};

/// Every registered version, newest first, with its metrics.
#[utoipa::path(get, path = "/v1/models", tag = "conversion models",
    responses((status = 200, body = Vec<ModelVersion>)), security(("api_key" = [])))]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<Vec<ModelVersion>>, ApiError> {
    caller.require(Role::Read)?;
    Ok(Json(registry::model_versions(state.store.pool()).await?))
}

/// A registered version.
#[derive(Debug, Serialize, ToSchema)]
pub struct Registered {
    /// The new version.
    pub version: i64,
}

/// Registers a trained model: the body is the `model.json` that `leadscore
/// train` wrote (checked: format, version, checksum). Not published yet.
#[utoipa::path(post, path = "/v1/models", tag = "conversion models", request_body = Object,
    responses((status = 201, body = Registered), (status = 422, body = crate::error::ErrorBody)),
    security(("api_key" = [])))]
pub async fn register(
    State(state): State<AppState>,
    caller: Caller,
    RawBody(body): RawBody,
) -> Result<impl IntoResponse, ApiError> {
    caller.require(Role::Admin)?;
    let text = std::str::from_utf8(&body)
        .map_err(|_| ApiError::bad_request("bad_body", "the body is not UTF-8 text"))?;
    let metrics = model_metrics(text);
    match registry::register_model(&state.store, text, &metrics).await? {
        Ok(version) => Ok((StatusCode::CREATED, Json(Registered { version }))),
        Err(reason) => Err(ApiError::unprocessable("invalid_artifact", reason)),
    }
}

/// The metrics held in an artifact (its `model.metrics`, with the
/// confidence).
fn model_metrics(text: &str) -> serde_json::Value {
    let value: serde_json::Value = serde_json::from_str(text).unwrap_or_default();
    let model = value.get("model");
    let mut metrics = model
        .and_then(|m| m.get("metrics"))
        .cloned()
        .unwrap_or_default();
    if let (Some(map), Some(confidence)) = (
        metrics.as_object_mut(),
        model.and_then(|m| m.get("confidence")),
    ) {
        map.insert("confidence".into(), confidence.clone());
    }
    metrics
}

/// What a publication did.
#[derive(Debug, Serialize, ToSchema)]
pub struct Published {
    /// The version now in service.
    pub version: i64,
}

/// Publishes a version: it scores every lead from now on (all are rescored).
#[utoipa::path(post, path = "/v1/models/{version}/publish", tag = "conversion models",
    params(("version" = i64, Path, description = "The version")),
    responses((status = 200, body = Published), (status = 404, body = crate::error::ErrorBody)),
    security(("api_key" = [])))]
pub async fn publish(
    State(state): State<AppState>,
    caller: Caller,
    Path(version): Path<String>,
) -> Result<Json<Published>, ApiError> {
    caller.require(Role::Admin)?;
    let version: i64 = version.parse().map_err(|_| {
        ApiError::bad_request("bad_path", "the version is a number").field("version")
    })?;
    if !registry::publish(&state.store, version, "published").await? {
        return Err(ApiError::not_found(
            "conversion model version",
            &version.to_string(),
        ));
    }
    state.live.refresh(&state.store, &state.settings).await?;
    state.rescore_wake.notify_one();
    Ok(Json(Published { version }))
}

/// Goes back to the version published before the current one.
#[utoipa::path(post, path = "/v1/models/rollback", tag = "conversion models",
    responses((status = 200, body = Rollback), (status = 409, body = crate::error::ErrorBody)),
    security(("api_key" = [])))]
pub async fn rollback(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<Rollback>, ApiError> {
    caller.require(Role::Admin)?;
    let done = registry::rollback(&state.store).await?.ok_or_else(|| {
        ApiError::conflict(
            "nothing_to_roll_back",
            "no earlier publication of another version to go back to",
        )
    })?;
    state.live.refresh(&state.store, &state.settings).await?;
    state.rescore_wake.notify_one();
    Ok(Json(done))
}
