//! The fused solver on compact rows against the dense rows, to the last bit.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use leadscore_features::{Column, CompactRows, EncoderParams, Table};

use super::{Matrix, Rows};
use crate::solver::{ClassWeight, Solver, SolverSettings, fit_matrix};

/// Rows with a numeric column (gaps, bins), a skewed count and a label
/// column with rare levels and gaps; the outcome leans on all three.
fn rows(n: usize) -> (Table, Vec<bool>) {
    let mut labels = Vec::with_capacity(n);
    let (mut size, mut visits, mut region) = (Vec::new(), Vec::new(), Vec::new());
    for i in 0..n {
        let s = ((i * 7919) % 1000) as f64;
        let v = ((i * 104_729) % 97) as f64;
        let r = ["north", "south", "east", "west", "rare"][(i * 31) % 37 % 5];
        size.push((i % 9 != 0).then_some(s));
        visits.push(Some(if i % 13 == 0 { v * 40.0 } else { v }));
        region.push((i % 11 != 0).then(|| r.to_owned()));
        let z = s / 400.0 - 1.2 + v / 60.0 + if r == "east" { 0.8 } else { 0.0 };
        labels.push(((i * 2_654_435_761) % 1000) as f64 / 1000.0 < 1.0 / (1.0 + (-z).exp()));
    }
    let table = Table::new(vec![
        Column::numeric("size", size),
        Column::numeric("visits", visits),
        Column::categorical("region", region),
    ]);
    (table, labels)
}

/// One pass over compact rows (a block and a stored column at a time)
/// gives the loss and gradient of the dense rows to the last bit, with
/// every remainder of the features past the dot product's lanes (0 to
/// 3), on one thread or several, across blocks and chunks.
#[test]
fn a_compact_pass_gives_the_dense_loss_and_gradient_to_the_last_bit() {
    let (table, y) = rows(5_000);
    let mut remainders = std::collections::BTreeSet::new();
    let mut widest = 0;
    let without = |column: usize| {
        let mut table = table.clone();
        table.columns.remove(column);
        table
    };
    // And with a group of 255 features or more, stored otherwise.
    let mut wide = table.clone();
    wide.columns.push(Column::categorical(
        "campaign",
        (0..y.len())
            .map(|i| (i % 13 != 0).then(|| format!("c{}", i * 31 % 280)))
            .collect::<Vec<_>>(),
    ));
    let tables = [table.clone(), without(0), without(2), wide];
    for (table, bins) in tables.iter().flat_map(|t| (0..6).map(move |b| (t, b))) {
        let params = EncoderParams {
            numeric_bins: bins,
            max_levels: 300,
            min_level_count: 1,
            ..EncoderParams::default()
        };
        let encoder = params.fit(table).unwrap();
        let dense = encoder.transform_flat(table).unwrap();
        let compact = encoder.transform_compact(table.clone()).unwrap();
        let d = encoder.n_features();
        remainders.insert(d % 4);
        let campaign = encoder
            .feature_names()
            .iter()
            .filter(|n| n.starts_with("campaign"))
            .count();
        widest = widest.max(campaign);
        let w: Vec<f64> = (0..d)
            .map(|j| ((j * 7919 % 201) as f64 - 100.0) / 37.0)
            .collect();
        for threads in [1, 3] {
            let on_dense = Rows::new(
                Matrix::Dense { x: &dense, d },
                &y,
                threads,
                ClassWeight::Balanced,
            );
            let on_compact = Rows::new(
                Matrix::Compact(&compact),
                &y,
                threads,
                ClassWeight::Balanced,
            );
            let (dense_loss, dense_grad) = on_dense.loss_gradient(&w, 0.25);
            let (compact_loss, compact_grad) = on_compact.loss_gradient(&w, 0.25);
            assert_eq!(
                dense_loss.to_bits(),
                compact_loss.to_bits(),
                "{bins} bins, {threads} threads"
            );
            let bits = |g: &[f64]| g.iter().map(|v| v.to_bits()).collect::<Vec<_>>();
            assert_eq!(
                bits(&dense_grad),
                bits(&compact_grad),
                "{bins} bins, {threads} threads"
            );
        }
    }
    assert_eq!(remainders.len(), 4, "remainders seen: {remainders:?}");
    assert!(widest >= 255, "a group of 255 features or more: {widest}");
}

/// The solver, on compact rows, reaches the dense rows' fit to the last
/// bit, on one thread or several, weighted or not; and the logits agree
/// to the last bit.
#[test]
fn compact_rows_fit_as_the_dense_rows_to_the_last_bit() {
    let (table, y) = rows(50_000);
    let encoder = EncoderParams::default().fit(&table).unwrap();
    let dense = encoder.transform_flat(&table).unwrap();
    let compact = encoder.transform_compact(table).unwrap();
    let d = encoder.n_features();
    // More than 10 features, and some past the last multiple of 4 (the
    // dot product's lanes leave them to the end).
    assert!(d > 10 && d % 4 != 0, "{d}: {:?}", encoder.feature_names());
    for (threads, class_weight) in [
        (1, ClassWeight::Unweighted),
        (3, ClassWeight::Unweighted),
        (2, ClassWeight::Balanced),
    ] {
        let mut settings = SolverSettings::new(Solver::Fused, 500, 1e-7);
        settings.threads = threads;
        settings.class_weight = class_weight;
        let on_dense =
            fit_matrix(Matrix::Dense { x: &dense, d }, &y, 1e-3, None, settings).unwrap();
        let on_compact = fit_matrix(Matrix::Compact(&compact), &y, 1e-3, None, settings).unwrap();
        assert_eq!(on_dense, on_compact, "{threads} threads, {class_weight:?}");
        let x = ndarray::ArrayView2::from_shape((y.len(), d), &dense).unwrap();
        let dense_logits = on_dense.logits(x);
        let compact_logits = on_compact.logits_of(&Matrix::Compact(&compact), compact.rows());
        let differ = dense_logits
            .iter()
            .zip(&compact_logits)
            .filter(|(a, b)| a.to_bits() != b.to_bits())
            .count();
        assert_eq!(compact_logits.len(), y.len());
        assert_eq!(differ, 0, "logits differ in {differ} rows");
    }
    // Newton steps from the start, after 3 L-BFGS iterations, and L-BFGS
    // alone.
    for newton_after in [Some(0), Some(3), None] {
        let fit = |x: Matrix<'_>| {
            let rows = Rows::new(x, &y, 2, ClassWeight::Unweighted);
            super::fit_counted(&rows, 1e-3, None, (500, 1e-7), newton_after).unwrap()
        };
        let on_dense = fit(Matrix::Dense { x: &dense, d });
        let on_compact = fit(Matrix::Compact(&compact));
        assert_eq!(on_dense, on_compact, "Newton after {newton_after:?}");
    }
    let settings = SolverSettings::new(Solver::LinfaLogistic, 500, 1e-7);
    let on_dense = fit_matrix(Matrix::Dense { x: &dense, d }, &y, 1e-2, None, settings).unwrap();
    let on_compact = fit_matrix(Matrix::Compact(&compact), &y, 1e-2, None, settings).unwrap();
    assert_eq!(on_dense, on_compact, "linfa-logistic");
}

/// Rows whose outcome leans on a number and on a label of 30 levels, the
/// most common lit in a third of the rows and the rarest in about 20 of
/// 100,000: the one-hot features that make the fit ill-conditioned at a
/// small penalty.
fn rare_levels(n: usize) -> (CompactRows, Vec<bool>) {
    let mut labels = Vec::with_capacity(n);
    let (mut size, mut level) = (Vec::new(), Vec::new());
    // Level k is drawn with weight 1 / (k + 1)^2.
    let weights: Vec<f64> = (0..30).map(|k| 1.0 / f64::from(k + 1).powi(2)).collect();
    let total: f64 = weights.iter().sum();
    for i in 0..n {
        let u = ((i * 2_654_435_761) % 1_000_003) as f64 / 1_000_003.0 * total;
        let mut k = 0;
        let mut below = weights[0];
        while below < u && k + 1 < weights.len() {
            k += 1;
            below += weights[k];
        }
        let s = ((i * 7919) % 1000) as f64;
        size.push(Some(s));
        level.push(Some(format!("level {k}")));
        let z = s / 500.0 - 1.8 + (k % 5) as f64 * 0.4;
        labels.push(((i * 40_503) % 1009) as f64 / 1009.0 < 1.0 / (1.0 + (-z).exp()));
    }
    let table = Table::new(vec![
        Column::numeric("size", size),
        Column::categorical("level", level),
    ]);
    let params = EncoderParams {
        min_level_count: 1,
        ..EncoderParams::default()
    };
    let encoder = params.fit(&table).unwrap();
    assert!(encoder.n_features() >= 30, "{:?}", encoder.feature_names());
    (encoder.transform_compact(table).unwrap(), labels)
}

/// The objective and the norm of its gradient at a fitted model.
fn objective_at(rows: &Rows<'_>, l2: f64, linear: &crate::Linear) -> (f64, f64) {
    let (cost, g) = rows.objective(&linear.params(), l2);
    (cost, g.iter().map(|g| g * g).sum::<f64>().sqrt())
}

/// At a small penalty, Newton steps reach the optimum L-BFGS reaches, as
/// low or lower, in a small fraction of its passes over the rows (a
/// Hessian's pass counted as one); the default, L-BFGS turning to Newton
/// steps after its budget, in under half.
#[test]
fn newton_reaches_the_lbfgs_optimum_in_a_fraction_of_the_passes() {
    let (x, y) = rare_levels(100_000);
    let rows = Rows::new(Matrix::Compact(&x), &y, 2, ClassWeight::Unweighted);
    let budget = super::newton::budget(&rows.x, y.len()).unwrap();
    let (l2, tolerance) = (1e-5, 1e-6);
    let fit = |newton_after| {
        let (linear, passes) =
            super::fit_counted(&rows, l2, None, (1_000, tolerance), newton_after).unwrap();
        let (cost, gradient) = objective_at(&rows, l2, &linear);
        assert!(gradient < tolerance, "{newton_after:?}: {gradient}");
        (cost, passes)
    };
    let (lbfgs_cost, lbfgs_passes) = fit(None);
    for (newton_after, times) in [(Some(0), 5), (Some(budget), 2)] {
        let (cost, passes) = fit(newton_after);
        assert!(cost <= lbfgs_cost + 1e-12, "{cost} {lbfgs_cost}");
        assert!(lbfgs_cost - cost < 1e-8, "{cost} {lbfgs_cost}");
        assert!(
            passes * times <= lbfgs_passes,
            "{passes} passes with Newton after {newton_after:?}, {lbfgs_passes} with L-BFGS alone"
        );
    }
}

/// A well-conditioned fit (a strong penalty) converges within L-BFGS's
/// budget: the default fit is L-BFGS's, the same to the last bit, in the
/// same passes.
#[test]
fn a_well_conditioned_fit_never_takes_a_newton_step() {
    let (x, y) = rare_levels(50_000);
    let rows = Rows::new(Matrix::Compact(&x), &y, 2, ClassWeight::Unweighted);
    let budget = super::newton::budget(&rows.x, y.len()).unwrap();
    let fit =
        |newton_after| super::fit_counted(&rows, 1e-1, None, (1_000, 1e-6), newton_after).unwrap();
    let (lbfgs, lbfgs_passes) = fit(None);
    assert_eq!(fit(Some(budget)), (lbfgs, lbfgs_passes));
}

/// The Hessian is the derivative of the gradient: each of a few columns
/// against central differences of the gradient, with the penalty on the
/// weights and none on the intercept, on dense rows and compact rows.
#[test]
fn the_hessian_is_the_gradients_derivative() {
    let (x, y) = rare_levels(20_000);
    let dense = x.to_dense();
    let d = x.n_features();
    for matrix in [Matrix::Compact(&x), Matrix::Dense { x: &dense, d }] {
        let rows = Rows::new(matrix, &y, 2, ClassWeight::Balanced);
        let l2 = 1e-3;
        let params: ndarray::Array1<f64> = (0..=d)
            .map(|j| ((j * 37) % 11) as f64 / 20.0 - 0.25)
            .collect();
        let h = rows.hessian(&params, l2);
        assert_eq!(h.dim(), (d + 1, d + 1));
        for j in [0, 1, d / 2, d - 1, d] {
            let eps = 1e-5;
            let mut up = params.clone();
            up[j] += eps;
            let mut down = params.clone();
            down[j] -= eps;
            let (_, g_up) = rows.objective(&up, l2);
            let (_, g_down) = rows.objective(&down, l2);
            for k in 0..=d {
                let numeric = (g_up[k] - g_down[k]) / (2.0 * eps);
                assert!(
                    (numeric - h[(k, j)]).abs() < 1e-6 * (1.0 + h[(k, j)].abs()),
                    "H[{k}, {j}] = {}, central difference {numeric}",
                    h[(k, j)]
                );
                assert_eq!(h[(k, j)].to_bits(), h[(j, k)].to_bits());
            }
        }
    }
}
