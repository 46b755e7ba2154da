//! Which leads a model scores and what each sees: RULES.md ("Every lead the model
//! targets is scored by every model ...", unscorable leads) and DATA.md (lead
//! kinds, which interactions belong to whom).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{Data, at, days_before, explain_at, holds, model_of, outcomes, score_of};
use leadscore_domain::{AccountId, LeadId, VisitorId};
use leadscore_rules::{Outcome, RuleModel, Target, Unscored};

fn scorer(target: Target) -> RuleModel {
    model_of(
        target,
        &["{ name: any contact, when: [ { entity: Contact } ], points: 3 }"],
    )
}

/// Contact-based `LC` (with its own account as well), account-based `LA`,
/// unscorable `LU`.
fn three_kinds() -> Data {
    let mut d = Data::new();
    d.account("A1");
    d.contact("C1", Some("A1"));
    d.lead("LC", Some("C1"), Some("A1"));
    d.lead("LA", None, Some("A1"));
    d.lead("LU", None, None);
    d
}

// "Every lead the model targets is scored by every model; a lead outside the
// model's target (an account-based lead under a `contact` model) is not scored
// by it." (`target: contact | account: which leads this model scores`)
#[test]
fn each_model_scores_only_the_leads_it_targets() {
    let d = three_kinds();
    let models = [scorer(Target::Contact), scorer(Target::Account)];
    let contact = outcomes(&d, &models, "LC", at());
    assert!(
        matches!(contact[0], Outcome::Scored { score: 3, .. }),
        "{contact:?}"
    );
    assert_eq!(
        contact[1],
        Outcome::Unscored(Unscored::OutsideTarget {
            target: Target::Account
        })
    );
    let account = outcomes(&d, &models, "LA", at());
    assert_eq!(
        account[0],
        Outcome::Unscored(Unscored::OutsideTarget {
            target: Target::Contact
        })
    );
    assert!(
        matches!(account[1], Outcome::Scored { score: 3, .. }),
        "{account:?}"
    );
    // A targeted lead no rule holds for is still scored (0).
    let nothing = model_of(
        Target::Contact,
        &["{ name: r, when: [ { entity: EmailClicked } ], points: 3 }"],
    );
    assert!(matches!(
        outcomes(&d, &[nothing], "LC", at())[0],
        Outcome::Scored { score: 0, .. }
    ));
}

// (Same sentence.) The explanation of a lead outside the target says why.
#[test]
fn a_lead_outside_the_target_has_no_score_and_a_reason() {
    let d = three_kinds();
    let e = explain_at(&d, &scorer(Target::Contact), "LA", at());
    assert_eq!(e.score, None);
    assert_eq!(e.grade, None);
    assert!(e.rules.is_empty());
    let reason = e.reason.unwrap();
    assert!(reason.contains("account-based"), "{reason}");
    let e = explain_at(&d, &scorer(Target::Account), "LC", at());
    assert!(e.reason.unwrap().contains("contact-based"));
}

// "Unscorable leads (no parent contact or account) get no score from any model."
// DATA.md: "A lead with neither is **unscorable**: it gets no score, and says
// why."
#[test]
fn unscorable_leads_get_no_score_from_any_model() {
    let mut d = three_kinds();
    // Even interactions naming the lead do not make it scorable.
    d.interaction("EmailClicked", days_before(1), "C1").lead_id =
        Some(LeadId::parse("LU").unwrap());
    let models = [scorer(Target::Contact), scorer(Target::Account)];
    for outcome in outcomes(&d, &models, "LU", at()) {
        assert_eq!(outcome, Outcome::Unscored(Unscored::NoParent));
    }
    for m in &models {
        let e = explain_at(&d, m, "LU", at());
        assert_eq!(e.score, None);
        let reason = e.reason.unwrap();
        assert!(
            reason.contains("neither a parent contact nor a parent account"),
            "{reason}"
        );
    }
}

// DATA.md: "A lead with a parent contact is **contact-based** (also when it has a
// parent account as well): it is scored on its own fields, its contact, the
// contact's account, and the contact's interactions."
#[test]
fn a_contact_based_lead_sees_only_its_contacts_interactions() {
    let mut d = Data::contact_based();
    d.lead_mut("L1").account_id = Some(AccountId::parse("A1").unwrap());
    d.contact("C2", Some("A1"));
    d.interactions(2, "EmailClicked", 1, "C1");
    d.interactions(5, "EmailClicked", 1, "C2");
    assert_eq!(
        score_of(&d, "{ entity: EmailClicked, frequency: each }", 1),
        2
    );
    assert!(holds(&d, "{ entity: Account }"));
}

// DATA.md: "A lead with only a parent account is **account-based**: it is scored
// on the account, on every contact whose parent account it is, and on all of
// those contacts' interactions together."
#[test]
fn an_account_based_lead_sees_all_its_contacts_interactions_together() {
    let mut d = Data::account_based();
    d.account("A2");
    d.contact("C3", Some("A2"));
    d.interactions(2, "FormSubmitted", 1, "C1");
    d.interactions(1, "FormSubmitted", 1, "C2");
    d.interactions(4, "FormSubmitted", 1, "C3");
    assert_eq!(
        score_of(&d, "{ entity: FormSubmitted, frequency: each }", 1),
        3
    );
    // Counted together: two contacts' interactions reach a count neither reaches.
    assert!(holds(
        &d,
        "{ entity: FormSubmitted, frequency: at_least, count: 3 }"
    ));
    assert!(!holds(
        &d,
        "{ entity: FormSubmitted, frequency: at_least, count: 4 }"
    ));
    assert!(!holds(&d, "{ entity: FormSubmitted, frequency: none }"));
}

// DATA.md: "An interaction belongs to a contact through `contact_id`, or through
// `visitor_id` when some contact lists that visitor id. An interaction with
// neither is kept but is attributed to nobody and counts for no score."
#[test]
fn interactions_belong_to_contacts_by_contact_id_or_visitor_id() {
    let mut d = Data::contact_based();
    d.contact("C2", Some("A1"));
    d.visitor("C1", "V1");
    d.visitor("C2", "V2");
    d.interaction("WebsiteVisited", days_before(1), "C1");
    d.bare_interaction("WebsiteVisited", days_before(1))
        .visitor_id = Some(VisitorId::parse("V1").unwrap());
    // Another contact's visitor id, an unknown one, none at all, a lead only.
    d.bare_interaction("WebsiteVisited", days_before(1))
        .visitor_id = Some(VisitorId::parse("V2").unwrap());
    d.bare_interaction("WebsiteVisited", days_before(1))
        .visitor_id = Some(VisitorId::parse("V9").unwrap());
    d.bare_interaction("WebsiteVisited", days_before(1));
    d.bare_interaction("WebsiteVisited", days_before(1)).lead_id =
        Some(LeadId::parse("L1").unwrap());
    assert_eq!(
        score_of(&d, "{ entity: WebsiteVisited, frequency: each }", 1),
        2
    );
    let graph = d.graph();
    assert_eq!(graph.interaction_count(), 3);
    assert_eq!(graph.unattributed_count(), 3);
    // `contact_id` wins over `visitor_id`.
    let ix = d.interaction("WebsiteVisited", days_before(1), "C2");
    ix.visitor_id = Some(VisitorId::parse("V1").unwrap());
    assert_eq!(
        score_of(&d, "{ entity: WebsiteVisited, frequency: each }", 1),
        2
    );
}

// (Same.) Interactions attributed to nobody count for no account-based lead
// either, and never make `none` fail.
#[test]
fn unattributed_interactions_count_for_no_score() {
    let mut d = Data::account_based();
    d.bare_interaction("FormSubmitted", days_before(1));
    d.bare_interaction("FormSubmitted", days_before(1))
        .visitor_id = Some(VisitorId::parse("nobody").unwrap());
    assert_eq!(
        score_of(&d, "{ entity: FormSubmitted, frequency: each }", 1),
        0
    );
    assert!(holds(&d, "{ entity: FormSubmitted, frequency: none }"));
}

// DATA.md: "the contact's interactions": an interaction's own `lead_id` does not
// restrict which of its contact's leads it counts for.
#[test]
fn a_contacts_interactions_count_for_each_of_its_leads() {
    let mut d = Data::contact_based();
    d.lead("L2", Some("C1"), None);
    d.interaction("EmailClicked", days_before(1), "C1").lead_id =
        Some(LeadId::parse("L2").unwrap());
    let m = model_of(
        Target::Contact,
        &["{ name: r, when: [ { entity: EmailClicked, frequency: each } ], points: 1 }"],
    );
    assert_eq!(common::score_at(&d, &m, "L1", at()), Some(1));
    assert_eq!(common::score_at(&d, &m, "L2", at()), Some(1));
}

// "Every lead the model targets is scored by every model": several models per
// lead, each with its own score and grade, in the models' order.
#[test]
fn several_models_score_the_same_lead_independently() {
    let mut d = Data::contact_based();
    d.interactions(3, "EmailClicked", 1, "C1");
    let grades = "grades: [ { name: Low, max: 9 }, { name: High, min: 10 } ]";
    let a = common::model(&format!(
        "name: Clicks\ntarget: contact\n{grades}\nrules:\n  - {{ name: r, when: [ {{ entity: EmailClicked, frequency: each }} ], points: 4 }}\n"
    ));
    let b = common::model(&format!(
        "name: Fit\ntarget: contact\n{grades}\nrules:\n  - {{ name: r, when: [ {{ entity: Contact }} ], points: 2 }}\n"
    ));
    let c = scorer(Target::Account);
    let results = outcomes(&d, &[a.clone(), b.clone(), c.clone()], "L1", at());
    assert_eq!(results.len(), 3);
    assert!(
        matches!(
            results[0],
            Outcome::Scored {
                score: 12,
                grade: Some(1),
                ..
            }
        ),
        "{results:?}"
    );
    assert!(
        matches!(
            results[1],
            Outcome::Scored {
                score: 2,
                grade: Some(0),
                ..
            }
        ),
        "{results:?}"
    );
    assert!(matches!(results[2], Outcome::Unscored(_)));
    // The same results as each model alone.
    let reversed = outcomes(&d, &[c, b, a], "L1", at());
    assert_eq!(reversed[2], results[0]);
    assert_eq!(reversed[1], results[1]);
}
