//! What the console's end-to-end tests share: a cookie-keeping client (as
//! a browser), GETs and form POSTs read into an [`Answer`], the CSRF token
//! and other hidden values of a page, signing in, and waiting for a
//! page.

use leadscore_engine::Role;
use leadscore_engine::users;
use reqwest::StatusCode;
use reqwest::redirect::Policy;

use crate::support::App;

pub const PASSWORD: &str = "correct horse battery";

/// A client that keeps cookies and does not follow redirects.
pub fn browser() -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(Policy::none())
        .build()
        .unwrap()
}

/// A response's status, `Location`, `Set-Cookie` and body.
pub struct Answer {
    pub status: StatusCode,
    pub location: String,
    pub cookie: String,
    pub body: String,
}

/// A response read into an [`Answer`].
pub async fn answer(response: reqwest::Response) -> Answer {
    let header = |name: &str| {
        response
            .headers()
            .get(name)
            .map(|v| v.to_str().unwrap().to_owned())
            .unwrap_or_default()
    };
    let (location, cookie) = (header("location"), header("set-cookie"));
    Answer {
        status: response.status(),
        location,
        cookie,
        body: response.text().await.unwrap(),
    }
}

pub async fn get(app: &App, client: &reqwest::Client, path: &str) -> Answer {
    answer(
        client
            .get(format!("{}{path}", app.base))
            .send()
            .await
            .unwrap(),
    )
    .await
}

/// A form POST of `(name, value)` pairs.
pub async fn post(
    app: &App,
    client: &reqwest::Client,
    path: &str,
    form: &[(&str, &str)],
) -> Answer {
    post_form(app, client, path, form).await
}

/// A form POST of any form `reqwest` can encode (owned pairs, say).
pub async fn post_form<F: serde::Serialize + ?Sized>(
    app: &App,
    client: &reqwest::Client,
    path: &str,
    form: &F,
) -> Answer {
    answer(
        client
            .post(format!("{}{path}", app.base))
            .form(form)
            .send()
            .await
            .unwrap(),
    )
    .await
}

/// The value of the first hidden input named `name` on a page.
pub fn hidden(html: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let start = html.find(&marker).unwrap() + marker.len();
    html[start..].split('"').next().unwrap().to_owned()
}

/// The CSRF token of a page's forms.
pub fn csrf(html: &str) -> String {
    hidden(html, "csrf")
}

/// Signs in through the sign-in form, to come back to `next`.
pub async fn sign_in_to(
    app: &App,
    client: &reqwest::Client,
    email: &str,
    password: &str,
    next: &str,
) -> Answer {
    post(
        app,
        client,
        "/console/sign-in",
        &[("email", email), ("password", password), ("next", next)],
    )
    .await
}

/// Signs in through the sign-in form, to come back to the overview.
pub async fn sign_in(app: &App, client: &reqwest::Client, email: &str, password: &str) -> Answer {
    sign_in_to(app, client, email, password, "/console/").await
}

/// A user with `role` made in the store, signed in on a new browser, and
/// the session's CSRF token.
pub async fn signed_in(app: &App, email: &str, role: Role) -> (reqwest::Client, String) {
    users::create_user(&app.store, email, role, Some(PASSWORD))
        .await
        .unwrap();
    let client = browser();
    let signed = sign_in(app, &client, email, PASSWORD).await;
    assert_eq!(signed.status, StatusCode::SEE_OTHER, "{}", signed.body);
    let page = get(app, &client, "/console/").await;
    assert_eq!(page.status, StatusCode::OK);
    let token = csrf(&page.body);
    (client, token)
}

/// Polls a console page until `ok` holds (the rescoring worker routes
/// leads within a second).
pub async fn page_when(
    app: &App,
    client: &reqwest::Client,
    path: &str,
    ok: impl Fn(&str) -> bool,
) -> String {
    app.eventually(path, || async {
        let page = get(app, client, path).await;
        (page.status == StatusCode::OK && ok(&page.body)).then_some(page.body)
    })
    .await
}
