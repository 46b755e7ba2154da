//! What `GET /v1/leads/{id}/scores` and `POST /v1/score` answer: one lead's
//! scores with their explanations, from stored state or computed on the spot.

use leadscore_domain::{LeadId, LeadStatus, Stage, Timestamp};
use leadscore_rules::Explanation;
use leadscore_store::{HistoryRow, LeadStateRow, RuleScoreRow};
use serde::Serialize;
use serde_json::Value;
use utoipa::ToSchema;

use crate::scoring::{ConversionScore, LeadResult, Primary};

/// A lead's scores.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct LeadScores {
    /// The lead.
    pub lead_id: LeadId,
    /// When the scores were computed.
    pub scored_at: Timestamp,
    /// True for the stored scores the service keeps current; false for scores
    /// computed on request (`POST /v1/score`, or a lead not scored yet: it is
    /// queued and will be within a second).
    pub stored: bool,
    /// The primary score: the confident conversion model's, else the fallback
    /// rule model's; none when nothing scored the lead.
    #[schema(value_type = Option<Primary>)]
    pub primary: Option<Detail<Primary>>,
    /// Whether the lead is flagged sales-ready (sticky once set).
    pub sales_ready: bool,
    /// Where the lead stands for sellers.
    pub stage: Stage,
    /// The seller queue routing gave the lead.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub queue: Option<String>,
    /// Every rule model's score with its explanation.
    pub models: Vec<ModelScore>,
    /// The conversion model's score with per-feature contributions.
    #[schema(value_type = Option<ConversionScore>)]
    pub conversion: Option<Detail<ConversionScore>>,
}

/// A part of the answer: computed on request, or the JSON stored by the
/// rescoring worker (the same shape either way).
#[derive(Debug, Clone, Serialize)]
#[serde(untagged)]
pub enum Detail<T> {
    /// Computed now: written straight to the body.
    Computed(T),
    /// As stored.
    Stored(Value),
}

/// One rule model's score of a lead.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ModelScore {
    /// The model.
    pub model: String,
    /// The score; none when the model does not score the lead.
    pub score: Option<i64>,
    /// The grade holding the score.
    pub grade: Option<String>,
    /// Whether the score reached the model's threshold.
    pub sales_ready: bool,
    /// Why the model gives no score.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// The rules that held, the points each added and the evidence.
    #[schema(value_type = Explanation)]
    pub explanation: Detail<Explanation>,
}

fn parse(text: Option<&str>) -> Option<Value> {
    text.and_then(|t| serde_json::from_str(t).ok())
}

impl LeadScores {
    /// Scores computed now, not stored (`POST /v1/score`): the flag is whether
    /// any model's score reaches its threshold now.
    pub fn computed(r: LeadResult, status: LeadStatus) -> Self {
        let sales_ready = r.sales_ready().is_some();
        Self {
            scored_at: r.at,
            lead_id: r.lead_id,
            stored: false,
            primary: r.primary.map(Detail::Computed),
            sales_ready,
            stage: Stage::of(status, sales_ready),
            queue: None,
            models: r
                .rules
                .into_iter()
                .map(|e| ModelScore {
                    model: e.model.clone(),
                    score: e.score,
                    grade: e.grade.clone(),
                    sales_ready: e.sales_ready,
                    reason: e.reason.clone(),
                    explanation: Detail::Computed(e),
                })
                .collect(),
            conversion: r.conversion.map(Detail::Computed),
        }
    }

    /// Scores as stored by the rescoring worker.
    pub fn stored(state: &LeadStateRow, rules: &[RuleScoreRow]) -> Self {
        Self {
            lead_id: state.lead_id.clone(),
            scored_at: state.scored_at,
            stored: true,
            primary: parse(state.primary_detail.as_deref()).map(|mut p| {
                if let Some(map) = p.as_object_mut() {
                    map.insert("score".into(), state.primary_score.into());
                    map.insert("grade".into(), state.primary_grade.clone().into());
                }
                Detail::Stored(p)
            }),
            sales_ready: state.sales_ready,
            stage: state.stage,
            queue: state.queue.clone(),
            models: rules
                .iter()
                .map(|r| ModelScore {
                    model: r.model.clone(),
                    score: r.score,
                    grade: r.grade.clone(),
                    sales_ready: r.sales_ready,
                    reason: r.reason.clone(),
                    explanation: Detail::Stored(parse(Some(&r.explanation)).unwrap_or(Value::Null)),
                })
                .collect(),
            conversion: parse(state.conversion.as_deref()).map(Detail::Stored),
        }
    }
}

/// One change in a lead's scores.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct HistoryEntry {
    /// When.
    pub at: Timestamp,
    /// What changed: a rule model's name, `conversion`, `primary`, `sales_ready`
    /// or `queue`.
    pub what: String,
    /// The score before (none: not scored before).
    pub old_score: Option<i64>,
    /// The score after.
    pub new_score: Option<i64>,
    /// The grade (or queue) before.
    pub old_grade: Option<String>,
    /// The grade (or queue) after.
    pub new_grade: Option<String>,
    /// Why it was rescored (`interactions ingested`, `periodic refresh`, ...).
    pub cause: String,
}

impl From<HistoryRow> for HistoryEntry {
    fn from(row: HistoryRow) -> Self {
        Self {
            at: row.at,
            what: row.what,
            old_score: row.old_score,
            new_score: row.new_score,
            old_grade: row.old_grade,
            new_grade: row.new_grade,
            cause: row.cause,
        }
    }
}
