//! Lift and cumulative capture by score decile.

use serde::{Deserialize, Serialize};

use crate::ranked::{ratio, sorted_descending};

/// One tenth of the leads, ranked by score.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Decile {
    /// 1 for the highest-scoring tenth, 10 for the lowest.
    pub decile: usize,
    /// Number of leads in the decile.
    pub count: usize,
    /// Converted leads in the decile.
    pub positives: usize,
    /// Conversion rate in the decile, `positives / count`.
    pub rate: f64,
    /// The decile's conversion rate over the overall rate (1 = no better than
    /// random).
    pub lift: f64,
    /// Share of all converted leads found in this and the higher deciles.
    pub cumulative_capture: f64,
}

/// Ranks leads by score, highest first, and cuts them into ten groups of
/// (nearly) equal size: decile `d` holds ranks `⌊(d−1)·n/10⌋ .. ⌊d·n/10⌋`.
/// Equal scores keep their input order (a stable sort), so a tie can straddle
/// two deciles. O(n log n).
///
/// With fewer than ten leads some deciles would be empty; they are left out.
/// Empty when the input is empty, no lead converted (lift is undefined), or a
/// score is not a number.
pub fn lift_by_decile(scored: &[(f64, bool)]) -> Vec<Decile> {
    if scored.iter().any(|(s, _)| s.is_nan()) {
        return Vec::new();
    }
    let n = scored.len();
    let total_positives = scored.iter().filter(|(_, y)| *y).count();
    if total_positives == 0 {
        return Vec::new();
    }
    let overall_rate = ratio(total_positives, n);
    let sorted = sorted_descending(scored);
    let mut out = Vec::with_capacity(10);
    let mut captured = 0;
    for decile in 1..=10 {
        let (start, end) = ((decile - 1) * n / 10, decile * n / 10);
        let Some(members) = sorted.get(start..end) else {
            continue;
        };
        if members.is_empty() {
            continue;
        }
        let positives = members.iter().filter(|(_, y)| *y).count();
        captured += positives;
        let rate = ratio(positives, members.len());
        out.push(Decile {
            decile,
            count: members.len(),
            positives,
            rate,
            lift: rate / overall_rate,
            cumulative_capture: ratio(captured, total_positives),
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_data::scored;
    use proptest::prelude::*;

    #[test]
    fn known_values() {
        // Worked by hand (checked in Python): 12 leads cut at ranks
        // 0,1,2,3,4,6,7,8,9,10,12; overall rate 5/12. The tie at 0.7 (lost, then
        // converted, in input order) is split between deciles 3 and 4.
        let d = lift_by_decile(&scored());
        let counts: Vec<usize> = d.iter().map(|d| d.count).collect();
        assert_eq!(counts, vec![1, 1, 1, 1, 2, 1, 1, 1, 1, 2]);
        let positives: Vec<usize> = d.iter().map(|d| d.positives).collect();
        assert_eq!(positives, vec![1, 1, 0, 1, 1, 0, 1, 0, 0, 0]);
        let lift = [2.4, 2.4, 0.0, 2.4, 1.2, 0.0, 2.4, 0.0, 0.0, 0.0];
        let capture = [0.2, 0.4, 0.4, 0.6, 0.8, 0.8, 1.0, 1.0, 1.0, 1.0];
        for (i, row) in d.iter().enumerate() {
            assert_eq!(row.decile, i + 1);
            assert!((row.lift - lift[i]).abs() < 1e-12, "lift at {i}");
            assert!(
                (row.cumulative_capture - capture[i]).abs() < 1e-12,
                "capture at {i}"
            );
        }
        assert_eq!(d[4].rate, 0.5);
    }

    #[test]
    fn small_and_degenerate_inputs() {
        let d = lift_by_decile(&[(0.2, true), (0.9, false)]);
        let deciles: Vec<usize> = d.iter().map(|d| d.decile).collect();
        assert_eq!(deciles, vec![5, 10]);
        assert_eq!(d[1].lift, 2.0);
        assert!(lift_by_decile(&[]).is_empty());
        assert!(lift_by_decile(&[(0.2, false)]).is_empty());
        assert!(lift_by_decile(&[(f64::NAN, true)]).is_empty());
    }

    proptest! {
        #[test]
        fn deciles_partition_the_leads(data in prop::collection::vec((0i32..20, any::<bool>()), 1..200)) {
            let scored: Vec<(f64, bool)> = data.iter().map(|(s, y)| (f64::from(*s), *y)).collect();
            let d = lift_by_decile(&scored);
            if d.is_empty() {
                prop_assert!(scored.iter().all(|(_, y)| !*y));
            } else {
                prop_assert_eq!(d.iter().map(|d| d.count).sum::<usize>(), scored.len());
                prop_assert_eq!(d.last().map(|d| d.cumulative_capture), Some(1.0));
                // Count-weighted mean lift is 1.
                let weighted: f64 = d.iter().map(|d| d.lift * d.count as f64).sum();
                prop_assert!((weighted / scored.len() as f64 - 1.0).abs() < 1e-9);
            }
        }
    }
}
