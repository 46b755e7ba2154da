//! Shadow scoring: a retrained model kept unpublished (the challenger) scores
//! every lead the worker rescores, beside the live model, and its scores are
//! stored (`shadow_scores`) but never used for grades, routing or events.

use std::collections::BTreeMap;

use leadscore_domain::{Dataset, LeadId, Timestamp};
use leadscore_scoring::FeatureIndex;
use leadscore_store::{ShadowRow, SqlStore};
use serde::Serialize;
use utoipa::ToSchema;

use crate::EngineError;
use crate::scoring::LiveModel;

/// The challenger's scores of the leads of `data` named by `lead_ids`, as of
/// `at` (a lead closed by then, as of its close, as the live model scores
/// it). A lead the challenger cannot read is left out, with a warning.
pub fn score(
    challenger: &LiveModel,
    data: &Dataset,
    lead_ids: &[LeadId],
    at: Timestamp,
) -> Vec<ShadowRow> {
    let index = FeatureIndex::new(data);
    let mut work = Vec::new();
    let mut out = Vec::with_capacity(lead_ids.len());
    for id in lead_ids {
        let Some(i) = index.lead_index(id.as_str()) else {
            continue;
        };
        match challenger.encode_lead(data, &index, i, at) {
            Ok(row) => {
                let scored = challenger.score(&row, &mut work);
                out.push(ShadowRow {
                    lead_id: id.clone(),
                    version: challenger.version,
                    score: i64::from(scored.score),
                    probability: scored.probability,
                    grade: scored.grade.to_string(),
                    scored_at: at,
                });
            }
            Err(e) => tracing::warn!(
                version = challenger.version,
                error = %e,
                "the challenger cannot score a lead"
            ),
        }
    }
    out
}

/// A version's shadow scores, summed up.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct ShadowSummary {
    /// The version.
    pub version: i64,
    /// Leads it scored.
    pub leads: i64,
    /// Their mean score.
    pub mean_score: Option<f64>,
    /// Leads per grade.
    pub grades: BTreeMap<String, i64>,
}

/// The summary of a version's shadow scores.
pub async fn summary(store: &SqlStore, version: i64) -> Result<ShadowSummary, EngineError> {
    let tally = store.shadow().tally(version).await?;
    Ok(ShadowSummary {
        version,
        leads: tally.leads,
        mean_score: (tally.leads > 0).then(|| tally.total_score as f64 / tally.leads as f64),
        grades: tally.grades,
    })
}
