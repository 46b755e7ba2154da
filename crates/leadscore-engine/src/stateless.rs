//! Scoring leads posted with their records, without storing anything
//! (`POST /v1/score`): the request read in place ([`Json`]), its records
//! checked as every write's are, scored by the [`Engine`].

use std::borrow::Cow;

use leadscore_domain::{Dataset, LeadId, LeadStatus, Timestamp};
use serde::Serialize;

use crate::EngineError;
use crate::json::Json;
use crate::json_records::{self as records, Prefix};
use crate::lead_scores::LeadScores;
use crate::nul::refuse_nul_in_body;
use crate::refusal::{ErrorCode, Refusal};
use crate::scoring::Engine;

/// Why a scoring request got no scores.
#[derive(Debug, thiserror::Error)]
pub enum ScoreError {
    /// The request was refused.
    #[error(transparent)]
    Refused(#[from] Refusal),
    /// Scoring failed.
    #[error(transparent)]
    Engine(#[from] EngineError),
}

/// One result or a batch's, serialized straight to the body.
#[derive(Debug, Serialize)]
#[serde(untagged)]
pub enum Scored {
    /// A single request's.
    One(Box<LeadScores>),
    /// A batch's, in request order.
    Many(Vec<LeadScores>),
}

/// The refusal of a body that is not JSON, naming the line and column.
pub fn syntax_error(e: &serde_json::Error) -> Refusal {
    Refusal::new(
        ErrorCode::BadJson,
        format!(
            "the body is not valid JSON: {e} (line {}, column {})",
            e.line(),
            e.column()
        ),
    )
}

/// Scores a request body (one request object, or an array of up to
/// `max_batch` of them) as of `at`. A body that is not JSON is refused
/// (`bad_json`), as is one with a NUL in any text (`control_character`).
pub fn score_body(
    engine: &Engine,
    body: &[u8],
    at: Timestamp,
    max_batch: usize,
) -> Result<Scored, ScoreError> {
    let parsed = Json::parse(body).map_err(|e| syntax_error(&e))?;
    refuse_nul_in_body(body)?;
    score_request(engine, parsed, at, max_batch)
}

/// Scores a request read with [`Json::parse`] (and checked for NULs).
fn score_request(
    engine: &Engine,
    body: Json<'_>,
    at: Timestamp,
    max_batch: usize,
) -> Result<Scored, ScoreError> {
    match body {
        Json::Array(items) => {
            if items.len() > max_batch {
                return Err(Refusal::new(
                    ErrorCode::TooLarge,
                    format!(
                        "{} leads in one request; at most {max_batch} (limits.max_batch)",
                        items.len()
                    ),
                )
                .into());
            }
            let scored = items
                .into_iter()
                .enumerate()
                .map(|(i, b)| score_one(engine, b, Some(i), at))
                .collect::<Result<Vec<_>, _>>()?;
            Ok(Scored::Many(scored))
        }
        single => Ok(Scored::One(Box::new(score_one(engine, single, None, at)?))),
    }
}

fn score_one(
    engine: &Engine,
    body: Json<'_>,
    batch: Option<usize>,
    at: Timestamp,
) -> Result<LeadScores, ScoreError> {
    let (data, lead_id, status) = request_dataset(body, batch, at)?;
    let results = engine.score(&data, std::slice::from_ref(&lead_id), at)?;
    let result = results
        .into_iter()
        .next()
        .ok_or_else(|| EngineError::Scoring {
            reason: "the posted lead was not scored".to_owned(),
        })?;
    Ok(LeadScores::computed(result, status))
}

/// The keys of a scoring request.
const KEYS: [&str; 5] = ["lead", "contact", "account", "contacts", "interactions"];

/// Sets a key an object lacks.
fn default_key(object: &mut Json<'_>, key: &'static str, value: impl FnOnce() -> String) {
    if let Some(entries) = object.as_object_mut()
        && !entries.iter().any(|(k, _)| k == key)
    {
        entries.push((Cow::Borrowed(key), Json::String(Cow::Owned(value()))));
    }
}

/// The lead of one scoring request, with the records it links to: the
/// dataset, the lead's id and its status.
fn request_dataset(
    mut body: Json<'_>,
    batch: Option<usize>,
    at: Timestamp,
) -> Result<(Dataset, LeadId, LeadStatus), Refusal> {
    let prefix = Prefix::key(batch, "");
    let Some(map) = body.as_object_mut() else {
        let field = prefix.to_string();
        return Err(Refusal::new(
            ErrorCode::NotAnObject,
            "a scoring request is an object with a \"lead\"",
        )
        .field(field.trim_end_matches('.')));
    };
    if let Some((key, _)) = map.iter().find(|(k, _)| !KEYS.contains(&k.as_ref())) {
        return Err(Refusal::new(
            ErrorCode::UnknownField,
            format!("{prefix}{key} is not lead, contact, account, contacts or interactions"),
        )
        .field(format!("{prefix}{key}")));
    }
    let mut take = |key: &str| {
        map.iter_mut()
            .find(|(k, _)| k == key)
            .map(|(_, v)| std::mem::replace(v, Json::Null))
    };
    let mut lead_value = take("lead").ok_or_else(|| {
        Refusal::new(ErrorCode::MissingField, format!("{prefix}lead is required"))
            .field(format!("{prefix}lead"))
    })?;
    let contact = take("contact").filter(|c| !c.is_null());
    let account = take("account").filter(|a| !a.is_null());
    let contacts = take("contacts").filter(|c| !c.is_null());
    let interactions = take("interactions").filter(|c| !c.is_null());
    // A form's lead may have no id or creation time yet.
    default_key(&mut lead_value, "lead_id", || "posted-lead".to_owned());
    default_key(&mut lead_value, "created_at", || at.to_string());
    let mut lead = records::lead_in(&lead_value, Prefix::key(batch, "lead"))?;
    let mut data = Dataset::default();
    if let Some(c) = &contact {
        let mut contact = records::contact_in(c, Prefix::key(batch, "contact"))?;
        if lead.contact_id.is_none() {
            lead.contact_id = Some(contact.contact_id.clone());
        }
        if let Some(a) = &account {
            let account = records::account_in(a, Prefix::key(batch, "account"))?;
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
    } else if let Some(a) = &account {
        let account = records::account_in(a, Prefix::key(batch, "account"))?;
        if lead.account_id.is_none() {
            lead.account_id = Some(account.account_id.clone());
        }
        data.accounts.push(account);
    }
    if let Some(list) = contacts {
        let Json::Array(items) = list else {
            return Err(Refusal::new(
                ErrorCode::NotAnArray,
                format!("{prefix}contacts must be an array"),
            )
            .field(format!("{prefix}contacts")));
        };
        for (i, c) in items.iter().enumerate() {
            data.contacts
                .push(records::contact_in(c, Prefix::item(batch, "contacts", i))?);
        }
    }
    let default_contact = lead.contact_id.clone();
    if let Some(list) = interactions {
        let Json::Array(items) = list else {
            return Err(Refusal::new(
                ErrorCode::NotAnArray,
                format!("{prefix}interactions must be an array"),
            )
            .field(format!("{prefix}interactions")));
        };
        data.interactions.reserve(items.len());
        for (i, mut v) in items.into_iter().enumerate() {
            // A form's interactions may have no ids.
            default_key(&mut v, "interaction_id", || format!("posted-{i}"));
            let mut interaction =
                records::interaction_in(&v, Prefix::item(batch, "interactions", i))?;
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
    let lead_id = lead.lead_id.clone();
    let status = lead.status;
    data.leads.push(lead);
    if let Some(d) = data.dangling_references(&Default::default()).first() {
        return Err(Refusal::new(
            ErrorCode::UnknownReference,
            format!("{prefix}: {d}: post the record it names with the lead"),
        )
        .field(format!("{prefix}{}", d.column)));
    }
    Ok((data, lead_id, status))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use leadscore_rules::RuleModel;

    use super::*;

    const MODEL: &str = r#"
name: Clicks
target: contact
rules:
  - name: Clicked an email
    when:
      - { entity: EmailClicked, frequency: each }
    points: 10
"#;

    fn engine() -> Engine {
        Engine::new(vec![RuleModel::from_yaml(MODEL).unwrap()], None, None).unwrap()
    }

    fn at() -> Timestamp {
        Timestamp::parse("2026-11-01T00:00:00Z").unwrap()
    }

    fn error(body: &str) -> (ErrorCode, String, Option<String>, String) {
        let Err(ScoreError::Refused(e)) = score_body(&engine(), body.as_bytes(), at(), 2) else {
            panic!("refused")
        };
        (
            e.code,
            e.code.to_string(),
            e.field.clone(),
            e.message.clone(),
        )
    }

    #[test]
    fn scores_a_form_and_a_batch() {
        let body = r#"{"lead": {}, "contact": {"contact_id": "c"},
            "interactions": [{"kind": "EmailClicked", "occurred_at": "2026-10-01"},
                             {"kind": "EmailClicked", "occurred_at": "2026-10-02"}]}"#;
        let Scored::One(one) = score_body(&engine(), body.as_bytes(), at(), 2).unwrap() else {
            panic!("one result")
        };
        assert_eq!(one.lead_id.as_str(), "posted-lead");
        assert_eq!(one.models[0].score, Some(20));
        let json = serde_json::to_value(&one).unwrap();
        let evidence = &json["models"][0]["explanation"]["rules"][0]["conditions"][0];
        assert_eq!(evidence["interactions"][1]["id"], "posted-1");
        let batch = format!("[{body}, {body}]");
        let Scored::Many(many) = score_body(&engine(), batch.as_bytes(), at(), 2).unwrap() else {
            panic!("a batch")
        };
        assert_eq!(many.len(), 2);
        let three = format!("[{body}, {body}, {body}]");
        assert_eq!(error(&three).0, ErrorCode::TooLarge);
    }

    #[test]
    fn errors_name_the_field_path() {
        let e = error(
            r#"{"lead": {}, "interactions": [
                {"kind": "EmailClicked", "occurred_at": "2026-10-01"},
                {"kind": "EmailClicked", "occurred_at": "2026-10-02"},
                {"kind": "EmailClicked", "occurred_at": "soon"}]}"#,
        );
        assert_eq!(e.0, ErrorCode::InvalidValue);
        assert_eq!(e.2.as_deref(), Some("interactions[2].occurred_at"));
        let e = error(r#"[{"lead": {}}, {"lead": {"created_at": "x"}}]"#);
        assert_eq!(e.2.as_deref(), Some("[1].lead.created_at"));
        let e = error(r#"[{"lead": {}}, 5]"#);
        assert_eq!((e.0, e.2.as_deref()), (ErrorCode::NotAnObject, Some("[1]")));
        let e = error(r#"{"lead": {}, "contacts": [{"contact_id": "c"}, {}]}"#);
        assert_eq!(
            (e.1.as_str(), e.2.as_deref()),
            ("missing_field", Some("contacts[1].contact_id"))
        );
        assert_eq!(e.3, "contacts[1].contact_id is required");
        let e = error(r#"{"lead": {}, "interactions": [[]]}"#);
        assert_eq!(e.3, "interactions[0] must be a JSON object");
        let e = error(r#"{"lead": {"tags": ["a"]}}"#);
        assert_eq!(e.2.as_deref(), Some("lead.tags"));
        let e = error(r#"{"lead": {}, "oops": 1}"#);
        assert_eq!(
            (e.1.as_str(), e.2.as_deref()),
            ("unknown_field", Some("oops"))
        );
        let e = error(r#"{"contact": {}}"#);
        assert_eq!(
            (e.1.as_str(), e.3.as_str()),
            ("missing_field", "lead is required")
        );
        let e = error(r#"{"lead": {}, "interactions": {}}"#);
        assert_eq!(e.1, "not_an_array");
        let e = error(r#"{"lead": "#);
        assert_eq!(e.0, ErrorCode::BadJson);
    }

    #[test]
    fn a_repeated_key_keeps_its_last_value() {
        let body = r#"{"lead": {"created_at": "x"}, "lead": {"lead_id": "L9"}}"#;
        let Scored::One(one) = score_body(&engine(), body.as_bytes(), at(), 2).unwrap() else {
            panic!("one result")
        };
        assert_eq!(one.lead_id.as_str(), "L9");
    }
}
