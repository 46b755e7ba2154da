//! Choosing held-out rows: a stratified or time-based hold-out, and stratified
//! cross-validation folds.

use rand::SeedableRng;
use rand::seq::SliceRandom;
use rand_pcg::Pcg64;

/// Splits rows into `(train, test)` so that each class puts the same share,
/// `fraction`, into the test part (rounded, at least one row of each class when
/// the class has two or more). Both parts come back in row order.
pub fn stratified_holdout(labels: &[bool], fraction: f64, seed: u64) -> (Vec<usize>, Vec<usize>) {
    let mut rng = Pcg64::seed_from_u64(seed);
    let mut test = vec![false; labels.len()];
    for class in [true, false] {
        let mut rows: Vec<usize> = (0..labels.len()).filter(|&i| labels[i] == class).collect();
        rows.shuffle(&mut rng);
        let mut take = (rows.len() as f64 * fraction).round() as usize;
        if take == 0 && rows.len() >= 2 {
            take = 1;
        }
        for &i in rows.iter().take(take) {
            test[i] = true;
        }
    }
    partition(&test)
}

/// Splits rows into `(train, test)` with the newest `fraction` of rows (by time;
/// ties broken by row order) in the test part.
pub fn time_holdout(times: &[i64], fraction: f64) -> (Vec<usize>, Vec<usize>) {
    let mut order: Vec<usize> = (0..times.len()).collect();
    order.sort_by_key(|&i| (times[i], i));
    let take = (times.len() as f64 * fraction).round() as usize;
    let mut test = vec![false; times.len()];
    for &i in order.iter().rev().take(take) {
        test[i] = true;
    }
    partition(&test)
}

fn partition(test: &[bool]) -> (Vec<usize>, Vec<usize>) {
    let (mut a, mut b) = (Vec::new(), Vec::new());
    for (i, &t) in test.iter().enumerate() {
        if t {
            b.push(i);
        } else {
            a.push(i);
        }
    }
    (a, b)
}

/// Assigns each row a fold in `0..k`, dealing each class round-robin after a
/// shuffle, so that every fold has nearly the same share of each class.
pub fn stratified_folds(labels: &[bool], k: usize, seed: u64) -> Vec<usize> {
    let mut rng = Pcg64::seed_from_u64(seed ^ 0x5eed_f01d);
    let mut fold = vec![0; labels.len()];
    // One deal across both classes, so that fold sizes differ by one at most.
    let mut dealt = 0;
    for class in [true, false] {
        let mut rows: Vec<usize> = (0..labels.len()).filter(|&i| labels[i] == class).collect();
        rows.shuffle(&mut rng);
        for &i in &rows {
            fold[i] = dealt % k;
            dealt += 1;
        }
    }
    fold
}

/// A stratified sample of at most `max` rows (all rows when there are fewer),
/// in row order.
pub fn stratified_sample(labels: &[bool], max: usize, seed: u64) -> Vec<usize> {
    if labels.len() <= max {
        return (0..labels.len()).collect();
    }
    let fraction = max as f64 / labels.len() as f64;
    stratified_holdout(labels, fraction, seed ^ 0x5a3e_91e5).1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stratified_holdout_keeps_the_class_shares() {
        let labels: Vec<bool> = (0..1000).map(|i| i % 10 == 0).collect();
        let (train, test) = stratified_holdout(&labels, 0.2, 7);
        assert_eq!(train.len() + test.len(), 1000);
        assert_eq!(test.len(), 200);
        assert_eq!(test.iter().filter(|&&i| labels[i]).count(), 20);
        let again = stratified_holdout(&labels, 0.2, 7);
        assert_eq!(again.1, test);
        assert_ne!(stratified_holdout(&labels, 0.2, 8).1, test);
    }

    #[test]
    fn time_holdout_takes_the_newest() {
        let times = [5, 1, 9, 3, 7, 9];
        let (train, test) = time_holdout(&times, 0.34);
        assert_eq!(test, vec![2, 5]);
        assert_eq!(train, vec![0, 1, 3, 4]);
    }

    #[test]
    fn folds_are_balanced() {
        let labels: Vec<bool> = (0..103).map(|i| i % 4 == 0).collect();
        let folds = stratified_folds(&labels, 5, 1);
        for f in 0..5 {
            let rows: Vec<usize> = (0..103).filter(|&i| folds[i] == f).collect();
            let pos = rows.iter().filter(|&&i| labels[i]).count();
            assert!((20..=21).contains(&rows.len()), "fold {f}: {}", rows.len());
            assert!((5..=6).contains(&pos), "fold {f}: {pos}");
        }
    }
}
