//! API keys in the console (admin): the list with each key's status and
//! expiry (never a key's text: only its hash is stored), making a key (its
//! text shown once, on the answer page), revoking and rotating one, through
//! [`leadscore_engine::keys`] as `POST /v1/keys`, `DELETE /v1/keys/{id}` and
//! `POST /v1/keys/{id}/rotate` do.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use leadscore_engine::keys::{self, KeyInfo, KeyStatus, NewKey, list_keys};
use leadscore_engine::users::Session;
use leadscore_engine::{Role, Service};

use super::admin_session;
use crate::html::{Kind, escape, layout, notice, page};
use crate::html::{when, when_opt};
use crate::list::{ListQuery, pager, sort_header, sort_key};
use crate::routing::{FieldErrors, field_problem};
use crate::{Params, failed, posted};

const PATH: &str = "/console/admin/keys";

/// What the create form re-shows after a refusal.
#[derive(Debug, Default)]
struct Draft {
    role: String,
    label: String,
    days: String,
    errors: FieldErrors,
}

fn list_body(session: &Session, query: &ListQuery, all: &[KeyInfo]) -> Result<String, String> {
    let status = query.get("status").unwrap_or("all");
    let role = query.get("role").unwrap_or("all");
    if !["all", "active", "expired", "revoked"].contains(&status)
        || !["all", "read", "ingest", "admin"].contains(&role)
    {
        return Err("This list's filter does not read: use the filter form.".into());
    }
    let mut rows: Vec<&KeyInfo> = all
        .iter()
        .filter(|k| status == "all" || k.status.as_str() == status)
        .filter(|k| role == "all" || k.role.as_str() == role)
        .collect();
    match sort_key(query) {
        None | Some(("created", true)) => rows.sort_by_key(|k| std::cmp::Reverse(k.created_at)),
        Some(("created", false)) => rows.sort_by_key(|k| k.created_at),
        Some(("expires", false)) => {
            rows.sort_by_key(|k| (k.expires_at.is_none(), k.expires_at, k.key_id.clone()))
        }
        Some(("expires", true)) => rows.sort_by_key(|k| std::cmp::Reverse(k.expires_at)),
        Some(("key", false)) => rows.sort_by(|a, b| a.key_id.cmp(&b.key_id)),
        Some(_) => return Err("This list's order does not read: use the column headers.".into()),
    }
    let total = rows.len() as u64;
    let shown: Vec<&KeyInfo> = rows
        .into_iter()
        .skip(usize::try_from(query.offset()).unwrap_or(usize::MAX))
        .take(query.per_page() as usize)
        .collect();
    let csrf = escape(&session.csrf);
    let body: String = shown
        .iter()
        .map(|k| {
            let id = escape(&k.key_id);
            let label = escape(k.label.as_deref().unwrap_or(""));
            let actions = if k.status == KeyStatus::Active {
                format!(
                    "<form method=\"post\" action=\"/console/admin/keys/revoke\" \
                      data-confirm=\"Revoke key {id} ({label})? Every request with it is refused from now on.\">\
                     <input type=\"hidden\" name=\"csrf\" value=\"{csrf}\">\
                     <input type=\"hidden\" name=\"key_id\" value=\"{id}\">\
                     <button class=\"danger\" type=\"submit\" aria-label=\"Revoke {id}\">Revoke</button></form>\
                     <details><summary>Rotate</summary>\
                     <form method=\"post\" action=\"/console/admin/keys/rotate\" \
                      data-confirm=\"Make a new key replacing {id}? The old one keeps working for the overlap only.\">\
                     <input type=\"hidden\" name=\"csrf\" value=\"{csrf}\">\
                     <input type=\"hidden\" name=\"key_id\" value=\"{id}\">\
                     <label for=\"overlap-{id}\">Old key keeps working for (hours, 0 to 720)</label>\
                     <input id=\"overlap-{id}\" name=\"overlap_hours\" value=\"24\" inputmode=\"numeric\">\
                     <label for=\"days-{id}\">New key expires in (days, 1 to 3650; empty: never)</label>\
                     <input id=\"days-{id}\" name=\"expires_in_days\" inputmode=\"numeric\">\
                     <button type=\"submit\">Rotate {id}</button></form></details>"
                )
            } else {
                String::new()
            };
            format!(
                "<tr><td><code>{id}</code></td><td>{role}</td><td>{label}</td><td>{status}</td>\
                 <td>{created}</td><td>{expires}</td><td>{revoked}</td><td>{replaces}</td><td>{actions}</td></tr>",
                role = k.role,
                status = k.status.as_str(),
                created = when(k.created_at),
                expires = k.expires_at.map_or_else(|| "never".to_owned(), when),
                revoked = when_opt(k.revoked_at),
                replaces = escape(k.replaces.as_deref().unwrap_or("")),
            )
        })
        .collect();
    let option = |value: &str, current: &str| {
        format!(
            "<option value=\"{value}\"{}>{value}</option>",
            if value == current { " selected" } else { "" }
        )
    };
    let statuses: String = ["all", "active", "expired", "revoked"]
        .iter()
        .map(|s| option(s, status))
        .collect();
    let roles: String = ["all", "read", "ingest", "admin"]
        .iter()
        .map(|r| option(r, role))
        .collect();
    let table = if shown.is_empty() {
        "<p>No key matches.</p>".to_owned()
    } else {
        format!(
            "<div class=\"table-wrap\"><table><thead><tr>{key}<th scope=\"col\">Role</th>\
             <th scope=\"col\">Label</th><th scope=\"col\">Status</th>{created}{expires}\
             <th scope=\"col\">Revoked</th><th scope=\"col\">Replaces</th>\
             <th scope=\"col\"><span class=\"visually-hidden\">Actions</span></th></tr></thead>\
             <tbody>{body}</tbody></table></div>",
            key = sort_header(PATH, query, "Key", "key", false),
            created = sort_header(PATH, query, "Created", "created", true),
            expires = sort_header(PATH, query, "Expires", "expires", false),
        )
    };
    Ok(format!(
        "<section class=\"card\" aria-labelledby=\"list\"><h2 id=\"list\">Keys</h2>\
         <p>A key's text is never shown again after it is made: only its hash is stored.</p>\
         <form class=\"filters\" method=\"get\" action=\"{PATH}\" role=\"search\">{keep}\
         <div><label for=\"status\">Show keys that are</label><select id=\"status\" name=\"status\">{statuses}</select></div>\
         <div><label for=\"role-filter\">With the role</label><select id=\"role-filter\" name=\"role\">{roles}</select></div>\
         <button type=\"submit\">Filter</button></form>{table}{pager}</section>",
        keep = query.hidden_inputs(&["status", "role"]),
        pager = pager(PATH, query, shown.len(), total),
    ))
}

fn create_form(session: &Session, draft: &Draft) -> String {
    let (role_attrs, role_problem) = field_problem("new-role", draft.errors.get("role"));
    let (label_attrs, label_problem) = field_problem("new-label", draft.errors.get("label"));
    let (days_attrs, days_problem) = field_problem("new-days", draft.errors.get("expires_in_days"));
    let role = |value: &str, text: &str| {
        format!(
            "<option value=\"{value}\"{}>{text}</option>",
            if draft.role == value { " selected" } else { "" }
        )
    };
    format!(
        "<section class=\"card\" aria-labelledby=\"create\"><h2 id=\"create\">Make a key</h2>\
         <form method=\"post\" action=\"{PATH}\">\
         <input type=\"hidden\" name=\"csrf\" value=\"{csrf}\">\
         <label for=\"new-role\">Role</label>{role_problem}\
         <select id=\"new-role\" name=\"role\"{role_attrs}>{read}{ingest}{admin}</select>\
         <label for=\"new-label\">Label (who uses it, such as hubspot-sync)</label>{label_problem}\
         <input id=\"new-label\" name=\"label\" value=\"{label}\"{label_attrs}>\
         <label for=\"new-days\">Expires in (days, 1 to 3650; empty: never)</label>{days_problem}\
         <input id=\"new-days\" name=\"expires_in_days\" value=\"{days}\" inputmode=\"numeric\"{days_attrs}>\
         <button type=\"submit\">Make the key</button></form></section>",
        csrf = escape(&session.csrf),
        read = role("read", "read: reads scores, models, queues"),
        ingest = role("ingest", "ingest: also sends records and scores"),
        admin = role(
            "admin",
            "admin: also changes models, routing, webhooks, keys"
        ),
        label = escape(&draft.label),
        days = escape(&draft.days),
    )
}

async fn render(
    service: &Service,
    session: &Session,
    status: StatusCode,
    query: &ListQuery,
    top: &str,
    draft: &Draft,
) -> Response {
    let all = match list_keys(&service.store).await {
        Ok(k) => k,
        Err(e) => return failed(&e, Some(session)),
    };
    let (status, list) = match list_body(session, query, &all) {
        Ok(list) => (status, list),
        Err(problem) => (StatusCode::BAD_REQUEST, notice(Kind::Error, &problem)),
    };
    let body = format!(
        "<p><a href=\"/console/admin\">← Administration</a></p>{top}{}{list}",
        create_form(session, draft)
    );
    page(status, layout("API keys", Some(session), &body))
}

/// `GET /console/admin/keys?status=&role=&sort=&page=&per_page=` (admin).
pub async fn keys_page(
    State(service): State<Service>,
    headers: HeaderMap,
    params: Params,
) -> Response {
    let session = match admin_session(&service, &headers, PATH).await {
        Ok(s) => s,
        Err(answer) => return answer,
    };
    let done = crate::param(&params, "done") == Some("revoked");
    let query = ListQuery::new(params.0.into_iter().filter(|(n, _)| n != "done").collect());
    let top = if done {
        notice(
            Kind::Notice,
            "The key is revoked: requests with it are refused from now on.",
        )
    } else {
        String::new()
    };
    render(
        &service,
        &session,
        StatusCode::OK,
        &query,
        &top,
        &Draft::default(),
    )
    .await
}

/// Whole days from a form field (empty: none), or the problem.
fn days_of(text: &str) -> Result<Option<u32>, String> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    text.parse::<u32>()
        .map(Some)
        .map_err(|_| format!("{text:?} is not a whole number of days"))
}

/// The page showing a new key's text, once.
fn once_page(session: &Session, key: &NewKey, what: &str) -> Response {
    let body = format!(
        "{notice}<section class=\"card\" aria-labelledby=\"secret\"><h2 id=\"secret\">The key</h2>\
         <p><strong>Copy it now: it is shown only this once.</strong> Only its hash is stored; \
         if it is lost, make another and revoke this one.</p>\
         <p><code class=\"secret\">{key}</code></p>\
         <dl><dt>Key id</dt><dd><code>{id}</code></dd><dt>Role</dt><dd>{role}</dd>\
         <dt>Expires</dt><dd>{expires}</dd></dl>\
         <p>Send it as <code>Authorization: Bearer &lt;key&gt;</code>.</p></section>\
         <p><a href=\"{PATH}\">Back to the keys</a></p>",
        notice = notice(Kind::Notice, what),
        key = escape(&key.key),
        id = escape(&key.key_id),
        role = key.role,
        expires = key.expires_at.map_or_else(|| "never".to_owned(), when),
    );
    page(
        StatusCode::CREATED,
        layout("New API key", Some(session), &body),
    )
}

/// `POST /console/admin/keys` (admin, CSRF): makes a key (`role`, `label`,
/// `expires_in_days`) and shows its text once.
pub async fn create_key(
    State(service): State<Service>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let (session, form) = match posted(&service, &headers, &body, Role::Admin).await {
        Ok(posted) => posted,
        Err(answer) => return answer,
    };
    let mut draft = Draft {
        role: form.get("role").unwrap_or_default().to_owned(),
        label: form.get("label").unwrap_or_default().trim().to_owned(),
        days: form
            .get("expires_in_days")
            .unwrap_or_default()
            .trim()
            .to_owned(),
        errors: FieldErrors::new(),
    };
    let role = Role::parse(&draft.role).ok();
    if role.is_none() {
        draft
            .errors
            .insert("role".into(), "the role is read, ingest or admin".into());
    }
    if draft.label.contains('\0') {
        draft.errors.insert(
            "label".into(),
            "a text cannot hold a NUL character (\\u0000)".into(),
        );
        draft.label = draft.label.replace('\0', "");
    }
    let expires_at = match days_of(&draft.days) {
        Ok(days) => match keys::expiry_in_days(days, "expires_in_days") {
            Ok(at) => at,
            Err(refusal) => {
                draft
                    .errors
                    .insert("expires_in_days".into(), refusal.message);
                None
            }
        },
        Err(problem) => {
            draft.errors.insert("expires_in_days".into(), problem);
            None
        }
    };
    let Some(role) = role.filter(|_| draft.errors.is_empty()) else {
        let top = notice(
            Kind::Error,
            "No key was made: correct the fields marked below.",
        );
        return render(
            &service,
            &session,
            StatusCode::BAD_REQUEST,
            &ListQuery::default(),
            &top,
            &draft,
        )
        .await;
    };
    let label = (!draft.label.is_empty()).then_some(draft.label.as_str());
    match keys::create_key(&service.store, role, label, expires_at).await {
        Ok(key) => {
            tracing::info!(key = %key.key_id, by = %session.user.email, role = %key.role, "API key created in the console");
            once_page(&session, &key, &format!("Key {} is made.", key.key_id))
        }
        Err(e) => failed(&e, Some(&session)),
    }
}

/// `POST /console/admin/keys/revoke` (admin, CSRF): revokes `key_id`.
pub async fn revoke_key(
    State(service): State<Service>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let (session, form) = match posted(&service, &headers, &body, Role::Admin).await {
        Ok(posted) => posted,
        Err(answer) => return answer,
    };
    let key_id = form.get("key_id").unwrap_or_default();
    match keys::revoke_key(&service.store, key_id).await {
        Ok(true) => {
            service.keys.clear();
            tracing::info!(key = %key_id, by = %session.user.email, "API key revoked in the console");
            crate::html::see_other(&format!("{PATH}?done=revoked"))
        }
        Ok(false) => {
            let top = notice(
                Kind::Error,
                &format!("No active key has the id {key_id}: nothing was revoked."),
            );
            render(
                &service,
                &session,
                StatusCode::NOT_FOUND,
                &ListQuery::default(),
                &top,
                &Draft::default(),
            )
            .await
        }
        Err(e) => failed(&e, Some(&session)),
    }
}

/// The answer to a rotation refused for `problem`.
async fn not_rotated(
    service: &Service,
    session: &Session,
    key_id: &str,
    problem: String,
) -> Response {
    let top = notice(
        Kind::Error,
        &format!("Key {key_id} was not rotated: {problem}"),
    );
    render(
        service,
        session,
        StatusCode::BAD_REQUEST,
        &ListQuery::default(),
        &top,
        &Draft::default(),
    )
    .await
}

/// `POST /console/admin/keys/rotate` (admin, CSRF): replaces `key_id` by a
/// new key (shown once) with `overlap_hours` (default 24) in which both work.
pub async fn rotate_key(
    State(service): State<Service>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let (session, form) = match posted(&service, &headers, &body, Role::Admin).await {
        Ok(posted) => posted,
        Err(answer) => return answer,
    };
    let key_id = form.get("key_id").unwrap_or_default();
    let overlap_text = form.get("overlap_hours").unwrap_or("24").trim();
    let hours = if overlap_text.is_empty() {
        Ok(24)
    } else {
        overlap_text.parse::<u32>()
    };
    let Ok(hours) = hours else {
        return not_rotated(
            &service,
            &session,
            key_id,
            format!("the overlap {overlap_text:?} is not a whole number of hours"),
        )
        .await;
    };
    let overlap = match keys::overlap_of_hours(hours, "overlap_hours") {
        Ok(o) => o,
        Err(refusal) => return not_rotated(&service, &session, key_id, refusal.message).await,
    };
    let expires_at = match days_of(form.get("expires_in_days").unwrap_or_default()) {
        Ok(days) => match keys::expiry_in_days(days, "expires_in_days") {
            Ok(at) => at,
            Err(refusal) => return not_rotated(&service, &session, key_id, refusal.message).await,
        },
        Err(problem) => return not_rotated(&service, &session, key_id, problem).await,
    };
    match keys::rotate_key(&service.store, key_id, overlap, expires_at).await {
        Ok(Some(rotated)) => {
            service.keys.clear();
            tracing::info!(key = %rotated.new.key_id, replaces = %rotated.replaces, by = %session.user.email, "API key rotated in the console");
            once_page(
                &session,
                &rotated.new,
                &format!(
                    "Key {} replaces {}, which keeps working until {}.",
                    rotated.new.key_id,
                    rotated.replaces,
                    when(rotated.replaced_expires_at)
                ),
            )
        }
        Ok(None) => {
            let top = notice(
                Kind::Error,
                &format!("No active key has the id {key_id}: nothing was rotated."),
            );
            render(
                &service,
                &session,
                StatusCode::NOT_FOUND,
                &ListQuery::default(),
                &top,
                &Draft::default(),
            )
            .await
        }
        Err(e) => failed(&e, Some(&session)),
    }
}
