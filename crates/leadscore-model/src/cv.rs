//! Choosing the L2 penalty by stratified cross-validation, and calibrating on
//! the out-of-fold predictions it leaves behind.

use leadscore_features::CompactRows;
use leadscore_metrics::{log_loss, roc_auc};
use ndarray::Array2;

use crate::fused::Matrix;
use crate::solver::{SolverSettings, fit_logistic, fit_matrix, logit, sigmoid};
use crate::split::{stratified_folds, stratified_sample};
use crate::{Calibration, ClassWeight, CvPoint, Linear, ModelError, TrainParams, TrainStage};

/// Cross-validation fits stop at this multiple of the final fit's tolerance.
const CV_TOLERANCE_FACTOR: f64 = 10.0;

/// What cross-validation found.
pub(crate) struct CvOutcome {
    /// Every penalty tried, in the order of `TrainParams::l2_grid`.
    pub points: Vec<CvPoint>,
    /// The penalty with the lowest out-of-fold log loss.
    pub best_l2: f64,
    /// Out-of-fold raw logits of the sampled rows under the best penalty, with
    /// their outcomes.
    pub oof: Vec<(f64, bool)>,
    /// The last fold's model under the best penalty: a starting point for the
    /// final fit.
    pub warm: Option<Linear>,
}

/// Runs `params.cv_folds`-fold stratified cross-validation over the penalty grid
/// on (a sample of) the training rows.
pub(crate) fn cross_validate(
    x: &CompactRows,
    y: &[bool],
    params: &TrainParams,
    settings: SolverSettings,
    progress: &mut dyn FnMut(TrainStage),
) -> Result<CvOutcome, ModelError> {
    // Choosing the penalty compares log losses that differ far more than a
    // looser stopping rule moves them; the final fit uses the full tolerance.
    let settings = SolverSettings {
        tolerance: settings.tolerance * CV_TOLERANCE_FACTOR,
        ..settings
    };
    let sample = stratified_sample(y, params.cv_max_rows, params.seed);
    let xs = x.select(&sample);
    let ys: Vec<bool> = sample.iter().map(|&i| y[i]).collect();
    let folds = stratified_folds(&ys, params.cv_folds, params.seed);
    // Strongest penalty first: each fit starts from the previous, smoother one.
    let mut order: Vec<usize> = (0..params.l2_grid.len()).collect();
    order.sort_by(|&a, &b| params.l2_grid[b].total_cmp(&params.l2_grid[a]));
    let mut oof = vec![vec![0.0; ys.len()]; params.l2_grid.len()];
    // The last fold's model per penalty: the next fold starts from it (the folds
    // share most of their rows, so their optima are close).
    let mut last: Vec<Option<Linear>> = vec![None; params.l2_grid.len()];
    let fits = params.cv_folds * order.len();
    let mut done = 0;
    progress(TrainStage::CrossValidating { done, of: fits });
    for fold in 0..params.cv_folds {
        let (train, held): (Vec<usize>, Vec<usize>) =
            (0..ys.len()).partition(|&i| folds[i] != fold);
        let x_train = xs.select(&train);
        let y_train: Vec<bool> = train.iter().map(|&i| ys[i]).collect();
        let x_held = xs.select(&held);
        let mut previous: Option<Linear> = None;
        for &g in &order {
            let warm = last[g].as_ref().or(previous.as_ref());
            let model = fit_matrix(
                Matrix::Compact(&x_train),
                &y_train,
                params.l2_grid[g],
                warm,
                settings,
            )?;
            let logits = model.logits_of(&Matrix::Compact(&x_held), x_held.rows());
            for (&i, z) in held.iter().zip(logits) {
                oof[g][i] = z;
            }
            previous = Some(model.clone());
            last[g] = Some(model);
            done += 1;
            progress(TrainStage::CrossValidating { done, of: fits });
        }
    }
    let mut points = Vec::new();
    for (g, &l2) in params.l2_grid.iter().enumerate() {
        let probs: Vec<(f64, bool)> = oof[g]
            .iter()
            .map(|z| sigmoid(*z))
            .zip(ys.iter().copied())
            .collect();
        points.push(CvPoint {
            l2,
            log_loss: log_loss(&probs).unwrap_or(f64::INFINITY),
            auc: roc_auc(&probs),
        });
    }
    // Lowest log loss; on a tie, the stronger penalty (the simpler model).
    let best = (0..points.len())
        .min_by(|&a, &b| {
            points[a]
                .log_loss
                .total_cmp(&points[b].log_loss)
                .then(points[b].l2.total_cmp(&points[a].l2))
        })
        .unwrap_or(0);
    let best_l2 = points.get(best).map_or(params.l2_grid[0], |p| p.l2);
    let oof = oof.swap_remove(best).into_iter().zip(ys).collect();
    let warm = last.swap_remove(best);
    Ok(CvOutcome {
        points,
        best_l2,
        oof,
        warm,
    })
}

/// Platt scaling fitted on out-of-fold logits. A slope at or below zero (the
/// raw scores rank no better than chance) becomes a flat calibration at the base
/// rate.
pub(crate) fn platt(
    oof: &[(f64, bool)],
    settings: SolverSettings,
) -> Result<Calibration, ModelError> {
    let x = Array2::from_shape_fn((oof.len(), 1), |(i, _)| oof[i].0);
    let y: Vec<bool> = oof.iter().map(|(_, t)| *t).collect();
    // Calibration maps to the true rates: never weighted.
    let unweighted = SolverSettings {
        class_weight: ClassWeight::Unweighted,
        ..settings
    };
    let fit = fit_logistic(x.view(), &y, 1e-6, None, unweighted)?;
    let slope = fit.weights.first().copied().unwrap_or(0.0);
    if slope > 0.0 {
        Ok(Calibration {
            slope,
            offset: fit.intercept,
        })
    } else {
        let rate = y.iter().filter(|t| **t).count() as f64 / y.len().max(1) as f64;
        Ok(Calibration {
            slope: 0.0,
            offset: logit(rate),
        })
    }
}
