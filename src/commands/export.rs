//! `leadscore export`

use std::time::Instant;

use leadscore_files::{FilesError, FolderWriter, Format};
use leadscore_store::{ExportScope, StoreCounts, StreamedExportError};
use serde::Serialize;

use crate::cli::{ExportArgs, FileFormat};
use crate::commands::{open_existing_store, runtime};
use crate::output::print_summary;
use crate::progress;

#[derive(Serialize)]
struct Summary {
    database: String,
    out: String,
    /// The records written, of each type (`accounts`, ..).
    #[serde(flatten)]
    counts: StoreCounts,
    seconds: f64,
}

pub fn run(args: ExportArgs) -> anyhow::Result<()> {
    runtime()?.block_on(export(args))
}

async fn export(args: ExportArgs) -> anyhow::Result<()> {
    let (url, store) = open_existing_store(&args.database.database, "export").await?;
    let started = Instant::now();
    let format = match args.format {
        FileFormat::Csv => Format::Csv,
        FileFormat::Parquet => Format::Parquet,
    };
    let out = args.out.clone();
    // Read a chunk at a time from one snapshot and written as it comes: the
    // files are moved into place only once every record was read.
    let (writer, counts) = store
        .records()
        .export_streamed(ExportScope::Everything, move |plan, chunks| {
            let bar = progress::bar(plan.counts.total(), "exporting", "records");
            let mut writer = FolderWriter::create(&out, format, &plan.names)?;
            for chunk in chunks {
                writer.write(&chunk)?;
                bar.inc(chunk.len() as u64);
            }
            bar.finish_and_clear();
            Ok::<_, FilesError>((writer, plan.counts))
        })
        .await
        .map_err(|e| match e {
            StreamedExportError::Write(e) => anyhow::Error::new(e),
            StreamedExportError::Store(e) => anyhow::Error::new(e),
        })?;
    tokio::task::spawn_blocking(move || writer.finish()).await??;
    let summary = Summary {
        database: url.redacted(),
        out: args.out.display().to_string(),
        counts,
        seconds: started.elapsed().as_secs_f64(),
    };
    print_summary(args.json, &summary, || {
        format!(
            "exported {} accounts, {} contacts, {} leads, {} interactions, {} custom records to {} in {:.1}s",
            summary.counts.accounts,
            summary.counts.contacts,
            summary.counts.leads,
            summary.counts.interactions,
            summary.counts.custom_records,
            summary.out,
            summary.seconds
        )
    });
    Ok(())
}
