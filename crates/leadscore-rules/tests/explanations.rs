//! RULES.md: "Each score carries its explanation: the rules that held, the
//! points each added, and the interactions or fields that made it hold."
//! Checked on the `Explanation` as JSON.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{Data, at, days_before, explain, model_of, one_condition, ts};
use leadscore_domain::{AccountId, LeadId};
use leadscore_rules::Target;
use serde_json::{Value, json};

fn json_of(e: &leadscore_rules::Explanation) -> Value {
    serde_json::to_value(e).unwrap()
}

// "the rules that held, the points each added" (after caps), for a whole model,
// as JSON.
#[test]
fn the_explanation_lists_the_rules_that_held_with_their_points() {
    let mut d = Data::contact_based();
    d.contact_mut("C1").city = Some("Chicago".into());
    d.interaction("EmailClicked", ts("2026-05-30T10:00:00Z"), "C1");
    d.interaction("EmailClicked", ts("2026-05-31T10:00:00Z"), "C1");
    d.interaction("EmailClicked", ts("2026-05-31T11:00:00Z"), "C1");
    let m = common::model(
        "name: M\ntarget: contact\nsales_ready: 9\ngrades: [ { name: Low, max: 9 }, { name: High, min: 10 } ]\nrules:\n\
         \x20 - { name: clicks, when: [ { entity: EmailClicked, frequency: each, within: 7d } ], points: 4, cap: 10 }\n\
         \x20 - { name: forms, when: [ { entity: FormSubmitted } ], points: 50 }\n\
         \x20 - { name: chicago, when: [ { entity: Contact, where: [ { field: city, op: eq, value: chicago } ] } ], points: 3 }\n",
    );
    let expected = json!({
        "model": "M",
        "lead_id": "L1",
        "at": "2026-06-01T00:00:00Z",
        "score": 13,
        "grade": "High",
        "sales_ready": true,
        "points": 13.0,
        "rules": [
            {
                "rule": "clicks",
                "points": 10.0,
                "uncapped": 12.0,
                "times": 3.0,
                "conditions": [ {
                    "condition": "EmailClicked WITHIN 7d",
                    "count": 3,
                    "interactions": [
                        { "id": "I1", "kind": "EmailClicked", "occurred_at": "2026-05-30T10:00:00Z", "weight": 1.0 },
                        { "id": "I2", "kind": "EmailClicked", "occurred_at": "2026-05-31T10:00:00Z", "weight": 1.0 },
                        { "id": "I3", "kind": "EmailClicked", "occurred_at": "2026-05-31T11:00:00Z", "weight": 1.0 },
                    ],
                } ],
            },
            {
                "rule": "chicago",
                "points": 3.0,
                "uncapped": 3.0,
                "times": 1.0,
                "conditions": [ {
                    "condition": "Contact WHERE city = 'chicago'",
                    "count": 1,
                    "records": [ { "entity": "Contact", "id": "C1", "fields": { "city": "Chicago" } } ],
                } ],
            },
        ],
    });
    assert_eq!(json_of(&explain(&d, &m)), expected);
}

// "the interactions ... that made it hold": only the qualifying ones, with the
// field values the filters read and their `half_life` weights.
#[test]
fn interaction_evidence_names_the_qualifying_interactions() {
    let mut d = Data::contact_based();
    d.interaction_with("WebsiteVisited", days_before(10), "C1", ("url", "/pricing"));
    d.interaction_with("WebsiteVisited", days_before(1), "C1", ("url", "/blog"));
    d.interaction_with(
        "WebsiteVisited",
        days_before(20),
        "C1",
        ("url", "/Pricing/enterprise"),
    );
    d.interaction_with("WebsiteVisited", days_before(40), "C1", ("url", "/pricing"));
    let m = one_condition(
        Target::Contact,
        "{ entity: WebsiteVisited, frequency: each, within: 30d, half_life: 10d, \
         where: [ { field: url, op: contains, value: pricing } ] }",
        4,
    );
    let e = explain(&d, &m);
    let condition = &json_of(&e)["rules"][0]["conditions"][0];
    assert_eq!(condition["count"], json!(2));
    let interactions = condition["interactions"].as_array().unwrap();
    let summary: Vec<(Value, Value, Value)> = interactions
        .iter()
        .map(|i| (i["id"].clone(), i["weight"].clone(), i["fields"].clone()))
        .collect();
    assert_eq!(
        summary,
        [
            (
                json!("I3"),
                json!(0.25),
                json!({ "url": "/Pricing/enterprise" })
            ),
            (json!("I1"), json!(0.5), json!({ "url": "/pricing" })),
        ]
    );
    assert_eq!(e.rules[0].points, 3.0);
    assert_eq!(e.rules[0].times, 0.75);
}

// "the ... fields that made it hold": for an account-based lead, the contact
// that passed the filters, and the values it passed them with.
#[test]
fn record_evidence_names_the_record_and_field_values() {
    let mut d = Data::account_based();
    d.contact_mut("C1").job_title = Some("Analyst".into());
    let c2 = d.contact_mut("C2");
    c2.job_title = Some("Chief Revenue Officer".into());
    c2.city = Some("Denver".into());
    d.account_mut("A1").employees = Some(4000);
    let m = model_of(
        Target::Account,
        &[
            "{ name: senior, when: [ { entity: Contact, where: [ { field: job_title, op: starts_with, value: Chief }, { field: city, op: is_not_empty } ] } ], points: 15 }",
            "{ name: big, when: [ { entity: Account, where: [ { field: employees, op: ge, value: 1000 }, { field: industry, op: is_empty } ] } ], points: 10 }",
        ],
    );
    let rules = &json_of(&explain(&d, &m))["rules"];
    assert_eq!(
        rules[0]["conditions"][0]["records"],
        json!([ { "entity": "Contact", "id": "C2", "fields": { "job_title": "Chief Revenue Officer", "city": "Denver" } } ])
    );
    // Absent values are left out.
    assert_eq!(
        rules[1]["conditions"][0]["records"],
        json!([ { "entity": "Account", "id": "A1", "fields": { "employees": "4000" } } ])
    );
}

// (Same sentence.) A traversal's evidence is the record the path ends at, with
// its fields; field paths are named as written.
#[test]
fn traversal_evidence_is_the_record_at_the_end_of_the_path() {
    let mut d = Data::contact_based();
    d.account("A2").industry = Some("Software".into());
    d.lead_mut("L1").account_id = Some(AccountId::parse("A2").unwrap());
    d.lead_mut("L1").source = Some("Webinar".into());
    d.account_mut("A1").industry = Some("Retail".into());
    let m = model_of(
        Target::Contact,
        &[
            "{ name: a, when: [ { entity: Lead.ParentContact.ParentAccount, where: [ { field: industry, op: eq, value: Retail } ] } ], points: 1 }",
            "{ name: b, when: [ { entity: Lead, where: [ { field: ParentAccount.industry, op: eq, value: Software }, { field: source, op: ne, value: Web } ] } ], points: 1 }",
        ],
    );
    let rules = &json_of(&explain(&d, &m))["rules"];
    assert_eq!(
        rules[0]["conditions"][0]["records"],
        json!([ { "entity": "Account", "id": "A1", "fields": { "industry": "Retail" } } ])
    );
    assert_eq!(
        rules[1]["conditions"][0]["records"],
        json!([ { "entity": "Lead", "id": "L1", "fields": { "ParentAccount.industry": "Software", "source": "Webinar" } } ])
    );
}

// (Same sentence.) A behaviour path's filters read the entity the path ends at;
// so do the field values its evidence shows.
#[test]
fn behaviour_path_evidence_shows_the_fields_read_at_the_paths_end() {
    let mut d = Data::contact_based();
    d.contact_mut("C1").city = Some("Chicago".into());
    d.lead_mut("L1").source = Some("Webinar".into());
    d.interaction("EmailClicked", days_before(1), "C1");
    d.interaction("FormSubmitted", days_before(2), "C1").lead_id =
        Some(LeadId::parse("L1").unwrap());
    d.record("Meeting", "M1", "L1", &[]);
    let m = model_of(
        Target::Contact,
        &[
            "{ name: a, when: [ { entity: EmailClicked.Contact, frequency: each, where: [ { field: city, op: eq, value: Chicago } ] } ], points: 1 }",
            "{ name: b, when: [ { entity: FormSubmitted.Lead, where: [ { field: source, op: eq, value: Webinar } ] } ], points: 1 }",
            "{ name: c, when: [ { entity: Lead.Meeting.Lead, where: [ { field: source, op: eq, value: Webinar } ] } ], points: 1 }",
        ],
    );
    let rules = &json_of(&explain(&d, &m))["rules"];
    assert_eq!(
        rules[0]["conditions"][0]["interactions"][0]["id"],
        json!("I1")
    );
    assert_eq!(
        rules[0]["conditions"][0]["interactions"][0]["fields"],
        json!({ "city": "Chicago" })
    );
    assert_eq!(
        rules[1]["conditions"][0]["interactions"][0]["id"],
        json!("I2")
    );
    assert_eq!(
        rules[1]["conditions"][0]["interactions"][0]["fields"],
        json!({ "source": "Webinar" })
    );
    // A custom record is the evidence; the fields are those of the lead it names.
    assert_eq!(
        rules[2]["conditions"][0]["records"],
        json!([ { "entity": "Meeting", "id": "M1", "fields": { "source": "Webinar" } } ])
    );
}

// (Same sentence.) Custom records are evidence like interactions; a `none`
// condition holds with no evidence (count 0); an `any` rule lists only the
// conditions that held.
#[test]
fn custom_records_none_and_any_in_explanations() {
    let mut d = Data::contact_based();
    d.record("Meeting", "M1", "L1", &[("outcome", "Completed")]);
    d.record("Meeting", "M2", "L1", &[("outcome", "No-show")]);
    let m = model_of(
        Target::Contact,
        &[
            "{ name: met, when: [ { entity: Lead.Meeting, where: [ { field: outcome, op: eq, value: completed } ] } ], points: 12 }",
            "{ name: quiet, when: [ { entity: EmailOpened, frequency: none, within: 30d } ], points: -5 }",
            "{ name: either, any: [ { entity: EventAttended }, { entity: Lead.Meeting, frequency: at_least, count: 2 } ], points: 2 }",
        ],
    );
    let e = json_of(&explain(&d, &m));
    assert_eq!(
        e["rules"][0]["conditions"][0]["records"],
        json!([ { "entity": "Meeting", "id": "M1", "fields": { "outcome": "Completed" } } ])
    );
    assert_eq!(
        e["rules"][1]["conditions"],
        json!([ { "condition": "NO EmailOpened WITHIN 30d", "count": 0 } ])
    );
    let either = &e["rules"][2]["conditions"];
    assert_eq!(either.as_array().unwrap().len(), 1);
    assert_eq!(either[0]["condition"], json!("AT LEAST 2 Lead.Meeting"));
    assert_eq!(either[0]["count"], json!(2));
    assert_eq!(e["score"], json!(9));
    assert_eq!(e["points"], json!(9.0));
}

// The explanation of an evaluation at another time names that time, and only
// what counted then.
#[test]
fn the_explanation_is_as_of_the_evaluation_time() {
    let mut d = Data::contact_based();
    d.interaction("EmailClicked", ts("2026-03-01"), "C1");
    d.interaction("EmailClicked", ts("2026-05-01"), "C1");
    let m = one_condition(
        Target::Contact,
        "{ entity: EmailClicked, frequency: each }",
        1,
    );
    let e = common::explain_at(&d, &m, "L1", ts("2026-04-01"));
    assert_eq!(e.at, "2026-04-01T00:00:00Z");
    assert_eq!(e.score, Some(1));
    let ids: Vec<&str> = e.rules[0].conditions[0]
        .interactions
        .iter()
        .map(|i| i.id.as_str())
        .collect();
    assert_eq!(ids, ["I1"]);
    assert_eq!(common::explain_at(&d, &m, "L1", at()).score, Some(2));
}
