//! A streamed import: a reader on a blocking thread hands records one at a
//! time to an [`ImportSink`], which checks their references and passes them
//! on in chunks to the writer, which writes them as they come: on SQLite
//! into one transaction ([`write::import_chunks`]), on PostgreSQL with `COPY`
//! into staging tables merged in one transaction at the end
//! ([`copy::import_chunks`]). Memory holds a few chunks and the ids of the
//! accounts, contacts and leads seen, never the folder.

use leadscore_domain::{
    Account, Contact, CustomRecord, Dataset, EntityName, ExternalIds, IdHasher, IdSet,
    InteractionRow, Lead, RecordSink, RecordType, UnknownReference,
};
use tokio::sync::mpsc;

use super::write::{self, Chunk};
use super::{copy, read};
use crate::{Backend, ImportSummary, SqlStore, StoreError};

/// Records per chunk handed to the writer.
const CHUNK_RECORDS: usize = 8192;
/// Chunks waiting for the writer at most, beside the one it writes and the
/// one the sink fills.
const CHUNKS_AHEAD: usize = 2;

/// What a streamed import did: the reader's own result, what was written, and
/// how many leads were queued for rescoring.
#[derive(Debug)]
pub struct StreamedImport<R> {
    /// What the reader returned.
    pub read: R,
    /// The records written.
    pub imported: ImportSummary,
    /// Distinct leads queued (or touched again) for rescoring.
    pub queued: u64,
}

/// Why a streamed import wrote nothing.
#[derive(Debug, thiserror::Error)]
pub enum StreamedImportError<E> {
    /// The reader failed (bad records, an unreadable file).
    #[error(transparent)]
    Read(E),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The [`RecordSink`] a streamed import's reader writes to (see
/// [`Records::import_streamed`](super::Records::import_streamed)).
///
/// A reference (a contact's account, a lead's contact and account, an
/// interaction's contact and lead, a custom record's lead) must name a record
/// this import handed over before, or one the store held when the import
/// began; any other is refused as [`UnknownReference`], so the reader reports
/// it at its place and, when it skips bad rows, skips the records that refer
/// to a skipped one. The store is asked about each id once.
#[derive(Debug)]
pub struct ImportSink {
    /// Where chunks go; `None` when the records are only checked.
    chunks: Option<mpsc::Sender<Chunk>>,
    chunk: Dataset,
    len: usize,
    /// The keys of every id hash in `seen` and `stored`.
    hasher: IdHasher,
    seen: Ids,
    stored: Stored,
    /// The contact id of the last interaction that named a known one.
    last_contact: String,
    /// Set when the writer or a lookup failed: records are then dropped, and
    /// no further file is read.
    stopped: Option<StoreError>,
}

/// Ids by record type, as 128-bit keyed hashes ([`IdHash`](leadscore_domain::IdHash); 16 bytes a
/// slot, where the strings took some 50-70 bytes an id).
#[derive(Debug, Default)]
struct Ids {
    accounts: IdSet,
    contacts: IdSet,
    leads: IdSet,
}

impl Ids {
    fn of(&mut self, kind: Kind) -> &mut IdSet {
        match kind {
            Kind::Account => &mut self.accounts,
            Kind::Contact => &mut self.contacts,
            Kind::Lead => &mut self.leads,
        }
    }
}

/// A record type that others refer to.
#[derive(Debug, Clone, Copy)]
enum Kind {
    Account,
    Contact,
    Lead,
}

/// How the sink learns what the store held when the import began.
#[derive(Debug)]
enum Stored {
    /// It held no account, contact or lead: no id needs looking up.
    Nothing,
    /// Ids are looked up on another connection (which sees what was committed
    /// before the import), each once.
    LookUp {
        store: SqlStore,
        runtime: tokio::runtime::Handle,
        /// Ids looked up and not stored.
        missing: Ids,
    },
}

impl ImportSink {
    fn new(chunks: Option<mpsc::Sender<Chunk>>, stored: Stored) -> Self {
        Self {
            chunks,
            chunk: Dataset::default(),
            len: 0,
            hasher: IdHasher::new(),
            seen: Ids::default(),
            stored,
            last_contact: String::new(),
            stopped: None,
        }
    }

    /// Whether `id` names a record of this import or of the store.
    fn known(
        &mut self,
        kind: Kind,
        column: &'static str,
        id: Option<&str>,
    ) -> Result<(), UnknownReference> {
        let Some(id) = id else {
            return Ok(());
        };
        let hash = self.hasher.hash(id);
        if self.seen.of(kind).contains(&hash) {
            return Ok(());
        }
        let unknown = || UnknownReference {
            column,
            id: id.to_owned(),
        };
        let Stored::LookUp {
            store,
            runtime,
            missing,
        } = &mut self.stored
        else {
            return Err(unknown());
        };
        if missing.of(kind).contains(&hash) {
            return Err(unknown());
        }
        let mut wanted = ExternalIds::default();
        let set = match kind {
            Kind::Account => &mut wanted.accounts,
            Kind::Contact => &mut wanted.contacts,
            Kind::Lead => &mut wanted.leads,
        };
        set.insert(id.to_owned());
        let found = runtime.block_on(read::existing_ids(store.pool(), store.backend(), &wanted));
        match found {
            Ok(found) if !found.is_empty() => {
                self.seen.of(kind).insert(hash);
                Ok(())
            }
            Ok(_) => {
                missing.of(kind).insert(hash);
                Err(unknown())
            }
            Err(error) => {
                // Not the record's fault: the import fails with the store's
                // error, and the record is dropped meanwhile.
                self.stopped.get_or_insert(error);
                Ok(())
            }
        }
    }

    /// Adds a checked record to the chunk, first sending the chunk when it is
    /// full or holds another type.
    fn push(&mut self, record: &RecordType, add: impl FnOnce(&mut Dataset)) {
        if self.stopped.is_some() || self.chunks.is_none() {
            return;
        }
        if self.len >= CHUNK_RECORDS || (self.len > 0 && !holds(&self.chunk, record)) {
            self.send();
        }
        add(&mut self.chunk);
        self.len += 1;
    }

    fn send(&mut self) {
        let chunk = std::mem::take(&mut self.chunk);
        self.len = 0;
        let sent = match &self.chunks {
            Some(chunks) => chunks.blocking_send(Chunk::Records(chunk)).is_ok(),
            None => true,
        };
        if !sent {
            // The writer stopped; it holds the reason.
            self.stopped.get_or_insert(StoreError::ImportStopped);
        }
    }

    /// Sends what is left and tells the writer to commit.
    fn finish(mut self) -> Option<StoreError> {
        if self.stopped.is_none() && self.len > 0 {
            self.send();
        }
        if self.stopped.is_none()
            && let Some(chunks) = &self.chunks
            && chunks.blocking_send(Chunk::End).is_err()
        {
            self.stopped = Some(StoreError::ImportStopped);
        }
        self.stopped
    }
}

/// Whether a chunk's records are of this type.
fn holds(chunk: &Dataset, record: &RecordType) -> bool {
    match record {
        RecordType::Account => !chunk.accounts.is_empty(),
        RecordType::Contact => !chunk.contacts.is_empty(),
        RecordType::Lead => !chunk.leads.is_empty(),
        RecordType::Interaction => !chunk.interactions.is_empty(),
        RecordType::Custom(name) => chunk.custom.contains_key(name),
    }
}

impl RecordSink for ImportSink {
    fn account(&mut self, account: Account) -> Result<(), UnknownReference> {
        let hash = self.hasher.hash(account.account_id.as_str());
        self.seen.accounts.insert(hash);
        self.push(&RecordType::Account, |c| c.accounts.push(account));
        Ok(())
    }

    fn contact(&mut self, contact: Contact) -> Result<(), UnknownReference> {
        let account = contact.account_id.as_ref().map(|a| a.as_str());
        self.known(Kind::Account, "account_id", account)?;
        let hash = self.hasher.hash(contact.contact_id.as_str());
        self.seen.contacts.insert(hash);
        self.push(&RecordType::Contact, |c| c.contacts.push(contact));
        Ok(())
    }

    fn lead(&mut self, lead: Lead) -> Result<(), UnknownReference> {
        let contact = lead.contact_id.as_ref().map(|c| c.as_str());
        self.known(Kind::Contact, "contact_id", contact)?;
        let account = lead.account_id.as_ref().map(|a| a.as_str());
        self.known(Kind::Account, "account_id", account)?;
        let hash = self.hasher.hash(lead.lead_id.as_str());
        self.seen.leads.insert(hash);
        self.push(&RecordType::Lead, |c| c.leads.push(lead));
        Ok(())
    }

    fn custom(
        &mut self,
        entity: &EntityName,
        record: CustomRecord,
    ) -> Result<(), UnknownReference> {
        self.known(Kind::Lead, "lead_id", Some(record.lead_id.as_str()))?;
        let kind = RecordType::Custom(entity.clone());
        self.push(&kind, |c| {
            c.custom.entry(entity.clone()).or_default().push(record);
        });
        Ok(())
    }

    fn interaction(&mut self, row: InteractionRow<'_>) -> Result<(), UnknownReference> {
        // Files are often grouped by contact: the previous contact is known.
        if row.contact_id != Some(self.last_contact.as_str()) {
            self.known(Kind::Contact, "contact_id", row.contact_id)?;
            if let Some(contact) = row.contact_id {
                self.last_contact.clear();
                self.last_contact.push_str(contact);
            }
        }
        self.known(Kind::Lead, "lead_id", row.lead_id)?;
        match row.to_interaction() {
            Ok(interaction) => {
                self.push(&RecordType::Interaction, |c| {
                    c.interactions.push(interaction)
                });
            }
            Err(error) => {
                self.stopped.get_or_insert(StoreError::ImportReader {
                    reason: format!("interaction {:?}: {error}", row.id),
                });
            }
        }
        Ok(())
    }

    fn wants_property(&self, _: &str) -> bool {
        true
    }

    fn wants_records(&self, _: &RecordType) -> bool {
        self.stopped.is_none()
    }
}

impl Stored {
    /// How a sink learns what `store` holds (`None`: no store yet).
    async fn of(store: Option<&SqlStore>) -> Result<Self, StoreError> {
        Ok(match store {
            Some(store) if read::holds_referable(store.pool()).await? => Self::LookUp {
                store: store.clone(),
                runtime: tokio::runtime::Handle::current(),
                missing: Ids::default(),
            },
            _ => Self::Nothing,
        })
    }
}

/// A dry run of [`Records::import_streamed`](super::Records::import_streamed):
/// runs `read` on a blocking thread with an [`ImportSink`] that checks the
/// records it is handed as an import into `store` would (references too,
/// against the records handed over before and the store's; `None`: a store
/// that does not exist yet), and writes nothing.
pub async fn check_streamed<R, E>(
    store: Option<&SqlStore>,
    read: impl FnOnce(&mut ImportSink) -> Result<R, E> + Send + 'static,
) -> Result<R, StreamedImportError<E>>
where
    R: Send + 'static,
    E: Send + 'static,
{
    let stored = Stored::of(store).await?;
    let reader = tokio::task::spawn_blocking(move || {
        let mut sink = ImportSink::new(None, stored);
        let result = read(&mut sink);
        (result, sink.stopped)
    });
    let (result, stopped) = reader.await.map_err(|e| StoreError::ImportReader {
        reason: e.to_string(),
    })?;
    let read = result.map_err(StreamedImportError::Read)?;
    match stopped {
        Some(error) => Err(error.into()),
        None => Ok(read),
    }
}

/// Runs `read` on a blocking thread with an [`ImportSink`] while the chunks
/// it fills are written (see [`Records::import_streamed`](super::Records::import_streamed)).
pub(crate) async fn import_streamed<R, E>(
    store: &SqlStore,
    cause: &str,
    progress: &(dyn Fn(u64) + Sync),
    read: impl FnOnce(&mut ImportSink) -> Result<R, E> + Send + 'static,
) -> Result<StreamedImport<R>, StreamedImportError<E>>
where
    R: Send + 'static,
    E: Send + 'static,
{
    let stored = Stored::of(Some(store)).await?;
    let (sender, mut receiver) = mpsc::channel(CHUNKS_AHEAD);
    let reader = tokio::task::spawn_blocking(move || {
        let mut sink = ImportSink::new(Some(sender), stored);
        let result = read(&mut sink);
        // A failed read sends no end: the writer rolls back.
        let stopped = match &result {
            Ok(_) => sink.finish(),
            Err(_) => None,
        };
        (result, stopped)
    });
    let _turn = store.write_turn().await;
    let written = match store.backend() {
        Backend::Sqlite => {
            write::import_chunks(
                store.pool(),
                store.backend(),
                &mut receiver,
                progress,
                cause,
            )
            .await
        }
        Backend::Postgres => {
            copy::import_chunks(store.pool(), &mut receiver, progress, cause).await
        }
    };
    drop(receiver);
    let (result, stopped) = reader.await.map_err(|e| StoreError::ImportReader {
        reason: e.to_string(),
    })?;
    let read = result.map_err(StreamedImportError::Read)?;
    if let Some(error) = stopped {
        // The writer's own error says more than the sink's "stopped".
        return Err(match written {
            Err(written) => written,
            Ok(_) => error,
        }
        .into());
    }
    let (imported, queued) = written?;
    Ok(StreamedImport {
        read,
        imported,
        queued,
    })
}
