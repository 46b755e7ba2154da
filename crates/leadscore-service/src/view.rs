//! What `GET /v1/leads/{id}/scores` and `POST /v1/score` answer: one lead's
//! scores with their explanations, from stored state or computed on the spot.

use serde::Serialize;
use serde_json::Value;
use utoipa::ToSchema;

use crate::ServiceError;
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
    pub primary: Option<Value>,
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
    pub conversion: Option<Value>,
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
    pub explanation: Value,
}

fn value<T: Serialize>(v: &T) -> Result<Value, ServiceError> {
    serde_json::to_value(v).map_err(|e| ServiceError::Scoring {
        reason: e.to_string(),
    })
}

fn parse(text: Option<&str>) -> Option<Value> {
    text.and_then(|t| serde_json::from_str(t).ok())
}

impl LeadScores {
    /// Scores computed now, not stored (`POST /v1/score`): the flag is whether
    /// any model's score reaches its threshold now.
    pub fn computed(r: &LeadResult, status: &str) -> Result<Self, ServiceError> {
        let sales_ready = r.sales_ready().is_some();
        Ok(Self {
            lead_id: r.lead_id.clone(),
            scored_at: r.at.to_string(),
            stored: false,
            primary: r.primary.as_ref().map(value).transpose()?,
            sales_ready,
            stage: stage(status, sales_ready),
            queue: None,
            models: r
                .rules
                .iter()
                .map(|e| {
                    Ok(ModelScore {
                        model: e.model.clone(),
                        score: e.score,
                        grade: e.grade.clone(),
                        sales_ready: e.sales_ready,
                        reason: e.reason.clone(),
                        explanation: value(e)?,
                    })
                })
                .collect::<Result<_, ServiceError>>()?,
            conversion: r.conversion.as_ref().map(value).transpose()?,
        })
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
                p
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
                    explanation: parse(Some(&r.explanation)).unwrap_or(Value::Null),
                })
                .collect(),
            conversion: parse(state.conversion.as_deref()),
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
