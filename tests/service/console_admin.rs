//! The console's administration pages, end to end: an API key made in the
//! console shows its text once and never again, works on the API until it
//! is revoked in the console, and rotates; webhook endpoints are added,
//! changed and deleted without their secret ever appearing on a page; read
//! users get 403 everywhere and a POST without the CSRF token is refused;
//! on SQLite and PostgreSQL.

use leadscore_engine::Role;
use leadscore_engine::webhooks::load_config;
use leadscore_store::testing::TestDb;
use reqwest::{Method, StatusCode};

use crate::console_support::{get, post, signed_in};
use crate::support::spawn;

/// The key text a "new key" page shows.
fn key_text(html: &str) -> String {
    let marker = "<code class=\"secret\">";
    let start = html.find(marker).unwrap() + marker.len();
    html[start..].split('<').next().unwrap().to_owned()
}

async fn keys_and_webhooks(db: TestDb) {
    let app = spawn(db).await;
    let (admin, csrf) = signed_in(&app, "admin@example.com", Role::Admin).await;
    let landing = get(&app, &admin, "/console/admin").await;
    assert_eq!(landing.status, StatusCode::OK, "{}", landing.body);
    assert!(landing.body.contains("API keys"));

    // A key: its text on the answer page only.
    let made = post(
        &app,
        &admin,
        "/console/admin/keys",
        &[
            ("csrf", &csrf),
            ("role", "read"),
            ("label", "crm <sync>"),
            ("expires_in_days", "30"),
        ],
    )
    .await;
    assert_eq!(made.status, StatusCode::CREATED, "{}", made.body);
    assert!(made.body.contains("shown only this once"));
    let key = key_text(&made.body);
    assert!(key.starts_with("lsk_"), "{key}");
    let key_id = key.rsplit_once('_').unwrap().0.to_owned();
    let (status, _) = app
        .call(Method::GET, "/v1/rule-models", Some(&key), None)
        .await;
    assert_eq!(status, StatusCode::OK);
    let list = get(&app, &admin, "/console/admin/keys").await;
    assert_eq!(list.status, StatusCode::OK);
    assert!(list.body.contains(&key_id), "{}", list.body);
    assert!(
        !list.body.contains(&key),
        "the key's text is never shown again"
    );
    assert!(list.body.contains("crm &lt;sync&gt;"), "labels are escaped");
    let active = get(
        &app,
        &admin,
        "/console/admin/keys?status=active&role=read&sort=-expires",
    )
    .await;
    assert_eq!(active.status, StatusCode::OK);
    assert!(active.body.contains(&key_id));
    assert_eq!(
        get(&app, &admin, "/console/admin/keys?status=lost")
            .await
            .status,
        StatusCode::BAD_REQUEST
    );

    // A bad value: 400, the message at its field, no key made.
    let before = leadscore_engine::keys::list_keys(&app.store)
        .await
        .unwrap()
        .len();
    let refused = post(
        &app,
        &admin,
        "/console/admin/keys",
        &[
            ("csrf", &csrf),
            ("role", "read"),
            ("expires_in_days", "forever"),
        ],
    )
    .await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST);
    assert!(
        refused
            .body
            .contains("id=\"new-days-error\">&quot;forever&quot; is not a whole number of days"),
        "{}",
        refused.body
    );
    let refused = post(
        &app,
        &admin,
        "/console/admin/keys",
        &[
            ("csrf", &csrf),
            ("role", "owner"),
            ("expires_in_days", "9999"),
        ],
    )
    .await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST);
    assert!(
        refused.body.contains("id=\"new-role-error\""),
        "{}",
        refused.body
    );
    assert!(
        refused.body.contains("a key lives 1 to 3650 days"),
        "{}",
        refused.body
    );
    assert_eq!(
        leadscore_engine::keys::list_keys(&app.store)
            .await
            .unwrap()
            .len(),
        before
    );

    // Rotation: a new key shown once, the old one still working.
    let rotated = post(
        &app,
        &admin,
        "/console/admin/keys/rotate",
        &[
            ("csrf", &csrf),
            ("key_id", &key_id),
            ("overlap_hours", "1"),
            ("expires_in_days", ""),
        ],
    )
    .await;
    assert_eq!(rotated.status, StatusCode::CREATED, "{}", rotated.body);
    let new_key = key_text(&rotated.body);
    assert!(rotated.body.contains(&format!("replaces {key_id}")));
    for k in [&key, &new_key] {
        let (status, _) = app
            .call(Method::GET, "/v1/rule-models", Some(k), None)
            .await;
        assert_eq!(status, StatusCode::OK);
    }
    let bad = post(
        &app,
        &admin,
        "/console/admin/keys/rotate",
        &[
            ("csrf", &csrf),
            ("key_id", &key_id),
            ("overlap_hours", "9000"),
        ],
    )
    .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);

    // Revocation: the API refuses the key at once.
    let revoked = post(
        &app,
        &admin,
        "/console/admin/keys/revoke",
        &[("csrf", &csrf), ("key_id", &key_id)],
    )
    .await;
    assert_eq!(revoked.status, StatusCode::SEE_OTHER, "{}", revoked.body);
    let (status, _) = app
        .call(Method::GET, "/v1/rule-models", Some(&key), None)
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let list = get(&app, &admin, "/console/admin/keys?status=revoked").await;
    assert!(list.body.contains(&key_id) && !list.body.contains(&new_key));
    let again = post(
        &app,
        &admin,
        "/console/admin/keys/revoke",
        &[("csrf", &csrf), ("key_id", &key_id)],
    )
    .await;
    assert_eq!(again.status, StatusCode::NOT_FOUND);

    // Webhooks: the secret is written, never shown.
    let secret = "s3cret-Value-0123456789";
    let added = post(
        &app,
        &admin,
        "/console/admin/webhooks",
        &[
            ("csrf", &csrf),
            ("original", ""),
            ("name", "crm"),
            ("url", "http://127.0.0.1:9/hook"),
            ("secret", secret),
            ("events", "lead.sales_ready"),
        ],
    )
    .await;
    assert_eq!(added.status, StatusCode::SEE_OTHER, "{}", added.body);
    let page = get(&app, &admin, "/console/admin/webhooks").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("http://127.0.0.1:9/hook"));
    assert!(page.body.contains("leave empty to keep the current secret"));
    assert!(!page.body.contains(secret), "{}", page.body);
    // Changed without a secret: the stored one is kept.
    let changed = post(
        &app,
        &admin,
        "/console/admin/webhooks",
        &[
            ("csrf", &csrf),
            ("original", "crm"),
            ("name", "crm"),
            ("url", "http://127.0.0.1:9/other"),
            ("secret", ""),
        ],
    )
    .await;
    assert_eq!(changed.status, StatusCode::SEE_OTHER, "{}", changed.body);
    let stored = load_config(&app.store).await.unwrap();
    let endpoint = stored.endpoint("crm").unwrap();
    assert_eq!(endpoint.secret, secret);
    assert_eq!(endpoint.url, "http://127.0.0.1:9/other");
    assert!(endpoint.events.is_empty(), "no box ticked: every event");
    // A bad change: 400 at the field, nothing saved, the secret not echoed.
    let typed = "another-secret-0123456789";
    let refused = post(
        &app,
        &admin,
        "/console/admin/webhooks",
        &[
            ("csrf", &csrf),
            ("original", "crm"),
            ("name", "crm"),
            ("url", "ftp://user:pw@example.com/"),
            ("secret", typed),
        ],
    )
    .await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST, "{}", refused.body);
    assert!(
        refused.body.contains("id=\"ep-0-url-error\""),
        "{}",
        refused.body
    );
    assert!(!refused.body.contains(typed) && !refused.body.contains(secret));
    let short = post(
        &app,
        &admin,
        "/console/admin/webhooks",
        &[
            ("csrf", &csrf),
            ("original", ""),
            ("name", "second"),
            ("url", "https://example.com/h"),
            ("secret", "short"),
            ("events", "lead.nothing"),
        ],
    )
    .await;
    assert_eq!(short.status, StatusCode::BAD_REQUEST);
    assert!(
        short
            .body
            .contains("id=\"new-secret-error\">must be at least 16"),
        "{}",
        short.body
    );
    assert!(
        short.body.contains("id=\"new-events-error\""),
        "{}",
        short.body
    );
    assert_eq!(load_config(&app.store).await.unwrap(), stored);
    let deliveries = get(&app, &admin, "/console/admin/deliveries?state=failed").await;
    assert_eq!(deliveries.status, StatusCode::OK, "{}", deliveries.body);
    let deleted = post(
        &app,
        &admin,
        "/console/admin/webhooks/delete",
        &[("csrf", &csrf), ("name", "crm")],
    )
    .await;
    assert_eq!(deleted.status, StatusCode::SEE_OTHER);
    assert!(load_config(&app.store).await.unwrap().endpoints.is_empty());

    // Without the CSRF token: refused.
    let refused = post(&app, &admin, "/console/admin/keys", &[("role", "admin")]).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);

    // A read user: 403 on every page and every change.
    let (reader, read_csrf) = signed_in(&app, "reader@example.com", Role::Read).await;
    for path in [
        "/console/admin",
        "/console/admin/keys",
        "/console/admin/webhooks",
        "/console/admin/deliveries",
    ] {
        assert_eq!(
            get(&app, &reader, path).await.status,
            StatusCode::FORBIDDEN,
            "{path}"
        );
    }
    for path in [
        "/console/admin/keys",
        "/console/admin/keys/revoke",
        "/console/admin/keys/rotate",
        "/console/admin/webhooks",
        "/console/admin/webhooks/delete",
    ] {
        let refused = post(
            &app,
            &reader,
            path,
            &[
                ("csrf", &read_csrf),
                ("role", "admin"),
                ("key_id", &new_key),
                ("name", "x"),
                ("url", "https://example.com/"),
                ("secret", "0123456789abcdef0"),
            ],
        )
        .await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN, "{path}");
    }
    app.stop().await;
}
leadscore_store::on_both_backends!(keys_and_webhooks);
