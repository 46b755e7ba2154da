//! Every error answer is the JSON error shape (issue 17): query strings that
//! do not fit, path parameters with control characters, unknown routes,
//! wrong methods and over-long URIs; and the role is checked before the body
//! is read. On SQLite and PostgreSQL.

use leadscore_engine::{Role, Service, Settings, create_key};
use leadscore_store::testing::TestDb;
use reqwest::{Method, StatusCode};
use serde_json::Value;

type TestResult = Result<(), Box<dyn std::error::Error>>;

/// A running service with a read, an ingest and an admin key.
struct App {
    base: String,
    http: reqwest::Client,
    keys: Vec<String>,
    running: leadscore_api::Running,
}

impl App {
    async fn start(db: &TestDb) -> Result<Self, Box<dyn std::error::Error>> {
        Self::start_with(db, |_| {}).await
    }

    async fn start_with(
        db: &TestDb,
        change: impl FnOnce(&mut Settings),
    ) -> Result<Self, Box<dyn std::error::Error>> {
        let mut keys = Vec::new();
        for role in [Role::Read, Role::Ingest, Role::Admin] {
            keys.push(create_key(&db.store, role, None, None).await?.key);
        }
        let mut settings = Settings {
            listen: "127.0.0.1:0".parse()?,
            ..Settings::default()
        };
        settings.drift.every_secs = 0;
        change(&mut settings);
        let service = Service::new(db.store.clone(), settings).await?;
        let running = leadscore_api::start(service).await?;
        Ok(Self {
            base: format!("http://{}", running.addr),
            http: reqwest::Client::new(),
            keys,
            running,
        })
    }

    /// A request with the key of `role` (`None`: no key) and a raw body;
    /// the status, the headers and the body, which must be the JSON error
    /// shape when the status is not a success.
    async fn send(
        &self,
        method: Method,
        path: &str,
        role: Option<Role>,
        body: Option<&str>,
    ) -> Result<(StatusCode, reqwest::header::HeaderMap, Value), Box<dyn std::error::Error>> {
        let mut request = self
            .http
            .request(method.clone(), format!("{}{path}", self.base));
        if let Some(role) = role {
            request = request.bearer_auth(&self.keys[role as usize]);
        }
        if let Some(body) = body {
            request = request
                .header("content-type", "application/json")
                .body(body.to_owned());
        }
        let answer = request.send().await?;
        let (status, headers) = (answer.status(), answer.headers().clone());
        let text = answer.text().await?;
        let json: Value = if status.is_success() {
            serde_json::from_str(&text).unwrap_or(Value::Null)
        } else {
            let json: Value = serde_json::from_str(&text).map_err(|e| {
                format!("{method} {path}: {status} with a body that is not JSON ({e}): {text:?}")
            })?;
            let shape = json["error"]["code"].is_string() && json["error"]["message"].is_string();
            if !shape {
                return Err(
                    format!("{method} {path}: {status} without the error shape: {text}").into(),
                );
            }
            json
        };
        Ok((status, headers, json))
    }
}

/// `(status, code, field)` of an error answer.
fn refusal(answer: &(StatusCode, reqwest::header::HeaderMap, Value)) -> (u16, String, String) {
    let error = &answer.2["error"];
    (
        answer.0.as_u16(),
        error["code"].as_str().unwrap_or_default().to_owned(),
        error["field"].as_str().unwrap_or_default().to_owned(),
    )
}

fn expect(got: (u16, String, String), status: u16, code: &str, field: &str) -> TestResult {
    if got == (status, code.to_owned(), field.to_owned()) {
        Ok(())
    } else {
        Err(format!("expected {status} {code} {field:?}, got {got:?}").into())
    }
}

async fn query_strings_that_do_not_fit(db: TestDb) -> TestResult {
    let app = App::start(&db).await?;
    let read = Some(Role::Read);
    let scores = "/v1/rule-models/Any/scores";
    for (query, field) in [
        ("page=-1", "page"),
        ("per_page=abc", "per_page"),
        ("sales_ready=maybe", "sales_ready"),
        ("sales_redy=true", "sales_redy"),
        ("page=1&page=2", ""),
    ] {
        let answer = app
            .send(Method::GET, &format!("{scores}?{query}"), read, None)
            .await?;
        expect(refusal(&answer), 400, "bad_query", field).map_err(|e| format!("?{query}: {e}"))?;
    }
    let answer = app
        .send(Method::GET, "/v1/queues/q?per_page=x", read, None)
        .await?;
    expect(refusal(&answer), 400, "bad_query", "per_page")?;
    let answer = app
        .send(
            Method::GET,
            "/v1/webhooks/deliveries?limit=-3",
            Some(Role::Admin),
            None,
        )
        .await?;
    expect(refusal(&answer), 400, "bad_query", "limit")?;
    app.running.shutdown().await?;
    db.finish().await?;
    Ok(())
}
leadscore_store::on_both_backends!(query_strings_that_do_not_fit);

async fn control_characters_in_a_path(db: TestDb) -> TestResult {
    let app = App::start(&db).await?;
    for (method, path, role, field) in [
        (Method::PUT, "/v1/leads/L%00x", Role::Ingest, "id"),
        (Method::GET, "/v1/leads/L%0A/scores", Role::Read, "id"),
        (
            Method::PUT,
            "/v1/rule-models/Bad%00Name",
            Role::Admin,
            "name",
        ),
        (Method::DELETE, "/v1/keys/k%00", Role::Admin, "key_id"),
    ] {
        let body = (method == Method::PUT).then_some(r#"{"created_at": "2026-01-01"}"#);
        let answer = app.send(method.clone(), path, Some(role), body).await?;
        expect(refusal(&answer), 400, "control_character", field)
            .map_err(|e| format!("{method} {path}: {e}"))?;
    }
    app.running.shutdown().await?;
    db.finish().await?;
    Ok(())
}
leadscore_store::on_both_backends!(control_characters_in_a_path);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_routes_methods_and_long_uris() -> TestResult {
    let db = TestDb::sqlite().await?;
    let app = App::start(&db).await?;
    let answer = app
        .send(Method::GET, "/v1/nothing-here", None, None)
        .await?;
    expect(refusal(&answer), 404, "not_found", "")?;
    let answer = app
        .send(Method::PATCH, "/v1/leads/L1", Some(Role::Admin), None)
        .await?;
    expect(refusal(&answer), 405, "method_not_allowed", "")?;
    let allow = answer
        .1
        .get("allow")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    if !allow.contains("PUT") {
        return Err(format!("405 without an Allow naming PUT: {allow:?}").into());
    }
    let long = format!("/v1/leads/{}/scores", "x".repeat(10_000));
    let answer = app.send(Method::GET, &long, Some(Role::Read), None).await?;
    expect(refusal(&answer), 414, "uri_too_long", "")?;
    let long_query = format!("/v1/rule-models/A/scores?grade={}", "x".repeat(9_000));
    let answer = app
        .send(Method::GET, &long_query, Some(Role::Read), None)
        .await?;
    expect(refusal(&answer), 414, "uri_too_long", "")?;
    app.running.shutdown().await?;
    db.finish().await?;
    Ok(())
}

/// A key whose role is too weak is refused before the body is read: a read
/// key with a malformed body gets 403, not 400 or 422.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_role_is_checked_before_the_body() -> TestResult {
    let db = TestDb::sqlite().await?;
    let app = App::start(&db).await?;
    for body in ["{not json", "[]", r#"{"rules": 5}"#] {
        let answer = app
            .send(
                Method::POST,
                "/v1/interactions",
                Some(Role::Read),
                Some(body),
            )
            .await?;
        expect(refusal(&answer), 403, "forbidden", "")?;
        let answer = app
            .send(Method::PUT, "/v1/routing", Some(Role::Ingest), Some(body))
            .await?;
        expect(refusal(&answer), 403, "forbidden", "")?;
    }
    let answer = app
        .send(
            Method::POST,
            "/v1/interactions",
            Some(Role::Ingest),
            Some("{not json"),
        )
        .await?;
    expect(refusal(&answer), 400, "bad_json", "")?;
    app.running.shutdown().await?;
    db.finish().await?;
    Ok(())
}

/// A NUL in any text a body carries is a 400 naming the field, on both
/// stores (PostgreSQL cannot store one; SQLite could), and nothing is
/// written.
async fn nul_characters_in_bodies(db: TestDb) -> TestResult {
    let app = App::start(&db).await?;
    let ingest = Some(Role::Ingest);
    let admin = Some(Role::Admin);
    let cases: [(Method, &str, Option<Role>, &str, &str); 9] = [
        (
            Method::PUT,
            "/v1/leads/L1",
            ingest,
            r#"{"created_at": "2026-01-01", "source": "We\u0000b"}"#,
            "source",
        ),
        (
            Method::PUT,
            "/v1/leads/L1",
            ingest,
            r#"{"created_at": "2026-01-01", "lead_id": "L1\u0000"}"#,
            "lead_id",
        ),
        (
            Method::PUT,
            "/v1/leads/L1",
            ingest,
            r#"{"created_at": "2026-01-01", "contact_id": "C\u0000"}"#,
            "contact_id",
        ),
        (
            Method::PUT,
            "/v1/accounts/A1",
            ingest,
            r#"{"na\u0000me": "Acme"}"#,
            "na\\u0000me",
        ),
        (
            Method::POST,
            "/v1/interactions",
            ingest,
            r#"[{"interaction_id": "I1", "kind": "EmailClicked", "occurred_at": "2026-01-01", "contact_id": "C1"},
                {"interaction_id": "I2", "kind": "EmailClicked", "occurred_at": "2026-01-01", "contact_id": "C1", "email_name": "x\u0000"}]"#,
            "[1].email_name",
        ),
        (
            Method::POST,
            "/v1/score",
            ingest,
            r#"{"lead": {}, "interactions": [{"kind": "EmailClicked", "occurred_at": "2026-01-01", "url": "\u0000"}]}"#,
            "interactions[0].url",
        ),
        (
            Method::POST,
            "/v1/keys",
            admin,
            r#"{"role": "read", "label": "ops\u0000"}"#,
            "label",
        ),
        (
            Method::PUT,
            "/v1/routing",
            admin,
            r#"{"rules": [{"queue": "enterprise\u0000"}], "default_queue": "general"}"#,
            "rules[0].queue",
        ),
        (
            Method::PUT,
            "/v1/webhooks",
            admin,
            r#"{"endpoints": [{"name": "crm", "url": "http://127.0.0.1:9/\u0000", "secret": "0123456789abcdef"}]}"#,
            "endpoints[0].url",
        ),
    ];
    for (method, path, role, body, field) in cases {
        let answer = app.send(method.clone(), path, role, Some(body)).await?;
        expect(refusal(&answer), 400, "control_character", field)
            .map_err(|e| format!("{method} {path} {body}: {e}"))?;
    }
    // A rule model with a NUL in a condition's value (YAML's "\0").
    let yaml = "name: M\ntarget: contact\nrules:\n  - name: R\n    when: [ { entity: Contact, where: [ { field: job_title, op: eq, value: \"a\\0b\" } ] } ]\n    points: 1\n";
    let answer = app
        .http
        .put(format!("{}/v1/rule-models/M", app.base))
        .bearer_auth(&app.keys[Role::Admin as usize])
        .header("content-type", "application/yaml")
        .body(yaml)
        .send()
        .await?;
    let status = answer.status();
    let body: Value = answer.json().await?;
    if (status.as_u16(), body["error"]["code"].as_str()) != (400, Some("control_character")) {
        return Err(format!("a rule model with a NUL: {status} {body}").into());
    }
    // Nothing was written.
    let answer = app
        .send(Method::GET, "/v1/leads/L1/scores", Some(Role::Read), None)
        .await?;
    expect(refusal(&answer), 404, "not_found", "")?;
    let answer = app
        .send(Method::GET, "/v1/rule-models", Some(Role::Read), None)
        .await?;
    if answer.2.as_array().is_none_or(|models| !models.is_empty()) {
        return Err(format!("rule models after refusals: {}", answer.2).into());
    }
    app.running.shutdown().await?;
    db.finish().await?;
    Ok(())
}
leadscore_store::on_both_backends!(nul_characters_in_bodies);

/// The authorization scheme is case-insensitive (RFC 9110): `bearer` works.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_bearer_scheme_is_case_insensitive() -> TestResult {
    let db = TestDb::sqlite().await?;
    let app = App::start(&db).await?;
    let key = &app.keys[Role::Read as usize];
    for header in [
        format!("bearer {key}"),
        format!("BEARER {key}"),
        format!("Bearer  {key}"),
    ] {
        let status = app
            .http
            .get(format!("{}/v1/rule-models", app.base))
            .header("authorization", &header)
            .send()
            .await?
            .status();
        if status != StatusCode::OK {
            return Err(format!("{header:?}: {status}").into());
        }
    }
    let answer = app
        .http
        .get(format!("{}/v1/rule-models", app.base))
        .header("authorization", format!("Basic {key}"))
        .send()
        .await?;
    if answer.status() != StatusCode::UNAUTHORIZED {
        return Err(format!("Basic: {}", answer.status()).into());
    }
    app.running.shutdown().await?;
    db.finish().await?;
    Ok(())
}

/// A body is read as JSON only when sent as JSON: another Content-Type, or
/// none, is a 415.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_json_body_needs_a_json_content_type() -> TestResult {
    let db = TestDb::sqlite().await?;
    let app = App::start(&db).await?;
    let key = &app.keys[Role::Admin as usize];
    let body = r#"{"created_at": "2026-01-01"}"#;
    for content_type in [
        None,
        Some("text/plain"),
        Some("application/x-www-form-urlencoded"),
    ] {
        let mut request = app
            .http
            .put(format!("{}/v1/leads/L1", app.base))
            .bearer_auth(key)
            .body(body);
        if let Some(t) = content_type {
            request = request.header("content-type", t);
        }
        let answer = request.send().await?;
        let status = answer.status();
        let json: Value = answer.json().await?;
        if (status.as_u16(), json["error"]["code"].as_str())
            != (415, Some("unsupported_media_type"))
        {
            return Err(format!("{content_type:?}: {status} {json}").into());
        }
    }
    for content_type in [
        "application/json; charset=utf-8",
        "application/vnd.crm+json",
    ] {
        let status = app
            .http
            .put(format!("{}/v1/leads/L1", app.base))
            .bearer_auth(key)
            .header("content-type", content_type)
            .body(body)
            .send()
            .await?
            .status();
        if status != StatusCode::OK {
            return Err(format!("{content_type}: {status}").into());
        }
    }
    app.running.shutdown().await?;
    db.finish().await?;
    Ok(())
}

/// A recent window too long for the clock is a 400 naming it; it used to
/// overflow in the review and answer 500 (found by schemathesis).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_huge_recent_window_is_refused() -> TestResult {
    let db = TestDb::sqlite().await?;
    let app = App::start(&db).await?;
    let artifact = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../models/conversion/model.json"
    ))?;
    let admin = Some(Role::Admin);
    let (status, _, answer) = app
        .send(Method::POST, "/v1/models", admin, Some(artifact.as_str()))
        .await?;
    if status != StatusCode::CREATED {
        return Err(format!("register: {status} {answer}").into());
    }
    let (status, _, answer) = app
        .send(Method::POST, "/v1/models/1/publish", admin, None)
        .await?;
    if status != StatusCode::OK {
        return Err(format!("publish: {status} {answer}").into());
    }
    for path in [
        "/v1/models/drift?recent_days=2147483648",
        "/reports/review.json?recent_days=4000",
        "/reports/review?recent_days=0",
    ] {
        let answer = app.send(Method::GET, path, Some(Role::Read), None).await?;
        expect(refusal(&answer), 400, "bad_query", "recent_days")
            .map_err(|e| format!("{path}: {e}"))?;
    }
    app.running.shutdown().await?;
    db.finish().await?;
    Ok(())
}

/// A settings document is a JSON object: serde would read `[]` as a routing
/// document with no rule (found by schemathesis), replacing every rule.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_settings_document_must_be_an_object() -> TestResult {
    let db = TestDb::sqlite().await?;
    let app = App::start(&db).await?;
    let admin = Some(Role::Admin);
    for path in ["/v1/routing", "/v1/webhooks"] {
        let answer = app.send(Method::PUT, path, admin, Some("[]")).await?;
        expect(refusal(&answer), 400, "not_an_object", "").map_err(|e| format!("{path}: {e}"))?;
    }
    let answer = app
        .send(Method::POST, "/v1/keys", admin, Some(r#"["read"]"#))
        .await?;
    expect(refusal(&answer), 400, "not_an_object", "")?;
    let answer = app
        .send(Method::PUT, "/v1/routing", admin, Some("[1,"))
        .await?;
    expect(refusal(&answer), 400, "bad_json", "")?;
    app.running.shutdown().await?;
    db.finish().await?;
    Ok(())
}

/// Past the request timeout the answer is a 503 with the error body (the
/// timeout layer used to answer with an empty body; found by schemathesis).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_timed_out_request_gets_the_error_body() -> TestResult {
    let db = TestDb::sqlite().await?;
    let app = App::start_with(&db, |s| s.limits.request_timeout_ms = 200).await?;
    // Another writer holds the store for 2 s: the write below waits its
    // turn past the timeout.
    let store = db.store.clone();
    let holder = tokio::spawn(async move {
        leadscore_store::testing::hold_write_turn(&store, std::time::Duration::from_secs(2)).await
    });
    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    let answer = app
        .send(
            Method::PUT,
            "/v1/leads/L1",
            Some(Role::Ingest),
            Some(r#"{"created_at": "2026-01-01"}"#),
        )
        .await?;
    expect(refusal(&answer), 503, "unavailable", "")?;
    holder.await??;
    app.running.shutdown().await?;
    db.finish().await?;
    Ok(())
}

/// Issue 19: a record time more than `records.future_tolerance_days` after
/// now (here `scoring.at`, later than the clock) is refused with 422
/// `invalid_value` naming the record and field, and nothing is written; a
/// time within the tolerance passes. The tolerance is the setting's (2 days
/// here: a day and a half ahead passes, which the default of 1 would refuse).
async fn future_times_are_refused(db: TestDb) -> TestResult {
    let app = App::start_with(&db, |s| {
        s.scoring.at = Some("2100-01-01T00:00:00Z".to_owned());
        s.records.future_tolerance_days = 2;
    })
    .await?;
    let ingest = Some(Role::Ingest);
    let answer = app
        .send(Method::PUT, "/v1/contacts/C1", ingest, Some("{}"))
        .await?;
    assert_eq!(answer.0, StatusCode::OK, "{}", answer.2);

    let batch = r#"[
        {"interaction_id": "I1", "kind": "EmailClicked", "occurred_at": "2100-01-01T12:00:00Z", "contact_id": "C1"},
        {"interaction_id": "I2", "kind": "EmailClicked", "occurred_at": "2100-01-04T00:00:00Z", "contact_id": "C1"}
    ]"#;
    let answer = app
        .send(Method::POST, "/v1/interactions", ingest, Some(batch))
        .await?;
    expect(refusal(&answer), 422, "invalid_value", "[1].occurred_at")?;
    assert_eq!(
        answer.2["error"]["message"],
        "[1].occurred_at: 2100-01-04T00:00:00Z is 3 days in the future (more than the tolerance of 2 days; set records.future_tolerance_days to allow it)"
    );
    let lead = r#"{"created_at": "2100-01-01", "contact_id": "C1", "status": "qualified", "closed_at": "2100-01-05"}"#;
    let answer = app
        .send(Method::PUT, "/v1/leads/L1", ingest, Some(lead))
        .await?;
    expect(refusal(&answer), 422, "invalid_value", "closed_at")?;
    assert_eq!(
        answer.2["error"]["message"],
        "closed_at: 2100-01-05T00:00:00Z is 4 days in the future (more than the tolerance of 2 days; set records.future_tolerance_days to allow it)"
    );
    let lead = r#"{"created_at": "2100-01-04", "contact_id": "C1"}"#;
    let answer = app
        .send(Method::PUT, "/v1/leads/L1", ingest, Some(lead))
        .await?;
    expect(refusal(&answer), 422, "invalid_value", "created_at")?;
    let counts = db.store.records().counts().await?;
    assert_eq!(
        (counts.leads, counts.interactions),
        (0, 0),
        "a refused write wrote something"
    );

    // Within the tolerance: a day and a half ahead.
    let one = r#"{"interaction_id": "I3", "kind": "EmailClicked", "occurred_at": "2100-01-02T12:00:00Z", "contact_id": "C1"}"#;
    let answer = app
        .send(Method::POST, "/v1/interactions", ingest, Some(one))
        .await?;
    assert_eq!(answer.0, StatusCode::OK, "{}", answer.2);
    assert_eq!(answer.2["records"], 1);
    let lead = r#"{"created_at": "2100-01-03", "contact_id": "C1"}"#;
    let answer = app
        .send(Method::PUT, "/v1/leads/L1", ingest, Some(lead))
        .await?;
    assert_eq!(answer.0, StatusCode::OK, "{}", answer.2);
    app.running.shutdown().await?;
    db.finish().await?;
    Ok(())
}
leadscore_store::on_both_backends!(future_times_are_refused);

/// Issue 19: an interaction kind close to a standard kind (`EmailClikced`)
/// or to a declared one is refused with 422 `invalid_value` naming the field,
/// and nothing is written; a declared kind (`records.custom_kinds`) and a
/// custom kind far from every kind (`WebinarWatched`) are accepted.
async fn near_miss_kinds_are_refused(db: TestDb) -> TestResult {
    let app = App::start_with(&db, |s| {
        s.records.custom_kinds = vec!["WebsiteVisit".to_owned()];
    })
    .await?;
    let ingest = Some(Role::Ingest);
    let answer = app
        .send(Method::PUT, "/v1/contacts/C1", ingest, Some("{}"))
        .await?;
    assert_eq!(answer.0, StatusCode::OK, "{}", answer.2);

    let batch = r#"[
        {"interaction_id": "I1", "kind": "EmailClicked", "occurred_at": "2026-01-01T12:00:00Z", "contact_id": "C1"},
        {"interaction_id": "I2", "kind": "EmailClikced", "occurred_at": "2026-01-02T00:00:00Z", "contact_id": "C1"}
    ]"#;
    let answer = app
        .send(Method::POST, "/v1/interactions", ingest, Some(batch))
        .await?;
    expect(refusal(&answer), 422, "invalid_value", "[1].kind")?;
    assert_eq!(
        answer.2["error"]["message"],
        "[1].kind: interaction kind \"EmailClikced\" is neither a standard nor a declared kind; did you mean EmailClicked? (declare it in records.custom_kinds to keep it as a custom kind)"
    );
    let one = r#"{"interaction_id": "I3", "kind": "WebsiteVisti", "occurred_at": "2026-01-02T00:00:00Z", "contact_id": "C1"}"#;
    let answer = app
        .send(Method::POST, "/v1/interactions", ingest, Some(one))
        .await?;
    expect(refusal(&answer), 422, "invalid_value", "kind")?;
    assert_eq!(
        answer.2["error"]["message"],
        "kind: interaction kind \"WebsiteVisti\" is neither a standard nor a declared kind; did you mean WebsiteVisit? (declare it in records.custom_kinds to keep it as a custom kind)"
    );
    let counts = db.store.records().counts().await?;
    assert_eq!(counts.interactions, 0, "a refused write wrote something");

    let fine = r#"[
        {"interaction_id": "I4", "kind": "WebsiteVisit", "occurred_at": "2026-01-02T00:00:00Z", "contact_id": "C1"},
        {"interaction_id": "I5", "kind": "WebinarWatched", "occurred_at": "2026-01-02T00:00:00Z", "contact_id": "C1"}
    ]"#;
    let answer = app
        .send(Method::POST, "/v1/interactions", ingest, Some(fine))
        .await?;
    assert_eq!(answer.0, StatusCode::OK, "{}", answer.2);
    assert_eq!(answer.2["records"], 2);
    app.running.shutdown().await?;
    db.finish().await?;
    Ok(())
}
leadscore_store::on_both_backends!(near_miss_kinds_are_refused);

/// `POST /v1/imports` (issue 19): a CRM export through a shipped mapping or a
/// mapping document; a dry run writes nothing and lists every problem at its
/// place in the export; a bad export is refused (422) with every problem
/// located, and a good one is written with its leads queued for rescoring.
async fn export_imports(db: TestDb) -> TestResult {
    let app = App::start(&db).await?;
    let ingest = Some(Role::Ingest);
    let leads = "Id,Company,LeadSource,Status,CreatedDate,ConvertedDate\n\
        00Q1,Acme,Web,Closed - Converted,2026-09-01T09:15:00.000Z,2026-10-02\n\
        00Q2,Globex,Trade Show,Closed - Won,2026-09-03T11:00:00.000Z,\n\
        00Q3,Acme,Web,Working - Contacted,09/05/2026,\n";
    let body = |mapping: &str, leads: &str, dry_run: bool| {
        serde_json::json!({"mapping": mapping, "files": {"Lead.csv": leads}, "dry_run": dry_run})
            .to_string()
    };
    let answer = app
        .send(
            Method::POST,
            "/v1/imports",
            ingest,
            Some(&body("salesforce", leads, true)),
        )
        .await?;
    if answer.0 != StatusCode::OK {
        return Err(format!("a dry run answered {}: {}", answer.0, answer.2).into());
    }
    let problems: Vec<String> = answer.2["problems"]
        .as_array()
        .map(|p| {
            p.iter()
                .map(|p| {
                    format!(
                        "{}: {}",
                        p["field"].as_str().unwrap_or(""),
                        p["message"].as_str().unwrap_or("")
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert!(
        problems[0].starts_with(
            "Lead.csv line 3, column Status: \"Closed - Won\" is not one of the values"
        ),
        "{problems:?}"
    );
    assert_eq!(answer.2["dry_run"], true);
    let answer = app
        .send(Method::GET, "/v1/leads/00Q1/scores", Some(Role::Read), None)
        .await?;
    expect(refusal(&answer), 404, "not_found", "")?;

    // Refused: every problem located, nothing written.
    let answer = app
        .send(
            Method::POST,
            "/v1/imports",
            ingest,
            Some(&body("salesforce", leads, false)),
        )
        .await?;
    expect(
        refusal(&answer),
        422,
        "invalid_value",
        "Lead.csv line 3, column Status",
    )?;

    // A mapping document of one's own, with the day/month order stated.
    let mapping = "name: mine\ndates:\n  order: month-first\nsources:\n  - file: Lead.csv\n    leads:\n      lead_id: Id\n      created_at: CreatedDate\n      contact_id: Id\n      status: { column: Status, values: { Closed - Converted: qualified, Closed - Won: qualified, Working - Contacted: open } }\n    contacts:\n      contact_id: Id\n    others: drop\n";
    let answer = app
        .send(
            Method::POST,
            "/v1/imports",
            ingest,
            Some(&body(mapping, leads, false)),
        )
        .await?;
    if answer.0 != StatusCode::OK {
        return Err(format!("the import answered {}: {}", answer.0, answer.2).into());
    }
    assert_eq!(answer.2["written"]["rescoring"], 3, "{}", answer.2);
    // A file name with a folder, and a mapping that does not read.
    let bad_name =
        serde_json::json!({"mapping": "flat", "files": {"../x.csv": "a\n1\n"}}).to_string();
    let answer = app
        .send(Method::POST, "/v1/imports", ingest, Some(&bad_name))
        .await?;
    expect(refusal(&answer), 422, "invalid_value", "files.../x.csv")?;
    let answer = app
        .send(
            Method::POST,
            "/v1/imports",
            ingest,
            Some(&body("salesforse", leads, true)),
        )
        .await?;
    expect(refusal(&answer), 422, "invalid_document", "mapping")?;
    let answer = app
        .send(
            Method::POST,
            "/v1/imports",
            Some(Role::Read),
            Some(&body("salesforce", leads, true)),
        )
        .await?;
    expect(refusal(&answer), 403, "forbidden", "")?;
    app.running.shutdown().await?;
    db.finish().await?;
    Ok(())
}
leadscore_store::on_both_backends!(export_imports);
