//! Reading a stored lead's scores and history, and scoring posted leads
//! without storing them.

use axum::Json;
use axum::extract::{Path, Query, State};
use leadscore_domain::{Dataset, Timestamp};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::JsonBody;
use crate::app::AppState;
use crate::auth::{Caller, Role};
use crate::state::{HistoryEntry, read_history, read_rule_scores, read_states};
use crate::view::LeadScores;
use crate::{ApiError, records};

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
    let data = state.store.neighbourhood(&ids).await?;
    let lead = data
        .leads
        .iter()
        .find(|l| l.lead_id.as_str() == id)
        .ok_or_else(|| ApiError::not_found("lead", &id))?;
    let live = state.live.get();
    let results = live
        .engine
        .score(&data, &ids, state.settings.scoring_time())?;
    let result = results
        .first()
        .ok_or_else(|| ApiError::not_found("lead", &id))?;
    Ok(Json(LeadScores::computed(result, lead.status.as_str())?))
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

/// The lead of one scoring request, with the records it links to.
fn request_dataset(
    body: &Value,
    prefix: &str,
    at: Timestamp,
) -> Result<(Dataset, String, String), ApiError> {
    let map = body.as_object().ok_or_else(|| {
        ApiError::bad_request(
            "not_an_object",
            "a scoring request is an object with a \"lead\"",
        )
        .field(prefix.trim_end_matches('.'))
    })?;
    for key in map.keys() {
        if !["lead", "contact", "account", "contacts", "interactions"].contains(&key.as_str()) {
            return Err(ApiError::unprocessable(
                "unknown_field",
                format!("{prefix}{key} is not lead, contact, account, contacts or interactions"),
            )
            .field(format!("{prefix}{key}")));
        }
    }
    let mut lead_value = map.get("lead").cloned().ok_or_else(|| {
        ApiError::unprocessable("missing_field", format!("{prefix}lead is required"))
            .field(format!("{prefix}lead"))
    })?;
    // A form's lead may have no id or creation time yet.
    if let Some(l) = lead_value.as_object_mut() {
        l.entry("lead_id").or_insert_with(|| "posted-lead".into());
        l.entry("created_at")
            .or_insert_with(|| at.to_string().into());
    }
    let mut lead = records::lead(&lead_value, &format!("{prefix}lead."), None)?;
    let mut data = Dataset::default();
    if let Some(c) = map.get("contact").filter(|c| !c.is_null()) {
        let mut contact = records::contact(c, &format!("{prefix}contact."), None)?;
        if lead.contact_id.is_none() {
            lead.contact_id = Some(contact.contact_id.clone());
        }
        if let Some(a) = map.get("account").filter(|a| !a.is_null()) {
            let account = records::account(a, &format!("{prefix}account."), None)?;
            // Posted together: the account is the contact's and the lead's.
            if contact.account_id.is_none() {
                contact.account_id = Some(account.account_id.clone());
            }
            if lead.account_id.is_none() {
                lead.account_id = Some(account.account_id.clone());
            }
            data.accounts.push(account);
        }
        data.contacts.push(contact);
    } else if let Some(a) = map.get("account").filter(|a| !a.is_null()) {
        let account = records::account(a, &format!("{prefix}account."), None)?;
        if lead.account_id.is_none() {
            lead.account_id = Some(account.account_id.clone());
        }
        data.accounts.push(account);
    }
    if let Some(list) = map.get("contacts").filter(|c| !c.is_null()) {
        let items = list.as_array().ok_or_else(|| {
            ApiError::unprocessable("not_an_array", format!("{prefix}contacts must be an array"))
                .field(format!("{prefix}contacts"))
        })?;
        for (i, c) in items.iter().enumerate() {
            data.contacts.push(records::contact(
                c,
                &format!("{prefix}contacts[{i}]."),
                None,
            )?);
        }
    }
    let default_contact = lead.contact_id.clone();
    if let Some(list) = map.get("interactions").filter(|c| !c.is_null()) {
        let items = list.as_array().ok_or_else(|| {
            ApiError::unprocessable(
                "not_an_array",
                format!("{prefix}interactions must be an array"),
            )
            .field(format!("{prefix}interactions"))
        })?;
        for (i, v) in items.iter().enumerate() {
            let item_prefix = format!("{prefix}interactions[{i}].");
            // A form's interactions may have no ids: copy only those.
            let mut interaction = match v.as_object() {
                Some(o) if !o.contains_key("interaction_id") => {
                    let mut v = v.clone();
                    if let Some(o) = v.as_object_mut() {
                        o.insert("interaction_id".into(), format!("posted-{i}").into());
                    }
                    records::interaction(&v, &item_prefix)?
                }
                _ => records::interaction(v, &item_prefix)?,
            };
            // Posted with the lead: the lead's contact's unless said otherwise.
            if interaction.contact_id.is_none() && interaction.visitor_id.is_none() {
                interaction.contact_id = default_contact.clone();
            }
            if interaction
                .lead_id
                .as_ref()
                .is_some_and(|l| *l != lead.lead_id)
            {
                interaction.lead_id = None;
            }
            data.interactions.push(interaction);
        }
    }
    let lead_id = lead.lead_id.as_str().to_owned();
    let status = lead.status.as_str().to_owned();
    data.leads.push(lead);
    if let Some(d) = data.dangling_references(&Default::default()).first() {
        return Err(ApiError::unprocessable(
            "unknown_reference",
            format!("{prefix}: {d}: post the record it names with the lead"),
        )
        .field(format!("{prefix}{}", d.column)));
    }
    Ok((data, lead_id, status))
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
    JsonBody(body): JsonBody,
) -> Result<Json<Scored>, ApiError> {
    caller.require(Role::Ingest)?;
    let at = match &query.at {
        Some(text) => Timestamp::parse(text)
            .map_err(|e| ApiError::bad_request("bad_query", format!("at: {e}")).field("at"))?,
        None => state.settings.scoring_time(),
    };
    let live = state.live.get();
    let one = |body: &Value, prefix: &str| -> Result<LeadScores, ApiError> {
        let (data, lead_id, status) = request_dataset(body, prefix, at)?;
        let results = live
            .engine
            .score(&data, std::slice::from_ref(&lead_id), at)?;
        let result = results
            .first()
            .ok_or_else(|| ApiError::internal(&"the posted lead was not scored"))?;
        Ok(LeadScores::computed(result, &status)?)
    };
    let out = match &body {
        Value::Array(items) => {
            let max = state.settings.limits.max_batch;
            if items.len() > max {
                return Err(ApiError::too_large(format!(
                    "{} leads in one request; at most {max} (limits.max_batch)",
                    items.len()
                )));
            }
            let scored = items
                .iter()
                .enumerate()
                .map(|(i, b)| one(b, &format!("[{i}].")))
                .collect::<Result<Vec<_>, _>>()?;
            Json(Scored::Many(scored))
        }
        single => Json(Scored::One(Box::new(one(single, "")?))),
    };
    Ok(out)
}

/// One result or a batch's, serialized straight to the body.
#[derive(Serialize)]
#[serde(untagged)]
pub enum Scored {
    /// A single request's.
    One(Box<LeadScores>),
    /// A batch's, in request order.
    Many(Vec<LeadScores>),
}
