//! The service's feature review (`/reports/review`, `.json`), drift
//! (`/v1/models/drift`, the drift gauges) and retraining status
//! (`/v1/retraining`) on the sample, on SQLite and PostgreSQL.

use std::path::Path;

use leadscore_engine::model_registry;
use leadscore_files::{ReadOptions, read_folder};
use leadscore_rules::RuleModel;
use leadscore_store::testing::TestDb;
use reqwest::{Method, StatusCode};

use crate::support::{App, publish_conversion_model, spawn_with, test_settings};

fn root() -> &'static Path {
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
