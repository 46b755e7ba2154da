//! The leadscore HTTP service (`leadscore serve`): what CRMs and marketing
//! systems call. It takes records in (DATA.md semantics), keeps every lead's
//! scores current (rule models and the published conversion model, rescored
//! within a second of a write), flags sales-ready leads once and hands them to
//! webhooks through a durable outbox, routes leads to seller queues, and
//! exports the leads a model scored.
//!
//! The store is SQLite by default, PostgreSQL for several instances; both run
//! the same code. Scoring itself ([`engine`]) does no I/O.
//!
//! ```
//! use leadscore_service::Settings;
//!
//! let settings = Settings::default();
//! assert_eq!(settings.listen.port(), 8080);
//! assert!(settings.validate().is_ok());
//! ```

pub mod app;
pub mod auth;
pub mod engine;
mod error;
mod ids;
pub mod json;
pub mod live;
pub mod metrics;
pub mod openapi;
pub mod records;
pub mod registry;
pub mod reports;
pub mod retrain;
mod routes;
pub mod routing;
pub mod settings;
pub mod shadow;
pub mod state;
pub mod stateless;
mod time;
pub mod view;
pub mod webhooks;
pub mod worker;

pub use app::{AppState, Running, router, start};
pub use auth::{Role, create_key};
pub use error::{ApiError, ErrorBody, ErrorDetail, ServiceError};
pub use settings::Settings;
