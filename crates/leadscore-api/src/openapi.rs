//! The OpenAPI 3 document's frame (`GET /openapi.json`): its title and the
//! bearer key scheme. The paths, with their parameters, bodies and answers,
//! come from the routes themselves ([`crate::routes::routes`]).

use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

/// The API's document, before the routes add their paths.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "leadscore",
        description = "Lead scoring: rule models and a trained conversion model over one data model (docs/API.md)."
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
