//! The HTTP routes (docs/API.md), grouped by the role they need. Every route
//! is registered through [`utoipa_axum::routes!`] from its handler's
//! `#[utoipa::path]`, so the router that serves and the OpenAPI document are
//! built from the same list: a route cannot be served without being
//! documented.

pub(crate) mod export;
pub(crate) mod health;
pub(crate) mod imports;
pub(crate) mod ingest;
pub(crate) mod keys;
pub(crate) mod models;
pub(crate) mod reports;
pub(crate) mod retraining;
pub(crate) mod routing;
pub(crate) mod rule_models;
pub(crate) mod scores;
pub(crate) mod webhooks;

use axum::extract::{Request, State};
use axum::middleware::{self, Next};
use axum::{Extension, Router};
use leadscore_engine::{Role, Service};
use utoipa::OpenApi;
use utoipa::openapi::OpenApi as Document;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::require;
use crate::openapi::ApiDoc;

/// Routes anyone may call: health, readiness, metrics, the document.
fn public() -> OpenApiRouter<Service> {
    OpenApiRouter::new()
        .routes(routes!(health::healthz))
        .routes(routes!(health::readyz))
        .routes(routes!(health::metrics))
        .routes(routes!(health::openapi))
}

/// Routes a read key may call.
fn read() -> OpenApiRouter<Service> {
    OpenApiRouter::new()
        .routes(routes!(scores::lead_scores))
        .routes(routes!(scores::lead_history))
        .routes(routes!(rule_models::list))
        .routes(routes!(rule_models::get_model))
        .routes(routes!(rule_models::text))
        .routes(routes!(export::scores_page))
        .routes(routes!(export::scores_csv))
        .routes(routes!(export::scores_xlsx))
        .routes(routes!(models::list))
        .routes(routes!(retraining::shadow_scores))
        .routes(routes!(retraining::status))
        .routes(routes!(reports::drift))
        .routes(routes!(reports::review_page))
        .routes(routes!(reports::review_json))
        .routes(routes!(routing::get_routing))
        .routes(routes!(routing::queue))
}

/// Routes an ingest key may call.
fn ingest() -> OpenApiRouter<Service> {
    OpenApiRouter::new()
        .routes(routes!(ingest::put_account))
        .routes(routes!(ingest::put_contact, ingest::delete_contact))
        .routes(routes!(ingest::put_lead))
        .routes(routes!(ingest::post_interactions))
        .routes(routes!(imports::post_import))
        .routes(routes!(scores::score))
}

/// Routes only an admin key may call.
fn admin() -> OpenApiRouter<Service> {
    OpenApiRouter::new()
        .routes(routes!(rule_models::put_model, rule_models::delete_model))
        .routes(routes!(models::register))
        .routes(routes!(models::publish))
        .routes(routes!(models::rollback))
        .routes(routes!(retraining::start))
        .routes(routes!(routing::put_routing))
        .routes(routes!(webhooks::get_webhooks, webhooks::put_webhooks))
        .routes(routes!(webhooks::deliveries))
        .routes(routes!(keys::list, keys::create))
        .routes(routes!(keys::revoke))
        .routes(routes!(keys::rotate))
}

/// `group` behind the layer that needs at least `role`.
fn guarded(service: &Service, role: Role, group: OpenApiRouter<Service>) -> OpenApiRouter<Service> {
    group.route_layer(middleware::from_fn_with_state(
        service.clone(),
        move |state: State<Service>, request: Request, next: Next| {
            require(role, state, request, next)
        },
    ))
}

/// Every route with its role layer, and the OpenAPI document of exactly
/// those routes.
pub fn routes(service: &Service) -> (Router<Service>, Document) {
    let served = health::ServedDocument::default();
    let (router, mut document) = OpenApiRouter::with_openapi(ApiDoc::openapi())
        .merge(public().layer(Extension(served.clone())))
        .merge(guarded(service, Role::Read, read()))
        .merge(guarded(service, Role::Ingest, ingest()))
        .merge(guarded(service, Role::Admin, admin()))
        .split_for_parts();
    document_errors(&mut document);
    if let Err(error) = served.set(&document) {
        // Not expected: the document is plain data. `/openapi.json` answers 503.
        tracing::error!(%error, "cannot serialize the OpenAPI document");
    }
    (router, document)
}

/// Adds to every operation of `document` the error answers the router and
/// the extractors give it, each with the error body (a handler documents
/// only those of its own): 401, 403 and 429 where a key is needed; 400 where a
/// path parameter, a query string or a body is read; 404 where the path
/// names something; 413, 415 and 422 where a body is read; 414, 500 and
/// 503 everywhere.
pub fn document_errors(document: &mut Document) {
    use utoipa::openapi::path::ParameterIn;
    use utoipa::openapi::{Content, Ref, ResponseBuilder};
    let error = |why: &str| {
        ResponseBuilder::new()
            .description(why)
            .content(
                "application/json",
                Content::new(Some(Ref::from_schema_name("ErrorBody"))),
            )
            .build()
    };
    for (path, item) in &mut document.paths.paths {
        let queue = path.starts_with("/v1/queues/");
        let operations = [
            &mut item.get,
            &mut item.put,
            &mut item.post,
            &mut item.delete,
            &mut item.patch,
        ];
        for operation in operations.into_iter().flatten() {
            for param in operation.parameters.iter_mut().flatten() {
                if param.parameter_in == ParameterIn::Path {
                    constrain_path_parameter(param, queue);
                }
            }
            let params = operation.parameters.iter().flatten();
            let (path, query) = params.fold((false, false), |(p, q), param| {
                (
                    p || param.parameter_in == ParameterIn::Path,
                    q || param.parameter_in == ParameterIn::Query,
                )
            });
            let body = operation.request_body.is_some();
            let guarded = operation.security.as_ref().is_some_and(|s| !s.is_empty());
            let answers = [
                (guarded, "401", "No valid API key"),
                (guarded, "403", "The key's role does not allow this"),
                (
                    guarded,
                    "429",
                    "The key made more requests than its rate limit allows (see Retry-After)",
                ),
                (
                    path || query || body,
                    "400",
                    "A parameter or the body does not read",
                ),
                (path, "404", "Nothing has this id or name"),
                (
                    body,
                    "413",
                    "The body or the batch is larger than the limits",
                ),
                (
                    body,
                    "415",
                    "The body is not sent as JSON (or YAML, for a rule model)",
                ),
                (body, "422", "The body does not fit the route's schema"),
                (true, "414", "The URI is longer than 8 KiB"),
                (
                    true,
                    "500",
                    "The service failed (the cause is logged, never sent)",
                ),
                (
                    true,
                    "503",
                    "The store cannot answer now, or the request took too long",
                ),
            ];
            for (applies, status, why) in answers {
                if applies {
                    operation
                        .responses
                        .responses
                        .entry(status.to_owned())
                        .or_insert_with(|| error(why).into());
                }
            }
        }
    }
}

/// A path parameter's schema says what the router takes: a queue name is
/// 1 to 64 of `A-Z a-z 0-9 _ -`; any other text parameter (an id, a name)
/// 1 to 256 bytes without control characters (`params::Path` refuses them).
fn constrain_path_parameter(param: &mut utoipa::openapi::path::Parameter, queue: bool) {
    use utoipa::openapi::RefOr;
    use utoipa::openapi::schema::{Schema, SchemaType, Type};
    let Some(RefOr::T(Schema::Object(object))) = param.schema.as_mut() else {
        return;
    };
    if object.schema_type != SchemaType::Type(Type::String) || object.pattern.is_some() {
        return;
    }
    object.min_length = Some(1);
    if queue {
        object.max_length = Some(64);
        object.pattern = Some("^[A-Za-z0-9_-]+$".to_owned());
    } else {
        object.max_length = Some(leadscore_domain::MAX_ID_LEN);
        object.pattern = Some(leadscore_domain::ID_PATTERN.to_owned());
    }
}

/// The role each documented operation needs (`None`: public), for tests and
/// the document: `(method, path, role)`.
pub fn roles() -> Vec<(String, String, Option<Role>)> {
    let mut out = Vec::new();
    for (role, group) in [
        (None, public()),
        (Some(Role::Read), read()),
        (Some(Role::Ingest), ingest()),
        (Some(Role::Admin), admin()),
    ] {
        let (_, doc) = group.split_for_parts();
        for (path, item) in &doc.paths.paths {
            for method in methods(item) {
                out.push((method.to_owned(), path.clone(), role));
            }
        }
    }
    out
}

/// The methods a path item documents.
pub fn methods(item: &utoipa::openapi::PathItem) -> Vec<&'static str> {
    [
        ("GET", item.get.is_some()),
        ("PUT", item.put.is_some()),
        ("POST", item.post.is_some()),
        ("DELETE", item.delete.is_some()),
        ("PATCH", item.patch.is_some()),
    ]
    .into_iter()
    .filter(|(_, has)| *has)
    .map(|(m, _)| m)
    .collect()
}
