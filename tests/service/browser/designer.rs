//! A rule model designed from nothing in the browser: mistakes marked as one types, the backtest following the points, saved, its scores in the leads table, versions and restore.

use super::*;

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
pub(super) async fn backtest_other_than(browser: &Browser, before: &str) -> String {
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
    browser.wait_for_path("/console/designer").await;
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

scenarios!(designing_a_rule_model);
