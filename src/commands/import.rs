//! `leadscore import`

use std::time::Instant;

use leadscore_domain::FutureLimit;
use leadscore_files::{ReadOptions, read_folder_with_limit};
use leadscore_store::{ImportSummary, Store};
use serde::Serialize;

use crate::cli::ImportArgs;
use crate::commands::{future_tolerance, open_store, runtime};
use crate::output::{ProblemJson, print_summary};
use crate::progress;

#[derive(Serialize)]
struct Summary {
    database: String,
    imported: ImportSummary,
    rows: u64,
    skipped: Vec<ProblemJson>,
    read_seconds: f64,
    write_seconds: f64,
    rows_per_second: f64,
}

pub fn run(args: ImportArgs) -> anyhow::Result<()> {
    runtime()?.block_on(import(args))
}

async fn import(args: ImportArgs) -> anyhow::Result<()> {
    let tolerance = future_tolerance(args.settings.config.as_deref())?;
    let (url, store) = open_store(&args.database.database).await?;
    let started = Instant::now();
    let spinner = progress::spinner(&format!("reading {}", args.dir.display()));
    let options = ReadOptions {
        skip_bad_rows: args.skip_bad_rows,
    };
    let dir = args.dir.clone();
    let parsed = tokio::task::spawn_blocking(move || {
        read_folder_with_limit(&dir, &options, &FutureLimit::new(tolerance, None))
    })
    .await??;
    let external = store.existing_ids(&parsed.unresolved_ids()).await?;
    let loaded = parsed.resolve(&external)?;
    spinner.finish_and_clear();
    let read_seconds = started.elapsed().as_secs_f64();

    let total = loaded.dataset.len() as u64;
    let bar = progress::bar(total, "importing", "records");
    let written = Instant::now();
    let imported = store
        .import(&loaded.dataset, &|done| bar.set_position(done))
        .await?;
    bar.finish_and_clear();
    let write_seconds = written.elapsed().as_secs_f64();

    for p in &loaded.skipped {
        eprintln!("skipped: {p}");
    }
    let summary = Summary {
        database: url.redacted(),
        rows: total,
        rows_per_second: total as f64 / (read_seconds + write_seconds).max(1e-9),
        imported,
        skipped: loaded.skipped.iter().map(ProblemJson::from).collect(),
        read_seconds,
        write_seconds,
    };
    print_summary(args.json, &summary, || {
        let i = &summary.imported;
        format!(
            "imported {} accounts, {} contacts, {} leads, {} interactions, {} custom records into {} ({} rows skipped) in {:.1}s",
            i.accounts,
            i.contacts,
            i.leads,
            i.interactions,
            i.custom_records,
            summary.database,
            summary.skipped.len(),
            summary.read_seconds + summary.write_seconds
        )
    });
    Ok(())
}
