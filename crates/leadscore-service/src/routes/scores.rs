//! Reading a stored lead's scores and history, and scoring posted leads
//! without storing them.

use axum::Json;
use axum::extract::{Path, Query, State};
use leadscore_domain::Timestamp;
use serde::Deserialize;

use super::RawBody;
use crate::app::AppState;
use crate::auth::{Caller, Role};
use crate::state::{HistoryEntry, read_history, read_rule_scores, read_states};
use crate::stateless::{self, Scored};
use crate::view::LeadScores;
use crate::{ApiError, json};

/// A lead's scores with their explanations. A lead stored but not yet scored
/// is scored on the spot.
#[utoipa::path(get, path = "/v1/leads/{id}/scores", tag = "scores",
    params(("id" = String, Path, description = "The lead id")),
    responses((status = 200, body = LeadScores), (status = 404, body = crate::error::ErrorBody)),
    security(("api_key" = [])))]
pub async fn lead_scores(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<LeadScores>, ApiError> {
    caller.require(Role::Read)?;
    let backend = state.store.backend();
    let mut conn = state
        .store
        .pool()
        .acquire()
        .await
        .map_err(|e| ApiError::unavailable(&e))?;
    let ids = vec![id.clone()];
    let states = read_states(&mut conn, backend, &ids).await?;
    if let Some(s) = states.get(&id) {
        let rules = read_rule_scores(&mut conn, backend, &ids).await?;
        return Ok(Json(LeadScores::stored(
            s,
            rules.get(&id).map(Vec::as_slice).unwrap_or(&[]),
        )));
    }
    drop(conn);
    let live = state.live.get();
    let data = state
        .store
        .neighbourhood(&ids, live.engine.reads_properties())
        .await?;
    let lead = data
        .leads
        .iter()
        .find(|l| l.lead_id.as_str() == id)
        .ok_or_else(|| ApiError::not_found("lead", &id))?;
    let results = live
        .engine
        .score(&data, &ids, state.settings.scoring_time())?;
    let status = lead.status.as_str().to_owned();
    let result = results
        .into_iter()
        .next()
        .ok_or_else(|| ApiError::not_found("lead", &id))?;
    Ok(Json(LeadScores::computed(result, &status)))
}

/// What changed in a lead's scores, when and why, oldest first.
#[utoipa::path(get, path = "/v1/leads/{id}/history", tag = "scores",
    params(("id" = String, Path, description = "The lead id")),
    responses((status = 200, body = Vec<HistoryEntry>), (status = 404, body = crate::error::ErrorBody)),
    security(("api_key" = [])))]
pub async fn lead_history(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<Vec<HistoryEntry>>, ApiError> {
    caller.require(Role::Read)?;
    let exists = state.store.leads_by_id(std::slice::from_ref(&id)).await?;
    if exists.is_empty() {
        return Err(ApiError::not_found("lead", &id));
    }
    let mut conn = state
        .store
        .pool()
        .acquire()
        .await
        .map_err(|e| ApiError::unavailable(&e))?;
    Ok(Json(
        read_history(&mut conn, state.store.backend(), &id).await?,
    ))
}

/// `?at=` for scoring as of a time.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct ScoreQuery {
    /// Score as of this time (RFC 3339 or a date; default now).
    pub at: Option<String>,
}

/// Scores a lead posted with its contact, account, the account's other
/// contacts and interactions, without storing anything (a CRM form). An
/// array of such requests (up to `limits.max_batch`) gives an array of
/// results.
#[utoipa::path(post, path = "/v1/score", tag = "scores", request_body = Object,
    params(ScoreQuery),
    responses((status = 200, body = LeadScores), (status = 422, body = crate::error::ErrorBody)),
    security(("api_key" = [])))]
pub async fn score(
    State(state): State<AppState>,
    caller: Caller,
    Query(query): Query<ScoreQuery>,
    RawBody(bytes): RawBody,
) -> Result<Json<Scored>, ApiError> {
    // Read before the role is checked, as every JSON body is.
    let body = json::Json::parse(&bytes).map_err(|e| stateless::syntax_error(&e))?;
    caller.require(Role::Ingest)?;
    let at = match &query.at {
        Some(text) => Timestamp::parse(text)
            .map_err(|e| ApiError::bad_request("bad_query", format!("at: {e}")).field("at"))?,
        None => state.settings.scoring_time(),
    };
    let live = state.live.get();
    Ok(Json(stateless::score_request(
        &live.engine,
        body,
        at,
        state.settings.limits.max_batch,
    )?))
}
