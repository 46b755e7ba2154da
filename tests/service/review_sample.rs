//! The review of a store holding more leads than `drift.max_leads`: computed
//! on a fixed sample of them with the records their scores read, never the
//! whole store, on SQLite and PostgreSQL.

use leadscore_domain::{Dataset, Lead, Timestamp};
use leadscore_engine::{Service, review};
use leadscore_rules::{Evaluator, Graph, Plan, RuleModel, backtest_where};
use leadscore_scoring::FeatureIndex;
use leadscore_store::Store;
use leadscore_store::testing::TestDb;
use reqwest::{Method, StatusCode};

use crate::reports::load_sample;
use crate::support::{publish_conversion_model, spawn_with, test_settings};

/// The sample's leads read from their neighbourhood give the same closed
/// rows, scoring rows and rule backtests as the same leads read from the
/// whole store: the sampled review differs from the whole one only in which
/// leads it counts, never in what it computes for a lead.
async fn a_sample_reads_what_the_whole_store_gives(db: TestDb) {
    let app = spawn_with(db, test_settings()).await;
    load_sample(&app).await;
    let records = app.store.records();
    let sample = records.sample_leads(700).await.unwrap();
    assert_eq!(sample.stored, 5000);
    assert_eq!(sample.ids.len(), 700);
    assert!(!sample.is_everything());
    // The same leads on every call, and sorted.
    assert_eq!(records.sample_leads(700).await.unwrap(), sample);
    assert!(sample.ids.windows(2).all(|w| w[0] < w[1]));
    // A smaller sample is part of a larger one.
    let smaller = records.sample_leads(300).await.unwrap();
    assert!(smaller.ids.iter().all(|id| sample.ids.contains(id)));
    let all = records.sample_leads(5000).await.unwrap();
    assert!(all.is_everything() && all.ids.len() == 5000);

    let whole = app.store.export().await.unwrap();
    // Without properties, as the review reads them when no rule reads one (the
    // shipped rule models read none).
    let mut near = records.neighbourhood(&sample.ids, false).await.unwrap();
    assert!(
        near.leads.len() < whole.leads.len() / 2,
        "{}",
        near.leads.len()
    );
    near.leads.sort_by(|a, b| a.lead_id.cmp(&b.lead_id));
    let keep = |lead: &Lead| sample.ids.binary_search(&lead.lead_id).is_ok();

    let at = Timestamp::parse("2026-10-01T00:00:00Z").unwrap();
    let earliest = Timestamp::from_micros(0).unwrap();
    let closed = |data: &Dataset| FeatureIndex::new(data).closed_rows_where(earliest, at, &keep);
    let (from_whole, from_near) = (closed(&whole), closed(&near));
    assert!(from_whole.len() > 300, "{} closed", from_whole.len());
    assert_eq!(from_whole, from_near);

    let scoring = |data: &Dataset| {
        let rows: Vec<(usize, Timestamp)> = data
            .leads
            .iter()
            .enumerate()
            .filter(|(_, lead)| keep(lead))
            .map(|(i, _)| (i, at))
            .collect();
        FeatureIndex::new(data).table(&rows)
    };
    assert_eq!(scoring(&whole), scoring(&near));

    let plans: Vec<Plan> = std::fs::read_dir(crate::reports::root().join("models/rules"))
        .unwrap()
        .map(|entry| {
            let text = std::fs::read_to_string(entry.unwrap().path()).unwrap();
            Plan::compile(&RuleModel::from_yaml(&text).unwrap()).unwrap()
        })
        .collect();
    assert!(
        !Plan::projection(&plans).keeps_any_property(),
        "a shipped rule model reads a property: read the neighbourhood with them"
    );
    let backtest = |data: &Dataset| {
        let graph = Graph::from_dataset(data, Plan::projection(&plans)).unwrap();
        backtest_where(&Evaluator::new(&graph, &plans), None, &keep)
    };
    let (whole_backtest, near_backtest) = (backtest(&whole), backtest(&near));
    assert!(whole_backtest.closed_leads > 300);
    assert_eq!(whole_backtest, near_backtest);
    app.stop().await;
}

leadscore_store::on_both_backends!(a_sample_reads_what_the_whole_store_gives);

/// A store larger than `drift.max_leads` is reviewed on that many of its
/// leads, and the review says so; the figures stay close to the whole
/// store's.
async fn a_large_store_is_reviewed_on_a_sample(db: TestDb) {
    let mut settings = test_settings();
    settings.scoring.at = Some("2026-10-01T00:00:00Z".into());
    settings.drift.every_secs = 0;
    settings.drift.max_leads = 1500;
    let app = spawn_with(db, settings.clone()).await;
    load_sample(&app).await;
    publish_conversion_model(&app).await;
    let (status, review) = app
        .call(Method::GET, "/reports/review.json", Some(&app.read), None)
        .await;
    assert_eq!(status, StatusCode::OK, "{review}");
    assert_eq!(review["data"]["leads"], 1500);
    let source = review["data"]["source"].as_str().unwrap();
    assert!(
        source.contains("a sample of 1500 of the store's 5000 leads"),
        "{source}"
    );
    let closed = review["data"]["closed"].as_u64().unwrap();
    assert!((700..1500).contains(&closed), "{closed} closed leads");
    let backtests = review["backtests"].as_array().unwrap();
    assert_eq!(backtests.len(), 4, "the conversion model and 3 rule models");
    for row in &backtests[1..] {
        let scored = row["scored"].as_u64().unwrap();
        assert!(scored <= closed, "{row}");
    }
    let sampled_auc = review["model"]["auc"].as_f64().unwrap();

    // The same store reviewed whole: the sample's figures are near its own.
    settings.drift.max_leads = 5000;
    let whole = Service::new(app.store.clone(), settings).await.unwrap();
    let full = review::review(&whole, 90).await.unwrap().unwrap();
    assert_eq!(full.data.leads, 5000);
    assert_eq!(full.data.source, "the store (5000 leads)");
    let full_auc = full.model.auc.unwrap();
    assert!(
        (sampled_auc - full_auc).abs() < 0.05,
        "sample AUC {sampled_auc}, whole store's {full_auc}"
    );
    app.stop().await;
}

leadscore_store::on_both_backends!(a_large_store_is_reviewed_on_a_sample);
