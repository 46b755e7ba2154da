//! What rescoring one lead writes, decided from the scores and the lead's
//! previous state without touching the database: its rule scores, history
//! entries, events (the sales-ready hand-off, grade changes) and new state.

use leadscore_domain::{EventType, Lead, LeadStatus, Stage, Timestamp};
use leadscore_rules::SalesReadyFlag;
use leadscore_store::{
    HistoryRow, LeadStateRow, LeadWrite, NewEvent, QueueToken, RuleScoreRow, new_id,
};
use serde_json::{Value, json};

use crate::EngineError;
use crate::in_service::InService;
use crate::scoring::LeadResult;

/// One lead's scores with what was stored before.
pub(crate) struct Planner<'a> {
    pub result: &'a LeadResult,
    pub old: Option<&'a LeadStateRow>,
    pub old_scores: &'a [RuleScoreRow],
    pub recency: Timestamp,
    pub cause: &'a str,
    /// The lead's record (routing reads its fields).
    pub lead: Option<&'a Lead>,
    pub live: &'a InService,
    /// Its name and company as lists sort them.
    pub keys: ListKeys,
}

/// A lead's name and company as the console's lists sort them
/// ([`leadscore_domain::sort_key`]).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct ListKeys {
    /// Its contact's name.
    pub name: Option<String>,
    /// Its company's name.
    pub company: Option<String>,
}

impl Planner<'_> {
    fn entry(
        &self,
        what: &str,
        scores: (Option<i64>, Option<i64>),
        grades: (Option<String>, Option<String>),
    ) -> HistoryRow {
        HistoryRow {
            at: self.result.at,
            what: what.to_owned(),
            old_score: scores.0,
            new_score: scores.1,
            old_grade: grades.0,
            new_grade: grades.1,
            cause: self.cause.to_owned(),
        }
    }

    /// An event of the lead's, with its id, type and time in the payload;
    /// one per `dedupe_key`, delivered to the endpoints subscribed to its
    /// type.
    fn event(&self, event_type: EventType, dedupe_key: String, mut payload: Value) -> NewEvent {
        let event_id = new_id();
        let now = Timestamp::now();
        if let Some(map) = payload.as_object_mut() {
            map.insert("event_id".into(), json!(event_id));
            map.insert("type".into(), json!(event_type));
            map.insert("occurred_at".into(), json!(now));
        }
        NewEvent {
            event_id,
            event_type,
            lead_id: self.result.lead_id.clone(),
            dedupe_key,
            payload: payload.to_string(),
            created_at: now,
            endpoints: self.live.webhooks.subscribers(event_type),
        }
    }

    /// Decides the writes; `model_names` are the rule models in service.
    pub fn plan(
        &self,
        token: QueueToken,
        model_names: &[String],
    ) -> Result<LeadWrite, EngineError> {
        let r = self.result;
        let now = r.at;
        let lead_id = &r.lead_id;
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
                lead_id: lead_id.clone(),
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

        // The sticky flag (the rules crate's one rule): set once, kept when
        // scores fall.
        let mut events = Vec::new();
        let mut flag = SalesReadyFlag {
            flagged_at: self.old.and_then(|s| s.sales_ready_at),
            model: self.old.and_then(|s| s.sales_ready_model.clone()),
        };
        let reached = r.sales_ready();
        if flag.raise(reached.map(|(model, _)| model), now)
            && let Some((model, score)) = reached
        {
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
            events.push(self.event(
                EventType::SalesReady,
                format!("sales_ready:{lead_id}"),
                json!({
                    "lead_id": lead_id,
                    "model": model,
                    "score": score,
                    "threshold": threshold,
                    "stage": Stage::SalesAcceptance,
                    "primary": r.primary,
                }),
            ));
        }
        let sales_ready = flag.is_set();
        let status = self.lead.map_or(LeadStatus::Open, |l| l.status);
        let stage = Stage::of(status, sales_ready);

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
                events.push(self.event(
                    EventType::GradeChanged,
                    format!(
                        "grade_changed:{lead_id}:{}:{}:{}",
                        old.primary_grade.as_deref().unwrap_or("-"),
                        new_grade.as_deref().unwrap_or("-"),
                        now.as_micros()
                    ),
                    json!({
                        "lead_id": lead_id,
                        "old_grade": old.primary_grade,
                        "new_grade": new_grade,
                        "old_score": old.primary_score,
                        "new_score": new_score,
                        "primary": r.primary,
                        "cause": self.cause,
                    }),
                ));
            }
        } else if new_score.is_some() {
            history.push(self.entry("primary", (None, new_score), (None, new_grade.clone())));
        }
        let queue = self
            .lead
            .and_then(|l| self.live.routing.route(l, r.primary.as_ref(), sales_ready));
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
            state: LeadStateRow {
                lead_id: lead_id.clone(),
                primary_score: new_score,
                primary_grade: new_grade,
                primary_detail: r.primary.as_ref().map(to_json).transpose()?,
                conversion: r.conversion.as_ref().map(to_json).transpose()?,
                sales_ready,
                sales_ready_at: flag.flagged_at,
                sales_ready_model: flag.model,
                stage,
                queue,
                recency: self.recency,
                scored_at: now,
                name_key: self.keys.name.clone(),
                company_key: self.keys.company.clone(),
            },
            shadow: None,
        })
    }
}

/// A value as the JSON text stored in a column.
fn to_json<T: serde::Serialize>(value: &T) -> Result<String, EngineError> {
    serde_json::to_string(value).map_err(|e| EngineError::Scoring {
        reason: e.to_string(),
    })
}
