//! `leadscore review`: the conversion model's quarterly feature review.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use leadscore_domain::Timestamp;
use leadscore_files::{LeadRowOptions, LeadSelection, read_lead_rows};
use leadscore_model::{ConversionModel, Scorer, TrainingSource, assess, load};
use leadscore_report::{
    BacktestRow, DataSummary, DriftSection, GradeRow, ModelSummary, Review, ScorerKind,
    calibration_from_bins, calibration_rows, compare_features, feature_drift, grade_rows,
    lift_rows, pr_points, render_html, roc_points, score_drift,
};
use leadscore_rules::{Evaluator, backtest};
use serde::Serialize;

use crate::cli::ReviewArgs;
use crate::commands::model_data::{fill_missing_columns, model_file, read_labelled};
use crate::commands::rules::{load_graph, load_plans};
use crate::commands::{parse_at, publish, staged};
use crate::output::print_summary;
use crate::progress;

const GRADES: [&str; 4] = ["A", "B", "C", "D"];

pub fn run(args: ReviewArgs) -> anyhow::Result<()> {
    let model = load(&model_file(&args.model))?;
    let previous = args
        .previous
        .as_deref()
        .map(|p| load(&model_file(p)))
        .transpose()?;
    let mut review = base_review(&model, previous.as_ref());
    if let Some(data) = &args.data {
        if !data.is_dir() {
            bail!("{}: --data must be a DATA.md folder", data.display());
        }
        add_data(&mut review, &model, data, &args)?;
    } else {
        review.warnings.push(
            "No --data given: the curves, grades, lift, drift and backtests need closed leads, \
             so only the model's own figures are shown."
                .to_owned(),
        );
    }
    let html = render_html(&review);
    write_atomically(&args.out, html.as_bytes())?;
    if let Some(path) = &args.out_json {
        let json = serde_json::to_vec_pretty(&review).context("the review as JSON")?;
        write_atomically(path, &json)?;
    }
    let summary = Summary {
        out: args.out.display().to_string(),
        out_json: args.out_json.as_ref().map(|p| p.display().to_string()),
        closed: review.data.closed,
        auc: review.model.auc,
        drift_alarms: review.drift.as_ref().map_or(0, |d| {
            d.features
                .iter()
                .filter(|f| f.level != leadscore_report::DriftLevel::Stable)
                .count()
        }),
        warnings: review.warnings.clone(),
    };
    print_summary(args.json, &summary, || {
        let mut text = format!("wrote {}", summary.out);
        if let Some(j) = &summary.out_json {
            text.push_str(&format!(" and {j}"));
        }
        text.push_str(&format!(
            " ({} closed leads; {} features drifting)",
            summary.closed, summary.drift_alarms
        ));
        text
    });
    Ok(())
}

#[derive(Serialize)]
struct Summary {
    out: String,
    out_json: Option<String>,
    closed: usize,
    auc: Option<f64>,
    drift_alarms: usize,
    warnings: Vec<String>,
}

fn write_atomically(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    use std::io::Write;
    let mut file = staged(path)?;
    file.write_all(bytes)
        .with_context(|| format!("cannot write {}", path.display()))?;
    publish(file, path)
}

/// What the artifacts alone tell: the model's held-out figures and weights.
fn base_review(model: &ConversionModel, previous: Option<&ConversionModel>) -> Review {
    // One weight per encoded column (a bin, a category, a missing flag).
    let weights = |m: &ConversionModel| -> Vec<(String, f64)> {
        m.encoder
            .feature_names()
            .iter()
            .cloned()
            .zip(m.published_linear().weights)
            .collect()
    };
    let previous_weights = previous.map(weights);
    let m = &model.metrics;
    Review {
        title: "Conversion model review".to_owned(),
        generated_at: Timestamp::now().to_string(),
        model: ModelSummary {
            version: None,
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

/// Scores the folder's closed leads, measures drift of its recent leads, and
/// backtests the rule models on the same closed leads.
fn add_data(
    review: &mut Review,
    model: &ConversionModel,
    data: &Path,
    args: &ReviewArgs,
) -> anyhow::Result<()> {
    let TrainingSource::Folder { kinds, .. } = &model.source else {
        bail!(
            "{}: the model was trained on a flat table; review it with the folder it came from",
            data.display()
        );
    };
    let spinner = progress::spinner(&format!("reading {}", data.display()));
    let mut closed = read_labelled(data, &model.source)?;
    fill_missing_columns(model, &mut closed.features, data)?;
    if closed.labels.is_empty() {
        bail!(
            "{} holds no closed (qualified or disqualified) lead",
            data.display()
        );
    }
    spinner.set_message("scoring");
    let assessment =
        assess(model, &closed).with_context(|| format!("scoring {}", data.display()))?;
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
        source: data.display().to_string(),
        leads: closed.labels.len(),
        closed: closed.labels.len(),
        converted: e.positives,
    };
    review.warnings.push(format!(
        "The figures below are measured on the closed leads of {}. If the model was trained \
         on them, they are optimistic: the artifact's held-out AUC is {}.",
        data.display(),
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

    spinner.set_message("measuring drift");
    let read_all = |at: Timestamp| {
        read_lead_rows(
            data,
            &LeadRowOptions {
                select: LeadSelection::All,
                kinds: kinds.clone(),
                at: Some(at),
                ..LeadRowOptions::default()
            },
        )
    };
    let (at, all) = match &args.at {
        Some(text) => {
            let at = parse_at(Some(text))?;
            (at, read_all(at)?)
        }
        None => {
            // As of the newest lead's creation: read once to find it.
            let newest = read_all(Timestamp::now())?
                .created_at
                .iter()
                .max()
                .copied()
                .unwrap_or_else(Timestamp::now);
            (newest, read_all(newest)?)
        }
    };
    review.data.leads = all.lead_ids.len();
    let since = at.as_micros() - i64::from(args.recent_days) * 86_400_000_000;
    let mut features = all.features;
    fill_missing_columns(model, &mut features, data)?;
    let encoded = model
        .encoder
        .transform(&features)
        .with_context(|| format!("encoding {}", data.display()))?;
    let recent: Vec<usize> = (0..all.lead_ids.len())
        .filter(|&i| {
            all.created_at
                .get(i)
                .is_some_and(|t| t.as_micros() >= since)
        })
        .collect();
    let reference = model
        .encoder
        .transform(&closed.features)
        .with_context(|| format!("encoding {}", data.display()))?;
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
    let reference_scores: Vec<f64> = pairs.iter().map(|(p, _)| *p).collect();
    // Outcomes as they arrive: closed leads created in the window, by grade.
    let recent_ids: HashSet<&str> = recent
        .iter()
        .filter_map(|&i| all.lead_ids.get(i).map(String::as_str))
        .collect();
    let recent_outcomes = grades
        .iter()
        .zip(closed.ids.iter().zip(&closed.labels))
        .filter(|(_, (id, _))| recent_ids.contains(id.as_str()))
        .map(|(g, (_, &y))| (g.as_str(), y));
    if recent_rows.is_empty() {
        review.warnings.push(format!(
            "No lead was created in the {} days before {at}: no drift figures.",
            args.recent_days
        ));
    } else {
        review.drift = Some(DriftSection {
            reference: format!(
                "the closed leads the model is measured on (n={}) vs leads created in the {} days before {} (n={})",
                reference.len(),
                args.recent_days,
                at,
                recent_rows.len()
            ),
            score_psi: score_drift(&reference_scores, &recent_scores),
            features: feature_drift(model.encoder.feature_names(), &reference, &recent_rows),
            grade_outcomes: grade_rows(recent_outcomes, &GRADES),
        });
    }

    if !args.rules.is_empty() {
        spinner.set_message("backtesting the rule models");
        let paths = rule_files(&args.rules)?;
        let plans = load_plans(&paths)?;
        let graph = load_graph(data, &plans)?;
        let evaluator = Evaluator::new(&graph, &plans);
        for m in backtest(&evaluator, None).models {
            review.backtests.push(BacktestRow {
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
            });
        }
    }
    spinner.finish_and_clear();
    Ok(())
}

/// Model files: the paths given, and the .yaml/.yml/.json files of folders.
fn rule_files(paths: &[PathBuf]) -> anyhow::Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    for path in paths {
        if path.is_dir() {
            let mut files: Vec<PathBuf> = std::fs::read_dir(path)
                .with_context(|| format!("cannot read {}", path.display()))?
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| {
                    p.extension()
                        .and_then(|x| x.to_str())
                        .is_some_and(|x| matches!(x, "yaml" | "yml" | "json"))
                })
                .collect();
            files.sort();
            if files.is_empty() {
                bail!(
                    "{}: no rule model (.yaml, .yml or .json) in this folder",
                    path.display()
                );
            }
            out.extend(files);
        } else {
            out.push(path.clone());
        }
    }
    Ok(out)
}
