//! A small shared sample for the tests, with ties among both classes' scores.
//! The scikit-learn reference values in the tests were computed from it with
//! scikit-learn 1.9.1 (Python 3, in a throwaway virtual environment).

/// Scores (read as probabilities where a metric needs them).
pub(crate) const SCORES: [f64; 12] = [0.9, 0.8, 0.7, 0.7, 0.6, 0.55, 0.5, 0.4, 0.3, 0.3, 0.2, 0.1];

/// Outcomes, `true` = converted: 5 converted, 7 lost.
pub(crate) const LABELS: [bool; 12] = [
    true, true, false, true, true, false, false, true, false, false, false, false,
];

/// The sample as (score, outcome) pairs.
pub(crate) fn scored() -> Vec<(f64, bool)> {
    SCORES.iter().copied().zip(LABELS.iter().copied()).collect()
}

/// Whether a metric exists and equals a reference value to 1e-12.
pub(crate) fn close(a: Option<f64>, b: f64) -> bool {
    a.is_some_and(|a| (a - b).abs() < 1e-12)
}
