//! What scoring runs on, loaded from the store and swapped whole when an admin
//! (here or on another instance) changes it: the engine (rule models and the
//! published conversion model), the routing rules and the webhook endpoints.

use std::sync::Arc;

use leadscore_store::SqlStore;

use crate::engine::{Engine, LiveModel};
use crate::routing::RoutingConfig;
use crate::settings::Settings;
use crate::webhooks::{WebhookConfig, load_config};
use crate::{ServiceError, registry, retrain};

/// One consistent set of models and documents.
#[derive(Debug, Default)]
pub struct Live {
    /// The scoring engine.
    pub engine: Engine,
    /// The routing rules.
    pub routing: RoutingConfig,
    /// The webhook endpoints.
    pub webhooks: WebhookConfig,
    /// The retrained model kept unpublished, scored in shadow.
    pub challenger: Option<LiveModel>,
    /// The store's fingerprint this was loaded at.
    pub generation: String,
}

impl Live {
    /// Loads everything from the store.
    pub async fn load(store: &SqlStore, settings: &Settings) -> Result<Self, ServiceError> {
        let pool = store.pool();
        let backend = store.backend();
        let generation = registry::generation(pool).await?;
        let models = registry::rule_models(pool)
            .await?
            .into_iter()
            .map(|(m, _)| m)
            .collect();
        let conversion = registry::live_model(pool, backend)
            .await?
            .map(|(version, model)| LiveModel::new(version, model));
        let engine = Engine::new(
            models,
            conversion,
            settings.scoring.fallback_model.as_deref(),
        )?;
        Ok(Self {
            engine,
            routing: registry::routing(pool, backend).await?,
            webhooks: load_config(pool, backend).await?,
            challenger: retrain::runs::challenger(pool, backend)
                .await?
                .map(|(version, model)| LiveModel::new(version, model)),
            generation,
        })
    }
}

/// The current [`Live`], shared by requests and workers.
#[derive(Debug, Default)]
pub struct LiveCell {
    current: std::sync::RwLock<Arc<Live>>,
    /// Held through a reload, so that reloads take turns: a reload that read
    /// the store before another's change never replaces what that change's
    /// reload loaded.
    reloading: tokio::sync::Mutex<()>,
}

impl LiveCell {
    /// The current set.
    pub fn get(&self) -> Arc<Live> {
        match self.current.read() {
            Ok(guard) => Arc::clone(&guard),
            Err(poisoned) => Arc::clone(&poisoned.into_inner()),
        }
    }

    /// Replaces it.
    pub fn set(&self, live: Live) {
        let live = Arc::new(live);
        match self.current.write() {
            Ok(mut guard) => *guard = live,
            Err(poisoned) => *poisoned.into_inner() = live,
        }
    }

    /// Reloads when the store's fingerprint moved; true when it did. Reloads
    /// take turns, each reading the store after the one before was set: what
    /// is current afterwards is at least as new as the store was when this
    /// was called.
    pub async fn refresh(
        &self,
        store: &SqlStore,
        settings: &Settings,
    ) -> Result<bool, ServiceError> {
        let _turn = self.reloading.lock().await;
        let now = registry::generation(store.pool()).await?;
        if now == self.get().generation {
            return Ok(false);
        }
        self.set(Live::load(store, settings).await?);
        Ok(true)
    }
}
