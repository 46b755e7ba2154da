//! The router and its OpenAPI document are one list: every served route is
//! documented (and every documented one served), and every route's role is
//! enforced by its group's layer: walked with no key, a read key, an ingest
//! key and an admin key, on SQLite.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::BTreeSet;

use leadscore_api::routes;
use leadscore_engine::{Role, Service, Settings, create_key};
use leadscore_store::testing::TestDb;
use reqwest::{Method, StatusCode};

/// The concrete path of a template: each `{param}` replaced by a value.
fn concrete(template: &str) -> String {
    let mut out = String::new();
    let mut rest = template;
    while let Some(start) = rest.find('{') {
        out.push_str(&rest[..start]);
        let end = rest[start..]
            .find('}')
            .map_or(rest.len(), |e| start + e + 1);
        let name = &rest[start + 1..end - 1];
        out.push_str(if name == "version" { "1" } else { "x" });
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}

async fn service(db: &TestDb) -> Service {
    let mut settings = Settings {
        listen: "127.0.0.1:0".parse().unwrap(),
        ..Settings::default()
    };
    settings.drift.every_secs = 0;
    Service::new(db.store.clone(), settings).await.unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_served_route_is_documented() {
    let db = TestDb::sqlite().await.unwrap();
    let service = service(&db).await;
    let (router, document) = routes::routes(&service);
    let documented: BTreeSet<String> = document.paths.paths.keys().cloned().collect();
    // The router names each path it serves in its debug view (beside the
    // two of axum's own fallback, `/` and `/{*__private__axum_fallback}`).
    let debug = format!("{router:?}");
    let served: BTreeSet<String> = debug
        .split('"')
        .filter(|s| s.starts_with('/') && *s != "/" && !s.contains("__private__axum"))
        .map(str::to_owned)
        .collect();
    assert!(!served.is_empty(), "the router's paths: {debug}");
    // The debug view does show a route added past the document.
    let extra = router
        .clone()
        .route("/undocumented", axum::routing::get(|| async {}));
    assert!(format!("{extra:?}").contains("\"/undocumented\""));
    assert_eq!(
        served, documented,
        "served and documented routes differ: register routes with utoipa_axum::routes!"
    );
    for (path, item) in &document.paths.paths {
        for method in routes::methods(item) {
            let operation = format!("{method} {path}");
            let responses = match method {
                "GET" => item.get.as_ref(),
                "PUT" => item.put.as_ref(),
                "POST" => item.post.as_ref(),
                "DELETE" => item.delete.as_ref(),
                _ => item.patch.as_ref(),
            }
            .map(|op| &op.responses.responses);
            assert!(
                responses.is_some_and(|r| !r.is_empty()),
                "{operation} documents no answer"
            );
        }
    }
    db.finish().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_route_needs_its_role() {
    let db = TestDb::sqlite().await.unwrap();
    let mut keys = Vec::new();
    for role in [Role::Read, Role::Ingest, Role::Admin] {
        keys.push((
            role,
            create_key(&db.store, role, None, None).await.unwrap().key,
        ));
    }
    let running = leadscore_api::start(service(&db).await).await.unwrap();
    let base = format!("http://{}", running.addr);
    let http = reqwest::Client::new();
    let table = routes::roles();
    assert!(table.len() > 30, "{table:?}");
    for (method, path, needs) in &table {
        let url = format!("{base}{}", concrete(path));
        let method = Method::from_bytes(method.as_bytes()).unwrap();
        let call = |key: Option<&str>| {
            let mut request = http.request(method.clone(), &url);
            if let Some(k) = key {
                request = request.bearer_auth(k);
            }
            request.send()
        };
        let anonymous = call(None).await.unwrap().status();
        match needs {
            None => assert!(
                anonymous != StatusCode::UNAUTHORIZED && anonymous != StatusCode::FORBIDDEN,
                "{method} {path} is public, answered {anonymous}"
            ),
            Some(_) => {
                assert_eq!(
                    anonymous,
                    StatusCode::UNAUTHORIZED,
                    "{method} {path} without a key"
                );
                let body: serde_json::Value = call(None).await.unwrap().json().await.unwrap();
                assert_eq!(body["error"]["code"], "unauthorized", "{method} {path}");
            }
        }
        for (role, key) in &keys {
            let status = call(Some(key)).await.unwrap().status();
            let allowed = needs.is_none_or(|needs| *role >= needs);
            if allowed {
                assert!(
                    status != StatusCode::UNAUTHORIZED
                        && status != StatusCode::FORBIDDEN
                        && status != StatusCode::METHOD_NOT_ALLOWED,
                    "{method} {path} with a {role} key answered {status}"
                );
            } else {
                assert_eq!(
                    status,
                    StatusCode::FORBIDDEN,
                    "{method} {path} with a {role} key"
                );
            }
        }
    }
    running.shutdown().await.unwrap();
    db.finish().await.unwrap();
}

/// The places in `schema` (resolving `$ref`s into `components`) that are a
/// bare `{"type": "object"}`: no properties, no additional properties, no
/// composition. Each is named by its path from `at`.
fn bare_objects(
    schema: &serde_json::Value,
    components: &serde_json::Value,
    at: &str,
    seen: &mut BTreeSet<String>,
    found: &mut Vec<String>,
) {
    use serde_json::Value;
    let Value::Object(map) = schema else { return };
    if let Some(Value::String(reference)) = map.get("$ref") {
        let name = reference.trim_start_matches("#/components/schemas/");
        if seen.insert(name.to_owned()) {
            bare_objects(&components[name], components, name, seen, found);
        }
        return;
    }
    let typed_object = match map.get("type") {
        Some(Value::String(t)) => t == "object",
        Some(Value::Array(ts)) => ts.iter().any(|t| t == "object"),
        _ => false,
    };
    let described = [
        "properties",
        "additionalProperties",
        "oneOf",
        "anyOf",
        "allOf",
    ]
    .iter()
    .any(|k| map.contains_key(*k));
    if (typed_object && !described) || map.is_empty() {
        found.push(at.to_owned());
    }
    if let Some(Value::Object(properties)) = map.get("properties") {
        for (name, property) in properties {
            bare_objects(property, components, &format!("{at}.{name}"), seen, found);
        }
    }
    for key in ["items", "additionalProperties"] {
        if let Some(inner @ Value::Object(_)) = map.get(key) {
            bare_objects(inner, components, &format!("{at}[]"), seen, found);
        }
    }
    for key in ["oneOf", "anyOf", "allOf"] {
        if let Some(Value::Array(options)) = map.get(key) {
            for (i, option) in options.iter().enumerate() {
                bare_objects(option, components, &format!("{at}|{i}"), seen, found);
            }
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_body_has_a_schema() {
    let db = TestDb::sqlite().await.unwrap();
    let service = service(&db).await;
    let (_, document) = routes::routes(&service);
    let document = serde_json::to_value(&document).unwrap();
    let components = &document["components"]["schemas"];
    let mut found = Vec::new();
    let mut bodies = 0;
    for (path, item) in document["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            let mut contents = Vec::new();
            if let Some(content) = operation["requestBody"]["content"].as_object() {
                contents.extend(content.iter().map(|(t, c)| (format!("request {t}"), c)));
            }
            for (status, answer) in operation["responses"].as_object().into_iter().flatten() {
                if let Some(content) = answer["content"].as_object() {
                    contents.extend(content.iter().map(|(t, c)| (format!("{status} {t}"), c)));
                }
            }
            for (what, content) in contents {
                // Files (CSV, Excel, HTML) are documented by their media type.
                if !what.ends_with("json") {
                    continue;
                }
                bodies += 1;
                let at = format!("{} {path} {what}", method.to_uppercase());
                bare_objects(
                    &content["schema"],
                    components,
                    &at,
                    &mut BTreeSet::new(),
                    &mut found,
                );
            }
        }
    }
    assert!(bodies > 40, "{bodies} JSON bodies documented");
    assert!(
        found.is_empty(),
        "bodies without a schema:\n{}",
        found.join("\n")
    );
    db.finish().await.unwrap();
}

/// Every parameter is documented where the router reads it (a path's
/// `{names}` in the path, the rest in the query string), and every operation
/// documents the error answers it can give.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn parameters_and_error_answers_are_documented() {
    use utoipa::openapi::path::ParameterIn;
    let db = TestDb::sqlite().await.unwrap();
    let service = service(&db).await;
    let (_, document) = routes::routes(&service);
    let roles = routes::roles();
    let mut problems = Vec::new();
    let mut queries = 0;
    for (path, item) in &document.paths.paths {
        let in_path: BTreeSet<&str> = path
            .split('{')
            .skip(1)
            .filter_map(|s| s.split('}').next())
            .collect();
        for method in routes::methods(item) {
            let operation = match method {
                "GET" => item.get.as_ref(),
                "PUT" => item.put.as_ref(),
                "POST" => item.post.as_ref(),
                "DELETE" => item.delete.as_ref(),
                _ => item.patch.as_ref(),
            }
            .unwrap();
            let params = operation.parameters.clone().unwrap_or_default();
            let documented: BTreeSet<&str> = params
                .iter()
                .filter(|p| p.parameter_in == ParameterIn::Path)
                .map(|p| p.name.as_str())
                .collect();
            if documented != in_path {
                problems.push(format!("{method} {path}: path parameters {documented:?}"));
            }
            for p in &params {
                match p.parameter_in {
                    ParameterIn::Path => {}
                    ParameterIn::Query => queries += 1,
                    _ => problems.push(format!(
                        "{method} {path}: {} is in a header or cookie",
                        p.name
                    )),
                }
            }
            let statuses: BTreeSet<&str> = operation
                .responses
                .responses
                .keys()
                .map(String::as_str)
                .collect();
            let needs_key = roles
                .iter()
                .any(|(m, p, role)| m == method && p == path && role.is_some());
            let mut expected = vec!["414", "500"];
            if needs_key {
                expected.extend(["401", "403"]);
            }
            if operation.request_body.is_some() {
                expected.extend(["400", "413", "415", "422"]);
            }
            if !in_path.is_empty() {
                expected.push("400");
            }
            for status in expected {
                if !statuses.contains(status) {
                    problems.push(format!("{method} {path} does not document {status}"));
                }
            }
        }
    }
    assert!(queries >= 10, "query parameters documented: {queries}");
    assert!(problems.is_empty(), "{problems:#?}");
    db.finish().await.unwrap();
}
