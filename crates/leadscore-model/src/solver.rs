//! One L2-regularized logistic regression fit, checked for convergence: with the
//! fused solver (default) or with linfa-logistic itself.

use linfa::DatasetBase;
use linfa::prelude::Fit;
use linfa_logistic::LogisticRegression;
use ndarray::{Array1, ArrayView1, ArrayView2};
use serde::{Deserialize, Serialize};

use crate::ModelError;
use crate::fused::{self, Matrix, Rows};

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
    /// The weights, then the intercept: the solver's parameters.
    pub(crate) fn params(&self) -> Array1<f64> {
        self.weights
            .iter()
            .copied()
            .chain([self.intercept])
            .collect()
    }

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

    /// [`logits`](Self::logits) of every row of `x`, dense or compact, with
    /// the same arithmetic (ndarray's dot of each row), so the same to the
    /// last bit.
    pub(crate) fn logits_of(&self, x: &Matrix<'_>, rows: usize) -> Vec<f64> {
        let w = ArrayView1::from(&self.weights[..]);
        let mut out = Vec::with_capacity(rows);
        x.for_each_row(0..rows, |_, row| {
            out.push(ArrayView1::from(row).dot(&w) + self.intercept);
        });
        out
    }
}

/// Which implementation minimizes the objective; both minimize the same
/// function, to the same tolerance on its gradient.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Solver {
    /// L-BFGS with the loss and gradient in one pass over the rows, turning
    /// to Newton steps (the Hessian in one pass) where it is slow, on every
    /// core (the default; about 40 times faster than linfa-logistic on a
    /// million rows).
    #[default]
    Fused,
    /// linfa-logistic's `LogisticRegression`, as the reference.
    LinfaLogistic,
}

/// How much each row counts in the loss.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ClassWeight {
    /// Every row counts the same (the default: calibration and the F1
    /// threshold already account for a rare class).
    #[default]
    Unweighted,
    /// Each class carries half the weight (`n / (2 n_class)` per row), so that
    /// the rare class shapes the fit as much as the common one; the calibration
    /// brings the probabilities back to the true rates. Fused solver only.
    Balanced,
}

/// Solver settings shared by every fit of one training run.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SolverSettings {
    /// The implementation.
    pub solver: Solver,
    /// Iterations before the solver gives up.
    pub max_iterations: u64,
    /// The solver stops when the L2 norm of the mean gradient is below this.
    pub tolerance: f64,
    /// Threads of the fused solver (at least 1).
    pub threads: usize,
    /// Row weights by class.
    pub class_weight: ClassWeight,
}

impl SolverSettings {
    /// The given solver, iterations and tolerance, on every available core.
    pub fn new(solver: Solver, max_iterations: u64, tolerance: f64) -> Self {
        let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
        Self {
            solver,
            max_iterations,
            tolerance,
            threads,
            class_weight: ClassWeight::Unweighted,
        }
    }
}

/// One fit of `mean log loss + l2 / 2 * |w|^2` (the intercept is not penalized),
/// optionally starting from `warm`. Fails when
/// the solver stops with a mean gradient norm above the tolerance (with some
/// slack), or when `y` holds one class only. [`TrainParams::fit`](crate::TrainParams::fit)
/// calls it for every fold and penalty; it is public for benchmarks.
pub fn fit_logistic(
    x: ArrayView2<'_, f64>,
    y: &[bool],
    l2: f64,
    warm: Option<&Linear>,
    settings: SolverSettings,
) -> Result<Linear, ModelError> {
    let standard = x.as_standard_layout();
    let data = standard.as_slice().unwrap_or(&[]);
    let d = x.ncols();
    fit_matrix(Matrix::Dense { x: data, d }, y, l2, warm, settings)
}

/// [`fit_logistic`] on dense or compact rows.
pub(crate) fn fit_matrix(
    x: Matrix<'_>,
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
    let rows = Rows::new(x, y, settings.threads, settings.class_weight);
    let linear = match settings.solver {
        Solver::Fused => fused::fit(&rows, l2, warm, settings.max_iterations, settings.tolerance)?,
        Solver::LinfaLogistic if settings.class_weight == ClassWeight::Unweighted => {
            // The reference solver reads dense rows: compact ones are
            // expanded, dense ones read in place.
            let d = x.d();
            let expanded;
            let data = match x {
                Matrix::Dense { x, .. } => x,
                Matrix::Compact(rows) => {
                    expanded = rows.to_dense();
                    &expanded[..]
                }
            };
            let x = ArrayView2::from_shape((n, d), data).map_err(|_| ModelError::RowCount {
                what: "encoded values",
                found: data.len(),
                expected: n * d,
            })?;
            fit_linfa(x, y, positives, l2, warm, settings)?
        }
        Solver::LinfaLogistic => {
            return Err(ModelError::InvalidParam {
                param: "class_weight",
                value: "balanced".into(),
                reason: "linfa-logistic takes no row weights; use the fused solver",
            });
        }
    };
    let gradient = gradient_norm(&rows, l2, &linear);
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

/// The same fit with linfa-logistic.
fn fit_linfa(
    x: ArrayView2<'_, f64>,
    y: &[bool],
    positives: usize,
    l2: f64,
    warm: Option<&Linear>,
    settings: SolverSettings,
) -> Result<Linear, ModelError> {
    let n = y.len();
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
    Ok(linear)
}

/// The L2 norm of the gradient of `mean log loss + l2 / 2 * |w|^2` at `model`.
fn gradient_norm(rows: &Rows<'_>, l2: f64, model: &Linear) -> f64 {
    let (_, gradient) = rows.objective(&model.params(), l2);
    gradient.iter().map(|g| g * g).sum::<f64>().sqrt()
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
