//! The engine's error: what can stop the service, one of its workers, or an
//! operation (ingest, a model change, retraining) for a reason that is not
//! the caller's input.

/// What can go wrong in the engine that is not the caller's input (input
/// errors are [`crate::IngestError`], [`crate::RecordError`] and the like).
#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    /// The settings do not load or make no sense.
    #[error("bad settings: {reason}")]
    Settings {
        /// What is wrong, naming the key.
        reason: String,
    },
    /// The store failed.
    #[error(transparent)]
    Store(#[from] leadscore_store::StoreError),
    /// A stored document (rule model, conversion model, routing, ...) no
    /// longer reads.
    #[error("the stored {what} {name:?} does not read: {reason}")]
    Corrupt {
        /// What kind of document.
        what: &'static str,
        /// Its name or version.
        name: String,
        /// Why.
        reason: String,
    },
    /// Webhook configuration or delivery.
    #[error(transparent)]
    Webhook(#[from] crate::webhooks::WebhookError),
    /// Scoring failed in a way that is the engine's fault.
    #[error("scoring failed: {reason}")]
    Scoring {
        /// Why.
        reason: String,
    },
    /// Hashing or checking a console password failed (not a wrong
    /// password: the hasher itself).
    #[error("password hashing failed: {reason}")]
    Password {
        /// Why.
        reason: String,
    },
    /// A file operation of the service's own failed (a temporary folder for
    /// an export import).
    #[error("cannot {what}: {source}")]
    Io {
        /// What the service was doing.
        what: String,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// A blocking task of the service's own stopped (panicked or was
    /// cancelled).
    #[error("a background task stopped: {reason}")]
    Task {
        /// Why.
        reason: String,
    },
    /// A retraining run failed; the live model was not touched.
    #[error("retraining run {run_id} failed: {reason}")]
    Retraining {
        /// The run, as `retraining_runs` records it.
        run_id: i64,
        /// Why, as recorded.
        reason: String,
    },
}

impl EngineError {
    /// True when the store could not be reached (the caller may try again).
    pub fn is_unavailable(&self) -> bool {
        matches!(
            self,
            Self::Store(leadscore_store::StoreError::Connect { .. })
        )
    }
}
