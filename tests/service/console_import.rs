//! The console's import page (issue 19): an export checked through a
//! shipped mapping (every problem at its place in the export, nothing
//! written), then imported and rescored; a read user cannot import; on
//! SQLite and PostgreSQL.

use leadscore_engine::Role;
use leadscore_store::testing::TestDb;
use reqwest::StatusCode;

use crate::console_support::{get, post_form, signed_in};
use crate::support::{App, spawn};

const LEADS: &str = "Id,FirstName,Company,LeadSource,Status,CreatedDate,ConvertedDate\n\
00Q1,Ada,Acme,Web,Closed - Converted,2026-09-01T09:15:00.000Z,2026-10-02\n\
00Q2,Grace,Globex,Trade Show,Closed - Won,2026-09-03T11:00:00.000Z,\n\
00Q3,Alan,Acme,Web,Working - Contacted,2026-10-05T14:30:00.000Z,\n";

async fn stored_leads(app: &App) -> u64 {
    leadscore_store::Store::counts(&app.store)
        .await
        .unwrap()
        .leads
}

async fn console_import(db: TestDb) {
    let app = spawn(db).await;
    let (ingest, csrf) = signed_in(&app, "ingest@example.com", Role::Ingest).await;
    let page = get(&app, &ingest, "/console/import").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body.contains("<option value=\"salesforce\" selected>"),
        "{}",
        page.body
    );

    let form = |csv: &str, button: &'static str| {
        vec![
            ("csrf", csrf.clone()),
            ("mapping", "salesforce".to_owned()),
            ("own", String::new()),
            ("file_name", "Lead.csv".to_owned()),
            ("csv", csv.to_owned()),
            (button, "1".to_owned()),
        ]
    };

    // The check: the problem at its place, the records shown, nothing written.
    let checked = post_form(&app, &ingest, "/console/import", &form(LEADS, "dry_run")).await;
    assert_eq!(
        checked.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        checked.body
    );
    assert!(
        checked
            .body
            .contains("The check found 1 problem: nothing was written."),
        "{}",
        checked.body
    );
    assert!(
        checked.body.contains("<strong>Lead.csv line 3, column Status</strong>: &quot;Closed - Won&quot; is not one of the values"),
        "{}",
        checked.body
    );
    assert!(
        checked.body.contains("leads.csv: 2 records"),
        "{}",
        checked.body
    );
    assert_eq!(stored_leads(&app).await, 0);

    // Import refuses the bad export whole.
    let refused = post_form(&app, &ingest, "/console/import", &form(LEADS, "import")).await;
    assert_eq!(
        refused.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        refused.body
    );
    assert!(
        refused.body.contains("Nothing was imported"),
        "{}",
        refused.body
    );
    assert_eq!(stored_leads(&app).await, 0);

    // Corrected, it goes in and is rescored.
    let good = LEADS.replace("Closed - Won", "Closed - Not Converted");
    let done = post_form(&app, &ingest, "/console/import", &form(&good, "import")).await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.body);
    assert!(
        done.body.contains("leads are being rescored"),
        "{}",
        done.body
    );
    assert_eq!(stored_leads(&app).await, 3);

    // A read user gets the form but cannot import.
    let (reader, read_csrf) = signed_in(&app, "reader@example.com", Role::Read).await;
    let mut as_reader = form(&good, "import");
    as_reader[0].1 = read_csrf;
    let forbidden = post_form(&app, &reader, "/console/import", &as_reader).await;
    assert_eq!(forbidden.status, StatusCode::FORBIDDEN);
    // Without the CSRF token: refused.
    let mut no_token = form(&good, "dry_run");
    no_token[0].1 = String::new();
    let refused = post_form(&app, &ingest, "/console/import", &no_token).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    app.stop().await;
}
leadscore_store::on_both_backends!(console_import);
