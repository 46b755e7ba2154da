//! The JSON shape of the records a request carries, as OpenAPI schemas built
//! from the same DATA.md column lists the readers ([`crate::json_records`])
//! read: each standard column with its type, every other key a custom field
//! (for an interaction, a property) holding a string, a number, a boolean or
//! null. One list of columns serves the reader and the document.

use leadscore_domain::RecordType;
use utoipa::openapi::RefOr;
use utoipa::openapi::schema::{
    AdditionalProperties, ArrayBuilder, ObjectBuilder, OneOfBuilder, Schema, Type,
};
use utoipa::{PartialSchema, ToSchema};

use crate::lead_scores::LeadScores;

/// A custom field's value: text, a number or a boolean (kept as its text),
/// or null (absent).
fn scalar() -> RefOr<Schema> {
    any_scalar(
        "A custom field (a property, for an interaction): text, a number or a boolean (kept as its text), or null (absent)",
    )
    .into()
}

/// A standard column's schema, by name.
fn column(name: &str) -> RefOr<Schema> {
    let text = |description: &str| {
        ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::SchemaType::from_iter([
                Type::String,
                Type::Null,
            ]))
            .description(Some(description.to_owned()))
    };
    let either = |number: Type, description: &str| -> RefOr<Schema> {
        OneOfBuilder::new()
            .item(ObjectBuilder::new().schema_type(number))
            .item(ObjectBuilder::new().schema_type(Type::String))
            .item(ObjectBuilder::new().schema_type(Type::Null))
            .description(Some(description.to_owned()))
            .into()
    };
    match name {
        // No `date-time` format: a bare date is taken too.
        "created_at" | "closed_at" | "occurred_at" => {
            text("RFC 3339 (2026-03-01T14:05:00Z), or a date (2026-03-01, midnight UTC)").into()
        }
        "employees" => either(
            Type::Integer,
            "A whole number (text holding one is read as it)",
        ),
        "annual_revenue" => either(Type::Number, "An amount (text holding one is read as it)"),
        "status" => text("open (or empty), qualified or disqualified, in any letter case")
            .enum_values(Some(["open", "qualified", "disqualified", ""]))
            .into(),
        "kind" => text("The interaction kind, PascalCase (EmailClicked, WebinarAttended, ...)")
            .pattern(Some("^[A-Z][A-Za-z0-9]*$"))
            .into(),
        id if id.ends_with("_id") => any_scalar(
            "An id: 1 to 256 bytes without control characters, surrounding white space \
             removed; a number or boolean is read as its text; empty or null: absent",
        )
        .pattern(Some(r"^[^\x00-\x1f\x7f-\x9f]*$"))
        .into(),
        _ => any_scalar("Text; a number or boolean is read as its text; empty or null: absent")
            .into(),
    }
}

/// A column read as text (as a CSV cell is): a string, or a number or
/// boolean read as its text, or null.
fn any_scalar(description: &str) -> ObjectBuilder {
    ObjectBuilder::new()
        .schema_type(utoipa::openapi::schema::SchemaType::from_iter([
            Type::String,
            Type::Number,
            Type::Boolean,
            Type::Null,
        ]))
        .description(Some(description.to_owned()))
}

/// A record of `record` as a JSON object: its standard columns, the
/// `required` ones required, and any other key a custom field.
fn record(record: &RecordType, required: &[&str], description: &str) -> RefOr<Schema> {
    let mut object = ObjectBuilder::new()
        .schema_type(Type::Object)
        .description(Some(description.to_owned()))
        .additional_properties(Some(AdditionalProperties::RefOr(scalar())));
    for name in record
        .required_columns()
        .iter()
        .chain(record.optional_columns())
    {
        object = object.property(*name, column(name));
    }
    for name in required {
        object = object.required(*name);
    }
    object.into()
}

/// Declares a record body schema: a unit type whose schema is
/// [`record`]'s.
macro_rules! record_body {
    ($(#[$doc:meta])* $name:ident, $record:expr, [$($required:literal),*], $description:literal) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy)]
        pub struct $name;

        impl PartialSchema for $name {
            fn schema() -> RefOr<Schema> {
                record(&$record, &[$($required),*], $description)
            }
        }

        impl ToSchema for $name {}
    };
}

record_body!(
    /// `PUT /v1/accounts/{id}`: an account (its id is the path's).
    AccountBody, RecordType::Account, [],
    "An account: DATA.md's columns of accounts.csv; any other key is a custom field"
);
record_body!(
    /// `PUT /v1/contacts/{id}`: a contact (its id is the path's).
    ContactBody, RecordType::Contact, [],
    "A contact: DATA.md's columns of contacts.csv; any other key is a custom field"
);
record_body!(
    /// `PUT /v1/leads/{id}`: a lead (its id is the path's).
    LeadBody, RecordType::Lead, ["created_at"],
    "A lead: DATA.md's columns of leads.csv; any other key is a custom field"
);
record_body!(
    /// `POST /v1/interactions`: an interaction.
    InteractionBody, RecordType::Interaction, ["interaction_id", "kind", "occurred_at"],
    "An interaction: DATA.md's columns of interactions.csv; any other key is a property"
);
record_body!(
    /// A contact posted with a lead to score.
    PostedContact, RecordType::Contact, ["contact_id"],
    "A contact: DATA.md's columns of contacts.csv; any other key is a custom field"
);
record_body!(
    /// An account posted with a lead to score.
    PostedAccount, RecordType::Account, ["account_id"],
    "An account: DATA.md's columns of accounts.csv; any other key is a custom field"
);
record_body!(
    /// The lead of a scoring request: no field is required (a form's lead
    /// has no id or creation time yet).
    PostedLead, RecordType::Lead, [],
    "A lead: DATA.md's columns of leads.csv (lead_id and created_at default to posted-lead and the scoring time); any other key is a custom field"
);
record_body!(
    /// An interaction posted with a lead to score (its id defaults to its
    /// place, its contact to the lead's).
    PostedInteraction, RecordType::Interaction, ["kind", "occurred_at"],
    "An interaction: DATA.md's columns of interactions.csv (interaction_id defaults to posted-<index>, contact_id to the lead's contact); any other key is a property"
);

/// One scoring request (`POST /v1/score`): a lead with the records it links
/// to; nothing is stored.
#[derive(Debug, Clone, Copy)]
pub struct ScoreRequest;

impl PartialSchema for ScoreRequest {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(Type::Object)
            .description(Some(
                "A lead with the records it links to, scored without storing anything",
            ))
            .property("lead", PostedLead::schema())
            .required("lead")
            .property("contact", PostedContact::schema())
            .property("account", PostedAccount::schema())
            .property(
                "contacts",
                ArrayBuilder::new().items(PostedContact::schema()),
            )
            .property(
                "interactions",
                ArrayBuilder::new().items(PostedInteraction::schema()),
            )
            .additional_properties(Some(AdditionalProperties::FreeForm(false)))
            .into()
    }
}

impl ToSchema for ScoreRequest {}

/// One item or an array of them (up to `limits.max_batch`).
fn one_or_many<T: ToSchema>(description: &str) -> RefOr<Schema> {
    OneOfBuilder::new()
        .item(T::schema())
        .item(ArrayBuilder::new().items(T::schema()))
        .description(Some(description.to_owned()))
        .into()
}

/// `POST /v1/score`'s body: one request, or an array of them.
#[derive(Debug, Clone, Copy)]
pub struct ScoreBody;

impl PartialSchema for ScoreBody {
    fn schema() -> RefOr<Schema> {
        one_or_many::<ScoreRequest>(
            "One scoring request, or an array of up to limits.max_batch of them",
        )
    }
}

impl ToSchema for ScoreBody {}

/// `POST /v1/score`'s answer: one lead's scores, or an array in request
/// order.
#[derive(Debug, Clone, Copy)]
pub struct ScoreAnswer;

impl PartialSchema for ScoreAnswer {
    fn schema() -> RefOr<Schema> {
        one_or_many::<LeadScores>("The lead's scores, or an array of them in request order")
    }
}

impl ToSchema for ScoreAnswer {}

/// `POST /v1/interactions`'s body: one interaction, or an array of them.
#[derive(Debug, Clone, Copy)]
pub struct InteractionsBody;

impl PartialSchema for InteractionsBody {
    fn schema() -> RefOr<Schema> {
        one_or_many::<InteractionBody>(
            "One interaction, or an array of up to limits.max_batch of them (all or nothing)",
        )
    }
}

impl ToSchema for InteractionsBody {}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::panic)]
    use serde_json::{Value, json};

    use super::*;
    use crate::json_records;

    /// A value of a column's schema that the reader accepts.
    fn example(name: &str) -> Value {
        match name {
            "created_at" | "closed_at" | "occurred_at" => json!("2026-03-01T10:00:00Z"),
            "employees" => json!(120),
            "annual_revenue" => json!("5000000.5"),
            "status" => json!("qualified"),
            "kind" => json!("WebinarAttended"),
            _ => json!("x"),
        }
    }

    /// Every column a schema documents reads as that column (not as a
    /// custom field), and a key it does not document reads as a custom
    /// field: the document and the reader use one list.
    #[test]
    fn each_documented_column_is_a_column_the_reader_reads() {
        let all = |r: &RecordType| -> Vec<&'static str> {
            r.required_columns()
                .iter()
                .chain(r.optional_columns())
                .copied()
                .collect()
        };
        let object = |r: &RecordType| {
            let mut map = serde_json::Map::new();
            for name in all(r) {
                map.insert(name.to_owned(), example(name));
            }
            map.insert("tier".to_owned(), json!("gold"));
            Value::Object(map)
        };
        let account = json_records::account(&object(&RecordType::Account), "", None).unwrap();
        assert_eq!(account.employees, Some(120));
        assert_eq!(
            account.custom.iter().map(|(k, _)| k).collect::<Vec<_>>(),
            ["tier"]
        );
        let contact = json_records::contact(&object(&RecordType::Contact), "", None).unwrap();
        assert_eq!(
            contact.custom.iter().map(|(k, _)| k).collect::<Vec<_>>(),
            ["tier"]
        );
        let lead = json_records::lead(&object(&RecordType::Lead), "", None).unwrap();
        assert_eq!(
            lead.custom.iter().map(|(k, _)| k).collect::<Vec<_>>(),
            ["tier"]
        );
        let interaction = json_records::interaction(&object(&RecordType::Interaction), "").unwrap();
        assert_eq!(
            interaction
                .properties
                .iter()
                .map(|(k, _)| k)
                .collect::<Vec<_>>(),
            ["tier"]
        );

        let schema = serde_json::to_value(LeadBody::schema()).unwrap();
        let properties: Vec<&str> = schema["properties"]
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        assert_eq!(properties, all(&RecordType::Lead));
        assert_eq!(schema["required"], json!(["created_at"]));
        assert!(schema["additionalProperties"].is_object());
    }
}
