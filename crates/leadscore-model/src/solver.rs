//! One L2-regularized logistic regression fit with linfa-logistic, checked for
//! convergence.

use linfa::DatasetBase;
use linfa::prelude::Fit;
use linfa_logistic::LogisticRegression;
use ndarray::{Array1, ArrayView2};
use serde::{Deserialize, Serialize};

use crate::ModelError;

/// The solver stops below `tolerance`; a fit whose final gradient norm exceeds
/// `tolerance * CONVERGENCE_SLACK` did not converge (the line search may stop a
/// little short of the tolerance when the objective no longer changes).
const CONVERGENCE_SLACK: f64 = 10.0;

/// Weights and intercept of a fitted linear model: `logit = w . x + b`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Linear {
    /// One weight per feature.
    pub weights: Vec<f64>,
    /// The intercept.
    pub intercept: f64,
}

impl Linear {
    /// The logit of one encoded row.
    pub fn logit(&self, row: &[f64]) -> f64 {
        self.intercept
            + self
                .weights
                .iter()
                .zip(row)
                .map(|(w, x)| w * x)
                .sum::<f64>()
    }

    /// The logits of every row of a matrix.
    pub fn logits(&self, x: ArrayView2<'_, f64>) -> Vec<f64> {
        let w = Array1::from(self.weights.clone());
        (x.dot(&w) + self.intercept).to_vec()
    }
}

/// Solver settings shared by every fit of one training run.
#[derive(Debug, Clone, Copy)]
pub(crate) struct SolverSettings {
    pub max_iterations: u64,
    pub tolerance: f64,
}

/// Fits `mean log loss + l2 / 2 * |w|^2` (the intercept is not penalized),
/// optionally starting from `warm`. Fails when the solver stops with a mean
/// gradient norm above the tolerance (with some slack).
pub(crate) fn fit_logistic(
    x: ArrayView2<'_, f64>,
    y: &[bool],
    l2: f64,
    warm: Option<&Linear>,
    settings: SolverSettings,
) -> Result<Linear, ModelError> {
    let n = y.len();
    let positives = y.iter().filter(|v| **v).count();
    if positives == 0 || positives == n {
        return Err(ModelError::OneClass {
            part: "training data",
            class: if positives == 0 { "lost" } else { "converted" },
        });
    }
    // linfa-logistic gives the label +1 to the larger class (the first one met
    // on a tie); its parameters are oriented towards that class.
    let internal_positive = match positives.cmp(&(n - positives)) {
        std::cmp::Ordering::Greater => true,
        std::cmp::Ordering::Less => false,
        std::cmp::Ordering::Equal => y[0],
    };
    let sign = if internal_positive { 1.0 } else { -1.0 };
    // linfa minimizes the summed loss, so the penalty and tolerance scale with n.
    let mut params = LogisticRegression::default()
        .alpha(l2 * n as f64)
        .gradient_tolerance(settings.tolerance * n as f64)
        .max_iterations(settings.max_iterations)
        .with_intercept(true);
    if let Some(warm) = warm {
        let mut init: Vec<f64> = warm.weights.iter().map(|w| w * sign).collect();
        init.push(warm.intercept * sign);
        params = params.initial_params(Array1::from(init));
    }
    let targets = Array1::from(y.to_vec());
    let dataset = DatasetBase::new(x, targets);
    let fitted = params.fit(&dataset).map_err(|e| ModelError::Solver {
        l2,
        message: e.to_string(),
    })?;
    let sign = if fitted.labels().pos.class { 1.0 } else { -1.0 };
    let linear = Linear {
        weights: fitted.params().iter().map(|w| w * sign).collect(),
        intercept: fitted.intercept() * sign,
    };
    let gradient = gradient_norm(x, y, l2, &linear);
    if !gradient.is_finite() || gradient > settings.tolerance * CONVERGENCE_SLACK {
        return Err(ModelError::NotConverged {
            l2,
            iterations: settings.max_iterations,
            gradient,
            tolerance: settings.tolerance,
        });
    }
    Ok(linear)
}

/// The L2 norm of the gradient of `mean log loss + l2 / 2 * |w|^2` at `model`.
pub(crate) fn gradient_norm(x: ArrayView2<'_, f64>, y: &[bool], l2: f64, model: &Linear) -> f64 {
    let n = y.len() as f64;
    let residuals: Array1<f64> = model
        .logits(x)
        .iter()
        .zip(y)
        .map(|(z, &t)| sigmoid(*z) - f64::from(u8::from(t)))
        .collect();
    let grad_w = x.t().dot(&residuals) / n;
    let grad_b = residuals.sum() / n;
    let sum: f64 = grad_w
        .iter()
        .zip(&model.weights)
        .map(|(g, w)| (g + l2 * w).powi(2))
        .sum();
    (sum + grad_b * grad_b).sqrt()
}

/// The logistic function, stable at both ends.
pub fn sigmoid(z: f64) -> f64 {
    if z >= 0.0 {
        1.0 / (1.0 + (-z).exp())
    } else {
        let e = z.exp();
        e / (1.0 + e)
    }
}

/// The log-odds of a probability (clamped away from 0 and 1).
pub fn logit(p: f64) -> f64 {
    let p = p.clamp(1e-12, 1.0 - 1e-12);
    (p / (1.0 - p)).ln()
}
