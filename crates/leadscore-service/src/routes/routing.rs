//! Routing rules and seller queues.

use axum::Json;
use axum::extract::{Path, Query, State};
use leadscore_store::placeholders;
use serde::Serialize;
use sqlx::{AssertSqlSafe, Row};
use utoipa::ToSchema;

use super::{JsonBody, Page, Paging, document};
use crate::ApiError;
use crate::app::AppState;
use crate::auth::{Caller, Role};
use crate::registry;
use crate::routing::RoutingConfig;
use crate::time::rfc3339;

/// The routing rules.
#[utoipa::path(get, path = "/v1/routing", tag = "routing",
    responses((status = 200, body = RoutingConfig)), security(("api_key" = [])))]
pub async fn get_routing(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<RoutingConfig>, ApiError> {
    caller.require(Role::Read)?;
    Ok(Json(
        registry::routing(state.store.pool(), state.store.backend()).await?,
    ))
}

/// Replaces the routing rules (every problem located: 422); every lead is
/// routed again.
#[utoipa::path(put, path = "/v1/routing", tag = "routing", request_body = RoutingConfig,
    responses((status = 200, body = RoutingConfig), (status = 422, body = crate::error::ErrorBody)),
    security(("api_key" = [])))]
pub async fn put_routing(
    State(state): State<AppState>,
    caller: Caller,
    JsonBody(body): JsonBody,
) -> Result<Json<RoutingConfig>, ApiError> {
    caller.require(Role::Admin)?;
    let config: RoutingConfig = document(body)?;
    let problems = config.validate();
    if let Some(first) = problems.first() {
        return Err(ApiError::unprocessable(
            "invalid_routing",
            format!("{}: {}", first.field, first.message),
        )
        .field(first.field.clone())
        .problems(
            problems
                .iter()
                .filter_map(|p| serde_json::to_value(p).ok())
                .collect(),
        ));
    }
    registry::put_routing(&state.store, &config).await?;
    state.live.refresh(&state.store, &state.settings).await?;
    state.rescore_wake.notify_one();
    Ok(Json(config))
}

/// A lead in a queue.
#[derive(Debug, Serialize, ToSchema)]
pub struct QueuedLead {
    /// The lead.
    pub lead_id: String,
    /// Its primary score.
    pub score: Option<i64>,
    /// Its primary grade.
    pub grade: Option<String>,
    /// Whether it is flagged sales-ready.
    pub sales_ready: bool,
    /// Its stage.
    pub stage: String,
    /// Its latest activity (RFC 3339).
    pub last_activity: String,
}

/// A queue's leads in priority order: primary score (highest first), then
/// latest activity (newest first).
#[utoipa::path(get, path = "/v1/queues/{name}", tag = "routing",
    params(("name" = String, Path, description = "The queue"), Paging),
    responses((status = 200, body = Page<QueuedLead>)), security(("api_key" = [])))]
pub async fn queue(
    State(state): State<AppState>,
    caller: Caller,
    Path(name): Path<String>,
    Query(paging): Query<Paging>,
) -> Result<Json<Page<QueuedLead>>, ApiError> {
    caller.require(Role::Read)?;
    let (limit, offset) = paging.limit_offset(state.settings.limits.max_per_page)?;
    let backend = state.store.backend();
    let pool = state.store.pool();
    let total: i64 = sqlx::query(AssertSqlSafe(placeholders(
        backend,
        "SELECT COUNT(*) FROM lead_state WHERE queue = ?",
    )))
    .bind(&name)
    .fetch_one(pool)
    .await
    .map_err(|e| ApiError::internal(&e))?
    .try_get(0)
    .map_err(|e| ApiError::internal(&e))?;
    let rows = sqlx::query(AssertSqlSafe(placeholders(
        backend,
        "SELECT lead_id, primary_score, primary_grade, sales_ready, stage, recency FROM lead_state \
         WHERE queue = ? ORDER BY primary_score DESC NULLS LAST, recency DESC, lead_id LIMIT ? OFFSET ?",
    )))
    .bind(&name)
    .bind(i64::from(limit))
    .bind(i64::from(offset))
    .fetch_all(pool)
    .await
    .map_err(|e| ApiError::internal(&e))?;
    let items = rows
        .iter()
        .map(|r| {
            Ok(QueuedLead {
                lead_id: r.try_get(0)?,
                score: r.try_get(1)?,
                grade: r.try_get(2)?,
                sales_ready: r.try_get::<i64, _>(3)? != 0,
                stage: r.try_get(4)?,
                last_activity: rfc3339(r.try_get(5)?),
            })
        })
        .collect::<Result<Vec<_>, sqlx::Error>>()
        .map_err(|e| ApiError::internal(&e))?;
    Ok(Json(Page {
        total: u64::try_from(total).unwrap_or(0),
        page: paging.page.unwrap_or(1),
        per_page: limit,
        items,
    }))
}
