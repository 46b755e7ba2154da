//! The leadscore web console: server-rendered pages over the live engine,
//! served by `leadscore serve` beside the HTTP API (docs/API.md, "Console").
//!
//! People sign in with their email and password ([`leadscore_engine::users`]).
//! A session is server-side and revocable, carried in the `leadscore_session`
//! cookie (HttpOnly, SameSite=Strict, Path=/, Secure when the request came
//! over TLS as `X-Forwarded-Proto: https` says). Every state-changing form
//! carries the session's CSRF token in a hidden `csrf` field, and a POST
//! without it is refused with 403. A page that needs signing in redirects to
//! `/console/sign-in?next=...`, where `next` is only ever a console path.

mod admin;
mod conversion;
mod html;
mod import;
mod lead;
mod leads;
mod list;
mod overview;
mod pages;
mod routing;
mod rules;

use axum::Router;
use axum::http::header::{COOKIE, SET_COOKIE};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::Response;
use axum::routing::{get, post};
use leadscore_engine::users::{self, Session};
use leadscore_engine::{EngineError, Role, Service};

pub use html::escape;

/// The session cookie's name.
pub const COOKIE_NAME: &str = "leadscore_session";

/// The console's routes, to merge into the service's router: `/` (a 303 to
/// `/console/`) and everything under `/console`. None is part of the
/// OpenAPI document: they answer HTML for people, not JSON for machines.
pub fn router() -> Router<Service> {
    Router::new()
        .route("/", get(|| async { html::see_other("/console/") }))
        .route("/console", get(|| async { html::see_other("/console/") }))
        .route("/console/", get(overview::overview))
        .route("/console/assets/{name}", get(html::asset))
        .route("/console/leads", get(leads::leads))
        .route("/console/leads/{lead_id}", get(lead::page))
        .route("/console/leads.csv", get(leads::leads_csv))
        .route("/console/leads.xlsx", get(leads::leads_xlsx))
        .route(
            "/console/sign-in",
            get(pages::sign_in_form).post(pages::sign_in),
        )
        .route("/console/sign-out", post(pages::sign_out))
        .route(
            "/console/first-admin",
            get(pages::link_form).post(pages::use_link),
        )
        .route("/console/users", get(pages::users))
        .route("/console/users/invite", post(pages::invite))
        .route("/console/users/disable", post(pages::disable))
        .route("/console/users/enable", post(pages::enable))
        .route("/console/users/reset", post(pages::reset))
        .route(
            "/console/account",
            get(pages::account).post(pages::change_password),
        )
        .route(
            "/console/import",
            get(import::import_page).post(import::import),
        )
        .route("/console/routing", get(routing::routing_page))
        .route("/console/routing/rules", post(routing::save_rule))
        .route("/console/routing/up", post(routing::move_up))
        .route("/console/routing/down", post(routing::move_down))
        .route("/console/routing/delete", post(routing::delete_rule))
        .route("/console/routing/default", post(routing::save_default))
        .route("/console/queues/{name}", get(routing::queue::queue_page))
        .route("/console/admin", get(admin::admin_page))
        .route(
            "/console/admin/keys",
            get(admin::keys_page).post(admin::create_key),
        )
        .route("/console/admin/keys/revoke", post(admin::revoke_key))
        .route("/console/admin/keys/rotate", post(admin::rotate_key))
        .route(
            "/console/admin/webhooks",
            get(admin::webhooks_page).post(admin::save_endpoint),
        )
        .route("/console/admin/deliveries", get(admin::deliveries_page))
        .route(
            "/console/admin/webhooks/delete",
            post(admin::delete_endpoint),
        )
        .route("/console/conversion", get(conversion::conversion_page))
        .route("/console/conversion/publish", post(conversion::publish))
        .route("/console/conversion/rollback", post(conversion::rollback))
        .route("/console/conversion/retrain", post(conversion::retrain))
        .route(
            "/console/conversion/mistakes",
            get(conversion::mistakes_page),
        )
        .route("/console/conversion/shadow", get(conversion::shadow_page))
        .route("/console/review", get(conversion::review_page))
        .route("/console/drift", get(conversion::drift_page))
        .route("/console/rule-models", get(rules::list))
        .route(
            "/console/designer",
            get(rules::new_form).post(rules::design),
        )
        .route("/console/designer/check", post(rules::check_json))
        .route("/console/rule-models/{name}", get(rules::show))
        .route("/console/rule-models/{name}/restore", post(rules::restore))
        .route(
            "/console/rule-models/{name}/versions/{version}",
            get(rules::version),
        )
        .route("/console/{*rest}", get(pages::not_found))
}

/// The session cookie's token in a request, if any.
fn cookie_token(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == COOKIE_NAME)
        .map(|(_, value)| value.trim().to_owned())
        .filter(|v| !v.is_empty() && v.len() <= 128)
}

/// Whether a form post comes from a page of this service: its `Origin`
/// (else `Referer`) names this `Host` (or the `X-Forwarded-Host` of a proxy). A browser sends one of them with
/// every cross-site post, so a post from another site's page is told apart;
/// a client that sends neither (not a browser) is let through. This guards
/// the forms that have no session to carry a CSRF token (sign-in: another
/// site must not sign a person into an account of its choosing).
pub fn same_origin(headers: &HeaderMap) -> bool {
    let header = |name| {
        headers
            .get(name)
            .and_then(|v: &HeaderValue| v.to_str().ok())
    };
    let Some(from) = header("origin").or_else(|| header("referer")) else {
        return true;
    };
    let rest = from
        .strip_prefix("http://")
        .or_else(|| from.strip_prefix("https://"));
    let Some(authority) = rest.and_then(|r| r.split(['/', '?', '#']).next()) else {
        return false;
    };
    // Behind a proxy that rewrites `Host`, the host people use is in
    // `X-Forwarded-Host`.
    [header("host"), header("x-forwarded-host")]
        .into_iter()
        .flatten()
        .any(|host| authority.eq_ignore_ascii_case(host.trim()))
}

/// Whether the request came over TLS: the service speaks plain HTTP, so
/// this is what a TLS-terminating proxy says in `X-Forwarded-Proto`.
fn over_tls(headers: &HeaderMap) -> bool {
    headers
        .get("x-forwarded-proto")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.trim().eq_ignore_ascii_case("https"))
}

/// The `Set-Cookie` value carrying a session's token (or clearing it).
fn session_cookie(headers: &HeaderMap, token: Option<&str>) -> HeaderValue {
    let secure = if over_tls(headers) { "; Secure" } else { "" };
    let text = match token {
        Some(token) => format!(
            "{COOKIE_NAME}={token}; HttpOnly; SameSite=Strict; Path=/; Max-Age={}{secure}",
            users::SESSION_MAX.as_secs()
        ),
        None => format!("{COOKIE_NAME}=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0{secure}"),
    };
    HeaderValue::from_str(&text).unwrap_or(HeaderValue::from_static(""))
}

/// `response` with the session cookie set (or cleared).
fn with_cookie(mut response: Response, headers: &HeaderMap, token: Option<&str>) -> Response {
    response
        .headers_mut()
        .append(SET_COOKIE, session_cookie(headers, token));
    response
}

/// A `next` path accepted after sign-in: only a path of the console
/// itself (no scheme, no host, no `//` or `\`), else the overview.
pub fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n)
            if (n == "/console" || n.starts_with("/console/"))
                && !n.contains("//")
                && !n.contains('\\')
                && !n.chars().any(char::is_control) =>
        {
            n.to_owned()
        }
        _ => "/console/".to_owned(),
    }
}

/// The error page of an engine failure: 503 when the store cannot answer,
/// else 500; the cause is logged, never shown.
fn failed(error: &EngineError, session: Option<&Session>) -> Response {
    tracing::error!(%error, "a console page failed");
    if error.is_unavailable() {
        html::error_page(
            StatusCode::SERVICE_UNAVAILABLE,
            session,
            "The store cannot answer now. Try again in a moment.",
        )
    } else {
        html::error_page(
            StatusCode::INTERNAL_SERVER_ERROR,
            session,
            "Something went wrong on the server (the cause is logged). Try again, or ask an admin.",
        )
    }
}

/// A request's live session; else the answer to give instead: a 303 to
/// sign-in (with `next` for a GET of `path`) or an error page.
async fn signed_in(
    service: &Service,
    headers: &HeaderMap,
    path: &str,
) -> Result<Session, Response> {
    let found = match cookie_token(headers) {
        Some(token) => users::session(&service.store, &token).await,
        None => Ok(None),
    };
    match found {
        Ok(Some(session)) => Ok(session),
        Ok(None) => {
            let next: String = form_urlencoded::byte_serialize(path.as_bytes()).collect();
            Err(html::see_other(&format!("/console/sign-in?next={next}")))
        }
        Err(e) => Err(failed(&e, None)),
    }
}

/// For a POST: the session, its CSRF token checked against the form's
/// `csrf` field (403 without it or with another), and its role at least
/// `role` (403 below).
async fn authorized(
    service: &Service,
    headers: &HeaderMap,
    form: &Form,
    role: Role,
) -> Result<Session, Response> {
    let session = signed_in(service, headers, "/console/").await?;
    if !form.get("csrf").is_some_and(|c| session.csrf_matches(c)) {
        return Err(html::error_page(
            StatusCode::FORBIDDEN,
            Some(&session),
            "This form was refused: its security token is missing or out of date. \
             Go back, reload the page and try again.",
        ));
    }
    allowed(&session, role)?;
    Ok(session)
}

/// A form post's fields, with the session that sent it once its CSRF token
/// and role are checked ([`authorized`]); else the answer to give instead.
async fn posted(
    service: &Service,
    headers: &HeaderMap,
    body: &[u8],
    role: Role,
) -> Result<(Session, Form), Response> {
    let form = Form::parse(body);
    let session = authorized(service, headers, &form, role).await?;
    Ok((session, form))
}

/// 403 unless the session's role is at least `role`.
// The error is the page answered instead, made once per request.
#[allow(clippy::result_large_err)]
fn allowed(session: &Session, role: Role) -> Result<(), Response> {
    if session.user.role >= role {
        Ok(())
    } else {
        Err(html::error_page(
            StatusCode::FORBIDDEN,
            Some(session),
            &format!(
                "This needs the {role} role; you ({}) have the {} role.",
                session.user.email, session.user.role
            ),
        ))
    }
}

/// A query string's parameters.
type Params = axum::extract::Query<Vec<(String, String)>>;

/// A query parameter's value (the last, when repeated).
fn param<'a>(params: &'a Params, name: &str) -> Option<&'a str> {
    params
        .0
        .iter()
        .rev()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.as_str())
}

/// A form body's fields (`application/x-www-form-urlencoded`), the last
/// value of each name.
#[derive(Debug, Default)]
struct Form(Vec<(String, String)>);

impl Form {
    fn parse(body: &[u8]) -> Self {
        Self(form_urlencoded::parse(body).into_owned().collect())
    }

    fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .rev()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_console_paths_are_next() {
        assert_eq!(safe_next(Some("/console/users")), "/console/users");
        for bad in [
            "https://evil.example",
            "//evil.example",
            "/console//evil.example",
            "/\\evil.example",
            "/v1/keys",
            "javascript:alert(1)",
        ] {
            assert_eq!(safe_next(Some(bad)), "/console/", "{bad}");
        }
        assert_eq!(safe_next(None), "/console/");
    }

    #[test]
    fn posts_from_other_sites_are_told_apart() {
        let with = |pairs: &[(&'static str, &'static str)]| {
            let mut headers = HeaderMap::new();
            for (name, value) in pairs {
                headers.insert(*name, HeaderValue::from_static(value));
            }
            same_origin(&headers)
        };
        assert!(with(&[
            ("host", "127.0.0.1:8080"),
            ("origin", "http://127.0.0.1:8080")
        ]));
        assert!(with(&[
            ("host", "leads.example.com"),
            (
                "referer",
                "https://leads.example.com/console/sign-in?next=/console/"
            )
        ]));
        assert!(with(&[("host", "127.0.0.1:8080")]), "no browser headers");
        assert!(with(&[
            ("host", "10.0.0.5:8080"),
            ("x-forwarded-host", "leads.example.com"),
            ("origin", "https://leads.example.com")
        ]));
        assert!(!with(&[
            ("host", "127.0.0.1:8080"),
            ("origin", "https://evil.example")
        ]));
        assert!(!with(&[("host", "127.0.0.1:8080"), ("origin", "null")]));
        assert!(!with(&[
            ("host", "leads.example.com"),
            ("referer", "https://leads.example.com.evil.example/")
        ]));
    }

    #[test]
    fn the_cookie_is_found_among_others() {
        let mut headers = HeaderMap::new();
        headers.insert(
            COOKIE,
            HeaderValue::from_static("a=1; leadscore_session=abc; b=2"),
        );
        assert_eq!(cookie_token(&headers).as_deref(), Some("abc"));
        let cookie = session_cookie(&headers, Some("abc"));
        let text = cookie.to_str().unwrap_or_default();
        assert!(text.contains("HttpOnly") && text.contains("SameSite=Strict"));
        assert!(!text.contains("Secure"));
        headers.insert("x-forwarded-proto", HeaderValue::from_static("https"));
        let cookie = session_cookie(&headers, Some("abc"));
        assert!(cookie.to_str().unwrap_or_default().ends_with("; Secure"));
    }
}
