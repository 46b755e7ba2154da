//! The console's pages: sign-in and sign-out, the one-time link's
//! password form and the users page.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use leadscore_engine::users::{self, LinkCheck, Session, SignIn, UserError};
use leadscore_engine::{Role, Service};

use crate::html::{Kind, error_page, escape, layout, notice, page, see_other};
use crate::{
    Form, Params, allowed, authorized, failed, param, posted, safe_next, signed_in, with_cookie,
};

fn sign_in_page(status: StatusCode, next: &str, email: &str, error: Option<&str>) -> Response {
    let error = error.map_or(String::new(), |e| notice(Kind::Error, e));
    let body = format!(
        "<section class=\"card\">{error}<form method=\"post\" action=\"/console/sign-in\">\
         <input type=\"hidden\" name=\"next\" value=\"{next}\">\
         <label for=\"email\">Email</label>\
         <input id=\"email\" name=\"email\" type=\"email\" autocomplete=\"username\" required \
          value=\"{email}\"{email_focus}>\
         <label for=\"password\">Password</label>\
         <input id=\"password\" name=\"password\" type=\"password\" \
          autocomplete=\"current-password\" required{password_focus}>\
         <button type=\"submit\">Sign in</button></form></section>",
        next = escape(next),
        email = escape(email),
        // After a refused try the email is kept: the password is what to type.
        email_focus = if email.is_empty() { " autofocus" } else { "" },
        password_focus = if email.is_empty() { "" } else { " autofocus" },
    );
    page(status, layout("Sign in", None, &body))
}

/// `GET /console/sign-in?next=...`: the form (or, when signed in already,
/// a 303 to `next`).
pub async fn sign_in_form(
    State(service): State<Service>,
    headers: HeaderMap,
    params: Params,
) -> Response {
    let next = safe_next(param(&params, "next"));
    if let Some(token) = crate::cookie_token(&headers)
        && let Ok(Some(_)) = users::session(&service.store, &token).await
    {
        return see_other(&next);
    }
    sign_in_page(StatusCode::OK, &next, "", None)
}

/// `POST /console/sign-in`: email, password and `next`.
pub async fn sign_in(State(service): State<Service>, headers: HeaderMap, body: Bytes) -> Response {
    if !crate::same_origin(&headers) {
        return error_page(
            StatusCode::FORBIDDEN,
            None,
            "This sign-in came from another site's page and was refused. \
             Sign in from this console's own sign-in page.",
        );
    }
    let form = Form::parse(&body);
    let next = safe_next(form.get("next"));
    let email = form.get("email").unwrap_or_default();
    let password = form.get("password").unwrap_or_default();
    match users::sign_in(&service.store, email, password).await {
        Ok(SignIn::Session(new)) => with_cookie(see_other(&next), &headers, Some(&new.token)),
        Ok(SignIn::Wrong) => sign_in_page(
            StatusCode::UNAUTHORIZED,
            &next,
            email,
            Some("The email or the password is wrong."),
        ),
        Ok(SignIn::Limited { wait }) => {
            let minutes = wait.as_secs().div_ceil(60);
            let mut answer = sign_in_page(
                StatusCode::TOO_MANY_REQUESTS,
                &next,
                email,
                Some(&format!(
                    "Too many failed sign-ins for this email: sign-in is paused for it. \
                     Try again in {minutes} minute{}.",
                    if minutes == 1 { "" } else { "s" }
                )),
            );
            if let Ok(v) = wait.as_secs().to_string().parse() {
                answer.headers_mut().insert("retry-after", v);
            }
            answer
        }
        Err(e) => failed(&e, None),
    }
}

/// `POST /console/sign-out`: ends the session (CSRF checked) and clears
/// the cookie.
pub async fn sign_out(State(service): State<Service>, headers: HeaderMap, body: Bytes) -> Response {
    let form = Form::parse(&body);
    if let Err(answer) = authorized(&service, &headers, &form, Role::Read).await {
        return answer;
    }
    if let Some(token) = crate::cookie_token(&headers)
        && let Err(e) = users::sign_out(&service.store, &token).await
    {
        return failed(&e, None);
    }
    with_cookie(see_other("/console/sign-in"), &headers, None)
}

fn link_page(
    status: StatusCode,
    token: &str,
    check: &LinkCheck,
    email: &str,
    error: Option<&str>,
) -> Response {
    let error = error.map_or(String::new(), |e| notice(Kind::Error, e));
    let (title, who) = match check {
        LinkCheck::FirstAdmin => (
            "Welcome: make the first admin",
            format!(
                "<p>No one can sign in yet. Give your email and choose a password: you become \
                 the first admin.</p>\
                 <label for=\"email\">Email</label>\
                 <input id=\"email\" name=\"email\" type=\"email\" autocomplete=\"username\" \
                  required value=\"{}\" autofocus>",
                escape(email)
            ),
        ),
        LinkCheck::User(user) => (
            "Welcome: choose your password",
            format!(
                "<p>You sign in as <strong>{}</strong>.</p>",
                escape(&user.email)
            ),
        ),
        LinkCheck::Unusable => ("Sign-in link", String::new()),
    };
    let body = format!(
        "<section class=\"card\">{error}<form method=\"post\" action=\"/console/first-admin\">\
         <input type=\"hidden\" name=\"token\" value=\"{token}\">{who}\
         <label for=\"password\">Password (at least {min} characters)</label>\
         <input id=\"password\" name=\"password\" type=\"password\" autocomplete=\"new-password\" \
          minlength=\"{min}\" required>\
         <label for=\"confirm\">The password again</label>\
         <input id=\"confirm\" name=\"confirm\" type=\"password\" autocomplete=\"new-password\" \
          minlength=\"{min}\" required>\
         <button type=\"submit\">Set the password and sign in</button></form></section>",
        token = escape(token),
        min = users::MIN_PASSWORD_CHARS,
    );
    page(status, layout(title, None, &body))
}

fn unusable_link() -> Response {
    error_page(
        StatusCode::GONE,
        None,
        "This sign-in link was used already, has expired or is unknown. Ask an admin for a new \
         one (or restart `leadscore serve` with no user for a new first-admin link).",
    )
}

/// `GET /console/first-admin?token=...`: the one-time link's form (the
/// link is used only when the form is sent).
pub async fn link_form(State(service): State<Service>, params: Params) -> Response {
    let token = param(&params, "token").unwrap_or_default();
    match users::check_link(&service.store, token).await {
        Ok(LinkCheck::Unusable) => unusable_link(),
        Ok(check) => link_page(StatusCode::OK, token, &check, "", None),
        Err(e) => failed(&e, None),
    }
}

/// `POST /console/first-admin`: the link's token (which stands for the
/// CSRF token: only the link's holder knows it), the email (first admin
/// only) and the password twice. Uses the link and signs the person in.
pub async fn use_link(State(service): State<Service>, headers: HeaderMap, body: Bytes) -> Response {
    let form = Form::parse(&body);
    let token = form.get("token").unwrap_or_default();
    let email = form.get("email");
    let password = form.get("password").unwrap_or_default();
    let check = match users::check_link(&service.store, token).await {
        Ok(LinkCheck::Unusable) => return unusable_link(),
        Ok(check) => check,
        Err(e) => return failed(&e, None),
    };
    let retry = |message: &str| {
        link_page(
            StatusCode::BAD_REQUEST,
            token,
            &check,
            email.unwrap_or_default(),
            Some(message),
        )
    };
    if form.get("confirm") != Some(password) {
        return retry("The two passwords differ.");
    }
    let email = matches!(check, LinkCheck::FirstAdmin).then_some(email.unwrap_or_default());
    match users::redeem_link(&service.store, token, email, password).await {
        Ok(Some(new)) => with_cookie(see_other("/console/"), &headers, Some(&new.token)),
        Ok(None) => unusable_link(),
        Err(UserError::Refused(r)) => retry(&r.message),
        Err(UserError::Engine(e)) => failed(&e, None),
    }
}

fn users_page(session: &Session, list: &[users::User], notice: Option<&str>) -> String {
    let notice = notice.unwrap_or_default();
    let rows: String = list
        .iter()
        .map(|u| {
            let state = match (u.disabled_at, u.has_password) {
                (Some(at), _) => format!("disabled {at}"),
                (None, false) => "invited (no password yet)".to_owned(),
                (None, true) => "active".to_owned(),
            };
            let action = if u.disabled_at.is_none() && u.user_id != session.user.user_id {
                format!(
                    "<form method=\"post\" action=\"/console/users/disable\">\
                     <input type=\"hidden\" name=\"csrf\" value=\"{csrf}\">\
                     <input type=\"hidden\" name=\"email\" value=\"{email}\">\
                     <button class=\"danger\" type=\"submit\" \
                      aria-label=\"Disable {email}\">Disable</button></form>",
                    csrf = escape(&session.csrf),
                    email = escape(&u.email),
                )
            } else {
                String::new()
            };
            format!(
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{action}</td></tr>",
                escape(&u.email),
                u.role,
                escape(&state),
                crate::html::when(u.created_at),
            )
        })
        .collect();
    format!(
        "{notice}<section class=\"card\" aria-labelledby=\"invite\"><h2 id=\"invite\">Invite a person</h2>\
         <form method=\"post\" action=\"/console/users/invite\">\
         <input type=\"hidden\" name=\"csrf\" value=\"{csrf}\">\
         <label for=\"email\">Email</label>\
         <input id=\"email\" name=\"email\" type=\"email\" required>\
         <label for=\"role\">Role</label>\
         <select id=\"role\" name=\"role\"><option value=\"read\">read: sees everything</option>\
         <option value=\"ingest\">ingest: also sends records</option>\
         <option value=\"admin\">admin: also changes models, routing, users</option></select>\
         <button type=\"submit\">Invite</button></form></section>\
         <section class=\"card\" aria-labelledby=\"people\"><h2 id=\"people\">Users</h2>\
         <table><thead><tr><th scope=\"col\">Email</th><th scope=\"col\">Role</th>\
         <th scope=\"col\">State</th><th scope=\"col\">Since</th><th scope=\"col\">\
         <span class=\"visually-hidden\">Actions</span></th></tr></thead><tbody>{rows}</tbody></table>\
         </section>",
        csrf = escape(&session.csrf),
    )
}

async fn render_users(
    service: &Service,
    session: &Session,
    status: StatusCode,
    notice: Option<&str>,
) -> Response {
    match users::list_users(&service.store).await {
        Ok(list) => page(
            status,
            layout("Users", Some(session), &users_page(session, &list, notice)),
        ),
        Err(e) => failed(&e, Some(session)),
    }
}

/// `GET /console/users` (admin): the users, an invitation form, and a
/// button to disable each.
pub async fn users(State(service): State<Service>, headers: HeaderMap) -> Response {
    let session = match signed_in(&service, &headers, "/console/users").await {
        Ok(s) => s,
        Err(answer) => return answer,
    };
    if let Err(answer) = allowed(&session, Role::Admin) {
        return answer;
    }
    render_users(&service, &session, StatusCode::OK, None).await
}

/// `POST /console/users/invite` (admin, CSRF): makes a user with a role and
/// shows their one-time link once.
pub async fn invite(State(service): State<Service>, headers: HeaderMap, body: Bytes) -> Response {
    let (session, form) = match posted(&service, &headers, &body, Role::Admin).await {
        Ok(posted) => posted,
        Err(answer) => return answer,
    };
    let email = form.get("email").unwrap_or_default();
    let Ok(role) = Role::parse(form.get("role").unwrap_or_default()) else {
        let refused = notice(Kind::Error, "The role is read, ingest or admin.");
        return render_users(&service, &session, StatusCode::BAD_REQUEST, Some(&refused)).await;
    };
    match users::invite(&service.store, email, role).await {
        Ok((user, link)) => {
            let host = headers
                .get("host")
                .and_then(|h| h.to_str().ok())
                .unwrap_or("127.0.0.1:8080");
            let url = format!("http://{host}/console/first-admin?token={}", link.token);
            let notice = format!(
                "<p class=\"notice\" role=\"status\">Invited {email} as {role}. Send them this \
                 one-time link (shown only now; it works once, until {until}): \
                 <code>{url}</code></p>",
                email = escape(&user.email),
                until = link.expires_at,
                url = escape(&url),
            );
            render_users(&service, &session, StatusCode::OK, Some(&notice)).await
        }
        Err(UserError::Refused(r)) => {
            let refused = notice(Kind::Error, &r.message);
            render_users(&service, &session, StatusCode::BAD_REQUEST, Some(&refused)).await
        }
        Err(UserError::Engine(e)) => failed(&e, Some(&session)),
    }
}

/// `POST /console/users/disable` (admin, CSRF): disables a user, ending
/// their sessions at once.
pub async fn disable(State(service): State<Service>, headers: HeaderMap, body: Bytes) -> Response {
    let (session, form) = match posted(&service, &headers, &body, Role::Admin).await {
        Ok(posted) => posted,
        Err(answer) => return answer,
    };
    let email = form.get("email").unwrap_or_default();
    if users::email_key(email) == users::email_key(&session.user.email) {
        let refused = notice(Kind::Error, "You cannot disable yourself.");
        return render_users(&service, &session, StatusCode::BAD_REQUEST, Some(&refused)).await;
    }
    match users::disable_user(&service.store, email).await {
        Ok(Some(user)) => {
            let done = notice(
                Kind::Notice,
                &format!("Disabled {}: their sessions ended.", user.email),
            );
            render_users(&service, &session, StatusCode::OK, Some(&done)).await
        }
        Ok(None) => {
            let refused = notice(Kind::Error, &format!("No user has the email {email}."));
            render_users(&service, &session, StatusCode::NOT_FOUND, Some(&refused)).await
        }
        Err(e) => failed(&e, Some(&session)),
    }
}

/// Any other console path: an HTML 404.
pub async fn not_found() -> Response {
    error_page(
        StatusCode::NOT_FOUND,
        None,
        "No console page has this address.",
    )
}
