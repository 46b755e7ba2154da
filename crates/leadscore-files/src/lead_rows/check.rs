//! The folder's checks before any row is computed: every value, as
//! [`stream_folder`] checks it, and every reference, as the rules engine's
//! graph builder checks it: a record naming an account, contact or lead that
//! the folder does not hold is a bad row, named by file, line and column.

use std::collections::HashSet;
use std::path::Path;

use leadscore_domain::{
    Account, Contact, CustomRecord, Declared, EntityName, FutureLimit, InteractionRow, Lead,
    RecordSink, UnknownReference,
};

use crate::{FilesError, StreamOptions, stream_folder};

/// Streams the folder through [`References`]; fails on the first file with a
/// bad record, with every problem of that file located. `declared` holds the
/// custom fields and kinds the caller declares.
pub(super) fn check_folder(
    dir: &Path,
    future: FutureLimit,
    declared: &Declared,
) -> Result<(), FilesError> {
    let mut references = References::default();
    let options = StreamOptions {
        skip_bad_rows: false,
        future,
        declared: declared.clone(),
    };
    stream_folder(dir, &mut references, &options)?;
    Ok(())
}

/// The ids seen so far; refuses a reference to any other. Records are not kept.
#[derive(Debug, Default)]
struct References {
    accounts: HashSet<Box<str>>,
    contacts: HashSet<Box<str>>,
    leads: HashSet<Box<str>>,
    /// The contact id of the last interaction that named a known one.
    last_contact: String,
}

fn known(
    ids: &HashSet<Box<str>>,
    column: &'static str,
    id: Option<&str>,
) -> Result<(), UnknownReference> {
    match id {
        Some(id) if !ids.contains(id) => Err(UnknownReference {
            column,
            id: id.to_owned(),
        }),
        _ => Ok(()),
    }
}

impl RecordSink for References {
    fn account(&mut self, account: Account) -> Result<(), UnknownReference> {
        self.accounts.insert(account.account_id.as_str().into());
        Ok(())
    }

    fn contact(&mut self, contact: Contact) -> Result<(), UnknownReference> {
        let account = contact.account_id.as_ref().map(|a| a.as_str());
        known(&self.accounts, "account_id", account)?;
        self.contacts.insert(contact.contact_id.as_str().into());
        Ok(())
    }

    fn lead(&mut self, lead: Lead) -> Result<(), UnknownReference> {
        let contact = lead.contact_id.as_ref().map(|c| c.as_str());
        known(&self.contacts, "contact_id", contact)?;
        let account = lead.account_id.as_ref().map(|a| a.as_str());
        known(&self.accounts, "account_id", account)?;
        self.leads.insert(lead.lead_id.as_str().into());
        Ok(())
    }

    fn custom(&mut self, _: &EntityName, record: CustomRecord) -> Result<(), UnknownReference> {
        known(&self.leads, "lead_id", Some(record.lead_id.as_str()))
    }

    fn interaction(&mut self, row: InteractionRow<'_>) -> Result<(), UnknownReference> {
        // Files are often grouped by contact: the previous contact is known.
        if row.contact_id != Some(self.last_contact.as_str()) {
            known(&self.contacts, "contact_id", row.contact_id)?;
            if let Some(contact) = row.contact_id {
                self.last_contact.clear();
                self.last_contact.push_str(contact);
            }
        }
        known(&self.leads, "lead_id", row.lead_id)
    }

    fn wants_property(&self, _: &str) -> bool {
        false
    }
}
