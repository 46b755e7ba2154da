use std::fmt;

use serde::{Deserialize, Serialize};

use crate::DomainError;

/// The longest id accepted, in bytes. Long enough for any CRM's ids (GUIDs, URLs),
/// short enough that an id column cannot be used to smuggle in a document.
pub const MAX_ID_LEN: usize = 256;

/// What an id is, as a regular expression for schemas: no control
/// character (C0, DEL or C1: what `char::is_control` finds), and something
/// besides white space.
pub const ID_PATTERN: &str =
    r"^[^\x00-\x1f\x7f-\x9f]*[^\x00-\x1f\x7f-\x9f\s][^\x00-\x1f\x7f-\x9f]*$";

macro_rules! string_id {
    ($(#[$doc:meta])* $name:ident, $what:literal) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(try_from = "String", into = "String")]
        pub struct $name(String);

        impl $name {
            /// Validates an id: non-empty after trimming white space, at most
            /// [`MAX_ID_LEN`](crate::ids::MAX_ID_LEN) bytes, without control
            /// characters (a NUL, a line break). Surrounding white space is removed.
            pub fn parse(value: impl AsRef<str>) -> Result<Self, DomainError> {
                check_id(value.as_ref(), $what).map(|s| Self(s.to_owned()))
            }

            /// The id as text.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        impl std::borrow::Borrow<str> for $name {
            fn borrow(&self) -> &str {
                &self.0
            }
        }

        #[cfg(feature = "openapi")]
        impl utoipa::PartialSchema for $name {
            fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                utoipa::openapi::ObjectBuilder::new()
                    .schema_type(utoipa::openapi::schema::Type::String)
                    .min_length(Some(1))
                    .max_length(Some(MAX_ID_LEN))
                    .pattern(Some(ID_PATTERN))
                    .into()
            }
        }

        #[cfg(feature = "openapi")]
        impl utoipa::ToSchema for $name {}

        impl TryFrom<String> for $name {
            type Error = DomainError;
            fn try_from(value: String) -> Result<Self, Self::Error> {
                Self::parse(value)
            }
        }

        impl From<$name> for String {
            fn from(value: $name) -> String {
                value.0
            }
        }
    };
}

fn check_id<'a>(value: &'a str, what: &'static str) -> Result<&'a str, DomainError> {
    let trimmed = value.trim();
    if trimmed.is_empty() {
        return Err(DomainError::EmptyId { what });
    }
    if trimmed.len() > MAX_ID_LEN {
        return Err(DomainError::IdTooLong {
            what,
            len: trimmed.len(),
            max: MAX_ID_LEN,
        });
    }
    if let Some(character) = trimmed.chars().find(|c| c.is_control()) {
        return Err(DomainError::IdControlCharacter { what, character });
    }
    Ok(trimmed)
}

string_id!(
    /// The id of an account (a company).
    AccountId, "account_id"
);
string_id!(
    /// The id of a contact (a person).
    ContactId, "contact_id"
);
string_id!(
    /// The id of a lead (a sales opportunity in its early stage).
    LeadId, "lead_id"
);
string_id!(
    /// The id of an interaction (an email click, a form submission, ...).
    InteractionId, "interaction_id"
);
string_id!(
    /// An anonymous web visitor id, known for some contacts.
    VisitorId, "visitor_id"
);
string_id!(
    /// The id of a custom related record (unique within its entity).
    RecordId, "record_id"
);

/// The name of a custom entity (`custom/<EntityName>.csv`), PascalCase.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct EntityName(String);

impl EntityName {
    /// Validates a custom entity name: PascalCase, and not one of the names rules
    /// already give a meaning (`Lead`, `Contact`, `Account`, the standard kinds).
    pub fn parse(value: impl AsRef<str>) -> Result<Self, DomainError> {
        let value = value.as_ref();
        if !crate::kind::is_pascal_case(value) {
            return Err(DomainError::NotPascalCase {
                what: "custom entity name",
                value: value.to_owned(),
            });
        }
        Ok(Self(value.to_owned()))
    }

    /// The name as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for EntityName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for EntityName {
    type Error = DomainError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(value)
    }
}

impl From<EntityName> for String {
    fn from(value: EntityName) -> String {
        value.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_trimmed_and_non_empty() {
        assert_eq!(LeadId::parse("  L-1 ").map(|l| l.0), Ok("L-1".to_owned()));
        assert_eq!(
            LeadId::parse("   "),
            Err(DomainError::EmptyId { what: "lead_id" })
        );
        assert!(matches!(
            AccountId::parse("x".repeat(MAX_ID_LEN + 1)),
            Err(DomainError::IdTooLong { .. })
        ));
    }

    #[test]
    fn ids_hold_no_control_characters() {
        for bad in ["L\u{0}1", "L\n1", "L\t1", "L\u{7f}"] {
            assert!(
                matches!(
                    LeadId::parse(bad),
                    Err(DomainError::IdControlCharacter {
                        what: "lead_id",
                        ..
                    })
                ),
                "{bad:?}"
            );
        }
        // Trimmed first: a line break around an id is white space.
        assert!(LeadId::parse("L-1\n").is_ok());
        assert!(LeadId::parse("=HYPERLINK(\"x\")").is_ok());
    }

    #[test]
    fn ids_deserialize_through_validation() {
        let ok: Result<ContactId, _> = serde_json::from_str("\"C-1\"");
        assert!(ok.is_ok());
        let bad: Result<ContactId, _> = serde_json::from_str("\"\"");
        assert!(bad.is_err());
    }

    #[test]
    fn entity_names_must_be_pascal_case() {
        assert!(EntityName::parse("Opportunity").is_ok());
        assert!(EntityName::parse("opportunity").is_err());
        assert!(EntityName::parse("Web_Page").is_err());
    }
}
