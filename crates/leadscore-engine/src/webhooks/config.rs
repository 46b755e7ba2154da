//! The webhooks configuration (endpoints, secrets, subscriptions), stored as
//! the store's `webhooks` document, and which endpoints an event goes to.

use std::collections::HashSet;
use std::fmt;

use leadscore_domain::EventType;
use leadscore_store::{DocumentName, SqlStore};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::WebhookError;
use crate::refusal::Problem;

/// The event types webhooks carry, for messages.
fn known_types() -> String {
    EventType::ALL
        .iter()
        .map(|t| t.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

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
    pub fn subscribes_to(&self, event_type: EventType) -> bool {
        self.events.is_empty() || self.events.iter().any(|e| e == event_type.as_str())
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

impl WebhookConfig {
    /// The endpoint named `name`.
    pub fn endpoint(&self, name: &str) -> Option<&WebhookEndpoint> {
        self.endpoints.iter().find(|e| e.name == name)
    }

    /// The names of the endpoints subscribed to `event_type`: an event of
    /// that type gets one delivery each.
    pub fn subscribers(&self, event_type: EventType) -> Vec<String> {
        self.endpoints
            .iter()
            .filter(|e| e.subscribes_to(event_type))
            .map(|e| e.name.clone())
            .collect()
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
    /// at least 16 characters; event types among [`EventType`]'s. Returns every
    /// problem found, each naming its field (`endpoints[1].url`).
    pub fn validate(&self) -> Result<(), Vec<Problem>> {
        let mut problems = Vec::new();
        let mut names = HashSet::new();
        for (i, endpoint) in self.endpoints.iter().enumerate() {
            let field = |name: &str| format!("endpoints[{i}].{name}");
            let name = &endpoint.name;
            if name.is_empty() || name.chars().count() > MAX_NAME_CHARS {
                problems.push(Problem::new(
                    field("name"),
                    format!("must be 1 to {MAX_NAME_CHARS} characters long"),
                ));
            } else if !name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
            {
                problems.push(Problem::new(
                    field("name"),
                    "may only hold letters A-Z and a-z, digits, '_' and '-'",
                ));
            } else if !names.insert(name.as_str()) {
                problems.push(Problem::new(
                    field("name"),
                    format!("another endpoint is already named {name:?}"),
                ));
            }
            match reqwest::Url::parse(&endpoint.url) {
                Err(e) => problems.push(Problem::new(
                    field("url"),
                    format!("is not a valid URL: {e}"),
                )),
                Ok(url) if !matches!(url.scheme(), "http" | "https") => {
                    problems.push(Problem::new(
                        field("url"),
                        format!("the scheme must be http or https, not {}", url.scheme()),
                    ));
                }
                Ok(url) if url.host_str().is_none_or(str::is_empty) => {
                    problems.push(Problem::new(field("url"), "has no host"));
                }
                Ok(_) => {}
            }
            if endpoint.secret.chars().count() < MIN_SECRET_CHARS {
                problems.push(Problem::new(
                    field("secret"),
                    format!("must be at least {MIN_SECRET_CHARS} characters long"),
                ));
            }
            for (j, event) in endpoint.events.iter().enumerate() {
                if EventType::parse(event).is_err() {
                    problems.push(Problem::new(
                        format!("endpoints[{i}].events[{j}]"),
                        format!("unknown event type {event:?} (known: {})", known_types()),
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
pub async fn load_config(store: &SqlStore) -> Result<WebhookConfig, WebhookError> {
    let Some(value) = store.documents().get(DocumentName::Webhooks).await? else {
        return Ok(WebhookConfig::default());
    };
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
    store
        .documents()
        .put(DocumentName::Webhooks, &value)
        .await?;
    Ok(())
}
