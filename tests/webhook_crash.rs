//! Webhook delivery survives `kill -9`: the promise of docs/API.md
//! ("Webhooks"), tested against the real binary.
//!
//! `leadscore serve` runs as a child process on a SQLite file, with two
//! webhook endpoints (`crm`: `lead.sales_ready`; `audit`:
//! `lead.grade_changed`) pointing at a receiver in this test. The receiver
//! records every request, verifies its signature, answers one event in four
//! slowly (60 to 250 ms) and the first attempt of about one event in five
//! with a 500. While 200 leads become sales-ready, in waves of 25, the server
//! is killed with SIGKILL five times, each time once it has sent a dozen
//! requests, and restarted on the same file: three kills land while the
//! receiver holds a request (sent, never answered to the server), two at a
//! pseudo-random moment in the stream of deliveries.
//!
//! Once the outbox is drained the test checks what a receiver may rely on:
//! every event in the outbox reached its endpoint (none lost) and no request
//! carried an id the outbox does not hold; each lead has exactly one
//! `lead.sales_ready` event id, and each grade transition one
//! `lead.grade_changed` id; every request for one event carries the same id
//! (header and body agree) and the same signed body; every request held across
//! a kill was sent again, with the same id. Duplicates are allowed (delivery
//! is at least once) and counted. `the_checks_catch_broken_promises` shows
//! the checks failing on a changed id, a lost event, and a request never sent
//! again.
//!
//! `WEBHOOK_CRASH_SEED` replays the pseudo-random kill times of a run (the
//! seed is printed).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fs::File;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::extract::{Path as UrlPath, State};
use axum::http::{HeaderMap, StatusCode};
use leadscore_domain::EventType;
use leadscore_engine::webhooks::sign::verify;
use leadscore_store::{DatabaseUrl, DeliveryRow, SqlStore};
use reqwest::Method;
use serde_json::{Value, json};
use tokio::sync::{Notify, oneshot};

/// Leads made sales-ready, in waves of [`WAVE`].
const LEADS: usize = 200;
const WAVE: usize = 25;
/// Requests a server sends before it is killed: the kills land in the
/// middle of the stream of deliveries, not on the first one after a restart.
const PROGRESS: usize = 12;
/// After which waves the server is killed, and how.
const KILLS: [(usize, Kill); 5] = [
    (1, Kill::MidDelivery),
    (2, Kill::AtRandom),
    (4, Kill::MidDelivery),
    (5, Kill::AtRandom),
    (7, Kill::MidDelivery),
];
const SECRET: &str = "the-crash-test-shared-secret";
/// The rule model: one email click makes a lead sales-ready (and moves its
/// grade from Cold to Hot when it was scored before).
const MODEL: &str = r#"
name: Crash
target: contact
sales_ready: 10
grades:
  - { name: Cold, max: 9 }
  - { name: Hot, min: 10 }
rules:
  - name: Clicked an email
    when: [ { entity: EmailClicked, frequency: each, within: 30d } ]
    points: 10
    cap: 50
"#;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kill {
    /// While the receiver holds a request: sent, never answered.
    MidDelivery,
    /// A pseudo-random moment (0 to 300 ms) after a wave of interactions.
    AtRandom,
}

// ---------------------------------------------------------------- receiver

/// One request the receiver got.
#[derive(Debug, Clone)]
struct Request {
    endpoint: String,
    /// `X-Leadscore-Delivery`.
    header_id: String,
    /// `X-Leadscore-Event`.
    header_event: String,
    body: Bytes,
    signed: bool,
    /// The server's generation (restarts so far) when it arrived.
    generation: usize,
    /// The answer: 0 while none was given (the request was cut by a kill).
    status: u16,
    /// Held until the server was killed.
    cut: bool,
}

#[derive(Default)]
struct Inner {
    requests: Mutex<Vec<Request>>,
    /// Armed by the test: the first request from this index on is held, and
    /// its index sent.
    hold: Mutex<Option<(usize, oneshot::Sender<usize>)>>,
    release: Notify,
    in_flight: AtomicUsize,
    generation: AtomicUsize,
}

#[derive(Clone, Default)]
struct Receiver(Arc<Inner>);

/// Counts a request in flight until dropped (also when hyper drops the
/// handler because the server's connection closed).
struct InFlight<'a>(&'a AtomicUsize);

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

fn hash_of(id: &str) -> u64 {
    let mut h = DefaultHasher::new();
    id.hash(&mut h);
    h.finish()
}

fn header(headers: &HeaderMap, name: &str) -> String {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned()
}

async fn receive(
    State(r): State<Receiver>,
    UrlPath(endpoint): UrlPath<String>,
    headers: HeaderMap,
    body: Bytes,
) -> StatusCode {
    let inner = &r.0;
    inner.in_flight.fetch_add(1, Ordering::SeqCst);
    let _in_flight = InFlight(&inner.in_flight);
    let header_id = header(&headers, "x-leadscore-delivery");
    let stamp: i64 = header(&headers, "x-leadscore-timestamp")
        .parse()
        .unwrap_or(-1);
    let signed = verify(
        SECRET,
        stamp,
        &body,
        &header(&headers, "x-leadscore-signature"),
    );
    let (index, attempt) = {
        let mut all = inner.requests.lock().unwrap();
        let attempt = 1 + all
            .iter()
            .filter(|q| q.endpoint == endpoint && q.header_id == header_id)
            .count();
        all.push(Request {
            endpoint,
            header_id: header_id.clone(),
            header_event: header(&headers, "x-leadscore-event"),
            body,
            signed,
            generation: inner.generation.load(Ordering::SeqCst),
            status: 0,
            cut: false,
        });
        (all.len() - 1, attempt)
    };
    let hold = {
        let mut armed = inner.hold.lock().unwrap();
        match armed.take() {
            Some((from, tx)) if index >= from => Some(tx),
            other => {
                *armed = other;
                None
            }
        }
    };
    let status = if let Some(held) = hold {
        // Marked first: when the server dies, hyper may drop this handler.
        inner.requests.lock().unwrap()[index].cut = true;
        // Tell the test, which kills the server, then releases us.
        let released = inner.release.notified();
        if held.send(index).is_ok() {
            let _ = tokio::time::timeout(Duration::from_secs(30), released).await;
        }
        StatusCode::OK
    } else {
        let h = hash_of(&header_id);
        if attempt == 1 && h.is_multiple_of(5) {
            StatusCode::INTERNAL_SERVER_ERROR
        } else {
            // One event in four is slow (60 to 250 ms), the others quick.
            let ms = if (h >> 8).is_multiple_of(4) {
                60 + (h >> 16) % 190
            } else {
                (h >> 16) % 5
            };
            tokio::time::sleep(Duration::from_millis(ms)).await;
            StatusCode::OK
        }
    };
    inner.requests.lock().unwrap()[index].status = status.as_u16();
    status
}

async fn start_receiver() -> (String, Receiver) {
    let receiver = Receiver::default();
    let app = axum::Router::new()
        .route("/hook/{endpoint}", axum::routing::post(receive))
        .with_state(receiver.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (format!("http://{addr}/hook"), receiver)
}

// ------------------------------------------------------------------ server

/// `leadscore serve` as a child process, killed (SIGKILL) when dropped.
struct Server {
    child: Child,
    base: String,
}

impl Server {
    /// SIGKILL, then reap it.
    fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.kill();
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_leadscore")
}

/// Quick polling, quick retries, a short lease (so that a delivery claimed
/// by a killed server is sent again within 2 s); durations in ms.
const SETTINGS: [(&str, &str); 8] = [
    ("LEADSCORE_WEBHOOKS__POLL_MS", "20"),
    ("LEADSCORE_WEBHOOKS__BACKOFF_BASE_MS", "20"),
    ("LEADSCORE_WEBHOOKS__BACKOFF_MAX_MS", "200"),
    ("LEADSCORE_WEBHOOKS__TIMEOUT_MS", "1000"),
    ("LEADSCORE_WEBHOOKS__LEASE_MS", "2000"),
    ("LEADSCORE_RESCORING__POLL_MS", "20"),
    ("LEADSCORE_RESCORING__RELOAD_MS", "100"),
    ("LEADSCORE_SHUTDOWN_GRACE_SECS", "1"),
];

/// Starts `leadscore serve` on `url`, appending its output to `log`, and waits
/// until it is ready.
async fn serve(url: &str, log: &Path, http: &reqwest::Client) -> Server {
    let out = File::options().create(true).append(true).open(log).unwrap();
    let port = free_port();
    let child = Command::new(bin())
        .args(["serve", "--database", url, "--listen"])
        .arg(format!("127.0.0.1:{port}"))
        .env_remove("DATABASE_URL")
        .envs(SETTINGS)
        .env("RUST_LOG", "warn")
        .stdout(Stdio::from(out.try_clone().unwrap()))
        .stderr(Stdio::from(out))
        .spawn()
        .unwrap();
    let mut server = Server {
        child,
        base: format!("http://127.0.0.1:{port}"),
    };
    let start = Instant::now();
    loop {
        let ready = http
            .get(format!("{}/readyz", server.base))
            .send()
            .await
            .is_ok_and(|r| r.status().is_success());
        if ready {
            return server;
        }
        if let Ok(Some(status)) = server.child.try_wait() {
            panic!("leadscore serve exited ({status}):\n{}", tail(log));
        }
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "leadscore serve did not become ready:\n{}",
            tail(log)
        );
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

/// The end of the servers' log, for failure messages.
fn tail(log: &Path) -> String {
    let text = std::fs::read_to_string(log).unwrap_or_default();
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(40)..].join("\n")
}

/// A call to the API; `None` when the server did not answer (killed).
async fn call(
    http: &reqwest::Client,
    server: &Server,
    key: &str,
    method: Method,
    path: &str,
    body: Option<&Value>,
) -> Option<(StatusCode, Value)> {
    let mut request = http
        .request(method, format!("{}{path}", server.base))
        .bearer_auth(key);
    if let Some(b) = body {
        request = request.json(b);
    }
    let response = request.send().await.ok()?;
    let status = StatusCode::from_u16(response.status().as_u16()).ok()?;
    let text = response.text().await.ok()?;
    Some((status, serde_json::from_str(&text).unwrap_or(Value::Null)))
}

/// A call that must succeed (after waiting out a rate limit).
async fn ok(
    http: &reqwest::Client,
    server: &Server,
    key: &str,
    method: Method,
    path: &str,
    body: Option<&Value>,
) -> Value {
    for _ in 0..100 {
        let (status, answer) = call(http, server, key, method.clone(), path, body)
            .await
            .unwrap_or_else(|| panic!("{method} {path}: no answer"));
        if status != StatusCode::TOO_MANY_REQUESTS {
            assert!(status.is_success(), "{method} {path}: {status} {answer}");
            return answer;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("{method} {path}: rate limited for 10 s")
}

/// A value of `/metrics`.
async fn metric(http: &reqwest::Client, server: &Server, name: &str) -> Option<f64> {
    let text = http
        .get(format!("{}/metrics", server.base))
        .send()
        .await
        .ok()?
        .text()
        .await
        .ok()?;
    text.lines()
        .find_map(|l| l.strip_prefix(name)?.strip_prefix(' ')?.trim().parse().ok())
}

// ------------------------------------------------------------------ traffic

/// One email click per lead of `leads`, made today.
fn clicks(leads: std::ops::Range<usize>) -> Value {
    let at = chrono::Utc::now() - chrono::Duration::hours(1);
    Value::Array(
        leads
            .map(|i| {
                json!({
                    "interaction_id": format!("I{i}"),
                    "kind": "EmailClicked",
                    "occurred_at": at.to_rfc3339(),
                    "contact_id": format!("C{i}"),
                    "email_name": "crash-test",
                })
            })
            .collect(),
    )
}

/// xorshift64*: the kill times, replayable from the seed.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D) % n
    }
}

fn seed() -> u64 {
    std::env::var("WEBHOOK_CRASH_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(1, |d| d.as_nanos() as u64)
        })
        | 1
}

/// What one kill saw.
#[derive(Debug)]
struct KillReport {
    after_wave: usize,
    kind: Kill,
    /// Receiver requests in flight at the kill.
    in_flight: usize,
    /// The request held across the kill (mid-delivery kills).
    cut: Option<usize>,
}

// -------------------------------------------------------------------- test

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_event_is_lost_and_duplicates_keep_their_id_across_kill_9() {
    let started = Instant::now();
    let seed = seed();
    println!("WEBHOOK_CRASH_SEED={seed}");
    let mut rng = Rng(seed);
    let dir = tempfile::tempdir().unwrap();
    let file: PathBuf = dir.path().join("crash.db");
    let url = format!("sqlite://{}", file.display());
    let log = dir.path().join("serve.log");
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(20))
        .build()
        .unwrap();

    let created = Command::new(bin())
        .args(["keys", "create", "--role", "admin", "--database", &url])
        .env_remove("DATABASE_URL")
        .output()
        .unwrap();
    assert!(
        created.status.success(),
        "{}",
        String::from_utf8_lossy(&created.stderr)
    );
    let key = String::from_utf8(created.stdout).unwrap().trim().to_owned();

    let (hook, receiver) = start_receiver().await;
    let mut server = serve(&url, &log, &http).await;
    ok(
        &http,
        &server,
        &key,
        Method::PUT,
        "/v1/webhooks",
        Some(&json!({"endpoints": [
            {"name": "crm", "url": format!("{hook}/crm"), "secret": SECRET,
             "events": ["lead.sales_ready"]},
            {"name": "audit", "url": format!("{hook}/audit"), "secret": SECRET,
             "events": ["lead.grade_changed"]},
        ]})),
    )
    .await;
    let (status, answer) = {
        let response = http
            .put(format!("{}/v1/rule-models/Crash", server.base))
            .bearer_auth(&key)
            .header("content-type", "application/yaml")
            .body(MODEL)
            .send()
            .await
            .unwrap();
        (response.status(), response.text().await.unwrap())
    };
    assert!(status.is_success(), "{status} {answer}");
    ok(
        &http,
        &server,
        &key,
        Method::PUT,
        "/v1/accounts/A1",
        Some(&json!({"name": "Acme", "employees": 100})),
    )
    .await;
    for chunk in (0..LEADS).collect::<Vec<_>>().chunks(10) {
        futures_util::future::join_all(chunk.iter().map(|&i| {
            let (http, server, key) = (&http, &server, &key);
            async move {
                ok(
                    http,
                    server,
                    key,
                    Method::PUT,
                    &format!("/v1/contacts/C{i}"),
                    Some(&json!({"account_id": "A1", "email": format!("c{i}@example.com")})),
                )
                .await;
                ok(
                    http,
                    server,
                    key,
                    Method::PUT,
                    &format!("/v1/leads/L{i}"),
                    Some(
                        &json!({"created_at": "2026-01-01", "contact_id": format!("C{i}"),
                                 "account_id": "A1", "source": "Web"}),
                    ),
                )
                .await;
            }
        }))
        .await;
    }
    println!(
        "{LEADS} leads stored in {:.1} s",
        started.elapsed().as_secs_f64()
    );

    // Waves of clicks, killing the server now and then.
    let mut kills = Vec::new();
    for wave in 0..LEADS / WAVE {
        let kill = KILLS.iter().find(|(w, _)| *w == wave).map(|(_, k)| *k);
        let hold = (kill == Some(Kill::MidDelivery)).then(|| {
            // Held: a request [`PROGRESS`] into this server's deliveries.
            let (tx, rx) = oneshot::channel();
            let from = receiver.0.requests.lock().unwrap().len() + PROGRESS;
            *receiver.0.hold.lock().unwrap() = Some((from, tx));
            rx
        });
        post_wave(&http, &server, &key, wave).await;
        let Some(kind) = kill else { continue };
        let held = if let Some(rx) = hold {
            let index = tokio::time::timeout(Duration::from_secs(30), rx)
                .await
                .unwrap_or_else(|_| {
                    panic!(
                        "no delivery reached the receiver after wave {wave}:\n{}",
                        tail(&log)
                    )
                })
                .unwrap();
            Some(index)
        } else {
            // Deliveries under way on this server (after the killed one's
            // claim expired), then a moment anywhere in the next 300 ms.
            progress(&receiver, &log).await;
            tokio::time::sleep(Duration::from_millis(rng.below(300))).await;
            None
        };
        let in_flight = receiver.0.in_flight.load(Ordering::SeqCst);
        server.kill();
        receiver.0.generation.fetch_add(1, Ordering::SeqCst);
        receiver.0.release.notify_waiters();
        kills.push(KillReport {
            after_wave: wave,
            kind,
            in_flight,
            cut: held,
        });
        server = serve(&url, &log, &http).await;
    }

    // Let the last server drain the rescoring queue and the outbox.
    let drain = Instant::now();
    let mut settled = 0;
    while settled < 3 {
        let queued = metric(&http, &server, "leadscore_rescore_queue_depth").await;
        let pending = metric(&http, &server, "leadscore_webhook_deliveries_pending").await;
        settled = if queued == Some(0.0) && pending == Some(0.0) {
            settled + 1
        } else {
            0
        };
        assert!(
            drain.elapsed() < Duration::from_secs(60),
            "not drained: {queued:?} leads queued, {pending:?} deliveries pending:\n{}",
            tail(&log)
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    println!(
        "drained {:.1} s after the last wave",
        drain.elapsed().as_secs_f64()
    );
    let mut not_ready = Vec::new();
    for i in 0..LEADS {
        let scores = ok(
            &http,
            &server,
            &key,
            Method::GET,
            &format!("/v1/leads/L{i}/scores"),
            None,
        )
        .await;
        if scores["sales_ready"] != true {
            not_ready.push(format!("L{i}"));
        }
    }
    assert!(not_ready.is_empty(), "not sales-ready: {not_ready:?}");
    server.kill();

    // What the outbox holds, through the store's reader.
    let store = SqlStore::open(&DatabaseUrl::parse(&url).unwrap())
        .await
        .unwrap();
    let tally = store.outbox().tally().await.unwrap();
    let rows: Vec<DeliveryRow> = store.outbox().recent(u32::MAX).await.unwrap();
    let mut payloads: HashMap<String, Value> = HashMap::new();
    for row in &rows {
        let payload = store.outbox().payload(&row.event_id).await.unwrap();
        let payload = serde_json::from_str(&payload.unwrap_or_default()).unwrap();
        payloads.insert(row.event_id.clone(), payload);
    }
    store.close().await;
    let requests = receiver.0.requests.lock().unwrap().clone();
    let report = check(&requests, &rows, &payloads, &kills, LEADS);
    println!("outbox: {tally:?}");
    for k in &kills {
        println!(
            "kill -9 after wave {} ({:?}): {} request(s) in flight at the receiver{}",
            k.after_wave,
            k.kind,
            k.in_flight,
            k.cut.map_or(String::new(), |i| format!(
                ", {} {} held",
                requests[i].endpoint, requests[i].header_id
            ))
        );
    }
    let report = report.unwrap_or_else(|broken| {
        // Every request, for the post-mortem.
        for (n, q) in requests.iter().enumerate() {
            let body: Value = serde_json::from_slice(&q.body).unwrap_or_default();
            println!(
                "#{n} server {} {} {} {} {} answered {}{}",
                q.generation,
                q.endpoint,
                q.header_event,
                q.header_id,
                body["lead_id"],
                q.status,
                if q.cut { " (held across a kill)" } else { "" }
            );
        }
        panic!("{broken}\n(seed {seed}; servers' log:\n{})", tail(&log))
    });
    println!("{report}");
    println!("total {:.1} s", started.elapsed().as_secs_f64());
    assert_eq!(tally.pending, 0, "{tally:?}");
    assert_eq!(tally.failed, 0, "{tally:?}");
}

/// Waits until this server sent [`PROGRESS`] requests.
async fn progress(receiver: &Receiver, log: &Path) {
    let start = Instant::now();
    loop {
        let generation = receiver.0.generation.load(Ordering::SeqCst);
        let sent = receiver
            .0
            .requests
            .lock()
            .unwrap()
            .iter()
            .filter(|q| q.generation == generation)
            .count();
        if sent >= PROGRESS {
            return;
        }
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "only {sent} deliveries in 30 s since the last restart:\n{}",
            tail(log)
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

/// Posts one wave's clicks (every lead of the wave gets one).
async fn post_wave(http: &reqwest::Client, server: &Server, key: &str, wave: usize) {
    let body = clicks(wave * WAVE..(wave + 1) * WAVE);
    ok(
        http,
        server,
        key,
        Method::POST,
        "/v1/interactions",
        Some(&body),
    )
    .await;
}

/// `Err` with the message unless `cond` holds.
macro_rules! ensure {
    ($cond:expr, $($msg:tt)+) => {
        if !$cond {
            return Err(format!($($msg)+));
        }
    };
}

/// The endpoint each event type goes to.
fn subscribed(endpoint: &str) -> EventType {
    match endpoint {
        "crm" => EventType::SalesReady,
        _ => EventType::GradeChanged,
    }
}

/// The checks, on what the receiver got (`requests`), what the outbox holds
/// (`rows`, with each event's stored `payloads`) and the kills, for leads
/// `L0` to `L{leads - 1}`, each sales-ready; a summary of what was seen, or
/// the first broken promise.
fn check(
    requests: &[Request],
    rows: &[DeliveryRow],
    payloads: &HashMap<String, Value>,
    kills: &[KillReport],
    leads: usize,
) -> Result<String, String> {
    // Every request: header id = body id, header type = body type, signed,
    // and on the endpoint subscribed to that type.
    let mut bodies: BTreeMap<(String, String), BTreeSet<Vec<u8>>> = BTreeMap::new();
    let mut received: BTreeMap<(String, String), Vec<&Request>> = BTreeMap::new();
    for q in requests {
        let body: Value = serde_json::from_slice(&q.body)
            .map_err(|e| format!("{} {}: body is not JSON: {e}", q.endpoint, q.header_id))?;
        ensure!(
            !q.header_id.is_empty(),
            "a request without X-Leadscore-Delivery: {body}"
        );
        ensure!(
            body["event_id"] == q.header_id,
            "X-Leadscore-Delivery {} but the body's event_id {}",
            q.header_id,
            body["event_id"]
        );
        ensure!(
            body["type"] == q.header_event,
            "{}: X-Leadscore-Event {} but the body's type {}",
            q.header_id,
            q.header_event,
            body["type"]
        );
        ensure!(
            q.header_event == subscribed(&q.endpoint).as_str(),
            "{} got {}, which it is not subscribed to",
            q.endpoint,
            q.header_event
        );
        ensure!(q.signed, "{} {}: bad signature", q.endpoint, q.header_id);
        let key = (q.endpoint.clone(), q.header_id.clone());
        bodies
            .entry(key.clone())
            .or_default()
            .insert(q.body.to_vec());
        received.entry(key).or_default().push(q);
    }
    // One event, one body: every retry and re-send is byte-identical.
    for ((endpoint, id), set) in &bodies {
        ensure!(
            set.len() == 1,
            "{endpoint} {id}: {} different bodies",
            set.len()
        );
    }

    // No event lost: every delivery in the outbox was received, and every id
    // received is one the outbox holds (none made up on a retry).
    let outbox: BTreeSet<(String, String)> = rows
        .iter()
        .map(|r| (r.endpoint.clone(), r.event_id.clone()))
        .collect();
    ensure!(outbox.len() == rows.len(), "a delivery listed twice");
    let lost: Vec<_> = outbox
        .iter()
        .filter(|k| !received.contains_key(*k))
        .collect();
    ensure!(
        lost.is_empty(),
        "events in the outbox never received: {lost:?}"
    );
    let unknown: Vec<_> = received.keys().filter(|k| !outbox.contains(*k)).collect();
    ensure!(
        unknown.is_empty(),
        "event ids received that the outbox does not hold: {unknown:?}"
    );
    for row in rows {
        ensure!(
            row.delivered_at.is_some(),
            "{} {}: not recorded as delivered: {row:?}",
            row.endpoint,
            row.event_id
        );
        ensure!(
            row.event_type == subscribed(&row.endpoint),
            "queued for an endpoint not subscribed to it: {row:?}"
        );
    }

    // Exactly one sales-ready event id per lead (as received and as stored),
    // and one grade-change event id per transition.
    let mut sales_ready: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut grades: BTreeMap<(String, String, String), BTreeSet<String>> = BTreeMap::new();
    for ((endpoint, id), all) in &received {
        let body: Value = serde_json::from_slice(&all[0].body).map_err(|e| e.to_string())?;
        ensure!(
            payloads.get(id) == Some(&body),
            "{endpoint} {id}: not the stored payload"
        );
        let lead = body["lead_id"].as_str().unwrap_or_default().to_owned();
        if endpoint == "crm" {
            sales_ready.entry(lead).or_default().insert(id.clone());
        } else {
            let grade = |g: &str| body[g].as_str().unwrap_or("-").to_owned();
            grades
                .entry((lead, grade("old_grade"), grade("new_grade")))
                .or_default()
                .insert(id.clone());
        }
    }
    let all_leads: BTreeSet<String> = (0..leads).map(|i| format!("L{i}")).collect();
    let with_event: BTreeSet<String> = sales_ready.keys().cloned().collect();
    ensure!(
        with_event == all_leads,
        "leads without a sales-ready event: {:?}; unexpected: {:?}",
        all_leads.difference(&with_event).collect::<Vec<_>>(),
        with_event.difference(&all_leads).collect::<Vec<_>>()
    );
    for (lead, ids) in &sales_ready {
        ensure!(
            ids.len() == 1,
            "{lead}: several sales-ready event ids {ids:?}"
        );
    }
    let stored_sales_ready = rows
        .iter()
        .filter(|r| r.event_type == EventType::SalesReady)
        .count();
    ensure!(
        stored_sales_ready == leads,
        "{stored_sales_ready} sales-ready events in the outbox for {leads} leads"
    );
    for (transition, ids) in &grades {
        ensure!(
            ids.len() == 1,
            "{transition:?}: several grade-change event ids {ids:?}"
        );
    }

    // Every request held across a kill was sent again, with the same id.
    let mut cut = 0;
    for k in kills {
        let Some(i) = k.cut else { continue };
        let q = requests
            .get(i)
            .ok_or("a kill cut a request never recorded")?;
        ensure!(q.cut, "the request held across a kill is not marked: {k:?}");
        // Sent again later (by the next server, or by the killed one
        // itself when the kill came after its timeout), with the same id.
        let again = requests[i + 1..]
            .iter()
            .filter(|r| r.endpoint == q.endpoint && r.header_id == q.header_id)
            .count();
        ensure!(
            again > 0,
            "{} {}: cut by a kill, never sent again",
            q.endpoint,
            q.header_id
        );
        cut += 1;
    }
    let mid_delivery = kills.iter().filter(|k| k.kind == Kill::MidDelivery).count();
    ensure!(
        cut == mid_delivery,
        "{mid_delivery} mid-delivery kills but {cut} held requests"
    );

    // Counts: a retry follows a 500; a duplicate follows a request the
    // receiver did not refuse (answered 200, or cut by a kill before its
    // answer reached the server): the requests a receiver must deduplicate.
    let mut duplicates = 0;
    let mut retries = 0;
    let mut across_restarts = 0;
    for all in received.values() {
        for pair in all.windows(2) {
            if pair[0].status == 500 {
                retries += 1;
            } else {
                duplicates += 1;
            }
            if pair[1].generation > pair[0].generation {
                across_restarts += 1;
            }
        }
    }
    let refused = requests.iter().filter(|q| q.status == 500).count();
    ensure!(
        refused > 0 && retries == refused,
        "{refused} requests answered 500, {retries} retried"
    );
    Ok(format!(
        "{} requests for {} deliveries ({} sales-ready, {} grade changes): \
         {duplicates} duplicate(s) (after a 200 or a kill), {retries} retr(y/ies) after \
         {refused} 500(s), {across_restarts} re-sent by a restarted server; {cut} request(s) \
         held across a kill, each sent again; no event lost, every duplicate with its \
         event's id",
        requests.len(),
        received.len(),
        sales_ready.len(),
        grades.len(),
    ))
}

/// The checks fail when a promise is broken: an event id changed on a retry
/// or by a restart, an event lost, a request cut by a kill never sent again,
/// header and body ids that differ, a second sales-ready event for a lead.
#[test]
fn the_checks_catch_broken_promises() {
    let now = leadscore_domain::Timestamp::now();
    let event = |endpoint: &str, id: &str, lead: &str| {
        let (kind, grades) = match endpoint {
            "crm" => ("lead.sales_ready", json!({})),
            _ => (
                "lead.grade_changed",
                json!({"old_grade": "Cold", "new_grade": "Hot"}),
            ),
        };
        let mut payload = json!({"event_id": id, "type": kind, "lead_id": lead});
        if let (Some(p), Some(g)) = (payload.as_object_mut(), grades.as_object()) {
            p.extend(g.clone());
        }
        let row = DeliveryRow {
            event_id: id.to_owned(),
            event_type: subscribed(endpoint),
            endpoint: endpoint.to_owned(),
            attempts: 1,
            created_at: now,
            next_attempt_at: now,
            delivered_at: Some(now),
            failed_at: None,
            last_error: None,
            claimed_until: None,
        };
        (row, payload)
    };
    let request = |payload: &Value, endpoint: &str, generation, status, cut| Request {
        endpoint: endpoint.to_owned(),
        header_id: payload["event_id"].as_str().unwrap_or_default().to_owned(),
        header_event: payload["type"].as_str().unwrap_or_default().to_owned(),
        body: Bytes::from(payload.to_string()),
        signed: true,
        generation,
        status,
        cut,
    };
    let events = [
        event("crm", "s0", "L0"),
        event("crm", "s1", "L1"),
        event("audit", "g0", "L0"),
    ];
    let rows: Vec<DeliveryRow> = events.iter().map(|(r, _)| r.clone()).collect();
    let payloads: HashMap<String, Value> = events
        .iter()
        .map(|(r, p)| (r.event_id.clone(), p.clone()))
        .collect();
    let (s0, s1, g0) = (&events[0].1, &events[1].1, &events[2].1);
    // s0 refused once then delivered; s1 held across a kill then sent again.
    let requests = vec![
        request(s0, "crm", 0, 500, false),
        request(s0, "crm", 0, 200, false),
        request(s1, "crm", 0, 0, true),
        request(s1, "crm", 1, 200, false),
        request(g0, "audit", 1, 200, false),
    ];
    let kills = [KillReport {
        after_wave: 0,
        kind: Kill::MidDelivery,
        in_flight: 1,
        cut: Some(2),
    }];
    let run = |requests: &[Request], rows: &[DeliveryRow], payloads: &HashMap<String, Value>| {
        check(requests, rows, payloads, &kills, 2)
    };
    let summary = run(&requests, &rows, &payloads);
    assert!(summary.is_ok(), "{summary:?}");

    let mut fails = Vec::new();
    // The re-send after the restart carries a new id.
    let mut changed = requests.clone();
    let mut s1_new = s1.clone();
    s1_new["event_id"] = json!("s1-new");
    changed[3] = request(&s1_new, "crm", 1, 200, false);
    fails.push((
        "an id changed by a restart",
        run(&changed, &rows, &payloads),
    ));
    // The retry after a 500 carries a new id.
    let mut changed = requests.clone();
    let mut s0_new = s0.clone();
    s0_new["event_id"] = json!("s0-retry");
    changed[1] = request(&s0_new, "crm", 0, 200, false);
    fails.push(("an id changed by a retry", run(&changed, &rows, &payloads)));
    // The grade change never arrives.
    fails.push(("an event lost", run(&requests[..4], &rows, &payloads)));
    // The request cut by the kill is never sent again.
    let not_resent = [&requests[..3], &requests[4..]].concat();
    fails.push((
        "a cut request not re-sent",
        run(&not_resent, &rows, &payloads),
    ));
    // Header and body disagree.
    let mut split = requests.clone();
    split[1].header_id = "s0-header".to_owned();
    fails.push(("header id != body id", run(&split, &rows, &payloads)));
    // A second sales-ready event for L0 (the transition emitted again).
    let (again_row, again) = event("crm", "s0-again", "L0");
    let mut more_rows = rows.clone();
    more_rows.push(again_row);
    let mut more_payloads = payloads.clone();
    more_payloads.insert("s0-again".to_owned(), again.clone());
    let mut more = requests.clone();
    more.push(request(&again, "crm", 1, 200, false));
    fails.push((
        "two sales-ready ids",
        run(&more, &more_rows, &more_payloads),
    ));
    for (what, outcome) in fails {
        assert!(outcome.is_err(), "{what}: not caught ({outcome:?})");
        println!("{what}: {}", outcome.err().unwrap_or_default());
    }
}
