//! The store's data as the designer uses it: the records read once into a
//! rule graph (kept for a minute, so that checking as one types stays fast;
//! on a store of more leads than the setting `limits.designer_sample_leads`,
//! the most recently active closed and open leads, that many of each, with
//! their records, so that the service's memory stays bounded whatever the
//! store's size),
//! the schema and the values of its fields; the backtest of a draft on the
//! closed leads (the library's own [`leadscore_rules::backtest`], as
//! `leadscore rules backtest` runs it); and what publishing the draft would
//! change for the open leads against their stored scores.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use leadscore_domain::{LeadId, Stage, Timestamp};
use leadscore_engine::{EngineError, Service};
use leadscore_rules::{
    Evaluator, Graph, ModelBacktest, Outcome, Plan, Projection, RuleModel, Schema, Scores, backtest,
};
use leadscore_store::{
    LeadFilter, LeadOrder, OPEN_STAGES, ObservedField, PageWindow, ScoreFilter, Store,
};
use serde::Serialize;

/// How long the store's data is kept before it is read again.
pub const KEEP_FOR: Duration = Duration::from_secs(60);

/// What a sample of a large store holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sample {
    /// Leads the store holds.
    pub stored: u64,
    /// The most closed leads, and the most open leads, read.
    pub per_kind: u32,
    /// The open leads read (their stored scores are compared).
    pub open: Vec<LeadId>,
}

/// The most values of one field read for the pickers and the value check.
pub const VALUES_PER_FIELD: u32 = 200;

/// On a store larger than the sample, the values are read from at most
/// this many records of each kind per sampled lead (the first stored).
pub const VALUE_ROWS_PER_LEAD: u32 = 10;

/// The store's records, read once, with what the designer suggests.
#[derive(Debug)]
pub struct StoreData {
    /// When they were read.
    pub read_at: Timestamp,
    /// Every record, indexed for rules (nothing projected away).
    pub graph: Graph,
    /// The fields and custom entities the records have.
    pub schema: Schema,
    /// The values of each text field, most frequent first.
    pub values: Vec<ObservedField>,
    /// Set when the store is larger than the sample read.
    pub sample: Option<Sample>,
    /// Leads stored when read (a change reads them again).
    stored: u64,
}

struct Kept {
    service: usize,
    at: Instant,
    data: Arc<StoreData>,
    /// A read of a newer copy is under way (in the background).
    refreshing: bool,
}

/// The last data read, per service (a process runs one; tests run several).
static KEPT: Mutex<Vec<Kept>> = Mutex::new(Vec::new());

/// The store's data: the copy read less than [`KEEP_FOR`] ago when the
/// store still holds as many leads, else read again. On a store larger than
/// the sample (where reading takes seconds), an older copy answers at once
/// while a newer one is read in the background, one read at a time: only
/// the first read after the service starts makes a page wait, and callers
/// that come while it runs wait for that same read.
pub async fn store_data(service: &Service) -> Result<Arc<StoreData>, EngineError> {
    let key = service_key(service);
    let stored = service.store.lead_list().stored().await?;
    let large = stored > u64::from(service.settings.limits.designer_sample_leads);
    if let Some(data) = fresh(key, stored) {
        return Ok(data);
    }
    if large
        && let Ok(mut kept) = KEPT.lock()
        && let Some(k) = kept.iter_mut().find(|k| k.service == key)
        && k.data.sample.is_some()
    {
        let refresh = !k.refreshing;
        k.refreshing = true;
        let data = Arc::clone(&k.data);
        drop(kept);
        if refresh {
            let service = service.clone();
            tokio::spawn(async move {
                if let Err(error) = read_once(&service, key, stored).await {
                    tracing::warn!(%error, "cannot read the store's data for the designer");
                    if let Ok(mut kept) = KEPT.lock()
                        && let Some(k) = kept.iter_mut().find(|k| k.service == key)
                    {
                        k.refreshing = false;
                    }
                }
            });
        }
        return Ok(data);
    }
    // In a task of its own, so that a caller that stops waiting (see
    // [`store_data_within`]) leaves the read to finish for the next one.
    let reader = service.clone();
    tokio::spawn(async move { read_once(&reader, key, stored).await })
        .await
        .map_err(|e| EngineError::Scoring {
            reason: format!("reading the store's data stopped: {e}"),
        })?
}

/// [`store_data`], waiting at most `patience` when none is kept yet: `None`
/// when the data is still being read then (the read goes on). A kept copy
/// answers as [`store_data`] answers, without a limit (at once, or, on a
/// small store, after reading it again).
pub async fn store_data_within(
    service: &Service,
    patience: Duration,
) -> Result<Option<Arc<StoreData>>, EngineError> {
    let key = service_key(service);
    let kept = KEPT
        .lock()
        .is_ok_and(|kept| kept.iter().any(|k| k.service == key));
    if kept {
        return store_data(service).await.map(Some);
    }
    match tokio::time::timeout(patience, store_data(service)).await {
        Ok(data) => data.map(Some),
        Err(_) => Ok(None),
    }
}

/// The key of a service's kept data (a process runs one; tests run several).
fn service_key(service: &Service) -> usize {
    std::ptr::from_ref::<leadscore_engine::service::Shared>(service) as usize
}

/// One lock per service, held while its data is read: one read at a time.
static READING: Mutex<Vec<(usize, Arc<tokio::sync::Mutex<()>>)>> = Mutex::new(Vec::new());

/// Reads the store's data for the service `key`, unless a read that ran
/// while this one waited for its turn kept a fresh enough copy.
async fn read_once(
    service: &Service,
    key: usize,
    stored: u64,
) -> Result<Arc<StoreData>, EngineError> {
    let lock = READING.lock().map(
        |mut reading| match reading.iter().find(|(k, _)| *k == key) {
            Some((_, lock)) => Arc::clone(lock),
            None => {
                let lock = Arc::new(tokio::sync::Mutex::new(()));
                reading.push((key, Arc::clone(&lock)));
                lock
            }
        },
    );
    let lock = lock.unwrap_or_else(|_| Arc::new(tokio::sync::Mutex::new(())));
    let _turn = lock.lock().await;
    match fresh(key, stored) {
        Some(data) => Ok(data),
        None => read_and_keep(service, key, stored).await,
    }
}

/// The copy kept for the service `key`, when read less than [`KEEP_FOR`]
/// ago and the store still holds `stored` leads.
fn fresh(key: usize, stored: u64) -> Option<Arc<StoreData>> {
    KEPT.lock().ok().and_then(|kept| {
        kept.iter()
            .find(|k| k.service == key && k.data.stored == stored && k.at.elapsed() < KEEP_FOR)
            .map(|k| Arc::clone(&k.data))
    })
}

/// Starts reading the store's data in the background when none is kept for
/// this service and the store is larger than the sample (where reading
/// takes seconds), so that the designer's first page does not wait for it.
/// The overview, where people land after signing in, calls it.
pub fn warm(service: &Service) {
    let key = service_key(service);
    let kept = KEPT
        .lock()
        .map_or(true, |kept| kept.iter().any(|k| k.service == key));
    if kept {
        return;
    }
    let service = service.clone();
    tokio::spawn(async move {
        let large = service
            .store
            .lead_list()
            .stored()
            .await
            .is_ok_and(|stored| stored > u64::from(service.settings.limits.designer_sample_leads));
        if large && let Err(error) = store_data(&service).await {
            tracing::warn!(%error, "cannot read the store's data for the designer");
        }
    });
}

/// Reads the store's data and keeps it for the service `key`.
async fn read_and_keep(
    service: &Service,
    key: usize,
    stored: u64,
) -> Result<Arc<StoreData>, EngineError> {
    let per_kind = service.settings.limits.designer_sample_leads;
    let (dataset, sample) = if stored <= u64::from(per_kind) {
        (service.store.export().await?, None)
    } else {
        let recent = |stages: Vec<Stage>| LeadFilter {
            stages,
            order: LeadOrder::RecentDesc,
            ..LeadFilter::default()
        };
        let window = PageWindow {
            limit: per_kind,
            offset: 0,
        };
        let list = service.store.lead_list();
        let ids = |rows: Vec<leadscore_store::LeadListRow>| -> Vec<LeadId> {
            rows.into_iter().map(|r| r.lead_id).collect()
        };
        let closed = ids(list
            .page(&recent(vec![Stage::Qualified, Stage::Disqualified]), window)
            .await?
            .rows);
        let open = ids(list.page(&recent(OPEN_STAGES.to_vec()), window).await?.rows);
        let both: Vec<LeadId> = closed.iter().chain(&open).cloned().collect();
        let dataset = service.store.records().neighbourhood(&both, true).await?;
        (
            dataset,
            Some(Sample {
                stored,
                per_kind,
                open,
            }),
        )
    };
    // On a large store, the values of as many records of each kind as the
    // sample could hold (read store-wide, they took seconds).
    let values = service
        .store
        .field_values(
            VALUES_PER_FIELD,
            sample
                .as_ref()
                .map(|_| per_kind.saturating_mul(VALUE_ROWS_PER_LEAD)),
        )
        .await?;
    let data = tokio::task::spawn_blocking(move || {
        let graph =
            Graph::from_dataset(&dataset, Projection::all()).map_err(|e| EngineError::Scoring {
                reason: e.to_string(),
            })?;
        let schema = Schema::from_graph(&graph);
        Ok::<_, EngineError>(StoreData {
            read_at: Timestamp::now(),
            graph,
            schema,
            values,
            sample,
            stored,
        })
    })
    .await
    .map_err(|e| EngineError::Scoring {
        reason: format!("reading the store's data stopped: {e}"),
    })??;
    let data = Arc::new(data);
    if let Ok(mut kept) = KEPT.lock() {
        kept.retain(|k| k.service != key && k.at.elapsed() < KEEP_FOR);
        kept.push(Kept {
            service: key,
            at: Instant::now(),
            data: Arc::clone(&data),
            refreshing: false,
        });
    }
    Ok(data)
}

/// What publishing a draft would change for the open leads.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Changes {
    /// Open leads the model scores (under the draft).
    pub open_leads: usize,
    /// Open leads whose grade under the draft differs from the stored one.
    pub grade_changes: usize,
    /// Open leads whose score reaches the threshold under the draft but did
    /// not under the saved model.
    pub become_sales_ready: usize,
    /// Open leads whose score reached the threshold under the saved model
    /// and does not under the draft.
    pub no_longer_sales_ready: usize,
    /// The most frequent grade changes: `(from, to, leads)`, `(none)` for no
    /// grade.
    pub moves: Vec<(String, String, usize)>,
}

/// A draft's figures on the store's data.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Figures {
    /// Closed leads in the store.
    pub closed_leads: usize,
    /// Closed leads without a close time (left out).
    pub without_close_time: usize,
    /// The draft's backtest.
    pub backtest: ModelBacktest,
    /// The saved model's backtest on the same leads, when there is one.
    pub saved: Option<ModelBacktest>,
    /// What publishing would change.
    pub changes: Changes,
    /// When the data was read (`2026-10-01T12:00:00Z`).
    pub read_at: String,
    /// The leads the store holds, when the figures are of a sample.
    pub sampled_from: Option<u64>,
    /// The most closed leads, and the most open leads, the sample holds.
    pub sample_per_kind: Option<u32>,
}

/// The stored score of each lead under a model: `lead id -> (grade,
/// reached the threshold)`.
pub type Stored = HashMap<String, (Option<String>, bool)>;

/// Reads the stored scores of a model (none for a new one): of the sampled
/// open leads when `data` is a sample, else of every lead.
pub async fn stored_scores(
    service: &Service,
    model: &str,
    data: &StoreData,
) -> Result<Stored, EngineError> {
    if model.is_empty() {
        return Ok(Stored::new());
    }
    if let Some(sample) = &data.sample {
        let mut out = Stored::new();
        for chunk in sample.open.chunks(5_000) {
            for (lead, rows) in service.store.scores().rule_scores(chunk).await? {
                if let Some(r) = rows.into_iter().find(|r| r.model == model) {
                    out.insert(lead.as_str().to_owned(), (r.grade, r.sales_ready));
                }
            }
        }
        return Ok(out);
    }
    let listing = service
        .store
        .scores()
        .under_model(model, &ScoreFilter::default(), None)
        .await?;
    Ok(listing
        .rows
        .into_iter()
        .map(|r| (r.lead_id.as_str().to_owned(), (r.grade, r.sales_ready)))
        .collect())
}

/// Backtests a draft (and the saved model beside it) on the closed leads,
/// and scores the open leads as of `at` to compare with `stored`. CPU work:
/// call it off the async threads.
pub fn figures(
    data: &StoreData,
    model: &RuleModel,
    saved: Option<&RuleModel>,
    stored: &Stored,
    at: Timestamp,
) -> Result<Figures, EngineError> {
    let compile = |m: &RuleModel| {
        Plan::compile(m).map_err(|e| EngineError::Scoring {
            reason: e.to_string(),
        })
    };
    let mut plans = vec![compile(model)?];
    if let Some(saved) = saved {
        plans.push(compile(saved)?);
    }
    let evaluator = Evaluator::new(&data.graph, &plans);
    let result = backtest(&evaluator, None);
    let mut models = result.models.into_iter();
    let Some(draft) = models.next() else {
        return Err(EngineError::Scoring {
            reason: "the backtest gave no result".to_owned(),
        });
    };
    let changes = changes(&data.graph, &plans[..1], stored, at);
    let read_at = data.read_at.as_micros() / 1_000_000 * 1_000_000;
    Ok(Figures {
        closed_leads: result.closed_leads,
        without_close_time: result.without_close_time,
        backtest: draft,
        saved: models.next(),
        changes,
        read_at: Timestamp::from_micros(read_at)
            .unwrap_or(data.read_at)
            .to_string(),
        sampled_from: data.sample.as_ref().map(|s| s.stored),
        sample_per_kind: data.sample.as_ref().map(|s| s.per_kind),
    })
}

fn changes(graph: &Graph, plan: &[Plan], stored: &Stored, at: Timestamp) -> Changes {
    let evaluator = Evaluator::new(graph, plan);
    let mut scores = Scores::default();
    let mut out = Changes::default();
    let mut moves: HashMap<(String, String), usize> = HashMap::new();
    let grades = &plan
        .first()
        .map(|p| p.model().grades.clone())
        .unwrap_or_default();
    for (i, lead) in graph.leads().iter().enumerate() {
        if lead.status.outcome().is_some() {
            continue;
        }
        let Some(when) = leadscore_scoring::scoring_time(lead, at) else {
            continue;
        };
        evaluator.evaluate(i, when, &mut scores);
        let Some(result) = scores.results.first() else {
            continue;
        };
        let (grade, ready) = match result.outcome {
            Outcome::Scored {
                grade, sales_ready, ..
            } => (
                grade
                    .and_then(|g| grades.get(usize::from(g)))
                    .map(|g| g.name.clone()),
                sales_ready,
            ),
            Outcome::Unscored(_) => continue,
        };
        out.open_leads += 1;
        let (old_grade, old_ready) = stored
            .get(lead.lead_id.as_str())
            .cloned()
            .unwrap_or((None, false));
        if old_grade != grade {
            out.grade_changes += 1;
            let name = |g: Option<String>| g.unwrap_or_else(|| "(none)".to_owned());
            *moves.entry((name(old_grade), name(grade))).or_default() += 1;
        }
        match (old_ready, ready) {
            (false, true) => out.become_sales_ready += 1,
            (true, false) => out.no_longer_sales_ready += 1,
            _ => {}
        }
    }
    let mut moves: Vec<(String, String, usize)> =
        moves.into_iter().map(|((a, b), n)| (a, b, n)).collect();
    moves.sort_by(|a, b| b.2.cmp(&a.2).then_with(|| (&a.0, &a.1).cmp(&(&b.0, &b.1))));
    moves.truncate(8);
    out.moves = moves;
    out
}
