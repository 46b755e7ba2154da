//! Who may call what: each group of routes carries a layer ([`require`])
//! that checks the request's `Authorization: Bearer <key>` and the key's
//! role before any handler runs, and hands the [`Caller`] on to the handler
//! as a request extension.

use axum::extract::{Request, State};
use axum::http::header::AUTHORIZATION;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use leadscore_engine::keys::authenticate;
use leadscore_engine::{Caller, ErrorCode, KeyCheck, Role, Service};

use crate::error::ApiError;

/// The key a request carries: 401 without one (or with a malformed header).
fn bearer(request: &Request) -> Result<&str, ApiError> {
    let header = request.headers().get(AUTHORIZATION).ok_or_else(|| {
        ApiError::new(
            ErrorCode::Unauthorized,
            "no Authorization header: send `Authorization: Bearer <key>`",
        )
    })?;
    // The scheme is case-insensitive (RFC 9110, 11.1): `bearer` is `Bearer`.
    header
        .to_str()
        .ok()
        .and_then(|h| h.split_once(' '))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .map(|(_, key)| key.trim())
        .filter(|k| !k.is_empty())
        .ok_or_else(|| {
            ApiError::new(
                ErrorCode::Unauthorized,
                "the Authorization header is not `Bearer <key>`",
            )
        })
}

/// 403 unless the caller's role is at least `role`.
fn allow(caller: &Caller, role: Role) -> Result<(), ApiError> {
    if caller.role >= role {
        Ok(())
    } else {
        Err(ApiError::new(
            ErrorCode::Forbidden,
            format!(
                "this needs the {role} role; the key {} has {}",
                caller.key_id, caller.role
            ),
        ))
    }
}

/// The caller holding `key`, checked: 401 for an unknown, revoked or
/// expired key, 429 past the key's rate limit, 403 when its role is below
/// `role`.
async fn check(service: &Service, key: &str, role: Role) -> Result<Caller, ApiError> {
    let caller = match authenticate(&service.store, &service.keys, key).await? {
        KeyCheck::Valid(caller) => caller,
        KeyCheck::Expired { key_id, at } => {
            return Err(ApiError::new(
                ErrorCode::Unauthorized,
                format!("the API key {key_id} expired at {at}; ask an admin for a new one"),
            ));
        }
        KeyCheck::Unknown => {
            return Err(ApiError::new(
                ErrorCode::Unauthorized,
                "unknown or revoked API key",
            ));
        }
    };
    if let Err(wait) = service.rate_limit.check(&caller.key_id) {
        service
            .metrics
            .rate_limited
            .with_label_values(&[caller.key_id.as_str()])
            .inc();
        return Err(ApiError::rate_limited(&caller.key_id, wait));
    }
    allow(&caller, role)?;
    Ok(caller)
}

/// The layer of a group of routes that needs at least `role`: 401 without a
/// valid key, 403 when its role is below; otherwise the request goes on with
/// the [`Caller`] in its extensions.
pub async fn require(
    role: Role,
    State(service): State<Service>,
    mut request: Request,
    next: Next,
) -> Response {
    // The key is copied out: a request's body is not `Sync`, and a future
    // holding a reference to it across an await would not be `Send`.
    let checked = match bearer(&request).map(str::to_owned) {
        Ok(key) => check(&service, &key, role).await,
        Err(e) => Err(e),
    };
    match checked {
        Ok(caller) => {
            request.extensions_mut().insert(caller);
            next.run(request).await
        }
        Err(e) => e.into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_role_allows_what_the_roles_below_it_allow() {
        let reader = Caller {
            key_id: "k".into(),
            role: Role::Read,
        };
        assert!(allow(&reader, Role::Read).is_ok());
        assert_eq!(
            allow(&reader, Role::Ingest).map_err(|e| e.status.as_u16()),
            Err(403)
        );
    }
}
