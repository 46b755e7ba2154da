//! The OpenAPI 3 document (`GET /openapi.json`), generated from the handlers'
//! annotations and the response types.

use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use crate::routes;

/// The API's document.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "leadscore",
        description = "Lead scoring: rule models and a trained conversion model over one data model (API.md)."
    ),
    paths(
        routes::health::healthz, routes::health::readyz, routes::health::metrics, routes::health::openapi,
        routes::ingest::put_account, routes::ingest::put_contact, routes::ingest::put_lead,
        routes::ingest::post_interactions, routes::ingest::delete_contact,
        routes::scores::lead_scores, routes::scores::lead_history, routes::scores::score,
        routes::rule_models::list, routes::rule_models::put_model, routes::rule_models::get_model,
        routes::rule_models::delete_model, routes::rule_models::text,
        routes::export::scores_page, routes::export::scores_csv, routes::export::scores_xlsx,
        routes::models::list, routes::models::register, routes::models::publish, routes::models::rollback,
        routes::retraining::status, routes::retraining::shadow_scores,
        routes::reports::review_page, routes::reports::review_json, routes::reports::drift,
        routes::routing::get_routing, routes::routing::put_routing, routes::routing::queue,
        routes::webhooks::get_webhooks, routes::webhooks::put_webhooks, routes::webhooks::deliveries,
        routes::keys::create, routes::keys::list, routes::keys::revoke,
    ),
    modifiers(&BearerKey)
)]
pub struct ApiDoc;

/// Declares the `Authorization: Bearer <key>` scheme.
struct BearerKey;

impl Modify for BearerKey {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "api_key",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}
