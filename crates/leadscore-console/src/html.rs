//! The console's HTML: escaping, the page layout with its small inline
//! style, and the answers (pages, redirects, errors) with the headers every
//! console page carries.

use axum::http::header::{CACHE_CONTROL, CONTENT_SECURITY_POLICY, CONTENT_TYPE, LOCATION};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use leadscore_engine::users::Session;

/// `text` escaped for HTML text and attribute values (the review page's
/// escaping: one implementation for every page the service renders).
pub use leadscore_report::escape_html as escape;

/// A whole page: the header (with the navigation and a sign-out button
/// when signed in) and `body`.
pub fn layout(title: &str, session: Option<&Session>, body: &str) -> String {
    let nav = match session {
        Some(s) => {
            let admin = if s.user.role == leadscore_engine::Role::Admin {
                "<li><a href=\"/console/users\">Users</a></li><li><a href=\"/console/admin\">Administration</a></li>"
            } else {
                ""
            };
            format!(
                "<nav aria-label=\"Console\"><ul>\
                 <li><a href=\"/console/\">Overview</a></li>\
                 <li><a href=\"/console/leads\">Leads</a></li>\
                 <li><a href=\"/console/rule-models\">Rule models</a></li>\
                 <li><a href=\"/console/routing\">Routing</a></li>\
                 <li><a href=\"/console/import\">Import</a></li>\
                 <li><a href=\"/console/conversion\">Conversion model</a></li>{admin}</ul></nav>\
                 <a href=\"/console/account\">{email} ({role})</a>\
                 <form method=\"post\" action=\"/console/sign-out\">\
                 <input type=\"hidden\" name=\"csrf\" value=\"{csrf}\">\
                 <button class=\"link\" type=\"submit\">Sign out</button></form>",
                email = escape(&s.user.email),
                role = s.user.role,
                csrf = escape(&s.csrf),
            )
        }
        None => String::new(),
    };
    format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{title} · leadscore</title>\
         <link rel=\"stylesheet\" href=\"/console/assets/console.css\">\
         <script src=\"/console/assets/console.js\" defer></script></head><body>\
         <header><a class=\"brand\" href=\"/console/\">leadscore</a>{nav}</header>\
         <main><h1>{title}</h1>{body}</main></body></html>",
        title = escape(title),
    )
}

/// Sets the headers every console answer carries: no caching, no framing,
/// scripts, styles and requests only from this origin, forms only to it.
fn guard(mut response: Response) -> Response {
    let headers = response.headers_mut();
    headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(
        CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'none'; style-src 'self' 'unsafe-inline'; script-src 'self'; \
             img-src 'self' data:; connect-src 'self'; form-action 'self'; \
             frame-ancestors 'none'; base-uri 'none'",
        ),
    );
    headers.insert(
        "x-content-type-options",
        HeaderValue::from_static("nosniff"),
    );
    response
}

/// A page with a status.
pub fn page(status: StatusCode, html: String) -> Response {
    guard(
        (
            status,
            [(
                CONTENT_TYPE,
                HeaderValue::from_static("text/html; charset=utf-8"),
            )],
            html,
        )
            .into_response(),
    )
}

/// A 303 to `location` (a path of this service).
pub fn see_other(location: &str) -> Response {
    let value = HeaderValue::from_str(location).unwrap_or(HeaderValue::from_static("/console/"));
    guard((StatusCode::SEE_OTHER, [(LOCATION, value)]).into_response())
}

/// What a [`notice`] paragraph tells: news (`class="notice"`,
/// `role="status"`) or a problem (`class="error"`, `role="alert"`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Notice,
    Error,
}

/// A notice or error paragraph above a page's content, its `text` escaped.
pub fn notice(kind: Kind, text: &str) -> String {
    let (class, role) = match kind {
        Kind::Notice => ("notice", "status"),
        Kind::Error => ("error", "alert"),
    };
    format!("<p class=\"{class}\" role=\"{role}\">{}</p>", escape(text))
}

/// An error page: the status, a title and what to do.
pub fn error_page(status: StatusCode, session: Option<&Session>, message: &str) -> Response {
    let title = status.canonical_reason().unwrap_or("Error");
    let body = format!(
        "{}<p><a href=\"/console/\">Back to the console</a></p>",
        notice(Kind::Error, message)
    );
    page(status, layout(title, session, &body))
}

/// A date and time to the minute, in UTC (`2026-05-01 14:03 UTC`), as
/// every console page writes one.
pub fn when(t: leadscore_domain::Timestamp) -> String {
    t.to_datetime().format("%Y-%m-%d %H:%M UTC").to_string()
}

/// An optional time, or a dash.
pub fn when_opt(t: Option<leadscore_domain::Timestamp>) -> String {
    t.map_or_else(|| "–".to_owned(), when)
}

/// `text` as one segment of a URL path: percent-encoded, a space as `%20`
/// (form encoding's `+` would be a literal plus in a path).
pub fn path_segment(text: &str) -> String {
    let encoded: String = form_urlencoded::byte_serialize(text.as_bytes()).collect();
    encoded.replace('+', "%20")
}

/// The console's style sheet.
const CSS: &str = include_str!("../assets/console.css");
/// The console's script.
const JS: &str = include_str!("../assets/console.js");

/// `GET /console/assets/{name}`: the style sheet or the script, compiled
/// into the binary (nothing is fetched from elsewhere).
pub async fn asset(axum::extract::Path(name): axum::extract::Path<String>) -> Response {
    let (body, kind) = match name.as_str() {
        "console.css" => (CSS, "text/css; charset=utf-8"),
        "console.js" => (JS, "text/javascript; charset=utf-8"),
        _ => {
            return error_page(
                StatusCode::NOT_FOUND,
                None,
                "No console file has this name.",
            );
        }
    };
    let mut response = guard(
        (
            StatusCode::OK,
            [(CONTENT_TYPE, HeaderValue::from_static(kind))],
            body,
        )
            .into_response(),
    );
    // Served with the binary: a new release brings new files, so a short
    // cache is enough and never serves a stale file for long.
    response
        .headers_mut()
        .insert(CACHE_CONTROL, HeaderValue::from_static("max-age=300"));
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_escaped() {
        assert_eq!(
            escape("<a href=\"x\">'&'</a>"),
            "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;"
        );
    }
}
