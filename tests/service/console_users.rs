//! The console's user management, end to end over HTTP with cookie-keeping
//! clients (as browsers): an admin enables a disabled user again and gives
//! a user a password-reset link (one-time, ending their sessions); anyone
//! changes their own password on their account page (the current one
//! checked, every other session ended); read users and posts without the
//! CSRF token change nothing. On SQLite and PostgreSQL.

use leadscore_engine::Role;
use leadscore_engine::users;
use leadscore_store::testing::TestDb;
use reqwest::StatusCode;

use crate::console_support::{PASSWORD, browser, csrf, get, post, sign_in, signed_in};
use crate::support::{App, spawn};

const NEW_PASSWORD: &str = "a new and longer secret";

/// The one-time link's token in a page (`/console/first-admin?token=...`).
fn link_in(html: &str) -> String {
    let marker = "/console/first-admin?token=";
    let start = html
        .find(marker)
        .unwrap_or_else(|| panic!("no link: {html}"))
        + marker.len();
    html[start..]
        .chars()
        .take_while(char::is_ascii_hexdigit)
        .collect()
}

/// Whether a client's session is live: the overview answers (not a 303 to
/// sign-in).
async fn live(app: &App, client: &reqwest::Client) -> bool {
    let page = get(app, client, "/console/").await;
    match page.status {
        StatusCode::OK => true,
        StatusCode::SEE_OTHER => {
            assert!(page.location.starts_with("/console/sign-in"));
            false
        }
        other => panic!("the overview answered {other}: {}", page.body),
    }
}

/// A new browser signed in as `email` with `password`.
async fn session_of(app: &App, email: &str, password: &str) -> reqwest::Client {
    let client = browser();
    let signed = sign_in(app, &client, email, password).await;
    assert_eq!(signed.status, StatusCode::SEE_OTHER, "{}", signed.body);
    client
}

/// Uses a one-time link on a new browser with `password`.
async fn use_link(app: &App, token: &str, password: &str) -> (reqwest::Client, StatusCode) {
    let client = browser();
    let used = post(
        app,
        &client,
        "/console/first-admin",
        &[
            ("token", token),
            ("password", password),
            ("confirm", password),
        ],
    )
    .await;
    (client, used.status)
}

async fn admin_enables_and_resets(db: TestDb) {
    let app = spawn(db).await;
    let (admin, token) = signed_in(&app, "boss@example.com", Role::Admin).await;
    users::create_user(
        &app.store,
        "seller@example.com",
        Role::Ingest,
        Some(PASSWORD),
    )
    .await
    .unwrap();
    let seller = session_of(&app, "Seller@Example.com", PASSWORD).await;

    let page = get(&app, &admin, "/console/users").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body
            .contains("aria-label=\"Password-reset link for seller@example.com\""),
        "{}",
        page.body
    );
    assert!(
        page.body
            .contains("aria-label=\"Disable seller@example.com\"")
    );
    // The header's name leads to one's account page.
    assert!(
        page.body
            .contains("<a href=\"/console/account\">boss@example.com (admin)</a>"),
        "{}",
        page.body
    );

    // Disabled, then enabled again: the seller signs in with their password
    // (the session disabling ended stays ended).
    let disabled = post(
        &app,
        &admin,
        "/console/users/disable",
        &[("csrf", &token), ("email", "seller@example.com")],
    )
    .await;
    assert_eq!(disabled.status, StatusCode::OK, "{}", disabled.body);
    assert!(
        disabled
            .body
            .contains("aria-label=\"Enable seller@example.com\""),
        "{}",
        disabled.body
    );
    assert!(!live(&app, &seller).await);
    let refused = sign_in(&app, &browser(), "seller@example.com", PASSWORD).await;
    assert_eq!(refused.status, StatusCode::UNAUTHORIZED);
    let forged = post(
        &app,
        &admin,
        "/console/users/enable",
        &[("email", "seller@example.com")],
    )
    .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    assert!(forged.body.contains("security token"), "{}", forged.body);
    let refused = sign_in(&app, &browser(), "seller@example.com", PASSWORD).await;
    assert_eq!(refused.status, StatusCode::UNAUTHORIZED, "still disabled");
    let enabled = post(
        &app,
        &admin,
        "/console/users/enable",
        &[("csrf", &token), ("email", "SELLER@example.com")],
    )
    .await;
    assert_eq!(enabled.status, StatusCode::OK, "{}", enabled.body);
    assert!(
        enabled
            .body
            .contains("Enabled seller@example.com: they can sign in again with their password."),
        "{}",
        enabled.body
    );
    assert!(!live(&app, &seller).await, "the old session stays ended");
    let seller = session_of(&app, "seller@example.com", PASSWORD).await;
    assert!(live(&app, &seller).await);
    let again = post(
        &app,
        &admin,
        "/console/users/enable",
        &[("csrf", &token), ("email", "seller@example.com")],
    )
    .await;
    assert_eq!(again.status, StatusCode::BAD_REQUEST);
    assert!(
        again
            .body
            .contains("The user seller@example.com is not disabled."),
        "{}",
        again.body
    );
    let unknown = post(
        &app,
        &admin,
        "/console/users/enable",
        &[("csrf", &token), ("email", "nobody@example.com")],
    )
    .await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    assert!(
        unknown
            .body
            .contains("No user has the email nobody@example.com."),
        "{}",
        unknown.body
    );

    // A password-reset link: without the CSRF token nothing happens.
    let forged = post(
        &app,
        &admin,
        "/console/users/reset",
        &[("email", "seller@example.com")],
    )
    .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    assert!(live(&app, &seller).await);
    let reset = post(
        &app,
        &admin,
        "/console/users/reset",
        &[("csrf", &token), ("email", "seller@example.com")],
    )
    .await;
    assert_eq!(reset.status, StatusCode::OK, "{}", reset.body);
    assert!(
        reset
            .body
            .contains("Made a password-reset link for seller@example.com: their sessions ended."),
        "{}",
        reset.body
    );
    let link = link_in(&reset.body);
    assert_eq!(link.len(), 64, "{}", reset.body);
    // Issuing it ended the seller's session; their password works until the
    // link is used, and a session begun meanwhile ends when it is.
    assert!(!live(&app, &seller).await);
    let meanwhile = session_of(&app, "seller@example.com", PASSWORD).await;
    let form = get(
        &app,
        &browser(),
        &format!("/console/first-admin?token={link}"),
    )
    .await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(form.body.contains("Choose a new password"), "{}", form.body);
    assert!(form.body.contains("seller@example.com"), "{}", form.body);
    // A short password is refused and the link stays usable.
    let (_, short) = use_link(&app, &link, "short").await;
    assert_eq!(short, StatusCode::BAD_REQUEST);
    let (reset_browser, used) = use_link(&app, &link, NEW_PASSWORD).await;
    assert_eq!(used, StatusCode::SEE_OTHER);
    let shell = get(&app, &reset_browser, "/console/").await;
    assert_eq!(shell.status, StatusCode::OK);
    assert!(shell.body.contains("seller@example.com (ingest)"));
    assert!(!live(&app, &meanwhile).await, "older sessions end");
    let old = sign_in(&app, &browser(), "seller@example.com", PASSWORD).await;
    assert_eq!(old.status, StatusCode::UNAUTHORIZED, "the old password");
    let new = session_of(&app, "seller@example.com", NEW_PASSWORD).await;
    assert!(live(&app, &new).await);
    // Once only.
    let (_, twice) = use_link(&app, &link, "yet another password").await;
    assert_eq!(twice, StatusCode::GONE);
    let gone = get(
        &app,
        &browser(),
        &format!("/console/first-admin?token={link}"),
    )
    .await;
    assert_eq!(gone.status, StatusCode::GONE);
    assert!(live(&app, &new).await, "a spent link changes nothing");
    let old = sign_in(
        &app,
        &browser(),
        "seller@example.com",
        "yet another password",
    )
    .await;
    assert_eq!(old.status, StatusCode::UNAUTHORIZED);

    // An invited person's new link replaces the invitation's.
    let invited = post(
        &app,
        &admin,
        "/console/users/invite",
        &[
            ("csrf", &token),
            ("email", "new@example.com"),
            ("role", "read"),
        ],
    )
    .await;
    assert_eq!(invited.status, StatusCode::OK, "{}", invited.body);
    let invitation = link_in(&invited.body);
    assert!(
        invited
            .body
            .contains("aria-label=\"New sign-in link for new@example.com\""),
        "{}",
        invited.body
    );
    let renewed = post(
        &app,
        &admin,
        "/console/users/reset",
        &[("csrf", &token), ("email", "new@example.com")],
    )
    .await;
    assert_eq!(renewed.status, StatusCode::OK, "{}", renewed.body);
    let second = link_in(&renewed.body);
    assert_ne!(second, invitation);
    let (_, first) = use_link(&app, &invitation, PASSWORD).await;
    assert_eq!(first, StatusCode::GONE);
    let (joined, used) = use_link(&app, &second, PASSWORD).await;
    assert_eq!(used, StatusCode::SEE_OTHER);
    assert!(live(&app, &joined).await);

    // No reset link for oneself (it would end one's own session), for a
    // disabled user, or for no one.
    let own = post(
        &app,
        &admin,
        "/console/users/reset",
        &[("csrf", &token), ("email", "Boss@Example.com")],
    )
    .await;
    assert_eq!(own.status, StatusCode::BAD_REQUEST);
    assert!(own.body.contains("account page"), "{}", own.body);
    assert!(live(&app, &admin).await);
    post(
        &app,
        &admin,
        "/console/users/disable",
        &[("csrf", &token), ("email", "new@example.com")],
    )
    .await;
    let disabled = post(
        &app,
        &admin,
        "/console/users/reset",
        &[("csrf", &token), ("email", "new@example.com")],
    )
    .await;
    assert_eq!(disabled.status, StatusCode::BAD_REQUEST);
    assert!(
        disabled.body.contains(
            "The user new@example.com is disabled: enable them before giving them a new \
             sign-in link."
        ),
        "{}",
        disabled.body
    );
    assert!(!disabled.body.contains("/console/first-admin?token="));
    let nobody = post(
        &app,
        &admin,
        "/console/users/reset",
        &[("csrf", &token), ("email", "nobody@example.com")],
    )
    .await;
    assert_eq!(nobody.status, StatusCode::NOT_FOUND);
    app.stop().await;
}

async fn read_users_manage_no_one(db: TestDb) {
    let app = spawn(db).await;
    let (reader, token) = signed_in(&app, "reader@example.com", Role::Read).await;
    users::create_user(
        &app.store,
        "seller@example.com",
        Role::Ingest,
        Some(PASSWORD),
    )
    .await
    .unwrap();
    let seller = session_of(&app, "seller@example.com", PASSWORD).await;
    users::create_user(&app.store, "gone@example.com", Role::Read, Some(PASSWORD))
        .await
        .unwrap();
    users::disable_user(&app.store, "gone@example.com")
        .await
        .unwrap();

    for (path, email) in [
        ("/console/users/reset", "seller@example.com"),
        ("/console/users/enable", "gone@example.com"),
        ("/console/users/reset", "reader@example.com"),
    ] {
        let refused = post(&app, &reader, path, &[("csrf", &token), ("email", email)]).await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN, "{path}");
        assert!(
            refused.body.contains("This needs the admin role"),
            "{}",
            refused.body
        );
        assert!(!refused.body.contains("/console/first-admin?token="));
    }
    assert!(live(&app, &seller).await, "no reset link was made");
    assert!(live(&app, &reader).await);
    let still = sign_in(&app, &browser(), "gone@example.com", PASSWORD).await;
    assert_eq!(still.status, StatusCode::UNAUTHORIZED, "still disabled");
    app.stop().await;
}

async fn changing_ones_password(db: TestDb) {
    let app = spawn(db).await;
    let (here, token) = signed_in(&app, "reader@example.com", Role::Read).await;
    let elsewhere = session_of(&app, "reader@example.com", PASSWORD).await;

    // The header's name leads to the account page, which anyone signed in
    // reaches (and which needs signing in).
    let shell = get(&app, &here, "/console/").await;
    assert!(
        shell
            .body
            .contains("<a href=\"/console/account\">reader@example.com (read)</a>"),
        "{}",
        shell.body
    );
    let page = get(&app, &here, "/console/account").await;
    assert_eq!(page.status, StatusCode::OK);
    for field in ["current_password", "new_password", "confirm"] {
        assert!(
            page.body.contains(&format!("name=\"{field}\"")),
            "{}",
            page.body
        );
    }
    assert_eq!(csrf(&page.body), token);
    let anonymous = get(&app, &browser(), "/console/account").await;
    assert_eq!(anonymous.status, StatusCode::SEE_OTHER);
    assert_eq!(
        anonymous.location,
        "/console/sign-in?next=%2Fconsole%2Faccount"
    );

    let change = |current: &'static str, new: &'static str, confirm: &'static str| {
        let (app, here, token) = (&app, &here, &token);
        async move {
            post(
                app,
                here,
                "/console/account",
                &[
                    ("csrf", token.as_str()),
                    ("current_password", current),
                    ("new_password", new),
                    ("confirm", confirm),
                ],
            )
            .await
        }
    };

    // Without the CSRF token: refused, nothing changed.
    let forged = post(
        &app,
        &here,
        "/console/account",
        &[
            ("current_password", PASSWORD),
            ("new_password", NEW_PASSWORD),
            ("confirm", NEW_PASSWORD),
        ],
    )
    .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    assert!(forged.body.contains("security token"), "{}", forged.body);

    // A wrong current password: 400, the message at its field.
    let wrong = change("not my password", NEW_PASSWORD, NEW_PASSWORD).await;
    assert_eq!(wrong.status, StatusCode::BAD_REQUEST);
    assert!(
        wrong
            .body
            .contains("id=\"current-password-error\">The current password is wrong.</p>"),
        "{}",
        wrong.body
    );
    assert!(wrong.body.contains("aria-invalid=\"true\""));
    // A new password too short: 400 at its field.
    let short = change(PASSWORD, "too short", "too short").await;
    assert_eq!(short.status, StatusCode::BAD_REQUEST);
    assert!(
        short.body.contains(
            "id=\"new-password-error\">A password needs at least 12 characters (this has 9).</p>"
        ),
        "{}",
        short.body
    );
    // The two new passwords differ: 400 at the second.
    let differ = change(PASSWORD, NEW_PASSWORD, "a new and longer secreT").await;
    assert_eq!(differ.status, StatusCode::BAD_REQUEST);
    assert!(
        differ
            .body
            .contains("id=\"confirm-password-error\">The two new passwords differ.</p>"),
        "{}",
        differ.body
    );
    // Nothing changed: both sessions live, the password as it was.
    assert!(live(&app, &here).await && live(&app, &elsewhere).await);
    let new = sign_in(&app, &browser(), "reader@example.com", NEW_PASSWORD).await;
    assert_eq!(new.status, StatusCode::UNAUTHORIZED);
    let third = session_of(&app, "reader@example.com", PASSWORD).await;

    let changed = change(PASSWORD, NEW_PASSWORD, NEW_PASSWORD).await;
    assert_eq!(changed.status, StatusCode::OK, "{}", changed.body);
    assert!(
        changed.body.contains(
            "Your password is changed. Your other sessions have ended; this one continues."
        ),
        "{}",
        changed.body
    );
    assert!(live(&app, &here).await, "this session continues");
    assert!(!live(&app, &elsewhere).await, "the other sessions end");
    assert!(!live(&app, &third).await);
    let old = sign_in(&app, &browser(), "reader@example.com", PASSWORD).await;
    assert_eq!(old.status, StatusCode::UNAUTHORIZED, "the old password");
    let other = session_of(&app, "reader@example.com", NEW_PASSWORD).await;
    assert!(live(&app, &other).await);

    // Wrong current passwords count as failed sign-ins: past the limit the
    // change is refused even with the right one.
    for _ in 0..users::MAX_FAILURES {
        let wrong = change(PASSWORD, "a third password!", "a third password!").await;
        assert_eq!(wrong.status, StatusCode::BAD_REQUEST);
    }
    let limited = change(NEW_PASSWORD, "a third password!", "a third password!").await;
    assert_eq!(limited.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(
        limited
            .body
            .contains("id=\"current-password-error\">Too many wrong passwords"),
        "{}",
        limited.body
    );
    assert!(live(&app, &here).await && live(&app, &other).await);
    app.stop().await;
}

leadscore_store::on_both_backends!(
    admin_enables_and_resets,
    read_users_manage_no_one,
    changing_ones_password
);
