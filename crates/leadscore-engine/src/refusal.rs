//! Why the engine refuses a caller's input: a stable code from a closed set
//! ([`ErrorCode`]), a message for people, and the field to blame. Every
//! source (the HTTP API, a message broker) answers with these; the HTTP API
//! maps each code to its status.

use serde::Serialize;
use utoipa::ToSchema;

/// The machine-readable reason of every refusal the service answers with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// The body is not valid JSON.
    BadJson,
    /// The body cannot be read (not UTF-8, cut short).
    BadBody,
    /// A path parameter does not read (a version that is not a number).
    BadPath,
    /// A query parameter does not read.
    BadQuery,
    /// A record, or the body, is not a JSON object.
    NotAnObject,
    /// A text (a value, a field name, a path parameter) holds a NUL or, in
    /// an id or a name, another control character.
    ControlCharacter,
    /// A list is not a JSON array.
    NotAnArray,
    /// A field's value does not read as its type.
    InvalidValue,
    /// A required field is missing.
    MissingField,
    /// The body's id differs from the path's.
    IdMismatch,
    /// A key that the document does not have.
    UnknownField,
    /// A record names an account, contact or lead that does not exist.
    UnknownReference,
    /// One id twice in one write.
    DuplicateId,
    /// The body or the batch is larger than the limits.
    TooLarge,
    /// The URI (path and query string) is longer than the limit.
    UriTooLong,
    /// A settings document does not read.
    InvalidDocument,
    /// A rule model does not validate.
    InvalidModel,
    /// A rule model's name differs from the path's.
    NameMismatch,
    /// The routing rules do not validate.
    InvalidRouting,
    /// The webhook endpoints do not validate.
    InvalidWebhooks,
    /// A conversion model artifact does not check out.
    InvalidArtifact,
    /// No such record, model, version, key or route.
    NotFound,
    /// No earlier publication to roll back to.
    NothingToRollBack,
    /// No conversion model is published.
    NoLiveModel,
    /// A retraining run is running: one at a time.
    RetrainingRunning,
    /// A body of a media type the route does not take.
    UnsupportedMediaType,
    /// The route does not take this method.
    MethodNotAllowed,
    /// No valid API key.
    Unauthorized,
    /// The key's role does not allow this.
    Forbidden,
    /// The key made more requests than its rate limit allows (wait for
    /// `Retry-After`).
    RateLimited,
    /// The service failed (the cause is logged, never sent).
    Internal,
    /// The store or a dependency cannot answer now.
    Unavailable,
}

impl ErrorCode {
    /// The code as sent.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::BadJson => "bad_json",
            Self::BadBody => "bad_body",
            Self::BadPath => "bad_path",
            Self::BadQuery => "bad_query",
            Self::NotAnObject => "not_an_object",
            Self::ControlCharacter => "control_character",
            Self::NotAnArray => "not_an_array",
            Self::InvalidValue => "invalid_value",
            Self::MissingField => "missing_field",
            Self::IdMismatch => "id_mismatch",
            Self::UnknownField => "unknown_field",
            Self::UnknownReference => "unknown_reference",
            Self::DuplicateId => "duplicate_id",
            Self::TooLarge => "too_large",
            Self::UriTooLong => "uri_too_long",
            Self::InvalidDocument => "invalid_document",
            Self::InvalidModel => "invalid_model",
            Self::NameMismatch => "name_mismatch",
            Self::InvalidRouting => "invalid_routing",
            Self::InvalidWebhooks => "invalid_webhooks",
            Self::InvalidArtifact => "invalid_artifact",
            Self::NotFound => "not_found",
            Self::NothingToRollBack => "nothing_to_roll_back",
            Self::NoLiveModel => "no_live_model",
            Self::RetrainingRunning => "retraining_running",
            Self::UnsupportedMediaType => "unsupported_media_type",
            Self::MethodNotAllowed => "method_not_allowed",
            Self::Unauthorized => "unauthorized",
            Self::Forbidden => "forbidden",
            Self::RateLimited => "rate_limited",
            Self::Internal => "internal",
            Self::Unavailable => "unavailable",
        }
    }
}

impl std::fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A refused input: its code, a message for people, the field to blame
/// (`interactions[3].occurred_at`) when there is one, and every problem when
/// there are several.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{message}")]
pub struct Refusal {
    /// Why, for machines.
    pub code: ErrorCode,
    /// Why, for people.
    pub message: String,
    /// The field to blame.
    pub field: Option<String>,
    /// Every problem, located, when there are several.
    pub problems: Vec<Problem>,
}

/// One located problem of a document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize, ToSchema)]
pub struct Problem {
    /// Where (`rules[2].queue`).
    pub field: String,
    /// What is wrong.
    pub message: String,
}

impl Problem {
    /// A problem of `field`.
    pub fn new(field: String, message: impl Into<String>) -> Self {
        Self {
            field,
            message: message.into(),
        }
    }

    /// `field: message; field: message`, for error messages.
    pub fn summary(problems: &[Self]) -> String {
        problems
            .iter()
            .map(|p| format!("{}: {}", p.field, p.message))
            .collect::<Vec<_>>()
            .join("; ")
    }
}

impl Refusal {
    /// A refusal with a code and a message.
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
            field: None,
            problems: Vec::new(),
        }
    }

    /// The same refusal, blaming a field.
    pub fn field(mut self, field: impl Into<String>) -> Self {
        self.field = Some(field.into());
        self
    }

    /// The same refusal, with every problem listed (the first one blamed).
    pub fn problems(mut self, problems: Vec<Problem>) -> Self {
        if self.field.is_none() {
            self.field = problems.first().map(|p| p.field.clone());
        }
        self.problems = problems;
        self
    }
}
