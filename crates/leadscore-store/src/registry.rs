//! What scoring runs on, as admins set it: rule models (`rule_models`), the
//! conversion model versions (`conversion_models`) and their publications
//! (`model_publications`). Every change that alters scores queues all leads
//! for rescoring in the same transaction. The documents are kept as the text
//! they were given (JSON); reading them as models is the caller's.

use leadscore_domain::Timestamp;
use sqlx::{AnyConnection, AssertSqlSafe};

use crate::queue::{self, Selection};
use crate::sql::{Cells, placeholders};
use crate::{Backend, SqlStore, StoreError};

/// A stored rule model.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleModelRow {
    /// Its name.
    pub name: String,
    /// The model as JSON.
    pub body: String,
    /// When it was last changed.
    pub updated_at: Timestamp,
}

/// A registered conversion model version (without its artifact).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VersionRow {
    /// The version (1, 2, ...).
    pub version: i64,
    /// Its held-out metrics, as JSON.
    pub metrics: String,
    /// When the model was trained.
    pub created_at: Timestamp,
    /// When it was registered.
    pub registered_at: Timestamp,
    /// When it was last published.
    pub published_at: Option<Timestamp>,
}

/// A fingerprint of everything scoring is built from (rule models,
/// publications, versions, settings documents): when it changes, here or on
/// another instance, what was loaded from the store is out of date.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct Generation(String);

/// What a rollback did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RolledBack {
    /// The version that was in service.
    pub from: i64,
    /// The version now in service.
    pub to: i64,
}

/// The next number of a table's counter column (its largest plus one), read
/// in the caller's write transaction. Both names are constants of this crate.
pub(crate) async fn next_number(
    conn: &mut AnyConnection,
    table: &'static str,
    column: &'static str,
    operation: &'static str,
) -> Result<i64, StoreError> {
    let sql = format!("SELECT COALESCE(MAX({column}), 0) + 1 AS next FROM {table}");
    let row = sqlx::query(AssertSqlSafe(sql))
        .fetch_one(&mut *conn)
        .await
        .map_err(StoreError::query(operation))?;
    Cells::new(&row, table, &[]).required_int("next")
}

/// The fingerprint, read on `conn` (inside a snapshot, it is that
/// snapshot's).
pub(crate) async fn generation(conn: &mut AnyConnection) -> Result<Generation, StoreError> {
    let row = sqlx::query(
        "SELECT (SELECT COUNT(*) FROM rule_models) AS rule_models, \
         (SELECT COALESCE(MAX(updated_at), 0) FROM rule_models) AS rules_updated, \
         (SELECT COALESCE(MAX(seq), 0) FROM model_publications) AS publications, \
         (SELECT COALESCE(MAX(updated_at), 0) FROM service_settings) AS documents, \
         (SELECT COALESCE(MAX(version), 0) FROM conversion_models) AS versions",
    )
    .fetch_one(&mut *conn)
    .await
    .map_err(StoreError::query("check for changed models"))?;
    let c = Cells::new(&row, "rule_models", &[]);
    Ok(Generation(format!(
        "{}:{}:{}:{}:{}",
        c.required_int("rule_models")?,
        c.required_int("rules_updated")?,
        c.required_int("publications")?,
        c.required_int("documents")?,
        c.required_int("versions")?
    )))
}

/// Inserts an artifact as the next version, in the caller's transaction;
/// returns the version.
pub(crate) async fn insert_version(
    conn: &mut AnyConnection,
    backend: Backend,
    artifact: &str,
    metrics: &str,
    created_at: Timestamp,
) -> Result<i64, StoreError> {
    let op = "register a conversion model";
    let next = next_number(conn, "conversion_models", "version", op).await?;
    sqlx::query(AssertSqlSafe(placeholders(
        backend,
        "INSERT INTO conversion_models (version, artifact, metrics, created_at, registered_at) \
         VALUES (?, ?, ?, ?, ?)",
    )))
    .bind(next)
    .bind(artifact)
    .bind(metrics)
    .bind(created_at.as_micros())
    .bind(Timestamp::now().as_micros())
    .execute(&mut *conn)
    .await
    .map_err(StoreError::query(op))?;
    Ok(next)
}

/// Publishes a version in the caller's transaction and queues every lead;
/// false when there is no such version.
pub(crate) async fn publish_in(
    conn: &mut AnyConnection,
    backend: Backend,
    version: i64,
    cause: &str,
) -> Result<bool, StoreError> {
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
    .map_err(StoreError::query(op))?
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
    .map_err(StoreError::query(op))?;
    queue::enqueue(
        conn,
        backend,
        Selection::All,
        &format!("conversion model v{version} published"),
    )
    .await?;
    Ok(true)
}

/// Every published version, latest publication first.
async fn publications(conn: &mut AnyConnection) -> Result<Vec<i64>, StoreError> {
    let op = "read the publications";
    let rows = sqlx::query("SELECT seq, version FROM model_publications ORDER BY seq DESC")
        .fetch_all(&mut *conn)
        .await
        .map_err(StoreError::query(op))?;
    rows.iter()
        .map(|row| Cells::new(row, "model_publications", &["seq"]).required_int("version"))
        .collect()
}

/// The version in service: the latest publication's.
pub(crate) async fn live_version(conn: &mut AnyConnection) -> Result<Option<i64>, StoreError> {
    Ok(publications(conn).await?.first().copied())
}

/// A version's artifact text; `None` when there is no such version.
pub(crate) async fn artifact(
    conn: &mut AnyConnection,
    backend: Backend,
    version: i64,
) -> Result<Option<String>, StoreError> {
    let row = sqlx::query(AssertSqlSafe(placeholders(
        backend,
        "SELECT version, artifact FROM conversion_models WHERE version = ?",
    )))
    .bind(version)
    .fetch_optional(&mut *conn)
    .await
    .map_err(StoreError::query("read a conversion model"))?;
    row.map(|row| Cells::new(&row, "conversion_models", &["version"]).required_string("artifact"))
        .transpose()
}

/// The model registry (see the [module documentation](self)).
#[derive(Debug, Clone, Copy)]
pub struct Registry<'a> {
    pub(crate) store: &'a SqlStore,
}

impl Registry<'_> {
    /// The fingerprint of what scoring is built from.
    pub async fn generation(&self) -> Result<Generation, StoreError> {
        let mut conn = self.store.acquire("check for changed models").await?;
        generation(&mut conn).await
    }

    /// Every stored rule model, by name.
    pub async fn rule_models(&self) -> Result<Vec<RuleModelRow>, StoreError> {
        let op = "read rule models";
        let rows = sqlx::query("SELECT name, body, updated_at FROM rule_models ORDER BY name")
            .fetch_all(self.store.pool())
            .await
            .map_err(StoreError::query(op))?;
        rows.iter()
            .map(|row| {
                let c = Cells::new(row, "rule_models", &["name"]);
                Ok(RuleModelRow {
                    name: c.required_string("name")?,
                    body: c.required_string("body")?,
                    updated_at: c.timestamp("updated_at")?,
                })
            })
            .collect()
    }

    /// Creates or replaces a rule model (`body`: the model as JSON), keeps
    /// it as the model's next saved version, and queues every lead; true
    /// when it was new.
    pub async fn put_rule_model(&self, name: &str, body: &str) -> Result<bool, StoreError> {
        self.put_rule_model_by(name, body, None).await
    }

    /// [`Registry::put_rule_model`], saying who saved it (kept with the
    /// version).
    pub async fn put_rule_model_by(
        &self,
        name: &str,
        body: &str,
        saved_by: Option<&str>,
    ) -> Result<bool, StoreError> {
        let op = "store a rule model";
        let backend = self.store.backend();
        write_tx!(self.store, op, |tx| {
            let existed = sqlx::query(AssertSqlSafe(placeholders(
                backend,
                "SELECT name FROM rule_models WHERE name = ?",
            )))
            .bind(name)
            .fetch_optional(&mut **tx)
            .await
            .map_err(StoreError::query(op))?
            .is_some();
            sqlx::query(AssertSqlSafe(placeholders(
                backend,
                "INSERT INTO rule_models (name, body, updated_at) VALUES (?, ?, ?) \
                 ON CONFLICT (name) DO UPDATE SET body = excluded.body, updated_at = excluded.updated_at",
            )))
            .bind(name)
            .bind(body)
            .bind(Timestamp::now().as_micros())
            .execute(&mut **tx)
            .await
            .map_err(StoreError::query(op))?;
            crate::rule_model_versions::keep_version(tx, backend, name, body, saved_by).await?;
            let cause = format!("rule model {name} changed");
            queue::enqueue(tx, backend, Selection::All, &cause).await?;
            Ok(!existed)
        })
    }

    /// Deletes a rule model with its scores and queues every lead; false
    /// when there was none.
    pub async fn delete_rule_model(&self, name: &str) -> Result<bool, StoreError> {
        let op = "delete a rule model";
        let backend = self.store.backend();
        write_tx!(self.store, op, |tx| {
            let gone = sqlx::query(AssertSqlSafe(placeholders(
                backend,
                "DELETE FROM rule_models WHERE name = ?",
            )))
            .bind(name)
            .execute(&mut **tx)
            .await
            .map_err(StoreError::query(op))?
            .rows_affected()
                == 1;
            if gone {
                // The queue rows first, then the scores: the order in which
                // the rescoring worker takes them (it claims queued leads,
                // then writes their scores), so that the two wait for each
                // other instead of deadlocking.
                let cause = format!("rule model {name} deleted");
                queue::enqueue(tx, backend, Selection::All, &cause).await?;
                sqlx::query(AssertSqlSafe(placeholders(
                    backend,
                    "DELETE FROM rule_scores WHERE model = ?",
                )))
                .bind(name)
                .execute(&mut **tx)
                .await
                .map_err(StoreError::query(op))?;
            }
            Ok(gone)
        })
    }

    /// Registers a (checked) artifact with its metrics (JSON) as the next
    /// version; returns the version. Not published.
    pub async fn register(
        &self,
        artifact: &str,
        metrics: &str,
        created_at: Timestamp,
    ) -> Result<i64, StoreError> {
        let op = "register a conversion model";
        write_tx!(self.store, op, |tx| {
            let version =
                insert_version(tx, self.store.backend(), artifact, metrics, created_at).await?;
            Ok(version)
        })
    }

    /// Every registered version, newest first.
    pub async fn versions(&self) -> Result<Vec<VersionRow>, StoreError> {
        let op = "list conversion models";
        let rows = sqlx::query(
            "SELECT version, metrics, created_at, registered_at, published_at \
             FROM conversion_models ORDER BY version DESC",
        )
        .fetch_all(self.store.pool())
        .await
        .map_err(StoreError::query(op))?;
        rows.iter()
            .map(|row| {
                let c = Cells::new(row, "conversion_models", &["version"]);
                Ok(VersionRow {
                    version: c.required_int("version")?,
                    metrics: c.required_string("metrics")?,
                    created_at: c.timestamp("created_at")?,
                    registered_at: c.timestamp("registered_at")?,
                    published_at: c.timestamp_opt("published_at")?,
                })
            })
            .collect()
    }

    /// The version in service.
    pub async fn live_version(&self) -> Result<Option<i64>, StoreError> {
        let mut conn = self.store.acquire("read the published model").await?;
        live_version(&mut conn).await
    }

    /// The version published before the live one (another version).
    pub async fn previous_version(&self) -> Result<Option<i64>, StoreError> {
        let mut conn = self.store.acquire("read the publications").await?;
        let versions = publications(&mut conn).await?;
        let live = versions.first().copied();
        Ok(versions.into_iter().find(|v| Some(*v) != live))
    }

    /// A version's artifact text; `None` when there is no such version.
    pub async fn artifact(&self, version: i64) -> Result<Option<String>, StoreError> {
        let mut conn = self.store.acquire("read a conversion model").await?;
        artifact(&mut conn, self.store.backend(), version).await
    }

    /// Publishes a version (it becomes the one in service) and queues every
    /// lead; false when there is no such version.
    pub async fn publish(&self, version: i64, cause: &str) -> Result<bool, StoreError> {
        let op = "publish a conversion model";
        write_tx!(self.store, op, |tx| {
            if !publish_in(tx, self.store.backend(), version, cause).await? {
                return Ok(false);
            }
            Ok(true)
        })
    }

    /// Goes back to the version published before the current one, in one
    /// transaction. `None` when there is no earlier publication of another
    /// version.
    pub async fn rollback(&self) -> Result<Option<RolledBack>, StoreError> {
        let op = "roll back the conversion model";
        write_tx!(self.store, op, |tx| {
            let versions = publications(tx).await?;
            let Some(&from) = versions.first() else {
                return Ok(None);
            };
            let Some(&to) = versions.iter().find(|v| **v != from) else {
                return Ok(None);
            };
            let cause = format!("rollback from v{from}");
            publish_in(tx, self.store.backend(), to, &cause).await?;
            Ok(Some(RolledBack { from, to }))
        })
    }
}
