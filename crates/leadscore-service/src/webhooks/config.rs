//! The webhooks configuration (endpoints, secrets, subscriptions), stored as
//! the `webhooks` document of `service_settings`, and queueing an event's
//! deliveries.

use std::collections::HashSet;
use std::fmt;

use leadscore_domain::Timestamp;
use leadscore_store::{Backend, SqlStore, placeholders};
use serde::{Deserialize, Serialize};
use sqlx::{AnyConnection, AnyPool, AssertSqlSafe, Row};
use utoipa::ToSchema;

use super::WebhookError;

/// The event types webhooks carry.
pub const EVENT_TYPES: &[&str] = &["lead.sales_ready", "lead.grade_changed"];

/// The name of the webhooks document in `service_settings`.
pub const SETTINGS_NAME: &str = "webhooks";

/// The shortest secret accepted, in characters.
const MIN_SECRET_CHARS: usize = 16;

/// The longest endpoint name accepted, in characters.
const MAX_NAME_CHARS: usize = 64;

/// One receiver of webhooks. Unknown fields are rejected (a misspelt `events`
/// would otherwise subscribe the endpoint to everything).
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WebhookEndpoint {
    /// A unique name: 1 to 64 of `A-Z a-z 0-9 _ -`. Deliveries are recorded
    /// under it, so renaming an endpoint drops its pending deliveries.
    #[schema(example = "crm")]
    pub name: String,
    /// Where deliveries are POSTed: an `http` or `https` URL.
    #[schema(example = "https://crm.example.com/hooks/leadscore")]
    pub url: String,
    /// The signing secret shared with the receiver, at least 16 characters.
    pub secret: String,
    /// The event types sent to this endpoint (`lead.sales_ready`,
    /// `lead.grade_changed`); empty or absent: all of them.
    #[serde(default)]
    #[schema(example = json!(["lead.sales_ready"]))]
    pub events: Vec<String>,
}

impl WebhookEndpoint {
    /// Whether this endpoint receives events of type `event_type`.
    pub fn subscribes_to(&self, event_type: &str) -> bool {
        self.events.is_empty() || self.events.iter().any(|e| e == event_type)
    }
}

/// The secret never appears in debug output (nor in logs).
impl fmt::Debug for WebhookEndpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WebhookEndpoint")
            .field("name", &self.name)
            .field("url", &self.url)
            .field("secret", &"***")
            .field("events", &self.events)
            .finish()
    }
}

/// Every webhook endpoint: the `webhooks` document of `service_settings`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WebhookConfig {
    /// The endpoints, in any order.
    #[serde(default)]
    pub endpoints: Vec<WebhookEndpoint>,
}

/// One problem of a configuration, by field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct FieldProblem {
    /// The field, as a path into the document: `endpoints[1].url`.
    #[schema(example = "endpoints[1].url")]
    pub field: String,
    /// What is wrong with it.
    #[schema(example = "the scheme must be http or https, not ftp")]
    pub message: String,
}

impl FieldProblem {
    fn new(field: String, message: impl Into<String>) -> Self {
        Self {
            field,
            message: message.into(),
        }
    }

    /// `field: message; field: message`, for error messages.
    pub(crate) fn summary(problems: &[Self]) -> String {
        problems
            .iter()
            .map(|p| format!("{}: {}", p.field, p.message))
            .collect::<Vec<_>>()
            .join("; ")
    }
}

impl WebhookConfig {
    /// The endpoint named `name`.
    pub fn endpoint(&self, name: &str) -> Option<&WebhookEndpoint> {
        self.endpoints.iter().find(|e| e.name == name)
    }

    /// The same configuration with every secret replaced by `***`, for showing
    /// to admins.
    pub fn redacted(&self) -> Self {
        Self {
            endpoints: self
                .endpoints
                .iter()
                .map(|e| WebhookEndpoint {
                    secret: "***".to_owned(),
                    ..e.clone()
                })
                .collect(),
        }
    }

    /// Checks every endpoint: names unique and made of 1 to 64 of
    /// `A-Z a-z 0-9 _ -`; URLs valid with scheme `http` or `https`; secrets of
    /// at least 16 characters; event types among [`EVENT_TYPES`]. Returns every
    /// problem found, each naming its field (`endpoints[1].url`).
    pub fn validate(&self) -> Result<(), Vec<FieldProblem>> {
        let mut problems = Vec::new();
        let mut names = HashSet::new();
        for (i, endpoint) in self.endpoints.iter().enumerate() {
            let field = |name: &str| format!("endpoints[{i}].{name}");
            let name = &endpoint.name;
            if name.is_empty() || name.chars().count() > MAX_NAME_CHARS {
                problems.push(FieldProblem::new(
                    field("name"),
                    format!("must be 1 to {MAX_NAME_CHARS} characters long"),
                ));
            } else if !name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
            {
                problems.push(FieldProblem::new(
                    field("name"),
                    "may only hold letters A-Z and a-z, digits, '_' and '-'",
                ));
            } else if !names.insert(name.as_str()) {
                problems.push(FieldProblem::new(
                    field("name"),
                    format!("another endpoint is already named {name:?}"),
                ));
            }
            match reqwest::Url::parse(&endpoint.url) {
                Err(e) => problems.push(FieldProblem::new(
                    field("url"),
                    format!("is not a valid URL: {e}"),
                )),
                Ok(url) if !matches!(url.scheme(), "http" | "https") => {
                    problems.push(FieldProblem::new(
                        field("url"),
                        format!("the scheme must be http or https, not {}", url.scheme()),
                    ));
                }
                Ok(url) if url.host_str().is_none_or(str::is_empty) => {
                    problems.push(FieldProblem::new(field("url"), "has no host"));
                }
                Ok(_) => {}
            }
            if endpoint.secret.chars().count() < MIN_SECRET_CHARS {
                problems.push(FieldProblem::new(
                    field("secret"),
                    format!("must be at least {MIN_SECRET_CHARS} characters long"),
                ));
            }
            for (j, event) in endpoint.events.iter().enumerate() {
                if !EVENT_TYPES.contains(&event.as_str()) {
                    problems.push(FieldProblem::new(
                        format!("endpoints[{i}].events[{j}]"),
                        format!(
                            "unknown event type {event:?} (known: {})",
                            EVENT_TYPES.join(", ")
                        ),
                    ));
                }
            }
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(problems)
        }
    }
}

/// Reads the webhooks configuration; no stored document means no endpoints.
/// The stored document is not validated again ([`save_config`] did).
pub async fn load_config(pool: &AnyPool, backend: Backend) -> Result<WebhookConfig, WebhookError> {
    let operation = "load the webhooks configuration";
    let sql = placeholders(backend, "SELECT value FROM service_settings WHERE name = ?");
    let row = sqlx::query(AssertSqlSafe(sql))
        .bind(SETTINGS_NAME)
        .fetch_optional(pool)
        .await
        .map_err(WebhookError::query(operation))?;
    let Some(row) = row else {
        return Ok(WebhookConfig::default());
    };
    let value: String = row.try_get(0).map_err(WebhookError::query(operation))?;
    serde_json::from_str(&value).map_err(|e| WebhookError::BadConfig {
        reason: format!("the stored document does not read: {e}"),
    })
}

/// Validates `config` and stores it (replacing the previous one). Pending
/// deliveries to endpoints it no longer names are marked failed when their
/// turn comes; events queued from now on follow the new subscriptions.
pub async fn save_config(store: &SqlStore, config: &WebhookConfig) -> Result<(), WebhookError> {
    config
        .validate()
        .map_err(|problems| WebhookError::Invalid { problems })?;
    let value = serde_json::to_string(config).map_err(|e| WebhookError::BadConfig {
        reason: format!("cannot encode the configuration: {e}"),
    })?;
    let sql = placeholders(
        store.backend(),
        "INSERT INTO service_settings (name, value, updated_at) VALUES (?, ?, ?) \
         ON CONFLICT (name) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
    );
    let _turn = store.write_turn().await;
    sqlx::query(AssertSqlSafe(sql))
        .bind(SETTINGS_NAME)
        .bind(value)
        .bind(Timestamp::now().as_micros())
        .execute(store.pool())
        .await
        .map_err(WebhookError::query("save the webhooks configuration"))?;
    Ok(())
}

/// Queues the deliveries of one event: a `deliveries` row, due at
/// `now_micros`, for each endpoint of `config` subscribed to `event_type`.
/// Meant to run inside the transaction that inserts the event row. Returns how
/// many rows were inserted (a delivery already queued is left alone).
pub async fn enqueue(
    conn: &mut AnyConnection,
    backend: Backend,
    event_id: &str,
    event_type: &str,
    config: &WebhookConfig,
    now_micros: i64,
) -> Result<u64, WebhookError> {
    if !EVENT_TYPES.contains(&event_type) {
        return Err(WebhookError::UnknownEventType {
            event_type: event_type.to_owned(),
        });
    }
    let sql = placeholders(
        backend,
        "INSERT INTO deliveries (event_id, endpoint, attempts, next_attempt_at) VALUES (?, ?, 0, ?) \
         ON CONFLICT (event_id, endpoint) DO NOTHING",
    );
    let mut queued = 0;
    for endpoint in config
        .endpoints
        .iter()
        .filter(|e| e.subscribes_to(event_type))
    {
        queued += sqlx::query(AssertSqlSafe(sql.as_str()))
            .bind(event_id)
            .bind(endpoint.name.as_str())
            .bind(now_micros)
            .execute(&mut *conn)
            .await
            .map_err(WebhookError::query("queue webhook deliveries"))?
            .rows_affected();
    }
    Ok(queued)
}
