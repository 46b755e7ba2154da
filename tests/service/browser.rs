//! The web console in a real browser (Debian's headless Chromium, driven
//! over WebDriver by chromedriver), used as a person would: signing in with
//! the keyboard, following the first-admin and invitation links, inviting a
//! person, signing out; the leads table filtered, sorted and exported as
//! .xlsx (read back), and a lead's reasons; routing changed through its
//! forms, a mistake marked at its field; a conversion model published and
//! rolled back; a rule model designed from nothing (mistakes marked as one
//! types, the backtest following the points, saved, its scores in the leads
//! table, a second version's differences, the first restored);
//! administration (an API key shown once then revoked, a webhook secret no
//! page holds); a read user changing nothing; on SQLite and PostgreSQL.
//!
//! Each scenario starts the service on port 0 with a fresh database and its
//! own browser (`browser/harness.rs`). A missing Chromium or chromedriver
//! skips the scenarios with a note, unless `LEADSCORE_REQUIRE_CHROMIUM` is
//! set (CI sets it), which fails them. With `LEADSCORE_SCREENSHOTS=DIR` the
//! SQLite runs save a PNG of each page into DIR (`scripts/screenshots.sh`).

mod harness;
mod seed;

use leadscore_engine::users;
use leadscore_engine::{Role, model_registry};
use leadscore_store::Backend;
use leadscore_store::testing::TestDb;

use crate::support::{App, spawn};
use harness::{Browser, TABLET};

const PASSWORD: &str = "correct horse battery";

/// The service on a fresh `db` and a browser for it; `None` (after dropping
/// the database) when the browser tests are skipped here.
async fn start(db: TestDb, test: &str) -> Option<(App, Browser)> {
    if !harness::available(test) {
        db.finish().await.unwrap();
        return None;
    }
    // One run of each scenario saves the screenshots: SQLite's.
    let screenshots = db.backend() == Backend::Sqlite;
    let app = spawn(db).await;
    let browser = Browser::open(&app, screenshots).await;
    Some((app, browser))
}

/// Opening the console leads to the sign-in page; a wrong password is told
/// at the form; signing in with the keyboard (email, Tab, password, Enter)
/// lands on the page asked for; signing out ends it, and a page then needs
/// signing in again.
async fn signing_in_and_out(db: TestDb) {
    let Some((app, browser)) = start(db, "signing_in_and_out").await else {
        return;
    };
    users::create_user(&app.store, "reader@example.com", Role::Read, Some(PASSWORD))
        .await
        .unwrap();

    browser.goto("/").await;
    browser
        .wait_for_path("/console/sign-in?next=%2Fconsole%2F")
        .await;
    assert_eq!(browser.heading().await, "Sign in");
    browser.screenshot("sign-in").await;

    browser
        .sign_in("reader@example.com", "not the password")
        .await;
    let error = browser.text_of("[role=alert]").await;
    assert_eq!(error, "The email or the password is wrong.");
    // The email stays typed; the password is asked again.
    let email = browser.field("Email").await;
    assert_eq!(
        email.prop("value").await.unwrap().as_deref(),
        Some("reader@example.com")
    );
    // The password field has the focus: it is what to type again.
    browser
        .wait_until(
            "const e = document.activeElement; return !!e && e.id === 'password'",
            "the password field never had the focus after a refused sign-in",
        )
        .await;
    browser.screenshot("sign-in-wrong-password").await;

    browser.goto("/console/").await;
    browser.wait_for_path("/console/sign-in").await;
    browser.sign_in("Reader@Example.com", PASSWORD).await;
    browser.wait_for_path("/console/").await;
    assert_eq!(browser.heading().await, "Overview");
    let header = browser.text_of("header").await;
    assert!(
        header.contains("reader@example.com (read)"),
        "the header names who is signed in: {header:?}"
    );
    // A reader has no Users link, and the page answers 403.
    assert!(!browser.has("nav a[href='/console/users']").await);
    browser.goto("/console/users").await;
    let refusal = browser.text_of("[role=alert]").await;
    assert!(refusal.contains("This needs the admin role"), "{refusal}");

    browser.sign_out().await;
    assert_eq!(browser.heading().await, "Sign in");
    browser.goto("/console/").await;
    browser
        .wait_for_path("/console/sign-in?next=%2Fconsole%2F")
        .await;

    browser.close().await;
    app.stop().await;
}

/// The first-admin link makes the first admin, who lands on the overview;
/// on the users page they invite a person through the form and see the
/// one-time link; that person sets a password through it and is signed in
/// with their role; after signing out, the users page needs signing in
/// again, which leads back to it.
async fn first_admin_and_invitation(db: TestDb) {
    let Some((app, browser)) = start(db, "first_admin_and_invitation").await else {
        return;
    };
    let link = users::first_admin_link(&app.store).await.unwrap().unwrap();

    browser
        .goto(&format!("/console/first-admin?token={}", link.token))
        .await;
    assert_eq!(browser.heading().await, "Welcome: make the first admin");
    browser.screenshot("first-admin").await;
    browser.fill("Email", "boss@example.com").await;
    browser.fill("Password", "too short").await;
    browser.fill("The password again", "too short").await;
    // The browser itself holds the form back: the field asks for 12
    // characters (`minlength`).
    let short = browser
        .script(
            "return document.getElementById('password').validity.tooShort",
            vec![],
        )
        .await;
    assert_eq!(short, true, "the password field allows a short password");
    browser.fill("Password", PASSWORD).await;
    browser.fill("The password again", PASSWORD).await;
    browser.click("Set the password and sign in").await;
    browser.wait_for_path("/console/").await;
    assert_eq!(browser.heading().await, "Overview");
    assert!(
        browser
            .text_of("header")
            .await
            .contains("boss@example.com (admin)")
    );
    browser.screenshot("overview-first-admin").await;

    // The users page, through the navigation.
    browser.click("Users").await;
    browser.wait_for_path("/console/users").await;
    assert_eq!(browser.heading().await, "Users");
    browser.screenshot("users").await;
    browser.fill("Email", "seller@example.com").await;
    browser.choose("Role", "ingest: also sends records").await;
    browser.click("Invite").await;
    let notice = browser
        .wait_for_text("[role=status]", "Invited seller@example.com as ingest")
        .await;
    let invitation = browser.text_of("[role=status] code").await;
    assert!(
        invitation.starts_with(&format!("{}/console/first-admin?token=", app.base)),
        "the one-time link is a link to this console: {notice}"
    );
    let (head, rows) = browser.table("main table").await;
    assert_eq!(head[..4], ["Email", "Role", "State", "Since"]);
    let seller = rows
        .iter()
        .find(|r| r[0] == "seller@example.com")
        .unwrap_or_else(|| panic!("the invited person is not listed: {rows:?}"));
    assert_eq!(seller[1..3], ["ingest", "invited (no password yet)"]);
    browser.screenshot("users-invited").await;

    browser.sign_out().await;
    browser.goto(&invitation).await;
    assert_eq!(browser.heading().await, "Welcome: choose your password");
    assert!(
        browser
            .text_of("main form")
            .await
            .contains("You sign in as seller@example.com")
    );
    browser.fill("Password", PASSWORD).await;
    browser.fill("The password again", PASSWORD).await;
    browser.click("Set the password and sign in").await;
    browser.wait_for_path("/console/").await;
    assert!(
        browser
            .text_of("header")
            .await
            .contains("seller@example.com (ingest)")
    );
    // The link worked once.
    browser.goto(&invitation).await;
    assert_eq!(browser.heading().await, "Gone");
    browser.goto("/console/").await;
    browser.sign_out().await;

    // The users page needs signing in again, and signing in leads back to it.
    browser.goto("/console/users").await;
    browser
        .wait_for_path("/console/sign-in?next=%2Fconsole%2Fusers")
        .await;
    browser.sign_in("boss@example.com", PASSWORD).await;
    browser.wait_for_path("/console/users").await;
    let (_, rows) = browser.table("main table").await;
    let seller = rows.iter().find(|r| r[0] == "seller@example.com").unwrap();
    assert_eq!(seller[2], "active", "{rows:?}");

    browser.close().await;
    app.stop().await;
}

/// The index of the column headed `name` (its header's text, or its start
/// when the header shows the order with an arrow).
fn column(head: &[String], name: &str) -> usize {
    head.iter()
        .position(|h| h == name || h.strip_prefix(name).is_some_and(|r| r.starts_with(' ')))
        .unwrap_or_else(|| panic!("no column {name:?} in {head:?}"))
}

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

/// A conversion model version registered over the API (the shipped model);
/// gives its number.
async fn register_conversion(app: &App) -> i64 {
    let artifact = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/models/conversion/model.json"
    ))
    .unwrap();
    let (status, body) = app
        .raw(
            reqwest::Method::POST,
            "/v1/models",
            &app.admin,
            "application/json",
            artifact,
        )
        .await;
    assert_eq!(status, reqwest::StatusCode::CREATED, "{body}");
    body["version"].as_i64().unwrap()
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
    assert_eq!(register_conversion(&app).await, 1);
    assert_eq!(register_conversion(&app).await, 2);
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

/// The text of the designer's backtest as shown: its figures and its
/// conversion by grade.
async fn backtest_shown(browser: &Browser) -> String {
    let shown = browser
        .script(
            "const r = document.getElementById('rm-results');\
             const f = r && r.querySelector('.figures');\
             const t = r && r.querySelector('table');\
             return r && r.getAttribute('aria-busy') !== 'true' && f && t \
               ? f.innerText + '\\n' + t.innerText : ''",
            vec![],
        )
        .await;
    shown.as_str().unwrap_or_default().to_owned()
}

/// Waits until the designer shows a backtest other than `before`; gives it.
async fn backtest_other_than(browser: &Browser, before: &str) -> String {
    browser
        .wait_until(
            &format!(
                "const r = document.getElementById('rm-results');\
                 const f = r && r.querySelector('.figures');\
                 const t = r && r.querySelector('table');\
                 return !!(r && r.getAttribute('aria-busy') !== 'true' && f && t) \
                   && f.innerText + '\\n' + t.innerText !== {}",
                serde_json::json!(before)
            ),
            "the backtest never changed",
        )
        .await;
    backtest_shown(browser).await
}

/// The leads table of the rule model `model` until every seeded lead shows
/// its score under `per_click` points a click and `referred` for a
/// referral, and its grade (Low up to 9, High from 10), in the model's
/// column as well.
async fn leads_scored_by(
    browser: &Browser,
    model: &str,
    leads: &[seed::Closing],
    per_click: i64,
    referred: i64,
) {
    let path = format!("/console/leads?model={model}&per_page=100");
    let column_name = model.to_owned();
    browser
        .reload_until_table(&path, "table.leads", |head, rows| {
            let (id, own) = (column(head, "Lead id"), column(head, &column_name));
            let score = column(head, &format!("Score ({column_name})"));
            rows.len() == leads.len()
                && leads.iter().all(|lead| {
                    let want = lead.score(per_click, referred);
                    let grade = if want >= 10 { "High" } else { "Low" };
                    rows.iter().any(|r| {
                        r[id] == lead.id
                            && r[score] == want.to_string()
                            && r[own] == format!("{want} {grade}")
                    })
                })
        })
        .await;
}

/// Checks that the fields of the designer's filter matching `filter` (its
/// field, operator and value) are in line, whatever message shows under
/// one.
async fn filter_in_line(browser: &Browser, filter: &str) {
    let tops = browser
        .script(
            "return Array.from(document.querySelectorAll(arguments[0] + ' > .rm-field > :is(input, select)'))\
               .map((e) => Math.round(e.getBoundingClientRect().top))",
            vec![serde_json::json!(filter)],
        )
        .await;
    let tops: Vec<i64> = serde_json::from_value(tops).unwrap();
    assert!(
        tops.len() == 3 && tops.iter().all(|t| *t == tops[0]),
        "the filter's fields are not in line: {tops:?}"
    );
}

/// The rule designer, from nothing: an admin builds a model through the
/// form (grades and rules with the add buttons, a condition with its
/// frequency and window, a filter), sees a value the store lacks and a
/// grade gap marked at their fields as they type, watches the backtest
/// change with a rule's points, saves it and sees the leads scored by it;
/// saves a second version, reads its differences and restores the first.
async fn designing_a_rule_model(db: TestDb) {
    let Some((app, browser)) = start(db, "designing_a_rule_model").await else {
        return;
    };
    let leads = seed::closed_leads(&app).await;
    users::create_user(&app.store, "ops@example.com", Role::Admin, Some(PASSWORD))
        .await
        .unwrap();
    browser.goto("/console/rule-models").await;
    browser.sign_in("ops@example.com", PASSWORD).await;
    browser.wait_for_path("/console/rule-models").await;
    assert_eq!(browser.heading().await, "Rule models");
    browser.wait_for_text("main", "No rule model yet").await;
    browser.click("Design a new model").await;
    browser.wait_for_path("/console/rule-models/new").await;
    assert_eq!(browser.heading().await, "New rule model");

    // The model, its two grades and its first rule.
    browser.fill("Model name", "Fit").await;
    browser.choose("Scores", "contact-based leads").await;
    browser.fill("Sales-ready at score (optional)", "20").await;
    browser.click("Add a grade").await;
    browser.fill_in("#f-grades-0", "Grade", "Low").await;
    browser.fill_in("#f-grades-0", "To score", "9").await;
    browser.click("Add a grade").await;
    browser.fill_in("#f-grades-1", "Grade", "High").await;
    browser.fill_in("#f-grades-1", "From score", "10").await;
    // What was typed before each add button is kept.
    let name = browser.field("Model name").await;
    assert_eq!(name.prop("value").await.unwrap().as_deref(), Some("Fit"));
    browser.fill_in("#f-rules-0", "Rule name", "Clicked").await;
    browser.fill_in("#f-rules-0", "Points", "3").await;
    let clicked = "#f-rules-0-when-0";
    browser
        .fill_in(clicked, "Entity or path", "EmailClicked")
        .await;
    browser
        .choose_in(clicked, "Frequency", "each: points per occurrence")
        .await;
    browser.fill_in(clicked, "Within", "30d").await;

    // A second rule, on the lead's source, with a misspelt value.
    browser.click("Add a rule").await;
    browser.fill_in("#f-rules-1", "Rule name", "Referred").await;
    browser.fill_in("#f-rules-1", "Points", "10").await;
    browser
        .fill_in("#f-rules-1-when-0", "Entity or path", "Lead")
        .await;
    browser.click_in("#f-rules-1-when-0", "Add a filter").await;
    let filter = "#f-rules-1-when-0-where-0";
    browser.fill_in(filter, "Field", "source").await;
    browser.choose_in(filter, "Operator", "eq").await;
    browser.fill_in(filter, "Value", "Referal").await;
    let said = browser
        .wait_for_mistake_in(filter, "Value", "did you mean `Referral`")
        .await;
    assert!(said.starts_with("Check: no lead in the store"), "{said}");
    browser
        .wait_for_text("#rm-summary", "The store's data disagrees")
        .await;
    // The message sits under its field; the filter's fields stay in line,
    // and the condition's buttons apart.
    filter_in_line(&browser, filter).await;
    let apart = browser
        .script(
            "const [add, remove] = Array.from(document.querySelectorAll('#f-rules-1-when-0 button'))\
               .filter((b) => ['Add a filter', 'Remove this condition'].includes(b.textContent))\
               .map((b) => b.getBoundingClientRect());\
             return add.right + 4 <= remove.left || add.bottom + 4 <= remove.top",
            vec![],
        )
        .await;
    assert_eq!(apart, true, "the condition's buttons touch");
    browser.scroll_to("#f-rules-1").await;
    browser.screenshot("rule-designer-mistake").await;
    // On a tablet the designer fits the screen's width.
    browser.resize(TABLET).await;
    let fits = browser
        .script(
            "return document.documentElement.scrollWidth <= window.innerWidth",
            vec![],
        )
        .await;
    assert_eq!(fits, true, "the designer is wider than a tablet");
    filter_in_line(&browser, filter).await;
    browser.scroll_to("#f-rules-1").await;
    browser.screenshot("rule-designer-tablet").await;
    browser.resize(harness::DESKTOP).await;

    // A grade gap: an error at its field, and no backtest.
    browser.fill_in(filter, "Value", "Referral").await;
    browser.wait_for_no_mistake_in(filter, "Value").await;
    browser.fill_in("#f-grades-1", "From score", "12").await;
    let gap = browser
        .wait_for_mistake_in("#f-grades-1", "From score", "gap between grade")
        .await;
    assert!(gap.starts_with("Error: "), "{gap}");
    browser
        .wait_for_text(
            "#rm-results",
            "The backtest runs once the model has no problem",
        )
        .await;
    browser.fill_in("#f-grades-1", "From score", "10").await;
    browser
        .wait_for_no_mistake_in("#f-grades-1", "From score")
        .await;
    browser
        .wait_for_text("#rm-summary", "No problem found.")
        .await;

    // The backtest on the closed leads follows the points.
    let three = backtest_other_than(&browser, "").await;
    assert!(
        three.contains("AUC") && three.contains("Low") && three.contains("High"),
        "{three}"
    );
    browser.fill_in("#f-rules-0", "Points", "10").await;
    let ten = backtest_other_than(&browser, &three).await;
    let figure_of = |shown: &str, label: &str| -> String {
        let mut lines = shown.lines().map(str::trim).filter(|l| !l.is_empty());
        lines
            .find(|l| *l == label)
            .and_then(|_| lines.next())
            .unwrap_or_else(|| panic!("no {label} in {shown}"))
            .to_owned()
    };
    assert_ne!(
        figure_of(&three, "AUC"),
        figure_of(&ten, "AUC"),
        "the AUC follows the points:\n{three}\n---\n{ten}"
    );
    let grades = |shown: &str| -> Vec<String> {
        shown
            .lines()
            .filter(|l| l.starts_with("Low") || l.starts_with("High"))
            .map(str::to_owned)
            .collect()
    };
    assert_ne!(grades(&three), grades(&ten), "{three}\n---\n{ten}");
    browser.scroll_to("#rm-results").await;
    browser.screenshot("rule-designer-backtest").await;

    // Saved and published: the leads are scored by it.
    browser.click("Save and publish").await;
    browser
        .wait_for_path("/console/rule-models/Fit?saved=1")
        .await;
    assert_eq!(browser.heading().await, "Rule model: Fit");
    browser
        .wait_for_text("[role=status]", "Saved and published")
        .await;
    leads_scored_by(&browser, "Fit", &leads, 10, 10).await;

    // A second version: 15 points for a referral.
    browser.goto("/console/rule-models/Fit").await;
    browser.fill_in("#f-rules-1", "Points", "15").await;
    browser.click("Save and publish").await;
    browser
        .wait_for_path("/console/rule-models/Fit?saved=1")
        .await;
    let (_, versions) = browser.table("#rm-versions table").await;
    let numbers: Vec<&str> = versions.iter().map(|r| r[0].as_str()).collect();
    assert_eq!(numbers, ["2", "1"], "{versions:?}");
    assert!(
        versions.iter().all(|r| r[2] == "ops@example.com"),
        "{versions:?}"
    );
    leads_scored_by(&browser, "Fit", &leads, 10, 15).await;

    // Its differences from the first, then the first restored.
    browser.goto("/console/rule-models/Fit").await;
    browser
        .click_in("#rm-versions tbody tr:first-child", "Differences")
        .await;
    browser
        .wait_for_path("/console/rule-models/Fit/versions/2")
        .await;
    assert_eq!(browser.heading().await, "Fit: version 2");
    let removed = browser.texts_of(".rm-diff del").await;
    let added = browser.texts_of(".rm-diff ins").await;
    assert!(
        removed.iter().any(|l| l.contains("points: 10")),
        "{removed:?}"
    );
    assert!(added.iter().any(|l| l.contains("points: 15")), "{added:?}");
    // The removed line and the added one that replaces it are shown one
    // right under the other, with no empty line between them.
    let gap = browser
        .script(
            "const del = document.querySelector('.rm-diff del').getBoundingClientRect();\
             const ins = document.querySelector('.rm-diff ins').getBoundingClientRect();\
             return [ins.top - del.bottom, del.height]",
            vec![],
        )
        .await;
    let (gap, line) = (gap[0].as_f64().unwrap(), gap[1].as_f64().unwrap());
    assert!(
        gap.abs() < line / 2.0,
        "an empty line between the removed and the added line: {gap}px"
    );
    // The changed lines in the middle of the window.
    browser
        .script(
            "document.querySelector('.rm-diff del').scrollIntoView({block: 'center'}); return true",
            vec![],
        )
        .await;
    browser.screenshot("rule-model-version-diff").await;
    browser.click("← Fit").await;
    browser
        .click_and_confirm("Restore version 1", "Restore version 1?")
        .await;
    browser
        .wait_for_path("/console/rule-models/Fit?restored=1")
        .await;
    browser
        .wait_for_text("[role=status]", "Version 1 restored")
        .await;
    let points = browser.field_in("#f-rules-1", "Points").await;
    assert_eq!(points.prop("value").await.unwrap().as_deref(), Some("10"));
    let (_, versions) = browser.table("#rm-versions table").await;
    assert_eq!(versions.len(), 3, "{versions:?}");
    leads_scored_by(&browser, "Fit", &leads, 10, 10).await;

    browser.close().await;
    app.stop().await;
}

/// Administration: an API key made through the form, its text read once on
/// the answer page (where it works), never again in the list, then revoked
/// (and refused); a webhook endpoint added with a signing secret that no
/// page holds, not even the refused form's.
async fn administration(db: TestDb) {
    let Some((app, browser)) = start(db, "administration").await else {
        return;
    };
    users::create_user(&app.store, "ops@example.com", Role::Admin, Some(PASSWORD))
        .await
        .unwrap();
    browser.goto("/console/admin").await;
    browser.sign_in("ops@example.com", PASSWORD).await;
    browser.wait_for_path("/console/admin").await;
    assert_eq!(browser.heading().await, "Administration");
    browser.screenshot("admin").await;

    // A key through the form, its text shown once.
    browser.click("API keys").await;
    browser.wait_for_path("/console/admin/keys").await;
    assert_eq!(browser.heading().await, "API keys");
    let make = "section[aria-labelledby=create]";
    browser
        .choose_in(make, "Role", "read: reads scores, models, queues")
        .await;
    browser.fill_in(make, "Label", "crm-sync").await;
    browser.fill_in(make, "Expires in", "90").await;
    browser.screenshot("admin-keys").await;
    browser.click("Make the key").await;
    assert_eq!(browser.heading().await, "New API key");
    let notice = browser.wait_for_text("[role=status]", " is made.").await;
    let key_id = notice
        .strip_prefix("Key ")
        .and_then(|n| n.strip_suffix(" is made."))
        .unwrap_or_else(|| panic!("{notice}"))
        .to_owned();
    let key = browser.text_of("code.secret").await;
    assert!(key.len() >= 32, "{key}");
    let (status, _) = app
        .call(reqwest::Method::GET, "/v1/rule-models", Some(&key), None)
        .await;
    assert_eq!(status, reqwest::StatusCode::OK, "the new key works");
    browser.screenshot("admin-key-once").await;

    // The list shows the key, never its text.
    browser.click("Back to the keys").await;
    browser.wait_for_path("/console/admin/keys").await;
    let (head, rows) = browser.table("main table").await;
    let (id, role, label, state) = (
        column(&head, "Key"),
        column(&head, "Role"),
        column(&head, "Label"),
        column(&head, "Status"),
    );
    let row = rows
        .iter()
        .find(|r| r[id] == key_id)
        .unwrap_or_else(|| panic!("the new key is not listed: {rows:?}"));
    assert_eq!(
        [&row[role], &row[label], &row[state]],
        ["read", "crm-sync", "active"]
    );
    for path in [
        "/console/admin/keys",
        "/console/admin/keys?status=active&role=read",
        "/console/admin",
    ] {
        browser.goto(path).await;
        assert!(
            !browser.source().await.contains(&key),
            "{path} shows the key's text"
        );
    }

    // Revoked after the browser's "are you sure?": refused from then on.
    browser.goto("/console/admin/keys").await;
    browser
        .click_and_confirm(
            &format!("Revoke {key_id}"),
            &format!("Revoke key {key_id} (crm-sync)?"),
        )
        .await;
    browser
        .wait_for_path("/console/admin/keys?done=revoked")
        .await;
    browser
        .wait_for_text("[role=status]", "The key is revoked")
        .await;
    let (_, rows) = browser.table("main table").await;
    let row = rows.iter().find(|r| r[id] == key_id).unwrap();
    assert_eq!(row[state], "revoked", "{rows:?}");
    assert!(!browser.source().await.contains(&key));
    let (status, _) = app
        .call(reqwest::Method::GET, "/v1/rule-models", Some(&key), None)
        .await;
    assert_eq!(status, reqwest::StatusCode::UNAUTHORIZED);

    // A webhook endpoint: a refused form keeps what was typed but the
    // secret, then the endpoint is added; no page holds its secret.
    browser.click("← Administration").await;
    browser.click("Webhook endpoints").await;
    browser.wait_for_path("/console/admin/webhooks").await;
    assert_eq!(browser.heading().await, "Webhooks");
    let add = "section[aria-labelledby=add]";
    const REFUSED: &str = "refused-secret-4f1d9c2b7a";
    const SECRET: &str = "webhook-secret-9b3e5d7f1c";
    browser.fill_in(add, "Name", "crm").await;
    browser
        .fill_in(add, "URL", "ftp://crm.example.com/hooks")
        .await;
    browser.fill_in(add, "Signing secret", REFUSED).await;
    browser.tick("lead.sales_ready", true).await;
    browser.click("Add the endpoint").await;
    let alert = browser.text_of("[role=alert]").await;
    assert!(alert.starts_with("Nothing was saved"), "{alert}");
    let mistake = browser.mistake_at("URL").await;
    assert!(!mistake.is_empty());
    let name = browser.field_in(add, "Name").await;
    assert_eq!(name.prop("value").await.unwrap().as_deref(), Some("crm"));
    assert!(!browser.source().await.contains(REFUSED));
    let secret = browser.field_in(add, "Signing secret").await;
    assert_eq!(secret.prop("value").await.unwrap().as_deref(), Some(""));

    browser
        .fill_in(add, "URL", "https://crm.example.com/hooks/leadscore")
        .await;
    browser.fill_in(add, "Signing secret", SECRET).await;
    browser.click("Add the endpoint").await;
    browser
        .wait_for_path("/console/admin/webhooks?done=saved")
        .await;
    browser
        .wait_for_text("[role=status]", "The endpoint is saved")
        .await;
    let card = browser
        .wait_for_text("section.card", "https://crm.example.com/hooks/leadscore")
        .await;
    assert!(
        card.starts_with("crm") && card.contains("lead.sales_ready"),
        "{card}"
    );
    browser.screenshot("admin-webhooks").await;
    let config = leadscore_engine::webhooks::load_config(&app.store)
        .await
        .unwrap();
    let stored = config.endpoints.iter().find(|e| e.name == "crm").unwrap();
    assert_eq!(stored.secret, SECRET, "the secret typed is the one stored");
    for path in [
        "/console/admin/webhooks",
        "/console/admin/deliveries",
        "/console/admin",
    ] {
        browser.goto(path).await;
        let html = browser.source().await;
        assert!(!html.contains(SECRET) && !html.contains(REFUSED), "{path}");
    }
    browser.screenshot("admin-deliveries").await;

    browser.close().await;
    app.stop().await;
}

/// A read user changes nothing: the designer designs and backtests but has
/// no save button, and a save its form sends anyway is refused (403) with
/// nothing stored; the administration pages are not in the navigation and
/// answer 403, as does making a key.
async fn a_reader_changes_nothing(db: TestDb) {
    let Some((app, browser)) = start(db, "a_reader_changes_nothing").await else {
        return;
    };
    seed::closed_leads(&app).await;
    users::create_user(&app.store, "reader@example.com", Role::Read, Some(PASSWORD))
        .await
        .unwrap();
    browser.goto("/console/rule-models/new").await;
    browser.sign_in("reader@example.com", PASSWORD).await;
    browser.wait_for_path("/console/rule-models/new").await;
    browser
        .wait_for_text("main", "Saving needs the admin role")
        .await;
    assert!(!browser.has_control("Save and publish").await);

    browser.fill("Model name", "Fit").await;
    browser.fill_in("#f-rules-0", "Rule name", "Clicked").await;
    browser.fill_in("#f-rules-0", "Points", "5").await;
    let condition = "#f-rules-0-when-0";
    browser
        .fill_in(condition, "Entity or path", "EmailClicked")
        .await;
    browser
        .choose_in(condition, "Frequency", "each: points per occurrence")
        .await;
    browser
        .wait_for_text("#rm-summary", "No problem found.")
        .await;
    assert!(!backtest_other_than(&browser, "").await.is_empty());
    browser
        .script("window.scrollTo(0, 0); return true", vec![])
        .await;
    browser.screenshot("rule-designer-reader").await;
    let refused = browser
        .status_of(
            "/console/rule-models/design",
            Some(("#rm-designer", &[("save", "1")])),
        )
        .await;
    assert_eq!(refused, 403, "a reader's save");
    assert!(
        model_registry::rule_models(&app.store)
            .await
            .unwrap()
            .is_empty()
    );
    let keys = leadscore_engine::keys::list_keys(&app.store)
        .await
        .unwrap()
        .len();
    let refused = browser
        .status_of(
            "/console/admin/keys",
            Some(("#rm-designer", &[("role", "admin"), ("label", "mine")])),
        )
        .await;
    assert_eq!(refused, 403, "a reader's new key");
    assert_eq!(
        leadscore_engine::keys::list_keys(&app.store)
            .await
            .unwrap()
            .len(),
        keys
    );

    assert!(!browser.has("nav a[href='/console/admin']").await);
    for path in [
        "/console/admin",
        "/console/admin/keys",
        "/console/admin/webhooks",
        "/console/admin/deliveries",
    ] {
        browser.goto(path).await;
        let refusal = browser.text_of("[role=alert]").await;
        assert!(
            refusal.contains("This needs the admin role"),
            "{path}: {refusal}"
        );
        assert_eq!(browser.status_of(path, None).await, 403, "{path}");
    }

    browser.close().await;
    app.stop().await;
}

/// A worksheet's cells as text, row by row (numbers as Excel shows them:
/// `30`, not `30.0`).
fn xlsx_rows(path: &std::path::Path, sheet: &str) -> Vec<Vec<String>> {
    use calamine::{Data, Reader, Xlsx, open_workbook};
    let mut book: Xlsx<_> = open_workbook(path).unwrap();
    let range = book
        .worksheet_range(sheet)
        .unwrap_or_else(|e| panic!("no sheet {sheet:?} in {}: {e}", path.display()));
    range
        .rows()
        .map(|row| {
            row.iter()
                .map(|cell| match cell {
                    Data::Float(f) if f.fract() == 0.0 => format!("{}", *f as i64),
                    other => other.to_string(),
                })
                .collect()
        })
        .collect()
}

leadscore_store::on_both_backends!(
    signing_in_and_out,
    first_admin_and_invitation,
    leads_table_and_lead,
    changing_routing,
    rolling_back_the_conversion_model,
    designing_a_rule_model,
    administration,
    a_reader_changes_nothing
);
