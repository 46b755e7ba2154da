//! Assembling a [`Review`] from a model and its data, wherever the data come
//! from (a DATA.md folder for `leadscore review`, the store for the
//! service's `/reports/review`): the caller reads the rows, this scores them
//! and builds every section.

use std::collections::HashSet;

use leadscore_domain::{Lead, Timestamp};
use leadscore_features::Table;
use leadscore_model::{ConversionModel, LabelledRows, ModelError, Scorer, assess};
use leadscore_rules::{Evaluator, ModelBacktest, backtest_where};

use crate::{
    BacktestRow, DataSummary, DriftSection, GradeRow, ModelSummary, Review, ScorerKind,
    calibration_from_bins, calibration_rows, compare_features, feature_drift,
    feature_drift_against, grade_rows, lift_rows, pr_points, roc_points, score_drift,
};

/// The conversion model's grades, best first.
const GRADES: [&str; 4] = ["A", "B", "C", "D"];

/// Every lead as of the review time, with the model's input columns: the
/// population drift is measured on.
#[derive(Debug, Clone)]
pub struct Population {
    /// Each row's lead.
    pub ids: Vec<String>,
    /// When each was created.
    pub created_at: Vec<Timestamp>,
    /// Their feature rows.
    pub features: Table,
}

/// What a review is measured on.
#[derive(Debug, Clone, Copy)]
pub struct ReviewData<'a> {
    /// Where the data come from, as the page names it.
    pub source: &'a str,
    /// The closed leads, each as of its close, with their outcomes.
    pub closed: &'a LabelledRows,
    /// Every lead as of `at`.
    pub population: &'a Population,
    /// The review time: "recent" means created in the `recent_days` before it
    /// (1 to [`MAX_RECENT_DAYS`](crate::MAX_RECENT_DAYS)).
    pub at: Timestamp,
    /// The recent window, in days.
    pub recent_days: u32,
}

/// What the artifacts alone tell: the model's held-out figures and its
/// weights, compared with `previous`'s. `generated_at` is the page's time.
pub fn base_review(
    model: &ConversionModel,
    previous: Option<&ConversionModel>,
    version: Option<i64>,
    generated_at: Timestamp,
) -> Review {
    // One weight per encoded column (a bin, a category, a missing flag); none
    // for a model family not linear in them.
    let weights = |m: &ConversionModel| -> Vec<(String, f64)> {
        let published = m.published_linear().map(|l| l.weights).unwrap_or_default();
        m.encoder
            .feature_names()
            .iter()
            .cloned()
            .zip(published)
            .collect()
    };
    let previous_weights = previous.map(weights);
    let m = &model.metrics;
    Review {
        title: "Conversion model review".to_owned(),
        generated_at: generated_at.to_string(),
        model: ModelSummary {
            version,
            created_at: model.created_at.clone(),
            training_data_hash: model.training_data_hash.clone(),
            n_train: model.n_train,
            n_test: model.n_test,
            auc: m.auc,
            pr_auc: m.pr_auc,
            precision: m.precision,
            recall: m.recall,
            threshold: model.threshold,
            base_rate: model.base_rate,
            low_confidence: model.confidence.low,
        },
        data: DataSummary {
            source: "the model's held-out test rows".to_owned(),
            leads: m.n,
            closed: m.n,
            converted: m.positives,
        },
        roc: Vec::new(),
        pr: Vec::new(),
        calibration: calibration_from_bins(&model.metrics.calibration),
        grades: Vec::new(),
        lift: Vec::new(),
        features: compare_features(&weights(model), previous_weights.as_deref()),
        drift: None,
        backtests: Vec::new(),
        warnings: model.warnings.clone(),
    }
}

/// Scores the closed leads (curves, calibration, grades, lift, the model's
/// backtest row) and measures drift of the recent leads against them.
pub fn add_data(
    review: &mut Review,
    model: &ConversionModel,
    data: ReviewData<'_>,
) -> Result<(), ModelError> {
    let closed = data.closed;
    let assessment = assess(model, closed)?;
    let pairs: Vec<(f64, bool)> = assessment
        .scores
        .iter()
        .zip(&closed.labels)
        .map(|(s, &y)| (s.probability, y))
        .collect();
    let grades: Vec<String> = assessment
        .scores
        .iter()
        .map(|s| s.grade.to_string())
        .collect();
    let e = &assessment.evaluation;
    review.data = DataSummary {
        source: data.source.to_owned(),
        leads: data.population.ids.len(),
        closed: closed.labels.len(),
        converted: e.positives,
    };
    review.warnings.push(format!(
        "The figures below are measured on the closed leads of {}. If the model was trained \
         on them, they are optimistic: the artifact's held-out AUC is {}.",
        data.source,
        model
            .metrics
            .auc
            .map_or_else(|| "not known".to_owned(), |a| format!("{a:.3}"))
    ));
    review.model.auc = e.auc;
    review.model.pr_auc = e.pr_auc;
    review.model.precision = e.precision;
    review.model.recall = e.recall;
    review.roc = roc_points(&pairs);
    review.pr = pr_points(&pairs);
    review.calibration = calibration_rows(&pairs);
    review.lift = lift_rows(&pairs);
    let graded = || {
        grades
            .iter()
            .map(String::as_str)
            .zip(closed.labels.iter().copied())
    };
    review.grades = grade_rows(graded(), &GRADES);
    review.backtests.push(BacktestRow {
        model: "Conversion model".to_owned(),
        kind: ScorerKind::Conversion,
        scored: pairs.len(),
        auc: e.auc,
        pr_auc: e.pr_auc,
        top_decile_lift: e.top_decile_lift,
        grades: review.grades.clone(),
    });
    let reference_scores: Vec<f64> = pairs.iter().map(|(p, _)| *p).collect();
    review.drift = drift(model, data, &reference_scores, &grades, review)?;
    Ok(())
}

/// Drift of the leads created in the recent window against the closed leads;
/// `None` (with a warning) when no lead is recent.
fn drift(
    model: &ConversionModel,
    data: ReviewData<'_>,
    reference_scores: &[f64],
    grades: &[String],
    review: &mut Review,
) -> Result<Option<DriftSection>, ModelError> {
    let population = data.population;
    let since = data
        .at
        .as_micros()
        .saturating_sub(i64::from(data.recent_days).saturating_mul(86_400_000_000));
    let recent: Vec<usize> = (0..population.ids.len())
        .filter(|&i| {
            population
                .created_at
                .get(i)
                .is_some_and(|t| t.as_micros() >= since)
        })
        .collect();
    if recent.is_empty() {
        review.warnings.push(format!(
            "No lead was created in the {} days before {}: no drift figures.",
            data.recent_days, data.at
        ));
        return Ok(None);
    }
    let encoded = model.encoder.transform(&population.features)?;
    let recent_rows: Vec<Vec<f64>> = recent
        .iter()
        .filter_map(|&i| encoded.get(i).cloned())
        .collect();
    let scorer = Scorer::new(model);
    let mut work = Vec::new();
    let recent_scores: Vec<f64> = recent_rows
        .iter()
        .map(|r| scorer.score(r, &mut work).probability)
        .collect();
    // Outcomes as they arrive: closed leads created in the window, by grade.
    let recent_ids: HashSet<&str> = recent
        .iter()
        .filter_map(|&i| population.ids.get(i).map(String::as_str))
        .collect();
    let closed = data.closed;
    let recent_outcomes = grades
        .iter()
        .zip(closed.ids.iter().zip(&closed.labels))
        .filter(|(_, (id, _))| recent_ids.contains(id.as_str()))
        .map(|(g, (_, &y))| (g.as_str(), y));
    let grade_outcomes = grade_rows(recent_outcomes, &GRADES);
    let window = format!(
        "leads created in the {} days before {} (n={})",
        data.recent_days,
        data.at,
        recent_rows.len()
    );
    let names = model.encoder.feature_names();
    // Against the training rows' distributions when the model recorded them;
    // else against the closed leads of the data.
    Ok(Some(match &model.reference {
        Some(trained) => DriftSection {
            reference: format!(
                "the {} rows the model was trained on (recorded at training) vs {window}",
                trained.rows
            ),
            score_psi: trained.scores.as_ref().and_then(|b| b.psi(&recent_scores)),
            features: feature_drift_against(names, &trained.features, &recent_rows),
            grade_outcomes,
        },
        None => {
            let reference = model.encoder.transform(&data.closed.features)?;
            DriftSection {
                reference: format!(
                    "the closed leads the model is measured on (n={}) vs {window}",
                    reference.len()
                ),
                score_psi: score_drift(reference_scores, &recent_scores),
                features: feature_drift(names, &reference, &recent_rows),
                grade_outcomes,
            }
        }
    }))
}

/// Backtests each of the evaluator's rule models on its closed leads for
/// which `keep` holds (every one, or the review's sample of them) and adds
/// the results beside the conversion model's.
pub fn add_rule_backtests(
    review: &mut Review,
    evaluator: &Evaluator<'_>,
    keep: &dyn Fn(&Lead) -> bool,
) {
    review.backtests.extend(
        backtest_where(evaluator, None, keep)
            .models
            .into_iter()
            .map(rule_backtest_row),
    );
}

/// A rule model's backtest as a row beside the conversion model's.
fn rule_backtest_row(m: ModelBacktest) -> BacktestRow {
    BacktestRow {
        model: m.model,
        kind: ScorerKind::Rule,
        scored: m.scored,
        auc: m.auc,
        pr_auc: m.pr_auc,
        top_decile_lift: m.top_decile_lift,
        grades: m
            .grades
            .into_iter()
            .map(|g| GradeRow {
                grade: g.group,
                leads: g.leads,
                converted: g.qualified,
                conversion_rate: g.conversion_rate,
            })
            .collect(),
    }
}
