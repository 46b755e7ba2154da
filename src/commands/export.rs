//! `leadscore export`

use std::time::Instant;

use leadscore_files::{Format, write_folder};
use leadscore_store::Store;
use serde::Serialize;

use crate::cli::{ExportArgs, FileFormat};
use crate::commands::{open_existing_store, runtime};
use crate::output::print_summary;
use crate::progress;

#[derive(Serialize)]
struct Summary {
    database: String,
    out: String,
    accounts: usize,
    contacts: usize,
    leads: usize,
    interactions: usize,
    custom_records: usize,
    seconds: f64,
}

pub fn run(args: ExportArgs) -> anyhow::Result<()> {
    runtime()?.block_on(export(args))
}

async fn export(args: ExportArgs) -> anyhow::Result<()> {
    let (url, store) = open_existing_store(&args.database.database, "export").await?;
    let started = Instant::now();
    let spinner = progress::spinner("exporting");
    let data = store.export().await?;
    let format = match args.format {
        FileFormat::Csv => Format::Csv,
        FileFormat::Parquet => Format::Parquet,
    };
    let out = args.out.clone();
    let data =
        tokio::task::spawn_blocking(move || write_folder(&data, &out, format).map(|()| data))
            .await??;
    spinner.finish_and_clear();
    let summary = Summary {
        database: url.redacted(),
        out: args.out.display().to_string(),
        accounts: data.accounts.len(),
        contacts: data.contacts.len(),
        leads: data.leads.len(),
        interactions: data.interactions.len(),
        custom_records: data.custom.values().map(Vec::len).sum(),
        seconds: started.elapsed().as_secs_f64(),
    };
    print_summary(args.json, &summary, || {
        format!(
            "exported {} accounts, {} contacts, {} leads, {} interactions, {} custom records to {} in {:.1}s",
            summary.accounts,
            summary.contacts,
            summary.leads,
            summary.interactions,
            summary.custom_records,
            summary.out,
            summary.seconds
        )
    });
    Ok(())
}
