//! Training end to end on synthetic rows with a known truth.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{flat_source, synthetic};
use leadscore_features::{Column, Table};
use leadscore_model::{
    LabelledRows, ModelError, Scorer, SplitKind, TrainParams, TrainStage, assess, load, save,
    score_table,
};

const AT: &str = "2026-11-23T00:00:00Z";

#[test]
fn learns_a_known_signal_and_measures_it_on_held_out_rows() {
    let rows = synthetic(4000, 1, 1.0);
    let trained = TrainParams::default()
        .fit(&rows, None, flat_source(), AT)
        .unwrap();
    let m = &trained.model;
    assert_eq!(m.n_train + m.n_test, 4000);
    assert_eq!(m.n_test, 800);
    let auc = m.metrics.auc.unwrap();
    assert!(auc > 0.70 && auc < 0.95, "auc {auc}");
    assert!(!m.confidence.low);
    assert_eq!(m.confidence.shrink, 1.0);
    // visits and Software push up, Retail down; noise barely matters.
    let names = m.encoder.feature_names();
    let weights = &m.fitted_linear().unwrap().weights;
    let w = |name: &str| weights[names.iter().position(|n| n == name).unwrap()];
    assert!(w("visits") > 0.3, "visits {}", w("visits"));
    assert!(w("industry=Software") > w("industry=Retail"));
    assert!(w("noise").abs() < 0.15, "noise {}", w("noise"));
    // Calibrated: the mean probability on test is close to the test conversion rate.
    let mean_p: f64 = trained
        .test
        .scores
        .iter()
        .map(|s| s.probability)
        .sum::<f64>()
        / 800.0;
    assert!(
        (mean_p - m.metrics.base_rate).abs() < 0.05,
        "{mean_p} vs {}",
        m.metrics.base_rate
    );
    // The threshold maximizes F1 on out-of-fold predictions: not 0.5 for a rare class.
    assert!(
        m.threshold > 0.05 && m.threshold < 0.6,
        "threshold {}",
        m.threshold
    );
    assert_eq!(m.cv.len(), 5);
    assert!(m.cv.iter().any(|p| p.l2 == m.l2));
    // Every wrong call is in the drill-down.
    let c = m.metrics.confusion;
    assert_eq!(trained.test.misclassified.len(), c.fp + c.fn_);
    assert!(trained.leakage.is_empty());
}

/// Training tells its stages in order, and every cross-validation fit as it
/// ends (folds × penalties), for the command's progress bar; the model is the
/// one `fit` gives.
#[test]
fn training_tells_its_progress() {
    let rows = synthetic(2000, 3, 1.0);
    let params = TrainParams::default();
    let mut stages = Vec::new();
    let trained = params
        .fit_with_progress(&rows, None, flat_source(), AT, &mut |s| stages.push(s))
        .unwrap();
    let fits = params.cv_folds * params.l2_grid.len();
    let mut expected = vec![TrainStage::Encoding];
    expected.extend((0..=fits).map(|done| TrainStage::CrossValidating { done, of: fits }));
    expected.push(TrainStage::FinalFit { rows: 1600 });
    expected.push(TrainStage::Measuring);
    assert_eq!(stages, expected);
    let quiet = params.fit(&rows, None, flat_source(), AT).unwrap();
    assert_eq!(
        trained.model.fitted_linear().map(|l| &l.weights),
        quiet.model.fitted_linear().map(|l| &l.weights)
    );
}

#[test]
fn contributions_sum_with_the_intercept_to_the_logit() {
    let rows = synthetic(2000, 2, 1.0);
    let m = TrainParams::default()
        .fit(&rows, None, flat_source(), AT)
        .unwrap()
        .model;
    let scorer = Scorer::new(&m);
    let x = m.encoder.transform(&rows.features).unwrap();
    let mut work = Vec::new();
    for row in x.iter().take(200) {
        let s = scorer.score(row, &mut work);
        let sum: f64 = scorer.contributions(row).iter().map(|c| c.log_odds).sum();
        assert!((scorer.intercept() + sum - s.logit).abs() < 1e-9);
        assert!((1.0 / (1.0 + (-s.logit).exp()) - s.probability).abs() < 1e-12);
        assert_eq!(s.score, (s.probability * 100.0).round() as u8);
        for (_, v) in s.top_positive.as_slice() {
            assert!(*v > 0.0);
        }
        for (_, v) in s.top_negative.as_slice() {
            assert!(*v < 0.0);
        }
        assert!(s.top_positive.as_slice().len() <= 3);
    }
}

#[test]
fn a_table_scored_a_chunk_at_a_time_scores_as_each_row_alone() {
    // More rows than score_table encodes at a time (4,096), and not a
    // multiple of it: the chunks' seams and the last, short chunk.
    let rows = synthetic(9000, 12, 1.0);
    let m = TrainParams::default()
        .fit(&rows, None, flat_source(), AT)
        .unwrap()
        .model;
    let scorer = Scorer::new(&m);
    let scores = score_table(&m, &scorer, &rows.features).unwrap();
    assert_eq!(scores.len(), 9000);
    let x = m.encoder.transform(&rows.features).unwrap();
    let mut work = Vec::new();
    for (i, (row, s)) in x.iter().zip(&scores).enumerate() {
        assert_eq!(*s, scorer.score(row, &mut work), "row {i}");
    }
    // An encoding error names the row in the whole table, not in its chunk.
    let mut bad = rows.features.clone();
    let column = m.input_columns().into_iter().find(|name| {
        matches!(
            bad.column(name).map(|c| &c.values),
            Some(leadscore_features::ColumnValues::Numeric(_))
        )
    });
    let column = column.expect("a numeric input column");
    for c in &mut bad.columns {
        if c.name == column {
            let mut values: Vec<Option<String>> = vec![Some("1".to_owned()); 9000];
            values[5000] = Some("many".to_owned());
            c.values = leadscore_features::ColumnValues::Categorical(values.into());
        }
    }
    let err = score_table(&m, &scorer, &bad).unwrap_err().to_string();
    assert!(err.contains("row 5001"), "{err}");
}

#[test]
fn rows_given_up_train_the_model_rows_lent_train() {
    // The owned path splits the rows a column at a time and drops the
    // training part's table once encoded: the same parts, the same model.
    let mut rows = synthetic(3000, 13, 1.0);
    rows.times = Some((0..3000).map(|i| i * 1_000).collect());
    let (a, b): (Vec<usize>, Vec<usize>) = (0..3000).partition(|i| i % 5 != 2);
    let (first, second) = rows.clone().split(&a, &b);
    assert_eq!(first, rows.take(&a));
    assert_eq!(second, rows.take(&b));

    for split in [SplitKind::Stratified, SplitKind::Time] {
        let params = TrainParams {
            split,
            ..TrainParams::default()
        };
        let lent = params.fit(&rows, None, flat_source(), AT).unwrap();
        let owned = params
            .fit_owned(rows.clone(), None, flat_source(), AT, &mut |_| {})
            .unwrap();
        assert_eq!(owned.model, lent.model, "{split:?}");
        assert_eq!(owned.duplicates, lent.duplicates);
        assert_eq!(owned.leakage, lent.leakage);
    }
    let test = rows.take(&b);
    let lent = TrainParams::default()
        .fit(&rows.take(&a), Some(&test), flat_source(), AT)
        .unwrap();
    let owned = TrainParams::default()
        .fit_owned(rows.take(&a), Some(test), flat_source(), AT, &mut |_| {})
        .unwrap();
    assert_eq!(owned.model, lent.model);
}

#[test]
fn too_few_outcomes_refuses_and_points_to_the_rule_models() {
    let mut rows = synthetic(1000, 3, 1.0);
    // Keep 39 converted rows only.
    let mut kept = 0;
    let index: Vec<usize> = (0..1000)
        .filter(|&i| {
            if rows.labels[i] {
                kept += 1;
                kept <= 39
            } else {
                true
            }
        })
        .collect();
    rows = rows.take(&index);
    let err = TrainParams::default()
        .fit(&rows, None, flat_source(), AT)
        .unwrap_err();
    assert!(
        matches!(
            err,
            ModelError::TooFewOutcomes {
                positives: 39,
                min: 40,
                ..
            }
        ),
        "{err}"
    );
    assert!(err.to_string().contains("rule models"));
}

#[test]
fn a_solver_stopped_early_is_an_error() {
    let rows = synthetic(1000, 4, 1.0);
    let params = TrainParams {
        max_iterations: 2,
        ..TrainParams::default()
    };
    let err = params.fit(&rows, None, flat_source(), AT).unwrap_err();
    assert!(matches!(err, ModelError::NotConverged { .. }), "{err}");
    assert!(err.to_string().contains("did not converge"));
}

#[test]
fn invalid_hyperparameters_are_refused_before_fitting() {
    let rows = synthetic(200, 5, 1.0);
    for params in [
        TrainParams {
            l2_grid: vec![],
            ..TrainParams::default()
        },
        TrainParams {
            l2_grid: vec![0.1, -1.0],
            ..TrainParams::default()
        },
        TrainParams {
            cv_folds: 1,
            ..TrainParams::default()
        },
        TrainParams {
            test_fraction: 0.0,
            ..TrainParams::default()
        },
        TrainParams {
            low_confidence_auc: 1.0,
            ..TrainParams::default()
        },
        TrainParams {
            tolerance: f64::NAN,
            ..TrainParams::default()
        },
    ] {
        let err = params.fit(&rows, None, flat_source(), AT).unwrap_err();
        assert!(matches!(err, ModelError::InvalidParam { .. }), "{err}");
    }
}

#[test]
fn a_weak_model_is_low_confidence_shrunk_and_rounded_down() {
    let rows = synthetic(3000, 6, 0.12);
    let trained = TrainParams::default()
        .fit(&rows, None, flat_source(), AT)
        .unwrap();
    let m = &trained.model;
    assert!(m.confidence.low, "auc {}", m.confidence.auc);
    assert!(m.confidence.shrink < 1.0);
    assert!(m.warnings.iter().any(|w| w.contains("low-confidence")));
    let scorer = Scorer::new(m);
    let x = m.encoder.transform(&rows.features).unwrap();
    let mut work = Vec::new();
    let mut spread = (f64::INFINITY, f64::NEG_INFINITY);
    for row in &x {
        let s = scorer.score(row, &mut work);
        assert!(s.low_confidence);
        assert_eq!(s.score % 10, 0);
        assert!(f64::from(s.score) <= s.probability * 100.0);
        spread = (spread.0.min(s.probability), spread.1.max(s.probability));
    }
    // Shrunk towards the base rate: the probabilities stay close to it.
    assert!(spread.1 - spread.0 < 0.35, "{spread:?}");
}

#[test]
fn a_column_equal_to_the_outcome_is_flagged_as_leakage() {
    let rows = synthetic(2000, 7, 1.0);
    let mut table = rows.features.clone();
    let leak: Vec<Option<String>> = rows
        .labels
        .iter()
        .map(|y| Some(if *y { "Won" } else { "Lost" }.to_string()))
        .collect();
    table.columns.push(Column::categorical("call_result", leak));
    let leaky = LabelledRows {
        features: table,
        ..rows
    };
    let trained = TrainParams::default()
        .fit(&leaky, None, flat_source(), AT)
        .unwrap();
    assert_eq!(trained.leakage.len(), 1);
    assert_eq!(trained.leakage[0].column, "call_result");
    assert!(
        trained
            .model
            .warnings
            .iter()
            .any(|w| w.contains("call_result") && w.contains("leak"))
    );
}

#[test]
fn explicit_test_data_fits_on_everything() {
    let rows = synthetic(2000, 8, 1.0);
    let other = synthetic(700, 9, 1.0);
    let trained = TrainParams::default()
        .fit(&rows, Some(&other), flat_source(), AT)
        .unwrap();
    assert_eq!(trained.model.n_train, 2000);
    assert_eq!(trained.model.n_test, 700);
    assert_eq!(trained.model.metrics.n, 700);
}

#[test]
fn a_time_split_holds_out_the_newest_rows() {
    let mut rows = synthetic(2000, 10, 1.0);
    rows.times = Some((0..2000).map(|i| 1_000_000 * (2000 - i)).collect());
    let params = TrainParams {
        split: SplitKind::Time,
        ..TrainParams::default()
    };
    let trained = params.fit(&rows, None, flat_source(), AT).unwrap();
    // The newest rows are the first 400; every drill-down id is among them.
    for m in &trained.test.misclassified {
        let id: usize = m.id.parse().unwrap();
        assert!(id <= 400, "{id}");
    }
    let no_times = synthetic(500, 11, 1.0);
    let err = params.fit(&no_times, None, flat_source(), AT).unwrap_err();
    assert!(matches!(err, ModelError::NoTimes));
}

#[test]
fn the_artifact_round_trips_and_scores_identically() {
    let rows = synthetic(1500, 12, 1.0);
    let model = TrainParams::default()
        .fit(&rows, None, flat_source(), AT)
        .unwrap()
        .model;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("model.json");
    save(&model, &path).unwrap();
    let loaded = load(&path).unwrap();
    assert_eq!(loaded, model);
    let a = assess(&model, &rows).unwrap();
    let b = assess(&loaded, &rows).unwrap();
    assert_eq!(a.scores, b.scores);
    // Nothing but the model: no temporary file left behind.
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
}

#[test]
fn the_training_distributions_are_recorded_for_drift() {
    let rows = synthetic(1500, 14, 1.0);
    let model = TrainParams::default()
        .fit(&rows, None, flat_source(), AT)
        .unwrap()
        .model;
    let reference = model.reference.as_ref().expect("a reference");
    assert_eq!(reference.rows, model.n_train);
    assert_eq!(
        reference.features.len(),
        model.encoder.feature_names().len()
    );
    let scores = reference.scores.as_ref().expect("score bins");
    assert_eq!(scores.shares.len(), scores.cuts.len() + 1);
    assert!((scores.shares.iter().sum::<f64>() - 1.0).abs() < 1e-9);
    // The training rows' own published probabilities do not drift from it.
    let a = assess(&model, &rows).unwrap();
    let probabilities: Vec<f64> = a.scores.iter().map(|s| s.probability).collect();
    let psi = scores.psi(&probabilities).unwrap();
    assert!(
        psi < 0.05,
        "PSI {psi} of the training data against itself (with the test rows)"
    );
    // An artifact from before the reference was recorded still loads.
    let mut value: serde_json::Value =
        serde_json::from_str(&leadscore_model::to_artifact_json(&model).unwrap()).unwrap();
    assert!(value["model"]["reference"].is_object());
    let mut old = model.clone();
    old.reference = None;
    let text = leadscore_model::to_artifact_json(&old).unwrap();
    value = serde_json::from_str(&text).unwrap();
    assert!(value["model"].get("reference").is_none());
    let back = leadscore_model::from_artifact_json(&text, std::path::Path::new("m.json")).unwrap();
    assert_eq!(back.reference, None);
}

#[test]
fn unseen_levels_and_missing_values_score() {
    let rows = synthetic(1500, 13, 1.0);
    let model = TrainParams::default()
        .fit(&rows, None, flat_source(), AT)
        .unwrap()
        .model;
    let table = Table::new(vec![
        Column::numeric("visits", vec![Some(3.0), None]),
        Column::numeric("employees", vec![None, Some(10.0)]),
        Column::categorical("industry", vec![Some("Aerospace".into()), None]),
        Column::numeric("noise", vec![Some(0.5), Some(0.5)]),
    ]);
    let unlabelled = LabelledRows::new(table, vec![true, false]);
    let a = assess(&model, &unlabelled).unwrap();
    assert_eq!(a.scores.len(), 2);
    assert!(
        a.scores
            .iter()
            .all(|s| s.probability > 0.0 && s.probability < 1.0)
    );
}

#[test]
fn balanced_class_weights_keep_the_ranking_and_the_calibration() {
    let rows = synthetic(4000, 41, 1.0);
    let plain = TrainParams::default()
        .fit(&rows, None, flat_source(), AT)
        .unwrap()
        .model;
    let balanced = TrainParams {
        class_weight: leadscore_model::ClassWeight::Balanced,
        ..TrainParams::default()
    }
    .fit(&rows, None, flat_source(), AT)
    .unwrap()
    .model;
    // The rare class weighs more, so the raw intercept rises...
    let intercept = |m: &leadscore_model::ConversionModel| m.fitted_linear().unwrap().intercept;
    assert!(intercept(&balanced) > intercept(&plain) + 0.5);
    // ...but calibration brings the probabilities back, and the ranking holds.
    let (a, b) = (plain.metrics.auc.unwrap(), balanced.metrics.auc.unwrap());
    assert!((a - b).abs() < 0.02, "{a} vs {b}");
    let mean_p = |m: &leadscore_model::ConversionModel| {
        let bins = &m.metrics.calibration;
        let n: usize = bins.iter().map(|b| b.count).sum();
        bins.iter()
            .map(|b| b.mean_predicted * b.count as f64)
            .sum::<f64>()
            / n as f64
    };
    assert!((mean_p(&balanced) - balanced.metrics.base_rate).abs() < 0.05);
    let linfa = TrainParams {
        class_weight: leadscore_model::ClassWeight::Balanced,
        solver: leadscore_model::Solver::LinfaLogistic,
        ..TrainParams::default()
    };
    assert!(matches!(
        linfa.validate(),
        Err(ModelError::InvalidParam {
            param: "class_weight",
            ..
        })
    ));
}
