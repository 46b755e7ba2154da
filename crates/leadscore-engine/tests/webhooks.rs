#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! Webhook delivery end to end: a real receiver on 127.0.0.1, events queued
//! through the store's outbox, on SQLite and on PostgreSQL (skipped with a
//! note when no server is reachable, unless `CI` or
//! `LEADSCORE_REQUIRE_POSTGRES` is set).

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use leadscore_domain::{EventType, LeadId, Timestamp};
use leadscore_engine::webhooks::sign::verify;
use leadscore_engine::webhooks::{
    Deliverer, DeliveryCounts, DeliverySettings, DeliveryState, WebhookConfig, WebhookEndpoint,
    WebhookError, list_deliveries, load_config, pending, save_config,
};
use leadscore_store::testing::TestDb as Db;
use leadscore_store::{NewEvent, SqlStore};
use tokio::sync::{Notify, watch};

const SECRET: &str = "test-secret-0123456789";

// ---------------------------------------------------------------- receiver

/// One request the receiver got.
#[derive(Debug, Clone)]
struct Received {
    endpoint: String,
    status: u16,
    content_type: String,
    event_type: String,
    event_id: String,
    timestamp: String,
    signature: String,
    body: Vec<u8>,
}

#[derive(Default)]
struct ReceiverState {
    requests: Mutex<Vec<Received>>,
    /// Requests still to answer with 500.
    fail_next: AtomicUsize,
    /// How long to wait before answering.
    delay: Mutex<Duration>,
}

struct Receiver {
    addr: SocketAddr,
    state: Arc<ReceiverState>,
}

impl Receiver {
    /// A receiver answering 500 to its first `fail_first` requests, 200 after.
    async fn start(fail_first: usize) -> Self {
        let state = Arc::new(ReceiverState::default());
        state.fail_next.store(fail_first, Ordering::SeqCst);
        let app = Router::new()
            .route("/hooks/{name}", axum::routing::post(receive))
            .with_state(state.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move {
            axum::serve(listener, app).await.unwrap();
        });
        Self { addr, state }
    }

    fn url(&self, name: &str) -> String {
        format!("http://{}/hooks/{name}", self.addr)
    }

    fn requests(&self) -> Vec<Received> {
        self.state.requests.lock().unwrap().clone()
    }

    /// Event ids answered 2xx, by endpoint, in arrival order.
    fn delivered(&self) -> HashMap<String, Vec<String>> {
        let mut out: HashMap<String, Vec<String>> = HashMap::new();
        for r in self.requests() {
            if r.status == 200 {
                out.entry(r.endpoint).or_default().push(r.event_id);
            }
        }
        out
    }
}

async fn receive(
    State(state): State<Arc<ReceiverState>>,
    Path(name): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> StatusCode {
    let delay = *state.delay.lock().unwrap();
    if !delay.is_zero() {
        tokio::time::sleep(delay).await;
    }
    let fail = state
        .fail_next
        .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
        .is_ok();
    let status = if fail {
        StatusCode::INTERNAL_SERVER_ERROR
    } else {
        StatusCode::OK
    };
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned()
    };
    state.requests.lock().unwrap().push(Received {
        endpoint: name,
        status: status.as_u16(),
        content_type: header("content-type"),
        event_type: header("x-leadscore-event"),
        event_id: header("x-leadscore-delivery"),
        timestamp: header("x-leadscore-timestamp"),
        signature: header("x-leadscore-signature"),
        body: body.to_vec(),
    });
    status
}

// ---------------------------------------------------------------- databases

/// A fresh database with its store, and what the scenarios do with it.
struct TestDb(Db);

impl std::ops::Deref for TestDb {
    type Target = Db;

    fn deref(&self) -> &Db {
        &self.0
    }
}

impl TestDb {
    async fn sqlite() -> Self {
        Self(Db::sqlite().await.unwrap())
    }

    /// A second store on the same database (a second service instance).
    async fn open_again(&self) -> SqlStore {
        SqlStore::open(self.url()).await.unwrap()
    }

    async fn finish(self) {
        self.0.finish().await.unwrap();
    }

    fn deliverer(&self, settings: DeliverySettings) -> Deliverer {
        Deliverer::new(self.store.clone(), settings).unwrap()
    }

    async fn configure(&self, endpoints: &[(&str, String)]) {
        let config = WebhookConfig {
            endpoints: endpoints
                .iter()
                .map(|(name, url)| WebhookEndpoint {
                    name: (*name).to_owned(),
                    url: url.clone(),
                    secret: format!("{SECRET}-{name}"),
                    previous_secret: None,
                    previous_until: None,
                    events: Vec::new(),
                })
                .collect(),
        };
        save_config(&self.store, &config).await.unwrap();
    }

    /// An event and its deliveries, due at `created_at`.
    async fn queue_event(&self, event_id: &str, created_at: i64, endpoints: &[&str]) {
        let event = event(event_id, EventType::SalesReady, created_at, endpoints);
        assert_eq!(self.store.outbox().insert(&[&event]).await.unwrap(), 1);
    }

    async fn payload(&self, event_id: &str) -> String {
        self.store
            .outbox()
            .payload(event_id)
            .await
            .unwrap()
            .unwrap()
    }

    async fn row(&self, event_id: &str, endpoint: &str) -> DeliveryRow {
        let row = self
            .store
            .outbox()
            .delivery(event_id, endpoint)
            .await
            .unwrap()
            .unwrap();
        let micros = |t: Option<Timestamp>| t.map(Timestamp::as_micros);
        DeliveryRow {
            attempts: i64::from(row.attempts),
            delivered_at: micros(row.delivered_at),
            failed_at: micros(row.failed_at),
            last_error: row.last_error,
            next_attempt_at: row.next_attempt_at.as_micros(),
            claimed_until: micros(row.claimed_until),
        }
    }

    async fn counts(&self) -> DeliveryCounts {
        pending(&self.store).await.unwrap()
    }
}

/// An event of `event_type` with one delivery per endpoint, due at
/// `created_at` (microseconds).
fn event(event_id: &str, event_type: EventType, created_at: i64, endpoints: &[&str]) -> NewEvent {
    NewEvent {
        event_id: event_id.to_owned(),
        event_type,
        lead_id: LeadId::parse(format!("L-{event_id}")).unwrap(),
        dedupe_key: format!("dedupe-{event_id}"),
        payload: format!(
            r#"{{"event_id":"{event_id}","type":"{event_type}","lead_id":"L-{event_id}"}}"#
        ),
        created_at: Timestamp::from_micros(created_at).unwrap(),
        endpoints: endpoints.iter().map(|e| (*e).to_owned()).collect(),
    }
}

#[derive(Debug)]
struct DeliveryRow {
    attempts: i64,
    delivered_at: Option<i64>,
    failed_at: Option<i64>,
    last_error: Option<String>,
    next_attempt_at: i64,
    claimed_until: Option<i64>,
}

/// Settings for tests: retries after a few milliseconds.
fn quick() -> DeliverySettings {
    DeliverySettings {
        timeout: Duration::from_secs(2),
        max_attempts: 3,
        backoff_base: Duration::from_millis(2),
        backoff_max: Duration::from_millis(10),
        poll: Duration::from_millis(10),
        lease: Duration::from_secs(10),
        batch: 32,
    }
}

fn micros_ago(ms: i64) -> i64 {
    Timestamp::now().as_micros() - ms * 1000
}

/// Runs rounds until `done` holds for the counts (at most 20 s).
async fn rounds_until(db: &TestDb, deliverer: &Deliverer, done: impl Fn(&DeliveryCounts) -> bool) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    loop {
        deliverer.deliver_due().await.unwrap();
        let counts = db.counts().await;
        if done(&counts) {
            return;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "deliveries did not settle: {counts:?}"
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

leadscore_store::on_both_backends!(
    delivered_once_with_a_valid_signature,
    retried_after_a_500_and_delivered_once,
    unreachable_endpoint_ends_failed,
    removed_endpoint_ends_failed,
    later_events_wait_for_an_earlier_retry,
    two_deliverers_deliver_each_event_once,
    enqueue_follows_subscriptions,
    config_round_trips,
);

// ---------------------------------------------------------------- scenarios

async fn delivered_once_with_a_valid_signature(db: Db) {
    let db = &TestDb(db);
    let receiver = Receiver::start(0).await;
    db.configure(&[("crm", receiver.url("crm"))]).await;
    db.queue_event("E-1", micros_ago(10), &["crm"]).await;
    let deliverer = db.deliverer(quick());

    let round = deliverer.deliver_due().await.unwrap();
    assert_eq!((round.attempted, round.delivered), (1, 1), "{round:?}");
    let again = deliverer.deliver_due().await.unwrap();
    assert_eq!(again.attempted, 0, "{again:?}");

    let requests = receiver.requests();
    assert_eq!(requests.len(), 1, "{requests:?}");
    let r = &requests[0];
    assert_eq!(r.endpoint, "crm");
    assert_eq!(r.content_type, "application/json");
    assert_eq!(r.event_type, "lead.sales_ready");
    assert_eq!(r.event_id, "E-1");
    assert_eq!(r.body, db.payload("E-1").await.as_bytes());
    let timestamp: i64 = r.timestamp.parse().unwrap();
    assert!((Timestamp::now().as_seconds() - timestamp).abs() < 60);
    let secret = format!("{SECRET}-crm");
    assert!(verify(&secret, timestamp, &r.body, &r.signature), "{r:?}");
    assert!(!verify(
        "another-secret-0123456",
        timestamp,
        &r.body,
        &r.signature
    ));

    let row = db.row("E-1", "crm").await;
    assert_eq!(row.attempts, 1);
    assert!(
        row.delivered_at.is_some() && row.failed_at.is_none(),
        "{row:?}"
    );
    assert_eq!(row.claimed_until, None);
    assert_eq!(
        db.counts().await,
        DeliveryCounts {
            pending: 0,
            delivered: 1,
            failed: 0
        }
    );
    let listed = list_deliveries(&db.store, 10).await.unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].state, DeliveryState::Delivered);
    assert_eq!(listed[0].event_type, EventType::SalesReady);
    assert_eq!(listed[0].attempts, 1);
    assert!(
        listed[0]
            .delivered_at
            .is_some_and(|t| t.to_string().ends_with('Z'))
    );
    assert_eq!(listed[0].next_attempt_at, None);
}

async fn retried_after_a_500_and_delivered_once(db: Db) {
    let db = &TestDb(db);
    let receiver = Receiver::start(1).await;
    db.configure(&[("crm", receiver.url("crm"))]).await;
    db.queue_event("E-1", micros_ago(10), &["crm"]).await;
    let deliverer = db.deliverer(quick());

    let before = Timestamp::now().as_micros();
    let round = deliverer.deliver_due().await.unwrap();
    assert_eq!((round.attempted, round.retrying), (1, 1), "{round:?}");
    let row = db.row("E-1", "crm").await;
    assert_eq!(row.attempts, 1);
    assert_eq!(row.last_error.as_deref(), Some("HTTP 500"));
    assert_eq!(
        (row.delivered_at, row.failed_at, row.claimed_until),
        (None, None, None)
    );
    // Backoff for the first retry: 1 to 2 ms after the attempt.
    assert!(row.next_attempt_at >= before + 1_000, "{row:?}");
    let listed = list_deliveries(&db.store, 10).await.unwrap();
    assert_eq!(listed[0].state, DeliveryState::Pending);
    assert!(listed[0].next_attempt_at.is_some());

    rounds_until(db, &deliverer, |c| c.pending == 0).await;
    let statuses: Vec<u16> = receiver.requests().iter().map(|r| r.status).collect();
    assert_eq!(statuses, [500, 200]);
    let row = db.row("E-1", "crm").await;
    assert_eq!(row.attempts, 2);
    assert!(row.delivered_at.is_some(), "{row:?}");
    // More rounds send nothing more.
    deliverer.deliver_due().await.unwrap();
    assert_eq!(receiver.requests().len(), 2);
}

async fn unreachable_endpoint_ends_failed(db: Db) {
    let db = &TestDb(db);
    // A port nothing listens on: bound, then released.
    let closed = {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        listener.local_addr().unwrap()
    };
    db.configure(&[("gone", format!("http://{closed}/hooks"))])
        .await;
    db.queue_event("E-1", micros_ago(10), &["gone"]).await;
    let deliverer = db.deliverer(quick());

    rounds_until(db, &deliverer, |c| c.failed == 1).await;
    let row = db.row("E-1", "gone").await;
    assert_eq!(row.attempts, 3, "{row:?}");
    assert!(
        row.failed_at.is_some() && row.delivered_at.is_none(),
        "{row:?}"
    );
    let error = row.last_error.unwrap_or_default();
    assert!(error.starts_with("connection failed"), "{error}");
    assert_eq!(
        db.counts().await,
        DeliveryCounts {
            pending: 0,
            delivered: 0,
            failed: 1
        }
    );
    // Failed deliveries are never retried automatically.
    tokio::time::sleep(Duration::from_millis(20)).await;
    let round = deliverer.deliver_due().await.unwrap();
    assert_eq!(round.attempted, 0);
    assert_eq!(db.row("E-1", "gone").await.attempts, 3);
    let listed = list_deliveries(&db.store, 10).await.unwrap();
    assert_eq!(listed[0].state, DeliveryState::Failed);
    assert!(listed[0].failed_at.is_some());
}

async fn removed_endpoint_ends_failed(db: Db) {
    let db = &TestDb(db);
    let receiver = Receiver::start(0).await;
    db.configure(&[("crm", receiver.url("crm"))]).await;
    db.queue_event("E-1", micros_ago(10), &["crm", "old"]).await;
    let deliverer = db.deliverer(quick());

    let round = deliverer.deliver_due().await.unwrap();
    assert_eq!((round.delivered, round.failed), (1, 1), "{round:?}");
    let row = db.row("E-1", "old").await;
    assert_eq!(row.last_error.as_deref(), Some("endpoint removed"));
    assert!(row.failed_at.is_some());
    assert_eq!(row.attempts, 0);
    assert_eq!(receiver.requests().len(), 1);
}

async fn later_events_wait_for_an_earlier_retry(db: Db) {
    let db = &TestDb(db);
    let receiver = Receiver::start(1).await;
    db.configure(&[("crm", receiver.url("crm"))]).await;
    let t0 = micros_ago(100);
    // Queued out of order: E-2 is the older event.
    db.queue_event("E-1", t0 + 10, &["crm"]).await;
    db.queue_event("E-2", t0, &["crm"]).await;
    db.queue_event("E-3", t0 + 20, &["crm"]).await;
    let deliverer = db.deliverer(DeliverySettings {
        backoff_base: Duration::from_millis(500),
        backoff_max: Duration::from_millis(500),
        ..quick()
    });

    let round = deliverer.deliver_due().await.unwrap();
    assert_eq!((round.attempted, round.retrying), (1, 1), "{round:?}");
    // While E-2 waits for its retry, nothing later is sent: the later events
    // wait until the same time.
    let round = deliverer.deliver_due().await.unwrap();
    assert_eq!(round.attempted, 0, "{round:?}");
    assert_eq!(receiver.requests().len(), 1);
    let retry_at = db.row("E-2", "crm").await.next_attempt_at;
    assert!(retry_at > Timestamp::now().as_micros(), "{retry_at}");
    assert_eq!(db.row("E-1", "crm").await.next_attempt_at, retry_at);
    assert_eq!(db.row("E-3", "crm").await.next_attempt_at, retry_at);
    assert_eq!(db.row("E-1", "crm").await.attempts, 0);

    rounds_until(db, &deliverer, |c| c.pending == 0).await;
    let sent: Vec<(String, u16)> = receiver
        .requests()
        .into_iter()
        .map(|r| (r.event_id, r.status))
        .collect();
    let expected = [("E-2", 500), ("E-2", 200), ("E-1", 200), ("E-3", 200)];
    assert_eq!(
        sent,
        expected.map(|(e, s)| (e.to_owned(), s)),
        "deliveries out of event order"
    );
}

async fn two_deliverers_deliver_each_event_once(db: Db) {
    let db = &TestDb(db);
    let receiver = Receiver::start(0).await;
    *receiver.state.delay.lock().unwrap() = Duration::from_millis(1);
    let endpoints = ["a", "b", "c"];
    db.configure(
        &endpoints
            .iter()
            .map(|e| (*e, receiver.url(e)))
            .collect::<Vec<_>>(),
    )
    .await;
    let events = 40;
    let t0 = micros_ago(1000);
    for i in 0..events {
        db.queue_event(&format!("E-{i:03}"), t0 + i64::from(i), &endpoints)
            .await;
    }

    let second = db.open_again().await;
    let settings = DeliverySettings {
        batch: 4,
        ..quick()
    };
    let one = db.deliverer(settings.clone());
    let two = Deliverer::new(second.clone(), settings).unwrap();
    let (stop, shutdown) = watch::channel(false);
    let wake = Arc::new(Notify::new());
    let tasks = [
        tokio::spawn(one.run(wake.clone(), shutdown.clone())),
        tokio::spawn(two.run(wake.clone(), shutdown)),
    ];
    wake.notify_waiters();

    let expected = usize::try_from(events).unwrap() * endpoints.len();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    while db.counts().await.delivered < expected as u64 {
        assert!(
            tokio::time::Instant::now() < deadline,
            "not delivered in time: {:?}",
            db.counts().await
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    stop.send(true).unwrap();
    for task in tasks {
        tokio::time::timeout(Duration::from_secs(10), task)
            .await
            .expect("the deliverer did not stop")
            .unwrap();
    }
    second.close().await;

    let requests = receiver.requests();
    assert_eq!(requests.len(), expected, "some event was sent twice");
    let delivered = receiver.delivered();
    let in_order: Vec<String> = (0..events).map(|i| format!("E-{i:03}")).collect();
    for endpoint in endpoints {
        assert_eq!(
            delivered.get(endpoint),
            Some(&in_order),
            "endpoint {endpoint}: each event once, in order"
        );
    }
    for r in &requests {
        let ts: i64 = r.timestamp.parse().unwrap();
        assert!(verify(
            &format!("{SECRET}-{}", r.endpoint),
            ts,
            &r.body,
            &r.signature
        ));
    }
    assert_eq!(
        db.counts().await,
        DeliveryCounts {
            pending: 0,
            delivered: expected as u64,
            failed: 0
        }
    );
}

async fn enqueue_follows_subscriptions(db: Db) {
    let db = &TestDb(db);
    let endpoint = |name: &str, events: &[&str]| WebhookEndpoint {
        name: name.to_owned(),
        url: format!("https://example.invalid/{name}"),
        secret: SECRET.to_owned(),
        previous_secret: None,
        previous_until: None,
        events: events.iter().map(|e| (*e).to_owned()).collect(),
    };
    let config = WebhookConfig {
        endpoints: vec![
            endpoint("all", &[]),
            endpoint("ready", &["lead.sales_ready"]),
            endpoint("grades", &["lead.grade_changed"]),
        ],
    };
    assert_eq!(config.subscribers(EventType::SalesReady), ["all", "ready"]);
    assert_eq!(
        config.subscribers(EventType::GradeChanged),
        ["all", "grades"]
    );
    let now = Timestamp::now().as_micros();
    let subscribed = |id: &str, t: EventType| {
        let names = config.subscribers(t);
        let names: Vec<&str> = names.iter().map(String::as_str).collect();
        event(id, t, now, &names)
    };
    let e1 = subscribed("E-1", EventType::SalesReady);
    let e2 = subscribed("E-2", EventType::GradeChanged);
    assert_eq!(db.store.outbox().insert(&[&e1, &e2]).await.unwrap(), 2);
    // The same transition again queues nothing more.
    assert_eq!(db.store.outbox().insert(&[&e1]).await.unwrap(), 0);

    let mut rows: Vec<(String, String)> = db
        .store
        .outbox()
        .recent(100)
        .await
        .unwrap()
        .into_iter()
        .filter(|r| r.attempts == 0 && r.delivered_at.is_none())
        .map(|r| (r.event_id, r.endpoint))
        .collect();
    rows.sort();
    let expected = [
        ("E-1", "all"),
        ("E-1", "ready"),
        ("E-2", "all"),
        ("E-2", "grades"),
    ];
    assert_eq!(rows, expected.map(|(e, n)| (e.to_owned(), n.to_owned())));
    assert_eq!(db.row("E-1", "all").await.next_attempt_at, now);
}

async fn config_round_trips(db: Db) {
    let db = &TestDb(db);
    assert_eq!(
        load_config(&db.store).await.unwrap(),
        WebhookConfig::default()
    );
    let mut config = WebhookConfig {
        endpoints: vec![WebhookEndpoint {
            name: "crm".to_owned(),
            url: "https://crm.example.com/hooks?token=abc".to_owned(),
            secret: SECRET.to_owned(),
            previous_secret: None,
            previous_until: None,
            events: vec!["lead.sales_ready".to_owned()],
        }],
    };
    save_config(&db.store, &config).await.unwrap();
    assert_eq!(load_config(&db.store).await.unwrap(), config);
    config.endpoints[0].events.clear();
    save_config(&db.store, &config).await.unwrap();
    assert_eq!(load_config(&db.store).await.unwrap(), config);

    let mut bad = config.clone();
    bad.endpoints[0].secret = "short".to_owned();
    let err = save_config(&db.store, &bad).await;
    match err {
        Err(WebhookError::Invalid { problems }) => {
            assert_eq!(problems.len(), 1);
            assert_eq!(problems[0].field, "endpoints[0].secret");
        }
        other => panic!("expected Invalid, got {other:?}"),
    }
    // The invalid document was not stored.
    assert_eq!(load_config(&db.store).await.unwrap(), config);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slow_receiver_times_out() {
    let db = TestDb::sqlite().await;
    let receiver = Receiver::start(0).await;
    *receiver.state.delay.lock().unwrap() = Duration::from_millis(800);
    db.configure(&[("slow", receiver.url("slow"))]).await;
    db.queue_event("E-1", micros_ago(10), &["slow"]).await;
    let deliverer = db.deliverer(DeliverySettings {
        timeout: Duration::from_millis(200),
        lease: Duration::from_secs(1),
        max_attempts: 1,
        ..quick()
    });
    let started = std::time::Instant::now();
    let round = deliverer.deliver_due().await.unwrap();
    assert!(
        started.elapsed() < Duration::from_millis(700),
        "{:?}",
        started.elapsed()
    );
    assert_eq!((round.attempted, round.failed), (1, 1), "{round:?}");
    let row = db.row("E-1", "slow").await;
    assert_eq!(row.last_error.as_deref(), Some("timeout"));
    assert!(row.failed_at.is_some());
    db.finish().await;
}

// ---------------------------------------------------------------- no database

#[test]
fn validation_names_the_bad_fields() {
    let endpoint = |name: &str, url: &str| WebhookEndpoint {
        name: name.to_owned(),
        url: url.to_owned(),
        secret: SECRET.to_owned(),
        previous_secret: None,
        previous_until: None,
        events: Vec::new(),
    };
    let good = WebhookConfig {
        endpoints: vec![
            endpoint("crm", "https://crm.example.com/hooks"),
            endpoint("slack_1-x", "http://127.0.0.1:8080/x"),
        ],
    };
    assert_eq!(good.validate(), Ok(()));

    let problems = |config: &WebhookConfig| -> Vec<String> {
        config
            .validate()
            .unwrap_err()
            .into_iter()
            .map(|p| p.field)
            .collect()
    };
    let mut bad = good.clone();
    bad.endpoints[1].url = "ftp://example.com/x".to_owned();
    assert_eq!(problems(&bad), ["endpoints[1].url"]);
    let message = &bad.validate().unwrap_err()[0].message;
    assert!(message.contains("http or https"), "{message}");

    bad.endpoints[1].url = "not a url".to_owned();
    assert_eq!(problems(&bad), ["endpoints[1].url"]);

    let mut bad = good.clone();
    bad.endpoints[1].name = "crm".to_owned();
    assert_eq!(problems(&bad), ["endpoints[1].name"]);
    bad.endpoints[1].name = "has space".to_owned();
    assert_eq!(problems(&bad), ["endpoints[1].name"]);
    bad.endpoints[1].name = String::new();
    assert_eq!(problems(&bad), ["endpoints[1].name"]);
    bad.endpoints[1].name = "x".repeat(65);
    assert_eq!(problems(&bad), ["endpoints[1].name"]);
    bad.endpoints[1].name = "x".repeat(64);
    assert_eq!(bad.validate(), Ok(()));

    let mut bad = good.clone();
    bad.endpoints[0].secret = "x".repeat(15);
    bad.endpoints[1].events = vec!["lead.sales_ready".to_owned(), "lead.created".to_owned()];
    assert_eq!(
        problems(&bad),
        ["endpoints[0].secret", "endpoints[1].events[1]"]
    );
}

#[test]
fn a_request_keeps_or_rotates_secrets() {
    use leadscore_engine::webhooks::{SECRET_OVERLAP, WebhookRequest};
    let now = leadscore_domain::Timestamp::parse("2026-06-01T00:00:00Z").unwrap();
    let request = |json: &str| serde_json::from_str::<WebhookRequest>(json).unwrap();
    let stored = WebhookConfig::default()
        .apply(
            request(r#"{"endpoints":[{"name":"crm","url":"https://crm.example.com/h","secret":"first-secret-0000"}]}"#),
            now,
        )
        .unwrap();
    assert_eq!(stored.endpoints[0].secret, "first-secret-0000");
    let kept = stored
        .apply(
            request(r#"{"endpoints":[{"name":"crm","url":"https://crm.example.com/h"}]}"#),
            now,
        )
        .unwrap();
    assert_eq!(kept, stored);
    let rotated = kept
        .apply(
            request(r#"{"endpoints":[{"name":"crm","url":"https://crm.example.com/h","secret":"second-secret-111"}]}"#),
            now,
        )
        .unwrap();
    let endpoint = &rotated.endpoints[0];
    assert_eq!(
        endpoint.previous_secret.as_deref(),
        Some("first-secret-0000")
    );
    assert_eq!(endpoint.previous_until, Some(now.plus(SECRET_OVERLAP)));
    let signing: Vec<&str> = endpoint.signing_secrets(now).collect();
    assert_eq!(signing, ["second-secret-111", "first-secret-0000"]);
    let later = now.plus(SECRET_OVERLAP);
    assert_eq!(endpoint.signing_secrets(later).count(), 1);
    // After the overlap, the next change drops the previous secret.
    let after = rotated
        .apply(
            request(r#"{"endpoints":[{"name":"crm","url":"https://crm.example.com/h"}]}"#),
            later,
        )
        .unwrap();
    assert_eq!(after.endpoints[0].previous_secret, None);
    let problems = kept
        .apply(
            request(r#"{"endpoints":[{"name":"erp","url":"https://erp.example.com/h"}]}"#),
            now,
        )
        .unwrap_err();
    assert_eq!(problems[0].field, "endpoints[0].secret");
}

#[test]
fn config_reads_with_events_optional_and_hides_secrets() {
    let config: WebhookConfig = serde_json::from_str(
        r#"{"endpoints":[{"name":"crm","url":"https://crm.example.com/h","secret":"0123456789abcdef"}]}"#,
    )
    .unwrap();
    assert!(config.endpoints[0].events.is_empty());
    assert!(config.endpoints[0].subscribes_to(EventType::GradeChanged));
    assert!(!format!("{config:?}").contains("0123456789abcdef"));
    let shown = serde_json::to_string(&config.view(leadscore_domain::Timestamp::now())).unwrap();
    assert!(!shown.contains("0123456789abcdef"), "{shown}");
    let typo = serde_json::from_str::<WebhookConfig>(
        r#"{"endpoints":[{"name":"crm","url":"https://crm.example.com/h","secret":"0123456789abcdef","event":["lead.sales_ready"]}]}"#,
    );
    assert!(typo.is_err_and(|e| e.to_string().contains("event")));
}
