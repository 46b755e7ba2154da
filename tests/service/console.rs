//! The web console's sign-in, end to end over HTTP with a cookie-keeping
//! client (as a browser): sessions, CSRF, roles, the sign-in limit, the
//! one-time links, sign-out and disabling, on SQLite and PostgreSQL.

use leadscore_engine::Role;
use leadscore_engine::users;
use leadscore_store::testing::TestDb;
use reqwest::StatusCode;
use reqwest::redirect::Policy;

use crate::console_support::{PASSWORD, answer, browser, csrf, get, post, sign_in};
use crate::support::spawn;

/// The session token a `Set-Cookie` value carries.
fn token(cookie: &str) -> String {
    cookie
        .strip_prefix("leadscore_session=")
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_owned()
}

async fn signing_in_and_out(db: TestDb) {
    let app = spawn(db).await;
    users::create_user(&app.store, "Reader@Example.com", Role::Read, Some(PASSWORD))
        .await
        .unwrap();
    let client = browser();
    let root = get(&app, &client, "/").await;
    assert_eq!(root.status, StatusCode::SEE_OTHER);
    assert_eq!(root.location, "/console/");
    let page = get(&app, &client, "/console/").await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    assert_eq!(page.location, "/console/sign-in?next=%2Fconsole%2F");
    let form = get(&app, &client, "/console/sign-in?next=%2Fconsole%2F").await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(
        form.body.contains("<label for=\"password\">"),
        "{}",
        form.body
    );

    // A sign-in posted from another site's page is refused, even with the
    // right password (no one is signed into an account of another's choosing).
    let forged = client
        .post(format!("{}/console/sign-in", app.base))
        .header("origin", "https://evil.example")
        .form(&[("email", "reader@example.com"), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), StatusCode::FORBIDDEN);
    assert!(forged.headers().get("set-cookie").is_none());

    let wrong = sign_in(&app, &client, "reader@example.com", "not the password").await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    assert!(wrong.body.contains("The email or the password is wrong."));
    assert!(wrong.cookie.is_empty());

    // No open redirect: `next` is only ever a console path.
    let signed = post(
        &app,
        &client,
        "/console/sign-in",
        &[
            ("email", "reader@example.com"),
            ("password", PASSWORD),
            ("next", "https://evil.example/"),
        ],
    )
    .await;
    assert_eq!(signed.status, StatusCode::SEE_OTHER, "{}", signed.body);
    assert_eq!(signed.location, "/console/");
    for flag in ["HttpOnly", "SameSite=Strict", "Path=/"] {
        assert!(signed.cookie.contains(flag), "{}", signed.cookie);
    }
    assert!(
        !signed.cookie.contains("Secure"),
        "plain HTTP: {}",
        signed.cookie
    );
    let old = token(&signed.cookie);

    let shell = get(&app, &client, "/console/").await;
    assert_eq!(shell.status, StatusCode::OK);
    assert!(shell.body.contains("Reader@Example.com") && shell.body.contains("read"));
    let token_of_page = csrf(&shell.body);

    // A read user reaches no admin page or action.
    assert_eq!(
        get(&app, &client, "/console/users").await.status,
        StatusCode::FORBIDDEN
    );
    let invite = post(
        &app,
        &client,
        "/console/users/invite",
        &[
            ("csrf", &token_of_page),
            ("email", "x@example.com"),
            ("role", "admin"),
        ],
    )
    .await;
    assert_eq!(invite.status, StatusCode::FORBIDDEN);

    // A change without the CSRF token (or with another) is refused.
    let refused = post(&app, &client, "/console/sign-out", &[]).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert!(refused.body.contains("security token"), "{}", refused.body);
    let refused = post(&app, &client, "/console/sign-out", &[("csrf", "0000")]).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert_eq!(get(&app, &client, "/console/").await.status, StatusCode::OK);

    let out = post(
        &app,
        &client,
        "/console/sign-out",
        &[("csrf", &token_of_page)],
    )
    .await;
    assert_eq!(out.status, StatusCode::SEE_OTHER);
    assert_eq!(out.location, "/console/sign-in");
    let again = get(&app, &client, "/console/").await;
    assert_eq!(again.status, StatusCode::SEE_OTHER);
    assert!(again.location.starts_with("/console/sign-in"));
    // The old cookie, sent again, no longer works.
    let replay = reqwest::Client::builder()
        .redirect(Policy::none())
        .build()
        .unwrap()
        .get(format!("{}/console/", app.base))
        .header("cookie", format!("leadscore_session={old}"))
        .send()
        .await
        .unwrap();
    assert_eq!(replay.status(), StatusCode::SEE_OTHER);

    // Over TLS (as a proxy says), the cookie is Secure.
    let tls = browser()
        .post(format!("{}/console/sign-in", app.base))
        .header("x-forwarded-proto", "https")
        .form(&[("email", "reader@example.com"), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    let tls = answer(tls).await;
    assert_eq!(tls.status, StatusCode::SEE_OTHER);
    assert!(tls.cookie.ends_with("; Secure"), "{}", tls.cookie);

    // API paths keep their JSON answers.
    let (status, body) = app
        .call(reqwest::Method::GET, "/v1/nothing", None, None)
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(body["error"]["code"], "not_found", "{body}");
    let missing = get(&app, &client, "/console/nothing").await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    app.stop().await;
}

async fn failed_sign_ins_are_limited(db: TestDb) {
    let app = spawn(db).await;
    users::create_user(&app.store, "ops@example.com", Role::Ingest, Some(PASSWORD))
        .await
        .unwrap();
    let client = browser();
    for _ in 0..users::MAX_FAILURES {
        let wrong = sign_in(&app, &client, "OPS@example.com", "wrong password!").await;
        assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    }
    // The sixth, even with the right password, is refused with a wait.
    let limited = sign_in(&app, &client, "ops@example.com", PASSWORD).await;
    assert_eq!(limited.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(
        limited.body.contains("Too many failed sign-ins"),
        "{}",
        limited.body
    );
    assert!(
        limited.body.contains("Try again in 15 minutes"),
        "{}",
        limited.body
    );
    assert!(limited.cookie.is_empty());
    assert_eq!(
        get(&app, &client, "/console/").await.status,
        StatusCode::SEE_OTHER
    );
    app.stop().await;
}

/// The one-time link in a page (`/console/first-admin?token=...`).
fn link_in(html: &str) -> String {
    let start = html.find("/console/first-admin?token=").unwrap();
    let token = &html[start + "/console/first-admin?token=".len()..];
    token.chars().take_while(char::is_ascii_hexdigit).collect()
}

async fn first_admin_invites_and_disables(db: TestDb) {
    let app = spawn(db).await;
    let link = users::first_admin_link(&app.store).await.unwrap().unwrap();
    let admin = browser();
    let path = format!("/console/first-admin?token={}", link.token);
    let form = get(&app, &admin, &path).await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(form.body.contains("first admin"), "{}", form.body);
    // A short password is refused and the link stays usable.
    let short = post(
        &app,
        &admin,
        "/console/first-admin",
        &[
            ("token", &link.token),
            ("email", "boss@example.com"),
            ("password", "short"),
            ("confirm", "short"),
        ],
    )
    .await;
    assert_eq!(short.status, StatusCode::BAD_REQUEST);
    assert!(
        short.body.contains("at least 12 characters"),
        "{}",
        short.body
    );
    let made = post(
        &app,
        &admin,
        "/console/first-admin",
        &[
            ("token", &link.token),
            ("email", "boss@example.com"),
            ("password", PASSWORD),
            ("confirm", PASSWORD),
        ],
    )
    .await;
    assert_eq!(made.status, StatusCode::SEE_OTHER, "{}", made.body);
    assert_eq!(made.location, "/console/");
    // Once only.
    let twice = post(
        &app,
        &browser(),
        "/console/first-admin",
        &[
            ("token", &link.token),
            ("email", "eve@example.com"),
            ("password", PASSWORD),
            ("confirm", PASSWORD),
        ],
    )
    .await;
    assert_eq!(twice.status, StatusCode::GONE);
    assert_eq!(get(&app, &browser(), &path).await.status, StatusCode::GONE);
    assert!(users::first_admin_link(&app.store).await.unwrap().is_none());

    let page = get(&app, &admin, "/console/users").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("boss@example.com"));
    let token_of_page = csrf(&page.body);
    let refused = post(
        &app,
        &admin,
        "/console/users/invite",
        &[("email", "seller@example.com"), ("role", "read")],
    )
    .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    let invited = post(
        &app,
        &admin,
        "/console/users/invite",
        &[
            ("csrf", &token_of_page),
            ("email", "seller@example.com"),
            ("role", "read"),
        ],
    )
    .await;
    assert_eq!(invited.status, StatusCode::OK, "{}", invited.body);
    let invitation = link_in(&invited.body);
    let seller = browser();
    let form = get(
        &app,
        &seller,
        &format!("/console/first-admin?token={invitation}"),
    )
    .await;
    assert!(form.body.contains("seller@example.com"), "{}", form.body);
    let joined = post(
        &app,
        &seller,
        "/console/first-admin",
        &[
            ("token", &invitation),
            ("password", PASSWORD),
            ("confirm", PASSWORD),
        ],
    )
    .await;
    assert_eq!(joined.status, StatusCode::SEE_OTHER, "{}", joined.body);
    let shell = get(&app, &seller, "/console/").await;
    assert_eq!(shell.status, StatusCode::OK);
    assert!(shell.body.contains("seller@example.com"));

    // Disabling ends the seller's session at once.
    let disabled = post(
        &app,
        &admin,
        "/console/users/disable",
        &[("csrf", &token_of_page), ("email", "Seller@Example.com")],
    )
    .await;
    assert_eq!(disabled.status, StatusCode::OK, "{}", disabled.body);
    assert_eq!(
        get(&app, &seller, "/console/").await.status,
        StatusCode::SEE_OTHER
    );
    let back = sign_in(&app, &seller, "seller@example.com", PASSWORD).await;
    assert_eq!(back.status, StatusCode::UNAUTHORIZED);
    app.stop().await;
}

leadscore_store::on_both_backends!(
    signing_in_and_out,
    failed_sign_ins_are_limited,
    first_admin_invites_and_disables
);
