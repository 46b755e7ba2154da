//! The live model's feature review on the store's leads, as a page and as
//! JSON, and its drift.

use axum::Json;
use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;
use std::sync::Arc;

use leadscore_engine::review::{self, Answer};
use leadscore_engine::{ErrorCode, Service};
use leadscore_report::{DriftSection, Review, render_html};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::error::{ApiError, ErrorBody};
use crate::params::Query;
use leadscore_report::MAX_RECENT_DAYS;

/// The recent window.
#[derive(Debug, Clone, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ReviewQuery {
    /// Drift compares the leads created in this many days before the scoring
    /// time with the closed leads (default: the `drift.recent_days` setting).
    #[param(minimum = 1, maximum = 3650)]
    pub recent_days: Option<u32>,
}

/// The live model's review as last computed (`drift.every_secs`); 503
/// with `Retry-After` while the first one of a version or window is being
/// computed.
async fn live_review(service: &Service, q: &ReviewQuery) -> Result<Arc<Review>, ApiError> {
    let days = q.recent_days.unwrap_or(service.settings.drift.recent_days);
    if !(1..=MAX_RECENT_DAYS).contains(&days) {
        return Err(ApiError::new(
            ErrorCode::BadQuery,
            format!("recent_days must be 1 to {MAX_RECENT_DAYS}"),
        )
        .field("recent_days"));
    }
    match review::served(service, days).await? {
        Answer::Ready(served) => Ok(served.review),
        Answer::Computing { version, since } => {
            let mut e = ApiError::new(
                ErrorCode::Unavailable,
                format!(
                    "the review of conversion model v{version} over {days} days is being \
                     computed (since {since}); it is served as soon as it is done: try again \
                     in {} seconds",
                    COMPUTING_RETRY.as_secs()
                ),
            );
            e.retry_after = Some(COMPUTING_RETRY);
            Err(e)
        }
        Answer::NoLiveModel => Err(ApiError::new(
            ErrorCode::NoLiveModel,
            "no conversion model is published: publish one (POST /v1/models/{version}/publish) or retrain",
        )),
    }
}

/// How long to wait before asking again for a review being computed.
const COMPUTING_RETRY: std::time::Duration = std::time::Duration::from_secs(10);

/// The quarterly feature review of the live conversion model on the store's
/// leads: one self-contained HTML page (no scripts, nothing fetched).
#[utoipa::path(get, path = "/reports/review", tag = "reports", params(ReviewQuery),
    responses((status = 200, content_type = "text/html", body = String),
        (status = 409, body = ErrorBody),
        (status = 503, body = ErrorBody, description = "the first review of the live version is being computed: try again after Retry-After")),
    security(("api_key" = [])))]
pub async fn review_page(
    State(service): State<Service>,
    Query(q): Query<ReviewQuery>,
) -> Result<impl IntoResponse, ApiError> {
    let review = live_review(&service, &q).await?;
    Ok((
        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
        render_html(&review),
    ))
}

/// The same review as JSON (the `leadscore review --out-json` format).
#[utoipa::path(get, path = "/reports/review.json", tag = "reports", params(ReviewQuery),
    responses((status = 200, body = Review), (status = 409, body = ErrorBody),
        (status = 503, body = ErrorBody, description = "the first review of the live version is being computed: try again after Retry-After")),
    security(("api_key" = [])))]
pub async fn review_json(
    State(service): State<Service>,
    Query(q): Query<ReviewQuery>,
) -> Result<Json<Review>, ApiError> {
    Ok(Json(Review::clone(&*live_review(&service, &q).await?)))
}

/// The live model's drift.
#[derive(Debug, Serialize, ToSchema)]
pub struct DriftReport {
    /// The live version.
    pub version: Option<i64>,
    /// Features at or above the 0.25 alarm level.
    pub alarms: Vec<String>,
    /// Features from 0.1 up to 0.25 (worth watching).
    pub watch: Vec<String>,
    /// Every figure; `null` when no lead was created in the recent window.
    pub drift: Option<DriftSection>,
}

/// Drift of the live model: PSI per feature and of the score for the leads
/// created in the recent window against the closed leads, and the realized
/// conversion by grade of the recent leads that closed.
#[utoipa::path(get, path = "/v1/models/drift", tag = "conversion models", params(ReviewQuery),
    responses((status = 200, body = DriftReport), (status = 409, body = ErrorBody),
        (status = 503, body = ErrorBody, description = "the first review of the live version is being computed: try again after Retry-After")),
    security(("api_key" = [])))]
pub async fn drift(
    State(service): State<Service>,
    Query(q): Query<ReviewQuery>,
) -> Result<Json<DriftReport>, ApiError> {
    let review = live_review(&service, &q).await?;
    let level = |l: leadscore_report::DriftLevel| -> Vec<String> {
        review
            .drift
            .iter()
            .flat_map(|d| &d.features)
            .filter(|f| f.level == l)
            .map(|f| f.feature.clone())
            .collect()
    };
    Ok(Json(DriftReport {
        version: review.model.version,
        alarms: level(leadscore_report::DriftLevel::Major),
        watch: level(leadscore_report::DriftLevel::Moderate),
        drift: review.drift.clone(),
    }))
}
