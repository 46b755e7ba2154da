//! The console's lead page, end to end over HTTP with a cookie-keeping
//! client: the lead's contact, interactions, every rule that held as a
//! sentence with its points, the conversion model's factors as sentences
//! (never a bin's edges), the score history as an SVG chart with its table;
//! 404 for an unknown lead, 400 for an id no lead can have, 303 to sign-in
//! when not signed in; on SQLite and PostgreSQL.

use leadscore_engine::Role;
use leadscore_engine::users;
use leadscore_store::testing::TestDb;
use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::console_support::{Answer, PASSWORD, browser, get, sign_in_to};
use crate::model_score;
use crate::support::{ENGAGEMENT, clicks, publish_conversion_model, seed, spawn};

/// The part of a page from `start` to the end of its section.
fn section<'a>(html: &'a str, start: &str) -> &'a str {
    let from = html
        .find(start)
        .unwrap_or_else(|| panic!("no {start} in {html}"));
    let rest = &html[from..];
    &rest[..rest.find("</section>").unwrap()]
}

async fn the_lead_page(db: TestDb) {
    let app = spawn(db).await;
    app.put_model("Engagement", ENGAGEMENT).await;
    publish_conversion_model(&app).await;
    seed(&app).await;
    let (status, body) = app
        .call(
            Method::PUT,
            "/v1/contacts/C1",
            Some(&app.ingest),
            Some(&json!({"account_id": "A1", "first_name": "Ada", "last_name": "Lovelace <CTO>",
                         "job_title": "CTO", "email": "ada@example.com", "favourite_colour": "teal"})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, body) = app
        .call(
            Method::POST,
            "/v1/interactions",
            Some(&app.ingest),
            Some(&clicks(0, 3)),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    // Three clicks: 30 points, sales-ready; the conversion model's factors
    // carry the lead's own values.
    let scores = app
        .scores_when("L1", |s| {
            model_score(s, "Engagement") == Some(30)
                && s["conversion"]["version"] == 1
                && s["sales_ready"] == true
        })
        .await;
    let factors = scores["conversion"]["contributions"].as_array().unwrap();
    let employees = factors
        .iter()
        .find(|f| f["column"] == "account.employees")
        .unwrap_or_else(|| panic!("{scores}"));
    assert_eq!(employees["value"], "100", "{scores}");

    // Not signed in: to sign-in, back here after.
    let client = browser();
    let out = get(&app, &client, "/console/leads/L1").await;
    assert_eq!(out.status, StatusCode::SEE_OTHER);
    assert_eq!(
        out.location,
        "/console/sign-in?next=%2Fconsole%2Fleads%2FL1"
    );

    // The read role is enough.
    users::create_user(&app.store, "reader@example.com", Role::Read, Some(PASSWORD))
        .await
        .unwrap();
    let signed = sign_in_to(
        &app,
        &client,
        "reader@example.com",
        PASSWORD,
        "/console/leads/L1",
    )
    .await;
    assert_eq!(signed.status, StatusCode::SEE_OTHER);

    let Answer {
        status, body: html, ..
    } = get(&app, &client, "/console/leads/L1").await;
    assert_eq!(status, StatusCode::OK, "{html}");
    // The header: the contact's name (escaped), the company, the flag.
    assert!(html.contains("<h1>Ada Lovelace &lt;CTO&gt;</h1>"), "{html}");
    assert!(!html.contains("Lovelace <CTO>"));
    assert!(html.contains("Acme"));
    assert!(html.contains("flagged by Engagement"), "{html}");
    // The contact card with its custom field.
    assert!(html.contains("ada@example.com") && html.contains("teal"));
    // The interactions, newest first, with their properties.
    let interactions = section(&html, "id=\"interactions-title\"");
    assert!(interactions.contains("Interactions (3)"), "{interactions}");
    assert!(interactions.contains("email clicked"), "{interactions}");
    assert!(interactions.contains("spring-launch"), "{interactions}");
    // Every rule that held as a sentence with its points.
    assert!(
        html.contains("Clicked an email — 3 times in the last 30 days: +30 points (at most 50)"),
        "{html}"
    );
    assert!(html.contains("sales-ready</strong> (reached 30)"), "{html}");
    // The conversion model: a rounded percentage and its factors as
    // sentences about the lead's values, never a bin's edges.
    let conversion = section(&html, "id=\"conversion\"");
    assert!(
        conversion.contains("Conversion model (version 1)"),
        "{conversion}"
    );
    assert!(
        conversion.contains("%</strong> chance of converting"),
        "{conversion}"
    );
    assert!(conversion.contains("Leads whose"), "{conversion}");
    assert!(conversion.contains("likely to convert"), "{conversion}");
    assert!(!conversion.contains('['), "{conversion}");
    // The history as a chart with a title, and its table.
    let history = section(&html, "id=\"history-heading\"");
    assert!(history.contains("<svg"), "{history}");
    assert!(history.contains("data-chart=\"score-history\""));
    assert!(
        history.contains(
            "<title id=\"history-title\">Score history of Ada Lovelace &lt;CTO&gt;</title>"
        )
    );
    assert!(history.contains("Sales-ready flag"), "{history}");
    assert!(history.contains("Rule model Engagement"), "{history}");

    // Paged interactions.
    let Answer {
        status,
        body: paged,
        ..
    } = get(&app, &client, "/console/leads/L1?per_page=2").await;
    assert_eq!(status, StatusCode::OK);
    assert!(paged.contains("Showing the latest 2 of 3."), "{paged}");
    assert!(paged.contains("Rows 1–2 of 3"), "{paged}");
    assert!(
        paged.contains("href=\"/console/leads/L1?per_page=2&amp;page=2\""),
        "{paged}"
    );

    // An id with a space and a slash, encoded in the link.
    let (status, body) = app
        .call(
            Method::PUT,
            "/v1/leads/Q%201%2Fx",
            Some(&app.ingest),
            Some(&json!({"created_at": "2026-01-02", "account_id": "A1"})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let Answer {
        status, body: odd, ..
    } = get(&app, &client, "/console/leads/Q%201%2Fx").await;
    assert_eq!(status, StatusCode::OK, "{odd}");
    assert!(odd.contains("<code>Q 1/x</code>"), "{odd}");
    // An account-based lead lists the account's contacts.
    assert!(odd.contains("Contacts at the account (1)"), "{odd}");

    // Unknown and impossible ids.
    let Answer {
        status,
        body: missing,
        ..
    } = get(&app, &client, "/console/leads/NOPE").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(
        missing.contains("No lead has the id &quot;NOPE&quot;."),
        "{missing}"
    );
    assert!(missing.starts_with("<!doctype html>"));
    let Answer {
        status, body: bad, ..
    } = get(&app, &client, "/console/leads/a%01b").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(bad.contains("is not a lead id"), "{bad}");
    app.stop().await;
}

leadscore_store::on_both_backends!(the_lead_page);
