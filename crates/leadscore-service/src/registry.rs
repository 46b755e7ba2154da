//! Documents admins change: rule models, the conversion model registry, and
//! the routing document, kept in the store. Every change that alters scores
//! queues all leads for rescoring in the same transaction.

use leadscore_domain::Timestamp;
use leadscore_model::{ConversionModel, from_artifact_json};
use leadscore_rules::RuleModel;
use leadscore_store::{Backend, SqlStore, placeholders};
use serde::Serialize;
use sqlx::{AnyConnection, AnyPool, AssertSqlSafe, Row};
use utoipa::ToSchema;

use crate::ServiceError;
use crate::routing::RoutingConfig;
use crate::time::rfc3339;

fn q(operation: &'static str) -> impl FnOnce(sqlx::Error) -> ServiceError {
    ServiceError::query(operation)
}

/// The next number of a table's counter column (its largest plus one), read
/// in the caller's write transaction.
pub(crate) async fn next_number(
    conn: &mut AnyConnection,
    table: &'static str,
    column: &'static str,
    operation: &'static str,
) -> Result<i64, ServiceError> {
    // Both names are constants of this crate, never input.
    let sql = format!("SELECT COALESCE(MAX({column}), 0) + 1 FROM {table}");
    sqlx::query(AssertSqlSafe(sql))
        .fetch_one(&mut *conn)
        .await
        .map_err(q(operation))?
        .try_get(0)
        .map_err(q(operation))
}

/// Queues every lead for rescoring.
pub async fn enqueue_all(
    conn: &mut AnyConnection,
    backend: Backend,
    cause: &str,
) -> Result<u64, ServiceError> {
    leadscore_store::queue::enqueue_where(conn, backend, "1 = 1", cause)
        .await
        .map_err(ServiceError::from)
}

/// Every stored rule model, by name.
pub async fn rule_models(pool: &AnyPool) -> Result<Vec<(RuleModel, String)>, ServiceError> {
    let rows = sqlx::query("SELECT name, body, updated_at FROM rule_models ORDER BY name")
        .fetch_all(pool)
        .await
        .map_err(q("read rule models"))?;
    rows.iter()
        .map(|r| {
            let name: String = r.try_get(0).map_err(q("read rule models"))?;
            let body: String = r.try_get(1).map_err(q("read rule models"))?;
            let updated: i64 = r.try_get(2).map_err(q("read rule models"))?;
            let model = RuleModel::from_json(&body).map_err(|e| ServiceError::Corrupt {
                what: "rule model",
                name: name.clone(),
                reason: e.to_string(),
            })?;
            Ok((model, rfc3339(updated)))
        })
        .collect()
}

/// Creates or replaces a rule model (already validated); true when it was new.
pub async fn put_rule_model(store: &SqlStore, model: &RuleModel) -> Result<bool, ServiceError> {
    let op = "store a rule model";
    let body = model.to_json().map_err(|e| ServiceError::Scoring {
        reason: e.to_string(),
    })?;
    let backend = store.backend();
    let mut tx = store.begin_write().await.map_err(q(op))?;
    let existed = sqlx::query(AssertSqlSafe(placeholders(
        backend,
        "SELECT 1 FROM rule_models WHERE name = ?",
    )))
    .bind(&model.name)
    .fetch_optional(&mut *tx)
    .await
    .map_err(q(op))?
    .is_some();
    sqlx::query(AssertSqlSafe(placeholders(
        backend,
        "INSERT INTO rule_models (name, body, updated_at) VALUES (?, ?, ?) \
         ON CONFLICT (name) DO UPDATE SET body = excluded.body, updated_at = excluded.updated_at",
    )))
    .bind(&model.name)
    .bind(body)
    .bind(Timestamp::now().as_micros())
    .execute(&mut *tx)
    .await
    .map_err(q(op))?;
    enqueue_all(
        &mut tx,
        backend,
        &format!("rule model {} changed", model.name),
    )
    .await?;
    tx.commit().await.map_err(q(op))?;
    Ok(!existed)
}

/// Deletes a rule model with its scores; false when there was none.
pub async fn delete_rule_model(store: &SqlStore, name: &str) -> Result<bool, ServiceError> {
    let op = "delete a rule model";
    let backend = store.backend();
    let mut tx = store.begin_write().await.map_err(q(op))?;
    let gone = sqlx::query(AssertSqlSafe(placeholders(
        backend,
        "DELETE FROM rule_models WHERE name = ?",
    )))
    .bind(name)
    .execute(&mut *tx)
    .await
    .map_err(q(op))?
    .rows_affected()
        == 1;
    if gone {
        sqlx::query(AssertSqlSafe(placeholders(
            backend,
            "DELETE FROM rule_scores WHERE model = ?",
        )))
        .bind(name)
        .execute(&mut *tx)
        .await
        .map_err(q(op))?;
        enqueue_all(&mut tx, backend, &format!("rule model {name} deleted")).await?;
    }
    tx.commit().await.map_err(q(op))?;
    Ok(gone)
}

/// A registered conversion model version.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ModelVersion {
    /// The version (1, 2, ...).
    pub version: i64,
    /// When the model was trained (RFC 3339).
    pub created_at: String,
    /// When it was registered.
    pub registered_at: String,
    /// True for the version in service.
    pub published: bool,
    /// `live`, `challenger` (retrained, kept unpublished, scored in shadow)
    /// or `registered`.
    pub status: &'static str,
    /// When it was last published.
    pub published_at: Option<String>,
    /// Its held-out metrics (`metrics.json` of the artifact folder).
    #[schema(value_type = Object)]
    pub metrics: serde_json::Value,
}

/// Registers a conversion model artifact (`model.json` text) with its metrics;
/// returns the new version. The artifact is checked (format, checksum) first.
pub async fn register_model(
    store: &SqlStore,
    artifact: &str,
    metrics: &serde_json::Value,
) -> Result<Result<i64, String>, ServiceError> {
    let model = match from_artifact_json(artifact, std::path::Path::new("model.json")) {
        Ok(m) => m,
        Err(e) => return Ok(Err(e.to_string())),
    };
    let op = "register a conversion model";
    let backend = store.backend();
    let mut tx = store.begin_write().await.map_err(q(op))?;
    let next = insert_version(&mut tx, backend, artifact, &model, metrics).await?;
    tx.commit().await.map_err(q(op))?;
    Ok(Ok(next))
}

/// Inserts a checked artifact as the next version, in the caller's
/// transaction; returns the version.
pub(crate) async fn insert_version(
    conn: &mut AnyConnection,
    backend: Backend,
    artifact: &str,
    model: &ConversionModel,
    metrics: &serde_json::Value,
) -> Result<i64, ServiceError> {
    let op = "register a conversion model";
    let created = Timestamp::parse(&model.created_at)
        .map(|t| t.as_micros())
        .unwrap_or_else(|_| Timestamp::now().as_micros());
    let next = next_number(conn, "conversion_models", "version", op).await?;
    sqlx::query(AssertSqlSafe(placeholders(
        backend,
        "INSERT INTO conversion_models (version, artifact, metrics, created_at, registered_at) \
         VALUES (?, ?, ?, ?, ?)",
    )))
    .bind(next)
    .bind(artifact)
    .bind(metrics.to_string())
    .bind(created)
    .bind(Timestamp::now().as_micros())
    .execute(&mut *conn)
    .await
    .map_err(q(op))?;
    Ok(next)
}

/// Every registered version, newest first.
pub async fn model_versions(pool: &AnyPool) -> Result<Vec<ModelVersion>, ServiceError> {
    let op = "list conversion models";
    let rows = sqlx::query(
        "SELECT version, created_at, registered_at, published_at, metrics FROM conversion_models \
         ORDER BY version DESC",
    )
    .fetch_all(pool)
    .await
    .map_err(q(op))?;
    let live = live_version(pool).await?;
    let challenger = crate::retrain::runs::challenger_version(pool).await?;
    rows.iter()
        .map(|r| {
            let version: i64 = r.try_get(0).map_err(q(op))?;
            let metrics: String = r.try_get(4).map_err(q(op))?;
            Ok(ModelVersion {
                version,
                created_at: rfc3339(r.try_get(1).map_err(q(op))?),
                registered_at: rfc3339(r.try_get(2).map_err(q(op))?),
                published: live == Some(version),
                status: if live == Some(version) {
                    "live"
                } else if challenger == Some(version) {
                    "challenger"
                } else {
                    "registered"
                },
                published_at: r.try_get::<Option<i64>, _>(3).map_err(q(op))?.map(rfc3339),
                metrics: serde_json::from_str(&metrics).unwrap_or(serde_json::Value::Null),
            })
        })
        .collect()
}

/// The version in service: the latest publication's.
pub async fn live_version(pool: &AnyPool) -> Result<Option<i64>, ServiceError> {
    let row = sqlx::query("SELECT version FROM model_publications ORDER BY seq DESC LIMIT 1")
        .fetch_optional(pool)
        .await
        .map_err(q("read the published model"))?;
    row.map(|r| r.try_get(0))
        .transpose()
        .map_err(q("read the published model"))
}

/// The model in service, read and checked.
pub async fn live_model(
    pool: &AnyPool,
    backend: Backend,
) -> Result<Option<(i64, ConversionModel)>, ServiceError> {
    let Some(version) = live_version(pool).await? else {
        return Ok(None);
    };
    Ok(model_version(pool, backend, version)
        .await?
        .map(|model| (version, model)))
}

/// A registered version's model, read and checked; `None` when there is no
/// such version.
pub async fn model_version(
    pool: &AnyPool,
    backend: Backend,
    version: i64,
) -> Result<Option<ConversionModel>, ServiceError> {
    let op = "read a conversion model";
    let row = sqlx::query(AssertSqlSafe(placeholders(
        backend,
        "SELECT artifact FROM conversion_models WHERE version = ?",
    )))
    .bind(version)
    .fetch_optional(pool)
    .await
    .map_err(q(op))?;
    let Some(row) = row else {
        return Ok(None);
    };
    let text: String = row.try_get(0).map_err(q(op))?;
    let model = from_artifact_json(&text, std::path::Path::new("model.json")).map_err(|e| {
        ServiceError::Corrupt {
            what: "conversion model",
            name: version.to_string(),
            reason: e.to_string(),
        }
    })?;
    Ok(Some(model))
}

/// Publishes a version (it becomes the one in service; every lead is
/// rescored). `Ok(false)` when there is no such version.
pub async fn publish(store: &SqlStore, version: i64, cause: &str) -> Result<bool, ServiceError> {
    let op = "publish a conversion model";
    let backend = store.backend();
    let mut tx = store.begin_write().await.map_err(q(op))?;
    if !publish_in(&mut tx, backend, version, cause).await? {
        return Ok(false);
    }
    tx.commit().await.map_err(q(op))?;
    Ok(true)
}

/// [`publish`] in the caller's transaction.
pub(crate) async fn publish_in(
    conn: &mut AnyConnection,
    backend: Backend,
    version: i64,
    cause: &str,
) -> Result<bool, ServiceError> {
    let op = "publish a conversion model";
    let now = Timestamp::now().as_micros();
    let found = sqlx::query(AssertSqlSafe(placeholders(
        backend,
        "UPDATE conversion_models SET published_at = ? WHERE version = ?",
    )))
    .bind(now)
    .bind(version)
    .execute(&mut *conn)
    .await
    .map_err(q(op))?
    .rows_affected()
        == 1;
    if !found {
        return Ok(false);
    }
    let seq = next_number(conn, "model_publications", "seq", op).await?;
    sqlx::query(AssertSqlSafe(placeholders(
        backend,
        "INSERT INTO model_publications (seq, version, published_at, cause) VALUES (?, ?, ?, ?)",
    )))
    .bind(seq)
    .bind(version)
    .bind(now)
    .bind(cause)
    .execute(&mut *conn)
    .await
    .map_err(q(op))?;
    enqueue_all(
        conn,
        backend,
        &format!("conversion model v{version} published"),
    )
    .await?;
    Ok(true)
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
pub async fn rollback(store: &SqlStore) -> Result<Option<Rollback>, ServiceError> {
    let op = "roll back the conversion model";
    let rows = sqlx::query("SELECT version FROM model_publications ORDER BY seq DESC")
        .fetch_all(store.pool())
        .await
        .map_err(q(op))?;
    let versions: Vec<i64> = rows
        .iter()
        .map(|r| r.try_get(0))
        .collect::<Result<_, _>>()
        .map_err(q(op))?;
    let Some(&current) = versions.first() else {
        return Ok(None);
    };
    let Some(&previous) = versions.iter().find(|v| **v != current) else {
        return Ok(None);
    };
    publish(store, previous, &format!("rollback from v{current}")).await?;
    Ok(Some(Rollback {
        from: current,
        to: previous,
    }))
}

/// A named settings document (`routing`, `webhooks`), or `None`.
pub async fn read_document(
    pool: &AnyPool,
    backend: Backend,
    name: &str,
) -> Result<Option<String>, ServiceError> {
    let row = sqlx::query(AssertSqlSafe(placeholders(
        backend,
        "SELECT value FROM service_settings WHERE name = ?",
    )))
    .bind(name)
    .fetch_optional(pool)
    .await
    .map_err(q("read a settings document"))?;
    row.map(|r| r.try_get(0))
        .transpose()
        .map_err(q("read a settings document"))
}

/// The routing document (empty when never set).
pub async fn routing(pool: &AnyPool, backend: Backend) -> Result<RoutingConfig, ServiceError> {
    match read_document(pool, backend, "routing").await? {
        None => Ok(RoutingConfig::default()),
        Some(text) => serde_json::from_str(&text).map_err(|e| ServiceError::Corrupt {
            what: "settings document",
            name: "routing".into(),
            reason: e.to_string(),
        }),
    }
}

/// Replaces the routing document (already validated) and queues every lead
/// to be routed again.
pub async fn put_routing(store: &SqlStore, config: &RoutingConfig) -> Result<(), ServiceError> {
    let op = "store the routing rules";
    let text = serde_json::to_string(config).map_err(|e| ServiceError::Scoring {
        reason: e.to_string(),
    })?;
    let backend = store.backend();
    let mut tx = store.begin_write().await.map_err(q(op))?;
    sqlx::query(AssertSqlSafe(placeholders(
        backend,
        "INSERT INTO service_settings (name, value, updated_at) VALUES ('routing', ?, ?) \
         ON CONFLICT (name) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
    )))
    .bind(text)
    .bind(Timestamp::now().as_micros())
    .execute(&mut *tx)
    .await
    .map_err(q(op))?;
    enqueue_all(&mut tx, backend, "routing changed").await?;
    tx.commit().await.map_err(q(op))?;
    Ok(())
}

/// A fingerprint of everything the engine is built from: when it changes
/// (here or on another instance) the engine is rebuilt. Reads through a pool
/// or a connection (inside a snapshot, it is that snapshot's).
pub async fn generation<'c, E>(executor: E) -> Result<String, ServiceError>
where
    E: sqlx::Executor<'c, Database = sqlx::Any>,
{
    let row = sqlx::query(
        "SELECT (SELECT COUNT(*) FROM rule_models), (SELECT COALESCE(MAX(updated_at), 0) FROM rule_models), \
         (SELECT COALESCE(MAX(seq), 0) FROM model_publications), \
         (SELECT COALESCE(MAX(updated_at), 0) FROM service_settings), \
         (SELECT COALESCE(MAX(version), 0) FROM conversion_models)",
    )
    .fetch_one(executor)
    .await
    .map_err(q("check for changed models"))?;
    let n = |i: usize| -> Result<i64, ServiceError> {
        row.try_get(i).map_err(q("check for changed models"))
    };
    Ok(format!("{}:{}:{}:{}:{}", n(0)?, n(1)?, n(2)?, n(3)?, n(4)?))
}
