//! Losses of predicted probabilities: log loss and the Brier score.

/// Probabilities are clipped to `[LOG_LOSS_CLIP, 1 - LOG_LOSS_CLIP]` before
/// taking logarithms, so a confident miss costs about 34.5 rather than infinity.
pub const LOG_LOSS_CLIP: f64 = 1e-15;

/// Mean negative log-likelihood (natural logarithm) of outcomes (`true` =
/// converted) under predicted conversion probabilities, each clipped to
/// [`LOG_LOSS_CLIP`], 1 − [`LOG_LOSS_CLIP`]. Lower is better; always predicting
/// 0.5 gives ln 2 ≈ 0.693.
///
/// `None` on empty input or when a probability is not a number or lies
/// outside [0, 1]. A single class is fine. Matches scikit-learn's `log_loss`
/// away from the clip (recent scikit-learn clips at machine epsilon instead).
pub fn log_loss(predicted: &[(f64, bool)]) -> Option<f64> {
    if !valid_probabilities(predicted) {
        return None;
    }
    let total: f64 = predicted
        .iter()
        .map(|&(p, y)| {
            let p = p.clamp(LOG_LOSS_CLIP, 1.0 - LOG_LOSS_CLIP);
            -(if y { p.ln() } else { (1.0 - p).ln() })
        })
        .sum();
    Some(total / predicted.len() as f64)
}

/// Brier score: the mean squared difference between predicted conversion
/// probabilities and outcomes (1 = converted, 0 = lost), in [0, 1]. Lower is
/// better; always predicting 0.5 gives 0.25.
///
/// `None` on empty input or when a probability is not a number or lies
/// outside [0, 1]. A single class is fine. Matches scikit-learn's
/// `brier_score_loss`.
pub fn brier(predicted: &[(f64, bool)]) -> Option<f64> {
    if !valid_probabilities(predicted) {
        return None;
    }
    let total: f64 = predicted
        .iter()
        .map(|&(p, y)| {
            let d = p - if y { 1.0 } else { 0.0 };
            d * d
        })
        .sum();
    Some(total / predicted.len() as f64)
}

/// Non-empty, and every probability in [0, 1] (which excludes NaN).
pub(crate) fn valid_probabilities(predicted: &[(f64, bool)]) -> bool {
    !predicted.is_empty() && predicted.iter().all(|(p, _)| (0.0..=1.0).contains(p))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_data::{close, scored};
    use proptest::prelude::*;

    #[test]
    fn matches_scikit_learn() {
        // sklearn.metrics.log_loss(LABELS, SCORES) = 0.48748141687533897
        assert!(close(log_loss(&scored()), 0.48748141687533897));
        // sklearn.metrics.brier_score_loss(LABELS, SCORES) = 0.16104166666666667
        assert!(close(brier(&scored()), 0.16104166666666667));
        assert!(close(
            log_loss(&[(0.5, true), (0.5, false)]),
            std::f64::consts::LN_2
        ));
        assert!(close(brier(&[(0.5, true), (0.5, false)]), 0.25));
    }

    #[test]
    fn clips_certain_misses() {
        // -ln(1e-15) = 34.538776394910684 (hand-computed, Python math.log).
        assert!(close(log_loss(&[(0.0, true)]), 34.538776394910684));
        let hit = log_loss(&[(1.0, true), (0.0, false)]);
        assert!(hit.is_some_and(|l| l > 0.0 && l < 1e-14));
        assert_eq!(brier(&[(0.0, true)]), Some(1.0));
        assert_eq!(brier(&[(1.0, true), (0.0, false)]), Some(0.0));
    }

    #[test]
    fn undefined_cases() {
        assert_eq!(log_loss(&[]), None);
        assert_eq!(brier(&[]), None);
        assert_eq!(log_loss(&[(f64::NAN, true)]), None);
        assert_eq!(brier(&[(f64::NAN, true)]), None);
        assert_eq!(log_loss(&[(1.5, true)]), None);
        assert_eq!(brier(&[(-0.1, false)]), None);
    }

    proptest! {
        #[test]
        fn bounded(data in prop::collection::vec((0.0f64..=1.0, any::<bool>()), 1..60)) {
            let b = brier(&data);
            prop_assert!(b.is_some_and(|b| (0.0..=1.0).contains(&b)));
            let l = log_loss(&data);
            prop_assert!(l.is_some_and(|l| (0.0..=35.0).contains(&l)));
        }
    }
}
