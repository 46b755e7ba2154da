//! What rescoring one lead writes, decided from the scores and the lead's
//! previous state without touching the database: its rule scores, history
//! entries, events and new state.

use leadscore_domain::Lead;
use serde_json::{Value, json};

use crate::ServiceError;
use crate::engine::LeadResult;
use crate::live::Live;
use crate::state::{HistoryEntry, LeadState, RuleScoreRow, STAGE_SALES_ACCEPTANCE};

/// An event to write (once per dedupe key) with its deliveries.
#[derive(Debug, Clone)]
pub(crate) struct PlannedEvent {
    /// `lead.sales_ready` or `lead.grade_changed`.
    pub event_type: &'static str,
    /// One event per transition, however often it is computed.
    pub dedupe_key: String,
    /// The body, without its id, type and time (added when written).
    pub payload: Value,
}

/// Everything rescoring one lead writes.
#[derive(Debug, Clone)]
pub(crate) struct LeadWrite {
    /// The queue token the lead was read with: written only if unchanged.
    pub token: i64,
    /// Its score under every rule model.
    pub rule_scores: Vec<RuleScoreRow>,
    /// Whether stored scores of models no longer in service must go.
    pub drop_other_models: bool,
    /// What changed, and why.
    pub history: Vec<HistoryEntry>,
    /// Transitions to report.
    pub events: Vec<PlannedEvent>,
    /// The lead's new state.
    pub state: LeadState,
    /// Its score under the challenger, if one is in shadow.
    pub shadow: Option<crate::shadow::ShadowRow>,
}

/// One lead's scores with what was stored before.
pub(crate) struct Planner<'a> {
    pub result: &'a LeadResult,
    pub old: Option<&'a LeadState>,
    pub old_scores: &'a [RuleScoreRow],
    pub recency: i64,
    pub cause: &'a str,
    /// The lead's record (routing reads its fields).
    pub lead: Option<&'a Lead>,
    pub live: &'a Live,
}

impl Planner<'_> {
    fn entry(
        &self,
        what: &str,
        scores: (Option<i64>, Option<i64>),
        grades: (Option<String>, Option<String>),
    ) -> HistoryEntry {
        HistoryEntry {
            at: String::new(),
            what: what.to_owned(),
            old_score: scores.0,
            new_score: scores.1,
            old_grade: grades.0,
            new_grade: grades.1,
            cause: self.cause.to_owned(),
        }
    }

    /// Decides the writes; `model_names` are the rule models in service.
    pub fn plan(&self, token: i64, model_names: &[String]) -> Result<LeadWrite, ServiceError> {
        let r = self.result;
        let now = r.at.as_micros();
        let lead_id = r.lead_id.as_str();
        let mut history = Vec::new();
        let mut rule_scores = Vec::with_capacity(r.rules.len());
        for e in &r.rules {
            let old = self.old_scores.iter().find(|o| o.model == e.model);
            if old.is_none_or(|o| o.score != e.score || o.grade != e.grade) {
                history.push(self.entry(
                    &e.model,
                    (old.and_then(|o| o.score), e.score),
                    (old.and_then(|o| o.grade.clone()), e.grade.clone()),
                ));
            }
            rule_scores.push(RuleScoreRow {
                lead_id: lead_id.to_owned(),
                model: e.model.clone(),
                score: e.score,
                grade: e.grade.clone(),
                sales_ready: e.sales_ready,
                reason: e.reason.clone(),
                explanation: to_json(e)?,
                scored_at: now,
            });
        }
        let drop_other_models = self
            .old_scores
            .iter()
            .any(|o| !model_names.contains(&o.model));

        let lead = self.lead;
        let old_conversion: Option<Value> = self
            .old
            .and_then(|s| s.conversion.as_deref())
            .and_then(|c| serde_json::from_str(c).ok());
        let old_conv_score = old_conversion
            .as_ref()
            .and_then(|c| c.get("score"))
            .and_then(Value::as_i64);
        let new_conv_score = r.conversion.as_ref().map(|c| i64::from(c.score));
        if old_conv_score != new_conv_score {
            let old_grade = old_conversion
                .as_ref()
                .and_then(|c| c.get("grade"))
                .and_then(|g| g.as_str().map(str::to_owned));
            history.push(self.entry(
                "conversion",
                (old_conv_score, new_conv_score),
                (old_grade, r.conversion.as_ref().map(|c| c.grade.clone())),
            ));
        }

        // The sticky flag: set once, kept when scores fall.
        let mut events = Vec::new();
        let mut sales_ready = self.old.is_some_and(|s| s.sales_ready);
        let mut sales_ready_at = self.old.and_then(|s| s.sales_ready_at);
        let mut sales_ready_model = self.old.and_then(|s| s.sales_ready_model.clone());
        if !sales_ready && let Some((model, score)) = r.sales_ready() {
            sales_ready = true;
            sales_ready_at = Some(now);
            sales_ready_model = Some(model.to_owned());
            let threshold = self
                .live
                .engine
                .plans()
                .iter()
                .find(|p| p.name() == model)
                .and_then(|p| p.model().sales_ready);
            history.push(self.entry(
                "sales_ready",
                (None, Some(score)),
                (None, Some(model.to_owned())),
            ));
            events.push(PlannedEvent {
                event_type: "lead.sales_ready",
                dedupe_key: format!("sales_ready:{lead_id}"),
                payload: json!({
                    "lead_id": lead_id,
                    "model": model,
                    "score": score,
                    "threshold": threshold,
                    "stage": STAGE_SALES_ACCEPTANCE,
                    "primary": r.primary,
                }),
            });
        }
        let stage = crate::view::stage(lead.map_or("open", |l| l.status.as_str()), sales_ready);

        let new_score = r.primary.as_ref().map(|p| p.score);
        let new_grade = r.primary.as_ref().and_then(|p| p.grade.clone());
        if let Some(old) = self.old {
            if old.primary_score != new_score || old.primary_grade != new_grade {
                history.push(self.entry(
                    "primary",
                    (old.primary_score, new_score),
                    (old.primary_grade.clone(), new_grade.clone()),
                ));
            }
            if old.primary_grade != new_grade {
                events.push(PlannedEvent {
                    event_type: "lead.grade_changed",
                    dedupe_key: format!(
                        "grade_changed:{lead_id}:{}:{}:{now}",
                        old.primary_grade.as_deref().unwrap_or("-"),
                        new_grade.as_deref().unwrap_or("-")
                    ),
                    payload: json!({
                        "lead_id": lead_id,
                        "old_grade": old.primary_grade,
                        "new_grade": new_grade,
                        "old_score": old.primary_score,
                        "new_score": new_score,
                        "primary": r.primary,
                        "cause": self.cause,
                    }),
                });
            }
        } else if new_score.is_some() {
            history.push(self.entry("primary", (None, new_score), (None, new_grade.clone())));
        }
        let queue = lead.and_then(|l| self.live.routing.route(l, r.primary.as_ref(), sales_ready));
        let old_queue = self.old.and_then(|s| s.queue.clone());
        if self.old.is_some() && old_queue != queue {
            history.push(self.entry("queue", (None, None), (old_queue, queue.clone())));
        }
        Ok(LeadWrite {
            token,
            rule_scores,
            drop_other_models,
            history,
            events,
            state: LeadState {
                lead_id: lead_id.to_owned(),
                primary_score: new_score,
                primary_grade: new_grade,
                primary_detail: r.primary.as_ref().map(to_json).transpose()?,
                conversion: r.conversion.as_ref().map(to_json).transpose()?,
                sales_ready,
                sales_ready_at,
                sales_ready_model,
                stage,
                queue,
                recency: self.recency,
                scored_at: now,
            },
            shadow: None,
        })
    }
}

/// A value as the JSON text stored in a column.
fn to_json<T: serde::Serialize>(value: &T) -> Result<String, ServiceError> {
    serde_json::to_string(value).map_err(|e| ServiceError::Scoring {
        reason: e.to_string(),
    })
}
