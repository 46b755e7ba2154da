//! Calibration (reliability) bins: predicted probability against observed
//! conversion rate.

use serde::{Deserialize, Serialize};

use crate::probabilistic::valid_probabilities;

/// One equal-width bin of predicted probabilities.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CalibrationBin {
    /// Lower edge of the bin (exclusive, except 0.0 for the first bin).
    pub lower: f64,
    /// Upper edge of the bin (inclusive).
    pub upper: f64,
    /// Number of leads whose predicted probability falls in the bin.
    pub count: usize,
    /// Mean predicted probability of those leads.
    pub mean_predicted: f64,
    /// Share of those leads that converted.
    pub observed_rate: f64,
}

/// Splits [0, 1] into `bins` equal-width bins, `(i/bins, (i+1)/bins]` with the
/// first one closed at 0 (scikit-learn's `calibration_curve` convention: a
/// probability on an edge belongs to the lower bin), and reports each non-empty bin's mean predicted
/// probability and observed conversion rate, in increasing order. A
/// well-calibrated model has `mean_predicted ≈ observed_rate` in every bin.
///
/// Empty bins are left out (as scikit-learn's `calibration_curve` does), so
/// the result may hold fewer than `bins` entries. The edges are `i / bins`
/// exactly; scikit-learn's `linspace` edges can differ in the last bit (for
/// example 0.30000000000000004 for ten bins), which matters only for a
/// probability exactly on such an edge. Empty when the input is
/// empty, `bins` is 0, or a probability is not a number or lies outside
/// [0, 1]. A single class is fine. O(n + bins).
pub fn calibration_bins(predicted: &[(f64, bool)], bins: usize) -> Vec<CalibrationBin> {
    if bins == 0 || !valid_probabilities(predicted) {
        return Vec::new();
    }
    // (count, sum of predictions, positives) per bin.
    let mut acc = vec![(0usize, 0.0f64, 0usize); bins];
    for &(p, converted) in predicted {
        let slot = bin_index(p, bins);
        if let Some(a) = acc.get_mut(slot) {
            a.0 += 1;
            a.1 += p;
            a.2 += usize::from(converted);
        }
    }
    acc.iter()
        .enumerate()
        .filter(|(_, a)| a.0 > 0)
        .map(|(i, &(count, sum, positives))| CalibrationBin {
            lower: i as f64 / bins as f64,
            upper: (i + 1) as f64 / bins as f64,
            count,
            mean_predicted: sum / count as f64,
            observed_rate: positives as f64 / count as f64,
        })
        .collect()
}

/// The bin of `p` in [0, 1]: the number of inner edges `i / bins` (for
/// `0 < i < bins`) strictly below `p`. Compares against the same edges the bins
/// report, so a probability on an edge always lands in the bin it closes.
fn bin_index(p: f64, bins: usize) -> usize {
    let edge = |i: usize| i as f64 / bins as f64;
    let guess = ((p * bins as f64).ceil() as usize).clamp(1, bins) - 1;
    if guess > 0 && edge(guess) >= p {
        guess - 1
    } else if guess + 1 < bins && edge(guess + 1) < p {
        guess + 1
    } else {
        guess
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_data::scored;
    use proptest::prelude::*;

    #[test]
    fn matches_scikit_learn() {
        // sklearn.calibration.calibration_curve(LABELS, SCORES, n_bins=4):
        // prob_true [0.0, 0.25, 0.5, 1.0], prob_pred [0.15, 0.375, 0.6375, 0.85]
        // (the score 0.5, on an edge, belongs to the second bin).
        let bins = calibration_bins(&scored(), 4);
        let counts: Vec<usize> = bins.iter().map(|b| b.count).collect();
        assert_eq!(counts, vec![2, 4, 4, 2]);
        let observed = [0.0, 0.25, 0.5, 1.0];
        let mean = [0.15, 0.375, 0.6375, 0.85];
        for (i, b) in bins.iter().enumerate() {
            assert!(
                (b.observed_rate - observed[i]).abs() < 1e-12,
                "observed at {i}"
            );
            assert!((b.mean_predicted - mean[i]).abs() < 1e-12, "mean at {i}");
            assert_eq!(b.lower, i as f64 * 0.25);
            assert_eq!(b.upper, (i + 1) as f64 * 0.25);
        }
    }

    #[test]
    fn edges_and_empty_bins() {
        let bins = calibration_bins(&[(0.0, false), (0.3, true), (0.31, true), (1.0, true)], 10);
        let lowers: Vec<f64> = bins.iter().map(|b| b.lower).collect();
        assert_eq!(lowers, vec![0.0, 0.2, 0.3, 0.9]);
        assert!(calibration_bins(&[], 10).is_empty());
        assert!(calibration_bins(&[(0.5, true)], 0).is_empty());
        assert!(calibration_bins(&[(f64::NAN, true)], 10).is_empty());
        assert!(calibration_bins(&[(1.2, true)], 10).is_empty());
    }

    proptest! {
        #[test]
        fn bins_hold_their_members(data in prop::collection::vec((0.0f64..=1.0, any::<bool>()), 1..60), bins in 1usize..25) {
            let out = calibration_bins(&data, bins);
            prop_assert_eq!(out.iter().map(|b| b.count).sum::<usize>(), data.len());
            for b in &out {
                prop_assert!(b.mean_predicted >= b.lower - 1e-12 && b.mean_predicted <= b.upper + 1e-12);
                prop_assert!((0.0..=1.0).contains(&b.observed_rate));
            }
        }
    }
}
