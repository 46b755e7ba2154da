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
mod lines;
mod records;
mod table;
mod write;

pub use error::{FilesError, Location, RowProblem};
pub use folder::{LoadedFolder, ParsedFolder, ReadOptions, read_folder};
pub use layout::Format;
pub use table::{detect_delimiter, read_table};
pub use write::write_folder;
