//! The console's pages: sign-in and sign-out, the one-time link's
//! password form and the users page.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use leadscore_engine::users::{self, LinkCheck, Session, SignIn, UserError};
use leadscore_engine::{ErrorCode, Refusal, Role, Service};

use crate::html::{Kind, error_page, escape, layout, notice, page, see_other};
use crate::routing::{FieldErrors, field_problem};
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
        LinkCheck::User(user) if user.has_password => (
            "Choose a new password",
            format!(
                "<p>You sign in as <strong>{}</strong>. The new password replaces your current \
                 one, and your other sessions end.</p>",
                escape(&user.email)
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

/// A one-button form posting a user's `email` to `/console/users/{action}`
/// (admin, CSRF): the button reads `text`, labelled for screen readers
/// with the user's email too.
fn user_button(session: &Session, action: &str, email: &str, class: &str, text: &str) -> String {
    let label = match action {
        "reset" => format!("{text} for {email}"),
        _ => format!("{text} {email}"),
    };
    format!(
        "<form method=\"post\" action=\"/console/users/{action}\">\
         <input type=\"hidden\" name=\"csrf\" value=\"{csrf}\">\
         <input type=\"hidden\" name=\"email\" value=\"{email}\">\
         <button class=\"{class}\" type=\"submit\" aria-label=\"{label}\">{text}</button></form>",
        csrf = escape(&session.csrf),
        email = escape(email),
        label = escape(&label),
    )
}

fn users_page(session: &Session, list: &[users::User], notice: Option<&str>) -> String {
    let notice = notice.unwrap_or_default();
    let rows: String = list
        .iter()
        .map(|u| {
            let state = match (u.disabled_at, u.has_password) {
                (Some(at), _) => format!("disabled {}", crate::html::when(at)),
                (None, false) => "invited (no password yet)".to_owned(),
                (None, true) => "active".to_owned(),
            };
            let action = if u.user_id == session.user.user_id {
                "<a href=\"/console/account\">Change your password</a>".to_owned()
            } else if u.disabled_at.is_some() {
                user_button(session, "enable", &u.email, "secondary", "Enable")
            } else {
                let reset = if u.has_password {
                    "Password-reset link"
                } else {
                    "New sign-in link"
                };
                format!(
                    "<div class=\"rule-actions\">{}{}</div>",
                    user_button(session, "reset", &u.email, "secondary", reset),
                    user_button(session, "disable", &u.email, "danger", "Disable"),
                )
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

/// The users page with a refusal's message above it: 404 for an unknown
/// user, else 400.
async fn refused_users(service: &Service, session: &Session, refusal: &Refusal) -> Response {
    let status = if refusal.code == ErrorCode::NotFound {
        StatusCode::NOT_FOUND
    } else {
        StatusCode::BAD_REQUEST
    };
    let refused = notice(Kind::Error, &sentence(&refusal.message));
    render_users(service, session, status, Some(&refused)).await
}

/// A message as a sentence: its first letter a capital, a full stop at
/// its end.
fn sentence(message: &str) -> String {
    let mut chars = message.trim().chars();
    let mut text: String = chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default();
    if !text.ends_with(['.', '!', '?']) {
        text.push('.');
    }
    text
}

/// The notice that shows a one-time link once: `lead` (escaped), the
/// link, and until when it works.
fn link_notice(headers: &HeaderMap, lead: &str, link: &users::NewLink) -> String {
    let host = headers
        .get("host")
        .and_then(|h| h.to_str().ok())
        .unwrap_or("127.0.0.1:8080");
    let scheme = if crate::over_tls(headers) {
        "https"
    } else {
        "http"
    };
    let url = format!("{scheme}://{host}/console/first-admin?token={}", link.token);
    format!(
        "<p class=\"notice\" role=\"status\">{lead} Send them this one-time link (shown only \
         now; it works once, until {until}): <code>{url}</code></p>",
        lead = escape(lead),
        until = crate::html::when(link.expires_at),
        url = escape(&url),
    )
}

/// `GET /console/users` (admin): the users, an invitation form, and for
/// each other user buttons to disable them or issue a password-reset link,
/// or to enable them again once disabled.
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
            let lead = format!("Invited {} as {role}.", user.email);
            let notice = link_notice(&headers, &lead, &link);
            render_users(&service, &session, StatusCode::OK, Some(&notice)).await
        }
        Err(UserError::Refused(r)) => refused_users(&service, &session, &r).await,
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

/// `POST /console/users/enable` (admin, CSRF): `email`; enables a disabled
/// user again, who then signs in with their password as before.
pub async fn enable(State(service): State<Service>, headers: HeaderMap, body: Bytes) -> Response {
    let (session, form) = match posted(&service, &headers, &body, Role::Admin).await {
        Ok(posted) => posted,
        Err(answer) => return answer,
    };
    let email = form.get("email").unwrap_or_default();
    match users::enable_user(&service.store, email).await {
        Ok(user) => {
            let how = if user.has_password {
                "they can sign in again with their password."
            } else {
                "they have no password yet: give them a new sign-in link to set one."
            };
            let done = notice(Kind::Notice, &format!("Enabled {}: {how}", user.email));
            render_users(&service, &session, StatusCode::OK, Some(&done)).await
        }
        Err(UserError::Refused(r)) => refused_users(&service, &session, &r).await,
        Err(UserError::Engine(e)) => failed(&e, Some(&session)),
    }
}

/// `POST /console/users/reset` (admin, CSRF): `email`; a one-time link with
/// which an active or invited user sets a new password, shown once. Their
/// sessions and earlier links end at once; their password works until the
/// link is used.
pub async fn reset(State(service): State<Service>, headers: HeaderMap, body: Bytes) -> Response {
    let (session, form) = match posted(&service, &headers, &body, Role::Admin).await {
        Ok(posted) => posted,
        Err(answer) => return answer,
    };
    let email = form.get("email").unwrap_or_default();
    if users::email_key(email) == users::email_key(&session.user.email) {
        let refused = notice(
            Kind::Error,
            "A reset link for yourself would end your own session: change your password on \
             your account page instead.",
        );
        return render_users(&service, &session, StatusCode::BAD_REQUEST, Some(&refused)).await;
    }
    match users::reset_link(&service.store, email).await {
        Ok((user, link)) => {
            let lead = format!(
                "Made a password-reset link for {}: their sessions ended. Their current \
                 password works until they use the link.",
                user.email
            );
            let notice = link_notice(&headers, &lead, &link);
            render_users(&service, &session, StatusCode::OK, Some(&notice)).await
        }
        Err(UserError::Refused(r)) => refused_users(&service, &session, &r).await,
        Err(UserError::Engine(e)) => failed(&e, Some(&session)),
    }
}

/// The account page: who is signed in, and the form to change one's
/// password, with `errors` at their fields.
fn account_page(
    status: StatusCode,
    session: &Session,
    notice_html: &str,
    errors: &FieldErrors,
) -> Response {
    let field = |id: &str, name: &str, label: &str, autocomplete: &str| {
        let (attrs, problem) = field_problem(id, errors.get(name));
        format!(
            "<label for=\"{id}\">{label}</label>{problem}\
             <input id=\"{id}\" name=\"{name}\" type=\"password\" autocomplete=\"{autocomplete}\" \
              required{attrs}>"
        )
    };
    let new_label = format!(
        "New password (at least {} characters)",
        users::MIN_PASSWORD_CHARS
    );
    let body = format!(
        "{notice_html}<section class=\"card\" aria-labelledby=\"me\"><h2 id=\"me\">You</h2>\
         <dl><dt>Email</dt><dd>{email}</dd><dt>Role</dt><dd>{role}</dd></dl></section>\
         <section class=\"card\" aria-labelledby=\"change\"><h2 id=\"change\">Change your \
         password</h2><p>Your other sessions end when you change it; this one continues.</p>\
         <form method=\"post\" action=\"/console/account\">\
         <input type=\"hidden\" name=\"csrf\" value=\"{csrf}\">\
         <input type=\"email\" name=\"username\" value=\"{email}\" autocomplete=\"username\" \
          hidden>{current}{new}{confirm}\
         <button type=\"submit\">Change the password</button></form></section>",
        email = escape(&session.user.email),
        role = session.user.role,
        csrf = escape(&session.csrf),
        current = field(
            "current-password",
            "current_password",
            "Current password",
            "current-password"
        ),
        new = field("new-password", "new_password", &new_label, "new-password"),
        confirm = field(
            "confirm-password",
            "confirm",
            "The new password again",
            "new-password"
        ),
    );
    page(status, layout("Your account", Some(session), &body))
}

/// `GET /console/account` (any role): who is signed in, and a form to
/// change one's password.
pub async fn account(State(service): State<Service>, headers: HeaderMap) -> Response {
    match signed_in(&service, &headers, "/console/account").await {
        Ok(session) => account_page(StatusCode::OK, &session, "", &FieldErrors::new()),
        Err(answer) => answer,
    }
}

/// `POST /console/account` (any role, CSRF): `current_password`,
/// `new_password` and `confirm`. Changes the password, ending every other
/// session of the user; this one continues. A refusal is shown at its
/// field (400; 429 after too many wrong passwords), nothing changed.
pub async fn change_password(
    State(service): State<Service>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let (session, form) = match posted(&service, &headers, &body, Role::Read).await {
        Ok(posted) => posted,
        Err(answer) => return answer,
    };
    let new = form.get("new_password").unwrap_or_default();
    let refuse = |status, field: &str, message: &str| {
        let errors = FieldErrors::from([(field.to_owned(), sentence(message))]);
        account_page(status, &session, "", &errors)
    };
    if form.get("confirm") != Some(new) {
        return refuse(
            StatusCode::BAD_REQUEST,
            "confirm",
            "the two new passwords differ",
        );
    }
    let token = crate::cookie_token(&headers).unwrap_or_default();
    let current = form.get("current_password").unwrap_or_default();
    match users::change_password(&service.store, &token, current, new).await {
        Ok(_) => {
            let done = notice(
                Kind::Notice,
                "Your password is changed. Your other sessions have ended; this one continues.",
            );
            account_page(StatusCode::OK, &session, &done, &FieldErrors::new())
        }
        Err(UserError::Refused(r)) => {
            let status = match r.code {
                ErrorCode::RateLimited => StatusCode::TOO_MANY_REQUESTS,
                ErrorCode::Unauthorized => {
                    return see_other("/console/sign-in?next=%2Fconsole%2Faccount");
                }
                _ => StatusCode::BAD_REQUEST,
            };
            let field = r.field.as_deref().unwrap_or("current_password");
            refuse(status, field, &r.message)
        }
        Err(UserError::Engine(e)) => failed(&e, Some(&session)),
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
