//! The console's routing and queue pages, end to end with a cookie-keeping
//! client: rules changed through their forms move leads between queues, a
//! bad form is refused at its field with nothing saved, read users see no
//! change buttons and get 403, and a POST without the CSRF token is refused;
//! on SQLite and PostgreSQL.

use leadscore_engine::Role;
use leadscore_store::testing::TestDb;
use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::console_support::{get, hidden, page_when, post, signed_in};
use crate::support::{App, ENGAGEMENT, clicks, seed, spawn};

/// The revision the routing page's forms carry.
async fn routing_revision(app: &App, client: &reqwest::Client) -> String {
    hidden(&get(app, client, "/console/routing").await.body, "revision")
}

async fn routing_forms(db: TestDb) {
    let app = spawn(db).await;
    app.put_model("Engagement", ENGAGEMENT).await;
    seed(&app).await;
    let (admin, csrf) = signed_in(&app, "admin@example.com", Role::Admin).await;
    let page = get(&app, &admin, "/console/routing").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("No routing rule yet"), "{}", page.body);
    let revision = hidden(&page.body, "revision");

    // Add a rule that takes every lead: L1 lands in its queue.
    let added = post(
        &app,
        &admin,
        "/console/routing/rules",
        &[
            ("csrf", &csrf),
            ("revision", &revision),
            ("index", "new"),
            ("queue", "everyone"),
            ("grades", ""),
            ("min_score", ""),
            ("max_score", ""),
            ("sales_ready", ""),
            ("fields", ""),
        ],
    )
    .await;
    assert_eq!(added.status, StatusCode::SEE_OTHER, "{}", added.body);
    assert_eq!(added.location, "/console/routing?done=added");
    let queue = page_when(&app, &admin, "/console/queues/everyone", |b| {
        b.contains("href=\"/console/leads/L1\"")
    })
    .await;
    assert!(queue.contains("1 lead in all"), "{queue}");
    let (_, routing) = app
        .call(Method::GET, "/v1/routing", Some(&app.read), None)
        .await;
    assert_eq!(
        routing,
        json!({"rules": [{"queue": "everyone"}], "default_queue": null})
    );

    // The rule now asks for a score of at least 10 (L1 has 0) and a
    // default queue takes the rest: L1 moves.
    let page = get(&app, &admin, "/console/routing?done=added").await;
    assert!(
        page.body.contains("The rule is added at the end"),
        "{}",
        page.body
    );
    let revision = hidden(&page.body, "revision");
    let saved = post(
        &app,
        &admin,
        "/console/routing/rules",
        &[
            ("csrf", &csrf),
            ("revision", &revision),
            ("index", "0"),
            ("queue", "everyone"),
            ("min_score", "10"),
            ("fields", "source = Web"),
        ],
    )
    .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let revision = routing_revision(&app, &admin).await;
    let saved = post(
        &app,
        &admin,
        "/console/routing/default",
        &[
            ("csrf", &csrf),
            ("revision", &revision),
            ("default_queue", "triage"),
        ],
    )
    .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    page_when(&app, &admin, "/console/queues/triage", |b| {
        b.contains("href=\"/console/leads/L1\"")
    })
    .await;
    page_when(&app, &admin, "/console/queues/everyone", |b| {
        !b.contains("href=\"/console/leads/L1\"")
    })
    .await;
    // Three clicks bring L1 to 30: it matches the rule again.
    app.call(
        Method::POST,
        "/v1/interactions",
        Some(&app.ingest),
        Some(&clicks(0, 3)),
    )
    .await;
    page_when(&app, &admin, "/console/queues/everyone", |b| {
        b.contains("href=\"/console/leads/L1\"")
    })
    .await;
    // Filters and pages: L1 is sales-ready now, so not among the others.
    let filtered = get(
        &app,
        &admin,
        "/console/queues/everyone?sales_ready=no&per_page=1",
    )
    .await;
    assert_eq!(filtered.status, StatusCode::OK);
    assert!(
        !filtered.body.contains("/console/leads/L1"),
        "{}",
        filtered.body
    );
    let bad = get(&app, &admin, "/console/queues/everyone?stage=sideways").await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    let nameless = get(&app, &admin, "/console/queues/no%20such").await;
    assert_eq!(nameless.status, StatusCode::NOT_FOUND);

    // A bad form: the problems at their fields, nothing saved.
    let (_, before) = app
        .call(Method::GET, "/v1/routing", Some(&app.read), None)
        .await;
    let revision = routing_revision(&app, &admin).await;
    let refused = post(
        &app,
        &admin,
        "/console/routing/rules",
        &[
            ("csrf", &csrf),
            ("revision", &revision),
            ("index", "0"),
            ("queue", "no spaces <b>"),
            ("min_score", "50"),
            ("max_score", "10"),
        ],
    )
    .await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST, "{}", refused.body);
    assert!(
        refused.body.contains(
            "<p class=\"field-error\" id=\"rule-1-queue-error\">a queue name is 1-64 letters"
        ),
        "{}",
        refused.body
    );
    assert!(
        refused
            .body
            .contains("<p class=\"field-error\" id=\"rule-1-min_score-error\">is above max_score"),
        "{}",
        refused.body
    );
    assert!(refused.body.contains("value=\"no spaces &lt;b&gt;\""));
    assert!(!refused.body.contains("<b>"), "typed text is escaped");
    let refused = post(
        &app,
        &admin,
        "/console/routing/rules",
        &[
            ("csrf", &csrf),
            ("revision", &revision),
            ("index", "new"),
            ("queue", "ok"),
            ("min_score", "ten"),
        ],
    )
    .await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST);
    assert!(
        refused
            .body
            .contains("id=\"new-min_score-error\">&quot;ten&quot; is not a whole number"),
        "{}",
        refused.body
    );
    let (_, after) = app
        .call(Method::GET, "/v1/routing", Some(&app.read), None)
        .await;
    assert_eq!(before, after, "nothing was saved");

    // A change made on an out-of-date page is refused.
    let stale = post(
        &app,
        &admin,
        "/console/routing/delete",
        &[("csrf", &csrf), ("revision", "0000"), ("index", "0")],
    )
    .await;
    assert_eq!(stale.status, StatusCode::CONFLICT);

    // A second rule, moved to the top, then deleted.
    let revision = routing_revision(&app, &admin).await;
    let added = post(
        &app,
        &admin,
        "/console/routing/rules",
        &[
            ("csrf", &csrf),
            ("revision", &revision),
            ("index", "new"),
            ("queue", "hot"),
            ("grades", "Hot"),
        ],
    )
    .await;
    assert_eq!(added.status, StatusCode::SEE_OTHER, "{}", added.body);
    let revision = routing_revision(&app, &admin).await;
    let moved = post(
        &app,
        &admin,
        "/console/routing/up",
        &[("csrf", &csrf), ("revision", &revision), ("index", "1")],
    )
    .await;
    assert_eq!(moved.status, StatusCode::SEE_OTHER, "{}", moved.body);
    let (_, routing) = app
        .call(Method::GET, "/v1/routing", Some(&app.read), None)
        .await;
    assert_eq!(routing["rules"][0]["queue"], "hot");
    page_when(&app, &admin, "/console/queues/hot", |b| {
        b.contains("href=\"/console/leads/L1\"")
    })
    .await;
    let revision = routing_revision(&app, &admin).await;
    let deleted = post(
        &app,
        &admin,
        "/console/routing/delete",
        &[("csrf", &csrf), ("revision", &revision), ("index", "0")],
    )
    .await;
    assert_eq!(deleted.status, StatusCode::SEE_OTHER);
    let (_, routing) = app
        .call(Method::GET, "/v1/routing", Some(&app.read), None)
        .await;
    assert_eq!(routing["rules"].as_array().unwrap().len(), 1);

    // Without the CSRF token: refused, nothing changes.
    let refused = post(
        &app,
        &admin,
        "/console/routing/delete",
        &[("revision", &revision), ("index", "0")],
    )
    .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);

    // A read user sees the rules and queues but no change button, and every
    // change is refused.
    let (reader, read_csrf) = signed_in(&app, "reader@example.com", Role::Read).await;
    let page = get(&app, &reader, "/console/routing").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Rule 1: to"), "{}", page.body);
    assert!(
        !page.body.contains("action=\"/console/routing/"),
        "{}",
        page.body
    );
    let revision = routing_revision(&app, &admin).await;
    for path in [
        "/console/routing/rules",
        "/console/routing/up",
        "/console/routing/down",
        "/console/routing/delete",
        "/console/routing/default",
    ] {
        let refused = post(
            &app,
            &reader,
            path,
            &[
                ("csrf", &read_csrf),
                ("revision", &revision),
                ("index", "0"),
                ("queue", "x"),
            ],
        )
        .await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN, "{path}");
    }
    let queue = get(&app, &reader, "/console/queues/everyone").await;
    assert_eq!(queue.status, StatusCode::OK);
    app.stop().await;
}
leadscore_store::on_both_backends!(routing_forms);
