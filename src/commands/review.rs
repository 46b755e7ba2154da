//! `leadscore review`: the conversion model's quarterly feature review.

use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use leadscore_domain::{FutureLimit, Timestamp};
use leadscore_files::{LeadRowOptions, LeadSelection, newest_lead};
use leadscore_model::{ConversionModel, TrainingSource, load};
use leadscore_report::{
    Population, Review, ReviewData, add_data, add_rule_backtests, base_review, render_html,
};
use leadscore_rules::Evaluator;
use serde::Serialize;

use crate::cli::ReviewArgs;
use crate::commands::model_data::{Parts, fill_missing_columns, model_file, read_labelled};
use crate::commands::rules::{load_graph, load_plans};
use crate::commands::{declared, future_tolerance, parse_at, scratch_beside};
use crate::output::print_summary;
use crate::progress;

pub fn run(args: ReviewArgs) -> anyhow::Result<()> {
    let model = load(&model_file(&args.model))?;
    let previous = args
        .previous
        .as_deref()
        .map(|p| load(&model_file(p)))
        .transpose()?;
    let mut review = base_review(&model, previous.as_ref(), None, Timestamp::now());
    if let Some(data) = &args.data {
        if !data.is_dir() {
            bail!("{}: --data must be a DATA.md folder", data.display());
        }
        add_folder(&mut review, &model, data, &args)?;
    } else {
        review.warnings.push(
            "No --data given: the curves, grades, lift, drift and backtests need closed leads, \
             so only the model's own figures are shown."
                .to_owned(),
        );
    }
    let html = render_html(&review);
    leadscore_fs::write_atomic(&args.out, html.as_bytes())?;
    if let Some(path) = &args.out_json {
        let json = serde_json::to_vec_pretty(&review).context("the review as JSON")?;
        leadscore_fs::write_atomic(path, &json)?;
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

/// Scores the folder's closed leads, measures drift of its recent leads, and
/// backtests the rule models on the same closed leads.
fn add_folder(
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
    let tolerance = future_tolerance(args.settings.config.as_deref())?;
    let declared = declared(args.settings.config.as_deref())?;
    let spinner = progress::records(&format!("reading {}", data.display()));
    let parts = Parts {
        leads_per_part: leadscore_files::LEADS_PER_PART,
        scratch: scratch_beside(&args.out),
        bar: &spinner,
    };
    let mut closed = read_labelled(&parts, data, &model.source, tolerance, &declared)?;
    progress::records_read(&spinner, "reading the open leads");
    fill_missing_columns(model, &mut closed.features, data, true)?;
    if closed.labels.is_empty() {
        bail!(
            "{} holds no closed (qualified or disqualified) lead",
            data.display()
        );
    }
    let read_all = |at: Timestamp| {
        parts.read(
            data,
            &LeadRowOptions {
                select: LeadSelection::All,
                kinds: kinds.clone(),
                at: Some(at),
                future_tolerance: tolerance,
                declared: declared.clone(),
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
            // As of the newest lead's creation: the leads files tell it.
            let now = Timestamp::now();
            let options = LeadRowOptions {
                future_tolerance: tolerance,
                declared: declared.clone(),
                ..LeadRowOptions::default()
            };
            let newest = newest_lead(data, &options, now, &mut |read| {
                spinner.set_length(read.total);
                spinner.set_position(read.done);
            })?
            .unwrap_or(now);
            (newest, read_all(newest)?)
        }
    };
    let mut population = Population {
        ids: all.lead_ids,
        created_at: all.created_at,
        features: all.features,
    };
    fill_missing_columns(model, &mut population.features, data, true)?;
    spinner.set_message("scoring");
    let source = data.display().to_string();
    add_data(
        review,
        model,
        ReviewData {
            source: &source,
            closed: &closed,
            population: &population,
            at,
            recent_days: args.recent_days,
        },
    )
    .with_context(|| format!("scoring {}", data.display()))?;

    if !args.rules.is_empty() {
        spinner.set_message("backtesting the rule models");
        let paths = rule_files(&args.rules)?;
        let plans = load_plans(&paths)?;
        let graph = load_graph(
            data,
            &plans,
            FutureLimit::new(tolerance, Some(at)),
            declared,
        )?
        .graph;
        let evaluator = Evaluator::new(&graph, &plans);
        add_rule_backtests(review, &evaluator, &|_| true);
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
