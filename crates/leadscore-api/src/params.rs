//! Reading the URL: path parameters and the query string, refused with the
//! JSON error shape (never axum's plain-text rejections), naming the
//! parameter to blame.
//!
//! - A path parameter holding a control character (NUL, a line break, ...)
//!   is a 400 `control_character` naming it: no id, name or version has one, and
//!   PostgreSQL cannot store a NUL.
//! - A query string that does not fit its struct is a 400 `bad_query`: a
//!   value of the wrong type (`?page=-1`, `?per_page=abc`,
//!   `?sales_ready=maybe`), a parameter given twice, or one the route does
//!   not take (a misspelled filter would otherwise be ignored silently).

use axum::extract::{FromRequestParts, RawPathParams};
use axum::http::request::Parts;
use leadscore_engine::ErrorCode;
use serde::de::DeserializeOwned;

use crate::error::ApiError;

/// Path parameters read into `T` (a `String`, or a tuple of them).
#[derive(Debug, Clone)]
pub struct Path<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned + Send> FromRequestParts<S> for Path<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let bad = |message: String| ApiError::new(ErrorCode::BadPath, message);
        let raw = RawPathParams::from_request_parts(parts, state)
            .await
            .map_err(|e| bad(e.body_text()))?;
        for (name, value) in &raw {
            if let Some(c) = value.chars().find(|c| c.is_control()) {
                return Err(ApiError::new(
                    ErrorCode::ControlCharacter,
                    format!("{name} holds the control character {c:?}: no {name} has one"),
                )
                .field(name));
            }
        }
        let axum::extract::Path(value) = axum::extract::Path::<T>::from_request_parts(parts, state)
            .await
            .map_err(|e| bad(e.body_text()))?;
        Ok(Self(value))
    }
}

/// The query string read into `T`, whose fields name the parameters.
#[derive(Debug, Clone)]
pub struct Query<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequestParts<S> for Query<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        query(parts.uri.query().unwrap_or_default()).map(Self)
    }
}

/// Reads a query string into `T`, naming the parameter serde blames.
pub fn query<T: DeserializeOwned>(text: &str) -> Result<T, ApiError> {
    let pairs = form_urlencoded::parse(text.as_bytes());
    let reader = serde_urlencoded::Deserializer::new(pairs);
    serde_path_to_error::deserialize(reader).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.inner().to_string();
        if path == "." {
            ApiError::new(ErrorCode::BadQuery, format!("the query string: {inner}"))
        } else {
            ApiError::new(ErrorCode::BadQuery, format!("{path}: {inner}")).field(path)
        }
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use serde::Deserialize;

    use super::*;

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Q {
        page: Option<u32>,
        sales_ready: Option<bool>,
    }

    fn refused(text: &str) -> (Option<String>, String) {
        let e = query::<Q>(text).unwrap_err();
        assert_eq!(e.body.code, ErrorCode::BadQuery, "{text}");
        (e.body.field, e.body.message)
    }

    #[test]
    fn a_query_that_does_not_fit_is_refused_naming_the_parameter() {
        let q: Q = query("page=2&sales_ready=true").unwrap();
        assert_eq!((q.page, q.sales_ready), (Some(2), Some(true)));
        assert_eq!(refused("page=-1").0.as_deref(), Some("page"));
        assert_eq!(refused("page=abc").0.as_deref(), Some("page"));
        assert_eq!(
            refused("sales_ready=maybe").0.as_deref(),
            Some("sales_ready")
        );
        let (_, message) = refused("page=1&page=2");
        assert!(message.contains("duplicate field `page`"), "{message}");
        let (_, message) = refused("pge=1");
        assert!(message.contains("unknown field `pge`"), "{message}");
    }
}
