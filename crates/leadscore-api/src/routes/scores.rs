//! Reading a stored lead's scores and history, and scoring posted leads
//! without storing them.

use axum::Json;
use axum::extract::State;
use leadscore_domain::{LeadId, Timestamp};
use leadscore_engine::lead_scores::{HistoryEntry, LeadScores};
use leadscore_engine::record_bodies::{ScoreAnswer, ScoreBody};
use leadscore_engine::stateless::{self, Scored};
use leadscore_engine::{ErrorCode, Service};
use serde::Deserialize;

use crate::body::JsonBytes;
use crate::error::{ApiError, ErrorBody};
use crate::params::{Path, Query};

/// A lead id from the path; an id no lead can have is not found.
fn lead_id(id: &str) -> Result<LeadId, ApiError> {
    LeadId::parse(id).map_err(|_| ApiError::not_found("lead", id))
}

/// A lead's scores with their explanations. A lead stored but not yet scored
/// is scored on the spot.
#[utoipa::path(get, path = "/v1/leads/{id}/scores", tag = "scores",
    params(("id" = String, Path, description = "The lead id")),
    responses((status = 200, body = LeadScores), (status = 404, body = ErrorBody)),
    security(("api_key" = [])))]
pub async fn lead_scores(
    State(service): State<Service>,
    Path(id): Path<String>,
) -> Result<Json<LeadScores>, ApiError> {
    let lead = lead_id(&id)?;
    if let Some((state, rules)) = service.store.scores().lead(&lead).await? {
        return Ok(Json(LeadScores::stored(&state, &rules)));
    }
    let live = service.in_service.get();
    let ids = [lead];
    let data = service
        .store
        .records()
        .neighbourhood(&ids, live.engine.reads_properties())
        .await?;
    let status = data
        .leads
        .iter()
        .find(|l| l.lead_id == ids[0])
        .map(|l| l.status)
        .ok_or_else(|| ApiError::not_found("lead", &id))?;
    let result = live
        .engine
        .score(&data, &ids, service.settings.scoring_time())?
        .into_iter()
        .next()
        .ok_or_else(|| ApiError::not_found("lead", &id))?;
    Ok(Json(LeadScores::computed(result, status)))
}

/// What changed in a lead's scores, when and why, oldest first.
#[utoipa::path(get, path = "/v1/leads/{id}/history", tag = "scores",
    params(("id" = String, Path, description = "The lead id")),
    responses((status = 200, body = Vec<HistoryEntry>), (status = 404, body = ErrorBody)),
    security(("api_key" = [])))]
pub async fn lead_history(
    State(service): State<Service>,
    Path(id): Path<String>,
) -> Result<Json<Vec<HistoryEntry>>, ApiError> {
    let lead = lead_id(&id)?;
    let ids = [lead];
    if service.store.records().leads(&ids).await?.is_empty() {
        return Err(ApiError::not_found("lead", &id));
    }
    let history = service.store.scores().history(&ids[0]).await?;
    Ok(Json(history.into_iter().map(HistoryEntry::from).collect()))
}

/// `?at=` for scoring as of a time.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ScoreQuery {
    /// Score as of this time (RFC 3339 or a date; default now).
    pub at: Option<String>,
}

/// Scores a lead posted with its contact, account, the account's other
/// contacts and interactions, without storing anything (a CRM form). An
/// array of such requests (up to `limits.max_batch`) gives an array of
/// results.
#[utoipa::path(post, path = "/v1/score", tag = "scores", request_body = ScoreBody,
    params(ScoreQuery),
    responses((status = 200, body = ScoreAnswer), (status = 400, body = ErrorBody),
        (status = 413, body = ErrorBody), (status = 415, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("api_key" = [])))]
pub async fn score(
    State(service): State<Service>,
    Query(query): Query<ScoreQuery>,
    JsonBytes(bytes): JsonBytes,
) -> Result<Json<Scored>, ApiError> {
    let at = match &query.at {
        Some(text) => Timestamp::parse(text)
            .map_err(|e| ApiError::new(ErrorCode::BadQuery, format!("at: {e}")).field("at"))?,
        None => service.settings.scoring_time(),
    };
    let live = service.in_service.get();
    Ok(Json(stateless::score_body(
        &live.engine,
        &bytes,
        at,
        service.settings.limits.max_batch,
    )?))
}
