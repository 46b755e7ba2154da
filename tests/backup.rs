//! Backup and restore, end to end (docs/OPERATIONS.md, "Backup and restore").
//!
//! - SQLite: `leadscore backup` runs while the service serves and ingests
//!   from a concurrent task; the backup is restored with `leadscore restore`
//!   into a new file, which must be sound, hold every record acknowledged
//!   before the backup started and no half of a write, and serve the lead's
//!   scores.
//! - PostgreSQL: the `pg_dump` command `leadscore backup` prints runs while
//!   the service serves, the `pg_restore` command `leadscore restore` prints
//!   restores it into a new, empty database, and the restored store holds the
//!   same records and answers the same scores.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[allow(dead_code)]
#[path = "service/support.rs"]
mod support;

use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::process::Output;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use leadscore_engine::Service;
use leadscore_store::testing::{TestDb, empty_postgres};
use leadscore_store::{DatabaseUrl, SqlStore, Store, inspect_sqlite};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use support::{App, ENGAGEMENT, seed, spawn, test_settings};

/// Interactions per ingested batch (one request, one transaction).
const PER_BATCH: usize = 5;

/// What the writer had acknowledged, and when.
#[derive(Default)]
struct Acks {
    /// Lead ids, with the time their PUT was answered.
    leads: Vec<(String, Instant)>,
    /// Interaction ids, with the time their POST was answered.
    interactions: Vec<(String, Instant)>,
}

/// Writes until `stop`: per batch, a lead (`BL-n`, contact C1), then
/// [`PER_BATCH`] interactions of it in one request; notes each answer.
async fn keep_writing(app: Arc<AppHandle>, stop: Arc<AtomicBool>) -> Acks {
    let mut acks = Acks::default();
    let mut n = 0usize;
    while !stop.load(Ordering::Relaxed) {
        let lead = format!("BL-{n}");
        let (status, body) = app
            .call(
                Method::PUT,
                &format!("/v1/leads/{lead}"),
                json!({"created_at": "2026-01-01", "contact_id": "C1", "account_id": "A1", "source": "Web"}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        acks.leads.push((lead.clone(), Instant::now()));
        let now = chrono::Utc::now();
        let batch: Vec<Value> = (0..PER_BATCH)
            .map(|i| {
                json!({
                    "interaction_id": format!("{lead}-{i}"),
                    "kind": "EmailClicked",
                    "occurred_at": (now - chrono::Duration::minutes(i as i64 + 1)).to_rfc3339(),
                    "contact_id": "C1",
                    "lead_id": lead,
                })
            })
            .collect();
        let (status, body) = app
            .call(Method::POST, "/v1/interactions", Value::Array(batch))
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let answered = Instant::now();
        for i in 0..PER_BATCH {
            acks.interactions.push((format!("{lead}-{i}"), answered));
        }
        n += 1;
    }
    acks
}

/// What the writer needs of the service: its address and an ingest key.
struct AppHandle {
    base: String,
    key: String,
    http: reqwest::Client,
}

impl AppHandle {
    fn of(app: &App) -> Self {
        Self {
            base: app.base.clone(),
            key: app.ingest.clone(),
            http: reqwest::Client::new(),
        }
    }

    async fn call(&self, method: Method, path: &str, body: Value) -> (StatusCode, Value) {
        let response = self
            .http
            .request(method, format!("{}{path}", self.base))
            .bearer_auth(&self.key)
            .json(&body)
            .send()
            .await
            .unwrap();
        let status = response.status();
        (status, response.json().await.unwrap_or(Value::Null))
    }
}

/// Starts the service on a store (its keys are the store's).
async fn serve(store: SqlStore) -> leadscore_api::Running {
    let service = Service::new(store, test_settings()).await.unwrap();
    leadscore_api::start(service).await.unwrap()
}

/// A lead's stored scores from a service, once stored.
async fn stored_scores(base: &str, key: &str, lead: &str) -> Value {
    let http = reqwest::Client::new();
    let started = Instant::now();
    loop {
        let response = http
            .get(format!("{base}/v1/leads/{lead}/scores"))
            .bearer_auth(key)
            .send()
            .await
            .unwrap();
        let status = response.status();
        let body: Value = response.json().await.unwrap_or(Value::Null);
        if status == StatusCode::OK && body["stored"] == true {
            return body;
        }
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "no stored scores of {lead}: {status} {body}"
        );
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

/// Each model's name, score and grade.
fn model_scores(scores: &Value) -> Vec<(String, Value, Value)> {
    let mut out: Vec<(String, Value, Value)> = scores["models"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            (
                m["model"].as_str().unwrap().to_owned(),
                m["score"].clone(),
                m["grade"].clone(),
            )
        })
        .collect();
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

/// Runs the binary off the async threads (the service keeps serving).
async fn run(args: Vec<String>) -> Output {
    tokio::task::spawn_blocking(move || {
        std::process::Command::new(env!("CARGO_BIN_EXE_leadscore"))
            .args(&args)
            .env_remove("DATABASE_URL")
            .output()
            .unwrap()
    })
    .await
    .unwrap()
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// Its stdout, after checking it succeeded.
fn success(output: &Output) -> String {
    assert!(output.status.success(), "{}", stderr(output));
    stdout(output)
}

fn path_text(path: &Path) -> String {
    path.display().to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sqlite_backup_while_ingesting_restores_every_acknowledged_record() {
    let db = TestDb::sqlite().await.unwrap();
    let live = db.url().sqlite_path().unwrap().to_path_buf();
    let app = spawn(db).await;
    app.put_model("Engagement", ENGAGEMENT).await;
    seed(&app).await;

    let stop = Arc::new(AtomicBool::new(false));
    let writer = tokio::spawn(keep_writing(
        Arc::new(AppHandle::of(&app)),
        Arc::clone(&stop),
    ));
    // Let some batches land first.
    tokio::time::sleep(Duration::from_millis(300)).await;

    let dir = tempfile::tempdir().unwrap();
    let backup = dir.path().join("backup.db");
    let started = Instant::now();
    let out = run(vec![
        "backup".into(),
        "--database".into(),
        path_text(&live),
        "--out".into(),
        path_text(&backup),
        "--json".into(),
    ])
    .await;
    let out = success(&out);
    let finished = Instant::now();
    // Keep writing a little after it, then stop.
    tokio::time::sleep(Duration::from_millis(100)).await;
    stop.store(true, Ordering::Relaxed);
    let acks = writer.await.unwrap();

    let summary: Value = serde_json::from_str(out.trim()).unwrap();
    assert_eq!(summary["integrity"], "ok", "{summary}");
    assert_eq!(summary["out"], path_text(&backup));
    assert!(summary["bytes"].as_u64().unwrap() > 0);
    let during = acks
        .interactions
        .iter()
        .filter(|(_, at)| *at > started && *at < finished)
        .count();
    assert!(during > 0, "the service took writes while the backup ran");
    let after = acks.leads.iter().filter(|(_, at)| *at > finished).count();
    assert!(after > 0, "and after it");

    // A backup is never written over a file.
    let again = run(vec![
        "backup".into(),
        "--database".into(),
        path_text(&live),
        "--out".into(),
        path_text(&backup),
    ])
    .await;
    assert_eq!(again.status.code(), Some(1));
    assert!(
        stderr(&again).contains("exists already"),
        "{}",
        stderr(&again)
    );

    // Restore into a new file.
    let restored = dir.path().join("restored.db");
    let out = run(vec![
        "restore".into(),
        "--from".into(),
        path_text(&backup),
        "--database".into(),
        path_text(&restored),
        "--json".into(),
    ])
    .await;
    assert!(
        stderr(&out).contains("the service must be stopped"),
        "{}",
        stderr(&out)
    );
    let restore: Value = serde_json::from_str(success(&out).trim()).unwrap();
    assert_eq!(restore["integrity"], "ok");
    assert_eq!(restore["leads"], summary["leads"]);
    assert_eq!(restore["interactions"], summary["interactions"]);
    assert_eq!(restore["moved_aside"], Value::Null);

    // Restoring over it again needs --force.
    let refused = run(vec![
        "restore".into(),
        "--from".into(),
        path_text(&backup),
        "--database".into(),
        path_text(&restored),
    ])
    .await;
    assert_eq!(refused.status.code(), Some(1));
    assert!(stderr(&refused).contains("--force"), "{}", stderr(&refused));

    // The restored file is sound and holds every acknowledged record.
    let checked = inspect_sqlite(&restored).await.unwrap();
    assert_eq!(checked.schema.pending, 0);
    assert_eq!(
        checked.counts.leads,
        summary["leads"].as_u64().unwrap(),
        "{summary}"
    );
    let store = SqlStore::open(&DatabaseUrl::sqlite_file(&restored))
        .await
        .unwrap();
    let data = store.export().await.unwrap();
    let leads: HashSet<&str> = data.leads.iter().map(|l| l.lead_id.as_str()).collect();
    let interactions: HashSet<&str> = data
        .interactions
        .iter()
        .map(|i| i.interaction_id.as_str())
        .collect();
    let mut before = 0;
    for (lead, at) in &acks.leads {
        if *at < started {
            assert!(leads.contains(lead.as_str()), "lead {lead} is missing");
            before += 1;
        }
    }
    assert!(before > 0, "some leads were acknowledged before the backup");
    eprintln!(
        "{before} leads acknowledged before the backup began, {during} interactions while it \
         ran, {after} leads after it; the backup holds {} leads and {} interactions",
        data.leads.len(),
        data.interactions.len()
    );
    for (interaction, at) in &acks.interactions {
        if *at < started {
            assert!(
                interactions.contains(interaction.as_str()),
                "interaction {interaction} is missing"
            );
        }
    }
    // Nothing half-written: each batch is whole or absent, and every
    // interaction's lead is there.
    let mut per_lead: HashMap<&str, usize> = HashMap::new();
    for interaction in &data.interactions {
        if let Some(lead) = &interaction.lead_id {
            assert!(leads.contains(lead.as_str()), "lead {lead} is missing");
            *per_lead.entry(lead.as_str()).or_default() += 1;
        }
    }
    for (lead, n) in &per_lead {
        assert_eq!(*n, PER_BATCH, "lead {lead} has {n} interactions");
    }
    assert_eq!(
        data.interactions.len() as u64,
        summary["interactions"].as_u64().unwrap()
    );

    // A service on the restored file answers a lead's scores (the keys are
    // the store's, restored with it).
    let running = serve(store).await;
    let base = format!("http://{}", running.addr);
    let scores = stored_scores(&base, &app.read, "L1").await;
    assert!(
        model_scores(&scores)
            .iter()
            .any(|(m, _, _)| m == "Engagement"),
        "{scores}"
    );
    running.shutdown().await.unwrap();
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn postgres_pg_dump_and_pg_restore_round_trip() {
    let Some(db) = TestDb::postgres().await.unwrap() else {
        return;
    };
    let source_url = db.url().connect_url();
    let app = spawn(db).await;
    app.put_model("Engagement", ENGAGEMENT).await;
    seed(&app).await;
    let (status, body) = app
        .call(
            Method::POST,
            "/v1/interactions",
            Some(&app.ingest),
            Some(&support::clicks(0, 3)),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let scores = app
        .scores_when("L1", |s| {
            s["models"]
                .as_array()
                .is_some_and(|m| m.iter().any(|m| m["score"] == 30))
        })
        .await;

    // The pg_dump command `leadscore backup` prints, run while the service serves.
    let dir = tempfile::tempdir().unwrap();
    let dump = dir.path().join("leads.dump");
    let printed = run(vec![
        "backup".into(),
        "--database".into(),
        source_url.clone(),
        "--out".into(),
        path_text(&dump),
    ])
    .await;
    assert_eq!(printed.status.code(), Some(2), "{}", stderr(&printed));
    assert!(stderr(&printed).contains("pg_dump"), "{}", stderr(&printed));
    let command = stdout(&printed).trim().to_owned();
    assert!(command.starts_with("pg_dump --format=custom "), "{command}");
    shell(&command).await;
    assert!(dump.is_file());
    let counts = app.store.counts().await.unwrap();
    let exported = app.store.export().await.unwrap();

    // Into a new, empty database, with the printed pg_restore command.
    let target = empty_postgres().await.unwrap().unwrap();
    let target_url = target.url().connect_url();
    let printed = run(vec![
        "restore".into(),
        "--from".into(),
        path_text(&dump),
        "--database".into(),
        target_url.clone(),
    ])
    .await;
    assert_eq!(printed.status.code(), Some(2), "{}", stderr(&printed));
    let command = stdout(&printed).trim().to_owned();
    assert!(command.starts_with("pg_restore "), "{command}");
    shell(&command).await;

    // The restored store holds the same records and answers the same scores.
    let restored = SqlStore::open(&DatabaseUrl::parse(&target_url).unwrap())
        .await
        .unwrap();
    assert_eq!(restored.counts().await.unwrap(), counts);
    assert_eq!(restored.export().await.unwrap(), exported);
    let running = serve(restored).await;
    let base = format!("http://{}", running.addr);
    let again = stored_scores(&base, &app.read, "L1").await;
    assert_eq!(model_scores(&again), model_scores(&scores));
    assert_eq!(again["primary"]["score"], scores["primary"]["score"]);
    running.shutdown().await.unwrap();
    app.stop().await;
    target.cleanup().await.unwrap();
}

/// Runs a printed command with `sh -c`, which must succeed.
async fn shell(command: &str) {
    let command = command.to_owned();
    let output = tokio::task::spawn_blocking(move || {
        std::process::Command::new("sh")
            .arg("-c")
            .arg(&command)
            .output()
            .unwrap()
    })
    .await
    .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
}
