//! The live engine as one value: the store, the settings, what is in service,
//! and the background work (the rescoring worker, the webhook deliverer, the
//! retraining schedule and the drift check). Every source of work (the HTTP
//! API, a command, later a message broker) goes through a [`Service`].

use std::ops::Deref;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::time::Duration;

use leadscore_store::SqlStore;
use tokio::sync::{Notify, watch};
use tokio::task::JoinSet;

use crate::in_service::{InService, InServiceCell};
use crate::keys::KeyCache;
use crate::metrics::Metrics;
use crate::rate_limit::KeyRateLimit;
use crate::review::LastDrift;
use crate::settings::Settings;
use crate::webhooks::Deliverer;
use crate::{EngineError, rescoring, retrain, review};

/// What every request and worker shares.
#[derive(Debug)]
pub struct Shared {
    /// The store.
    pub store: SqlStore,
    /// The settings.
    pub settings: Settings,
    /// Models, routing and webhooks in service.
    pub in_service: InServiceCell,
    /// Checked API keys.
    pub keys: KeyCache,
    /// The per-key rate limit.
    pub rate_limit: KeyRateLimit,
    /// Wakes the rescoring worker after a write.
    pub rescore_wake: Notify,
    /// Wakes the webhook deliverer after events were written.
    pub webhook_wake: Arc<Notify>,
    /// Metrics.
    pub metrics: Metrics,
    /// False once shutdown began.
    pub accepting: AtomicBool,
    /// The latest drift measure of the live model on this instance (by the
    /// periodic check or a review), for the console's overview.
    pub last_drift: LastDrift,
    /// The reviews being computed on this instance.
    pub reviews: review::Computations,
}

/// The live engine, cheap to clone.
#[derive(Debug, Clone)]
pub struct Service(Arc<Shared>);

impl Deref for Service {
    type Target = Shared;

    fn deref(&self) -> &Shared {
        &self.0
    }
}

/// The background tasks of a service, each ending with the service's
/// shutdown signal.
pub type Tasks = JoinSet<()>;

impl Service {
    /// Loads models and documents from the store and queues the leads that
    /// have no score yet.
    pub async fn new(store: SqlStore, settings: Settings) -> Result<Self, EngineError> {
        let in_service = InServiceCell::default();
        in_service.set(InService::load(&store, &settings).await?);
        let queued = store.queue().enqueue_unscored("first scoring").await?;
        if queued > 0 {
            tracing::info!(leads = queued, "leads without scores queued");
        }
        let rate_limit = KeyRateLimit::new(&settings.limits);
        Ok(Self(Arc::new(Shared {
            store,
            settings,
            in_service,
            keys: KeyCache::default(),
            rate_limit,
            rescore_wake: Notify::new(),
            webhook_wake: Arc::new(Notify::new()),
            metrics: Metrics::new()?,
            accepting: AtomicBool::new(true),
            last_drift: LastDrift::default(),
            reviews: review::Computations::default(),
        })))
    }

    /// Reloads what is in service when the store's models or documents
    /// changed (here or on another instance); true when it did.
    pub async fn reload(&self) -> Result<bool, EngineError> {
        self.in_service.refresh(&self.store, &self.settings).await
    }

    /// After a change of models, routing or webhooks made here: reloads them
    /// and wakes the rescoring worker for the leads the change queued.
    pub async fn changed(&self) -> Result<(), EngineError> {
        self.reload().await?;
        self.rescore_wake.notify_one();
        Ok(())
    }

    /// Starts the background work into `tasks`: the rescoring worker, the
    /// webhook deliverer, the retraining schedule and the drift check. Each
    /// ends when `shutdown` holds `true`.
    pub fn start_workers(
        &self,
        shutdown: &watch::Receiver<bool>,
        tasks: &mut Tasks,
    ) -> Result<(), EngineError> {
        let service = self.clone();
        let rx = shutdown.clone();
        tasks.spawn(rescoring::run(service, rx));
        let deliverer = Deliverer::new(self.store.clone(), self.settings.webhooks.clone())?;
        let wake = Arc::clone(&self.webhook_wake);
        let rx = shutdown.clone();
        tasks.spawn(async move { deliverer.run(wake, rx).await });
        let service = self.clone();
        let rx = shutdown.clone();
        tasks.spawn(retrain::run_schedule(service, rx));
        let service = self.clone();
        let rx = shutdown.clone();
        let drift = &self.settings.drift;
        let every = (drift.every_secs > 0).then(|| Duration::from_secs(drift.every_secs));
        let recent_days = drift.recent_days;
        tasks.spawn(review::run_drift_check(service, every, recent_days, rx));
        Ok(())
    }
}
