#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! The review's sections built from scored leads: drift on data with a known
//! shift, grades, lift and curves.

use leadscore_metrics::PsiBins;
use leadscore_report::{
    CURVE_RESOLUTION, DRIFT_BINS, DriftLevel, feature_drift, feature_drift_against, grade_rows,
    lift_rows, pr_points, roc_points, score_drift,
};

/// `n` values spread evenly over `[from, to)`.
fn spread(n: usize, from: f64, to: f64) -> Vec<f64> {
    (0..n)
        .map(|i| from + (to - from) * i as f64 / n as f64)
        .collect()
}

#[test]
fn drift_finds_a_known_shift_and_no_shift() {
    let reference: Vec<Vec<f64>> = spread(2000, 0.0, 1.0)
        .into_iter()
        .map(|v| vec![v, v, v])
        .collect();
    // Column 0 unchanged; column 1 shifted by 8% of its range (moderate);
    // column 2 moved to the top half (major). A uniform shift by 0.08 empties
    // most of the first decile bin: PSI about 0.18.
    let recent: Vec<Vec<f64>> = spread(1000, 0.0, 1.0)
        .into_iter()
        .map(|v| vec![v, v + 0.08, 0.5 + v / 2.0])
        .collect();
    let names = ["same".to_owned(), "nudged".to_owned(), "moved".to_owned()];
    let drift = feature_drift(&names, &reference, &recent);
    let of = |name: &str| drift.iter().find(|d| d.feature == name).unwrap();
    assert_eq!(drift.first().map(|d| d.feature.as_str()), Some("moved"));
    assert!(of("same").psi < 0.01, "{:?}", of("same"));
    assert_eq!(of("same").level, DriftLevel::Stable);
    assert_eq!(
        of("nudged").level,
        DriftLevel::Moderate,
        "{:?}",
        of("nudged")
    );
    assert_eq!(of("moved").level, DriftLevel::Major, "{:?}", of("moved"));

    // The same figures against bins recorded from the reference (as a model
    // keeps them), and a column without bins is left out.
    let bins: Vec<Option<PsiBins>> = (0..3)
        .map(|j| {
            let column: Vec<f64> = reference.iter().map(|r| r[j]).collect();
            PsiBins::of(&column, DRIFT_BINS)
        })
        .collect();
    assert_eq!(feature_drift_against(&names, &bins, &recent), drift);
    let partial = [bins[0].clone(), None, bins[2].clone()];
    let without = feature_drift_against(&names, &partial, &recent);
    assert_eq!(without.len(), 2);
    assert!(without.iter().all(|d| d.feature != "nudged"));

    let scores = spread(500, 0.0, 1.0);
    assert!(score_drift(&scores, &scores).is_some_and(|p| p.abs() < 1e-12));
    assert!(score_drift(&scores, &[]).is_none());
}

#[test]
fn grades_keep_the_given_order_and_count_outcomes() {
    let graded = [
        ("B", true),
        ("A", true),
        ("A", false),
        ("Z", false),
        ("B", true),
    ];
    let rows = grade_rows(graded, &["A", "B", "C"]);
    let names: Vec<&str> = rows.iter().map(|r| r.grade.as_str()).collect();
    assert_eq!(names, ["A", "B", "C", "Z"]);
    assert_eq!((rows[0].leads, rows[0].converted), (2, 1));
    assert_eq!(rows[0].conversion_rate, Some(0.5));
    assert_eq!(rows[2].conversion_rate, None, "no lead: no rate");
}

#[test]
fn curves_and_lift_stay_in_range() {
    let scored: Vec<(f64, bool)> = (0..100).map(|i| (i as f64 / 100.0, i % 3 == 0)).collect();
    for p in roc_points(&scored).iter().chain(&pr_points(&scored)) {
        assert!(
            (0.0..=1.0).contains(&p.x) && (0.0..=1.0).contains(&p.y),
            "{p:?}"
        );
    }
    let lift = lift_rows(&scored);
    assert_eq!(lift.len(), 10);
    assert_eq!(lift.iter().map(|d| d.leads).sum::<usize>(), 100);
}

/// A review's curves keep a few thousand points however many leads it
/// covers (one per distinct score was 890,000 points, 92 MB of the stored
/// review, for a million leads): still from the first point to the last, in
/// order, each kept point one of the curve's.
#[test]
fn curves_keep_a_bounded_number_of_points() {
    // 200,000 distinct scores; converted more often as the score rises.
    let scored: Vec<(f64, bool)> = (0..200_000u64)
        .map(|i| {
            let score = i as f64 / 200_000.0;
            let noise = (i.wrapping_mul(2_654_435_761) % 1000) as f64 / 1000.0;
            (score, noise < score)
        })
        .collect();
    let roc = roc_points(&scored);
    let bound = (2.0 / CURVE_RESOLUTION) as usize + 2;
    assert!(
        roc.len() > 100 && roc.len() <= bound,
        "{} points",
        roc.len()
    );
    let (first, last) = (&roc[0], &roc[roc.len() - 1]);
    assert_eq!((first.x, first.y, last.x, last.y), (0.0, 0.0, 1.0, 1.0));
    assert!(roc.windows(2).all(|w| w[0].x <= w[1].x && w[0].y <= w[1].y));
    let pr = pr_points(&scored);
    assert!(
        pr.len() > 100 && pr.len() <= 4 * bound,
        "{} points",
        pr.len()
    );
    assert_eq!((pr[0].x, pr[0].y), (0.0, 1.0));
    assert_eq!(pr[pr.len() - 1].x, 1.0);
    assert!(pr.windows(2).all(|w| w[0].x <= w[1].x));
}
