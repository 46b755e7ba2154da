//! What scoring runs on, loaded from the store and swapped whole when an admin
//! (here or on another instance) changes it: the engine (rule models and the
//! published conversion model), the routing rules and the webhook endpoints.

use std::sync::Arc;

use leadscore_store::{Generation, SqlStore};

use crate::routing_rules::RoutingConfig;
use crate::scoring::{Engine, LiveModel};
use crate::settings::Settings;
use crate::webhooks::{WebhookConfig, load_config};
use crate::{EngineError, model_registry};

/// One consistent set of models and documents.
#[derive(Debug, Default)]
pub struct InService {
    /// The scoring engine.
    pub engine: Engine,
    /// The routing rules.
    pub routing: RoutingConfig,
    /// The webhook endpoints.
    pub webhooks: WebhookConfig,
    /// The retrained model kept unpublished, scored in shadow.
    pub challenger: Option<LiveModel>,
    /// The store's fingerprint this was loaded at.
    pub generation: Generation,
}

impl InService {
    /// Loads everything from the store.
    pub async fn load(store: &SqlStore, settings: &Settings) -> Result<Self, EngineError> {
        let generation = store.registry().generation().await?;
        let models = model_registry::rule_models(store)
            .await?
            .into_iter()
            .map(|(m, _)| m)
            .collect();
        let conversion = model_registry::live_model(store)
            .await?
            .map(|(version, model)| LiveModel::new(version, model));
        let engine = Engine::new(
            models,
            conversion,
            settings.scoring.fallback_model.as_deref(),
        )?;
        Ok(Self {
            engine,
            routing: model_registry::routing(store).await?,
            webhooks: load_config(store).await?,
            challenger: model_registry::challenger(store)
                .await?
                .map(|(version, model)| LiveModel::new(version, model)),
            generation,
        })
    }
}

/// The current [`InService`], shared by requests and workers.
#[derive(Debug, Default)]
pub struct InServiceCell {
    current: std::sync::RwLock<Arc<InService>>,
    /// Held through a reload, so that reloads take turns: a reload that read
    /// the store before another's change never replaces what that change's
    /// reload loaded.
    reloading: tokio::sync::Mutex<()>,
}

impl InServiceCell {
    /// The current set.
    pub fn get(&self) -> Arc<InService> {
        match self.current.read() {
            Ok(guard) => Arc::clone(&guard),
            Err(poisoned) => Arc::clone(&poisoned.into_inner()),
        }
    }

    /// Replaces it.
    pub fn set(&self, live: InService) {
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
    ) -> Result<bool, EngineError> {
        let _turn = self.reloading.lock().await;
        let now = store.registry().generation().await?;
        if now == self.get().generation {
            return Ok(false);
        }
        self.set(InService::load(store, settings).await?);
        Ok(true)
    }
}
