//! Retraining runs as the service reports them (`GET /v1/retraining`).

use leadscore_domain::{RunStatus, RunTrigger, Timestamp};
use leadscore_store::SqlStore;
use serde::Serialize;
use utoipa::ToSchema;

use crate::EngineError;

/// One retraining run.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Run {
    /// The run's number.
    pub run_id: i64,
    /// What started it.
    pub trigger: RunTrigger,
    /// The scheduled time it ran for (schedule only).
    pub slot: Option<String>,
    /// When it started.
    pub started_at: Timestamp,
    /// When it ended.
    pub finished_at: Option<Timestamp>,
    /// Where it stands: `published` (the new version went into service),
    /// `kept` (a challenger, unpublished), `failed` or `interrupted`.
    pub status: RunStatus,
    /// The version it registered.
    pub version: Option<i64>,
    /// The version live when it ran.
    pub champion: Option<i64>,
    /// The new model's AUC on the held-out leads.
    pub challenger_auc: Option<f64>,
    /// The live model's AUC on the same leads.
    pub champion_auc: Option<f64>,
    /// Closed leads in the window.
    pub leads: Option<i64>,
    /// Why it published, kept or failed.
    pub reason: Option<String>,
}

/// Every run, newest first.
pub async fn list_runs(store: &SqlStore) -> Result<Vec<Run>, EngineError> {
    Ok(store
        .retraining()
        .list()
        .await?
        .into_iter()
        .map(|r| Run {
            run_id: r.run_id,
            trigger: r.trigger,
            slot: r.slot,
            started_at: r.started_at,
            finished_at: r.finished_at,
            status: r.status,
            version: r.version,
            champion: r.measures.champion,
            challenger_auc: r.measures.challenger_auc,
            champion_auc: r.measures.champion_auc,
            leads: r.measures.leads,
            reason: r.reason,
        })
        .collect())
}
