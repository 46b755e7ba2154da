//! Hostile input (issue 17): each answer is a clean refusal or a harmless
//! echo, on both stores.

use leadscore_store::testing::TestDb;
use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::support::{ENGAGEMENT, seed, spawn};

/// A lead id a spreadsheet would run as a formula.
const FORMULA_ID: &str = "=HYPERLINK(\"http://evil.example\",\"open\")";

/// Every byte but letters and digits percent-encoded, for a path segment.
fn percent_encoded(text: &str) -> String {
    text.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() {
                char::from(b).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// A lead whose id is a formula is exported as text: the cell starts with
/// `'`, so no spreadsheet runs it (OWASP: CSV injection).
async fn csv_export_neutralizes_formulas(db: TestDb) {
    let app = spawn(db).await;
    app.put_model("Engagement", ENGAGEMENT).await;
    seed(&app).await;
    let path = format!("/v1/leads/{}", percent_encoded(FORMULA_ID));
    let (status, answer) = app
        .call(
            Method::PUT,
            &path,
            Some(&app.ingest),
            Some(&json!({"created_at": "2026-01-01", "contact_id": "C1"})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    app.eventually("both leads scored", || async {
        let (_, page) = app
            .call(
                Method::GET,
                "/v1/rule-models/Engagement/scores",
                Some(&app.read),
                None,
            )
            .await;
        (page["total"] == 2).then_some(())
    })
    .await;
    let (status, _, csv) = app
        .bytes("/v1/rule-models/Engagement/scores.csv", &app.read)
        .await;
    assert_eq!(status, StatusCode::OK);
    let mut reader = csv::Reader::from_reader(csv.as_slice());
    let ids: Vec<String> = reader.records().map(|r| r.unwrap()[0].to_owned()).collect();
    assert!(ids.contains(&format!("'{FORMULA_ID}")), "{ids:?}");
    assert!(ids.contains(&"L1".to_owned()), "{ids:?}");
    assert!(ids.iter().all(|id| !id.starts_with('=')), "{ids:?}");
    app.stop().await;
}
leadscore_store::on_both_backends!(csv_export_neutralizes_formulas);
