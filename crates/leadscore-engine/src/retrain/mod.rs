//! Retraining the conversion model on the store's closed leads, by
//! `leadscore retrain`, on the service's schedule, or on request while the
//! service runs ([`retrain_now`]: `POST /v1/retraining/runs`, the console).
//!
//! A run trains on the leads closed in the window (default the last two
//! years), each as of its close. It copies the store's records, read from one
//! snapshot a chunk at a time, straight into parts of whole neighbourhoods in a
//! scratch folder (`retraining.scratch_dir`) and builds the rows a part at a
//! time, as `leadscore train` builds them from a folder it splits, so that
//! memory does not grow with the store: the rows
//! are those the service scores with ([`leadscore_scoring::FeatureIndex`];
//! the parity tests of `leadscore-scoring` hold one to the other). The scratch
//! folder is deleted when the run ends. The most recently created
//! `test_fraction` of them are held out, and the new model (the challenger)
//! and the live model (the champion) are both measured on those same leads.
//! The [`Policy`] then publishes the challenger or keeps it registered,
//! unpublished, scored in shadow beside the live model, with the reason.
//!
//! The new version, its publication and the run's record are written in one
//! transaction after training: a run that fails (too few outcomes, a solver
//! that does not converge, a store error) or is interrupted never touches the
//! live model. Its record says `failed` with the reason, or `interrupted`.

mod now;
mod policy;
mod runs;
mod schedule;
mod settings;
mod snapshot;

use std::sync::Arc;

use leadscore_domain::{ReadProgress, RunTrigger, Timestamp};
use leadscore_files::{LeadRowOptions, LeadRows, LeadSelection, PartStep, PartsWriter};
use leadscore_model::{
    ConversionModel, LabelledRows, MetricsJson, SplitKind, TrainParams, TrainStage, TrainingSource,
    add_missing_columns, assess, time_holdout, to_artifact_json,
};
use leadscore_store::{HEARTBEAT_EVERY, NewVersion, RunMeasures, SlotStart, SqlStore};
use serde::Serialize;
use utoipa::ToSchema;

pub use leadscore_store::RunStart;
pub use now::retrain_now;
pub use policy::{Challenger, Champion, Decision, Policy};
pub use runs::{Run, list_runs};
pub use schedule::{next_run, run_schedule};
pub use settings::{Retraining, parse_schedule};

use crate::{EngineError, model_registry};

/// What started a run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Trigger {
    /// `leadscore retrain`, or an admin asking while the service runs
    /// ([`retrain_now`], recorded with the same trigger).
    Command,
    /// The service's schedule, for the scheduled time named (one run per
    /// time across instances).
    Schedule(String),
}

/// What a finished run did.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Outcome {
    /// The run's number.
    pub run_id: i64,
    /// The version registered.
    pub version: i64,
    /// Published or kept, with the reason.
    pub decision: Decision,
    /// The version live before the run.
    pub champion: Option<i64>,
    /// The new model's AUC on the held-out leads.
    pub challenger_auc: Option<f64>,
    /// The live model's AUC on the same leads.
    pub champion_auc: Option<f64>,
    /// Closed leads in the window.
    pub leads: usize,
    /// Of which held out.
    pub held_out: usize,
    /// The new version's metrics (`metrics.json`'s keys).
    #[schema(value_type = leadscore_model::MetricsSchema)]
    pub metrics: serde_json::Value,
}

/// The trained challenger and what was measured, before anything is written.
struct Trial {
    model: ConversionModel,
    /// The model is the live one again: trained on the same rows with the
    /// same settings (all but its creation time equal).
    same_as_champion: bool,
    metrics: serde_json::Value,
    measured: RunMeasures,
    held_out: usize,
    champion_age_days: Option<f64>,
}

/// Where a retraining run is, for a progress display.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RetrainStage {
    /// Copying the store's records, from one snapshot, into parts in the
    /// run's scratch folder: how many are written of how many.
    Reading(ReadProgress),
    /// Building the rows of the window's closed leads from that copy, each
    /// as of its close, a part at a time: which pass, and how far it is
    /// (bytes while the accounts, contacts and leads are copied into the
    /// parts, [`PartStep::Splitting`]; parts while reading them).
    BuildingRows(PartStep, ReadProgress),
    /// Training on them.
    Training(TrainStage),
    /// Measuring the live model on the held-out leads and recording the run.
    Recording,
}

/// Hears each [`RetrainStage`] as it comes (from the training's thread too).
pub type RetrainProgress = Arc<dyn Fn(RetrainStage) + Send + Sync>;

/// A [`RetrainProgress`] no one listens to.
pub(crate) fn unheard() -> RetrainProgress {
    Arc::new(|_| {})
}

/// Runs one retraining as of `at`. `Ok(None)` when the trigger's scheduled
/// time was already taken by another instance, or is skipped because a run
/// is running (one at a time). On failure the run is
/// recorded as failed and the live model is left alone.
pub async fn retrain(
    store: &SqlStore,
    settings: &Retraining,
    trigger: Trigger,
    at: Timestamp,
) -> Result<Option<Outcome>, EngineError> {
    retrain_with_progress(store, settings, trigger, at, unheard()).await
}

/// [`retrain`], telling `progress` where the run is.
pub async fn retrain_with_progress(
    store: &SqlStore,
    settings: &Retraining,
    trigger: Trigger,
    at: Timestamp,
    progress: RetrainProgress,
) -> Result<Option<Outcome>, EngineError> {
    settings.validate()?;
    let (name, run_id) = match &trigger {
        Trigger::Command => (
            RunTrigger::Command,
            store.retraining().start(RunTrigger::Command, None).await?,
        ),
        Trigger::Schedule(slot) => {
            let run_id = match store.retraining().start_slot(slot).await? {
                SlotStart::Started(run_id) => Some(run_id),
                SlotStart::Taken => None,
                SlotStart::Running(other) => {
                    tracing::info!(%slot, running = other,
                        "the scheduled retraining is skipped: run {other} is running");
                    None
                }
            };
            (RunTrigger::Schedule, run_id)
        }
    };
    let Some(run_id) = run_id else {
        return Ok(None);
    };
    tracing::info!(run_id, trigger = %name, "retraining started");
    run(store, settings, run_id, at, progress).await.map(Some)
}

/// Trains run `run_id` (recorded as running) as of `at` and records its end,
/// stamping its heartbeat meanwhile. On failure the run is recorded as
/// failed and the live model is left alone.
async fn run(
    store: &SqlStore,
    settings: &Retraining,
    run_id: i64,
    at: Timestamp,
    progress: RetrainProgress,
) -> Result<Outcome, EngineError> {
    // The run's heartbeat, while it runs: a run whose process dies is marked
    // interrupted once its lease lapses (leadscore_store::RUN_LEASE).
    let heartbeat = {
        let store = store.clone();
        tokio::spawn(async move {
            let mut every = tokio::time::interval(HEARTBEAT_EVERY);
            every.tick().await;
            loop {
                every.tick().await;
                if let Err(error) = store.retraining().heartbeat(run_id).await {
                    tracing::warn!(run_id, %error, "cannot stamp the run's heartbeat");
                }
            }
        })
    };
    let attempted = attempt(store, settings, run_id, at, progress).await;
    heartbeat.abort();
    match attempted {
        Ok(outcome) => {
            tracing::info!(
                run_id,
                version = outcome.version,
                published = outcome.decision.publishes(),
                reason = outcome.decision.reason(),
                "retraining finished"
            );
            Ok(outcome)
        }
        Err(failure) => {
            let (measured, e) = *failure;
            let reason = match &e {
                EngineError::Retraining { reason, .. } => reason.clone(),
                other => other.to_string(),
            };
            tracing::warn!(run_id, %reason, "retraining failed; the live model is unchanged");
            store.retraining().fail(run_id, &measured, &reason).await?;
            Err(EngineError::Retraining { run_id, reason })
        }
    }
}

/// What a failed attempt had measured, and why it failed.
type Failure = Box<(RunMeasures, EngineError)>;

async fn attempt(
    store: &SqlStore,
    settings: &Retraining,
    run_id: i64,
    at: Timestamp,
    progress: RetrainProgress,
) -> Result<Outcome, Failure> {
    let fail = |e: EngineError| Box::new((RunMeasures::default(), e));
    let champion = model_registry::live_model(store).await.map_err(fail)?;
    let snapshot = snapshot::copy_store(
        store,
        settings.scratch_dir.as_deref(),
        settings.leads_per_part,
        progress.clone(),
    )
    .await
    .map_err(fail)?;
    let job = settings.clone();
    let trial = tokio::task::spawn_blocking(move || {
        // The parts are deleted when the training ends.
        train(snapshot, &job, champion, run_id, at, progress.as_ref())
    })
    .await
    .map_err(|e| {
        fail(EngineError::Retraining {
            run_id,
            reason: format!("the training task stopped: {e}"),
        })
    })??;
    let measured = trial.measured;
    let (version, decision) = match (trial.same_as_champion, measured.champion) {
        (true, Some(version)) => {
            let decision = Decision::Unchanged(format!(
                "the model trained is the live v{version} again (the same training data and \
                 settings): nothing registered, no lead rescored"
            ));
            store
                .retraining()
                .unchanged(run_id, version, &measured, decision.reason())
                .await
                .map_err(|e| Box::new((measured, e.into())))?;
            (version, decision)
        }
        _ => {
            let decision = settings.policy().decide(
                Challenger {
                    auc: measured.challenger_auc,
                },
                measured.champion.map(|version| Champion {
                    version,
                    auc: measured.champion_auc,
                    age_days: trial.champion_age_days.unwrap_or(0.0),
                }),
            );
            let version = record(store, run_id, &trial, &decision)
                .await
                .map_err(|e| Box::new((measured, e)))?;
            (version, decision)
        }
    };
    Ok(Outcome {
        run_id,
        version,
        decision,
        champion: measured.champion,
        challenger_auc: measured.challenger_auc,
        champion_auc: measured.champion_auc,
        leads: usize::try_from(measured.leads.unwrap_or(0)).unwrap_or(0),
        held_out: trial.held_out,
        metrics: trial.metrics,
    })
}

/// Registers the challenger, publishes it when decided, and records the run,
/// in one transaction. A kept challenger queues every lead, so that each gets
/// its shadow score.
async fn record(
    store: &SqlStore,
    run_id: i64,
    trial: &Trial,
    decision: &Decision,
) -> Result<i64, EngineError> {
    let artifact = to_artifact_json(&trial.model).map_err(|e| EngineError::Retraining {
        run_id,
        reason: e.to_string(),
    })?;
    let metrics = trial.metrics.to_string();
    let cause = format!("retraining run {run_id}: {}", decision.reason());
    let version = store
        .retraining()
        .finish_with(
            run_id,
            NewVersion {
                artifact: &artifact,
                metrics: &metrics,
                created_at: model_registry::trained_at(&trial.model),
            },
            decision.publishes().then_some(cause.as_str()),
            &trial.measured,
            decision.reason(),
        )
        .await?;
    Ok(version)
}

/// Trains on the window's closed leads, built a part at a time from the
/// store's records (`snapshot`, written into parts) each as of its close,
/// and measures both models on the held-out ones. CPU and the scratch folder
/// only.
fn train(
    snapshot: PartsWriter,
    settings: &Retraining,
    champion: Option<(i64, ConversionModel)>,
    run_id: i64,
    at: Timestamp,
    progress: &(dyn Fn(RetrainStage) + Send + Sync),
) -> Result<Trial, Failure> {
    let mut measured = RunMeasures {
        champion: champion.as_ref().map(|(v, _)| *v),
        ..RunMeasures::default()
    };
    let failed = |measured: &RunMeasures, reason: String| {
        Box::new((*measured, EngineError::Retraining { run_id, reason }))
    };
    let window = i64::from(settings.window_days) * 86_400 * 1_000_000;
    let from = Timestamp::from_micros(at.as_micros().saturating_sub(window))
        .or_else(|| Timestamp::from_micros(0))
        .unwrap_or(at);
    let options = LeadRowOptions {
        select: LeadSelection::Closed,
        at: Some(at),
        closed_from: Some(from),
        ..LeadRowOptions::default()
    };
    let mut building = |step, read| progress(RetrainStage::BuildingRows(step, read));
    let rows = snapshot
        .finish(&options, &mut building)
        .and_then(|parts| parts.gather(&mut building))
        .map_err(|e| {
            failed(
                &measured,
                format!("building the closed leads' rows from the store's records: {e}"),
            )
        })?;
    let n_rows = rows.lead_ids.len();
    measured.leads = i64::try_from(n_rows).ok();
    let source = TrainingSource::of_folder(&rows.features, Vec::new());
    let labelled = closed_lead_rows(rows);
    let (train_at, test_at) = time_holdout(
        labelled.times.as_deref().unwrap_or_default(),
        settings.test_fraction,
    );
    let params = TrainParams {
        split: SplitKind::Time,
        test_fraction: settings.test_fraction,
        min_per_class: settings.min_per_class,
        grades: champion.as_ref().map(|(_, m)| m.grades).unwrap_or_default(),
        ..TrainParams::default()
    };
    let created_at = at
        .to_datetime()
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let (train_rows, mut test_rows) = labelled.split(&train_at, &test_at);
    let held_out = test_rows.labels.len();
    // The live model is measured first, on the same held-out rows: the fit
    // takes them.
    let mut champion_age_days = None;
    if let Some((version, model)) = &champion {
        // A live model that cannot read these rows is measured as unknown.
        measured.champion_auc = held_out_auc(model, &mut test_rows).unwrap_or_else(|reason| {
            tracing::warn!(version, %reason, "the live model cannot score the held-out leads");
            None
        });
        champion_age_days = Timestamp::parse(&model.created_at)
            .ok()
            .map(|t| (at.as_micros() - t.as_micros()) as f64 / 86_400e6);
    }
    let trained = params
        .fit_owned(
            train_rows,
            Some(test_rows),
            source,
            &created_at,
            &mut |stage| progress(RetrainStage::Training(stage)),
        )
        .map_err(|e| {
            failed(
                &measured,
                format!(
                    "training on {} closed leads of the last {} days: {e}",
                    n_rows, settings.window_days
                ),
            )
        })?;
    progress(RetrainStage::Recording);
    measured.challenger_auc = trained.test.evaluation.auc;
    let metrics = serde_json::to_value(MetricsJson::new(
        &trained.model,
        &trained.model.metrics,
        "time",
    ))
    .map_err(|e| failed(&measured, e.to_string()))?;
    let same_as_champion = champion
        .as_ref()
        .is_some_and(|(_, live)| same_model(&trained.model, live));
    Ok(Trial {
        same_as_champion,
        model: trained.model,
        metrics,
        measured,
        held_out,
        champion_age_days,
    })
}

/// A folder's closed-lead rows (read with [`LeadSelection::Closed`]: every
/// row has an outcome) as labelled rows, with their creation times for a
/// time-based split: what `leadscore train` and a retraining run train on.
pub fn closed_lead_rows(rows: LeadRows) -> LabelledRows {
    LabelledRows {
        labels: rows.outcomes.iter().map(|o| o.unwrap_or(false)).collect(),
        times: Some(rows.created_at.iter().map(|t| t.as_micros()).collect()),
        features: rows.features,
        ids: rows.lead_ids,
    }
}

/// Whether two models are the same but for when they were trained.
fn same_model(new: &ConversionModel, live: &ConversionModel) -> bool {
    let mut new = new.clone();
    new.created_at.clone_from(&live.created_at);
    new == *live
}

/// ROC AUC of `model` on the held-out `rows`; `None` with one outcome only.
/// The columns the model reads and the rows lack are added as missing for
/// the measure, then taken away again.
fn held_out_auc(model: &ConversionModel, rows: &mut LabelledRows) -> Result<Option<f64>, String> {
    let added = add_missing_columns(model, &mut rows.features).map_err(|e| e.to_string())?;
    let assessed = assess(model, rows);
    rows.features.columns.retain(|c| !added.contains(&c.name));
    Ok(assessed.map_err(|e| e.to_string())?.evaluation.auc)
}
