//! Typed settings: defaults, then a TOML file, then `LEADSCORE_*` environment
//! variables (nested keys joined by `__`, e.g. `LEADSCORE_LIMITS__MAX_BATCH=500`),
//! then the command line's flags.

use std::net::SocketAddr;
use std::path::Path;
use std::time::Duration;

use figment::Figment;
use figment::providers::{Env, Format, Serialized, Toml};
use leadscore_domain::{Declared, FutureLimit, FutureTolerance, InteractionKind, Timestamp};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::EngineError;
use crate::retrain::Retraining;
use crate::webhooks::DeliverySettings;

/// The top-level keys, as environment variable names start after the prefix.
const SECTIONS: &[&str] = &[
    "listen",
    "database",
    "limits__",
    "rescoring__",
    "scoring__",
    "webhooks__",
    "retraining__",
    "drift__",
    "records__",
    "shutdown_grace_secs",
];

/// Everything the service can be configured with.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct Settings {
    /// The address to listen on.
    pub listen: SocketAddr,
    /// The store: `sqlite://FILE` or `postgres://...`; default the SQLite file
    /// `leadscore.db` in the working directory.
    pub database: Option<String>,
    /// Request limits.
    pub limits: Limits,
    /// Rescoring.
    pub rescoring: Rescoring,
    /// Scoring choices.
    pub scoring: Scoring,
    /// Webhook delivery.
    pub webhooks: DeliverySettings,
    /// Retraining: schedule, window and auto-publish policy.
    pub retraining: Retraining,
    /// The live model's drift check.
    pub drift: Drift,
    /// The records accepted.
    pub records: Records,
    /// How long a shutdown waits for in-flight requests, in seconds.
    pub shutdown_grace_secs: u64,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            database: None,
            limits: Limits::default(),
            rescoring: Rescoring::default(),
            scoring: Scoring::default(),
            webhooks: DeliverySettings::default(),
            retraining: Retraining::default(),
            drift: Drift::default(),
            records: Records::default(),
            shutdown_grace_secs: 30,
        }
    }
}

/// Request limits.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct Limits {
    /// Largest request body, in bytes (413 above).
    pub max_body_bytes: usize,
    /// Most records in one batch request (413 above).
    pub max_batch: usize,
    /// Longest a request may take, in milliseconds (503 after).
    pub request_timeout_ms: u64,
    /// Most rows one page of a listing returns.
    pub max_per_page: u32,
    /// Requests one API key may make per second, sustained, on one instance
    /// (429 with `Retry-After` above); 0 turns the limit off.
    pub requests_per_second_per_key: u32,
    /// Requests one API key may make at once above the sustained rate (the
    /// bucket's size); at least 1 when the limit is on.
    pub burst_per_key: u32,
    /// On a store of more leads than this, the console's rule designer
    /// reads the most recently active this many closed leads and this many
    /// open leads (with their records) for its backtest and its changes,
    /// so that the service's memory stays bounded whatever the store's size.
    pub designer_sample_leads: u32,
    /// How long the console's rule designer, opened while the store's data
    /// is read for it (the first time after the service starts, seconds on
    /// a large store), waits for it, in milliseconds, before it answers with
    /// a page that says so and reloads itself.
    pub designer_wait_ms: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_body_bytes: 4 * 1024 * 1024,
            max_batch: 1000,
            request_timeout_ms: 10_000,
            max_per_page: 500,
            requests_per_second_per_key: 200,
            burst_per_key: 1000,
            designer_sample_leads: 5_000,
            designer_wait_ms: 5_000,
        }
    }
}

/// Rescoring.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct Rescoring {
    /// How often the worker looks for queued leads (it is also woken by every
    /// write on this instance), in milliseconds.
    pub poll_ms: u64,
    /// Most leads rescored in one round (read, scored, then written in one
    /// transaction). A round takes what is queued up to this; bigger rounds
    /// cost less per lead, so a deep queue drains faster (a lead written to
    /// during a round still gets its scores, and stays queued). 500 measured
    /// best under ingest load (BENCHMARKS.md, "Rescoring lag").
    pub batch: usize,
    /// How often every open lead is rescored (scores fall as interactions age
    /// out of their windows), in seconds; 0 turns the pass off.
    pub refresh_every_secs: u64,
    /// How often the worker checks for rule models, routing, webhooks or a
    /// conversion model changed by another instance, in milliseconds.
    pub reload_ms: u64,
}

impl Default for Rescoring {
    fn default() -> Self {
        Self {
            poll_ms: 100,
            batch: 500,
            refresh_every_secs: 3600,
            reload_ms: 1000,
        }
    }
}

/// The live model's review and drift check: PSI of the leads created in
/// the recent window against the closed leads, per feature and for the
/// score (`/v1/models/drift`, `/reports/review`, the console's review and
/// drift pages, the `leadscore_model_drift_psi` gauges, a warning in the log
/// above 0.25). They are served from the last computation, stored for every
/// instance sharing the store.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct Drift {
    /// How often the service computes the live model's review again, in
    /// seconds (it looks every minute, so a newly published model is
    /// reviewed within about a minute); 0 turns the periodic computation
    /// off (a request then computes one when none is stored, or the stored
    /// one is over an hour old).
    pub every_secs: u64,
    /// The recent window, in days.
    pub recent_days: u32,
    /// How long a request for a review that is not computed yet (a newly
    /// published model's, another window's) waits for it, in milliseconds,
    /// before it is answered that it is being computed (503 with
    /// `Retry-After`; in the console a page that reloads itself).
    pub wait_ms: u64,
    /// The most leads a review reads. A store holding more is reviewed on a
    /// sample of this many (the same leads on every instance and every
    /// computation while the store is unchanged), with the records their
    /// scores read, so that the review's memory does not grow with the store
    /// (about 20 KB a sampled lead: at the default, a service on a million
    /// leads peaked at 2.6 GB, against 15.5 GB reading them all). The review
    /// says so.
    pub max_leads: usize,
}

impl Default for Drift {
    fn default() -> Self {
        Self {
            every_secs: 3600,
            recent_days: 90,
            wait_ms: 5000,
            max_leads: 100_000,
        }
    }
}

/// The records accepted by the ingest endpoints and by the commands that
/// read a folder (`import`, `train`, `score`, `rules`, `review`: the same
/// settings, from `--config` and the environment; DATA.md).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct Records {
    /// How far after now a record's time (a lead's `created_at` and
    /// `closed_at`, an interaction's `occurred_at`) may lie, in days; further
    /// ahead the record is refused (422 `invalid_value`). Now is the current
    /// time, or `scoring.at` when that is later.
    pub future_tolerance_days: u32,
    /// Custom field names (interaction properties too) accepted in any file
    /// of a folder although close to one of its DATA.md columns (`Lead
    /// Status` in leads.csv, close to `status`): an undeclared such column is
    /// refused as a misnamed standard column. Names as the header writes them.
    pub custom_fields: Vec<String>,
    /// Custom interaction kinds (PascalCase): accepted even when close to a
    /// standard kind, and their own near misses are refused (422
    /// `invalid_value`) like those of a standard kind (`EmailClikced`).
    pub custom_kinds: Vec<String>,
}

impl Default for Records {
    fn default() -> Self {
        Self {
            future_tolerance_days: FutureTolerance::DEFAULT_DAYS,
            custom_fields: Vec::new(),
            custom_kinds: Vec::new(),
        }
    }
}

impl Records {
    /// The custom fields and kinds declared (`custom_fields` for every file).
    pub fn declared(&self) -> Declared {
        Declared::new(&self.custom_fields, &self.custom_kinds)
    }

    fn validate(&self) -> Result<(), EngineError> {
        let bad = |reason: String| Err(EngineError::Settings { reason });
        if let Some(field) = self.custom_fields.iter().find(|f| f.trim().is_empty()) {
            return bad(format!(
                "records.custom_fields: {field:?} is not a column name"
            ));
        }
        for kind in &self.custom_kinds {
            if let Err(e) = InteractionKind::parse(kind) {
                return bad(format!("records.custom_kinds: {e}"));
            }
        }
        Ok(())
    }
}

/// Scoring choices.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct Scoring {
    /// The rule model whose score is the primary one when no confident
    /// conversion model is published; default: the first rule model by name.
    pub fallback_model: Option<String>,
    /// Score as of this fixed time (RFC 3339) instead of the current time: for
    /// replays, demos on old data and reproducible tests. Unset in production.
    pub at: Option<String>,
}

impl Settings {
    /// Defaults, then the file (when given; it must exist), then the
    /// environment.
    pub fn load(file: Option<&Path>) -> Result<Self, EngineError> {
        let mut figment = Figment::from(Serialized::defaults(Settings::default()));
        if let Some(path) = file {
            if !path.is_file() {
                return Err(EngineError::Settings {
                    reason: format!("the config file {} does not exist", path.display()),
                });
            }
            figment = figment.merge(Toml::file(path));
        }
        // Only the settings' own keys: other LEADSCORE_* variables (test data
        // locations, CI switches) are not settings.
        let env = Env::prefixed("LEADSCORE_")
            .filter(|key| {
                SECTIONS
                    .iter()
                    .any(|s| key.as_str().to_ascii_lowercase().starts_with(s))
            })
            .split("__");
        figment = figment.merge(env);
        let settings: Settings = figment.extract().map_err(|e| EngineError::Settings {
            reason: e.to_string(),
        })?;
        settings.validate()?;
        Ok(settings)
    }

    /// Checks values that parse but make no sense.
    pub fn validate(&self) -> Result<(), EngineError> {
        let bad = |reason: &str| {
            Err(EngineError::Settings {
                reason: reason.to_owned(),
            })
        };
        if self.limits.max_body_bytes < 1024 {
            return bad("limits.max_body_bytes must be at least 1024");
        }
        if self.limits.max_batch == 0 {
            return bad("limits.max_batch must be at least 1");
        }
        if self.limits.designer_sample_leads == 0 {
            return bad("limits.designer_sample_leads must be at least 1");
        }
        if self.limits.max_per_page == 0 {
            return bad("limits.max_per_page must be at least 1");
        }
        if self.limits.requests_per_second_per_key > 0 && self.limits.burst_per_key == 0 {
            return bad(
                "limits.burst_per_key must be at least 1 when limits.requests_per_second_per_key is set",
            );
        }
        if let Some(at) = &self.scoring.at
            && let Err(e) = Timestamp::parse(at)
        {
            return Err(EngineError::Settings {
                reason: format!("scoring.at: {e}"),
            });
        }
        if self.rescoring.batch == 0 || self.rescoring.poll_ms == 0 {
            return bad("rescoring.batch and rescoring.poll_ms must be at least 1");
        }
        if !(1..=leadscore_report::MAX_RECENT_DAYS).contains(&self.drift.recent_days) {
            return bad(&format!(
                "drift.recent_days must be 1 to {}",
                leadscore_report::MAX_RECENT_DAYS
            ));
        }
        if self.drift.max_leads < 2 {
            return bad("drift.max_leads must be at least 2");
        }
        self.records.validate()?;
        self.retraining.validate()
    }

    /// The time scores are computed as of: `scoring.at` when set, else now.
    pub fn scoring_time(&self) -> Timestamp {
        self.scoring
            .at
            .as_deref()
            .and_then(|t| Timestamp::parse(t).ok())
            .unwrap_or_else(Timestamp::now)
    }

    /// The latest record time accepted now: `records.future_tolerance_days`
    /// after the current time, or after `scoring.at` when that is later.
    pub fn future_limit(&self) -> FutureLimit {
        let configured = self
            .scoring
            .at
            .as_deref()
            .and_then(|t| Timestamp::parse(t).ok());
        FutureLimit::new(
            FutureTolerance::days(self.records.future_tolerance_days),
            configured,
        )
    }

    /// The custom fields and interaction kinds declared
    /// (`records.custom_fields`, `records.custom_kinds`).
    pub fn declared(&self) -> Declared {
        self.records.declared()
    }

    /// The request timeout.
    pub fn request_timeout(&self) -> Duration {
        Duration::from_millis(self.limits.request_timeout_ms)
    }
}

#[cfg(test)]
mod tests {
    // figment's test jail returns its own (large) error type.
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::result_large_err)]
    use super::*;

    #[test]
    fn file_then_environment() {
        figment::Jail::expect_with(|jail| {
            jail.create_file(
                "leadscore.toml",
                "listen = \"127.0.0.1:9000\"\n[limits]\nmax_batch = 50\n",
            )?;
            jail.set_env("LEADSCORE_LIMITS__MAX_BATCH", "70");
            let s = Settings::load(Some(Path::new("leadscore.toml"))).unwrap();
            assert_eq!(s.listen.port(), 9000);
            assert_eq!(s.limits.max_batch, 70);
            assert_eq!(s.limits.max_body_bytes, Limits::default().max_body_bytes);
            Ok(())
        });
    }

    #[test]
    fn the_future_tolerance_is_a_setting() {
        figment::Jail::expect_with(|jail| {
            let s = Settings::load(None).unwrap();
            assert_eq!(s.future_limit().tolerance(), FutureTolerance::days(1));
            jail.set_env("LEADSCORE_RECORDS__FUTURE_TOLERANCE_DAYS", "7");
            jail.set_env("LEADSCORE_SCORING__AT", "9000-01-01T00:00:00Z");
            let s = Settings::load(None).unwrap();
            let limit = s.future_limit();
            assert_eq!(limit.tolerance(), FutureTolerance::days(7));
            assert_eq!(limit.now(), Timestamp::parse("9000-01-01").unwrap());
            Ok(())
        });
    }

    #[test]
    fn custom_fields_and_kinds_are_declared() {
        figment::Jail::expect_with(|jail| {
            assert_eq!(
                Settings::load(None).unwrap().declared(),
                Declared::default()
            );
            jail.create_file(
                "leadscore.toml",
                "[records]\ncustom_fields = [\"Lead Status\"]\ncustom_kinds = [\"WebinarWatched\"]\n",
            )?;
            let s = Settings::load(Some(Path::new("leadscore.toml"))).unwrap();
            assert_eq!(
                s.declared(),
                Declared::new(["Lead Status"], ["WebinarWatched"])
            );
            jail.create_file("bad.toml", "[records]\ncustom_kinds = [\"webinar\"]\n")?;
            let e = Settings::load(Some(Path::new("bad.toml"))).unwrap_err();
            assert!(e.to_string().contains("records.custom_kinds"), "{e}");
            Ok(())
        });
    }

    #[test]
    fn unknown_keys_and_bad_values_are_errors() {
        figment::Jail::expect_with(|jail| {
            jail.create_file("a.toml", "[limits]\nmax_bacth = 5\n")?;
            let e = Settings::load(Some(Path::new("a.toml"))).unwrap_err();
            assert!(e.to_string().contains("max_bacth"), "{e}");
            jail.create_file("b.toml", "[limits]\nmax_batch = 0\n")?;
            let e = Settings::load(Some(Path::new("b.toml"))).unwrap_err();
            assert!(e.to_string().contains("max_batch"), "{e}");
            let e = Settings::load(Some(Path::new("missing.toml"))).unwrap_err();
            assert!(e.to_string().contains("does not exist"), "{e}");
            Ok(())
        });
    }
}
