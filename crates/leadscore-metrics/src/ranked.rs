//! Shared ranking step: scores sorted from highest to lowest and grouped by
//! distinct value, with the cumulative class counts at each distinct threshold.

/// The cumulative counts when every lead scoring at least `threshold` is called
/// positive.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Step {
    /// A distinct score, taken as the threshold.
    pub(crate) threshold: f64,
    /// Converted leads scoring at least `threshold`.
    pub(crate) tp: usize,
    /// Lost leads scoring at least `threshold`.
    pub(crate) fp: usize,
}

/// The steps of `scored`, from the highest distinct score down to the lowest,
/// with the total numbers of positives and negatives. `None` when a score is
/// not a number. O(n log n).
pub(crate) fn steps(scored: &[(f64, bool)]) -> Option<(Vec<Step>, usize, usize)> {
    if scored.iter().any(|(s, _)| s.is_nan()) {
        return None;
    }
    let sorted = sorted_descending(scored);
    let mut out = Vec::new();
    let (mut tp, mut fp) = (0, 0);
    let mut i = 0;
    while i < sorted.len() {
        let threshold = sorted[i].0;
        while i < sorted.len() && sorted[i].0 == threshold {
            if sorted[i].1 {
                tp += 1;
            } else {
                fp += 1;
            }
            i += 1;
        }
        out.push(Step { threshold, tp, fp });
    }
    Some((out, tp, fp))
}

/// `scored` sorted by score from highest to lowest; the sort is stable, so
/// equal scores keep their input order.
pub(crate) fn sorted_descending(scored: &[(f64, bool)]) -> Vec<(f64, bool)> {
    let mut sorted = scored.to_vec();
    sorted.sort_by(|a, b| b.0.total_cmp(&a.0));
    sorted
}

/// `part / whole` as a float (`whole` must be non-zero).
pub(crate) fn ratio(part: usize, whole: usize) -> f64 {
    part as f64 / whole as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn groups_ties_and_accumulates() {
        let (s, p, n) =
            steps(&[(0.2, false), (0.5, true), (0.5, false), (0.9, true)]).unwrap_or_default();
        assert_eq!((p, n), (2, 2));
        let expected = vec![
            Step {
                threshold: 0.9,
                tp: 1,
                fp: 0,
            },
            Step {
                threshold: 0.5,
                tp: 2,
                fp: 1,
            },
            Step {
                threshold: 0.2,
                tp: 2,
                fp: 2,
            },
        ];
        assert_eq!(s, expected);
        assert_eq!(steps(&[(f64::NAN, true)]), None);
        assert_eq!(steps(&[]), Some((vec![], 0, 0)));
    }
}
