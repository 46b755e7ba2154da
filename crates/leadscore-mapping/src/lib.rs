//! Mapping CRM exports onto the DATA.md import contract.
//!
//! A CRM's export names its columns its own way (`LeadSource`, `Lead Status`,
//! `Created On`), writes dates its own way (`11/05/2026 9:15 AM`), and says
//! `Closed - Converted` where DATA.md says `qualified`. A [`Mapping`] (plain
//! YAML data, `docs/MAPPING.md`) says which file and column of the export
//! becomes which DATA.md record and column, how its dates and numbers are
//! written, how its values translate, which values are constant and which
//! columns are dropped. [`Mapping::apply`] writes the export as a DATA.md
//! folder, so that every reader of folders (import, training, scoring) reads
//! it with every check it has, and [`Mapped::relocate`] names each problem
//! those readers find by its file, line and column in the export.
//!
//! Mappings for the standard exports of Salesforce, HubSpot and Dynamics 365,
//! and for a flat one-row-per-lead table with an outcome, are shipped
//! ([`shipped`]); [`propose`] writes a mapping from an export's header for a
//! person to check.
//!
//! ```
//! use leadscore_mapping::{ApplyOptions, Mapping};
//!
//! let export = tempfile::tempdir()?;
//! std::fs::write(
//!     export.path().join("Lead.csv"),
//!     "Id,Company,LeadSource,Status,CreatedDate\n00Q1,Acme,Web,Closed - Converted,2026-11-02T09:15:00.000Z\n",
//! )?;
//! let mapping = leadscore_mapping::shipped("salesforce")?;
//! let out = tempfile::tempdir()?;
//! let mapped = mapping.apply(export.path(), out.path(), &ApplyOptions::default())?;
//! let leads = std::fs::read_to_string(mapped.folder().join("leads.csv"))?;
//! assert!(leads.contains("00Q1,2026-11-02T09:15:00Z"));
//! assert!(leads.contains("qualified"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod apply;
mod check;
mod convert;
mod error;
mod init;
mod plan;
mod shipped;
mod spec;
mod suggest;

pub use apply::{ApplyOptions, Mapped, Preview, preview_folder};
pub use error::MappingError;
pub use init::{Proposal, propose};
pub use shipped::{SHIPPED, load, shipped};
pub use spec::{ColumnSpec, DateOrder, FullSpec, Mapping, OneOrMany, Others, ValueType};
