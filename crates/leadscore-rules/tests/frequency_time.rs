//! RULES.md, "Conditions": `frequency` (`each`, `at_least` with `count`,
//! `none`, the default), the evaluation time, `within` and `since` windows, and
//! `half_life` decay.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{
    Data, at, close, days_before, holds, hours_before, micros_before, one_condition, raw, score,
    score_at, score_of, ts,
};
use leadscore_rules::Target;

const DAY: i64 = 24 * 3_600_000_000;

// "`frequency` (behaviour conditions only; default `at_least`)"
#[test]
fn the_default_frequency_is_at_least_one() {
    let mut d = Data::contact_based();
    assert_eq!(score_of(&d, "{ entity: EmailClicked }", 5), 0);
    d.interactions(3, "EmailClicked", 2, "C1");
    // Points once, not once per interaction.
    assert_eq!(score_of(&d, "{ entity: EmailClicked }", 5), 5);
    assert_eq!(
        score_of(&d, "{ entity: EmailClicked, frequency: at_least }", 5),
        5
    );
}

// "`each`: holds when at least one qualifying interaction exists, and the rule's
// points are added once per qualifying interaction."
#[test]
fn each_adds_points_per_qualifying_interaction() {
    let mut d = Data::contact_based();
    for n in 0..5 {
        assert_eq!(
            score_of(&d, "{ entity: EmailClicked, frequency: each }", 3),
            3 * n
        );
        d.interaction("EmailClicked", days_before(1), "C1");
    }
    // Only qualifying interactions count.
    d.interaction_with("EmailClicked", days_before(1), "C1", ("url", "/pricing"));
    assert_eq!(
        score_of(
            &d,
            "{ entity: EmailClicked, frequency: each, where: [ { field: url, op: contains, value: pricing } ] }",
            3
        ),
        3
    );
}

// (Same sentence.) With no qualifying interaction the rule does not hold at all:
// a negative `each` rule adds nothing, and the explanation lists no rule.
#[test]
fn each_with_no_interaction_does_not_hold() {
    let d = Data::contact_based();
    let model = one_condition(
        Target::Contact,
        "{ entity: EmailClicked, frequency: each }",
        -4,
    );
    assert_eq!(score(&d, &model), Some(0));
    assert!(common::explain(&d, &model).rules.is_empty());
}

// "`at_least`: holds when at least `count` (default 1) qualifying interactions
// exist; points are added once."
#[test]
fn at_least_needs_count_interactions_and_adds_points_once() {
    let condition = "{ entity: FormSubmitted, frequency: at_least, count: 3 }";
    let mut d = Data::contact_based();
    for (n, expected) in [(0, 0), (1, 0), (2, 0), (3, 10), (4, 10), (5, 10)] {
        assert_eq!(score_of(&d, condition, 10), expected, "{n} forms");
        d.interaction("FormSubmitted", days_before(1), "C1");
    }
    // Only qualifying interactions count towards `count`.
    let filtered = "{ entity: FormSubmitted, frequency: at_least, count: 2, \
                    where: [ { field: form, op: eq, value: Demo } ] }";
    assert_eq!(score_of(&d, filtered, 10), 0);
    d.interaction_with("FormSubmitted", days_before(1), "C1", ("form", "demo"));
    assert_eq!(score_of(&d, filtered, 10), 0);
    d.interaction_with("FormSubmitted", days_before(1), "C1", ("form", "Demo"));
    assert_eq!(score_of(&d, filtered, 10), 10);
}

// "`none`: holds when no qualifying interaction exists; points are added once."
#[test]
fn none_holds_without_qualifying_interactions() {
    let condition = "{ entity: EmailOpened, frequency: none, within: 30d }";
    let mut d = Data::contact_based();
    assert_eq!(score_of(&d, condition, -10), -10);
    // Interactions that do not qualify (too old, another kind) leave it holding.
    d.interaction("EmailOpened", days_before(40), "C1");
    d.interaction("EmailClicked", days_before(1), "C1");
    assert_eq!(score_of(&d, condition, -10), -10);
    d.interaction("EmailOpened", days_before(1), "C1");
    assert_eq!(score_of(&d, condition, -10), 0);
}

// "Only interactions at or before the evaluation time count."
#[test]
fn only_interactions_at_or_before_the_evaluation_time_count() {
    let each = "{ entity: EmailClicked, frequency: each }";
    let mut d = Data::contact_based();
    d.interaction("EmailClicked", micros_before(-1), "C1");
    d.interaction("EmailClicked", days_before(-3), "C1");
    assert_eq!(score_of(&d, each, 1), 0);
    assert!(holds(&d, "{ entity: EmailClicked, frequency: none }"));
    // Exactly at the evaluation time counts.
    d.interaction("EmailClicked", at(), "C1");
    assert_eq!(score_of(&d, each, 1), 1);
    // Evaluated later, the later interactions count too.
    let model = one_condition(Target::Contact, each, 1);
    assert_eq!(score_at(&d, &model, "L1", days_before(-3)), Some(3));
    assert_eq!(score_at(&d, &model, "L1", micros_before(1)), Some(0));
}

// "`within: 30d` (units `d`, `w`, `h`) counts only those at or after the
// evaluation time minus the window"
#[test]
fn within_counts_from_the_evaluation_time_minus_the_window() {
    let cases = [
        ("30d", 30 * DAY),
        ("2w", 14 * DAY),
        ("12h", 12 * 3_600_000_000),
        ("1h", 3_600_000_000),
    ];
    for (window, micros) in cases {
        let condition = format!("{{ entity: WebsiteVisited, frequency: each, within: {window} }}");
        let mut d = Data::contact_based();
        // Exactly at the start of the window: counts.
        d.interaction("WebsiteVisited", micros_before(micros), "C1");
        // Inside.
        d.interaction("WebsiteVisited", micros_before(micros / 2), "C1");
        // One microsecond before the window, and long before.
        d.interaction("WebsiteVisited", micros_before(micros + 1), "C1");
        d.interaction("WebsiteVisited", micros_before(micros * 10), "C1");
        // After the evaluation time.
        d.interaction("WebsiteVisited", micros_before(-1), "C1");
        assert_eq!(score_of(&d, &condition, 1), 2, "within {window}");
    }
}

// "...; omit for all time" (the example's comment on `within`).
#[test]
fn without_a_window_every_past_interaction_counts() {
    let mut d = Data::contact_based();
    d.interaction("WebsiteVisited", ts("2016-01-01"), "C1");
    d.interaction("WebsiteVisited", days_before(1), "C1");
    assert_eq!(
        score_of(&d, "{ entity: WebsiteVisited, frequency: each }", 1),
        2
    );
}

// "`since: DATE` only those at or after a date."
#[test]
fn since_counts_from_a_date() {
    let mut d = Data::contact_based();
    d.interaction("EventAttended", ts("2026-05-01"), "C1");
    d.interaction("EventAttended", ts("2026-05-20T10:00:00Z"), "C1");
    d.interaction("EventAttended", ts("2026-04-30T23:59:59.999999Z"), "C1");
    d.interaction("EventAttended", ts("2025-01-01"), "C1");
    d.interaction("EventAttended", days_before(-1), "C1");
    let since =
        |date: &str| format!("{{ entity: EventAttended, frequency: each, since: '{date}' }}");
    assert_eq!(score_of(&d, &since("2026-05-01"), 1), 2);
    assert_eq!(score_of(&d, &since("2026-05-01T00:00:01Z"), 1), 1);
    assert_eq!(score_of(&d, &since("2020-01-01"), 1), 4);
    // A start after the evaluation time: nothing counts yet.
    assert_eq!(score_of(&d, &since("2026-07-01"), 1), 0);
}

// "So scores fall as interactions age out."
#[test]
fn scores_fall_as_interactions_age_out() {
    let model = common::model_of(
        Target::Contact,
        &[
            "{ name: clicks, when: [ { entity: EmailClicked, frequency: each, within: 30d } ], points: 5 }",
            "{ name: form, when: [ { entity: FormSubmitted, within: 2w } ], points: 20 }",
        ],
    );
    let mut d = Data::contact_based();
    d.interaction("EmailClicked", ts("2026-05-01"), "C1");
    d.interaction("EmailClicked", ts("2026-05-20"), "C1");
    d.interaction("FormSubmitted", ts("2026-05-25"), "C1");
    let at = |t: &str| score_at(&d, &model, "L1", ts(t)).unwrap();
    assert_eq!(at("2026-04-30"), 0);
    assert_eq!(at("2026-05-01"), 5);
    assert_eq!(at("2026-05-25"), 30);
    assert_eq!(at("2026-05-31"), 30);
    assert_eq!(at("2026-06-01"), 25);
    assert_eq!(at("2026-06-08"), 25);
    assert_eq!(at("2026-06-09"), 5);
    assert_eq!(at("2026-06-19"), 5);
    assert_eq!(at("2026-06-20"), 0);
}

// "`half_life: 30d` (optional, with `each`): each occurrence counts
// `0.5^(age/half_life)` of the points instead of all of them"
#[test]
fn half_life_weighs_each_occurrence_by_its_age() {
    let condition = "{ entity: EmailClicked, frequency: each, half_life: 10d }";
    let model = one_condition(Target::Contact, condition, 8);
    let mut d = Data::contact_based();
    d.interaction("EmailClicked", at(), "C1");
    assert!(close(raw(&d, &model), 8.0));
    d.interaction("EmailClicked", days_before(10), "C1");
    assert!(close(raw(&d, &model), 12.0));
    d.interaction("EmailClicked", days_before(20), "C1");
    assert!(close(raw(&d, &model), 14.0));
    d.interaction("EmailClicked", days_before(5), "C1");
    let expected = 8.0 * (1.0 + 0.5 + 0.25 + 0.5_f64.sqrt());
    assert!(close(raw(&d, &model), expected), "{}", raw(&d, &model));
    assert_eq!(score(&d, &model), Some(expected.round() as i64));
    // Interactions after the evaluation time still do not count (no weight > 1).
    d.interaction("EmailClicked", days_before(-10), "C1");
    assert!(close(raw(&d, &model), expected));
}

// (Same sentence.) Other units, and decay together with a window.
#[test]
fn half_life_in_hours_and_weeks_and_with_a_window() {
    let mut d = Data::contact_based();
    d.interaction("EventAttended", hours_before(6), "C1");
    d.interaction("EventAttended", days_before(21), "C1");
    d.interaction("EventAttended", days_before(70), "C1");
    let raw_of = |condition: &str| raw(&d, &one_condition(Target::Contact, condition, 16));
    let hours = raw_of("{ entity: EventAttended, frequency: each, half_life: 12h }");
    let expected = 16.0 * (0.5_f64.powf(0.5) + 0.5_f64.powi(42) + 0.5_f64.powi(140));
    assert!(close(hours, expected), "{hours}");
    let weeks = raw_of("{ entity: EventAttended, frequency: each, half_life: 3w }");
    let expected = 16.0 * (0.5_f64.powf(6.0 / (21.0 * 24.0)) + 0.5 + 0.5_f64.powf(70.0 / 21.0));
    assert!(close(weeks, expected), "{weeks}");
    let windowed = raw_of("{ entity: EventAttended, frequency: each, within: 30d, half_life: 3w }");
    let expected = 16.0 * (0.5_f64.powf(6.0 / (21.0 * 24.0)) + 0.5);
    assert!(close(windowed, expected), "{windowed}");
    // The explanation says how many times the points counted, weighted.
    let explanation = common::explain(
        &d,
        &one_condition(
            Target::Contact,
            "{ entity: EventAttended, frequency: each, within: 30d, half_life: 3w }",
            16,
        ),
    );
    assert!(close(explanation.rules[0].times, expected / 16.0));
}
