//! Rule models: create or replace (YAML or JSON, validated as RULES.md says),
//! list, read, delete, and the text view.

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::IntoResponse;
use leadscore_domain::Timestamp;
use leadscore_engine::{ErrorCode, Problem, Refusal, Service, model_registry};
use leadscore_rules::{RuleModel, RulesError};
use serde::Serialize;
use utoipa::ToSchema;

use crate::body::{RawBody, media_type};
use crate::error::{ApiError, ErrorBody};
use crate::params::Path;

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
    /// When it was last changed.
    pub updated_at: Timestamp,
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

async fn find(service: &Service, name: &str) -> Result<RuleModel, ApiError> {
    model_registry::rule_model(&service.store, name)
        .await?
        .map(|(m, _)| m)
        .ok_or_else(|| not_found(name))
}

/// Every rule model.
#[utoipa::path(get, path = "/v1/rule-models", tag = "rule models",
    responses((status = 200, body = Vec<RuleModelSummary>)), security(("api_key" = [])))]
pub async fn list(State(service): State<Service>) -> Result<Json<Vec<RuleModelSummary>>, ApiError> {
    let live = service.in_service.get();
    let fallback = live.engine.fallback().map(str::to_owned);
    let models = model_registry::rule_models(&service.store).await?;
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
    responses((status = 201, body = Stored), (status = 200, body = Stored), (status = 422, body = ErrorBody)),
    security(("api_key" = [])))]
pub async fn put_model(
    State(service): State<Service>,
    Path(name): Path<String>,
    headers: HeaderMap,
    RawBody(body): RawBody,
) -> Result<impl IntoResponse, ApiError> {
    // JSON or YAML, said by the Content-Type (none: refused, not guessed).
    let content_type = media_type(&headers).unwrap_or_default();
    let text = std::str::from_utf8(&body)
        .map_err(|_| ApiError::new(ErrorCode::BadBody, "the body is not UTF-8 text"))?;
    let parsed = if content_type.contains("json") {
        RuleModel::from_json(text)
    } else if content_type.contains("yaml") {
        RuleModel::from_yaml(text)
    } else {
        return Err(ApiError::new(
            ErrorCode::UnsupportedMediaType,
            "send the model as application/yaml or application/json (the Content-Type)",
        ));
    };
    let model = parsed.map_err(|e| match e {
        RulesError::Invalid { problems } => {
            let message = format!("the model has {} problem(s)", problems.len());
            let listed = problems
                .iter()
                .map(|p| Problem::new(p.path.clone(), p.message.clone()))
                .collect();
            ApiError::from(Refusal::new(ErrorCode::InvalidModel, message).problems(listed))
        }
        other => ApiError::new(ErrorCode::InvalidModel, other.to_string()),
    })?;
    // A NUL in any text of the model (a condition's value, say) is refused as
    // in every other body, naming its place; the plan must compile.
    model_registry::check_rule_model(&model)?;
    if model.name != name {
        return Err(ApiError::new(
            ErrorCode::NameMismatch,
            format!(
                "the model is named {:?} but the path names {name:?}",
                model.name
            ),
        )
        .field("name"));
    }
    let created = model_registry::put_rule_model(&service.store, &model).await?;
    service.changed().await?;
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
    responses((status = 200, body = RuleModel), (status = 404, body = ErrorBody)),
    security(("api_key" = [])))]
pub async fn get_model(
    State(service): State<Service>,
    Path(name): Path<String>,
) -> Result<Json<RuleModel>, ApiError> {
    Ok(Json(find(&service, &name).await?))
}

/// Deletes a rule model with its scores.
#[utoipa::path(delete, path = "/v1/rule-models/{name}", tag = "rule models",
    params(("name" = String, Path, description = "The model's name")),
    responses((status = 204), (status = 404, body = ErrorBody)),
    security(("api_key" = [])))]
pub async fn delete_model(
    State(service): State<Service>,
    Path(name): Path<String>,
) -> Result<StatusCode, ApiError> {
    if !model_registry::delete_rule_model(&service.store, &name).await? {
        return Err(not_found(&name));
    }
    service.changed().await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The model's text view (RULES.md), one line per rule.
#[utoipa::path(get, path = "/v1/rule-models/{name}/text", tag = "rule models",
    params(("name" = String, Path, description = "The model's name")),
    responses((status = 200, body = String, content_type = "text/plain"), (status = 404, body = ErrorBody)),
    security(("api_key" = [])))]
pub async fn text(
    State(service): State<Service>,
    Path(name): Path<String>,
) -> Result<impl IntoResponse, ApiError> {
    let model = find(&service, &name).await?;
    Ok((
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        model.to_text(),
    ))
}
