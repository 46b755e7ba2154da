//! The conversion model registry: register trained artifacts, list versions
//! with their metrics, publish one, roll back.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use leadscore_engine::model_registry::{self, ModelVersion, Rollback};
use leadscore_engine::{ErrorCode, Service};
use serde::Serialize;
use utoipa::ToSchema;

use crate::body::JsonBytes;
use crate::error::{ApiError, ErrorBody};
use crate::params::Path;

/// Every registered version, newest first, with its metrics.
#[utoipa::path(get, path = "/v1/models", tag = "conversion models",
    responses((status = 200, body = Vec<ModelVersion>)), security(("api_key" = [])))]
pub async fn list(State(service): State<Service>) -> Result<Json<Vec<ModelVersion>>, ApiError> {
    Ok(Json(model_registry::model_versions(&service.store).await?))
}

/// A registered version.
#[derive(Debug, Serialize, ToSchema)]
pub struct Registered {
    /// The new version.
    pub version: i64,
}

/// Registers a trained model: the body is the `model.json` that `leadscore
/// train` wrote (checked: format, version, checksum). Not published yet.
#[utoipa::path(post, path = "/v1/models", tag = "conversion models", request_body = leadscore_model::ArtifactSchema,
    responses((status = 201, body = Registered), (status = 422, body = ErrorBody)),
    security(("api_key" = [])))]
pub async fn register(
    State(service): State<Service>,
    JsonBytes(body): JsonBytes,
) -> Result<impl IntoResponse, ApiError> {
    let text = std::str::from_utf8(&body)
        .map_err(|_| ApiError::new(ErrorCode::BadBody, "the body is not UTF-8 text"))?;
    match model_registry::register_model(&service.store, text, None).await? {
        Ok(version) => Ok((StatusCode::CREATED, Json(Registered { version }))),
        Err(bad) => Err(ApiError::new(ErrorCode::InvalidArtifact, bad.reason)),
    }
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
    responses((status = 200, body = Published), (status = 404, body = ErrorBody)),
    security(("api_key" = [])))]
pub async fn publish(
    State(service): State<Service>,
    Path(version): Path<String>,
) -> Result<Json<Published>, ApiError> {
    let version = version_of(&version)?;
    if !model_registry::publish(&service.store, version, "published").await? {
        return Err(ApiError::not_found(
            "conversion model version",
            &version.to_string(),
        ));
    }
    service.changed().await?;
    Ok(Json(Published { version }))
}

/// A version from the path.
pub(crate) fn version_of(text: &str) -> Result<i64, ApiError> {
    text.parse()
        .map_err(|_| ApiError::new(ErrorCode::BadPath, "the version is a number").field("version"))
}

/// Goes back to the version published before the current one.
#[utoipa::path(post, path = "/v1/models/rollback", tag = "conversion models",
    responses((status = 200, body = Rollback), (status = 409, body = ErrorBody)),
    security(("api_key" = [])))]
pub async fn rollback(State(service): State<Service>) -> Result<Json<Rollback>, ApiError> {
    let done = model_registry::rollback(&service.store)
        .await?
        .ok_or_else(|| {
            ApiError::new(
                ErrorCode::NothingToRollBack,
                "no earlier publication of another version to go back to",
            )
        })?;
    service.changed().await?;
    Ok(Json(done))
}
