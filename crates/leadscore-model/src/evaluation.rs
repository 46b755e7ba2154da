//! Held-out metrics of a model's probabilities.

use leadscore_metrics::{
    CalibrationBin, Confusion, brier, calibration_bins, lift_by_decile, log_loss, pr_auc, roc_auc,
};
use serde::{Deserialize, Serialize};

/// How well probabilities match outcomes, at a decision threshold.
///
/// ```
/// use leadscore_model::Evaluation;
///
/// let scored = [(0.9, true), (0.7, false), (0.6, true), (0.2, false)];
/// let e = Evaluation::compute(&scored, 0.6);
/// assert_eq!(e.auc, Some(0.75));
/// assert_eq!((e.confusion.tp, e.confusion.fp), (2, 1));
/// assert_eq!(e.recall, Some(1.0));
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Evaluation {
    /// Rows evaluated.
    pub n: usize,
    /// Converted rows among them.
    pub positives: usize,
    /// Share of converted rows.
    pub base_rate: f64,
    /// ROC AUC (`None` with one class only).
    pub auc: Option<f64>,
    /// Average precision.
    pub pr_auc: Option<f64>,
    /// The probability at or above which a lead is called converted.
    pub threshold: f64,
    /// Precision at the threshold.
    pub precision: Option<f64>,
    /// Recall at the threshold.
    pub recall: Option<f64>,
    /// F1 at the threshold.
    pub f1: Option<f64>,
    /// Accuracy at the threshold.
    pub accuracy: Option<f64>,
    /// Mean log loss of the probabilities.
    pub log_loss: Option<f64>,
    /// Brier score of the probabilities.
    pub brier: Option<f64>,
    /// The confusion matrix at the threshold.
    pub confusion: Confusion,
    /// Conversion in the top tenth of leads divided by the base rate.
    pub top_decile_lift: Option<f64>,
    /// Predicted against observed conversion in ten probability bins.
    pub calibration: Vec<CalibrationBin>,
}

impl Evaluation {
    /// Computes every metric of `(probability, converted)` pairs at `threshold`.
    pub fn compute(scored: &[(f64, bool)], threshold: f64) -> Self {
        let n = scored.len();
        let positives = scored.iter().filter(|(_, y)| *y).count();
        let confusion = Confusion::at(threshold, scored).unwrap_or(Confusion {
            tp: 0,
            fp: 0,
            tn: 0,
            fn_: 0,
        });
        Self {
            n,
            positives,
            base_rate: if n == 0 {
                0.0
            } else {
                positives as f64 / n as f64
            },
            auc: roc_auc(scored),
            pr_auc: pr_auc(scored),
            threshold,
            precision: confusion.precision(),
            recall: confusion.recall(),
            f1: confusion.f1(),
            accuracy: confusion.accuracy(),
            log_loss: log_loss(scored),
            brier: brier(scored),
            confusion,
            top_decile_lift: lift_by_decile(scored).first().map(|d| d.lift),
            calibration: calibration_bins(scored, 10),
        }
    }
}
