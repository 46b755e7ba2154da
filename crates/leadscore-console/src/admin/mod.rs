//! Administration (admins only): API keys ([`keys`]: list, create with the
//! secret shown once, revoke, rotate) and webhooks ([`webhooks`]:
//! endpoints with write-only secrets, and recent deliveries). Every change
//! goes through the engine's functions the API's routes call, with the
//! same checks.

pub mod keys;
pub mod webhooks;

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use leadscore_domain::Timestamp;
use leadscore_engine::keys::{KeyStatus, list_keys};
use leadscore_engine::users::Session;
use leadscore_engine::webhooks::{load_config, pending};
use leadscore_engine::{Role, Service};

use crate::html::{layout, page};
use crate::{allowed, failed, signed_in};

pub use keys::{create_key, keys_page, revoke_key, rotate_key};
pub use webhooks::{delete_endpoint, deliveries_page, save_endpoint, webhooks_page};

/// A signed-in admin for a GET of `path`, else the answer to give.
pub(crate) async fn admin_session(
    service: &Service,
    headers: &HeaderMap,
    path: &str,
) -> Result<Session, Response> {
    let session = signed_in(service, headers, path).await?;
    allowed(&session, Role::Admin)?;
    Ok(session)
}

/// `GET /console/admin` (admin): what there is to administer, at a glance.
pub async fn admin_page(State(service): State<Service>, headers: HeaderMap) -> Response {
    let session = match admin_session(&service, &headers, "/console/admin").await {
        Ok(s) => s,
        Err(answer) => return answer,
    };
    let keys = match list_keys(&service.store).await {
        Ok(k) => k,
        Err(e) => return failed(&e, Some(&session)),
    };
    let endpoints = match load_config(&service.store).await {
        Ok(c) => c.endpoints.len(),
        Err(e) => return failed(&e.into(), Some(&session)),
    };
    let counts = match pending(&service.store).await {
        Ok(c) => c,
        Err(e) => return failed(&e.into(), Some(&session)),
    };
    let active = keys
        .iter()
        .filter(|k| k.status == KeyStatus::Active)
        .count();
    let soon = Timestamp::now().plus(std::time::Duration::from_secs(14 * 86_400));
    let expiring = keys
        .iter()
        .filter(|k| k.status == KeyStatus::Active && k.expires_at.is_some_and(|at| at <= soon))
        .count();
    let body = format!(
        "<div class=\"figures\">\
         <section class=\"card\" aria-labelledby=\"k\"><h2 id=\"k\"><a href=\"/console/admin/keys\">API keys</a></h2>\
         <p class=\"figure\">{active}</p><p>active ({expiring} expiring within 14 days; {all} in all)</p></section>\
         <section class=\"card\" aria-labelledby=\"w\"><h2 id=\"w\"><a href=\"/console/admin/webhooks\">Webhook endpoints</a></h2>\
         <p class=\"figure\">{endpoints}</p><p>configured</p></section>\
         <section class=\"card\" aria-labelledby=\"d\"><h2 id=\"d\"><a href=\"/console/admin/deliveries\">Webhook deliveries</a></h2>\
         <p class=\"figure\">{failed}</p><p>failed ({pending} pending, {delivered} delivered)</p>\
         <p><a href=\"/console/admin/deliveries?state=failed\">See the failures</a></p></section>\
         </div><p><a href=\"/console/users\">Console users</a> are managed on their own page.</p>",
        all = keys.len(),
        failed = counts.failed,
        pending = counts.pending,
        delivered = counts.delivered,
    );
    page(
        StatusCode::OK,
        layout("Administration", Some(&session), &body),
    )
}
