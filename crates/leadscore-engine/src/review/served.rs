//! The review as served: from the store's last computation
//! ([`leadscore_store::ReviewSnapshots`]), never recomputed on a request
//! while a recent one is stored, so the review, drift and the console's
//! pages answer at once however large the store.
//!
//! A review is computed by the periodic check ([`run_drift_check`]: right
//! after the service starts, then whenever the live version's stored review
//! is older than `drift.every_secs`, looking every minute so that a newly
//! published model is reviewed soon), or by a request that finds none
//! stored for the live version and window. One computation per version and
//! window runs at a time on an instance; a request waits for it up to
//! `drift.wait_ms`, then is told it is being computed. A stored review older than
//! the period is served while a newer one is computed behind it. Instances
//! sharing a store share its reviews: one finding a recent review stored by
//! another does not compute its own.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use leadscore_domain::Timestamp;
use leadscore_report::Review;
use leadscore_store::ReviewSnapshot;
use tokio::sync::watch;

use super::{review, update_gauges};
use crate::EngineError;
use crate::service::Service;

/// How long reviews of versions no longer live are kept.
const KEEP_DAYS: u32 = 30;

/// How often the periodic check looks at most (so that a newly published
/// model is reviewed within about this long).
const LOOK_EVERY: Duration = Duration::from_secs(60);

/// A review and when it was computed.
#[derive(Debug, Clone)]
pub struct Served {
    /// The review.
    pub review: Arc<Review>,
    /// When it was computed.
    pub computed_at: Timestamp,
}

/// What a request for the live model's review gets.
#[derive(Debug, Clone)]
pub enum Answer {
    /// The latest computed review.
    Ready(Served),
    /// None is stored yet for the live version and window: it is being
    /// computed (since then).
    Computing {
        /// The live version.
        version: i64,
        /// When the computation started.
        since: Timestamp,
    },
    /// No conversion model is live.
    NoLiveModel,
}

/// What a computation ends with (`None` while it runs).
type Outcome = Option<Result<Served, String>>;

/// The computations running on this instance, by version and window.
#[derive(Debug, Default)]
pub struct Computations(Mutex<HashMap<(i64, u32), Running>>);

#[derive(Debug, Clone)]
struct Running {
    since: Timestamp,
    done: watch::Receiver<Outcome>,
}

impl Computations {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<(i64, u32), Running>> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// The period after which a stored review is computed again.
fn max_age(service: &Service) -> Duration {
    match service.settings.drift.every_secs {
        0 => Duration::from_secs(3600),
        secs => Duration::from_secs(secs),
    }
}

fn older_than(at: Timestamp, age: Duration) -> bool {
    let age = i64::try_from(age.as_micros()).unwrap_or(i64::MAX);
    Timestamp::now().as_micros().saturating_sub(at.as_micros()) > age
}

/// The live model's review over `recent_days` as last computed (see the
/// [module documentation](self)).
pub async fn served(service: &Service, recent_days: u32) -> Result<Answer, EngineError> {
    let Some(version) = service.store.registry().live_version().await? else {
        return Ok(Answer::NoLiveModel);
    };
    if let Some(stored) = stored(service, version, recent_days).await? {
        if older_than(stored.computed_at, max_age(service)) {
            start(service, version, recent_days);
        }
        return Ok(Answer::Ready(stored));
    }
    let running = start(service, version, recent_days);
    let mut done = running.done;
    let wait = Duration::from_millis(service.settings.drift.wait_ms);
    match tokio::time::timeout(wait, done.wait_for(Option::is_some)).await {
        Err(_) => Ok(Answer::Computing {
            version,
            since: running.since,
        }),
        Ok(Err(_)) => Err(EngineError::Task {
            reason: "the review's computation stopped".into(),
        }),
        Ok(Ok(outcome)) => match outcome.clone() {
            Some(Ok(served)) => Ok(Answer::Ready(served)),
            Some(Err(reason)) => Err(EngineError::Scoring { reason }),
            None => Ok(Answer::Computing {
                version,
                since: running.since,
            }),
        },
    }
}

/// The stored review of `version` over `recent_days`; one that no longer
/// reads (stored by another leadscore version) counts as none.
async fn stored(
    service: &Service,
    version: i64,
    recent_days: u32,
) -> Result<Option<Served>, EngineError> {
    let Some(snapshot) = service
        .store
        .review_snapshots()
        .get(version, recent_days)
        .await?
    else {
        return Ok(None);
    };
    match serde_json::from_str::<Review>(&snapshot.body) {
        Ok(review) => Ok(Some(Served {
            review: Arc::new(review),
            computed_at: snapshot.computed_at,
        })),
        Err(e) => {
            tracing::warn!(version, recent_days, error = %e,
                "a stored review does not read: it is computed again");
            Ok(None)
        }
    }
}

/// Starts computing the review of the live model over `recent_days`
/// unless this instance is computing it already; the computation either
/// way.
fn start(service: &Service, version: i64, recent_days: u32) -> Running {
    let mut running = service.reviews.lock();
    if let Some(r) = running.get(&(version, recent_days)) {
        return r.clone();
    }
    let (tx, rx) = watch::channel(None);
    let job = Running {
        since: Timestamp::now(),
        done: rx,
    };
    running.insert((version, recent_days), job.clone());
    drop(running);
    let service = service.clone();
    tokio::spawn(async move {
        let outcome = compute(&service, recent_days).await;
        if let Err(reason) = &outcome {
            tracing::warn!(version, recent_days, error = %reason, "the review failed");
        }
        service.reviews.lock().remove(&(version, recent_days));
        // Nobody may be waiting any more: that is fine.
        let _ = tx.send(Some(outcome));
    });
    job
}

/// Computes the live model's review and stores it.
async fn compute(service: &Service, recent_days: u32) -> Result<Served, String> {
    let review = review(service, recent_days)
        .await
        .map_err(|e| e.to_string())?
        .ok_or_else(|| "no conversion model is live any more".to_owned())?;
    let computed_at = Timestamp::now();
    if let Some(version) = review.model.version {
        let body = serde_json::to_string(&review).map_err(|e| e.to_string())?;
        let snapshot = ReviewSnapshot {
            version,
            recent_days,
            computed_at,
            body,
        };
        service
            .store
            .review_snapshots()
            .put(&snapshot, KEEP_DAYS)
            .await
            .map_err(|e| e.to_string())?;
    }
    Ok(Served {
        review: Arc::new(review),
        computed_at,
    })
}

/// Keeps the live model's review over `recent_days` computed (see the
/// [module documentation](self)) until shutdown; `None` turns the periodic
/// check off (requests still compute a review when none is stored).
pub async fn run_drift_check(
    service: Service,
    every: Option<Duration>,
    recent_days: u32,
    mut shutdown: watch::Receiver<bool>,
) {
    let Some(every) = every else {
        return;
    };
    loop {
        if let Err(e) = check(&service, recent_days, every).await {
            tracing::warn!(error = %e, "the drift check failed");
        }
        tokio::select! {
            () = tokio::time::sleep(every.min(LOOK_EVERY)) => {}
            _ = shutdown.wait_for(|stop| *stop) => return,
        }
    }
}

/// One look of the periodic check: computes the live model's review when
/// none stored is younger than `every`; else follows the stored one (its
/// drift gauges), which another instance may have computed.
async fn check(service: &Service, recent_days: u32, every: Duration) -> Result<(), EngineError> {
    let Some(version) = service.store.registry().live_version().await? else {
        return Ok(());
    };
    if let Some(stored) = stored(service, version, recent_days).await?
        && !older_than(stored.computed_at, every)
    {
        let seen = service
            .last_drift
            .get()
            .is_some_and(|d| d.version == Some(version) && d.at >= stored.computed_at);
        if !seen {
            update_gauges(service, &stored.review, stored.computed_at);
        }
        return Ok(());
    }
    let mut done = start(service, version, recent_days).done;
    let outcome = done
        .wait_for(Option::is_some)
        .await
        .map_err(|_| EngineError::Task {
            reason: "the review's computation stopped".into(),
        })?;
    match outcome.clone() {
        Some(Err(reason)) => Err(EngineError::Scoring { reason }),
        _ => Ok(()),
    }
}
