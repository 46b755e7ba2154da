//! The OpenAPI 3 document's frame (`GET /openapi.json`): its title and the
//! bearer key scheme. The paths, with their parameters, bodies and answers,
//! come from the routes themselves ([`crate::routes::routes`]).

use utoipa::openapi::RefOr;
use utoipa::openapi::schema::{AdditionalProperties, ArrayBuilder, ObjectBuilder, Schema, Type};
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

/// The schema of `GET /openapi.json`'s answer: an OpenAPI 3.1 document.
pub struct OpenApiDocument;

impl utoipa::PartialSchema for OpenApiDocument {
    fn schema() -> RefOr<Schema> {
        let text = || ObjectBuilder::new().schema_type(Type::String);
        let map = |description: &str| {
            ObjectBuilder::new()
                .schema_type(Type::Object)
                .description(Some(description.to_owned()))
                .additional_properties(Some(AdditionalProperties::FreeForm(true)))
        };
        ObjectBuilder::new()
            .schema_type(Type::Object)
            .description(Some(
                "An OpenAPI 3.1 document (https://spec.openapis.org/oas/v3.1.0)",
            ))
            .property("openapi", text().description(Some("The OpenAPI version")))
            .property(
                "info",
                ObjectBuilder::new()
                    .schema_type(Type::Object)
                    .property("title", text())
                    .property("version", text())
                    .property("description", text())
                    .required("title")
                    .required("version")
                    .additional_properties(Some(AdditionalProperties::FreeForm(true))),
            )
            .property("paths", map("Each path with its operations"))
            .property("components", map("Schemas and security schemes"))
            .property(
                "tags",
                ArrayBuilder::new().items(map("A tag: its name and description")),
            )
            .required("openapi")
            .required("info")
            .required("paths")
            .additional_properties(Some(AdditionalProperties::FreeForm(true)))
            .into()
    }
}

impl utoipa::ToSchema for OpenApiDocument {}
