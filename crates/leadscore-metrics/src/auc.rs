//! Area under the ROC curve.

/// The area under the ROC curve of scores against outcomes (`true` = converted):
/// the probability that a random converted lead scores above a random lost one,
/// ties counting one half (the Mann-Whitney statistic). `None` when either class
/// is missing or a score is not a number.
pub fn roc_auc(scored: &[(f64, bool)]) -> Option<f64> {
    if scored.iter().any(|(s, _)| s.is_nan()) {
        return None;
    }
    let positives = scored.iter().filter(|(_, y)| *y).count();
    let negatives = scored.len() - positives;
    if positives == 0 || negatives == 0 {
        return None;
    }
    let mut sorted: Vec<(f64, bool)> = scored.to_vec();
    sorted.sort_by(|a, b| a.0.total_cmp(&b.0));
    // Sum of the (1-based, tie-averaged) ranks of the positives.
    let mut rank_sum = 0.0;
    let mut i = 0;
    while i < sorted.len() {
        let mut j = i + 1;
        while j < sorted.len() && sorted[j].0 == sorted[i].0 {
            j += 1;
        }
        let average_rank = (i + 1 + j) as f64 / 2.0;
        let tied_positives = sorted[i..j].iter().filter(|(_, y)| *y).count();
        rank_sum += average_rank * tied_positives as f64;
        i = j;
    }
    let (p, n) = (positives as f64, negatives as f64);
    Some((rank_sum - p * (p + 1.0) / 2.0) / (p * n))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn known_values() {
        assert_eq!(roc_auc(&[(1.0, false), (2.0, true)]), Some(1.0));
        assert_eq!(roc_auc(&[(2.0, false), (1.0, true)]), Some(0.0));
        assert_eq!(roc_auc(&[(1.0, false), (1.0, true)]), Some(0.5));
        // 3 positives, 2 negatives: pairs won 5 of 6, one tie: (5 + 0.5) / 6.
        let auc = roc_auc(&[
            (0.9, true),
            (0.8, true),
            (0.3, true),
            (0.3, false),
            (0.1, false),
        ]);
        assert_eq!(auc, Some(0.9166666666666666));
        assert_eq!(roc_auc(&[(1.0, true)]), None);
        assert_eq!(roc_auc(&[(f64::NAN, true), (1.0, false)]), None);
    }

    fn brute_force(scored: &[(f64, bool)]) -> f64 {
        let mut wins = 0.0;
        let mut pairs = 0.0;
        for (sp, _) in scored.iter().filter(|(_, y)| *y) {
            for (sn, _) in scored.iter().filter(|(_, y)| !*y) {
                pairs += 1.0;
                wins += if sp > sn {
                    1.0
                } else if sp == sn {
                    0.5
                } else {
                    0.0
                };
            }
        }
        wins / pairs
    }

    proptest! {
        #[test]
        fn equals_pairwise_count(data in prop::collection::vec((0i32..20, any::<bool>()), 2..60)) {
            let scored: Vec<(f64, bool)> = data.iter().map(|(s, y)| (f64::from(*s), *y)).collect();
            if let Some(auc) = roc_auc(&scored) {
                prop_assert!((auc - brute_force(&scored)).abs() < 1e-12);
            }
        }
    }
}
