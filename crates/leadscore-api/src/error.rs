//! What a failed request gets: [`ApiError`], a status code and the error body
//! (`{"error": {"code", "message", "field", "problems"}}`). The code is the
//! engine's [`ErrorCode`]; each maps to one status. A 5xx never says anything
//! internal: the cause is logged instead.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use leadscore_engine::stateless::ScoreError;
use leadscore_engine::webhooks::WebhookError;
use leadscore_engine::{EngineError, ErrorCode, IngestError, Problem, Refusal};
use serde::Serialize;
use utoipa::ToSchema;

/// The error body.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ErrorBody {
    /// The error.
    pub error: ErrorDetail,
}

/// One error.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ErrorDetail {
    /// A stable, machine-readable code.
    pub code: ErrorCode,
    /// What went wrong, for people.
    pub message: String,
    /// The field to blame (`interactions[3].occurred_at`), when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// Every problem, located, when there are several (an invalid rule model).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub problems: Vec<Problem>,
}

/// A status code and an [`ErrorBody`].
#[derive(Debug, Clone)]
pub struct ApiError {
    /// The status code.
    pub status: StatusCode,
    /// The body.
    pub body: ErrorDetail,
    /// How long to wait before trying again (the `Retry-After` header, in
    /// whole seconds rounded up), for a 429 or a 503.
    pub retry_after: Option<std::time::Duration>,
}

/// The status every answer with this code has.
pub fn status_of(code: ErrorCode) -> StatusCode {
    use ErrorCode as C;
    match code {
        C::BadJson
        | C::BadBody
        | C::BadPath
        | C::BadQuery
        | C::NotAnObject
        | C::ControlCharacter => StatusCode::BAD_REQUEST,
        C::Unauthorized => StatusCode::UNAUTHORIZED,
        C::Forbidden => StatusCode::FORBIDDEN,
        C::NotFound => StatusCode::NOT_FOUND,
        C::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
        C::NothingToRollBack | C::NoLiveModel | C::RetrainingRunning => StatusCode::CONFLICT,
        C::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
        C::UriTooLong => StatusCode::URI_TOO_LONG,
        C::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
        C::NotAnArray
        | C::InvalidValue
        | C::MissingField
        | C::IdMismatch
        | C::UnknownField
        | C::UnknownReference
        | C::DuplicateId
        | C::InvalidDocument
        | C::InvalidModel
        | C::NameMismatch
        | C::InvalidRouting
        | C::InvalidWebhooks
        | C::InvalidArtifact => StatusCode::UNPROCESSABLE_ENTITY,
        C::RateLimited => StatusCode::TOO_MANY_REQUESTS,
        C::Internal => StatusCode::INTERNAL_SERVER_ERROR,
        C::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
    }
}

impl ApiError {
    /// An error with a code (its status follows) and a message.
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            status: status_of(code),
            body: ErrorDetail {
                code,
                message: message.into(),
                field: None,
                problems: Vec::new(),
            },
            retry_after: None,
        }
    }

    /// 429: the key's rate limit, with the wait.
    pub fn rate_limited(key_id: &str, wait: std::time::Duration) -> Self {
        let mut e = Self::new(
            ErrorCode::RateLimited,
            format!(
                "the key {key_id} made more requests than its rate limit allows \
                 (limits.requests_per_second_per_key); try again in {} ms",
                wait.as_millis().max(1)
            ),
        );
        e.retry_after = Some(wait);
        e
    }

    /// The same error, blaming a field.
    pub fn field(mut self, field: impl Into<String>) -> Self {
        self.body.field = Some(field.into());
        self
    }

    /// 404.
    pub fn not_found(what: &str, id: &str) -> Self {
        Self::new(ErrorCode::NotFound, format!("no {what} {id:?}"))
    }

    /// 500: logs the cause, says nothing of it.
    pub fn internal(cause: &dyn std::fmt::Display) -> Self {
        tracing::error!(error = %cause, "internal error");
        Self::new(
            ErrorCode::Internal,
            "the service failed; the cause is logged",
        )
    }

    /// 503: the store or a dependency is unavailable.
    pub fn unavailable(cause: &dyn std::fmt::Display) -> Self {
        tracing::error!(error = %cause, "unavailable");
        Self::new(
            ErrorCode::Unavailable,
            "the service cannot answer now; try again",
        )
    }
}

impl From<Refusal> for ApiError {
    fn from(r: Refusal) -> Self {
        let mut e = Self::new(r.code, r.message);
        e.body.field = r.field;
        e.body.problems = r.problems;
        e
    }
}

impl From<EngineError> for ApiError {
    fn from(e: EngineError) -> Self {
        if e.is_unavailable() {
            Self::unavailable(&e)
        } else {
            Self::internal(&e)
        }
    }
}

impl From<leadscore_store::StoreError> for ApiError {
    fn from(e: leadscore_store::StoreError) -> Self {
        EngineError::from(e).into()
    }
}

impl From<WebhookError> for ApiError {
    fn from(e: WebhookError) -> Self {
        match e {
            WebhookError::Store(store) => store.into(),
            other => Self::internal(&other),
        }
    }
}

impl From<ScoreError> for ApiError {
    fn from(e: ScoreError) -> Self {
        match e {
            ScoreError::Refused(r) => r.into(),
            ScoreError::Engine(e) => e.into(),
        }
    }
}

impl From<IngestError> for ApiError {
    fn from(e: IngestError) -> Self {
        match e {
            IngestError::UnknownReference(d) => {
                Self::new(ErrorCode::UnknownReference, d.to_string()).field(d.column)
            }
            IngestError::FutureTime(t) => {
                Self::new(ErrorCode::InvalidValue, format!("{}: {t}", t.column)).field(t.column)
            }
            IngestError::NearMissKind(k) => {
                let field = leadscore_domain::NearMissKind::COLUMN;
                Self::new(ErrorCode::InvalidValue, format!("{field}: {k}")).field(field)
            }
            IngestError::DuplicateId { table, id } => Self::new(
                ErrorCode::DuplicateId,
                format!("the request holds {table} id {id:?} more than once"),
            ),
            IngestError::Engine(e) => e.into(),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut response = (self.status, Json(ErrorBody { error: self.body })).into_response();
        if let Some(wait) = self.retry_after {
            let seconds = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
            response
                .headers_mut()
                .insert(axum::http::header::RETRY_AFTER, seconds.max(1).into());
        }
        response
    }
}
