//! The rescoring worker: takes queued leads (queued by the writes that changed
//! them, in the same transaction), rescores them under every model, and writes
//! their scores, history, queue and events in one transaction.
//!
//! It reads and scores from a snapshot without the write lock, so writers are
//! held up only while it writes. A lead leaves the queue only if its queue
//! token is still the one read (see the store's rescoring queue); a lead
//! written to in between gets the scores of the snapshot (still the newest)
//! and stays queued, re-stamped, for the write it missed: a lead written to
//! again and again is still rescored every round it is read. Several
//! instances on one PostgreSQL database share the queue the same way: when
//! two score the same lead, one claim or re-stamp wins and the other skips it.

mod plan;
mod run;

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::Instant;

use leadscore_domain::{
    Account, AccountId, Contact, ContactId, Dataset, Lead, LeadId, Timestamp, sort_key,
};
use leadscore_store::{LeadWrite, QueueToken, QueuedLead, Round, Snapshot, SnapshotRead};

use crate::EngineError;
use crate::in_service::InService;
use crate::scoring::last_activity;
use crate::service::Service;
use crate::shadow;
use plan::{ListKeys, Planner};
pub use run::run;

/// What one round did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RoundDone {
    /// Leads read from the head of the queue (a lead written to meanwhile
    /// stays queued).
    pub claimed: usize,
    /// Events written.
    pub events: usize,
}

/// How often a round reloads the models to match its snapshot's before it
/// gives up (they changed again each time) and leaves the leads queued.
const MODEL_RELOADS: usize = 3;

/// One round: [`prepare`] then [`Prepared::commit`]. A lead written to in
/// between gets its scores as of the snapshot and stays queued for the next
/// round (they miss that write); a failure rolls back, leaving every lead
/// queued. The write lock is held only for the writes.
pub async fn rescore_round(service: &Service) -> Result<RoundDone, EngineError> {
    match prepare(service).await? {
        Some(prepared) => prepared.commit(service).await,
        None => Ok(RoundDone::default()),
    }
}

/// A round's scores, computed and not yet written.
pub struct Prepared {
    writes: Vec<LeadWrite>,
    unscored: Vec<(LeadId, QueueToken)>,
    /// Each lead read (scored or not) and when it was queued.
    queued_at: HashMap<LeadId, Timestamp>,
    /// When the snapshot was begun.
    read_at: Timestamp,
    model_names: Vec<String>,
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
pub async fn prepare(service: &Service) -> Result<Option<Prepared>, EngineError> {
    prepare_excluding(service, &HashSet::new()).await
}

/// As [`prepare`], passing over the leads in `busy` (those of a round being
/// written meanwhile).
pub async fn prepare_excluding(
    service: &Service,
    busy: &HashSet<LeadId>,
) -> Result<Option<Prepared>, EngineError> {
    let started = Instant::now();
    // One set of models for the whole round, loaded from the models the
    // snapshot holds: it says what to read, then scores. (This instance may
    // not have reloaded another's change yet.)
    let mut reloads = 0;
    let (live, snapshot) = loop {
        let live = service.in_service.get();
        let read = service
            .store
            .rescoring()
            .snapshot(
                &live.generation,
                service.settings.rescoring.batch,
                busy,
                // The properties only when some rule reads one.
                live.engine.reads_properties(),
            )
            .await?;
        match read {
            SnapshotRead::Empty => return Ok(None),
            SnapshotRead::Snapshot(snapshot) => break (live, snapshot),
            SnapshotRead::OtherModels if reloads < MODEL_RELOADS => {
                reloads += 1;
                service.reload().await?;
            }
            SnapshotRead::OtherModels => {
                return Err(EngineError::Scoring {
                    reason: format!(
                        "the models changed during each of {MODEL_RELOADS} reloads; \
                         the leads stay queued"
                    ),
                });
            }
        }
    };
    let read = started.elapsed();
    let prepared = score(service, &live, *snapshot)?;
    tracing::debug!(
        leads = prepared.queued_at.len(),
        read_ms = read.as_millis(),
        score_ms = (started.elapsed() - read).as_millis(),
        "rescoring round prepared"
    );
    Ok(Some(prepared))
}

/// Scores a snapshot's leads and plans their writes.
fn score(
    service: &Service,
    live: &Arc<InService>,
    snapshot: Snapshot,
) -> Result<Prepared, EngineError> {
    let ids: Vec<LeadId> = snapshot.queued.iter().map(|l| l.lead_id.clone()).collect();
    let at = service.settings.scoring_time();
    let results = live.engine.score(&snapshot.data, &ids, at)?;
    let activity = last_activity(&snapshot.data, at);
    let leads: HashMap<&LeadId, &Lead> = snapshot
        .data
        .leads
        .iter()
        .map(|l| (&l.lead_id, l))
        .collect();
    let queued: HashMap<&LeadId, &QueuedLead> =
        snapshot.queued.iter().map(|l| (&l.lead_id, l)).collect();
    let keys = list_keys(&snapshot.data);
    let model_names: Vec<String> = live
        .engine
        .plans()
        .iter()
        .map(|p| p.name().to_owned())
        .collect();
    let mut shadow: HashMap<LeadId, _> = match &live.challenger {
        Some(challenger) => shadow::score(challenger, &snapshot.data, &ids, at)
            .into_iter()
            .map(|row| (row.lead_id.clone(), row))
            .collect(),
        None => HashMap::new(),
    };
    let mut writes = Vec::with_capacity(results.len());
    for result in &results {
        let id = &result.lead_id;
        let Some(entry) = queued.get(id) else {
            continue;
        };
        let planner = Planner {
            result,
            old: snapshot.states.get(id),
            old_scores: snapshot.old_scores.get(id).map_or(&[], Vec::as_slice),
            recency: activity.get(id).copied().unwrap_or(at),
            cause: &entry.cause,
            lead: leads.get(id).copied(),
            live,
            keys: keys.get(id).cloned().unwrap_or_default(),
        };
        let mut write = planner.plan(entry.token, &model_names)?;
        write.shadow = shadow.remove(id);
        writes.push(write);
    }
    // Leads queued but gone from the store (or unscorable) still leave the
    // queue, under the same token rule.
    let scored: HashSet<&LeadId> = writes.iter().map(|w| &w.state.lead_id).collect();
    let unscored = snapshot
        .queued
        .iter()
        .filter(|l| !scored.contains(&l.lead_id))
        .map(|l| (l.lead_id.clone(), l.token))
        .collect();
    let queued_at = snapshot
        .queued
        .iter()
        .map(|l| (l.lead_id.clone(), l.queued_at))
        .collect();
    Ok(Prepared {
        writes,
        unscored,
        queued_at,
        read_at: snapshot.read_at,
        model_names,
    })
}

/// Each lead's name and company as the console's lists sort them
/// ([`sort_key`]): its contact's name; its own account's name, else its
/// contact's account's (as the lists show them).
fn list_keys(data: &Dataset) -> HashMap<&LeadId, ListKeys> {
    let contacts: HashMap<&ContactId, &Contact> =
        data.contacts.iter().map(|c| (&c.contact_id, c)).collect();
    let accounts: HashMap<&AccountId, &Account> =
        data.accounts.iter().map(|a| (&a.account_id, a)).collect();
    data.leads
        .iter()
        .map(|lead| {
            let contact = lead.contact_id.as_ref().and_then(|id| contacts.get(id));
            let account = lead
                .account_id
                .as_ref()
                .or_else(|| contact.and_then(|c| c.account_id.as_ref()))
                .and_then(|id| accounts.get(id));
            let keys = ListKeys {
                name: sort_key(contact.and_then(|c| c.full_name()).as_deref()),
                company: sort_key(account.and_then(|a| a.name.as_deref())),
            };
            (&lead.lead_id, keys)
        })
        .collect()
}

impl Prepared {
    /// The leads this round read (scored or not).
    pub fn lead_ids(&self) -> HashSet<LeadId> {
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
    /// state, shadow scores and events.
    pub async fn commit(self, service: &Service) -> Result<RoundDone, EngineError> {
        let started = Instant::now();
        let committed = service
            .store
            .rescoring()
            .commit(Round {
                writes: &self.writes,
                unscored: &self.unscored,
                queued_at: &self.queued_at,
                read_at: self.read_at,
                model_names: &self.model_names,
            })
            .await?;
        tracing::debug!(
            written = committed.written.len(),
            requeued = committed.requeued,
            skipped = self.writes.len() - committed.written.len(),
            write_ms = started.elapsed().as_millis(),
            "rescoring round committed"
        );
        let metrics = &service.metrics;
        metrics.rescored.inc_by(committed.written.len() as u64);
        let now = Timestamp::now().as_micros();
        for id in &committed.written {
            if let Some(queued) = self.queued_at.get(id) {
                let lag = (now - queued.as_micros()).max(0) as f64 / 1e6;
                metrics.rescore_lag.observe(lag);
            }
        }
        Ok(RoundDone {
            claimed: self.queued_at.len(),
            events: committed.events,
        })
    }
}
