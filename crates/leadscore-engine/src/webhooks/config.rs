//! The webhooks configuration (endpoints, secrets, subscriptions), stored as
//! the store's `webhooks` document, and which endpoints an event goes to.

use std::collections::HashSet;
use std::fmt;

use leadscore_domain::{EventType, Timestamp};
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
    /// Write-only: never shown back ([`WebhookView`]).
    pub secret: String,
    /// The secret it replaced, still signed with (beside the new one) until
    /// `previous_until`, so that receivers can switch without losing events.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub previous_secret: Option<String>,
    /// When the previous secret stops being signed with.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub previous_until: Option<Timestamp>,
    /// The event types sent to this endpoint (`lead.sales_ready`,
    /// `lead.grade_changed`); empty or absent: all of them.
    #[serde(default)]
    #[schema(example = json!(["lead.sales_ready"]))]
    pub events: Vec<String>,
}

/// How long a replaced secret is still signed with, beside the new one.
pub const SECRET_OVERLAP: std::time::Duration = std::time::Duration::from_secs(24 * 3600);

/// One endpoint as `PUT /v1/webhooks` takes it: the secret may be left out
/// to keep the stored one; a new secret starts a rotation
/// ([`SECRET_OVERLAP`]).
#[derive(Clone, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EndpointRequest {
    /// A unique name: 1 to 64 of `A-Z a-z 0-9 _ -`.
    #[schema(example = "crm")]
    pub name: String,
    /// Where deliveries are POSTed: an `http` or `https` URL, without
    /// credentials.
    #[schema(example = "https://crm.example.com/hooks/leadscore")]
    pub url: String,
    /// The signing secret, at least 16 characters: required for a new
    /// endpoint; left out, the stored one is kept; a different one replaces
    /// it, the old one still signed with for 24 hours.
    #[serde(default)]
    pub secret: Option<String>,
    /// The event types sent to this endpoint; empty or absent: all of them.
    #[serde(default)]
    #[schema(example = json!(["lead.sales_ready"]))]
    pub events: Vec<String>,
}

impl fmt::Debug for EndpointRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EndpointRequest")
            .field("name", &self.name)
            .field("url", &self.url)
            .field("secret", &self.secret.as_ref().map(|_| "***"))
            .field("events", &self.events)
            .finish()
    }
}

/// The body of `PUT /v1/webhooks`: every endpoint (those left out are
/// removed).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WebhookRequest {
    /// The endpoints, in any order.
    #[serde(default)]
    pub endpoints: Vec<EndpointRequest>,
}

/// One endpoint as admins see it: everything but its secrets.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct EndpointView {
    /// Its name.
    pub name: String,
    /// Where deliveries are POSTed.
    pub url: String,
    /// The event types sent to it (empty: all).
    pub events: Vec<String>,
    /// While a replaced secret is still signed with: until when.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub previous_secret_until: Option<Timestamp>,
}

/// The webhook endpoints as `GET /v1/webhooks` shows them: no secret, ever.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, ToSchema)]
pub struct WebhookView {
    /// The endpoints.
    pub endpoints: Vec<EndpointView>,
}

impl WebhookEndpoint {
    /// The secrets to sign with at `now`: the secret, and the previous one
    /// while its overlap lasts.
    pub fn signing_secrets(&self, now: Timestamp) -> impl Iterator<Item = &str> {
        let previous = self
            .previous_secret
            .as_deref()
            .filter(|_| self.previous_until.is_some_and(|until| now < until));
        std::iter::once(self.secret.as_str()).chain(previous)
    }
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
            .field(
                "previous_secret",
                &self.previous_secret.as_ref().map(|_| "***"),
            )
            .field("previous_until", &self.previous_until)
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

    /// The configuration as admins see it at `now`: no secrets.
    pub fn view(&self, now: Timestamp) -> WebhookView {
        WebhookView {
            endpoints: self
                .endpoints
                .iter()
                .map(|e| EndpointView {
                    name: e.name.clone(),
                    url: e.url.clone(),
                    events: e.events.clone(),
                    previous_secret_until: e.previous_until.filter(|until| now < *until),
                })
                .collect(),
        }
    }

    /// The configuration a `PUT` asks for, from this (stored) one at `now`:
    /// an endpoint without a secret keeps its stored one (a new endpoint
    /// needs one); a new secret replaces the stored one, which is still
    /// signed with for [`SECRET_OVERLAP`]; an expired previous secret is
    /// dropped. The result is validated ([`WebhookConfig::validate`]).
    pub fn apply(&self, request: WebhookRequest, now: Timestamp) -> Result<Self, Vec<Problem>> {
        let mut problems = Vec::new();
        let mut endpoints = Vec::with_capacity(request.endpoints.len());
        for (i, asked) in request.endpoints.into_iter().enumerate() {
            let stored = self.endpoint(&asked.name);
            let (secret, previous_secret, previous_until) = match (asked.secret, stored) {
                (None, None) => {
                    problems.push(Problem::new(
                        format!("endpoints[{i}].secret"),
                        "a new endpoint needs a secret",
                    ));
                    continue;
                }
                (None, Some(old)) => (
                    old.secret.clone(),
                    old.previous_secret.clone(),
                    old.previous_until,
                ),
                (Some(new), Some(old)) if new == old.secret => {
                    (new, old.previous_secret.clone(), old.previous_until)
                }
                (Some(new), Some(old)) => (
                    new,
                    Some(old.secret.clone()),
                    Some(now.plus(SECRET_OVERLAP)),
                ),
                (Some(new), None) => (new, None, None),
            };
            let live = previous_until.is_some_and(|until| now < until);
            endpoints.push(WebhookEndpoint {
                name: asked.name,
                url: asked.url,
                secret,
                previous_secret: previous_secret.filter(|_| live),
                previous_until: previous_until.filter(|_| live),
                events: asked.events,
            });
        }
        let config = Self { endpoints };
        if let Err(more) = config.validate() {
            problems.extend(more);
        }
        if problems.is_empty() {
            Ok(config)
        } else {
            Err(problems)
        }
    }

    /// Checks every endpoint: names unique and made of 1 to 64 of
    /// `A-Z a-z 0-9 _ -`; URLs valid with scheme `http` or `https`, a host and
    /// no credentials; secrets of
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
                // A password in a URL would be shown back by GET /v1/webhooks
                // and written to logs: receivers verify the signature instead.
                Ok(url) if !url.username().is_empty() || url.password().is_some() => {
                    problems.push(Problem::new(
                        field("url"),
                        "must not hold credentials (user:password@): the receiver checks the X-Leadscore-Signature instead",
                    ));
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

#[cfg(test)]
mod tests {
    use super::*;

    fn config(url: &str) -> WebhookConfig {
        WebhookConfig {
            endpoints: vec![WebhookEndpoint {
                name: "crm".to_owned(),
                url: url.to_owned(),
                secret: "0123456789abcdef".to_owned(),
                previous_secret: None,
                previous_until: None,
                events: Vec::new(),
            }],
        }
    }

    #[test]
    fn urls_with_credentials_are_refused() {
        assert_eq!(config("https://crm.example.com/hook").validate(), Ok(()));
        for url in [
            "https://user:pass@crm.example.com/hook",
            "https://token@crm.example.com/hook",
            "https://:pass@crm.example.com/hook",
        ] {
            let problems = config(url).validate().err().unwrap_or_default();
            assert_eq!(problems.len(), 1, "{url}");
            assert_eq!(problems[0].field, "endpoints[0].url");
            assert!(problems[0].message.contains("credentials"), "{url}");
        }
    }
}
