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

const STYLE: &str = "\
body{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;margin:0;color:#1a1a1a;background:#f6f7f9;line-height:1.5}\
header{background:#1f3a5f;color:#fff;padding:.6rem 1.2rem;display:flex;flex-wrap:wrap;gap:1rem;align-items:center}\
header a{color:#fff}header .brand{font-weight:700;margin-right:auto;text-decoration:none}\
nav ul{list-style:none;display:flex;flex-wrap:wrap;gap:1rem;margin:0;padding:0}\
nav .soon{color:#c8d3e0}\
main{max-width:60rem;margin:1.5rem auto;padding:0 1.2rem}\
.card{background:#fff;border:1px solid #d5d9e0;border-radius:6px;padding:1rem 1.2rem;margin-bottom:1rem}\
label{display:block;font-weight:600;margin-top:.8rem}\
input,select{font:inherit;padding:.4rem .5rem;border:1px solid #8a94a3;border-radius:4px;width:100%;max-width:24rem;box-sizing:border-box}\
button{font:inherit;padding:.45rem 1rem;border-radius:4px;border:1px solid #1f3a5f;background:#1f3a5f;color:#fff;cursor:pointer;margin-top:1rem}\
form>button:not(.link):not(.danger){display:block}\
button.link{background:none;border:none;color:#fff;text-decoration:underline;padding:0;margin:0}\
button.danger{background:#a12626;border-color:#a12626;margin-top:0}\
:focus-visible{outline:3px solid #f2a900;outline-offset:2px}\
.error{background:#fdecec;border:1px solid #a12626;color:#6b1010;padding:.6rem .8rem;border-radius:4px}\
.notice{background:#eaf4ea;border:1px solid #2e6b2e;padding:.6rem .8rem;border-radius:4px;word-break:break-all}\
table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:.4rem .5rem;border-bottom:1px solid #d5d9e0}\
.visually-hidden{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0)}\
dl{display:grid;grid-template-columns:max-content 1fr;gap:.3rem 1rem}dt{font-weight:600}dd{margin:0}";

/// A whole page: the header (with the navigation and a sign-out button
/// when signed in) and `body`.
pub fn layout(title: &str, session: Option<&Session>, body: &str) -> String {
    let nav = match session {
        Some(s) => {
            let admin = if s.user.role == leadscore_engine::Role::Admin {
                "<li><a href=\"/console/users\">Users</a></li>"
            } else {
                ""
            };
            format!(
                "<nav aria-label=\"Console\"><ul>\
                 <li><a href=\"/console/\">Overview</a></li>\
                 <li class=\"soon\">Leads (coming)</li>\
                 <li class=\"soon\">Rule models (coming)</li>\
                 <li class=\"soon\">Routing (coming)</li>\
                 <li class=\"soon\">Conversion model (coming)</li>{admin}</ul></nav>\
                 <span>{email} ({role})</span>\
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
         <title>{title} · leadscore</title><style>{STYLE}</style></head><body>\
         <header><a class=\"brand\" href=\"/console/\">leadscore</a>{nav}</header>\
         <main><h1>{title}</h1>{body}</main></body></html>",
        title = escape(title),
    )
}

/// Sets the headers every console answer carries: no caching, no framing,
/// no scripts, forms only to this origin.
fn guard(mut response: Response) -> Response {
    let headers = response.headers_mut();
    headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(
        CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; \
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

/// An error page: the status, a title and what to do.
pub fn error_page(status: StatusCode, session: Option<&Session>, message: &str) -> Response {
    let title = status.canonical_reason().unwrap_or("Error");
    let body = format!(
        "<p class=\"error\" role=\"alert\">{}</p><p><a href=\"/console/\">Back to the console</a></p>",
        escape(message)
    );
    page(status, layout(title, session, &body))
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
