//! Deterministic synthetic B2B lead histories in the DATA.md layout.
//!
//! [`generate`] writes `accounts.csv`, `contacts.csv`, `leads.csv`,
//! `interactions.csv` and the custom entity `custom/Meeting.csv` into a folder:
//! companies of many industries and sizes, their people, two years of leads
//! (contact-based, account-based and a few unscorable ones) and the email, web
//! and event activity around them. Outcomes come from a hidden logistic model of
//! what the files show plus a latent engagement that also drives behaviour, and
//! noise, so a good model learns them well but not perfectly.
//!
//! The same leads, seed and as-of time give byte-identical files on any machine
//! and with any number of threads. Work is streamed in chunks, so memory stays
//! bounded at any size; a failed run leaves nothing behind.
//!
//! ```
//! use leadscore_generate::{DEFAULT_AS_OF, GeneratorConfig, generate};
//! use leadscore_domain::Timestamp;
//!
//! let dir = tempfile::tempdir()?;
//! let as_of = Timestamp::parse(DEFAULT_AS_OF)?;
//! let config = GeneratorConfig::new(50, 42, as_of)?;
//! let summary = generate(&config, dir.path(), &|p| assert!(p.leads_done <= p.leads_total))?;
//! assert_eq!(summary.leads, 50);
//! let leads = std::fs::read_to_string(dir.path().join("leads.csv"))?;
//! assert!(leads.starts_with("lead_id,created_at,contact_id,account_id,"));
//! assert!(dir.path().join("custom/Meeting.csv").exists());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod behaviour;
mod calendar;
mod config;
mod error;
mod format;
mod generate;
mod sample;
mod truth;
mod vocab;
mod world;
mod write;

#[cfg(test)]
mod tests;

pub use config::{DEFAULT_AS_OF, GeneratorConfig, MAX_LEADS};
pub use error::{GenerateError, LISTED_ENTRIES};
pub use generate::{GenerateSummary, Progress, generate};
