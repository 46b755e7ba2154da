//! The live engine of `leadscore serve`, with no HTTP in it: what keeps every
//! lead's scores current and hands the best ones on. Any source of work (the
//! HTTP API in `leadscore-api`, the command line, later a message broker or
//! a file watcher) calls these functions and gets domain results back.
//!
//! - **Ingest** ([`ingest::ingest`]): records in (DATA.md semantics), checked
//!   against the store, written with every lead they change queued for
//!   rescoring in the same transaction; [`json_records`] reads them from
//!   JSON with errors that name the field.
//! - **Rescoring** ([`rescoring`]): a worker rescoring queued leads under the
//!   rule models and the published conversion model ([`scoring::Engine`],
//!   which does no I/O), flagging sales-ready leads once (the rules crate's
//!   sticky flag), routing them to seller queues ([`routing_rules`]) and
//!   writing their events to the outbox.
//! - **Webhooks** ([`webhooks`]): the outbox's deliverer, signed, retried,
//!   in order per endpoint.
//! - **Models** ([`model_registry`], [`in_service`]): rule models, the
//!   conversion model registry and the routing document, and what is in
//!   service, reloaded when another instance changes it.
//! - **Retraining** ([`retrain`]), its schedule and policy; shadow scoring of
//!   a challenger ([`shadow`]); the feature review and drift ([`review`]).
//! - **Keys** ([`keys`]) and **metrics** ([`metrics`]).
//!
//! [`Service`] holds it together: the store (SQLite by default, PostgreSQL for
//! several instances; both run the same code), the settings and the
//! background work.
//!
//! ```
//! use leadscore_engine::Settings;
//!
//! let settings = Settings::default();
//! assert_eq!(settings.listen.port(), 8080);
//! assert!(settings.validate().is_ok());
//! ```

pub mod config_reference;
mod error;
pub mod import;
pub mod in_service;
pub mod ingest;
pub mod json;
pub mod json_records;
pub mod keys;
pub mod lead_scores;
pub mod metrics;
pub mod model_registry;
pub mod nul;
pub mod rate_limit;
pub mod record_bodies;
pub mod refusal;
pub mod rescoring;
pub mod retrain;
pub mod review;
pub mod routing_rules;
pub mod scoring;
pub mod service;
pub mod settings;
pub mod shadow;
pub mod stateless;
pub mod users;
pub mod webhooks;

pub use error::EngineError;
pub use ingest::{IngestError, Written};
pub use keys::{Caller, KeyCheck, create_key};
pub use leadscore_domain::Role;
pub use refusal::{ErrorCode, Problem, Refusal};
pub use service::Service;
pub use settings::Settings;
