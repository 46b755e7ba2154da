//! Hyperparameters of training, validated once before anything is fitted.

use leadscore_features::EncoderParams;
use serde::{Deserialize, Serialize};

use crate::{ClassWeight, GradeBands, ModelError, Solver, SolverSettings};

/// How the held-out test rows are chosen when no separate test data is given.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SplitKind {
    /// A random share of each class (the same share of converted and lost leads).
    Stratified,
    /// The newest leads (by creation time): how the model will be used, on leads
    /// that come after the ones it learned from.
    Time,
}

/// Everything that steers training. [`TrainParams::validate`] checks them all;
/// [`TrainParams::fit`](crate::TrainParams::fit) validates before it fits anything.
///
/// ```
/// use leadscore_model::TrainParams;
///
/// assert!(TrainParams::default().validate().is_ok());
/// let bad = TrainParams { test_fraction: 0.9, ..TrainParams::default() };
/// assert!(bad.validate().is_err());
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrainParams {
    /// The feature encoding.
    pub encoder: EncoderParams,
    /// The L2 penalties tried by cross-validation, on the mean log loss (the
    /// objective is `mean log loss + l2 / 2 * |w|^2`; scikit-learn's `C` is
    /// `1 / (l2 * n)`). Default 1e-5 to 1e-1.
    pub l2_grid: Vec<f64>,
    /// Cross-validation folds (default 5).
    pub cv_folds: usize,
    /// Cross-validation runs on a stratified sample of at most this many training
    /// rows (default 200,000); the final fit uses them all.
    pub cv_max_rows: usize,
    /// The implementation of the fit.
    pub solver: Solver,
    /// Row weights by class (default unweighted).
    pub class_weight: ClassWeight,
    /// Solver iterations before training gives up (default 1,000).
    pub max_iterations: u64,
    /// The solver stops when the norm of the mean gradient is below this (default 1e-5).
    pub tolerance: f64,
    /// Share of the rows held out for testing (default 0.2).
    pub test_fraction: f64,
    /// How the test rows are chosen.
    pub split: SplitKind,
    /// Seed of every random choice (split, folds, samples).
    pub seed: u64,
    /// Training refuses with fewer converted or fewer lost leads than this (default 40).
    pub min_per_class: usize,
    /// Below this held-out AUC the model is low-confidence (default 0.70).
    pub low_confidence_auc: f64,
    /// A single input column whose own AUC reaches this probably leaks the
    /// outcome and is reported (default 0.95).
    pub leakage_auc: f64,
    /// Score bands of the grades.
    pub grades: GradeBands,
    /// Strongest features listed each way in an explanation summary (default 3).
    pub top_features: usize,
}

impl Default for TrainParams {
    fn default() -> Self {
        Self {
            encoder: EncoderParams::default(),
            l2_grid: vec![1e-5, 1e-4, 1e-3, 1e-2, 1e-1],
            cv_folds: 5,
            cv_max_rows: 200_000,
            solver: Solver::Fused,
            class_weight: ClassWeight::Unweighted,
            max_iterations: 1_000,
            tolerance: 1e-5,
            test_fraction: 0.2,
            split: SplitKind::Stratified,
            seed: 42,
            min_per_class: 40,
            low_confidence_auc: 0.70,
            leakage_auc: 0.95,
            grades: GradeBands::default(),
            top_features: 3,
        }
    }
}

fn invalid(param: &'static str, value: impl ToString, reason: &'static str) -> ModelError {
    ModelError::InvalidParam {
        param,
        value: value.to_string(),
        reason,
    }
}

impl TrainParams {
    /// The solver settings of these parameters, on every available core.
    pub fn solver_settings(&self) -> SolverSettings {
        SolverSettings {
            class_weight: self.class_weight,
            ..SolverSettings::new(self.solver, self.max_iterations, self.tolerance)
        }
    }

    /// Checks every parameter, returning the first one out of range.
    pub fn validate(&self) -> Result<(), ModelError> {
        self.encoder.validate()?;
        self.grades.validate()?;
        if self.l2_grid.is_empty() {
            return Err(invalid("l2_grid", "[]", "needs at least one penalty"));
        }
        if let Some(bad) = self.l2_grid.iter().find(|l| !l.is_finite() || **l <= 0.0) {
            return Err(invalid(
                "l2_grid",
                bad,
                "every penalty must be a positive number",
            ));
        }
        if self.class_weight == ClassWeight::Balanced && self.solver == Solver::LinfaLogistic {
            return Err(invalid(
                "class_weight",
                "balanced",
                "linfa-logistic takes no row weights; use the fused solver",
            ));
        }
        if self.cv_folds < 2 || self.cv_folds > 20 {
            return Err(invalid(
                "cv_folds",
                self.cv_folds,
                "must be between 2 and 20",
            ));
        }
        if self.cv_max_rows < 100 {
            return Err(invalid(
                "cv_max_rows",
                self.cv_max_rows,
                "must be at least 100",
            ));
        }
        if self.max_iterations == 0 {
            return Err(invalid("max_iterations", 0, "must be at least 1"));
        }
        if !(self.tolerance.is_finite() && self.tolerance > 0.0) {
            return Err(invalid(
                "tolerance",
                self.tolerance,
                "must be a positive number",
            ));
        }
        if !(self.test_fraction >= 0.05 && self.test_fraction <= 0.5) {
            return Err(invalid(
                "test_fraction",
                self.test_fraction,
                "must be between 0.05 and 0.5",
            ));
        }
        if self.min_per_class < 10 {
            return Err(invalid(
                "min_per_class",
                self.min_per_class,
                "must be at least 10",
            ));
        }
        if !(self.low_confidence_auc >= 0.5 && self.low_confidence_auc < 1.0) {
            return Err(invalid(
                "low_confidence_auc",
                self.low_confidence_auc,
                "must be at least 0.5 and below 1",
            ));
        }
        if !(self.leakage_auc > 0.5 && self.leakage_auc <= 1.0) {
            return Err(invalid(
                "leakage_auc",
                self.leakage_auc,
                "must be above 0.5 and at most 1",
            ));
        }
        if self.top_features == 0 || self.top_features > crate::score::MAX_TOP {
            return Err(invalid(
                "top_features",
                self.top_features,
                "must be between 1 and 5",
            ));
        }
        Ok(())
    }
}
