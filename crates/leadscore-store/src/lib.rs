//! The leadscore store: the one owner of every table and every SQL statement,
//! kept in SQLite (the embedded default) or PostgreSQL (shared by several
//! service instances) through the same SQL code.
//!
//! [`SqlStore`] is the one database handle. It talks to both databases through
//! sqlx's `Any` driver (the few differences, SQLite pragmas and snapshot reads,
//! live in [`Backend`]) and hands out one typed repository per concern:
//!
//! | repository | tables |
//! | --- | --- |
//! | [`SqlStore::records`] ([`Records`]) and the [`Store`] trait | accounts, contacts, leads, interactions, custom records; erasures |
//! | [`SqlStore::queue`] ([`RescoreQueue`]) | the rescoring queue |
//! | [`SqlStore::scores`] ([`Scores`]) | lead states, rule scores, score history |
//! | [`SqlStore::rescoring`] ([`Rescoring`]) | a rescoring round's read and write, across the above |
//! | [`SqlStore::registry`] ([`Registry`]) | rule models and their saved versions, conversion models, publications |
//! | [`SqlStore::field_values`], [`SqlStore::custom_entities`] | (reads) the values each text field of the records holds; the custom entities it has records of |
//! | [`SqlStore::lead_detail`] ([`LeadDetail`]) | (reads) the interactions a lead's page shows, by id |
//! | [`SqlStore::console_lists`] ([`ConsoleLists`]) | (reads) a queue's leads filtered, the live conversion model's false positives and negatives, shadow scores beside live ones, leads' names |
//! | [`SqlStore::documents`] ([`Documents`]) | routing and webhook documents |
//! | [`SqlStore::keys`] ([`Keys`]) | API keys |
//! | [`SqlStore::outbox`] ([`Outbox`]) | events and webhook deliveries |
//! | [`SqlStore::retraining`] ([`RetrainingRuns`]) | retraining runs |
//! | [`SqlStore::shadow`] ([`ShadowScores`]) | a challenger's shadow scores |
//! | [`SqlStore::users`] ([`Users`]) | console users, sessions, sign-in links and failures |
//! | [`SqlStore::review_snapshots`] ([`ReviewSnapshots`]) | the live model's review as last computed |
//!
//! Rows come back as domain types (ids, timestamps, stages, roles), read by
//! column name. The schema is created by versioned migrations embedded in the
//! binary and run by [`SqlStore::open`], forward-only: a database that a newer
//! leadscore migrated is refused ([`StoreError::SchemaNewer`]; see
//! [`SchemaVersion`]). An import is one transaction: all or nothing.
//!
//! A SQLite store is backed up while it serves with [`backup_sqlite`] (SQLite's
//! `VACUUM INTO`: one consistent snapshot, checked) and restored with
//! [`restore_sqlite`]; a PostgreSQL store with PostgreSQL's own tools
//! ([`pg_dump_command`], [`pg_restore_command`]).
//!
//! ```
//! use leadscore_domain::{Dataset, Lead, LeadId, Timestamp};
//! use leadscore_store::{DatabaseUrl, SqlStore, Store};
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let dir = tempfile::tempdir()?;
//! let url = DatabaseUrl::parse(&format!("sqlite://{}/leads.db", dir.path().display()))?;
//! let store = SqlStore::open(&url).await?;
//!
//! let mut data = Dataset::default();
//! data.leads.push(Lead::new(LeadId::parse("L-1")?, Timestamp::parse("2026-03-01")?));
//! let summary = store.import(&data, &|_rows| {}).await?;
//! assert_eq!(summary.leads, 1);
//! assert_eq!(store.export().await?, data);
//! # Ok(())
//! # }
//! ```

/// Runs a write transaction, `write_tx!(store, operation, |tx| { ... })`:
/// the block runs with `tx`, a `&mut WriteTx` from `SqlStore::begin_write`,
/// and its `Ok` commits. When PostgreSQL aborts the transaction for a
/// deadlock or a serialization failure, it is rolled back and the block runs
/// again in a new one (`SqlStore::settle`: up to `WRITE_ATTEMPTS` in all,
/// after a short random pause). The block must do nothing but statements on
/// `tx`, so that running it again repeats nothing else; a `return` in it
/// ends the attempt (an `Ok` still commits).
macro_rules! write_tx {
    ($store:expr, $operation:expr, |$tx:ident| $body:block) => {{
        let store = &$store;
        let operation = $operation;
        let mut attempt = 0u32;
        loop {
            let mut owned = store.begin_write(operation).await?;
            let result: Result<_, $crate::StoreError> = async {
                let $tx = &mut owned;
                $body
            }
            .await;
            if let Some(outcome) = store.settle(owned, result, operation, &mut attempt).await {
                break outcome;
            }
        }
    }};
}

mod backfill;
mod backup;
mod checkpoint;
mod console_lists;
mod dialect;
mod documents;
mod erasure;
mod error;
mod field_values;
mod handle;
mod keys;
mod lead_detail;
mod lead_list;
mod outbox;
mod queue;
mod records;
mod registry;
mod rescoring;
mod retraining;
mod review_snapshots;
mod rule_model_versions;
mod schema;
mod scores;
mod shadow;
mod sql;
mod store;
mod url;
mod users;
mod versions;

#[cfg(feature = "testing")]
pub mod testing;

pub use backup::{
    BackupReport, DatabaseFile, PostgresCommand, RestoreReport, backup_sqlite, inspect_sqlite,
    pg_dump_command, pg_restore_command, restore_sqlite,
};
pub use console_lists::{ConsoleLists, LeadName, Mistake, ScoredClosedLead, ShadowBeside};
pub use dialect::Backend;
pub use documents::{DocumentName, Documents};
pub use erasure::Erasure;
pub use error::StoreError;
pub use field_values::{ObservedField, ObservedValue};
pub use handle::{OpenOptions, PoolStats, SqlStore};
pub use keys::{KeyRow, Keys, NewKeyRow, Rotation};
pub use lead_detail::LeadDetail;
pub use lead_list::{
    COUNT_CAP, LeadFilter, LeadList, LeadListRow, LeadOrder, OPEN_STAGES, Overview,
};
pub use outbox::{DeliveryRow, DeliveryTally, Failure, NewEvent, Outbox, PendingDelivery};
pub use queue::{QueueDepth, QueueToken, QueuedLead, RescoreQueue};
pub use records::{
    EXPORT_CHUNK, ExportChunks, ExportPlan, ExportScope, ImportSink, Records, SampledLeads,
    StreamedExportError, StreamedImport, StreamedImportError, check_streamed,
};
pub use registry::{Generation, Registry, RolledBack, RuleModelRow, VersionRow};
pub use rescoring::{Committed, LeadWrite, Rescoring, Round, Snapshot, SnapshotRead};
pub use retraining::{
    HEARTBEAT_EVERY, NewVersion, RUN_LEASE, RetrainingRuns, RunMeasures, RunRow, RunStart,
    SlotStart,
};
pub use review_snapshots::{ReviewSnapshot, ReviewSnapshots};
pub use rule_model_versions::RuleModelVersionRow;
pub use scores::{
    HistoryRow, LeadStateRow, Listing, ModelScore, PageWindow, QueueEntry, RuleScoreRow,
    ScoreFilter, ScoreOrder, Scores,
};
pub use shadow::{ShadowRow, ShadowScores, ShadowTally};
pub use sql::new_id;
pub use store::{ImportSummary, Store, StoreCounts};
pub use url::{DEFAULT_SQLITE_FILE, DatabaseUrl};
pub use users::{LinkRow, NewSessionRow, NewUserRow, SessionRow, UserRow, Users};
pub use versions::{SchemaVersion, binary_schema_version, known_migrations};
