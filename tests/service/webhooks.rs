//! The sales-ready hand-off: a `lead.sales_ready` event delivered exactly once
//! to a real local receiver, signed; grade changes emit `lead.grade_changed`.

use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::HeaderMap;
use leadscore_engine::webhooks::sign::verify;
use leadscore_store::testing::TestDb;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::support::{ENGAGEMENT, clicks, seed, spawn};

#[derive(Clone, Default)]
struct Received(Arc<Mutex<Vec<(HeaderMap, Bytes)>>>);

async fn receive(State(r): State<Received>, headers: HeaderMap, body: Bytes) -> StatusCode {
    let mut all = r.0.lock().unwrap();
    let sales_ready = headers["x-leadscore-event"] == "lead.sales_ready";
    let first = sales_ready
        && !all
            .iter()
            .any(|(h, _)| h["x-leadscore-event"] == "lead.sales_ready");
    all.push((headers, body));
    // The first sales-ready delivery fails: the outbox must retry it.
    if first {
        StatusCode::INTERNAL_SERVER_ERROR
    } else {
        StatusCode::OK
    }
}

async fn receiver() -> (String, Received) {
    let received = Received::default();
    let app = axum::Router::new()
        .route("/hook", axum::routing::post(receive))
        .with_state(received.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (format!("http://{addr}/hook"), received)
}

fn events(r: &Received, kind: &str) -> Vec<(HeaderMap, Value)> {
    r.0.lock()
        .unwrap()
        .iter()
        .filter(|(h, _)| h["x-leadscore-event"] == kind)
        .map(|(h, b)| (h.clone(), serde_json::from_slice(b).unwrap()))
        .collect()
}

async fn sales_ready_exactly_once(db: TestDb) {
    let app = spawn(db).await;
    let (url, received) = receiver().await;
    let secret = "a-long-enough-shared-secret";
    let config =
        json!({"endpoints": [{"name": "crm", "url": url, "secret": secret, "events": []}]});
    let (status, body) = app
        .call(Method::PUT, "/v1/webhooks", Some(&app.admin), Some(&config))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    app.put_model("Engagement", ENGAGEMENT).await;
    seed(&app).await;
    app.scores_when("L1", |s| s["models"][0]["score"] == 0)
        .await;

    // 10, 20, 30 (the threshold), then 50: one transition.
    for (first, n) in [(0, 1), (1, 1), (2, 1), (3, 2)] {
        let (status, _) = app
            .call(
                Method::POST,
                "/v1/interactions",
                Some(&app.ingest),
                Some(&clicks(first, n)),
            )
            .await;
        assert_eq!(status, StatusCode::OK);
        let want = 10 * (first + n) as i64;
        app.scores_when("L1", |s| s["models"][0]["score"] == want)
            .await;
    }
    let delivered = app
        .eventually("the sales-ready delivery", || async {
            let got = events(&received, "lead.sales_ready");
            // the failed first attempt and its successful retry
            (got.len() >= 2).then_some(got)
        })
        .await;
    // A refresh of every lead later changes nothing.
    app.call(
        Method::PUT,
        "/v1/accounts/A1",
        Some(&app.ingest),
        Some(&json!({"employees": 100})),
    )
    .await;
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    let delivered_later = events(&received, "lead.sales_ready");
    let bodies: Vec<&Value> = delivered_later.iter().map(|(_, b)| b).collect();
    eprintln!("sales-ready requests: {bodies:?}");
    assert_eq!(
        delivered_later.len(),
        2,
        "one failed attempt and one delivery, never a second event"
    );
    let (headers, body) = &delivered[1];
    assert_eq!(
        delivered[0].0["x-leadscore-delivery"], headers["x-leadscore-delivery"],
        "the retry is the same delivery"
    );
    let raw = serde_json::to_vec(body).unwrap();
    let stamp: i64 = headers["x-leadscore-timestamp"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    let signature = headers["x-leadscore-signature"].to_str().unwrap();
    let exact = received
        .0
        .lock()
        .unwrap()
        .iter()
        .filter(|(h, _)| h["x-leadscore-event"] == "lead.sales_ready")
        .nth(1)
        .unwrap()
        .1
        .clone();
    assert!(
        verify(secret, stamp, &exact, signature),
        "signed with the endpoint's secret"
    );
    assert!(!verify("another-secret-of-length", stamp, &raw, signature));
    assert_eq!(body["type"], "lead.sales_ready");
    assert_eq!(body["lead_id"], "L1");
    assert_eq!(body["model"], "Engagement");
    assert_eq!(body["score"], 30);
    assert_eq!(body["threshold"], 30);

    let scores = app.scores_when("L1", |s| s["sales_ready"] == true).await;
    assert_eq!(scores["stage"], "sales_acceptance");
    // Grades moved Cold -> Warm -> Hot on the primary (the rule model): two events.
    let grades = app
        .eventually("grade changes", || async {
            let got = events(&received, "lead.grade_changed");
            (got.len() >= 2).then_some(got)
        })
        .await;
    let moves: Vec<(Value, Value)> = grades
        .iter()
        .map(|(_, b)| (b["old_grade"].clone(), b["new_grade"].clone()))
        .collect();
    assert!(moves.contains(&(json!("Cold"), json!("Warm"))), "{moves:?}");
    assert!(moves.contains(&(json!("Warm"), json!("Hot"))), "{moves:?}");
    let (status, deliveries) = app
        .call(
            Method::GET,
            "/v1/webhooks/deliveries",
            Some(&app.admin),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        deliveries
            .as_array()
            .unwrap()
            .iter()
            .all(|d| d["delivered_at"].is_string()),
        "{deliveries}"
    );
    app.stop().await;
}
leadscore_store::on_both_backends!(sales_ready_exactly_once);

/// Secrets are write-only: never shown back; an endpoint sent without one
/// keeps its own; a new one rotates with an overlap in which deliveries
/// carry both signatures.
async fn secrets_are_write_only_and_rotate(db: TestDb) {
    let app = spawn(db).await;
    let (url, received) = receiver().await;
    let (old, new) = ("the-first-secret-0000", "the-second-secret-111");
    let put = |body: Value| {
        let app = &app;
        async move {
            app.call(Method::PUT, "/v1/webhooks", Some(&app.admin), Some(&body))
                .await
        }
    };
    let (status, answer) =
        put(json!({"endpoints": [{"name": "crm", "url": url, "secret": old}]})).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert!(!answer.to_string().contains(old), "{answer}");
    let (_, shown) = app
        .call(Method::GET, "/v1/webhooks", Some(&app.admin), None)
        .await;
    assert!(!shown.to_string().contains("secret-"), "{shown}");
    assert_eq!(shown["endpoints"][0]["name"], "crm");
    // Without a secret: the stored one is kept; a new endpoint needs one.
    let (status, _) = put(json!({"endpoints": [{"name": "crm", "url": url, "events": []}]})).await;
    assert_eq!(status, StatusCode::OK);
    let (status, refused) = put(json!({"endpoints": [
        {"name": "crm", "url": url},
        {"name": "erp", "url": url}
    ]}))
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{refused}");
    assert_eq!(
        refused["error"]["problems"][0]["field"],
        "endpoints[1].secret"
    );
    // Rotation: both signatures for a while.
    let (status, rotated) =
        put(json!({"endpoints": [{"name": "crm", "url": url, "secret": new}]})).await;
    assert_eq!(status, StatusCode::OK, "{rotated}");
    assert!(
        rotated["endpoints"][0]["previous_secret_until"].is_string(),
        "{rotated}"
    );
    app.put_model("Engagement", ENGAGEMENT).await;
    seed(&app).await;
    // Scored once (Cold) before the clicks, so that they change its grade.
    app.scores_when("L1", |s| s["models"][0]["score"] == 0)
        .await;
    app.call(
        Method::POST,
        "/v1/interactions",
        Some(&app.ingest),
        Some(&clicks(0, 2)),
    )
    .await;
    let (headers, body) = app
        .eventually("a grade change delivered", || async {
            received
                .0
                .lock()
                .unwrap()
                .iter()
                .find(|(h, _)| h["x-leadscore-event"] == "lead.grade_changed")
                .cloned()
        })
        .await;
    let stamp: i64 = headers["x-leadscore-timestamp"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    let signature = headers["x-leadscore-signature"].to_str().unwrap();
    assert_eq!(signature.split(", ").count(), 2, "{signature}");
    assert!(verify(new, stamp, &body, signature));
    assert!(verify(old, stamp, &body, signature));
    assert!(!verify("a-third-secret-22222", stamp, &body, signature));
    app.stop().await;
}
leadscore_store::on_both_backends!(secrets_are_write_only_and_rotate);
