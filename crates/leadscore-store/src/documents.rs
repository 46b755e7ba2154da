//! Named settings documents that admins set (`service_settings`): the
//! routing rules and the webhook endpoints, each stored as the JSON text it
//! was given.

use leadscore_domain::Timestamp;
use sqlx::AssertSqlSafe;

use crate::queue::{self, Selection};
use crate::sql::{Cells, placeholders};
use crate::{SqlStore, StoreError};

/// A settings document's name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DocumentName {
    /// The routing rules: a change routes every lead again.
    Routing,
    /// The webhook endpoints.
    Webhooks,
}

impl DocumentName {
    /// The name as stored.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Routing => "routing",
            Self::Webhooks => "webhooks",
        }
    }

    /// Whether a change queues every lead for rescoring (routing is decided
    /// when a lead is scored).
    fn requeues(self) -> bool {
        matches!(self, Self::Routing)
    }
}

/// The settings documents (see the [module documentation](self)).
#[derive(Debug, Clone, Copy)]
pub struct Documents<'a> {
    pub(crate) store: &'a SqlStore,
}

impl Documents<'_> {
    /// A document's text, or `None` when it was never set.
    pub async fn get(&self, name: DocumentName) -> Result<Option<String>, StoreError> {
        let row = sqlx::query(AssertSqlSafe(placeholders(
            self.store.backend(),
            "SELECT name, value FROM service_settings WHERE name = ?",
        )))
        .bind(name.as_str())
        .fetch_optional(self.store.pool())
        .await
        .map_err(StoreError::query("read a settings document"))?;
        row.map(|row| Cells::new(&row, "service_settings", &["name"]).required_string("value"))
            .transpose()
    }

    /// Replaces a document (already validated); a routing change queues
    /// every lead in the same transaction.
    pub async fn put(&self, name: DocumentName, text: &str) -> Result<(), StoreError> {
        let op = "store a settings document";
        let backend = self.store.backend();
        write_tx!(self.store, op, |tx| {
            sqlx::query(AssertSqlSafe(placeholders(
                backend,
                "INSERT INTO service_settings (name, value, updated_at) VALUES (?, ?, ?) \
                 ON CONFLICT (name) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
            )))
            .bind(name.as_str())
            .bind(text)
            .bind(Timestamp::now().as_micros())
            .execute(&mut **tx)
            .await
            .map_err(StoreError::query(op))?;
            if name.requeues() {
                let cause = format!("{} changed", name.as_str());
                queue::enqueue(tx, backend, Selection::All, &cause).await?;
            }
            Ok(())
        })
    }
}
