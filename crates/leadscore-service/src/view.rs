//! What `GET /v1/leads/{id}/scores` and `POST /v1/score` answer: one lead's
//! scores with their explanations, from stored state or computed on the spot.

use serde::Serialize;
use serde_json::Value;
use utoipa::ToSchema;

use leadscore_rules::Explanation;

use crate::engine::{ConversionScore, LeadResult, Primary};
use crate::state::{LeadState, RuleScoreRow, STAGE_NEW, STAGE_SALES_ACCEPTANCE};
use crate::time::rfc3339;

/// A lead's scores.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct LeadScores {
    /// The lead.
    pub lead_id: String,
    /// When the scores were computed (RFC 3339).
    pub scored_at: String,
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
    /// `new`, `sales_acceptance`, `qualified` or `disqualified`.
    pub stage: String,
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
    #[schema(value_type = Object)]
    pub explanation: Detail<Explanation>,
}

fn parse(text: Option<&str>) -> Option<Value> {
    text.and_then(|t| serde_json::from_str(t).ok())
}

impl LeadScores {
    /// Scores computed now, not stored (`POST /v1/score`): the flag is whether
    /// any model's score reaches its threshold now.
    pub fn computed(r: LeadResult, status: &str) -> Self {
        let sales_ready = r.sales_ready().is_some();
        Self {
            scored_at: r.at.to_string(),
            lead_id: r.lead_id,
            stored: false,
            primary: r.primary.map(Detail::Computed),
            sales_ready,
            stage: stage(status, sales_ready),
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
    pub fn stored(state: &LeadState, rules: &[RuleScoreRow]) -> Self {
        Self {
            lead_id: state.lead_id.clone(),
            scored_at: rfc3339(state.scored_at),
            stored: true,
            primary: parse(state.primary_detail.as_deref()).map(|mut p| {
                if let Some(map) = p.as_object_mut() {
                    map.insert("score".into(), state.primary_score.into());
                    map.insert("grade".into(), state.primary_grade.clone().into());
                }
                Detail::Stored(p)
            }),
            sales_ready: state.sales_ready,
            stage: state.stage.clone(),
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

/// The stage of a lead with this status and flag.
pub fn stage(status: &str, sales_ready: bool) -> String {
    match status {
        "qualified" | "disqualified" => status.to_owned(),
        _ if sales_ready => STAGE_SALES_ACCEPTANCE.to_owned(),
        _ => STAGE_NEW.to_owned(),
    }
}
