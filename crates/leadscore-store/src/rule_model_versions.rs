//! Every saved version of every rule model (`rule_model_versions`), written
//! in the same transaction as the save ([`crate::Registry::put_rule_model`]),
//! whatever saved it. Versions of a model count 1, 2, ... by name.

use leadscore_domain::Timestamp;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, AssertSqlSafe};

use crate::registry::Registry;
use crate::sql::{Cells, placeholders};
use crate::{Backend, StoreError};

/// A saved version of a rule model.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleModelVersionRow {
    /// The model's name.
    pub name: String,
    /// The version (1, 2, ...), counted per name.
    pub version: i64,
    /// The model as JSON, as saved.
    pub body: String,
    /// When it was saved.
    pub saved_at: Timestamp,
    /// Who saved it, when known (a console user's email).
    pub saved_by: Option<String>,
}

fn version_of(row: &AnyRow) -> Result<RuleModelVersionRow, StoreError> {
    let c = Cells::new(row, "rule_model_versions", &["name", "version"]);
    Ok(RuleModelVersionRow {
        name: c.required_string("name")?,
        version: c.required_int("version")?,
        body: c.required_string("body")?,
        saved_at: c.timestamp("saved_at")?,
        saved_by: c.string("saved_by")?,
    })
}

/// Keeps `body` as the model's next version, in the caller's transaction,
/// unless it is the same as the latest version; returns the version that
/// now holds `body`.
pub(crate) async fn keep_version(
    conn: &mut AnyConnection,
    backend: Backend,
    name: &str,
    body: &str,
    saved_by: Option<&str>,
) -> Result<i64, StoreError> {
    let op = "keep a rule model's version";
    let latest = sqlx::query(AssertSqlSafe(placeholders(
        backend,
        "SELECT name, version, body, saved_at, saved_by FROM rule_model_versions \
         WHERE name = ? ORDER BY version DESC LIMIT 1",
    )))
    .bind(name)
    .fetch_optional(&mut *conn)
    .await
    .map_err(StoreError::query(op))?
    .map(|row| version_of(&row))
    .transpose()?;
    if let Some(latest) = &latest
        && latest.body == body
    {
        return Ok(latest.version);
    }
    let next = latest.map_or(1, |l| l.version + 1);
    sqlx::query(AssertSqlSafe(placeholders(
        backend,
        "INSERT INTO rule_model_versions (name, version, body, saved_at, saved_by) \
         VALUES (?, ?, ?, ?, ?)",
    )))
    .bind(name)
    .bind(next)
    .bind(body)
    .bind(Timestamp::now().as_micros())
    .bind(saved_by)
    .execute(&mut *conn)
    .await
    .map_err(StoreError::query(op))?;
    Ok(next)
}

impl Registry<'_> {
    /// A rule model's saved versions, newest first (empty when it never was
    /// saved).
    pub async fn rule_model_versions(
        &self,
        name: &str,
    ) -> Result<Vec<RuleModelVersionRow>, StoreError> {
        let rows = sqlx::query(AssertSqlSafe(placeholders(
            self.store.backend(),
            "SELECT name, version, body, saved_at, saved_by FROM rule_model_versions \
             WHERE name = ? ORDER BY version DESC",
        )))
        .bind(name)
        .fetch_all(self.store.pool())
        .await
        .map_err(StoreError::query("read a rule model's versions"))?;
        rows.iter().map(version_of).collect()
    }

    /// One saved version of a rule model.
    pub async fn rule_model_version(
        &self,
        name: &str,
        version: i64,
    ) -> Result<Option<RuleModelVersionRow>, StoreError> {
        let row = sqlx::query(AssertSqlSafe(placeholders(
            self.store.backend(),
            "SELECT name, version, body, saved_at, saved_by FROM rule_model_versions \
             WHERE name = ? AND version = ?",
        )))
        .bind(name)
        .bind(version)
        .fetch_optional(self.store.pool())
        .await
        .map_err(StoreError::query("read a rule model's version"))?;
        row.map(|row| version_of(&row)).transpose()
    }
}
