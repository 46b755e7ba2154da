//! Population stability index: how far a score's distribution has shifted
//! between a reference sample and a recent one.

/// Below this PSI the population is usually considered stable.
pub const PSI_MODERATE_SHIFT: f64 = 0.1;

/// At or above this PSI the shift is usually considered major: investigate,
/// and consider retraining the model.
pub const PSI_MAJOR_SHIFT: f64 = 0.25;

/// Share used in place of zero for a bin that one sample leaves empty, so the
/// logarithm stays finite.
pub const PSI_EMPTY_BIN_SHARE: f64 = 1e-4;

/// Population stability index of `actual` (e.g. this month's scores) against
/// `expected` (e.g. the scores at training time):
/// `Σ (aᵢ − eᵢ) · ln(aᵢ / eᵢ)` over bins, where `eᵢ` and `aᵢ` are the shares of
/// each sample in bin `i`. It is 0 for identical distributions and grows with
/// the shift. Conventional alarm levels: below [`PSI_MODERATE_SHIFT`] (0.1)
/// stable; 0.1 to [`PSI_MAJOR_SHIFT`] (0.25) a moderate shift worth watching;
/// 0.25 and above a major shift.
///
/// The bins are cut at the expected sample's quantiles `k / bins` for
/// `k = 1 .. bins − 1` (linear interpolation, as numpy's default
/// `np.quantile`), so each holds about the same share of `expected`. Repeated
/// cut points (heavy ties) are merged, leaving fewer bins. A value equal to a
/// cut point goes to the bin above it (`np.searchsorted(cuts, x, "right")`). A
/// share of zero is replaced by [`PSI_EMPTY_BIN_SHARE`].
///
/// `None` when either sample is empty, `bins` is 0, or a value is not finite.
/// O((n + m) log n).
pub fn psi(expected: &[f64], actual: &[f64], bins: usize) -> Option<f64> {
    PsiBins::of(expected, bins)?.psi(actual)
}

/// The reference side of [`psi`], kept to measure later samples against: the
/// cut points (quantiles of the reference, duplicates merged) and the share of
/// the reference in each bin. A model records these for its training rows.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct PsiBins {
    /// Bin `i` holds values `v` with `cuts[i - 1] <= v < cuts[i]`.
    pub cuts: Vec<f64>,
    /// The reference's share in each bin (`cuts.len() + 1` of them).
    pub shares: Vec<f64>,
}

impl PsiBins {
    /// The bins of `expected` (`bins` quantile bins); `None` when it is empty,
    /// holds a non-finite value, or `bins` is 0.
    pub fn of(expected: &[f64], bins: usize) -> Option<Self> {
        if bins == 0 || expected.is_empty() || expected.iter().any(|v| !v.is_finite()) {
            return None;
        }
        let mut sorted = expected.to_vec();
        sorted.sort_by(f64::total_cmp);
        let mut cuts: Vec<f64> = (1..bins)
            .filter_map(|k| quantile(&sorted, k as f64 / bins as f64))
            .collect();
        cuts.dedup();
        let shares = shares(expected, &cuts);
        Some(Self { cuts, shares })
    }

    /// The PSI of `actual` against these bins; `None` when `actual` is empty
    /// or holds a non-finite value, or the bins do not agree with themselves.
    pub fn psi(&self, actual: &[f64]) -> Option<f64> {
        if actual.is_empty()
            || actual.iter().any(|v| !v.is_finite())
            || self.shares.len() != self.cuts.len() + 1
        {
            return None;
        }
        let actual_shares = shares(actual, &self.cuts);
        let total = self
            .shares
            .iter()
            .zip(&actual_shares)
            .map(|(&e, &a)| {
                let (e, a) = (e.max(PSI_EMPTY_BIN_SHARE), a.max(PSI_EMPTY_BIN_SHARE));
                (a - e) * (a / e).ln()
            })
            .sum();
        Some(total)
    }
}

fn quantile(sorted: &[f64], q: f64) -> Option<f64> {
    let h = (sorted.len() - 1) as f64 * q;
    let lo = h.floor() as usize;
    let low = *sorted.get(lo)?;
    Some(match sorted.get(lo + 1) {
        Some(&high) => low + (h - lo as f64) * (high - low),
        None => low,
    })
}

/// The share of `values` in each of the `cuts.len() + 1` bins.
fn shares(values: &[f64], cuts: &[f64]) -> Vec<f64> {
    let mut counts = vec![0usize; cuts.len() + 1];
    for &v in values {
        let bin = cuts.partition_point(|&c| c <= v);
        if let Some(c) = counts.get_mut(bin) {
            *c += 1;
        }
    }
    counts
        .iter()
        .map(|&c| c as f64 / values.len() as f64)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn matches_python_reference() {
        // Computed in Python with numpy 2.x: cuts = np.quantile(expected, [0.25, 0.5, 0.75])
        // = [3.25, 5.5, 7.75]; shares by np.bincount(np.searchsorted(cuts, x, side="right"))
        // / len(x): expected [0.3, 0.2, 0.2, 0.3], actual [0, 0.125, 0.25, 0.625];
        // both np.maximum(shares, 1e-4); psi = np.sum((a - e) * np.log(a / e)).
        let expected: Vec<f64> = (1..=10).map(f64::from).collect();
        let actual = [5.0, 6.0, 7.0, 8.0, 9.0, 10.0, 11.0, 12.0];
        let value = psi(&expected, &actual, 4);
        assert!(
            value.is_some_and(|v| (v - PSI_REFERENCE).abs() < 1e-12),
            "{value:?}"
        );
    }

    const PSI_REFERENCE: f64 = 2.6860570651985145;

    #[test]
    fn empty_bins_use_epsilon() {
        // Expected shares [0.5, 0.5] (cut at 2.5); actual all above: [0, 1].
        // (1e-4 - 0.5) * ln(1e-4 / 0.5) + (1 - 0.5) * ln(1 / 0.5)
        let want = (1e-4 - 0.5) * (1e-4f64 / 0.5).ln() + 0.5 * 2f64.ln();
        let value = psi(&[1.0, 2.0, 3.0, 4.0], &[9.0, 9.0], 2);
        assert!(value.is_some_and(|v| (v - want).abs() < 1e-12), "{value:?}");
        assert!(value.is_some_and(|v| v > PSI_MAJOR_SHIFT));
    }

    #[test]
    fn undefined_cases() {
        assert_eq!(psi(&[], &[1.0], 10), None);
        assert_eq!(psi(&[1.0], &[], 10), None);
        assert_eq!(psi(&[1.0], &[1.0], 0), None);
        assert_eq!(psi(&[f64::NAN], &[1.0], 10), None);
        assert_eq!(psi(&[1.0], &[f64::INFINITY], 10), None);
        // All ties: the nine cut points merge into one.
        assert_eq!(psi(&[2.0, 2.0], &[2.0], 10), Some(0.0));
        let want = (0.5 - 1e-4) * (0.5f64 / 1e-4).ln() + (0.5 - 1.0) * 0.5f64.ln();
        let value = psi(&[2.0, 2.0], &[1.0, 3.0], 10);
        assert!(value.is_some_and(|v| (v - want).abs() < 1e-12), "{value:?}");
    }

    proptest! {
        #[test]
        fn zero_for_the_same_sample(xs in prop::collection::vec(-1e6f64..1e6, 1..100), bins in 1usize..20) {
            prop_assert_eq!(psi(&xs, &xs, bins), Some(0.0));
        }

        #[test]
        fn never_negative(xs in prop::collection::vec(0.0f64..1.0, 1..100), ys in prop::collection::vec(0.0f64..1.0, 1..100), bins in 1usize..20) {
            let v = psi(&xs, &ys, bins);
            prop_assert!(v.is_some_and(|v| v >= -1e-12));
        }
    }
}
