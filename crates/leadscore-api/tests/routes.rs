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
        keys.push((role, create_key(&db.store, role, None).await.unwrap().key));
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
