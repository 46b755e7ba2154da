//! The record tables (accounts, contacts, leads, interactions, custom
//! records): imports, the service's writes (which queue the leads they
//! affect, in the same transaction), the export, and a lead's neighbourhood.

mod copy;
pub(crate) mod export;
mod grouped;
pub(crate) mod neighbourhood;
pub(crate) mod read;
mod rows;
mod sample;
mod stream;
pub(crate) mod write;

pub use export::{EXPORT_CHUNK, ExportChunks, ExportPlan, ExportScope, StreamedExportError};
pub use sample::SampledLeads;
pub use stream::{ImportSink, StreamedImport, StreamedImportError, check_streamed};

use std::collections::HashMap;

use leadscore_domain::{ContactId, Dataset, ExternalIds, Lead, LeadId};

use crate::erasure::{self, Erasure};
use crate::{ImportSummary, SqlStore, StoreCounts, StoreError};

/// The record tables (see the [module documentation](self)).
#[derive(Debug, Clone, Copy)]
pub struct Records<'a> {
    pub(crate) store: &'a SqlStore,
}

impl Records<'_> {
    /// Upserts a dataset as [`Store::import`](crate::Store::import) does and,
    /// in the same transaction, queues every stored lead whose scores it can
    /// change for rescoring. Returns the summary and how many leads were
    /// queued (or touched again).
    pub async fn ingest(
        &self,
        data: &Dataset,
        cause: &str,
    ) -> Result<(ImportSummary, u64), StoreError> {
        let store = self.store;
        let _turn = store.write_turn().await;
        write::import(store.pool(), store.backend(), data, &|_| {}, Some(cause)).await
    }

    /// Imports the records `read` hands to an [`ImportSink`], as they come,
    /// in one transaction: the same writes and queuing as
    /// [`Records::ingest`], without holding the records in memory. `read`
    /// runs on a blocking thread (a folder reader such as
    /// `leadscore_files::stream_folder`); the sink refuses a reference to a
    /// record neither handed over before nor stored. Nothing is written when
    /// `read` fails ([`StreamedImportError::Read`]) or the store does;
    /// `progress` hears how many records are written.
    pub async fn import_streamed<R, E>(
        &self,
        cause: &str,
        progress: &(dyn Fn(u64) + Sync),
        read: impl FnOnce(&mut ImportSink) -> Result<R, E> + Send + 'static,
    ) -> Result<StreamedImport<R>, StreamedImportError<E>>
    where
        R: Send + 'static,
        E: Send + 'static,
    {
        stream::import_streamed(self.store, cause, progress, read).await
    }

    /// Reads every stored record from one snapshot, a chunk at a time, and
    /// hands the chunks to `write` on a blocking thread as they come (a
    /// folder writer such as `leadscore_files::FolderWriter`), after the
    /// [`ExportPlan`]: the counts, and each type's custom field names. The
    /// order is [`Store::export`](crate::Store::export)'s (but for the
    /// interactions of [`ExportScope::ForLeadRows`]). `write`'s result
    /// is answered only when every chunk was read: should the store fail,
    /// the chunks end early and the export answers
    /// [`StreamedExportError::Store`] (drop what `write` made unfinished).
    /// `scope` says whether the interactions' properties are read, and
    /// whether the interactions come in id order ([`ExportScope`]).
    pub async fn export_streamed<R, E>(
        &self,
        scope: ExportScope,
        write: impl FnOnce(ExportPlan, ExportChunks) -> Result<R, E> + Send + 'static,
    ) -> Result<R, StreamedExportError<E>>
    where
        R: Send + 'static,
        E: Send + 'static,
    {
        export::export_streamed(self.store, scope, write).await
    }

    /// Which of the given ids are stored.
    pub async fn existing_ids(&self, wanted: &ExternalIds) -> Result<ExternalIds, StoreError> {
        read::existing_ids(self.store.pool(), self.store.backend(), wanted).await
    }

    /// Everything the scores of these leads read, as one dataset whose
    /// references resolve: the leads; their contacts and accounts; every
    /// contact of those accounts; the interactions of all those contacts (by
    /// contact id, or by a visitor id one of them lists); the leads those
    /// interactions name (read, not scored: their references outside the set
    /// are cleared); and the leads' custom records. Ids not stored are
    /// skipped. Without `properties`, the interactions come without their
    /// properties (read from an index alone, for scoring that reads none).
    pub async fn neighbourhood(
        &self,
        lead_ids: &[LeadId],
        properties: bool,
    ) -> Result<Dataset, StoreError> {
        let mut conn = self.store.acquire("read leads' records").await?;
        let ids: Vec<String> = lead_ids.iter().map(|l| l.as_str().to_owned()).collect();
        neighbourhood::neighbourhood(&mut conn, self.store.backend(), &ids, properties).await
    }

    /// At most `max` stored leads, the same ones on every call while the
    /// store is unchanged (the `max` ids of lowest hash: see
    /// [`SampledLeads`]), and how many are stored. Reads the ids once, keeping
    /// only `max` in memory.
    pub async fn sample_leads(&self, max: usize) -> Result<SampledLeads, StoreError> {
        let mut conn = self.store.acquire("sample the stored leads").await?;
        sample::sample_lead_ids(&mut conn, max).await
    }

    /// Stored leads by id (ids not stored are absent).
    pub async fn leads(&self, ids: &[LeadId]) -> Result<HashMap<LeadId, Lead>, StoreError> {
        let mut conn = self.store.acquire("read leads").await?;
        let ids: Vec<String> = ids.iter().map(|l| l.as_str().to_owned()).collect();
        neighbourhood::leads_by_id(&mut conn, self.store.backend(), &ids).await
    }

    /// Erases a contact in one transaction: its interactions (by contact id,
    /// and those owned by no contact under its visitor id), the contact, and
    /// every per-lead row computed from it (each table erasure covers); its
    /// leads lose the reference and are queued for rescoring. The erasure is
    /// recorded with `contact_hash`, never the id. `None` when no such
    /// contact is stored.
    pub async fn erase_contact(
        &self,
        contact_id: &ContactId,
        contact_hash: &str,
        erasure_id: &str,
        key_id: Option<&str>,
    ) -> Result<Option<Erasure>, StoreError> {
        let op = "erase a contact";
        write_tx!(self.store, op, |tx| {
            let erased = erasure::erase_contact(
                tx,
                self.store.backend(),
                contact_id,
                contact_hash,
                erasure_id,
                key_id,
            )
            .await?;
            Ok(erased)
        })
    }

    /// How many records of each type are stored.
    pub async fn counts(&self) -> Result<StoreCounts, StoreError> {
        read::counts(self.store.pool()).await
    }
}
