//! Invariants of evaluation over random interaction sets (proptest): `each` is
//! monotonic, `none` and `at_least` are complements, interactions outside the
//! window change nothing, the order interactions arrive in does not matter, a
//! cap bounds its rule, and a projected graph scores like a full one.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{Data, at, close, micros_before, model, model_of};
use leadscore_rules::{Evaluator, Explanation, Graph, Plan, RuleModel, Scores, Target};
use proptest::prelude::*;

const MINUTE: i64 = 60_000_000;
const DAY: i64 = 24 * 60 * MINUTE;
const KINDS: [&str; 3] = ["EmailClicked", "FormSubmitted", "WebsiteVisited"];
const CONTACTS: [&str; 3] = ["C1", "C2", "C3"];
const URLS: [Option<&str>; 3] = [Some("/pricing"), Some("/blog"), None];
const FILTERS: [&str; 5] = [
    "",
    ", where: [ { field: url, op: contains, value: pricing } ]",
    ", where: [ { field: Contact.city, op: eq, value: Chicago } ]",
    ", where: [ { field: url, op: is_empty } ]",
    ", where: [ { field: url, op: ne, value: /blog } ]",
];

/// One random interaction: kind, contact, age in minutes before [`common::AT`]
/// (negative: after it), url.
#[derive(Debug, Clone, Copy)]
struct Ix {
    kind: usize,
    contact: usize,
    age_minutes: i64,
    url: usize,
}

fn ix() -> impl Strategy<Value = Ix> {
    (
        0..KINDS.len(),
        0..CONTACTS.len(),
        -5_000i64..150_000,
        0..URLS.len(),
    )
        .prop_map(|(kind, contact, age_minutes, url)| Ix {
            kind,
            contact,
            age_minutes,
            url,
        })
}

/// `C1` (Chicago) and `C2` (Boston) at `A1`, `C3` at `A2`; contact-based `L1` on
/// `C1`, account-based `L2` on `A1`; and the interactions.
fn data(interactions: &[Ix]) -> Data {
    let mut d = Data::new();
    d.account("A1");
    d.account("A2");
    d.contact("C1", Some("A1")).city = Some("Chicago".into());
    d.contact("C2", Some("A1")).city = Some("Boston".into());
    d.contact("C3", Some("A2"));
    d.lead("L1", Some("C1"), None);
    d.lead("L2", None, Some("A1"));
    for ix in interactions {
        add(&mut d, ix);
    }
    d
}

fn add(d: &mut Data, ix: &Ix) {
    let interaction = d.interaction(
        KINDS[ix.kind],
        micros_before(ix.age_minutes * MINUTE),
        CONTACTS[ix.contact],
    );
    if let Some(url) = URLS[ix.url] {
        interaction.properties.set("url", url);
    }
}

/// A window: none, `within: Nd`, or `since` N days before [`common::AT`].
#[derive(Debug, Clone, Copy)]
enum Window {
    All,
    Within(i64),
    Since(i64),
}

impl Window {
    fn yaml(self) -> String {
        match self {
            Self::All => String::new(),
            Self::Within(days) => format!(", within: {days}d"),
            Self::Since(days) => format!(", since: '{}'", micros_before(days * DAY)),
        }
    }

    /// Days of history the window keeps (all time: more than any test uses).
    fn days(self) -> i64 {
        match self {
            Self::All => 10_000,
            Self::Within(d) | Self::Since(d) => d,
        }
    }
}

fn window() -> impl Strategy<Value = Window> {
    prop_oneof![
        Just(Window::All),
        (1i64..60).prop_map(Window::Within),
        (1i64..60).prop_map(Window::Since),
    ]
}

/// Scores and explanations of `L1` and `L2` under models targeting each.
fn explain_both(d: &Data, condition_rules: &[String]) -> Vec<Explanation> {
    let rules: Vec<&str> = condition_rules.iter().map(String::as_str).collect();
    [("L1", Target::Contact), ("L2", Target::Account)]
        .iter()
        .map(|(lead, target)| common::explain_at(d, &model_of(*target, &rules), lead, at()))
        .collect()
}

fn config() -> ProptestConfig {
    ProptestConfig::with_cases(128)
}

proptest! {
    #![proptest_config(config())]

    // RULES.md, `each`: "the rule's points are added once per qualifying
    // interaction" — so with positive points, one more qualifying interaction
    // never lowers the score (with or without a cap or a half-life).
    #[test]
    fn each_with_positive_points_never_falls_when_an_interaction_is_added(
        interactions in prop::collection::vec(ix(), 0..25),
        points in 1i64..10,
        cap in prop::option::of(0i64..40),
        half_life in prop::option::of(1u32..30),
        w in window(),
        filter in 0..FILTERS.len(),
        age in 0i64..1_000,
    ) {
        let cap = cap.map_or(String::new(), |c| format!(", cap: {c}"));
        let half_life = half_life.map_or(String::new(), |h| format!(", half_life: {h}d"));
        let rule = format!(
            "{{ name: r, when: [ {{ entity: WebsiteVisited, frequency: each{}{half_life}{} }} ], points: {points}{cap} }}",
            w.yaml(),
            FILTERS[filter],
        );
        let before = data(&interactions);
        let mut after = before.clone();
        // Qualifies under every filter: by C1 (Chicago), url /pricing... except
        // `url is_empty`, for which it has no url.
        let url = if filter == 3 { 2 } else { 0 };
        let age_minutes = (age * w.days() * DAY / 1_000) / MINUTE;
        add(&mut after, &Ix { kind: 2, contact: 0, age_minutes, url });
        let rules = [rule];
        let (b, a) = (explain_both(&before, &rules), explain_both(&after, &rules));
        for (b, a) in b.iter().zip(&a) {
            prop_assert!(a.score >= b.score, "{:?} -> {:?}", b.score, a.score);
            prop_assert!(a.points >= b.points);
        }
    }

    // RULES.md: "`at_least`: holds when at least `count` (default 1) qualifying
    // interactions exist" / "`none`: holds when no qualifying interaction
    // exists": over the same kind, window and filters exactly one holds.
    #[test]
    fn none_and_at_least_one_are_complements(
        interactions in prop::collection::vec(ix(), 0..25),
        kind in 0..KINDS.len(),
        w in window(),
        filter in 0..FILTERS.len(),
        explicit_count in any::<bool>(),
    ) {
        let condition = format!("entity: {}{}{}", KINDS[kind], w.yaml(), FILTERS[filter]);
        let count = if explicit_count { ", count: 1" } else { "" };
        let rules = [
            format!("{{ name: none, when: [ {{ {condition}, frequency: none }} ], points: 1 }}"),
            format!("{{ name: some, when: [ {{ {condition}, frequency: at_least{count} }} ], points: 2 }}"),
            format!("{{ name: default, when: [ {{ {condition} }} ], points: 4 }}"),
        ];
        for e in explain_both(&data(&interactions), &rules) {
            prop_assert!(e.score == Some(1) || e.score == Some(6), "{:?}", e.score);
        }
    }

    // RULES.md: "Only interactions at or before the evaluation time count.
    // `within: 30d` ... counts only those at or after the evaluation time minus
    // the window": one outside the window, or after the evaluation time, changes
    // nothing at all (score, points, evidence).
    #[test]
    fn an_interaction_outside_the_window_changes_nothing(
        interactions in prop::collection::vec(ix(), 0..25),
        frequency in 0usize..3,
        half_life in prop::option::of(1u32..30),
        days in 1i64..60,
        since in any::<bool>(),
        filter in 0..FILTERS.len(),
        outside in prop_oneof![
            (1i64..100_000).prop_map(|m| m + 1),
            (1i64..100_000).prop_map(|m| -m),
        ],
        contact in 0..CONTACTS.len(),
        url in 0..URLS.len(),
    ) {
        let w = if since { Window::Since(days) } else { Window::Within(days) };
        let frequency = ["each", "at_least", "none"][frequency];
        let half_life = match (frequency, half_life) {
            ("each", Some(h)) => format!(", half_life: {h}d"),
            _ => String::new(),
        };
        let rules = [format!(
            "{{ name: r, when: [ {{ entity: FormSubmitted, frequency: {frequency}{}{half_life}{} }} ], points: 3 }}",
            w.yaml(),
            FILTERS[filter],
        )];
        let before = data(&interactions);
        let mut after = before.clone();
        // `outside` minutes before the window starts (positive), or that many
        // minutes after the evaluation time (negative).
        let age_minutes = if outside > 0 { days * DAY / MINUTE + outside } else { outside };
        // Skip a seed that would land exactly on the window's start.
        prop_assume!(age_minutes != days * DAY / MINUTE);
        add(&mut after, &Ix { kind: 1, contact, age_minutes, url });
        prop_assert_eq!(explain_both(&before, &rules), explain_both(&after, &rules));
    }

    // The order interactions arrive in does not change any score, grade or
    // rule's points (the graph indexes them by contact, kind and time).
    #[test]
    fn the_order_of_interactions_does_not_matter(
        (interactions, shuffled) in prop::collection::vec(ix(), 0..30)
            .prop_flat_map(|v| (Just(v.clone()), Just(v).prop_shuffle())),
    ) {
        let rules = engagement_rules();
        let a = explain_both(&data(&interactions), &rules);
        let b = explain_both(&data(&shuffled), &rules);
        for (a, b) in a.iter().zip(&b) {
            prop_assert_eq!(a.score, b.score);
            prop_assert_eq!(&a.grade, &b.grade);
            prop_assert!(close(a.points, b.points));
            prop_assert_eq!(a.rules.len(), b.rules.len());
            for (ra, rb) in a.rules.iter().zip(&b.rules) {
                prop_assert_eq!(&ra.rule, &rb.rule);
                prop_assert!(close(ra.points, rb.points));
            }
        }
    }

    // RULES.md: "`cap`: the most (in absolute value) this rule adds" — exactly
    // `points x N` until the cap, the cap after, whatever the sign.
    #[test]
    fn a_cap_bounds_its_rules_contribution(
        interactions in prop::collection::vec(ix(), 0..40),
        points in prop_oneof![-10i64..0, 1i64..10],
        cap in 0i64..40,
    ) {
        let rules = [format!(
            "{{ name: r, when: [ {{ entity: EmailClicked, frequency: each }} ], points: {points}, cap: {cap} }}"
        )];
        let d = data(&interactions);
        for e in explain_both(&d, &rules) {
            let n = e.rules.first().map_or(0.0, |r| r.times);
            let expected = (points as f64 * n).clamp(-(cap as f64), cap as f64);
            prop_assert!(close(e.points, expected), "{} x {n}, cap {cap}: {}", points, e.points);
            prop_assert!(e.score.unwrap().abs() <= cap);
        }
    }

    // `Plan::projection` keeps exactly what the plans read: a graph built with
    // it explains every lead as the full graph does; and one `Scores` reused
    // across leads gives what a fresh one gives.
    #[test]
    fn a_projected_graph_and_reused_scores_explain_alike(
        interactions in prop::collection::vec(ix(), 0..30),
        filter in 1..FILTERS.len(),
    ) {
        let d = data(&interactions);
        let mut rules = engagement_rules();
        rules.push(format!(
            "{{ name: filtered, when: [ {{ entity: WebsiteVisited, frequency: each{} }} ], points: 2 }}",
            FILTERS[filter]
        ));
        let rules: Vec<&str> = rules.iter().map(String::as_str).collect();
        let plans: Vec<Plan> = [Target::Contact, Target::Account]
            .iter()
            .map(|t| Plan::compile(&model_of(*t, &rules)).unwrap())
            .collect();
        let full = d.graph();
        let projected = Graph::from_dataset(&d.ds, Plan::projection(&plans)).unwrap();
        let mut reused = Scores::default();
        for lead in 0..full.lead_count() {
            let (a, b) = (Evaluator::new(&full, &plans), Evaluator::new(&projected, &plans));
            let mut fresh = Scores::default();
            a.evaluate(lead, at(), &mut fresh);
            b.evaluate(lead, at(), &mut reused);
            for m in 0..plans.len() {
                prop_assert_eq!(a.explain(&fresh, m), b.explain(&reused, m));
            }
        }
    }
}

/// A mix of rules over the random interactions: each with a cap and a
/// half-life, at_least with a count, none, a fixed condition and a filter.
fn engagement_rules() -> Vec<String> {
    [
        "{ name: clicks, when: [ { entity: EmailClicked, frequency: each, within: 60d, half_life: 7d } ], points: 4, cap: 16 }",
        "{ name: forms, when: [ { entity: FormSubmitted, frequency: at_least, count: 2, within: 30d } ], points: 15 }",
        "{ name: quiet, when: [ { entity: WebsiteVisited, frequency: none, within: 14d } ], points: -10 }",
        "{ name: chicago visits, when: [ { entity: WebsiteVisited, frequency: each, where: [ { field: Contact.city, op: eq, value: Chicago } ] }, { entity: Contact } ], points: 1, cap: 8 }",
    ]
    .iter()
    .map(|r| (*r).to_owned())
    .collect()
}

// The example models load and evaluate over random data without surprises:
// every targeted lead is scored, and scores respect each model's floor.
proptest! {
    #![proptest_config(config())]

    #[test]
    fn example_models_respect_their_floors(interactions in prop::collection::vec(ix(), 0..30)) {
        let d = data(&interactions);
        for name in ["engagement", "fit", "account-intent"] {
            let path = format!("{}/../../models/rules/{name}.yaml", env!("CARGO_MANIFEST_DIR"));
            let m: RuleModel = model(&std::fs::read_to_string(path).unwrap());
            for lead in ["L1", "L2"] {
                if let Some(score) = common::score_at(&d, &m, lead, at()) {
                    prop_assert!(m.floor.is_none_or(|f| score >= f));
                }
            }
        }
    }
}

// Models that read no interaction (fit models) project every interaction
// away, so a streamed folder's interaction file need not be read; their
// scores are those of the full graph all the same. One reading a kind keeps
// them.
proptest! {
    #![proptest_config(config())]

    #[test]
    fn models_reading_no_interaction_score_alike_without_them(
        interactions in prop::collection::vec(ix(), 0..30),
    ) {
        let d = data(&interactions);
        let fit = [
            "{ name: chicago, when: [ { entity: Contact, where: [ { field: city, op: eq, value: Chicago } ] } ], points: 5 }",
            "{ name: anyone, when: [ { entity: Account } ], points: 1 }",
        ];
        let plans: Vec<Plan> = [Target::Contact, Target::Account]
            .iter()
            .map(|t| Plan::compile(&model_of(*t, &fit)).unwrap())
            .collect();
        let projection = Plan::projection(&plans);
        prop_assert!(!projection.keeps_interactions());
        let full = d.graph();
        let projected = Graph::from_dataset(&d.ds, projection).unwrap();
        prop_assert_eq!(projected.interaction_count(), 0);
        let (a, b) = (Evaluator::new(&full, &plans), Evaluator::new(&projected, &plans));
        for lead in 0..full.lead_count() {
            let (mut x, mut y) = (Scores::default(), Scores::default());
            a.evaluate(lead, at(), &mut x);
            b.evaluate(lead, at(), &mut y);
            for m in 0..plans.len() {
                prop_assert_eq!(a.explain(&x, m), b.explain(&y, m));
            }
        }
        let engagement: Vec<String> = engagement_rules();
        let engagement: Vec<&str> = engagement.iter().map(String::as_str).collect();
        let plan = Plan::compile(&model_of(Target::Contact, &engagement)).unwrap();
        prop_assert!(Plan::projection([&plans[0], &plan]).keeps_interactions());
    }
}
