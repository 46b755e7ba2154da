//! Retraining: the schedule and policy in force, the challenger scored in
//! shadow, and every run with what it did and why; starting a run now.

use axum::Json;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use leadscore_domain::{RunStatus, Timestamp};
use leadscore_engine::retrain::{Run, RunStart, list_runs, next_run, retrain_now};
use leadscore_engine::shadow::{self, ShadowSummary};
use leadscore_engine::{ErrorCode, Service, model_registry};
use serde::Serialize;
use utoipa::ToSchema;

use super::models::version_of;
use crate::error::{ApiError, ErrorBody};
use crate::params::Path;

/// Where a started run is watched: its `Location`.
const WATCH: &str = "/v1/retraining";

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

/// A retraining run started, training in the background.
#[derive(Debug, Serialize, ToSchema)]
pub struct RunStarted {
    /// The run's number, as `GET /v1/retraining` lists it.
    pub run_id: i64,
    /// `running`, until the run ends.
    pub status: RunStatus,
}

/// Starts a retraining now, in the background, as of the service's scoring
/// time: 202 once the run is recorded, with its number and, in `Location`,
/// where to watch it (`GET /v1/retraining`: its `status` stays `running`
/// until it is published, kept, unchanged or failed). 409
/// `retraining_running` while a run is running (one at a time, across
/// instances): nothing is started.
#[utoipa::path(post, path = "/v1/retraining/runs", tag = "conversion models",
    responses(
        (status = 202, body = RunStarted,
            headers(("Location" = String, description = "Where to watch the run: `/v1/retraining`"))),
        (status = 409, body = ErrorBody)),
    security(("api_key" = [])))]
pub async fn start(State(service): State<Service>) -> Result<impl IntoResponse, ApiError> {
    match retrain_now(&service).await? {
        RunStart::Started(run_id) => Ok((
            StatusCode::ACCEPTED,
            [(header::LOCATION, WATCH)],
            Json(RunStarted {
                run_id,
                status: RunStatus::Running,
            }),
        )),
        RunStart::Running(run_id) => Err(ApiError::new(
            ErrorCode::RetrainingRunning,
            format!(
                "retraining run {run_id} is running: one run at a time, nothing was started; \
                 watch it at GET {WATCH} and try again once it has ended"
            ),
        )),
    }
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
