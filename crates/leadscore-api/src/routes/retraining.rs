//! Retraining: the schedule and policy in force, the challenger scored in
//! shadow, and every run with what it did and why.

use axum::Json;
use axum::extract::State;
use leadscore_domain::Timestamp;
use leadscore_engine::retrain::{Run, list_runs, next_run};
use leadscore_engine::shadow::{self, ShadowSummary};
use leadscore_engine::{Service, model_registry};
use serde::Serialize;
use utoipa::ToSchema;

use super::models::version_of;
use crate::error::ApiError;
use crate::params::Path;

/// Retraining as this instance sees it.
#[derive(Debug, Serialize, ToSchema)]
pub struct RetrainingStatus {
    /// The schedule (cron, UTC), if the service retrains by itself.
    pub schedule: Option<String>,
    /// When it next does.
    pub next_run: Option<Timestamp>,
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
pub async fn status(State(service): State<Service>) -> Result<Json<RetrainingStatus>, ApiError> {
    let store = &service.store;
    let settings = &service.settings.retraining;
    let next = settings
        .cron()?
        .and_then(|cron| next_run(&cron, Timestamp::now()));
    let challenger = match model_registry::challenger(store).await? {
        Some((version, _)) => Some(shadow::summary(store, version).await?),
        None => None,
    };
    Ok(Json(RetrainingStatus {
        schedule: settings.schedule.clone(),
        next_run: next,
        window_days: settings.window_days,
        min_auc_share: settings.min_auc_share,
        max_champion_age_days: settings.max_champion_age_days,
        challenger,
        runs: list_runs(store).await?,
    }))
}

/// A version's shadow scores, summed up (any version that was a challenger).
#[utoipa::path(get, path = "/v1/models/{version}/shadow", tag = "conversion models",
    params(("version" = i64, Path, description = "The version")),
    responses((status = 200, body = ShadowSummary)), security(("api_key" = [])))]
pub async fn shadow_scores(
    State(service): State<Service>,
    Path(version): Path<String>,
) -> Result<Json<ShadowSummary>, ApiError> {
    let version = version_of(&version)?;
    Ok(Json(shadow::summary(&service.store, version).await?))
}
