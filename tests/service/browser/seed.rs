//! Records for the browser scenarios, stored through the API as a CRM would
//! send them, and the scores they must get.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::support::{App, ENGAGEMENT};

/// How many leads [`leads`] stores.
pub const LEADS: usize = 12;

/// Three companies: Globex is big (over 500 employees: 20 more points).
const COMPANIES: [(&str, i64); 3] = [("Acme", 100), ("Globex", 1000), ("Initech", 50)];

/// A stored lead and what the Engagement model ([`ENGAGEMENT`]) scores it.
#[derive(Debug, Clone)]
pub struct Lead {
    pub id: String,
    pub name: String,
    pub company: String,
    pub clicks: usize,
    pub score: i64,
    pub grade: &'static str,
}

async fn put(app: &App, path: &str, body: Value) {
    let (status, answer) = app
        .call(Method::PUT, path, Some(&app.ingest), Some(&body))
        .await;
    assert_eq!(status, StatusCode::OK, "{path}: {answer}");
}

/// The Engagement rule model and [`LEADS`] leads: lead `i` (`L01`...) is
/// Ann{i} Lee's, at company `i % 3`, with `i % 4` email clicks in the last
/// hours (10 points each); Globex's leads get 20 points more. Waits until the
/// service has scored them all; gives them with their scores.
pub async fn leads(app: &App) -> Vec<Lead> {
    app.put_model("Engagement", ENGAGEMENT).await;
    for (a, (name, employees)) in COMPANIES.iter().enumerate() {
        put(
            app,
            &format!("/v1/accounts/A{a}"),
            json!({"name": name, "employees": employees, "industry": "Retail"}),
        )
        .await;
    }
    let now = chrono::Utc::now();
    let mut leads = Vec::new();
    let mut clicks = Vec::new();
    for i in 1..=LEADS {
        let (company, employees) = COMPANIES[i % 3];
        let first = format!("Ann{i:02}");
        put(
            app,
            &format!("/v1/contacts/C{i:02}"),
            json!({
                "account_id": format!("A{}", i % 3),
                "first_name": first,
                "last_name": "Lee",
                "email": format!("ann{i:02}@example.com"),
                "job_title": "Buyer",
            }),
        )
        .await;
        put(
            app,
            &format!("/v1/leads/L{i:02}"),
            json!({
                "created_at": "2026-01-01",
                "contact_id": format!("C{i:02}"),
                "account_id": format!("A{}", i % 3),
                "source": if i % 2 == 0 { "Partner" } else { "Web" },
            }),
        )
        .await;
        for k in 0..i % 4 {
            clicks.push(json!({
                "interaction_id": format!("I{i:02}-{k}"),
                "kind": "EmailClicked",
                "occurred_at": (now - chrono::Duration::hours(k as i64 + 1)).to_rfc3339(),
                "contact_id": format!("C{i:02}"),
                "email_name": "spring-launch",
            }));
        }
        let score = 10 * (i % 4) as i64 + if employees > 500 { 20 } else { 0 };
        leads.push(Lead {
            id: format!("L{i:02}"),
            name: format!("{first} Lee"),
            company: company.to_owned(),
            clicks: i % 4,
            score,
            grade: match score {
                ..=19 => "Cold",
                20..=29 => "Warm",
                _ => "Hot",
            },
        });
    }
    let (status, answer) = app
        .call(
            Method::POST,
            "/v1/interactions",
            Some(&app.ingest),
            Some(&Value::Array(clicks)),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    for lead in &leads {
        app.scores_when(&lead.id, |s| {
            s["models"].as_array().is_some_and(|models| {
                models
                    .iter()
                    .any(|m| m["model"] == "Engagement" && m["score"] == lead.score)
            })
        })
        .await;
    }
    leads
}
