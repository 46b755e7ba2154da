//! `compare_features`: importance, direction, change since the previous
//! version, and order.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use leadscore_report::{Direction, FeatureChange, FeatureRow, compare_features};

fn pairs(list: &[(&str, f64)]) -> Vec<(String, f64)> {
    list.iter().map(|&(n, w)| (n.to_owned(), w)).collect()
}

fn row<'a>(rows: &'a [FeatureRow], name: &str) -> &'a FeatureRow {
    match rows.iter().find(|r| r.feature == name) {
        Some(r) => r,
        None => panic!("no row for {name}"),
    }
}

fn names(rows: &[FeatureRow]) -> Vec<&str> {
    rows.iter().map(|r| r.feature.as_str()).collect()
}

#[test]
fn changes_against_the_previous_version() {
    let now = pairs(&[
        ("new_one", 0.5),
        ("flipped", -0.4),
        ("stronger", 0.9),
        ("weaker", -0.2),
        ("same", 0.31),
        ("from_zero", 0.2),
    ]);
    let before = pairs(&[
        ("flipped", 0.4),
        ("stronger", 0.5),
        ("weaker", -0.6),
        ("same", 0.3),
        ("from_zero", 0.0),
        ("gone", -0.7),
    ]);
    let rows = compare_features(&now, Some(&before));
    assert_eq!(rows.len(), 7);
    assert_eq!(row(&rows, "new_one").change, FeatureChange::New);
    assert_eq!(row(&rows, "new_one").previous_weight, None);
    assert_eq!(row(&rows, "flipped").change, FeatureChange::Flipped);
    assert_eq!(row(&rows, "stronger").change, FeatureChange::Stronger);
    assert_eq!(row(&rows, "weaker").change, FeatureChange::Weaker);
    assert_eq!(row(&rows, "same").change, FeatureChange::Same);
    assert_eq!(row(&rows, "from_zero").change, FeatureChange::Stronger);
    assert_eq!(row(&rows, "weaker").previous_weight, Some(-0.6));

    let gone = row(&rows, "gone");
    assert_eq!(gone.change, FeatureChange::Dropped);
    assert_eq!(gone.weight, 0.0);
    assert_eq!(gone.importance, 0.0);
    assert_eq!(gone.direction, Direction::None);
    assert_eq!(gone.previous_weight, Some(-0.7));
    assert_eq!(
        gone.plain,
        "Leads with more gone are neither more nor less likely to convert"
    );
}

#[test]
fn without_a_previous_version_every_change_is_unknown() {
    let rows = compare_features(&pairs(&[("a", 1.0), ("b", -1.0)]), None);
    assert!(rows.iter().all(|r| r.change == FeatureChange::Unknown));
    assert!(rows.iter().all(|r| r.previous_weight.is_none()));
}

#[test]
fn the_same_tolerance_is_ten_percent_of_the_larger_weight() {
    let change = |before: f64, now: f64| FeatureChange::between(before, now);
    assert_eq!(change(1.0, 1.1), FeatureChange::Same);
    assert_eq!(change(1.0, 1.12), FeatureChange::Stronger);
    assert_eq!(change(1.0, 0.9), FeatureChange::Same);
    assert_eq!(change(1.0, 0.88), FeatureChange::Weaker);
    assert_eq!(change(0.0, 0.0), FeatureChange::Same);
    assert_eq!(change(-0.01, 0.01), FeatureChange::Flipped);
    assert_eq!(change(f64::NAN, 1.0), FeatureChange::Unknown);
}

#[test]
fn importance_is_the_share_of_total_absolute_weight() {
    let rows = compare_features(&pairs(&[("a", 0.6), ("b", -0.3), ("c", 0.1)]), None);
    let total: f64 = rows.iter().map(|r| r.importance).sum();
    assert!((total - 1.0).abs() < 1e-12);
    assert!((row(&rows, "b").importance - 0.3).abs() < 1e-12);
    assert_eq!(row(&rows, "a").direction, Direction::Raises);
    assert_eq!(row(&rows, "b").direction, Direction::Lowers);
    assert_eq!(
        row(&rows, "b").plain,
        "Leads with more b are less likely to convert"
    );

    let zeros = compare_features(&pairs(&[("a", 0.0), ("b", 0.0)]), None);
    assert!(zeros.iter().all(|r| r.importance == 0.0));
    assert!(zeros.iter().all(|r| r.direction == Direction::None));
}

#[test]
fn strongest_first_ties_by_name_dropped_last() {
    let now = pairs(&[
        ("b", 0.5),
        ("small", 0.1),
        ("a", -0.5),
        ("big", -2.0),
        ("zero", 0.0),
    ]);
    let before = pairs(&[("old", 3.0), ("a", 0.1)]);
    let rows = compare_features(&now, Some(&before));
    assert_eq!(names(&rows), ["big", "a", "b", "small", "old", "zero"]);
}

#[test]
fn a_repeated_name_counts_once_with_its_first_weight() {
    let rows = compare_features(&pairs(&[("a", 0.5), ("a", 9.0), ("b", 0.5)]), None);
    assert_eq!(names(&rows), ["a", "b"]);
    assert_eq!(row(&rows, "a").weight, 0.5);
    assert_eq!(row(&rows, "a").importance, 0.5);
}

#[test]
fn a_weight_that_is_not_a_number_has_no_importance() {
    let rows = compare_features(&pairs(&[("a", f64::NAN), ("b", 2.0)]), None);
    assert_eq!(names(&rows), ["b", "a"]);
    assert_eq!(row(&rows, "a").importance, 0.0);
    assert_eq!(row(&rows, "b").importance, 1.0);
    assert_eq!(row(&rows, "a").direction, Direction::None);
}
