//! The console's rule-model designer, end to end over HTTP with a
//! cookie-keeping client (as a browser), on SQLite and PostgreSQL: a model
//! built from nothing through form posts, mistakes answered at their fields
//! with nothing saved, the live backtest (and that it is the library's own),
//! versions and restore, roles and CSRF.

use leadscore_domain::{
    Account, AccountId, Contact, ContactId, Dataset, Interaction, InteractionId, InteractionKind,
    Lead, LeadId, LeadStatus, Timestamp,
};
use leadscore_engine::{Role, model_registry};
use leadscore_rules::{Evaluator, Graph, Plan, RuleModel, backtest};
use leadscore_store::Store;
use leadscore_store::testing::TestDb;
use reqwest::StatusCode;
use serde_json::Value;

use crate::console_support::{browser, get, post_form, signed_in};
use crate::support::{App, spawn};

/// 60 leads, one contact each: every third came by referral; 48 closed
/// (referred and clicking leads qualify more often), 12 open.
fn dataset() -> Dataset {
    let start = Timestamp::parse("2026-03-01").unwrap().as_micros();
    let hour = 3_600_000_000i64;
    let mut data = Dataset::default();
    data.accounts
        .push(Account::new(AccountId::parse("A1").unwrap()));
    for i in 0..60i64 {
        let created = Timestamp::from_micros(start + i * hour).unwrap();
        let mut contact = Contact::new(ContactId::parse(format!("C{i:02}")).unwrap());
        contact.account_id = Some(AccountId::parse("A1").unwrap());
        data.contacts.push(contact);
        let mut lead = Lead::new(LeadId::parse(format!("L{i:02}")).unwrap(), created);
        lead.contact_id = Some(ContactId::parse(format!("C{i:02}")).unwrap());
        lead.source = Some(if i % 3 == 0 { "Referral" } else { "Web" }.to_owned());
        if i < 48 {
            let good = (i % 3 == 0 && i % 2 == 0) || (i % 4 == 0 && i % 5 != 0) || i % 7 == 0;
            lead.status = if good {
                LeadStatus::Qualified
            } else {
                LeadStatus::Disqualified
            };
            lead.closed_at = Some(Timestamp::from_micros(start + i * hour + 240 * hour).unwrap());
        }
        data.leads.push(lead);
        if i % 4 == 0 || i % 7 == 0 {
            for k in 0..(1 + i % 3) {
                let mut click = Interaction::new(
                    InteractionId::parse(format!("I{i:02}-{k}")).unwrap(),
                    InteractionKind::EmailClicked,
                    Timestamp::from_micros(start + i * hour + (24 + k) * hour).unwrap(),
                );
                click.contact_id = Some(ContactId::parse(format!("C{i:02}")).unwrap());
                data.interactions.push(click);
            }
        }
    }
    data
}

fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(n, v)| ((*n).to_owned(), (*v).to_owned()))
        .collect()
}

/// The form of the test model, as the designer posts it.
fn model_form(csrf: &str, points: &str, value: &str) -> Vec<(String, String)> {
    pairs(&[
        ("csrf", csrf),
        ("original", ""),
        ("source", "form"),
        ("name", "Test fit"),
        ("target", "contact"),
        ("sales_ready", "10"),
        ("floor", ""),
        ("grades[0].name", "Low"),
        ("grades[0].min", ""),
        ("grades[0].max", "4"),
        ("grades[1].name", "High"),
        ("grades[1].min", "5"),
        ("grades[1].max", ""),
        ("rules[0].name", "Referred"),
        ("rules[0].combine", "when"),
        ("rules[0].points", points),
        ("rules[0].cap", ""),
        ("rules[0].when[0].entity", "Lead"),
        ("rules[0].when[0].frequency", ""),
        ("rules[0].when[0].where[0].field", "source"),
        ("rules[0].when[0].where[0].op", "eq"),
        ("rules[0].when[0].where[0].value", value),
        ("rules[1].name", "Clicked"),
        ("rules[1].combine", "when"),
        ("rules[1].points", "3"),
        ("rules[1].when[0].entity", "EmailClicked"),
        ("rules[1].when[0].frequency", "each"),
    ])
}

const MODEL_YAML: &str = r#"
name: Test fit
target: contact
sales_ready: 10
grades:
  - { name: Low, max: 4 }
  - { name: High, min: 5 }
rules:
  - name: Referred
    when: [ { entity: Lead, where: [ { field: source, op: eq, value: Referral } ] } ]
    points: 10
  - name: Clicked
    when: [ { entity: EmailClicked, frequency: each } ]
    points: 3
"#;

fn with(mut form: Vec<(String, String)>, extra: &[(&str, &str)]) -> Vec<(String, String)> {
    form.extend(pairs(extra));
    form
}

async fn check(app: &App, client: &reqwest::Client, form: &[(String, String)]) -> Value {
    let answer = post_form(app, client, "/console/designer/check", form).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    serde_json::from_str(&answer.body).unwrap()
}

async fn designs_checks_and_saves(db: TestDb) {
    let data = dataset();
    db.store.import(&data, &|_| {}).await.unwrap();
    let app = spawn(db).await;
    let (admin, token) = signed_in(&app, "admin@example.com", Role::Admin).await;
    let list = get(&app, &admin, "/console/rule-models").await;
    assert_eq!(list.status, StatusCode::OK);
    assert!(list.body.contains("No rule model yet"), "{}", list.body);

    // From nothing, through the form's buttons.
    let blank = pairs(&[("csrf", &token), ("original", ""), ("name", "Test fit")]);
    let added = post_form(
        &app,
        &admin,
        "/console/designer",
        &with(blank.clone(), &[("add_grade", "1")]),
    )
    .await;
    assert_eq!(added.status, StatusCode::OK, "{}", added.body);
    assert!(
        added.body.contains("name=\"grades[0].name\""),
        "{}",
        added.body
    );
    let added = post_form(
        &app,
        &admin,
        "/console/designer",
        &with(blank.clone(), &[("add_rule", "1")]),
    )
    .await;
    assert!(
        added.body.contains("name=\"rules[0].when[0].entity\""),
        "{}",
        added.body
    );
    let added = post_form(
        &app,
        &admin,
        "/console/designer",
        &with(
            blank,
            &[
                ("rules[0].name", "R"),
                ("rules[0].when[0].entity", "Lead"),
                ("add_filter", "0.0"),
            ],
        ),
    )
    .await;
    assert!(
        added
            .body
            .contains("name=\"rules[0].when[0].where[0].field\""),
        "{}",
        added.body
    );
    assert!(
        added.body.contains("value=\"R\""),
        "the typed name is kept: {}",
        added.body
    );

    // A misspelt field: the message at the field, nothing saved.
    let mut bad = model_form(&token, "10", "Referral");
    bad.retain(|(n, _)| n != "rules[0].when[0].where[0].field");
    bad.push(("rules[0].when[0].where[0].field".into(), "sourse".into()));
    let refused = post_form(
        &app,
        &admin,
        "/console/designer",
        &with(bad.clone(), &[("save", "1")]),
    )
    .await;
    assert_eq!(
        refused.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        refused.body
    );
    let at = "id=\"f-rules-0-when-0-where-0-field-error\"";
    let start = refused
        .body
        .find(at)
        .unwrap_or_else(|| panic!("{}", refused.body));
    assert!(
        refused.body[start..].contains("did you mean `source`"),
        "{}",
        refused.body
    );
    assert!(
        model_registry::rule_models(&app.store)
            .await
            .unwrap()
            .is_empty()
    );
    let answer = check(&app, &admin, &bad).await;
    assert_eq!(answer["savable"], false);
    assert_eq!(
        answer["warnings"][0]["field"], "rules[0].when[0].where[0].field",
        "{answer}"
    );

    // A gap between grades.
    let mut gap = model_form(&token, "10", "Referral");
    for (n, v) in &mut gap {
        if n == "grades[1].min" {
            *v = "7".into();
        }
    }
    let answer = check(&app, &admin, &gap).await;
    assert_eq!(answer["problems"][0]["field"], "grades[1].min", "{answer}");
    assert!(
        answer["figures"].is_null(),
        "a model with a problem is not backtested"
    );
    let refused = post_form(
        &app,
        &admin,
        "/console/designer",
        &with(gap, &[("save", "1")]),
    )
    .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused.body.contains("id=\"f-grades-1-min-error\""),
        "{}",
        refused.body
    );

    // A value no record has.
    let referal = model_form(&token, "10", "Referal");
    let answer = check(&app, &admin, &referal).await;
    let warning = &answer["warnings"][0];
    assert_eq!(
        warning["field"], "rules[0].when[0].where[0].value",
        "{answer}"
    );
    assert!(
        warning["message"]
            .as_str()
            .unwrap()
            .contains("did you mean `Referral`"),
        "{answer}"
    );
    let refused = post_form(
        &app,
        &admin,
        "/console/designer",
        &with(referal, &[("save", "1")]),
    )
    .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        model_registry::rule_models(&app.store)
            .await
            .unwrap()
            .is_empty()
    );

    // The backtest follows the points, and is the library's own.
    let ten = check(&app, &admin, &model_form(&token, "10", "Referral")).await;
    assert_eq!(ten["savable"], true, "{ten}");
    let one = check(&app, &admin, &model_form(&token, "1", "Referral")).await;
    assert_ne!(ten["figures"]["backtest"], one["figures"]["backtest"]);
    let model = RuleModel::from_yaml(MODEL_YAML).unwrap();
    let plans = [Plan::compile(&model).unwrap()];
    let stored = app.store.export().await.unwrap();
    let graph = Graph::from_dataset(&stored, Plan::projection(&plans)).unwrap();
    let library = backtest(&Evaluator::new(&graph, &plans), None);
    assert_eq!(ten["figures"]["closed_leads"], library.closed_leads);
    assert_eq!(
        ten["figures"]["backtest"],
        serde_json::to_value(&library.models[0]).unwrap()
    );
    assert_eq!(ten["figures"]["changes"]["open_leads"], 12);

    // Saving publishes through the engine and keeps a version.
    let saved = post_form(
        &app,
        &admin,
        "/console/designer",
        &with(model_form(&token, "10", "Referral"), &[("save", "1")]),
    )
    .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    assert_eq!(saved.location, "/console/rule-models/Test%20fit?saved=1");
    let (stored, _) = model_registry::rule_model(&app.store, "Test fit")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored, model);
    let page = get(&app, &admin, "/console/rule-models/Test%20fit?saved=1").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Saved and published"), "{}", page.body);
    assert!(page.body.contains("value=\"Referral\""), "{}", page.body);

    // A second version, then restore the first.
    let mut form = model_form(&token, "20", "Referral");
    form.retain(|(n, _)| n != "original");
    form.push(("original".into(), "Test fit".into()));
    let saved = post_form(
        &app,
        &admin,
        "/console/designer",
        &with(form, &[("save", "1")]),
    )
    .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let versions = model_registry::rule_model_versions(&app.store, "Test fit")
        .await
        .unwrap();
    assert_eq!(
        versions.iter().map(|v| v.version).collect::<Vec<_>>(),
        [2, 1]
    );
    assert_eq!(versions[0].saved_by.as_deref(), Some("admin@example.com"));
    let diff = get(&app, &admin, "/console/rule-models/Test%20fit/versions/2").await;
    assert_eq!(diff.status, StatusCode::OK);
    assert!(
        diff.body.contains("points: 20") && diff.body.contains("<del>"),
        "{}",
        diff.body
    );
    let restore = pairs(&[("csrf", &token), ("version", "1")]);
    let restored = post_form(
        &app,
        &admin,
        "/console/rule-models/Test%20fit/restore",
        &restore,
    )
    .await;
    assert_eq!(restored.status, StatusCode::SEE_OTHER, "{}", restored.body);
    let (back, _) = model_registry::rule_model(&app.store, "Test fit")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(back, model);
    let versions = model_registry::rule_model_versions(&app.store, "Test fit")
        .await
        .unwrap();
    assert_eq!(versions.len(), 3);
    let list = get(&app, &admin, "/console/rule-models").await;
    assert!(
        list.body
            .contains("href=\"/console/rule-models/Test%20fit\""),
        "{}",
        list.body
    );

    // The YAML tab: its model becomes the form's.
    let mut form = model_form(&token, "10", "Referral");
    form.retain(|(n, _)| n != "source");
    form.push(("source".into(), "yaml".into()));
    form.push(("yaml".into(), MODEL_YAML.replace("points: 3", "points: 4")));
    let answer = check(&app, &admin, &form).await;
    let html = answer["form_html"].as_str().unwrap();
    assert!(
        html.contains("name=\"rules[1].points\" type=\"text\" value=\"4\""),
        "{html}"
    );
    app.stop().await;
}

async fn roles_and_csrf(db: TestDb) {
    db.store.import(&dataset(), &|_| {}).await.unwrap();
    let app = spawn(db).await;
    let (reader, token) = signed_in(&app, "reader@example.com", Role::Read).await;
    // A read user designs and backtests, but cannot save.
    let answer = check(&app, &reader, &model_form(&token, "10", "Referral")).await;
    assert_eq!(answer["savable"], true);
    let save = with(model_form(&token, "10", "Referral"), &[("save", "1")]);
    let refused = post_form(&app, &reader, "/console/designer", &save).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert!(
        model_registry::rule_models(&app.store)
            .await
            .unwrap()
            .is_empty()
    );

    // Without the CSRF token, even an admin is refused.
    let (admin, token) = signed_in(&app, "admin@example.com", Role::Admin).await;
    let mut forged = with(model_form(&token, "10", "Referral"), &[("save", "1")]);
    forged.retain(|(n, _)| n != "csrf");
    let refused = post_form(&app, &admin, "/console/designer", &forged).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    let refused = post_form(&app, &admin, "/console/designer/check", &forged).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert!(
        model_registry::rule_models(&app.store)
            .await
            .unwrap()
            .is_empty()
    );
    // Signed out: a page redirects to sign-in.
    let anonymous = browser();
    let page = get(&app, &anonymous, "/console/rule-models").await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    app.stop().await;
}

/// Every model opens at its address, whatever its name: models named
/// `new`, `design` or `check` answered the designer's own routes (a blank
/// designer, or 405) while those lived under `/console/rule-models/`.
async fn every_name_opens(db: TestDb) {
    db.store.import(&dataset(), &|_| {}).await.unwrap();
    let app = spawn(db).await;
    for name in ["new", "design", "check"] {
        app.put_model(
            name,
            &MODEL_YAML.replace("name: Test fit", &format!("name: {name}")),
        )
        .await;
    }
    let (reader, _) = signed_in(&app, "reader@example.com", Role::Read).await;
    for name in ["new", "design", "check"] {
        let page = get(&app, &reader, &format!("/console/rule-models/{name}")).await;
        assert_eq!(page.status, StatusCode::OK, "{name}: {}", page.body);
        assert!(
            page.body.contains(&format!("<title>Rule model: {name} ")),
            "{name}: {}",
            page.body
        );
    }
    let list = get(&app, &reader, "/console/rule-models").await;
    assert!(
        list.body.contains("href=\"/console/designer\""),
        "{}",
        list.body
    );
    app.stop().await;
}

/// On a store of more leads than `limits.designer_sample_leads` (here 5 of
/// 60), the designer backtests on the 5 most recently active closed leads
/// and compares the 5 most recently active open ones, and says so: the
/// figures are the library's own backtest of exactly those leads.
async fn samples_a_large_store(db: TestDb) {
    let data = dataset();
    db.store.import(&data, &|_| {}).await.unwrap();
    let mut settings = crate::support::test_settings();
    settings.limits.designer_sample_leads = 5;
    let app = crate::support::spawn_with(db, settings).await;
    app.put_model("Seed", &MODEL_YAML.replace("name: Test fit", "name: Seed"))
        .await;
    let every: Vec<LeadId> = data.leads.iter().map(|l| l.lead_id.clone()).collect();
    app.eventually("every lead scored", || async {
        let states = app.store.scores().states(&every).await.unwrap();
        (states.len() == every.len()).then_some(())
    })
    .await;
    let (admin, token) = signed_in(&app, "admin@example.com", Role::Admin).await;
    let answer = check(&app, &admin, &model_form(&token, "10", "Referral")).await;
    let figures = &answer["figures"];
    assert_eq!(figures["sampled_from"], 60, "{answer}");
    assert_eq!(figures["sample_per_kind"], 5);
    assert_eq!(figures["closed_leads"], 5);
    assert_eq!(figures["changes"]["open_leads"], 5);
    // Latest activity: the last click (24 h after creation, then an hour
    // apart) or the creation. Closed: L44 (70 h), L42 (66), L40 (65), L35
    // (61), L36 (60); open: L56 (82), L52 (77), L49 (74), L48 (72), L59 (59).
    let sampled = [
        "L44", "L42", "L40", "L35", "L36", "L56", "L52", "L49", "L48", "L59",
    ];
    let mut sample = data.clone();
    sample
        .leads
        .retain(|l| sampled.contains(&l.lead_id.as_str()));
    let contacts: Vec<_> = sample
        .leads
        .iter()
        .filter_map(|l| l.contact_id.clone())
        .collect();
    sample.contacts.retain(|c| contacts.contains(&c.contact_id));
    sample
        .interactions
        .retain(|i| i.contact_id.as_ref().is_some_and(|c| contacts.contains(c)));
    let model = RuleModel::from_yaml(MODEL_YAML).unwrap();
    let plans = [Plan::compile(&model).unwrap()];
    let graph = Graph::from_dataset(&sample, Plan::projection(&plans)).unwrap();
    let library = backtest(&Evaluator::new(&graph, &plans), None);
    assert_eq!(
        figures["backtest"],
        serde_json::to_value(&library.models[0]).unwrap()
    );
    // A misspelt value is caught in the sample's values, and the warning
    // says they are a sample's.
    let misspelt = check(&app, &admin, &model_form(&token, "10", "Referal")).await;
    assert!(
        misspelt["warnings"].to_string().contains(
            "no lead of those read from the store (a sample of each kind) has source `Referal` \
             (did you mean `Referral`?)"
        ),
        "{misspelt}"
    );
    let page = post_form(
        &app,
        &admin,
        "/console/designer",
        &model_form(&token, "10", "Referral"),
    )
    .await;
    assert!(
        page.body
            .contains("The store holds 60 leads: these figures are of the 5 most recently active"),
        "{}",
        page.body
    );
    app.stop().await;
}

/// On a large store, the designer opened while its data is still being read
/// (the first time after the service starts; here `limits.designer_wait_ms`
/// is 0, so at once) says so with a page that reloads itself (202), instead
/// of waiting past the request's time limit; the read goes on, and the same
/// page then opens with its backtest.
async fn opens_after_reading_a_large_store(db: TestDb) {
    let data = dataset();
    db.store.import(&data, &|_| {}).await.unwrap();
    let mut settings = crate::support::test_settings();
    settings.limits.designer_sample_leads = 5;
    settings.limits.designer_wait_ms = 0;
    let app = crate::support::spawn_with(db, settings).await;
    app.put_model("Seed", &MODEL_YAML.replace("name: Test fit", "name: Seed"))
        .await;
    // Signed in straight to the designer: the overview would start reading
    // the data (its warm-up), and on a fast store the read could be done
    // before the designer is asked for (seen once in CI on PostgreSQL).
    leadscore_engine::users::create_user(
        &app.store,
        "admin@example.com",
        Role::Admin,
        Some(crate::console_support::PASSWORD),
    )
    .await
    .unwrap();
    let admin = browser();
    let signed = crate::console_support::sign_in_to(
        &app,
        &admin,
        "admin@example.com",
        crate::console_support::PASSWORD,
        "/console/rule-models/Seed",
    )
    .await;
    assert_eq!(signed.status, StatusCode::SEE_OTHER, "{}", signed.body);
    let first = get(&app, &admin, "/console/rule-models/Seed").await;
    assert_eq!(first.status, StatusCode::ACCEPTED, "{}", first.body);
    assert!(
        first
            .body
            .contains("<meta http-equiv=\"refresh\" content=\"5\">")
            && first
                .body
                .contains("The designer is reading the store&#39;s leads for its backtest"),
        "{}",
        first.body
    );
    app.eventually("the designer opens once the data is read", || async {
        let page = get(&app, &admin, "/console/rule-models/Seed").await;
        (page.status == StatusCode::OK).then_some(page)
    })
    .await;
    let new = get(&app, &admin, "/console/designer").await;
    assert_eq!(new.status, StatusCode::OK, "{}", new.body);
    app.stop().await;
}

leadscore_store::on_both_backends!(
    designs_checks_and_saves,
    roles_and_csrf,
    every_name_opens,
    samples_a_large_store,
    opens_after_reading_a_large_store
);
