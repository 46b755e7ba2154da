//! Newton's method for the fit, where the parameters are few enough for
//! their Hessian.
//!
//! At the smallest penalty, the objective curves ten thousand times less
//! along some directions (rare one-hot features, and the levels of a group
//! against the intercept) than along others. L-BFGS crawls along them: 459
//! iterations on 0.7 M generated rows and 814 on 7.1 M, where the loss no
//! longer moves in its seventh digit for the last few hundred. A Newton step
//! solves the quadratic model exactly, whatever its curvatures, so a fit
//! from a warm start takes a handful of steps. Each step costs one pass for
//! the Hessian (every pair of a row's non-zero features, about a hundred
//! here) and one or two for the loss and gradient: about ten gradient
//! passes here, so a well-conditioned fit, which L-BFGS ends in a few dozen
//! iterations, stays with L-BFGS ([`budget`]).
//!
//! The Hessian is computed with the same arithmetic on dense and compact
//! rows (each row's features as `Matrix::for_each_row` gives them, its
//! non-zero ones in order), so both fit to the same last bit.

use std::ops::Range;

use linfa_linalg::cholesky::SolveCInplace;
use ndarray::{Array1, Array2};

use super::{Matrix, Rows, dot};
use crate::solver::sigmoid;

/// Parameters (features and the intercept) up to which a fit takes Newton
/// steps: the Hessian holds their square (8 MB at most, per thread), and its
/// solve takes their cube over 3.
pub(crate) const NEWTON_MAX_PARAMS: usize = 1_024;

/// Features a row may hold that are not 0 up to which a fit takes Newton
/// steps. The Hessian's pass costs about half their square a row, against
/// about their number for the gradient's: on the generated rows (at most 100
/// non-zero), about 9 gradient passes. At 200, a Newton step costs about 40,
/// still far below the hundreds of L-BFGS iterations at a small penalty.
pub(crate) const NEWTON_MAX_NONZERO: usize = 200;

/// Halvings of a Newton step before the line search gives up.
const MAX_HALVINGS: u32 = 30;

/// How Newton's method ended.
pub(crate) enum Newton {
    /// The mean gradient's norm is below the tolerance.
    Converged {
        /// The parameters (weights, then intercept).
        params: Array1<f64>,
        /// Newton steps taken.
        steps: u64,
    },
    /// No step lowers the objective any more, or the Hessian is not
    /// positive definite: the caller goes on with L-BFGS from `params`.
    Stalled {
        /// The best parameters found.
        params: Array1<f64>,
        /// Newton steps taken.
        steps: u64,
    },
}

impl Rows<'_> {
    /// The summed Hessian of the weighted loss (weights, then intercept) at
    /// `w`, `b`, over the rows `range`: `sum weight p (1 - p) x x^T` with the
    /// intercept's feature 1, upper triangle only.
    fn hessian_block(&self, range: Range<usize>, (w, b): (&[f64], f64), h: &mut Array2<f64>) {
        let d = self.d;
        let mut nonzero: Vec<(usize, f64)> = Vec::with_capacity(d + 1);
        self.x.for_each_row(range, |i, row| {
            let Some(&ti) = self.t.get(i) else {
                return;
            };
            let p = sigmoid(b + dot(row, w));
            let weight = if ti > 0.5 {
                self.weights[1]
            } else {
                self.weights[0]
            };
            let c = weight * p * (1.0 - p);
            nonzero.clear();
            nonzero.extend(
                row.iter()
                    .enumerate()
                    .filter(|(_, x)| **x != 0.0)
                    .map(|(j, x)| (j, *x)),
            );
            nonzero.push((d, 1.0));
            for (a, &(j, xj)) in nonzero.iter().enumerate() {
                let cj = c * xj;
                let Some(hj) = h.row_mut(j).into_slice() else {
                    continue;
                };
                for &(k, xk) in &nonzero[a..] {
                    if let Some(cell) = hj.get_mut(k) {
                        *cell += cj * xk;
                    }
                }
            }
        });
    }

    /// The Hessian of `mean loss + l2 / 2 |w|^2` at `params`, on the
    /// threads of the pass, their parts summed in order.
    pub(crate) fn hessian(&self, params: &Array1<f64>, l2: f64) -> Array2<f64> {
        let n = self.t.len();
        let d = self.d;
        let w: Vec<f64> = params.iter().take(d).copied().collect();
        let b = params.get(d).copied().unwrap_or(0.0);
        let parts = self.on_threads(
            |range| {
                let mut h = Array2::zeros((d + 1, d + 1));
                self.hessian_block(range, (&w, b), &mut h);
                h
            },
            || Array2::from_elem((d + 1, d + 1), f64::NAN),
        );
        let mut h = Array2::zeros((d + 1, d + 1));
        for part in parts {
            h += &part;
        }
        let n = n.max(1) as f64;
        // The upper triangle, mirrored; the penalty on the weights' diagonal.
        for j in 0..=d {
            for k in j + 1..=d {
                h[(k, j)] = h[(j, k)];
            }
        }
        h /= n;
        for j in 0..d {
            h[(j, j)] += l2;
        }
        h
    }
}

/// Newton's method from `init`, with a backtracking (Armijo) line search,
/// until the mean gradient's norm is below `tolerance` or `max_steps`
/// steps. `passes` counts the passes over the rows.
pub(crate) fn newton(
    rows: &Rows<'_>,
    l2: f64,
    init: Array1<f64>,
    (max_steps, tolerance): (u64, f64),
    passes: &mut u64,
) -> Newton {
    let mut params = init;
    let (mut cost, mut grad) = rows.objective(&params, l2);
    *passes += 1;
    let mut steps = 0;
    while steps < max_steps {
        if norm(&grad) < tolerance {
            return Newton::Converged { params, steps };
        }
        let mut h = rows.hessian(&params, l2);
        *passes += 1;
        let mut step = grad.mapv(|g| -g).insert_axis(ndarray::Axis(1));
        if h.solvec_inplace(&mut step).is_err() || step.iter().any(|s| !s.is_finite()) {
            return Newton::Stalled { params, steps };
        }
        let step = step.remove_axis(ndarray::Axis(1));
        let slope = grad.dot(&step);
        if slope >= 0.0 {
            return Newton::Stalled { params, steps };
        }
        let mut alpha = 1.0;
        let mut accepted = None;
        for _ in 0..=MAX_HALVINGS {
            let trial = &params + &(&step * alpha);
            let (c, g) = rows.objective(&trial, l2);
            *passes += 1;
            if c.is_finite() && c <= cost + 1e-4 * alpha * slope {
                accepted = Some((trial, c, g));
                break;
            }
            alpha /= 2.0;
        }
        let Some((trial, c, g)) = accepted else {
            return Newton::Stalled { params, steps };
        };
        params = trial;
        cost = c;
        grad = g;
        steps += 1;
    }
    if norm(&grad) < tolerance {
        Newton::Converged { params, steps }
    } else {
        Newton::Stalled { params, steps }
    }
}

/// The L2 norm of a vector.
fn norm(v: &Array1<f64>) -> f64 {
    v.iter().map(|x| x * x).sum::<f64>().sqrt()
}

/// L-BFGS iterations before a fit on the first `rows` rows of `x` turns
/// to Newton steps; `None` where it never does, the features being too many
/// for their Hessian (see [`NEWTON_MAX_PARAMS`], [`NEWTON_MAX_NONZERO`]).
///
/// The budget is about what four Newton steps cost, each a Hessian's pass
/// (about a tenth of the non-zero features a row in gradient passes,
/// measured on the generated rows) and a line search's one or two passes. A
/// well-conditioned fit (dense standardized features, a strong penalty)
/// converges before; an ill-conditioned one loses that much to L-BFGS at
/// most.
pub(crate) fn budget(x: &Matrix<'_>, rows: usize) -> Option<u64> {
    if x.d() >= NEWTON_MAX_PARAMS {
        return None;
    }
    let nonzero = x.max_nonzero(rows);
    (nonzero <= NEWTON_MAX_NONZERO).then(|| 4 * (nonzero as u64 / 10 + 3))
}
