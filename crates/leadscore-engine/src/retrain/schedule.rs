//! The service's retraining schedule: a task that sleeps until the next time
//! the cron expression names, then retrains. Each scheduled time is a slot
//! that one instance takes (`retraining_runs.slot` is unique), so several
//! instances on one PostgreSQL store retrain once per time.

use chrono::{DateTime, Utc};
use croner::Cron;
use leadscore_domain::Timestamp;
use tokio::sync::watch;

use super::now::settle;
use super::{Trigger, retrain};
use crate::service::Service;

/// Runs the schedule until shutdown; returns at once when none is set.
pub async fn run_schedule(service: Service, mut shutdown: watch::Receiver<bool>) {
    let settings = service.settings.retraining.clone();
    let cron = match settings.cron() {
        Ok(Some(cron)) => cron,
        Ok(None) => return,
        Err(e) => {
            // Settings were validated at start; this cannot happen, but a
            // schedule that does not parse must not stop the service.
            tracing::error!(error = %e, "the retraining schedule does not parse");
            return;
        }
    };
    loop {
        let Some(next) = next_after(&cron, Utc::now()) else {
            tracing::warn!("the retraining schedule names no future time");
            return;
        };
        let wait = (next - Utc::now()).to_std().unwrap_or_default();
        tracing::info!(next = %next.to_rfc3339(), "next scheduled retraining");
        tokio::select! {
            () = tokio::time::sleep(wait) => {}
            _ = shutdown.wait_for(|stop| *stop) => return,
        }
        let slot = next.to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
        let at = service.settings.scoring_time();
        let trigger = Trigger::Schedule(slot.clone());
        match retrain(&service.store, &settings, trigger, at)
            .await
            .transpose()
        {
            Some(result) => {
                if let Err(e) = &result {
                    tracing::warn!(%slot, error = %e, "scheduled retraining failed");
                }
                settle(&service, &result);
            }
            None => {
                tracing::info!(%slot, "no run at this time: another instance took it, or a run is running")
            }
        }
    }
}

/// The first time after `now` the expression names.
fn next_after(cron: &Cron, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
    cron.find_next_occurrence(&now, false).ok()
}

/// When the schedule next runs after `at` (for `/v1/retraining` and tests).
pub fn next_run(cron: &Cron, at: Timestamp) -> Option<Timestamp> {
    next_after(cron, at.to_datetime()).and_then(|t| Timestamp::from_micros(t.timestamp_micros()))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::retrain::parse_schedule;

    #[test]
    fn the_next_time_follows_the_expression() {
        let cron = parse_schedule("0 3 * * 1").unwrap();
        // 2026-11-23 is a Monday.
        let at = Timestamp::parse("2026-11-23T04:00:00Z").unwrap();
        let next = next_run(&cron, at).unwrap();
        assert_eq!(next, Timestamp::parse("2026-11-30T03:00:00Z").unwrap());
        let before = Timestamp::parse("2026-11-23T02:59:00Z").unwrap();
        assert_eq!(
            next_run(&cron, before).unwrap(),
            Timestamp::parse("2026-11-23T03:00:00Z").unwrap()
        );
    }
}
