//! The crate's errors: [`ServiceError`] for starting and running the service,
//! [`ApiError`] for what a request gets back.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa::ToSchema;

/// What can stop the service or one of its background tasks.
#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    /// The settings do not load or make no sense.
    #[error("bad settings: {reason}")]
    Settings {
        /// What is wrong, naming the key.
        reason: String,
    },
    /// The store failed.
    #[error(transparent)]
    Store(#[from] leadscore_store::StoreError),
    /// A statement on the service's own tables failed.
    #[error("{operation} failed: {source}")]
    Query {
        /// What the service was doing.
        operation: &'static str,
        /// The driver's error.
        source: sqlx::Error,
    },
    /// A stored document (rule model, conversion model, routing, ...) no
    /// longer reads.
    #[error("the stored {what} {name:?} does not read: {reason}")]
    Corrupt {
        /// What kind of document.
        what: &'static str,
        /// Its name or version.
        name: String,
        /// Why.
        reason: String,
    },
    /// Webhook configuration or delivery.
    #[error(transparent)]
    Webhook(#[from] crate::webhooks::WebhookError),
    /// The listening socket.
    #[error("cannot listen on {addr}: {source}")]
    Listen {
        /// The address.
        addr: String,
        /// The OS error.
        source: std::io::Error,
    },
    /// Serving stopped with an error.
    #[error("the server failed: {source}")]
    Serve {
        /// The OS error.
        source: std::io::Error,
    },
    /// Scoring failed in a way that is the service's fault.
    #[error("scoring failed: {reason}")]
    Scoring {
        /// Why.
        reason: String,
    },
    /// A retraining run failed; the live model was not touched.
    #[error("retraining run {run_id} failed: {reason}")]
    Retraining {
        /// The run, as `retraining_runs` records it.
        run_id: i64,
        /// Why, as recorded.
        reason: String,
    },
}

impl ServiceError {
    /// Wraps a driver error of a statement.
    pub(crate) fn query(operation: &'static str) -> impl FnOnce(sqlx::Error) -> Self {
        move |source| Self::Query { operation, source }
    }
}

/// The error body: `{"error": {"code", "message", "field"}}`.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ErrorBody {
    /// The error.
    pub error: ErrorDetail,
}

/// One error.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ErrorDetail {
    /// A stable, machine-readable code (`bad_json`, `unknown_reference`, ...).
    pub code: String,
    /// What went wrong, for people.
    pub message: String,
    /// The field to blame (`interactions[3].occurred_at`), when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// Every problem, located, when there are several (an invalid rule model).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub problems: Vec<serde_json::Value>,
}

/// What a failed request gets: a status code and an [`ErrorBody`]. A 5xx never
/// says anything internal (the cause is logged instead).
#[derive(Debug, Clone)]
pub struct ApiError {
    /// The status code.
    pub status: StatusCode,
    /// The body.
    pub body: ErrorDetail,
}

impl ApiError {
    /// An error with a status, code and message.
    pub fn new(status: StatusCode, code: &str, message: impl Into<String>) -> Self {
        Self {
            status,
            body: ErrorDetail {
                code: code.to_owned(),
                message: message.into(),
                field: None,
                problems: Vec::new(),
            },
        }
    }

    /// The same error, blaming a field.
    pub fn field(mut self, field: impl Into<String>) -> Self {
        self.body.field = Some(field.into());
        self
    }

    /// The same error, with every problem listed.
    pub fn problems(mut self, problems: Vec<serde_json::Value>) -> Self {
        self.body.problems = problems;
        self
    }

    /// 400 with a code.
    pub fn bad_request(code: &str, message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, code, message)
    }

    /// 404.
    pub fn not_found(what: &str, id: &str) -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "not_found",
            format!("no {what} {id:?}"),
        )
    }

    /// 422 with a code.
    pub fn unprocessable(code: &str, message: impl Into<String>) -> Self {
        Self::new(StatusCode::UNPROCESSABLE_ENTITY, code, message)
    }

    /// 409 with a code.
    pub fn conflict(code: &str, message: impl Into<String>) -> Self {
        Self::new(StatusCode::CONFLICT, code, message)
    }

    /// 413.
    pub fn too_large(message: impl Into<String>) -> Self {
        Self::new(StatusCode::PAYLOAD_TOO_LARGE, "too_large", message)
    }

    /// 401.
    pub fn unauthorized(message: impl Into<String>) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, "unauthorized", message)
    }

    /// 403.
    pub fn forbidden(message: impl Into<String>) -> Self {
        Self::new(StatusCode::FORBIDDEN, "forbidden", message)
    }

    /// 500: logs the cause, says nothing of it.
    pub fn internal(cause: &dyn std::fmt::Display) -> Self {
        tracing::error!(error = %cause, "internal error");
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "the service failed; the cause is logged",
        )
    }

    /// 503: the store or a dependency is unavailable.
    pub fn unavailable(cause: &dyn std::fmt::Display) -> Self {
        tracing::error!(error = %cause, "unavailable");
        Self::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "unavailable",
            "the service cannot answer now; try again",
        )
    }
}

impl From<ServiceError> for ApiError {
    fn from(e: ServiceError) -> Self {
        Self::internal(&e)
    }
}

impl From<leadscore_store::StoreError> for ApiError {
    fn from(e: leadscore_store::StoreError) -> Self {
        match e {
            leadscore_store::StoreError::Connect { .. } => Self::unavailable(&e),
            other => Self::internal(&other),
        }
    }
}

impl From<crate::webhooks::WebhookError> for ApiError {
    fn from(e: crate::webhooks::WebhookError) -> Self {
        Self::internal(&e)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (self.status, Json(ErrorBody { error: self.body })).into_response()
    }
}
