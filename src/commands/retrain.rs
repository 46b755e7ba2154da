//! `leadscore retrain`

use std::sync::{Arc, Mutex};

use anyhow::Context;
use leadscore_engine::Settings;
use leadscore_engine::retrain::{Outcome, RetrainProgress, Trigger, retrain_with_progress};
use leadscore_store::DEFAULT_SQLITE_FILE;
use serde::Serialize;

use crate::cli::RetrainArgs;
use crate::commands::{open_existing_store, parse_at, runtime};
use crate::output::print_summary;
use crate::progress;

#[derive(Serialize)]
struct Summary<'a> {
    database: String,
    published: bool,
    #[serde(flatten)]
    outcome: &'a Outcome,
}

pub fn run(args: RetrainArgs) -> anyhow::Result<()> {
    runtime()?.block_on(run_async(args))
}

async fn run_async(args: RetrainArgs) -> anyhow::Result<()> {
    let settings = Settings::load(args.config.as_deref())?;
    let mut retraining = settings.retraining.clone();
    if let Some(days) = args.window_days {
        retraining.window_days = days;
    }
    if let Some(share) = args.min_auc_share {
        retraining.min_auc_share = share;
    }
    if let Some(days) = args.max_champion_age_days {
        retraining.max_champion_age_days = days;
    }
    retraining.validate().context("retraining settings")?;
    let at = parse_at(args.at.as_deref())?;
    let database = args
        .database
        .clone()
        .or_else(|| settings.database.clone())
        .unwrap_or_else(|| DEFAULT_SQLITE_FILE.to_owned());
    let (url, store) = open_existing_store(&database, "retrain").await?;
    let shown = Arc::new(Mutex::new(progress::Training::new(progress::spinner(
        "retraining",
    ))));
    let on_stage: RetrainProgress = {
        let shown = Arc::clone(&shown);
        Arc::new(move |stage| {
            if let Ok(mut shown) = shown.lock() {
                shown.retrain_stage(stage);
            }
        })
    };
    let outcome = retrain_with_progress(&store, &retraining, Trigger::Command, at, on_stage).await;
    if let Ok(mut shown) = shown.lock() {
        shown.finish();
    }
    let outcome = outcome?.context("the run was not started")?;
    let summary = Summary {
        database: url.redacted(),
        published: outcome.decision.publishes(),
        outcome: &outcome,
    };
    print_summary(args.json, &summary, || human(&summary));
    Ok(())
}

fn auc(x: Option<f64>) -> String {
    x.map_or_else(|| "-".to_owned(), |x| format!("{x:.3}"))
}

fn human(s: &Summary<'_>) -> String {
    let o = s.outcome;
    let verdict = if s.published {
        "published: it is live now"
    } else {
        "kept as a challenger, scored in shadow; the live model is unchanged"
    };
    let champion = o
        .champion
        .map_or_else(|| "none".to_owned(), |v| format!("v{v}"));
    format!(
        "retraining run {}: v{} trained on {} closed leads ({} held out) in {}\n\
         held-out AUC: new {}, live model ({champion}) {}\n\
         v{} {verdict}\nwhy: {}",
        o.run_id,
        o.version,
        o.leads - o.held_out,
        o.held_out,
        s.database,
        auc(o.challenger_auc),
        auc(o.champion_auc),
        o.version,
        o.decision.reason()
    )
}
