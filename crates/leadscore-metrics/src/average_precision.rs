//! Average precision: the step-wise area under the precision-recall curve.

use crate::ranked::{ratio, steps};

/// Average precision of scores against outcomes (`true` = converted), as
/// scikit-learn's `average_precision_score`: the sum over distinct score
/// thresholds, from the highest down, of the recall gained at that threshold
/// times the precision there. Equal scores are grouped into one threshold, so
/// the order of tied leads does not matter. O(n log n).
///
/// The result is in [0, 1]; 1 means every converted lead outscores every lost
/// one. A random ranking scores about the share of converted leads (not 0.5 as
/// with ROC AUC). `None` when there is no converted lead (recall is undefined)
/// or a score is not a number; with only converted leads it is 1.
pub fn pr_auc(scored: &[(f64, bool)]) -> Option<f64> {
    let (steps, positives, _) = steps(scored)?;
    if positives == 0 {
        return None;
    }
    let mut area = 0.0;
    let mut previous_tp = 0;
    for s in &steps {
        if s.tp > previous_tp {
            // Every step calls at least one lead positive, so tp + fp > 0.
            area += ratio(s.tp - previous_tp, positives) * ratio(s.tp, s.tp + s.fp);
            previous_tp = s.tp;
        }
    }
    Some(area)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_data::{close, scored};
    use proptest::prelude::*;

    #[test]
    fn matches_scikit_learn() {
        // sklearn.metrics.average_precision_score(LABELS, SCORES) = 0.835
        // (by hand: 0.2*1 + 0.2*1 + 0.2*0.75 + 0.2*0.8 + 0.2*0.625).
        assert!(close(pr_auc(&scored()), 0.835));
        // average_precision_score([1, 0, 1, 0], [0.5, 0.5, 0.5, 0.1]) = 0.6666666666666666:
        // one tied group of three holds both positives, so all recall comes at precision 2/3.
        assert!(close(
            pr_auc(&[(0.5, true), (0.5, false), (0.5, true), (0.1, false)]),
            2.0 / 3.0
        ));
        assert!(close(pr_auc(&[(0.9, true), (0.1, false)]), 1.0));
        // average_precision_score([0, 1], [0.9, 0.1]) = 0.5
        assert!(close(pr_auc(&[(0.9, false), (0.1, true)]), 0.5));
        assert!(close(pr_auc(&[(0.3, true), (0.2, true)]), 1.0));
    }

    #[test]
    fn undefined_cases() {
        assert_eq!(pr_auc(&[]), None);
        assert_eq!(pr_auc(&[(0.3, false), (0.7, false)]), None);
        assert_eq!(pr_auc(&[(f64::NAN, true), (0.7, false)]), None);
    }

    #[test]
    fn tie_order_does_not_matter() {
        let a = pr_auc(&[(0.5, true), (0.5, false), (0.9, true), (0.1, false)]);
        let b = pr_auc(&[(0.5, false), (0.5, true), (0.9, true), (0.1, false)]);
        assert_eq!(a, b);
    }

    proptest! {
        #[test]
        fn in_unit_interval(data in prop::collection::vec((0i32..20, any::<bool>()), 1..60)) {
            let scored: Vec<(f64, bool)> = data.iter().map(|(s, y)| (f64::from(*s), *y)).collect();
            if let Some(ap) = pr_auc(&scored) {
                prop_assert!((0.0..=1.0 + 1e-12).contains(&ap));
            }
        }
    }
}
