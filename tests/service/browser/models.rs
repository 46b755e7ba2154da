//! Routing changed through its forms, and a conversion model published and rolled back.

use super::*;

/// Routing changed through the console's forms: a mistake is marked at its
/// field and nothing is saved; a good rule sends the hot leads to a queue,
/// which the queues and the leads table then show; deleting the rule (after
/// the browser's "are you sure?") takes them out again.
async fn changing_routing(db: TestDb) {
    let Some((app, browser)) = start(db, "changing_routing").await else {
        return;
    };
    let leads = seed::leads(&app).await;
    let hot: Vec<&seed::Lead> = leads.iter().filter(|l| l.grade == "Hot").collect();
    users::create_user(&app.store, "ops@example.com", Role::Admin, Some(PASSWORD))
        .await
        .unwrap();
    browser.goto("/console/").await;
    browser.sign_in("ops@example.com", PASSWORD).await;
    browser.wait_for_path("/console/").await;
    assert_eq!(browser.heading().await, "Overview");
    browser.screenshot("overview").await;
    browser.click("Routing").await;
    browser.wait_for_path("/console/routing").await;
    assert_eq!(browser.heading().await, "Routing and queues");
    browser.screenshot("routing-empty").await;

    // A queue name with a space: refused, and said at the field.
    browser.fill("Target queue", "hot leads").await;
    browser.fill("Primary grade is one of", "Hot").await;
    browser.click("Add the rule").await;
    let alert = browser.text_of("[role=alert]").await;
    assert!(alert.starts_with("Nothing was saved"), "{alert}");
    let mistake = browser.mistake_at("Target queue").await;
    assert!(!mistake.is_empty());
    // What was typed is kept.
    let grades = browser.field("Primary grade is one of").await;
    assert_eq!(grades.prop("value").await.unwrap().as_deref(), Some("Hot"));
    browser.screenshot("routing-mistake").await;

    browser.fill("Target queue", "hot-leads").await;
    browser.click("Add the rule").await;
    browser
        .wait_for_text("[role=status]", "The rule is added")
        .await;
    let rule = browser.text_of("#rule-1").await;
    assert_eq!(rule, "Rule 1: to hot-leads");
    // Every lead is routed again in the background: the queue fills.
    let want = hot.len().to_string();
    browser
        .reload_until_table(
            "/console/routing",
            "section[aria-labelledby=queues] table",
            |_, rows| rows.iter().any(|r| r[0] == "hot-leads" && r[1] == want),
        )
        .await;
    browser.screenshot("routing").await;
    // The leads table shows each hot lead in the queue, and only those.
    let (_, rows) = browser
        .reload_until_table("/console/leads", "table.leads", |head, rows| {
            let (grade, queue) = (column(head, "Grade"), column(head, "Queue"));
            rows.iter()
                .all(|r| (r[queue] == "hot-leads") == (r[grade] == "Hot"))
        })
        .await;
    assert_eq!(rows.len(), seed::LEADS);
    browser.goto("/console/routing").await;

    // Deleting the rule asks first; then the queue empties.
    browser
        .click_and_confirm("Delete rule 1", "Delete rule 1 (to hot-leads)")
        .await;
    browser
        .reload_until_table("/console/leads", "table.leads", |head, rows| {
            let queue = column(head, "Queue");
            rows.iter().all(|r| r[queue].is_empty())
        })
        .await;

    browser.close().await;
    app.stop().await;
}

/// The version in service, as the API says.
async fn live_conversion(app: &App) -> Option<i64> {
    let (_, list) = app
        .call(reqwest::Method::GET, "/v1/models", Some(&app.read), None)
        .await;
    list.as_array()?
        .iter()
        .find(|v| v["published"] == true)
        .and_then(|v| v["version"].as_i64())
}

/// The conversion model page: two versions published one after the other
/// through its buttons, each after the browser's "are you sure?" that says
/// what will change; then rolled back to the first, which the API confirms.
async fn rolling_back_the_conversion_model(db: TestDb) {
    let Some((app, browser)) = start(db, "rolling_back_the_conversion_model").await else {
        return;
    };
    crate::support::seed(&app).await;
    assert_eq!(crate::support::register_conversion_model(&app).await, 1);
    assert_eq!(crate::support::register_conversion_model(&app).await, 2);
    users::create_user(&app.store, "ops@example.com", Role::Admin, Some(PASSWORD))
        .await
        .unwrap();
    browser.goto("/console/conversion").await;
    browser.sign_in("ops@example.com", PASSWORD).await;
    browser.wait_for_path("/console/conversion").await;
    assert_eq!(browser.heading().await, "Conversion model");
    browser
        .wait_for_text("main", "No version is published")
        .await;

    browser
        .click_and_confirm(
            "Publish version 1",
            "Publishing version 1 puts it in service",
        )
        .await;
    browser.wait_for_text("main", "Version 1 is live").await;
    browser
        .click_and_confirm(
            "Publish version 2",
            "Publishing version 2 replaces version 1",
        )
        .await;
    browser.wait_for_text("main", "Version 2 is live").await;
    assert_eq!(live_conversion(&app).await, Some(2));
    browser.screenshot("conversion").await;

    browser
        .click_and_confirm(
            "Roll back to version 1",
            "Rolling back replaces version 2 with version 1",
        )
        .await;
    browser.wait_for_text("main", "Version 1 is live").await;
    assert_eq!(live_conversion(&app).await, Some(1));

    browser.close().await;
    app.stop().await;
}

scenarios!(changing_routing, rolling_back_the_conversion_model);
