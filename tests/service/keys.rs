//! API keys that expire and rotate, the per-key rate limit, and the metrics
//! an operator alerts on (the store's pool, key expiry).

use leadscore_store::testing::TestDb;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::support::{App, spawn, spawn_with, test_settings};

fn key_info<'a>(keys: &'a Value, key_id: &str) -> &'a Value {
    keys.as_array()
        .unwrap()
        .iter()
        .find(|k| k["key_id"] == key_id)
        .unwrap_or_else(|| panic!("{key_id} is not listed: {keys}"))
}

async fn make_key(app: &App, body: Value) -> Value {
    let (status, made) = app
        .call(Method::POST, "/v1/keys", Some(&app.admin), Some(&body))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{made}");
    made
}

async fn rotate(app: &App, key_id: &str, body: Value) -> (StatusCode, Value) {
    app.call(
        Method::POST,
        &format!("/v1/keys/{key_id}/rotate"),
        Some(&app.admin),
        Some(&body),
    )
    .await
}

async fn expiring_and_rotating_keys(db: TestDb) {
    let app = spawn(db).await;
    let made = make_key(
        &app,
        json!({"role": "read", "label": "bi", "expires_in_days": 30}),
    )
    .await;
    let (old_id, old_key) = (
        made["key_id"].as_str().unwrap().to_owned(),
        made["key"].as_str().unwrap().to_owned(),
    );
    let expires = chrono::DateTime::parse_from_rfc3339(made["expires_at"].as_str().unwrap())
        .unwrap()
        .with_timezone(&chrono::Utc);
    let days = (expires - chrono::Utc::now()).num_hours() as f64 / 24.0;
    assert!((29.9..=30.0).contains(&days), "{made}");

    // Out of range lifetimes are refused, naming the field.
    for days in [0, 3651] {
        let (status, body) = app
            .call(
                Method::POST,
                "/v1/keys",
                Some(&app.admin),
                Some(&json!({"role": "read", "expires_in_days": days})),
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert_eq!(body["error"]["field"], "expires_in_days");
    }

    // A rotation with the default overlap: both keys work, the new one has
    // the old one's role and label, and the old one expires in 24 hours.
    let (status, rotated) = rotate(&app, &old_id, json!({})).await;
    assert_eq!(status, StatusCode::CREATED, "{rotated}");
    assert_eq!(rotated["replaces"], old_id.as_str());
    assert_eq!(rotated["role"], "read");
    let new_id = rotated["key_id"].as_str().unwrap().to_owned();
    let new_key = rotated["key"].as_str().unwrap().to_owned();
    for key in [&old_key, &new_key] {
        let (status, body) = app.call(Method::GET, "/v1/models", Some(key), None).await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }
    let (_, keys) = app
        .call(Method::GET, "/v1/keys", Some(&app.admin), None)
        .await;
    let old = key_info(&keys, &old_id);
    assert_eq!(old["status"], "active");
    let until = chrono::DateTime::parse_from_rfc3339(old["expires_at"].as_str().unwrap())
        .unwrap()
        .with_timezone(&chrono::Utc);
    let hours = (until - chrono::Utc::now()).num_minutes() as f64 / 60.0;
    assert!((23.9..=24.0).contains(&hours), "{old}");
    let new = key_info(&keys, &new_id);
    assert_eq!(new["replaces"], old_id.as_str());
    assert_eq!(new["label"], "bi");
    assert!(new["expires_at"].is_null(), "{new}");
    assert!(!keys.to_string().contains(&new_key));

    // The metric an alert reads: when each expiring key expires.
    let (_, _, metrics) = app.bytes("/metrics", "").await;
    let text = String::from_utf8(metrics).unwrap();
    let line = format!("leadscore_api_key_expiry_timestamp_seconds{{key_id=\"{old_id}\"}}");
    assert!(text.contains(&line), "{text}");
    assert!(
        text.contains("leadscore_db_pool_max_connections "),
        "{text}"
    );
    assert!(
        text.contains("leadscore_db_pool_connections{state=\"in_use\"}"),
        "{text}"
    );
    assert!(
        text.contains("leadscore_http_requests_in_flight 1"),
        "{text}"
    );

    // Rotating with no overlap: the old key stops at once, and says why.
    let (status, again) = rotate(
        &app,
        &new_id,
        json!({"overlap_hours": 0, "expires_in_days": 90}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{again}");
    let (status, body) = app
        .call(Method::GET, "/v1/models", Some(&new_key), None)
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
    let message = body["error"]["message"].as_str().unwrap();
    assert!(
        message.contains(&new_id) && message.contains("expired"),
        "{message}"
    );
    let (_, keys) = app
        .call(Method::GET, "/v1/keys", Some(&app.admin), None)
        .await;
    assert_eq!(key_info(&keys, &new_id)["status"], "expired");
    assert!(key_info(&keys, again["key_id"].as_str().unwrap())["expires_at"].is_string());

    // An expired, revoked or unknown key cannot be rotated; a long overlap
    // is refused.
    let (status, _) = rotate(&app, &new_id, json!({})).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = rotate(&app, "lsk_00000000", json!({})).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, body) = rotate(&app, &old_id, json!({"overlap_hours": 721})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["error"]["field"], "overlap_hours");
    let (status, body) = rotate(&app, &old_id, json!({"overlap": 1})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    // Only an admin rotates.
    let (status, _) = app
        .call(
            Method::POST,
            &format!("/v1/keys/{old_id}/rotate"),
            Some(&app.read),
            Some(&json!({})),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    app.stop().await;
}
leadscore_store::on_both_backends!(expiring_and_rotating_keys);

async fn rate_limit_per_key(db: TestDb) {
    let mut settings = test_settings();
    settings.limits.requests_per_second_per_key = 1;
    settings.limits.burst_per_key = 3;
    let app = spawn_with(db, settings).await;
    let get = |key: &str| {
        app.http
            .get(format!("{}/v1/rule-models", app.base))
            .bearer_auth(key)
            .send()
    };
    for _ in 0..3 {
        assert_eq!(get(&app.read).await.unwrap().status(), StatusCode::OK);
    }
    let refused = get(&app.read).await.unwrap();
    assert_eq!(refused.status(), StatusCode::TOO_MANY_REQUESTS);
    let retry: u64 = refused.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert_eq!(retry, 1);
    let body: Value = refused.json().await.unwrap();
    assert_eq!(body["error"]["code"], "rate_limited");
    // Other keys have their own buckets; a bad key is refused as before.
    assert_eq!(get(&app.ingest).await.unwrap().status(), StatusCode::OK);
    assert_eq!(
        get("lsk_00000000_nope").await.unwrap().status(),
        StatusCode::UNAUTHORIZED
    );
    // A refused request writes nothing.
    let (status, _) = app
        .call(
            Method::PUT,
            "/v1/leads/L1",
            Some(&app.ingest),
            Some(&json!({"created_at": "2026-01-01"})),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    for _ in 0..3 {
        app.call(Method::GET, "/v1/rule-models", Some(&app.ingest), None)
            .await;
    }
    let (status, _) = app
        .call(
            Method::PUT,
            "/v1/leads/L2",
            Some(&app.ingest),
            Some(&json!({"created_at": "2026-01-01"})),
        )
        .await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    use leadscore_store::Store;
    assert_eq!(app.store.counts().await.unwrap().leads, 1);
    // The bucket refills at the sustained rate.
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    assert_eq!(get(&app.read).await.unwrap().status(), StatusCode::OK);
    let (_, _, metrics) = app.bytes("/metrics", "").await;
    let text = String::from_utf8(metrics).unwrap();
    assert!(
        text.contains("leadscore_rate_limited_total{key_id=\"lsk_"),
        "{text}"
    );
    app.stop().await;
}
leadscore_store::on_both_backends!(rate_limit_per_key);
