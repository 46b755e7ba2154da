//! `leadscore evaluate`

use anyhow::Context;
use leadscore_model::{MetricsJson, assess, load};
use serde::Serialize;

use crate::cli::EvaluateArgs;
use crate::commands::model_data::{Parts, fill_missing_columns, model_file, read_labelled};
use crate::commands::train::write_errors;
use crate::commands::{declared, future_tolerance, scratch_beside};
use crate::output::print_summary;
use crate::progress;

pub fn run(args: EvaluateArgs) -> anyhow::Result<()> {
    let model = load(&model_file(&args.model))?;
    let tolerance = future_tolerance(args.settings.config.as_deref())?;
    let declared = declared(args.settings.config.as_deref())?;
    let spinner = progress::reading(args.data.is_dir(), &args.data);
    // The parts of a folder go where the errors file goes, or to the
    // system's temporary folder.
    let temp = std::env::temp_dir();
    let parts = Parts {
        leads_per_part: leadscore_files::LEADS_PER_PART,
        scratch: args
            .errors
            .as_deref()
            .map_or(temp.as_path(), scratch_beside),
        bar: &spinner,
    };
    let mut rows = read_labelled(&parts, &args.data, &model.source, tolerance, &declared)?;
    progress::records_read(&spinner, "scoring");
    fill_missing_columns(&model, &mut rows.features, &args.data, true)?;
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
