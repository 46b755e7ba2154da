//! The rescoring worker: takes queued leads (queued by the writes that changed
//! them, in the same transaction), rescores them under every model, and writes
//! their scores, history, queue and events in one transaction.
//!
//! It reads and scores from a snapshot without the write lock, so writers are
//! held up only while it writes. A lead leaves the queue only if its queue
//! token is still the one read (see `leadscore_store::queue`); a lead written
//! to in between gets the scores of the snapshot (still the newest) and stays
//! queued, re-stamped, for the write it missed: a lead written to again and
//! again is still rescored every round it is read. Several instances on one
//! PostgreSQL database share the queue the same way: when two score the same
//! lead, one claim or re-stamp wins and the other skips it.

mod plan;
mod run;

use std::collections::{HashMap, HashSet};
use std::time::Instant;

use leadscore_domain::{Dataset, Lead, Timestamp};
use leadscore_store::{Backend, placeholders};
use serde_json::json;
use sqlx::{AnyConnection, AssertSqlSafe, Connection, Row};

use crate::app::AppState;
use crate::engine::last_activity;
use crate::live::Live;
use crate::shadow::{self, ShadowRow};
use crate::state::{
    HistoryEntry, LeadState, RuleScoreRow, append_history, delete_other_rule_scores,
    read_rule_scores, read_states, write_rule_scores, write_states,
};
use crate::{ServiceError, ids, webhooks};
use plan::{LeadWrite, PlannedEvent, Planner};
pub use run::run;

fn q(operation: &'static str) -> impl FnOnce(sqlx::Error) -> ServiceError {
    ServiceError::query(operation)
}

/// What one round did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Round {
    /// Leads read from the head of the queue (a lead written to meanwhile
    /// stays queued).
    pub claimed: usize,
    /// Events written.
    pub events: usize,
}

/// A lead on the rescoring queue.
#[derive(Debug)]
struct Queued {
    lead_id: String,
    /// Why it was queued (the first write's cause).
    cause: String,
    /// The token of its latest queuing write.
    token: i64,
    /// When it was first queued since its last rescoring (microseconds).
    queued_at: i64,
}

/// Up to `batch` queued leads, oldest first.
async fn peek(
    conn: &mut AnyConnection,
    backend: Backend,
    batch: usize,
) -> Result<Vec<Queued>, ServiceError> {
    let sql = placeholders(
        backend,
        "SELECT lead_id, cause, token, queued_at FROM rescore_queue \
         ORDER BY queued_at, lead_id LIMIT ?",
    );
    let rows = sqlx::query(AssertSqlSafe(sql))
        .bind(i64::try_from(batch).unwrap_or(i64::MAX))
        .fetch_all(&mut *conn)
        .await
        .map_err(q("read the rescoring queue"))?;
    rows.iter()
        .map(|r| {
            Ok(Queued {
                lead_id: r.try_get(0)?,
                cause: r.try_get(1)?,
                token: r.try_get(2)?,
                queued_at: r.try_get(3)?,
            })
        })
        .collect::<Result<Vec<_>, sqlx::Error>>()
        .map_err(q("read the rescoring queue"))
}

/// What a round read from one snapshot.
struct Snapshot {
    /// When the snapshot was begun (microseconds): every write it misses
    /// committed after this.
    read_at: i64,
    queued: Vec<Queued>,
    data: Dataset,
    states: HashMap<String, LeadState>,
    old_scores: HashMap<String, Vec<RuleScoreRow>>,
}

/// What [`read_snapshot`] found.
enum Read {
    /// Nothing queued.
    Empty,
    /// The snapshot's models are not the engine's: the round would score
    /// with models older or newer than the data (and, with older ones, take
    /// the leads a model change queued off the queue with the old scores).
    OtherModels,
    /// A round to score.
    Snapshot(Box<Snapshot>),
}

/// Reads the head of the queue and everything scoring those leads needs from
/// one consistent snapshot, without taking the write lock, when the
/// snapshot's models are the `live` engine's. Leads in `busy` (being written
/// by the round before) are passed over.
async fn read_snapshot(
    state: &AppState,
    conn: &mut AnyConnection,
    live: &Live,
    busy: &HashSet<String>,
) -> Result<Read, ServiceError> {
    let backend = state.store.backend();
    let op = "read leads to rescore";
    let read_at = Timestamp::now().as_micros();
    let mut tx = conn
        .begin_with(backend.begin_snapshot())
        .await
        .map_err(q(op))?;
    // First, so that on PostgreSQL it is what fixes the snapshot.
    if crate::registry::generation(&mut *tx).await? != live.generation {
        tx.rollback().await.map_err(q(op))?;
        return Ok(Read::OtherModels);
    }
    let batch = state.settings.rescoring.batch;
    let mut queued = peek(&mut tx, backend, batch + busy.len()).await?;
    queued.retain(|l| !busy.contains(&l.lead_id));
    queued.truncate(batch);
    if queued.is_empty() {
        tx.rollback().await.map_err(q(op))?;
        return Ok(Read::Empty);
    }
    let ids: Vec<String> = queued.iter().map(|l| l.lead_id.clone()).collect();
    // The properties only when some rule reads one.
    let properties = live.engine.reads_properties();
    let data = state
        .store
        .neighbourhood_in(&mut tx, &ids, properties)
        .await?;
    let states = read_states(&mut tx, backend, &ids).await?;
    let old_scores = read_rule_scores(&mut tx, backend, &ids).await?;
    tx.rollback().await.map_err(q(op))?;
    Ok(Read::Snapshot(Box::new(Snapshot {
        read_at,
        queued,
        data,
        states,
        old_scores,
    })))
}

/// How often a round reloads the models to match its snapshot's before it
/// gives up (they changed again each time) and leaves the leads queued.
const MODEL_RELOADS: usize = 3;

/// One round: [`prepare`] then [`Prepared::commit`]. A lead written to in
/// between gets its scores as of the snapshot and stays queued for the next
/// round (they miss that write); a failure rolls back, leaving every lead
/// queued. The write lock is held only for the writes.
pub async fn rescore_round(state: &AppState) -> Result<Round, ServiceError> {
    match prepare(state).await? {
        Some(prepared) => prepared.commit(state).await,
        None => Ok(Round::default()),
    }
}

/// A round's scores, computed and not yet written.
pub struct Prepared {
    writes: Vec<LeadWrite>,
    unscored: Vec<(String, i64)>,
    /// Each lead read (scored or not) and when it was queued (microseconds).
    queued_at: HashMap<String, i64>,
    /// When the snapshot was begun (microseconds).
    read_at: i64,
    model_names: Vec<String>,
    live: std::sync::Arc<Live>,
}

impl std::fmt::Debug for Prepared {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Prepared")
            .field("leads", &self.queued_at.len())
            .field("writes", &self.writes.len())
            .finish_non_exhaustive()
    }
}

/// Reads a batch of queued leads with their records from one snapshot and
/// scores them, without the write lock. `None` when the queue is empty.
pub async fn prepare(state: &AppState) -> Result<Option<Prepared>, ServiceError> {
    prepare_excluding(state, &HashSet::new()).await
}

/// As [`prepare`], passing over the leads in `busy` (those of a round being
/// written meanwhile).
pub async fn prepare_excluding(
    state: &AppState,
    busy: &HashSet<String>,
) -> Result<Option<Prepared>, ServiceError> {
    let started = Instant::now();
    let mut conn = state
        .store
        .pool()
        .acquire()
        .await
        .map_err(q("rescore leads"))?;
    // One engine for the whole round, loaded from the models the snapshot
    // holds: it says what to read, then scores. (This instance may not have
    // reloaded another's change yet.)
    let mut reloads = 0;
    let (live, snapshot) = loop {
        let live = state.live.get();
        match read_snapshot(state, &mut conn, &live, busy).await? {
            Read::Empty => return Ok(None),
            Read::Snapshot(snapshot) => break (live, snapshot),
            Read::OtherModels if reloads < MODEL_RELOADS => {
                reloads += 1;
                state.live.refresh(&state.store, &state.settings).await?;
            }
            Read::OtherModels => {
                return Err(ServiceError::Scoring {
                    reason: format!(
                        "the models changed during each of {MODEL_RELOADS} reloads; \
                         the leads stay queued"
                    ),
                });
            }
        }
    };
    drop(conn);
    let read = started.elapsed();
    let ids: Vec<String> = snapshot.queued.iter().map(|l| l.lead_id.clone()).collect();
    let at = state.settings.scoring_time();
    let results = live.engine.score(&snapshot.data, &ids, at)?;
    let activity = last_activity(&snapshot.data, at);
    let leads: HashMap<&str, &Lead> = snapshot
        .data
        .leads
        .iter()
        .map(|l| (l.lead_id.as_str(), l))
        .collect();
    let queued: HashMap<&str, &Queued> = snapshot
        .queued
        .iter()
        .map(|l| (l.lead_id.as_str(), l))
        .collect();
    let model_names: Vec<String> = live
        .engine
        .plans()
        .iter()
        .map(|p| p.name().to_owned())
        .collect();
    let mut shadow: HashMap<String, ShadowRow> = match &live.challenger {
        Some(challenger) => shadow::score(challenger, &snapshot.data, &ids, at)
            .into_iter()
            .map(|row| (row.lead_id.clone(), row))
            .collect(),
        None => HashMap::new(),
    };
    let mut writes = Vec::with_capacity(results.len());
    for result in &results {
        let id = result.lead_id.as_str();
        let Some(entry) = queued.get(id) else {
            continue;
        };
        let (cause, token) = (entry.cause.as_str(), entry.token);
        let planner = Planner {
            result,
            old: snapshot.states.get(id),
            old_scores: snapshot.old_scores.get(id).map_or(&[], Vec::as_slice),
            recency: activity.get(id).copied().unwrap_or(at.as_micros()),
            cause,
            lead: leads.get(id).copied(),
            live: &live,
        };
        let mut write = planner.plan(token, &model_names)?;
        write.shadow = shadow.remove(id);
        writes.push(write);
    }
    // Leads queued but gone from the store (or unscorable) still leave the
    // queue, under the same token rule.
    let scored: HashSet<&str> = writes.iter().map(|w| w.state.lead_id.as_str()).collect();
    let unscored = snapshot
        .queued
        .iter()
        .filter(|l| !scored.contains(l.lead_id.as_str()))
        .map(|l| (l.lead_id.clone(), l.token))
        .collect();
    let queued_at = snapshot
        .queued
        .iter()
        .map(|l| (l.lead_id.clone(), l.queued_at))
        .collect();
    tracing::debug!(
        leads = ids.len(),
        read_ms = read.as_millis(),
        score_ms = (started.elapsed() - read).as_millis(),
        "rescoring round prepared"
    );
    Ok(Some(Prepared {
        writes,
        unscored,
        queued_at,
        read_at: snapshot.read_at,
        model_names,
        live,
    }))
}

impl Prepared {
    /// The leads this round read (scored or not).
    pub fn lead_ids(&self) -> HashSet<String> {
        self.queued_at.keys().cloned().collect()
    }

    /// How many leads this round read.
    pub fn len(&self) -> usize {
        self.queued_at.len()
    }

    /// True when the round read no lead (never: [`prepare`] gives `None`).
    pub fn is_empty(&self) -> bool {
        self.queued_at.is_empty()
    }

    /// In one write transaction, takes off the queue each lead whose token
    /// is unchanged, re-stamps each lead written to since the snapshot that
    /// no other worker scored meanwhile, and writes both's scores, history,
    /// state and events.
    pub async fn commit(self, state: &AppState) -> Result<Round, ServiceError> {
        let started = Instant::now();
        let backend = state.store.backend();
        let op = "rescore leads";
        let mut tx = state.store.begin_write().await.map_err(q(op))?;
        let wanted: Vec<(&str, i64)> = self
            .writes
            .iter()
            .map(|w| (w.state.lead_id.as_str(), w.token))
            .chain(
                self.unscored
                    .iter()
                    .map(|(id, token)| (id.as_str(), *token)),
            )
            .collect();
        let mut claimed = claim(&mut tx, backend, &wanted).await?;
        // Leads written to since the snapshot: their scores as of it are
        // still the newest, and they stay queued for what it missed.
        let stale: Vec<(&str, i64)> = self
            .writes
            .iter()
            .map(|w| w.state.lead_id.as_str())
            .filter(|id| !claimed.contains(*id))
            .filter_map(|id| self.queued_at.get(id).map(|&at| (id, at)))
            .collect();
        let restamped = restamp(&mut tx, backend, &stale, self.read_at).await?;
        let requeued = restamped.len();
        claimed.extend(restamped);
        let writes: Vec<&LeadWrite> = self
            .writes
            .iter()
            .filter(|w| claimed.contains(w.state.lead_id.as_str()))
            .collect();
        let events = write_all(&mut tx, backend, &writes, &self.model_names, &self.live).await?;
        tx.commit().await.map_err(q(op))?;
        tracing::debug!(
            written = writes.len(),
            requeued,
            skipped = self.writes.len() - writes.len(),
            write_ms = started.elapsed().as_millis(),
            "rescoring round committed"
        );
        state.metrics.rescored.inc_by(writes.len() as u64);
        let now = Timestamp::now().as_micros();
        for w in &writes {
            if let Some(queued) = self.queued_at.get(w.state.lead_id.as_str()) {
                let lag = (now - queued).max(0) as f64 / 1e6;
                state.metrics.rescore_lag.observe(lag);
            }
        }
        Ok(Round {
            claimed: self.queued_at.len(),
            events,
        })
    }
}

/// Takes off the queue each lead whose token is unchanged; returns their ids.
async fn claim(
    conn: &mut AnyConnection,
    backend: Backend,
    wanted: &[(&str, i64)],
) -> Result<HashSet<String>, ServiceError> {
    let op = "take leads off the rescoring queue";
    let sql = leadscore_store::queue::claim_sql;
    ids_returned(conn, backend, op, sql, &[], wanted).await
}

/// Re-stamps with `read_at` the queued leads that still hold the queued-at
/// the round read (see `leadscore_store::queue::restamp_sql`); returns their
/// ids: their scores are written and they stay queued.
async fn restamp(
    conn: &mut AnyConnection,
    backend: Backend,
    stale: &[(&str, i64)],
    read_at: i64,
) -> Result<HashSet<String>, ServiceError> {
    let op = "keep written-to leads on the rescoring queue";
    let sql = leadscore_store::queue::restamp_sql;
    ids_returned(conn, backend, op, sql, &[read_at, read_at], stale).await
}

/// Runs a queue statement over `(lead id, value)` pairs that returns lead
/// ids (`sql` gives it for a number of pairs), [`CLAIM_CHUNK`] pairs at a
/// time, binding `leading` before each chunk's pairs; returns the ids.
async fn ids_returned(
    conn: &mut AnyConnection,
    backend: Backend,
    op: &'static str,
    sql: fn(Backend, usize) -> String,
    leading: &[i64],
    pairs: &[(&str, i64)],
) -> Result<HashSet<String>, ServiceError> {
    let mut ids = HashSet::new();
    for chunk in pairs.chunks(CLAIM_CHUNK) {
        let mut query = sqlx::query(AssertSqlSafe(sql(backend, chunk.len())));
        for value in leading {
            query = query.bind(*value);
        }
        for (id, value) in chunk {
            query = query.bind(*id).bind(*value);
        }
        for row in query.fetch_all(&mut *conn).await.map_err(q(op))? {
            ids.insert(row.try_get::<String, _>(0).map_err(q(op))?);
        }
    }
    Ok(ids)
}

/// Leads per claiming statement.
const CLAIM_CHUNK: usize = 250;

/// Writes the planned scores, history, states and events of claimed leads,
/// many rows per statement; returns how many events were new.
async fn write_all(
    tx: &mut AnyConnection,
    backend: Backend,
    writes: &[&LeadWrite],
    model_names: &[String],
    live: &Live,
) -> Result<usize, ServiceError> {
    let rule_rows: Vec<&RuleScoreRow> = writes.iter().flat_map(|w| &w.rule_scores).collect();
    write_rule_scores(tx, backend, &rule_rows).await?;
    for w in writes.iter().filter(|w| w.drop_other_models) {
        delete_other_rule_scores(tx, backend, &w.state.lead_id, model_names).await?;
    }
    let history: Vec<(&str, i64, &HistoryEntry)> = writes
        .iter()
        .flat_map(|w| {
            w.history
                .iter()
                .map(|e| (w.state.lead_id.as_str(), w.state.scored_at, e))
        })
        .collect();
    append_history(tx, backend, &history).await?;
    let states: Vec<&LeadState> = writes.iter().map(|w| &w.state).collect();
    write_states(tx, backend, &states).await?;
    let shadow_rows: Vec<&ShadowRow> = writes.iter().filter_map(|w| w.shadow.as_ref()).collect();
    shadow::write(tx, backend, &shadow_rows).await?;
    let mut events = 0;
    for w in writes {
        for e in &w.events {
            events += write_event(tx, backend, live, e).await?;
        }
    }
    Ok(events)
}

/// Writes an event (once per dedupe key) and its deliveries; 1 when new.
async fn write_event(
    tx: &mut AnyConnection,
    backend: Backend,
    live: &Live,
    event: &PlannedEvent,
) -> Result<usize, ServiceError> {
    let event_id = ids::new_id();
    let now = Timestamp::now();
    let mut payload = event.payload.clone();
    if let Some(map) = payload.as_object_mut() {
        map.insert("event_id".into(), json!(event_id));
        map.insert("type".into(), json!(event.event_type));
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
        .bind(event.event_type)
        .bind(lead_id)
        .bind(event.dedupe_key.as_str())
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
        event.event_type,
        &live.webhooks,
        now.as_micros(),
    )
    .await?;
    Ok(1)
}
