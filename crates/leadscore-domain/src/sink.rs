//! Streaming records one at a time, parents first, into whatever indexes them.

use crate::{
    Account, Contact, ContactId, CustomRecord, DomainError, EntityName, Fields, Interaction,
    InteractionId, InteractionKind, Lead, LeadId, RecordType, Timestamp, VisitorId,
};

/// One interaction as a streaming reader hands it over: borrowed, with only the
/// properties the sink asked for.
#[derive(Debug, Clone, Copy)]
pub struct InteractionRow<'a> {
    /// Its id.
    pub id: &'a str,
    /// Its kind.
    pub kind: &'a InteractionKind,
    /// When it happened.
    pub occurred_at: Timestamp,
    /// The contact it names.
    pub contact_id: Option<&'a str>,
    /// The lead it names.
    pub lead_id: Option<&'a str>,
    /// The anonymous visitor it names.
    pub visitor_id: Option<&'a str>,
    /// The properties the sink wants ([`RecordSink::wants_property`]) that are
    /// present, as (name, value).
    pub properties: &'a [(&'a str, &'a str)],
}

impl InteractionRow<'_> {
    /// The interaction as a record of its own, with the properties handed
    /// over; its ids are checked again as [`InteractionId::parse`] and the
    /// others check them.
    pub fn to_interaction(&self) -> Result<Interaction, DomainError> {
        let mut properties = Fields::new();
        for (name, value) in self.properties {
            properties.set(*name, *value);
        }
        Ok(Interaction {
            interaction_id: InteractionId::parse(self.id)?,
            kind: self.kind.clone(),
            occurred_at: self.occurred_at,
            contact_id: self.contact_id.map(ContactId::parse).transpose()?,
            lead_id: self.lead_id.map(LeadId::parse).transpose()?,
            visitor_id: self.visitor_id.map(VisitorId::parse).transpose()?,
            properties,
        })
    }
}

/// A reference a sink could not follow: the record it names was not handed over.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownReference {
    /// The column holding it (`contact_id`).
    pub column: &'static str,
    /// The id it names.
    pub id: String,
}

/// Receives a lead history record by record. Readers call it in this order:
/// accounts, contacts, leads, custom records, interactions, so that every
/// reference points at a record already received.
///
/// A method that returns `Err` must not have kept the record: the reader reports
/// the row (or skips it, when asked to skip bad rows) and records that refer to
/// it are refused in turn.
pub trait RecordSink {
    /// An account.
    fn account(&mut self, account: Account) -> Result<(), UnknownReference>;
    /// A contact; its account came before.
    fn contact(&mut self, contact: Contact) -> Result<(), UnknownReference>;
    /// A lead; its contact and account came before.
    fn lead(&mut self, lead: Lead) -> Result<(), UnknownReference>;
    /// A record of a custom entity; its lead came before.
    fn custom(&mut self, entity: &EntityName, record: CustomRecord)
    -> Result<(), UnknownReference>;
    /// An interaction; its contact and lead came before.
    fn interaction(&mut self, row: InteractionRow<'_>) -> Result<(), UnknownReference>;
    /// True when the sink keeps the interaction property `name`; a reader need not
    /// read the others.
    fn wants_property(&self, name: &str) -> bool;
    /// False when the sink keeps no record of this type: a reader may then check
    /// the file's header and not read its records (so neither their values nor
    /// their references are checked). By default every type is wanted.
    fn wants_records(&self, record: &RecordType) -> bool {
        let _ = record;
        true
    }
    /// How far the reader is through what it reads, told now and then
    /// between records (for a progress bar with the time left). By default
    /// ignored.
    fn read_progress(&mut self, progress: ReadProgress) {
        let _ = progress;
    }
}

/// How far a reader is through the files it reads, in bytes: exact for text
/// files, estimated from the rows read for compressed ones.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ReadProgress {
    /// Bytes read so far.
    pub done: u64,
    /// Bytes of every file to be read.
    pub total: u64,
}
