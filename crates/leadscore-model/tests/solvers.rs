//! The fused solver and linfa-logistic reach the same optimum, and a stalled
//! solver is an error with either.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::synthetic;
use leadscore_model::{ModelError, Solver, SolverSettings, encode, fit_logistic};

#[test]
fn fused_and_linfa_logistic_agree() {
    let rows = synthetic(5000, 31, 1.0);
    // Without quantile bins, which overlap the values and leave the weights
    // nearly free along some directions: the optimum is then sharp.
    let encoder = leadscore_features::EncoderParams {
        numeric_bins: 0,
        ..Default::default()
    }
    .fit(&rows.features)
    .unwrap();
    let x = encode(&encoder, &rows.features).unwrap();
    for l2 in [1e-4, 1e-2] {
        let fused = fit_logistic(
            x.view(),
            &rows.labels,
            l2,
            None,
            SolverSettings::new(Solver::Fused, 1000, 1e-7),
        )
        .unwrap();
        let linfa = fit_logistic(
            x.view(),
            &rows.labels,
            l2,
            None,
            SolverSettings::new(Solver::LinfaLogistic, 1000, 1e-7),
        )
        .unwrap();
        for (a, b) in fused.weights.iter().zip(&linfa.weights) {
            assert!((a - b).abs() < 1e-4, "l2 {l2}: {a} vs {b}");
        }
        assert!((fused.intercept - linfa.intercept).abs() < 1e-4);
        // One thread or two: the same optimum.
        let mut one = SolverSettings::new(Solver::Fused, 1000, 1e-7);
        one.threads = 1;
        let single = fit_logistic(x.view(), &rows.labels, l2, None, one).unwrap();
        for (a, b) in fused.weights.iter().zip(&single.weights) {
            assert!((a - b).abs() < 1e-5, "{a} vs {b}");
        }
    }
}

#[test]
fn a_stalled_solver_is_an_error_with_either_implementation() {
    let rows = synthetic(3000, 32, 1.0);
    let encoder = leadscore_features::EncoderParams::default()
        .fit(&rows.features)
        .unwrap();
    let x = encode(&encoder, &rows.features).unwrap();
    for solver in [Solver::Fused, Solver::LinfaLogistic] {
        let err = fit_logistic(
            x.view(),
            &rows.labels,
            1e-4,
            None,
            SolverSettings::new(solver, 2, 1e-6),
        )
        .unwrap_err();
        assert!(
            matches!(err, ModelError::NotConverged { .. }),
            "{solver:?}: {err}"
        );
    }
}
