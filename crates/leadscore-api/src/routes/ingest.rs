//! Writing records: upserts of accounts, contacts and leads, appends of
//! interactions, and the erasure of a contact. Each accepted write is committed
//! (with the leads it affects queued for rescoring) before the response; the
//! work is the engine's ([`leadscore_engine::ingest`]).

use axum::extract::State;
use axum::{Extension, Json};
use leadscore_domain::{ContactId, Dataset, NearMissKind, RecordType};
use leadscore_engine::ingest::{self, IngestError, Written};
use leadscore_engine::json_records as records;
use leadscore_engine::record_bodies::{AccountBody, ContactBody, InteractionsBody, LeadBody};
use leadscore_engine::{Caller, ErrorCode, Service};
use leadscore_store::Erasure;
use serde_json::Value;

use crate::body::Document;
use crate::error::{ApiError, ErrorBody};
use crate::params::Path;

/// Writes through the engine; `place` names a record's place in the body
/// for errors (`[2].`).
async fn write(
    service: &Service,
    data: Dataset,
    cause: &str,
    place: impl Fn(&RecordType, usize) -> String,
) -> Result<Json<Written>, ApiError> {
    match ingest::ingest(service, &data, cause).await {
        Ok(written) => Ok(Json(written)),
        Err(IngestError::UnknownReference(d)) => {
            let field = format!("{}{}", place(&d.record, d.index), d.column);
            Err(ApiError::new(ErrorCode::UnknownReference, format!("{field}: {d}")).field(field))
        }
        Err(IngestError::FutureTime(t)) => {
            let field = format!("{}{}", place(&t.record, t.index), t.column);
            Err(ApiError::new(ErrorCode::InvalidValue, format!("{field}: {t}")).field(field))
        }
        Err(IngestError::NearMissKind(k)) => {
            let field = format!(
                "{}{}",
                place(&RecordType::Interaction, k.index),
                NearMissKind::COLUMN
            );
            Err(ApiError::new(ErrorCode::InvalidValue, format!("{field}: {k}")).field(field))
        }
        Err(other) => Err(other.into()),
    }
}

fn top_level(_: &RecordType, _: usize) -> String {
    String::new()
}

/// Creates or replaces an account.
#[utoipa::path(put, path = "/v1/accounts/{id}", tag = "ingest", request_body = AccountBody,
    params(("id" = String, Path, description = "The account id")),
    responses((status = 200, body = Written), (status = 422, body = ErrorBody)),
    security(("api_key" = [])))]
pub async fn put_account(
    State(service): State<Service>,
    Path(id): Path<String>,
    Document(body): Document<Value>,
) -> Result<Json<Written>, ApiError> {
    let data = Dataset {
        accounts: vec![records::account(&body, "", Some(&id))?],
        ..Dataset::default()
    };
    write(&service, data, "account upserted", top_level).await
}

/// Creates or replaces a contact.
#[utoipa::path(put, path = "/v1/contacts/{id}", tag = "ingest", request_body = ContactBody,
    params(("id" = String, Path, description = "The contact id")),
    responses((status = 200, body = Written), (status = 422, body = ErrorBody)),
    security(("api_key" = [])))]
pub async fn put_contact(
    State(service): State<Service>,
    Path(id): Path<String>,
    Document(body): Document<Value>,
) -> Result<Json<Written>, ApiError> {
    let data = Dataset {
        contacts: vec![records::contact(&body, "", Some(&id))?],
        ..Dataset::default()
    };
    write(&service, data, "contact upserted", top_level).await
}

/// Creates or replaces a lead.
#[utoipa::path(put, path = "/v1/leads/{id}", tag = "ingest", request_body = LeadBody,
    params(("id" = String, Path, description = "The lead id")),
    responses((status = 200, body = Written), (status = 422, body = ErrorBody)),
    security(("api_key" = [])))]
pub async fn put_lead(
    State(service): State<Service>,
    Path(id): Path<String>,
    Document(body): Document<Value>,
) -> Result<Json<Written>, ApiError> {
    let data = Dataset {
        leads: vec![records::lead(&body, "", Some(&id))?],
        ..Dataset::default()
    };
    write(&service, data, "lead upserted", top_level).await
}

/// Appends one interaction (an object) or many (an array, up to
/// `limits.max_batch`); all or nothing.
#[utoipa::path(post, path = "/v1/interactions", tag = "ingest", request_body = InteractionsBody,
    responses((status = 200, body = Written), (status = 413, body = ErrorBody),
        (status = 422, body = ErrorBody)),
    security(("api_key" = [])))]
pub async fn post_interactions(
    State(service): State<Service>,
    Document(body): Document<Value>,
) -> Result<Json<Written>, ApiError> {
    let max = service.settings.limits.max_batch;
    let interactions = match &body {
        Value::Array(items) => {
            if items.len() > max {
                return Err(ApiError::new(
                    ErrorCode::TooLarge,
                    format!(
                        "{} interactions in one request; at most {max} (limits.max_batch)",
                        items.len()
                    ),
                ));
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
    write(&service, data, "interactions ingested", |_, i| {
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
    responses((status = 200, body = Erasure), (status = 404, body = ErrorBody)),
    security(("api_key" = [])))]
pub async fn delete_contact(
    State(service): State<Service>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> Result<Json<Erasure>, ApiError> {
    let not_found = || ApiError::not_found("contact", &id);
    let contact_id = ContactId::parse(&id).map_err(|_| not_found())?;
    ingest::erase_contact(&service, &contact_id, Some(&caller.key_id))
        .await?
        .map(Json)
        .ok_or_else(not_found)
}
