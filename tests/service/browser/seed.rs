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

/// How many leads [`closed_leads`] stores, and how many of them are closed.
pub const CLOSED_LEADS: usize = 30;
pub const CLOSED: usize = 24;

/// A lead stored by [`closed_leads`].
#[derive(Debug, Clone)]
pub struct Closing {
    pub id: String,
    /// Whether its source is `Referral` (else `Web`).
    pub referral: bool,
    /// Email clicks: before its close for a closed lead, in the last hours
    /// for an open one.
    pub clicks: i64,
    pub closed: bool,
}

impl Closing {
    /// Its score under a model of `per_click` points for each email click
    /// within 30 days and `referred` points for a `Referral` source, scored
    /// now (a closed lead's clicks are older than 30 days).
    pub fn score(&self, per_click: i64, referred: i64) -> i64 {
        let clicks = if self.closed { 0 } else { self.clicks };
        per_click * clicks + if self.referral { referred } else { 0 }
    }
}

/// [`CLOSED_LEADS`] leads without any rule model, one contact each at
/// Acme, for the rule designer's backtest: every third came by referral
/// (the others from the web); lead `i` has `i % 4` email clicks. The first
/// [`CLOSED`] closed on 2026-02-01, their clicks in the days before: those
/// with two clicks or more qualified (but one in five), as did the
/// referred ones with an even number; the rest were disqualified. The
/// others are open, their clicks in the last hours.
pub async fn closed_leads(app: &App) -> Vec<Closing> {
    put(
        app,
        "/v1/accounts/A0",
        json!({"name": "Acme", "employees": 100, "industry": "Retail"}),
    )
    .await;
    let closed_at = chrono::DateTime::parse_from_rfc3339("2026-02-01T00:00:00Z").unwrap();
    let now = chrono::Utc::now();
    let mut leads = Vec::new();
    let mut clicks = Vec::new();
    for i in 0..CLOSED_LEADS {
        let lead = Closing {
            id: format!("L{i:02}"),
            referral: i % 3 == 0,
            clicks: (i % 4) as i64,
            closed: i < CLOSED,
        };
        put(
            app,
            &format!("/v1/contacts/C{i:02}"),
            json!({
                "account_id": "A0",
                "first_name": format!("Bo{i:02}"),
                "last_name": "Kim",
                "email": format!("bo{i:02}@example.com"),
            }),
        )
        .await;
        let mut body = json!({
            "created_at": "2026-01-01",
            "contact_id": format!("C{i:02}"),
            "account_id": "A0",
            "source": if lead.referral { "Referral" } else { "Web" },
        });
        if lead.closed {
            let qualified = (lead.clicks >= 2 && i % 5 != 0) || (lead.referral && i % 2 == 0);
            body["status"] = json!(if qualified {
                "qualified"
            } else {
                "disqualified"
            });
            body["closed_at"] = json!("2026-02-01");
        }
        put(app, &format!("/v1/leads/{}", lead.id), body).await;
        for k in 0..lead.clicks {
            let at = if lead.closed {
                (closed_at - chrono::Duration::days(k + 1)).to_rfc3339()
            } else {
                (now - chrono::Duration::hours(k + 1)).to_rfc3339()
            };
            clicks.push(json!({
                "interaction_id": format!("I{i:02}-{k}"),
                "kind": "EmailClicked",
                "occurred_at": at,
                "contact_id": format!("C{i:02}"),
                "email_name": "spring-launch",
            }));
        }
        leads.push(lead);
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
    leads
}
