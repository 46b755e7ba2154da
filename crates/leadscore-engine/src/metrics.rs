//! Prometheus metrics, one registry per service instance (`GET /metrics`).

use prometheus::{
    Encoder, Gauge, GaugeVec, Histogram, HistogramOpts, HistogramVec, IntCounter, IntCounterVec,
    IntGauge, IntGaugeVec, Opts, Registry, TextEncoder,
};

use leadscore_domain::Timestamp;
use leadscore_store::SqlStore;

use crate::EngineError;
use crate::keys::KeyStatus;

/// The service's metrics.
#[derive(Debug, Clone)]
pub struct Metrics {
    registry: Registry,
    /// Requests by route, method and status.
    pub requests: IntCounterVec,
    /// Request durations by route.
    pub durations: HistogramVec,
    /// Leads rescored.
    pub rescored: IntCounter,
    /// Records written, by type.
    pub ingested: IntCounterVec,
    /// Leads waiting to be rescored (set on each scrape).
    pub queue_depth: IntGauge,
    /// How long the oldest queued lead has waited, in seconds (set on each
    /// scrape; 0 when the queue is empty).
    pub queue_oldest_seconds: Gauge,
    /// Seconds from a lead's first unscored write (when it was queued) to
    /// the commit of its new scores.
    pub rescore_lag: Histogram,
    /// Webhook deliveries waiting (set on each scrape).
    pub deliveries_pending: IntGauge,
    /// Webhook deliveries given up (set on each scrape).
    pub deliveries_failed: IntGauge,
    /// Retraining runs (scheduled or requested) by outcome (`published`, `kept`,
    /// `unchanged`, `failed`).
    pub retraining_runs: IntCounterVec,
    /// The live model's drift per encoded feature (PSI of the recent leads
    /// against the closed leads), set by each drift check.
    pub drift_psi: GaugeVec,
    /// The PSI of the live model's scores, set by each drift check.
    pub score_psi: Gauge,
    /// Requests being answered now.
    pub in_flight: IntGauge,
    /// Requests refused by the per-key rate limit, by key.
    pub rate_limited: IntCounterVec,
    /// The store's connections by state (`idle`, `in_use`; set on each
    /// scrape).
    pub pool_connections: IntGaugeVec,
    /// The most connections the store's pool opens.
    pub pool_max: IntGauge,
    /// When each active expiring API key expires, in seconds since the
    /// epoch (set on each scrape).
    pub key_expiry: GaugeVec,
    /// 1, labelled with the running version.
    pub build_info: IntGaugeVec,
    /// Every metric's full name, as registered.
    names: Vec<String>,
}

/// The registry's prefix of every metric's name.
const PREFIX: &str = "leadscore_";

fn reg<T: prometheus::core::Collector + Clone + 'static>(
    registry: &Registry,
    names: &mut Vec<String>,
    metric: Result<T, prometheus::Error>,
) -> Result<T, EngineError> {
    let metric = metric.map_err(|e| EngineError::Settings {
        reason: format!("metrics: {e}"),
    })?;
    names.extend(
        metric
            .desc()
            .iter()
            .map(|d| format!("{PREFIX}{}", d.fq_name)),
    );
    registry
        .register(Box::new(metric.clone()))
        .map_err(|e| EngineError::Settings {
            reason: format!("metrics: {e}"),
        })?;
    Ok(metric)
}

impl Metrics {
    /// A fresh registry with every metric.
    pub fn new() -> Result<Self, EngineError> {
        let metrics = Self::register()?;
        metrics
            .build_info
            .with_label_values(&[env!("CARGO_PKG_VERSION")])
            .set(1);
        Ok(metrics)
    }

    fn register() -> Result<Self, EngineError> {
        let mut names = Vec::new();
        let registry = Registry::new_custom(Some(PREFIX.trim_end_matches('_').into()), None)
            .map_err(|e| EngineError::Settings {
                reason: format!("metrics: {e}"),
            })?;
        Ok(Self {
            requests: reg(
                &registry,
                &mut names,
                IntCounterVec::new(
                    Opts::new(
                        "http_requests_total",
                        "HTTP requests by route, method and status",
                    ),
                    &["route", "method", "status"],
                ),
            )?,
            durations: reg(
                &registry,
                &mut names,
                HistogramVec::new(
                    HistogramOpts::new("http_request_duration_seconds", "HTTP request durations")
                        .buckets(vec![
                            0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0,
                            2.5,
                        ]),
                    &["route"],
                ),
            )?,
            rescored: reg(
                &registry,
                &mut names,
                IntCounter::new("leads_rescored_total", "Leads rescored by the worker"),
            )?,
            ingested: reg(
                &registry,
                &mut names,
                IntCounterVec::new(
                    Opts::new("records_ingested_total", "Records written through the API"),
                    &["type"],
                ),
            )?,
            queue_depth: reg(
                &registry,
                &mut names,
                IntGauge::new("rescore_queue_depth", "Leads waiting to be rescored"),
            )?,
            queue_oldest_seconds: reg(
                &registry,
                &mut names,
                Gauge::new(
                    "rescore_queue_oldest_seconds",
                    "How long the oldest lead waiting to be rescored has waited",
                ),
            )?,
            rescore_lag: reg(
                &registry,
                &mut names,
                Histogram::with_opts(
                    HistogramOpts::new(
                        "rescore_lag_seconds",
                        "From a lead's first unscored write to the commit of its new scores",
                    )
                    .buckets(vec![
                        0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0,
                    ]),
                ),
            )?,
            deliveries_pending: reg(
                &registry,
                &mut names,
                IntGauge::new("webhook_deliveries_pending", "Webhook deliveries waiting"),
            )?,
            deliveries_failed: reg(
                &registry,
                &mut names,
                IntGauge::new("webhook_deliveries_failed", "Webhook deliveries given up"),
            )?,
            retraining_runs: reg(
                &registry,
                &mut names,
                IntCounterVec::new(
                    Opts::new(
                        "retraining_runs_total",
                        "Retraining runs of this instance (scheduled or requested) by outcome",
                    ),
                    &["outcome"],
                ),
            )?,
            drift_psi: reg(
                &registry,
                &mut names,
                GaugeVec::new(
                    Opts::new(
                        "model_drift_psi",
                        "Population stability index of each feature of the live model (0.1 moderate, 0.25 major)",
                    ),
                    &["feature"],
                ),
            )?,
            score_psi: reg(
                &registry,
                &mut names,
                Gauge::new(
                    "model_score_psi",
                    "Population stability index of the live model's scores",
                ),
            )?,
            in_flight: reg(
                &registry,
                &mut names,
                IntGauge::new(
                    "http_requests_in_flight",
                    "HTTP requests being answered now",
                ),
            )?,
            rate_limited: reg(
                &registry,
                &mut names,
                IntCounterVec::new(
                    Opts::new(
                        "rate_limited_total",
                        "Requests refused by the per-key rate limit, by API key",
                    ),
                    &["key_id"],
                ),
            )?,
            pool_connections: reg(
                &registry,
                &mut names,
                IntGaugeVec::new(
                    Opts::new(
                        "db_pool_connections",
                        "The store's open connections by state (idle, in_use)",
                    ),
                    &["state"],
                ),
            )?,
            pool_max: reg(
                &registry,
                &mut names,
                IntGauge::new(
                    "db_pool_max_connections",
                    "The most connections the store's pool opens",
                ),
            )?,
            key_expiry: reg(
                &registry,
                &mut names,
                GaugeVec::new(
                    Opts::new(
                        "api_key_expiry_timestamp_seconds",
                        "When each active expiring API key expires (Unix time)",
                    ),
                    &["key_id"],
                ),
            )?,
            build_info: reg(
                &registry,
                &mut names,
                IntGaugeVec::new(
                    Opts::new("build_info", "1, labelled with the running version"),
                    &["version"],
                ),
            )?,
            registry,
            names,
        })
    }

    /// Sets the gauges read from the store (the rescoring queue, webhook
    /// deliveries, API key expiries) and the pool; a part the store cannot
    /// answer keeps its last value.
    pub async fn refresh(&self, store: &SqlStore) {
        if let Ok(depth) = store.queue().depth().await {
            self.queue_depth
                .set(i64::try_from(depth.leads).unwrap_or(i64::MAX));
            let now = Timestamp::now().as_micros();
            let waited = depth
                .oldest
                .map_or(0.0, |t| (now - t.as_micros()).max(0) as f64 / 1e6);
            self.queue_oldest_seconds.set(waited);
        }
        if let Ok(counts) = crate::webhooks::pending(store).await {
            self.deliveries_pending
                .set(i64::try_from(counts.pending).unwrap_or(i64::MAX));
            self.deliveries_failed
                .set(i64::try_from(counts.failed).unwrap_or(i64::MAX));
        }
        if let Ok(keys) = crate::keys::list_keys(store).await {
            self.key_expiry.reset();
            for key in keys {
                if let (KeyStatus::Active, Some(at)) = (key.status, key.expires_at) {
                    self.key_expiry
                        .with_label_values(&[key.key_id.as_str()])
                        .set(at.as_micros() as f64 / 1e6);
                }
            }
        }
        let pool = store.pool_stats();
        self.pool_connections
            .with_label_values(&["idle"])
            .set(i64::from(pool.idle));
        self.pool_connections
            .with_label_values(&["in_use"])
            .set(i64::from(pool.open - pool.idle));
        self.pool_max.set(i64::from(pool.max));
    }

    /// Every metric's full name (`leadscore_http_requests_total`), as
    /// registered: what docs/METRICS.md must describe.
    pub fn names(&self) -> &[String] {
        &self.names
    }

    /// The text exposition of every metric.
    pub fn render(&self) -> String {
        let mut out = Vec::new();
        if let Err(error) = TextEncoder::new().encode(&self.registry.gather(), &mut out) {
            tracing::error!(%error, "cannot encode metrics");
        }
        String::from_utf8(out).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    /// docs/METRICS.md describes every metric the service registers, and
    /// names none it does not.
    #[test]
    fn the_reference_lists_exactly_the_registered_metrics() {
        let metrics = Metrics::new().unwrap();
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/METRICS.md");
        let doc = std::fs::read_to_string(path).unwrap();
        let documented: std::collections::BTreeSet<&str> = doc
            .lines()
            .filter_map(|line| line.strip_prefix("| `leadscore_"))
            .filter_map(|rest| rest.split('`').next())
            .collect();
        let registered: std::collections::BTreeSet<&str> = metrics
            .names()
            .iter()
            .map(|n| n.trim_start_matches(PREFIX))
            .collect();
        assert_eq!(documented, registered);
        assert!(registered.len() >= 18, "{registered:?}");
    }

    /// What a scrape shows is under the registered names (a histogram adds
    /// `_bucket`, `_sum` and `_count`).
    #[test]
    fn the_exposition_uses_the_registered_names() {
        let metrics = Metrics::new().unwrap();
        metrics
            .requests
            .with_label_values(&["/x", "GET", "200"])
            .inc();
        metrics.durations.with_label_values(&["/x"]).observe(0.01);
        let text = metrics.render();
        assert!(text.contains("leadscore_build_info{version=\""), "{text}");
        for line in text.lines().filter(|l| !l.starts_with('#')) {
            let name = line.split(['{', ' ']).next().unwrap();
            let base = ["_bucket", "_sum", "_count"]
                .iter()
                .find_map(|s| name.strip_suffix(s))
                .filter(|b| metrics.names().iter().any(|n| n == b))
                .unwrap_or(name);
            assert!(
                metrics.names().iter().any(|n| n == base),
                "{name} is not registered"
            );
        }
    }
}
