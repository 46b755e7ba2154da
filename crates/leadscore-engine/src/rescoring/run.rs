//! The worker's loop: rounds while there is work, the next round read and
//! scored while the one before is written.

use std::collections::HashSet;
use std::time::{Duration, Instant};

use tokio::sync::watch;
use tokio::task::JoinHandle;

use leadscore_domain::LeadId;

use super::{Prepared, RoundDone, prepare_excluding};
use crate::EngineError;
use crate::service::Service;

/// A round being written: its leads and the task writing them.
struct Writing {
    leads: HashSet<LeadId>,
    task: JoinHandle<Result<RoundDone, EngineError>>,
}

impl Writing {
    fn start(service: &Service, prepared: Prepared) -> Self {
        let service = service.clone();
        Self {
            leads: prepared.lead_ids(),
            task: tokio::spawn(async move { prepared.commit(&service).await }),
        }
    }

    /// Waits for the write; wakes the webhook deliveries when it wrote events.
    async fn finish(self, service: &Service) {
        match self.task.await {
            Ok(Ok(round)) => {
                if round.events > 0 {
                    service.webhook_wake.notify_one();
                }
            }
            Ok(Err(error)) => tracing::error!(%error, "rescoring failed; retrying"),
            Err(error) => tracing::error!(%error, "the rescoring write stopped; retrying"),
        }
    }
}

/// Runs until shutdown: rounds while there is work, else waits for a wake-up
/// or the poll interval; reloads models when they changed; queues every open
/// lead on the refresh interval. While a round is written (holding the write
/// lock on SQLite), the next is read and scored from a snapshot, passing over
/// the leads being written; a round's write waits for the one before, so
/// rounds commit in order. On shutdown, the round being written finishes.
pub async fn run(service: Service, mut shutdown: watch::Receiver<bool>) {
    let settings = service.settings.rescoring.clone();
    let poll = Duration::from_millis(settings.poll_ms);
    let reload = Duration::from_millis(settings.reload_ms);
    let refresh =
        (settings.refresh_every_secs > 0).then(|| Duration::from_secs(settings.refresh_every_secs));
    let mut last_reload = Instant::now();
    let mut last_refresh = Instant::now();
    let mut writing: Option<Writing> = None;
    loop {
        if *shutdown.borrow() {
            if let Some(w) = writing.take() {
                w.finish(&service).await;
            }
            return;
        }
        if last_reload.elapsed() >= reload {
            last_reload = Instant::now();
            if let Err(error) = service.reload().await {
                tracing::error!(%error, "cannot reload models");
            }
        }
        if let Some(every) = refresh
            && last_refresh.elapsed() >= every
        {
            last_refresh = Instant::now();
            match service.store.queue().enqueue_open("periodic refresh").await {
                Ok(n) => tracing::info!(leads = n, "periodic rescoring queued"),
                Err(error) => tracing::error!(%error, "cannot queue the periodic rescoring"),
            }
        }
        let none = HashSet::new();
        let busy = writing.as_ref().map_or(&none, |w| &w.leads);
        let prepared = prepare_excluding(&service, busy).await;
        if let Some(w) = writing.take() {
            w.finish(&service).await;
        }
        let full = match prepared {
            Ok(Some(prepared)) => {
                let full = prepared.len() >= settings.batch;
                writing = Some(Writing::start(&service, prepared));
                full
            }
            Ok(None) => false,
            Err(error) => {
                tracing::error!(%error, "rescoring failed; retrying");
                false
            }
        };
        if !full {
            // Without a full round waiting, finish this one before sleeping
            // (the leads it wrote are then off the queue for the next look).
            if let Some(w) = writing.take() {
                w.finish(&service).await;
            }
            tokio::select! {
                _ = service.rescore_wake.notified() => {}
                _ = tokio::time::sleep(poll) => {}
                _ = shutdown.changed() => {}
            }
        }
    }
}
