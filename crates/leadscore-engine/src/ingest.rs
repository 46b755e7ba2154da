//! Writing records into the live store, for any source (the HTTP API today; a
//! message broker or a file watcher can call the same functions): references
//! are checked against the store, the records are upserted with the leads
//! they affect queued for rescoring in the same transaction, and the
//! rescoring worker is woken. Erasing a contact is here too.

use leadscore_domain::{ContactId, DanglingReference, Dataset, FutureTime, NearMissKind};
use leadscore_store::{Erasure, StoreError, new_id};
use serde::Serialize;
use sha2::{Digest, Sha256};
use utoipa::ToSchema;

use crate::EngineError;
use crate::service::Service;

/// What a write did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
pub struct Written {
    /// Records written (new, changed or unchanged).
    pub records: u64,
    /// Leads queued for rescoring (rescored within a second).
    pub rescoring: u64,
}

/// Why a write was refused (nothing was written).
#[derive(Debug, thiserror::Error)]
pub enum IngestError {
    /// A record names an account, contact or lead that is neither in the
    /// write nor stored.
    #[error("{0}")]
    UnknownReference(DanglingReference),
    /// A record's time lies further in the future than
    /// `records.future_tolerance_days` allows.
    #[error("{0}")]
    FutureTime(FutureTime),
    /// An interaction's kind is neither standard nor declared
    /// (`records.custom_kinds`) but close to one of them: a typo.
    #[error("{0}")]
    NearMissKind(NearMissKind),
    /// The write holds one id twice.
    #[error("the write holds {table} id {id:?} more than once")]
    DuplicateId {
        /// The table (`interactions`, ...).
        table: &'static str,
        /// The repeated id.
        id: String,
    },
    /// The engine failed.
    #[error(transparent)]
    Engine(#[from] EngineError),
}

impl From<StoreError> for IngestError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::DuplicateId { table, id } => Self::DuplicateId { table, id },
            other => Self::Engine(other.into()),
        }
    }
}

/// Writes `data` all or nothing: checks its record times against the
/// settings' [`future_limit`](crate::Settings::future_limit), its
/// interaction kinds against the declared ones
/// ([`InteractionKind::parse_declared`](leadscore_domain::InteractionKind::parse_declared))
/// and its references against the store, upserts it with every lead it can change
/// queued for rescoring (`cause` says why, in the leads' history), and wakes
/// the rescoring worker.
pub async fn ingest(
    service: &Service,
    data: &Dataset,
    cause: &str,
) -> Result<Written, IngestError> {
    if let Some(t) = data.too_far_ahead(&service.settings.future_limit()) {
        return Err(IngestError::FutureTime(t));
    }
    if let Some(k) = data.near_miss_kind(&service.settings.declared()) {
        return Err(IngestError::NearMissKind(k));
    }
    let wanted = data.unresolved_ids();
    let existing = service.store.records().existing_ids(&wanted).await?;
    if let Some(d) = data.dangling_references(&existing).into_iter().next() {
        return Err(IngestError::UnknownReference(d));
    }
    let (summary, queued) = service.store.records().ingest(data, cause).await?;
    let m = &service.metrics.ingested;
    m.with_label_values(&["account"]).inc_by(summary.accounts);
    m.with_label_values(&["contact"]).inc_by(summary.contacts);
    m.with_label_values(&["lead"]).inc_by(summary.leads);
    m.with_label_values(&["interaction"])
        .inc_by(summary.interactions);
    if queued > 0 {
        service.rescore_wake.notify_one();
    }
    Ok(Written {
        records: summary.total(),
        rescoring: queued,
    })
}

/// Erases a contact with its interactions and every score computed from
/// them, recording the erasure with a hash of the id (never the id) and the
/// key that asked. `None` when no such contact is stored.
pub async fn erase_contact(
    service: &Service,
    contact_id: &ContactId,
    key_id: Option<&str>,
) -> Result<Option<Erasure>, EngineError> {
    let hash = hex::encode(Sha256::digest(contact_id.as_str().as_bytes()));
    let erased = service
        .store
        .records()
        .erase_contact(contact_id, &hash, &new_id(), key_id)
        .await?;
    if let Some(e) = &erased {
        tracing::info!(erasure = %e.erasure_id, key = key_id.unwrap_or("-"), "contact erased");
        service.rescore_wake.notify_one();
    }
    Ok(erased)
}
