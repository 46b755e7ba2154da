//! The leadscore data model: accounts, contacts, leads, interactions and custom
//! related records, as described by the DATA.md import contract.
//!
//! Every type validates on construction (`parse` / `new`), so a value of a type from
//! this crate is always well formed: ids are non-empty, timestamps are real instants,
//! interaction kinds are PascalCase, statuses are known.
//!
//! ```
//! use leadscore_domain::{Lead, LeadId, ContactId, LeadKind, Timestamp};
//!
//! let created = Timestamp::parse("2026-03-01")?;
//! let mut lead = Lead::new(LeadId::parse("L-1")?, created);
//! assert_eq!(lead.kind(), LeadKind::Unscorable);
//! lead.contact_id = Some(ContactId::parse("C-7")?);
//! assert_eq!(lead.kind(), LeadKind::ContactBased);
//! # Ok::<(), leadscore_domain::DomainError>(())
//! ```

pub mod attribution;
mod dataset;
mod declared;
mod error;
mod field_names;
mod fields;
mod future;
mod id_hash;
mod ids;
mod kind;
mod observed;
mod records;
mod sink;
pub mod spreadsheet;
mod status;
pub mod suggest;
mod text;
mod time;
mod vocabulary;

pub use dataset::{DanglingReference, Dataset, ExternalIds, RecordType, retain_indexed};
pub use declared::{CUSTOM_FIELDS_SETTING, CUSTOM_KINDS_SETTING, Declared};
pub use error::DomainError;
pub use field_names::FieldNames;
pub use fields::Fields;
pub use future::{Ahead, FUTURE_TOLERANCE_SETTING, FutureLimit, FutureTime, FutureTolerance};
pub use id_hash::{IdHash, IdHashState, IdHasher, IdMap, IdSet, PassThrough};
pub use ids::{
    AccountId, ContactId, EntityName, ID_PATTERN, InteractionId, LeadId, MAX_ID_LEN, RecordId,
    VisitorId,
};
pub use kind::{InteractionKind, NearMissKind, STANDARD_KINDS};
pub use observed::{ObservedField, ObservedValue};
pub use records::{
    Account, Contact, CustomRecord, Interaction, Lead, LeadKind, parse_amount, parse_count,
    person_name, sort_key,
};
pub use sink::{InteractionRow, ReadProgress, RecordSink, UnknownReference};
pub use status::LeadStatus;
pub use text::thousands;
pub use time::Timestamp;
pub use vocabulary::{EventType, Role, RunStatus, RunTrigger, Stage};
