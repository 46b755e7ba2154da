//! `leadscore import`

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use indicatif::HumanCount;
use leadscore_domain::FutureLimit;
use leadscore_files::{FilesError, RowProblem, StreamOptions, stream_folder};
use leadscore_store::{ImportSummary, SqlStore, StoreError, StreamedImportError};
use serde::Serialize;

use crate::cli::ImportArgs;
use crate::commands::mapped::Input;
use crate::commands::{declared, future_tolerance, open_store, runtime};
use crate::output::{ProblemJson, print_summary};
use crate::progress;

/// How an import's leads are marked in their history and in the queue.
const CAUSE: &str = "import";
/// The rows of each record kind a dry run shows.
const SHOWN: usize = 5;
/// The widest cell a dry run shows.
const CELL: usize = 28;

#[derive(Serialize)]
struct Summary {
    database: String,
    imported: ImportSummary,
    /// Leads queued for rescoring (every lead whose records changed).
    queued: u64,
    rows: u64,
    skipped: Vec<ProblemJson>,
    read_seconds: f64,
    write_seconds: f64,
    rows_per_second: f64,
}

pub fn run(args: ImportArgs) -> anyhow::Result<()> {
    let input = Input::open(
        &args.dir,
        args.map.map.as_deref(),
        args.skip_bad_rows || args.dry_run,
    )?;
    let result = runtime()?.block_on(async {
        if args.dry_run {
            dry_run(&args, &input).await
        } else {
            import(&args, &input).await
        }
    });
    result.map_err(|e| input.relocate(e))
}

/// How the folder is streamed: every bad row kept when `keep_going`.
fn stream_options(
    args: &ImportArgs,
    input: &Input,
    keep_going: bool,
) -> anyhow::Result<StreamOptions> {
    Ok(StreamOptions {
        skip_bad_rows: keep_going,
        future: FutureLimit::new(future_tolerance(args.settings.config.as_deref())?, None),
        declared: input.declare(declared(args.settings.config.as_deref())?),
    })
}

/// A failed streamed import or check, as the command reports it.
fn streamed_error(error: StreamedImportError<FilesError>) -> anyhow::Error {
    match error {
        StreamedImportError::Read(e) => e.into(),
        StreamedImportError::Store(e) => e.into(),
    }
}

async fn import(args: &ImportArgs, input: &Input) -> anyhow::Result<()> {
    let (url, store) = open_store(&args.database.database).await?;
    let options = stream_options(args, input, args.skip_bad_rows)?;
    let dir = input.path().to_path_buf();
    let started = Instant::now();
    let counter = progress::records(&format!("importing {}", args.dir.display()));
    // The folder is streamed: each record checked (its references against
    // this import's records and the store's) and written in chunks into one
    // transaction, committed only when every record was read. A service
    // using this store rescores every lead whose records changed (queued in
    // the same transaction, as the HTTP ingest queues).
    // Once every record was read, the bar shows the writing that is left.
    let (shown, read) = (counter.clone(), Arc::new(AtomicU64::new(0)));
    let read_all = Arc::clone(&read);
    let written = |done: u64| {
        let read = read.load(Ordering::Relaxed);
        if read > 0 && done < read {
            counter.set_message(format!(
                "{} of {} records written, then the commit",
                HumanCount(done),
                HumanCount(read)
            ));
        } else if read > 0 {
            counter.set_message(format!(
                "{} records written; queueing the leads for rescoring and committing",
                HumanCount(read)
            ));
        }
    };
    let streamed = store
        .records()
        .import_streamed(CAUSE, &written, move |sink| {
            let summary = stream_folder(&dir, &mut progress::Counted::new(sink, &shown), &options)?;
            read_all.store(summary.records().max(1), Ordering::Relaxed);
            progress::records_read(&shown, "writing the last records, then the commit");
            Ok::<_, FilesError>((summary, Instant::now()))
        })
        .await;
    counter.finish_and_clear();
    let streamed = streamed.map_err(streamed_error)?;
    let (read, read_at) = streamed.read;
    let read_seconds = read_at.duration_since(started).as_secs_f64();
    let write_seconds = read_at.elapsed().as_secs_f64();

    let skipped = all_skipped(input, &read.skipped);
    for p in &skipped {
        eprintln!("skipped: {p}");
    }
    let total = streamed.imported.total();
    let summary = Summary {
        database: url.redacted(),
        rows: total,
        rows_per_second: total as f64 / (read_seconds + write_seconds).max(1e-9),
        imported: streamed.imported,
        queued: streamed.queued,
        skipped: skipped.iter().map(ProblemJson::from).collect(),
        read_seconds,
        write_seconds,
    };
    print_summary(args.json, &summary, || {
        let i = &summary.imported;
        format!(
            "imported {} accounts, {} contacts, {} leads, {} interactions, {} custom records into {} ({} rows skipped; {} leads queued for rescoring) in {:.1}s",
            i.accounts,
            i.contacts,
            i.leads,
            i.interactions,
            i.custom_records,
            summary.database,
            summary.skipped.len(),
            summary.queued,
            summary.read_seconds + summary.write_seconds
        )
    });
    Ok(())
}

/// The rows left out: by the mapping (bad values) and by the reader, each
/// named at its place in the export.
fn all_skipped(input: &Input, skipped: &[RowProblem]) -> Vec<RowProblem> {
    match input.mapped() {
        Some(mapped) => mapped.left_out(skipped),
        None => skipped.to_vec(),
    }
}

#[derive(Serialize)]
struct DryRun {
    dry_run: bool,
    database: String,
    /// Per record file: how many records, its columns, the first rows.
    records: Vec<leadscore_mapping::Preview>,
    problems: Vec<ProblemJson>,
}

/// `--dry-run`: the first rows as they will be stored and every problem;
/// nothing is written (a SQLite store that does not exist is not created).
async fn dry_run(args: &ImportArgs, input: &Input) -> anyhow::Result<()> {
    let url = leadscore_store::DatabaseUrl::parse(&args.database.database)?;
    let store = match SqlStore::open_existing(&url).await {
        Ok(store) => Some(store),
        Err(StoreError::NoDatabase { .. }) => None,
        Err(e) => return Err(e.into()),
    };
    let options = stream_options(args, input, true)?;
    let dir = input.path().to_path_buf();
    let spinner = progress::records(&format!("checking {}", args.dir.display()));
    let shown = spinner.clone();
    let checked = leadscore_store::check_streamed(store.as_ref(), move |sink| {
        stream_folder(&dir, &mut progress::Counted::new(sink, &shown), &options)
    })
    .await;
    spinner.finish_and_clear();
    let checked = checked.map_err(streamed_error)?;
    let problems = all_skipped(input, &checked.skipped);
    let shown = match input.mapped() {
        Some(mapped) => mapped.preview(SHOWN)?,
        None => leadscore_mapping::preview_folder(input.path(), SHOWN)?,
    };
    let body = DryRun {
        dry_run: true,
        database: url.redacted(),
        records: shown,
        problems: problems.iter().map(ProblemJson::from).collect(),
    };
    if args.json {
        println!("{}", serde_json::to_string(&body)?);
    } else {
        for s in &body.records {
            println!(
                "{} ({} records; the first {}):",
                s.file,
                s.records,
                s.first.len()
            );
            println!("{}", table(&s.columns, &s.first));
        }
        for p in &problems {
            println!("problem: {p}");
        }
        println!(
            "dry run: would import {} accounts, {} contacts, {} leads, {} interactions into {}; {} problem{}; nothing was written",
            checked.accounts,
            checked.contacts,
            checked.leads,
            checked.interactions,
            body.database,
            problems.len(),
            if problems.len() == 1 { "" } else { "s" }
        );
    }
    if problems.is_empty() {
        Ok(())
    } else {
        std::process::exit(1)
    }
}

/// A plain text table, each cell cut to [`CELL`] characters.
fn table(columns: &[String], rows: &[Vec<String>]) -> String {
    let cut = |s: &str| -> String {
        if s.chars().count() > CELL {
            format!("{}…", s.chars().take(CELL - 1).collect::<String>())
        } else {
            s.to_owned()
        }
    };
    let mut widths: Vec<usize> = columns.iter().map(|c| cut(c).chars().count()).collect();
    for row in rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cut(cell).chars().count());
        }
    }
    let line = |cells: &[String]| -> String {
        cells
            .iter()
            .zip(&widths)
            .map(|(c, w)| format!("{:<w$}", cut(c)))
            .collect::<Vec<_>>()
            .join("  ")
            .trim_end()
            .to_owned()
    };
    let mut out = format!("  {}", line(columns));
    for row in rows {
        out.push_str(&format!("\n  {}", line(row)));
    }
    out
}
