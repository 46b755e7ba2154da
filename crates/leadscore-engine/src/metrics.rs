//! Prometheus metrics, one registry per service instance (`GET /metrics`).

use prometheus::{
    Encoder, Gauge, GaugeVec, Histogram, HistogramOpts, HistogramVec, IntCounter, IntCounterVec,
    IntGauge, Opts, Registry, TextEncoder,
};

use crate::EngineError;

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
    /// Scheduled retraining runs by outcome (`published`, `kept`, `failed`).
    pub retraining_runs: IntCounterVec,
    /// The live model's drift per encoded feature (PSI of the recent leads
    /// against the closed leads), set by each drift check.
    pub drift_psi: GaugeVec,
    /// The PSI of the live model's scores, set by each drift check.
    pub score_psi: Gauge,
}

fn reg<T: prometheus::core::Collector + Clone + 'static>(
    registry: &Registry,
    metric: Result<T, prometheus::Error>,
) -> Result<T, EngineError> {
    let metric = metric.map_err(|e| EngineError::Settings {
        reason: format!("metrics: {e}"),
    })?;
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
        let registry = Registry::new_custom(Some("leadscore".into()), None).map_err(|e| {
            EngineError::Settings {
                reason: format!("metrics: {e}"),
            }
        })?;
        Ok(Self {
            requests: reg(
                &registry,
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
                IntCounter::new("leads_rescored_total", "Leads rescored by the worker"),
            )?,
            ingested: reg(
                &registry,
                IntCounterVec::new(
                    Opts::new("records_ingested_total", "Records written through the API"),
                    &["type"],
                ),
            )?,
            queue_depth: reg(
                &registry,
                IntGauge::new("rescore_queue_depth", "Leads waiting to be rescored"),
            )?,
            queue_oldest_seconds: reg(
                &registry,
                Gauge::new(
                    "rescore_queue_oldest_seconds",
                    "How long the oldest lead waiting to be rescored has waited",
                ),
            )?,
            rescore_lag: reg(
                &registry,
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
                IntGauge::new("webhook_deliveries_pending", "Webhook deliveries waiting"),
            )?,
            deliveries_failed: reg(
                &registry,
                IntGauge::new("webhook_deliveries_failed", "Webhook deliveries given up"),
            )?,
            retraining_runs: reg(
                &registry,
                IntCounterVec::new(
                    Opts::new(
                        "retraining_runs_total",
                        "Scheduled retraining runs of this instance by outcome",
                    ),
                    &["outcome"],
                ),
            )?,
            drift_psi: reg(
                &registry,
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
                Gauge::new(
                    "model_score_psi",
                    "Population stability index of the live model's scores",
                ),
            )?,
            registry,
        })
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
