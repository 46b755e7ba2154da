//! Scoring one lead online: the conversion model's feature row of a lead,
//! computed from in-memory records, without polars.
//!
//! The model is trained on the rows `leadscore_files::read_lead_rows` computes
//! with polars from a DATA.md folder. [`FeatureIndex`] computes the same row
//! for one lead from a [`Dataset`](leadscore_domain::Dataset): the whole
//! folder, or only the lead's neighbourhood (the lead, its contact, its
//! account and the account's contacts, the contacts sharing a visitor id with
//! those, their interactions, the lead's custom records), as of a time. Same
//! columns, in the same order, with the same values; the crate's parity test
//! checks it against `read_lead_rows` cell by cell on real folders.
//!
//! The rules are `read_lead_rows`' own:
//! - columns: the lead's `source`, `topic`, custom fields and `lead.kind`
//!   (`contact`, `account`, `none`); `contact.job_title`, `contact.country`,
//!   `contact.city`, `contact.<custom>`; `account.industry`,
//!   `account.employees`, `account.annual_revenue`, `account.country`,
//!   `account.city`, `account.<custom>`, `account.contacts`; per interaction
//!   kind `K` (the standard ones and the dataset's, sorted) `K.7d`, `K.30d`,
//!   `K.90d`, `K.365d`, `K.days_since_last`; per custom entity `E` (sorted)
//!   `E.count`. Custom fields go by name, sorted; a field named like a
//!   standard column or a never-read one (`email` of a lead, `name` of a
//!   contact) is not a column;
//! - a lead's account is its own, else its contact's; an account-based lead
//!   (an account, no contact) has the interactions of every contact of its
//!   account, a contact-based lead those of its contact, an unscorable one
//!   none;
//! - an interaction belongs to its `contact_id`, else to the contact listing
//!   its `visitor_id` (the greatest contact id when several do:
//!   [`leadscore_domain::attribution`], the rule every path applies);
//! - only interactions strictly before the row's time count; the `N`-day
//!   window holds those at most `N` days before it; `K.days_since_last` is the
//!   age of the latest one in (fractional) days, missing when there is none;
//! - a custom entity's record counts when it is the lead's and, if the entity
//!   has a time column, its time there is strictly before the row's time (a
//!   record without one never counts); see [`FeatureIndex`] for how the time
//!   column is decided;
//! - `account.contacts` is the number of the dataset's contacts at the row's
//!   account (missing when the lead has no account).
//!
//! **Numbers and text.** `account.employees`, `account.annual_revenue`,
//! `account.contacts` and the behaviour and count columns are always
//! [`Cell::Num`](leadscore_features::Cell::Num) (or missing). Every other
//! column (the lead's `source`, `topic` and custom fields, `lead.kind`, the
//! contact's and account's text and custom fields) is always
//! [`Cell::Text`](leadscore_features::Cell::Text) holding the value as
//! stored (trimmed), whatever it looks like. `read_lead_rows` types those
//! columns by the content of the whole folder column (numeric when every
//! present value is a finite number), which one lead cannot know. Text keeps
//! the encoding the same either way:
//! [`Encoder::transform_row`](leadscore_features::Encoder::transform_row)
//! parses it for a column trained as numeric (the number `read_lead_rows`
//! parsed from the same text) and takes it as the level for a column trained
//! as categorical (the level `read_lead_rows` read), where a number would
//! have turned `02139` into the unseen level `2139`. A value that is not a
//! number in a column trained as numeric is an encoder error, as it is for
//! batch scoring.
//!
//! ```
//! use leadscore_domain::{
//!     Contact, ContactId, Dataset, Interaction, InteractionId, InteractionKind, Lead, LeadId,
//!     Timestamp,
//! };
//! use leadscore_features::{Cell, RowSource};
//! use leadscore_scoring::FeatureIndex;
//!
//! let mut data = Dataset::default();
//! let mut contact = Contact::new(ContactId::parse("C1")?);
//! contact.job_title = Some("CTO".into());
//! data.contacts.push(contact);
//! let mut lead = Lead::new(LeadId::parse("L1")?, Timestamp::parse("2026-03-01")?);
//! lead.contact_id = Some(ContactId::parse("C1")?);
//! data.leads.push(lead);
//! for (id, day) in [("I1", "2026-03-15"), ("I2", "2026-03-25")] {
//!     let kind = InteractionKind::parse("EmailClicked")?;
//!     let mut click = Interaction::new(InteractionId::parse(id)?, kind, Timestamp::parse(day)?);
//!     click.contact_id = Some(ContactId::parse("C1")?);
//!     data.interactions.push(click);
//! }
//!
//! let index = FeatureIndex::new(&data);
//! let row = index.row(0, Timestamp::parse("2026-03-20")?);
//! assert_eq!(row.cell("contact.job_title"), Some(Cell::Text("CTO".into())));
//! assert_eq!(row.cell("lead.kind"), Some(Cell::Text("contact".into())));
//! // I2 is after the row's time: only I1 counts, 5 days before it.
//! assert_eq!(row.cell("EmailClicked.7d"), Some(Cell::Num(1.0)));
//! assert_eq!(row.cell("EmailClicked.days_since_last"), Some(Cell::Num(5.0)));
//! // Columns this small dataset has no data for answer as read_lead_rows has them.
//! assert_eq!(row.cell("FormSubmitted.30d"), Some(Cell::Num(0.0)));
//! assert_eq!(row.cell("account.industry"), Some(Cell::Missing));
//! assert_eq!(row.cell("Meeting.count"), Some(Cell::Num(0.0)));
//! // The whole row, in read_lead_rows' column order.
//! let first: Vec<String> = row.to_row().cells.into_iter().take(3).map(|(n, _)| n).collect();
//! assert_eq!(first, ["source", "topic", "lead.kind"]);
//! # Ok::<(), leadscore_domain::DomainError>(())
//! ```

mod features;
mod training;

pub use features::{FeatureIndex, LeadFeatures, SchemaCache, scoring_time};
pub use training::ClosedRows;
