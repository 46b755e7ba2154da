//! The routing pages: the ordered routing rules, each with its own form
//! (conditions and target queue; move up or down; delete), a form to add
//! one and the default queue; and each seller queue's leads ([`queue`]).
//!
//! Every change reads the stored rules, changes one thing, and saves the
//! whole document through the same path as `PUT /v1/routing`: the same
//! [`RoutingConfig::validate`], the same store write (which queues every
//! lead to be routed again) and the same reload. A page carries the
//! revision of the rules it shows; a change made on an out-of-date page is
//! refused (409) rather than applied to rules its author did not see.

pub mod draft;
pub mod queue;
mod view;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use leadscore_engine::routing_rules::RoutingConfig;
use leadscore_engine::users::Session;
use leadscore_engine::{Role, Service, model_registry};
use leadscore_store::{LeadFilter, OPEN_STAGES, PageWindow};

pub use draft::{FieldErrors, RuleDraft, field_problem, revision};

use crate::html::{layout, page, see_other};
use crate::{Form, Params, failed, param, posted, signed_in};
use view::{View, body};

/// The notices of the changes a redirect names (`?done=`): fixed texts, so
/// nothing of the query is shown back.
fn done_notice(done: Option<&str>) -> Option<&'static str> {
    Some(match done? {
        "saved" => "The rule is saved; every lead is being routed again.",
        "added" => "The rule is added at the end; every lead is being routed again.",
        "moved" => "The rule is moved; every lead is being routed again.",
        "deleted" => "The rule is deleted; every lead is being routed again.",
        "default" => "The default queue is saved; every lead is being routed again.",
        _ => return None,
    })
}

/// `GET /console/routing`: the rules, the queues they fill, and (for
/// admins) the forms that change them.
pub async fn routing_page(
    State(service): State<Service>,
    headers: HeaderMap,
    params: Params,
) -> Response {
    let session = match signed_in(&service, &headers, "/console/routing").await {
        Ok(s) => s,
        Err(answer) => return answer,
    };
    let view = View {
        notice: done_notice(param(&params, "done")).map(str::to_owned),
        ..View::default()
    };
    render(&service, &session, StatusCode::OK, view).await
}

async fn render(service: &Service, session: &Session, status: StatusCode, view: View) -> Response {
    let config = match model_registry::routing(&service.store).await {
        Ok(c) => c,
        Err(e) => return failed(&e, Some(session)),
    };
    let queues = match queue_counts(service, &config).await {
        Ok(q) => q,
        Err(e) => return failed(&e.into(), Some(session)),
    };
    let body = body(session, &config, &queues, &view);
    page(status, layout("Routing and queues", Some(session), &body))
}

/// Every queue the rules name, in order, with how many open leads it holds.
async fn queue_counts(
    service: &Service,
    config: &RoutingConfig,
) -> Result<Vec<(String, u64)>, leadscore_store::StoreError> {
    let mut names: Vec<&str> = config.rules.iter().map(|r| r.queue.as_str()).collect();
    names.extend(config.default_queue.as_deref());
    let mut seen = std::collections::HashSet::new();
    names.retain(|n| seen.insert(*n));
    let mut out = Vec::with_capacity(names.len());
    for name in names {
        let filter = LeadFilter {
            stages: OPEN_STAGES.to_vec(),
            queue: Some(name.to_owned()),
            ..LeadFilter::default()
        };
        let listing = service
            .store
            .lead_list()
            .page(
                &filter,
                PageWindow {
                    limit: 1,
                    offset: 0,
                },
            )
            .await?;
        out.push((name.to_owned(), listing.total));
    }
    Ok(out)
}

/// The answer to a change naming a rule that is not there.
async fn bad_index(service: &Service, session: &Session) -> Response {
    let view = View {
        error: Some("That rule no longer exists: nothing was saved.".into()),
        ..View::default()
    };
    render(service, session, StatusCode::BAD_REQUEST, view).await
}

/// Which change a POST asks for.
enum Change {
    Save(Option<usize>),
    Up(usize),
    Down(usize),
    Delete(usize),
    Default,
}

/// Reads the index field (`new` for the add form when `new` is allowed).
fn index_of(form: &Form, rules: usize) -> Option<usize> {
    form.get("index")
        .and_then(|i| i.parse::<usize>().ok())
        .filter(|i| *i < rules)
}

async fn change(service: Service, headers: HeaderMap, body: Bytes, kind: &str) -> Response {
    let (session, form) = match posted(&service, &headers, &body, Role::Admin).await {
        Ok(posted) => posted,
        Err(answer) => return answer,
    };
    let stored = match model_registry::routing(&service.store).await {
        Ok(c) => c,
        Err(e) => return failed(&e, Some(&session)),
    };
    if form.get("revision") != Some(revision(&stored).as_str()) {
        let view = View {
            error: Some(
                "The routing rules changed since this page was loaded (another admin, or \
                 another tab): nothing was saved. Here they are now; make the change again."
                    .into(),
            ),
            ..View::default()
        };
        return render(&service, &session, StatusCode::CONFLICT, view).await;
    }
    let n = stored.rules.len();
    let what = match kind {
        "rules" if form.get("index") == Some("new") => Change::Save(None),
        "rules" => match index_of(&form, n) {
            Some(i) => Change::Save(Some(i)),
            None => return bad_index(&service, &session).await,
        },
        "up" => match index_of(&form, n).filter(|i| *i > 0) {
            Some(i) => Change::Up(i),
            None => return bad_index(&service, &session).await,
        },
        "down" => match index_of(&form, n).filter(|i| i + 1 < n) {
            Some(i) => Change::Down(i),
            None => return bad_index(&service, &session).await,
        },
        "delete" => match index_of(&form, n) {
            Some(i) => Change::Delete(i),
            None => return bad_index(&service, &session).await,
        },
        _ => Change::Default,
    };
    let mut config = stored.clone();
    let done = match &what {
        Change::Save(at) => {
            let draft = RuleDraft::from_form(&form);
            let rule = match draft.to_rule() {
                Ok(rule) => rule,
                Err(errors) => {
                    let view = View {
                        draft: Some((*at, draft, errors)),
                        error: Some(
                            "Nothing was saved: correct the rule's fields marked below.".into(),
                        ),
                        ..View::default()
                    };
                    return render(&service, &session, StatusCode::BAD_REQUEST, view).await;
                }
            };
            match at {
                Some(i) => {
                    if let Some(slot) = config.rules.get_mut(*i) {
                        *slot = rule;
                    }
                    "saved"
                }
                None => {
                    config.rules.push(rule);
                    "added"
                }
            }
        }
        Change::Up(i) => {
            config.rules.swap(*i, i - 1);
            "moved"
        }
        Change::Down(i) => {
            config.rules.swap(*i, i + 1);
            "moved"
        }
        Change::Delete(i) => {
            config.rules.remove(*i);
            "deleted"
        }
        Change::Default => {
            let text = form.get("default_queue").unwrap_or_default().trim();
            if text.contains('\0') {
                let view = View {
                    default_queue: Some((
                        text.replace('\0', ""),
                        "a text cannot hold a NUL character (\\u0000)".into(),
                    )),
                    error: Some("Nothing was saved: correct the default queue.".into()),
                    ..View::default()
                };
                return render(&service, &session, StatusCode::BAD_REQUEST, view).await;
            }
            config.default_queue = (!text.is_empty()).then(|| text.to_owned());
            "default"
        }
    };
    // The API's validation, on the whole document.
    let problems = config.validate();
    if !problems.is_empty() {
        let mut errors = FieldErrors::new();
        let mut other = Vec::new();
        let own = match &what {
            Change::Save(Some(i)) => Some(*i),
            Change::Save(None) => Some(config.rules.len().saturating_sub(1)),
            _ => None,
        };
        for p in &problems {
            let located = own.and_then(|i| p.field.strip_prefix(&format!("rules[{i}].")));
            match located {
                Some(field) => {
                    errors
                        .entry(field.to_owned())
                        .or_insert_with(|| p.message.clone());
                }
                None => other.push(format!("{}: {}", p.field, p.message)),
            }
        }
        let view = match &what {
            Change::Save(at) => View {
                draft: Some((*at, RuleDraft::from_form(&form), errors)),
                error: Some(format!(
                    "Nothing was saved: correct the fields marked below.{}",
                    if other.is_empty() {
                        String::new()
                    } else {
                        format!(" Also: {}", other.join("; "))
                    }
                )),
                ..View::default()
            },
            Change::Default => View {
                default_queue: Some((
                    form.get("default_queue")
                        .unwrap_or_default()
                        .trim()
                        .to_owned(),
                    problems
                        .first()
                        .map(|p| p.message.clone())
                        .unwrap_or_default(),
                )),
                error: Some("Nothing was saved: correct the default queue.".into()),
                ..View::default()
            },
            _ => View {
                error: Some(format!("Nothing was saved: {}", other.join("; "))),
                ..View::default()
            },
        };
        return render(&service, &session, StatusCode::BAD_REQUEST, view).await;
    }
    if let Err(e) = model_registry::put_routing(&service.store, &config).await {
        return failed(&e, Some(&session));
    }
    if let Err(e) = service.changed().await {
        return failed(&e, Some(&session));
    }
    tracing::info!(by = %session.user.email, change = done, "routing changed in the console");
    see_other(&format!("/console/routing?done={done}"))
}

/// `POST /console/routing/rules` (admin, CSRF): saves rule `index` (or adds
/// one, `index=new`) from its fields.
pub async fn save_rule(
    State(service): State<Service>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    change(service, headers, body, "rules").await
}

/// `POST /console/routing/up` (admin, CSRF): moves rule `index` up.
pub async fn move_up(State(service): State<Service>, headers: HeaderMap, body: Bytes) -> Response {
    change(service, headers, body, "up").await
}

/// `POST /console/routing/down` (admin, CSRF): moves rule `index` down.
pub async fn move_down(
    State(service): State<Service>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    change(service, headers, body, "down").await
}

/// `POST /console/routing/delete` (admin, CSRF): deletes rule `index`.
pub async fn delete_rule(
    State(service): State<Service>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    change(service, headers, body, "delete").await
}

/// `POST /console/routing/default` (admin, CSRF): sets the default queue
/// (empty: none).
pub async fn save_default(
    State(service): State<Service>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    change(service, headers, body, "default").await
}
