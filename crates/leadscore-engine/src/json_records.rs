//! Request bodies as DATA.md records: each key is a DATA.md column name, any
//! other key a custom field (for an interaction, a property). Values are JSON
//! strings, numbers or booleans (read as their text) or `null` (absent);
//! objects and arrays are errors. Every error names its field.

use std::borrow::Cow;
use std::fmt::Display;

use leadscore_domain::{
    Account, AccountId, Contact, ContactId, DomainError, Fields, Interaction, InteractionId,
    InteractionKind, Lead, LeadId, LeadStatus, RecordType, Timestamp, VisitorId, parse_amount,
    parse_count,
};
use serde_json::{Map, Number, Value};

use crate::json::Json;
use crate::refusal::{ErrorCode, Refusal};

/// A field's value as the readers see it.
#[derive(Clone, Copy)]
enum Scalar<'v> {
    Text(&'v str),
    Number(&'v Number),
    Bool(bool),
    Null,
    /// An object or an array: an error in a record.
    Nested,
}

impl Scalar<'_> {
    fn of_value(value: &Value) -> Scalar<'_> {
        match value {
            Value::String(s) => Scalar::Text(s),
            Value::Number(n) => Scalar::Number(n),
            Value::Bool(b) => Scalar::Bool(*b),
            Value::Null => Scalar::Null,
            Value::Array(_) | Value::Object(_) => Scalar::Nested,
        }
    }

    fn of_json<'v>(value: &'v Json<'_>) -> Scalar<'v> {
        match value {
            Json::String(s) => Scalar::Text(s),
            Json::Number(n) => Scalar::Number(n),
            Json::Bool(b) => Scalar::Bool(*b),
            Json::Null => Scalar::Null,
            Json::Array(_) | Json::Object(_) => Scalar::Nested,
        }
    }
}

/// A JSON object's entries, whichever way the document was read.
trait Entries {
    /// Every key with its value, in document order.
    fn entries(&self) -> impl Iterator<Item = (&str, Scalar<'_>)>;
    /// A key's value.
    fn scalar(&self, key: &str) -> Option<Scalar<'_>>;
}

impl Entries for Map<String, Value> {
    fn entries(&self) -> impl Iterator<Item = (&str, Scalar<'_>)> {
        self.iter().map(|(k, v)| (k.as_str(), Scalar::of_value(v)))
    }

    fn scalar(&self, key: &str) -> Option<Scalar<'_>> {
        self.get(key).map(Scalar::of_value)
    }
}

impl Entries for [(Cow<'_, str>, Json<'_>)] {
    fn entries(&self) -> impl Iterator<Item = (&str, Scalar<'_>)> {
        self.iter().map(|(k, v)| (k.as_ref(), Scalar::of_json(v)))
    }

    fn scalar(&self, key: &str) -> Option<Scalar<'_>> {
        self.iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| Scalar::of_json(v))
    }
}

/// Where a record sits in a request, for the field paths errors name:
/// `[batch].field[index].` (each part when present). Written out only when an
/// error names a field.
#[derive(Debug, Clone, Copy, Default)]
pub struct Prefix<'a> {
    /// The position in a batch (a JSON array body).
    pub batch: Option<usize>,
    /// The key holding the record (`lead`, `interactions`); empty for the
    /// body itself.
    pub key: &'a str,
    /// The position in the array under `key`.
    pub index: Option<usize>,
}

impl<'a> Prefix<'a> {
    /// The record at `key` of this request.
    pub fn key(batch: Option<usize>, key: &'a str) -> Self {
        Self {
            batch,
            key,
            index: None,
        }
    }

    /// The record at `key[index]` of this request.
    pub fn item(batch: Option<usize>, key: &'a str, index: usize) -> Self {
        Self {
            batch,
            key,
            index: Some(index),
        }
    }
}

impl Display for Prefix<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if let Some(b) = self.batch {
            write!(f, "[{b}].")?;
        }
        f.write_str(self.key)?;
        if let Some(i) = self.index {
            write!(f, "[{i}]")?;
        }
        if !self.key.is_empty() {
            f.write_str(".")?;
        }
        Ok(())
    }
}

/// One JSON object's values as text, by key, with the field path prefix for
/// errors (`interactions[2].`).
struct Object<'a, M: ?Sized, P> {
    map: &'a M,
    prefix: P,
    record: RecordType,
}

fn bad(field: String, message: impl Display) -> Refusal {
    Refusal::new(ErrorCode::InvalidValue, format!("{field}: {message}")).field(field)
}

impl<'a, M: Entries + ?Sized, P: Display> Object<'a, M, P> {
    fn new(map: Option<&'a M>, prefix: P, record: RecordType) -> Result<Self, Refusal> {
        let Some(map) = map else {
            let prefix = prefix.to_string();
            let field = prefix.trim_end_matches('.').to_owned();
            let name = if field.is_empty() {
                "the body".to_owned()
            } else {
                field.clone()
            };
            return Err(Refusal::new(
                ErrorCode::NotAnObject,
                format!("{name} must be a JSON object"),
            )
            .field(field));
        };
        for (key, value) in map.entries() {
            if key.trim().is_empty() {
                return Err(bad(
                    format!("{prefix}{key}"),
                    "a field name cannot be empty",
                ));
            }
            if matches!(value, Scalar::Nested) {
                return Err(bad(
                    format!("{prefix}{key}"),
                    "must be a string, number, boolean or null",
                ));
            }
        }
        Ok(Self {
            map,
            prefix,
            record,
        })
    }

    fn field(&self, key: &str) -> String {
        format!("{}{key}", self.prefix)
    }

    /// The text of a key; `None` for absent, null or empty (an empty cell is
    /// an absent value, as in DATA.md).
    fn text(&self, key: &str) -> Option<String> {
        self.text_ref(key).map(Cow::into_owned)
    }

    /// [`Object::text`], borrowed when it can be.
    fn text_ref(&self, key: &str) -> Option<Cow<'a, str>> {
        text_of(self.map.scalar(key)?)
    }

    fn parse<T>(
        &self,
        key: &str,
        parse: impl Fn(&str) -> Result<T, DomainError>,
    ) -> Result<Option<T>, Refusal> {
        self.text_ref(key)
            .map(|t| parse(&t).map_err(|e| bad(self.field(key), e)))
            .transpose()
    }

    fn required<T>(
        &self,
        key: &str,
        parse: impl Fn(&str) -> Result<T, DomainError>,
    ) -> Result<T, Refusal> {
        self.parse(key, parse)?.ok_or_else(|| {
            Refusal::new(
                ErrorCode::MissingField,
                format!("{} is required", self.field(key)),
            )
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
    ) -> Result<T, Refusal> {
        match (path_id, self.text_ref(key)) {
            (Some(p), Some(b)) if p != b.as_ref() => Err(Refusal::new(
                ErrorCode::IdMismatch,
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
        for (key, value) in self.map.entries() {
            if standard.contains(&key) || optional.contains(&key) {
                continue;
            }
            if let Some(text) = text_of(value) {
                fields.set(key, text.into_owned());
            }
        }
        fields
    }
}

fn text_of(value: Scalar<'_>) -> Option<Cow<'_, str>> {
    let text = match value {
        Scalar::Text(s) => Cow::Borrowed(s.trim()),
        Scalar::Number(n) => Cow::Owned(n.to_string()),
        Scalar::Bool(b) => Cow::Borrowed(if b { "true" } else { "false" }),
        Scalar::Null | Scalar::Nested => return None,
    };
    (!text.is_empty()).then_some(text)
}

/// An account from a JSON object (`path_id` from the route, if any).
pub fn account(value: &Value, prefix: &str, path_id: Option<&str>) -> Result<Account, Refusal> {
    read_account(
        Object::new(value.as_object(), prefix, RecordType::Account)?,
        path_id,
    )
}

/// A contact from a JSON object.
pub fn contact(value: &Value, prefix: &str, path_id: Option<&str>) -> Result<Contact, Refusal> {
    read_contact(
        Object::new(value.as_object(), prefix, RecordType::Contact)?,
        path_id,
    )
}

/// A lead from a JSON object.
pub fn lead(value: &Value, prefix: &str, path_id: Option<&str>) -> Result<Lead, Refusal> {
    read_lead(
        Object::new(value.as_object(), prefix, RecordType::Lead)?,
        path_id,
    )
}

/// An interaction from a JSON object.
pub fn interaction(value: &Value, prefix: &str) -> Result<Interaction, Refusal> {
    read_interaction(Object::new(
        value.as_object(),
        prefix,
        RecordType::Interaction,
    )?)
}

/// An account from a request read in place ([`Json`]).
pub fn account_in(value: &Json<'_>, prefix: Prefix<'_>) -> Result<Account, Refusal> {
    read_account(
        Object::new(value.as_object(), prefix, RecordType::Account)?,
        None,
    )
}

/// A contact from a request read in place.
pub fn contact_in(value: &Json<'_>, prefix: Prefix<'_>) -> Result<Contact, Refusal> {
    read_contact(
        Object::new(value.as_object(), prefix, RecordType::Contact)?,
        None,
    )
}

/// A lead from a request read in place.
pub fn lead_in(value: &Json<'_>, prefix: Prefix<'_>) -> Result<Lead, Refusal> {
    read_lead(
        Object::new(value.as_object(), prefix, RecordType::Lead)?,
        None,
    )
}

/// An interaction from a request read in place.
pub fn interaction_in(value: &Json<'_>, prefix: Prefix<'_>) -> Result<Interaction, Refusal> {
    read_interaction(Object::new(
        value.as_object(),
        prefix,
        RecordType::Interaction,
    )?)
}

fn read_account<M: Entries + ?Sized, P: Display>(
    o: Object<'_, M, P>,
    path_id: Option<&str>,
) -> Result<Account, Refusal> {
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

fn read_contact<M: Entries + ?Sized, P: Display>(
    o: Object<'_, M, P>,
    path_id: Option<&str>,
) -> Result<Contact, Refusal> {
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

fn read_lead<M: Entries + ?Sized, P: Display>(
    o: Object<'_, M, P>,
    path_id: Option<&str>,
) -> Result<Lead, Refusal> {
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

fn read_interaction<M: Entries + ?Sized, P: Display>(
    o: Object<'_, M, P>,
) -> Result<Interaction, Refusal> {
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
        assert_eq!(e.field.as_deref(), Some("interactions[3].occurred_at"));
        assert_eq!(e.code, ErrorCode::InvalidValue);
        let e = interaction(
            &json!({"interaction_id": "I1", "kind": "clicked", "occurred_at": "2026-03-01"}),
            "",
        )
        .unwrap_err();
        assert_eq!(e.field.as_deref(), Some("kind"));
        let e = lead(
            &json!({"lead_id": "L2", "created_at": "2026-03-01"}),
            "",
            Some("L1"),
        )
        .unwrap_err();
        assert_eq!(e.code, ErrorCode::IdMismatch);
        let e = lead(&json!({}), "", Some("L1")).unwrap_err();
        assert_eq!(e.field.as_deref(), Some("created_at"));
        let e = account(&json!({"employees": "many"}), "", Some("A1")).unwrap_err();
        assert_eq!(e.field.as_deref(), Some("employees"));
        let e = account(&json!({"tags": ["a"]}), "", Some("A1")).unwrap_err();
        assert_eq!(e.field.as_deref(), Some("tags"));
        let e = contact(&json!([1]), "", Some("C1")).unwrap_err();
        assert_eq!(e.code, ErrorCode::NotAnObject);
    }
}
