//! ROC and precision-recall curves, for plotting.
//!
//! Both curves have one point per distinct score, from the highest threshold to
//! the lowest (so false-positive rate and recall never decrease along the
//! vector), preceded by a starting point at threshold `f64::INFINITY` where no
//! lead is called positive. No intermediate point is dropped. Note that JSON has
//! no infinity: `serde_json` writes that first threshold as `null`.

use serde::Serialize;

use crate::ranked::{ratio, steps};

/// One point of a ROC curve: the rates when every lead scoring at least
/// `threshold` is called positive.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RocPoint {
    /// False-positive rate: share of lost leads called positive.
    pub fpr: f64,
    /// True-positive rate (recall): share of converted leads called positive.
    pub tpr: f64,
    /// The score threshold (`f64::INFINITY` for the starting point).
    pub threshold: f64,
}

/// One point of a precision-recall curve: the rates when every lead scoring at
/// least `threshold` is called positive.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PrPoint {
    /// Share of converted leads called positive.
    pub recall: f64,
    /// Share of leads called positive that converted.
    pub precision: f64,
    /// The score threshold (`f64::INFINITY` for the starting point).
    pub threshold: f64,
}

/// The ROC curve of scores against outcomes (`true` = converted): the point
/// (0, 0) at threshold infinity, then one point per distinct score from the
/// highest down, ending at (1, 1). Empty when either class is missing or a
/// score is not a number. O(n log n).
///
/// The points are those of scikit-learn's `roc_curve(drop_intermediate=False)`.
pub fn roc_curve(scored: &[(f64, bool)]) -> Vec<RocPoint> {
    let Some((steps, positives, negatives)) = steps(scored) else {
        return Vec::new();
    };
    if positives == 0 || negatives == 0 {
        return Vec::new();
    }
    let start = RocPoint {
        fpr: 0.0,
        tpr: 0.0,
        threshold: f64::INFINITY,
    };
    std::iter::once(start)
        .chain(steps.iter().map(|s| RocPoint {
            fpr: ratio(s.fp, negatives),
            tpr: ratio(s.tp, positives),
            threshold: s.threshold,
        }))
        .collect()
}

/// The precision-recall curve of scores against outcomes (`true` = converted):
/// the point (recall 0, precision 1) at threshold infinity, then one point per
/// distinct score from the highest down, ending at recall 1. Empty when there
/// is no converted lead or a score is not a number. O(n log n).
///
/// The points are those of scikit-learn's `precision_recall_curve`, in the
/// reverse order (scikit-learn lists thresholds increasing and puts the
/// (0, 1) point last, without a threshold).
pub fn pr_curve(scored: &[(f64, bool)]) -> Vec<PrPoint> {
    let Some((steps, positives, _)) = steps(scored) else {
        return Vec::new();
    };
    if positives == 0 {
        return Vec::new();
    }
    let start = PrPoint {
        recall: 0.0,
        precision: 1.0,
        threshold: f64::INFINITY,
    };
    std::iter::once(start)
        .chain(steps.iter().map(|s| PrPoint {
            recall: ratio(s.tp, positives),
            // Every step calls at least one lead positive, so tp + fp > 0.
            precision: ratio(s.tp, s.tp + s.fp),
            threshold: s.threshold,
        }))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_data::{LABELS, SCORES, scored};
    use proptest::prelude::*;

    #[test]
    fn roc_matches_scikit_learn() {
        // python3: sklearn.metrics.roc_curve(LABELS, SCORES, drop_intermediate=False)
        // (scikit-learn 1.7; see test_data.rs for the data).
        let fpr = [
            0.0,
            0.0,
            0.0,
            0.14285714285714285,
            0.14285714285714285,
            0.2857142857142857,
            0.42857142857142855,
            0.42857142857142855,
            0.7142857142857143,
            0.8571428571428571,
            1.0,
        ];
        let tpr = [0.0, 0.2, 0.4, 0.6, 0.8, 0.8, 0.8, 1.0, 1.0, 1.0, 1.0];
        let curve = roc_curve(&scored());
        assert_eq!(curve.len(), fpr.len());
        for (i, p) in curve.iter().enumerate() {
            assert!((p.fpr - fpr[i]).abs() < 1e-12, "fpr at {i}");
            assert!((p.tpr - tpr[i]).abs() < 1e-12, "tpr at {i}");
        }
        assert_eq!(curve[0].threshold, f64::INFINITY);
        let mut distinct: Vec<f64> = SCORES.to_vec();
        distinct.sort_by(|a, b| b.total_cmp(a));
        distinct.dedup();
        let thresholds: Vec<f64> = curve[1..].iter().map(|p| p.threshold).collect();
        assert_eq!(thresholds, distinct);
        assert_eq!(LABELS.len(), SCORES.len());
    }

    #[test]
    fn pr_matches_scikit_learn() {
        // python3: sklearn.metrics.precision_recall_curve(LABELS, SCORES), reversed.
        let precision = [
            1.0,
            1.0,
            1.0,
            0.75,
            0.8,
            0.6666666666666666,
            0.5714285714285714,
            0.625,
            0.5,
            0.45454545454545453,
            0.4166666666666667,
        ];
        let recall = [0.0, 0.2, 0.4, 0.6, 0.8, 0.8, 0.8, 1.0, 1.0, 1.0, 1.0];
        let curve = pr_curve(&scored());
        assert_eq!(curve.len(), precision.len());
        for (i, p) in curve.iter().enumerate() {
            assert!(
                (p.precision - precision[i]).abs() < 1e-12,
                "precision at {i}"
            );
            assert!((p.recall - recall[i]).abs() < 1e-12, "recall at {i}");
        }
    }

    #[test]
    fn degenerate_inputs_give_empty_curves() {
        assert!(roc_curve(&[]).is_empty());
        assert!(roc_curve(&[(0.3, true), (0.4, true)]).is_empty());
        assert!(roc_curve(&[(f64::NAN, true), (0.4, false)]).is_empty());
        assert!(pr_curve(&[]).is_empty());
        assert!(pr_curve(&[(0.3, false)]).is_empty());
        assert!(pr_curve(&[(f64::NAN, true)]).is_empty());
        // A single class of converted leads still has a precision-recall curve.
        assert_eq!(pr_curve(&[(0.3, true)]).len(), 2);
    }

    proptest! {
        #[test]
        fn curves_are_monotone_and_bounded(data in prop::collection::vec((0i32..20, any::<bool>()), 1..60)) {
            let scored: Vec<(f64, bool)> = data.iter().map(|(s, y)| (f64::from(*s), *y)).collect();
            let roc = roc_curve(&scored);
            for w in roc.windows(2) {
                prop_assert!(w[0].fpr <= w[1].fpr && w[0].tpr <= w[1].tpr);
                prop_assert!(w[0].threshold > w[1].threshold);
            }
            if let Some(last) = roc.last() {
                prop_assert_eq!((last.fpr, last.tpr), (1.0, 1.0));
            }
            let pr = pr_curve(&scored);
            for w in pr.windows(2) {
                prop_assert!(w[0].recall <= w[1].recall);
            }
            for p in &pr {
                prop_assert!((0.0..=1.0).contains(&p.precision));
            }
            if let Some(last) = pr.last() {
                prop_assert_eq!(last.recall, 1.0);
            }
        }
    }
}
