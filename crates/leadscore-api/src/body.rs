//! Reading requests: bodies within the size limit, JSON documents read into
//! typed structs with errors that name the field, and paging parameters.

use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::{HeaderMap, StatusCode, header};
use leadscore_engine::ErrorCode;
use leadscore_engine::nul::refuse_nul_in_body;
use leadscore_engine::stateless::syntax_error;
use serde::Deserialize;
use serde::de::DeserializeOwned;

use crate::error::ApiError;

/// A raw request body, read within the body limit (413 beyond it).
pub struct RawBody(pub Bytes);

impl<S: Send + Sync> FromRequest<S> for RawBody {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        Bytes::from_request(req, state)
            .await
            .map(RawBody)
            .map_err(|rejection| {
                if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
                    ApiError::new(
                        ErrorCode::TooLarge,
                        "the request body is larger than the limit (limits.max_body_bytes)",
                    )
                } else {
                    ApiError::new(ErrorCode::BadBody, rejection.body_text())
                }
            })
    }
}

/// A raw JSON body: [`RawBody`] sent as JSON (415 otherwise, see
/// [`require_json`]).
pub struct JsonBytes(pub Bytes);

impl<S: Send + Sync> FromRequest<S> for JsonBytes {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        require_json(req.headers())?;
        let RawBody(bytes) = RawBody::from_request(req, state).await?;
        Ok(Self(bytes))
    }
}

/// A JSON document read into `T`: a body not sent as JSON is a 415
/// ([`require_json`]); one that is not JSON is a 400 naming the line and
/// column; one that does not fit `T` is a 422 naming the field
/// (`rules[2].queue`).
pub struct Document<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for Document<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let JsonBytes(bytes) = JsonBytes::from_request(req, state).await?;
        document(&bytes).map(Document)
    }
}

/// A settings document read into `T` as [`Document`] does, which must be a
/// JSON object: serde would also read a struct from an array (`[]` would
/// replace every routing rule with none), so anything else is a 400
/// `not_an_object`.
pub struct JsonObject<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for JsonObject<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let JsonBytes(bytes) = JsonBytes::from_request(req, state).await?;
        let first = bytes.iter().find(|b| !b.is_ascii_whitespace());
        if first.is_some_and(|b| *b != b'{') {
            // Not JSON at all: the reader says where.
            serde_json::from_slice::<serde::de::IgnoredAny>(&bytes)
                .map_err(|e| ApiError::from(syntax_error(&e)))?;
            return Err(ApiError::new(
                ErrorCode::NotAnObject,
                "the body must be a JSON object",
            ));
        }
        document(&bytes).map(JsonObject)
    }
}

/// The media type of a request's body, lower case and without parameters
/// (`application/json` of `application/json; charset=utf-8`); `None`
/// without a `Content-Type`.
pub fn media_type(headers: &HeaderMap) -> Option<String> {
    let value = headers.get(header::CONTENT_TYPE)?.to_str().ok()?;
    let essence = value.split(';').next().unwrap_or_default().trim();
    Some(essence.to_ascii_lowercase())
}

/// A 415 unless the body is sent as JSON: `Content-Type: application/json`
/// or another JSON type (`application/merge-patch+json`), any parameters
/// aside. A missing `Content-Type` is refused too: a body of unknown type is
/// not read as JSON by guess.
pub fn require_json(headers: &HeaderMap) -> Result<(), ApiError> {
    match media_type(headers) {
        Some(t)
            if t == "application/json"
                || (t.starts_with("application/") && t.ends_with("+json")) =>
        {
            Ok(())
        }
        other => Err(ApiError::new(
            ErrorCode::UnsupportedMediaType,
            format!(
                "send the body as JSON (Content-Type: application/json), not {}",
                other.map_or("without a Content-Type".to_owned(), |t| format!("{t:?}"))
            ),
        )),
    }
}

/// Reads a JSON document into `T`, naming the field serde blames. A text
/// holding a NUL (`\u0000`) anywhere is refused first, naming its place
/// ([`leadscore_engine::nul`]).
pub fn document<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    let mut reader = serde_json::Deserializer::from_slice(bytes);
    let result: Result<T, _> = serde_path_to_error::deserialize(&mut reader);
    let value = result.map_err(|e| {
        let inner = e.inner();
        if inner.is_syntax() || inner.is_eof() {
            return ApiError::from(syntax_error(inner));
        }
        if let Err(refused) = refuse_nul_in_body(bytes) {
            return ApiError::from(refused);
        }
        let path = e.path().to_string();
        let error = ApiError::new(ErrorCode::InvalidDocument, inner.to_string());
        if path == "." {
            error
        } else {
            error.field(path)
        }
    })?;
    reader.end().map_err(|e| ApiError::from(syntax_error(&e)))?;
    refuse_nul_in_body(bytes)?;
    Ok(value)
}

/// `?page=&per_page=`.
#[derive(Debug, Clone, Copy, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct Paging {
    /// The page, from 1.
    #[param(minimum = 1, maximum = 4294967295_u64, format = Int64)]
    pub page: Option<u32>,
    /// Rows per page (default 50, at most `limits.max_per_page`).
    #[param(minimum = 1, maximum = 4294967295_u64, format = Int64)]
    pub per_page: Option<u32>,
}

impl Paging {
    /// The page asked for, checked against `max` rows per page.
    pub fn window(&self, max: u32) -> Result<leadscore_store::PageWindow, ApiError> {
        let page = self.page.unwrap_or(1);
        let per_page = self.per_page.unwrap_or(50);
        if page == 0 {
            return Err(ApiError::new(ErrorCode::BadQuery, "page starts at 1").field("page"));
        }
        if per_page == 0 || per_page > max {
            return Err(
                ApiError::new(ErrorCode::BadQuery, format!("per_page must be 1 to {max}"))
                    .field("per_page"),
            );
        }
        Ok(leadscore_store::PageWindow {
            limit: per_page,
            offset: (page - 1).saturating_mul(per_page),
        })
    }
}

/// A page of a listing.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct Page<T> {
    /// Rows matching, all pages together.
    pub total: u64,
    /// This page.
    pub page: u32,
    /// Rows per page.
    pub per_page: u32,
    /// The rows.
    pub items: Vec<T>,
}
