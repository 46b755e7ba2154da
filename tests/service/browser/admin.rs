//! Administration (a key shown once then revoked, a webhook secret no page holds), and a read user changing nothing.

use super::*;

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
    browser.goto("/console/designer").await;
    browser.sign_in("reader@example.com", PASSWORD).await;
    browser.wait_for_path("/console/designer").await;
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
    assert!(
        !super::designer::backtest_other_than(&browser, "")
            .await
            .is_empty()
    );
    browser
        .script("window.scrollTo(0, 0); return true", vec![])
        .await;
    browser.screenshot("rule-designer-reader").await;
    let refused = browser
        .status_of(
            "/console/designer",
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

scenarios!(administration, a_reader_changes_nothing);
