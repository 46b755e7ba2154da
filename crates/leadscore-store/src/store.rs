//! The storage trait and what its operations report.

use std::future::Future;

use leadscore_domain::{Dataset, ExternalIds};
use serde::Serialize;

use crate::StoreError;

/// How many records of each type an import upserted (new, changed, or already
/// stored unchanged: those are left untouched).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ImportSummary {
    /// Accounts.
    pub accounts: u64,
    /// Contacts.
    pub contacts: u64,
    /// Leads.
    pub leads: u64,
    /// Interactions.
    pub interactions: u64,
    /// Custom related records, all entities together.
    pub custom_records: u64,
}

impl ImportSummary {
    /// Counts `rows` records written into `table`.
    pub(crate) fn add_rows(&mut self, table: crate::schema::RecordTable, rows: u64) {
        use crate::schema::RecordTable;
        let count = match table {
            RecordTable::Accounts => &mut self.accounts,
            RecordTable::Contacts => &mut self.contacts,
            RecordTable::Leads => &mut self.leads,
            RecordTable::Interactions => &mut self.interactions,
            RecordTable::CustomRecords => &mut self.custom_records,
        };
        *count += rows;
    }

    /// All records together.
    pub fn total(&self) -> u64 {
        self.accounts + self.contacts + self.leads + self.interactions + self.custom_records
    }
}

/// How many records of each type a store holds.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct StoreCounts {
    /// Accounts.
    pub accounts: u64,
    /// Contacts.
    pub contacts: u64,
    /// Leads.
    pub leads: u64,
    /// Interactions.
    pub interactions: u64,
    /// Custom related records, all entities together.
    pub custom_records: u64,
}

impl StoreCounts {
    /// All records together.
    pub fn total(&self) -> u64 {
        self.accounts + self.contacts + self.leads + self.interactions + self.custom_records
    }
}

/// Storage behind a trait (so the service and tests can swap it).
pub trait Store: Send + Sync {
    /// Which of the given ids exist in the store (for resolving a dataset's
    /// references against stored records).
    fn existing_ids(
        &self,
        wanted: &ExternalIds,
    ) -> impl Future<Output = Result<ExternalIds, StoreError>> + Send;

    /// Upserts a whole dataset by id inside ONE transaction: all or nothing.
    /// Re-importing the same dataset changes nothing. Calls
    /// `progress(rows_written_so_far)` after each batch.
    ///
    /// References are not checked here: check them first with
    /// [`Dataset::dangling_references`] and [`Store::existing_ids`].
    fn import(
        &self,
        data: &Dataset,
        progress: &(dyn Fn(u64) + Sync),
    ) -> impl Future<Output = Result<ImportSummary, StoreError>> + Send;

    /// Everything stored, each list ordered by id (custom records by entity then
    /// record id).
    fn export(&self) -> impl Future<Output = Result<Dataset, StoreError>> + Send;

    /// How many records of each type are stored.
    fn counts(&self) -> impl Future<Output = Result<StoreCounts, StoreError>> + Send;
}
