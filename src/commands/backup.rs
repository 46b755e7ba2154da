//! `leadscore backup` and `leadscore restore`: a SQLite store's online backup
//! and its restore (the work is the store's: `leadscore_store::backup_sqlite`,
//! `restore_sqlite`). A PostgreSQL store is backed up and restored with
//! PostgreSQL's own tools: for one, both commands print the `pg_dump` or
//! `pg_restore` command for its URL and exit with [`USE_POSTGRES_TOOLS`].

use std::io::Write;
use std::time::Instant;

use leadscore_store::{
    Backend, DatabaseUrl, PostgresCommand, StoreCounts, StoreError, backup_sqlite, pg_dump_command,
    pg_restore_command, restore_sqlite,
};
use serde::Serialize;

use crate::cli::{BackupArgs, RestoreArgs};
use crate::commands::{no_store, runtime};
use crate::output::print_summary;
use crate::progress;

/// The exit code of `backup` and `restore` on a PostgreSQL store: nothing
/// was done, the printed command does it.
pub const USE_POSTGRES_TOOLS: i32 = 2;

#[derive(Serialize)]
struct BackupSummary {
    database: String,
    out: String,
    bytes: u64,
    integrity: &'static str,
    schema_version: Option<i64>,
    #[serde(flatten)]
    counts: StoreCounts,
    seconds: f64,
}

#[derive(Serialize)]
struct RestoreSummary {
    from: String,
    database: String,
    integrity: &'static str,
    backup_schema_version: Option<i64>,
    migrations_applied: usize,
    schema_version: Option<i64>,
    moved_aside: Option<String>,
    #[serde(flatten)]
    counts: StoreCounts,
    seconds: f64,
}

#[derive(Serialize)]
struct PostgresSummary<'a> {
    ok: bool,
    backend: &'static str,
    command: &'a str,
    password_left_out: bool,
}

pub fn backup(args: BackupArgs) -> anyhow::Result<()> {
    let url = DatabaseUrl::parse(&args.database.database)?;
    if url.backend() == Backend::Postgres {
        let command = pg_dump_command(&url, &args.out)?;
        use_postgres_tools(
            &command,
            args.json,
            "leadscore backup does not copy a PostgreSQL store itself: back it up with \
             PostgreSQL's own pg_dump (a consistent snapshot, taken while the service runs; \
             use a pg_dump of the server's major version or newer):",
        );
    }
    runtime()?.block_on(async {
        let started = Instant::now();
        let spinner = progress::spinner("backing up");
        let report = backup_sqlite(&url, &args.out).await;
        spinner.finish_and_clear();
        let report = match report {
            Err(StoreError::NoDatabase { path }) if Some(path.as_path()) == url.sqlite_path() => {
                return Err(no_store("backup", &path));
            }
            report => report?,
        };
        let summary = BackupSummary {
            database: report.database,
            out: report.backup.path.display().to_string(),
            bytes: report.backup.bytes,
            integrity: "ok",
            schema_version: report.backup.schema.version,
            counts: report.backup.counts,
            seconds: started.elapsed().as_secs_f64(),
        };
        print_summary(args.json, &summary, || {
            format!(
                "backed up {} to {}: {}, {} leads, {} interactions, {} contacts, {} accounts; \
                 integrity ok, schema version {} ({:.1}s)",
                summary.database,
                summary.out,
                size(summary.bytes),
                summary.counts.leads,
                summary.counts.interactions,
                summary.counts.contacts,
                summary.counts.accounts,
                version(summary.schema_version),
                summary.seconds
            )
        });
        Ok::<(), anyhow::Error>(())
    })
}

pub fn restore(args: RestoreArgs) -> anyhow::Result<()> {
    let url = DatabaseUrl::parse(&args.database.database)?;
    if url.backend() == Backend::Postgres {
        let command = pg_restore_command(&url, &args.from)?;
        use_postgres_tools(
            &command,
            args.json,
            "leadscore restore does not restore a PostgreSQL store itself: restore a pg_dump \
             backup with PostgreSQL's own pg_restore, into an empty database (createdb it \
             first), with the service stopped; leadscore then runs the pending migrations \
             when it starts:",
        );
    }
    eprintln!(
        "restoring {} into {}: the service must be stopped while restoring \
         (a database in use is refused)",
        args.from.display(),
        url.redacted()
    );
    runtime()?.block_on(async {
        let started = Instant::now();
        let spinner = progress::spinner("restoring");
        let report = restore_sqlite(&args.from, &url, args.force).await;
        spinner.finish_and_clear();
        let report = report?;
        let summary = RestoreSummary {
            from: report.from.path.display().to_string(),
            database: report.database,
            integrity: "ok",
            backup_schema_version: report.from.schema.version,
            migrations_applied: report.migrated,
            schema_version: report.schema_version,
            moved_aside: report.moved_aside.first().map(|p| p.display().to_string()),
            counts: report.counts,
            seconds: started.elapsed().as_secs_f64(),
        };
        print_summary(args.json, &summary, || {
            let mut text = format!(
                "restored {} into {}: {} leads, {} interactions, {} contacts, {} accounts; \
                 backup integrity ok, schema version {}",
                summary.from,
                summary.database,
                summary.counts.leads,
                summary.counts.interactions,
                summary.counts.contacts,
                summary.counts.accounts,
                version(summary.backup_schema_version),
            );
            if summary.migrations_applied > 0 {
                text.push_str(&format!(
                    ", migrated to {} ({} migrations)",
                    version(summary.schema_version),
                    summary.migrations_applied
                ));
            }
            text.push_str(&format!(" ({:.1}s)", summary.seconds));
            if let Some(aside) = &summary.moved_aside {
                text.push_str(&format!("\nthe database that was there is kept as {aside}"));
            }
            text
        });
        Ok::<(), anyhow::Error>(())
    })
}

/// Prints why nothing was done and the PostgreSQL tool's command (alone on
/// stdout, or as JSON), then exits with [`USE_POSTGRES_TOOLS`].
fn use_postgres_tools(command: &PostgresCommand, json: bool, why: &str) -> ! {
    eprintln!("{why}");
    if json {
        let summary = PostgresSummary {
            ok: false,
            backend: "postgres",
            command: &command.command,
            password_left_out: command.password_left_out,
        };
        match serde_json::to_string(&summary) {
            Ok(text) => println!("{text}"),
            Err(e) => eprintln!("error: cannot print the summary as JSON: {e}"),
        }
    } else {
        println!("{}", command.command);
    }
    if command.password_left_out {
        eprintln!("(the password is left out: give it with PGPASSWORD or in ~/.pgpass)");
    }
    let _ = std::io::stdout().flush();
    std::process::exit(USE_POSTGRES_TOOLS)
}

fn version(v: Option<i64>) -> String {
    v.map_or_else(|| "none".to_owned(), |v| v.to_string())
}

/// Bytes for people: `12.3 MB`.
fn size(bytes: u64) -> String {
    const UNITS: [&str; 4] = ["KB", "MB", "GB", "TB"];
    if bytes < 1000 {
        return format!("{bytes} bytes");
    }
    let mut value = bytes as f64 / 1000.0;
    let mut unit = 0;
    while value >= 1000.0 && unit + 1 < UNITS.len() {
        value /= 1000.0;
        unit += 1;
    }
    format!("{value:.1} {}", UNITS[unit])
}
