//! Rule models: create or replace (YAML or JSON, validated as RULES.md says),
//! list, read, delete, and the text view.

use axum::Json;

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::IntoResponse;
use leadscore_rules::{RuleModel, RulesError};
use serde::Serialize;
use utoipa::ToSchema;

use super::RawBody;
use crate::ApiError;
use crate::app::AppState;
use crate::auth::{Caller, Role};
use crate::registry;

/// A rule model in a listing.
#[derive(Debug, Serialize, ToSchema)]
pub struct RuleModelSummary {
    /// The model's name.
    pub name: String,
    /// `contact` or `account`.
    pub target: String,
    /// How many rules.
    pub rules: usize,
    /// The sales-ready threshold.
    pub sales_ready: Option<i64>,
    /// When it was last changed (RFC 3339).
    pub updated_at: String,
    /// True for the model whose score is primary without a confident
    /// conversion model.
    pub fallback: bool,
}

/// What a `PUT` did.
#[derive(Debug, Serialize, ToSchema)]
pub struct Stored {
    /// The model's name.
    pub name: String,
    /// True when it is new.
    pub created: bool,
    /// How many rules it has.
    pub rules: usize,
}

fn not_found(name: &str) -> ApiError {
    ApiError::not_found("rule model", name)
}

async fn find(state: &AppState, name: &str) -> Result<(RuleModel, String), ApiError> {
    registry::rule_models(state.store.pool())
        .await?
        .into_iter()
        .find(|(m, _)| m.name == name)
        .ok_or_else(|| not_found(name))
}

/// Every rule model.
#[utoipa::path(get, path = "/v1/rule-models", tag = "rule models",
    responses((status = 200, body = Vec<RuleModelSummary>)), security(("api_key" = [])))]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<Vec<RuleModelSummary>>, ApiError> {
    caller.require(Role::Read)?;
    let live = state.live.get();
    let fallback = live.engine.fallback().map(str::to_owned);
    let models = registry::rule_models(state.store.pool()).await?;
    Ok(Json(
        models
            .into_iter()
            .map(|(m, updated_at)| RuleModelSummary {
                fallback: fallback.as_deref() == Some(m.name.as_str()),
                target: format!("{:?}", m.target).to_lowercase(),
                rules: m.rules.len(),
                sales_ready: m.sales_ready,
                updated_at,
                name: m.name,
            })
            .collect(),
    ))
}

/// Creates or replaces a rule model: a YAML body (`Content-Type:
/// application/yaml`) or JSON (`application/json`). Invalid: 422 with every
/// problem located. Every lead is then rescored.
#[utoipa::path(put, path = "/v1/rule-models/{name}", tag = "rule models", request_body(content = String, content_type = "application/yaml"),
    params(("name" = String, Path, description = "The model's name; the body's `name` must match")),
    responses((status = 201, body = Stored), (status = 200, body = Stored), (status = 422, body = crate::error::ErrorBody)),
    security(("api_key" = [])))]
pub async fn put_model(
    State(state): State<AppState>,
    caller: Caller,
    Path(name): Path<String>,
    headers: HeaderMap,
    RawBody(body): RawBody,
) -> Result<impl IntoResponse, ApiError> {
    caller.require(Role::Admin)?;
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("application/json")
        .to_ascii_lowercase();
    let text = std::str::from_utf8(&body)
        .map_err(|_| ApiError::bad_request("bad_body", "the body is not UTF-8 text"))?;
    let parsed = if content_type.contains("json") {
        RuleModel::from_json(text)
    } else if content_type.contains("yaml") {
        RuleModel::from_yaml(text)
    } else {
        return Err(ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            "send the model as application/yaml or application/json",
        ));
    };
    let model = parsed.map_err(|e| match e {
        RulesError::Invalid { problems } => {
            let first = problems.first().map(|p| p.path.clone());
            let listed = problems
                .iter()
                .map(|p| serde_json::json!({"field": p.path, "message": p.message}))
                .collect();
            let err = ApiError::unprocessable(
                "invalid_model",
                format!("the model has {} problem(s)", problems.len()),
            )
            .problems(listed);
            match first {
                Some(f) => err.field(f),
                None => err,
            }
        }
        other => ApiError::unprocessable("invalid_model", other.to_string()),
    })?;
    if model.name != name {
        return Err(ApiError::unprocessable(
            "name_mismatch",
            format!(
                "the model is named {:?} but the path names {name:?}",
                model.name
            ),
        )
        .field("name"));
    }
    leadscore_rules::Plan::compile(&model)
        .map_err(|e| ApiError::unprocessable("invalid_model", e.to_string()))?;
    let created = registry::put_rule_model(&state.store, &model).await?;
    state.live.refresh(&state.store, &state.settings).await?;
    state.rescore_wake.notify_one();
    let status = if created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((
        status,
        Json(Stored {
            rules: model.rules.len(),
            name: model.name,
            created,
        }),
    ))
}

/// One rule model, as JSON.
#[utoipa::path(get, path = "/v1/rule-models/{name}", tag = "rule models",
    params(("name" = String, Path, description = "The model's name")),
    responses((status = 200, body = Object), (status = 404, body = crate::error::ErrorBody)),
    security(("api_key" = [])))]
pub async fn get_model(
    State(state): State<AppState>,
    caller: Caller,
    Path(name): Path<String>,
) -> Result<Json<RuleModel>, ApiError> {
    caller.require(Role::Read)?;
    Ok(Json(find(&state, &name).await?.0))
}

/// Deletes a rule model with its scores.
#[utoipa::path(delete, path = "/v1/rule-models/{name}", tag = "rule models",
    params(("name" = String, Path, description = "The model's name")),
    responses((status = 204), (status = 404, body = crate::error::ErrorBody)),
    security(("api_key" = [])))]
pub async fn delete_model(
    State(state): State<AppState>,
    caller: Caller,
    Path(name): Path<String>,
) -> Result<StatusCode, ApiError> {
    caller.require(Role::Admin)?;
    if !registry::delete_rule_model(&state.store, &name).await? {
        return Err(not_found(&name));
    }
    state.live.refresh(&state.store, &state.settings).await?;
    state.rescore_wake.notify_one();
    Ok(StatusCode::NO_CONTENT)
}

/// The model's text view (RULES.md), one line per rule.
#[utoipa::path(get, path = "/v1/rule-models/{name}/text", tag = "rule models",
    params(("name" = String, Path, description = "The model's name")),
    responses((status = 200, body = String, content_type = "text/plain"), (status = 404, body = crate::error::ErrorBody)),
    security(("api_key" = [])))]
pub async fn text(
    State(state): State<AppState>,
    caller: Caller,
    Path(name): Path<String>,
) -> Result<impl IntoResponse, ApiError> {
    caller.require(Role::Read)?;
    let (model, _) = find(&state, &name).await?;
    Ok((
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        model.to_text(),
    ))
}
