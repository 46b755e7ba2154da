//! The service's feature review (`/reports/review`, `.json`), drift
//! (`/v1/models/drift`, the drift gauges) and retraining status
//! (`/v1/retraining`) on the sample, on SQLite and PostgreSQL; the review
//! served from its last computation, stored for every instance.

use std::path::Path;

use leadscore_engine::review::{self, Answer};
use leadscore_engine::{Role, Service, model_registry};
use leadscore_files::{ReadOptions, read_folder};
use leadscore_rules::RuleModel;
use leadscore_store::testing::TestDb;
use reqwest::{Method, StatusCode};
use serde_json::Value;

use crate::console_support::{get, signed_in};
use crate::support::{App, publish_conversion_model, spawn_with, test_settings};

pub fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Stores the shipped rule models and the sample's records (enough closed
/// leads to retrain on, as of 2026-10-01).
pub async fn load_sample(app: &App) {
    for entry in std::fs::read_dir(root().join("models/rules")).unwrap() {
        let text = std::fs::read_to_string(entry.unwrap().path()).unwrap();
        let model = RuleModel::from_yaml(&text).unwrap();
        model_registry::put_rule_model(&app.store, &model)
            .await
            .unwrap();
    }
    let data = read_folder(
        &root().join("training-data/sample"),
        &ReadOptions::default(),
    )
    .unwrap()
    .resolve(&Default::default())
    .unwrap()
    .dataset;
    app.store
        .records()
        .ingest(&data, "test import")
        .await
        .unwrap();
}

async fn review_and_drift(db: TestDb) {
    let mut settings = test_settings();
    settings.scoring.at = Some("2026-10-01T00:00:00Z".into());
    settings.drift.every_secs = 0;
    let app = spawn_with(db, settings).await;
    load_sample(&app).await;

    // No live model yet: a clear conflict, not an empty page.
    let (status, body) = app
        .call(Method::GET, "/reports/review.json", Some(&app.read), None)
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert_eq!(body["error"]["code"], "no_live_model");

    publish_conversion_model(&app).await;

    // The page: self-contained, with every chart.
    let (status, kind, page) = app.bytes("/reports/review", &app.read).await;
    assert_eq!(status, StatusCode::OK);
    assert!(kind.starts_with("text/html"), "{kind}");
    let page = String::from_utf8(page).unwrap();
    for chart in [
        "roc",
        "pr",
        "calibration",
        "grades",
        "lift",
        "features",
        "drift",
        "backtest",
    ] {
        assert!(
            page.contains(&format!("data-chart=\"{chart}\"")),
            "no {chart} chart"
        );
    }
    assert!(!page.contains("<script") && !page.contains("http://") && !page.contains("https://"));

    // The JSON: the store's closed leads, the live version, the rule models'
    // backtests beside it, and drift of the last 90 days' leads.
    let (status, review) = app
        .call(Method::GET, "/reports/review.json", Some(&app.read), None)
        .await;
    assert_eq!(status, StatusCode::OK, "{review}");
    assert_eq!(review["model"]["version"], 1);
    let closed = review["data"]["closed"].as_u64().unwrap();
    assert!(closed > 3000, "{closed} closed leads");
    assert_eq!(review["data"]["leads"], 5000);
    let auc = review["model"]["auc"].as_f64().unwrap();
    assert!(auc > 0.75, "AUC {auc} on the sample's closed leads");
    let backtests = review["backtests"].as_array().unwrap();
    assert_eq!(backtests.len(), 4, "the conversion model and 3 rule models");
    assert_eq!(backtests[0]["kind"], "conversion");
    let drift = &review["drift"];
    assert!(drift["features"].as_array().is_some_and(|f| !f.is_empty()));
    assert!(drift["reference"].as_str().unwrap().contains("90 days"));

    // A shorter window, asked for.
    let (status, short) = app
        .call(
            Method::GET,
            "/reports/review.json?recent_days=7",
            Some(&app.read),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        short["drift"].is_null()
            || short["drift"]["reference"]
                .as_str()
                .unwrap()
                .contains("7 days")
    );
    let (status, _) = app
        .call(
            Method::GET,
            "/reports/review.json?recent_days=0",
            Some(&app.read),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);

    // Drift: the same figures, with the features past each level named.
    let (status, report) = app
        .call(Method::GET, "/v1/models/drift", Some(&app.read), None)
        .await;
    assert_eq!(status, StatusCode::OK, "{report}");
    assert_eq!(report["version"], 1);
    assert_eq!(report["drift"], review["drift"]);
    let alarms = report["alarms"].as_array().unwrap();
    for name in alarms {
        let psi = review["drift"]["features"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["feature"] == *name)
            .unwrap()["psi"]
            .as_f64()
            .unwrap();
        assert!(psi >= 0.25, "{name}: {psi}");
    }
    let (_, _, metrics) = app.bytes("/metrics", &app.read).await;
    let metrics = String::from_utf8(metrics).unwrap();
    assert!(
        metrics.contains("leadscore_model_drift_psi{feature="),
        "no drift gauge"
    );
    assert!(metrics.contains("leadscore_model_score_psi"));

    // Retraining status: nothing scheduled, no run yet.
    let (status, retraining) = app
        .call(Method::GET, "/v1/retraining", Some(&app.read), None)
        .await;
    assert_eq!(status, StatusCode::OK, "{retraining}");
    assert!(retraining["schedule"].is_null() && retraining["next_run"].is_null());
    assert_eq!(retraining["runs"], serde_json::json!([]));
    assert!(retraining["challenger"].is_null());

    // Reports need a key.
    let (status, _) = app
        .call(Method::GET, "/reports/review.json", None, None)
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    app.stop().await;
}

leadscore_store::on_both_backends!(review_and_drift);

/// `GET /reports/review.json` with the read key: status, `Retry-After`, body.
async fn review_json(app: &App, query: &str) -> (StatusCode, Option<String>, Value) {
    let response = app
        .http
        .get(format!("{}/reports/review.json{query}", app.base))
        .bearer_auth(&app.read)
        .send()
        .await
        .unwrap();
    let status = response.status();
    let retry = response
        .headers()
        .get("retry-after")
        .map(|v| v.to_str().unwrap().to_owned());
    (status, retry, response.json().await.unwrap_or(Value::Null))
}

/// The review is served from the last computation, stored for every
/// instance: a request that finds none is told it is being computed (503
/// with `Retry-After`, here at once: `drift.wait_ms` is 0) while it is
/// computed behind it; once stored, it is served as it was computed, new
/// records notwithstanding, by this instance and by another one on the same
/// store; the console says so too, with a page that reloads itself.
async fn review_is_served_from_the_last_computation(db: TestDb) {
    let mut settings = test_settings();
    settings.scoring.at = Some("2026-10-01T00:00:00Z".into());
    settings.drift.every_secs = 0;
    settings.drift.wait_ms = 0;
    let app = spawn_with(db, settings.clone()).await;
    load_sample(&app).await;
    publish_conversion_model(&app).await;

    let (status, retry, body) = review_json(&app, "").await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{body}");
    assert_eq!(body["error"]["code"], "unavailable");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("is being computed"),
        "{body}"
    );
    assert_eq!(retry.as_deref(), Some("10"));
    let first = app
        .eventually("the review computed", || async {
            let (status, _, body) = review_json(&app, "").await;
            (status == StatusCode::OK).then_some(body)
        })
        .await;
    let generated = first["generated_at"].clone();
    let stored = app
        .store
        .review_snapshots()
        .get(1, 90)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.recent_days, 90);

    // New leads change nothing until the next computation.
    let (status, body) = app
        .call(
            Method::PUT,
            "/v1/leads/NEW-1",
            Some(&app.ingest),
            Some(&serde_json::json!({"created_at": "2026-09-30"})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, _, again) = review_json(&app, "").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(again, first);

    // Another instance on the same store serves the same review.
    let other = Service::new(app.store.clone(), settings).await.unwrap();
    let Answer::Ready(served) = review::served(&other, 90).await.unwrap() else {
        panic!("the other instance did not find the stored review");
    };
    assert_eq!(served.computed_at, stored.computed_at);
    assert_eq!(
        serde_json::to_value(&*served.review).unwrap()["generated_at"],
        generated
    );

    // Another window is computed on its own; the console says so meanwhile.
    let (client, _) = signed_in(&app, "analyst@example.com", Role::Read).await;
    let page = get(&app, &client, "/console/drift?recent_days=30").await;
    assert_eq!(page.status, StatusCode::ACCEPTED, "{}", page.body);
    assert!(page.body.contains("is being computed"), "{}", page.body);
    assert!(page.body.contains("http-equiv=\"refresh\""));
    app.eventually("the 30-day drift page", || async {
        let page = get(&app, &client, "/console/drift?recent_days=30").await;
        (page.status == StatusCode::OK).then_some(())
    })
    .await;
    let page = get(&app, &client, "/console/drift").await;
    assert!(page.body.contains("Measured at "), "{}", page.body);
    app.stop().await;
}

leadscore_store::on_both_backends!(review_is_served_from_the_last_computation);

/// With a period, the service reviews a published model on its own (no
/// request needed) and keeps it stored.
async fn the_review_is_computed_periodically(db: TestDb) {
    let mut settings = test_settings();
    settings.scoring.at = Some("2026-10-01T00:00:00Z".into());
    settings.drift.every_secs = 1;
    let app = spawn_with(db, settings).await;
    load_sample(&app).await;
    publish_conversion_model(&app).await;
    let first = app
        .eventually("the review stored without a request", || async {
            app.store.review_snapshots().get(1, 90).await.unwrap()
        })
        .await;
    // Computed again once older than the period.
    app.eventually("the review computed again", || async {
        let next = app.store.review_snapshots().get(1, 90).await.unwrap()?;
        (next.computed_at > first.computed_at).then_some(())
    })
    .await;
    let (_, _, metrics) = app.bytes("/metrics", &app.read).await;
    let metrics = String::from_utf8(metrics).unwrap();
    assert!(metrics.contains("leadscore_model_score_psi"), "{metrics}");
    app.stop().await;
}

leadscore_store::on_both_backends!(the_review_is_computed_periodically);

/// The service's own schedule runs retraining: on an empty store each run
/// fails (no closed lead), is recorded with the scheduled time and the
/// reason, counted, and leaves no model behind.
async fn scheduled_retraining(db: TestDb) {
    let mut settings = test_settings();
    settings.retraining.schedule = Some("* * * * * *".into()); // every second
    let app = spawn_with(db, settings).await;
    let status = app
        .eventually("a scheduled run", || async {
            let (_, status) = app
                .call(Method::GET, "/v1/retraining", Some(&app.read), None)
                .await;
            let done = status["runs"]
                .as_array()
                .is_some_and(|runs| runs.iter().any(|r| r["status"] == "failed"));
            done.then_some(status)
        })
        .await;
    assert_eq!(status["schedule"], "* * * * * *");
    assert!(status["next_run"].is_string());
    let run = status["runs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["status"] == "failed")
        .unwrap();
    assert_eq!(run["trigger"], "schedule");
    assert!(
        run["slot"].as_str().is_some_and(|s| s.ends_with('Z')),
        "{run}"
    );
    assert!(run["version"].is_null());
    assert!(
        run["reason"].as_str().unwrap().contains("closed leads"),
        "{run}"
    );
    let (_, models) = app
        .call(Method::GET, "/v1/models", Some(&app.read), None)
        .await;
    assert_eq!(models, serde_json::json!([]));
    let (_, _, metrics) = app.bytes("/metrics", &app.read).await;
    let metrics = String::from_utf8(metrics).unwrap();
    assert!(
        metrics.contains("leadscore_retraining_runs_total{outcome=\"failed\"}"),
        "{metrics}"
    );
    app.stop().await;
}

leadscore_store::on_both_backends!(scheduled_retraining);
