//! Request bodies as DATA.md records: each key is a DATA.md column name, any
//! other key a custom field (for an interaction, a property). Values are JSON
//! strings, numbers or booleans (read as their text) or `null` (absent);
//! objects and arrays are errors. Every error names its field.

use leadscore_domain::{
    Account, AccountId, Contact, ContactId, DomainError, Fields, Interaction, InteractionId,
    InteractionKind, Lead, LeadId, LeadStatus, RecordType, Timestamp, VisitorId, parse_amount,
    parse_count,
};
use serde_json::{Map, Value};

use crate::ApiError;

/// One JSON object's values as text, by key, with the field path prefix for
/// errors (`interactions[2].`).
struct Object<'a> {
    map: &'a Map<String, Value>,
    prefix: String,
    record: RecordType,
}

fn bad(field: String, message: impl std::fmt::Display) -> ApiError {
    ApiError::unprocessable("invalid_value", format!("{field}: {message}")).field(field)
}

impl<'a> Object<'a> {
    fn new(value: &'a Value, prefix: &str, record: RecordType) -> Result<Self, ApiError> {
        let map = value.as_object().ok_or_else(|| {
            let field = prefix.trim_end_matches('.').to_owned();
            let name = if field.is_empty() {
                "the body".to_owned()
            } else {
                field.clone()
            };
            ApiError::bad_request("not_an_object", format!("{name} must be a JSON object"))
                .field(field)
        })?;
        for (key, value) in map {
            if key.trim().is_empty() {
                return Err(bad(
                    format!("{prefix}{key}"),
                    "a field name cannot be empty",
                ));
            }
            if value.is_object() || value.is_array() {
                return Err(bad(
                    format!("{prefix}{key}"),
                    "must be a string, number, boolean or null",
                ));
            }
        }
        Ok(Self {
            map,
            prefix: prefix.to_owned(),
            record,
        })
    }

    fn field(&self, key: &str) -> String {
        format!("{}{key}", self.prefix)
    }

    /// The text of a key; `None` for absent, null or empty (an empty cell is
    /// an absent value, as in DATA.md).
    fn text(&self, key: &str) -> Option<String> {
        let text = match self.map.get(key)? {
            Value::String(s) => s.trim().to_owned(),
            Value::Number(n) => n.to_string(),
            Value::Bool(b) => b.to_string(),
            _ => return None,
        };
        (!text.is_empty()).then_some(text)
    }

    fn parse<T>(
        &self,
        key: &str,
        parse: impl Fn(&str) -> Result<T, DomainError>,
    ) -> Result<Option<T>, ApiError> {
        self.text(key)
            .map(|t| parse(&t).map_err(|e| bad(self.field(key), e)))
            .transpose()
    }

    fn required<T>(
        &self,
        key: &str,
        parse: impl Fn(&str) -> Result<T, DomainError>,
    ) -> Result<T, ApiError> {
        self.parse(key, parse)?.ok_or_else(|| {
            ApiError::unprocessable("missing_field", format!("{} is required", self.field(key)))
                .field(self.field(key))
        })
    }

    /// The id: from the path when the route names it (the body may repeat it,
    /// and must then agree), else from the body.
    fn id<T>(
        &self,
        key: &str,
        path_id: Option<&str>,
        parse: impl Fn(&str) -> Result<T, DomainError>,
    ) -> Result<T, ApiError> {
        match (path_id, self.text(key)) {
            (Some(p), Some(b)) if p != b => Err(ApiError::unprocessable(
                "id_mismatch",
                format!("{} is {b:?} but the path names {p:?}", self.field(key)),
            )
            .field(self.field(key))),
            (Some(p), _) => parse(p).map_err(|e| bad(key.to_owned(), e)),
            (None, _) => self.required(key, parse),
        }
    }

    /// Every key that is not a standard column, as custom fields.
    fn custom(&self) -> Fields {
        let standard = self.record.required_columns();
        let optional = self.record.optional_columns();
        let mut fields = Fields::new();
        for key in self.map.keys() {
            if standard.contains(&key.as_str()) || optional.contains(&key.as_str()) {
                continue;
            }
            if let Some(text) = self.text(key) {
                fields.set(key.clone(), text);
            }
        }
        fields
    }
}

/// An account from a JSON object (`path_id` from the route, if any).
pub fn account(value: &Value, prefix: &str, path_id: Option<&str>) -> Result<Account, ApiError> {
    let o = Object::new(value, prefix, RecordType::Account)?;
    Ok(Account {
        account_id: o.id("account_id", path_id, |s| AccountId::parse(s))?,
        name: o.text("name"),
        industry: o.text("industry"),
        employees: o.parse("employees", parse_count)?.flatten(),
        annual_revenue: o.parse("annual_revenue", parse_amount)?.flatten(),
        country: o.text("country"),
        city: o.text("city"),
        custom: o.custom(),
    })
}

/// A contact from a JSON object.
pub fn contact(value: &Value, prefix: &str, path_id: Option<&str>) -> Result<Contact, ApiError> {
    let o = Object::new(value, prefix, RecordType::Contact)?;
    Ok(Contact {
        contact_id: o.id("contact_id", path_id, |s| ContactId::parse(s))?,
        account_id: o.parse("account_id", |s| AccountId::parse(s))?,
        first_name: o.text("first_name"),
        last_name: o.text("last_name"),
        email: o.text("email"),
        job_title: o.text("job_title"),
        city: o.text("city"),
        country: o.text("country"),
        visitor_id: o.parse("visitor_id", |s| VisitorId::parse(s))?,
        custom: o.custom(),
    })
}

/// A lead from a JSON object.
pub fn lead(value: &Value, prefix: &str, path_id: Option<&str>) -> Result<Lead, ApiError> {
    let o = Object::new(value, prefix, RecordType::Lead)?;
    let lead = Lead {
        lead_id: o.id("lead_id", path_id, |s| LeadId::parse(s))?,
        created_at: o.required("created_at", Timestamp::parse)?,
        contact_id: o.parse("contact_id", |s| ContactId::parse(s))?,
        account_id: o.parse("account_id", |s| AccountId::parse(s))?,
        topic: o.text("topic"),
        source: o.text("source"),
        status: o
            .parse("status", LeadStatus::parse)?
            .unwrap_or(LeadStatus::Open),
        closed_at: o.parse("closed_at", Timestamp::parse)?,
        disqualify_reason: o.text("disqualify_reason"),
        custom: o.custom(),
    };
    lead.validate().map_err(|e| bad(o.field("closed_at"), e))
}

/// An interaction from a JSON object.
pub fn interaction(value: &Value, prefix: &str) -> Result<Interaction, ApiError> {
    let o = Object::new(value, prefix, RecordType::Interaction)?;
    Ok(Interaction {
        interaction_id: o.required("interaction_id", |s| InteractionId::parse(s))?,
        kind: o.required("kind", InteractionKind::parse)?,
        occurred_at: o.required("occurred_at", Timestamp::parse)?,
        contact_id: o.parse("contact_id", |s| ContactId::parse(s))?,
        lead_id: o.parse("lead_id", |s| LeadId::parse(s))?,
        visitor_id: o.parse("visitor_id", |s| VisitorId::parse(s))?,
        properties: o.custom(),
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use serde_json::json;

    use super::*;

    #[test]
    fn standard_columns_and_custom_fields() {
        let l = lead(
            &json!({"created_at": "2026-03-01", "contact_id": "C1", "budget": 5000, "vip": true, "note": null}),
            "",
            Some("L1"),
        )
        .unwrap();
        assert_eq!(l.lead_id.as_str(), "L1");
        assert_eq!(l.custom.get("budget"), Some("5000"));
        assert_eq!(l.custom.get("vip"), Some("true"));
        assert_eq!(l.custom.get("note"), None);
        let i = interaction(
            &json!({"interaction_id": "I1", "kind": "EmailClicked", "occurred_at": "2026-03-02T10:00:00Z", "contact_id": "C1", "url": "https://x"}),
            "",
        )
        .unwrap();
        assert_eq!(i.properties.get("url"), Some("https://x"));
    }

    #[test]
    fn errors_name_the_field() {
        let e = interaction(
            &json!({"interaction_id": "I1", "kind": "EmailClicked", "occurred_at": "yesterday"}),
            "interactions[3].",
        )
        .unwrap_err();
        assert_eq!(e.body.field.as_deref(), Some("interactions[3].occurred_at"));
        assert_eq!(e.status.as_u16(), 422);
        let e = interaction(
            &json!({"interaction_id": "I1", "kind": "clicked", "occurred_at": "2026-03-01"}),
            "",
        )
        .unwrap_err();
        assert_eq!(e.body.field.as_deref(), Some("kind"));
        let e = lead(
            &json!({"lead_id": "L2", "created_at": "2026-03-01"}),
            "",
            Some("L1"),
        )
        .unwrap_err();
        assert_eq!(e.body.code, "id_mismatch");
        let e = lead(&json!({}), "", Some("L1")).unwrap_err();
        assert_eq!(e.body.field.as_deref(), Some("created_at"));
        let e = account(&json!({"employees": "many"}), "", Some("A1")).unwrap_err();
        assert_eq!(e.body.field.as_deref(), Some("employees"));
        let e = account(&json!({"tags": ["a"]}), "", Some("A1")).unwrap_err();
        assert_eq!(e.body.field.as_deref(), Some("tags"));
        let e = contact(&json!([1]), "", Some("C1")).unwrap_err();
        assert_eq!(e.body.code, "not_an_object");
    }
}
