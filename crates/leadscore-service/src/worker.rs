//! The rescoring worker: takes queued leads (queued by the writes that changed
//! them, in the same transaction), rescores them under every model, and writes
//! their scores, history, queue and events in one transaction. Several
//! instances on one PostgreSQL database share the queue (`SKIP LOCKED`).

use std::collections::HashMap;
use std::time::{Duration, Instant};

use leadscore_domain::{Dataset, Timestamp};
use leadscore_store::{Backend, placeholders};
use serde_json::json;
use sqlx::{AnyConnection, AssertSqlSafe, Connection, Row};
use tokio::sync::watch;

use crate::app::AppState;
use crate::engine::{LeadResult, last_activity};
use crate::live::Live;
use crate::state::{
    HistoryEntry, LeadState, RuleScoreRow, STAGE_SALES_ACCEPTANCE, append_history,
    delete_other_rule_scores, read_rule_scores, read_states, write_rule_score, write_state,
};
use crate::{ServiceError, ids, webhooks};

fn q(operation: &'static str) -> impl FnOnce(sqlx::Error) -> ServiceError {
    ServiceError::query(operation)
}

/// What one round did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Round {
    /// Leads taken from the queue.
    pub claimed: usize,
    /// Events written.
    pub events: usize,
}

/// Runs until shutdown: rounds while there is work, else waits for a wake-up
/// or the poll interval; reloads models when they changed; queues every open
/// lead on the refresh interval.
pub async fn run(state: AppState, mut shutdown: watch::Receiver<bool>) {
    let settings = state.settings.rescoring.clone();
    let poll = Duration::from_millis(settings.poll_ms);
    let reload = Duration::from_millis(settings.reload_ms);
    let refresh =
        (settings.refresh_every_secs > 0).then(|| Duration::from_secs(settings.refresh_every_secs));
    let mut last_reload = Instant::now();
    let mut last_refresh = Instant::now();
    loop {
        if *shutdown.borrow() {
            return;
        }
        if last_reload.elapsed() >= reload {
            last_reload = Instant::now();
            if let Err(error) = state.live.refresh(&state.store, &state.settings).await {
                tracing::error!(%error, "cannot reload models");
            }
        }
        if let Some(every) = refresh
            && last_refresh.elapsed() >= every
        {
            last_refresh = Instant::now();
            match state.store.enqueue_open("periodic refresh").await {
                Ok(n) => tracing::info!(leads = n, "periodic rescoring queued"),
                Err(error) => tracing::error!(%error, "cannot queue the periodic rescoring"),
            }
        }
        let busy = match rescore_round(&state).await {
            Ok(round) => {
                if round.events > 0 {
                    state.webhook_wake.notify_one();
                }
                round.claimed >= settings.batch
            }
            Err(error) => {
                tracing::error!(%error, "rescoring failed; retrying");
                false
            }
        };
        if !busy {
            tokio::select! {
                _ = state.rescore_wake.notified() => {}
                _ = tokio::time::sleep(poll) => {}
                _ = shutdown.changed() => {}
            }
        }
    }
}

/// Takes up to a batch of queued leads off the queue (inside the transaction).
async fn claim(
    conn: &mut AnyConnection,
    backend: Backend,
    batch: usize,
) -> Result<Vec<(String, String)>, ServiceError> {
    let lock = match backend {
        Backend::Postgres => " FOR UPDATE SKIP LOCKED",
        Backend::Sqlite => "",
    };
    let sql = placeholders(
        backend,
        &format!(
            "DELETE FROM rescore_queue WHERE lead_id IN (SELECT lead_id FROM rescore_queue \
             ORDER BY queued_at, lead_id LIMIT ?{lock}) RETURNING lead_id, cause"
        ),
    );
    let rows = sqlx::query(AssertSqlSafe(sql))
        .bind(i64::try_from(batch).unwrap_or(i64::MAX))
        .fetch_all(&mut *conn)
        .await
        .map_err(q("take leads off the rescoring queue"))?;
    rows.iter()
        .map(|r| Ok((r.try_get(0)?, r.try_get(1)?)))
        .collect::<Result<Vec<_>, sqlx::Error>>()
        .map_err(q("take leads off the rescoring queue"))
}

/// One round: claim, score, write, commit. A failure rolls back, leaving the
/// leads queued.
pub async fn rescore_round(state: &AppState) -> Result<Round, ServiceError> {
    let backend = state.store.backend();
    let op = "rescore leads";
    let mut conn = state.store.pool().acquire().await.map_err(q(op))?;
    let mut tx = conn
        .begin_with(backend.begin_write())
        .await
        .map_err(q(op))?;
    let claimed = claim(&mut tx, backend, state.settings.rescoring.batch).await?;
    if claimed.is_empty() {
        tx.commit().await.map_err(q(op))?;
        return Ok(Round::default());
    }
    let ids: Vec<String> = claimed.iter().map(|(id, _)| id.clone()).collect();
    let causes: HashMap<&str, &str> = claimed
        .iter()
        .map(|(id, cause)| (id.as_str(), cause.as_str()))
        .collect();
    let data = state.store.neighbourhood_in(&mut tx, &ids).await?;
    let live = state.live.get();
    let at = state.settings.scoring_time();
    let results = live.engine.score(&data, &ids, at)?;
    let states = read_states(&mut tx, backend, &ids).await?;
    let old_scores = read_rule_scores(&mut tx, backend, &ids).await?;
    let activity = last_activity(&data, at);
    let mut events = 0;
    let model_names: Vec<String> = live
        .engine
        .plans()
        .iter()
        .map(|p| p.name().to_owned())
        .collect();
    for result in &results {
        let cause = causes
            .get(result.lead_id.as_str())
            .copied()
            .unwrap_or("rescore");
        let write = Write {
            result,
            old: states.get(&result.lead_id),
            old_scores: old_scores
                .get(&result.lead_id)
                .map(Vec::as_slice)
                .unwrap_or(&[]),
            recency: activity
                .get(&result.lead_id)
                .copied()
                .unwrap_or(at.as_micros()),
            cause,
            data: &data,
            live: &live,
        };
        events += write.apply(&mut tx, backend, &model_names).await?;
    }
    tx.commit().await.map_err(q(op))?;
    state.metrics.rescored.inc_by(results.len() as u64);
    Ok(Round {
        claimed: ids.len(),
        events,
    })
}

/// Writing one lead's new scores.
struct Write<'a> {
    result: &'a LeadResult,
    old: Option<&'a LeadState>,
    old_scores: &'a [RuleScoreRow],
    recency: i64,
    cause: &'a str,
    data: &'a Dataset,
    live: &'a Live,
}

impl Write<'_> {
    async fn apply(
        &self,
        tx: &mut AnyConnection,
        backend: Backend,
        model_names: &[String],
    ) -> Result<usize, ServiceError> {
        let r = self.result;
        let now = r.at.as_micros();
        let lead_id = r.lead_id.as_str();
        let mut history = Vec::new();
        for e in &r.rules {
            let old = self.old_scores.iter().find(|o| o.model == e.model);
            let changed = old.is_none_or(|o| o.score != e.score || o.grade != e.grade);
            if changed {
                history.push(HistoryEntry {
                    at: String::new(),
                    what: e.model.clone(),
                    old_score: old.and_then(|o| o.score),
                    new_score: e.score,
                    old_grade: old.and_then(|o| o.grade.clone()),
                    new_grade: e.grade.clone(),
                    cause: self.cause.to_owned(),
                });
            }
            let explanation = to_json(e)?;
            write_rule_score(
                tx,
                backend,
                &RuleScoreRow {
                    lead_id: lead_id.to_owned(),
                    model: e.model.clone(),
                    score: e.score,
                    grade: e.grade.clone(),
                    sales_ready: e.sales_ready,
                    reason: e.reason.clone(),
                    explanation,
                    scored_at: now,
                },
            )
            .await?;
        }
        if self
            .old_scores
            .iter()
            .any(|o| !model_names.contains(&o.model))
        {
            delete_other_rule_scores(tx, backend, lead_id, model_names).await?;
        }

        let lead = self
            .data
            .leads
            .iter()
            .find(|l| l.lead_id.as_str() == lead_id);
        let old_conversion: Option<serde_json::Value> = self
            .old
            .and_then(|s| s.conversion.as_deref())
            .and_then(|c| serde_json::from_str(c).ok());
        let old_conv_score = old_conversion
            .as_ref()
            .and_then(|c| c.get("score"))
            .and_then(serde_json::Value::as_i64);
        let new_conv_score = r.conversion.as_ref().map(|c| i64::from(c.score));
        if old_conv_score != new_conv_score {
            history.push(HistoryEntry {
                at: String::new(),
                what: "conversion".into(),
                old_score: old_conv_score,
                new_score: new_conv_score,
                old_grade: old_conversion
                    .as_ref()
                    .and_then(|c| c.get("grade"))
                    .and_then(|g| g.as_str().map(str::to_owned)),
                new_grade: r.conversion.as_ref().map(|c| c.grade.clone()),
                cause: self.cause.to_owned(),
            });
        }

        // The sticky flag: set once, kept when scores fall.
        let mut events = 0;
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
            history.push(HistoryEntry {
                at: String::new(),
                what: "sales_ready".into(),
                old_score: None,
                new_score: Some(score),
                old_grade: None,
                new_grade: Some(model.to_owned()),
                cause: self.cause.to_owned(),
            });
            let payload = json!({
                "lead_id": lead_id,
                "model": model,
                "score": score,
                "threshold": threshold,
                "stage": STAGE_SALES_ACCEPTANCE,
                "primary": r.primary,
            });
            events += self
                .event(
                    tx,
                    backend,
                    "lead.sales_ready",
                    &format!("sales_ready:{lead_id}"),
                    payload,
                )
                .await?;
        }
        let stage = crate::view::stage(lead.map_or("open", |l| l.status.as_str()), sales_ready);

        let new_score = r.primary.as_ref().map(|p| p.score);
        let new_grade = r.primary.as_ref().and_then(|p| p.grade.clone());
        if let Some(old) = self.old {
            if old.primary_score != new_score || old.primary_grade != new_grade {
                history.push(HistoryEntry {
                    at: String::new(),
                    what: "primary".into(),
                    old_score: old.primary_score,
                    new_score,
                    old_grade: old.primary_grade.clone(),
                    new_grade: new_grade.clone(),
                    cause: self.cause.to_owned(),
                });
            }
            if old.primary_grade != new_grade {
                let payload = json!({
                    "lead_id": lead_id,
                    "old_grade": old.primary_grade,
                    "new_grade": new_grade,
                    "old_score": old.primary_score,
                    "new_score": new_score,
                    "primary": r.primary,
                    "cause": self.cause,
                });
                let key = format!(
                    "grade_changed:{lead_id}:{}:{}:{now}",
                    old.primary_grade.as_deref().unwrap_or("-"),
                    new_grade.as_deref().unwrap_or("-")
                );
                events += self
                    .event(tx, backend, "lead.grade_changed", &key, payload)
                    .await?;
            }
        } else if new_score.is_some() {
            history.push(HistoryEntry {
                at: String::new(),
                what: "primary".into(),
                old_score: None,
                new_score,
                old_grade: None,
                new_grade: new_grade.clone(),
                cause: self.cause.to_owned(),
            });
        }
        let queue = lead.and_then(|l| self.live.routing.route(l, r.primary.as_ref(), sales_ready));
        let old_queue = self.old.and_then(|s| s.queue.clone());
        if self.old.is_some() && old_queue != queue {
            history.push(HistoryEntry {
                at: String::new(),
                what: "queue".into(),
                old_score: None,
                new_score: None,
                old_grade: old_queue,
                new_grade: queue.clone(),
                cause: self.cause.to_owned(),
            });
        }
        for entry in &history {
            append_history(tx, backend, lead_id, now, entry).await?;
        }
        write_state(
            tx,
            backend,
            &LeadState {
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
        )
        .await?;
        Ok(events)
    }

    /// Writes an event (once per dedupe key) and its deliveries; 1 when new.
    async fn event(
        &self,
        tx: &mut AnyConnection,
        backend: Backend,
        event_type: &str,
        dedupe_key: &str,
        mut payload: serde_json::Value,
    ) -> Result<usize, ServiceError> {
        let event_id = ids::new_id();
        let now = Timestamp::now();
        if let Some(map) = payload.as_object_mut() {
            map.insert("event_id".into(), json!(event_id));
            map.insert("type".into(), json!(event_type));
            map.insert("occurred_at".into(), json!(now.to_string()));
        }
        let sql = placeholders(
            backend,
            "INSERT INTO events (event_id, event_type, lead_id, dedupe_key, payload, created_at) \
             VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (dedupe_key) DO NOTHING",
        );
        let lead_id = payload
            .get("lead_id")
            .and_then(|v| v.as_str())
            .unwrap_or_default()
            .to_owned();
        let inserted = sqlx::query(AssertSqlSafe(sql))
            .bind(&event_id)
            .bind(event_type)
            .bind(lead_id)
            .bind(dedupe_key)
            .bind(payload.to_string())
            .bind(now.as_micros())
            .execute(&mut *tx)
            .await
            .map_err(q("write an event"))?
            .rows_affected();
        if inserted == 0 {
            return Ok(0);
        }
        webhooks::enqueue(
            tx,
            backend,
            &event_id,
            event_type,
            &self.live.webhooks,
            now.as_micros(),
        )
        .await?;
        Ok(1)
    }
}

/// A value as the JSON text stored in a column.
fn to_json<T: serde::Serialize>(value: &T) -> Result<String, ServiceError> {
    serde_json::to_string(value).map_err(|e| ServiceError::Scoring {
        reason: e.to_string(),
    })
}
