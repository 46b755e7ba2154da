//! Same results everywhere: the service's stored scores of a generated folder
//! (ingested through the store, rescored by the worker) equal what the batch
//! paths compute from the folder itself (the rules engine over the whole
//! folder, and `read_lead_rows` with the conversion model, as `leadscore rules
//! score` and `leadscore score` do), on SQLite and on PostgreSQL, at one fixed
//! scoring time.

use std::collections::BTreeMap;
use std::path::Path;

use leadscore_domain::{LeadId, Timestamp};
use leadscore_engine::model_registry;
use leadscore_files::{LeadRowOptions, LeadSelection, ReadOptions, read_folder, read_lead_rows};
use leadscore_generate::{GeneratorConfig, generate};
use leadscore_model::Scorer;
use leadscore_rules::{Evaluator, Graph, Plan, RuleModel, Scores};
use reqwest::Method;

use leadscore_store::Store;
use leadscore_store::testing::TestDb;

use crate::support::{spawn_with, test_settings};

const AT: &str = "2026-09-15T12:00:00Z";

/// `(lead, model) -> (score, grade, sales_ready)`; model `conversion` for the
/// conversion model's 0-100 score.
type Table = BTreeMap<(String, String), (Option<i64>, Option<String>, bool)>;

fn models_dir() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/models"))
}

fn rule_models() -> Vec<RuleModel> {
    let mut models: Vec<RuleModel> = std::fs::read_dir(models_dir().join("rules"))
        .unwrap()
        .map(|e| {
            RuleModel::from_yaml(&std::fs::read_to_string(e.unwrap().path()).unwrap()).unwrap()
        })
        .collect();
    // One that reads an interaction property: the service then reads the
    // interactions with their properties (the shipped models read none).
    models.push(
        RuleModel::from_yaml(
            r#"
name: Pricing clicks
target: contact
rules:
  - name: Clicked pricing
    when:
      - { entity: EmailClicked, frequency: each, where: [ { field: url, op: contains, value: pricing } ] }
    points: 5
"#,
        )
        .unwrap(),
    );
    models.sort_by(|a, b| a.name.cmp(&b.name));
    models
}

/// What the batch paths give for every lead of the folder.
fn batch(dir: &Path, at: Timestamp) -> Table {
    let data = read_folder(dir, &ReadOptions::default())
        .unwrap()
        .resolve(&Default::default())
        .unwrap()
        .dataset;
    let plans: Vec<Plan> = rule_models()
        .iter()
        .map(|m| Plan::compile(m).unwrap())
        .collect();
    let graph = Graph::from_dataset(&data, Plan::projection(&plans)).unwrap();
    let evaluator = Evaluator::new(&graph, &plans);
    let mut scores = Scores::default();
    let mut out = Table::new();
    for lead in 0..graph.lead_count() {
        evaluator.evaluate(lead, at, &mut scores);
        for m in 0..plans.len() {
            let e = evaluator.explain(&scores, m).unwrap();
            out.insert(
                (e.lead_id.clone(), e.model.clone()),
                (e.score, e.grade.clone(), e.sales_ready),
            );
        }
    }
    let model = leadscore_model::load(&models_dir().join("conversion/model.json")).unwrap();
    let options = LeadRowOptions {
        select: LeadSelection::All,
        at: Some(at),
        kinds: model
            .encoder
            .input_columns()
            .iter()
            .filter_map(|(c, _)| c.strip_suffix(".7d").map(str::to_owned))
            .collect(),
        ..LeadRowOptions::default()
    };
    let rows = read_lead_rows(dir, &options).unwrap();
    let encoded = model.encoder.transform(&rows.features).unwrap();
    let scorer = Scorer::new(&model);
    let mut work = Vec::new();
    for (id, row) in rows.lead_ids.iter().zip(&encoded) {
        let s = scorer.score(row, &mut work);
        out.insert(
            (id.clone(), "conversion".into()),
            (Some(i64::from(s.score)), Some(s.grade.to_string()), false),
        );
    }
    out
}

async fn stored(app: &crate::support::App) -> Table {
    let leads: Vec<LeadId> = app
        .store
        .export()
        .await
        .unwrap()
        .leads
        .into_iter()
        .map(|l| l.lead_id)
        .collect();
    let mut out = Table::new();
    for rows in app
        .store
        .scores()
        .rule_scores(&leads)
        .await
        .unwrap()
        .values()
    {
        for row in rows {
            out.insert(
                (row.lead_id.as_str().to_owned(), row.model.clone()),
                (row.score, row.grade.clone(), row.sales_ready),
            );
        }
    }
    for (id, state) in app.store.scores().states(&leads).await.unwrap() {
        if let Some(c) = state.conversion {
            let c: serde_json::Value = serde_json::from_str(&c).unwrap();
            out.insert(
                (id.as_str().to_owned(), "conversion".into()),
                (
                    c["score"].as_i64(),
                    c["grade"].as_str().map(str::to_owned),
                    false,
                ),
            );
        }
    }
    out
}

async fn parity(db: TestDb) {
    let dir = tempfile::tempdir().unwrap();
    let config = GeneratorConfig::new(
        400,
        5,
        Timestamp::parse(leadscore_generate::DEFAULT_AS_OF).unwrap(),
    )
    .unwrap();
    generate(&config, dir.path(), &|_| {}).unwrap();
    let at = Timestamp::parse(AT).unwrap();
    let mut settings = test_settings();
    settings.scoring.at = Some(AT.into());
    settings.rescoring.batch = 97; // several rounds, of uneven sizes
    let app = spawn_with(db, settings).await;

    for model in rule_models() {
        model_registry::put_rule_model(&app.store, &model)
            .await
            .unwrap();
    }
    let artifact = std::fs::read_to_string(models_dir().join("conversion/model.json")).unwrap();
    let (status, body) = app
        .raw(
            Method::POST,
            "/v1/models",
            &app.admin.clone(),
            "application/json",
            artifact,
        )
        .await;
    assert!(status.is_success(), "{body}");
    app.call(Method::POST, "/v1/models/1/publish", Some(&app.admin), None)
        .await;
    let data = read_folder(dir.path(), &ReadOptions::default())
        .unwrap()
        .resolve(&Default::default())
        .unwrap()
        .dataset;
    let leads = data.leads.len();
    app.store
        .records()
        .ingest(&data, "test import")
        .await
        .unwrap();

    let expected = batch(dir.path(), at);
    let got = app
        .eventually("every lead scored", || async {
            let queued = app.store.queue().depth().await.unwrap().leads;
            let got = stored(&app).await;
            // Leads created after AT have rule scores but no conversion row in
            // the batch path; every batch entry must be there.
            (queued == 0 && expected.keys().all(|k| got.contains_key(k))).then_some(got)
        })
        .await;
    let differences: Vec<_> = expected
        .iter()
        .filter(|(k, v)| got.get(*k) != Some(*v))
        .map(|(k, v)| format!("{k:?}: batch {v:?}, service {:?}", got.get(k)))
        .take(10)
        .collect();
    assert!(
        differences.is_empty(),
        "{} leads; differences:\n{}",
        leads,
        differences.join("\n")
    );
    assert!(
        expected.len() >= leads * 5 - 50,
        "every lead under 4 rule models and the conversion model: {}",
        expected.len()
    );
    app.stop().await;
}

leadscore_store::on_both_backends!(parity);
