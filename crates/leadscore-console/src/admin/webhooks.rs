//! Webhooks in the console (admin): the endpoints, each with a form to
//! change it and one to delete it, a form to add one, and the recent
//! deliveries with their failures.
//!
//! Secrets are write-only: no page ever holds one (not even a refused
//! form's). A change goes through [`WebhookConfig::apply`] and
//! [`save_config`] as `PUT /v1/webhooks` does: an endpoint sent without a
//! secret keeps its own, and a new secret starts a 24-hour rotation.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use leadscore_domain::{EventType, Timestamp};
use leadscore_engine::users::Session;
use leadscore_engine::webhooks::{
    DeliveryState, EndpointRequest, WebhookConfig, WebhookRequest, list_deliveries, load_config,
    save_config,
};
use leadscore_engine::{Role, Service};

use super::admin_session;
use crate::html::{Kind, escape, layout, notice, page, see_other};
use crate::html::{when, when_opt};
use crate::list::{ListQuery, pager, sort_header, sort_key, thousands};
use crate::routing::{FieldErrors, field_problem};
use crate::{Params, failed, posted};

const PATH: &str = "/console/admin/webhooks";

/// An endpoint's form as typed (never its secret).
#[derive(Debug, Default, Clone)]
struct Draft {
    /// The endpoint edited (its stored name); empty for a new one.
    original: String,
    name: String,
    url: String,
    events: Vec<String>,
    errors: FieldErrors,
}

fn endpoint_form(session: &Session, prefix: &str, draft: &Draft, is_new: bool) -> String {
    let input = |field: &str, label: &str, value: &str, extra: &str| {
        let id = format!("{prefix}-{field}");
        let (attrs, problem) = field_problem(&id, draft.errors.get(field));
        format!(
            "<label for=\"{id}\">{label}</label>{problem}\
             <input id=\"{id}\" name=\"{field}\" value=\"{value}\"{attrs}{extra}>",
            value = escape(value),
        )
    };
    let (secret_attrs, secret_problem) =
        field_problem(&format!("{prefix}-secret"), draft.errors.get("secret"));
    let secret_label = if is_new {
        "Signing secret (at least 16 characters; shared with the receiver)"
    } else {
        "New signing secret (leave empty to keep the current secret; a new one is \
         used beside the old one for 24 hours)"
    };
    let (events_attrs, events_problem) =
        field_problem(&format!("{prefix}-events"), draft.errors.get("events"));
    let events: String = EventType::ALL
        .iter()
        .map(|t| {
            let checked = if draft.events.iter().any(|e| e == t.as_str()) {
                " checked"
            } else {
                ""
            };
            format!(
                "<label class=\"check\"><input type=\"checkbox\" name=\"events\" value=\"{t}\"{checked}> {t}</label>",
                t = t.as_str()
            )
        })
        .collect();
    format!(
        "<form method=\"post\" action=\"{PATH}\">\
         <input type=\"hidden\" name=\"csrf\" value=\"{csrf}\">\
         <input type=\"hidden\" name=\"original\" value=\"{original}\">\
         {name}{url}\
         <label for=\"{prefix}-secret\">{secret_label}</label>{secret_problem}\
         <input id=\"{prefix}-secret\" name=\"secret\" type=\"password\" autocomplete=\"off\"{required}{secret_attrs}>\
         <fieldset id=\"{prefix}-events\"{events_attrs}><legend>Events sent (none ticked: every event)</legend>\
         {events_problem}{events}</fieldset>\
         <button type=\"submit\">{button}</button></form>",
        csrf = escape(&session.csrf),
        original = escape(&draft.original),
        name = input(
            "name",
            "Name (letters, digits, - and _; renaming drops its pending deliveries)",
            &draft.name,
            " required maxlength=\"64\""
        ),
        url = input(
            "url",
            "URL (http or https, without user:password@)",
            &draft.url,
            " required"
        ),
        required = if is_new { " required" } else { "" },
        button = if is_new {
            "Add the endpoint".to_owned()
        } else {
            format!("Save {}", escape(&draft.original))
        },
    )
}

fn body(session: &Session, config: &WebhookConfig, top: &str, shown: Option<&Draft>) -> String {
    let now = Timestamp::now();
    let view = config.view(now);
    let mut out = format!(
        "<p><a href=\"/console/admin\">← Administration</a> · \
         <a href=\"/console/admin/deliveries\">Recent deliveries</a></p>{top}\
         <p>Each event (a lead becoming sales-ready, a lead's grade changing) is POSTed to every \
         endpoint subscribed to it, signed with the endpoint's secret. Secrets are never shown.</p>"
    );
    if view.endpoints.is_empty() {
        out.push_str("<p class=\"card\">No endpoint yet.</p>");
    }
    for (i, e) in view.endpoints.iter().enumerate() {
        let draft = match shown {
            Some(d) if d.original == e.name => d.clone(),
            _ => Draft {
                original: e.name.clone(),
                name: e.name.clone(),
                url: e.url.clone(),
                events: e.events.clone(),
                errors: FieldErrors::new(),
            },
        };
        let rotation = e.previous_secret_until.map_or(String::new(), |until| {
            format!(
                "<p>A secret rotation is under way: deliveries carry the old secret's signature \
                 too until {}.</p>",
                when(until)
            )
        });
        let name = escape(&e.name);
        out.push_str(&format!(
            "<section class=\"card\" aria-labelledby=\"ep-{i}\"><h2 id=\"ep-{i}\">{name}</h2>\
             <dl><dt>URL</dt><dd>{url}</dd><dt>Events</dt><dd>{events}</dd></dl>{rotation}\
             <details{open}><summary>Change {name}</summary>{form}</details>\
             <form method=\"post\" action=\"{PATH}/delete\" \
              data-confirm=\"Delete the endpoint {name}? Its pending deliveries are marked failed.\">\
             <input type=\"hidden\" name=\"csrf\" value=\"{csrf}\">\
             <input type=\"hidden\" name=\"name\" value=\"{name}\">\
             <button class=\"danger\" type=\"submit\">Delete {name}</button></form></section>",
            url = escape(&e.url),
            events = if e.events.is_empty() {
                "every event".to_owned()
            } else {
                escape(&e.events.join(", "))
            },
            open = if draft.errors.is_empty() { "" } else { " open" },
            form = endpoint_form(session, &format!("ep-{i}"), &draft, false),
            csrf = escape(&session.csrf),
        ));
    }
    let new = match shown {
        Some(d) if d.original.is_empty() => d.clone(),
        _ => Draft::default(),
    };
    out.push_str(&format!(
        "<section class=\"card\" aria-labelledby=\"add\"><h2 id=\"add\">Add an endpoint</h2>{}</section>",
        endpoint_form(session, "new", &new, true)
    ));
    out
}

async fn render(
    service: &Service,
    session: &Session,
    status: StatusCode,
    top: &str,
    shown: Option<&Draft>,
) -> Response {
    let config = match load_config(&service.store).await {
        Ok(c) => c,
        Err(e) => return failed(&e.into(), Some(session)),
    };
    page(
        status,
        layout(
            "Webhooks",
            Some(session),
            &body(session, &config, top, shown),
        ),
    )
}

/// `GET /console/admin/webhooks` (admin): the endpoints and their forms.
pub async fn webhooks_page(
    State(service): State<Service>,
    headers: HeaderMap,
    params: Params,
) -> Response {
    let session = match admin_session(&service, &headers, PATH).await {
        Ok(s) => s,
        Err(answer) => return answer,
    };
    let top = match crate::param(&params, "done") {
        Some("saved") => notice(
            Kind::Notice,
            "The endpoint is saved; events from now on follow it.",
        ),
        Some("deleted") => notice(
            Kind::Notice,
            "The endpoint is deleted; its pending deliveries are marked failed.",
        ),
        _ => String::new(),
    };
    render(&service, &session, StatusCode::OK, &top, None).await
}

/// The endpoints as `PUT /v1/webhooks` would take them: every stored one
/// without its secret (kept), except the one named `original`.
fn request_without(config: &WebhookConfig, original: &str) -> Vec<EndpointRequest> {
    config
        .endpoints
        .iter()
        .filter(|e| e.name != original)
        .map(|e| EndpointRequest {
            name: e.name.clone(),
            url: e.url.clone(),
            secret: None,
            events: e.events.clone(),
        })
        .collect()
}

/// Saves the endpoints: the API's checks, the store write, the reload.
async fn apply(
    service: &Service,
    stored: &WebhookConfig,
    endpoints: Vec<EndpointRequest>,
) -> Result<Result<(), Vec<leadscore_engine::Problem>>, leadscore_engine::EngineError> {
    let config = match stored.apply(WebhookRequest { endpoints }, Timestamp::now()) {
        Ok(c) => c,
        Err(problems) => return Ok(Err(problems)),
    };
    save_config(&service.store, &config).await?;
    service.reload().await?;
    Ok(Ok(()))
}

/// `POST /console/admin/webhooks` (admin, CSRF): adds an endpoint
/// (`original` empty) or changes the one named `original` (`name`, `url`,
/// `secret` (empty: kept), `events`).
pub async fn save_endpoint(
    State(service): State<Service>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let (session, form) = match posted(&service, &headers, &body, Role::Admin).await {
        Ok(posted) => posted,
        Err(answer) => return answer,
    };
    let stored = match load_config(&service.store).await {
        Ok(c) => c,
        Err(e) => return failed(&e.into(), Some(&session)),
    };
    let mut draft = Draft {
        original: form.get("original").unwrap_or_default().to_owned(),
        name: form.get("name").unwrap_or_default().trim().to_owned(),
        url: form.get("url").unwrap_or_default().trim().to_owned(),
        events: form
            .0
            .iter()
            .filter(|(n, _)| n == "events")
            .map(|(_, v)| v.clone())
            .collect(),
        errors: FieldErrors::new(),
    };
    let secret = form.get("secret").unwrap_or_default();
    let old = stored.endpoint(&draft.original);
    if !draft.original.is_empty() && old.is_none() {
        let top = notice(
            Kind::Error,
            &format!(
                "No endpoint is named {}: nothing was saved.",
                draft.original
            ),
        );
        return render(&service, &session, StatusCode::NOT_FOUND, &top, None).await;
    }
    for (field, value) in [
        ("name", &draft.name),
        ("url", &draft.url),
        ("secret", &secret.to_owned()),
    ] {
        if value.contains('\0') {
            draft.errors.insert(
                field.into(),
                "a text cannot hold a NUL character (\\u0000)".into(),
            );
        }
    }
    if draft.events.iter().any(|e| e.contains('\0')) {
        draft.errors.insert(
            "events".into(),
            "a text cannot hold a NUL character (\\u0000)".into(),
        );
    }
    if draft.errors.is_empty() {
        // A renamed endpoint keeps its secret unless a new one is given.
        let secret = match (secret.is_empty(), old) {
            (false, _) => Some(secret.to_owned()),
            (true, Some(old)) if old.name != draft.name => Some(old.secret.clone()),
            (true, _) => None,
        };
        let mut endpoints = request_without(&stored, &draft.original);
        let at = endpoints.len();
        endpoints.push(EndpointRequest {
            name: draft.name.clone(),
            url: draft.url.clone(),
            secret,
            events: draft.events.clone(),
        });
        match apply(&service, &stored, endpoints).await {
            Ok(Ok(())) => {
                tracing::info!(endpoint = %draft.name, by = %session.user.email, "webhook endpoint saved in the console");
                return see_other(&format!("{PATH}?done=saved"));
            }
            Ok(Err(problems)) => {
                let prefix = format!("endpoints[{at}].");
                for p in problems {
                    let field = p
                        .field
                        .strip_prefix(&prefix)
                        .map_or("", |f| if f.starts_with("events") { "events" } else { f });
                    let text = if field.is_empty() {
                        format!("{}: {}", p.field, p.message)
                    } else {
                        p.message
                    };
                    draft.errors.entry(field.to_owned()).or_insert(text);
                }
            }
            Err(e) => return failed(&e, Some(&session)),
        }
    }
    let whole = draft
        .errors
        .remove("")
        .map(|e| format!(" {e}"))
        .unwrap_or_default();
    let top = notice(
        Kind::Error,
        &format!("Nothing was saved: correct the fields marked below.{whole}"),
    );
    // The edited endpoint's form is re-shown under its stored name; a new
    // one's under the add form.
    render(
        &service,
        &session,
        StatusCode::BAD_REQUEST,
        &top,
        Some(&draft),
    )
    .await
}

/// `POST /console/admin/webhooks/delete` (admin, CSRF): removes the endpoint
/// `name`.
pub async fn delete_endpoint(
    State(service): State<Service>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let (session, form) = match posted(&service, &headers, &body, Role::Admin).await {
        Ok(posted) => posted,
        Err(answer) => return answer,
    };
    let stored = match load_config(&service.store).await {
        Ok(c) => c,
        Err(e) => return failed(&e.into(), Some(&session)),
    };
    let name = form.get("name").unwrap_or_default();
    if stored.endpoint(name).is_none() {
        let top = notice(
            Kind::Error,
            &format!("No endpoint is named {name}: nothing was deleted."),
        );
        return render(&service, &session, StatusCode::NOT_FOUND, &top, None).await;
    }
    match apply(&service, &stored, request_without(&stored, name)).await {
        Ok(Ok(())) => {
            tracing::info!(endpoint = %name, by = %session.user.email, "webhook endpoint deleted in the console");
            see_other(&format!("{PATH}?done=deleted"))
        }
        Ok(Err(problems)) => {
            let text = leadscore_engine::Problem::summary(&problems);
            render(
                &service,
                &session,
                StatusCode::BAD_REQUEST,
                &notice(Kind::Error, &text),
                None,
            )
            .await
        }
        Err(e) => failed(&e, Some(&session)),
    }
}

/// How many recent deliveries the deliveries page reads.
const RECENT: u32 = 1000;

/// `GET /console/admin/deliveries?state=&endpoint=&sort=&page=&per_page=`
/// (admin): the most recent deliveries, filtered, sorted and paginated.
pub async fn deliveries_page(
    State(service): State<Service>,
    headers: HeaderMap,
    params: Params,
) -> Response {
    let path = "/console/admin/deliveries";
    let session = match admin_session(&service, &headers, path).await {
        Ok(s) => s,
        Err(answer) => return answer,
    };
    let query = ListQuery::new(params.0);
    let all = match list_deliveries(&service.store, RECENT).await {
        Ok(d) => d,
        Err(e) => return failed(&e.into(), Some(&session)),
    };
    let state = query.get("state").unwrap_or("all");
    let wanted = match state {
        "all" => None,
        "pending" => Some(DeliveryState::Pending),
        "delivered" => Some(DeliveryState::Delivered),
        "failed" => Some(DeliveryState::Failed),
        _ => {
            return page(
                StatusCode::BAD_REQUEST,
                layout(
                    "Webhook deliveries",
                    Some(&session),
                    &notice(
                        Kind::Error,
                        "The state is all, pending, delivered or failed.",
                    ),
                ),
            );
        }
    };
    let endpoint = query.get("endpoint").map(str::trim).unwrap_or_default();
    let mut rows: Vec<_> = all
        .iter()
        .filter(|d| wanted.is_none_or(|w| d.state == w))
        .filter(|d| endpoint.is_empty() || d.endpoint == endpoint)
        .collect();
    match sort_key(&query) {
        None | Some(("created", true)) => {}
        Some(("created", false)) => rows.reverse(),
        Some(("attempts", true)) => rows.sort_by_key(|d| std::cmp::Reverse(d.attempts)),
        Some(("attempts", false)) => rows.sort_by_key(|d| d.attempts),
        Some(_) => {
            return page(
                StatusCode::BAD_REQUEST,
                layout(
                    "Webhook deliveries",
                    Some(&session),
                    &notice(
                        Kind::Error,
                        "This list's order does not read: use the column headers.",
                    ),
                ),
            );
        }
    }
    let total = rows.len() as u64;
    let shown: Vec<_> = rows
        .into_iter()
        .skip(usize::try_from(query.offset()).unwrap_or(usize::MAX))
        .take(query.per_page() as usize)
        .collect();
    let body_rows: String = shown
        .iter()
        .map(|d| {
            let state = match d.state {
                DeliveryState::Pending => "pending",
                DeliveryState::Delivered => "delivered",
                DeliveryState::Failed => "failed",
            };
            format!(
                "<tr class=\"{state}\"><td><code>{id}</code></td><td>{kind}</td><td>{endpoint}</td>\
                 <td>{state}</td><td class=\"num\">{attempts}</td><td>{created}</td><td>{next}</td>\
                 <td>{done}</td><td>{error}</td></tr>",
                id = escape(&d.event_id),
                kind = d.event_type.as_str(),
                endpoint = escape(&d.endpoint),
                attempts = d.attempts,
                created = when_opt(d.created_at),
                next = when_opt(d.next_attempt_at),
                done = when_opt(d.delivered_at.or(d.failed_at)),
                error = escape(d.last_error.as_deref().unwrap_or("")),
            )
        })
        .collect();
    let option = |value: &str| {
        format!(
            "<option value=\"{value}\"{}>{value}</option>",
            if value == state { " selected" } else { "" }
        )
    };
    let table = if shown.is_empty() {
        "<p>No delivery matches.</p>".to_owned()
    } else {
        format!(
            "<div class=\"table-wrap\"><table><thead><tr><th scope=\"col\">Event</th>\
             <th scope=\"col\">Type</th><th scope=\"col\">Endpoint</th><th scope=\"col\">State</th>{attempts}{created}\
             <th scope=\"col\">Next attempt</th><th scope=\"col\">Delivered or given up</th>\
             <th scope=\"col\">Last error</th></tr></thead><tbody>{body_rows}</tbody></table></div>",
            attempts = sort_header(path, &query, "Attempts", "attempts", true).replacen(
                "<th ",
                "<th class=\"num\" ",
                1
            ),
            created = sort_header(path, &query, "Event time", "created", true),
        )
    };
    let body = format!(
        "<p><a href=\"/console/admin\">← Administration</a> · <a href=\"{PATH}\">Endpoints</a></p>\
         <p>The {recent} most recent deliveries, newest first: {total} match.</p>\
         <form class=\"filters\" method=\"get\" action=\"{path}\" role=\"search\">{keep}\
         <div><label for=\"state\">State</label><select id=\"state\" name=\"state\">{all}{pending}{delivered}{failed}</select></div>\
         <div><label for=\"endpoint\">Endpoint</label><input id=\"endpoint\" name=\"endpoint\" value=\"{endpoint}\" size=\"12\"></div>\
         <button type=\"submit\">Filter</button></form>{table}{pager}",
        recent = thousands(u64::from(RECENT)),
        total = thousands(total),
        keep = query.hidden_inputs(&["state", "endpoint"]),
        all = option("all"),
        pending = option("pending"),
        delivered = option("delivered"),
        failed = option("failed"),
        endpoint = escape(endpoint),
        pager = pager(path, &query, shown.len(), total),
    );
    page(
        StatusCode::OK,
        layout("Webhook deliveries", Some(&session), &body),
    )
}
