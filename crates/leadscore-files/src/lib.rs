//! Reading and writing lead data on disk: DATA.md folders (CSV or Parquet) and flat
//! training tables, with polars.
//!
//! Every bad input is reported with its place: the file, the line (CSV) or row
//! (Parquet), and the column. Reading a folder happens in two steps, so that
//! references can be checked against records that live elsewhere (a store):
//! [`read_folder`] parses and checks each file on its own and gives a
//! [`ParsedFolder`]; [`ParsedFolder::resolve`] then checks every reference and gives
//! the [`LoadedFolder`] with its [`Dataset`](leadscore_domain::Dataset).
//!
//! A folder too large to hold twice in memory is streamed instead:
//! [`stream_folder`] reads it record by record (CSV with the `csv` crate, Parquet
//! in row batches) and hands each record to a
//! [`RecordSink`](leadscore_domain::RecordSink) as soon as it is checked, parents
//! first, so that the sink checks references as they come. It applies the same
//! checks, with the same messages, as [`read_folder`]; see the differences in
//! when it stops in [`stream_folder`]'s documentation.
//!
//! For the conversion model, [`read_lead_rows`] turns a folder into one feature
//! row per lead, each as of the right time (its close, or the scoring time).
//!
//! ```
//! use leadscore_domain::ExternalIds;
//! use leadscore_files::{read_folder, write_folder, Format, ReadOptions};
//!
//! let dir = tempfile::tempdir()?;
//! std::fs::write(dir.path().join("accounts.csv"), "account_id,name,industry\nA1,\"Acme, Inc.\",Retail\n")?;
//! std::fs::write(dir.path().join("leads.csv"), "lead_id,created_at,account_id\nL1,2026-03-01,A1\n")?;
//!
//! let parsed = read_folder(dir.path(), &ReadOptions::default())?;
//! let loaded = parsed.resolve(&ExternalIds::default())?;
//! assert_eq!(loaded.dataset.leads.len(), 1);
//! assert_eq!(loaded.dataset.accounts[0].name.as_deref(), Some("Acme, Inc."));
//!
//! let copy = tempfile::tempdir()?;
//! write_folder(&loaded.dataset, copy.path(), Format::Parquet)?;
//! let again = read_folder(copy.path(), &ReadOptions::default())?.resolve(&ExternalIds::default())?;
//! assert_eq!(again.dataset, loaded.dataset);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod columns;
mod error;
mod folder;
mod frame;
mod layout;
mod lead_rows;
mod lines;
mod ordered;
mod problems;
mod records;
mod scoring;
mod stream;
mod table;
mod training;
mod write;

pub use error::{FilesError, Location, MAX_REPORTED, RowProblem};
pub use folder::{LoadedFolder, ParsedFolder, ReadOptions, read_folder, read_folder_with_limit};
pub use layout::Format;
pub use lead_rows::{
    ClosedWithoutTime, DuplicateLeads, FolderPart, FolderParts, FolderQuality, LEADS_PER_PART,
    LeadRowOptions, LeadRowParts, LeadRows, LeadSample, LeadSelection, PartProperties, PartStep,
    PartsWriter, QUALITY_EXAMPLES, SplitOptions, newest_lead, read_lead_row_parts, read_lead_rows,
    read_lead_rows_in_parts, split_folder,
};
pub use lines::LineMap;
pub use ordered::{OrderedRows, RunWriter};
pub use scoring::{ScoringTable, read_scoring_table};
pub use stream::{StreamOptions, StreamSummary, estimate_records, stream_folder};
pub use table::{detect_delimiter, read_table};
pub use training::{POSITIVE_VALUES, TrainingOptions, TrainingTable, read_training_table};
pub use write::{FolderWriter, write_folder};
