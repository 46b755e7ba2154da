//! `leadscore evaluate`

use anyhow::Context;
use leadscore_model::{MetricsJson, assess, load};
use serde::Serialize;

use crate::cli::EvaluateArgs;
use crate::commands::model_data::{fill_missing_columns, model_file, read_labelled};
use crate::commands::train::write_errors;
use crate::commands::{declared, future_tolerance};
use crate::output::print_summary;
use crate::progress;

pub fn run(args: EvaluateArgs) -> anyhow::Result<()> {
    let model = load(&model_file(&args.model))?;
    let tolerance = future_tolerance(args.settings.config.as_deref())?;
    let declared = declared(args.settings.config.as_deref())?;
    let spinner = progress::spinner(&format!("reading {}", args.data.display()));
    let mut rows = read_labelled(&args.data, &model.source, tolerance, &declared)?;
    fill_missing_columns(&model, &mut rows.features, &args.data, true)?;
    spinner.set_message("scoring");
    let assessment =
        assess(&model, &rows).with_context(|| format!("scoring {}", args.data.display()))?;
    spinner.finish_and_clear();
    if let Some(path) = &args.errors {
        let file = write_errors(path, &assessment)?;
        file.commit()?;
    }
    if model.confidence.low {
        eprintln!(
            "warning: the model is low-confidence (held-out AUC {:.3} in training): its scores are pulled towards the base rate",
            model.confidence.auc
        );
    }
    let metrics = MetricsJson::new(&model, &assessment.evaluation, "evaluate");
    let summary = Summary {
        ok: true,
        data: args.data.display().to_string(),
        metrics: &metrics,
        misclassified: assessment.misclassified.len(),
    };
    print_summary(args.json, &summary, || {
        let e = &assessment.evaluation;
        format!(
            "{} leads ({} converted, {:.1}%) in {}\n{}",
            e.n,
            e.positives,
            e.base_rate * 100.0,
            summary.data,
            metrics.text()
        )
    });
    Ok(())
}

#[derive(Debug, Serialize)]
struct Summary<'a> {
    ok: bool,
    data: String,
    metrics: &'a MetricsJson<'a>,
    misclassified: usize,
}
