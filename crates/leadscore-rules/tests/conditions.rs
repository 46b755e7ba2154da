//! RULES.md, "Conditions": what a condition's `entity` looks at (behaviour vs
//! fixed conditions, `Contact` and `Account`, traversals, custom entities) and
//! field paths in `where`. Each test quotes the sentence it checks.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{Data, days_before, holds, score_of};
use leadscore_domain::{AccountId, LeadId};

/// Contact-based lead `L1` on `C1` (city Boston, at `A1`, Retail); `C2` at the
/// same account lives in Chicago; lead `L1` also has its own account `A2`
/// (Software) when `own_account` is set.
fn two_accounts(own_account: bool) -> Data {
    let mut d = Data::new();
    d.account("A1").industry = Some("Retail".into());
    d.account("A2").industry = Some("Software".into());
    d.contact("C1", Some("A1")).city = Some("Boston".into());
    d.contact("C2", Some("A1")).city = Some("Chicago".into());
    d.lead("L1", Some("C1"), own_account.then_some("A2"));
    d
}

// "An interaction kind (`EmailClicked`, `FormSubmitted`, a custom kind): a
// behaviour condition over the interactions attributed to the lead"
#[test]
fn an_interaction_kind_counts_the_leads_interactions_of_that_kind() {
    let mut d = Data::contact_based();
    d.interactions(2, "EmailClicked", 3, "C1");
    d.interactions(1, "FormSubmitted", 3, "C1");
    d.interactions(4, "PricingPageViewed", 3, "C1");
    assert_eq!(
        score_of(&d, "{ entity: EmailClicked, frequency: each }", 1),
        2
    );
    assert_eq!(
        score_of(&d, "{ entity: FormSubmitted, frequency: each }", 1),
        1
    );
    // A custom kind is accepted and counted the same way.
    assert_eq!(
        score_of(&d, "{ entity: PricingPageViewed, frequency: each }", 1),
        4
    );
    // A kind the lead never did (or nobody did) has no qualifying interaction.
    assert_eq!(
        score_of(&d, "{ entity: EventAttended, frequency: each }", 1),
        0
    );
    assert_eq!(
        score_of(&d, "{ entity: DemoBooked, frequency: each }", 1),
        0
    );
    assert!(holds(&d, "{ entity: DemoBooked, frequency: none }"));
}

// "`Lead`, `Contact` or `Account`, or a path from one: a *fixed* condition on
// profile data."
#[test]
fn a_fixed_condition_reads_profile_data_and_adds_its_points_once() {
    let mut d = Data::contact_based();
    d.lead_mut("L1").source = Some("Webinar".into());
    d.contact_mut("C1").city = Some("Chicago".into());
    d.account_mut("A1").employees = Some(800);
    // Interactions do not make a fixed condition count more than once.
    d.interactions(5, "EmailClicked", 1, "C1");
    for (condition, expected) in [
        (
            "{ entity: Lead, where: [ { field: source, op: eq, value: Webinar } ] }",
            7,
        ),
        (
            "{ entity: Lead, where: [ { field: source, op: eq, value: Web } ] }",
            0,
        ),
        (
            "{ entity: Contact, where: [ { field: city, op: eq, value: Chicago } ] }",
            7,
        ),
        (
            "{ entity: Account, where: [ { field: employees, op: gt, value: 500 } ] }",
            7,
        ),
        (
            "{ entity: Account, where: [ { field: employees, op: gt, value: 900 } ] }",
            0,
        ),
        // No `where`: holds when the record exists.
        ("{ entity: Contact }", 7),
    ] {
        assert_eq!(score_of(&d, condition, 7), expected, "{condition}");
    }
}

// "`Contact` means the lead's parent contact" (not another contact of its
// account).
#[test]
fn contact_is_the_leads_parent_contact() {
    let d = two_accounts(false);
    assert!(holds(
        &d,
        "{ entity: Contact, where: [ { field: city, op: eq, value: Boston } ] }"
    ));
    assert!(!holds(
        &d,
        "{ entity: Contact, where: [ { field: city, op: eq, value: Chicago } ] }"
    ));
}

// "`Account` the lead's parent account or, when it has none, its contact's
// parent account."
#[test]
fn account_is_the_leads_own_account_or_else_its_contacts() {
    let software = "{ entity: Account, where: [ { field: industry, op: eq, value: Software } ] }";
    let retail = "{ entity: Account, where: [ { field: industry, op: eq, value: Retail } ] }";
    // The lead's own account (A2) wins over its contact's (A1).
    let d = two_accounts(true);
    assert!(holds(&d, software));
    assert!(!holds(&d, retail));
    // Without one, the contact's account.
    let d = two_accounts(false);
    assert!(!holds(&d, software));
    assert!(holds(&d, retail));
    // An account-based lead: its account.
    let mut d = Data::account_based();
    d.account_mut("A1").industry = Some("Software".into());
    assert!(holds(&d, software));
}

// "For an account-based lead, a condition on `Contact` holds when it holds for
// any of the account's contacts."
#[test]
fn contact_of_an_account_based_lead_is_any_of_the_accounts_contacts() {
    let mut d = Data::account_based();
    d.contact_mut("C1").city = Some("Boston".into());
    d.contact_mut("C2").city = Some("Chicago".into());
    d.account("A2");
    d.contact("C3", Some("A2")).city = Some("Denver".into());
    for (city, expected) in [("Boston", true), ("Chicago", true), ("Denver", false)] {
        let condition =
            format!("{{ entity: Contact, where: [ {{ field: city, op: eq, value: {city} }} ] }}");
        assert_eq!(holds(&d, &condition), expected, "{city}");
    }
    // Points are added once however many contacts match.
    d.contact_mut("C1").city = Some("Chicago".into());
    assert_eq!(
        score_of(
            &d,
            "{ entity: Contact, where: [ { field: city, op: eq, value: Chicago } ] }",
            5
        ),
        5
    );
}

// (Same sentence.) One contact must pass every filter of the condition: two
// contacts passing one filter each do not make it hold.
#[test]
fn one_contact_must_pass_all_filters_of_a_condition() {
    let mut d = Data::account_based();
    let c1 = d.contact_mut("C1");
    c1.city = Some("Chicago".into());
    c1.job_title = Some("Intern".into());
    let c2 = d.contact_mut("C2");
    c2.city = Some("Boston".into());
    c2.job_title = Some("CEO".into());
    let both = |city: &str, title: &str| {
        format!(
            "{{ entity: Contact, where: [ {{ field: city, op: eq, value: {city} }}, \
             {{ field: job_title, op: eq, value: {title} }} ] }}"
        )
    };
    assert!(!holds(&d, &both("Chicago", "CEO")));
    assert!(!holds(&d, &both("Boston", "Intern")));
    assert!(holds(&d, &both("Chicago", "Intern")));
    assert!(holds(&d, &both("Boston", "CEO")));
}

// "A path of hops ... `Lead.ParentContact`, `Lead.ParentAccount`,
// `Contact.ParentAccount`, `Lead.ParentContact.ParentAccount`": fixed paths, with
// `where` read on the record the path ends at.
#[test]
fn fixed_traversals_read_the_record_the_path_ends_at() {
    // L1: own account A2 (Software); its contact C1 (Boston) is at A1 (Retail).
    let d = two_accounts(true);
    let cases = [
        ("Lead.ParentContact", "city", "Boston", true),
        ("Lead.ParentContact", "city", "Chicago", false),
        // The lead's own parent account.
        ("Lead.ParentAccount", "industry", "Software", true),
        ("Lead.ParentAccount", "industry", "Retail", false),
        // The contact's parent account.
        ("Contact.ParentAccount", "industry", "Retail", true),
        ("Contact.ParentAccount", "industry", "Software", false),
        (
            "Lead.ParentContact.ParentAccount",
            "industry",
            "Retail",
            true,
        ),
        (
            "Lead.ParentContact.ParentAccount",
            "industry",
            "Software",
            false,
        ),
    ];
    for (path, field, value, expected) in cases {
        let condition = format!(
            "{{ entity: {path}, where: [ {{ field: {field}, op: eq, value: {value} }} ] }}"
        );
        assert_eq!(holds(&d, &condition), expected, "{condition}");
    }
}

// (Same list.) `Contact.ParentAccount` for an account-based lead: the parent
// account of any of the account's contacts.
#[test]
fn contact_parent_account_of_an_account_based_lead() {
    let mut d = Data::account_based();
    d.account_mut("A1").employees = Some(2000);
    assert!(holds(
        &d,
        "{ entity: Contact.ParentAccount, where: [ { field: employees, op: ge, value: 1000 } ] }"
    ));
}

// "A path that starts at an interaction kind is still a behaviour condition over
// those interactions; its `where` fields are read on the entity the path ends
// at." (`EmailClicked.Contact`)
#[test]
fn email_clicked_contact_filters_on_the_interactions_contact() {
    let mut d = Data::account_based();
    d.contact_mut("C1").city = Some("Chicago".into());
    d.contact_mut("C2").city = Some("Boston".into());
    d.interactions(2, "EmailClicked", 3, "C1");
    d.interactions(3, "EmailClicked", 3, "C2");
    d.interactions(1, "EmailClicked", 30, "C1");
    let chicago = "where: [ { field: city, op: eq, value: Chicago } ]";
    // Counted per interaction (each), and windows apply.
    assert_eq!(
        score_of(
            &d,
            &format!("{{ entity: EmailClicked.Contact, frequency: each, {chicago} }}"),
            1
        ),
        3
    );
    assert_eq!(
        score_of(
            &d,
            &format!("{{ entity: EmailClicked.Contact, frequency: each, within: 7d, {chicago} }}"),
            1
        ),
        2
    );
    assert!(holds(
        &d,
        &format!("{{ entity: EmailClicked.Contact, frequency: at_least, count: 3, {chicago} }}")
    ));
    assert!(!holds(
        &d,
        &format!("{{ entity: EmailClicked.Contact, frequency: at_least, count: 4, {chicago} }}")
    ));
}

// (Same sentence.) `EmailClicked.Contact.ParentAccount`: the account of the
// contact who clicked, not the lead's own account.
#[test]
fn email_clicked_contact_parent_account_filters_on_that_account() {
    let mut d = two_accounts(true);
    d.interactions(2, "EmailClicked", 3, "C1");
    let path = "EmailClicked.Contact.ParentAccount";
    let industry = |v: &str| {
        format!(
            "{{ entity: {path}, frequency: each, where: [ {{ field: industry, op: eq, value: {v} }} ] }}"
        )
    };
    assert_eq!(score_of(&d, &industry("Retail"), 1), 2);
    assert_eq!(score_of(&d, &industry("Software"), 1), 0);
}

// (Same sentence.) `FormSubmitted.Lead`: the lead the interaction names.
#[test]
fn form_submitted_lead_filters_on_the_lead_the_interaction_names() {
    let mut d = Data::contact_based();
    d.lead_mut("L1").source = Some("Webinar".into());
    d.lead("L2", Some("C1"), None).source = Some("Web".into());
    d.interaction("FormSubmitted", days_before(1), "C1").lead_id = Some(lead("L1"));
    d.interaction("FormSubmitted", days_before(1), "C1").lead_id = Some(lead("L2"));
    d.interaction("FormSubmitted", days_before(1), "C1");
    let source = |op: &str, v: &str| {
        format!(
            "{{ entity: FormSubmitted.Lead, frequency: each, where: [ {{ field: source, op: {op}, value: {v} }} ] }}"
        )
    };
    assert_eq!(score_of(&d, &source("eq", "Webinar"), 1), 1);
    assert_eq!(score_of(&d, &source("eq", "Web"), 1), 1);
    assert_eq!(score_of(&d, &source("in", "[Web, Webinar]"), 1), 2);
    // An interaction that names no lead has no record at the path's end, so it
    // never qualifies, not even under `ne` or with no filter at all.
    assert_eq!(score_of(&d, &source("ne", "Referral"), 1), 2);
    assert_eq!(
        score_of(&d, "{ entity: FormSubmitted.Lead, frequency: each }", 1),
        2
    );
    assert_eq!(
        score_of(&d, "{ entity: FormSubmitted, frequency: each }", 1),
        3
    );
}

fn lead(id: &str) -> LeadId {
    LeadId::parse(id).unwrap()
}

// "A path of hops separated by dots, at most 5 hops after the first name": the
// longest path the hops allow (four: custom record -> its lead -> its contact ->
// that contact's account) is followed to its end.
#[test]
fn the_longest_path_is_followed_to_its_end() {
    let mut d = two_accounts(true);
    d.record("Meeting", "M1", "L1", &[]);
    d.record("Meeting", "M2", "L1", &[]);
    let path = "Lead.Meeting.Lead.ParentContact.ParentAccount";
    let industry = |v: &str| {
        format!(
            "{{ entity: {path}, frequency: each, where: [ {{ field: industry, op: eq, value: {v} }} ] }}"
        )
    };
    // C1's account A1 (Retail), not the lead's own A2 (Software).
    assert_eq!(score_of(&d, &industry("Retail"), 1), 2);
    assert_eq!(score_of(&d, &industry("Software"), 1), 0);
}

// "A fixed condition whose path leads to no record (a lead with no parent
// account, under `Lead.ParentAccount`) does not hold." Not even with the
// operators that hold on an absent value.
#[test]
fn a_fixed_path_to_no_record_does_not_hold() {
    // Contact-based lead L1 without its own account; its contact C1 has none.
    let mut d = Data::new();
    d.contact("C1", None);
    d.lead("L1", Some("C1"), None);
    let filters = [
        "",
        ", where: [ { field: industry, op: ne, value: Retail } ]",
        ", where: [ { field: industry, op: not_contains, value: Retail } ]",
        ", where: [ { field: industry, op: not_in, value: [Retail] } ]",
        ", where: [ { field: industry, op: is_empty } ]",
    ];
    for filter in filters {
        for path in ["Lead.ParentAccount", "Account", "Contact.ParentAccount"] {
            let condition = format!("{{ entity: {path}{filter} }}");
            assert!(!holds(&d, &condition), "{condition}");
        }
    }
    // Account-based lead L1 on an account without contacts.
    let mut account_based = Data::new();
    account_based.account("A9");
    account_based.lead("L1", None, Some("A9"));
    for condition in [
        "{ entity: Lead.ParentContact }",
        "{ entity: Lead.ParentContact, where: [ { field: city, op: is_empty } ] }",
        "{ entity: Contact, where: [ { field: city, op: ne, value: Boston } ] }",
        "{ entity: Contact.ParentAccount }",
    ] {
        assert!(!holds(&account_based, condition), "{condition}");
    }
    // The same filters hold when the record exists and the field is absent.
    let mut with_account = Data::contact_based();
    with_account.lead_mut("L1").account_id = Some(AccountId::parse("A1").unwrap());
    for filter in &filters[1..] {
        let condition = format!("{{ entity: Lead.ParentAccount{filter} }}");
        assert!(holds(&with_account, &condition), "{condition}");
    }
}

// "`Lead.<CustomEntity>`: related custom records with a many-to-one link to the
// lead; counted like interactions."
#[test]
fn custom_entities_are_counted_like_interactions() {
    let mut d = Data::contact_based();
    d.lead("L2", Some("C1"), None);
    d.record("Meeting", "M1", "L1", &[("outcome", "Completed")]);
    d.record("Meeting", "M2", "L1", &[("outcome", "completed")]);
    d.record("Meeting", "M3", "L1", &[("outcome", "No-show")]);
    d.record("Meeting", "M4", "L2", &[("outcome", "Completed")]);
    let completed = "where: [ { field: outcome, op: eq, value: Completed } ]";
    let cases = [
        (format!("{{ entity: Lead.Meeting, frequency: each, {completed} }}"), 10),
        ("{ entity: Lead.Meeting, frequency: each }".to_owned(), 15),
        (format!("{{ entity: Lead.Meeting, {completed} }}"), 5),
        (format!("{{ entity: Lead.Meeting, frequency: at_least, count: 2, {completed} }}"), 5),
        (format!("{{ entity: Lead.Meeting, frequency: at_least, count: 3, {completed} }}"), 0),
        (format!("{{ entity: Lead.Meeting, frequency: none, {completed} }}"), 0),
        (
            "{ entity: Lead.Meeting, frequency: none, where: [ { field: outcome, op: eq, value: Cancelled } ] }"
                .to_owned(),
            5,
        ),
        // An entity with no records at all.
        ("{ entity: Lead.Opportunity, frequency: none }".to_owned(), 5),
        ("{ entity: Lead.Opportunity }".to_owned(), 0),
    ];
    for (condition, expected) in cases {
        assert_eq!(score_of(&d, &condition, 5), expected, "{condition}");
    }
}

// "`field` in `where` may itself carry a path (`Contact.city`,
// `ParentAccount.industry`), read from the condition's entity."
#[test]
fn field_paths_are_read_from_the_conditions_entity() {
    let mut d = two_accounts(true);
    d.contact_mut("C1").job_title = Some("CTO".into());
    d.interactions(2, "EmailClicked", 1, "C1");
    let cases = [
        // From an interaction: the contact who clicked.
        (
            "{ entity: EmailClicked, frequency: each, where: [ { field: Contact.city, op: eq, value: Boston } ] }",
            2,
        ),
        (
            "{ entity: EmailClicked, frequency: each, where: [ { field: Contact.city, op: eq, value: Chicago } ] }",
            0,
        ),
        (
            "{ entity: EmailClicked, frequency: each, where: [ { field: Contact.ParentAccount.industry, op: eq, value: Retail } ] }",
            2,
        ),
        // From the lead: its own parent account, its parent contact.
        (
            "{ entity: Lead, where: [ { field: ParentAccount.industry, op: eq, value: Software } ] }",
            1,
        ),
        (
            "{ entity: Lead, where: [ { field: ParentAccount.industry, op: eq, value: Retail } ] }",
            0,
        ),
        (
            "{ entity: Lead, where: [ { field: ParentContact.job_title, op: eq, value: CTO } ] }",
            1,
        ),
        (
            "{ entity: Lead, where: [ { field: ParentContact.ParentAccount.industry, op: eq, value: Retail } ] }",
            1,
        ),
        // From a contact: its parent account.
        (
            "{ entity: Contact, where: [ { field: ParentAccount.industry, op: eq, value: Retail } ] }",
            1,
        ),
    ];
    for (condition, expected) in cases {
        assert_eq!(score_of(&d, condition, 1), expected, "{condition}");
    }
}

// "A field that no record of that entity can have is ... simply absent otherwise"
// (when the model is not loaded against a schema). A field path through a
// missing record reads as absent too (unlike an entity path, which then does not
// hold).
#[test]
fn unknown_fields_and_field_paths_to_no_record_read_as_absent() {
    let d = two_accounts(false);
    let cases = [
        (
            "{ entity: Lead, where: [ { field: no_such_field, op: eq, value: x } ] }",
            false,
        ),
        (
            "{ entity: Lead, where: [ { field: no_such_field, op: ne, value: x } ] }",
            true,
        ),
        (
            "{ entity: Contact, where: [ { field: no_such_field, op: is_empty } ] }",
            true,
        ),
        (
            "{ entity: Lead, where: [ { field: ParentAccount.industry, op: is_empty } ] }",
            true,
        ),
        (
            "{ entity: Lead, where: [ { field: ParentAccount.industry, op: ne, value: Retail } ] }",
            true,
        ),
        (
            "{ entity: Lead, where: [ { field: ParentAccount.industry, op: eq, value: Retail } ] }",
            false,
        ),
        (
            "{ entity: Lead.ParentAccount, where: [ { field: industry, op: is_empty } ] }",
            false,
        ),
    ];
    for (condition, expected) in cases {
        assert_eq!(holds(&d, condition), expected, "{condition}");
    }
}

// "`where`: all must hold (AND)" (the example's comment), for behaviour
// conditions: each interaction must pass every filter.
#[test]
fn every_filter_of_a_behaviour_condition_must_pass_on_the_same_interaction() {
    let mut d = Data::contact_based();
    d.interaction("EmailClicked", days_before(1), "C1")
        .properties
        .set("email_name", "Spring launch");
    let ix = d.interaction("EmailClicked", days_before(1), "C1");
    ix.properties.set("email_name", "Newsletter");
    ix.properties.set("url", "https://x.test/pricing");
    let condition = |name: &str| {
        format!(
            "{{ entity: EmailClicked, frequency: each, where: [ \
             {{ field: email_name, op: eq, value: '{name}' }}, \
             {{ field: url, op: contains, value: pricing }} ] }}"
        )
    };
    assert_eq!(score_of(&d, &condition("Spring launch"), 1), 0);
    assert_eq!(score_of(&d, &condition("Newsletter"), 1), 1);
}
