//! Metrics for lead scores, shared by the rule models' backtest and the conversion
//! model's evaluation.
//!
//! - Ranking: [`roc_auc`], [`pr_auc`] (average precision), and the curves
//!   [`roc_curve`] and [`pr_curve`] for plotting.
//! - Probabilities: [`log_loss`], [`brier`], and [`calibration_bins`].
//! - Yes/no calls: [`Confusion`] at a threshold and [`best_f1_threshold`].
//! - Reports: [`lift_by_decile`], and [`psi`] for score drift.
//!
//! Scored leads are `(score, converted)` pairs. Every metric returns `None`
//! (or an empty vector) rather than a meaningless number: on empty input, on a
//! NaN, or when it needs both converted and lost leads and one class is missing.
//!
//! ```
//! use leadscore_metrics::{Confusion, best_f1_threshold, brier, lift_by_decile, pr_auc, psi, roc_auc};
//!
//! // Every converted lead scored above every lost one: a perfect ranking.
//! let auc = roc_auc(&[(90.0, true), (70.0, true), (20.0, false), (10.0, false)]);
//! assert_eq!(auc, Some(1.0));
//!
//! // Conversion probabilities from a model.
//! let predicted = [(0.9, true), (0.7, false), (0.6, true), (0.2, false)];
//! // Converted leads are found at precision 1 then 2/3: (1 + 2/3) / 2.
//! assert_eq!(pr_auc(&predicted), Some((1.0 + 2.0 / 3.0) / 2.0));
//! assert!(brier(&predicted).is_some_and(|b| (b - 0.175).abs() < 1e-12));
//!
//! // Calling leads at 0.6 or above converted catches both, with one false alarm.
//! let at = Confusion::at(0.6, &predicted);
//! assert_eq!(at, Some(Confusion { tp: 2, fp: 1, tn: 1, fn_: 0 }));
//! assert_eq!(at.and_then(|c| c.recall()), Some(1.0));
//! assert_eq!(best_f1_threshold(&predicted).map(|(t, _)| t), Some(0.6));
//!
//! // The top decile of ten leads holds the best one.
//! let ten: Vec<(f64, bool)> = (0..10).map(|i| (f64::from(i), i >= 8)).collect();
//! assert_eq!(lift_by_decile(&ten)[0].lift, 5.0);
//!
//! // No drift between a sample and itself.
//! let scores = [0.1, 0.4, 0.35, 0.8];
//! assert_eq!(psi(&scores, &scores, 10), Some(0.0));
//! ```

mod auc;
mod average_precision;
mod calibration;
mod confusion;
mod curves;
mod lift;
mod probabilistic;
mod psi;
mod ranked;
#[cfg(test)]
mod test_data;

pub use auc::roc_auc;
pub use average_precision::pr_auc;
pub use calibration::{CalibrationBin, calibration_bins};
pub use confusion::{Confusion, best_f1_threshold};
pub use curves::{PrPoint, RocPoint, pr_curve, roc_curve};
pub use lift::{Decile, lift_by_decile};
pub use probabilistic::{LOG_LOSS_CLIP, brier, log_loss};
pub use psi::{PSI_EMPTY_BIN_SHARE, PSI_MAJOR_SHIFT, PSI_MODERATE_SHIFT, PsiBins, psi};
