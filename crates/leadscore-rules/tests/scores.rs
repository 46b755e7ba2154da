//! RULES.md, `when` / `any` and the multiplier, then "Scores, grades and the
//! sales-ready flag": the sum, caps, rounding, the floor and grades; and the
//! RULES.md example model end to end.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{Data, days_before, model, model_of, one_condition, outcomes, score, score_of};
use leadscore_rules::{Outcome, Plan, RuleModel, RulesError, Target};

/// Contact-based `L1` whose contact `C1` lives in Chicago.
fn chicago() -> Data {
    let mut d = Data::contact_based();
    d.contact_mut("C1").city = Some("Chicago".into());
    d
}

// "when: all must hold (AND)"
#[test]
fn when_needs_every_condition() {
    let rule = "{ name: r, when: [ \
                { entity: Contact, where: [ { field: city, op: eq, value: Chicago } ] }, \
                { entity: EmailClicked }, \
                { entity: EmailOpened, frequency: none } ], points: 10 }";
    let m = model_of(Target::Contact, &[rule]);
    let mut d = Data::contact_based();
    assert_eq!(score(&d, &m), Some(0));
    d.contact_mut("C1").city = Some("Chicago".into());
    assert_eq!(score(&d, &m), Some(0));
    d.interaction("EmailClicked", days_before(1), "C1");
    assert_eq!(score(&d, &m), Some(10));
    d.interaction("EmailOpened", days_before(1), "C1");
    assert_eq!(score(&d, &m), Some(0));
}

// "use `any:` for OR" / "`any` (at least one holds)": points once however many
// hold.
#[test]
fn any_needs_one_condition_and_adds_points_once() {
    let rule = "{ name: r, any: [ { entity: EventAttended, frequency: at_least }, \
                { entity: Lead, where: [ { field: source, op: eq, value: Webinar } ] } ], points: 10 }";
    let m = model_of(Target::Contact, &[rule]);
    let mut d = Data::contact_based();
    assert_eq!(score(&d, &m), Some(0));
    d.lead_mut("L1").source = Some("Webinar".into());
    assert_eq!(score(&d, &m), Some(10));
    d.interactions(3, "EventAttended", 2, "C1");
    assert_eq!(score(&d, &m), Some(10));
    d.lead_mut("L1").source = None;
    assert_eq!(score(&d, &m), Some(10));
}

// "A `when` rule with an `each` condition that holds for N interactions adds N
// times its points ...; fixed conditions never multiply."
#[test]
fn each_inside_when_multiplies_and_nothing_else_does() {
    let rule = |other: &str| {
        format!(
            "{{ name: r, when: [ {{ entity: EmailClicked, frequency: each }}, {other} ], points: 2 }}"
        )
    };
    let mut d = Data::account_based();
    for c in ["C1", "C2"] {
        d.contact_mut(c).city = Some("Chicago".into());
    }
    d.interactions(2, "EmailClicked", 3, "C1");
    d.interactions(1, "EmailClicked", 3, "C2");
    d.interactions(4, "FormSubmitted", 3, "C2");
    let cases = [
        // A fixed condition two contacts pass: still 3 x 2.
        (
            "{ entity: Contact, where: [ { field: city, op: eq, value: Chicago } ] }",
            6,
        ),
        ("{ entity: Account }", 6),
        // Another behaviour condition with 4 qualifying interactions: still 3 x 2.
        (
            "{ entity: FormSubmitted, frequency: at_least, count: 2 }",
            6,
        ),
        ("{ entity: EventAttended, frequency: none }", 6),
        // When another condition fails, nothing.
        (
            "{ entity: FormSubmitted, frequency: at_least, count: 5 }",
            0,
        ),
        (
            "{ entity: Contact, where: [ { field: city, op: eq, value: Boston } ] }",
            0,
        ),
    ];
    for (other, expected) in cases {
        let m = model_of(Target::Account, &[&rule(other)]);
        assert_eq!(score(&d, &m), Some(expected), "{other}");
    }
    // The `each` condition may come after the others.
    let m = model_of(
        Target::Account,
        &[
            "{ name: r, when: [ { entity: Account }, { entity: EmailClicked, frequency: each } ], points: 2 }",
        ],
    );
    assert_eq!(score(&d, &m), Some(6));
}

// "(each weighted by `half_life` where set)"
#[test]
fn each_inside_when_is_weighted_by_half_life() {
    let mut d = chicago();
    d.interaction("EmailClicked", days_before(0), "C1");
    d.interaction("EmailClicked", days_before(7), "C1");
    d.interaction("EmailClicked", days_before(14), "C1");
    let m = model_of(
        Target::Contact,
        &[
            "{ name: r, when: [ { entity: EmailClicked, frequency: each, half_life: 1w }, \
           { entity: Contact, where: [ { field: city, op: eq, value: Chicago } ] } ], points: 8 }",
        ],
    );
    // 8 x (1 + 0.5 + 0.25) = 14.
    assert!(common::close(common::raw(&d, &m), 14.0));
    assert_eq!(score(&d, &m), Some(14));
}

// "A lead's score under a model is the sum of the points of the rules that hold"
// (points are integers and may be negative).
#[test]
fn the_score_is_the_sum_of_the_rules_that_hold() {
    let m = model_of(
        Target::Contact,
        &[
            "{ name: a, when: [ { entity: Contact } ], points: 7 }",
            "{ name: b, when: [ { entity: EmailClicked } ], points: 100 }",
            "{ name: c, when: [ { entity: EmailOpened, frequency: none } ], points: -3 }",
            "{ name: d, when: [ { entity: Account } ], points: 20 }",
        ],
    );
    assert_eq!(score(&chicago(), &m), Some(24));
}

// "(each rule's contribution first limited by its `cap`)"; "`cap`: the most (in
// absolute value) this rule adds"
#[test]
fn caps_limit_each_rules_contribution_in_absolute_value() {
    let mut d = Data::contact_based();
    let cases = [
        // (clicks so far, points, cap, expected)
        (3, 5, 25, 15),
        (5, 5, 25, 25),
        (7, 5, 25, 25),
        (7, -4, 10, -10),
        (7, -1, 10, -7),
        (7, 5, 0, 0),
    ];
    for (clicks, points, cap, expected) in cases {
        while d.ds.interactions.len() < clicks {
            d.interaction("EmailClicked", days_before(1), "C1");
        }
        let m = model_of(
            Target::Contact,
            &[&format!(
                "{{ name: r, when: [ {{ entity: EmailClicked, frequency: each }} ], points: {points}, cap: {cap} }}"
            )],
        );
        assert_eq!(
            score(&d, &m),
            Some(expected),
            "{clicks} x {points}, cap {cap}"
        );
    }
    // Each rule is capped on its own, before the sum; the sum itself is not capped.
    let m = model_of(
        Target::Contact,
        &[
            "{ name: a, when: [ { entity: EmailClicked, frequency: each } ], points: 5, cap: 25 }",
            "{ name: b, when: [ { entity: EmailClicked, frequency: each } ], points: 5, cap: 10 }",
            "{ name: c, when: [ { entity: Contact } ], points: 30 }",
            "{ name: d, when: [ { entity: EmailClicked, frequency: each } ], points: -2, cap: 4 }",
        ],
    );
    assert_eq!(score(&d, &m), Some(25 + 10 + 30 - 4));
    // A cap also limits a decayed (weighted) contribution.
    let m = one_condition(
        Target::Contact,
        "{ entity: EmailClicked, frequency: each, half_life: 30d }",
        9,
    );
    let capped = model_of(
        Target::Contact,
        &[
            "{ name: r, when: [ { entity: EmailClicked, frequency: each, half_life: 30d } ], points: 9, cap: 20 }",
        ],
    );
    assert!(common::raw(&d, &m) > 20.0);
    assert!(common::close(common::raw(&d, &capped), 20.0));
}

// (Same sentence.) The loader rejects a negative cap; a model built by hand
// with one does not compile (it used to compile, then panic in evaluation).
#[test]
fn a_negative_cap_built_by_hand_does_not_compile() {
    let mut m = one_condition(Target::Contact, "{ entity: Contact }", 5);
    m.rules[0].cap = Some(-1);
    match Plan::compile(&m) {
        Err(RulesError::Invalid { problems }) => {
            assert_eq!(problems.len(), 1);
            assert_eq!(problems[0].path, "rules[0].cap");
        }
        other => panic!("expected a problem at rules[0].cap, got {other:?}"),
    }
}

/// A model of two rules each adding `points` x 0.5^(2 days / 1 day), one per
/// interaction kind, and one interaction of each kind two days old.
fn quarter_points(points: i64, rules: usize) -> (Data, RuleModel) {
    let mut d = Data::contact_based();
    let mut list = Vec::new();
    for (i, kind) in ["EmailClicked", "WebsiteVisited"]
        .iter()
        .take(rules)
        .enumerate()
    {
        d.interaction(kind, days_before(2), "C1");
        list.push(format!(
            "{{ name: r{i}, when: [ {{ entity: {kind}, frequency: each, half_life: 1d }} ], points: {points} }}"
        ));
    }
    let list: Vec<&str> = list.iter().map(String::as_str).collect();
    (d, model_of(Target::Contact, &list))
}

// "rounded to the nearest integer at the end (halves away from zero)"
#[test]
fn scores_are_rounded_at_the_end_halves_away_from_zero() {
    let cases = [
        // (points per rule, rules, raw sum, score)
        // 1.25 + 1.25 = 2.5 -> 3 (per-rule rounding would give 2; half to even 2).
        (5, 2, 2.5, 3),
        (-5, 2, -2.5, -3),
        // 0.5 + 0.5 = 1 -> 1 (per-rule rounding half away from zero would give 2).
        (2, 2, 1.0, 1),
        (2, 1, 0.5, 1),
        (-2, 1, -0.5, -1),
        (6, 1, 1.5, 2),
        (10, 1, 2.5, 3),
        (-10, 1, -2.5, -3),
        (9, 1, 2.25, 2),
        (-9, 1, -2.25, -2),
        (11, 1, 2.75, 3),
    ];
    for (points, rules, raw, expected) in cases {
        let (d, m) = quarter_points(points, rules);
        let got = common::raw(&d, &m);
        assert!(common::close(got, raw), "{points} x {rules}: raw {got}");
        assert_eq!(
            score(&d, &m),
            Some(expected),
            "{points} x {rules}: raw {raw}"
        );
    }
}

// "then raised to `floor` if one is set"; "`floor`: the score never goes below
// this"
#[test]
fn the_floor_raises_low_scores() {
    let rules = "rules:\n  - { name: r, when: [ { entity: Contact } ], points: -10 }\n";
    let d = Data::contact_based();
    let cases = [
        ("", -10),
        ("floor: 0\n", 0),
        ("floor: -5\n", -5),
        ("floor: -20\n", -10),
        ("floor: 3\n", 3),
    ];
    for (floor, expected) in cases {
        let m = model(&format!("name: M\ntarget: contact\n{floor}{rules}"));
        assert_eq!(score(&d, &m), Some(expected), "{floor}");
    }
    // The floor applies after rounding: -0.5 rounds to -1, raised to 0; a floor
    // of -1 keeps -1.
    let (d, m) = quarter_points(-2, 1);
    let mut floored = m.clone();
    floored.floor = Some(-1);
    assert_eq!(score(&d, &floored), Some(-1));
    floored.floor = Some(0);
    assert_eq!(score(&d, &floored), Some(0));
}

/// A model with the given grades and one rule worth `points`.
fn graded(grades: &str, points: i64) -> RuleModel {
    model(&format!(
        "name: M\ntarget: contact\ngrades: {grades}\nrules:\n  - {{ name: r, when: [ {{ entity: Contact }} ], points: {points} }}\n"
    ))
}

fn grade_of(m: &RuleModel) -> Option<String> {
    match outcomes(
        &Data::contact_based(),
        std::slice::from_ref(m),
        "L1",
        common::at(),
    )[0]
    {
        Outcome::Scored { grade, .. } => grade.map(|g| m.grades[usize::from(g)].name.clone()),
        Outcome::Unscored(_) => panic!("not scored"),
    }
}

// "The grade is the range that holds the score (a score outside every range has
// no grade)"; "no max: open above; the first may omit min"
#[test]
fn the_grade_is_the_range_holding_the_score() {
    let closed = "[ { name: Cold, min: 0, max: 49 }, { name: Warm, min: 50, max: 99 }, { name: Hot, min: 100, max: 200 } ]";
    let open =
        "[ { name: Cold, max: 49 }, { name: Warm, min: 50, max: 99 }, { name: Hot, min: 100 } ]";
    let cases = [
        (closed, -1, None),
        (closed, 0, Some("Cold")),
        (closed, 49, Some("Cold")),
        (closed, 50, Some("Warm")),
        (closed, 99, Some("Warm")),
        (closed, 100, Some("Hot")),
        (closed, 200, Some("Hot")),
        (closed, 201, None),
        (open, -1000, Some("Cold")),
        (open, 49, Some("Cold")),
        (open, 50, Some("Warm")),
        (open, 100, Some("Hot")),
        (open, 100_000, Some("Hot")),
    ];
    for (grades, points, expected) in cases {
        assert_eq!(
            grade_of(&graded(grades, points)).as_deref(),
            expected,
            "{points} in {grades}"
        );
    }
    // A model without grades gives no grade.
    let m = one_condition(Target::Contact, "{ entity: Contact }", 5);
    assert_eq!(grade_of(&m), None);
}

// The grade holds the final score (after rounding and the floor).
#[test]
fn the_grade_is_taken_after_rounding_and_the_floor() {
    let (d, mut m) = quarter_points(-2, 1);
    m.grades = model("name: G\ntarget: contact\ngrades: [ { name: Low, max: -1 }, { name: Zero, min: 0, max: 0 } ]\nrules:\n  - { name: r, when: [ { entity: Contact } ], points: 1 }\n").grades;
    let grade = |m: &RuleModel| match outcomes(&d, std::slice::from_ref(m), "L1", common::at())[0] {
        Outcome::Scored { grade, .. } => grade,
        Outcome::Unscored(_) => None,
    };
    assert_eq!(grade(&m), Some(0));
    m.floor = Some(0);
    assert_eq!(grade(&m), Some(1));
}

/// The model in RULES.md's first example.
const RULES_MD_EXAMPLE: &str = r#"
name: Webinar engagement
target: contact
sales_ready: 100
grades:
  - { name: Cold, min: 0,  max: 49 }
  - { name: Warm, min: 50, max: 99 }
  - { name: Hot,  min: 100 }
floor: 0
rules:
  - name: Clicked an email this year
    when:
      - entity: EmailClicked
        frequency: each
        within: 365d
        where:
          - { field: Contact.city, op: eq, value: Chicago }
    points: 5
    cap: 25
  - name: Big company
    when:
      - entity: Lead.ParentAccount
        where:
          - { field: employees, op: gt, value: 500 }
    points: 20
  - name: Came from a webinar or an event
    any:
      - { entity: EventAttended, frequency: at_least }
      - { entity: Lead, where: [ { field: source, op: eq, value: Webinar } ] }
    points: 10
"#;

// The RULES.md example, end to end.
#[test]
fn the_rules_md_example_scores_as_described() {
    let m = model(RULES_MD_EXAMPLE);
    // "A scoring model is a YAML (or the same structure in JSON) document."
    assert_eq!(RuleModel::from_json(&m.to_json().unwrap()).unwrap(), m);
    let mut d = chicago();
    d.lead_mut("L1").source = Some("Webinar".into());
    d.interactions(3, "EmailClicked", 30, "C1");
    d.interaction("EmailClicked", days_before(400), "C1");
    assert_eq!(score(&d, &m), Some(15 + 10));
    d.interactions(4, "EmailClicked", 10, "C1");
    assert_eq!(score(&d, &m), Some(25 + 10));
    // Lead.ParentAccount is the lead's own account: none yet.
    d.account_mut("A1").employees = Some(1200);
    assert_eq!(score(&d, &m), Some(25 + 10));
    d.lead_mut("L1").account_id = Some(leadscore_domain::AccountId::parse("A1").unwrap());
    assert_eq!(score(&d, &m), Some(25 + 20 + 10));
    let explanation = common::explain(&d, &m);
    assert_eq!(explanation.grade.as_deref(), Some("Warm"));
    assert!(!explanation.sales_ready);
    // Clicks by someone outside Chicago do not count.
    d.contact_mut("C1").city = Some("Boston".into());
    assert_eq!(
        score_of(
            &d,
            "{ entity: EmailClicked, frequency: each, within: 365d, where: [ { field: Contact.city, op: eq, value: Chicago } ] }",
            5
        ),
        0
    );
}
