//! Confusion counts at a score threshold, their rates, and the threshold that
//! maximizes F1.

use serde::{Deserialize, Serialize};

use crate::ranked::{ratio, steps};

/// Counts of a yes/no call against outcomes: every lead scoring at least a
/// threshold is called positive (predicted to convert).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Confusion {
    /// Converted leads called positive.
    pub tp: usize,
    /// Lost leads called positive.
    pub fp: usize,
    /// Lost leads called negative.
    pub tn: usize,
    /// Converted leads called negative (serialized as `fn`).
    #[serde(rename = "fn")]
    pub fn_: usize,
}

impl Confusion {
    /// The counts when a score `>= threshold` is called positive. `None` on
    /// empty input or when the threshold or a score is not a number. O(n).
    pub fn at(threshold: f64, scored: &[(f64, bool)]) -> Option<Confusion> {
        if scored.is_empty() || threshold.is_nan() || scored.iter().any(|(s, _)| s.is_nan()) {
            return None;
        }
        let mut c = Confusion {
            tp: 0,
            fp: 0,
            tn: 0,
            fn_: 0,
        };
        for &(score, converted) in scored {
            match (score >= threshold, converted) {
                (true, true) => c.tp += 1,
                (true, false) => c.fp += 1,
                (false, false) => c.tn += 1,
                (false, true) => c.fn_ += 1,
            }
        }
        Some(c)
    }

    /// Share of leads called positive that converted, tp / (tp + fp); `None`
    /// when no lead is called positive.
    pub fn precision(&self) -> Option<f64> {
        share(self.tp, self.tp + self.fp)
    }

    /// Share of converted leads called positive, tp / (tp + fn); `None` when no
    /// lead converted.
    pub fn recall(&self) -> Option<f64> {
        share(self.tp, self.tp + self.fn_)
    }

    /// Harmonic mean of precision and recall, computed as
    /// 2·tp / (2·tp + fp + fn): 0 when there are misses but no true positive
    /// (as scikit-learn's `f1_score`), `None` only when there is neither a
    /// positive call nor a converted lead.
    pub fn f1(&self) -> Option<f64> {
        share(2 * self.tp, 2 * self.tp + self.fp + self.fn_)
    }

    /// Share of leads called correctly, (tp + tn) / total; `None` when there are
    /// no leads.
    pub fn accuracy(&self) -> Option<f64> {
        share(self.tp + self.tn, self.total())
    }

    /// Number of leads counted.
    pub fn total(&self) -> usize {
        self.tp + self.fp + self.tn + self.fn_
    }
}

fn share(part: usize, whole: usize) -> Option<f64> {
    (whole > 0).then(|| ratio(part, whole))
}

/// The threshold, among the distinct scores, whose call (`score >= threshold`
/// is positive) has the highest F1, with its confusion counts. Ties go to the
/// higher threshold (fewer leads called positive). O(n log n).
///
/// `None` on empty input, when no lead converted (F1 is then 0 at every
/// threshold), or when a score is not a number.
pub fn best_f1_threshold(scored: &[(f64, bool)]) -> Option<(f64, Confusion)> {
    let (steps, positives, negatives) = steps(scored)?;
    if positives == 0 {
        return None;
    }
    // F1 = 2tp / (tp + fp + P); compare fractions exactly by cross-multiplying.
    let mut best: Option<(usize, usize, usize)> = None; // (step index, numerator, denominator)
    for (i, s) in steps.iter().enumerate() {
        let (num, den) = (2 * s.tp, s.tp + s.fp + positives);
        let better = match best {
            None => true,
            Some((_, bn, bd)) => (num as u128) * (bd as u128) > (bn as u128) * (den as u128),
        };
        if better {
            best = Some((i, num, den));
        }
    }
    let (i, _, _) = best?;
    let s = steps.get(i)?;
    Some((
        s.threshold,
        Confusion {
            tp: s.tp,
            fp: s.fp,
            tn: negatives - s.fp,
            fn_: positives - s.tp,
        },
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_data::{SCORES, close, scored};
    use proptest::prelude::*;

    #[test]
    fn matches_scikit_learn() {
        // sklearn.metrics.confusion_matrix / precision_score / recall_score /
        // f1_score / accuracy_score on [s >= 0.55 for s in SCORES]:
        // tp 4, fp 2, tn 5, fn 1; 0.6666666666666666, 0.8, 0.7272727272727273, 0.75.
        let c = Confusion::at(0.55, &scored());
        let expected = Confusion {
            tp: 4,
            fp: 2,
            tn: 5,
            fn_: 1,
        };
        assert_eq!(c, Some(expected));
        assert!(close(expected.precision(), 0.6666666666666666));
        assert!(close(expected.recall(), 0.8));
        assert!(close(expected.f1(), 0.7272727272727273));
        assert!(close(expected.accuracy(), 0.75));
        // Same at 0.3 (the tie at 0.3 is called positive):
        // tp 5, fp 5, tn 2, fn 0; 0.5, 1.0, 0.6666666666666666, 0.5833333333333334.
        let c = Confusion::at(0.3, &scored());
        assert_eq!(
            c,
            Some(Confusion {
                tp: 5,
                fp: 5,
                tn: 2,
                fn_: 0
            })
        );
        assert!(c.is_some_and(|c| close(c.accuracy(), 0.5833333333333334)));
    }

    #[test]
    fn undefined_rates() {
        let none_called = Confusion {
            tp: 0,
            fp: 0,
            tn: 3,
            fn_: 0,
        };
        assert_eq!(none_called.precision(), None);
        assert_eq!(none_called.recall(), None);
        assert_eq!(none_called.f1(), None);
        assert_eq!(none_called.accuracy(), Some(1.0));
        let all_missed = Confusion {
            tp: 0,
            fp: 0,
            tn: 1,
            fn_: 2,
        };
        assert_eq!(all_missed.precision(), None);
        assert_eq!(all_missed.f1(), Some(0.0));
        assert_eq!(Confusion::at(0.5, &[]), None);
        assert_eq!(Confusion::at(f64::NAN, &[(0.1, true)]), None);
        assert_eq!(Confusion::at(0.5, &[(f64::NAN, true)]), None);
    }

    #[test]
    fn best_f1_matches_scikit_learn() {
        // max over distinct thresholds t of f1_score(LABELS, [s >= t for s in SCORES]):
        // t = 0.6 with F1 0.8 (next best 0.7692307692307693 at t = 0.4).
        let best = best_f1_threshold(&scored());
        assert_eq!(
            best,
            Some((
                0.6,
                Confusion {
                    tp: 4,
                    fp: 1,
                    tn: 6,
                    fn_: 1
                }
            ))
        );
        assert!(best.is_some_and(|(_, c)| close(c.f1(), 0.8)));
        assert!(SCORES.contains(&0.6));
    }

    #[test]
    fn best_f1_ties_go_to_higher_threshold() {
        // F1 is 2/3 both at 0.9 (tp 1, fp 0, fn 1) and at 0.6 (tp 2, fp 2, fn 0).
        let data = [(0.9, true), (0.8, false), (0.7, false), (0.6, true)];
        assert_eq!(best_f1_threshold(&data).map(|(t, _)| t), Some(0.9));
        assert_eq!(best_f1_threshold(&[]), None);
        assert_eq!(best_f1_threshold(&[(0.2, false)]), None);
        assert_eq!(best_f1_threshold(&[(f64::NAN, true)]), None);
    }

    proptest! {
        #[test]
        fn best_f1_beats_every_threshold(data in prop::collection::vec((0i32..20, any::<bool>()), 1..60)) {
            let scored: Vec<(f64, bool)> = data.iter().map(|(s, y)| (f64::from(*s), *y)).collect();
            if let Some((t, c)) = best_f1_threshold(&scored) {
                prop_assert_eq!(Confusion::at(t, &scored), Some(c));
                let best = c.f1().unwrap_or(-1.0);
                for &(other, _) in &scored {
                    let f1 = Confusion::at(other, &scored).and_then(|c| c.f1()).unwrap_or(-1.0);
                    prop_assert!(best >= f1 - 1e-12);
                    // Ties (exactly equal F1) go to the higher threshold.
                    if f1 == best {
                        prop_assert!(t >= other);
                    }
                }
            } else {
                prop_assert!(scored.iter().all(|(_, y)| !*y));
            }
        }
    }
}
