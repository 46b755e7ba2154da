//! Retraining on request while the service runs (`POST /v1/retraining/runs`,
//! the console's "Retrain now"): the run is recorded at once and trained in
//! the background of this instance, one run at a time across every instance
//! on the store ([`leadscore_store::RetrainingRuns::start_alone`]).
//!
//! Such a run is a [`RunTrigger::Command`] run, as `leadscore retrain`'s: a
//! person (or a program with an admin key) asked for it now, not the
//! schedule. A run whose instance stops before it ends stops stamping its
//! heartbeat and is marked interrupted once its lease lapses, as any run.

use leadscore_domain::RunTrigger;
use leadscore_store::RunStart;

use super::{Decision, Outcome, run};
use crate::EngineError;
use crate::service::Service;

/// Starts a retraining as of the service's scoring time, in the background:
/// returns as soon as the run is recorded, with its number
/// ([`RunStart::Started`]; `GET /v1/retraining` lists it, `running` until it
/// ends). Refused, nothing started, while another run is running, on this
/// instance or another ([`RunStart::Running`], with that run's number).
pub async fn retrain_now(service: &Service) -> Result<RunStart, EngineError> {
    let settings = service.settings.retraining.clone();
    settings.validate()?;
    let start = service
        .store
        .retraining()
        .start_alone(RunTrigger::Command)
        .await?;
    let RunStart::Started(run_id) = start else {
        return Ok(start);
    };
    tracing::info!(run_id, trigger = %RunTrigger::Command, "retraining started on request");
    let at = service.settings.scoring_time();
    let service = service.clone();
    tokio::spawn(async move {
        let result = run(&service.store, &settings, run_id, at, super::unheard()).await;
        if let Err(error) = &result {
            tracing::warn!(run_id, %error, "requested retraining failed");
        }
        settle(&service, &result);
    });
    Ok(start)
}

/// What the service does with each run it started (on its schedule or on
/// request) once the run has ended: counts it by outcome
/// (`leadscore_retraining_runs_total{outcome}`: `published`, `kept`,
/// `unchanged` or `failed`) and, unless it failed, wakes the rescoring
/// worker (a published model rescores every lead; a kept challenger queued
/// them all for their shadow scores).
pub(super) fn settle(service: &Service, result: &Result<Outcome, EngineError>) {
    let label = match result {
        Ok(outcome) => match outcome.decision {
            Decision::Publish(_) => "published",
            Decision::Keep(_) => "kept",
            Decision::Unchanged(_) => "unchanged",
        },
        Err(_) => "failed",
    };
    service
        .metrics
        .retraining_runs
        .with_label_values(&[label])
        .inc();
    if result.is_ok() {
        service.rescore_wake.notify_one();
    }
}
