//! `leadscore retrain` end to end, on SQLite and PostgreSQL: the auto-publish
//! policy (no live model, a better model, a worse one, a stale live model), a
//! failed run that leaves the live model alone, the challenger scored in
//! shadow, and restoring an old version.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::path::Path;

use common::{Backend, leadscore, load};
use leadscore_domain::{Dataset, LeadStatus, RunStatus, Timestamp};
use leadscore_engine::model_registry::{self, VersionStatus};
use leadscore_engine::retrain::{self, Retraining, Trigger, list_runs};
use leadscore_engine::{EngineError, Service, Settings, rescoring, review, shadow};
use leadscore_store::{DatabaseUrl, SqlStore, Store};
use serde_json::Value;

type TestResult = Result<(), Box<dyn std::error::Error>>;

/// The sample's as-of time: every lead was created and closed by then.
const AT: &str = "2026-10-01T00:00:00Z";

fn sample() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("training-data/sample")
}

/// The sample with every closed lead's outcome replaced by one unrelated to
/// its features (every third lead qualified): a model trained on it ranks no
/// better than chance.
fn scrambled(mut data: Dataset) -> Dataset {
    for (i, lead) in data.leads.iter_mut().enumerate() {
        if lead.status != LeadStatus::Open {
            lead.status = if i.is_multiple_of(3) {
                LeadStatus::Qualified
            } else {
                LeadStatus::Disqualified
            };
            lead.disqualify_reason = None;
        }
    }
    data
}

/// `leadscore retrain --json` as of [`AT`] unless `extra` gives `--at`.
fn retrain(url: &str, extra: &[&str]) -> Result<Value, Box<dyn std::error::Error>> {
    let mut args = vec!["retrain", "--database", url, "--json"];
    if !extra.contains(&"--at") {
        args.extend_from_slice(&["--at", AT]);
    }
    args.extend_from_slice(extra);
    let out = leadscore(&args).success()?;
    Ok(serde_json::from_str(&out)?)
}

async fn open(url: &str) -> SqlStore {
    SqlStore::open(&DatabaseUrl::parse(url).unwrap())
        .await
        .unwrap()
}

async fn live(store: &SqlStore) -> Option<i64> {
    store.registry().live_version().await.unwrap()
}

fn the_policy_on(backend: &Backend) -> TestResult {
    let url = backend.url();
    let rt = tokio::runtime::Runtime::new()?;
    let real = load(&sample())?;
    let store = rt.block_on(open(url));
    rt.block_on(store.records().ingest(&scrambled(real.clone()), "test"))?;

    // No live model: the first retrained one is published.
    let first = retrain(url, &[])?;
    assert_eq!(first["published"], true, "{first}");
    assert_eq!(first["version"], 1);
    assert_eq!(first["decision"]["reason"], "no conversion model was live");
    let weak = first["challenger_auc"].as_f64().unwrap();
    assert!(
        (0.35..0.65).contains(&weak),
        "scrambled outcomes: AUC {weak}"
    );

    // The real outcomes arrive: the new model beats the live one on the same
    // held-out leads, and replaces it.
    rt.block_on(store.records().ingest(&real, "test"))?;
    let better = retrain(url, &[])?;
    assert_eq!(better["published"], true, "{better}");
    assert_eq!(better["version"], 2);
    assert_eq!(better["champion"], 1);
    let (new, old) = (
        better["challenger_auc"].as_f64().unwrap(),
        better["champion_auc"].as_f64().unwrap(),
    );
    assert!(new > 0.7 && new > old + 0.15, "new {new}, live {old}");
    let reason = better["decision"]["reason"].as_str().unwrap();
    assert!(
        reason.contains("at least 95% of the live model v1's"),
        "{reason}"
    );
    assert_eq!(rt.block_on(live(&store)), Some(2));

    // The same data and settings again: the model trained is the live one,
    // so nothing is registered and no lead is queued for rescoring.
    let queued_before = rt.block_on(store.queue().depth())?.leads;
    let again = retrain(url, &[])?;
    assert_eq!(again["published"], false, "{again}");
    assert_eq!(again["version"], 2, "{again}");
    assert_eq!(again["decision"]["decision"], "unchanged", "{again}");
    assert_eq!(rt.block_on(live(&store)), Some(2));
    assert_eq!(
        rt.block_on(model_registry::model_versions(&store))?.len(),
        2
    );
    assert_eq!(rt.block_on(store.queue().depth())?.leads, queued_before);
    let runs = rt.block_on(list_runs(&store))?;
    assert_eq!(runs[0].status, RunStatus::Unchanged);

    // A model (on a shorter window: other rows) that must be 50% better than
    // the live one is not: it is kept, unpublished, with the reason, as the
    // challenger.
    let worse = retrain(url, &["--min-auc-share", "1.5", "--window-days", "600"])?;
    assert_eq!(worse["published"], false, "{worse}");
    assert_eq!(worse["version"], 3);
    let reason = worse["decision"]["reason"].as_str().unwrap();
    assert!(
        reason.contains("below 150% of the live model v2's"),
        "{reason}"
    );
    assert_eq!(rt.block_on(live(&store)), Some(2));
    let versions = rt.block_on(model_registry::model_versions(&store))?;
    let status: Vec<(i64, VersionStatus)> =
        versions.iter().map(|v| (v.version, v.status)).collect();
    assert_eq!(
        status,
        [
            (3, VersionStatus::Challenger),
            (2, VersionStatus::Live),
            (1, VersionStatus::Registered)
        ]
    );

    // The challenger scores in shadow: every lead gets its score, stored
    // beside the live model's and not used.
    rt.block_on(async {
        let mut settings = Settings::default();
        settings.scoring.at = Some(AT.into());
        let state = Service::new(store.clone(), settings).await.unwrap();
        assert_eq!(
            state
                .in_service
                .get()
                .challenger
                .as_ref()
                .map(|c| c.version),
            Some(3)
        );
        while rescoring::rescore_round(&state).await.unwrap().claimed > 0 {}
        let summary = shadow::summary(&store, 3).await.unwrap();
        assert_eq!(summary.leads, real.leads.len() as i64, "{summary:?}");
        assert_eq!(summary.grades.values().sum::<i64>(), summary.leads);
        assert!(
            summary
                .mean_score
                .is_some_and(|m| (0.0..=100.0).contains(&m))
        );
    });

    // A failed run (no closed lead in a one-day window) registers nothing
    // and leaves the live model alone; its record says why.
    let stderr = leadscore(&[
        "retrain",
        "--database",
        url,
        "--at",
        AT,
        "--window-days",
        "1",
    ])
    .failure()?;
    assert!(stderr.contains("retraining run 5 failed"), "{stderr}");
    assert!(
        stderr.contains("closed leads of the last 1 days"),
        "{stderr}"
    );
    assert_eq!(rt.block_on(live(&store)), Some(2));
    let all = rt.block_on(list_runs(&store))?;
    assert_eq!(all[0].status, RunStatus::Failed);
    assert_eq!(all[0].version, None);
    assert!(
        all[0]
            .reason
            .as_deref()
            .unwrap_or("")
            .contains("closed leads")
    );
    assert_eq!(
        rt.block_on(model_registry::model_versions(&store))?.len(),
        3
    );

    // A live model older than allowed is replaced even by a model the share
    // would keep.
    let stale = retrain(
        url,
        &[
            "--min-auc-share",
            "1.5",
            "--max-champion-age-days",
            "30",
            "--at",
            "2026-12-15T00:00:00Z",
        ],
    )?;
    assert_eq!(stale["published"], true, "{stale}");
    assert_eq!(stale["version"], 4);
    assert_eq!(
        stale["decision"]["reason"],
        "the live model v2 is 75 days old, more than the 30 days allowed"
    );
    assert_eq!(rt.block_on(live(&store)), Some(4));

    // Every version stays listed with its metrics, and an old one can be
    // restored.
    let versions = rt.block_on(model_registry::model_versions(&store))?;
    assert_eq!(versions.len(), 4);
    assert!(versions.iter().all(|v| v.metrics["auc"].is_f64()));
    assert!(
        versions
            .iter()
            .all(|v| v.status != VersionStatus::Challenger)
    );
    assert!(rt.block_on(model_registry::publish(&store, 1, "restore"))?);
    assert_eq!(rt.block_on(live(&store)), Some(1));

    // The live model's drift is measured against the distributions of its
    // own training rows, recorded when it was trained.
    let trained_on = first["metrics"]["n_train"].as_u64().unwrap();
    rt.block_on(async {
        let mut settings = Settings::default();
        settings.scoring.at = Some(AT.into());
        let state = Service::new(store.clone(), settings).await.unwrap();
        let review = review::review(&state, 90).await.unwrap().unwrap();
        let drift = review.drift.expect("recent leads");
        let expected = format!("the {trained_on} rows the model was trained on");
        assert!(
            drift.reference.starts_with(&expected),
            "{}",
            drift.reference
        );
        assert!(!drift.features.is_empty() && drift.score_psi.is_some());
    });

    // The service's schedule: one run per scheduled time across instances,
    // even when that run failed.
    let settings = Retraining {
        window_days: 1,
        ..Retraining::default()
    };
    let at = Timestamp::parse(AT)?;
    let slot = Trigger::Schedule("2026-10-05T03:00:00Z".into());
    let first = rt.block_on(retrain::retrain(&store, &settings, slot.clone(), at));
    assert!(
        matches!(first, Err(EngineError::Retraining { run_id: 7, .. })),
        "{first:?}"
    );
    assert!(
        rt.block_on(retrain::retrain(&store, &settings, slot, at))?
            .is_none()
    );

    let all = rt.block_on(list_runs(&store))?;
    let statuses: Vec<(&str, Option<&str>)> = all
        .iter()
        .map(|r| (r.status.as_str(), r.slot.as_deref()))
        .collect();
    assert_eq!(
        statuses,
        [
            ("failed", Some("2026-10-05T03:00:00Z")),
            ("published", None),
            ("failed", None),
            ("kept", None),
            ("unchanged", None),
            ("published", None),
            ("published", None)
        ]
    );
    assert!(all.iter().all(|r| r.finished_at.is_some()));
    Ok(())
}

#[test]
fn retrain_policy_on_sqlite() -> TestResult {
    the_policy_on(&Backend::sqlite()?)
}

#[test]
fn retrain_policy_on_postgres() -> TestResult {
    let Some(backend) = Backend::postgres()? else {
        return Ok(());
    };
    the_policy_on(&backend)
}

#[test]
fn bad_settings_are_refused_before_anything_runs() -> TestResult {
    let backend = Backend::sqlite()?;
    let stderr = leadscore(&[
        "retrain",
        "--database",
        backend.url(),
        "--min-auc-share",
        "0",
    ])
    .failure()?;
    assert!(stderr.contains("min_auc_share"), "{stderr}");
    Ok(())
}

/// A retraining run tells where it is, in order, for the command's progress:
/// copying the store's records (how many of how many), building the rows
/// from the copy, every training stage (each cross-validation fit), then
/// measuring and recording.
#[test]
fn retraining_tells_its_progress() -> TestResult {
    use leadscore_engine::retrain::RetrainStage;
    use leadscore_model::TrainStage;
    use std::sync::{Arc, Mutex};

    let backend = Backend::sqlite()?;
    let rt = tokio::runtime::Runtime::new()?;
    let store = rt.block_on(open(backend.url()));
    rt.block_on(store.records().ingest(&load(&sample())?, "test"))?;
    let heard = Arc::new(Mutex::new(Vec::new()));
    let progress: retrain::RetrainProgress = {
        let heard = Arc::clone(&heard);
        Arc::new(move |stage| heard.lock().unwrap().push(stage))
    };
    let outcome = rt.block_on(retrain::retrain_with_progress(
        &store,
        &Retraining::default(),
        Trigger::Command,
        Timestamp::parse(AT)?,
        progress,
    ))?;
    assert!(outcome.is_some());
    let heard = heard.lock().unwrap().clone();
    // The stages in order, each repeated as it moves on: the copy of the
    // store counts every record, then the rows are built from it.
    let stage = |s: &RetrainStage| match s {
        RetrainStage::Reading(_) => "copying",
        RetrainStage::BuildingRows(..) => "building rows",
        RetrainStage::Training(TrainStage::Encoding) => "encoding",
        RetrainStage::Training(_) => "training",
        RetrainStage::Recording => "recording",
    };
    let mut order: Vec<&str> = heard.iter().map(stage).collect();
    order.dedup();
    assert_eq!(
        order[..4],
        ["copying", "building rows", "encoding", "training"],
        "{heard:?}"
    );
    let copied: Vec<_> = heard
        .iter()
        .filter_map(|s| match s {
            RetrainStage::Reading(read) => Some(*read),
            _ => None,
        })
        .collect();
    let last = copied.last().unwrap();
    assert!(last.total > 5_000 && last.done == last.total, "{copied:?}");
    assert!(
        copied.windows(2).all(|w| w[0].done < w[1].done),
        "{copied:?}"
    );
    let fits = heard
        .iter()
        .filter(|s| {
            matches!(
                s,
                RetrainStage::Training(TrainStage::CrossValidating { .. })
            )
        })
        .count();
    assert_eq!(fits, 26, "folds × penalties, and the start: {heard:?}");
    assert!(matches!(
        heard[heard.len() - 3..],
        [
            RetrainStage::Training(TrainStage::FinalFit { .. }),
            RetrainStage::Training(TrainStage::Measuring),
            RetrainStage::Recording
        ]
    ));
    Ok(())
}

/// A run copies the store and builds its rows from the copy a part at a
/// time, as `leadscore train` builds a folder's. The model it registers is
/// the one trained on the rows the service scores with (`FeatureIndex` over
/// every stored record, the path retraining took when it read the whole
/// store), whether the copy is read in parts of 300 leads or whole; the
/// window leaves out the leads closed before it; and the run's scratch
/// folder is gone once it ends.
#[test]
fn retraining_in_parts_trains_the_model_of_the_services_rows() -> TestResult {
    use leadscore_model::{LabelledRows, SplitKind, TrainParams, TrainingSource, time_holdout};
    use leadscore_scoring::FeatureIndex;

    let backend = Backend::sqlite()?;
    let rt = tokio::runtime::Runtime::new()?;
    let store = rt.block_on(open(backend.url()));
    let data = load(&sample())?;
    rt.block_on(store.records().ingest(&data, "test"))?;
    let at = Timestamp::parse(AT)?;
    let window_days = 300;
    let from =
        Timestamp::from_micros(at.as_micros() - i64::from(window_days) * 86_400_000_000).unwrap();

    let stored = rt.block_on(store.export())?;
    let index = FeatureIndex::new(&stored);
    let rows = index.closed_rows(from, at);
    let closed = stored
        .leads
        .iter()
        .filter(|l| l.status != LeadStatus::Open && l.closed_at.is_some())
        .count();
    assert!(
        rows.len() > 500 && rows.len() < closed,
        "the window keeps {} of {closed} closed leads",
        rows.len()
    );
    let source = TrainingSource::of_folder(&rows.features, Vec::new());
    let times: Vec<i64> = rows.created_at.iter().map(|t| t.as_micros()).collect();
    let settings = Retraining {
        window_days,
        ..Retraining::default()
    };
    let (train_at, test_at) = time_holdout(&times, settings.test_fraction);
    let labelled = LabelledRows {
        features: rows.features,
        labels: rows.outcomes,
        ids: rows.lead_ids,
        times: Some(times),
    };
    let (train_rows, test_rows) = labelled.split(&train_at, &test_at);
    let params = TrainParams {
        split: SplitKind::Time,
        test_fraction: settings.test_fraction,
        min_per_class: settings.min_per_class,
        ..TrainParams::default()
    };
    let expected = params
        .fit_owned(train_rows, Some(test_rows), source, AT, &mut |_| {})?
        .model;

    for leads_per_part in [300, 1_000_000] {
        let scratch = tempfile::tempdir()?;
        let settings = Retraining {
            leads_per_part,
            scratch_dir: Some(scratch.path().to_path_buf()),
            ..settings.clone()
        };
        let outcome = rt
            .block_on(retrain::retrain(&store, &settings, Trigger::Command, at))?
            .unwrap();
        assert_eq!(outcome.leads, train_at.len() + test_at.len());
        assert_eq!(outcome.held_out, test_at.len());
        assert_eq!(
            outcome.challenger_auc, expected.metrics.auc,
            "{leads_per_part} leads a part"
        );
        let mut model = rt
            .block_on(model_registry::model_version(&store, outcome.version))?
            .unwrap();
        model.created_at.clone_from(&expected.created_at);
        assert!(
            model == expected,
            "{leads_per_part} leads a part: the model differs from the service rows'"
        );
        assert_eq!(
            std::fs::read_dir(scratch.path())?.count(),
            0,
            "the run's scratch folder is deleted"
        );
    }
    Ok(())
}
