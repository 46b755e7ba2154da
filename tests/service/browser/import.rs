//! Importing a CRM export in the console (issue 19): a Salesforce lead export
//! chosen as a file, checked (the mistake named at its line and column,
//! nothing written), corrected, imported, and its leads in the leads table.

use super::*;

const EXPORT: &str = "Id,FirstName,LastName,Company,Title,LeadSource,Status,CreatedDate,ConvertedDate\n\
00Q5e00000AbCdE1,Ada,Byron,Acme Corp,CTO,Web,Closed - Converted,2026-09-01T09:15:00.000Z,2026-10-02\n\
00Q5e00000AbCdE2,Grace,Hopper,Navy Yard,Engineer,Trade Show,Closed - Won,2026-09-03T11:00:00.000Z,\n\
00Q5e00000AbCdE3,Alan,Turing,Acme Corp,Analyst,Web,Working - Contacted,2026-10-05T14:30:00.000Z,\n";

async fn importing_an_export(db: TestDb) {
    let Some((app, browser)) = start(db, "importing_an_export").await else {
        return;
    };
    users::create_user(&app.store, "ops@example.com", Role::Ingest, Some(PASSWORD))
        .await
        .unwrap();
    browser.goto("/console/").await;
    browser.sign_in("ops@example.com", PASSWORD).await;
    browser.wait_for_path("/console/").await;
    browser.click("Import").await;
    browser.wait_for_path("/console/import").await;
    assert_eq!(browser.heading().await, "Import an export");

    // The file, chosen as a person chooses it: its text fills the form.
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("Lead.csv");
    std::fs::write(&bad, EXPORT).unwrap();
    browser
        .field("The export's file (CSV)")
        .await
        .send_keys(bad.to_str().unwrap())
        .await
        .unwrap();
    browser
        .wait_until(
            "return document.getElementById('csv').value.startsWith('Id,FirstName')",
            "the file's text in the form",
        )
        .await;
    browser.click("Check (writes nothing)").await;
    let problem = browser.wait_for_text(".problems li", "line 3").await;
    assert_eq!(
        problem,
        "Lead.csv line 3, column Status: \"Closed - Won\" is not one of the values the mapping lists for status (Open - Not Contacted, Working - Contacted, Open, Working, Nurturing, New, Closed - Converted, Converted, Qualified, Closed - Not Converted, Unqualified, Disqualified)"
    );
    browser.screenshot("import-check").await;
    assert_eq!(
        leadscore_store::Store::counts(&app.store)
            .await
            .unwrap()
            .leads,
        0,
        "a check writes nothing"
    );

    // Corrected and imported: the leads are in the table.
    let good = dir.path().join("Lead-fixed.csv");
    std::fs::write(
        &good,
        EXPORT.replace("Closed - Won", "Closed - Not Converted"),
    )
    .unwrap();
    browser
        .field("The export's file (CSV)")
        .await
        .send_keys(good.to_str().unwrap())
        .await
        .unwrap();
    browser
        .wait_until(
            "return !document.getElementById('csv').value.includes('Closed - Won')",
            "the corrected file's text in the form",
        )
        .await;
    // The mapping reads Lead*.csv: the chosen file's name came with it.
    browser
        .click_in("form[action='/console/import']", "Import")
        .await;
    browser
        .wait_for_text("[role=status]", "leads are being rescored")
        .await;
    browser.screenshot("import-done").await;
    browser
        .reload_until_table("/console/leads", "main table", |_, rows| rows.len() == 3)
        .await;
    browser.close().await;
    app.stop().await;
}
scenarios!(importing_an_export);
