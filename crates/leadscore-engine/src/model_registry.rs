//! What admins change, read as models: rule models, the conversion model
//! registry and the routing document, over the store's registry and
//! documents (which keep them as text). Every change that alters scores
//! queues all leads for rescoring in the same transaction (the store does).

use leadscore_domain::Timestamp;
use leadscore_model::{ConversionModel, from_artifact_json};
use leadscore_rules::RuleModel;
use leadscore_store::{DocumentName, SqlStore};
use serde::Serialize;
use utoipa::ToSchema;

use crate::EngineError;
use crate::refusal::{ErrorCode, Refusal};
use crate::routing_rules::RoutingConfig;

/// Every stored rule model, by name, with when it was last changed.
pub async fn rule_models(store: &SqlStore) -> Result<Vec<(RuleModel, Timestamp)>, EngineError> {
    store
        .registry()
        .rule_models()
        .await?
        .into_iter()
        .map(|row| {
            let model = RuleModel::from_json(&row.body).map_err(|e| EngineError::Corrupt {
                what: "rule model",
                name: row.name.clone(),
                reason: e.to_string(),
            })?;
            Ok((model, row.updated_at))
        })
        .collect()
}

/// One stored rule model, by name.
pub async fn rule_model(
    store: &SqlStore,
    name: &str,
) -> Result<Option<(RuleModel, Timestamp)>, EngineError> {
    Ok(rule_models(store)
        .await?
        .into_iter()
        .find(|(m, _)| m.name == name))
}

/// Creates or replaces a rule model (already validated, and checked with
/// [`check_rule_model`]) and keeps it as the model's next saved version;
/// true when it was new.
pub async fn put_rule_model(store: &SqlStore, model: &RuleModel) -> Result<bool, EngineError> {
    put_rule_model_by(store, model, None).await
}

/// [`put_rule_model`], saying who saved it (kept with the version: a
/// console user's email).
pub async fn put_rule_model_by(
    store: &SqlStore,
    model: &RuleModel,
    saved_by: Option<&str>,
) -> Result<bool, EngineError> {
    let body = model.to_json().map_err(|e| EngineError::Scoring {
        reason: e.to_string(),
    })?;
    Ok(store
        .registry()
        .put_rule_model_by(&model.name, &body, saved_by)
        .await?)
}

/// What storing a loaded rule model needs beyond what loading checks: no
/// NUL in any text (PostgreSQL cannot store one; the place is named in the
/// model's JSON form), and a plan that compiles. Every path that stores a
/// model (the HTTP API, the console) calls this before [`put_rule_model`].
pub fn check_rule_model(model: &RuleModel) -> Result<(), Refusal> {
    let as_json = serde_json::to_value(model).map_err(|e| {
        Refusal::new(
            ErrorCode::InvalidModel,
            format!("the model cannot be written: {e}"),
        )
    })?;
    crate::nul::refuse_nul(&as_json)?;
    leadscore_rules::Plan::compile(model)
        .map_err(|e| Refusal::new(ErrorCode::InvalidModel, e.to_string()))?;
    Ok(())
}

/// A saved version of a rule model, read back as a model.
#[derive(Debug, Clone)]
pub struct RuleModelVersion {
    /// The version (1, 2, ...), counted per model name.
    pub version: i64,
    /// The model as saved.
    pub model: RuleModel,
    /// When it was saved.
    pub saved_at: Timestamp,
    /// Who saved it, when known.
    pub saved_by: Option<String>,
}

/// A rule model's saved versions, newest first.
pub async fn rule_model_versions(
    store: &SqlStore,
    name: &str,
) -> Result<Vec<RuleModelVersion>, EngineError> {
    store
        .registry()
        .rule_model_versions(name)
        .await?
        .into_iter()
        .map(|row| {
            let model = RuleModel::from_json(&row.body).map_err(|e| EngineError::Corrupt {
                what: "rule model version",
                name: format!("{} v{}", row.name, row.version),
                reason: e.to_string(),
            })?;
            Ok(RuleModelVersion {
                version: row.version,
                model,
                saved_at: row.saved_at,
                saved_by: row.saved_by,
            })
        })
        .collect()
}

/// Deletes a rule model with its scores; false when there was none.
pub async fn delete_rule_model(store: &SqlStore, name: &str) -> Result<bool, EngineError> {
    Ok(store.registry().delete_rule_model(name).await?)
}

/// Where a registered version stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum VersionStatus {
    /// In service.
    Live,
    /// Retrained, kept unpublished, scored in shadow.
    Challenger,
    /// Neither.
    Registered,
}

/// A registered conversion model version.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ModelVersion {
    /// The version (1, 2, ...).
    pub version: i64,
    /// When the model was trained.
    pub created_at: Timestamp,
    /// When it was registered.
    pub registered_at: Timestamp,
    /// True for the version in service.
    pub published: bool,
    /// Where it stands.
    pub status: VersionStatus,
    /// When it was last published.
    pub published_at: Option<Timestamp>,
    /// Its held-out metrics (`metrics.json` of the artifact folder).
    #[schema(value_type = Option<leadscore_model::MetricsSchema>)]
    pub metrics: serde_json::Value,
}

/// Why an artifact was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{reason}")]
pub struct BadArtifact {
    /// What is wrong (format, version, checksum, ...).
    pub reason: String,
}

/// Registers a conversion model artifact (`model.json` text) with its
/// metrics; returns the new version. The artifact is checked (format,
/// checksum) first: a bad one is the caller's error. Without `metrics` (the
/// `metrics.json` beside it), the version keeps those the artifact holds
/// ([`artifact_metrics`]).
pub async fn register_model(
    store: &SqlStore,
    artifact: &str,
    metrics: Option<&serde_json::Value>,
) -> Result<Result<i64, BadArtifact>, EngineError> {
    let model = match from_artifact_json(artifact, std::path::Path::new("model.json")) {
        Ok(m) => m,
        Err(e) => {
            return Ok(Err(BadArtifact {
                reason: e.to_string(),
            }));
        }
    };
    let metrics = match metrics {
        Some(m) => m.to_string(),
        None => artifact_metrics(&model)?.to_string(),
    };
    let created = trained_at(&model);
    let version = store
        .registry()
        .register(artifact, &metrics, created)
        .await?;
    Ok(Ok(version))
}

/// The metrics an artifact holds: its held-out evaluation, with its
/// confidence under `"confidence"`.
pub fn artifact_metrics(model: &ConversionModel) -> Result<serde_json::Value, EngineError> {
    let failed = |e: serde_json::Error| EngineError::Scoring {
        reason: format!("cannot write the model's metrics: {e}"),
    };
    let mut metrics = serde_json::to_value(&model.metrics).map_err(failed)?;
    let confidence = serde_json::to_value(model.confidence).map_err(failed)?;
    if let Some(map) = metrics.as_object_mut() {
        map.insert("confidence".into(), confidence);
    }
    Ok(metrics)
}

/// When a model was trained (its registration time when that does not read).
pub(crate) fn trained_at(model: &ConversionModel) -> Timestamp {
    Timestamp::parse(&model.created_at).unwrap_or_else(|_| Timestamp::now())
}

/// Every registered version, newest first.
pub async fn model_versions(store: &SqlStore) -> Result<Vec<ModelVersion>, EngineError> {
    let live = store.registry().live_version().await?;
    let challenger = store.retraining().challenger_version().await?;
    Ok(store
        .registry()
        .versions()
        .await?
        .into_iter()
        .map(|row| {
            let status = if live == Some(row.version) {
                VersionStatus::Live
            } else if challenger == Some(row.version) {
                VersionStatus::Challenger
            } else {
                VersionStatus::Registered
            };
            ModelVersion {
                version: row.version,
                created_at: row.created_at,
                registered_at: row.registered_at,
                published: status == VersionStatus::Live,
                status,
                published_at: row.published_at,
                metrics: serde_json::from_str(&row.metrics).unwrap_or(serde_json::Value::Null),
            }
        })
        .collect())
}

/// A registered version's model, read and checked; `None` when there is no
/// such version.
pub async fn model_version(
    store: &SqlStore,
    version: i64,
) -> Result<Option<ConversionModel>, EngineError> {
    let Some(text) = store.registry().artifact(version).await? else {
        return Ok(None);
    };
    let model = from_artifact_json(&text, std::path::Path::new("model.json")).map_err(|e| {
        EngineError::Corrupt {
            what: "conversion model",
            name: version.to_string(),
            reason: e.to_string(),
        }
    })?;
    Ok(Some(model))
}

/// The model in service, read and checked.
pub async fn live_model(store: &SqlStore) -> Result<Option<(i64, ConversionModel)>, EngineError> {
    let Some(version) = store.registry().live_version().await? else {
        return Ok(None);
    };
    Ok(model_version(store, version)
        .await?
        .map(|model| (version, model)))
}

/// The challenger (a retrained version kept unpublished) with its model.
pub async fn challenger(store: &SqlStore) -> Result<Option<(i64, ConversionModel)>, EngineError> {
    let Some(version) = store.retraining().challenger_version().await? else {
        return Ok(None);
    };
    Ok(model_version(store, version).await?.map(|m| (version, m)))
}

/// Publishes a version (it becomes the one in service; every lead is
/// rescored). `Ok(false)` when there is no such version.
pub async fn publish(store: &SqlStore, version: i64, cause: &str) -> Result<bool, EngineError> {
    Ok(store.registry().publish(version, cause).await?)
}

/// What a rollback did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct Rollback {
    /// The version that was in service.
    pub from: i64,
    /// The version now in service.
    pub to: i64,
}

/// Goes back to the version published before the current one. `None` when
/// there is no earlier publication of another version.
pub async fn rollback(store: &SqlStore) -> Result<Option<Rollback>, EngineError> {
    Ok(store.registry().rollback().await?.map(|r| Rollback {
        from: r.from,
        to: r.to,
    }))
}

/// The routing document (empty when never set).
pub async fn routing(store: &SqlStore) -> Result<RoutingConfig, EngineError> {
    match store.documents().get(DocumentName::Routing).await? {
        None => Ok(RoutingConfig::default()),
        Some(text) => serde_json::from_str(&text).map_err(|e| EngineError::Corrupt {
            what: "settings document",
            name: DocumentName::Routing.as_str().into(),
            reason: e.to_string(),
        }),
    }
}

/// Replaces the routing document (already validated); every lead is queued
/// to be routed again.
pub async fn put_routing(store: &SqlStore, config: &RoutingConfig) -> Result<(), EngineError> {
    let text = serde_json::to_string(config).map_err(|e| EngineError::Scoring {
        reason: e.to_string(),
    })?;
    Ok(store.documents().put(DocumentName::Routing, &text).await?)
}
