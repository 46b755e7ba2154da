//! The leads table filtered, sorted and exported as .xlsx (read back), and a lead's reasons.

use super::*;

/// The leads table: every seeded lead with its score and grade, highest
/// score first; filtered by grade through the form; ordered by a column's
/// header; exported as .xlsx by the browser, the workbook holding the
/// table's rows in the table's order; then a lead's page, with the reason
/// for its score in words.
async fn leads_table_and_lead(db: TestDb) {
    let Some((app, browser)) = start(db, "leads_table_and_lead").await else {
        return;
    };
    let leads = seed::leads(&app).await;
    users::create_user(&app.store, "seller@example.com", Role::Read, Some(PASSWORD))
        .await
        .unwrap();

    browser.goto("/console/leads").await;
    browser
        .wait_for_path("/console/sign-in?next=%2Fconsole%2Fleads")
        .await;
    browser.sign_in("seller@example.com", PASSWORD).await;
    browser.wait_for_path("/console/leads").await;
    assert_eq!(browser.heading().await, "Leads");
    let (head, rows) = browser.table("table.leads").await;
    let (id, lead, company, score, grade) = (
        column(&head, "Lead id"),
        column(&head, "Lead"),
        column(&head, "Company"),
        column(&head, "Primary score"),
        column(&head, "Grade"),
    );
    assert_eq!(rows.len(), seed::LEADS, "{rows:?}");
    for row in &rows {
        let seeded = leads
            .iter()
            .find(|l| l.id == row[id])
            .unwrap_or_else(|| panic!("an unknown lead in the table: {row:?}"));
        assert!(row[lead].starts_with(&seeded.name), "{row:?}");
        assert_eq!(row[company], seeded.company, "{row:?}");
        assert_eq!(row[score], seeded.score.to_string(), "{row:?}");
        assert_eq!(row[grade], seeded.grade, "{row:?}");
    }
    let scores: Vec<i64> = rows.iter().map(|r| r[score].parse().unwrap()).collect();
    assert!(
        scores.windows(2).all(|w| w[0] >= w[1]),
        "highest score first: {scores:?}"
    );
    browser.screenshot("leads").await;
    browser.screenshot_at("leads-tablet", TABLET).await;

    // Only the hot leads (all are open), through the filter form.
    browser.choose("Grade", "Hot").await;
    browser.tick("Open leads only", true).await;
    browser.click("Apply").await;
    browser.wait_for_path("/console/leads").await;
    let path = browser.path().await;
    assert!(
        path.contains("grade=Hot") && path.contains("open=1"),
        "{path}"
    );
    let mut hot: Vec<&seed::Lead> = leads.iter().filter(|l| l.grade == "Hot").collect();
    assert!(hot.len() >= 2 && hot.len() < leads.len());
    let (_, rows) = browser.table("table.leads").await;
    assert!(rows.iter().all(|r| r[grade] == "Hot"), "{rows:?}");
    assert_eq!(rows.len(), hot.len(), "{rows:?}");

    // Ordered by lead id, with the filter kept.
    assert_eq!(browser.sort_by("Lead id").await, "ascending");
    assert!(browser.path().await.contains("grade=Hot"));
    hot.sort_by(|a, b| a.id.cmp(&b.id));
    let (_, rows) = browser.table("table.leads").await;
    let shown: Vec<&str> = rows.iter().map(|r| r[id].as_str()).collect();
    let wanted: Vec<&str> = hot.iter().map(|l| l.id.as_str()).collect();
    assert_eq!(shown, wanted);
    browser.screenshot("leads-hot-by-id").await;

    // The view as .xlsx, downloaded by the browser and read back.
    browser.press("Excel (.xlsx)").await;
    let file = browser.downloaded(".xlsx").await;
    let sheet = xlsx_rows(&file, "Leads");
    let (xhead, xrows) = sheet.split_first().unwrap();
    let (xid, xname, xscore, xgrade) = (
        column(xhead, "lead_id"),
        column(xhead, "name"),
        column(xhead, "primary_score"),
        column(xhead, "primary_grade"),
    );
    let exported: Vec<(&str, &str, &str, &str)> = xrows
        .iter()
        .map(|r| {
            (
                r[xid].as_str(),
                r[xname].as_str(),
                r[xscore].as_str(),
                r[xgrade].as_str(),
            )
        })
        .collect();
    let table: Vec<(String, String, String, String)> = hot
        .iter()
        .map(|l| {
            (
                l.id.clone(),
                l.name.clone(),
                l.score.to_string(),
                "Hot".into(),
            )
        })
        .collect();
    let table: Vec<(&str, &str, &str, &str)> = table
        .iter()
        .map(|(a, b, c, d)| (a.as_str(), b.as_str(), c.as_str(), d.as_str()))
        .collect();
    assert_eq!(exported, table, "the workbook holds the table's rows");

    // A lead's page: the reason for its score, in words.
    let three = leads
        .iter()
        .find(|l| l.clicks == 3 && l.company != "Globex")
        .unwrap();
    browser.click(&three.name).await;
    browser
        .wait_for_path(&format!("/console/leads/{}", three.id))
        .await;
    assert_eq!(browser.heading().await, three.name);
    let reasons = browser.texts_of(".reasons .sentence").await;
    let clicked = reasons
        .iter()
        .find(|r| r.starts_with("Clicked an email"))
        .unwrap_or_else(|| panic!("no reason names the clicks: {reasons:?}"));
    assert!(
        clicked.contains("3 times") && clicked.contains("+30 points"),
        "{clicked}"
    );
    browser.screenshot("lead").await;
    browser
        .scroll_to("section[aria-labelledby=rules-title]")
        .await;
    browser.screenshot("lead-reasons").await;

    browser.close().await;
    app.stop().await;
}

scenarios!(leads_table_and_lead);
