//! The fast solver: the objective linfa-logistic minimizes, on argmin's
//! L-BFGS with a More-Thuente line search (the solver linfa-logistic runs),
//! turning to Newton steps where L-BFGS is slow and the features are few
//! enough for their Hessian (newton.rs); with the loss and its gradient
//! computed together in one pass over the rows, split over threads, and
//! scaled as a mean so that the tolerance does not depend on the number of
//! rows.
//!
//! linfa-logistic computes the cost and the gradient in separate passes, and
//! its gradient `x.t().dot(r)` runs column by column over a row-major matrix;
//! on 1,000,000 rows and 50 features that made a fit take 24 s against
//! scikit-learn's 1.8 s (see BENCHMARKS.md). [`crate::Solver::LinfaLogistic`]
//! still runs linfa-logistic itself, and the tests check that both reach the
//! same optimum.

use std::cell::{Cell, RefCell};

use std::ops::Range;

use argmin::core::{CostFunction, Executor, Gradient, State};
use argmin::solver::linesearch::MoreThuenteLineSearch;
use argmin::solver::quasinewton::LBFGS;
use leadscore_features::{CompactRows, Lit, Run};
use ndarray::Array1;

use crate::solver::{Linear, sigmoid};
use crate::{ClassWeight, ModelError};

mod newton;

use newton::Newton;

/// Rows per thread below which one thread does the whole pass.
const MIN_ROWS_PER_THREAD: usize = 20_000;

/// `log(1 + e^z) - t z`, and the residual `sigmoid(z) - t`, for one row.
#[inline]
fn row_loss(z: f64, t: f64) -> (f64, f64) {
    (
        z.max(0.0) + (-z.abs()).exp().ln_1p() - t * z,
        sigmoid(z) - t,
    )
}

/// Rows of compact blocks the solver's pass takes at a time, so that their
/// logits and residuals stay in the cache while each stored column is read.
const BLOCK_ROWS: usize = 256;

/// Summed loss over the rows `range` of `x` (`t` holds their targets),
/// adding the summed gradient (weights, then intercept) into `grad`.
///
/// Dense rows are read a row at a time. Compact rows are read a block of
/// rows and a stored column at a time, skipping the features that are 0 (a
/// one-hot group's unlit ones), with the same arithmetic in the same order
/// for every feature and every row: the same sums to the last bit.
fn block(
    x: &Matrix<'_>,
    range: Range<usize>,
    t: &[f64],
    (w, b): (&[f64], f64),
    weights: [f64; 2],
    grad: &mut [f64],
) -> f64 {
    let d = w.len();
    let mut loss = 0.0;
    let (gw, gb) = grad.split_at_mut(d);
    let start = range.start;
    // The weighted residual of row `i` at logit `z`, its loss added up;
    // none for a row without a target.
    let mut residual = |i: usize, z: f64| {
        let ti = *t.get(i - start)?;
        let (l, r) = row_loss(z, ti);
        // weights[0] for lost rows (t = 0), weights[1] for converted ones.
        let weight = if ti > 0.5 { weights[1] } else { weights[0] };
        loss += l * weight;
        Some(r * weight)
    };
    match x {
        Matrix::Dense { .. } => x.for_each_row(range, |i, row| {
            let Some(r) = residual(i, b + dot(row, w)) else {
                return;
            };
            for (g, xj) in gw.iter_mut().zip(row) {
                *g += r * xj;
            }
            if let Some(g) = gb.first_mut() {
                *g += r;
            }
        }),
        Matrix::Compact(rows) => {
            // The weights and the gradient with one more feature past the
            // last, `d`: a group that lights no feature in a row reads that
            // one, whose weight is 0, and adds the row's residual to its
            // gradient, which is dropped. That spares a branch a row and
            // group; adding +0 to a logit's lane leaves it as it is.
            let w = &[w, &[0.0]].concat()[..];
            let mut g: Vec<f64> = gw.iter().copied().chain([0.0]).collect();
            let mut lanes: [Vec<f64>; 4] = Default::default();
            let mut z = Vec::with_capacity(BLOCK_ROWS);
            let mut r = Vec::with_capacity(BLOCK_ROWS);
            let mut numbers: Vec<(usize, &[f64])> = Vec::new();
            let mut groups: Vec<Lit<'_>> = Vec::new();
            rows.for_each_block(range, BLOCK_ROWS, |first, len, runs| {
                block_logits(runs, (w, b), len, &mut lanes, &mut z);
                // Each row's weighted residual; 0, which adds nothing, for a
                // row without a target.
                r.clear();
                r.extend(
                    z.iter()
                        .enumerate()
                        .map(|(k, &z)| residual(first + k, z).unwrap_or(0.0)),
                );
                numbers.clear();
                groups.clear();
                for run in runs {
                    match *run {
                        Run::Number { feature, values } => numbers.push((feature, values)),
                        Run::OneHot { lit, .. } => groups.push(lit),
                    }
                }
                // Each stored number's gradient a column at a time, four
                // columns together so that their sums do not wait on each
                // other; each still takes the rows in order.
                for four in numbers.chunks(4) {
                    if let [(j0, v0), (j1, v1), (j2, v2), (j3, v3)] = *four {
                        let at = |j: usize| g.get(j).copied().unwrap_or(0.0);
                        let mut s = [at(j0), at(j1), at(j2), at(j3)];
                        let rows = r.iter().zip(v0).zip(v1).zip(v2).zip(v3);
                        for ((((rk, x0), x1), x2), x3) in rows {
                            s[0] += rk * x0;
                            s[1] += rk * x1;
                            s[2] += rk * x2;
                            s[3] += rk * x3;
                        }
                        for (j, sum) in [j0, j1, j2, j3].into_iter().zip(s) {
                            if let Some(gj) = g.get_mut(j) {
                                *gj = sum;
                            }
                        }
                    } else {
                        for &(j, values) in four {
                            if let Some(gj) = g.get_mut(j) {
                                for (rk, x) in r.iter().zip(values) {
                                    *gj += rk * x;
                                }
                            }
                        }
                    }
                }
                // The groups a row at a time, so that the sums into one
                // feature's gradient are not waiting on each other; each
                // feature's still takes the rows in order. A lit feature is
                // 1: it adds the residual itself.
                for (k, &rk) in r.iter().enumerate() {
                    for lit in &groups {
                        if let Some(gj) = g.get_mut(lit.get_or(k, d)) {
                            *gj += rk;
                        }
                    }
                    if let Some(gb) = gb.first_mut() {
                        *gb += rk;
                    }
                }
            });
            for (gj, sum) in gw.iter_mut().zip(g) {
                *gj = sum;
            }
        }
    }
    loss
}

/// The logit `b + dot(row, w)` of each of the `len` rows of a block of
/// compact rows, into `z`, with the very arithmetic [`dot`] does on the dense
/// rows: each feature below the last multiple of 4 added to its lane (its
/// index modulo 4) in the order of the features, the lanes summed, then the
/// features past them added in order. A feature that is 0 is skipped: adding
/// `0 * w` leaves a sum that is not -0 as it is, and the lanes start at +0
/// and never become -0. A lit feature is 1, so it adds its weight itself.
/// `w` ends with one weight more, 0, read for a group that lights none.
fn block_logits(
    runs: &[Run<'_>],
    (w, b): (&[f64], f64),
    len: usize,
    lanes: &mut [Vec<f64>; 4],
    z: &mut Vec<f64>,
) {
    // `w` ends with the weight (0) of the feature that stands for none.
    let d = w.len().saturating_sub(1);
    let cut = d / 4 * 4;
    for lane in lanes.iter_mut() {
        lane.clear();
        lane.resize(len, 0.0);
    }
    for run in runs {
        match *run {
            Run::Number { feature, values } if feature < cut => {
                let (Some(&wj), Some(lane)) = (w.get(feature), lanes.get_mut(feature % 4)) else {
                    continue;
                };
                for (a, v) in lane.iter_mut().zip(values) {
                    *a += v * wj;
                }
            }
            Run::OneHot { first, width, lit } if first + width <= cut => {
                lit.for_each_or(d, |k, l| {
                    if let (Some(&wl), Some(a)) = (w.get(l), lanes[l & 3].get_mut(k)) {
                        *a += wl;
                    }
                })
            }
            // The one group that straddles the lanes' end, if any.
            Run::OneHot { first, lit, .. } if first < cut => lit.for_each(|k, l| {
                if l >= cut {
                    return;
                }
                if let (Some(&wl), Some(a)) = (
                    w.get(l),
                    lanes.get_mut(l % 4).and_then(|lane| lane.get_mut(k)),
                ) {
                    *a += wl;
                }
            }),
            _ => {}
        }
    }
    let [l0, l1, l2, l3] = &*lanes;
    z.clear();
    z.extend(
        l0.iter()
            .zip(l1)
            .zip(l2)
            .zip(l3)
            .map(|(((a0, a1), a2), a3)| a0 + a1 + a2 + a3),
    );
    for run in runs {
        match *run {
            Run::Number { feature, values } if feature >= cut => {
                let Some(&wj) = w.get(feature) else {
                    continue;
                };
                for (s, v) in z.iter_mut().zip(values) {
                    *s += v * wj;
                }
            }
            Run::OneHot { first, width, lit } if first + width > cut => lit.for_each(|k, l| {
                if let (Some(&wl), Some(s)) = (w.get(l).filter(|_| l >= cut), z.get_mut(k)) {
                    *s += wl;
                }
            }),
            _ => {}
        }
    }
    for s in z.iter_mut() {
        *s += b;
    }
}

/// A dot product in four lanes, which the compiler vectorizes.
#[inline]
pub(crate) fn dot(a: &[f64], b: &[f64]) -> f64 {
    let mut acc = [0.0f64; 4];
    let mut ac = a.chunks_exact(4);
    let mut bc = b.chunks_exact(4);
    for (a4, b4) in (&mut ac).zip(&mut bc) {
        for k in 0..4 {
            acc[k] += a4[k] * b4[k];
        }
    }
    let mut sum = acc[0] + acc[1] + acc[2] + acc[3];
    for (x, y) in ac.remainder().iter().zip(bc.remainder()) {
        sum += x * y;
    }
    sum
}

/// Encoded rows, dense or compact.
#[derive(Clone, Copy)]
pub(crate) enum Matrix<'a> {
    /// Row-major features, `d` to a row.
    Dense {
        /// The features.
        x: &'a [f64],
        /// Features in a row.
        d: usize,
    },
    /// Compact rows, read back a row at a time as the dense ones.
    Compact(&'a CompactRows),
}

impl Matrix<'_> {
    /// Features in a row.
    pub(crate) fn d(&self) -> usize {
        match self {
            Matrix::Dense { d, .. } => *d,
            Matrix::Compact(rows) => rows.n_features(),
        }
    }

    /// The most features that are not 0 in any of the first `rows` rows,
    /// counted on the rows as [`Matrix::for_each_row`] gives them, so the
    /// same on dense and compact rows.
    pub(crate) fn max_nonzero(&self, rows: usize) -> usize {
        let mut most = 0;
        self.for_each_row(0..rows, |_, row| {
            most = most.max(row.iter().filter(|x| **x != 0.0).count());
        });
        most
    }

    /// Calls `f` with each row of `range` (its index and its features), in order.
    pub(crate) fn for_each_row(&self, range: Range<usize>, mut f: impl FnMut(usize, &[f64])) {
        match self {
            Matrix::Dense { x, d } => {
                let d = (*d).max(1);
                let rows = x.get(range.start * d..(range.end * d).min(x.len()));
                for (k, row) in rows.unwrap_or(&[]).chunks_exact(d).enumerate() {
                    f(range.start + k, row);
                }
            }
            Matrix::Compact(rows) => rows.for_each_row(range, f),
        }
    }
}

/// The rows and their targets, with how to weigh them and on how many threads.
pub(crate) struct Rows<'a> {
    x: Matrix<'a>,
    d: usize,
    t: Vec<f64>,
    threads: usize,
    /// Weight of a lost row and of a converted row; they average to 1.
    weights: [f64; 2],
}

impl<'a> Rows<'a> {
    pub(crate) fn new(
        x: Matrix<'a>,
        y: &[bool],
        threads: usize,
        class_weight: ClassWeight,
    ) -> Self {
        let d = x.d();
        let t = y.iter().map(|v| f64::from(u8::from(*v))).collect();
        let n = y.len() as f64;
        let positives = y.iter().filter(|v| **v).count() as f64;
        let weights = match class_weight {
            ClassWeight::Unweighted => [1.0, 1.0],
            // Each class carries half the total weight, as scikit-learn's
            // class_weight="balanced": n / (2 n_class).
            ClassWeight::Balanced if positives > 0.0 && positives < n => {
                [n / (2.0 * (n - positives)), n / (2.0 * positives)]
            }
            ClassWeight::Balanced => [1.0, 1.0],
        };
        Self {
            x,
            d,
            t,
            threads,
            weights,
        }
    }

    /// Summed loss and summed gradient (weights, then intercept) at `w`, `b`.
    pub(crate) fn loss_gradient(&self, w: &[f64], b: f64) -> (f64, Vec<f64>) {
        let n = self.t.len();
        let d = self.d;
        if self.pass_threads() == 1 {
            let mut grad = vec![0.0; d + 1];
            let loss = block(&self.x, 0..n, &self.t, (w, b), self.weights, &mut grad);
            return (loss, grad);
        }
        let parts = self.on_threads(
            |range| {
                let t = self.t.get(range.clone()).unwrap_or(&[]);
                let mut grad = vec![0.0; d + 1];
                let loss = block(&self.x, range, t, (w, b), self.weights, &mut grad);
                (loss, grad)
            },
            || (f64::NAN, vec![f64::NAN; d + 1]),
        );
        let mut grad = vec![0.0; d + 1];
        let mut loss = 0.0;
        for (l, g) in parts {
            loss += l;
            for (a, b) in grad.iter_mut().zip(g) {
                *a += b;
            }
        }
        (loss, grad)
    }

    /// Threads of a pass over the rows: the ones asked for, but none with
    /// fewer than [`MIN_ROWS_PER_THREAD`] rows (and at least one).
    fn pass_threads(&self) -> usize {
        let n = self.t.len();
        self.threads.clamp(1, (n / MIN_ROWS_PER_THREAD).max(1))
    }

    /// `f` on each of [`pass_threads`](Self::pass_threads) consecutive
    /// shares of the rows, on a thread each, their results in the order of
    /// the rows; `failed` for a thread that panicked.
    pub(crate) fn on_threads<T: Send>(
        &self,
        f: impl Fn(Range<usize>) -> T + Sync,
        failed: impl Fn() -> T,
    ) -> Vec<T> {
        let n = self.t.len();
        let chunk = n.div_ceil(self.pass_threads()).max(1);
        std::thread::scope(|scope| {
            let handles: Vec<_> = (0..n.div_ceil(chunk))
                .map(|k| {
                    let f = &f;
                    scope.spawn(move || f(k * chunk..((k + 1) * chunk).min(n)))
                })
                .collect();
            handles
                .into_iter()
                .map(|h| h.join().unwrap_or_else(|_| failed()))
                .collect()
        })
    }

    /// `mean loss + l2 / 2 |w|^2` and its gradient, at `params` (weights, then intercept).
    pub(crate) fn objective(&self, params: &Array1<f64>, l2: f64) -> (f64, Array1<f64>) {
        let n = self.t.len().max(1) as f64;
        let d = self.d;
        let w_vec: Vec<f64> = params.iter().take(d).copied().collect();
        let b = params.get(d).copied().unwrap_or(0.0);
        let (loss, grad) = self.loss_gradient(&w_vec, b);
        let penalty = 0.5 * l2 * w_vec.iter().map(|v| v * v).sum::<f64>();
        let mut g = Array1::from(grad) / n;
        for (gj, wj) in g.iter_mut().zip(&w_vec) {
            *gj += l2 * wj;
        }
        (loss / n + penalty, g)
    }
}

/// The argmin problem, remembering the last gradient: the line search asks for
/// the cost, then for the gradient at the same point.
struct Problem<'r, 'a> {
    rows: &'r Rows<'a>,
    l2: f64,
    last: RefCell<Option<(Array1<f64>, Array1<f64>)>>,
    /// Passes over the rows so far.
    passes: &'r Cell<u64>,
}

impl Problem<'_, '_> {
    fn evaluate(&self, params: &Array1<f64>) -> (f64, Array1<f64>) {
        let (cost, grad) = self.rows.objective(params, self.l2);
        self.passes.set(self.passes.get() + 1);
        *self.last.borrow_mut() = Some((params.clone(), grad.clone()));
        (cost, grad)
    }
}

impl CostFunction for Problem<'_, '_> {
    type Param = Array1<f64>;
    type Output = f64;

    fn cost(&self, params: &Self::Param) -> Result<Self::Output, argmin::core::Error> {
        Ok(self.evaluate(params).0)
    }
}

impl Gradient for Problem<'_, '_> {
    type Param = Array1<f64>;
    type Gradient = Array1<f64>;

    fn gradient(&self, params: &Self::Param) -> Result<Self::Gradient, argmin::core::Error> {
        let cached = self
            .last
            .borrow()
            .as_ref()
            .filter(|(p, _)| p == params)
            .map(|(_, g)| g.clone());
        Ok(match cached {
            Some(g) => g,
            None => self.evaluate(params).1,
        })
    }
}

/// Fits from `warm` or zeros with L-BFGS (memory 10). Where it has not
/// converged after about what four Newton steps cost, and the features are
/// few enough for their Hessian (see newton.rs), it goes on with Newton
/// steps from there, and with L-BFGS again should a Newton step fail.
pub(crate) fn fit(
    rows: &Rows<'_>,
    l2: f64,
    warm: Option<&Linear>,
    max_iterations: u64,
    tolerance: f64,
) -> Result<Linear, ModelError> {
    let newton_after = newton::budget(&rows.x, rows.t.len());
    let (linear, _) = fit_counted(rows, l2, warm, (max_iterations, tolerance), newton_after)?;
    Ok(linear)
}

/// [`fit`], with the L-BFGS iterations before Newton steps given (`None`:
/// L-BFGS alone; `Some(0)`: Newton steps from the start), also giving the
/// passes it took over the rows (a Hessian's counted as one).
fn fit_counted(
    rows: &Rows<'_>,
    l2: f64,
    warm: Option<&Linear>,
    (max_iterations, tolerance): (u64, f64),
    newton_after: Option<u64>,
) -> Result<(Linear, u64), ModelError> {
    let d = rows.d;
    let mut params: Array1<f64> = match warm {
        Some(w) if w.weights.len() == d => w.params(),
        _ => Array1::zeros(d + 1),
    };
    let linear = |params: &Array1<f64>| Linear {
        weights: params.iter().take(d).copied().collect(),
        intercept: params.get(d).copied().unwrap_or(0.0),
    };
    let mut passes = 0;
    let first = newton_after.map_or(max_iterations, |n| n.min(max_iterations));
    let mut used = 0;
    if first > 0 {
        let (best, iterations, converged) =
            lbfgs(rows, l2, params, (first, tolerance), &mut passes)?;
        params = best;
        used = iterations;
        if converged || newton_after.is_none() || used >= max_iterations {
            tracing::debug!(l2, rows = rows.t.len(), iterations, passes, "fitted");
            return Ok((linear(&params), passes));
        }
    }
    let outcome = newton::newton(
        rows,
        l2,
        params,
        (max_iterations - used, tolerance),
        &mut passes,
    );
    let (params, steps) = match outcome {
        Newton::Converged { params, steps } => {
            tracing::debug!(
                l2,
                rows = rows.t.len(),
                iterations = used,
                steps,
                passes,
                "fitted"
            );
            return Ok((linear(&params), passes));
        }
        Newton::Stalled { params, steps } => (params, steps),
    };
    used += steps;
    // Out of iterations, the caller's check says it did not converge.
    if used >= max_iterations {
        return Ok((linear(&params), passes));
    }
    let (best, iterations, _) = lbfgs(
        rows,
        l2,
        params,
        (max_iterations - used, tolerance),
        &mut passes,
    )?;
    tracing::debug!(
        l2,
        rows = rows.t.len(),
        iterations = used + iterations,
        steps,
        passes,
        "fitted, Newton stalled"
    );
    Ok((linear(&best), passes))
}

/// L-BFGS from `init` for at most `max_iterations`: the best parameters,
/// the iterations taken, and whether the mean gradient's norm fell below
/// `tolerance`.
fn lbfgs(
    rows: &Rows<'_>,
    l2: f64,
    init: Array1<f64>,
    (max_iterations, tolerance): (u64, f64),
    passes: &mut u64,
) -> Result<(Array1<f64>, u64, bool), ModelError> {
    let failed = |message: String| ModelError::Solver { l2, message };
    let solver = LBFGS::new(MoreThuenteLineSearch::new(), 10)
        .with_tolerance_grad(tolerance)
        .map_err(|e| failed(e.to_string()))?;
    let counted = Cell::new(*passes);
    let problem = Problem {
        rows,
        l2,
        last: RefCell::new(None),
        passes: &counted,
    };
    let result = Executor::new(problem, solver)
        .configure(|state| state.param(init).max_iters(max_iterations))
        .run()
        .map_err(|e| failed(e.to_string()))?;
    *passes = counted.get();
    let converged = result
        .state
        .get_gradient()
        .is_some_and(|g| g.iter().map(|x| x * x).sum::<f64>().sqrt() < tolerance);
    let best = result
        .state
        .get_best_param()
        .cloned()
        .ok_or_else(|| failed("the solver returned no parameters".into()))?;
    Ok((best, result.state.get_iter(), converged))
}

#[cfg(test)]
mod tests;
