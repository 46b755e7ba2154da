//! Retraining on request while the service runs, end to end on SQLite and
//! PostgreSQL: `POST /v1/retraining/runs` (admin) starts a run in the
//! background and answers 202 at once with its number and where to watch
//! it, a run that finishes on the sample; while a run is running another
//! request gets 409 `retraining_running` and starts nothing, even when many
//! arrive at once; the console's "Retrain now" button does the same for
//! admins (CSRF), and read users neither see it nor may post it. A
//! scheduled time that comes while a run runs is skipped.

use std::time::{Duration, Instant};

use leadscore_domain::{RunTrigger, Timestamp};
use leadscore_engine::Role;
use leadscore_engine::retrain::{self, Retraining, Trigger};
use leadscore_store::testing::TestDb;
use leadscore_store::{RunMeasures, RunStart, SlotStart, SqlStore};
use reqwest::{Method, StatusCode};
use serde_json::Value;

use crate::console_support::{csrf, get, post, signed_in};
use crate::reports::load_sample;
use crate::support::{App, spawn, spawn_with, test_settings};

const RUNS: &str = "/v1/retraining/runs";

/// Records a running run through the store (as another instance would), so
/// that a request meets one deterministically.
async fn running_run(store: &SqlStore) -> i64 {
    store
        .retraining()
        .start(RunTrigger::Command, None)
        .await
        .unwrap()
        .unwrap()
}

/// Ends a run recorded by [`running_run`].
async fn end_run(store: &SqlStore, run_id: i64) {
    store
        .retraining()
        .fail(run_id, &RunMeasures::default(), "ended by the test")
        .await
        .unwrap();
}

/// `POST /v1/retraining/runs` with `key`: the status, `Location` and body.
async fn start(app: &App, key: &str) -> (StatusCode, String, Value) {
    let response = app
        .http
        .post(format!("{}{RUNS}", app.base))
        .bearer_auth(key)
        .send()
        .await
        .unwrap();
    let status = response.status();
    let location = response
        .headers()
        .get("location")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    (
        status,
        location,
        response.json().await.unwrap_or(Value::Null),
    )
}

/// The runs `GET /v1/retraining` lists once none is running (training on
/// the sample takes seconds; the margin is for slow machines, the service
/// rescoring the sample meanwhile).
async fn runs_once_ended(app: &App) -> Vec<Value> {
    let begun = Instant::now();
    loop {
        let (status, body) = app
            .call(Method::GET, "/v1/retraining", Some(&app.read), None)
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let runs = body["runs"].as_array().unwrap().clone();
        if runs.iter().all(|r| r["status"] != "running") {
            return runs;
        }
        assert!(
            begun.elapsed() < Duration::from_secs(240),
            "a run is still running: {body}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn retrain_over_the_api(db: TestDb) {
    let mut settings = test_settings();
    settings.scoring.at = Some("2026-10-01T00:00:00Z".into());
    settings.drift.every_secs = 0;
    let app = spawn_with(db, settings).await;
    load_sample(&app).await;

    // Only an admin key may start a run.
    for key in [app.read.clone(), app.ingest.clone()] {
        let (status, _, body) = start(&app, &key).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
        assert_eq!(body["error"]["code"], "forbidden");
    }
    assert!(runs_once_ended(&app).await.is_empty(), "nothing started");

    // A run is running (another instance's, say): refused, nothing started.
    let blocker = running_run(&app.store).await;
    let (status, location, body) = start(&app, &app.admin).await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert_eq!(body["error"]["code"], "retraining_running");
    let message = body["error"]["message"].as_str().unwrap();
    assert!(
        message.contains(&format!("run {blocker} is running")),
        "{message}"
    );
    assert!(location.is_empty());
    let (_, status_page) = app
        .call(Method::GET, "/v1/retraining", Some(&app.read), None)
        .await;
    assert_eq!(status_page["runs"].as_array().unwrap().len(), 1);
    end_run(&app.store, blocker).await;

    // Started: 202 at once, the run still running, watched where Location says.
    let (status, location, body) = start(&app, &app.admin).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{body}");
    assert_eq!(location, "/v1/retraining");
    assert_eq!(body["status"], "running");
    let run_id = body["run_id"].as_i64().unwrap();
    assert_eq!(run_id, blocker + 1);
    let runs = runs_once_ended(&app).await;
    let run = runs.iter().find(|r| r["run_id"] == run_id).unwrap();
    // No model was live: the first one trained is published.
    assert_eq!(run["status"], "published", "{run}");
    assert_eq!(run["trigger"], "command");
    assert!(run["slot"].is_null());
    assert_eq!(run["version"], 1);
    assert!(run["leads"].as_i64().unwrap() > 100, "{run}");
    let (_, models) = app
        .call(Method::GET, "/v1/models", Some(&app.read), None)
        .await;
    assert_eq!(models[0]["version"], 1);
    assert_eq!(models[0]["published"], true);
    let (_, _, metrics) = app.bytes("/metrics", &app.read).await;
    let metrics = String::from_utf8(metrics).unwrap();
    assert!(
        metrics.contains("leadscore_retraining_runs_total{outcome=\"published\"} 1"),
        "{metrics}"
    );
    let (_, doc) = app.call(Method::GET, "/openapi.json", None, None).await;
    let post = &doc["paths"][RUNS]["post"];
    assert!(post["responses"]["202"]["headers"]["Location"].is_object());
    assert!(post["responses"]["409"].is_object(), "{post}");
    app.stop().await;
}
leadscore_store::on_both_backends!(retrain_over_the_api);

/// Many starts at once, round after round: exactly one records a run, the
/// others are told which run is running.
async fn one_run_at_a_time(db: TestDb) {
    let store = db.store.clone();
    for round in 0..4 {
        let starts = (0..8).map(|_| {
            let store = store.clone();
            tokio::spawn(async move {
                store
                    .retraining()
                    .start_alone(RunTrigger::Command)
                    .await
                    .unwrap()
            })
        });
        let answers: Vec<RunStart> = futures_util::future::join_all(starts)
            .await
            .into_iter()
            .map(Result::unwrap)
            .collect();
        let started: Vec<i64> = answers
            .iter()
            .filter_map(|a| match a {
                RunStart::Started(id) => Some(*id),
                RunStart::Running(_) => None,
            })
            .collect();
        assert_eq!(started.len(), 1, "round {round}: {answers:?}");
        assert!(
            answers.iter().all(
                |a| matches!(a, RunStart::Running(id) | RunStart::Started(id) if *id == started[0])
            ),
            "round {round}: {answers:?}"
        );
        let listed = store.retraining().list().await.unwrap();
        assert_eq!(listed.len(), round + 1, "{listed:?}");
        end_run(&store, started[0]).await;
    }
    db.finish().await.unwrap();
}
leadscore_store::on_both_backends!(one_run_at_a_time);

/// A scheduled time that comes while a run is running (here one asked for)
/// is skipped, recording nothing: one run at a time, whatever started it;
/// once no run runs, the slot is taken once, and a request meets that run.
async fn a_scheduled_time_is_skipped_while_a_run_runs(db: TestDb) {
    let store = db.store.clone();
    let RunStart::Started(asked) = store
        .retraining()
        .start_alone(RunTrigger::Command)
        .await
        .unwrap()
    else {
        panic!("no run was running");
    };
    const SLOT: &str = "2026-10-05T03:00:00Z";
    assert_eq!(
        store.retraining().start_slot(SLOT).await.unwrap(),
        SlotStart::Running(asked)
    );
    // The schedule's own path starts nothing either.
    let settings = Retraining {
        window_days: 1,
        ..Retraining::default()
    };
    let at = Timestamp::parse("2026-10-05T03:00:00Z").unwrap();
    let skipped = retrain::retrain(&store, &settings, Trigger::Schedule(SLOT.into()), at)
        .await
        .unwrap();
    assert!(skipped.is_none());
    let runs = store.retraining().list().await.unwrap();
    assert_eq!(runs.len(), 1, "{runs:?}");
    end_run(&store, asked).await;

    let SlotStart::Started(scheduled) = store.retraining().start_slot(SLOT).await.unwrap() else {
        panic!("no run was running and the slot was free");
    };
    assert_eq!(
        store.retraining().start_slot(SLOT).await.unwrap(),
        SlotStart::Taken
    );
    assert_eq!(
        store
            .retraining()
            .start_alone(RunTrigger::Command)
            .await
            .unwrap(),
        RunStart::Running(scheduled)
    );
    end_run(&store, scheduled).await;
    db.finish().await.unwrap();
}
leadscore_store::on_both_backends!(a_scheduled_time_is_skipped_while_a_run_runs);

async fn retrain_in_the_console(db: TestDb) {
    let app = spawn(db).await;
    const PAGE: &str = "/console/conversion";
    const FORM: &str = "/console/conversion/retrain";
    let (admin, token) = signed_in(&app, "admin@example.com", Role::Admin).await;
    let (reader, read_token) = signed_in(&app, "reader@example.com", Role::Read).await;

    let page = get(&app, &admin, PAGE).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let card = page.body.find("id=\"retraining\"").unwrap();
    let button = page.body.find(">Retrain now</button>").unwrap();
    assert!(button > card, "the button is in the Retraining card");
    assert!(page.body.contains(&format!("action=\"{FORM}\"")));

    // A read user sees no button and may not post the form.
    let page = get(&app, &reader, PAGE).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(!page.body.contains("Retrain now</button>"), "{}", page.body);
    assert!(!page.body.contains(&format!("action=\"{FORM}\"")));
    let refused = post(&app, &reader, FORM, &[("csrf", &read_token)]).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}", refused.body);
    // Nor may a post without the session's CSRF token.
    for form in [vec![], vec![("csrf", "forged")]] {
        let refused = post(&app, &admin, FORM, &form).await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}", refused.body);
    }
    assert!(runs_once_ended(&app).await.is_empty(), "nothing started");

    // While a run is running: 409, the refusal at the card, nothing started.
    let blocker = running_run(&app.store).await;
    let page = get(&app, &admin, PAGE).await;
    assert!(
        page.body
            .contains(&format!("Run {blocker} is running (started")),
        "{}",
        page.body
    );
    assert!(page.body.contains("disabled>Retrain now</button>"));
    let refused = post(&app, &admin, FORM, &[("csrf", &token)]).await;
    assert_eq!(refused.status, StatusCode::CONFLICT, "{}", refused.body);
    let card = refused.body.find("id=\"retraining\"").unwrap();
    let error = refused
        .body
        .find(&format!(
            "role=\"alert\">Run {blocker} is running: one retraining at a time"
        ))
        .unwrap();
    assert!(error > card, "the refusal is in the Retraining card");
    assert_eq!(csrf(&refused.body), token, "the page's forms still work");
    end_run(&app.store, blocker).await;

    // Started: back to the page, which says so.
    let started = post(&app, &admin, FORM, &[("csrf", &token)]).await;
    assert_eq!(started.status, StatusCode::SEE_OTHER, "{}", started.body);
    assert_eq!(started.location, "/console/conversion?done=retraining");
    let page = get(&app, &admin, &started.location).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body.contains("Retraining started")
            && page
                .body
                .contains("The runs table under Retraining shows its progress"),
        "{}",
        page.body
    );
    // On an empty store the run fails (no closed lead), recorded as any run.
    let runs = runs_once_ended(&app).await;
    assert_eq!(runs.len(), 2);
    assert_eq!(runs[0]["run_id"], blocker + 1);
    assert_eq!(runs[0]["trigger"], "command");
    assert_eq!(runs[0]["status"], "failed", "{}", runs[0]);
    let page = get(&app, &admin, PAGE).await;
    assert!(!page.body.contains("disabled>Retrain now"), "{}", page.body);
    app.stop().await;
}
leadscore_store::on_both_backends!(retrain_in_the_console);
