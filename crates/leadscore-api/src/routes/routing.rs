//! Routing rules and seller queues.

use axum::Json;
use axum::extract::State;
use leadscore_domain::{LeadId, Stage, Timestamp};
use leadscore_engine::routing_rules::RoutingConfig;
use leadscore_engine::{ErrorCode, Refusal, Service, model_registry};
use serde::Serialize;
use utoipa::ToSchema;

use crate::body::{JsonObject, Page, Paging};
use crate::error::{ApiError, ErrorBody};
use crate::params::{Path, Query};

/// The routing rules.
#[utoipa::path(get, path = "/v1/routing", tag = "routing",
    responses((status = 200, body = RoutingConfig)), security(("api_key" = [])))]
pub async fn get_routing(State(service): State<Service>) -> Result<Json<RoutingConfig>, ApiError> {
    Ok(Json(model_registry::routing(&service.store).await?))
}

/// Replaces the routing rules (every problem located: 422); every lead is
/// routed again.
#[utoipa::path(put, path = "/v1/routing", tag = "routing", request_body = RoutingConfig,
    responses((status = 200, body = RoutingConfig), (status = 422, body = ErrorBody)),
    security(("api_key" = [])))]
pub async fn put_routing(
    State(service): State<Service>,
    JsonObject(config): JsonObject<RoutingConfig>,
) -> Result<Json<RoutingConfig>, ApiError> {
    let problems = config.validate();
    if let Some(first) = problems.first() {
        let message = format!("{}: {}", first.field, first.message);
        return Err(Refusal::new(ErrorCode::InvalidRouting, message)
            .problems(problems)
            .into());
    }
    model_registry::put_routing(&service.store, &config).await?;
    service.changed().await?;
    Ok(Json(config))
}

/// A lead in a queue.
#[derive(Debug, Serialize, ToSchema)]
pub struct QueuedLead {
    /// The lead.
    pub lead_id: LeadId,
    /// Its primary score.
    pub score: Option<i64>,
    /// Its primary grade.
    pub grade: Option<String>,
    /// Whether it is flagged sales-ready.
    pub sales_ready: bool,
    /// Its stage.
    pub stage: Stage,
    /// Its latest activity.
    pub last_activity: Timestamp,
}

/// A queue's leads in priority order: primary score (highest first), then
/// latest activity (newest first).
#[utoipa::path(get, path = "/v1/queues/{name}", tag = "routing",
    params(("name" = String, Path, description = "The queue (1 to 64 of A-Z a-z 0-9 _ -; any other name is 404)"), Paging),
    responses((status = 200, body = Page<QueuedLead>), (status = 404, body = ErrorBody)), security(("api_key" = [])))]
pub async fn queue(
    State(service): State<Service>,
    Path(name): Path<String>,
    Query(paging): Query<Paging>,
) -> Result<Json<Page<QueuedLead>>, ApiError> {
    if !leadscore_engine::routing_rules::queue_name_ok(&name) {
        return Err(ApiError::not_found("queue", &name));
    }
    let window = paging.window(service.settings.limits.max_per_page)?;
    let listing = service.store.scores().queue(&name, window).await?;
    Ok(Json(Page {
        total: listing.total,
        page: paging.page.unwrap_or(1),
        per_page: window.limit,
        items: listing
            .rows
            .into_iter()
            .map(|r| QueuedLead {
                lead_id: r.lead_id,
                score: r.score,
                grade: r.grade,
                sales_ready: r.sales_ready,
                stage: r.stage,
                last_activity: r.last_activity,
            })
            .collect(),
    }))
}
