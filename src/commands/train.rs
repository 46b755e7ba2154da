//! `leadscore train`

use std::io::{BufWriter, Write};
use std::path::Path;

use anyhow::Context;
use leadscore_domain::spreadsheet::safe_cell;
use leadscore_fs::AtomicFile;
use leadscore_model::{
    Assessment, ClassWeight, ConversionModel, GradeBands, MetricsJson, Solver, SplitKind,
    TrainParams, Trained, to_artifact_json,
};
use serde::Serialize;

use crate::cli::{SolverArg, SplitArg, TrainArgs};
use crate::commands::mapped::Input;
use crate::commands::model_data::{Parts, read_labelled, read_training};
use crate::commands::{declared, future_tolerance, scratch_beside};
use crate::output::print_summary;
use crate::progress;

pub fn run(args: TrainArgs) -> anyhow::Result<()> {
    let input = Input::open(&args.data, args.map.map.as_deref(), false)?;
    train(&args, &input).map_err(|e| input.relocate(e))
}

fn train(args: &TrainArgs, input: &Input) -> anyhow::Result<()> {
    let params = TrainParams {
        seed: args.seed,
        split: match args.split {
            SplitArg::Stratified => SplitKind::Stratified,
            SplitArg::Time => SplitKind::Time,
        },
        test_fraction: args.test_fraction,
        grades: GradeBands::parse(&args.grades).context("--grades")?,
        low_confidence_auc: args.min_auc,
        min_per_class: args.min_per_class,
        max_iterations: args.max_iterations,
        solver: match args.solver {
            SolverArg::Fused => Solver::Fused,
            SolverArg::LinfaLogistic => Solver::LinfaLogistic,
        },
        class_weight: if args.balance {
            ClassWeight::Balanced
        } else {
            ClassWeight::Unweighted
        },
        ..TrainParams::default()
    };
    params.validate()?;

    let tolerance = future_tolerance(args.settings.config.as_deref())?;
    let declared = input.declare(declared(args.settings.config.as_deref())?);
    let reading = progress::reading(input.path().is_dir(), &args.data);
    let parts = Parts {
        leads_per_part: args.leads_per_part,
        scratch: scratch_beside(&args.out),
        bar: &reading,
    };
    let data = read_training(
        &parts,
        input.path(),
        args.target.as_deref(),
        args.positive.as_deref(),
        &args.exclude,
        tolerance,
        &declared,
    )?;
    let test = match &args.test_data {
        Some(path) => Some(read_labelled(
            &parts,
            path,
            &data.source,
            tolerance,
            &declared,
        )?),
        None => None,
    };
    let created_at = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    progress::records_read(&reading, "training");
    let mut shown = progress::Training::new(reading);
    // The rows go to the fit, which splits them a column at a time and
    // drops the training part's table once encoded.
    let trained = params
        .fit_owned(
            data.rows,
            test,
            data.source.clone(),
            &created_at,
            &mut |stage| shown.stage(stage),
        )
        .with_context(|| format!("training on {}", args.data.display()));
    shown.finish();
    let trained = trained?;

    let split = if args.test_data.is_some() {
        "test_data"
    } else {
        match args.split {
            SplitArg::Stratified => "stratified",
            SplitArg::Time => "time",
        }
    };
    let metrics = MetricsJson::new(&trained.model, &trained.model.metrics, split);
    let quality = QualityJson {
        folder: data.folder_quality.as_ref(),
        leakage: &trained.leakage,
        duplicates: trained.duplicates,
        warnings: &trained.model.warnings,
    };
    write_outputs(&args.out, &trained, &metrics, &quality)?;

    for warning in &trained.model.warnings {
        eprintln!("warning: {warning}");
    }
    if let Some(q) = data.folder_quality.as_ref().filter(|q| !q.is_clean()) {
        for line in q.to_string().lines() {
            eprintln!("data quality: {line}");
        }
    }
    let summary = TrainSummary {
        ok: true,
        out: args.out.display().to_string(),
        metrics: &metrics,
        strongest: strongest_features(&trained.model, 8),
    };
    print_summary(args.json, &summary, || {
        human(&summary, &trained, params.cv_folds)
    });
    Ok(())
}

/// Writes model.json, metrics.json, errors.csv and quality.json, each through a
/// temporary file, and publishes them only once all four are complete.
fn write_outputs(
    out: &Path,
    trained: &Trained,
    metrics: &MetricsJson<'_>,
    quality: &QualityJson,
) -> anyhow::Result<()> {
    std::fs::create_dir_all(out).with_context(|| format!("cannot create {}", out.display()))?;
    let model_path = out.join("model.json");
    let mut model = AtomicFile::create(&model_path)?;
    model
        .write_all(to_artifact_json(&trained.model)?.as_bytes())
        .with_context(|| format!("cannot write {}", model_path.display()))?;

    let metrics_path = out.join("metrics.json");
    let mut metrics_file = AtomicFile::create(&metrics_path)?;
    writeln!(metrics_file, "{}", serde_json::to_string_pretty(metrics)?)
        .with_context(|| format!("cannot write {}", metrics_path.display()))?;

    let quality_path = out.join("quality.json");
    let mut quality_file = AtomicFile::create(&quality_path)?;
    writeln!(quality_file, "{}", serde_json::to_string_pretty(quality)?)
        .with_context(|| format!("cannot write {}", quality_path.display()))?;

    let errors_path = out.join("errors.csv");
    let errors = write_errors(&errors_path, &trained.test)?;

    model.commit()?;
    metrics_file.commit()?;
    quality_file.commit()?;
    errors.commit()?;
    Ok(())
}

/// The false positives and false negatives as CSV, in a file not yet committed.
pub fn write_errors(path: &Path, assessment: &Assessment) -> anyhow::Result<AtomicFile> {
    let file = AtomicFile::create(path)?;
    let mut w = csv::Writer::from_writer(BufWriter::new(file));
    w.write_record([
        "lead_id",
        "error",
        "probability",
        "score",
        "grade",
        "top_positive",
        "top_negative",
    ])?;
    for m in &assessment.misclassified {
        w.write_record([
            safe_cell(m.id.as_str()).as_ref(),
            m.error,
            &format!("{:.4}", m.probability),
            &m.score.to_string(),
            &m.grade.to_string(),
            safe_cell(&m.top_positive).as_ref(),
            safe_cell(&m.top_negative).as_ref(),
        ])?;
    }
    let inner = w
        .into_inner()
        .map_err(|e| anyhow::anyhow!("cannot write {}: {}", path.display(), e.error()))?;
    inner
        .into_inner()
        .map_err(|e| anyhow::anyhow!("cannot write {}: {}", path.display(), e.error()))
}

#[derive(Debug, Serialize)]
struct QualityJson<'a> {
    folder: Option<&'a leadscore_files::FolderQuality>,
    leakage: &'a [leadscore_model::LeakageFlag],
    duplicates: leadscore_model::Duplicates,
    warnings: &'a [String],
}

#[derive(Debug, Serialize)]
struct Strength {
    feature: String,
    weight: f64,
}

/// The features with the largest weights in the published log-odds (each
/// numeric feature is standardized, so weights compare); none for a model
/// family not linear in the encoded features.
fn strongest_features(model: &ConversionModel, n: usize) -> Vec<Strength> {
    let Some(linear) = model.published_linear() else {
        return Vec::new();
    };
    let mut all: Vec<Strength> = linear
        .weights
        .iter()
        .enumerate()
        .map(|(i, w)| Strength {
            feature: model
                .encoder
                .describe(i)
                .map_or_else(|| format!("feature {i}"), |d| d.to_string()),
            weight: *w,
        })
        .collect();
    all.sort_by(|a, b| b.weight.abs().total_cmp(&a.weight.abs()));
    all.truncate(n);
    all
}

#[derive(Debug, Serialize)]
struct TrainSummary<'a> {
    ok: bool,
    out: String,
    metrics: &'a MetricsJson<'a>,
    strongest: Vec<Strength>,
}

fn human(s: &TrainSummary, trained: &Trained, folds: usize) -> String {
    let m = s.metrics;
    let mut out = format!(
        "trained on {} leads, tested on {} ({} split); written to {}\n{}\n\
         L2 penalty {} chosen by {}-fold cross-validation\n",
        m.n_train,
        m.n_test,
        m.split,
        s.out,
        m.text(),
        m.l2,
        folds,
    );
    if m.low_confidence {
        out.push_str("LOW CONFIDENCE: scores are pulled towards the base rate and rounded down to a multiple of 10\n");
    }
    out.push_str("strongest features (log-odds per unit):\n");
    for f in &s.strongest {
        out.push_str(&format!("  {:+.3}  {}\n", f.weight, f.feature));
    }
    out.push_str(&format!(
        "{} false positives and false negatives in errors.csv",
        trained.test.misclassified.len()
    ));
    out
}
