//! The application: shared state, the router with its middleware, and serving
//! with a graceful shutdown.

use std::ops::Deref;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::StatusCode;
use axum::middleware;
use leadscore_store::SqlStore;
use tokio::net::TcpListener;
use tokio::sync::{Notify, watch};
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

use crate::auth::KeyCache;
use crate::live::{Live, LiveCell};
use crate::metrics::{Metrics, track};
use crate::settings::Settings;
use crate::webhooks::Deliverer;
use crate::{ServiceError, routes, worker};

/// What every request and worker shares.
#[derive(Debug)]
pub struct Shared {
    /// The store.
    pub store: SqlStore,
    /// The settings.
    pub settings: Settings,
    /// Models, routing and webhooks in service.
    pub live: LiveCell,
    /// Checked API keys.
    pub keys: KeyCache,
    /// Wakes the rescoring worker after a write.
    pub rescore_wake: Notify,
    /// Wakes the webhook deliverer after events were written.
    pub webhook_wake: Arc<Notify>,
    /// Metrics.
    pub metrics: Metrics,
    /// False once shutdown began (`/readyz` then fails).
    pub accepting: AtomicBool,
}

/// The shared state, cheap to clone.
#[derive(Debug, Clone)]
pub struct AppState(Arc<Shared>);

impl Deref for AppState {
    type Target = Shared;

    fn deref(&self) -> &Shared {
        &self.0
    }
}

impl AppState {
    /// Loads models and documents from the store and queues leads that have
    /// no score yet.
    pub async fn new(store: SqlStore, settings: Settings) -> Result<Self, ServiceError> {
        let live = LiveCell::default();
        live.set(Live::load(&store, &settings).await?);
        let queued = store.enqueue_unscored("first scoring").await?;
        if queued > 0 {
            tracing::info!(leads = queued, "leads without scores queued");
        }
        Ok(Self(Arc::new(Shared {
            store,
            settings,
            live,
            keys: KeyCache::default(),
            rescore_wake: Notify::new(),
            webhook_wake: Arc::new(Notify::new()),
            metrics: Metrics::new()?,
            accepting: AtomicBool::new(true),
        })))
    }
}

/// The router with every route and middleware.
pub fn router(state: AppState) -> Router {
    let limits = &state.settings.limits;
    routes::routes()
        .layer(middleware::from_fn_with_state(state.clone(), track))
        .layer(DefaultBodyLimit::max(limits.max_body_bytes))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::SERVICE_UNAVAILABLE,
            state.settings.request_timeout(),
        ))
        .layer(
            TraceLayer::new_for_http().make_span_with(|request: &axum::http::Request<_>| {
                // The route template only: paths hold ids, which may be personal.
                let route = request
                    .extensions()
                    .get::<axum::extract::MatchedPath>()
                    .map_or("unmatched", |p| p.as_str())
                    .to_owned();
                tracing::info_span!("request", method = %request.method(), route)
            }),
        )
        .with_state(state)
}

/// A running service.
#[derive(Debug)]
pub struct Running {
    /// The address it listens on (with the real port when asked for port 0).
    pub addr: std::net::SocketAddr,
    /// The state, for tests.
    pub state: AppState,
    shutdown: watch::Sender<bool>,
    tasks: tokio::task::JoinSet<Result<(), ServiceError>>,
}

impl Running {
    /// Stops accepting, finishes in-flight requests (up to the grace period),
    /// stops the workers after their current round, and waits for all; then
    /// closes the store (SQLite's last checkpoint).
    pub async fn shutdown(mut self) -> Result<(), ServiceError> {
        self.state.accepting.store(false, Ordering::SeqCst);
        let _ = self.shutdown.send(true);
        let grace = Duration::from_secs(self.state.settings.shutdown_grace_secs);
        let wait = async {
            while let Some(done) = self.tasks.join_next().await {
                match done {
                    Ok(result) => result?,
                    Err(e) => tracing::error!(error = %e, "a service task failed"),
                }
            }
            Ok::<(), ServiceError>(())
        };
        match tokio::time::timeout(grace, wait).await {
            Ok(result) => {
                self.state.store.close().await;
                result
            }
            Err(_) => {
                tracing::warn!("shutdown grace period over; stopping");
                Ok(())
            }
        }
    }

    /// Waits for Ctrl-C or SIGTERM, then shuts down gracefully.
    pub async fn until_signal(self) -> Result<(), ServiceError> {
        shutdown_signal().await;
        tracing::info!("shutting down");
        self.shutdown().await
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(error) = tokio::signal::ctrl_c().await {
            tracing::error!(%error, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(error) => {
                tracing::error!(%error, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {}
        _ = term => {}
    }
}

/// Binds the listener and starts the server, the rescoring worker and the
/// webhook deliverer.
pub async fn start(state: AppState) -> Result<Running, ServiceError> {
    let addr = state.settings.listen;
    let listener = TcpListener::bind(addr)
        .await
        .map_err(|source| ServiceError::Listen {
            addr: addr.to_string(),
            source,
        })?;
    let addr = listener
        .local_addr()
        .map_err(|source| ServiceError::Listen {
            addr: addr.to_string(),
            source,
        })?;
    let (shutdown, rx) = watch::channel(false);
    let mut tasks = tokio::task::JoinSet::new();

    let app = router(state.clone());
    let mut server_rx = rx.clone();
    tasks.spawn(async move {
        axum::serve(listener, app)
            .with_graceful_shutdown(async move {
                let _ = server_rx.wait_for(|stop| *stop).await;
            })
            .await
            .map_err(|source| ServiceError::Serve { source })
    });
    let worker_state = state.clone();
    let worker_rx = rx.clone();
    tasks.spawn(async move {
        worker::run(worker_state, worker_rx).await;
        Ok(())
    });
    let deliverer = Deliverer::new(state.store.clone(), state.settings.webhooks.clone())?;
    let wake = Arc::clone(&state.webhook_wake);
    let deliver_rx = rx.clone();
    tasks.spawn(async move {
        deliverer.run(wake, deliver_rx).await;
        Ok(())
    });
    let schedule_state = state.clone();
    let schedule_rx = rx.clone();
    tasks.spawn(async move {
        crate::retrain::run_schedule(schedule_state, schedule_rx).await;
        Ok(())
    });
    let drift_state = state.clone();
    let drift_rx = rx.clone();
    let drift = &state.settings.drift;
    let every = (drift.every_secs > 0).then(|| Duration::from_secs(drift.every_secs));
    let recent_days = drift.recent_days;
    tasks.spawn(async move {
        crate::reports::run_drift_check(drift_state, every, recent_days, drift_rx).await;
        Ok(())
    });
    tracing::info!(%addr, backend = %state.store.backend(), "leadscore is listening");
    Ok(Running {
        addr,
        state,
        shutdown,
        tasks,
    })
}
