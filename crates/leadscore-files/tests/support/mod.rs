//! Shared by the streaming tests: a sink that collects records, and folders.

#![allow(dead_code)] // each test file uses part of it

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use leadscore_domain::{
    Account, Contact, ContactId, CustomRecord, Dataset, DomainError, EntityName, ExternalIds,
    Fields, Interaction, InteractionId, InteractionRow, Lead, LeadId, ReadProgress, RecordSink,
    RecordType, UnknownReference, VisitorId,
};
use leadscore_files::{
    FilesError, LoadedFolder, ReadOptions, StreamOptions, StreamSummary, read_folder, stream_folder,
};

pub type TestResult = Result<(), Box<dyn std::error::Error>>;

/// Keeps every record, and refuses references to records it does not have, as
/// `resolve` does.
#[derive(Debug, Default)]
pub struct Collect {
    pub data: Dataset,
    pub accounts: HashSet<String>,
    pub contacts: HashSet<String>,
    pub leads: HashSet<String>,
    /// `None` wants every property.
    pub wanted: Option<HashSet<&'static str>>,
    /// The order records came in: a, c, l, m (custom), i.
    pub order: String,
    /// Record types it does not want.
    pub unwanted: Vec<RecordType>,
    /// What the reader told of its progress, in order.
    pub progress: Vec<ReadProgress>,
}

pub fn known(
    set: &HashSet<String>,
    column: &'static str,
    id: Option<&str>,
) -> Result<(), UnknownReference> {
    match id {
        Some(id) if !set.contains(id) => Err(UnknownReference {
            column,
            id: id.to_owned(),
        }),
        _ => Ok(()),
    }
}

/// An id the reader should never have handed over.
pub fn invalid(e: DomainError) -> UnknownReference {
    UnknownReference {
        column: "invalid",
        id: e.to_string(),
    }
}

impl Collect {
    fn note(&mut self, c: char) {
        if !self.order.ends_with(c) {
            self.order.push(c);
        }
    }
}

impl RecordSink for Collect {
    fn account(&mut self, account: Account) -> Result<(), UnknownReference> {
        self.note('a');
        self.accounts.insert(account.account_id.to_string());
        self.data.accounts.push(account);
        Ok(())
    }

    fn contact(&mut self, contact: Contact) -> Result<(), UnknownReference> {
        self.note('c');
        known(
            &self.accounts,
            "account_id",
            contact.account_id.as_ref().map(|a| a.as_str()),
        )?;
        self.contacts.insert(contact.contact_id.to_string());
        self.data.contacts.push(contact);
        Ok(())
    }

    fn lead(&mut self, lead: Lead) -> Result<(), UnknownReference> {
        self.note('l');
        known(
            &self.contacts,
            "contact_id",
            lead.contact_id.as_ref().map(|c| c.as_str()),
        )?;
        known(
            &self.accounts,
            "account_id",
            lead.account_id.as_ref().map(|a| a.as_str()),
        )?;
        self.leads.insert(lead.lead_id.to_string());
        self.data.leads.push(lead);
        Ok(())
    }

    fn custom(
        &mut self,
        entity: &EntityName,
        record: CustomRecord,
    ) -> Result<(), UnknownReference> {
        self.note('m');
        known(&self.leads, "lead_id", Some(record.lead_id.as_str()))?;
        self.data
            .custom
            .entry(entity.clone())
            .or_default()
            .push(record);
        Ok(())
    }

    fn interaction(&mut self, row: InteractionRow<'_>) -> Result<(), UnknownReference> {
        self.note('i');
        known(&self.contacts, "contact_id", row.contact_id)?;
        known(&self.leads, "lead_id", row.lead_id)?;
        let mut properties = Fields::new();
        for (name, value) in row.properties {
            assert!(!value.is_empty(), "empty property {name} passed");
            assert!(self.wants_property(name), "unwanted property {name} passed");
            properties.set(*name, *value);
        }
        self.data.interactions.push(Interaction {
            interaction_id: InteractionId::parse(row.id).map_err(invalid)?,
            kind: row.kind.clone(),
            occurred_at: row.occurred_at,
            contact_id: row
                .contact_id
                .map(ContactId::parse)
                .transpose()
                .map_err(invalid)?,
            lead_id: row
                .lead_id
                .map(LeadId::parse)
                .transpose()
                .map_err(invalid)?,
            visitor_id: row
                .visitor_id
                .map(VisitorId::parse)
                .transpose()
                .map_err(invalid)?,
            properties,
        });
        Ok(())
    }

    fn wants_property(&self, name: &str) -> bool {
        self.wanted.as_ref().is_none_or(|w| w.contains(name))
    }

    fn wants_records(&self, record: &RecordType) -> bool {
        !self.unwanted.contains(record)
    }
    fn read_progress(&mut self, progress: ReadProgress) {
        self.progress.push(progress);
    }
}

pub fn stream(dir: &Path, skip: bool) -> Result<(Collect, StreamSummary), FilesError> {
    let mut sink = Collect::default();
    let summary = stream_folder(
        dir,
        &mut sink,
        &StreamOptions {
            skip_bad_rows: skip,
            ..StreamOptions::default()
        },
    )?;
    Ok((sink, summary))
}

pub fn load(dir: &Path, skip: bool) -> Result<LoadedFolder, FilesError> {
    read_folder(
        dir,
        &ReadOptions {
            skip_bad_rows: skip,
            ..ReadOptions::default()
        },
    )?
    .resolve(&ExternalIds::default())
}

pub fn sample() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../training-data/sample")
}

pub fn folder(files: &[(&str, &str)]) -> Result<tempfile::TempDir, std::io::Error> {
    let dir = tempfile::tempdir()?;
    for (name, body) in files {
        let path = dir.path().join(name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::write(path, body)?;
    }
    Ok(dir)
}

pub const ACCOUNTS: &str = "account_id,name,employees\nA1,Acme,10\nA2,Globex,\n";
pub const CONTACTS: &str = "contact_id,account_id,visitor_id\nC1,A1,V1\nC2,A2,\n";
pub const LEADS: &str = "lead_id,created_at,contact_id,account_id,status,closed_at\n\
L1,2026-01-05T10:00:00Z,C1,A1,qualified,2026-02-01\nL2,2026-01-06,,A2,,\n";
pub const INTERACTIONS: &str = "interaction_id,kind,occurred_at,contact_id,lead_id,visitor_id,url,email_name\n\
I1,EmailClicked,2026-01-10T08:00:00Z,C1,L1,,https://x.test,Spring\n\
I2,WebsiteVisited,2026-01-11,,,V1,https://x.test/pricing,\n\
I3,TrialStarted,2026-01-12T08:00:00Z,C2,,, ,\n";
pub const MEETINGS: &str = "record_id,lead_id,meeting_type\nM1,L1,Demo\n";

pub fn good_files() -> Vec<(&'static str, &'static str)> {
    vec![
        ("accounts.csv", ACCOUNTS),
        ("contacts.csv", CONTACTS),
        ("leads.csv", LEADS),
        ("interactions.csv", INTERACTIONS),
        ("custom/Meeting.csv", MEETINGS),
    ]
}

pub fn with(name: &'static str, body: &'static str) -> Vec<(&'static str, &'static str)> {
    let mut files = good_files();
    files.retain(|(n, _)| *n != name);
    files.push((name, body));
    files
}

/// Streams a folder that must fail; the error's text. Checks that `read_folder`
/// + `resolve` fail the same way.
pub fn stream_error(files: &[(&str, &str)]) -> Result<String, Box<dyn std::error::Error>> {
    let dir = folder(files)?;
    let streamed = match stream(dir.path(), false) {
        Ok(_) => return Err("the folder was accepted".into()),
        Err(e) => e.to_string(),
    };
    let loaded = load(dir.path(), false).err().map(|e| e.to_string());
    assert_eq!(
        loaded.as_deref(),
        Some(streamed.as_str()),
        "read_folder differs"
    );
    Ok(streamed)
}

/// Neighbourhoods that a part boundary must not cut: a lead naming a
/// contact of one account and another account; a contact without an
/// account; a visitor listed by two contacts (its interactions belong to
/// the greatest id); interactions of nobody (their kind still gets
/// columns); a custom entity whose `note` column is a time in some records
/// only (so it is not the time column) and whose `held_at` is.
pub fn neighbourhoods() -> Result<tempfile::TempDir, std::io::Error> {
    folder(&[
        (
            "accounts.csv",
            "account_id,industry,employees,tier\nA1,Retail,10,gold\nA2,Software,200,1.50\nA3,Retail,5,\nA4,Energy,7,silver\n",
        ),
        (
            "contacts.csv",
            "contact_id,account_id,job_title,visitor_id\n\
         C1,A1,CTO,V1\nC2,A2,CEO,\nC3,,Analyst,V1\nC4,A3,Buyer,V2\nC5,A3,,\nC6,A4,Owner,\n",
        ),
        (
            "leads.csv",
            "lead_id,created_at,contact_id,account_id,status,closed_at,budget\n\
         L1,2026-01-01,C1,A2,qualified,2026-02-01,10\n\
         L2,2026-01-02,,A3,disqualified,2026-02-02,n/a\n\
         L3,2026-01-03,C3,,open,,5\n\
         L4,2026-01-04,,,open,,\n\
         L5,2026-01-05,C2,,qualified,2026-03-01,7\n\
         L6,2026-01-06,C6,A4,open,,1.50\n",
        ),
        (
            "interactions.csv",
            "interaction_id,kind,occurred_at,contact_id,visitor_id\n\
         I1,EmailOpened,2026-01-10,C1,\n\
         I2,WebsiteVisited,2026-01-11,,V1\n\
         I3,WebsiteVisited,2026-01-12,C2,\n\
         I4,FormSubmitted,2026-01-13,C5,\n\
         I5,PodcastListened,2026-01-14,,V9\n\
         I6,EmailClicked,2026-01-15,,V2\n\
         I7,EmailOpened,2026-01-20,C4,\n",
        ),
        (
            "custom/Meeting.csv",
            "record_id,lead_id,note,held_at\n\
         M1,L1,2026-01-05,2026-01-05\n\
         M2,L2,2026-01-06,2026-01-06\n\
         M3,L6,call back,2026-01-07\n\
         M4,L3,,2026-04-01\n",
        ),
    ])
}
