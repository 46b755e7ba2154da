//! Retraining: the schedule and policy in force, the challenger scored in
//! shadow, and every run with what it did and why.

use axum::Json;
use axum::extract::{Path, State};
use serde::Serialize;
use utoipa::ToSchema;

use crate::ApiError;
use crate::app::AppState;
use crate::auth::{Caller, Role};
use crate::retrain::{Run, next_run, runs};
use crate::shadow::{self, ShadowSummary};
use crate::time::rfc3339;

/// Retraining as this instance sees it.
#[derive(Debug, Serialize, ToSchema)]
pub struct RetrainingStatus {
    /// The schedule (cron, UTC), if the service retrains by itself.
    pub schedule: Option<String>,
    /// When it next does (RFC 3339).
    pub next_run: Option<String>,
    /// Days of closed leads trained on.
    pub window_days: u32,
    /// The share of the live model's held-out AUC a new model must reach.
    pub min_auc_share: f64,
    /// The live model's age past which a new model replaces it anyway (0:
    /// never).
    pub max_champion_age_days: u32,
    /// The challenger's shadow scores, if one is kept unpublished.
    pub challenger: Option<ShadowSummary>,
    /// Every run, newest first.
    pub runs: Vec<Run>,
}

/// The schedule, the policy, the challenger and every run.
#[utoipa::path(get, path = "/v1/retraining", tag = "conversion models",
    responses((status = 200, body = RetrainingStatus)), security(("api_key" = [])))]
pub async fn status(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<RetrainingStatus>, ApiError> {
    caller.require(Role::Read)?;
    let settings = &state.settings.retraining;
    let pool = state.store.pool();
    let backend = state.store.backend();
    let next = settings
        .cron()?
        .and_then(|cron| next_run(&cron, leadscore_domain::Timestamp::now()))
        .map(|t| rfc3339(t.as_micros()));
    let challenger = match runs::challenger(pool, backend).await? {
        Some((version, _)) => Some(shadow::summary(pool, backend, version).await?),
        None => None,
    };
    Ok(Json(RetrainingStatus {
        schedule: settings.schedule.clone(),
        next_run: next,
        window_days: settings.window_days,
        min_auc_share: settings.min_auc_share,
        max_champion_age_days: settings.max_champion_age_days,
        challenger,
        runs: runs::list(pool).await?,
    }))
}

/// A version's shadow scores, summed up (any version that was a challenger).
#[utoipa::path(get, path = "/v1/models/{version}/shadow", tag = "conversion models",
    params(("version" = i64, Path, description = "The version")),
    responses((status = 200, body = ShadowSummary)), security(("api_key" = [])))]
pub async fn shadow_scores(
    State(state): State<AppState>,
    caller: Caller,
    Path(version): Path<String>,
) -> Result<Json<ShadowSummary>, ApiError> {
    caller.require(Role::Read)?;
    let version: i64 = version.parse().map_err(|_| {
        ApiError::bad_request("bad_path", "the version is a number").field("version")
    })?;
    Ok(Json(
        shadow::summary(state.store.pool(), state.store.backend(), version).await?,
    ))
}
