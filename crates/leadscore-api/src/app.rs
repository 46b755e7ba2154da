//! The application: the router with its middleware, and serving it beside the
//! engine's background work with a graceful shutdown.

use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::{DefaultBodyLimit, MatchedPath, Request, State};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use leadscore_engine::service::Tasks;
use leadscore_engine::{ErrorCode, Service};
use tokio::net::TcpListener;
use tokio::sync::watch;
use tower_http::trace::{DefaultOnFailure, TraceLayer};
use tracing::Level;

use crate::ServeError;
use crate::error::ApiError;
use crate::routes;

/// The router with every route, its role layers and the middleware; the
/// OpenAPI document of those routes is served at `/openapi.json`. The web
/// console's pages ([`leadscore_console::router`]) are served beside them.
pub fn router(service: Service) -> Router {
    let (routes, _) = routes::routes(&service);
    let limits = &service.settings.limits;
    routes
        // The web console (`/` and `/console/...`): HTML for people, not
        // part of the OpenAPI document.
        .merge(leadscore_console::router())
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(middleware::from_fn_with_state(service.clone(), track))
        .layer(DefaultBodyLimit::max(limits.max_body_bytes))
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(|request: &Request<_>| {
                    // The route template only: paths hold ids, which may be personal.
                    let route = request
                        .extensions()
                        .get::<MatchedPath>()
                        .map_or("unmatched", |p| p.as_str())
                        .to_owned();
                    tracing::info_span!("request", method = %request.method(), route)
                })
                // Every 5xx counts as a failure here, including the answers
                // given by design (503 while the review is computed, with
                // Retry-After). Real faults are logged where they happen
                // (`ApiError::internal`, `ApiError::unavailable`, the request
                // timeout below), so this layer's own line is for debugging.
                .on_failure(DefaultOnFailure::new().level(Level::DEBUG)),
        )
        .with_state(service)
}

/// The longest URI (path and query string) served: longer ones are refused
/// with a 414 before any route runs. (Past 64 KiB, the HTTP layer refuses
/// them itself, with no body.)
pub const MAX_URI_BYTES: usize = 8 * 1024;

/// The answer to a path no route serves.
async fn not_found() -> ApiError {
    ApiError::new(
        ErrorCode::NotFound,
        "no route serves this path: see /openapi.json",
    )
}

/// The answer to a method the route does not take (axum adds `Allow`).
async fn method_not_allowed() -> ApiError {
    ApiError::new(
        ErrorCode::MethodNotAllowed,
        "the route does not take this method: see the Allow header",
    )
}

/// Middleware: refuses a URI longer than [`MAX_URI_BYTES`], answers 503
/// (the error body) past the request timeout, and counts and times every
/// request by its route template (never the path itself: it may hold ids).
async fn track(State(service): State<Service>, request: Request, next: Next) -> Response {
    if uri_length(request.uri()) > MAX_URI_BYTES {
        return ApiError::new(
            ErrorCode::UriTooLong,
            format!("the URI is longer than {MAX_URI_BYTES} bytes"),
        )
        .into_response();
    }
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or("unmatched", |p| p.as_str())
        .to_owned();
    let method = request.method().as_str().to_owned();
    let start = Instant::now();
    let _in_flight = InFlight::start(&service.metrics.in_flight);
    // The request timeout, answered with the error body like every error.
    let limit = service.settings.request_timeout();
    let response = match tokio::time::timeout(limit, next.run(request)).await {
        Ok(response) => response,
        Err(_) => {
            tracing::warn!(
                route = %route,
                method = %method,
                limit_ms = %limit.as_millis(),
                "request timed out (limits.request_timeout_ms)"
            );
            ApiError::new(
                ErrorCode::Unavailable,
                format!(
                    "the request took longer than {} ms (limits.request_timeout_ms); try again",
                    limit.as_millis()
                ),
            )
            .into_response()
        }
    };
    let elapsed = start.elapsed().as_secs_f64();
    let metrics = &service.metrics;
    metrics
        .requests
        .with_label_values(&[route.as_str(), method.as_str(), response.status().as_str()])
        .inc();
    metrics
        .durations
        .with_label_values(&[route.as_str()])
        .observe(elapsed);
    response
}

/// One request counted in `http_requests_in_flight` until it is dropped
/// (answered, or abandoned by its client).
struct InFlight(prometheus::IntGauge);

impl InFlight {
    fn start(gauge: &prometheus::IntGauge) -> Self {
        gauge.inc();
        Self(gauge.clone())
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        self.0.dec();
    }
}

/// The length of a URI's path and query string.
fn uri_length(uri: &axum::http::Uri) -> usize {
    uri.path_and_query().map_or(0, |p| p.as_str().len())
}

/// A running service: the HTTP server and the engine's background work.
#[derive(Debug)]
pub struct Running {
    /// The address it listens on (with the real port when asked for port 0).
    pub addr: std::net::SocketAddr,
    /// The engine, for tests.
    pub service: Service,
    shutdown: watch::Sender<bool>,
    server: tokio::task::JoinHandle<std::io::Result<()>>,
    workers: Tasks,
}

impl Running {
    /// Stops accepting, finishes in-flight requests (up to the grace period),
    /// stops the workers after their current round, and waits for all; then
    /// closes the store (SQLite's last checkpoint).
    pub async fn shutdown(mut self) -> Result<(), ServeError> {
        self.service.accepting.store(false, Ordering::SeqCst);
        let _ = self.shutdown.send(true);
        let grace = Duration::from_secs(self.service.settings.shutdown_grace_secs);
        let wait = async {
            while let Some(done) = self.workers.join_next().await {
                if let Err(e) = done {
                    tracing::error!(error = %e, "a service task failed");
                }
            }
            match self.server.await {
                Ok(served) => served.map_err(|source| ServeError::Serve { source }),
                Err(e) => {
                    tracing::error!(error = %e, "the server task failed");
                    Ok(())
                }
            }
        };
        match tokio::time::timeout(grace, wait).await {
            Ok(result) => {
                self.service.store.close().await;
                result
            }
            Err(_) => {
                tracing::warn!("shutdown grace period over; stopping");
                Ok(())
            }
        }
    }

    /// Waits for Ctrl-C or SIGTERM, then shuts down gracefully.
    pub async fn until_signal(self) -> Result<(), ServeError> {
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

/// Binds the listener and starts the server beside the engine's background
/// work (the rescoring worker, the webhook deliverer, the retraining
/// schedule and the drift check).
pub async fn start(service: Service) -> Result<Running, ServeError> {
    let addr = service.settings.listen;
    let listen_error = |source| ServeError::Listen {
        addr: addr.to_string(),
        source,
    };
    let listener = TcpListener::bind(addr).await.map_err(listen_error)?;
    let addr = listener.local_addr().map_err(listen_error)?;
    let (shutdown, rx) = watch::channel(false);
    let mut workers = Tasks::new();
    service.start_workers(&rx, &mut workers)?;
    let app = router(service.clone());
    let mut server_rx = rx.clone();
    let server = tokio::spawn(async move {
        axum::serve(listener, app)
            .with_graceful_shutdown(async move {
                let _ = server_rx.wait_for(|stop| *stop).await;
            })
            .await
    });
    tracing::info!(%addr, backend = %service.store.backend(), "leadscore is listening");
    Ok(Running {
        addr,
        service,
        shutdown,
        server,
        workers,
    })
}
