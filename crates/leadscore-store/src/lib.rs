//! The leadscore store: accounts, contacts, leads, interactions and custom records
//! behind one [`Store`] trait, kept in SQLite (the embedded default) or PostgreSQL
//! (shared by several service instances) through the same SQL code.
//!
//! [`SqlStore`] talks to both through sqlx's `Any` driver; the few differences
//! (SQLite pragmas, snapshot reads) live in [`Backend`]. The schema is created by
//! versioned migrations embedded in the binary and run by [`SqlStore::open`].
//! An import is one transaction: all or nothing.
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

mod checkpoint;
mod dialect;
mod error;
mod grouped;
mod live;
pub mod queue;
mod read;
mod schema;
mod sql_store;
mod store;
mod url;
mod write;

#[doc(hidden)]
pub mod testing;

pub use dialect::Backend;
pub use error::StoreError;
pub use live::{Erasure, placeholders};
pub use sql_store::{OpenOptions, SqlStore, WriteTurn, WriteTx};
pub use store::{ImportSummary, Store, StoreCounts};
pub use url::{DEFAULT_SQLITE_FILE, DatabaseUrl};
