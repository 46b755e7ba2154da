//! Signing in and out with the keyboard, the first admin's link and an invitation.

use super::*;

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

scenarios!(signing_in_and_out, first_admin_and_invitation);
