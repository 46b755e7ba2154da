//! Writing records: upserts of accounts, contacts and leads, appends of
//! interactions, and the erasure of a contact. Each accepted write is committed
//! (with the leads it affects queued for rescoring) before the response.

use axum::Json;
use axum::extract::{Path, State};
use leadscore_domain::{Dataset, RecordType};
use leadscore_store::{Store, StoreError};
use serde::Serialize;
use serde_json::Value;
use sha2::{Digest, Sha256};
use utoipa::ToSchema;

use super::JsonBody;
use crate::app::AppState;
use crate::auth::{Caller, Role};
use crate::{ApiError, ids, records};

/// What a write did.
#[derive(Debug, Serialize, ToSchema)]
pub struct Written {
    /// Records written (new, changed or unchanged).
    pub records: u64,
    /// Leads queued for rescoring (rescored within a second).
    pub rescoring: u64,
}

/// Checks references against the store, writes, wakes the rescoring worker.
/// `field` names a record's place in the body for errors (`interactions[2].`).
async fn write(
    state: &AppState,
    data: Dataset,
    cause: &str,
    field: impl Fn(&RecordType, usize) -> String,
) -> Result<Json<Written>, ApiError> {
    let wanted = data.unresolved_ids();
    let existing = state.store.existing_ids(&wanted).await?;
    if let Some(d) = data.dangling_references(&existing).first() {
        let place = format!("{}{}", field(&d.record, d.index), d.column);
        return Err(
            ApiError::unprocessable("unknown_reference", format!("{place}: {d}")).field(place),
        );
    }
    let (summary, queued) = match state.store.ingest(&data, cause).await {
        Ok(done) => done,
        Err(StoreError::DuplicateId { table, id }) => {
            return Err(ApiError::unprocessable(
                "duplicate_id",
                format!("the request holds {table} id {id:?} more than once"),
            ));
        }
        Err(e) => return Err(e.into()),
    };
    let m = &state.metrics.ingested;
    m.with_label_values(&["account"]).inc_by(summary.accounts);
    m.with_label_values(&["contact"]).inc_by(summary.contacts);
    m.with_label_values(&["lead"]).inc_by(summary.leads);
    m.with_label_values(&["interaction"])
        .inc_by(summary.interactions);
    if queued > 0 {
        state.rescore_wake.notify_one();
    }
    Ok(Json(Written {
        records: summary.total(),
        rescoring: queued,
    }))
}

fn top_level(_: &RecordType, _: usize) -> String {
    String::new()
}

/// Creates or replaces an account.
#[utoipa::path(put, path = "/v1/accounts/{id}", tag = "ingest", request_body = Object,
    params(("id" = String, Path, description = "The account id")),
    responses((status = 200, body = Written), (status = 422, body = crate::error::ErrorBody)),
    security(("api_key" = [])))]
pub async fn put_account(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    JsonBody(body): JsonBody,
) -> Result<Json<Written>, ApiError> {
    caller.require(Role::Ingest)?;
    let data = Dataset {
        accounts: vec![records::account(&body, "", Some(&id))?],
        ..Dataset::default()
    };
    write(&state, data, "account upserted", top_level).await
}

/// Creates or replaces a contact.
#[utoipa::path(put, path = "/v1/contacts/{id}", tag = "ingest", request_body = Object,
    params(("id" = String, Path, description = "The contact id")),
    responses((status = 200, body = Written), (status = 422, body = crate::error::ErrorBody)),
    security(("api_key" = [])))]
pub async fn put_contact(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    JsonBody(body): JsonBody,
) -> Result<Json<Written>, ApiError> {
    caller.require(Role::Ingest)?;
    let data = Dataset {
        contacts: vec![records::contact(&body, "", Some(&id))?],
        ..Dataset::default()
    };
    write(&state, data, "contact upserted", top_level).await
}

/// Creates or replaces a lead.
#[utoipa::path(put, path = "/v1/leads/{id}", tag = "ingest", request_body = Object,
    params(("id" = String, Path, description = "The lead id")),
    responses((status = 200, body = Written), (status = 422, body = crate::error::ErrorBody)),
    security(("api_key" = [])))]
pub async fn put_lead(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    JsonBody(body): JsonBody,
) -> Result<Json<Written>, ApiError> {
    caller.require(Role::Ingest)?;
    let data = Dataset {
        leads: vec![records::lead(&body, "", Some(&id))?],
        ..Dataset::default()
    };
    write(&state, data, "lead upserted", top_level).await
}

/// Appends one interaction (an object) or many (an array, up to
/// `limits.max_batch`); all or nothing.
#[utoipa::path(post, path = "/v1/interactions", tag = "ingest", request_body = Object,
    responses((status = 200, body = Written), (status = 413, body = crate::error::ErrorBody),
        (status = 422, body = crate::error::ErrorBody)),
    security(("api_key" = [])))]
pub async fn post_interactions(
    State(state): State<AppState>,
    caller: Caller,
    JsonBody(body): JsonBody,
) -> Result<Json<Written>, ApiError> {
    caller.require(Role::Ingest)?;
    let max = state.settings.limits.max_batch;
    let interactions = match &body {
        Value::Array(items) => {
            if items.len() > max {
                return Err(ApiError::too_large(format!(
                    "{} interactions in one request; at most {max} (limits.max_batch)",
                    items.len()
                )));
            }
            items
                .iter()
                .enumerate()
                .map(|(i, v)| records::interaction(v, &format!("[{i}].")))
                .collect::<Result<Vec<_>, _>>()?
        }
        one => vec![records::interaction(one, "")?],
    };
    let batch = body.is_array();
    let data = Dataset {
        interactions,
        ..Dataset::default()
    };
    write(&state, data, "interactions ingested", |_, i| {
        if batch {
            format!("[{i}].")
        } else {
            String::new()
        }
    })
    .await
}

/// Erases a contact with its interactions and its leads' scores; the erasure
/// is recorded (with a hash of the id, never the id).
#[utoipa::path(delete, path = "/v1/contacts/{id}", tag = "ingest",
    params(("id" = String, Path, description = "The contact id")),
    responses((status = 200, body = Object), (status = 404, body = crate::error::ErrorBody)),
    security(("api_key" = [])))]
pub async fn delete_contact(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<leadscore_store::Erasure>, ApiError> {
    caller.require(Role::Ingest)?;
    let hash = hex::encode(Sha256::digest(id.as_bytes()));
    let erased = state
        .store
        .erase_contact(&id, &hash, &ids::new_id(), Some(&caller.key_id))
        .await?
        .ok_or_else(|| ApiError::not_found("contact", &id))?;
    tracing::info!(erasure = %erased.erasure_id, key = %caller.key_id, "contact erased");
    state.rescore_wake.notify_one();
    Ok(Json(erased))
}
