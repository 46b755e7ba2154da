//! The leadscore HTTP API (`leadscore serve`): a thin axum layer over the
//! live engine (`leadscore-engine`). Each route reads its request, calls the
//! engine or a store repository, and answers; roles are enforced by a layer
//! on each group of routes ([`auth`]); errors are one shape with a stable
//! code ([`error`]); the OpenAPI document is built from the same routes that
//! serve ([`routes`]).
//!
//! ```no_run
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! use leadscore_engine::{Service, Settings};
//! use leadscore_store::{DatabaseUrl, SqlStore};
//!
//! let store = SqlStore::open(&DatabaseUrl::parse("leadscore.db")?).await?;
//! let service = Service::new(store, Settings::default()).await?;
//! let running = leadscore_api::start(service).await?;
//! running.until_signal().await?;
//! # Ok(())
//! # }
//! ```

pub mod app;
pub mod auth;
pub mod body;
pub mod error;
pub mod openapi;
pub mod params;
pub mod routes;

pub use app::{Running, router, start};
pub use error::{ApiError, ErrorBody, ErrorDetail};

/// What can stop the server.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    /// The listening socket.
    #[error("cannot listen on {addr}: {source}")]
    Listen {
        /// The address.
        addr: String,
        /// The OS error.
        source: std::io::Error,
    },
    /// Serving stopped with an error.
    #[error("the server failed: {source}")]
    Serve {
        /// The OS error.
        source: std::io::Error,
    },
    /// The engine failed to start.
    #[error(transparent)]
    Engine(#[from] leadscore_engine::EngineError),
}
