//! The rescoring worker's two steps, each one transaction: read the head of
//! the queue with everything scoring it needs from one snapshot (without the
//! write lock), then write a round's scores, history, states, shadow scores
//! and events while taking its leads off the queue (see [`crate::queue`] for
//! the token rule that keeps a lead written to meanwhile queued).

use std::collections::{HashMap, HashSet};

use leadscore_domain::{Dataset, LeadId, Timestamp};
use sqlx::Connection;

use crate::outbox::{NewEvent, insert_events};
use crate::queue::{self, QueueToken, QueuedLead};
use crate::records::neighbourhood::neighbourhood;
use crate::registry::{Generation, generation};
use crate::scores::{
    HistoryRow, LeadStateRow, RuleScoreRow, append_history, delete_other_rule_scores,
    read_rule_scores, read_states, write_rule_scores, write_states,
};
use crate::shadow::{self, ShadowRow};
use crate::{SqlStore, StoreError};

/// What a round read from one snapshot.
#[derive(Debug)]
pub struct Snapshot {
    /// When the snapshot was begun: every write it misses committed after
    /// this.
    pub read_at: Timestamp,
    /// The head of the queue.
    pub queued: Vec<QueuedLead>,
    /// Everything the queued leads' scores read.
    pub data: Dataset,
    /// Their stored states.
    pub states: HashMap<LeadId, LeadStateRow>,
    /// Their stored rule scores.
    pub old_scores: HashMap<LeadId, Vec<RuleScoreRow>>,
}

/// What [`Rescoring::snapshot`] found.
#[derive(Debug)]
pub enum SnapshotRead {
    /// Nothing queued.
    Empty,
    /// The snapshot's models are not the caller's: the round would score
    /// with models older or newer than the data.
    OtherModels,
    /// A round to score.
    Snapshot(Box<Snapshot>),
}

/// Everything rescoring one lead writes.
#[derive(Debug, Clone)]
pub struct LeadWrite {
    /// The queue token the lead was read with.
    pub token: QueueToken,
    /// Its score under every rule model.
    pub rule_scores: Vec<RuleScoreRow>,
    /// Whether stored scores of models no longer in service must go.
    pub drop_other_models: bool,
    /// What changed, and why.
    pub history: Vec<HistoryRow>,
    /// Transitions to report.
    pub events: Vec<NewEvent>,
    /// The lead's new state.
    pub state: LeadStateRow,
    /// Its score under the challenger, if one is in shadow.
    pub shadow: Option<ShadowRow>,
}

/// A round to write.
#[derive(Debug, Clone, Copy)]
pub struct Round<'a> {
    /// The scored leads.
    pub writes: &'a [LeadWrite],
    /// Leads read but not scored (gone from the store, or unscorable): they
    /// leave the queue under the same token rule.
    pub unscored: &'a [(LeadId, QueueToken)],
    /// When each lead read was queued.
    pub queued_at: &'a HashMap<LeadId, Timestamp>,
    /// When the round's snapshot was begun.
    pub read_at: Timestamp,
    /// The rule models in service (stored scores of others are deleted).
    pub model_names: &'a [String],
}

/// What a round's write did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Committed {
    /// The leads whose scores were written.
    pub written: HashSet<LeadId>,
    /// Of those, the ones written to since the snapshot: they stay queued.
    pub requeued: usize,
    /// New events.
    pub events: usize,
}

/// The rescoring worker's reads and writes (see the
/// [module documentation](self)).
#[derive(Debug, Clone, Copy)]
pub struct Rescoring<'a> {
    pub(crate) store: &'a SqlStore,
}

impl Rescoring<'_> {
    /// Reads up to `limit` queued leads (passing over those in `busy`) with
    /// their records, states and rule scores from one consistent snapshot,
    /// when the snapshot's models are `expected`'s. Without `properties`,
    /// interactions are read without their properties.
    pub async fn snapshot(
        &self,
        expected: &Generation,
        limit: usize,
        busy: &HashSet<LeadId>,
        properties: bool,
    ) -> Result<SnapshotRead, StoreError> {
        let op = "read leads to rescore";
        let backend = self.store.backend();
        let read_at = Timestamp::now();
        let mut conn = self.store.acquire(op).await?;
        let mut tx = conn
            .begin_with(backend.begin_snapshot())
            .await
            .map_err(StoreError::query(op))?;
        // First, so that on PostgreSQL it is what fixes the snapshot.
        if generation(&mut tx).await? != *expected {
            tx.rollback().await.map_err(StoreError::query(op))?;
            return Ok(SnapshotRead::OtherModels);
        }
        let mut queued = queue::peek(&mut tx, backend, limit + busy.len()).await?;
        queued.retain(|l| !busy.contains(&l.lead_id));
        queued.truncate(limit);
        if queued.is_empty() {
            tx.rollback().await.map_err(StoreError::query(op))?;
            return Ok(SnapshotRead::Empty);
        }
        let ids: Vec<LeadId> = queued.iter().map(|l| l.lead_id.clone()).collect();
        let texts: Vec<String> = ids.iter().map(|l| l.as_str().to_owned()).collect();
        let data = neighbourhood(&mut tx, backend, &texts, properties).await?;
        let states = read_states(&mut tx, backend, &ids).await?;
        let old_scores = read_rule_scores(&mut tx, backend, &ids).await?;
        tx.rollback().await.map_err(StoreError::query(op))?;
        Ok(SnapshotRead::Snapshot(Box::new(Snapshot {
            read_at,
            queued,
            data,
            states,
            old_scores,
        })))
    }

    /// In one write transaction: takes off the queue each lead whose token is
    /// unchanged, re-stamps each lead written to since the snapshot that no
    /// other worker scored meanwhile (its scores as of the snapshot are still
    /// the newest; it stays queued for what the snapshot missed), and writes
    /// both's scores, history, states, shadow scores and events.
    pub async fn commit(&self, round: Round<'_>) -> Result<Committed, StoreError> {
        let op = "rescore leads";
        let backend = self.store.backend();
        write_tx!(self.store, op, |tx| {
            let wanted: Vec<(&LeadId, QueueToken)> = round
                .writes
                .iter()
                .map(|w| (&w.state.lead_id, w.token))
                .chain(round.unscored.iter().map(|(id, token)| (id, *token)))
                .collect();
            let mut claimed = queue::claim(tx, backend, &wanted).await?;
            let stale: Vec<(&LeadId, Timestamp)> = round
                .writes
                .iter()
                .map(|w| &w.state.lead_id)
                .filter(|id| !claimed.contains(*id))
                .filter_map(|id| round.queued_at.get(id).map(|&at| (id, at)))
                .collect();
            let restamped = queue::restamp(tx, backend, &stale, round.read_at).await?;
            let requeued = restamped.len();
            claimed.extend(restamped);
            let writes: Vec<&LeadWrite> = round
                .writes
                .iter()
                .filter(|w| claimed.contains(&w.state.lead_id))
                .collect();

            let mut rule_rows: Vec<&RuleScoreRow> =
                writes.iter().flat_map(|w| &w.rule_scores).collect();
            // Rows in key order, as every writer locks them.
            rule_rows.sort_by(|a, b| (&a.lead_id, &a.model).cmp(&(&b.lead_id, &b.model)));
            write_rule_scores(tx, backend, &rule_rows).await?;
            for w in writes.iter().filter(|w| w.drop_other_models) {
                delete_other_rule_scores(tx, backend, &w.state.lead_id, round.model_names).await?;
            }
            let history: Vec<(&LeadId, &HistoryRow)> = writes
                .iter()
                .flat_map(|w| w.history.iter().map(|e| (&w.state.lead_id, e)))
                .collect();
            append_history(tx, backend, &history).await?;
            let mut states: Vec<&LeadStateRow> = writes.iter().map(|w| &w.state).collect();
            states.sort_by(|a, b| a.lead_id.cmp(&b.lead_id));
            write_states(tx, backend, &states).await?;
            let shadow_rows: Vec<&ShadowRow> =
                writes.iter().filter_map(|w| w.shadow.as_ref()).collect();
            shadow::write(tx, backend, &shadow_rows).await?;
            let events: Vec<&NewEvent> = writes.iter().flat_map(|w| &w.events).collect();
            let events = insert_events(tx, backend, &events).await?;
            Ok(Committed {
                written: writes.iter().map(|w| w.state.lead_id.clone()).collect(),
                requeued,
                events,
            })
        })
    }
}
